// Internal to the dbt compiler (dbt_compile*.cc, dbt_context*.cc): the
// compiler's shared state, one render's state, and the Jinja values dbt code
// sees (relations, agate tables, columns). Not part of the subsystem's door.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "transform/dbt_adapter.h"
#include "transform/dbt_compile.h"
#include "transform/dbt_graph.h"
#include "transform/dbt_model.h"
#include "transform/jinja.h"

namespace strata::transform::internal {

// ---- Values --------------------------------------------------------------

// JSON (objects in key order) to a Jinja value and back. ValueToJsonData fails
// for callables, objects other than relations, and Undefined.
Value JsonToValue(const nlohmann::json& j);
Result<nlohmann::json> ValueToJsonData(const Value& v);
// A cell of a query result as agate would hand it to Jinja: None, bool, int,
// float (decimals too) or str.
Value EngineValueToJinja(const engine::Value& v);

// A dbt Relation: `"schema"."identifier"` when printed (the database is
// left out unless include(database=True) asks for it); ephemeral CTEs print
// their bare name; a microbatch filter prints as a filtered subquery.
struct RelationParts {
  std::string database, schema, identifier;
  std::string type;  // table|view|cte|"" (unknown)
  bool include_database = false;
  bool include_schema = true;
  bool include_identifier = true;
  // Microbatch: `(select * from <rel> where <event_time_filter>)` when set.
  std::string event_time_filter;
  // --empty: `(select * from <rel> where false limit 0)` (after the
  // microbatch filter when both apply).
  bool limit_zero = false;
  std::string Render() const;
};
Value MakeRelation(RelationParts parts);
// The parts of a relation Value, or nullptr when `v` is not a relation.
const RelationParts* AsRelation(const Value& v);

// An agate-like table (run_query, load_result(...).table).
Value MakeAgateTable(const QueryTable& table);
// A dbt Column (adapter.get_columns_in_relation).
Value MakeColumn(const std::string& name, const std::string& data_type);

// Double-quotes an identifier as DuckDB does ("" for an embedded quote).
std::string QuoteIdentifier(std::string_view name);

// ---- The compiler's shared state -------------------------------------------

// Built once by DbtCompiler::Create; read by every render (any thread). The
// mutable caches are guarded by `mutex`.
struct CompilerCore {
  const DbtProject* project = nullptr;
  const DbtGraph* graph = nullptr;
  CompileOptions options;
  std::unique_ptr<Environment> env;
  std::string database;  // the profile target's database
  std::string target_schema;

  // Macros by package ("dbt" for Strata's built-ins), by name.
  std::map<std::string, std::map<std::string, Value>> package_macros;
  // Names the root project defines as macros (they beat context functions
  // of the same name, e.g. a project's own `ref` macro).
  std::set<std::string> root_macro_names;
  // dbt_project.yml `dispatch:` of the root: namespace -> search order.
  std::map<std::string, std::vector<std::string>> dispatch_search_order;
  // generate_schema_name / generate_alias_name / generate_database_name are
  // overridden by a project macro: node names come from rendering them.
  bool custom_naming = false;

  // Refable nodes by (package, name); sources by (source, table).
  std::map<std::pair<std::string, std::string>, std::vector<const Node*>> refable;
  std::map<std::pair<std::string, std::string>, const Node*> sources;
  // vars per package as Jinja values (immutable after Create).
  std::map<std::string, nlohmann::json> vars;

  mutable std::mutex mutex;
  std::unordered_map<std::string, std::shared_ptr<const Template>> templates;
  std::unordered_map<std::string, std::pair<std::string, std::string>>
      names;  // id -> schema, alias
  std::once_flag graph_once;
  Value graph_value;
};

// ---- One render ------------------------------------------------------------

struct EphemeralCte {
  std::string id;
  std::string name;  // __dbt__cte__<name>
  std::string sql;   // compiled, without its own CTEs (they precede it)
};

struct RenderState {
  CompilerCore* core = nullptr;
  const Node* node = nullptr;  // null for on-run-start/end
  DbtAdapter* adapter = nullptr;
  CompileRequest request;
  nlohmann::json config = nlohmann::json::object();
  // is_incremental(), decided on first use (the rendered config() may make
  // the model incremental) and cached for the render.
  std::optional<bool> is_incremental;
  std::vector<std::string> depends_on_nodes;
  std::vector<std::string> depends_on_macros;
  std::vector<EphemeralCte> ctes;
  std::vector<std::string> ephemeral_stack;  // ids being compiled (cycle guard)
  std::map<std::string, Value> statement_results;
  std::vector<std::string> logs;
  // Rendering generate_schema_name & co for the node: no `this` or `model`
  // (they need the names being computed).
  bool for_naming = false;

  void AddDependency(const std::string& id);
};

// Fills `context` with the per-render dbt context (ref, source, config, this,
// is_incremental, model, adapter, run_query, statement results, log, ...).
Status BuildRenderContext(const std::shared_ptr<RenderState>& state, Dict* context);

// Registers the context values every render shares (target, var helpers,
// env_var, flags, exceptions, api, graph, modules extras) as globals.
void RegisterCompilerGlobals(CompilerCore* core);

// Compiles an ephemeral model for `state` (its own CTEs first) and returns
// its CTE name. InvalidArgument on a cycle of ephemerals.
Result<std::string> CompileEphemeralInto(RenderState* state, const Node& ephemeral);

// The schema and alias a node writes, after generate_schema_name and
// generate_alias_name (the project's own, when it overrides them).
Result<std::pair<std::string, std::string>> NodeNames(CompilerCore* core, const Node& node);

// The relation of `node` as `ref()` hands it out (no ephemeral handling).
Result<Value> NodeRelation(CompilerCore* core, const Node& node);

// Resolves ref(package?, name, version?) from `from`'s package; nullptr when
// there is none.
const Node* FindRefTarget(const CompilerCore& core, const Node* from, const std::string& package,
                          const std::string& name, const std::string& version);

// Strata's built-in dbt macros (Jinja source, DuckDB dialect).
std::string_view BuiltinMacrosSource();

// `dbt`'s search for adapter.dispatch(macro_name, macro_namespace): the macro
// or NotFound listing what was searched. `package` is the calling node's.
Result<Value> Dispatch(const CompilerCore& core, const std::string& package,
                       const std::string& macro_name, const std::string& macro_namespace);

// Finds macro `name` as a node of `package` sees it (the package, the root,
// Strata's built-ins); Undefined when there is none.
Value LookupMacro(const CompilerCore& core, const std::string& package, const std::string& name);

// dbt's is_incremental() for the node being rendered: materialized
// incremental (after config() calls so far), the relation exists as a table,
// and no full refresh. Cached in state->is_incremental.
Result<bool> IsIncremental(RenderState* state);

// Renders `state->node`'s code in its context (ephemeral parents collected
// in state->ctes, not yet injected).
Result<std::string> RenderNodeSql(const std::shared_ptr<RenderState>& state);

// Injects ephemeral CTEs into `sql` as dbt does: after a leading `with`, or
// as a new `with` before the first token.
std::string InjectCtes(const std::string& sql, const std::vector<EphemeralCte>& ctes);

}  // namespace strata::transform::internal
