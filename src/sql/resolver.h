// ReadResolver: makes a statement's reads of Delta tables runnable on
// DuckDB. Warehouse tables read at their latest version become DuckDB views
// `schema.table` over the table's Parquet files, refreshed only when the
// table's log has a newer version than the view was built from. Warehouse
// views (definitions on disk) become DuckDB views `schema.view` over the
// same names, refreshed when their definition or a table they read changed. Time travel
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

// Catalog changes (views and schemas of the shared DuckDB catalog) made by
// SqlSessions on different connections of one database would fail with
// DuckDB's "write-write conflict" when they touch the same entry at the
// same time. They all go through this: one process-wide lock, and a retry
// when a conflict still happens (a writer outside Strata's sessions).
Status ExecuteCatalogChange(engine::Connection& conn, const std::string& sql);

class ReadResolver {
 public:
  // `warehouse` may be null (no project: only delta_scan is resolved).
  // `database_name` (empty: none) is the first part three-part names
  // `database.schema.table` may carry. None of the arguments is owned; all
  // must outlive the resolver. One thread; resolvers on other connections
  // of the same database may run concurrently.
  ReadResolver(const Warehouse* warehouse, FileSystem& fs, engine::Connection& conn,
               std::string database_name = {})
      : warehouse_(warehouse), fs_(fs), conn_(conn), database_name_(std::move(database_name)) {}

  ReadResolver(const ReadResolver&) = delete;
  ReadResolver& operator=(const ReadResolver&) = delete;

  // Returns `sql` rewritten so that DuckDB can run it, after creating or
  // refreshing the views it needs (tables at their latest version, and
  // warehouse views with everything they read, recursively). With
  // `skip_files`, SELECTs get file skipping from their WHERE clauses. With
  // `inline_scans`, pinned scans become subqueries instead of temporary
  // views, for statements that keep the SQL (CREATE VIEW) beyond this
  // statement. NotFound for time travel on a missing table or version;
  // InvalidArgument for malformed AT / delta_scan, time travel on a view,
  // a cycle of views or views nested too deep; the lake error (with the
  // table named) when a log cannot be read.
  Result<std::string> Prepare(std::string_view sql, bool skip_files, bool inline_scans = false);

  // The body of a view `schema.name` about to be created or replaced:
  // `sql` with its warehouse references resolved for a persistent view
  // (scans inlined, no file skipping). InvalidArgument when the body reads
  // `schema.name` itself, directly or through other views.
  Result<std::string> PrepareViewBody(const std::string& schema, const std::string& name,
                                      std::string_view sql);

  // Creates or refreshes the DuckDB view of warehouse view `schema.name`.
  Status RefreshView(const std::string& schema, const std::string& name);

  // Drops the temporary views made for earlier statements. Call before a new
  // statement (not while a result of the previous one is still read).
  Status DropStatementViews();

  // Forgets the DuckDB view of `schema.table` (after DROP TABLE or DROP
  // VIEW) and drops it.
  Status ForgetTable(const std::string& schema, const std::string& table);

  // The scans the last Prepare planned with filters or time travel.
  const std::vector<ScanReport>& last_scans() const { return last_scans_; }

  // When `sql` names warehouse tables or views that do not exist, a sentence
  // naming them and listing their schemas' tables and views; empty otherwise.
  std::string MissingTablesHint(std::string_view sql) const;

 private:
  struct Snap {
    std::unique_ptr<lake::Snapshot> snapshot;
    std::string label;  // for messages and reports
  };

  // Prepare's work; `chain` holds the views being resolved (outermost
  // first). With `signature` (a view body), appends what the body's result
  // depends on and resolves for persistence (inline scans, no skipping).
  Result<std::string> PrepareText(std::string_view sql, bool skip_files, bool inline_scans,
                                  std::vector<std::string>& chain, std::string* signature);
  // Creates or refreshes the view schema.table when its log moved on.
  // Returns the stamp "version.mtime" the view stands for.
  Result<std::string> EnsureLatestView(const std::string& schema, const std::string& table,
                                       const std::string& path);
  // Creates or refreshes the DuckDB view of warehouse view schema.name when
  // its definition or anything it reads changed. Returns its signature.
  Result<std::string> EnsureWarehouseView(const std::string& schema, const std::string& name,
                                          std::vector<std::string>& chain);
  // Drops a DuckDB view Strata made for a table or view that is no longer
  // in the warehouse (removed by another process).
  void DropStaleView(const std::string& schema, const std::string& name);
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
  // The comment Strata put on DuckDB view schema.name, empty when none.
  std::string CatalogStamp(const std::string& schema, const std::string& name);

  const Warehouse* warehouse_;
  FileSystem& fs_;
  engine::Connection& conn_;
  std::string database_name_;
  // "schema.name" -> the stamp or signature its DuckDB view was last seen
  // built from (by this resolver or, through the view's comment, another).
  std::map<std::string, std::string> built_;
  // "schema.name" -> stamp or signature, for what this statement ensured.
  std::map<std::string, std::string> ensured_;
  std::vector<std::string> statement_views_;
  std::vector<ScanReport> last_scans_;
  uint64_t next_view_ = 0;
};

// A delta_scan path without its file:// scheme. InvalidArgument for other
// schemes (s3://, ...), which this build cannot read.
Result<std::string> LocalTablePath(const std::string& path);

}  // namespace strata::sql
