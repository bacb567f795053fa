// RunDbtCommand: loading, selection, the header lines, and the commands that
// run no SQL (ls, parse). The SQL-running commands are in
// dbt_runner_exec.cc and dbt_runner_sources.cc.
#include "transform/dbt_runner.h"

#include <algorithm>
#include <ostream>

#include "project/project.h"
#include "transform/dbt_project.h"
#include "transform/dbt_runner_internal.h"
#include "transform/dbt_selector.h"
#include "transform/dbt_yaml.h"
#include "transform/jinja.h"

namespace strata::transform {
namespace {

using internal::CommandContext;
using json = nlohmann::json;

const std::set<std::string> kKnownResourceTypes = {"model",  "seed",     "snapshot", "test",
                                                   "source", "analysis", "exposure"};

// The resource types a command works on (before --resource-type).
std::set<std::string> CommandResourceTypes(const std::string& command) {
  if (command == "run") return {"model"};
  if (command == "test") return {"test"};
  if (command == "seed") return {"seed"};
  if (command == "snapshot") return {"snapshot"};
  if (command == "build") return {"model", "seed", "snapshot", "test"};
  if (command == "compile") return {"model", "snapshot", "test", "analysis"};
  if (command == "freshness") return {"source"};
  return {};  // ls, parse, docs: everything
}

Result<json> ParseVars(const std::string& text) {
  if (text.empty()) return json::object();
  auto parsed = ParseYaml(text, "--vars");
  if (!parsed.ok()) {
    return Status::InvalidArgument("--vars is not YAML or JSON: " + parsed.status().message());
  }
  json vars = parsed->ToJson();
  if (vars.is_null()) return json::object();
  if (!vars.is_object()) {
    return Status::InvalidArgument("--vars must be a mapping, e.g. '{\"start\": \"2024-01-01\"}'");
  }
  return vars;
}

// "Found 5 models, 3 seeds, 20 data tests, 1 source, 1 exposure, 12 macros".
std::string FoundLine(const DbtProject& project) {
  std::map<std::string, int> counts;
  for (const auto& [id, node] : project.nodes) ++counts[node.resource_type];
  std::string line = "Found ";
  bool first = true;
  auto add = [&](const char* type, const char* one, const char* many) {
    const int n = counts[type];
    if (n == 0) return;
    line += (first ? "" : ", ") + internal::Counted(n, one, many);
    first = false;
  };
  add("model", "model", "models");
  add("snapshot", "snapshot", "snapshots");
  add("analysis", "analysis", "analyses");
  add("seed", "seed", "seeds");
  add("test", "data test", "data tests");
  add("source", "source", "sources");
  add("exposure", "exposure", "exposures");
  line += (first ? "" : ", ") +
          internal::Counted(static_cast<int>(project.macros.size()), "macro", "macros");
  return line;
}

// Load errors become failures of the nodes they name; errors naming a file
// fail the nodes defined in that file; the rest are project errors.
void AttributeDiagnostics(CommandContext& ctx) {
  const DbtProject& project = *ctx.project;
  for (const auto& d : project.diagnostics) {
    if (!d.IsError()) continue;
    std::vector<std::string> ids;
    if (!d.node.empty()) {
      if (project.FindNode(d.node) != nullptr) {
        ids.push_back(d.node);
      } else {
        for (const auto& [id, node] : project.nodes) {
          if (node.name == d.node && !node.IsSource()) ids.push_back(id);
        }
      }
    }
    if (ids.empty() && !d.file.empty()) {
      for (const auto& [id, node] : project.nodes) {
        if (!node.IsSource() && node.original_file_path == d.file && node.line == 0) {
          ids.push_back(id);
        }
      }
    }
    if (ids.empty()) {
      ctx.project_errors.push_back(d.ToString());
      continue;
    }
    for (const auto& id : ids) {
      std::string& message = ctx.node_errors[id];
      message += (message.empty() ? "" : "\n") + d.ToString();
    }
  }
}

std::string LsLine(const Node& node, const std::string& output,
                   const std::vector<std::string>& keys) {
  if (output == "name") return node.name;
  if (output == "path") return node.original_file_path;
  if (output == "json") {
    json full = NodeToManifestJson(node);
    json j = json::object();
    const std::vector<std::string> defaults = {
        "name",  "resource_type", "package_name", "original_file_path", "unique_id",
        "alias", "config",        "tags",         "depends_on",         "source_name"};
    for (const auto& key : keys.empty() ? defaults : keys) {
      if (full.contains(key)) j[key] = full[key];
    }
    return j.dump();
  }
  // selector: the fqn joined with dots; sources and exposures say their kind.
  std::string fqn;
  for (const auto& part : node.fqn) fqn += (fqn.empty() ? "" : ".") + part;
  if (node.IsSource()) return "source:" + fqn;
  if (node.resource_type == "exposure") return "exposure:" + fqn;
  return fqn;
}

// A selectors.yml `default:` written as Jinja ("{{ target.name == 'prod' }}"),
// rendered with the profile target as dbt renders it.
Result<bool> RenderSelectorDefault(const DbtProject& project, const std::string& text) {
  std::unique_ptr<Environment> env = Environment::Create();
  json target = json::object();
  if (project.target.has_value()) {
    const ProfileTarget& t = *project.target;
    if (t.rendered.is_object()) target = t.rendered;
    target["name"] = t.target_name;
    target["target_name"] = t.target_name;
    target["profile_name"] = t.profile_name;
    target["type"] = t.type;
    target["schema"] = t.schema;
    target["database"] = t.database;
    target["threads"] = t.threads;
  }
  STRATA_ASSIGN_OR_RETURN(Value target_value, ValueFromJson(target.dump()));
  env->AddGlobal("target", target_value);
  env->AddFilter("as_bool", [](const Value& v, CallArgs&) -> Result<Value> {
    return Value::Bool(v.Truthy() && v.Str() != "False" && v.Str() != "false");
  });
  STRATA_ASSIGN_OR_RETURN(auto compiled, env->Compile(text, "selectors.yml"));
  STRATA_ASSIGN_OR_RETURN(std::string rendered, compiled->Render(Value::None()));
  const size_t b = rendered.find_first_not_of(" \t\r\n");
  rendered = b == std::string::npos
                 ? ""
                 : rendered.substr(b, rendered.find_last_not_of(" \t\r\n") - b + 1);
  if (rendered == "True" || rendered == "true") return true;
  if (rendered == "False" || rendered == "false" || rendered.empty()) return false;
  return Status::InvalidArgument("default rendered to '" + rendered + "', not true or false");
}

Result<DbtCommandSummary> RunLs(CommandContext& ctx, const std::set<std::string>& selected) {
  DbtCommandSummary summary;
  std::vector<std::string> lines;
  for (const auto& id : selected) {
    const Node* node = ctx.project->FindNode(id);
    if (node == nullptr) continue;
    lines.push_back(LsLine(*node, ctx.options->output, ctx.options->output_keys));
  }
  if (ctx.options->output != "json") std::sort(lines.begin(), lines.end());
  for (const auto& line : lines) ctx.printer->Always(line);
  summary.listed = std::move(lines);
  summary.total = static_cast<int>(summary.listed.size());
  return summary;
}

Result<DbtCommandSummary> RunParse(CommandContext& ctx) {
  STRATA_RETURN_IF_ERROR(WriteArtifact(*ctx.fs, JoinPath(ctx.target_dir, "manifest.json"),
                                       BuildManifest(*ctx.project, *ctx.graph, ctx.metadata)));
  DbtCommandSummary summary;
  for (const auto& e : ctx.project_errors) ctx.printer->Always(e);
  for (const auto& [id, message] : ctx.node_errors) ctx.printer->Always(message);
  summary.error = static_cast<int>(ctx.project_errors.size() + ctx.node_errors.size());
  summary.exit_code = summary.error > 0 ? 1 : 0;
  ctx.printer->Info("Wrote " + JoinPath(ctx.target_dir, "manifest.json"));
  return summary;
}

}  // namespace

Result<DbtCommandSummary> RunDbtCommand(const DbtCommandOptions& options, FileSystem& fs,
                                        Clock& clock, std::ostream& out) {
  static const std::set<std::string> kCommands = {"build",    "run",       "test", "seed",
                                                  "snapshot", "compile",   "ls",   "list",
                                                  "parse",    "freshness", "docs"};
  if (kCommands.count(options.command) == 0) {
    return Status::InvalidArgument("unknown dbt command '" + options.command + "'");
  }
  const std::string command = options.command == "list" ? "ls" : options.command;
  for (const auto& type : options.resource_types) {
    if (kKnownResourceTypes.count(type) == 0 && type != "default" && type != "all") {
      return Status::InvalidArgument("--resource-type '" + type +
                                     "' is not one of model, seed, snapshot, test, source, "
                                     "analysis, exposure, default, all");
    }
  }
  if (options.empty && command != "build" && command != "run" && command != "snapshot" &&
      command != "compile") {
    return Status::InvalidArgument("--empty applies to build, run, snapshot and compile");
  }
  if (options.output != "selector" && options.output != "name" && options.output != "path" &&
      options.output != "json") {
    return Status::InvalidArgument("--output must be json, name, path or selector");
  }
  STRATA_ASSIGN_OR_RETURN(json cli_vars, ParseVars(options.vars));

  const int64_t started = clock.NowMicros();
  internal::ConsolePrinter printer(out, clock, options.print_timestamps && command != "ls",
                                   options.quiet || command == "ls");
  LoadOptions load;
  load.project_dir = project::AbsolutePath(options.project_dir);
  load.profiles_dir = options.profiles_dir;
  load.target = options.target;
  load.cli_vars = cli_vars;
  load.env = options.env;
  load.load_profile = command != "ls" && command != "parse";
  STRATA_ASSIGN_OR_RETURN(DbtProject project, LoadProject(fs, load));
  DbtGraph graph = DbtGraph::Build(&project);

  CommandContext ctx;
  ctx.options = &options;
  ctx.fs = &fs;
  ctx.clock = &clock;
  ctx.printer = &printer;
  ctx.project = &project;
  ctx.graph = &graph;
  const std::string target_path =
      options.target_path.empty() ? project.target_path : options.target_path;
  ctx.target_dir =
      target_path.front() == '/' ? target_path : JoinPath(project.root_dir, target_path);
  ctx.metadata = MakeArtifactMetadata(project, clock);
  ctx.metadata.generated_at = IsoTimestamp(started);
  AttributeDiagnostics(ctx);

  if (load.load_profile && !project.target.has_value()) {
    std::string why;
    for (const auto& d : project.diagnostics) {
      if (d.file.find("profiles.yml") != std::string::npos) why += "\n" + d.ToString();
    }
    return Status::InvalidArgument("no profile target to run against" + why);
  }
  ctx.threads = options.threads > 0 ? options.threads
                                    : (project.target.has_value() ? project.target->threads : 1);

  printer.Info("Running with strata=" + options.strata_version);
  printer.Info(FoundLine(project));
  for (const auto& d : project.diagnostics) {
    if (!d.IsError()) printer.Info("[WARNING]: " + d.ToString());
  }

  STRATA_ASSIGN_OR_RETURN(
      std::vector<YamlSelector> yaml_selectors,
      LoadYamlSelectors(fs, project.root_dir, [&project](const std::string& text) {
        return RenderSelectorDefault(project, text);
      }));
  for (const YamlSelector& s : yaml_selectors) {
    project.selectors[s.name] = {{"name", s.name},
                                 {"definition", s.definition},
                                 {"description", s.description},
                                 {"default", s.is_default}};
  }
  SelectionOptions selection;
  selection.select = options.select;
  selection.exclude = options.exclude;
  selection.selector = options.selector;
  selection.yaml_selectors = &yaml_selectors;
  if (!options.selector.empty() && (!options.select.empty() || !options.exclude.empty())) {
    printer.Info("[WARNING]: --selector " + options.selector +
                 " is used; --select and --exclude are ignored (as dbt does)");
  }
  json state_manifest;
  if (!options.state.empty()) {
    STRATA_ASSIGN_OR_RETURN(state_manifest, LoadStateManifest(fs, options.state));
    selection.state_manifest = &state_manifest;
  }
  selection.resource_types = CommandResourceTypes(command);
  std::set<std::string> requested;
  for (const auto& t : options.resource_types) {
    if (t == "default" || t == "all") continue;
    requested.insert(t);
  }
  if (!requested.empty()) {
    if (selection.resource_types.empty()) {
      selection.resource_types = requested;
    } else {
      std::set<std::string> both;
      for (const auto& t : requested) {
        if (selection.resource_types.count(t) > 0) both.insert(t);
      }
      selection.resource_types = both.empty() ? std::set<std::string>{"none"} : both;
    }
  }
  STRATA_ASSIGN_OR_RETURN(std::set<std::string> selected, SelectNodes(project, graph, selection));

  ctx.args = {{"which", command == "freshness" ? "source"
                        : command == "docs"    ? "generate"
                                               : command},
              {"select", options.select},
              {"exclude", options.exclude},
              {"selector", options.selector.empty() ? json() : json(options.selector)},
              {"threads", ctx.threads},
              {"full_refresh", options.full_refresh},
              {"fail_fast", options.fail_fast},
              {"empty", options.empty},
              {"store_failures", options.store_failures},
              {"vars", cli_vars},
              {"project_dir", project.root_dir},
              {"target_path", ctx.target_dir}};
  if (!options.target.empty()) ctx.args["target"] = options.target;
  if (!options.state.empty()) ctx.args["state"] = options.state;

  Result<DbtCommandSummary> summary = Status::Internal("unreachable");
  if (command == "ls") {
    summary = RunLs(ctx, selected);
  } else if (command == "parse") {
    summary = RunParse(ctx);
  } else if (command == "freshness") {
    summary = internal::RunFreshness(ctx, selected);
  } else if (command == "docs") {
    summary = internal::RunDocsGenerate(ctx);
  } else {
    summary = internal::RunNodes(ctx, selected);
  }
  if (summary.ok()) summary->target_dir = ctx.target_dir;
  return summary;
}

}  // namespace strata::transform
