// A BatchSink for connector tests: commits each staged batch into a table of
// an in-memory DuckDB database (replace_table: CREATE OR REPLACE, otherwise
// INSERT), remembers every batch, and deletes spool files like the real
// bronze writer. Not thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "ingest/connector.h"

namespace strata::ingest::testing {

class DuckDbSink : public BatchSink {
 public:
  struct CommittedBatch {
    StagedBatch batch;
    int64_t rows = 0;
  };

  // An in-memory database and a fresh staging directory under the system temp
  // directory. IOError/engine errors.
  static Result<std::unique_ptr<DuckDbSink>> Create(std::string table = "bronze");
  ~DuckDbSink() override;

  engine::Connection& connection() override { return *connection_; }
  const std::string& staging_dir() override { return staging_dir_; }
  FileSystem& file_system() override { return *FileSystem::Default(); }
  // Runs the batch's query into the table (or, with count_only, just counts
  // its rows), in one transaction with a streamed batch's finish_state; the
  // engine's error when the query fails, finish_state's when that fails.
  Result<BatchCommit> Commit(StagedBatch batch) override;
  Status Quarantine(std::vector<BadRecord> records) override;
  void Progress(int64_t rows, int64_t bytes) override {
    progress_rows_ = rows;
    (void)bytes;
  }
  bool Cancelled() const override { return cancel_after_ >= 0 && commits_ >= cancel_after_; }

  // With count_only, rows are counted and not kept (for memory tests).
  void set_count_only(bool count_only) { count_only_ = count_only; }
  // Called after each commit (e.g. to write to the source between batches).
  void set_after_commit(std::function<void(const CommittedBatch&)> hook) {
    after_commit_ = std::move(hook);
  }
  // Cancelled() turns true after this many commits (-1: never).
  void set_cancel_after(int commits) { cancel_after_ = commits; }

  const std::vector<CommittedBatch>& batches() const { return batches_; }
  int64_t total_rows() const;
  const std::string& table() const { return table_; }
  std::vector<BadRecord>& quarantined() { return quarantined_; }

  // The rows of `sql` as strings (NULL as "NULL"), for assertions.
  Result<std::vector<std::vector<std::string>>> Rows(const std::string& sql);

 private:
  DuckDbSink() = default;
  // The batch's rows written (or counted); the engine's error.
  Result<int64_t> WriteRows(const StagedBatch& batch);

  std::unique_ptr<engine::Database> database_;
  std::unique_ptr<engine::Connection> connection_;
  std::string staging_dir_;
  std::string table_;
  bool count_only_ = false;
  bool table_exists_ = false;
  int commits_ = 0;
  int cancel_after_ = -1;
  int64_t progress_rows_ = 0;
  std::function<void(const CommittedBatch&)> after_commit_;
  std::vector<CommittedBatch> batches_;
  std::vector<BadRecord> quarantined_;
};

}  // namespace strata::ingest::testing
