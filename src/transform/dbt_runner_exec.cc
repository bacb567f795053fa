// build|run|test|seed|snapshot|compile: the worker threads, one node at a
// time through DbtCompiler::Compile and Materialize, the on-run hooks, the
// summary and the artifacts.
#include <algorithm>
#include <atomic>
#include <cctype>
#include <thread>

#include "project/project.h"
#include "transform/dbt_compile.h"
#include "transform/dbt_materialize.h"
#include "transform/dbt_runner_internal.h"
#include "transform/dbt_runner_microbatch.h"

namespace strata::transform::internal {
namespace {

using json = nlohmann::json;

const std::set<std::string> kSupportedMaterializations = {"view", "table", "incremental",
                                                          "ephemeral"};

double Seconds(int64_t from_micros, int64_t to_micros) {
  return static_cast<double>(to_micros - from_micros) / 1e6;
}

// Everything the workers share while a command runs.
struct RunState {
  CommandContext* ctx = nullptr;
  DbtCompiler* compiler = nullptr;
  engine::Database* database = nullptr;
  const sql::Warehouse* warehouse = nullptr;
  RunSchedule* schedule = nullptr;
  int total = 0;
  bool execute = true;  // false for `compile`
  std::atomic<int> next_index{0};
  std::atomic<bool> failed{false};

