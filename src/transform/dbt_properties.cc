// YAML property files (`version: 2` files under any resource path): patches
// for models, seeds, snapshots and analyses; sources; exposures; macro
// properties; and the generic test nodes their `tests:`/`data_tests:` ask for,
// named the way dbt-core names them.
#include <algorithm>
#include <array>
#include <regex>
#include <set>

#include "common/edit_distance.h"
#include "transform/dbt_internal.h"

namespace strata::transform::internal {
namespace {

using json = nlohmann::json;

// The keys dbt accepts in each kind of entry; any other key is an error there
// (dbt's schema: "Additional properties are not allowed").
const std::set<std::string> kNodeKeys = {"name",
                                         "description",
                                         "meta",
                                         "docs",
                                         "config",
                                         "constraints",
                                         "tests",
                                         "data_tests",
                                         "columns",
                                         "access",
                                         "latest_version",
                                         "versions",
                                         "deprecation_date",
                                         "group",
                                         "time_spine",
                                         "tags"};
const std::set<std::string> kColumnKeys = {"name",  "description", "data_type",   "meta",
                                           "tags",  "constraints", "tests",       "data_tests",
                                           "quote", "policy_tags", "granularity", "config"};
const std::set<std::string> kVersionKeys = {
    "v",      "defined_in",       "description", "meta",       "docs",
    "config", "constraints",      "tests",       "data_tests", "columns",
    "access", "deprecation_date", "group"};
const std::set<std::string> kSourceKeys = {"name",
                                           "description",
                                           "database",
                                           "schema",
                                           "loader",
                                           "loaded_at_field",
                                           "loaded_at_query",
                                           "freshness",
                                           "quoting",
                                           "meta",
                                           "tags",
                                           "config",
                                           "overrides",
                                           "tables",
                                           "event_time"};
const std::set<std::string> kTableKeys = {"name",
                                          "description",
                                          "identifier",
                                          "loaded_at_field",
                                          "loaded_at_query",
                                          "freshness",
                                          "quoting",
                                          "meta",
                                          "tags",
                                          "columns",
                                          "tests",
                                          "data_tests",
                                          "external",
                                          "config",
                                          "event_time",
                                          "docs"};
const std::set<std::string> kExposureKeys = {"name",        "type", "owner",    "depends_on",
                                             "description", "url",  "maturity", "label",
                                             "meta",        "tags", "config"};
const std::set<std::string> kMacroKeys = {"name", "description", "arguments", "meta", "docs"};
const std::set<std::string> kTopKeys = {
    "version",       "models",     "seeds",     "snapshots", "analyses",
    "sources",       "macros",     "exposures", "metrics",   "semantic_models",
    "saved_queries", "unit_tests", "groups",    "data_tests"};

// dbt's TestBuilder.CONFIG_ARGS: keys of a test entry that are configs, not
// macro arguments.
constexpr std::array<const char*, 14> kTestConfigArgs = {
    "severity",  "tags",           "enabled",           "where", "limit",    "warn_if", "error_if",
    "fail_calc", "store_failures", "store_failures_as", "meta",  "database", "schema",  "alias"};

const std::set<std::string> kBuiltinTests = {"unique", "not_null", "accepted_values",
                                             "relationships"};

// What a generic test is attached to.
struct TestTarget {
  std::string kind;          // model|seed|snapshot|analysis|source
  std::string name;          // for naming: "orders", "orders_v2", "raw_orders" (source_table)
  std::string model_string;  // "{{ get_where_subquery(ref('orders')) }}"
  std::string unique_id;     // the node tested
  std::vector<std::string> tags;
};

class PropertyParser {
 public:
  PropertyParser(LoadContext* ctx, const PackageInfo& pkg, std::string original)
      : ctx_(ctx),
        pkg_(pkg),
        original_(std::move(original)),
        abs_file_(JoinPath(pkg.root_dir, original_)) {
    // The YAML file's folders below its resource path, for generic test and
    // source fqns.
    std::string rel = original_;
    size_t slash = rel.find('/');
    rel = slash == std::string::npos ? "" : rel.substr(slash + 1);
    size_t pos = 0;
    while ((slash = rel.find('/', pos)) != std::string::npos) {
      dirs_.push_back(rel.substr(pos, slash - pos));
      pos = slash + 1;
    }
  }

