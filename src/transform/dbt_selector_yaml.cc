// selectors.yml: dbt's named YAML selectors. A definition is a CLI-style
// string (one spec, graph operators allowed), a `method: value` pair, a full
// mapping (method, value, graph keywords, indirect_selection, exclude), or a
// `union` / `intersection` list whose `exclude` item is subtracted last.
// `method: selector` reuses another selector's whole result.
#include <algorithm>
#include <cctype>

#include "transform/dbt_selector_internal.h"
#include "transform/dbt_yaml.h"

namespace strata::transform {
namespace {

using json = nlohmann::json;
using IdSet = std::set<std::string>;
using internal::SelectionCriterion;

constexpr const char* kFileName = "selectors.yml";

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string Trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

Result<bool> DefaultFlag(const json& value, const std::string& selector,
                         const std::function<Result<bool>(const std::string&)>& render) {
  if (value.is_null()) return false;
  if (value.is_boolean()) return value.get<bool>();
  if (value.is_string()) {
    const std::string text = Lower(Trim(value.get<std::string>()));
    if (text == "true") return true;
    if (text == "false" || text.empty()) return false;
    if (render != nullptr && value.get<std::string>().find("{{") != std::string::npos) {
      auto rendered = render(value.get<std::string>());
      if (!rendered.ok()) {
        return rendered.status().WithContext(std::string(kFileName) + ": selector '" + selector +
                                             "' default");
      }
      return *rendered;
    }
  }
  return Status::InvalidArgument(std::string(kFileName) + ": selector '" + selector +
                                 "': default must be true or false, got " + value.dump());
}

std::string ScalarText(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return v.dump();
}

// Evaluates definitions with the selectors in scope; `stack` holds the
// selectors being evaluated, to report `method: selector` cycles.
class Evaluator {
 public:
  Evaluator(const std::vector<YamlSelector>& selectors, const internal::CriterionSelector& select)
      : selectors_(selectors), select_(select) {}

  Result<IdSet> EvaluateNamed(const std::string& name) {
    const YamlSelector* found = nullptr;
    for (const auto& s : selectors_) {
      if (s.name == name) found = &s;
    }
    if (found == nullptr) {
      std::string known;
      for (const auto& s : selectors_) known += (known.empty() ? "'" : ", '") + s.name + "'";
      return Status::NotFound(
          "Could not find selector named '" + name + "' in " + kFileName +
          (known.empty() ? std::string(" (it defines none)") : ", expected one of " + known));
    }
    if (std::find(stack_.begin(), stack_.end(), name) != stack_.end()) {
      std::string chain;
      for (const auto& s : stack_) chain += s + " -> ";
      return Status::InvalidArgument(std::string(kFileName) + ": selector cycle " + chain + name);
    }
    stack_.push_back(name);
    auto result = Evaluate(found->definition);
    stack_.pop_back();
    if (!result.ok() && stack_.empty()) {
      return result.status().WithContext(std::string(kFileName) + ": selector '" + name + "'");
    }
    return result;
  }

 private:
  Result<IdSet> Evaluate(const json& definition) {
    if (definition.is_string()) return EvaluateString(definition.get<std::string>());
    if (!definition.is_object() || definition.empty()) {
      return Status::InvalidArgument(
          "a definition must be a string or a mapping (method/value, union, intersection), got " +
          definition.dump());
    }
    if (definition.contains("union") || definition.contains("intersection")) {
      if (definition.size() != 1) {
        return Status::InvalidArgument(
            "'union' or 'intersection' must be the only key of its mapping");
      }
      const bool is_union = definition.contains("union");
      return EvaluateSet(definition.begin().value(), is_union);
    }
    if (definition.contains("method")) return EvaluateFull(definition);
    if (definition.contains("exclude")) {
      return Status::InvalidArgument(
          "'exclude' goes inside a union/intersection list or beside method/value");
    }
    if (definition.size() != 1) {
      return Status::InvalidArgument(
          "a key-value definition holds one 'method: value' pair; use method/value keys for "
          "more: " +
          definition.dump());
    }
    SelectionCriterion c;
    c.method = definition.begin().key();
    c.value = ScalarText(definition.begin().value());
    return Criterion(c);
  }

  Result<IdSet> EvaluateString(const std::string& text) {
    if (text.find_first_of(" ,\t") != std::string::npos) {
      return Status::InvalidArgument("'" + text +
                                     "': a string definition is one spec; write spaces (union) "
                                     "and commas (intersection) as union/intersection lists");
    }
    STRATA_ASSIGN_OR_RETURN(SelectionCriterion c, internal::ParseSelectionCriterion(text));
    return Criterion(c);
  }