  std::mutex mu;  // guards everything below
  std::vector<RunResult> results;
  std::vector<DbtNodeReport> reports;
  std::map<std::string, std::string> compiled_code;  // for `compile` of one node
};

bool IsFailure(const std::string& status) {
  return status == "error" || status == "fail" || status == "runtime error";
}

std::string ErrorVerb(const Node& node) {
  if (node.resource_type == "seed") return "ERROR loading ";
  if (node.resource_type == "snapshot") return "ERROR snapshotting ";
  if (node.resource_type == "test") return "ERROR ";
  return "ERROR creating ";
}

std::string OkVerb(const Node& node) {
  if (node.resource_type == "seed") return "OK loaded ";
  if (node.resource_type == "snapshot") return "OK snapshotted ";
  return "OK created ";
}

// The line and run result of one finished (or skipped) node.
void Record(RunState& state, const Node& node, RunResult result, int index, int64_t started_micros,
            int64_t completed_micros) {
  const std::string materialized = MaterializedOf(node.config);
  const std::string description = NodeDescription(node, materialized, node.schema, node.alias);
  const double seconds = Seconds(started_micros, completed_micros);
  result.execution_time = result.status == "skipped" ? 0 : seconds;
  if (state.execute || result.status != "success") {
    std::string line;
    const std::string failures =
        result.failures.has_value() ? std::to_string(*result.failures) : std::string("0");
    if (result.status == "skipped") {
      std::string what = node.IsTest() ? description : "relation " + node.schema + "." + node.alias;
      if (node.unsupported) what = "unsupported " + node.language + " model " + node.name;
      line = FancyLine(index, state.total, "SKIP " + what, "SKIP", std::nullopt);
    } else if (result.status == "pass") {
      line = FancyLine(index, state.total, "PASS " + node.name, "PASS", seconds);
    } else if (result.status == "fail" || result.status == "warn") {
      const std::string word = result.status == "fail" ? "FAIL" : "WARN";
      line = FancyLine(index, state.total, word + " " + failures + " " + node.name,
                       word + " " + failures, seconds);
    } else if (IsFailure(result.status)) {
      line = FancyLine(index, state.total, ErrorVerb(node) + description, "ERROR", seconds);
    } else {
      line = FancyLine(index, state.total, OkVerb(node) + description,
                       result.message.empty() ? "OK" : result.message, seconds);
    }
    if (IsFailure(result.status)) {
      state.ctx->printer->Always(line);
    } else {
      state.ctx->printer->Info(line);
    }
  }
  DbtNodeReport report;
  report.unique_id = result.unique_id;
  report.status = result.status;
  report.message = result.message;
  report.thread_id = result.thread_id;
  report.started_at_micros = started_micros;
  report.completed_at_micros = completed_micros;
  report.failures = result.failures;
  std::lock_guard<std::mutex> lock(state.mu);
  state.results.push_back(std::move(result));
  state.reports.push_back(std::move(report));
}

void RecordSkipped(RunState& state, const std::vector<std::string>& ids, const std::string& why,
                   const std::string& thread_id) {
  const int64_t now = state.ctx->clock->NowMicros();
  for (const auto& id : ids) {
    const Node* node = state.ctx->project->FindNode(id);
    if (node == nullptr) continue;
    RunResult r;
    r.unique_id = id;
    r.status = "skipped";
    r.message = why;
    r.thread_id = thread_id;
    Record(state, *node, std::move(r), ++state.next_index, now, now);
  }
}

Status WriteCompiled(const CommandContext& ctx, const Node& node, const std::string& code) {
  if (code.empty()) return Status::OK();
  const std::string path = CompiledPath(ctx, node, "compiled");
  STRATA_RETURN_IF_ERROR(ctx.fs->CreateDirectories(std::string(DirName(path))));
  return ctx.fs->WriteFileAtomic(path, code);
}

// target/run/<package>/<path>: the statements run for the node, each ending
// with ';' as dbt's run files do.
Status WriteRunSql(const CommandContext& ctx, const Node& node,
                   const std::vector<std::string>& statements) {
  if (statements.empty()) return Status::OK();
  std::string text;
  for (const auto& sql : statements) {
    std::string trimmed = sql;
    while (!trimmed.empty() &&
           (std::isspace(static_cast<unsigned char>(trimmed.back())) || trimmed.back() == ';')) {
      trimmed.pop_back();
    }
    const bool note = trimmed.rfind("--", 0) == 0 && trimmed.find('\n') == std::string::npos;
    text += (text.empty() ? "" : "\n\n") + trimmed + (note ? "" : ";");
  }
  const std::string path = CompiledPath(ctx, node, "run");
  STRATA_RETURN_IF_ERROR(ctx.fs->CreateDirectories(std::string(DirName(path))));
  return ctx.fs->WriteFileAtomic(path, text + "\n");
}

// Compiles and materializes one node: a microbatch model once per batch.
Result<NodeOutcome> Execute(RunState& state, const Node& node, WarehouseAdapter& adapter,
                            RunResult* result) {
  CommandContext& ctx = *state.ctx;
  const int64_t compile_start = ctx.clock->NowMicros();
  CompileRequest request;
  request.empty = ctx.options->empty;
  STRATA_ASSIGN_OR_RETURN(CompiledNode compiled,
                          state.compiler->Compile(node.unique_id, adapter, request));
  result->compiled = true;
  result->compiled_code = compiled.compiled_code;
  result->relation_name = compiled.relation_name;
  result->timing.push_back({"compile", compile_start, ctx.clock->NowMicros()});
  STRATA_RETURN_IF_ERROR(WriteCompiled(ctx, node, compiled.compiled_code));
  for (const auto& line : compiled.logs) ctx.printer->Info(line);
  // generate_schema_name (or a snapshot's target_schema) may name a schema
  // the warehouse was not opened with.
  const bool writes_relation =
      !node.IsTest() || ctx.options->store_failures ||
      (compiled.config.is_object() && compiled.config.value("store_failures", json()) == true);
  if (state.execute && writes_relation && !compiled.schema.empty()) {
    STRATA_RETURN_IF_ERROR(state.warehouse->AddSchema(compiled.schema));
  }
  if (!state.execute) {
    std::lock_guard<std::mutex> lock(state.mu);
    state.compiled_code[node.unique_id] = compiled.compiled_code;
    NodeOutcome ok;
    ok.status = "success";
    ok.message = "OK";
    return ok;
  }

  MaterializeOptions options;
  options.full_refresh = ctx.options->full_refresh;
  options.clock = ctx.clock;
  options.invocation_id = ctx.metadata.invocation_id;
  options.store_failures = ctx.options->store_failures;
  const int64_t execute_start = ctx.clock->NowMicros();
  // target/run/: every statement the materialization executes, written
  // even when it fails (that is when it is read).
  std::vector<std::string> executed;
  adapter.RecordStatements(&executed);
  Result<NodeOutcome> materialized = [&]() -> Result<NodeOutcome> {
    NodeOutcome outcome;
    const json& config =
        compiled.config.is_object() && !compiled.config.empty() ? compiled.config : node.config;
    // incremental_strategy may be present and null (dbt's default config): value() would throw.
    const json strategy =
        config.is_object() ? config.value("incremental_strategy", json()) : json();
    if (node.resource_type == "model" && strategy.is_string() && strategy == "microbatch") {
      STRATA_ASSIGN_OR_RETURN(
          std::vector<BatchWindow> batches,
          MicrobatchWindows(config, compiled.is_incremental && !ctx.options->full_refresh,
                            ctx.clock->NowMicros()));
      int64_t rows = 0;
      for (const BatchWindow& batch : batches) {
        STRATA_ASSIGN_OR_RETURN(CompiledNode batch_compiled,
                                state.compiler->Compile(node.unique_id, adapter,
                                                        {.batch = batch, .empty = request.empty}));
        options.batch = batch;
        STRATA_ASSIGN_OR_RETURN(outcome, Materialize(node, batch_compiled, adapter, options));
        if (outcome.status == "error") break;
        if (outcome.rows_affected > 0) rows += outcome.rows_affected;
        // Later batches see the table the earlier ones wrote.
        options.full_refresh = false;
      }
      if (outcome.status != "error") {
        outcome.status = "success";
        outcome.message = "SUCCESS " + std::to_string(batches.size()) + " batches";
        outcome.rows_affected = rows;
      }
    } else {
      STRATA_ASSIGN_OR_RETURN(outcome, Materialize(node, compiled, adapter, options));
    }
    return outcome;
  }();
  adapter.RecordStatements(nullptr);
  Status written = WriteRunSql(ctx, node, executed);
  STRATA_ASSIGN_OR_RETURN(NodeOutcome outcome, std::move(materialized));
  STRATA_RETURN_IF_ERROR(written);
  result->timing.push_back({"execute", execute_start, ctx.clock->NowMicros()});
  return outcome;
}

// Why a node cannot run at all, or "" when it can.
std::string Unrunnable(const CommandContext& ctx, const Node& node) {
  auto it = ctx.node_errors.find(node.unique_id);
  if (it != ctx.node_errors.end()) return it->second;
  if (node.resource_type == "model") {
    const std::string m = MaterializedOf(node.config);
    if (!m.empty() && kSupportedMaterializations.count(m) == 0) {
      return node.original_file_path + ": materialization '" + m +
             "' is not supported: Strata runs view, table, incremental and ephemeral models "
             "(custom {% materialization %} blocks do not run)";
    }
  }
  return "";
}

void RunOne(RunState& state, const std::string& id, WarehouseAdapter* adapter,
            const Status& adapter_status, const std::string& thread_id) {
  CommandContext& ctx = *state.ctx;
  const Node& node = *ctx.project->FindNode(id);
  const int index = ++state.next_index;
  const std::string description =
      NodeDescription(node, MaterializedOf(node.config), node.schema, node.alias);
  if (state.execute && !node.unsupported) {
    ctx.printer->Info(FancyLine(index, state.total, "START " + description, "RUN", std::nullopt));
  }
  const int64_t started = ctx.clock->NowMicros();
  RunResult result;
  result.unique_id = id;
  result.thread_id = thread_id;
  std::string problem = Unrunnable(ctx, node);
  if (problem.empty() && adapter == nullptr) problem = adapter_status.ToString();
  if (problem.empty() && node.unsupported) {
    // Python models: skipped with the loader's warning, as the rest runs.
    result.status = "skipped";
    result.message = node.unsupported_reason.empty()
                         ? node.language + " models are not supported by Strata"
                         : node.unsupported_reason;
  } else if (!problem.empty()) {
    result.status = "error";
    result.message = problem;
  } else {
    Result<NodeOutcome> outcome = Execute(state, node, *adapter, &result);
    if (!outcome.ok()) {
      result.status = "error";
      result.message = outcome.status().message();
    } else {
      result.status = outcome->status;
      result.message = outcome->message;
      result.failures = outcome->failures;
      result.adapter_response = outcome->adapter_response;
    }
  }
  const bool failed = IsFailure(result.status);
  const bool done = result.status != "skipped";
  Record(state, node, std::move(result), index, started, ctx.clock->NowMicros());
  std::vector<std::string> skipped = state.schedule->MarkDone(id, !failed && done);
  RecordSkipped(state, skipped, "Skipping because an upstream node failed: " + id, thread_id);
  if (failed && ctx.options->fail_fast && !state.failed.exchange(true)) {
    ctx.printer->Always("Failure in " + node.resource_type + " " + node.name +
                        " and --fail-fast is set: skipping the remaining nodes");
    RecordSkipped(state, state.schedule->Cancel(), "Skipping due to fail_fast", thread_id);
  }
}

// Runs on-run-start or on-run-end; false when one failed (its line says why).
bool RunProjectHooks(RunState& state, const std::vector<std::string>& hooks, const char* which,
                     DbtAdapter& adapter) {
  CommandContext& ctx = *state.ctx;
  if (hooks.empty()) return true;
  ctx.printer->Info("Running " + std::to_string(hooks.size()) + " " + which + " hook" +
                    (hooks.size() == 1 ? "" : "s"));
  bool ok = true;
  for (size_t i = 0; i < hooks.size(); ++i) {
    const std::string name = ctx.project->name + "." + which + "." + std::to_string(i);
    const int n = static_cast<int>(hooks.size());
    ctx.printer->Info(
        FancyLine(static_cast<int>(i + 1), n, "START hook: " + name, "RUN", std::nullopt));
    const int64_t started = ctx.clock->NowMicros();
    Status status = Status::OK();
    auto sql = state.compiler->RenderHook(hooks[i], nullptr, adapter);
    if (!sql.ok()) {
      status = sql.status();
    } else if (!sql->empty()) {
      status = adapter.Execute(*sql, false).status();
    }
    const double seconds = Seconds(started, ctx.clock->NowMicros());
    if (status.ok()) {
      ctx.printer->Info(FancyLine(static_cast<int>(i + 1), n, "OK hook: " + name, "OK", seconds));
    } else {
      ctx.printer->Always(
          FancyLine(static_cast<int>(i + 1), n, "ERROR hook: " + name, "ERROR", seconds));
      ctx.project_errors.push_back("on-run hook " + name + " failed: " + status.message());
      ok = false;
      break;
    }
  }
  ctx.printer->Info("");
  return ok;
}

std::string NodeKindForFinished(const Node& node) {
  if (node.resource_type == "model") {
    const std::string m = MaterializedOf(node.config);
    return (m.empty() ? "view" : m) + " model";
  }
  if (node.resource_type == "test") return "data test";
  return node.resource_type;
}

// dbt's closing lines; returns the exit code.
int PrintSummary(RunState& state, double elapsed, int hooks, DbtCommandSummary* summary) {
  CommandContext& ctx = *state.ctx;
  ConsolePrinter& p = *ctx.printer;
  std::map<std::string, int> kinds;
  std::vector<std::string> kind_order;
  for (const auto& r : state.results) {
    const Node* node = ctx.project->FindNode(r.unique_id);
    if (node == nullptr) continue;
    const std::string kind = NodeKindForFinished(*node);
    if (kinds[kind]++ == 0) kind_order.push_back(kind);
  }
  std::sort(kind_order.begin(), kind_order.end());
  std::string finished;
  if (hooks > 0) finished = Counted(hooks, "project hook", "project hooks");
  for (const auto& kind : kind_order) {
    finished += (finished.empty() ? "" : ", ") +
                Counted(kinds[kind], kind, kind == "analysis" ? "analyses" : kind + "s");
  }
  p.Info("");
  p.Info("Finished running " + (finished.empty() ? std::string("0 nodes") : finished) + " in " +
         ElapsedText(elapsed) + ".");

  for (const auto& r : state.results) {
    if (r.status == "success" || r.status == "pass") ++summary->pass;
    if (r.status == "warn") ++summary->warn;
    if (IsFailure(r.status)) ++summary->error;
    if (r.status == "skipped") ++summary->skip;
  }
  summary->error += static_cast<int>(ctx.project_errors.size());
  summary->total = static_cast<int>(state.results.size());
  if (summary->error == 0 && summary->warn == 0) {
    p.Info("");
    p.Info("Completed successfully");
  } else {
    p.Always("");
    p.Always("Completed with " + Counted(summary->error, "error", "errors") + " and " +
             Counted(summary->warn, "warning", "warnings") + ":");
    for (const auto& e : ctx.project_errors) {
      p.Always("");
      p.Always("  Compilation Error");
      p.Always("  " + e);
    }
    for (const auto& r : state.results) {
      if (!IsFailure(r.status) && r.status != "warn") continue;
      const Node& node = *ctx.project->FindNode(r.unique_id);
      const std::string where = " " + node.name + " (" + node.original_file_path + ")";
      p.Always("");
      if (r.status == "fail") {
        p.Always("Failure in test" + where);
      } else if (r.status == "warn") {
        p.Always("Warning in test" + where);
      } else {
        p.Always((r.compiled ? "  Runtime Error in " : "  Compilation Error in ") +
                 node.resource_type + where);
      }
      p.Always("  " + r.message);
      if (node.IsTest() && r.compiled) {
        p.Always("");
        p.Always("  compiled code at " + CompiledPath(ctx, node, "compiled"));
      }
    }
  }
  p.Info("");
  return PrintDoneLine(p, *summary);
}

}  // namespace

int PrintDoneLine(ConsolePrinter& p, const DbtCommandSummary& summary) {
  p.Always("Done. PASS=" + std::to_string(summary.pass) + " WARN=" + std::to_string(summary.warn) +
           " ERROR=" + std::to_string(summary.error) + " SKIP=" + std::to_string(summary.skip) +
           " TOTAL=" + std::to_string(summary.total));
  return summary.error > 0 ? 1 : 0;
}

std::string MaterializedOf(const json& config) {
  if (config.is_object() && config.contains("materialized") && config["materialized"].is_string()) {
    return config["materialized"].get<std::string>();
  }
  return "";
}

std::string CompiledPath(const CommandContext& ctx, const Node& node, const std::string& subdir) {
  std::string path = JoinPath(JoinPath(JoinPath(ctx.target_dir, subdir), node.package_name),
                              node.original_file_path);
  // Generic tests live in a YAML file: dbt writes <yml path>/<test name>.sql.
  if (node.IsTest() && !node.test_metadata.is_null()) path = JoinPath(path, node.name + ".sql");
  return path;
}

Result<WarehouseHandle> OpenWarehouse(const CommandContext& ctx) {
  FileSystem& fs = *ctx.fs;
  const DbtProject& project = *ctx.project;
  std::vector<std::string> schemas;
  auto add = [&schemas](const std::string& schema) {
    if (schema.empty()) return;
    const std::string lower = sql::Lowercase(schema);
    if (std::find(schemas.begin(), schemas.end(), lower) == schemas.end()) {
      schemas.push_back(lower);
    }
  };
  std::string root = ctx.options->warehouse_path;
  if (root.empty()) {
    const std::string strata_yml = JoinPath(project.root_dir, project::kProjectFileName);
    STRATA_ASSIGN_OR_RETURN(bool has_strata, fs.Exists(strata_yml));
    if (has_strata) {
      STRATA_ASSIGN_OR_RETURN(auto strata, project::Project::Open(fs, project.root_dir));
      root = strata->WarehousePath();
      for (const auto& s : strata->config().warehouse.schemas) add(s);
    } else {
      root = JoinPath(project.root_dir, "warehouse");
    }
  }
  root = project::AbsolutePath(root);
  auto existing = fs.ListDirectoryNames(root, "");
  if (existing.ok()) {
    for (const auto& e : *existing) {
      if (e.is_directory && !e.name.empty() && e.name[0] != '.' && e.name[0] != '_') add(e.name);
    }
  }
  const std::string target_schema = project.target.has_value() ? project.target->schema : "main";
  add(target_schema);
  for (const auto& [id, node] : project.nodes) {
    if (node.resource_type == "model" || node.resource_type == "seed" ||
        node.resource_type == "snapshot") {
      add(node.schema);
      const json& target_schema =
          node.config.is_object() ? node.config.value("target_schema", json()) : json();
      if (target_schema.is_string()) add(target_schema.get<std::string>());
    }
    if (node.IsTest()) {
      // store_failures writes to <schema>_<schema config, default dbt_test__audit>.
      const json& schema = node.config.is_object() ? node.config.value("schema", json()) : json();
      add(node.schema + "_" + (schema.is_string() ? schema.get<std::string>() : "dbt_test__audit"));
    }
  }
  add(target_schema + "_dbt_test__audit");
  WarehouseHandle handle;
  STRATA_ASSIGN_OR_RETURN(handle.warehouse, sql::Warehouse::Open(root, schemas, fs));
  STRATA_RETURN_IF_ERROR(fs.CreateDirectories(root));
  handle.session_options.writer.clock = ctx.clock;
  if (project.target.has_value()) handle.session_options.database_name = project.target->database;
  engine::DatabaseOptions db_options;
  STRATA_ASSIGN_OR_RETURN(handle.database, engine::Database::Open(db_options));
  return handle;
}

Result<DbtCommandSummary> RunNodes(CommandContext& ctx, const std::set<std::string>& selected) {
  const DbtCommandOptions& options = *ctx.options;
  const bool execute = options.command != "compile";
  DbtProject& project = *ctx.project;
  const int64_t started = ctx.clock->NowMicros();

  // What runs: ephemeral models are inlined by the compiler; analyses only
  // compile.
  std::set<std::string> runnable;
  for (const auto& id : selected) {
    const Node* node = project.FindNode(id);
    if (node == nullptr || node->IsSource() || node->resource_type == "exposure") continue;
    if (node->resource_type == "model" && MaterializedOf(node->config) == "ephemeral") continue;
    if (node->resource_type == "analysis" && execute) continue;
    runnable.insert(id);
  }
  if (options.store_failures) {
    for (auto& [id, node] : project.nodes) {
      if (node.IsTest()) node.config["store_failures"] = true;
    }
  }

  auto edges = ScheduleEdges(project, *ctx.graph, runnable, options.command == "build");
  // A node that fails at load time fails at once: its own parents do not
  // matter (this also breaks the cycles the loader reported).
  for (const auto& [id, message] : ctx.node_errors) {
    auto it = edges.find(id);
    if (it != edges.end()) it->second.clear();
  }
  std::vector<std::string> order;
  auto topo = ctx.graph->TopologicalOrder();
  if (topo.ok()) {
    for (const auto& id : *topo) {
      if (runnable.count(id) > 0) order.push_back(id);
    }
  } else {
    order.assign(runnable.begin(), runnable.end());
  }
  RunSchedule schedule(order, edges);

  STRATA_ASSIGN_OR_RETURN(WarehouseHandle wh, OpenWarehouse(ctx));
  CompileOptions compile_options;
  compile_options.invocation_id = ctx.metadata.invocation_id;
  compile_options.run_started_at_micros = started;
  compile_options.full_refresh = options.full_refresh;
  compile_options.env = options.env;
  compile_options.clock = ctx.clock;
  compile_options.which = options.command;
  compile_options.selected_resources.assign(selected.begin(), selected.end());
  compile_options.fs = ctx.fs;
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<DbtCompiler> compiler,
                          DbtCompiler::Create(&project, ctx.graph, compile_options));