  void Parse(const YamlNode& root) {
    if (root.IsNull()) return;
    if (!root.IsMap()) {
      Error(root, "", "a property file must be a map with 'version: 2' and resource lists");
      return;
    }
    for (const auto& [key, value] : root.entries) {
      if (!kTopKeys.count(key)) {
        Warning(value, "", "'" + key + "' is not a property file section; it is ignored");
      }
    }
    for (const char* section : {"models", "seeds", "snapshots", "analyses"}) {
      ForEachEntry(root, section, [&](const YamlNode& entry, const std::string& name) {
        PatchNode(section, entry, name);
      });
    }
    ForEachEntry(root, "sources",
                 [&](const YamlNode& entry, const std::string& name) { ParseSource(entry, name); });
    ForEachEntry(root, "exposures", [&](const YamlNode& entry, const std::string& name) {
      ParseExposure(entry, name);
    });
    ForEachEntry(root, "macros",
                 [&](const YamlNode& entry, const std::string& name) { PatchMacro(entry, name); });
    for (const char* unsupported : {"metrics", "semantic_models", "saved_queries", "unit_tests"}) {
      if (const YamlNode* n = root.Find(unsupported); n != nullptr && !n->IsNull()) {
        Warning(*n, "",
                std::string("'") + unsupported +
                    "' are loaded by dbt's semantic layer / unit testing; Strata ignores "
                    "them for now");
      }
    }
  }

 private:
  void Error(const YamlNode& at, const std::string& node, const std::string& message) {
    ctx_->Error(abs_file_, at.line, at.column, node, message);
  }
  void Warning(const YamlNode& at, const std::string& node, const std::string& message) {
    ctx_->Warning(abs_file_, at.line, at.column, node, message);
  }

  template <typename Fn>
  void ForEachEntry(const YamlNode& root, const char* section, Fn fn) {
    const YamlNode* list = root.Find(section);
    if (list == nullptr || list->IsNull()) return;
    if (!list->IsSequence()) {
      Error(*list, "", std::string("'") + section + "' must be a list");
      return;
    }
    for (const YamlNode& entry : list->elements) {
      const YamlNode* name = entry.Find("name");
      if (!entry.IsMap() || name == nullptr || !name->IsScalar() || name->scalar.empty()) {
        Error(entry, "", std::string("each entry of '") + section + "' needs a 'name'");
        continue;
      }
      fn(entry, name->scalar);
    }
  }

  bool CheckKeys(const YamlNode& entry, const std::set<std::string>& known, const std::string& what,
                 const std::string& node) {
    bool ok = true;
    for (const auto& [key, value] : entry.entries) {
      if (known.count(key)) continue;
      ctx_->Error(abs_file_, value.key_line, value.key_column, node,
                  "'" + key + "' is not a property of " + what +
                      " (additional properties are not allowed)");
      ok = false;
    }
    return ok;
  }

  static std::string Str(const YamlNode* n) {
    std::string s;
    if (n != nullptr) n->AsString(&s);
    return s;
  }

  void ApplyConfigBlock(const YamlNode& entry, Node* node) {
    if (const YamlNode* config = entry.Find("config"); config != nullptr && !config->IsNull()) {
      if (!config->IsMap()) {
        Error(*config, node->unique_id, "'config' must be a map");
      } else {
        for (const auto& [k, v] : config->entries) MergeConfigKey(&node->config, k, v.ToJson());
      }
    }
    if (const YamlNode* meta = entry.Find("meta"); meta != nullptr && meta->IsMap()) {
      MergeConfigKey(&node->config, "meta", meta->ToJson());
    }
    if (const YamlNode* tags = entry.Find("tags"); tags != nullptr) {
      std::vector<std::string> list;
      if (!tags->AsStringList(&list)) {
        Error(*tags, node->unique_id, "'tags' must be a string or a list of strings");
      } else {
        MergeConfigKey(&node->config, "tags", json(list));
      }
    }
    if (const YamlNode* docs = entry.Find("docs"); docs != nullptr && docs->IsMap()) {
      MergeConfigKey(&node->config, "docs", docs->ToJson());
    }
    for (const char* key : {"access", "group"}) {
      if (const YamlNode* v = entry.Find(key); v != nullptr && v->IsScalar()) {
        node->config[key] = v->scalar;
      }
    }
    if (const YamlNode* c = entry.Find("constraints"); c != nullptr && c->IsSequence()) {
      node->constraints = c->ToJson();
    }
  }

