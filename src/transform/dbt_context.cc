// The per-render dbt context: ref, source, config, var, this, model,
// statement results, log, exceptions, builtins and the `adapter` object.
// Every value here closes over one RenderState, so concurrent renders never
// share mutable state.
#include <algorithm>
#include <cctype>
#include <ctime>

#include "transform/dbt_artifacts.h"
#include "transform/dbt_compile_internal.h"
#include "transform/dbt_internal.h"

namespace strata::transform {
// jinja_methods.cc: Python's str/list/dict methods (also declared in
// jinja_internal.h, which this file keeps out of its includes).
Value LookupMethod(const Value& obj, const std::string& name);
}  // namespace strata::transform

namespace strata::transform::internal {

using json = nlohmann::json;

namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// A positional-or-keyword argument as a string; empty when absent or None.
std::string StringArg(const CallArgs& a, size_t index, std::string_view name) {
  const Value* v = a.Get(index, name);
  if (v == nullptr || v->is_undefined() || v->is_none()) return "";
  return v->Str();
}

std::string NodeLabel(const RenderState& s) {
  return s.node == nullptr ? "on-run hook" : s.node->resource_type + " '" + s.node->unique_id + "'";
}

// "YYYY-MM-DD HH:MM:SS" (UTC) for microbatch window bounds.
std::string SqlTimestamp(int64_t micros) {
  time_t seconds = static_cast<time_t>(micros / 1'000'000);
  if (micros < 0 && micros % 1'000'000 != 0) --seconds;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

Result<Value> RefFunction(RenderState* s, CallArgs& a) {
  std::string package, name, version;
  if (a.positional.size() == 1) {
    name = a.positional[0].Str();
  } else if (a.positional.size() == 2) {
    package = a.positional[0].Str();
    name = a.positional[1].Str();
  } else {
    return Status::InvalidArgument("ref() takes one or two arguments ('package', 'name'), got " +
                                   std::to_string(a.positional.size()));
  }
  for (const char* key : {"v", "version"}) {
    if (const Value* v = a.Keyword(key); v != nullptr && !v->is_none() && !v->is_undefined())
      version = v->Str();
  }
  const Node* target = FindRefTarget(*s->core, s->node, package, name, version);
  if (target == nullptr) {
    std::string shown = package.empty() ? "'" + name + "'" : "'" + package + "." + name + "'";
    if (!version.empty()) shown += " (version " + version + ")";
    return Status::InvalidArgument(NodeLabel(*s) + " depends on a node named " + shown +
                                   " which was not found");
  }
  s->AddDependency(target->unique_id);
  if (target->resource_type == "model" &&
      target->config.value("materialized", json("")) == json("ephemeral")) {
    RelationParts cte;
    cte.type = "cte";
    cte.identifier = "__dbt__cte__" + target->name;
    if (s->core->options.execute) {
      STRATA_ASSIGN_OR_RETURN(cte.identifier, CompileEphemeralInto(s, *target));
    }
    return MakeRelation(std::move(cte));
  }
  STRATA_ASSIGN_OR_RETURN(Value relation, NodeRelation(s->core, *target));
  if (s->request.batch.has_value()) {
    const json& event_time = target->config.value("event_time", json());
    if (event_time.is_string()) {
      RelationParts parts = *AsRelation(relation);
      const std::string column = event_time.get<std::string>();
      parts.event_time_filter = column + " >= '" + SqlTimestamp(s->request.batch->start_micros) +
                                "' and " + column + " < '" +
                                SqlTimestamp(s->request.batch->end_micros) + "'";
      relation = MakeRelation(std::move(parts));
    }
  }
  if (s->request.empty) {
    RelationParts parts = *AsRelation(relation);
    parts.limit_zero = true;
    relation = MakeRelation(std::move(parts));
  }
  return relation;
}

Result<Value> SourceFunction(RenderState* s, CallArgs& a) {
  if (a.positional.size() != 2) {
    return Status::InvalidArgument("source() takes two arguments ('source_name', 'table_name')");
  }
  const std::string source = a.positional[0].Str(), table = a.positional[1].Str();
  auto it = s->core->sources.find({source, table});
  if (it == s->core->sources.end()) {
    return Status::InvalidArgument(NodeLabel(*s) + " depends on a source named '" + source + "." +
                                   table + "' which was not found");
  }
  const Node& node = *it->second;
  s->AddDependency(node.unique_id);
  RelationParts parts;
  parts.database = s->core->database;
  parts.schema = node.schema.empty() ? source : node.schema;
  parts.identifier = node.identifier.empty() ? node.name : node.identifier;
  parts.type = "table";
  if (s->request.batch.has_value()) {
    const json& event_time = node.config.value("event_time", json());
    if (event_time.is_string()) {
      const std::string column = event_time.get<std::string>();
      parts.event_time_filter = column + " >= '" + SqlTimestamp(s->request.batch->start_micros) +
                                "' and " + column + " < '" +
                                SqlTimestamp(s->request.batch->end_micros) + "'";
    }
  }
  parts.limit_zero = s->request.empty;
  return MakeRelation(std::move(parts));
}

// config(...) records configs; config.get / config.require read them.
class ConfigCallable : public Callable {
 public:
  explicit ConfigCallable(std::shared_ptr<RenderState> state) : state_(std::move(state)) {}
  Result<Value> Call(CallArgs& a) override {
    for (const Value& p : a.positional) {
      if (!p.is_dict())
        return Status::InvalidArgument("config() takes keyword arguments or a dict");
      for (const auto& [k, v] : p.as_dict()->items()) {
        STRATA_ASSIGN_OR_RETURN(json j, ValueToJsonData(v));
        Merge(k.Str(), j);
      }
    }
    for (const auto& [k, v] : a.keyword) {
      STRATA_ASSIGN_OR_RETURN(json j, ValueToJsonData(v));
      Merge(k, j);
    }
    return Value::String("");
  }
  // Hooks accumulate, but the loader already read this file's literal
  // config() call: a hook already present is not added twice.
  void Merge(const std::string& key, const json& value) {
    if (key == "pre_hook" || key == "post_hook" || key == "pre-hook" || key == "post-hook") {
      std::string normalized = key;
      std::replace(normalized.begin(), normalized.end(), '_', '-');
      const json existing = state_->config.value(normalized, json::array());
      json fresh = json::array();
      for (const auto& hook : value.is_array() ? value : json::array({value})) {
        if (std::find(existing.begin(), existing.end(), hook) == existing.end())
          fresh.push_back(hook);
      }
      if (!fresh.empty()) MergeConfigKey(&state_->config, normalized, fresh);
      return;
    }
    MergeConfigKey(&state_->config, key, value);
  }
  std::string Name() const override { return "config"; }
  Value GetAttr(std::string_view name) override {
    auto state = state_;
    auto lookup = [state](const std::string& key) -> const json* {
      std::string k = key;
      if (k == "pre_hook") k = "pre-hook";
      if (k == "post_hook") k = "post-hook";
      auto it = state->config.find(k);
      return it == state->config.end() ? nullptr : &*it;
    };
    if (name == "get") {
      return MakeFunction("get", [lookup](CallArgs& a) -> Result<Value> {
        const std::string key = StringArg(a, 0, "name");
        const json* v = lookup(key);
        if (v != nullptr && !v->is_null()) return JsonToValue(*v);
        const Value* fallback = a.Get(1, "default");
        return fallback == nullptr ? Value::None() : *fallback;
      });
    }
    if (name == "require") {
      return MakeFunction("require", [lookup](CallArgs& a) -> Result<Value> {
        const std::string key = StringArg(a, 0, "name");
        const json* v = lookup(key);
        if (v == nullptr || v->is_null())
          return Status::InvalidArgument("'" + key + "' is a required config, but was not set");
        return JsonToValue(*v);
      });
    }
    if (name == "set") {
      return MakeFunction("set", [state](CallArgs& a) -> Result<Value> {
        const Value* v = a.Get(1, "value");
        STRATA_ASSIGN_OR_RETURN(json j, ValueToJsonData(v == nullptr ? Value::None() : *v));
        MergeConfigKey(&state->config, StringArg(a, 0, "name"), j);
        return Value::String("");
      });
    }
    if (name == "meta_get") {
      return MakeFunction("meta_get", [state](CallArgs& a) -> Result<Value> {
        const json meta = state->config.value("meta", json::object());
        const std::string key = StringArg(a, 0, "name");
        if (meta.is_object() && meta.contains(key)) return JsonToValue(meta[key]);
        const Value* fallback = a.Get(1, "default");
        return fallback == nullptr ? Value::None() : *fallback;
      });
    }
    return Value::Undefined(std::string(name));
  }

 private:
  std::shared_ptr<RenderState> state_;
};

// var('name', default) and var.has_var('name').
class VarCallable : public Callable {
 public:
  VarCallable(const json* vars, std::string node_label)
      : vars_(vars), node_label_(std::move(node_label)) {}
  Result<Value> Call(CallArgs& a) override {
    const std::string name = StringArg(a, 0, "var_name");
    if (vars_ != nullptr && vars_->contains(name)) return JsonToValue((*vars_)[name]);
    if (const Value* fallback = a.Get(1, "default"); fallback != nullptr) return *fallback;
    return Status::InvalidArgument("Required var '" + name +
                                   "' not found in config:\nVars supplied to " + node_label_ +
                                   " = " + (vars_ ? vars_->dump() : "{}"));
  }
  std::string Name() const override { return "var"; }
  Value GetAttr(std::string_view name) override {
    if (name != "has_var") return Value::Undefined(std::string(name));
    const json* vars = vars_;
    return MakeFunction("has_var", [vars](CallArgs& a) -> Result<Value> {
      return Value::Bool(vars != nullptr && vars->contains(StringArg(a, 0, "var_name")));
    });
  }

 private:
  const json* vars_;
  std::string node_label_;
};

Result<RelationInfo> RelationArg(const CompilerCore& core, const CallArgs& a, size_t index,
                                 std::string_view name) {
  const Value* v = a.Get(index, name);
  const RelationParts* parts = v == nullptr ? nullptr : AsRelation(*v);
  if (parts == nullptr) {
    return Status::InvalidArgument("expected a Relation for argument '" + std::string(name) +
                                   "', got " + (v == nullptr ? "nothing" : v->TypeName()));
  }
  RelationInfo info;
  info.database = parts->database.empty() ? core.database : parts->database;
  info.schema = parts->schema;
  info.identifier = parts->identifier;
  info.kind = parts->type == "view" ? RelationInfo::Kind::kView : RelationInfo::Kind::kTable;
  return info;
}

Value RelationValue(const CompilerCore& core, const RelationInfo& info) {
  RelationParts parts;
  parts.database = info.database.empty() ? core.database : info.database;
  parts.schema = info.schema;
  parts.identifier = info.identifier;
  parts.type = info.kind == RelationInfo::Kind::kView ? "view" : "table";
  return MakeRelation(std::move(parts));
}

Result<List> ColumnsOf(RenderState* s, const RelationInfo& info) {
  auto columns = s->adapter->GetColumns(info);
  if (!columns.ok()) {
    if (columns.status().IsNotFound()) return List{};
    return columns.status();
  }
  List out;
  for (const ColumnInfo& c : *columns) out.push_back(MakeColumn(c.name, c.data_type));
  return out;
}

// dbt's `adapter`: what the database holds, and dispatch.
class AdapterObject : public Object {
 public:
  explicit AdapterObject(std::shared_ptr<RenderState> state) : state_(std::move(state)) {}
  Value GetAttr(std::string_view name) override {
    auto s = state_;
    CompilerCore* core = s->core;
    const std::string n(name);
    if (name == "dispatch") {
      return MakeFunction(n, [s, core](CallArgs& a) -> Result<Value> {
        const std::string package =
            s->node == nullptr ? core->project->name : s->node->package_name;
        return Dispatch(*core, package, StringArg(a, 0, "macro_name"),
                        StringArg(a, 1, "macro_namespace"));
      });
    }
    if (name == "type") {
      return MakeFunction(n, [](CallArgs&) -> Result<Value> { return Value::String("duckdb"); });
    }
    if (name == "quote") {
      return MakeFunction(n, [](CallArgs& a) -> Result<Value> {
        return Value::String(QuoteIdentifier(StringArg(a, 0, "identifier")));
      });
    }
    if (name == "get_relation") {
      return MakeFunction(n, [s, core](CallArgs& a) -> Result<Value> {
        if (!core->options.execute) return Value::None();
        STRATA_ASSIGN_OR_RETURN(auto rel, s->adapter->GetRelation(StringArg(a, 0, "database"),
                                                                  StringArg(a, 1, "schema"),
                                                                  StringArg(a, 2, "identifier")));
        if (!rel.has_value()) return Value::None();
        return RelationValue(*core, *rel);
      });
    }
    if (name == "load_relation") {
      return MakeFunction(n, [s, core](CallArgs& a) -> Result<Value> {
        if (!core->options.execute) return Value::None();
        STRATA_ASSIGN_OR_RETURN(RelationInfo info, RelationArg(*core, a, 0, "relation"));
        STRATA_ASSIGN_OR_RETURN(
            auto rel, s->adapter->GetRelation(info.database, info.schema, info.identifier));
        if (!rel.has_value()) return Value::None();
        return RelationValue(*core, *rel);
      });
    }
    if (name == "already_exists") {
      return MakeFunction(n, [s](CallArgs& a) -> Result<Value> {
        STRATA_ASSIGN_OR_RETURN(auto rel, s->adapter->GetRelation("", StringArg(a, 0, "schema"),
                                                                  StringArg(a, 1, "name")));
        return Value::Bool(rel.has_value());
      });
    }
    if (name == "get_columns_in_relation") {
      return MakeFunction(n, [s, core](CallArgs& a) -> Result<Value> {
        if (!core->options.execute) return Value::MakeList();
        STRATA_ASSIGN_OR_RETURN(RelationInfo info, RelationArg(*core, a, 0, "relation"));
        STRATA_ASSIGN_OR_RETURN(List columns, ColumnsOf(s.get(), info));
        return Value::MakeList(std::move(columns));
      });
    }
    if (name == "get_missing_columns") {
      return MakeFunction(n, [s, core](CallArgs& a) -> Result<Value> {
        STRATA_ASSIGN_OR_RETURN(RelationInfo from, RelationArg(*core, a, 0, "from_relation"));
        STRATA_ASSIGN_OR_RETURN(RelationInfo to, RelationArg(*core, a, 1, "to_relation"));
        STRATA_ASSIGN_OR_RETURN(auto from_columns, s->adapter->GetColumns(from));
        STRATA_ASSIGN_OR_RETURN(auto to_columns, s->adapter->GetColumns(to));
        List missing;
        for (const ColumnInfo& c : from_columns) {
          bool found = std::any_of(to_columns.begin(), to_columns.end(), [&](const ColumnInfo& t) {
            return Lower(t.name) == Lower(c.name);
          });
          if (!found) missing.push_back(MakeColumn(c.name, c.data_type));
        }
        return Value::MakeList(std::move(missing));
      });
    }
    if (name == "check_schema_exists") {
      return MakeFunction(n, [s](CallArgs& a) -> Result<Value> {
        std::string schema = StringArg(a, 1, "schema");
        std::string escaped;
        for (char c : schema) escaped += c == '\'' ? std::string("''") : std::string(1, c);
        auto table = s->adapter->Execute(
            "select count(*) from information_schema.schemata where lower(schema_name) = lower('" +
                escaped + "')",
            true);
        if (!table.ok() || table->rows.empty() || table->rows[0].empty()) return Value::Bool(false);
        return Value::Bool(EngineValueToJinja(table->rows[0][0]).Truthy());
      });
    }
    if (name == "create_schema") {
      return MakeFunction(n, [s, core](CallArgs& a) -> Result<Value> {
        STRATA_ASSIGN_OR_RETURN(RelationInfo info, RelationArg(*core, a, 0, "relation"));
        STRATA_RETURN_IF_ERROR(s->adapter->CreateSchema(info.schema));
        return Value::None();
      });
    }
    if (name == "drop_relation") {
      return MakeFunction(n, [s, core](CallArgs& a) -> Result<Value> {
        STRATA_ASSIGN_OR_RETURN(RelationInfo info, RelationArg(*core, a, 0, "relation"));
        STRATA_ASSIGN_OR_RETURN(
            auto existing, s->adapter->GetRelation(info.database, info.schema, info.identifier));
        if (!existing.has_value()) return Value::None();
        const char* kind = existing->kind == RelationInfo::Kind::kView ? "view" : "table";
        STRATA_RETURN_IF_ERROR(s->adapter
                                   ->Execute(std::string("drop ") + kind + " if exists " +
                                                 QuoteIdentifier(info.schema) + "." +
                                                 QuoteIdentifier(info.identifier),
                                             false)
                                   .status());
        return Value::None();
      });
    }
    if (name == "get_relations_by_pattern") {
      // dbt_utils' get_relations_by_pattern(schema_pattern, table_pattern,
      // exclude='', database=target.database), answered from the warehouse.
      return MakeFunction(n, [s, core](CallArgs& a) -> Result<Value> {
        if (!core->options.execute) return Value::MakeList();
        STRATA_ASSIGN_OR_RETURN(std::vector<RelationInfo> found,
                                s->adapter->ListRelations(StringArg(a, 0, "schema_pattern"),
                                                          StringArg(a, 1, "table_pattern"),
                                                          StringArg(a, 2, "exclude")));
        const std::string database = StringArg(a, 3, "database");
        List out;
        for (RelationInfo& info : found) {
          info.database = database;
          out.push_back(RelationValue(*core, info));
        }
        return Value::MakeList(std::move(out));
      });
    }
    if (name == "rename_relation") {
      return MakeFunction(n, [s, core](CallArgs& a) -> Result<Value> {
        STRATA_ASSIGN_OR_RETURN(RelationInfo from, RelationArg(*core, a, 0, "from_relation"));
        STRATA_ASSIGN_OR_RETURN(RelationInfo to, RelationArg(*core, a, 1, "to_relation"));
        STRATA_RETURN_IF_ERROR(s->adapter->RenameRelation(from, to));
        return Value::None();
      });
    }
    if (name == "expand_target_column_types" || name == "commit" || name == "cache_added" ||
        name == "cache_dropped") {
      return MakeFunction(n, [](CallArgs&) -> Result<Value> { return Value::None(); });
    }
    return Value::Undefined(n, "'adapter' has no attribute '" + n + "'");
  }
  std::string TypeName() const override { return "DuckDBAdapter"; }

 private:
  std::shared_ptr<RenderState> state_;
};

Value StatementResult(const QueryTable& table, bool fetch) {
  Value response = Value::MakeDict();
  const std::string message =
      table.rows_affected >= 0 ? "OK " + std::to_string(table.rows_affected) : "OK";
  response.as_dict()->Set("_message", Value::String(message));
  response.as_dict()->Set("code", Value::String("OK"));
  response.as_dict()->Set("rows_affected", Value::Int(table.rows_affected));
  QueryTable shown = fetch ? table : QueryTable{};
  Value agate = MakeAgateTable(shown);
  Value result = Value::MakeDict();
  result.as_dict()->Set("response", response);
  result.as_dict()->Set("table", agate);
  List rows;
  for (const auto& row : shown.rows) {
    List cells;
    for (const auto& cell : row) cells.push_back(EngineValueToJinja(cell));
    rows.push_back(Value::MakeTuple(std::move(cells)));
  }
  result.as_dict()->Set("data", Value::MakeList(std::move(rows)));
  return result;
}

}  // namespace

Value ModelValue(const RenderState& state);
Status AddRenderFunctions(const std::shared_ptr<RenderState>& state, Dict* ctx);

namespace {

// dbt's `model`: the node as the manifest writes it, built on first use
// (most models never read it, and building it costs more than the render).
class LazyModel : public Object {
 public:
  explicit LazyModel(std::shared_ptr<RenderState> state) : state_(std::move(state)) {}
  Value GetAttr(std::string_view name) override {
    const Value& dict = Get();
    if (const Value* v = dict.as_dict()->Find(name)) return *v;
    Value method = LookupMethod(dict, std::string(name));
    if (!method.is_undefined()) return method;
    return Value::Undefined(std::string(name),
                            "'dict object' has no attribute '" + std::string(name) + "'");
  }
  Result<Value> GetItem(const Value& key) override {
    const Value& dict = Get();
    if (const Value* v = dict.as_dict()->Find(key)) return *v;
    return Value::Undefined(key.Str());
  }
  std::string TypeName() const override { return "dict"; }
  std::string Str() const override { return Get().Str(); }

