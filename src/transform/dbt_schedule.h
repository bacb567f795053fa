// The one scheduler of the dbt DAG: hands nodes to worker threads in
// dependency order over explicit edges, skips the descendants of a failure
// and can be cancelled (--fail-fast).
#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace strata::transform {

// Takes explicit edges rather than a DbtGraph so that `build` can make a
// model's children wait for the model's tests; for a plain selection pass
// DbtGraph::SelectedParents. All methods are thread-safe.
class RunSchedule {
 public:
  // `order`: the nodes to run (ties between ready nodes start in this order);
  // `parents`: for each node, the nodes of `order` it waits for. Parents not
  // in `order` and self-edges are ignored.
  RunSchedule(std::vector<std::string> order,
              const std::map<std::string, std::set<std::string>>& parents);
  RunSchedule(const RunSchedule&) = delete;
  RunSchedule& operator=(const RunSchedule&) = delete;

  // Blocks until a node is ready and returns it; nullopt once none will be
  // (all finished, cancelled, or the rest wait on a cycle).
  std::optional<std::string> Next();
  // Reports that `id` (from Next) finished. On failure its descendants are
  // skipped and returned (in order), never handed out. Unknown ids: no-op.
  std::vector<std::string> MarkDone(const std::string& id, bool success);
  // Stops handing out nodes; returns the nodes never handed out and not
  // skipped, in order (each returned once).
  std::vector<std::string> Cancel();

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<std::string> order_;
  std::map<std::string, int> index_;
  std::vector<std::vector<int>> children_;
  std::vector<int> waiting_on_;
  std::set<int> ready_;
  std::vector<bool> finished_;  // done, skipped or cancelled
  std::vector<bool> started_;   // handed out by Next
  size_t in_flight_ = 0;
  bool cancelled_ = false;
};

}  // namespace strata::transform