  std::vector<Column> ParseColumns(const YamlNode& entry, const std::string& node_id,
                                   std::vector<std::pair<std::string, const YamlNode*>>* tests) {
    std::vector<Column> out;
    const YamlNode* columns = entry.Find("columns");
    if (columns == nullptr || columns->IsNull()) return out;
    if (!columns->IsSequence()) {
      Error(*columns, node_id, "'columns' must be a list");
      return out;
    }
    for (const YamlNode& c : columns->elements) {
      const YamlNode* name = c.Find("name");
      if (!c.IsMap() || name == nullptr || !name->IsScalar()) {
        Error(c, node_id, "each column needs a 'name'");
        continue;
      }
      CheckKeys(c, kColumnKeys, "a column", node_id);
      Column col;
      col.name = name->scalar;
      col.description = Str(c.Find("description"));
      col.data_type = Str(c.Find("data_type"));
      if (const YamlNode* m = c.Find("meta"); m != nullptr && m->IsMap()) col.meta = m->ToJson();
      if (const YamlNode* t = c.Find("tags"); t != nullptr) t->AsStringList(&col.tags);
      if (const YamlNode* k = c.Find("constraints"); k != nullptr && k->IsSequence()) {
        col.constraints = k->ToJson();
      }
      if (const YamlNode* q = c.Find("quote"); q != nullptr) col.quote = q->ToJson();
      for (const char* key : {"tests", "data_tests"}) {
        if (const YamlNode* t = c.Find(key); t != nullptr) tests->emplace_back(col.name, t);
      }
      out.push_back(std::move(col));
    }
    return out;
  }

  void PatchNode(const std::string& section, const YamlNode& entry, const std::string& name) {
    const std::string type =
        section == "analyses" ? "analysis" : section.substr(0, section.size() - 1);
    const std::string id = type + "." + pkg_.name + "." + name;
    CheckKeys(entry, kNodeKeys, "a " + type, id);
    if (const YamlNode* versions = entry.Find("versions"); versions != nullptr) {
      PatchVersionedModel(entry, name, *versions);
      return;
    }
    auto it = ctx_->project->nodes.find(id);
    if (it == ctx_->project->nodes.end()) {
      // dbt warns here and goes on (NoNodeForYamlKey).
      Warning(entry, id,
              "did not find a " + type + " named '" + name + "' for this '" + section + "' entry" +
                  Suggest(type, name));
      return;
    }
    PatchOne(entry, &it->second, nullptr);
  }

  void PatchOne(const YamlNode& entry, Node* node, const YamlNode* version_entry) {
    if (!node->patch_path.empty()) {
      Error(entry, node->unique_id,
            "'" + node->name + "' is described twice: in " + PatchFile(node->patch_path) +
                " and in " + original_);
      return;
    }
    node->patch_path = pkg_.name + "://" + original_;
    node->line = entry.line;
    node->column = entry.column;
    node->description = Str(entry.Find("description"));
    ApplyConfigBlock(entry, node);
    std::vector<std::pair<std::string, const YamlNode*>> column_tests;
    node->columns = ParseColumns(entry, node->unique_id, &column_tests);
    if (version_entry != nullptr) {
      if (const YamlNode* d = version_entry->Find("description"); d != nullptr) {
        node->description = Str(d);
      }
      ApplyConfigBlock(*version_entry, node);
      std::vector<std::pair<std::string, const YamlNode*>> version_tests;
      std::vector<Column> version_columns =
          ParseColumns(*version_entry, node->unique_id, &version_tests);
      for (auto& c : version_columns) {
        auto same = std::find_if(node->columns.begin(), node->columns.end(),
                                 [&c](const Column& x) { return x.name == c.name; });
        if (same != node->columns.end()) {
          *same = c;
        } else {
          node->columns.push_back(c);
        }
      }
      column_tests.insert(column_tests.end(), version_tests.begin(), version_tests.end());
    }
    TestTarget target;
    target.kind = node->resource_type;
    target.name = node->version.empty() ? node->name : node->name + "_v" + node->version;
    target.model_string = node->version.empty()
                              ? "{{ get_where_subquery(ref('" + node->name + "')) }}"
                              : "{{ get_where_subquery(ref('" + node->name + "', version='" +
                                    node->version + "')) }}";
    target.unique_id = node->unique_id;
    for (const char* key : {"tests", "data_tests"}) {
      if (const YamlNode* t = entry.Find(key); t != nullptr) AddTests(target, "", *t);
      if (version_entry != nullptr) {
        if (const YamlNode* t = version_entry->Find(key); t != nullptr) AddTests(target, "", *t);
      }
    }
    for (const auto& [column, tests] : column_tests) AddTests(target, column, *tests);
  }

