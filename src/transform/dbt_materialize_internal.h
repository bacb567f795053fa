// Helpers shared by the materializations (dbt_materialize*.cc, dbt_seed.cc,
// dbt_snapshot.cc). Internal to the transform subsystem.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "transform/dbt_materialize.h"

namespace strata::transform::materialize_internal {

// The relation a node writes, with its SQL spelling `"schema"."identifier"`.
struct Target {
  std::string schema;
  std::string identifier;
  std::string Quoted() const;
};

// The node's config value `key`: the rendered config (compiled.config) wins
// over the loaded one (node.config); null when neither has it.
nlohmann::json ConfigValue(const Node& node, const CompiledNode& compiled, const std::string& key);
std::string ConfigString(const Node& node, const CompiledNode& compiled, const std::string& key,
                         const std::string& fallback = "");
bool ConfigBool(const Node& node, const CompiledNode& compiled, const std::string& key,
                bool fallback = false);
// A config that may be one string or a list of strings (unique_key,
// check_cols, merge_update_columns, ...); empty when absent.
std::vector<std::string> ConfigStringList(const Node& node, const CompiledNode& compiled,
                                          const std::string& key);

// Where the node writes: compiled.schema/identifier, else the node's.
Target TargetOf(const Node& node, const CompiledNode& compiled);

// Runs statements through the adapter; rows_affected of the last one.
Result<int64_t> Run(WarehouseAdapter& adapter, const std::string& sql);
// Runs a query and returns its rows.
Result<QueryTable> Fetch(WarehouseAdapter& adapter, const std::string& sql);
// The first column of the first row as an integer (0 when NULL or absent).
Result<int64_t> FetchInt(WarehouseAdapter& adapter, const std::string& sql);

// The columns a query returns (DuckDB's DESCRIBE), through the session so
// warehouse names resolve.
Result<std::vector<ColumnInfo>> QueryColumns(WarehouseAdapter& adapter, const std::string& query);

// The temp table the new rows of a node are staged in (one per adapter:
// one node at a time), and its creation from `query` (run once).
inline constexpr const char* kStageTable = "__strata_dbt_stage";
Status StageRows(WarehouseAdapter& adapter, const std::string& query);
Status DropStage(WarehouseAdapter& adapter);

// Creates or replaces `target` as a table holding `query`'s rows: one
// commit (CREATE OR REPLACE) when a table is there; a view of that name is
// dropped after the table is written. Returns the rows written.
Result<int64_t> WriteTable(WarehouseAdapter& adapter, const Target& target,
                           const std::string& query);

// Deletes the rows of `target` where `predicate` holds and appends the rows
// of `query` (whose columns are the target's, in order): one commit
// (lake overwrite with replaceWhere) when every new row satisfies the
// predicate; otherwise a DELETE commit then an INSERT commit.
Result<int64_t> DeleteThenInsert(WarehouseAdapter& adapter, const Target& target,
                                 const std::string& predicate, const std::string& query);

// `SELECT <target's columns, cast to their types, NULL when the source lacks
// them> FROM <source>`: rows shaped for the target table.
std::string SelectAsTarget(const std::vector<ColumnInfo>& target_columns,
                           const std::vector<ColumnInfo>& source_columns,
                           const std::string& source);

// Case-insensitive lookup of a column by name; nullptr when absent.
const ColumnInfo* FindColumn(const std::vector<ColumnInfo>& columns, const std::string& name);
std::string Quote(const std::string& identifier);
std::string JoinQuoted(const std::vector<std::string>& names, const std::string& prefix = "");

NodeOutcome Succeeded(const std::string& message, const std::string& code, int64_t rows);

Result<NodeOutcome> MaterializeIncremental(const Node& node, const CompiledNode& compiled,
                                           WarehouseAdapter& adapter,
                                           const MaterializeOptions& options);
Result<NodeOutcome> MaterializeSeed(const Node& node, const CompiledNode& compiled,
                                    WarehouseAdapter& adapter, const MaterializeOptions& options);
Result<NodeOutcome> MaterializeSnapshot(const Node& node, const CompiledNode& compiled,
                                        WarehouseAdapter& adapter,
                                        const MaterializeOptions& options);
Result<NodeOutcome> RunDataTest(const Node& node, const CompiledNode& compiled,
                                WarehouseAdapter& adapter, const MaterializeOptions& options);

}  // namespace strata::transform::materialize_internal
