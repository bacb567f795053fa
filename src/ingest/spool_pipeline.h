// Overlaps reading a database with committing what was read: a producer
// thread streams rows into spool files while the calling thread commits the
// previous file through the sink. Reading is mostly waiting on the server,
// committing is mostly DuckDB work, so the two overlap well and a snapshot
// takes about the longer of the two instead of their sum. Internal to the
// ingest subsystem.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"

namespace strata::ingest {

// A finished spool file (path empty: a batch without rows).
struct SpoolBatch {
  std::string path;
  int64_t bytes = 0;
  nlohmann::json state_after;
  int64_t total_rows = 0;  // rows read so far, this batch included
  int64_t total_bytes = 0;
};

// Hands a finished batch to the consumer; blocks while `max_pending` batches
// wait. Aborted once the consumer has stopped (the producer should return).
using EmitBatch = std::function<Status(SpoolBatch)>;

// Runs `produce(emit, stop)` on a new thread and `consume` on the calling
// thread for each emitted batch, in order. `stop` turns true when the
// consumer failed; the producer should then return soon. Returns the
// consumer's first error, else the producer's. Neither callback may touch
// what the other one uses.
Status RunSpoolPipeline(
    const std::function<Status(const EmitBatch& emit, const std::atomic<bool>& stop)>& produce,
    const std::function<Status(SpoolBatch batch)>& consume, size_t max_pending = 1);

}  // namespace strata::ingest
