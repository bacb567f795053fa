// Materialize: the dispatch on the node's kind, hooks, and the view, table
// and ephemeral materializations. Incremental models live in
// dbt_materialize_incremental.cc, tests in dbt_materialize_test_node.cc,
// seeds in dbt_seed.cc, snapshots in dbt_snapshot.cc.
#include "transform/dbt_materialize.h"

#include <algorithm>

#include "lake/lake.h"
#include "lake/maintenance.h"
#include "lake/writer.h"
#include "transform/dbt_materialize_internal.h"

namespace strata::transform {
namespace materialize_internal {

std::string Target::Quoted() const { return Quote(schema) + "." + Quote(identifier); }

std::string Quote(const std::string& identifier) { return engine::QuoteIdentifier(identifier); }

std::string JoinQuoted(const std::vector<std::string>& names, const std::string& prefix) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + prefix + Quote(n);
  return out;
}

nlohmann::json ConfigValue(const Node& node, const CompiledNode& compiled, const std::string& key) {
  auto it = compiled.config.find(key);
  if (it != compiled.config.end() && !it->is_null()) return *it;
  it = node.config.find(key);
  if (it != node.config.end()) return *it;
  return nullptr;
}

std::string ConfigString(const Node& node, const CompiledNode& compiled, const std::string& key,
                         const std::string& fallback) {
  nlohmann::json v = ConfigValue(node, compiled, key);
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return fallback;
  return v.dump();
}

bool ConfigBool(const Node& node, const CompiledNode& compiled, const std::string& key,
                bool fallback) {
  nlohmann::json v = ConfigValue(node, compiled, key);
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_string()) {
    std::string s = sql::Lowercase(v.get<std::string>());
    return s == "true" || s == "yes" || s == "1";
  }
  return fallback;
}

std::vector<std::string> ConfigStringList(const Node& node, const CompiledNode& compiled,
                                          const std::string& key) {
  nlohmann::json v = ConfigValue(node, compiled, key);
  std::vector<std::string> out;
  if (v.is_string()) {
    if (!v.get<std::string>().empty()) out.push_back(v.get<std::string>());
  } else if (v.is_array()) {
    for (const auto& e : v) {
      if (e.is_string()) out.push_back(e.get<std::string>());
    }
  }
  return out;
}

Target TargetOf(const Node& node, const CompiledNode& compiled) {
  Target t;
  t.schema = !compiled.schema.empty() ? compiled.schema : node.schema;
  t.identifier = !compiled.identifier.empty() ? compiled.identifier
                 : !node.alias.empty()        ? node.alias
                                              : node.name;
  return t;
}

Result<int64_t> Run(WarehouseAdapter& adapter, const std::string& sql) {
  STRATA_ASSIGN_OR_RETURN(QueryTable t, adapter.Execute(sql, /*fetch=*/false));
  return t.rows_affected;
}

Result<QueryTable> Fetch(WarehouseAdapter& adapter, const std::string& sql) {
  return adapter.Execute(sql, /*fetch=*/true);
}

Result<int64_t> FetchInt(WarehouseAdapter& adapter, const std::string& sql) {
  STRATA_ASSIGN_OR_RETURN(QueryTable t, Fetch(adapter, sql));
  if (t.rows.empty() || t.rows[0].empty() || t.rows[0][0].IsNull()) return int64_t{0};
  return t.rows[0][0].GetInt64();
}

Result<std::vector<ColumnInfo>> QueryColumns(WarehouseAdapter& adapter, const std::string& query) {
  STRATA_ASSIGN_OR_RETURN(QueryTable t,
                          Fetch(adapter, "DESCRIBE SELECT * FROM (" + query + ") AS __q"));
  std::vector<ColumnInfo> columns;
  for (const auto& row : t.rows) columns.push_back({row[0].GetString(), row[1].GetString()});
  return columns;
}

Status StageRows(WarehouseAdapter& adapter, const std::string& query) {
  STRATA_RETURN_IF_ERROR(DropStage(adapter));
  return Run(adapter, std::string("CREATE TEMP TABLE ") + kStageTable + " AS " + query).status();
}

Status DropStage(WarehouseAdapter& adapter) {
  return Run(adapter, std::string("DROP TABLE IF EXISTS temp.main.") + kStageTable).status();
}

