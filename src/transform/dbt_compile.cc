// DbtCompiler: one Jinja environment per compiler with Strata's built-in
// macros, the project's and packages' macros (each compiled once), and the
// shared dbt context; Compile renders one node with a fresh per-render
// context, inlines ephemeral parents as CTEs and renders its hooks.
#include <algorithm>
#include <cctype>

#include "transform/dbt_artifacts.h"
#include "transform/dbt_compile_internal.h"
#include "transform/dbt_internal.h"
#include "transform/dbt_yaml.h"

namespace strata::transform {
namespace internal {

using json = nlohmann::json;

namespace {

// An adapter for renders that must not touch the database (node naming).
class NoDatabaseAdapter : public DbtAdapter {
 public:
  Result<std::optional<RelationInfo>> GetRelation(const std::string&, const std::string&,
                                                  const std::string&) override {
    return std::optional<RelationInfo>();
  }
  Result<std::vector<ColumnInfo>> GetColumns(const RelationInfo&) override {
    return Status::NotFound("no database while naming nodes");
  }
  Result<QueryTable> Execute(const std::string&, bool) override {
    return Status::InvalidArgument("no queries while naming nodes");
  }
  Status CreateSchema(const std::string&) override { return Status::OK(); }
};

// Blank lines and spaces that put a fragment's first character at
// (line, column) of its file, so engine errors name the file's positions.
std::string Padding(int line, int column) {
  std::string pad(static_cast<size_t>(std::max(0, line - 1)), '\n');
  pad.append(static_cast<size_t>(std::max(0, column - 1)), ' ');
  return pad;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

bool IsMaterialized(const Node& node, const char* kind) {
  return node.config.value("materialized", json("")) == json(kind);
}

// `source` compiled once per compiler under `key`.
Result<std::shared_ptr<const Template>> CachedTemplate(CompilerCore& core, const std::string& key,
                                                       const std::string& source,
                                                       const std::string& file) {
  {
    std::lock_guard<std::mutex> lock(core.mutex);
    auto it = core.templates.find(key);
    if (it != core.templates.end()) return it->second;
  }
  STRATA_ASSIGN_OR_RETURN(auto tmpl, core.env->Compile(source, file));
  std::lock_guard<std::mutex> lock(core.mutex);
  core.templates.emplace(key, tmpl);
  return tmpl;
}

// Renders `expression` in `context` (a dict) and returns its value, not its
// text.
Result<Value> EvaluateExpression(CompilerCore& core, const std::string& expression,
                                 const std::string& file, const Value& context) {
  auto captured = std::make_shared<Value>();
  context.as_dict()->Set("__strata_capture", MakeFunction("capture", [captured](CallArgs& a) {
                           *captured = a.positional.empty() ? Value::None() : a.positional[0];
                           return Result<Value>(Value::String(""));
                         }));
  STRATA_ASSIGN_OR_RETURN(auto tmpl,
                          CachedTemplate(core, "expr:" + file + ":" + expression,
                                         "{% do __strata_capture(" + expression + ") %}", file));
  STRATA_RETURN_IF_ERROR(tmpl->Render(context).status());
  return *captured;
}

// dbt's `^\s*(env_var|ref|var|source|doc)\s*\(.+\)\s*$` (no regex: this runs
// for every argument of every generic test).
bool LooksLikeCall(const std::string& text) {
  const std::string t = Trim(text);
  for (const char* fn : {"env_var", "ref", "var", "source", "doc"}) {
    const size_t n = std::char_traits<char>::length(fn);
    if (t.compare(0, n, fn) != 0) continue;
    size_t p = n;
    while (p < t.size() && std::isspace(static_cast<unsigned char>(t[p]))) ++p;
    if (p < t.size() && t[p] == '(' && t.size() >= p + 3 && t.back() == ')') return true;
  }
  return false;
}

// dbt renders a generic test's string arguments: `ref('x')`-like calls and
// `{{ ... }}` become their values, other strings stay as written.
Result<Value> RenderTestArgument(CompilerCore& core, const json& value, const std::string& file,
                                 const Value& context) {
  if (value.is_array()) {
    List items;
    for (const auto& item : value) {
      STRATA_ASSIGN_OR_RETURN(Value v, RenderTestArgument(core, item, file, context));
      items.push_back(std::move(v));
    }
    return Value::MakeList(std::move(items));
  }
  if (!value.is_string()) return JsonToValue(value);
  const std::string& text = value.get_ref<const std::string&>();
  if (text.find('(') != std::string::npos && LooksLikeCall(text)) {
    return EvaluateExpression(core, text, file, context);
  }
  if (text.find("{{") == std::string::npos && text.find("{%") == std::string::npos) {
    return Value::String(text);
  }
  const std::string t = Trim(text);
  if (t.size() >= 4 && t.compare(0, 2, "{{") == 0 && t.compare(t.size() - 2, 2, "}}") == 0 &&
      t.find("}}") == t.size() - 2) {
    return EvaluateExpression(core, t.substr(2, t.size() - 4), file, context);
  }
  STRATA_ASSIGN_OR_RETURN(auto tmpl, core.env->Compile(text, file));
  STRATA_ASSIGN_OR_RETURN(std::string rendered, tmpl->Render(context));
  return Value::String(rendered);
}

// The node's template, compiled once per compiler.
Result<std::shared_ptr<const Template>> NodeTemplate(CompilerCore* core, const Node& node,
                                                     std::string* padding) {
  const bool fragment = node.resource_type == "snapshot" ||
                        (node.resource_type == "test" && !node.test_metadata.is_null());
  *padding = fragment ? Padding(node.line, node.column) : "";
  {
    std::lock_guard<std::mutex> lock(core->mutex);
    auto it = core->templates.find(node.unique_id);
    if (it != core->templates.end()) return it->second;
  }
  STRATA_ASSIGN_OR_RETURN(auto tmpl, core->env->Compile(*padding + node.raw_code,
                                                        NodeDisplayPath(*core->project, node)));
  std::lock_guard<std::mutex> lock(core->mutex);
  core->templates.emplace(node.unique_id, tmpl);
  return tmpl;
}

Status WithNode(const Status& s, const Node* node) {
  if (s.ok() || node == nullptr) return s;
  return Status(s.code(), s.message() + " (node: " + node->unique_id + ")");
}

}  // namespace

Result<std::pair<std::string, std::string>> NodeNames(CompilerCore* core, const Node& node) {
  if (node.resource_type == "snapshot") {
    const json& target_schema = node.config.value("target_schema", json());
    if (target_schema.is_string()) {
      return std::make_pair(target_schema.get<std::string>(), node.alias);
    }
  }
  if (!core->custom_naming || node.IsSource()) return std::make_pair(node.schema, node.alias);
  {
    std::lock_guard<std::mutex> lock(core->mutex);
    auto it = core->names.find(node.unique_id);
    if (it != core->names.end()) return it->second;
  }
  // The project's generate_schema_name / generate_alias_name, rendered with
  // the node as dbt passes it.
  NoDatabaseAdapter no_database;
  auto state = std::make_shared<RenderState>();
  state->core = core;
  state->node = &node;
  state->adapter = &no_database;
  state->config = node.config;
  state->for_naming = true;
  Value ctx = Value::MakeDict();
  STRATA_RETURN_IF_ERROR(BuildRenderContext(state, ctx.as_dict().get()));
  ctx.as_dict()->Set("__node", JsonToValue(NodeToManifestJson(node)));
  const json schema = node.config.value("schema", json());
  const json alias = node.config.value("alias", json());
  ctx.as_dict()->Set("__custom_schema", JsonToValue(schema));
  ctx.as_dict()->Set("__custom_alias", JsonToValue(alias));
  static const char* kNaming =
      "{{ generate_schema_name(__custom_schema, __node) }}\x1f"
      "{{ generate_alias_name(__custom_alias, __node) }}";
  STRATA_ASSIGN_OR_RETURN(auto tmpl, core->env->Compile(kNaming, "generate_schema_name"));
  auto rendered = tmpl->Render(ctx);
  if (!rendered.ok()) return WithNode(rendered.status(), &node);
  const size_t sep = rendered->find('\x1f');
  auto names = std::make_pair(Trim(rendered->substr(0, sep)), Trim(rendered->substr(sep + 1)));
  if (node.IsTest()) names.second = node.alias;
  std::lock_guard<std::mutex> lock(core->mutex);
  core->names.emplace(node.unique_id, names);
  return names;
}

Result<Value> NodeRelation(CompilerCore* core, const Node& node) {
  STRATA_ASSIGN_OR_RETURN(auto names, NodeNames(core, node));
  RelationParts parts;
  parts.database = core->database;
  parts.schema = names.first;
  parts.identifier = names.second;
  parts.type = IsMaterialized(node, "view") ? "view" : "table";
  return MakeRelation(std::move(parts));
}

// Renders `state->node`'s code in its context (no CTE injection).
Result<bool> IsIncremental(RenderState* state) {
  if (state->is_incremental.has_value()) return *state->is_incremental;
  CompilerCore* core = state->core;
  bool incremental = false;
  if (state->node != nullptr && core->options.execute &&
      state->config.value("materialized", json("")) == json("incremental")) {
    const json& refresh = state->config.value("full_refresh", json());
    const bool full_refresh =
        refresh.is_boolean() ? refresh.get<bool>() : core->options.full_refresh;
    if (!full_refresh) {
      STRATA_ASSIGN_OR_RETURN(auto names, NodeNames(core, *state->node));
      STRATA_ASSIGN_OR_RETURN(
          auto existing, state->adapter->GetRelation(core->database, names.first, names.second));
      incremental = existing.has_value() && existing->kind == RelationInfo::Kind::kTable;
    }
  }
  state->is_incremental = incremental;
  return incremental;
}

Result<std::string> RenderNodeSql(const std::shared_ptr<RenderState>& state) {
  CompilerCore* core = state->core;
  const Node& node = *state->node;
  Value ctx = Value::MakeDict();
  Dict* dict = ctx.as_dict().get();
  STRATA_RETURN_IF_ERROR(WithNode(BuildRenderContext(state, dict), &node));
  if (node.IsTest() && node.test_metadata.is_object()) {
    const std::string file = NodeDisplayPath(*core->project, node);
    Value kwargs = Value::MakeDict();
    const json& raw = node.test_metadata.value("kwargs", json::object());
    for (const auto& [key, value] : raw.items()) {
      if (key == "column_name") {
        kwargs.as_dict()->Set(key, JsonToValue(value));
        continue;
      }
      auto v = RenderTestArgument(*core, value, file, ctx);
      if (!v.ok()) return WithNode(v.status(), &node);
      kwargs.as_dict()->Set(key, *v);
    }
    ctx.as_dict()->Set("_dbt_generic_test_kwargs", kwargs);
    // The macro the loader resolved (a package's test without namespace too).
    if (!node.depends_on_macros.empty()) {
      const std::string& id = node.depends_on_macros[0];
      const size_t dot = id.find('.', 6);
      if (dot != std::string::npos) {
        const std::string pkg = id.substr(6, dot - 6), name = id.substr(dot + 1);
        auto p = core->package_macros.find(pkg);
        if (p != core->package_macros.end() && pkg != core->project->name && pkg != "dbt") {
          if (auto m = p->second.find(name); m != p->second.end())
            ctx.as_dict()->Set(name, m->second);
        }
      }
    }
  }
  std::string padding;
  auto tmpl = NodeTemplate(core, node, &padding);
  if (!tmpl.ok()) return WithNode(tmpl.status(), &node);
  auto sql = (*tmpl)->Render(ctx);
  if (!sql.ok()) return WithNode(sql.status(), &node);
  std::string out = std::move(sql).value();
  if (!padding.empty() && out.compare(0, padding.size(), padding) == 0)
    out.erase(0, padding.size());
  return out;
}

Result<std::string> CompileEphemeralInto(RenderState* state, const Node& ephemeral) {
  const std::string name = "__dbt__cte__" + ephemeral.name;
  for (const auto& cte : state->ctes) {
    if (cte.id == ephemeral.unique_id) return name;
  }
  if (std::find(state->ephemeral_stack.begin(), state->ephemeral_stack.end(),
                ephemeral.unique_id) != state->ephemeral_stack.end()) {
    return Status::InvalidArgument("ephemeral models form a cycle through '" + ephemeral.unique_id +
                                   "'");
  }
  auto sub = std::make_shared<RenderState>();
  sub->core = state->core;
  sub->node = &ephemeral;
  sub->adapter = state->adapter;
  sub->request = state->request;
  sub->config = ephemeral.config;
  sub->ephemeral_stack = state->ephemeral_stack;
  sub->ephemeral_stack.push_back(ephemeral.unique_id);
  STRATA_ASSIGN_OR_RETURN(std::string sql, RenderNodeSql(sub));
  for (auto& cte : sub->ctes) {
    bool present = std::any_of(state->ctes.begin(), state->ctes.end(),
                               [&](const EphemeralCte& c) { return c.id == cte.id; });
    if (!present) state->ctes.push_back(std::move(cte));
  }
  state->ctes.push_back({ephemeral.unique_id, name, std::move(sql)});
  state->logs.insert(state->logs.end(), sub->logs.begin(), sub->logs.end());
  return name;
}

std::string InjectCtes(const std::string& sql, const std::vector<EphemeralCte>& ctes) {
  if (ctes.empty()) return sql;
  std::string joined;
  for (size_t i = 0; i < ctes.size(); ++i) {
    if (i > 0) joined += ", ";
    joined += " " + ctes[i].name + " as (\n" + ctes[i].sql + "\n)";
  }
  // The first token after whitespace and comments.
  size_t pos = 0;
  while (pos < sql.size()) {
    if (std::isspace(static_cast<unsigned char>(sql[pos]))) {
      ++pos;
    } else if (sql.compare(pos, 2, "--") == 0) {
      size_t nl = sql.find('\n', pos);
      pos = nl == std::string::npos ? sql.size() : nl + 1;
    } else if (sql.compare(pos, 2, "/*") == 0) {
      size_t end = sql.find("*/", pos + 2);
      pos = end == std::string::npos ? sql.size() : end + 2;
    } else {
      break;
    }
  }
  auto word_at = [&](size_t p, const char* word) {
    const size_t n = std::char_traits<char>::length(word);
    if (p + n > sql.size()) return false;
    for (size_t i = 0; i < n; ++i) {
      if (std::tolower(static_cast<unsigned char>(sql[p + i])) != word[i]) return false;
    }
    return p + n == sql.size() ||
           !(std::isalnum(static_cast<unsigned char>(sql[p + n])) || sql[p + n] == '_');
  };
  if (word_at(pos, "with")) {
    size_t after = pos + 4;
    size_t next = after;
    while (next < sql.size() && std::isspace(static_cast<unsigned char>(sql[next]))) ++next;
    if (word_at(next, "recursive")) after = next + 9;
    return sql.substr(0, after) + joined + "," + sql.substr(after);
  }
  return sql.substr(0, pos) + "with" + joined + sql.substr(pos);
}

}  // namespace internal

namespace {

using internal::CompilerCore;
using internal::RenderState;
using json = nlohmann::json;

// A macro that failed to compile: calling it reports why.
Value FailingMacro(const std::string& name, const Status& error) {
  return MakeFunction(name, [error](CallArgs&) -> Result<Value> { return error; });
}

class DbtCompilerImpl : public DbtCompiler {
 public:
  explicit DbtCompilerImpl(std::unique_ptr<CompilerCore> core) : core_(std::move(core)) {}

