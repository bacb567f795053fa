// What dbt code may ask of the database while it renders or runs: does a
// relation exist, what are its columns, run this SQL. dbt calls this "the
// adapter"; models reach it through `adapter.get_relation(...)`,
// `adapter.get_columns_in_relation(...)`, `run_query(...)`, `{% call
// statement(...) %}` and `is_incremental()`.
//
// The compiler (dbt_compile.h) renders against this interface only, so it can
// be tested with a fake. The runner gives each worker thread one
// `WarehouseAdapter` (dbt_materialize.h) over its own engine connection and
// the warehouse's Delta tables and views.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/value.h"

namespace strata::transform {

// A relation in the warehouse: `schema.identifier`. `database` is what dbt
// prints in relation names (the profile's database); Strata's warehouse has a
// single database, so lookups ignore it.
struct RelationInfo {
  enum class Kind { kTable, kView };
  std::string database;
  std::string schema;
  std::string identifier;
  Kind kind = Kind::kTable;
};

struct ColumnInfo {
  std::string name;
  std::string data_type;  // DuckDB's spelling: INTEGER, VARCHAR, DECIMAL(18,3), ...
};

// The rows of a query, as run_query / load_result hand them to Jinja (dbt's
// agate table: `table.columns[0].values()`, `table.rows`, `table[0][0]`).
struct QueryTable {
  std::vector<std::string> column_names;
  std::vector<std::string> column_types;  // DuckDB type names
  std::vector<std::vector<engine::Value>> rows;
  int64_t rows_affected = -1;  // for writes: the Count DuckDB/Strata reported; -1 unknown
};

class DbtAdapter {
 public:
  virtual ~DbtAdapter() = default;

  // The table or view `schema.identifier` (case-insensitive), or nullopt when
  // there is none. Errors only for an unreadable warehouse.
  virtual Result<std::optional<RelationInfo>> GetRelation(const std::string& database,
                                                          const std::string& schema,
                                                          const std::string& identifier) = 0;

  // The columns of an existing relation, in order. NotFound when it does not
  // exist.
  virtual Result<std::vector<ColumnInfo>> GetColumns(const RelationInfo& relation) = 0;

  // Runs one or more ';'-separated statements of DuckDB SQL in which
  // warehouse names (`schema.table`) resolve to Delta tables and views, and
  // writes to them commit through the lake. With `fetch`, returns the last
  // statement's rows; otherwise only rows_affected. The error is the
  // engine's message.
  virtual Result<QueryTable> Execute(const std::string& sql, bool fetch) = 0;

  // Makes sure `schema` exists in the warehouse (dbt's create_schema).
  virtual Status CreateSchema(const std::string& schema) = 0;

  // The tables and views whose schema and name match the SQL LIKE patterns
  // (`%`, `_`; case-insensitive), sorted by schema then name, leaving out
  // names matching `exclude` (a LIKE pattern; empty: none). The default
  // (adapters without a listing) is NotSupported.
  virtual Result<std::vector<RelationInfo>> ListRelations(const std::string& schema_pattern,
                                                          const std::string& table_pattern,
                                                          const std::string& exclude) {
    return Status::NotSupported("this adapter cannot list relations");
  }

  // Renames the table or view `from` to `to` (dbt's rename_relation).
  // NotFound when `from` does not exist, AlreadyExists when `to` does. The
  // default is NotSupported.
  virtual Status RenameRelation(const RelationInfo& from, const RelationInfo& to) {
    return Status::NotSupported("this adapter cannot rename relations");
  }
};

// SQL LIKE: `%` any run of characters, `_` one character, case-insensitive
// (ASCII), no escape character.
bool SqlLikeMatch(std::string_view pattern, std::string_view text);

}  // namespace strata::transform
