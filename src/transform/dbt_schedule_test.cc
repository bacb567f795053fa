// RunSchedule: ordering, skipping, cancellation, cycles, and real threads
// over hand-made edges and over a selection of the jaffle fixture.
#include "transform/dbt_schedule.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "transform/dbt_graph.h"
#include "transform/dbt_testing.h"

namespace strata::transform {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::LoadFixture;
using ::testing::UnorderedElementsAre;

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

TEST(RunScheduleTest, JaffleSelectionRunsIndependentNodesInParallelAndParentsFirst) {
  DbtProject p = LoadFixture("jaffle");
  DbtGraph g = DbtGraph::Build(&p);
  std::set<std::string> selected;
  for (const auto& [id, node] : p.nodes) {
    if (node.IsExecutable()) selected.insert(id);
  }
  RunSchedule queue({selected.begin(), selected.end()}, g.SelectedParents(selected));
  std::mutex mu;
  std::set<std::string> done;
  std::vector<std::string> handed_out;
  std::vector<std::string> violations;
  std::atomic<int> in_flight{0};
  std::atomic<int> max_in_flight{0};
  auto worker = [&] {
    while (auto id = queue.Next()) {
      int now = ++in_flight;
      int seen = max_in_flight.load();
      while (now > seen && !max_in_flight.compare_exchange_weak(seen, now)) {
      }
      {
        std::lock_guard<std::mutex> lock(mu);
        handed_out.push_back(*id);
        // Every selected ancestor must be done, also through unselected
        // nodes (sources).
        for (const auto& a : g.Ancestors(*id)) {
          if (selected.count(a) && !done.count(a)) violations.push_back(a + " before " + *id);
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(15));
      {
        std::lock_guard<std::mutex> lock(mu);
        done.insert(*id);
      }
      --in_flight;
      EXPECT_THAT(queue.MarkDone(*id, true), IsEmpty());
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  EXPECT_TRUE(violations.empty()) << violations.front();
  EXPECT_EQ(std::set<std::string>(handed_out.begin(), handed_out.end()), selected);
  EXPECT_EQ(handed_out.size(), selected.size());  // each exactly once
  // The three seeds (and other roots) are ready at once: 4 workers overlap.
  EXPECT_GE(max_in_flight.load(), 2);
}

TEST(RunScheduleTest, JaffleFailureSkipsSelectedDescendantsThroughSources) {
  DbtProject p = LoadFixture("jaffle");
  DbtGraph g = DbtGraph::Build(&p);
  std::set<std::string> selected = {"seed.jaffle.raw_orders",     "model.jaffle.stg_orders",
                                    "model.jaffle.orders",        "model.jaffle.revenue",
                                    "model.jaffle.stg_customers", "seed.jaffle.raw_customers"};
  RunSchedule queue({selected.begin(), selected.end()}, g.SelectedParents(selected));
  std::vector<std::string> ran;
  std::vector<std::string> skipped;
  std::vector<std::thread> threads;
  std::mutex mu;
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&] {
      while (auto id = queue.Next()) {
        {
          std::lock_guard<std::mutex> lock(mu);
          ran.push_back(*id);
        }
        std::vector<std::string> newly = queue.MarkDone(*id, *id != "model.jaffle.stg_orders");
        std::lock_guard<std::mutex> lock(mu);
        skipped.insert(skipped.end(), newly.begin(), newly.end());
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_THAT(ran, UnorderedElementsAre("seed.jaffle.raw_orders", "model.jaffle.stg_orders",
                                        "seed.jaffle.raw_customers", "model.jaffle.stg_customers"));
  EXPECT_THAT(skipped, ElementsAre("model.jaffle.orders", "model.jaffle.revenue"));
}

}  // namespace
}  // namespace strata::transform