  Status Init() {
    CompilerCore& core = *core_;
    const DbtProject& project = *core.project;
    if (project.target.has_value()) {
      core.database = project.target->database;
      core.target_schema = project.target->schema;
    }
    if (core.target_schema.empty()) core.target_schema = "main";
    if (core.database.empty()) core.database = "memory";
    for (const auto& [id, node] : project.nodes) {
      if (node.resource_type == "model" || node.resource_type == "seed" ||
          node.resource_type == "snapshot") {
        core.refable[{node.package_name, node.name}].push_back(&node);
      }
      if (node.IsSource()) core.sources[{node.source_name, node.name}] = &node;
    }
    for (const auto& p : project.packages) core.vars[p.name] = project.VarsFor(p.name);
    if (!core.vars.count(project.name)) core.vars[project.name] = project.VarsFor(project.name);
    ReadDispatchConfig();

    JinjaOptions jinja;
    jinja.clock = core.options.clock;
    core.env = Environment::Create(jinja);
    internal::RegisterCompilerGlobals(&core);

    // Strata's built-ins: top-level names and the `dbt` namespace.
    STRATA_ASSIGN_OR_RETURN(
        auto builtins, core.env->Compile(internal::BuiltinMacrosSource(), "<strata builtins>"));
    STRATA_ASSIGN_OR_RETURN(auto exported, builtins->Macros(Value::MakeDict()));
    keep_.push_back(builtins);
    for (auto& [name, macro] : exported) core.package_macros["dbt"][name] = macro;

    // Project and package macros, one template per block so that a broken
    // block fails only when it is called.
    for (const auto& [id, macro] : project.macros) {
      if (macro.name.rfind("materialization_", 0) == 0) continue;
      Value value = CompileMacro(macro);
      core.package_macros[macro.package_name][macro.name] = value;
      if (macro.package_name == project.name) core.root_macro_names.insert(macro.name);
    }
    for (const char* naming :
         {"generate_schema_name", "generate_alias_name", "generate_database_name"}) {
      if (core.root_macro_names.count(naming)) core.custom_naming = true;
    }

    for (const auto& [name, macro] : core.package_macros["dbt"]) core.env->AddGlobal(name, macro);
    for (const auto& [name, macro] : core.package_macros[project.name]) {
      core.env->AddGlobal(name, macro);
    }
    for (const auto& [package, macros] : core.package_macros) {
      auto dict = std::make_shared<Dict>();
      for (const auto& [name, macro] : macros) dict->Set(name, macro);
      core.env->AddGlobal(package, Value::FromObject(std::make_shared<AttributeObject>(
                                       "MacroNamespace", std::move(dict))));
    }
    return Status::OK();
  }

