// dbt's config resolution: defaults per resource type, the `models:`/`seeds:`/
// `snapshots:`/`tests:` hierarchies of dbt_project.yml walked along a node's
// fqn, and the merge rules that make tags, meta and hooks accumulate.
#include <algorithm>
#include <array>

#include "transform/dbt_internal.h"

namespace strata::transform::internal {
namespace {

using json = nlohmann::json;

// dbt's MergeBehavior.Append fields.
bool IsAppendKey(std::string_view key) {
  return key == "tags" || key == "pre-hook" || key == "post-hook" || key == "packages";
}

// dbt's MergeBehavior.Update (dict-merged) fields.
bool IsUpdateKey(std::string_view key) {
  static constexpr std::array<std::string_view, 8> kKeys = {
      "meta", "quoting", "column_types", "docs", "contract", "grants", "persist_docs", "labels"};
  return std::find(kKeys.begin(), kKeys.end(), key) != kKeys.end();
}

json HookList(const json& value) {
  json out = json::array();
  auto add = [&out](const json& hook) {
    if (hook.is_string()) {
      out.push_back({{"sql", hook}, {"transaction", true}, {"index", nullptr}});
    } else if (hook.is_object()) {
      auto sql = hook.find("sql");
      auto transaction = hook.find("transaction");
      json h = {
          {"sql", sql != hook.end() && sql->is_string() ? *sql : json("")},
          {"transaction",
           transaction != hook.end() && transaction->is_boolean() ? *transaction : json(true)},
          {"index", nullptr}};
      out.push_back(h);
    }
  };
  if (value.is_array()) {
    for (const auto& h : value) add(h);
  } else if (!value.is_null()) {
    add(value);
  }
  return out;
}

json AsList(const json& value) {
  if (value.is_null()) return json::array();
  if (value.is_array()) return value;
  return json::array({value});
}

// Yields the config dicts along `fqn` below `root`, dbt's fqn_search: a
// "+key" or a non-dict plain value is a config; a plain dict is a folder.
void ApplyHierarchy(const YamlNode* root, const std::vector<std::string>& fqn, json* config) {
  const YamlNode* level = root;
  size_t depth = 0;
  while (level != nullptr && level->IsMap()) {
    for (const auto& [key, value] : level->entries) {
      if (!key.empty() && key[0] == '+') {
        MergeConfigKey(config, key, value.ToJson());
      } else if (!value.IsMap()) {
        MergeConfigKey(config, key, value.ToJson());
      }
    }
    if (depth >= fqn.size()) break;
    const YamlNode* next = level->Find(fqn[depth]);
    ++depth;
    level = (next != nullptr && next->IsMap()) ? next : nullptr;
  }
}

}  // namespace

json DefaultConfig(const std::string& resource_type) {
  json c = {{"enabled", true},     {"alias", nullptr},      {"schema", nullptr},
            {"database", nullptr}, {"tags", json::array()}, {"meta", json::object()}};
  if (resource_type == "source" || resource_type == "exposure") {
    return {{"enabled", true}};
  }
  if (resource_type == "test") {
    c["schema"] = "dbt_test__audit";
    c["materialized"] = "test";
    c["severity"] = "ERROR";
    c["store_failures"] = nullptr;
    c["store_failures_as"] = nullptr;
    c["where"] = nullptr;
    c["limit"] = nullptr;
    c["fail_calc"] = "count(*)";
    c["warn_if"] = "!= 0";
    c["error_if"] = "!= 0";
    c["group"] = nullptr;
    return c;
  }
  c["group"] = nullptr;
  c["materialized"] = resource_type == "seed"       ? "seed"
                      : resource_type == "snapshot" ? "snapshot"
                                                    : "view";
  c["incremental_strategy"] = nullptr;
  c["persist_docs"] = json::object();
  c["post-hook"] = json::array();
  c["pre-hook"] = json::array();
  c["quoting"] = json::object();
  c["column_types"] = json::object();
  c["full_refresh"] = nullptr;
  c["unique_key"] = nullptr;
  c["on_schema_change"] = "ignore";
  c["on_configuration_change"] = "apply";
  c["grants"] = json::object();
  c["packages"] = json::array();
  c["docs"] = {{"show", true}, {"node_color", nullptr}};
  c["contract"] = {{"enforced", false}, {"alias_types", true}};
  if (resource_type == "model") c["access"] = "protected";
  if (resource_type == "seed") {
    c["delimiter"] = ",";
    c["quote_columns"] = nullptr;
  }
  if (resource_type == "snapshot") {
    c["strategy"] = nullptr;
    c["target_schema"] = nullptr;
    c["target_database"] = nullptr;
    c["updated_at"] = nullptr;
    c["check_cols"] = nullptr;
  }
  return c;
}

bool IsKnownConfigKey(std::string_view key) {
  static constexpr std::array<std::string_view, 44> kKeys = {"enabled",
                                                             "materialized",
                                                             "schema",
                                                             "database",
                                                             "alias",
                                                             "tags",
                                                             "meta",
                                                             "docs",
                                                             "persist_docs",
                                                             "pre-hook",
                                                             "post-hook",
                                                             "pre_hook",
                                                             "post_hook",
                                                             "quoting",
                                                             "column_types",
                                                             "full_refresh",
                                                             "unique_key",
                                                             "incremental_strategy",
                                                             "on_schema_change",
                                                             "on_configuration_change",
                                                             "grants",
                                                             "packages",
                                                             "contract",
                                                             "group",
                                                             "access",
                                                             "quote_columns",
                                                             "delimiter",
                                                             "strategy",
                                                             "updated_at",
                                                             "check_cols",
                                                             "target_schema",
                                                             "target_database",
                                                             "severity",
                                                             "store_failures",
                                                             "store_failures_as",
                                                             "where",
                                                             "limit",
                                                             "fail_calc",
                                                             "warn_if",
                                                             "error_if",
                                                             "event_time",
                                                             "incremental_predicates",
                                                             "sql_header",
                                                             "invalidate_hard_deletes"};
  return std::find(kKeys.begin(), kKeys.end(), key) != kKeys.end();
}

void MergeConfigKey(json* config, std::string key, const json& value) {
  if (!key.empty() && key[0] == '+') key.erase(0, 1);
  if (key == "pre_hook") key = "pre-hook";
  if (key == "post_hook") key = "post-hook";
  if (key == "pre-hook" || key == "post-hook") {
    json& list = (*config)[key];
    if (!list.is_array()) list = json::array();
    for (auto& hook : HookList(value)) list.push_back(std::move(hook));
    return;
  }
  if (IsAppendKey(key)) {
    json& list = (*config)[key];
    if (!list.is_array()) list = json::array();
    for (const auto& item : AsList(value)) {
      // dbt keeps tags unique in first-seen order.
      if (key == "tags" && std::find(list.begin(), list.end(), item) != list.end()) continue;
      list.push_back(item);
    }
    return;
  }
  if (IsUpdateKey(key) && value.is_object()) {
    json& dict = (*config)[key];
    if (!dict.is_object()) dict = json::object();
    for (const auto& [k, v] : value.items()) dict[k] = v;
    return;
  }
  (*config)[key] = value;
}

json ResolveProjectConfig(const LoadContext& ctx, const std::string& resource_type,
                          const std::vector<std::string>& fqn) {
  json config = DefaultConfig(resource_type);
  std::vector<std::string> keys;
  if (resource_type == "model") keys = {"models"};
  if (resource_type == "seed") keys = {"seeds"};
  if (resource_type == "snapshot") keys = {"snapshots"};
  if (resource_type == "test") keys = {"tests", "data_tests"};
  if (resource_type == "analysis") keys = {"analyses"};
  if (resource_type == "source") keys = {"sources"};
  if (resource_type == "exposure") keys = {"exposures"};
  const std::string& package = fqn.empty() ? ctx.project->name : fqn.front();
  auto apply_from = [&](const std::string& project_name) {
    auto it = ctx.project_yaml.find(project_name);
    if (it == ctx.project_yaml.end()) return;
    for (const auto& key : keys) {
      if (const YamlNode* root = it->second.Find(key); root != nullptr) {
        ApplyHierarchy(root, fqn, &config);
      }
    }
  };
  if (package != ctx.project->name) apply_from(package);
  apply_from(ctx.project->name);
  return config;
}

void ApplyConfigToNodeFields(Node* node, const std::string& default_schema) {
  const json& c = node->config;
  node->tags.clear();
  if (c.contains("tags") && c["tags"].is_array()) {
    for (const auto& t : c["tags"]) {
      if (t.is_string()) node->tags.push_back(t.get<std::string>());
    }
  }
  if (c.contains("meta") && c["meta"].is_object()) node->meta = c["meta"];
  if (c.contains("docs") && c["docs"].is_object()) {
    for (const auto& [k, v] : c["docs"].items()) node->docs[k] = v;
  }
  // dbt's default generate_schema_name: the target schema, or
  // "<target schema>_<custom schema>" when the node sets one.
  std::string base = node->resource_type == "test" ? default_schema : default_schema;
  // Snapshots' legacy target_schema names the schema as is (dbt skips
  // generate_schema_name for it).
  if (node->resource_type == "snapshot" && c.contains("target_schema") &&
      c["target_schema"].is_string()) {
    node->schema = c["target_schema"].get<std::string>();
  } else if (c.contains("schema") && c["schema"].is_string() && node->resource_type != "test") {
    node->schema = base + "_" + c["schema"].get<std::string>();
  } else if (node->resource_type == "test" && c.value("store_failures", json()).is_boolean() &&
             c["store_failures"].get<bool>() && c.contains("schema") && c["schema"].is_string()) {
    node->schema = base + "_" + c["schema"].get<std::string>();
  } else {
    node->schema = base;
  }
  if (c.contains("alias") && c["alias"].is_string()) {
    node->alias = c["alias"].get<std::string>();
  } else if (!node->version.empty()) {
    node->alias = node->name + "_v" + node->version;
  } else {
    node->alias = node->name;
  }
  if (c.contains("database") && c["database"].is_string()) {
    node->database = c["database"].get<std::string>();
  }
}

}  // namespace strata::transform::internal
