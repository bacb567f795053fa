// RunSchedule and the edges it runs on.
#include <algorithm>

#include "transform/dbt_runner_internal.h"

namespace strata::transform::internal {

RunSchedule::RunSchedule(std::vector<std::string> order,
                         const std::map<std::string, std::set<std::string>>& parents)
    : order_(std::move(order)) {
  for (size_t i = 0; i < order_.size(); ++i) index_[order_[i]] = static_cast<int>(i);
  children_.resize(order_.size());
  waiting_on_.assign(order_.size(), 0);
  finished_.assign(order_.size(), false);
  started_.assign(order_.size(), false);
  for (size_t i = 0; i < order_.size(); ++i) {
    auto it = parents.find(order_[i]);
    if (it == parents.end()) continue;
    for (const auto& p : it->second) {
      auto pi = index_.find(p);
      if (pi == index_.end() || pi->second == static_cast<int>(i)) continue;
      children_[pi->second].push_back(static_cast<int>(i));
      ++waiting_on_[i];
    }
  }
  for (size_t i = 0; i < order_.size(); ++i) {
    if (waiting_on_[i] == 0) ready_.insert(static_cast<int>(i));
  }
}

std::optional<std::string> RunSchedule::Next() {
  std::unique_lock<std::mutex> lock(mu_);
  // Nodes in a cycle never become ready: stop once nothing is running that
  // could release them.
  changed_.wait(lock, [this] { return cancelled_ || !ready_.empty() || in_flight_ == 0; });
  if (cancelled_ || ready_.empty()) return std::nullopt;
  const int i = *ready_.begin();
  ready_.erase(ready_.begin());
  started_[i] = true;
  ++in_flight_;
  return order_[i];
}

std::vector<std::string> RunSchedule::MarkDone(const std::string& id, bool success) {
  std::vector<std::string> skipped;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = index_.find(id);
  if (it == index_.end()) return skipped;
  const int i = it->second;
  --in_flight_;
  finished_[i] = true;
  if (success) {
    for (int c : children_[i]) {
      if (!finished_[c] && --waiting_on_[c] == 0) ready_.insert(c);
    }
  } else {
    std::vector<int> stack(children_[i].begin(), children_[i].end());
    std::set<int> seen;
    while (!stack.empty()) {
      const int c = stack.back();
      stack.pop_back();
      if (finished_[c] || !seen.insert(c).second) continue;
      finished_[c] = true;
      ready_.erase(c);
      for (int g : children_[c]) stack.push_back(g);
    }
    for (int c : seen) skipped.push_back(order_[c]);  // std::set: in schedule order
  }
  changed_.notify_all();
  return skipped;
}

std::vector<std::string> RunSchedule::Cancel() {
  std::vector<std::string> never_started;
  std::lock_guard<std::mutex> lock(mu_);
  cancelled_ = true;
  ready_.clear();
  for (size_t i = 0; i < order_.size(); ++i) {
    if (!finished_[i] && !started_[i]) {
      finished_[i] = true;
      never_started.push_back(order_[i]);
    }
  }
  changed_.notify_all();
  return never_started;
}

std::map<std::string, std::set<std::string>> ScheduleEdges(const DbtProject& project,
                                                           const DbtGraph& graph,
                                                           const std::set<std::string>& selected,
                                                           bool tests_gate_children) {
  std::map<std::string, std::set<std::string>> parents;
  for (const auto& id : selected) {
    std::set<std::string> seen;
    std::vector<std::string> frontier = graph.Parents(id);
    std::set<std::string>& mine = parents[id];
    while (!frontier.empty()) {
      std::string p = frontier.back();
      frontier.pop_back();
      if (!seen.insert(p).second) continue;
      if (selected.count(p) > 0) {
        mine.insert(p);
      } else {
        for (auto& gp : graph.Parents(p)) frontier.push_back(gp);
      }
    }
  }
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