  void PatchVersionedModel(const YamlNode& entry, const std::string& name,
                           const YamlNode& versions) {
    if (!versions.IsSequence() || versions.elements.empty()) {
      Error(versions, "model." + pkg_.name + "." + name, "'versions' must be a non-empty list");
      return;
    }
    std::string latest = Str(entry.Find("latest_version"));
    if (latest.empty()) {
      double best = -1e300;
      for (const YamlNode& v : versions.elements) {
        std::string s = Str(v.Find("v"));
        double d = std::strtod(s.c_str(), nullptr);
        if (d >= best) {
          best = d;
          latest = s;
        }
      }
    }
    for (const YamlNode& v : versions.elements) {
      const std::string version = Str(v.Find("v"));
      if (version.empty()) {
        Error(v, "model." + pkg_.name + "." + name, "each version needs 'v'");
        continue;
      }
      CheckKeys(v, kVersionKeys, "a model version", "model." + pkg_.name + "." + name);
      std::string file_name = Str(v.Find("defined_in"));
      if (file_name.empty()) file_name = name + "_v" + version;
      auto& nodes = ctx_->project->nodes;
      auto it = nodes.find("model." + pkg_.name + "." + file_name);
      if (it == nodes.end() && version == latest)
        it = nodes.find("model." + pkg_.name + "." + name);
      if (it == nodes.end()) {
        Error(
            v, "model." + pkg_.name + "." + name + ".v" + version,
            "version " + version + " of model '" + name + "' has no file '" + file_name + ".sql'");
        continue;
      }
      Node node = std::move(it->second);
      nodes.erase(it);
      node.name = name;
      node.version = version;
      node.latest_version = latest;
      node.unique_id = "model." + pkg_.name + "." + name + ".v" + version;
      node.fqn.back() = name;
      node.fqn.push_back("v" + version);
      auto [pos, ok] = nodes.emplace(node.unique_id, std::move(node));
      if (!ok) {
        Error(v, pos->first, "model version defined twice");
        continue;
      }
      PatchOne(entry, &pos->second, &v);
    }
  }

  std::string PatchFile(const std::string& patch_path) {
    size_t sep = patch_path.find("://");
    return sep == std::string::npos ? patch_path : patch_path.substr(sep + 3);
  }

  std::string Suggest(const std::string& type, const std::string& name) {
    std::string best;
    size_t best_distance = 4;
    for (const auto& [id, node] : ctx_->project->nodes) {
      if (node.resource_type != type || node.package_name != pkg_.name) continue;
      size_t d = EditDistance(node.name, name);
      if (d < best_distance) {
        best_distance = d;
        best = node.name;
      }
    }
    return best.empty() ? "" : " (did you mean '" + best + "'?)";
  }

  // ---- generic tests ----

  void AddTests(const TestTarget& target, const std::string& column, const YamlNode& list) {
    if (list.IsNull()) return;
    if (!list.IsSequence()) {
      Error(list, target.unique_id, "'tests' must be a list");
      return;
    }
    for (const YamlNode& test : list.elements) AddTest(target, column, test);
  }

