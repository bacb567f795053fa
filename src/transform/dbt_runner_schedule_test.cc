// The edges `build` adds so that a model's tests gate its children.
#include <gtest/gtest.h>

#include "transform/dbt_runner_internal.h"
#include "transform/dbt_testing.h"

namespace strata::transform::internal {
namespace {

TEST(ScheduleEdgesTest, BuildMakesChildrenWaitForTheTestsOfTheirParents) {
  DbtProject p = testing::LoadFixture("jaffle", {}, "");
  DbtGraph g = DbtGraph::Build(&p);
  std::set<std::string> selected;
  for (const auto& [id, node] : p.nodes) {
    if (node.IsExecutable()) selected.insert(id);
  }
  auto build = ScheduleEdges(p, g, selected, /*tests_gate_children=*/true);
  auto run = ScheduleEdges(p, g, selected, /*tests_gate_children=*/false);
  // stg_customers feeds customers; a test on stg_customers gates customers
  // in build only.
  std::string stg_test;
  for (const auto& id : selected) {
    const Node* n = p.FindNode(id);
    if (n->IsTest() && n->attached_node == "model.jaffle.stg_customers") stg_test = id;
  }
  ASSERT_FALSE(stg_test.empty()) << "the fixture tests stg_customers";
  EXPECT_EQ(build["model.jaffle.customers"].count(stg_test), 1u);
  EXPECT_EQ(run["model.jaffle.customers"].count(stg_test), 0u);
  EXPECT_EQ(run["model.jaffle.customers"].count("model.jaffle.stg_customers"), 1u);
  // A test never waits for a node it reads (no cycles).
  for (const auto& [child, ps] : build) {
    for (const auto& parent : ps) {
      EXPECT_EQ(build[parent].count(child), 0u) << parent << " <-> " << child;
    }
  }
}

}  // namespace
}  // namespace strata::transform::internal
