// Test helpers for the compiler: a DbtAdapter over a plain DuckDB connection
// (schemas and tables are DuckDB's own, not the warehouse's Delta tables), so
// compile tests run against a real database without the lake.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "transform/dbt_adapter.h"
#include "transform/dbt_compile.h"
#include "transform/dbt_testing.h"

namespace strata::transform::testing {

class DuckDbAdapter : public DbtAdapter {
 public:
  // A new connection to `db` (not owned; must outlive the adapter).
  explicit DuckDbAdapter(engine::Database& db) {
    auto conn = engine::Connection::Open(db);
    EXPECT_TRUE(conn.ok()) << conn.status().ToString();
    if (conn.ok()) conn_ = std::move(conn).value();
  }

  Result<std::optional<RelationInfo>> GetRelation(const std::string& database,
                                                  const std::string& schema,
                                                  const std::string& identifier) override {
    ++relation_lookups;
    STRATA_ASSIGN_OR_RETURN(
        QueryTable t,
        Execute("select table_type from information_schema.tables where lower(table_schema) = "
                "lower('" +
                    schema + "') and lower(table_name) = lower('" + identifier + "')",
                true));
    if (t.rows.empty()) return std::optional<RelationInfo>();
    RelationInfo info{database, schema, identifier,
                      t.rows[0][0].GetString() == "VIEW" ? RelationInfo::Kind::kView
                                                         : RelationInfo::Kind::kTable};
    return std::optional<RelationInfo>(info);
  }

  Result<std::vector<ColumnInfo>> GetColumns(const RelationInfo& relation) override {
    STRATA_ASSIGN_OR_RETURN(QueryTable t,
                            Execute("select column_name, data_type from information_schema.columns "
                                    "where lower(table_schema) = lower('" +
                                        relation.schema + "') and lower(table_name) = lower('" +
                                        relation.identifier + "') order by ordinal_position",
                                    true));
    if (t.rows.empty()) return Status::NotFound(relation.schema + "." + relation.identifier);
    std::vector<ColumnInfo> columns;
    for (const auto& row : t.rows) columns.push_back({row[0].GetString(), row[1].GetString()});
    return columns;
  }

  Result<QueryTable> Execute(const std::string& sql, bool fetch) override {
    executed.push_back(sql);
    STRATA_ASSIGN_OR_RETURN(auto result, conn_->Query(sql));
    QueryTable table;
    for (size_t i = 0; i < result->ColumnCount(); ++i) {
      table.column_names.push_back(result->ColumnName(i));
      table.column_types.push_back(result->ColumnType(i).ToString());
    }
    STRATA_ASSIGN_OR_RETURN(table.rows, result->FetchAllRows());
    table.rows_affected = result->RowsChanged();
    if (!fetch) table.rows.clear();
    return table;
  }

  Status CreateSchema(const std::string& schema) override {
    return conn_->Execute("create schema if not exists \"" + schema + "\"");
  }

  engine::Connection& connection() { return *conn_; }

  std::vector<std::string> executed;
  int relation_lookups = 0;

 private:
  std::unique_ptr<engine::Connection> conn_;
};

}  // namespace strata::transform::testing
