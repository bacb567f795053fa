// RunSchedule (ordering, skipping, cancellation, real threads) and the edges
// `build` adds so that a model's tests gate its children.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "transform/dbt_runner_internal.h"
#include "transform/dbt_testing.h"

namespace strata::transform::internal {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(RunScheduleTest, ParentsFirstAndFailureSkipsDescendants) {
  // a -> b -> c, a -> d; e independent.
  RunSchedule s({"a", "b", "c", "d", "e"}, {{"b", {"a"}}, {"c", {"b"}}, {"d", {"a"}}});
  EXPECT_EQ(*s.Next(), "a");
  EXPECT_EQ(*s.Next(), "e");
  EXPECT_THAT(s.MarkDone("a", true), IsEmpty());
  EXPECT_EQ(*s.Next(), "b");
  EXPECT_EQ(*s.Next(), "d");
  EXPECT_THAT(s.MarkDone("b", false), ElementsAre("c"));
  EXPECT_THAT(s.MarkDone("d", true), IsEmpty());
  EXPECT_THAT(s.MarkDone("e", true), IsEmpty());
  EXPECT_FALSE(s.Next().has_value());
}

TEST(RunScheduleTest, CancelReturnsOnlyNodesNeverHandedOut) {
  RunSchedule s({"a", "b", "c"}, {{"c", {"a"}}});
  ASSERT_EQ(*s.Next(), "a");
  EXPECT_THAT(s.Cancel(), ElementsAre("b", "c"));
  EXPECT_FALSE(s.Next().has_value());
  EXPECT_THAT(s.MarkDone("a", true), IsEmpty());
  EXPECT_THAT(s.Cancel(), IsEmpty());
}

TEST(RunScheduleTest, CycleEndsInsteadOfHanging) {
  RunSchedule s({"a", "b", "free"}, {{"a", {"b"}}, {"b", {"a"}}});
  EXPECT_EQ(*s.Next(), "free");
  s.MarkDone("free", true);
  EXPECT_FALSE(s.Next().has_value());
}

TEST(RunScheduleTest, FourThreadsNeverStartAChildBeforeItsParent) {
  // A diamond chain: level k has 4 nodes, each waiting for all of level k-1.
  std::vector<std::string> order;
  std::map<std::string, std::set<std::string>> parents;
  for (int level = 0; level < 5; ++level) {
    for (int i = 0; i < 4; ++i) {
      const std::string id = "n" + std::to_string(level) + "_" + std::to_string(i);
      order.push_back(id);
      if (level > 0) {
        for (int j = 0; j < 4; ++j) {
          parents[id].insert("n" + std::to_string(level - 1) + "_" + std::to_string(j));
        }
      }
    }
  }
  RunSchedule s(order, parents);
  std::mutex mu;
  std::map<std::string, int> finished_at;
  std::vector<std::pair<std::string, int>> started_at;
  std::atomic<int> tick{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      while (auto id = s.Next()) {
        {
          std::lock_guard<std::mutex> lock(mu);
          started_at.emplace_back(*id, ++tick);
        }
        std::lock_guard<std::mutex> lock(mu);
        finished_at[*id] = ++tick;
        s.MarkDone(*id, true);
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(finished_at.size(), order.size());
  for (const auto& [id, start] : started_at) {
    for (const auto& p : parents[id]) EXPECT_LT(finished_at[p], start) << id << " before " << p;
  }
}

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
