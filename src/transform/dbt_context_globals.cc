// The dbt context values every render of a compiler shares: target, env_var,
// flags, api, graph, invocation_id, run_started_at, project_name, zip, set,
// tojson/fromjson, toyaml/fromyaml, local_md5, doc, selected_resources.
// All are immutable after Create (graph is built once, on first use).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "transform/dbt_artifacts.h"
#include "transform/dbt_compile_internal.h"
#include "transform/dbt_internal.h"
#include "transform/dbt_yaml.h"

namespace strata::transform::internal {

using json = nlohmann::json;

namespace {

std::string StringArg(const CallArgs& a, size_t index, std::string_view name) {
  const Value* v = a.Get(index, name);
  if (v == nullptr || v->is_undefined() || v->is_none()) return "";
  return v->Str();
}

// dbt's `graph`: nodes, sources, exposures as the manifest writes them,
// built on first use (most projects never read it).
class GraphObject : public Object {
 public:
  explicit GraphObject(CompilerCore* core) : core_(core) {}
  Value GetAttr(std::string_view name) override {
    std::call_once(core_->graph_once, [this] {
      Value nodes = Value::MakeDict(), sources = Value::MakeDict(), exposures = Value::MakeDict();
      for (const auto& [id, node] : core_->project->nodes) {
        Value v = JsonToValue(NodeToManifestJson(node));
        if (node.IsSource()) {
          sources.as_dict()->Set(id, v);
        } else if (node.resource_type == "exposure") {
          exposures.as_dict()->Set(id, v);
        } else {
          nodes.as_dict()->Set(id, v);
        }
      }
      Value graph = Value::MakeDict();
      graph.as_dict()->Set("nodes", nodes);
      graph.as_dict()->Set("sources", sources);
      graph.as_dict()->Set("exposures", exposures);
      for (const char* empty : {"metrics", "groups", "semantic_models", "saved_queries"})
        graph.as_dict()->Set(empty, Value::MakeDict());
      core_->graph_value = graph;
    });
    if (const Value* v = core_->graph_value.as_dict()->Find(name)) return *v;
    return Value::Undefined(std::string(name));
  }
  Result<Value> GetItem(const Value& key) override {
    if (key.is_string()) return GetAttr(key.as_string());
    return Value::Undefined(key.Str());
  }
  std::string TypeName() const override { return "dict"; }

