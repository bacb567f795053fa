// Test helpers for connector tests (not part of the library): a BatchSink
// that runs each staged batch on a real in-memory DuckDB, keeps the states and
// quarantined records, and can stop after N commits to simulate a crash.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/file_system.h"
#include "common/logging.h"
#include "common/temp_dir_testing.h"
#include "engine/engine.h"
#include "ingest/connector.h"

namespace strata::ingest::testing {

// ConfigNode has no default constructor, so the configs are built whole; the
// other members keep their defaults.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
inline SourceConfig MakeSourceConfig(std::string name, std::string connector, ConfigNode settings) {
  return SourceConfig{
      .name = std::move(name), .connector = std::move(connector), .settings = std::move(settings)};
}
inline StreamConfig MakeStreamConfig(std::string name, ConfigNode settings) {
  return StreamConfig{.name = std::move(name), .settings = std::move(settings)};
}
#pragma GCC diagnostic pop

class RecordingSink : public BatchSink {
 public:
  // `staging_dir` must exist.
  explicit RecordingSink(std::string staging_dir) : staging_dir_(std::move(staging_dir)) {
    db_ = std::move(engine::Database::Open()).value();
    conn_ = std::move(engine::Connection::Open(*db_)).value();
  }

  engine::Connection& connection() override { return *conn_; }
  const std::string& staging_dir() override { return staging_dir_; }
  FileSystem& file_system() override { return *FileSystem::Default(); }

  // Materializes the batch as table batch_<n> (n from 1), so its rows stay
  // readable after the spool files are deleted, as the real sink does.
  Result<BatchCommit> Commit(StagedBatch batch) override {
    if (fail_commits_after_ >= 0 && static_cast<int>(batches.size()) >= fail_commits_after_) {
      return Status::IOError("simulated crash before commit");
    }
    const std::string table = "batch_" + std::to_string(batches.size() + 1);
    STRATA_RETURN_IF_ERROR(conn_->Execute("CREATE TABLE " + table + " AS " + batch.query));
    STRATA_ASSIGN_OR_RETURN(engine::Value count,
                            conn_->QueryScalar("SELECT count(*) FROM " + table));
    for (const std::string& spool : batch.spool_files) {
      STRATA_RETURN_IF_ERROR(FileSystem::Default()->DeleteFile(spool));
    }
    BatchCommit commit;
    commit.version = static_cast<int64_t>(batches.size());
    commit.rows = count.GetInt64();
    batches.push_back(std::move(batch));
    rows_per_batch.push_back(commit.rows);
    return commit;
  }

  Status Quarantine(std::vector<BadRecord> records) override {
    for (BadRecord& record : records) quarantined.push_back(std::move(record));
    return Status::OK();
  }
  void Progress(int64_t rows, int64_t bytes) override { progress_rows = rows; }
  bool Cancelled() const override { return cancelled; }

  // Commits fail (as a crash would) once `n` batches are committed.
  void FailCommitsAfter(int n) { fail_commits_after_ = n; }

  // A view `all_rows` over every committed batch (UNION ALL BY NAME), so a
  // key that appears only in a late batch is still a column.
  void DefineAllRowsView() {
    std::string sql = "CREATE OR REPLACE VIEW all_rows AS ";
    for (size_t i = 0; i < batches.size(); ++i) {
      sql += (i ? " UNION ALL BY NAME " : "") + std::string("SELECT * FROM batch_") +
             std::to_string(i + 1);
    }
    ASSERT_TRUE(conn_->Execute(sql).ok());
  }

  // The first column of every row of `sql`, as text ("NULL" for null).
  std::vector<std::string> Strings(const std::string& sql) {
    std::vector<std::string> out;
    auto result = conn_->Query("SELECT CAST(x AS VARCHAR) FROM (" + sql + ") AS t(x)");
    EXPECT_TRUE(result.ok()) << sql << ": " << result.status().ToString();
    if (!result.ok()) return out;
    auto rows = (*result)->FetchAllRows();
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    if (!rows.ok()) return out;
    for (const auto& row : *rows) out.push_back(row[0].IsNull() ? "NULL" : row[0].GetString());
    return out;
  }

  std::vector<StagedBatch> batches;
  std::vector<int64_t> rows_per_batch;
  std::vector<BadRecord> quarantined;
  int64_t progress_rows = 0;
  std::atomic<bool> cancelled{false};

 private:
  std::string staging_dir_;
  std::unique_ptr<engine::Database> db_;
  std::unique_ptr<engine::Connection> conn_;
  int fail_commits_after_ = -1;
};

// Keeps every log line written while it is the log sink (SetLogSink), for
// the never-logs-a-secret checks. Thread-safe: connectors log from workers.
class CapturingLogSink : public LogSink {
 public:
  void Write(LogLevel, std::string_view line) override {
    std::lock_guard<std::mutex> lock(mutex_);
    lines_ += std::string(line) + "\n";
  }
  // Every line so far, each ending in '\n'.
  std::string lines() {
    std::lock_guard<std::mutex> lock(mutex_);
    return lines_;
  }

 private:
  std::mutex mutex_;
  std::string lines_;
};

// A fresh empty directory under the system temp dir, removed by the destructor.
class TempDir : public common::testing::TempDir {
 public:
  TempDir() : common::testing::TempDir("strata-ingest-") {}
};

}  // namespace strata::ingest::testing