  RunState state;
  state.ctx = &ctx;
  state.compiler = compiler.get();
  state.database = wh.database.get();
  state.warehouse = wh.warehouse.get();
  state.schedule = &schedule;
  state.total = static_cast<int>(order.size());
  state.execute = execute;

  STRATA_ASSIGN_OR_RETURN(
      std::unique_ptr<WarehouseAdapter> main_adapter,
      WarehouseAdapter::Create(*wh.database, wh.warehouse.get(), *ctx.fs, wh.session_options));
  ConsolePrinter& p = *ctx.printer;
  p.Info("");
  const std::string target_name = project.target.has_value() ? project.target->target_name : "";
  p.Info("Concurrency: " + Counted(ctx.threads, "thread", "threads") + " (target='" + target_name +
         "')");
  p.Info("");
  if (order.empty()) {
    p.Info("Nothing to do. Try checking your model configs and model specification args");
  }
  int hooks_run = 0;
  bool start_ok = true;
  if (execute && !order.empty()) {
    start_ok = RunProjectHooks(state, project.on_run_start, "on-run-start", *main_adapter);
    hooks_run += static_cast<int>(project.on_run_start.size());
  }
  if (!start_ok) {
    RecordSkipped(state, schedule.Cancel(), "Skipping because on-run-start failed", "MainThread");
  }

