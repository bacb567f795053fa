// The remove tombstones a checkpoint carries. ReadCheckpoint leaves them out
// (replay does not need them); the checkpoint writer carries them into the
// next checkpoint and VACUUM keeps their files until they expire.
#pragma once

#include <vector>

#include "common/file_system.h"
#include "common/status.h"
#include "engine/engine.h"
#include "lake/actions.h"
#include "lake/log_segment.h"

namespace strata::lake {

// What to do with a tombstone line that does not parse.
enum class BadTombstone {
  kSkip,  // leave it out: the caller treats tombstones as hints
  kFail,  // fail the read with the parse error
};

// The remove actions of `checkpoint` (JSON or Parquet, every part), in file
// order. Errors: the file system's or the engine's, and with kFail a line
// that does not parse. `conn` is used from the calling thread only.
Result<std::vector<RemoveFile>> ReadCheckpointTombstones(const CheckpointFiles& checkpoint,
                                                         FileSystem& fs, engine::Connection& conn,
                                                         BadTombstone on_bad);

}  // namespace strata::lake
