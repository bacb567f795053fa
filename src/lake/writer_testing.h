// Test fixture shared by the writer's *_test.cc files (not part of the
// library): a real temp directory, an in-memory DuckDB, and three ways to
// read a table back: through the reader (any version), and independently of
// Strata's reader by replaying the JSON commits with DuckDB's read_json.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/file_system.h"
#include "engine/engine.h"
#include "lake/checkpoint_reader.h"
#include "lake/lake.h"

#define LAKE_ASSERT_OK(expr)                                            \
  do {                                                                  \
    const auto& lake_status_ = (expr);                                  \
    ASSERT_TRUE(lake_status_.ok()) << lake_status_.status().ToString(); \
  } while (false)

#define LAKE_ASSERT_OK_AND_ASSIGN(lhs, rexpr) \
  LAKE_ASSERT_OK_AND_ASSIGN_IMPL_(STRATA_CONCAT_(lake_result_, __LINE__), lhs, rexpr)
#define LAKE_ASSERT_OK_AND_ASSIGN_IMPL_(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                    \
  ASSERT_TRUE(tmp.ok()) << tmp.status().ToString();      \
  lhs = std::move(tmp).value()

namespace strata::lake::testing {

using Rows = std::vector<std::string>;  // one "a|b|c" string per row, sorted

class WriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/strata_writer_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    root_ = dir_ + "/table";
    auto db = engine::Database::Open();
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    auto conn = engine::Connection::Open(*db_);
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    conn_ = std::move(conn).value();
  }
  void TearDown() override {
    conn_.reset();
    db_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  FileSystem& fs() { return *FileSystem::Default(); }

  // Every cell of `sql` as text, rows joined with '|' and sorted.
  Rows Query(const std::string& sql) {
    auto rows = QueryStrings(*conn_, "SELECT CAST(COLUMNS(*) AS VARCHAR) FROM (" + sql + ")");
    EXPECT_TRUE(rows.ok()) << sql << ": " << rows.status().ToString();
    Rows out;
    if (!rows.ok()) return out;
    for (const auto& row : *rows) {
      std::string line;
      for (size_t i = 0; i < row.size(); ++i) {
        if (i) line += "|";
        line += row[i].value_or("NULL");
      }
      out.push_back(std::move(line));
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  void Exec(const std::string& sql) {
    Status s = conn_->Execute(sql);
    ASSERT_TRUE(s.ok()) << sql << ": " << s.ToString();
  }

  // The rows of `columns` (a SELECT list) of the table through Strata's
  // reader at `version` (latest when unset).
  Rows ReadTable(const std::string& root, const std::string& columns = "*",
                 std::optional<int64_t> version = std::nullopt) {
    auto table = Table::Open(root, fs(), conn_.get());
    EXPECT_TRUE(table.ok()) << table.status().ToString();
    if (!table.ok()) return {};
    auto snapshot = version ? (*table)->AtVersion(*version) : (*table)->Latest();
    EXPECT_TRUE(snapshot.ok()) << snapshot.status().ToString();
    if (!snapshot.ok()) return {};
    auto plan = PlanScan(**snapshot, {}, fs(), *conn_);
    EXPECT_TRUE(plan.ok()) << plan.status().ToString();
    if (!plan.ok()) return {};
    return Query("SELECT " + columns + " FROM (" + plan->sql + ")");
  }

  int64_t LatestVersion(const std::string& root) {
    auto table = Table::Open(root, fs(), conn_.get());
    if (!table.ok()) return -1;
    auto snapshot = (*table)->Latest();
    return snapshot.ok() ? (*snapshot)->version() : -1;
  }

  // The live data files per the JSON commits, computed with SQL alone: an
  // add is live when no later commit removes its path. Returns a SELECT of
  // (path, partitionValues) with absolute, decoded paths.
  std::string LiveFilesSql(const std::string& root) {
    std::string log = engine::QuoteLiteral(root + "/_delta_log/*.json");
    return "WITH log AS (SELECT CAST(regexp_extract(filename, '(\\d{20})\\.json$', 1) AS BIGINT) "
           "AS v, \"add\", \"remove\" FROM read_json(" +
           log +
           ", filename = true, format = "
           "'newline_delimited', columns = {'add': 'STRUCT(path VARCHAR, partitionValues "
           "MAP(VARCHAR, VARCHAR))', 'remove': 'STRUCT(path VARCHAR)'})), "
           "adds AS (SELECT v, \"add\".path AS path, \"add\".partitionValues AS pv FROM log "
           "WHERE \"add\" IS NOT NULL), removes AS (SELECT v, \"remove\".path AS path FROM log "
           "WHERE \"remove\" IS NOT NULL) "
           "SELECT " +
           engine::QuoteLiteral(root + "/") +
           " || url_decode(a.path) AS path, a.pv "
           "FROM adds a WHERE NOT EXISTS (SELECT 1 FROM removes r WHERE r.path = a.path AND "
           "r.v >= a.v) AND NOT EXISTS (SELECT 1 FROM adds b WHERE b.path = a.path AND b.v > a.v)";
  }

  // The table's rows read straight from its Parquet files per the log, with
  // `partition_columns` taken from partitionValues (as VARCHAR).
  Rows ReadIndependently(const std::string& root, const std::string& data_columns,
                         const std::vector<std::string>& partition_columns = {}) {
    auto files = QueryStrings(*conn_, "SELECT path FROM (" + LiveFilesSql(root) + ")");
    EXPECT_TRUE(files.ok()) << files.status().ToString();
    if (!files.ok() || files->empty()) return {};
    std::string list;
    for (const auto& row : *files)
      list += (list.empty() ? "" : ", ") + engine::QuoteLiteral(*row[0]);
    std::string select = data_columns;
    for (const std::string& p : partition_columns) {
      select += ", l.pv[" + engine::QuoteLiteral(p) + "] AS " + engine::QuoteIdentifier(p);
    }
    return Query("SELECT " + select + " FROM read_parquet([" + list +
                 "], union_by_name = true, filename = true) d JOIN (" + LiveFilesSql(root) +
                 ") l ON d.filename = l.path");
  }

  std::string dir_;
  std::string root_;
  std::unique_ptr<engine::Database> db_;
  std::unique_ptr<engine::Connection> conn_;
};

// A two-column schema (id long, name string) plus optional extra fields.
inline DataTypePtr IdNameSchema(std::vector<StructField> extra = {}) {
  std::vector<StructField> fields = {Field("id", PrimitiveType("long")),
                                     Field("name", PrimitiveType("string"))};
  for (StructField& f : extra) fields.push_back(std::move(f));
  return StructType(std::move(fields));
}

}  // namespace strata::lake::testing
