#include "transform/dbt_graph.h"

#include <algorithm>
#include <deque>
#include <functional>
#include <queue>

#include "common/edit_distance.h"
#include "common/file_system.h"
#include "transform/dbt_internal.h"

namespace strata::transform {
namespace {

using json = nlohmann::json;

bool IsRefable(const Node& node) {
  return node.resource_type == "model" || node.resource_type == "seed" ||
         node.resource_type == "snapshot";
}

class RefResolver {
 public:
  explicit RefResolver(DbtProject* project) : project_(project) {
    for (const auto& [id, node] : project->nodes) {
      if (IsRefable(node)) by_name_[{node.package_name, node.name}].push_back(&node);
      if (node.IsSource()) sources_[{node.source_name, node.name}] = id;
    }
    for (const auto& [id, list] : project->disabled) {
      for (const auto& node : list) disabled_[{node.package_name, node.name}] = id;
    }
  }

  void Resolve(Node* node) {
    node->depends_on_nodes.clear();
    std::set<std::string> deps;
    for (const RefCall& ref : node->refs) {
      std::string id = FindRef(*node, ref);
      if (!id.empty()) {
        if (id != node->unique_id) deps.insert(id);
        continue;
      }
      std::string shown =
          ref.package.empty() ? "'" + ref.name + "'" : "'" + ref.package + "." + ref.name + "'";
      if (!ref.version.empty()) shown += " (version " + ref.version + ")";
      std::string message;
      if (disabled_.count({ref.package.empty() ? node->package_name : ref.package, ref.name})) {
        message = node->resource_type + " '" + node->unique_id + "' depends on a node named " +
                  shown + " which is disabled";
      } else {
        message = node->resource_type + " '" + node->unique_id + "' depends on a node named " +
                  shown + " which was not found" + SuggestRef(ref.name);
      }
      Report(*node, ref.line, ref.column, message);
    }
    for (const SourceCall& call : node->source_calls) {
      auto it = sources_.find({call.source, call.table});
      if (it != sources_.end()) {
        deps.insert(it->second);
        continue;
      }
      Report(*node, call.line, call.column,
             node->resource_type + " '" + node->unique_id + "' depends on a source named '" +
                 call.source + "." + call.table + "' which was not found" +
                 SuggestSource(call.source + "." + call.table));
    }
    node->depends_on_nodes.assign(deps.begin(), deps.end());
  }

 private:
  std::string FindRef(const Node& from, const RefCall& ref) {
    std::vector<std::string> packages;
    if (!ref.package.empty()) {
      packages = {ref.package};
    } else {
      // dbt looks in the calling node's package, then the root project, then
      // every package.
      packages.push_back(from.package_name);
      packages.push_back(project_->name);
      for (const auto& p : project_->packages) packages.push_back(p.name);
    }
    for (const auto& pkg : packages) {
      auto it = by_name_.find({pkg, ref.name});
      if (it == by_name_.end()) continue;
      for (const Node* candidate : it->second) {
        if (candidate->version.empty()) return candidate->unique_id;
        const std::string& wanted = ref.version.empty() ? candidate->latest_version : ref.version;
        if (candidate->version == wanted) return candidate->unique_id;
      }
    }
    return "";
  }

  std::string SuggestRef(const std::string& name) const {
    std::string best;
    size_t best_distance = std::max<size_t>(3, name.size() / 3) + 1;
    for (const auto& [key, nodes] : by_name_) {
      size_t d = EditDistance(key.second, name);
      if (d < best_distance) {
        best_distance = d;
        best = key.second;
      }
    }
    return best.empty() ? "" : " (did you mean '" + best + "'?)";
  }

  std::string SuggestSource(const std::string& name) const {
    std::string best;
    size_t best_distance = std::max<size_t>(3, name.size() / 3) + 1;
    for (const auto& [key, id] : sources_) {
      std::string candidate = key.first + "." + key.second;
      size_t d = EditDistance(candidate, name);
      if (d < best_distance) {
        best_distance = d;
        best = candidate;
      }
    }
    return best.empty() ? "" : " (did you mean '" + best + "'?)";
  }

  void Report(const Node& node, int line, int column, const std::string& message) {
    project_->diagnostics.push_back({Diagnostic::Severity::kError,
                                     internal::NodeDisplayPath(*project_, node), line, column,
                                     node.unique_id, message});
  }

