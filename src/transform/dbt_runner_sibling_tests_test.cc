// dbt build's test gating with relationships tests between siblings: two
// models reading `orders`, each with a relationships test back to `orders`.
// A test gates only the children that read every node it reads (dbt's rule),
// so the siblings never wait for each other's tests and the run finishes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "transform/dbt_runner_internal.h"
#include "transform/dbt_testing.h"

namespace strata::transform::internal {
namespace {

void Write(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

TEST(ScheduleEdgesSiblingTest, SiblingRelationshipsTestsMakeNoCycle) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "sibling_XXXXXX").string();
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  const std::filesystem::path dir = tmpl;
  Write(dir / "dbt_project.yml", "name: sib\nversion: '1'\nprofile: sib\n");
  Write(dir / "profiles.yml",
        "sib:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: sib.duckdb\n");
  Write(dir / "models/orders.sql", "select 1 as order_id\n");
  Write(dir / "models/payments.sql", "select order_id from {{ ref('orders') }}\n");
  Write(dir / "models/order_items.sql", "select order_id from {{ ref('orders') }}\n");
  Write(dir / "models/revenue.sql",
        "select * from {{ ref('order_items') }} join {{ ref('orders') }} using (order_id)\n");
  Write(dir / "models/schema.yml", R"(version: 2
models:
  - name: payments
    columns:
      - name: order_id
        tests: [{relationships: {to: ref('orders'), field: order_id}}]
  - name: order_items
    columns:
      - name: order_id
        tests: [{relationships: {to: ref('orders'), field: order_id}}]
)");
  LoadOptions options;
  options.project_dir = dir.string();
  options.env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  auto project = LoadProject(*FileSystem::Default(), options);
  ASSERT_TRUE(project.ok()) << project.status().ToString();
  DbtGraph graph = DbtGraph::Build(&*project);
  std::set<std::string> selected;
  std::string payments_test, items_test;
  for (const auto& [id, node] : project->nodes) {
    if (!node.IsExecutable()) continue;
    selected.insert(id);
    if (node.IsTest() && node.attached_node == "model.sib.payments") payments_test = id;
    if (node.IsTest() && node.attached_node == "model.sib.order_items") items_test = id;
  }
  ASSERT_FALSE(payments_test.empty());
  ASSERT_FALSE(items_test.empty());

  auto edges = ScheduleEdges(*project, graph, selected, /*tests_gate_children=*/true);
  // payments does not read order_items: the order_items test does not gate it
  // (and vice versa); revenue reads order_items and orders: it waits.
  EXPECT_EQ(edges["model.sib.payments"].count(items_test), 0u);
  EXPECT_EQ(edges["model.sib.order_items"].count(payments_test), 0u);
  EXPECT_EQ(edges["model.sib.revenue"].count(items_test), 1u);

  // Every node is handed out: no cycle.
  auto order = graph.TopologicalOrder();
  ASSERT_TRUE(order.ok());
  std::vector<std::string> run_order;
  for (const auto& id : *order) {
    if (selected.count(id)) run_order.push_back(id);
  }
  RunSchedule schedule(run_order, edges);
  size_t ran = 0;
  while (auto id = schedule.Next()) {
    ++ran;
    schedule.MarkDone(*id, true);
  }
  EXPECT_EQ(ran, run_order.size());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace strata::transform::internal