  Result<CompiledNode> Compile(const std::string& unique_id, DbtAdapter& adapter,
                               const CompileRequest& request) override {
    CompilerCore* core = core_.get();
    const Node* node = core->project->FindNode(unique_id);
    if (node == nullptr) return Status::NotFound("no node '" + unique_id + "' in the project");
    if (node->unsupported) {
      return Status::NotSupported(node->unique_id + ": " + node->unsupported_reason);
    }
    CompiledNode out;
    out.unique_id = unique_id;
    out.depends_on_macros = node->depends_on_macros;
    auto state = std::make_shared<RenderState>();
    state->core = core;
    state->node = node;
    state->adapter = &adapter;
    state->request = request;
    state->config = node->config;
    state->ephemeral_stack.push_back(node->unique_id);
    if (node->resource_type != "seed" && !node->IsSource() && node->resource_type != "exposure") {
      STRATA_ASSIGN_OR_RETURN(std::string sql, internal::RenderNodeSql(state));
      out.compiled_code = internal::InjectCtes(sql, state->ctes);
      if (node->IsTest()) {
        const json& limit = state->config.value("limit", json());
        if (limit.is_number_integer()) {
          out.compiled_code += "\nlimit " + std::to_string(limit.get<int64_t>());
        }
      }
    }
    out.config = state->config;
    auto incremental = internal::IsIncremental(state.get());
    if (!incremental.ok()) return internal::WithNode(incremental.status(), node);
    out.is_incremental = *incremental;
    const Node* named = node;
    std::unique_ptr<Node> renamed;
    if (state->config.value("schema", json()) != node->config.value("schema", json()) ||
        state->config.value("alias", json()) != node->config.value("alias", json())) {
      // A config() call changed the name: recompute it from the rendered config.
      renamed = std::make_unique<Node>(*node);
      renamed->config = state->config;
      internal::ApplyConfigToNodeFields(renamed.get(), core->target_schema);
      renamed->unique_id += "#rendered";
      named = renamed.get();
    }
    auto names = internal::NodeNames(core, *named);
    if (!names.ok()) return names.status();
    out.schema = names->first;
    out.identifier = names->second;
    out.relation_name = RelationNameFor(*named, *names);
    for (const char* key : {"pre-hook", "post-hook"}) {
      const json& hooks = state->config.value(key, json::array());
      auto* target = std::string(key) == "pre-hook" ? &out.pre_hooks : &out.post_hooks;
      for (const auto& hook : hooks) {
        std::string sql = hook.is_string()   ? hook.get<std::string>()
                          : hook.is_object() ? hook.value("sql", std::string())
                                             : std::string();
        if (sql.empty()) continue;
        STRATA_ASSIGN_OR_RETURN(std::string rendered, RenderWith(state, sql, key));
        const bool after_commit = target == &out.post_hooks && hook.is_object() &&
                                  hook.value("transaction", json(true)) == json(false);
        (after_commit ? out.post_hooks_after_commit : *target).push_back(std::move(rendered));
      }
    }
    out.depends_on_nodes = state->depends_on_nodes;
    out.logs = state->logs;
    return out;
  }