  DbtProject* project_;
  std::map<std::pair<std::string, std::string>, std::vector<const Node*>> by_name_;
  std::map<std::pair<std::string, std::string>, std::string> sources_;
  std::map<std::pair<std::string, std::string>, std::string> disabled_;
};

}  // namespace

DbtGraph DbtGraph::Build(DbtProject* project) {
  RefResolver resolver(project);
  for (auto& [id, node] : project->nodes) {
    if (!node.IsSource()) resolver.Resolve(&node);
  }
  DbtGraph g;
  for (const auto& [id, node] : project->nodes) {
    g.index_[id] = static_cast<int>(g.ids_.size());
    g.ids_.push_back(id);
  }
  g.parents_.resize(g.ids_.size());
  g.children_.resize(g.ids_.size());
  for (const auto& [id, node] : project->nodes) {
    int child = g.index_[id];
    for (const auto& dep : node.depends_on_nodes) {
      auto it = g.index_.find(dep);
      if (it == g.index_.end()) continue;
      g.parents_[child].push_back(it->second);
      g.children_[it->second].push_back(child);
    }
  }
  for (auto& list : g.children_) std::sort(list.begin(), list.end());
  if (auto cycle = g.FindCycle(); cycle.has_value()) {
    std::string names;
    for (size_t i = 0; i < cycle->size(); ++i) {
      const Node& n = project->nodes.at((*cycle)[i]);
      names +=
          (i ? " -> " : "") + n.unique_id + " (" + internal::NodeDisplayPath(*project, n) + ")";
    }
    const Node& first = project->nodes.at(cycle->front());
    project->diagnostics.push_back({Diagnostic::Severity::kError,
                                    internal::NodeDisplayPath(*project, first), 0, 0,
                                    first.unique_id, "found a cycle: " + names});
  }
  return g;
}

std::vector<std::string> DbtGraph::Parents(const std::string& id) const {
  std::vector<std::string> out;
  auto it = index_.find(id);
  if (it == index_.end()) return out;
  for (int p : parents_[it->second]) out.push_back(ids_[p]);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> DbtGraph::Children(const std::string& id) const {
  std::vector<std::string> out;
  auto it = index_.find(id);
  if (it == index_.end()) return out;
  for (int c : children_[it->second]) out.push_back(ids_[c]);
  return out;
}

namespace {
std::set<std::string> Walk(const std::vector<std::string>& ids,
                           const std::map<std::string, int>& index,
                           const std::vector<std::vector<int>>& edges, const std::string& id,
                           int depth) {
  std::set<std::string> out;
  auto it = index.find(id);
  if (it == index.end()) return out;
  std::vector<int> dist(ids.size(), -1);
  std::deque<int> queue = {it->second};
  dist[it->second] = 0;
  while (!queue.empty()) {
    int v = queue.front();
    queue.pop_front();
    if (depth >= 0 && dist[v] >= depth) continue;
    for (int w : edges[v]) {
      if (dist[w] != -1) continue;
      dist[w] = dist[v] + 1;
      out.insert(ids[w]);
      queue.push_back(w);
    }
  }
  return out;
}
}  // namespace

std::set<std::string> DbtGraph::Ancestors(const std::string& id, int depth) const {
  return Walk(ids_, index_, parents_, id, depth);
}

std::set<std::string> DbtGraph::Descendants(const std::string& id, int depth) const {
  return Walk(ids_, index_, children_, id, depth);
}

std::optional<std::vector<std::string>> DbtGraph::FindCycle() const {
  // Iterative DFS along parent edges; colors: 0 new, 1 on stack, 2 done.
  std::vector<int> color(ids_.size(), 0);
  std::vector<int> stack_nodes;
  std::vector<size_t> stack_next;
  for (size_t start = 0; start < ids_.size(); ++start) {
    if (color[start] != 0) continue;
    stack_nodes = {static_cast<int>(start)};
    stack_next = {0};
    color[start] = 1;
    while (!stack_nodes.empty()) {
      int v = stack_nodes.back();
      size_t& next = stack_next.back();
      if (next < parents_[v].size()) {
        int w = parents_[v][next++];
        if (color[w] == 1) {
          // Each stack entry is a parent of the one below it, so from w the
          // cycle read parents first is w, v, ..., (the entry above w), w.
          auto from = std::find(stack_nodes.begin(), stack_nodes.end(), w);
          std::vector<std::string> cycle = {ids_[w]};
          for (auto it = stack_nodes.end(); it != from + 1;) cycle.push_back(ids_[*--it]);
          cycle.push_back(ids_[w]);
          return cycle;
        }
        if (color[w] == 0) {
          color[w] = 1;
          stack_nodes.push_back(w);
          stack_next.push_back(0);
        }
      } else {
        color[v] = 2;
        stack_nodes.pop_back();
        stack_next.pop_back();
      }
    }
  }
  return std::nullopt;
}

Result<std::vector<std::string>> DbtGraph::TopologicalOrder() const {
  if (auto cycle = FindCycle(); cycle.has_value()) {
    std::string names;
    for (size_t i = 0; i < cycle->size(); ++i) names += (i ? " -> " : "") + (*cycle)[i];
    return Status::InvalidArgument("the graph has a cycle: " + names);
  }
  std::vector<int> waiting(ids_.size());
  std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
  for (size_t i = 0; i < ids_.size(); ++i) {
    waiting[i] = static_cast<int>(parents_[i].size());
    if (waiting[i] == 0) ready.push(static_cast<int>(i));
  }
  std::vector<std::string> order;
  while (!ready.empty()) {
    int v = ready.top();
    ready.pop();
    order.push_back(ids_[v]);
    for (int c : children_[v]) {
      if (--waiting[c] == 0) ready.push(c);
    }
  }
  return order;
}

json DbtGraph::ParentMap() const {
  json out = json::object();
  for (const auto& id : ids_) out[id] = Parents(id);
  return out;
}

json DbtGraph::ChildMap() const {
  json out = json::object();
  for (const auto& id : ids_) out[id] = Children(id);
  return out;
}

std::map<std::string, std::set<std::string>> DbtGraph::SelectedParents(
    const std::set<std::string>& selected) const {
  std::map<std::string, std::set<std::string>> parents;
  for (const auto& id : selected) {
    std::set<std::string> seen;
    std::vector<std::string> frontier = Parents(id);
    std::set<std::string>& nearest = parents[id];
    while (!frontier.empty()) {
      std::string p = frontier.back();
      frontier.pop_back();
      if (!seen.insert(p).second) continue;
      if (selected.count(p) > 0) {
        nearest.insert(p);
      } else {
        for (auto& gp : Parents(p)) frontier.push_back(gp);
      }
    }
  }
  return parents;
}

}  // namespace strata::transform
