#include "transform/dbt_graph.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "transform/dbt_schedule.h"
#include "transform/dbt_testing.h"

namespace strata::transform {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::LoadFixture;
using ::testing::UnorderedElementsAre;

std::vector<std::string> DependsOn(const DbtProject& p, const std::string& id) {
  const Node* n = p.FindNode(id);
  EXPECT_NE(n, nullptr) << id;
  return n ? n->depends_on_nodes : std::vector<std::string>{};
}

TEST(DbtGraphTest, StaticScanResolvesRefsSourcesVersionsAndPackages) {
  DbtProject p = LoadFixture("jaffle");
  DbtGraph g = DbtGraph::Build(&p);
  EXPECT_FALSE(p.HasErrors()) << testing::AllDiagnostics(p);
  EXPECT_THAT(DependsOn(p, "model.jaffle.stg_customers"), ElementsAre("seed.jaffle.raw_customers"));
  // Double quotes work; the ref in a Jinja comment does not count.
  EXPECT_THAT(DependsOn(p, "model.jaffle.stg_orders"), ElementsAre("seed.jaffle.raw_orders"));
  EXPECT_THAT(DependsOn(p, "model.jaffle.stg_payments"),
              ElementsAre("source.jaffle.jaffle_raw.payments"));
  EXPECT_THAT(DependsOn(p, "model.jaffle.customers"),
              ElementsAre("model.jaffle.stg_customers", "model.jaffle.stg_orders",
                          "model.jaffle.stg_payments"));
  EXPECT_THAT(DependsOn(p, "model.jaffle.revenue"),
              ElementsAre("model.jaffle.orders", "model.shop_utils.utils_calendar"));
  // ref('dim_customers', v=1) and the unversioned ref (the latest, v2).
  EXPECT_THAT(DependsOn(p, "model.jaffle.customer_report"),
              ElementsAre("model.jaffle.dim_customers.v1", "model.jaffle.dim_customers.v2"));
  EXPECT_THAT(DependsOn(p, "exposure.jaffle.weekly_dashboard"),
              ElementsAre("model.jaffle.customers", "model.jaffle.revenue",
                          "source.jaffle.jaffle_raw.orders"));
  EXPECT_THAT(DependsOn(p, "snapshot.jaffle.orders_snapshot"),
              ElementsAre("model.jaffle.stg_orders"));
  // Macro calls found by the same scan: in the node's package, or named by package.
  EXPECT_THAT(p.FindNode("model.jaffle.stg_payments")->depends_on_macros,
              ElementsAre("macro.jaffle.cents"));
  EXPECT_THAT(p.FindNode("model.jaffle.revenue")->depends_on_macros,
              ElementsAre("macro.shop_utils.cents_to_dollars"));
  EXPECT_TRUE(p.FindNode("model.jaffle.orders")->depends_on_macros.empty());
  const Node* ref = p.FindNode("model.jaffle.customer_report");
  ASSERT_EQ(ref->refs.size(), 2u);
  EXPECT_EQ(ref->refs[0].version, "1");
  EXPECT_EQ(ref->refs[0].line, 1);
  EXPECT_EQ(ref->refs[1].line, 3);

  EXPECT_THAT(g.Parents("model.jaffle.customers"),
              ElementsAre("model.jaffle.stg_customers", "model.jaffle.stg_orders",
                          "model.jaffle.stg_payments"));
  EXPECT_THAT(g.Children("model.jaffle.revenue"), Contains("exposure.jaffle.weekly_dashboard"));
  EXPECT_THAT(g.Ancestors("model.jaffle.customers", 1),
              UnorderedElementsAre("model.jaffle.stg_customers", "model.jaffle.stg_orders",
                                   "model.jaffle.stg_payments"));
  EXPECT_THAT(g.Ancestors("model.jaffle.stg_payments"),
              UnorderedElementsAre("source.jaffle.jaffle_raw.payments"));
}

TEST(DbtGraphTest, GenericTestsDependOnWhatTheyTest) {
  DbtProject p = LoadFixture("jaffle");
  DbtGraph::Build(&p);
  int relationships = 0;
  for (const auto& [id, node] : p.nodes) {
    if (node.test_metadata.is_null() || node.test_metadata["name"] != "relationships") continue;
    ++relationships;
    EXPECT_THAT(node.depends_on_nodes,
                ElementsAre("model.jaffle.stg_customers", "model.jaffle.stg_orders"));
    EXPECT_EQ(node.attached_node, "model.jaffle.stg_orders");
    EXPECT_THAT(node.depends_on_macros, ElementsAre("macro.dbt.test_relationships"));
  }
  EXPECT_EQ(relationships, 1);
}

TEST(DbtGraphTest, TopologicalOrderPutsParentsFirst) {
  DbtProject p = LoadFixture("jaffle");
  DbtGraph g = DbtGraph::Build(&p);
  auto order = g.TopologicalOrder();
  ASSERT_TRUE(order.ok()) << order.status().ToString();
  ASSERT_EQ(order->size(), p.nodes.size());
  std::map<std::string, size_t> position;
  for (size_t i = 0; i < order->size(); ++i) position[(*order)[i]] = i;
  for (const auto& [id, node] : p.nodes) {
    for (const auto& parent : node.depends_on_nodes) {
      EXPECT_LT(position.at(parent), position.at(id)) << parent << " before " << id;
    }
  }
}

TEST(DbtGraphTest, CycleIsReportedWithItsNodesInOrderAndFiles) {
  DbtProject p = LoadFixture("broken/cycle");
  DbtGraph g = DbtGraph::Build(&p);
  auto cycle = g.FindCycle();
  ASSERT_TRUE(cycle.has_value());
  // a refs b, b refs c, c refs a: parents first, c -> b -> a -> c or a rotation.
  ASSERT_EQ(cycle->size(), 4u);
  EXPECT_EQ(cycle->front(), cycle->back());
  for (size_t i = 0; i + 1 < cycle->size(); ++i) {
    const Node* child = p.FindNode((*cycle)[i + 1]);
    EXPECT_THAT(child->depends_on_nodes, Contains((*cycle)[i]));
  }
  Status s = ProjectStatus(p);
  EXPECT_THAT(s.message(), HasSubstr("found a cycle"));
  EXPECT_THAT(s.message(), HasSubstr("models/sub/b.sql"));
  EXPECT_THAT(s.message(), HasSubstr("models/a.sql"));
  EXPECT_THAT(s.message(), HasSubstr("models/c.sql"));
  EXPECT_FALSE(g.TopologicalOrder().ok());
  // The independent model still runs; the cycle's nodes never become ready.
  const std::set<std::string> all(g.ids().begin(), g.ids().end());
  RunSchedule schedule(g.ids(), g.SelectedParents(all));
  std::vector<std::string> ran;
  while (auto id = schedule.Next()) {
    ran.push_back(*id);
    schedule.MarkDone(*id, true);
  }
  EXPECT_THAT(ran, ElementsAre("model.cycle.free"));
}

TEST(DbtGraphTest, UnknownRefNamesFileLineAndSuggestion) {
  DbtProject p = LoadFixture("broken/unknown_ref");
  DbtGraph g = DbtGraph::Build(&p);
  std::vector<Diagnostic> errors;
  for (const auto& d : p.diagnostics) {
    if (d.IsError()) errors.push_back(d);
  }
  ASSERT_EQ(errors.size(), 1u) << testing::AllDiagnostics(p);
  EXPECT_EQ(errors[0].file, "models/orders.sql");
  EXPECT_EQ(errors[0].line, 3);
  EXPECT_EQ(errors[0].column, 9);
  EXPECT_EQ(errors[0].node, "model.unknown_ref.orders");
  EXPECT_THAT(errors[0].message, HasSubstr("'stg_orderz' which was not found"));
  EXPECT_THAT(errors[0].message, HasSubstr("did you mean 'stg_orders'?"));
  EXPECT_THAT(errors[0].ToString(), HasSubstr("models/orders.sql:3:9: error:"));
  EXPECT_TRUE(g.Contains("model.unknown_ref.independent"));
}

}  // namespace
}  // namespace strata::transform