  void AddTest(const TestTarget& target, const std::string& column, const YamlNode& entry) {
    std::string test_name;
    json args = json::object();
    if (entry.IsScalar()) {
      test_name = entry.scalar;
    } else if (entry.IsMap() && entry.Find("test_name") != nullptr) {
      test_name = Str(entry.Find("test_name"));
      for (const auto& [k, v] : entry.entries) {
        if (k != "test_name") args[k] = v.ToJson();
      }
    } else if (entry.IsMap() && entry.entries.size() == 1) {
      test_name = entry.entries[0].first;
      const YamlNode& a = entry.entries[0].second;
      if (!a.IsNull() && !a.IsMap()) {
        Error(a, target.unique_id, "the arguments of test '" + test_name + "' must be a map");
        return;
      }
      if (a.IsMap()) args = a.ToJson();
    } else {
      Error(entry, target.unique_id,
            "a test must be a name or a map with one key (the test's name)");
      return;
    }
    static const std::regex kTestName(
        R"(^(?:([a-zA-Z_][0-9a-zA-Z_]*)\.)?([a-zA-Z_][0-9a-zA-Z_]*)$)");
    std::smatch m;
    if (!std::regex_match(test_name, m, kTestName)) {
      Error(entry, target.unique_id, "'" + test_name + "' is not a valid test name");
      return;
    }
    const std::string ns = m[1].matched ? m[1].str() : "";
    const std::string name = m[2].str();
    if (args.contains("arguments") && args["arguments"].is_object()) {
      for (const auto& [k, v] : args["arguments"].items()) args[k] = v;
      args.erase("arguments");
    }
    if (!column.empty()) args["column_name"] = column;
    if (args.contains("model")) {
      Error(entry, target.unique_id, "test '" + test_name + "' may not take a 'model' argument");
      return;
    }
    json test_config = json::object();
    json nested =
        args.contains("config") && args["config"].is_object() ? args["config"] : json::object();
    for (const char* key : kTestConfigArgs) {
      bool top = args.contains(key);
      if (top && nested.contains(key)) {
        Error(entry, target.unique_id,
              std::string("test config '") + key +
                  "' is given both at the top level and in 'config'");
        return;
      }
      if (top) {
        test_config[key] = args[key];
        args.erase(key);
      } else if (nested.contains(key)) {
        test_config[key] = nested[key];
      }
    }
    for (const auto& [k, v] : nested.items()) {
      if (!test_config.contains(k)) test_config[k] = v;
    }
    args.erase("config");

    std::string short_name, full_name;
    if (args.contains("name") && args["name"].is_string()) {
      short_name = full_name = args["name"].get<std::string>();
      args.erase("name");
    } else {
      std::string type = target.kind == "source" ? "source_" + name : name;
      if (!ns.empty()) type = ns + "_" + type;
      SynthesizeNames(type, target.name, args, &short_name, &full_name);
    }
    args["model"] = target.model_string;
    json metadata = {
        {"name", name}, {"kwargs", args}, {"namespace", ns.empty() ? json() : json(ns)}};
    const std::string hash = Md5Hex(full_name + PythonReprOfStrings(metadata)).substr(22);

    Node test;
    test.resource_type = "test";
    test.name = full_name;
    test.package_name = pkg_.name;
    test.package_root = pkg_.root_dir;
    test.unique_id = "test." + pkg_.name + "." + full_name + "." + hash;
    test.path = short_name + ".sql";
    test.original_file_path = original_;
    test.fqn.push_back(pkg_.name);
    test.fqn.insert(test.fqn.end(), dirs_.begin(), dirs_.end());
    test.fqn.push_back(full_name);
    test.test_metadata = metadata;
    test.column_name = column;
    test.attached_node = target.kind == "source" ? "" : target.unique_id;
    test.line = entry.line;
    test.column = entry.column;
    test.config = ResolveProjectConfig(*ctx_, "test", test.fqn);
    for (const auto& [k, v] : test_config.items()) {
      if (k == "severity" && v.is_string()) {
        std::string upper = v.get<std::string>();
        std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
        test.config["severity"] = upper;
      } else {
        MergeConfigKey(&test.config, k, v);
      }
    }
    if (short_name != full_name && !test_config.contains("alias"))
      test.config["alias"] = short_name;
    MergeConfigKey(&test.config, "tags", json(target.tags));
    std::string macro = "test_" + name;
    std::string raw_kwargs;
    test.raw_code =
        "{{ " + (ns.empty() ? "" : ns + ".") + macro + "(**_dbt_generic_test_kwargs) }}";
    // The macro: dbt's built-ins live in package "dbt"; others are found in the
    // namespace's package, the test's package, the root, then anywhere.
    std::string macro_id;
    if (ns.empty() && kBuiltinTests.count(name)) {
      macro_id = "macro.dbt." + macro;
      if (ctx_->project->macros.count("macro." + pkg_.name + "." + macro)) {
        macro_id = "macro." + pkg_.name + "." + macro;
      }
    } else {
      for (const std::string& p : {ns, pkg_.name, ctx_->project->name}) {
        if (!p.empty() && ctx_->project->macros.count("macro." + p + "." + macro)) {
          macro_id = "macro." + p + "." + macro;
          break;
        }
      }
      if (macro_id.empty() && ns.empty()) {
        for (const auto& [id, mac] : ctx_->project->macros) {
          if (mac.name == macro) {
            macro_id = id;
            break;
          }
        }
      }
    }
    if (macro_id.empty()) {
      Error(entry, test.unique_id,
            "test '" + test_name + "' is not defined: no {% test " + name +
                "(model, ...) %} in the project or its packages");
      return;
    }
    test.depends_on_macros.push_back(macro_id);
    // Dependencies: the tested node plus any ref()/source() in the arguments
    // (relationships' `to`).
    Node scan;
    scan.raw_code = target.model_string;
    for (const auto& [k, v] : args.items()) {
      if (k != "model" && v.is_string()) scan.raw_code += " {{ " + v.get<std::string>() + " }}";
    }
    ctx_->scanner->Scan(&scan, &ctx_->project->diagnostics);
    test.refs = scan.refs;
    test.source_calls = scan.source_calls;
    for (auto& r : test.refs) {
      r.line = entry.line;
      r.column = entry.column;
    }
    for (auto& s : test.source_calls) {
      s.line = entry.line;
      s.column = entry.column;
    }
    auto [pos, ok] = ctx_->project->nodes.emplace(test.unique_id, std::move(test));
    if (!ok) {
      Error(entry, pos->first,
            "two tests with the same name and arguments on '" + target.name +
                "'; give one a different 'name:'");
    }
  }