const ColumnInfo* FindColumn(const std::vector<ColumnInfo>& columns, const std::string& name) {
  const std::string lower = sql::Lowercase(name);
  for (const ColumnInfo& c : columns) {
    if (sql::Lowercase(c.name) == lower) return &c;
  }
  return nullptr;
}

std::string SelectAsTarget(const std::vector<ColumnInfo>& target_columns,
                           const std::vector<ColumnInfo>& source_columns,
                           const std::string& source) {
  std::string select;
  for (const ColumnInfo& c : target_columns) {
    const ColumnInfo* s = FindColumn(source_columns, c.name);
    select += (select.empty() ? "" : ", ") + std::string("CAST(") +
              (s ? Quote(s->name) : std::string("NULL")) + " AS " + c.data_type + ") AS " +
              Quote(c.name);
  }
  return "SELECT " + select + " FROM " + source;
}

NodeOutcome Succeeded(const std::string& message, const std::string& code, int64_t rows) {
  NodeOutcome out;
  out.status = "success";
  out.message = message;
  out.rows_affected = rows;
  out.adapter_response = {{"_message", message}, {"code", code}, {"rows_affected", rows}};
  return out;
}

Result<int64_t> WriteTable(WarehouseAdapter& adapter, const Target& target,
                           const std::string& query) {
  STRATA_ASSIGN_OR_RETURN(auto existing, adapter.GetRelation("", target.schema, target.identifier));
  STRATA_RETURN_IF_ERROR(adapter.CreateSchema(target.schema));
  const bool is_table = existing && existing->kind == RelationInfo::Kind::kTable;
  if (existing && existing->kind == RelationInfo::Kind::kView) {
    // A warehouse name is a table or a view, never both: the view goes
    // first, once the select is known to bind, so a bad select leaves it.
    STRATA_RETURN_IF_ERROR(QueryColumns(adapter, query).status());
    STRATA_RETURN_IF_ERROR(Run(adapter, "DROP VIEW " + target.Quoted()).status());
  }
  return Run(adapter, std::string(is_table ? "CREATE OR REPLACE TABLE " : "CREATE TABLE ") +
                          target.Quoted() + " AS " + query);
}

Result<int64_t> DeleteThenInsert(WarehouseAdapter& adapter, const Target& target,
                                 const std::string& predicate, const std::string& query) {
  STRATA_ASSIGN_OR_RETURN(int64_t outside,
                          FetchInt(adapter, "SELECT count(*) FROM (" + query + ") AS __q WHERE (" +
                                                predicate + ") IS NOT TRUE"));
  if (outside == 0) {
    const sql::Warehouse* warehouse = adapter.session().warehouse();
    STRATA_ASSIGN_OR_RETURN(std::string path,
                            warehouse->TablePath(target.schema, target.identifier));
    STRATA_ASSIGN_OR_RETURN(
        auto writer, lake::TableWriter::Open(path, warehouse->fs(), adapter.session().connection(),
                                             adapter.writer_options()));
    lake::OverwriteOptions overwrite;
    overwrite.replace_where = predicate;
    adapter.NoteStatement("-- one Delta commit: overwrite of " + target.Quoted() +
                          " replacing the rows where " + predicate + " with\n" + query);
    STRATA_ASSIGN_OR_RETURN(lake::WriteResult r, writer->Overwrite(query, overwrite));
    return r.rows_inserted;
  }
  // Some new rows fall outside the predicate (NULL keys, rows outside a
  // batch window): dbt deletes and inserts anyway, so do it in two commits.
  STRATA_RETURN_IF_ERROR(
      Run(adapter, "DELETE FROM " + target.Quoted() + " WHERE " + predicate).status());
  return Run(adapter, "INSERT INTO " + target.Quoted() + " " + query);
}

