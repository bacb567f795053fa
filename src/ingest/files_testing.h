// Test helpers for the files connector: a temp project directory, and a
// BatchSink that runs each staged query on a real DuckDB connection and keeps
// the rows in a table `bronze` (replaced or appended BY NAME), the batches'
// states, and the quarantined records.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <utime.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "common/config.h"
#include "common/file_system.h"
#include "engine/engine.h"
#include "ingest/connector.h"
#include "ingest/files_connector.h"

namespace strata::ingest::testing {

class TempProject {
 public:
  TempProject() {
    const char* tmp = getenv("TMPDIR");
    std::string tmpl = std::string(tmp != nullptr ? tmp : "/tmp") + "/strata-files-XXXXXX";
    root_ = mkdtemp(tmpl.data()) != nullptr ? tmpl : "";
  }
  ~TempProject() { (void)FileSystem::Default()->DeleteRecursively(root_); }
  const std::string& root() const { return root_; }
  std::string Path(const std::string& rel) const { return root_ + "/" + rel; }

  // Writes `content` to root/rel (parents created) and sets its mtime to
  // `mtime_seconds` when given, so tests control what "changed" means.
  void Write(const std::string& rel, const std::string& content, long mtime_seconds = 0) const {
    const std::string path = Path(rel);
    ASSERT_TRUE(FileSystem::Default()->CreateDirectories(std::string(DirName(path))).ok());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
    out.close();
    if (mtime_seconds != 0) SetMtime(rel, mtime_seconds);
  }
  void SetMtime(const std::string& rel, long seconds) const {
    struct utimbuf times {
      seconds, seconds
    };
    ASSERT_EQ(utime(Path(rel).c_str(), &times), 0);
  }

 private:
  std::string root_;
};

class CollectingSink : public BatchSink {
 public:
  explicit CollectingSink(const std::string& staging_dir) : staging_dir_(staging_dir) {
    db_ = std::move(engine::Database::Open()).value();
    conn_ = std::move(engine::Connection::Open(*db_)).value();
    EXPECT_TRUE(FileSystem::Default()->CreateDirectories(staging_dir_).ok());
  }

  engine::Connection& connection() override { return *conn_; }
  const std::string& staging_dir() override { return staging_dir_; }
  FileSystem& file_system() override { return *FileSystem::Default(); }

  Result<BatchCommit> Commit(StagedBatch batch) override {
    if (fail_commit_at >= 0 && static_cast<int>(batches.size()) == fail_commit_at) {
      return Status::IOError("injected commit failure");
    }
    // The connector's `_strata_file` is a one-label ENUM (see ConstantString),
    // which the lake writes as a string; a DuckDB table would keep the ENUM
    // and refuse the next file's label.
    batch.query =
        "SELECT * REPLACE (_strata_file::VARCHAR AS _strata_file) FROM (" + batch.query + ")";
    const bool replace = batch.replace_table || !has_table_;
    const std::string sql = replace ? "CREATE OR REPLACE TABLE bronze AS " + batch.query
                                    : "INSERT INTO bronze BY NAME " + batch.query;
    STRATA_ASSIGN_OR_RETURN(
        auto before,
        conn_->QueryScalar(has_table_ && !replace ? "SELECT count(*) FROM bronze" : "SELECT 0"));
    STRATA_ASSIGN_OR_RETURN(
        auto types, conn_->QueryScalar("SELECT string_agg(column_name || ' ' || column_type, ', ') "
                                       "FROM (DESCRIBE " +
                                       batch.query + ")"));
    // A failing query (the files connector's direct CSV read of a file with
    // a bad record) leaves no trace, as the bronze writer's commit does not.
    STRATA_RETURN_IF_ERROR(conn_->Execute(sql));
    batch_types.push_back(types.IsNull() ? "" : types.ToString());
    has_table_ = true;
    STRATA_ASSIGN_OR_RETURN(auto after, conn_->QueryScalar("SELECT count(*) FROM bronze"));
    BatchCommit commit;
    commit.version = static_cast<int64_t>(batches.size());
    commit.rows = after.GetInt64() - before.GetInt64();
    batch_rows.push_back(commit.rows);
    batches.push_back(std::move(batch));
    return commit;
  }

  Status Quarantine(std::vector<BadRecord> records) override {
    for (BadRecord& r : records) quarantined.push_back(std::move(r));
    return Status::OK();
  }
  void Progress(int64_t rows, int64_t bytes) override {
    progress_rows = rows;
    progress_bytes = bytes;
  }
  bool Cancelled() const override { return false; }

  // The rows of `sql` over the collected table as strings ("NULL" for null).
  std::vector<std::vector<std::string>> Rows(const std::string& sql) {
    std::vector<std::vector<std::string>> out;
    auto result = conn_->Query(sql);
    EXPECT_TRUE(result.ok()) << result.status().ToString() << "\n" << sql;
    if (!result.ok()) return out;
    auto rows = (*result)->FetchAllRows();
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    if (!rows.ok()) return out;
    for (const auto& row : *rows) {
      std::vector<std::string> strings;
      for (const auto& v : row) strings.push_back(v.IsNull() ? "NULL" : v.ToString());
      out.push_back(std::move(strings));
    }
    return out;
  }
  std::string Scalar(const std::string& sql) {
    auto rows = Rows(sql);
    return rows.empty() || rows[0].empty() ? "<none>" : rows[0][0];
  }
  nlohmann::json LastState() const {
    return batches.empty() ? nlohmann::json() : batches.back().state_after;
  }

  std::vector<StagedBatch> batches;
  std::vector<int64_t> batch_rows;
  std::vector<std::string> batch_types;  // "name TYPE, ..." of each batch's query
  std::vector<BadRecord> quarantined;
  int64_t progress_rows = 0;
  int64_t progress_bytes = 0;
  int fail_commit_at = -1;  // the batch index whose commit fails

 private:
  std::string staging_dir_;
  std::unique_ptr<engine::Database> db_;
  std::unique_ptr<engine::Connection> conn_;
  bool has_table_ = false;
};

// A files source whose settings and one stream come from YAML, e.g.
// MakeSource(root, "path: data/*.csv\nformat: csv").
inline SourceConfig MakeSource(const std::string& project_root, const std::string& stream_yaml,
                               SyncMode sync = SyncMode::kAppendOnly,
                               const std::string& source_yaml = "") {
  auto source_doc = ParseConfig(source_yaml.empty() ? "{}" : source_yaml, "source.yml");
  EXPECT_TRUE(source_doc.ok()) << source_doc.status().ToString();
  auto stream_doc = ParseConfig(stream_yaml, "stream.yml");
  EXPECT_TRUE(stream_doc.ok()) << stream_doc.status().ToString();
  // ConfigNode has no default constructor: the configs are built whole.
  SourceConfig source{.name = "src",
                      .connector = "files",
                      .settings = source_doc->root(),
                      .streams = {StreamConfig{.name = "s",
                                               .target = "bronze.src_s",
                                               .sync = sync,
                                               .cursor_field = "",
                                               .primary_key = {},
                                               .settings = stream_doc->root()}},
                      .on_schema_change = OnSchemaChange::kEvolve,
                      .max_bad_rows = std::nullopt,
                      .project_root = project_root};
  return source;
}

}  // namespace strata::ingest::testing
