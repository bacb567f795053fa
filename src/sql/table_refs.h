// Finds, in the text of any statement, the places that read Delta tables:
// warehouse tables named `schema.table` (optionally with DuckDB's time
// travel clause `AT (VERSION => n)` / `AT (TIMESTAMP => expr)`) and calls
// of `delta_scan('path' [, version => n | timestamp => expr])`. Works on
// tokens, so it sees references in any statement kind (SELECT, COPY,
// CREATE VIEW, INSERT into DuckDB tables...), and rewrites them by span so
// the rest of the user's text is kept verbatim. Internal to src/sql.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace strata::sql {

struct TableRef {
  enum class Kind { kWarehouse, kDeltaScan };
  enum class Travel { kLatest, kVersion, kTimestamp };

  Kind kind = Kind::kWarehouse;
  size_t begin = 0;  // the name `[database.]schema.table`, or the whole `delta_scan(...)` call
  size_t end = 0;
  std::string database;  // kWarehouse written with three parts: the first, as written
  std::string schema;    // kWarehouse, as written
  std::string table;
  std::string path;  // kDeltaScan: the path literal's value

  Travel travel = Travel::kLatest;
  std::string travel_expression;  // SQL text of n / expr
  size_t at_begin = 0;            // the `AT (...)` clause, removed on rewrite; empty span if none
  size_t at_end = 0;

  bool has_alias = false;  // an alias follows the reference
  // True when `schema.table.column` appears in the statement: replacing the
  // table with a view would break such column names.
  bool qualified_columns = false;
};

// The references in `sql`. `is_warehouse_schema` says which first name parts
// are warehouse schemas (any case). With a `database_name`, three-part names
// `database.schema.table` whose first part is it (any case) are references
// too (dbt writes relations that way). InvalidArgument for an unterminated
// quote, a delta_scan without a string literal path or with an unknown
// named argument, or a malformed AT clause.
Result<std::vector<TableRef>> FindTableRefs(
    std::string_view sql, const std::function<bool(std::string_view)>& is_warehouse_schema,
    std::string_view database_name = {});

// `sql` with each reference in `replacements` (index into `refs` -> a view
// name) replaced by that view: the name or call span becomes the view, the
// AT clause is removed, and an alias (the table name, or `delta_scan`) is
// added when the user gave none, so qualified column names still resolve.
std::string RewriteTableRefs(std::string_view sql, const std::vector<TableRef>& refs,
                             const std::map<size_t, std::string>& replacements);

// `text` without the qualifiers `name.` (name in `names`, lowercase) and
// `schema.name.` in front of column names: the writer evaluates DELETE and
// UPDATE predicates over the table's rows under a name of its own.
std::string StripQualifiers(std::string_view text, const std::vector<std::string>& names,
                            const std::string& schema);

// Splits a script into statements at top-level semicolons (quotes, comments
// and dollar strings respected); empty statements are dropped.
Result<std::vector<std::string>> SplitSqlStatements(std::string_view script);

}  // namespace strata::sql
