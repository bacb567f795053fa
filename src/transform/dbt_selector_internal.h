// Shared by dbt_selector.cc (the CLI syntax) and dbt_selector_yaml.cc
// (selectors.yml definitions). Internal to transform.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "transform/dbt_selector.h"

namespace strata::transform::internal {

// One selection criterion: a method and value with dbt's graph operators
// (`@`, `N+`, `+N`), and the indirect selection mode its tests follow.
struct SelectionCriterion {
  bool childrens_parents = false;  // @
  bool parents = false;
  int parents_depth = -1;  // -1: every generation
  bool children = false;
  int children_depth = -1;
  std::string method;
  std::string value;
  std::string indirect_selection;  // empty: SelectionOptions::indirect_selection
};

// Parses one CLI-style spec ("[@][N+]method:value[+N]"; no set operators).
// InvalidArgument for a malformed spec.
Result<SelectionCriterion> ParseSelectionCriterion(const std::string& raw);

// The nodes one criterion selects, indirectly selected tests included.
using CriterionSelector = std::function<Result<std::set<std::string>>(const SelectionCriterion&)>;

// Evaluates the selectors.yml selector `name` over `selectors`, calling
// `select` for each criterion. NotFound naming the known selectors for an
// unknown name; InvalidArgument for a malformed definition or a cycle of
// `method: selector` references.
Result<std::set<std::string>> EvaluateYamlSelector(const std::vector<YamlSelector>& selectors,
                                                   const std::string& name,
                                                   const CriterionSelector& select);

}  // namespace strata::transform::internal