namespace {

Status RunHooks(WarehouseAdapter& adapter, const std::vector<std::string>& hooks,
                const char* kind) {
  for (size_t i = 0; i < hooks.size(); ++i) {
    const std::string& hook = hooks[i];
    if (hook.find_first_not_of(" \t\r\n;") == std::string::npos) continue;
    auto ran = adapter.Execute(hook, /*fetch=*/false);
    if (!ran.ok()) {
      return ran.status().WithContext(std::string(kind) + " " + std::to_string(i + 1));
    }
  }
  return Status::OK();
}

// What the node's relation was before the materialization, so a failing
// post-hook can put it back (dbt runs post-hooks inside the model's
// transaction and rolls both back).
struct RelationBefore {
  Target target;
  enum class Kind { kNone, kTable, kView } kind = Kind::kNone;
  int64_t table_version = -1;
  sql::ViewDefinition view;
};

Result<RelationBefore> CaptureRelation(const Node& node, const CompiledNode& compiled,
                                       WarehouseAdapter& adapter) {
  RelationBefore before;
  before.target = TargetOf(node, compiled);
  const sql::Warehouse* warehouse = adapter.session().warehouse();
  const Target& t = before.target;
  if (!warehouse->HasSchema(t.schema)) return before;
  if (warehouse->TableExists(t.schema, t.identifier)) {
    STRATA_ASSIGN_OR_RETURN(std::string path, warehouse->TablePath(t.schema, t.identifier));
    STRATA_ASSIGN_OR_RETURN(
        auto table, lake::Table::Open(path, warehouse->fs(), &adapter.session().connection()));
    STRATA_ASSIGN_OR_RETURN(auto snapshot, table->Latest());
    before.kind = RelationBefore::Kind::kTable;
    before.table_version = snapshot->version();
  } else if (warehouse->ViewExists(t.schema, t.identifier)) {
    STRATA_ASSIGN_OR_RETURN(before.view, warehouse->ReadView(t.schema, t.identifier));
    before.kind = RelationBefore::Kind::kView;
  }
  return before;
}

// Puts the node's relation back as `before` described it; returns what was
// done, for the node's error message.
Result<std::string> RollBack(const RelationBefore& before, WarehouseAdapter& adapter,
                             const MaterializeOptions& options) {
  const sql::Warehouse* warehouse = adapter.session().warehouse();
  const Target& t = before.target;
  const bool table_now = warehouse->TableExists(t.schema, t.identifier);
  const bool view_now = warehouse->ViewExists(t.schema, t.identifier);
  switch (before.kind) {
    case RelationBefore::Kind::kNone:
      if (table_now) STRATA_RETURN_IF_ERROR(Run(adapter, "DROP TABLE " + t.Quoted()).status());
      if (view_now) STRATA_RETURN_IF_ERROR(Run(adapter, "DROP VIEW " + t.Quoted()).status());
      return std::string("the new relation was dropped");
    case RelationBefore::Kind::kTable: {
      if (!table_now) {
        return Status::Aborted("the table was replaced by a view and cannot be restored");
      }
      STRATA_ASSIGN_OR_RETURN(std::string path, warehouse->TablePath(t.schema, t.identifier));
      lake::RestoreOptions restore;
      restore.clock = options.clock;
      STRATA_ASSIGN_OR_RETURN(
          lake::RestoreResult restored,
          lake::RestoreToVersion(path, warehouse->fs(), adapter.session().connection(),
                                 before.table_version, restore));
      return "the table was restored to version " + std::to_string(before.table_version) +
             " (RESTORE commit, version " + std::to_string(restored.version) + ")";
    }
    case RelationBefore::Kind::kView: {
      if (table_now) STRATA_RETURN_IF_ERROR(Run(adapter, "DROP TABLE " + t.Quoted()).status());
      std::string aliases;
      for (const auto& a : before.view.column_aliases) {
        aliases += (aliases.empty() ? " (" : ", ") + Quote(a);
      }
      if (!aliases.empty()) aliases += ")";
      STRATA_RETURN_IF_ERROR(
          Run(adapter, "CREATE OR REPLACE VIEW " + t.Quoted() + aliases + " AS " + before.view.sql)
              .status());
      return std::string("the previous view definition was restored");
    }
  }
  return std::string();
}

Result<NodeOutcome> MaterializeView(const Node& node, const CompiledNode& compiled,
                                    WarehouseAdapter& adapter) {
  const Target target = TargetOf(node, compiled);
  STRATA_ASSIGN_OR_RETURN(auto existing, adapter.GetRelation("", target.schema, target.identifier));
  STRATA_RETURN_IF_ERROR(adapter.CreateSchema(target.schema));
  const bool replaces_table = existing && existing->kind == RelationInfo::Kind::kTable;
  if (replaces_table) {
    // A warehouse table and a view cannot share a name: the table goes
    // first. The view's select is checked before, so a bad select leaves
    // the table in place.
    STRATA_RETURN_IF_ERROR(QueryColumns(adapter, compiled.compiled_code).status());
    STRATA_RETURN_IF_ERROR(Run(adapter, "DROP TABLE " + target.Quoted()).status());
  }
  STRATA_RETURN_IF_ERROR(
      Run(adapter, "CREATE OR REPLACE VIEW " + target.Quoted() + " AS " + compiled.compiled_code)
          .status());
  return Succeeded("OK", "CREATE VIEW", -1);
}

Result<NodeOutcome> MaterializeTable(const Node& node, const CompiledNode& compiled,
                                     WarehouseAdapter& adapter) {
  STRATA_ASSIGN_OR_RETURN(int64_t rows,
                          WriteTable(adapter, TargetOf(node, compiled), compiled.compiled_code));
  return Succeeded("OK", "CREATE TABLE", rows);
}

Result<NodeOutcome> Dispatch(const Node& node, const CompiledNode& compiled,
                             WarehouseAdapter& adapter, const MaterializeOptions& options) {
  if (node.resource_type == "test") return RunDataTest(node, compiled, adapter, options);
  if (node.resource_type == "seed") return MaterializeSeed(node, compiled, adapter, options);
  if (node.resource_type == "snapshot") {
    return MaterializeSnapshot(node, compiled, adapter, options);
  }
  const std::string materialized = ConfigString(node, compiled, "materialized", "view");
  if (materialized == "view") return MaterializeView(node, compiled, adapter);
  if (materialized == "table") return MaterializeTable(node, compiled, adapter);
  if (materialized == "incremental") {
    return MaterializeIncremental(node, compiled, adapter, options);
  }
  return Status::NotSupported("materialization '" + materialized +
                              "' is not supported (Strata has view, table, incremental, "
                              "ephemeral, seed and snapshot; custom materializations are not run)");
}

}  // namespace
}  // namespace materialize_internal

