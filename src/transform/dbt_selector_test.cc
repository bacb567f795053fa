#include "transform/dbt_selector.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "transform/dbt_artifacts.h"
#include "transform/dbt_testing.h"

namespace strata::transform {
namespace {

using ::testing::HasSubstr;
using testing::LoadFixture;
using ::testing::UnorderedElementsAre;
using ::testing::UnorderedElementsAreArray;

// Generic test ids end in a hash; the selector tests compare names.
std::string Short(const std::string& id) {
  if (id.rfind("test.", 0) == 0 && std::count(id.begin(), id.end(), '.') == 3) {
    return id.substr(0, id.rfind('.'));
  }
  return id;
}

class SelectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    project_ = LoadFixture("jaffle");
    graph_ = DbtGraph::Build(&project_);
    ASSERT_FALSE(project_.HasErrors()) << testing::AllDiagnostics(project_);
  }

  std::set<std::string> Select(std::vector<std::string> select,
                               std::vector<std::string> exclude = {},
                               std::set<std::string> types = {},
                               const std::string& indirect = "eager") {
    SelectionOptions options;
    options.select = std::move(select);
    options.exclude = std::move(exclude);
    options.resource_types = std::move(types);
    options.indirect_selection = indirect;
    auto ids = SelectNodes(project_, graph_, options);
    EXPECT_TRUE(ids.ok()) << ids.status().ToString();
    std::set<std::string> out;
    if (ids.ok()) {
      for (const auto& id : *ids) out.insert(Short(id));
    }
    return out;
  }

  DbtProject project_;
  DbtGraph graph_;
};

TEST_F(SelectorTest, BareNameSelectsTheNodeAndItsTestsEagerly) {
  EXPECT_THAT(
      Select({"stg_orders"}),
      UnorderedElementsAre(
          "model.jaffle.stg_orders", "test.jaffle.unique_stg_orders_order_id",
          "test.jaffle.not_null_stg_orders_order_id",
          "test.jaffle.accepted_values_stg_orders_status__placed__shipped__completed__return_"
          "pending__returned",
          "test.jaffle.relationships_stg_orders_customer_id__customer_id__ref_stg_customers_"));
}

TEST_F(SelectorTest, CautiousIndirectSelectionNeedsEveryParent) {
  std::set<std::string> got = Select({"stg_orders"}, {}, {}, "cautious");
  EXPECT_EQ(
      got.count(
          "test.jaffle.relationships_stg_orders_customer_id__customer_id__ref_stg_customers_"),
      0u);
  EXPECT_EQ(got.count("test.jaffle.unique_stg_orders_order_id"), 1u);
  EXPECT_THAT(Select({"stg_orders"}, {}, {}, "empty"),
              UnorderedElementsAre("model.jaffle.stg_orders"));
}

TEST_F(SelectorTest, GraphOperators) {
  std::set<std::string> models = {"model"};
  EXPECT_THAT(Select({"+customers"}, {}, {"model", "seed", "source"}),
              UnorderedElementsAre("model.jaffle.customers", "model.jaffle.stg_customers",
                                   "model.jaffle.stg_orders", "model.jaffle.stg_payments",
                                   "seed.jaffle.raw_customers", "seed.jaffle.raw_orders",
                                   "source.jaffle.jaffle_raw.payments"));
  EXPECT_THAT(Select({"1+customers"}, {}, models),
              UnorderedElementsAre("model.jaffle.customers", "model.jaffle.stg_customers",
                                   "model.jaffle.stg_orders", "model.jaffle.stg_payments"));
  EXPECT_THAT(Select({"customers+1"}, {}, models),
              UnorderedElementsAre("model.jaffle.customers", "model.jaffle.dim_customers.v1",
                                   "model.jaffle.dim_customers.v2"));
  EXPECT_THAT(
      Select({"stg_orders+"}, {}, {"model", "snapshot"}),
      UnorderedElementsAre("model.jaffle.stg_orders", "model.jaffle.orders",
                           "model.jaffle.customers", "model.jaffle.revenue",
                           "model.jaffle.dim_customers.v1", "model.jaffle.dim_customers.v2",
                           "model.jaffle.customer_report", "snapshot.jaffle.orders_snapshot"));
  // @: descendants and every ancestor of those (the exposure pulls in revenue's side).
  EXPECT_THAT(Select({"@stg_customers"}, {}, models),
              UnorderedElementsAre("model.jaffle.stg_customers", "model.jaffle.stg_orders",
                                   "model.jaffle.stg_payments", "model.jaffle.customers",
                                   "model.jaffle.dim_customers.v1", "model.jaffle.dim_customers.v2",
                                   "model.jaffle.customer_report", "model.jaffle.orders",
                                   "model.jaffle.revenue", "model.shop_utils.utils_calendar"));
}

