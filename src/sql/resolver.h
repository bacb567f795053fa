// ReadResolver: makes a statement's reads of Delta tables runnable on
// DuckDB. Warehouse tables read at their latest version become DuckDB views
// `schema.table` over the table's Parquet files, refreshed only when the
// table's log has a newer version than the view was built from. Time travel
// (`AT (VERSION => n)`, `AT (TIMESTAMP => t)`), `delta_scan('path', ...)`,
// and table reads whose WHERE lets files be skipped are replaced by
// per-statement temporary views. Internal to src/sql.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/file_system.h"
#include "common/status.h"
#include "engine/engine.h"
#include "lake/lake.h"
#include "sql/table_refs.h"
#include "sql/warehouse.h"

namespace strata::sql {

// What one statement's preparation did; tests and EXPLAIN-like tooling read it.
struct ScanReport {
  std::string table;  // schema.table, or the delta_scan path
  int64_t version = 0;
  size_t files_total = 0;
  size_t files_scanned = 0;
};

class ReadResolver {
 public:
  // `warehouse` may be null (no project: only delta_scan is resolved). None
  // of the arguments is owned; all must outlive the resolver. One thread.
  ReadResolver(const Warehouse* warehouse, FileSystem& fs, engine::Connection& conn)
      : warehouse_(warehouse), fs_(fs), conn_(conn) {}

  ReadResolver(const ReadResolver&) = delete;
  ReadResolver& operator=(const ReadResolver&) = delete;

  // Returns `sql` rewritten so that DuckDB can run it, after creating or
  // refreshing the views it needs. With `skip_files`, SELECTs get file
  // skipping from their WHERE clauses. With `inline_scans`, pinned scans
  // become subqueries instead of temporary views, for statements that keep
  // the SQL (CREATE VIEW) beyond this statement. NotFound for time travel on
  // a missing table or version; InvalidArgument for malformed AT /
  // delta_scan; the lake error (with the table named) when a log cannot be
  // read.
  Result<std::string> Prepare(std::string_view sql, bool skip_files, bool inline_scans = false);

  // Drops the temporary views made for earlier statements. Call before a new
  // statement (not while a result of the previous one is still read).
  Status DropStatementViews();

  // Forgets the view of `schema.table` (after DROP TABLE) and drops it.
  Status ForgetTable(const std::string& schema, const std::string& table);

  // The scans the last Prepare planned with filters or time travel.
  const std::vector<ScanReport>& last_scans() const { return last_scans_; }

  // When `sql` names warehouse tables that do not exist, a sentence naming
  // them and listing their schemas' tables; empty otherwise.
  std::string MissingTablesHint(std::string_view sql) const;

 private:
  struct Snap {
    std::unique_ptr<lake::Snapshot> snapshot;
    std::string label;  // for messages and reports
  };

  // Creates or refreshes the view schema.table when its log moved on.
  Status EnsureLatestView(const std::string& schema, const std::string& table,
                          const std::string& path);
  // The snapshot a time-travel or delta_scan reference asks for.
  Result<Snap> LoadSnapshot(const TableRef& ref, const std::string& path, const std::string& label);
  // A temporary view over `snap` with `filters`: its name, or with
  // `inline_scan` the parenthesized scan itself; empty when
  // `only_if_skipping` and no file was skipped.
  Result<std::string> CreateStatementView(const Snap& snap,
                                          const std::vector<lake::ColumnPredicate>& filters,
                                          bool only_if_skipping, bool inline_scan);
  Result<int64_t> EvaluateVersion(const std::string& expression);
  Result<int64_t> EvaluateTimestampMillis(const std::string& expression);

  const Warehouse* warehouse_;
  FileSystem& fs_;
  engine::Connection& conn_;
  // "schema.table" -> (version, commit mtime) its view was built from.
  std::map<std::string, std::pair<int64_t, int64_t>> view_versions_;
  std::vector<std::string> statement_views_;
  std::vector<ScanReport> last_scans_;
  uint64_t next_view_ = 0;
};

// A delta_scan path without its file:// scheme. InvalidArgument for other
// schemes (s3://, ...), which this build cannot read.
Result<std::string> LocalTablePath(const std::string& path);

}  // namespace strata::sql