  // dbt's synthesize_generic_test_names: the arguments (but the model)
  // flattened in key order, cleaned to [0-9a-zA-Z_], joined by "__"; names of
  // 64 characters or more become the first 30 characters plus an md5.
  static void SynthesizeNames(const std::string& type, const std::string& target_name,
                              const json& args, std::string* short_name, std::string* full_name) {
    std::vector<std::string> flat;
    for (const auto& [key, value] : args.items()) {
      if (key == "model") continue;
      if (value.is_object() || value.is_array()) {
        for (const auto& part : value) {
          flat.push_back(part.is_structured() ? PythonReprOfStrings(part) : PythonStr(part));
        }
      } else {
        flat.push_back(PythonStr(value));
      }
    }
    static const std::regex kUnsafe("[^0-9a-zA-Z_]+");
    std::string unique;
    for (size_t i = 0; i < flat.size(); ++i) {
      if (i > 0) unique += "__";
      unique += std::regex_replace(flat[i], kUnsafe, "_");
    }
    const std::string identifier = type + "_" + target_name;
    *full_name = identifier + "_" + unique;
    if (full_name->size() >= 64) {
      *short_name = identifier.substr(0, 30) + "_" + Md5Hex(*full_name);
    } else {
      *short_name = *full_name;
    }
  }

  // ---- sources, exposures, macros ----

  static bool ValidFreshness(const json& f, std::string* problem) {
    if (f.is_null()) return true;
    if (!f.is_object()) {
      *problem = "'freshness' must be a map (or null)";
      return false;
    }
    for (const char* key : {"warn_after", "error_after"}) {
      if (!f.contains(key) || f[key].is_null()) continue;
      const json& a = f[key];
      if (!a.is_object()) {
        *problem = std::string("'") + key + "' must be a map with count and period";
        return false;
      }
      bool no_count = !a.contains("count") || a["count"].is_null();
      bool no_period = !a.contains("period") || a["period"].is_null();
      if (no_count && no_period) continue;
      if (no_count || !a["count"].is_number_integer()) {
        *problem = std::string("'") + key + ".count' must be an integer";
        return false;
      }
      // A missing key must not be read through const operator[] (undefined behaviour).
      std::string period =
          !no_period && a["period"].is_string() ? a["period"].get<std::string>() : "";
      if (period != "minute" && period != "hour" && period != "day") {
        *problem = std::string("'") + key + ".period' must be minute, hour or day";
        return false;
      }
    }
    return true;
  }