TEST_F(SelectorTest, Methods) {
  std::set<std::string> models = {"model"};
  EXPECT_THAT(Select({"tag:finance"}), UnorderedElementsAre("model.jaffle.revenue"));
  EXPECT_THAT(Select({"tag:staging"}, {}, models),
              UnorderedElementsAre("model.jaffle.stg_customers", "model.jaffle.stg_orders",
                                   "model.jaffle.stg_payments"));
  EXPECT_THAT(Select({"path:models/staging"}, {}, models),
              UnorderedElementsAre("model.jaffle.stg_customers", "model.jaffle.stg_orders",
                                   "model.jaffle.stg_payments"));
  EXPECT_THAT(Select({"models/marts/finance/revenue.sql"}),
              UnorderedElementsAre("model.jaffle.revenue"));
  EXPECT_THAT(Select({"file:revenue"}), UnorderedElementsAre("model.jaffle.revenue"));
  EXPECT_THAT(
      Select({"source:jaffle_raw"}),
      UnorderedElementsAre("source.jaffle.jaffle_raw.orders", "source.jaffle.jaffle_raw.payments",
                           "test.jaffle.source_not_null_jaffle_raw_orders_id"));
  EXPECT_THAT(Select({"source:jaffle_raw.payments+"}, {}, models),
              UnorderedElementsAre("model.jaffle.stg_payments", "model.jaffle.customers",
                                   "model.jaffle.orders", "model.jaffle.revenue",
                                   "model.jaffle.dim_customers.v1", "model.jaffle.dim_customers.v2",
                                   "model.jaffle.customer_report"));
  EXPECT_THAT(Select({"resource_type:seed"}),
              UnorderedElementsAre("seed.jaffle.raw_customers", "seed.jaffle.raw_orders",
                                   "seed.jaffle.raw_payments"));
  EXPECT_THAT(Select({"package:shop_utils"}),
              UnorderedElementsAre("model.shop_utils.utils_calendar"));
  EXPECT_THAT(Select({"config.materialized:incremental"}, {}, models),
              UnorderedElementsAre("model.jaffle.orders"));
  EXPECT_THAT(Select({"config.materialized:table"}, {}, models),
              UnorderedElementsAre("model.jaffle.stg_payments", "model.jaffle.customers",
                                   "model.jaffle.revenue", "model.jaffle.dim_customers.v1",
                                   "model.jaffle.dim_customers.v2", "model.jaffle.customer_report",
                                   "model.jaffle.forecast"));
  EXPECT_THAT(Select({"config.tags:nightly"}),
              UnorderedElementsAre("model.jaffle.orders", "test.jaffle.unique_orders_order_id",
                                   "test.jaffle.orders_order_id_present",
                                   "test.jaffle.assert_order_amount_is_positive"));
  EXPECT_THAT(Select({"exposure:weekly_*"}),
              UnorderedElementsAre("exposure.jaffle.weekly_dashboard"));
  EXPECT_THAT(Select({"test_name:accepted_values"}),
              UnorderedElementsAre("test.jaffle.accepted_values_stg_orders_status__placed__shipped_"
                                   "_completed__return_pending__returned",
                                   "test.jaffle.accepted_values_stg_payments_payment_method__"
                                   "credit_card__coupon__bank_transfer__gift_card"));
  EXPECT_THAT(Select({"test_type:singular"}),
              UnorderedElementsAre("test.jaffle.assert_order_amount_is_positive"));
}

