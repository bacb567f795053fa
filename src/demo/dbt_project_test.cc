// The demo's dbt project as dbt would load it: it parses without an error,
// has the models, materializations and tests the demo promises, and its graph
// runs bronze -> silver -> gold. (That `strata build` turns it into the right
// tables is tests/cli/demo.sh's job.)
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>

#include "common/file_system.h"
#include "demo/demo.h"
#include "transform/dbt.h"

namespace strata::demo {
namespace {

class DemoDbtProjectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "demo_dbt_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  transform::DbtProject Load() {
    transform::LoadOptions options;
    options.project_dir = dir_;
    // No DBT_PROFILES_DIR or HOME of the machine: the project's profiles.yml.
    options.env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
    auto project = transform::LoadProject(*FileSystem::Default(), options);
    EXPECT_TRUE(project.ok()) << project.status().ToString();
    return project.ok() ? std::move(*project) : transform::DbtProject{};
  }

  std::string dir_;
};

TEST_F(DemoDbtProjectTest, LoadsWithoutErrorsWithSilverGoldAndTests) {
  auto written = WriteDemoDbtProject(*FileSystem::Default(), dir_);
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  // dbt_project.yml, profiles.yml, 3 macros, sources.yml, 6+1 silver, 3+1 gold, 1 test.
  EXPECT_EQ(written->size(), 18u);

  transform::DbtProject project = Load();
  transform::DbtGraph graph = transform::DbtGraph::Build(&project);
  ASSERT_TRUE(transform::ProjectStatus(project).ok())
      << transform::ProjectStatus(project).ToString();

  std::map<std::string, std::string> materialized;
  std::map<std::string, int> tests_on;
  int singular = 0;
  for (const auto& [id, node] : project.nodes) {
    if (node.resource_type == "model") {
      materialized[id] = node.config.value("materialized", "");
    } else if (node.IsTest()) {
      if (node.depends_on_nodes.empty()) continue;
      if (id.find("assert_daily_revenue") != std::string::npos) ++singular;
      for (const std::string& parent : node.depends_on_nodes) ++tests_on[parent];
    }
  }
  const std::map<std::string, std::string> want = {{"model.shop.customers", "incremental"},
                                                   {"model.shop.products", "incremental"},
                                                   {"model.shop.orders", "incremental"},
                                                   {"model.shop.order_items", "incremental"},
                                                   {"model.shop.payments", "incremental"},
                                                   {"model.shop.events", "incremental"},
                                                   {"model.shop.customer_lifetime_value", "table"},
                                                   {"model.shop.daily_revenue", "table"},
                                                   {"model.shop.product_performance", "table"}};
  EXPECT_EQ(materialized, want);
  // "tests on every model": each has at least a unique and a not_null test.
  for (const auto& [id, kind] : want) EXPECT_GE(tests_on[id], 2) << id;
  EXPECT_EQ(singular, 1);

  // bronze -> silver -> gold: gold reads silver only, silver reads bronze
  // (and order lines and payments keep only the orders silver kept).
  EXPECT_EQ(graph.Parents("model.shop.daily_revenue"),
            std::vector<std::string>{"model.shop.orders"});
  EXPECT_EQ(graph.Parents("model.shop.customers"),
            std::vector<std::string>{"source.shop.bronze.shop_customers"});
  EXPECT_EQ(graph.Parents("model.shop.order_items"),
            (std::vector<std::string>{"model.shop.orders", "model.shop.products",
                                      "source.shop.bronze.shop_order_items"}));
  auto order = graph.TopologicalOrder();
  ASSERT_TRUE(order.ok());
}

TEST_F(DemoDbtProjectTest, KeepsFilesTheUserEdited) {
  ASSERT_TRUE(WriteDemoDbtProject(*FileSystem::Default(), dir_).ok());
  const std::string model = dir_ + "/models/gold/daily_revenue.sql";
  const std::string edited = "select 1 as order_date\n";
  ASSERT_TRUE(FileSystem::Default()->WriteFileAtomic(model, edited).ok());
  ASSERT_TRUE(FileSystem::Default()->DeleteFile(dir_ + "/profiles.yml").ok());

  auto written = WriteDemoDbtProject(*FileSystem::Default(), dir_);
  ASSERT_TRUE(written.ok());
  EXPECT_EQ(*written, std::vector<std::string>{dir_ + "/profiles.yml"});
  EXPECT_EQ(*FileSystem::Default()->ReadFile(model), edited);
}

TEST(DemoGoldQuestionsTest, ReadOnlyGoldTables) {
  std::set<std::string> titles;
  for (const DemoAnswer& a : GoldQuestions()) {
    titles.insert(a.title);
    EXPECT_NE(a.sql.find("gold."), std::string::npos) << a.title;
    EXPECT_EQ(a.sql.find("read_"), std::string::npos) << a.title;
  }
  EXPECT_EQ(titles, (std::set<std::string>{"Monthly revenue", "Top products", "Repeat customers"}));
}

}  // namespace
}  // namespace strata::demo