  void ParseSource(const YamlNode& entry, const std::string& source_name) {
    CheckKeys(entry, kSourceKeys, "a source", "source " + source_name);
    const json source_freshness =
        entry.Find("freshness") ? entry.Find("freshness")->ToJson() : json();
    std::string problem;
    if (!ValidFreshness(source_freshness, &problem)) {
      Error(*entry.Find("freshness"), "source " + source_name, problem);
    }
    const YamlNode* tables = entry.Find("tables");
    if (tables == nullptr || tables->IsNull()) return;
    if (!tables->IsSequence()) {
      Error(*tables, "source " + source_name, "'tables' must be a list");
      return;
    }
    std::vector<std::string> source_tags;
    if (const YamlNode* t = entry.Find("tags"); t != nullptr) t->AsStringList(&source_tags);
    for (const YamlNode& table : tables->elements) {
      const YamlNode* tname = table.Find("name");
      if (!table.IsMap() || tname == nullptr || !tname->IsScalar()) {
        Error(table, "source " + source_name, "each table needs a 'name'");
        continue;
      }
      Node node;
      node.resource_type = "source";
      node.name = tname->scalar;
      node.source_name = source_name;
      node.package_name = pkg_.name;
      node.package_root = pkg_.root_dir;
      node.unique_id = "source." + pkg_.name + "." + source_name + "." + node.name;
      CheckKeys(table, kTableKeys, "a source table", node.unique_id);
      node.path = original_;
      node.original_file_path = original_;
      node.patch_path = "";
      node.fqn.push_back(pkg_.name);
      node.fqn.insert(node.fqn.end(), dirs_.begin(), dirs_.end());
      node.fqn.push_back(source_name);
      node.fqn.push_back(node.name);
      node.line = table.line;
      node.column = table.column;
      node.description = Str(table.Find("description"));
      node.source_description = Str(entry.Find("description"));
      node.loader = Str(entry.Find("loader"));
      node.identifier = Str(table.Find("identifier"));
      node.schema = Str(entry.Find("schema"));
      if (node.schema.empty()) node.schema = source_name;
      node.database = Str(entry.Find("database"));
      node.loaded_at_field = Str(table.Find("loaded_at_field"));
      if (node.loaded_at_field.empty()) node.loaded_at_field = Str(entry.Find("loaded_at_field"));
      if (const YamlNode* f = table.Find("freshness"); f != nullptr) {
        node.freshness = f->ToJson();  // an explicit null turns it off
        if (!ValidFreshness(node.freshness, &problem)) {
          Error(*f, node.unique_id, problem);
          node.freshness = nullptr;
        }
      } else {
        node.freshness = ValidFreshness(source_freshness, &problem) ? source_freshness : json();
      }
      if (const YamlNode* q = entry.Find("quoting"); q != nullptr && q->IsMap())
        node.quoting = q->ToJson();
      if (const YamlNode* q = table.Find("quoting"); q != nullptr && q->IsMap()) {
        const json table_quoting = q->ToJson();
        for (const auto& [k, v] : table_quoting.items()) node.quoting[k] = v;
      }
      if (const YamlNode* m = entry.Find("meta"); m != nullptr && m->IsMap())
        node.source_meta = m->ToJson();
      if (const YamlNode* m = table.Find("meta"); m != nullptr && m->IsMap())
        node.meta = m->ToJson();
      node.config = ResolveProjectConfig(*ctx_, "source", node.fqn);
      for (const YamlNode* block : {entry.Find("config"), table.Find("config")}) {
        if (block != nullptr && block->IsMap()) {
          for (const auto& [k, v] : block->entries) MergeConfigKey(&node.config, k, v.ToJson());
        }
      }
      std::vector<std::string> table_tags;
      if (const YamlNode* t = table.Find("tags"); t != nullptr) t->AsStringList(&table_tags);
      node.tags = source_tags;
      for (auto& t : table_tags) {
        if (std::find(node.tags.begin(), node.tags.end(), t) == node.tags.end())
          node.tags.push_back(t);
      }
      std::vector<std::pair<std::string, const YamlNode*>> column_tests;
      node.columns = ParseColumns(table, node.unique_id, &column_tests);
      TestTarget target;
      target.kind = "source";
      target.name = source_name + "_" + node.name;
      target.model_string =
          "{{ get_where_subquery(source('" + source_name + "', '" + node.name + "')) }}";
      target.unique_id = node.unique_id;
      target.tags = node.tags;
      const std::string id = node.unique_id;
      auto [pos, ok] = ctx_->project->nodes.emplace(id, std::move(node));
      if (!ok) {
        Error(table, id,
              "source table '" + source_name + "." + tname->scalar + "' is declared twice");
        continue;
      }
      for (const char* key : {"tests", "data_tests"}) {
        if (const YamlNode* t = table.Find(key); t != nullptr) AddTests(target, "", *t);
      }
      for (const auto& [column, tests] : column_tests) AddTests(target, column, *tests);
    }
  }

