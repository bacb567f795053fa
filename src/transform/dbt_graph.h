// The project graph: ref()/source() calls resolved to unique ids, a DAG over
// every node, source and exposure, cycle detection, topological order, and a
// ready-queue that hands out nodes to N worker threads as their parents finish.
#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "transform/dbt_model.h"

namespace strata::transform {

class DbtGraph {
 public:
  // Resolves every node's refs and source calls into depends_on_nodes (in
  // `project`), and builds the graph. Unknown refs, refs to disabled nodes and
  // cycles become error diagnostics in project->diagnostics ("file:line:col"
  // of the call, a "did you mean"); the graph still holds every other edge so
  // independent nodes can run. Not thread-safe while it runs.
  static DbtGraph Build(DbtProject* project);

  // Every vertex (unique ids), sorted.
  const std::vector<std::string>& ids() const { return ids_; }
  bool Contains(const std::string& id) const { return index_.count(id) > 0; }
  // Direct parents / children of `id` (sorted); empty for unknown ids.
  std::vector<std::string> Parents(const std::string& id) const;
  std::vector<std::string> Children(const std::string& id) const;
  // Nodes reachable upward / downward from `id`, up to `depth` edges (-1:
  // unlimited); `id` itself is not included.
  std::set<std::string> Ancestors(const std::string& id, int depth = -1) const;
  std::set<std::string> Descendants(const std::string& id, int depth = -1) const;

  // A cycle as its nodes in dependency order (the first repeated at the end),
  // or nullopt when the graph is acyclic.
  std::optional<std::vector<std::string>> FindCycle() const;
  // Every vertex, parents before children, ties broken by unique id.
  // InvalidArgument naming the cycle when there is one.
  Result<std::vector<std::string>> TopologicalOrder() const;

  // dbt's manifest parent_map / child_map: id -> sorted list of ids.
  nlohmann::json ParentMap() const;
  nlohmann::json ChildMap() const;

 private:
  std::vector<std::string> ids_;
  std::map<std::string, int> index_;
  std::vector<std::vector<int>> parents_;
  std::vector<std::vector<int>> children_;
};

// Hands out the `selected` nodes of a graph to worker threads in dependency
// order: a node becomes ready when every selected node it depends on
// (directly, or through unselected nodes) is done. A failed node's selected
// descendants are skipped, never handed out. All methods are thread-safe.
class ReadyQueue {
 public:
  ReadyQueue(const DbtGraph& graph, const std::set<std::string>& selected);
  ReadyQueue(const ReadyQueue&) = delete;
  ReadyQueue& operator=(const ReadyQueue&) = delete;

  // Blocks until a node is ready and returns it, or returns nullopt once no
  // node will become ready any more (all done or skipped).
  std::optional<std::string> Next();
  // Reports that `id` (returned by Next) finished; on failure its descendants
  // are skipped.
  void MarkDone(const std::string& id, bool success);
  // The nodes skipped because an ancestor failed, sorted.
  std::vector<std::string> Skipped() const;

 private:
  void SkipDescendants(int index);  // requires mutex_

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> ids_;
  std::vector<std::vector<int>> children_;       // among selected nodes
  std::vector<int> waiting_on_;                  // unfinished parents per node
  std::set<std::pair<std::string, int>> ready_;  // ordered by id: stable order
  std::vector<bool> skipped_;
  size_t outstanding_ = 0;  // not yet done or skipped
  size_t in_flight_ = 0;    // handed out by Next, not yet MarkDone
};

}  // namespace strata::transform