Result<NodeOutcome> Materialize(const Node& node, const CompiledNode& compiled,
                                WarehouseAdapter& adapter, const MaterializeOptions& options) {
  using namespace materialize_internal;
  if (node.resource_type == "model" &&
      ConfigString(node, compiled, "materialized", "view") == "ephemeral") {
    NodeOutcome skipped;
    skipped.status = "success";
    skipped.message = "";  // dbt prints no line for an ephemeral model
    skipped.adapter_response = nlohmann::json::object();
    return skipped;
  }
  if (node.unsupported) {
    return Status::NotSupported(node.unique_id + ": " + node.unsupported_reason);
  }
  const bool is_test = node.resource_type == "test";
  auto outcome = [&]() -> Result<NodeOutcome> {
    if (!is_test) STRATA_RETURN_IF_ERROR(RunHooks(adapter, compiled.pre_hooks, "pre-hook"));
    std::optional<RelationBefore> before;
    if (!is_test && !compiled.post_hooks.empty()) {
      STRATA_ASSIGN_OR_RETURN(before, CaptureRelation(node, compiled, adapter));
    }
    STRATA_ASSIGN_OR_RETURN(NodeOutcome out, Dispatch(node, compiled, adapter, options));
    if (!is_test) {
      Status post = RunHooks(adapter, compiled.post_hooks, "post-hook");
      if (!post.ok() && before.has_value()) {
        // The node is an error and its relation is as before the run, as
        // dbt's rollback leaves it; other tables the hooks wrote stay.
        Result<std::string> rolled_back = RollBack(*before, adapter, options);
        return Status(
            post.code(),
            post.message() + "; " +
                (rolled_back.ok() ? *rolled_back
                                  : "rolling the model back failed, it holds the new result: " +
                                        rolled_back.status().message()));
      }
      STRATA_RETURN_IF_ERROR(post);
      STRATA_RETURN_IF_ERROR(
          RunHooks(adapter, compiled.post_hooks_after_commit, "post-hook (transaction: false)"));
    }
    return out;
  }();
  // The staged rows are this node's only: never leave them to the next.
  Status dropped = DropStage(adapter);
  if (!outcome.ok()) return outcome.status().WithContext(node.unique_id);
  if (!dropped.ok()) return dropped.WithContext(node.unique_id);
  return outcome;
}

}  // namespace strata::transform