  Result<std::string> RenderHook(const std::string& sql, const Node* node,
                                 DbtAdapter& adapter) override {
    return RenderHookWith(sql, node, adapter, json::object());
  }

  Result<std::string> RenderHookWith(const std::string& sql, const Node* node, DbtAdapter& adapter,
                                     const json& extra_context) override {
    auto state = std::make_shared<RenderState>();
    state->core = core_.get();
    state->node = node;
    state->adapter = &adapter;
    if (node != nullptr) state->config = node->config;
    return RenderWith(state, sql, node == nullptr ? "on-run hook" : "hook", extra_context);
  }

  std::string RelationName(const Node& node) const override {
    auto names = internal::NodeNames(core_.get(), node);
    if (!names.ok()) return "";
    return RelationNameFor(node, *names);
  }

 private:
  std::string RelationNameFor(const Node& node,
                              const std::pair<std::string, std::string>& names) const {
    if (node.resource_type == "analysis" || node.IsSource() || node.resource_type == "exposure" ||
        node.config.value("materialized", json("")) == json("ephemeral")) {
      return "";
    }
    if (node.IsTest()) {
      const json& store = node.config.value("store_failures", json());
      if (!store.is_boolean() || !store.get<bool>()) return "";
    }
    return internal::QuoteIdentifier(core_->database) + "." +
           internal::QuoteIdentifier(names.first) + "." + internal::QuoteIdentifier(names.second);
  }