  void ParseExposure(const YamlNode& entry, const std::string& name) {
    Node node;
    node.resource_type = "exposure";
    node.name = name;
    node.package_name = pkg_.name;
    node.package_root = pkg_.root_dir;
    node.unique_id = "exposure." + pkg_.name + "." + name;
    CheckKeys(entry, kExposureKeys, "an exposure", node.unique_id);
    node.path = original_;
    node.original_file_path = original_;
    node.fqn.push_back(pkg_.name);
    node.fqn.insert(node.fqn.end(), dirs_.begin(), dirs_.end());
    node.fqn.push_back(name);
    node.line = entry.line;
    node.column = entry.column;
    node.exposure_type = Str(entry.Find("type"));
    static const std::set<std::string> kTypes = {"dashboard", "notebook", "analysis", "ml",
                                                 "application"};
    if (!kTypes.count(node.exposure_type)) {
      Error(entry, node.unique_id,
            "exposure type must be one of dashboard, notebook, analysis, ml, application");
    }
    const YamlNode* owner = entry.Find("owner");
    if (owner == nullptr || !owner->IsMap()) {
      Error(entry, node.unique_id, "an exposure needs an 'owner' with a name or email");
    } else {
      node.owner = owner->ToJson();
    }
    node.description = Str(entry.Find("description"));
    node.url = Str(entry.Find("url"));
    node.maturity = Str(entry.Find("maturity"));
    node.label = Str(entry.Find("label"));
    if (const YamlNode* m = entry.Find("meta"); m != nullptr && m->IsMap()) node.meta = m->ToJson();
    if (const YamlNode* t = entry.Find("tags"); t != nullptr) t->AsStringList(&node.tags);
    node.config = ResolveProjectConfig(*ctx_, "exposure", node.fqn);
    if (const YamlNode* c = entry.Find("config"); c != nullptr && c->IsMap()) {
      for (const auto& [k, v] : c->entries) MergeConfigKey(&node.config, k, v.ToJson());
    }
    if (const YamlNode* deps = entry.Find("depends_on"); deps != nullptr && deps->IsSequence()) {
      for (const YamlNode& d : deps->elements) {
        Node scan;
        scan.raw_code = "{{ " + d.scalar + " }}";
        ctx_->scanner->Scan(&scan, &ctx_->project->diagnostics);
        for (auto r : scan.refs) {
          r.line = d.line;
          r.column = d.column;
          node.refs.push_back(r);
        }
        for (auto s : scan.source_calls) {
          s.line = d.line;
          s.column = d.column;
          node.source_calls.push_back(s);
        }
      }
    }
    const std::string id = node.unique_id;
    if (!ctx_->project->nodes.emplace(id, std::move(node)).second) {
      Error(entry, id, "exposure '" + name + "' is declared twice");
    }
  }

  void PatchMacro(const YamlNode& entry, const std::string& name) {
    const std::string id = "macro." + pkg_.name + "." + name;
    CheckKeys(entry, kMacroKeys, "a macro", id);
    auto it = ctx_->project->macros.find(id);
    if (it == ctx_->project->macros.end()) {
      Warning(entry, id, "did not find a macro named '" + name + "' for this 'macros' entry");
      return;
    }
    it->second.description = Str(entry.Find("description"));
    it->second.patch_path = pkg_.name + "://" + original_;
    if (const YamlNode* m = entry.Find("meta"); m != nullptr && m->IsMap())
      it->second.meta = m->ToJson();
    if (const YamlNode* a = entry.Find("arguments"); a != nullptr && a->IsSequence()) {
      it->second.arguments = a->ToJson();
    }
  }

  LoadContext* ctx_;
  const PackageInfo& pkg_;
  const std::string original_;
  const std::string abs_file_;
  std::vector<std::string> dirs_;
};

}  // namespace

void ReportYamlError(LoadContext* ctx, const std::string& abs_file, const Status& status) {
  // ParseYaml's message starts with "<file>:<line>:<col>: "; keep the position
  // as fields so that the diagnostic prints it once.
  static const std::regex kWhere(R"(^.*?:([0-9]+):([0-9]+): (.*)$)");
  std::smatch m;
  const std::string& message = status.message();
  if (std::regex_match(message, m, kWhere)) {
    ctx->Error(abs_file, std::atoi(m[1].str().c_str()), std::atoi(m[2].str().c_str()), "",
               m[3].str());
  } else {
    ctx->Error(abs_file, 0, 0, "", message);
  }
}

void LoadPropertyFiles(LoadContext* ctx,
                       const std::vector<std::pair<PackageInfo, std::string>>& files) {
  for (const auto& [pkg, original] : files) {
    const std::string abs = JoinPath(pkg.root_dir, original);
    auto text = ctx->fs.ReadFile(abs);
    if (!text.ok()) {
      ctx->Error(abs, 0, 0, "", "cannot read: " + text.status().message());
      continue;
    }
    auto root = ParseYaml(*text, ctx->DisplayPath(abs));
    if (!root.ok()) {
      ReportYamlError(ctx, abs, root.status());
      continue;
    }
    PropertyParser(ctx, pkg, original).Parse(*root);
  }
}

}  // namespace strata::transform::internal