  std::vector<std::thread> workers;
  const int n = std::max(1, std::min<int>(ctx.threads, std::max<int>(1, order.size())));
  for (int w = 0; w < n; ++w) {
    workers.emplace_back([&state, &wh, &ctx, w] {
      const std::string thread_id = "Thread-" + std::to_string(w + 1);
      auto adapter =
          WarehouseAdapter::Create(*wh.database, wh.warehouse.get(), *ctx.fs, wh.session_options);
      while (auto id = state.schedule->Next()) {
        RunOne(state, *id, adapter.ok() ? adapter->get() : nullptr, adapter.status(), thread_id);
      }
    });
  }
  for (auto& t : workers) t.join();

  // Nodes that never became ready (a cycle the loader did not pin on them).
  {
    std::set<std::string> reported;
    for (const auto& r : state.results) reported.insert(r.unique_id);
    for (const auto& id : order) {
      if (reported.count(id) > 0) continue;
      RunResult r;
      r.unique_id = id;
      r.status = "error";
      r.message = "never ran: it depends on itself through a cycle";
      const int64_t now = ctx.clock->NowMicros();
      Record(state, *project.FindNode(id), std::move(r), ++state.next_index, now, now);
    }
  }
  if (execute && !order.empty() && start_ok) {
    if (!RunProjectHooks(state, project.on_run_end, "on-run-end", *main_adapter)) {
      // Reported as a project error by RunProjectHooks.
    }
    hooks_run += static_cast<int>(project.on_run_end.size());
  }