 private:
  const Value& Get() const {
    if (value_.is_undefined()) value_ = ModelValue(*state_);
    return value_;
  }
  std::shared_ptr<RenderState> state_;
  mutable Value value_;
};

}  // namespace

void RenderState::AddDependency(const std::string& id) {
  if (std::find(depends_on_nodes.begin(), depends_on_nodes.end(), id) == depends_on_nodes.end())
    depends_on_nodes.push_back(id);
}

Status BuildRenderContext(const std::shared_ptr<RenderState>& state, Dict* ctx) {
  CompilerCore* core = state->core;
  RenderState* s = state.get();
  auto set = [&](const char* name, Value v) {
    // A root-project macro of the same name (a custom `ref`, say) wins, as
    // in dbt; the original stays reachable through `builtins`.
    if (core->root_macro_names.count(name) != 0) return;
    ctx->Set(name, std::move(v));
  };
  Value ref = MakeFunction("ref", [state](CallArgs& a) { return RefFunction(state.get(), a); });
  Value source =
      MakeFunction("source", [state](CallArgs& a) { return SourceFunction(state.get(), a); });
  Value config = Value::FromCallable(std::make_shared<ConfigCallable>(state));
  set("ref", ref);
  set("source", source);
  set("config", config);
  Value builtins = Value::MakeDict();
  builtins.as_dict()->Set("ref", ref);
  builtins.as_dict()->Set("source", source);
  builtins.as_dict()->Set("config", config);
  ctx->Set("builtins", builtins);

  const std::string package = s->node == nullptr ? core->project->name : s->node->package_name;
  auto vars = core->vars.find(package);
  const std::string label = s->node == nullptr ? "on-run hooks" : s->node->unique_id;
  set("var", Value::FromCallable(std::make_shared<VarCallable>(
                 vars == core->vars.end() ? nullptr : &vars->second, label)));
  ctx->Set("execute", Value::Bool(core->options.execute));
  ctx->Set("adapter", Value::FromObject(std::make_shared<AdapterObject>(state)));

  // A package's own macros come first for its nodes (dbt's local namespace).
  if (s->node != nullptr && package != core->project->name) {
    auto it = core->package_macros.find(package);
    if (it != core->package_macros.end()) {
      for (const auto& [name, macro] : it->second) ctx->Set(name, macro);
    }
  }
  if (s->node != nullptr && !s->for_naming) {
    const Node& node = *s->node;
    if (node.resource_type != "analysis") {
      STRATA_ASSIGN_OR_RETURN(Value self, NodeRelation(core, node));
      ctx->Set("this", self);
    }
    ctx->Set("model", Value::FromObject(std::make_shared<LazyModel>(state)));
  }
  return AddRenderFunctions(state, ctx);
}

Value ModelValue(const RenderState& state) {
  const RenderState* s = &state;
  json manifest = NodeToManifestJson(*s->node);
  manifest["config"] = s->config;
  Value model = JsonToValue(manifest);
  {
    if (s->request.batch.has_value()) {
      Value batch = Value::MakeDict();
      const auto& w = *s->request.batch;
      // dbt's batch id: the start formatted to the batch size (%Y%m%d for days).
      const std::string start = SqlTimestamp(w.start_micros);
      const std::string size = s->config.value("batch_size", json("day")).is_string()
                                   ? s->config.value("batch_size", json("day")).get<std::string>()
                                   : "day";
      std::string id = start.substr(0, 4);
      if (size != "year") id += start.substr(5, 2);
      if (size == "day" || size == "hour") id += start.substr(8, 2);
      if (size == "hour") id += start.substr(11, 2);
      batch.as_dict()->Set("id", Value::String(id));
      batch.as_dict()->Set("event_time_start", Value::String(SqlTimestamp(w.start_micros)));
      batch.as_dict()->Set("event_time_end", Value::String(SqlTimestamp(w.end_micros)));
      model.as_dict()->Set("batch", batch);
    }
  }
  return model;
}

Status AddRenderFunctions(const std::shared_ptr<RenderState>& state, Dict* ctx) {
  ctx->Set("__strata_is_incremental",
           MakeFunction("is_incremental", [state](CallArgs&) -> Result<Value> {
             STRATA_ASSIGN_OR_RETURN(bool incremental, IsIncremental(state.get()));
             return Value::Bool(incremental);
           }));
  ctx->Set("__strata_run_query", MakeFunction("run_query", [state](CallArgs& a) -> Result<Value> {
             if (!state->core->options.execute) return Value::None();
             STRATA_ASSIGN_OR_RETURN(QueryTable t,
                                     state->adapter->Execute(StringArg(a, 0, "sql"), true));
             return MakeAgateTable(t);
           }));
  ctx->Set("__strata_statement", MakeFunction("statement", [state](CallArgs& a) -> Result<Value> {
             const std::string name = StringArg(a, 0, "name");
             const bool fetch =
                 a.Get(2, "fetch_result") != nullptr && a.Get(2, "fetch_result")->Truthy();
             STRATA_ASSIGN_OR_RETURN(QueryTable t,
                                     state->adapter->Execute(StringArg(a, 1, "sql"), fetch));
             if (!name.empty()) state->statement_results[name] = StatementResult(t, fetch);
             return Value::None();
           }));
  ctx->Set("__strata_store_result",
           MakeFunction("store_result", [state](CallArgs& a) -> Result<Value> {
             QueryTable t;
             if (const Value* r = a.Get(3, "rows_affected"); r != nullptr && r->is_int())
               t.rows_affected = r->as_int();
             state->statement_results[StringArg(a, 0, "name")] = StatementResult(t, false);
             return Value::None();
           }));
  ctx->Set("load_result", MakeFunction("load_result", [state](CallArgs& a) -> Result<Value> {
             auto it = state->statement_results.find(StringArg(a, 0, "name"));
             return it == state->statement_results.end() ? Value::None() : it->second;
           }));
  auto logger = [state](const char* fn) {
    return MakeFunction(fn, [state](CallArgs& a) -> Result<Value> {
      state->logs.push_back(a.positional.empty() ? "" : a.positional[0].Str());
      return Value::String("");
    });
  };
  ctx->Set("log", logger("log"));
  ctx->Set("print", logger("print"));

  Value exceptions = Value::MakeDict();
  auto raiser = [](const char* fn, const char* prefix) {
    return MakeFunction(fn, [prefix](CallArgs& a) -> Result<Value> {
      return Status::InvalidArgument(
          prefix + (a.positional.empty() ? std::string() : a.positional[0].Str()));
    });
  };
  exceptions.as_dict()->Set("raise_compiler_error", raiser("raise_compiler_error", ""));
  exceptions.as_dict()->Set("raise_not_implemented",
                            raiser("raise_not_implemented", "Not implemented: "));
  exceptions.as_dict()->Set("raise_database_error",
                            raiser("raise_database_error", "Database Error: "));
  exceptions.as_dict()->Set("raise_fail_fast_error",
                            raiser("raise_fail_fast_error", "Fail fast: "));
  exceptions.as_dict()->Set(
      "warn", MakeFunction("warn", [state](CallArgs& a) -> Result<Value> {
        state->logs.push_back("[WARNING]: " + (a.positional.empty() ? "" : a.positional[0].Str()));
        return Value::String("");
      }));
  ctx->Set("exceptions", exceptions);
  return Status::OK();
}

Result<Value> Dispatch(const CompilerCore& core, const std::string& package,
                       const std::string& macro_name, const std::string& macro_namespace) {
  if (macro_name.empty()) return Status::InvalidArgument("adapter.dispatch() needs a macro_name");
  // dbt's order: the project's `dispatch:` search order for the namespace;
  // else, for an installed package, the root project then the package; else
  // the calling node's flat namespace. In each, `duckdb__` then `default__`.
  std::vector<std::string> search;  // "" means the flat namespace
  auto configured = core.dispatch_search_order.find(macro_namespace);
  if (!macro_namespace.empty() && configured != core.dispatch_search_order.end()) {
    search = configured->second;
  } else if (!macro_namespace.empty() && macro_namespace != "dbt" &&
             core.package_macros.count(macro_namespace) != 0 &&
             macro_namespace != core.project->name) {
    search = {core.project->name, macro_namespace};
  } else if (!macro_namespace.empty() && macro_namespace != "dbt") {
    search = {macro_namespace};
  } else {
    search = {""};
  }
  std::string searched;
  for (const std::string& pkg : search) {
    for (const char* prefix : {"duckdb__", "default__"}) {
      const std::string name = prefix + macro_name;
      Value macro;
      if (pkg.empty()) {
        macro = LookupMacro(core, package, name);
      } else if (auto it = core.package_macros.find(pkg); it != core.package_macros.end()) {
        if (auto m = it->second.find(name); m != it->second.end()) macro = m->second;
      }
      if (!macro.is_undefined()) return macro;
      if (!searched.empty()) searched += ", ";
      searched += "'" + (pkg.empty() ? std::string() : pkg + ".") + name + "'";
    }
  }
  return Status::NotFound("In dispatch: No macro named '" + macro_name +
                          "' found within namespace: '" + macro_namespace +
                          "'\n    Searched for: " + searched);
}

Value LookupMacro(const CompilerCore& core, const std::string& package, const std::string& name) {
  for (const std::string& pkg : {package, core.project->name, std::string("dbt")}) {
    auto it = core.package_macros.find(pkg);
    if (it == core.package_macros.end()) continue;
    auto m = it->second.find(name);
    if (m != it->second.end()) return m->second;
  }
  return Value::Undefined(name);
}

const Node* FindRefTarget(const CompilerCore& core, const Node* from, const std::string& package,
                          const std::string& name, const std::string& version) {
  std::vector<std::string> packages;
  if (!package.empty()) {
    packages = {package};
  } else {
    if (from != nullptr) packages.push_back(from->package_name);
    packages.push_back(core.project->name);
    for (const auto& p : core.project->packages) packages.push_back(p.name);
  }
  for (const auto& pkg : packages) {
    auto it = core.refable.find({pkg, name});
    if (it == core.refable.end()) continue;
    for (const Node* candidate : it->second) {
      if (candidate->version.empty()) return candidate;
      const std::string& wanted = version.empty() ? candidate->latest_version : version;
      if (candidate->version == wanted) return candidate;
    }
  }
  return nullptr;
}

}  // namespace strata::transform::internal