TEST_F(SelectorTest, FqnSelectorsFollowDbtsRule) {
  std::set<std::string> models = {"model", "seed"};
  EXPECT_THAT(Select({"marts.finance"}), UnorderedElementsAre("model.jaffle.revenue"));
  EXPECT_THAT(Select({"fqn:jaffle.marts.finance.*"}), UnorderedElementsAre("model.jaffle.revenue"));
  EXPECT_THAT(Select({"staging.*"}, {}, {"model"}),
              UnorderedElementsAre("model.jaffle.stg_customers", "model.jaffle.stg_orders",
                                   "model.jaffle.stg_payments"));
  EXPECT_THAT(Select({"*_customers"}, {}, models),
              UnorderedElementsAre("model.jaffle.stg_customers", "seed.jaffle.raw_customers"));
  // A versioned model by its name selects every version.
  EXPECT_THAT(
      Select({"dim_customers"}, {}, {"model"}),
      UnorderedElementsAre("model.jaffle.dim_customers.v1", "model.jaffle.dim_customers.v2"));
  EXPECT_THAT(Select({"shop_utils"}), UnorderedElementsAre("model.shop_utils.utils_calendar"));
}

TEST_F(SelectorTest, UnionIntersectionAndExclude) {
  EXPECT_THAT(Select({"stg_orders stg_customers"}, {}, {"model"}),
              UnorderedElementsAre("model.jaffle.stg_orders", "model.jaffle.stg_customers"));
  EXPECT_THAT(Select({"stg_orders", "stg_customers"}, {}, {"model"}),
              UnorderedElementsAre("model.jaffle.stg_orders", "model.jaffle.stg_customers"));
  EXPECT_THAT(Select({"tag:staging,config.materialized:table"}, {}, {"model"}),
              UnorderedElementsAre("model.jaffle.stg_payments"));
  EXPECT_THAT(Select({"tag:nightly,tag:marts"}, {}, {"model"}),
              UnorderedElementsAre("model.jaffle.orders"));
  std::set<std::string> got = Select({"tag:staging"}, {"stg_payments"});
  EXPECT_EQ(got.count("model.jaffle.stg_payments"), 0u);
  EXPECT_EQ(got.count("test.jaffle.is_positive_stg_payments_amount"), 0u);  // excluded with it
  EXPECT_EQ(got.count("model.jaffle.stg_orders"), 1u);
  EXPECT_EQ(got.count("test.jaffle.unique_stg_customers_customer_id"), 1u);
  // Exclude with a graph operator.
  EXPECT_THAT(Select({"+revenue"}, {"+stg_orders"}, {"model"}),
              UnorderedElementsAre("model.jaffle.revenue", "model.jaffle.orders",
                                   "model.jaffle.stg_payments", "model.shop_utils.utils_calendar"));
}

TEST_F(SelectorTest, NoSelectMeansEverything) {
  std::set<std::string> all = Select({});
  EXPECT_EQ(all.size(), project_.nodes.size());
}

TEST_F(SelectorTest, BadSpecsAreErrors) {
  for (const char* bad : {"@+orders", "nosuchmethod:x", "resource_type:widget", "state:modified",
                          "test_type:odd", "source:a.b.c.d"}) {
    SelectionOptions options;
    options.select = {bad};
    auto ids = SelectNodes(project_, graph_, options);
    EXPECT_FALSE(ids.ok()) << bad;
    EXPECT_TRUE(ids.status().IsInvalidArgument()) << bad;
  }
  SelectionOptions options;
  options.select = {"state:modified"};
  EXPECT_THAT(SelectNodes(project_, graph_, options).status().message(), HasSubstr("--state"));
}