  Result<std::string> RenderWith(const std::shared_ptr<RenderState>& state, const std::string& sql,
                                 const std::string& name,
                                 const json& extra_context = json::object()) {
    Value ctx = Value::MakeDict();
    STRATA_RETURN_IF_ERROR(internal::BuildRenderContext(state, ctx.as_dict().get()));
    if (extra_context.is_object()) {
      for (const auto& [key, value] : extra_context.items()) {
        ctx.as_dict()->Set(key, internal::JsonToValue(value));
      }
    }
    STRATA_ASSIGN_OR_RETURN(auto tmpl, core_->env->Compile(sql, name));
    auto out = tmpl->Render(ctx);
    if (!out.ok()) return internal::WithNode(out.status(), state->node);
    return out;
  }

  Value CompileMacro(const Macro& macro) {
    const std::string file = MacroDisplayPath(macro);
    auto tmpl =
        core_->env->Compile(internal::Padding(macro.line, macro.column) + macro.macro_sql, file);
    if (!tmpl.ok()) return FailingMacro(macro.name, tmpl.status());
    auto exported = (*tmpl)->Macros(Value::MakeDict());
    if (!exported.ok()) return FailingMacro(macro.name, exported.status());
    keep_.push_back(*tmpl);
    for (auto& [name, value] : *exported) {
      if (name == macro.name) return value;
    }
    return FailingMacro(
        macro.name, Status::InvalidArgument(file + ":" + std::to_string(macro.line) +
                                            ": no macro named '" + macro.name + "' in the block"));
  }

