// The dbt context and compilation: renders a node's Jinja (a model, a
// snapshot's select, a singular or generic test, a hook, an analysis) into
// the SQL the materializations run, with dbt's context:
//   ref (packages, versions), source, config, var, env_var, this,
//   is_incremental, target, execute, run_query, statement / load_result,
//   adapter (dispatch, get_relation, get_columns_in_relation, quote, ...),
//   log, print, return, exceptions (raise_compiler_error, warn), graph, model,
//   invocation_id, run_started_at, flags, modules, zip, set, tojson, fromjson,
//   fromyaml/toyaml, doc, and the `dbt` namespace of dbt's built-in macros
//   (type_*, cast, concat, hash, date_trunc, dateadd, datediff, split_part,
//   listagg, current_timestamp, ...) that dbt_utils and similar packages call,
//   written for DuckDB's dialect.
//
// Ephemeral models are compiled too and inlined as CTEs named
// `__dbt__cte__<name>`, as dbt does.
//
//   CompileOptions options{.invocation_id = id, .run_started_at_micros = now};
//   STRATA_ASSIGN_OR_RETURN(auto compiler, DbtCompiler::Create(&project, &graph, options));
//   STRATA_ASSIGN_OR_RETURN(CompiledNode c, compiler->Compile(id, adapter, {}));
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/file_system.h"
#include "common/status.h"
#include "transform/dbt_adapter.h"
#include "transform/dbt_graph.h"
#include "transform/dbt_model.h"

namespace strata::transform {

struct CompileOptions {
  std::string invocation_id;          // a UUID; dbt's invocation_id
  int64_t run_started_at_micros = 0;  // dbt's run_started_at (UTC)
  bool full_refresh = false;          // --full-refresh: is_incremental() is false
  // False for parse/ls: `execute` is false and run_query/statement return
  // none, as at dbt's parse time.
  bool execute = true;
  // Environment lookup for env_var(); empty: the process environment.
  std::function<std::optional<std::string>(const std::string&)> env;
  Clock* clock = nullptr;  // modules.datetime; nullptr: Clock::Default()
  // The `flags` object's values (FULL_REFRESH, WHICH, ...), dbt's names.
  std::string which = "run";
  // dbt's `selected_resources`: the unique ids the command selected.
  std::vector<std::string> selected_resources;
  // Reads dbt_project.yml's `dispatch:` config; nullptr: FileSystem::Default().
  FileSystem* fs = nullptr;
};

// A microbatch window [start, end), microseconds since the epoch (UTC).
struct BatchWindow {
  int64_t start_micros = 0;
  int64_t end_micros = 0;
};

// Per-compilation state the runner decides.
struct CompileRequest {
  // For microbatch models: the batch being built. refs to models (and
  // sources) that configure `event_time` render as a subquery filtered to
  // the window, and `model.batch` is set, as dbt does.
  std::optional<BatchWindow> batch;
  // --empty: every ref() and source() renders as `(select * from <relation>
  // where false limit 0)`, so the node runs and builds its schema from no
  // rows. `this` and relations from adapter calls are not limited.
  bool empty = false;
};

struct CompiledNode {
  std::string unique_id;
  // The SQL to run: for models the select (ephemeral parents inlined as
  // CTEs), for snapshots the inner select, for tests the query returning
  // the failing rows (dbt's test SQL, `where` and `limit` applied), for
  // seeds empty.
  std::string compiled_code;
  // The node's config after `{{ config(...) }}` calls made while rendering
  // (rendered configs win over the loaded ones, as in dbt).
  nlohmann::json config = nlohmann::json::object();
  // The relation the node writes (models, seeds, snapshots; tests with
  // store_failures): schema and identifier as the warehouse names them;
  // relation_name is dbt's quoted rendering, e.g. "db"."main"."orders".
  std::string schema, identifier, relation_name;
  // What rendering called: refs / sources (resolved to unique ids) and macros.
  std::vector<std::string> depends_on_nodes;
  std::vector<std::string> depends_on_macros;
  // The rendered pre- and post-hooks, in order. A failing post-hook rolls
  // the node's relation back; post-hooks configured `transaction: false`
  // are in post_hooks_after_commit and run after that point, as in dbt.
  std::vector<std::string> pre_hooks, post_hooks;
  std::vector<std::string> post_hooks_after_commit;
  // Whether is_incremental() was true when the model was rendered.
  bool is_incremental = false;
  // Lines the node's log() / print() calls wrote.
  std::vector<std::string> logs;
};

class DbtCompiler {
 public:
  // Builds the Jinja environment of `project`: Strata's built-in dbt macros,
  // then the macros of every package (the root project's win, then
  // `dispatch` search order), the context globals. The project and graph are
  // not owned and must outlive the compiler. A macro block that does not
  // parse does not fail Create: calling it fails the calling node with the
  // block's "file:line:col: ..." error, so independent nodes still compile.
  // See docs/transform/CONTEXT.md for the context.
  static Result<std::unique_ptr<DbtCompiler>> Create(const DbtProject* project,
                                                     const DbtGraph* graph, CompileOptions options);
  virtual ~DbtCompiler() = default;

  // Renders the node `unique_id` (model, snapshot, test, analysis) in dbt's
  // context, asking `adapter` what exists. Seeds compile to empty code.
  // Errors: InvalidArgument "file:line:col: message" for template errors,
  // unknown refs/sources and raise_compiler_error; the adapter's error for a
  // failed run_query. Thread-safe: many nodes may compile at once, each with
  // its own adapter.
  virtual Result<CompiledNode> Compile(const std::string& unique_id, DbtAdapter& adapter,
                                       const CompileRequest& request) = 0;

  // Renders a hook or an on-run-start/end statement. `node` is the node the
  // hook belongs to (null for on-run-*). Thread-safe.
  virtual Result<std::string> RenderHook(const std::string& sql, const Node* node,
                                         DbtAdapter& adapter) = 0;
  // RenderHook with extra context values (a JSON object), e.g. on-run-end's
  // `schemas`, `database_schemas` and `results` as dbt provides them.
  // Thread-safe.
  virtual Result<std::string> RenderHookWith(const std::string& sql, const Node* node,
                                             DbtAdapter& adapter,
                                             const nlohmann::json& extra_context) = 0;

  // dbt's relation name of a node ("database"."schema"."alias"); empty for
  // ephemeral models, analyses and tests without store_failures.
  virtual std::string RelationName(const Node& node) const = 0;
};

}  // namespace strata::transform
