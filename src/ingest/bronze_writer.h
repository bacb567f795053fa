// BronzeWriter: the BatchSink of one stream run. Each StagedBatch becomes ONE
// Delta commit of the bronze table carrying the `txn` action
// (appId "strata-ingest/<source>/<stream>", version = the batch's sequence
// number) and, in commitInfo.strataIngest, the state the batch brings the
// stream to. After the commit the state is saved in the run store too; when
// a crash falls between the two, RecoverStreamState reads it back from the
// table. Quarantined records go to bronze._quarantine_<source>. Internal to
// src/ingest (ingest.cc drives it).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/file_system.h"
#include "common/status.h"
#include "engine/engine.h"
#include "ingest/connector.h"
#include "ingest/run_store.h"

namespace strata::ingest {

// commitInfo field that carries {"appId", "batch", "state"} of an ingest commit.
inline constexpr char kCommitInfoField[] = "strataIngest";

// "strata-ingest/<source>/<stream>": the Delta txn appId of a stream.
std::string IngestAppId(const std::string& source, const std::string& stream);

// The state of the stream whose batches go to the table at `table_root`, as
// of the table's last committed batch: `stored` when it agrees with the
// table's txn version for `app_id`, else the state carried by the commit that
// applied that version (a crash came between the commit and the store
// update). No table, or no batch in it: sequence 0 and null state. Corruption
// when the commit holding the table's txn version cannot be found.
Result<StreamState> RecoverStreamState(const std::string& table_root, const std::string& app_id,
                                       const std::optional<StreamState>& stored, FileSystem& fs,
                                       engine::Connection& conn);

struct BronzeWriterOptions {
  const SourceConfig* source = nullptr;  // not owned; outlives the writer
  const StreamConfig* stream = nullptr;  // not owned; outlives the writer
  std::string table_root;                // the bronze table's folder
  std::string quarantine_root;           // bronze/_quarantine_<source>
  std::string staging_dir;               // made empty by the writer
  int64_t run_id = 0;
  StreamState start;           // the recovered state; batches continue its sequence
  bool replace_first = false;  // the run's first batch replaces the table (full refresh)
  FileSystem* fs = nullptr;
  Clock* clock = nullptr;
  engine::Connection* conn = nullptr;
  RunStore* store = nullptr;
  std::function<void(int64_t rows, int64_t bytes)> on_progress;  // may be empty
  std::function<bool()> cancelled;                               // may be empty
};

// Totals of one stream run so far.
struct BronzeStats {
  int64_t batches = 0;
  int64_t rows = 0;
  int64_t bytes = 0;
  int64_t bad_rows = 0;
  StreamState state;               // after the last committed batch
  std::vector<std::string> notes;  // schema drift, once per distinct note
};

class BronzeWriter : public BatchSink {
 public:
  // Makes the writer and an empty staging directory. IOError when the
  // directory cannot be made. Pointers in `options` must outlive it.
  static Result<std::unique_ptr<BronzeWriter>> Make(BronzeWriterOptions options);
  ~BronzeWriter() override;

  engine::Connection& connection() override { return *options_.conn; }
  const std::string& staging_dir() override { return options_.staging_dir; }
  FileSystem& file_system() override { return *options_.fs; }
  Result<BatchCommit> Commit(StagedBatch batch) override;
  Status Quarantine(std::vector<BadRecord> records) override;
  void Progress(int64_t rows, int64_t bytes) override;
  bool Cancelled() const override;

  // Commits quarantined records not yet written (without a txn: see
  // docs/INGEST.md) and removes the staging directory. Call once at the end.
  Status Finish();

  const BronzeStats& stats() const { return stats_; }

 private:
  explicit BronzeWriter(BronzeWriterOptions options) : options_(std::move(options)) {}

  // Writes the pending quarantine records; with `txn_version`, exactly once.
  Status FlushQuarantine(std::optional<int64_t> txn_version, const std::string& batch_id);
  // Appends (or, for `replace`, overwrites with) the batch's rows, creating the
  // table on first use. `state_json` and `source_bytes` describe the batch;
  // for a streamed one (`finish_state`) they are set from finish_state once
  // the rows are written.
  Result<BatchCommit> WriteBatch(const std::string& staged_query, bool replace, int64_t sequence,
                                 std::string& state_json, int64_t& source_bytes,
                                 const std::function<Result<StreamedBatchResult>()>& finish_state);
  void AddNotes(const std::vector<std::string>& notes);

  BronzeWriterOptions options_;
  BronzeStats stats_;
  std::vector<BadRecord> pending_bad_;
  bool replaced_ = false;
};

}  // namespace strata::ingest
