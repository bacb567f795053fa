#include "ingest/testing/duckdb_sink.h"

#include <stdlib.h>

#include <filesystem>

namespace strata::ingest::testing {

Result<std::unique_ptr<DuckDbSink>> DuckDbSink::Create(std::string table) {
  std::unique_ptr<DuckDbSink> sink(new DuckDbSink());
  engine::DatabaseOptions options;
  options.threads = 1;
  STRATA_ASSIGN_OR_RETURN(sink->database_, engine::Database::Open(options));
  STRATA_ASSIGN_OR_RETURN(sink->connection_, engine::Connection::Open(*sink->database_));
  std::string tmpl = (std::filesystem::temp_directory_path() / "strata-sink-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) return Status::IOError("mkdtemp failed");
  sink->staging_dir_ = tmpl;
  sink->table_ = std::move(table);
  return sink;
}

DuckDbSink::~DuckDbSink() {
  std::error_code ignored;
  std::filesystem::remove_all(staging_dir_, ignored);
}

Result<BatchCommit> DuckDbSink::Commit(StagedBatch batch) {
  // One transaction, so that a streamed batch whose end fails leaves nothing
  // (as the bronze writer's commit would not).
  STRATA_RETURN_IF_ERROR(connection_->Execute("BEGIN TRANSACTION"));
  const bool table_existed = table_exists_;
  Result<int64_t> rows = WriteRows(batch);
  if (rows.ok() && batch.finish_state) {
    Result<StreamedBatchResult> finished = batch.finish_state();
    if (finished.ok()) {
      batch.state_after = std::move(finished->state_after);
      batch.source_bytes = finished->source_bytes;
    } else {
      rows = finished.status();
    }
  }
  if (!rows.ok()) {
    (void)connection_->Execute("ROLLBACK");
    table_exists_ = table_existed;
    return rows.status();
  }
  STRATA_RETURN_IF_ERROR(connection_->Execute("COMMIT"));
  BatchCommit result;
  result.rows = *rows;
  for (const std::string& file : batch.spool_files) {
    std::error_code ignored;
    std::filesystem::remove(file, ignored);
  }
  result.version = commits_++;
  batches_.push_back({std::move(batch), result.rows});
  if (after_commit_) after_commit_(batches_.back());
  return result;
}

Result<int64_t> DuckDbSink::WriteRows(const StagedBatch& batch) {
  if (count_only_) {
    STRATA_ASSIGN_OR_RETURN(engine::Value count,
                            connection_->QueryScalar("SELECT count(*) FROM (" + batch.query + ")"));
    return std::stoll(count.ToString());
  }
  if (batch.replace_table || !table_exists_) {
    STRATA_RETURN_IF_ERROR(connection_->Execute("CREATE OR REPLACE TABLE " + table_ +
                                                " AS SELECT * FROM (" + batch.query + ") LIMIT 0"));
    table_exists_ = true;
  }
  STRATA_ASSIGN_OR_RETURN(auto done,
                          connection_->Query("INSERT INTO " + table_ + " " + batch.query));
  return done->RowsChanged();
}

Status DuckDbSink::Quarantine(std::vector<BadRecord> records) {
  for (BadRecord& r : records) quarantined_.push_back(std::move(r));
  return Status::OK();
}

int64_t DuckDbSink::total_rows() const {
  int64_t rows = 0;
  for (const CommittedBatch& b : batches_) rows += b.rows;
  return rows;
}

Result<std::vector<std::vector<std::string>>> DuckDbSink::Rows(const std::string& sql) {
  STRATA_ASSIGN_OR_RETURN(auto result, connection_->Query(sql));
  STRATA_ASSIGN_OR_RETURN(auto rows, result->FetchAllRows());
  std::vector<std::vector<std::string>> out;
  for (const auto& row : rows) {
    std::vector<std::string> text;
    for (const auto& v : row) text.push_back(v.IsNull() ? "NULL" : v.ToString());
    out.push_back(std::move(text));
  }
  return out;
}

}  // namespace strata::ingest::testing
