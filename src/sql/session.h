// The sql subsystem's public door: SQL over Delta tables on a DuckDB
// connection. A SqlSession takes statements in DuckDB's dialect and
//   - resolves reads of warehouse tables (`bronze.orders`), with time travel
//     (`AT (VERSION => 3)`, `AT (TIMESTAMP => ...)`) and `delta_scan('path',
//     version => n | timestamp => t)` for any Delta table, with file skipping
//     from simple WHERE predicates;
//   - routes DDL and DML on warehouse tables (CREATE TABLE [AS], INSERT
//     [OVERWRITE], UPDATE, DELETE, MERGE INTO, ALTER TABLE ADD COLUMN, DROP
//     TABLE) to the Delta writer, answering like DuckDB does (a `Count`);
//   - keeps warehouse views (CREATE [OR REPLACE] VIEW schema.v, DROP VIEW)
//     as definitions in the warehouse, so every Strata process sees them,
//     and resolves reads of them (views over views and tables);
//   - runs everything else on DuckDB unchanged.
//
//   STRATA_ASSIGN_OR_RETURN(auto wh, sql::Warehouse::Open(root, {"bronze"}, fs));
//   STRATA_ASSIGN_OR_RETURN(auto session, sql::SqlSession::Create(conn, wh.get(), fs));
//   STRATA_ASSIGN_OR_RETURN(auto result, session->Execute("select * from bronze.orders"));
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/file_system.h"
#include "common/status.h"
#include "engine/engine.h"
#include "lake/lake.h"
#include "sql/resolver.h"
#include "sql/statement.h"
#include "sql/warehouse.h"

namespace strata::sql {

struct SqlSessionOptions {
  lake::WriterOptions writer;  // clock (also view times), commit retries, checkpoints
  // The warehouse's database name, as dbt prints it in relation names
  // (`"jaffle_shop"."main"."orders"`): three-part names whose first part is
  // this (any case) name warehouse tables and views. Empty: none accepted.
  std::string database_name;
};

// One per engine connection; used by one thread at a time (it shares the
// connection's rules: a new statement ends the previous streaming result).
class SqlSession {
  struct PrivateTag {
    explicit PrivateTag() = default;
  };

 public:
  SqlSession(PrivateTag, engine::Connection& conn, const Warehouse* warehouse, FileSystem& fs,
             SqlSessionOptions options)
      : conn_(conn),
        warehouse_(warehouse),
        fs_(fs),
        options_(std::move(options)),
        resolver_(warehouse, fs, conn, options_.database_name) {}

  // A session on `conn` over `warehouse` (null: no warehouse, only delta_scan
  // and plain DuckDB SQL). Creates the DuckDB schemas named like the
  // warehouse's (schemas added to the warehouse later are created when first
  // read). Nothing is owned; all must outlive the session. Sessions on other
  // connections of the same database may run at the same time.
  static Result<std::unique_ptr<SqlSession>> Create(engine::Connection& conn,
                                                    const Warehouse* warehouse, FileSystem& fs,
                                                    SqlSessionOptions options = {});

  SqlSession(const SqlSession&) = delete;
  SqlSession& operator=(const SqlSession&) = delete;

  // Runs one statement (a trailing ';' is fine) and returns its result,
  // streaming for queries. Writes to warehouse tables return one row
  // `Count` BIGINT (rows inserted + updated + deleted), CREATE TABLE and
  // CREATE VIEW an empty `Count`, ALTER and DROP an empty `Success`. CREATE
  // VIEW binds the query first: a bad query is DuckDB's error and nothing is
  // written. Writing to a view, or DROP TABLE on a view (and the reverse),
  // is InvalidArgument. Errors: DuckDB's message for
  // DuckDB failures; the lake's for log or write failures (Conflict when a
  // concurrent commit won); NotSupported for statements warehouse tables do
  // not take (UPDATE ... FROM, ALTER TABLE ... RENAME, ...).
  Result<std::unique_ptr<engine::QueryResult>> Execute(std::string_view statement);

  // Runs the ';'-separated statements of `script` in order and returns the
  // last one's result; stops at the first error, prefixed with the
  // statement's number when there are several. InvalidArgument when the
  // script holds no statement.
  Result<std::unique_ptr<engine::QueryResult>> ExecuteScript(std::string_view script);

  // The scans with file skipping or time travel of the last statement.
  const std::vector<ScanReport>& last_scans() const { return resolver_.last_scans(); }
  const Warehouse* warehouse() const { return warehouse_; }
  engine::Connection& connection() { return conn_; }

 private:
  // True when `name` is `schema.table` with a warehouse schema.
  bool IsWarehouseName(const QualifiedName& name) const;
  Result<std::unique_ptr<engine::QueryResult>> RunOnDuckDb(std::string_view statement);
  Result<std::unique_ptr<engine::QueryResult>> RunWrite(const Statement& stmt);

  // Handlers in writes.cc.
  Result<std::unique_ptr<engine::QueryResult>> CreateTable(const Statement& stmt,
                                                           const std::string& path);
  Result<std::unique_ptr<engine::QueryResult>> Insert(const Statement& stmt,
                                                      const std::string& path);
  Result<std::unique_ptr<engine::QueryResult>> Merge(const Statement& stmt,
                                                     const std::string& path);
  Result<std::unique_ptr<engine::QueryResult>> AlterAddColumn(const Statement& stmt,
                                                              const std::string& path);
  // Handlers in views.cc.
  Result<std::unique_ptr<engine::QueryResult>> CreateView(const Statement& stmt);
  Result<std::unique_ptr<engine::QueryResult>> DropView(const Statement& stmt);
  // The Delta schema of DuckDB column definitions, NOT NULL kept.
  Result<lake::DataTypePtr> SchemaOfColumns(const std::string& definitions);
  // The table properties for a new table: TBLPROPERTIES, COMMENT, layer.
  lake::StringMap TableProperties(const Statement& stmt) const;
  // `text` (a predicate, expression or query of the statement) with its
  // reads of Delta tables resolved.
  Result<std::string> Resolve(const std::string& text, bool skip_files);
  Result<std::unique_ptr<engine::QueryResult>> CountResult(int64_t count);
  Result<std::unique_ptr<engine::QueryResult>> EmptyResult(const char* column, const char* type);

  engine::Connection& conn_;
  const Warehouse* warehouse_;
  FileSystem& fs_;
  SqlSessionOptions options_;
  ReadResolver resolver_;
};

}  // namespace strata::sql