  if (!execute && order.size() == 1 && state.compiled_code.count(order[0]) > 0) {
    p.Always("Compiled node '" + project.FindNode(order[0])->name + "' is:");
    p.Always(state.compiled_code[order[0]]);
  }

  const double elapsed = Seconds(started, ctx.clock->NowMicros());
  DbtCommandSummary summary;
  if (execute) {
    summary.exit_code = PrintSummary(state, elapsed, hooks_run, &summary);
  } else {
    for (const auto& r : state.results) {
      if (IsFailure(r.status)) {
        ++summary.error;
        const Node& node = *project.FindNode(r.unique_id);
        p.Always("Compilation Error in " + node.resource_type + " " + node.name + " (" +
                 node.original_file_path + ")");
        p.Always("  " + r.message);
      } else {
        ++summary.pass;
      }
    }
    summary.error += static_cast<int>(ctx.project_errors.size());
    for (const auto& e : ctx.project_errors) p.Always(e);
    summary.total = static_cast<int>(state.results.size());
    summary.exit_code = summary.error > 0 ? 1 : 0;
  }
  summary.nodes = state.reports;

  STRATA_RETURN_IF_ERROR(WriteArtifact(*ctx.fs, JoinPath(ctx.target_dir, "manifest.json"),
                                       BuildManifest(project, *ctx.graph, ctx.metadata)));
  STRATA_RETURN_IF_ERROR(
      WriteArtifact(*ctx.fs, JoinPath(ctx.target_dir, "run_results.json"),
                    BuildRunResults(state.results, elapsed, ctx.metadata, ctx.args)));
  return summary;
}

}  // namespace strata::transform::internal
