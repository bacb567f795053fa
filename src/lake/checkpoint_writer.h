// Writes classic single-file Parquet checkpoints (PROTOCOL.md "Checkpoints",
// "Checkpoint Schema", V1 spec) and the `_last_checkpoint` pointer ("Last
// Checkpoint File Schema"). The checkpoint holds the table state at one
// version: protocol, metaData, live adds (stats as JSON text, partition values
// as a map), txn, domainMetadata, and remove tombstones younger than
// delta.deletedFileRetentionDuration (default one week), which VACUUM needs.
#pragma once

#include <cstdint>
#include <string>

#include "common/clock.h"
#include "common/file_system.h"
#include "common/status.h"
#include "engine/engine.h"
#include "lake/actions.h"

namespace strata::lake {

struct CheckpointInfo {
  int64_t version = 0;
  int64_t size = 0;           // actions (rows) in the checkpoint
  int64_t size_in_bytes = 0;  // bytes of the Parquet file
  int64_t num_add_files = 0;
};

// delta.checkpointInterval of `metadata` (default 100; bad values too).
int64_t CheckpointInterval(const Metadata& metadata);

// delta.deletedFileRetentionDuration of `metadata` in milliseconds (default
// 7 days), parsed from "interval <n> <unit>".
int64_t DeletedFileRetentionMillis(const Metadata& metadata);

// Writes `_delta_log/<version>.checkpoint.parquet` for the table at `root`,
// then `_delta_log/_last_checkpoint`. The Parquet file is produced by DuckDB
// under a temp name and renamed into place through `fs`, so readers never
// see a partial checkpoint; `_last_checkpoint` is replaced atomically. A
// crash at any step leaves the table readable (the log is the truth; the
// checkpoint and the hint only speed reads up). NotFound when `version` does
// not exist. One thread per `conn`; `clock` dates tombstone expiry.
Result<CheckpointInfo> WriteCheckpoint(const std::string& root, int64_t version, FileSystem& fs,
                                       engine::Connection& conn, Clock& clock);

}  // namespace strata::lake