  std::string MacroDisplayPath(const Macro& macro) const {
    for (const auto& p : core_->project->packages) {
      if (p.name != macro.package_name) continue;
      Node probe;
      probe.package_root = p.root_dir;
      probe.original_file_path = macro.original_file_path;
      return internal::NodeDisplayPath(*core_->project, probe);
    }
    return macro.original_file_path;
  }

  // dbt_project.yml's `dispatch: [{macro_namespace, search_order}]`.
  void ReadDispatchConfig() {
    FileSystem* fs = core_->options.fs != nullptr ? core_->options.fs : FileSystem::Default();
    auto text = fs->ReadFile(JoinPath(core_->project->root_dir, "dbt_project.yml"));
    if (!text.ok()) return;
    auto yaml = ParseYaml(*text, "dbt_project.yml");
    if (!yaml.ok()) return;
    const YamlNode* dispatch = yaml->Find("dispatch");
    if (dispatch == nullptr || !dispatch->IsSequence()) return;
    for (const YamlNode& entry : dispatch->elements) {
      std::string ns;
      std::vector<std::string> order;
      const YamlNode* n = entry.Find("macro_namespace");
      const YamlNode* o = entry.Find("search_order");
      if (n == nullptr || !n->AsString(&ns) || o == nullptr || !o->AsStringList(&order)) continue;
      core_->dispatch_search_order[ns] = order;
    }
  }

  std::unique_ptr<CompilerCore> core_;
  std::vector<std::shared_ptr<const Template>> keep_;  // macro templates stay alive
};

}  // namespace

Result<std::unique_ptr<DbtCompiler>> DbtCompiler::Create(const DbtProject* project,
                                                         const DbtGraph* graph,
                                                         CompileOptions options) {
  if (project == nullptr) return Status::InvalidArgument("DbtCompiler needs a project");
  auto core = std::make_unique<CompilerCore>();
  core->project = project;
  core->graph = graph;
  core->options = std::move(options);
  auto compiler = std::make_unique<DbtCompilerImpl>(std::move(core));
  STRATA_RETURN_IF_ERROR(compiler->Init());
  return std::unique_ptr<DbtCompiler>(std::move(compiler));
}

}  // namespace strata::transform