  Result<IdSet> EvaluateSet(const json& items, bool is_union) {
    const char* op = is_union ? "union" : "intersection";
    if (!items.is_array() || items.empty()) {
      return Status::InvalidArgument(std::string("'") + op + "' needs a non-empty list");
    }
    std::optional<IdSet> combined;
    std::optional<IdSet> excluded;
    for (const json& item : items) {
      if (item.is_object() && item.size() == 1 && item.contains("exclude")) {
        if (excluded.has_value()) {
          return Status::InvalidArgument(std::string("only one 'exclude' item per ") + op);
        }
        STRATA_ASSIGN_OR_RETURN(IdSet e, EvaluateExcludeList(item["exclude"]));
        excluded = std::move(e);
        continue;
      }
      STRATA_ASSIGN_OR_RETURN(IdSet part, Evaluate(item));
      if (!combined.has_value()) {
        combined = std::move(part);
      } else if (is_union) {
        combined->insert(part.begin(), part.end());
      } else {
        IdSet kept;
        std::set_intersection(combined->begin(), combined->end(), part.begin(), part.end(),
                              std::inserter(kept, kept.end()));
        combined = std::move(kept);
      }
    }
    IdSet out = combined.value_or(IdSet{});
    if (excluded.has_value()) {
      for (const auto& id : *excluded) out.erase(id);
    }
    return out;
  }

  // An exclude list: the union of its definitions.
  Result<IdSet> EvaluateExcludeList(const json& items) {
    if (!items.is_array()) {
      return Status::InvalidArgument("'exclude' needs a list of definitions");
    }
    IdSet out;
    for (const json& item : items) {
      STRATA_ASSIGN_OR_RETURN(IdSet part, Evaluate(item));
      out.insert(part.begin(), part.end());
    }
    return out;
  }

  Result<IdSet> EvaluateFull(const json& d) {
    static const std::set<std::string> kKeys = {"method",
                                                "value",
                                                "children",
                                                "parents",
                                                "children_depth",
                                                "parents_depth",
                                                "childrens_parents",
                                                "indirect_selection",
                                                "exclude",
                                                "description",
                                                "greedy"};
    for (const auto& [key, v] : d.items()) {
      if (kKeys.count(key) == 0) {
        return Status::InvalidArgument(
            "unknown key '" + key +
            "' (method, value, children, parents, children_depth, parents_depth, "
            "childrens_parents, indirect_selection, exclude)");
      }
    }
    if (!d["method"].is_string() || !d.contains("value") || d["value"].is_null()) {
      return Status::InvalidArgument("a full definition needs a string 'method' and a 'value': " +
                                     d.dump());
    }
    SelectionCriterion c;
    c.method = d["method"].get<std::string>();
    c.value = ScalarText(d["value"]);
    STRATA_ASSIGN_OR_RETURN(c.children, Flag(d, "children"));
    STRATA_ASSIGN_OR_RETURN(c.parents, Flag(d, "parents"));
    STRATA_ASSIGN_OR_RETURN(c.childrens_parents, Flag(d, "childrens_parents"));
    STRATA_ASSIGN_OR_RETURN(c.children_depth, Depth(d, "children_depth"));
    STRATA_ASSIGN_OR_RETURN(c.parents_depth, Depth(d, "parents_depth"));
    if (c.childrens_parents && c.parents) {
      return Status::InvalidArgument("childrens_parents (@) and parents cannot be combined");
    }
    if (d.contains("indirect_selection")) {
      const json& mode = d["indirect_selection"];
      static const std::set<std::string> kModes = {"eager", "cautious", "buildable", "empty"};
      if (!mode.is_string() || kModes.count(mode.get<std::string>()) == 0) {
        return Status::InvalidArgument(
            "indirect_selection must be eager, cautious, buildable or empty, got " + mode.dump());
      }
      c.indirect_selection = mode.get<std::string>();
    }
    IdSet out;
    if (c.method == "selector") {
      // Reuse, not modification: the other selector's whole result.
      if (c.children || c.parents || c.childrens_parents || !c.indirect_selection.empty()) {
        return Status::InvalidArgument(
            "method: selector takes no graph or indirect_selection keywords (dbt reuses the "
            "selector's result as is)");
      }
      STRATA_ASSIGN_OR_RETURN(out, EvaluateNamed(c.value));
    } else {
      STRATA_ASSIGN_OR_RETURN(out, Criterion(c));
    }
    if (d.contains("exclude")) {
      STRATA_ASSIGN_OR_RETURN(IdSet excluded, EvaluateExcludeList(d["exclude"]));
      for (const auto& id : excluded) out.erase(id);
    }
    return out;
  }