TEST(WildcardMatchTest, ShellRules) {
  EXPECT_TRUE(WildcardMatch("*", ""));
  EXPECT_TRUE(WildcardMatch("stg_*", "stg_orders"));
  EXPECT_FALSE(WildcardMatch("stg_*", "orders"));
  EXPECT_TRUE(WildcardMatch("*.v?", "a.b.v2"));
  EXPECT_TRUE(WildcardMatch("[ab]*", "beta"));
  EXPECT_FALSE(WildcardMatch("[!ab]*", "beta"));
  EXPECT_TRUE(WildcardMatch("a*b*c", "aXXbYYc"));
  EXPECT_FALSE(WildcardMatch("a*b*c", "aXXbYY"));
}

// state:modified against a manifest written by an earlier load of the same
// project, after editing real files in a copy.
TEST(StateSelectorTest, ModifiedNewBodyAndConfigs) {
  char tmpl[] = "/tmp/strata_dbt_state_XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = std::string(tmpl) + "/jaffle";
  ASSERT_EQ(std::system(("cp -r '" + testing::FixtureDir("jaffle") + "' '" + dir + "'").c_str()),
            0);
  auto load = [&dir] {
    LoadOptions options;
    options.project_dir = dir;
    options.env = [](const std::string&) { return std::nullopt; };
    auto p = LoadProject(*FileSystem::Default(), options);
    EXPECT_TRUE(p.ok());
    return std::move(p).value();
  };
  DbtProject before = load();
  DbtGraph before_graph = DbtGraph::Build(&before);
  ArtifactMetadata meta;
  meta.generated_at = "2026-11-29T00:00:00.000000Z";
  ASSERT_TRUE(WriteArtifact(*FileSystem::Default(), std::string(tmpl) + "/state/manifest.json",
                            BuildManifest(before, before_graph, meta))
                  .ok());

  ASSERT_EQ(
      std::system(("echo '-- edited' >> '" + dir + "/models/staging/stg_customers.sql'").c_str()),
      0);
  ASSERT_EQ(std::system(("echo 'select 1 as x' > '" + dir + "/models/new_model.sql'").c_str()), 0);
  ASSERT_EQ(std::system(
                ("sed -i 's/+unique_key: order_id/+unique_key: id/' '" + dir + "/dbt_project.yml'")
                    .c_str()),
            0);
  DbtProject after = load();
  DbtGraph after_graph = DbtGraph::Build(&after);
  auto state = LoadStateManifest(*FileSystem::Default(), std::string(tmpl) + "/state");
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  auto select = [&](const std::string& spec) {
    SelectionOptions options;
    options.select = {spec};
    options.state_manifest = &*state;
    options.resource_types = {"model"};
    auto ids = SelectNodes(after, after_graph, options);
    EXPECT_TRUE(ids.ok()) << ids.status().ToString();
    return ids.ok() ? *ids : std::set<std::string>{};
  };
  EXPECT_THAT(select("state:new"), UnorderedElementsAre("model.jaffle.new_model"));
  EXPECT_THAT(select("state:modified.body"), UnorderedElementsAre("model.jaffle.stg_customers"));
  EXPECT_THAT(select("state:modified.configs"), UnorderedElementsAre("model.jaffle.orders"));
  EXPECT_THAT(select("state:modified"),
              UnorderedElementsAre("model.jaffle.new_model", "model.jaffle.stg_customers",
                                   "model.jaffle.orders"));
  EXPECT_THAT(select("state:modified+1"),
              UnorderedElementsAre("model.jaffle.new_model", "model.jaffle.stg_customers",
                                   "model.jaffle.orders", "model.jaffle.customers",
                                   "model.jaffle.revenue"));
  EXPECT_FALSE(LoadStateManifest(*FileSystem::Default(), "/nonexistent").ok());
  ASSERT_EQ(std::system(("rm -rf '" + std::string(tmpl) + "'").c_str()), 0);
}

}  // namespace
}  // namespace strata::transform