 private:
  CompilerCore* core_;
};

void EmitYaml(const Value& v, int indent, std::string* out);

bool IsScalar(const Value& v) { return !v.is_dict() && !v.is_sequence(); }

std::string YamlScalar(const Value& v) {
  if (v.is_none()) return "null";
  if (v.is_bool()) return v.as_bool() ? "true" : "false";
  if (v.is_int() || v.is_float()) return v.Str();
  const std::string s = v.Str();
  bool plain = !s.empty() && s.find_first_of(":#{}[],&*!|>'\"%@`\n") == std::string::npos &&
               s.front() != ' ' && s.back() != ' ' && s.front() != '-' && s.front() != '?';
  static const char* kReserved[] = {"null", "true", "false", "yes", "no", "on", "off", "~"};
  for (const char* r : kReserved) {
    if (s == r) plain = false;
  }
  if (plain && (std::isdigit(static_cast<unsigned char>(s.front())) || s.front() == '.')) {
    plain = false;
  }
  if (plain) return s;
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("''") : std::string(1, c);
  return q + "'";
}

// Block-style YAML as yaml.safe_dump(sort_keys=False) writes simple data.
void EmitYaml(const Value& v, int indent, std::string* out) {
  const std::string pad(static_cast<size_t>(indent), ' ');
  if (v.is_dict()) {
    if (v.as_dict()->size() == 0) {
      *out += "{}\n";
      return;
    }
    for (const auto& [k, item] : v.as_dict()->items()) {
      *out += pad + YamlScalar(k) + ":";
      if (IsScalar(item)) {
        *out += " " + YamlScalar(item) + "\n";
      } else if ((item.is_dict() && item.as_dict()->size() == 0) ||
                 (item.is_sequence() && item.as_list()->empty())) {
        *out += item.is_dict() ? " {}\n" : " []\n";
      } else {
        *out += "\n";
        EmitYaml(item, item.is_dict() ? indent + 2 : indent, out);
      }
    }
  } else if (v.is_sequence()) {
    if (v.as_list()->empty()) {
      *out += "[]\n";
      return;
    }
    for (const Value& item : *v.as_list()) {
      if (IsScalar(item)) {
        *out += pad + "- " + YamlScalar(item) + "\n";
      } else {
        std::string nested;
        EmitYaml(item, indent + 2, &nested);
        *out += pad + "- " + nested.substr(static_cast<size_t>(indent) + 2);
      }
    }
  } else {
    *out += YamlScalar(v) + "\n";
  }
}

// modules.datetime.datetime(...) for run_started_at, built by the engine
// itself so it behaves like any datetime a template makes.
Result<Value> MakeRunStartedAt(CompilerCore* core) {
  const int64_t micros = core->options.run_started_at_micros;
  time_t seconds = static_cast<time_t>(micros / 1'000'000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  auto captured = std::make_shared<Value>();
  core->env->AddGlobal("__strata_capture", MakeFunction("capture", [captured](CallArgs& a) {
                         *captured = a.positional.empty() ? Value::None() : a.positional[0];
                         return Result<Value>(Value::String(""));
                       }));
  char call[160];
  std::snprintf(
      call, sizeof call,
      "{%% do __strata_capture(modules.datetime.datetime(%d, %d, %d, %d, %d, %d, %lld)) %%}",
      tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
      static_cast<long long>(micros % 1'000'000));
  STRATA_ASSIGN_OR_RETURN(auto tmpl, core->env->Compile(call, "run_started_at"));
  STRATA_RETURN_IF_ERROR(tmpl->Render(Value::MakeDict()).status());
  return *captured;
}

// Python's iteration for zip() and set(): lists, tuples, dict keys, strings.
Result<List> Items(const Value& v) {
  if (v.is_sequence()) return *v.as_list();
  if (v.is_dict()) {
    List keys;
    for (const auto& [k, item] : v.as_dict()->items()) keys.push_back(k);
    return keys;
  }
  if (v.is_string()) {
    List chars;
    for (char c : v.as_string()) chars.push_back(Value::String(std::string(1, c)));
    return chars;
  }
  if (v.is_undefined()) return List{};
  return Status::InvalidArgument("'" + v.TypeName() + "' object is not iterable");
}

}  // namespace

void RegisterCompilerGlobals(CompilerCore* core) {
  Environment& env = *core->env;
  const DbtProject& project = *core->project;
  const CompileOptions& options = core->options;

  Value target = Value::MakeDict();
  if (project.target.has_value()) {
    const ProfileTarget& t = *project.target;
    for (const auto& [k, v] : t.rendered.items()) target.as_dict()->Set(k, JsonToValue(v));
    target.as_dict()->Set("name", Value::String(t.target_name));
    target.as_dict()->Set("target_name", Value::String(t.target_name));
    target.as_dict()->Set("profile_name", Value::String(t.profile_name));
    target.as_dict()->Set("type", Value::String("duckdb"));
    target.as_dict()->Set("schema", Value::String(t.schema));
    target.as_dict()->Set("database", Value::String(core->database));
    target.as_dict()->Set("threads", Value::Int(t.threads));
    target.as_dict()->Set("path", Value::String(t.path));
  } else {
    target.as_dict()->Set("name", Value::String("default"));
    target.as_dict()->Set("type", Value::String("duckdb"));
    target.as_dict()->Set("schema", Value::String(core->target_schema));
    target.as_dict()->Set("database", Value::String(core->database));
    target.as_dict()->Set("threads", Value::Int(1));
  }
  env.AddGlobal("target", target);
  env.AddGlobal("database", Value::String(core->database));
  env.AddGlobal("schema", Value::String(core->target_schema));
  env.AddGlobal("project_name", Value::String(project.name));
  env.AddGlobal("dbt_version", Value::String(kCompatibleDbtVersion));
  env.AddGlobal("invocation_id", Value::String(options.invocation_id));
  if (auto started = MakeRunStartedAt(core); started.ok()) {
    env.AddGlobal("run_started_at", *started);
  }

  Value flags = Value::MakeDict();
  flags.as_dict()->Set("FULL_REFRESH", Value::Bool(options.full_refresh));
  flags.as_dict()->Set("WHICH", Value::String(options.which));
  flags.as_dict()->Set("STORE_FAILURES", Value::Bool(false));
  flags.as_dict()->Set("WARN_ERROR", Value::Bool(false));
  flags.as_dict()->Set("USE_COLORS", Value::Bool(false));
  flags.as_dict()->Set("EMPTY", Value::Bool(false));
  env.AddGlobal("flags", flags);

  List selected;
  for (const auto& id : options.selected_resources) selected.push_back(Value::String(id));
  env.AddGlobal("selected_resources", Value::MakeList(std::move(selected)));

  auto lookup_env = options.env;
  env.AddGlobal(
      "env_var", MakeFunction("env_var", [lookup_env](CallArgs& a) -> Result<Value> {
        const std::string name = StringArg(a, 0, "var");
        std::optional<std::string> value;
        if (lookup_env) {
          value = lookup_env(name);
        } else if (const char* v = std::getenv(name.c_str()); v != nullptr) {
          value = v;
        }
        if (value.has_value()) return Value::String(*value);
        if (const Value* fallback = a.Get(1, "default"); fallback != nullptr) return *fallback;
        return Status::InvalidArgument("Env var required but not provided: '" + name + "'");
      }));

  // api.Relation.create(...), api.Column.create / translate_type.
  Value relation_api = Value::MakeDict();
  const std::string database = core->database;
  relation_api.as_dict()->Set("create",
                              MakeFunction("create", [database](CallArgs& a) -> Result<Value> {
                                RelationParts parts;
                                parts.database = StringArg(a, 0, "database");
                                if (parts.database.empty()) parts.database = database;
                                parts.schema = StringArg(a, 1, "schema");
                                parts.identifier = StringArg(a, 2, "identifier");
                                parts.type = StringArg(a, 3, "type");
                                return MakeRelation(std::move(parts));
                              }));
  Value column_api = Value::MakeDict();
  column_api.as_dict()->Set("create", MakeFunction("create", [](CallArgs& a) -> Result<Value> {
                              return MakeColumn(StringArg(a, 0, "name"), StringArg(a, 1, "dtype"));
                            }));
  column_api.as_dict()->Set(
      "translate_type", MakeFunction("translate_type", [](CallArgs& a) -> Result<Value> {
        std::string t = StringArg(a, 0, "dtype");
        std::string upper;
        for (char c : t) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (upper == "STRING" || upper == "TEXT") return Value::String("VARCHAR");
        if (upper == "FLOAT") return Value::String("DOUBLE");
        return Value::String(upper);
      }));
  column_api.as_dict()->Set(
      "numeric_type", MakeFunction("numeric_type", [](CallArgs& a) -> Result<Value> {
        const std::string dtype = StringArg(a, 0, "dtype");
        const Value* precision = a.Get(1, "precision");
        const Value* scale = a.Get(2, "scale");
        if (precision == nullptr || precision->is_none() || scale == nullptr || scale->is_none())
          return Value::String(dtype);
        return Value::String(dtype + "(" + precision->Str() + "," + scale->Str() + ")");
      }));
  Value api = Value::MakeDict();
  api.as_dict()->Set("Relation", relation_api);
  api.as_dict()->Set("Column", column_api);
  env.AddGlobal("api", api);

  env.AddGlobal("graph", Value::FromObject(std::make_shared<GraphObject>(core)));

  env.AddGlobal("zip", MakeFunction("zip", [](CallArgs& a) -> Result<Value> {
                  std::vector<List> lists;
                  size_t n = SIZE_MAX;
                  for (const Value& v : a.positional) {
                    STRATA_ASSIGN_OR_RETURN(List items, Items(v));
                    n = std::min(n, items.size());
                    lists.push_back(std::move(items));
                  }
                  if (lists.empty()) n = 0;
                  List out;
                  for (size_t i = 0; i < n; ++i) {
                    List tuple;
                    for (const auto& l : lists) tuple.push_back(l[i]);
                    out.push_back(Value::MakeTuple(std::move(tuple)));
                  }
                  return Value::MakeList(std::move(out));
                }));
  env.AddGlobal("set", MakeFunction("set", [](CallArgs& a) -> Result<Value> {
                  List out;
                  if (a.positional.empty()) return Value::MakeList();
                  STRATA_ASSIGN_OR_RETURN(List items, Items(a.positional[0]));
                  for (const Value& v : items) {
                    if (std::none_of(out.begin(), out.end(),
                                     [&](const Value& o) { return ValuesEqual(o, v); }))
                      out.push_back(v);
                  }
                  return Value::MakeList(std::move(out));
                }));
  env.AddGlobal("tojson", MakeFunction("tojson", [](CallArgs& a) -> Result<Value> {
                  if (a.positional.empty())
                    return Status::InvalidArgument("tojson() needs a value");
                  auto text = ValueToJson(a.positional[0], -1);
                  if (!text.ok()) {
                    const Value* fallback = a.Get(1, "default");
                    if (fallback != nullptr) return *fallback;
                    return text.status();
                  }
                  return Value::String(*text);
                }));
  env.AddGlobal("fromjson", MakeFunction("fromjson", [](CallArgs& a) -> Result<Value> {
                  auto v = ValueFromJson(StringArg(a, 0, "string"));
                  if (!v.ok()) {
                    if (const Value* fallback = a.Get(1, "default"); fallback != nullptr)
                      return *fallback;
                    return v.status();
                  }
                  return *v;
                }));
  env.AddGlobal("toyaml", MakeFunction("toyaml", [](CallArgs& a) -> Result<Value> {
                  std::string out;
                  if (!a.positional.empty()) EmitYaml(a.positional[0], 0, &out);
                  return Value::String(out);
                }));
  env.AddGlobal("fromyaml", MakeFunction("fromyaml", [](CallArgs& a) -> Result<Value> {
                  auto node = ParseYaml(StringArg(a, 0, "value"), "fromyaml");
                  if (!node.ok()) {
                    if (const Value* fallback = a.Get(1, "default"); fallback != nullptr)
                      return *fallback;
                    return node.status();
                  }
                  return JsonToValue(node->ToJson());
                }));
  env.AddGlobal("local_md5", MakeFunction("local_md5", [](CallArgs& a) -> Result<Value> {
                  return Value::String(Md5Hex(StringArg(a, 0, "value")));
                }));
  const DbtProject* p = core->project;
  env.AddGlobal("doc", MakeFunction("doc", [p](CallArgs& a) -> Result<Value> {
                  std::string package, name;
                  if (a.positional.size() == 2) {
                    package = a.positional[0].Str();
                    name = a.positional[1].Str();
                  } else if (a.positional.size() == 1) {
                    name = a.positional[0].Str();
                  } else {
                    return Status::InvalidArgument("doc() takes one or two arguments");
                  }
                  for (const auto& [id, block] : p->docs) {
                    if (block.name == name && (package.empty() || block.package_name == package))
                      return Value::String(block.block_contents);
                  }
                  return Status::InvalidArgument("Documentation for '" + name + "' was not found");
                }));
}

}  // namespace strata::transform::internal
