// The project graph: ref()/source() calls resolved to unique ids, a DAG over
// every node, source and exposure, cycle detection and topological order.
// RunSchedule (dbt_schedule.h) hands its nodes to worker threads.
#pragma once

#include <map>
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

  // For each id of `selected`, its nearest selected ancestors, looking
  // through unselected vertices as dbt's subgraph of a selection does (the
  // edges RunSchedule runs a selection on). Ids not in the graph map to {}.
  std::map<std::string, std::set<std::string>> SelectedParents(
      const std::set<std::string>& selected) const;

 private:
  std::vector<std::string> ids_;
  std::map<std::string, int> index_;
  std::vector<std::vector<int>> parents_;
  std::vector<std::vector<int>> children_;
};

}  // namespace strata::transform
