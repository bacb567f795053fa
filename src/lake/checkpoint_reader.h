// Reads the actions of a checkpoint (PROTOCOL.md "Checkpoints"): classic and
// multi-part Parquet checkpoints, and V2 UUID-named checkpoints in JSON or
// Parquet with their sidecar files. Parquet goes through the engine
// (read_parquet), selecting only the columns replay needs.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/file_system.h"
#include "common/status.h"
#include "engine/engine.h"
#include "lake/actions.h"
#include "lake/log_segment.h"

namespace strata::lake {

// Returns the live actions of `checkpoint`: protocol, metaData, add, txn,
// domainMetadata, checkpointMetadata, with sidecars already expanded into
// their add actions. Remove tombstones are not returned (a checkpoint is
// reconciled, so they cannot hide any add it holds). `conn` may be null only
// for JSON checkpoints without sidecars; the caller uses it from one thread.
//
// `kTyped` reads the add columns straight from the engine's vectors (falling
// back to `kJson` when the file's types are unexpected); `kJson` turns each
// row into JSON text and parses it as a commit line (the reference path the
// tests compare against).
enum class CheckpointReadMode { kTyped, kJson };
Result<std::vector<Action>> ReadCheckpoint(const CheckpointFiles& checkpoint,
                                           const std::string& log_dir, FileSystem& fs,
                                           engine::Connection* conn,
                                           CheckpointReadMode mode = CheckpointReadMode::kTyped);

// How many Parquet reads in this process fell back from kTyped to kJson (the
// tests check that the typed path really ran). Thread-safe.
int64_t TypedCheckpointFallbacks();

// Runs `sql` and returns every cell as text (nullopt for NULL). Every column
// of `sql` must be VARCHAR. For small metadata queries.
Result<std::vector<std::vector<std::optional<std::string>>>> QueryStrings(engine::Connection& conn,
                                                                          std::string_view sql);

}  // namespace strata::lake
