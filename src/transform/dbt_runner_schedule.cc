// The edges the runner schedules on.
#include <algorithm>

#include "transform/dbt_runner_internal.h"

namespace strata::transform::internal {

std::map<std::string, std::set<std::string>> ScheduleEdges(const DbtProject& project,
                                                           const DbtGraph& graph,
                                                           const std::set<std::string>& selected,
                                                           bool tests_gate_children) {
  std::map<std::string, std::set<std::string>> parents = graph.SelectedParents(selected);
  if (!tests_gate_children) return parents;
  // dbt build: a model's children wait for the model's tests, so a failing
  // test skips them. A child the test itself depends on (a relationships test
  // reads both sides) is left alone, or the graph would have a cycle.
  std::map<std::string, std::set<std::string>> children;
  for (const auto& [id, ps] : parents) {
    for (const auto& p : ps) children[p].insert(id);
  }
  // As dbt: a test gates a child only when the child depends on every node
  // the test reads. Otherwise two siblings with relationships tests on each
  // other's parent (order_items -> orders, payments -> orders) wait for each
  // other's tests: a cycle.
  std::map<std::string, std::set<std::string>> ancestors_of;
  for (const auto& id : selected) {
    const Node* test = project.FindNode(id);
    if (test == nullptr || !test->IsTest()) continue;
    const std::set<std::string> ancestors = graph.Ancestors(id);
    for (const auto& tested : parents[id]) {
      for (const auto& child : children[tested]) {
        const Node* c = project.FindNode(child);
        if (c == nullptr || c->IsTest() || child == id) continue;
        if (ancestors.count(child) > 0) continue;
        auto [it, fresh] = ancestors_of.try_emplace(child);
        if (fresh) it->second = graph.Ancestors(child);
        const bool reads_all =
            std::all_of(parents[id].begin(), parents[id].end(),
                        [&](const std::string& p) { return it->second.count(p); });
        if (reads_all) parents[child].insert(id);
      }
    }
  }
  return parents;
}

}  // namespace strata::transform::internal