  Result<IdSet> Criterion(const SelectionCriterion& c) {
    if (c.method == "selector") return EvaluateNamed(c.value);
    return select_(c);
  }

  static Result<bool> Flag(const json& d, const char* key) {
    if (!d.contains(key) || d[key].is_null()) return false;
    if (d[key].is_boolean()) return d[key].get<bool>();
    return Status::InvalidArgument(std::string(key) + " must be true or false, got " +
                                   d[key].dump());
  }

  static Result<int> Depth(const json& d, const char* key) {
    if (!d.contains(key) || d[key].is_null()) return -1;
    if (d[key].is_number_integer() && d[key].get<int64_t>() >= 0) {
      return static_cast<int>(std::min<int64_t>(d[key].get<int64_t>(), 1 << 20));
    }
    return Status::InvalidArgument(std::string(key) + " must be a non-negative integer, got " +
                                   d[key].dump());
  }

  const std::vector<YamlSelector>& selectors_;
  const internal::CriterionSelector& select_;
  std::vector<std::string> stack_;
};

}  // namespace

namespace internal {

Result<std::set<std::string>> EvaluateYamlSelector(const std::vector<YamlSelector>& selectors,
                                                   const std::string& name,
                                                   const CriterionSelector& select) {
  Evaluator evaluator(selectors, select);
  return evaluator.EvaluateNamed(name);
}

}  // namespace internal

Result<std::vector<YamlSelector>> LoadYamlSelectors(
    FileSystem& fs, const std::string& project_dir,
    const std::function<Result<bool>(const std::string&)>& render_default) {
  const std::string path = JoinPath(project_dir, kFileName);
  std::vector<YamlSelector> out;
  STRATA_ASSIGN_OR_RETURN(bool exists, fs.Exists(path));
  if (!exists) return out;
  STRATA_ASSIGN_OR_RETURN(std::string text, fs.ReadFile(path));
  auto parsed = ParseYaml(text, kFileName);
  if (!parsed.ok()) return Status::InvalidArgument(parsed.status().message());
  const json root = parsed->ToJson();
  if (root.is_null()) return out;
  auto bad = [](const std::string& why) {
    return Status::InvalidArgument(std::string(kFileName) + ": " + why);
  };
  if (!root.is_object() || !root.contains("selectors")) {
    return bad("expected a top-level 'selectors:' list");
  }
  const json& list = root["selectors"];
  if (list.is_null()) return out;
  if (!list.is_array()) return bad("'selectors' must be a list");
  std::string default_name;
  for (size_t i = 0; i < list.size(); ++i) {
    const json& entry = list[i];
    const std::string where = "selector " + std::to_string(i + 1);
    if (!entry.is_object()) return bad(where + " is not a mapping");
    if (!entry.contains("name") || !entry["name"].is_string() ||
        entry["name"].get<std::string>().empty()) {
      return bad(where + " has no name");
    }
    YamlSelector s;
    s.name = entry["name"].get<std::string>();
    if (!entry.contains("definition") || entry["definition"].is_null()) {
      return bad("selector '" + s.name + "' has no definition");
    }
    for (const auto& other : out) {
      if (other.name == s.name) return bad("selector '" + s.name + "' is defined twice");
    }
    s.definition = entry["definition"];
    if (entry.contains("description") && entry["description"].is_string()) {
      s.description = entry["description"].get<std::string>();
    }
    STRATA_ASSIGN_OR_RETURN(s.is_default,
                            DefaultFlag(entry.value("default", json()), s.name, render_default));
    if (s.is_default) {
      if (!default_name.empty()) {
        return bad("selectors '" + default_name + "' and '" + s.name +
                   "' both set default: true; only one may");
      }
      default_name = s.name;
    }
    out.push_back(std::move(s));
  }
  return out;
}

const YamlSelector* DefaultYamlSelector(const std::vector<YamlSelector>& selectors) {
  for (const auto& s : selectors) {
    if (s.is_default) return &s;
  }
  return nullptr;
}

}  // namespace strata::transform
