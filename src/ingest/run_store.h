// The run store: one record per stream run (start, end, status, rows, bytes,
// bad rows, error, state) and each stream's last committed state. Narrow on
// purpose, so another database (PostgreSQL) can back it later; the one
// implementation today is SQLite at <project>/.strata/metadata.db, in WAL
// mode with a busy timeout so that several strata processes can share it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace strata::ingest {

struct RunRecord {
  int64_t id = 0;
  std::string source;
  std::string stream;
  int64_t started_micros = 0;  // Unix epoch
  int64_t ended_micros = 0;    // 0 while running
  std::string status;          // running | succeeded | failed | interrupted
  int64_t rows = 0;
  int64_t bytes = 0;
  int64_t bad_rows = 0;
  std::string error;  // redacted before it gets here
  std::string state;  // the stream state (JSON text) at the end of the run
};

// A stream's state as of its last committed batch.
struct StreamState {
  int64_t batch_sequence = 0;  // the Delta txn version of that batch (0: none yet)
  std::string state_json = "null";
};

// Implementations are safe to use from one thread per object; several
// objects (processes) may share one store.
class RunStore {
 public:
  virtual ~RunStore() = default;

  // Records a run of source.stream starting now; returns its id. Runs of the
  // same stream still marked running (their process died) become interrupted.
  virtual Result<int64_t> StartRun(const std::string& source, const std::string& stream,
                                   int64_t started_micros) = 0;
  // Stores the final fields of run `record.id` (ended, status, counts, error,
  // state). NotFound for an unknown id.
  virtual Status FinishRun(const RunRecord& record) = 0;
  // The newest `limit` runs (0: all), newest first.
  virtual Result<std::vector<RunRecord>> ListRuns(int64_t limit) = 0;

  // The saved state of source.stream; nullopt when none was ever saved.
  virtual Result<std::optional<StreamState>> LoadState(const std::string& source,
                                                       const std::string& stream) = 0;
  // Saves the state of source.stream (replacing the previous one).
  virtual Status SaveState(const std::string& source, const std::string& stream,
                           const StreamState& state) = 0;
  // Forgets the state of source.stream (a full refresh starts over).
  virtual Status ClearState(const std::string& source, const std::string& stream) = 0;
};

// Opens (creating it and its tables when missing) the SQLite store at `path`.
// IOError naming the path when it cannot be opened or migrated.
Result<std::unique_ptr<RunStore>> OpenSqliteRunStore(const std::string& path);

}  // namespace strata::ingest
