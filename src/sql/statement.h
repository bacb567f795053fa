// Recognizes the DDL and DML statements that Strata routes to its Delta
// writer (CREATE TABLE, CTAS, INSERT, DELETE, UPDATE, MERGE, ALTER TABLE ADD
// COLUMN, DROP TABLE) or to warehouse views (CREATE VIEW, DROP VIEW). Every expression, query and
// type is kept as the text the user wrote and handed to DuckDB later, so the SQL dialect stays
// DuckDB's; this parser only finds the clauses. Anything else is kOther.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace strata::sql {

// A possibly qualified name: `orders`, `bronze.orders`, `wh.bronze.orders`.
struct QualifiedName {
  std::vector<std::string> parts;  // unquoted, as written
  std::string ToString() const;    // parts joined with '.', each quoted when needed
  const std::string& table() const { return parts.back(); }
  // The schema part, or empty when unqualified.
  std::string schema() const { return parts.size() >= 2 ? parts[parts.size() - 2] : ""; }
};

struct Assignment {
  std::string column;
  std::string expression;  // SQL text
};

struct MergeClause {
  enum class When { kMatched, kNotMatched, kNotMatchedBySource };
  enum class Action { kUpdate, kUpdateAll, kDelete, kInsert, kInsertAll, kDoNothing };
  When when = When::kMatched;
  std::string condition;                 // the AND condition; empty when none
  Action action = Action::kDoNothing;
  std::vector<Assignment> assignments;   // kUpdate
  std::vector<std::string> insert_columns;  // kInsert; empty: all, in order
  std::vector<std::string> insert_values;   // kInsert
};

struct Statement {
  enum class Kind {
    kOther,            // anything this parser does not route (SELECT, SET, ...)
    kCreateTable,      // CREATE TABLE t (columns) [PARTITIONED BY (...)]
    kCreateTableAs,    // CREATE TABLE t [PARTITIONED BY (...)] AS query
    kInsert,           // INSERT INTO t [(cols)] query
    kInsertOverwrite,  // INSERT OVERWRITE [TABLE] t query
    kDelete,
    kUpdate,
    kMerge,
    kAlterAddColumn,
    kDropTable,
    kCreateView,  // CREATE [OR REPLACE] VIEW [IF NOT EXISTS] v [(aliases)] AS query
    kDropView,    // DROP VIEW [IF EXISTS] v
  };
  Kind kind = Kind::kOther;
  QualifiedName target;
  std::string target_alias;  // UPDATE / DELETE / MERGE

  bool or_replace = false;     // CREATE OR REPLACE TABLE / VIEW
  bool if_not_exists = false;  // CREATE TABLE / VIEW / ADD COLUMN IF NOT EXISTS
  bool if_exists = false;      // DROP TABLE / VIEW IF EXISTS

  std::string column_definitions;           // CREATE TABLE: the text between the parentheses
  std::vector<std::string> partition_columns;
  std::vector<std::pair<std::string, std::string>> properties;  // TBLPROPERTIES ('k' = 'v')
  std::string comment;                      // CREATE TABLE ... COMMENT 'text'
  std::string query;                        // CTAS / INSERT / CREATE VIEW query, as SQL text
  std::vector<std::string> insert_columns;  // INSERT INTO t (a, b); CREATE VIEW v (a, b)
  std::string where;                        // DELETE / UPDATE predicate; empty: all rows
  std::vector<Assignment> assignments;      // UPDATE SET

  std::string merge_source;        // a table name or a parenthesized query
  std::string merge_source_alias;
  std::string merge_condition;     // ON ...
  std::vector<MergeClause> merge_clauses;

  std::string column_name;  // ALTER TABLE ADD COLUMN
  std::string column_type;  // the rest of the column definition
};

// Parses one statement (no trailing ';' needed). Statements that are not of
// the routed kinds come back as kOther without error, whatever they hold.
// InvalidArgument, naming what was expected and where, when a routed
// statement is malformed.
Result<Statement> ParseStatement(std::string_view sql);

// The table a data-changing statement writes to, found without parsing the
// rest: INSERT [OR ...] INTO, UPDATE, DELETE FROM, MERGE INTO, CREATE [OR
// REPLACE] TABLE|VIEW, ALTER TABLE|VIEW, DROP TABLE|VIEW, TRUNCATE [TABLE],
// COPY t FROM.
// nullopt for other statements. Lets callers tell statements on warehouse
// tables from DuckDB's own when ParseStatement fails or returns kOther.
std::optional<QualifiedName> FindStatementTarget(std::string_view sql);

// Quotes `name` as a SQL identifier when it is not a plain lowercase one.
std::string QuoteNameIfNeeded(const std::string& name);

}  // namespace strata::sql
