#include "transform/dbt_selector.h"

#include <algorithm>
#include <regex>

#include "transform/dbt_artifacts.h"
#include "transform/dbt_selector_internal.h"

namespace strata::transform {
namespace internal {

Result<SelectionCriterion> ParseSelectionCriterion(const std::string& raw) {
  // dbt's RAW_SELECTOR_PATTERN.
  static const std::regex kPattern(R"(^(@)?(([0-9]*)\+)?(([A-Za-z0-9_.]+):)?(.*?)(\+([0-9]*))?$)");
  std::smatch m;
  if (!std::regex_match(raw, m, kPattern) || m[6].str().empty()) {
    return Status::InvalidArgument("invalid selector '" + raw + "'");
  }
  SelectionCriterion spec;
  spec.childrens_parents = m[1].matched;
  spec.parents = m[2].matched;
  if (m[3].matched && !m[3].str().empty())
    spec.parents_depth = static_cast<int>(std::strtol(m[3].str().c_str(), nullptr, 10));
  spec.children = m[7].matched;
  if (m[8].matched && !m[8].str().empty())
    spec.children_depth = static_cast<int>(std::strtol(m[8].str().c_str(), nullptr, 10));
  if (spec.childrens_parents && spec.parents) {
    return Status::InvalidArgument("invalid selector '" + raw +
                                   "': '@' and a leading '+' cannot be combined");
  }
  spec.value = m[6].str();
  if (m[5].matched) {
    spec.method = m[5].str();
  } else {
    const std::string& v = spec.value;
    auto ends_with = [&v](std::string_view suffix) {
      return v.size() >= suffix.size() &&
             v.compare(v.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    spec.method = (v.find('/') != std::string::npos || ends_with(".sql") || ends_with(".py") ||
                   ends_with(".csv"))
                      ? "path"
                      : "fqn";
  }
  return spec;
}

}  // namespace internal

namespace {

using json = nlohmann::json;
using IdSet = std::set<std::string>;
using internal::SelectionCriterion;

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

bool HasWildcard(std::string_view s) { return s.find_first_of("*?[]") != std::string_view::npos; }

// dbt's is_selected_node: the selector's dotted parts match a prefix of the
// fqn, a wildcard part matching the rest of the fqn joined by dots.
bool FqnMatches(const std::vector<std::string>& fqn, const std::string& selector, bool versioned) {
  if (fqn.empty()) return false;
  if (fqn.back() == selector) return true;
  if (versioned && fqn.size() >= 2 && fqn[fqn.size() - 2] == selector) return true;
  std::vector<std::string> flat;
  for (const auto& segment : fqn) {
    for (auto& part : Split(segment, '.')) flat.push_back(part);
  }
  std::vector<std::string> parts = Split(selector, '.');
  if (flat.size() < parts.size()) return false;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (HasWildcard(parts[i])) {
      std::string glob, rest;
      for (size_t j = i; j < parts.size(); ++j) glob += (j > i ? "." : "") + parts[j];
      for (size_t j = i; j < flat.size(); ++j) rest += (j > i ? "." : "") + flat[j];
      return WildcardMatch(glob, rest);
    }
    if (flat[i] != parts[i]) return false;
  }
  return true;
}

std::string ConfigValueText(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

class Selector {
 public:
  Selector(const DbtProject& project, const DbtGraph& graph, const SelectionOptions& options)
      : project_(project), graph_(graph), options_(options) {}

  Result<IdSet> SelectArgs(const std::vector<std::string>& args) {
    IdSet out;
    for (const auto& arg : args) {
      for (const auto& term : Split(arg, ' ')) {
        IdSet intersection;
        bool first = true;
        for (const auto& raw : Split(term, ',')) {
          STRATA_ASSIGN_OR_RETURN(IdSet part, SelectSpec(raw));
          if (first) {
            intersection = std::move(part);
            first = false;
          } else {
            IdSet kept;
            std::set_intersection(intersection.begin(), intersection.end(), part.begin(),
                                  part.end(), std::inserter(kept, kept.end()));
            intersection = std::move(kept);
          }
        }
        out.insert(intersection.begin(), intersection.end());
      }
    }
    return out;
  }

  // Adds tests by indirect selection (`mode`; empty: the options' mode).
  IdSet WithIndirectTests(IdSet selected, const std::string& mode_override = "") {
    const std::string& mode = mode_override.empty() ? options_.indirect_selection : mode_override;
    if (mode == "empty") return selected;
    IdSet expanded_for_buildable;
    if (mode == "buildable") {
      expanded_for_buildable = selected;
      for (const auto& id : selected) {
        for (const auto& a : graph_.Ancestors(id)) expanded_for_buildable.insert(a);
      }
    }
    IdSet out = selected;
    for (const auto& id : selected) {
      for (const auto& child : graph_.Children(id)) {
        const Node* node = project_.FindNode(child);
        if (node == nullptr || !node->IsTest() || out.count(child)) continue;
        bool take = false;
        if (mode == "eager") {
          take = true;
        } else {
          const IdSet& pool = mode == "buildable" ? expanded_for_buildable : selected;
          take = std::all_of(node->depends_on_nodes.begin(), node->depends_on_nodes.end(),
                             [&pool](const std::string& p) { return pool.count(p) > 0; });
        }
        if (take) out.insert(child);
      }
    }
    return out;
  }

  Result<IdSet> SelectSpec(const std::string& raw) {
    STRATA_ASSIGN_OR_RETURN(SelectionCriterion spec, internal::ParseSelectionCriterion(raw));
    return SelectCriterion(spec);
  }

  // The nodes one criterion matches, with its graph operators applied.
  Result<IdSet> SelectCriterion(const SelectionCriterion& spec) {
    STRATA_ASSIGN_OR_RETURN(IdSet matched, Match(spec.method, spec.value));
    IdSet out = matched;
    if (spec.parents) {
      for (const auto& id : matched) {
        for (const auto& a : graph_.Ancestors(id, spec.parents_depth)) out.insert(a);
      }
    }
    if (spec.children || spec.childrens_parents) {
      IdSet descendants;
      for (const auto& id : matched) {
        for (const auto& d :
             graph_.Descendants(id, spec.childrens_parents ? -1 : spec.children_depth)) {
          descendants.insert(d);
        }
      }
      out.insert(descendants.begin(), descendants.end());
      if (spec.childrens_parents) {
        for (const auto& d : descendants) {
          for (const auto& a : graph_.Ancestors(d)) out.insert(a);
        }
      }
    }
    return out;
  }

 private:
  template <typename Pred>
  IdSet Where(Pred pred) {
    IdSet out;
    for (const auto& id : graph_.ids()) {
      const Node* node = project_.FindNode(id);
      if (node != nullptr && pred(*node)) out.insert(id);
    }
    return out;
  }

  Result<IdSet> Match(const std::string& method, const std::string& value) {
    if (method == "fqn") {
      if (value == "*") return Where([](const Node&) { return true; });
      return Where([&](const Node& n) {
        if (n.IsSource()) return false;
        std::vector<std::string> unscoped(n.fqn.begin() + (n.fqn.empty() ? 0 : 1), n.fqn.end());
        bool versioned = !n.version.empty();
        return FqnMatches(n.fqn, value, versioned) || FqnMatches(unscoped, value, versioned);
      });
    }
    if (method == "tag") {
      return Where([&](const Node& n) {
        return std::any_of(n.tags.begin(), n.tags.end(),
                           [&](const std::string& t) { return WildcardMatch(value, t); });
      });
    }
    if (method == "path") {
      std::string v = value;
      while (v.size() > 1 && v.back() == '/') v.pop_back();
      if (v.rfind("./", 0) == 0) v = v.substr(2);
      return Where([&](const Node& n) {
        if (n.package_name != project_.name || n.resource_type == "exposure" || n.IsSource()) {
          return false;
        }
        const std::string& p = n.original_file_path;
        return p == v || p.rfind(v + "/", 0) == 0 || WildcardMatch(v, p) || v == ".";
      });
    }
    if (method == "file") {
      return Where([&](const Node& n) {
        if (n.IsSource() || n.resource_type == "exposure" || !n.test_metadata.is_null())
          return false;
        std::string base(BaseName(n.original_file_path));
        std::string stem = base.substr(0, base.rfind('.'));
        return WildcardMatch(value, base) || WildcardMatch(value, stem);
      });
    }
    if (method == "source") {
      std::vector<std::string> parts = Split(value, '.');
      if (parts.empty() || parts.size() > 3) {
        return Status::InvalidArgument("invalid source selector '" + value +
                                       "': use source:name, source:name.table or "
                                       "source:package.name.table");
      }
      std::string pkg = parts.size() == 3 ? parts[0] : "*";
      std::string src = parts[parts.size() == 3 ? 1 : 0];
      std::string table = parts.size() >= 2 ? parts.back() : "*";
      return Where([&](const Node& n) {
        return n.IsSource() && WildcardMatch(pkg, n.package_name) &&
               WildcardMatch(src, n.source_name) && WildcardMatch(table, n.name);
      });
    }
    if (method == "exposure") {
      return Where([&](const Node& n) {
        return n.resource_type == "exposure" && WildcardMatch(value, n.name);
      });
    }
    if (method == "resource_type") {
      static const std::set<std::string> kTypes = {
          "model",    "seed",   "snapshot",  "test",           "analysis",   "source",
          "exposure", "metric", "unit_test", "semantic_model", "saved_query"};
      if (!kTypes.count(value)) {
        return Status::InvalidArgument("unknown resource type '" + value + "'");
      }
      return Where([&](const Node& n) { return n.resource_type == value; });
    }
    if (method == "package") {
      const std::string pkg = value == "this" ? project_.name : value;
      return Where([&](const Node& n) { return WildcardMatch(pkg, n.package_name); });
    }
    if (method.rfind("config.", 0) == 0) {
      const std::string key = method.substr(7);
      return Where([&](const Node& n) {
        if (!n.config.contains(key)) return false;
        const json& v = n.config[key];
        if (v.is_array()) {
          return std::any_of(v.begin(), v.end(), [&](const json& e) {
            return WildcardMatch(value, ConfigValueText(e));
          });
        }
        return WildcardMatch(value, ConfigValueText(v));
      });
    }
    if (method == "test_name") {
      return Where([&](const Node& n) {
        return n.IsTest() && !n.test_metadata.is_null() && n.test_metadata.contains("name") &&
               n.test_metadata["name"].is_string() &&
               WildcardMatch(value, n.test_metadata["name"].get<std::string>());
      });
    }
    if (method == "test_type") {
      if (value != "generic" && value != "singular" && value != "data" && value != "schema") {
        return Status::InvalidArgument("unknown test_type '" + value + "' (generic or singular)");
      }
      bool generic = value == "generic" || value == "schema";
      return Where(
          [&](const Node& n) { return n.IsTest() && (n.test_metadata.is_null() != generic); });
    }
    if (method == "state") return MatchState(value);
    if (method == "selector") {
      // dbt 1.12's `--select selector:NAME`: a selectors.yml selector's
      // whole result (its tests included), before the spec's graph operators.
      static const std::vector<YamlSelector> kNone;
      auto criterion = [this](const SelectionCriterion& c) -> Result<IdSet> {
        STRATA_ASSIGN_OR_RETURN(IdSet direct, SelectCriterion(c));
        return WithIndirectTests(std::move(direct), c.indirect_selection);
      };
      return internal::EvaluateYamlSelector(
          options_.yaml_selectors != nullptr ? *options_.yaml_selectors : kNone, value, criterion);
    }
    return Status::InvalidArgument("unknown selection method '" + method +
                                   "' (fqn, tag, path, file, source, exposure, resource_type, "
                                   "package, config.<key>, test_name, test_type, state, "
                                   "selector)");
  }

  Result<IdSet> MatchState(const std::string& value) {
    if (options_.state_manifest == nullptr) {
      return Status::InvalidArgument("state:" + value +
                                     " needs --state DIR (the manifest.json of an earlier run)");
    }
    static const std::set<std::string> kValues = {"new",
                                                  "old",
                                                  "modified",
                                                  "unmodified",
                                                  "modified.body",
                                                  "modified.configs",
                                                  "modified.relation",
                                                  "modified.contract",
                                                  "modified.persisted_descriptions"};
    if (!kValues.count(value)) {
      return Status::InvalidArgument("unknown state selector 'state:" + value + "'");
    }
    const json& previous = *options_.state_manifest;
    return Where([&](const Node& n) {
      const json* old = nullptr;
      for (const char* section : {"nodes", "sources", "exposures"}) {
        if (previous.contains(section) && previous[section].contains(n.unique_id)) {
          old = &previous[section][n.unique_id];
          break;
        }
      }
      if (value == "new") return old == nullptr;
      if (value == "old") return old != nullptr;
      if (old == nullptr || !old->is_object()) return value == "modified";
      const json now = NodeToManifestJson(n);
      auto differs = [&](const char* key) {
        return now.value(key, json()) != old->value(key, json());
      };
      bool body = differs("checksum") || (!n.test_metadata.is_null() && differs("test_metadata"));
      if (n.IsSource())
        body = differs("freshness") || differs("loaded_at_field") || differs("identifier");
      bool configs = differs("config");
      bool relation = differs("database") || differs("schema") || differs("alias") ||
                      (n.IsSource() && differs("identifier"));
      const json now_contract = now.value("contract", json());
      bool enforced = now_contract.is_object() && now_contract.value("enforced", false);
      bool contract = differs("contract") || (enforced && differs("columns"));
      bool descriptions = differs("description");
      if (value == "modified.body") return body;
      if (value == "modified.configs") return configs;
      if (value == "modified.relation") return relation;
      if (value == "modified.contract") return contract;
      if (value == "modified.persisted_descriptions") return descriptions;
      bool modified = body || configs || relation || contract;
      return value == "modified" ? modified : !modified;
    });
  }

  const DbtProject& project_;
  const DbtGraph& graph_;
  const SelectionOptions& options_;
};

}  // namespace

bool WildcardMatch(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0, star_p = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '[') {
      size_t close = pattern.find(']', p + 1);
      if (close != std::string_view::npos) {
        bool negate = p + 1 < close && (pattern[p + 1] == '!' || pattern[p + 1] == '^');
        bool found = false;
        for (size_t i = p + 1 + negate; i < close; ++i) {
          if (i + 2 < close && pattern[i + 1] == '-') {
            if (text[t] >= pattern[i] && text[t] <= pattern[i + 2]) found = true;
            i += 2;
          } else if (pattern[i] == text[t]) {
            found = true;
          }
        }
        if (found != negate) {
          p = close + 1;
          ++t;
          continue;
        }
      } else if (text[t] == '[') {
        ++p;
        ++t;
        continue;
      }
    } else if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t]) &&
               pattern[p] != '*') {
      ++p;
      ++t;
      continue;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star_p = p++;
      star_t = t;
      continue;
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p + 1;
    t = ++star_t;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

Result<std::set<std::string>> SelectNodes(const DbtProject& project, const DbtGraph& graph,
                                          const SelectionOptions& options) {
  Selector selector(project, graph, options);
  IdSet included;
  const YamlSelector* yaml = nullptr;
  static const std::vector<YamlSelector> kNone;
  const std::vector<YamlSelector>& selectors =
      options.yaml_selectors != nullptr ? *options.yaml_selectors : kNone;
  if (options.selector.empty() && options.select.empty() && options.exclude.empty()) {
    yaml = DefaultYamlSelector(selectors);
  }
  if (!options.selector.empty() || yaml != nullptr) {
    // A named selector replaces --select and --exclude (dbt ignores them).
    auto select_criterion = [&selector](const SelectionCriterion& c) -> Result<IdSet> {
      STRATA_ASSIGN_OR_RETURN(IdSet direct, selector.SelectCriterion(c));
      return selector.WithIndirectTests(std::move(direct), c.indirect_selection);
    };
    STRATA_ASSIGN_OR_RETURN(
        included,
        internal::EvaluateYamlSelector(selectors, yaml != nullptr ? yaml->name : options.selector,
                                       select_criterion));
  } else if (options.select.empty()) {
    included.insert(graph.ids().begin(), graph.ids().end());
  } else {
    STRATA_ASSIGN_OR_RETURN(included, selector.SelectArgs(options.select));
    included = selector.WithIndirectTests(std::move(included));
  }
  if (!options.exclude.empty() && options.selector.empty() && yaml == nullptr) {
    STRATA_ASSIGN_OR_RETURN(IdSet excluded, selector.SelectArgs(options.exclude));
    excluded = selector.WithIndirectTests(std::move(excluded));
    for (const auto& id : excluded) included.erase(id);
  }
  if (!options.resource_types.empty()) {
    for (auto it = included.begin(); it != included.end();) {
      const Node* node = project.FindNode(*it);
      if (node == nullptr || !options.resource_types.count(node->resource_type)) {
        it = included.erase(it);
      } else {
        ++it;
      }
    }
  }
  return included;
}

Result<nlohmann::json> LoadStateManifest(FileSystem& fs, const std::string& state_dir) {
  const std::string path = JoinPath(state_dir, "manifest.json");
  auto text = fs.ReadFile(path);
  if (!text.ok()) {
    if (text.status().IsNotFound()) {
      return Status::NotFound("--state " + state_dir + ": no manifest.json there");
    }
    return text.status();
  }
  json manifest = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (manifest.is_discarded() || !manifest.is_object()) {
    return Status::InvalidArgument(path + " is not a JSON manifest");
  }
  return manifest;
}

}  // namespace strata::transform
