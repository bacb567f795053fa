#include "transform/dbt_schedule.h"

namespace strata::transform {

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

}  // namespace strata::transform
