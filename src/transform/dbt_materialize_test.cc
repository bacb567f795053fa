// WarehouseAdapter, the view, table and ephemeral materializations, hooks,
// data tests and crash safety, on real Delta tables. Expected rows come from
// the same statements run on a plain DuckDB (the mirror).
#include "transform/dbt_materialize.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "transform/dbt_materialize_testing.h"

namespace strata::transform::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class MaterializeModelTest : public MaterializeTest {
 protected:
  void SetUp() override {
    MaterializeTest::SetUp();
    Both(
        "CREATE TABLE raw.orders (id INTEGER, customer_id INTEGER, amount DECIMAL(10,2), "
        "ordered DATE)");
    Both(
        "INSERT INTO raw.orders VALUES (1, 10, 5.50, DATE '2024-01-01'), (2, 11, 7.25, DATE "
        "'2024-01-02'), (3, NULL, 1.00, DATE '2024-01-02'), (4, 10, 3.00, DATE '2024-01-03')");
  }
};

TEST_F(MaterializeModelTest, AdapterReportsRelationsColumnsAndCounts) {
  auto found = adapter_->GetRelation("db", "RAW", "Orders");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->kind, RelationInfo::Kind::kTable);
  EXPECT_EQ((*found)->schema, "raw");
  EXPECT_EQ((*found)->identifier, "orders");
  EXPECT_EQ((*found)->database, "db");
  EXPECT_FALSE(adapter_->GetRelation("db", "raw", "nope")->has_value());
  EXPECT_FALSE(adapter_->GetRelation("db", "elsewhere", "orders")->has_value());

  auto columns = adapter_->GetColumns(**found);
  ASSERT_TRUE(columns.ok()) << columns.status().ToString();
  ASSERT_EQ(columns->size(), 4u);
  EXPECT_EQ((*columns)[0].name, "id");
  EXPECT_EQ((*columns)[0].data_type, "INTEGER");
  EXPECT_EQ((*columns)[2].data_type, "DECIMAL(10,2)");
  EXPECT_EQ((*columns)[3].data_type, "DATE");
  RelationInfo missing{"db", "raw", "nope", RelationInfo::Kind::kTable};
  EXPECT_EQ(adapter_->GetColumns(missing).status().code(), StatusCode::kNotFound);

  auto rows = adapter_->Execute("select count(*) as n, sum(amount) from raw.orders", true);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_THAT(rows->column_names, ElementsAre("n", "sum(amount)"));
  ASSERT_EQ(rows->rows.size(), 1u);
  EXPECT_EQ(rows->rows[0][0].GetInt64(), 4);
  EXPECT_EQ(rows->rows[0][1].ToString(), "16.75");

  auto deleted = adapter_->Execute("delete from raw.orders where customer_id = 10", false);
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_EQ(deleted->rows_affected, 2);
  EXPECT_TRUE(deleted->rows.empty());

  EXPECT_TRUE(adapter_->CreateSchema("main").ok());
  EXPECT_TRUE(std::filesystem::is_directory(dir_ + "/warehouse/main"));
  // Schemas a node writes are added on demand (generate_schema_name).
  EXPECT_TRUE(adapter_->CreateSchema("main_marts").ok());
  EXPECT_TRUE(warehouse_->HasSchema("main_marts"));
  EXPECT_FALSE(adapter_->CreateSchema("a/b").ok());
  EXPECT_FALSE(adapter_->Execute("select * from raw.nope", true).ok());
}

TEST_F(MaterializeModelTest, TableIsCreatedThenReplacedByOneCommitWithANewSchema) {
  Node node = MakeNode("model", "order_totals", {{"materialized", "table"}});
  const std::string v1 =
      "select customer_id, sum(amount) as total from raw.orders group by customer_id";
  NodeOutcome first = MustBuild(node, v1);
  EXPECT_EQ(first.status, "success");
  EXPECT_EQ(first.message, "OK");
  EXPECT_EQ(first.rows_affected, 3);
  EXPECT_EQ(first.adapter_response["rows_affected"], 3);
  EXPECT_EQ(Query("select * from main.order_totals"), Mirror(v1));
  const int64_t created = Version("main", "order_totals");
  ASSERT_GE(created, 0);

  Both("INSERT INTO raw.orders VALUES (5, 12, 2.00, DATE '2024-01-04')");
  const std::string v2 =
      "select customer_id, count(*) as orders, max(ordered) as last_order from raw.orders "
      "group by customer_id";
  NodeOutcome second = MustBuild(node, v2);
  EXPECT_EQ(second.rows_affected, 4);
  EXPECT_EQ(Query("select * from main.order_totals"), Mirror(v2));
  EXPECT_EQ(Version("main", "order_totals"), created + 1);
  // The old version stays readable (time travel), with its old schema.
  EXPECT_EQ(
      Query("select * from main.order_totals at (version => " + std::to_string(created) + ")"),
      Mirror("select customer_id, sum(amount) from raw.orders where id < 5 group by 1"));
}

TEST_F(MaterializeModelTest, FailingSelectLeavesThePreviousVersion) {
  Node node = MakeNode("model", "t", {{"materialized", "table"}});
  MustBuild(node, "select id, amount from raw.orders");
  const int64_t version = Version("main", "t");
  auto failed = Build(node, "select id, amount / 0 as x, no_such_column from raw.orders");
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(failed.status().message(), HasSubstr("model.test.t"));
  EXPECT_THAT(failed.status().message(), HasSubstr("no_such_column"));
  EXPECT_EQ(Version("main", "t"), version);
  EXPECT_EQ(Query("select * from main.t"), Mirror("select id, amount from raw.orders"));

  // A cast failing half way through the rows: still nothing committed.
  auto cast_failed =
      Build(node,
            "select id, cast(case when id = 4 then 'x' else '1' end as integer) as v from "
            "raw.orders");
  ASSERT_FALSE(cast_failed.ok());
  EXPECT_EQ(Version("main", "t"), version);
  EXPECT_EQ(Query("select * from main.t"), Mirror("select id, amount from raw.orders"));
}

TEST_F(MaterializeModelTest, HooksRunAroundTheModelAndAFailingOneIsReported) {
  Both("CREATE TABLE raw.audit (step VARCHAR, n BIGINT)");
  Node node = MakeNode("model", "t", {{"materialized", "table"}});
  CompiledNode compiled = Compile(node, "select * from raw.orders where amount > 2");
  compiled.pre_hooks = {"insert into raw.audit select 'pre', count(*) from raw.orders", "  "};
  compiled.post_hooks = {"insert into raw.audit select 'post', count(*) from main.t"};
  auto out = Materialize(node, compiled, *adapter_, {});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(Query("select * from raw.audit"),
            Mirror("select 'pre', count(*) from raw.orders union all "
                   "select 'post', count(*) from raw.orders where amount > 2"));

  compiled.post_hooks = {"insert into raw.nope values (1)"};
  compiled.compiled_code = "select * from raw.orders";
  const int64_t before_failed_hook = Version("main", "t");
  auto failed = Materialize(node, compiled, *adapter_, {});
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(failed.status().message(), HasSubstr("post-hook 1"));
  EXPECT_THAT(failed.status().message(),
              HasSubstr("restored to version " + std::to_string(before_failed_hook)));
  // The model's commit is rolled back by a RESTORE commit: the rows are the
  // previous run's (as dbt's transaction rollback leaves them).
  EXPECT_EQ(Version("main", "t"), before_failed_hook + 2);
  EXPECT_EQ(Query("select * from main.t"), Mirror("select * from raw.orders where amount > 2"));

  compiled.pre_hooks = {"select * from raw.nope"};
  const int64_t version = Version("main", "t");
  auto pre_failed = Materialize(node, compiled, *adapter_, {});
  ASSERT_FALSE(pre_failed.ok());
  EXPECT_THAT(pre_failed.status().message(), HasSubstr("pre-hook 1"));
  EXPECT_EQ(Version("main", "t"), version);
}

TEST_F(MaterializeModelTest, FailingPostHookLeavesNoNewRelationAndRestoresAView) {
  // A table that did not exist: dropped again.
  Node table = MakeNode("model", "fresh", {{"materialized", "table"}});
  CompiledNode compiled = Compile(table, "select * from raw.orders");
  compiled.post_hooks = {"select * from raw.nope"};
  auto failed = Materialize(table, compiled, *adapter_, {});
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(failed.status().message(), HasSubstr("the new relation was dropped"));
  auto relation = adapter_->GetRelation("", "main", "fresh");
  ASSERT_TRUE(relation.ok());
  EXPECT_FALSE(relation->has_value());

  // A view: its previous definition comes back.
  Node view = MakeNode("model", "v", {{"materialized", "view"}});
  CompiledNode first = Compile(view, "select id from raw.orders where id < 3");
  ASSERT_TRUE(Materialize(view, first, *adapter_, {}).ok());
  CompiledNode second = Compile(view, "select id from raw.orders");
  second.post_hooks = {"select * from raw.nope"};
  ASSERT_FALSE(Materialize(view, second, *adapter_, {}).ok());
  EXPECT_EQ(Query("select * from main.v order by 1"),
            Mirror("select id from raw.orders where id < 3 order by 1"));

  // transaction: false post-hooks run after that point: the model stays.
  second.post_hooks.clear();
  second.post_hooks_after_commit = {"select * from raw.nope"};
  auto after_commit = Materialize(view, second, *adapter_, {});
  ASSERT_FALSE(after_commit.ok());
  EXPECT_THAT(after_commit.status().message(), HasSubstr("transaction: false"));
  EXPECT_EQ(Query("select * from main.v order by 1"),
            Mirror("select id from raw.orders order by 1"));
}

TEST_F(MaterializeModelTest, AdapterListsByPatternAndRenamesRelations) {
  Both("CREATE TABLE raw.order_items (id INTEGER)");
  Both("CREATE TABLE raw.customers (id INTEGER)");
  ASSERT_TRUE(Build(MakeNode("model", "orders_view", {{"materialized", "view"}}),
                    "select id from raw.orders")
                  .ok());
  auto names = [](const std::vector<RelationInfo>& relations) {
    std::vector<std::string> out;
    for (const auto& r : relations) out.push_back(r.schema + "." + r.identifier);
    return out;
  };
  auto listed = adapter_->ListRelations("r%", "ORDER%", "");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_THAT(names(*listed), ElementsAre("raw.order_items", "raw.orders"));
  listed = adapter_->ListRelations("%", "%order%", "%items");
  ASSERT_TRUE(listed.ok());
  EXPECT_THAT(names(*listed), ElementsAre("main.orders_view", "raw.orders"));
  EXPECT_EQ((*listed)[0].kind, RelationInfo::Kind::kView);
  listed = adapter_->ListRelations("raw", "_ustomers", "");
  ASSERT_TRUE(listed.ok());
  EXPECT_THAT(names(*listed), ElementsAre("raw.customers"));

  // A table moves with its rows and history; a view keeps its query.
  const Rows orders = Mirror("select * from raw.orders");
  ASSERT_TRUE(adapter_->RenameRelation({"", "raw", "orders"}, {"", "raw", "orders_old"}).ok());
  EXPECT_EQ(Query("select * from raw.orders_old"), orders);
  EXPECT_FALSE(adapter_->GetRelation("", "raw", "orders")->has_value());
  Status renamed = adapter_->RenameRelation({"", "main", "orders_view", RelationInfo::Kind::kView},
                                            {"", "main", "v2"});
  ASSERT_TRUE(renamed.ok()) << renamed.ToString();
  auto v2 = adapter_->GetRelation("", "main", "v2");
  ASSERT_TRUE(v2.ok() && v2->has_value());
  EXPECT_EQ((*v2)->kind, RelationInfo::Kind::kView);
  EXPECT_FALSE(adapter_->GetRelation("", "main", "orders_view")->has_value());
  EXPECT_EQ(adapter_->RenameRelation({"", "raw", "nope"}, {"", "raw", "x"}).code(),
            StatusCode::kNotFound);
  EXPECT_EQ(adapter_->RenameRelation({"", "raw", "customers"}, {"", "raw", "order_items"}).code(),
            StatusCode::kAlreadyExists);
}

TEST_F(MaterializeModelTest, ViewFollowsItsSourceAndReplacesATable) {
  Node node = MakeNode("model", "big_orders", {{"materialized", "table"}});
  MustBuild(node, "select id from raw.orders");
  ASSERT_TRUE(warehouse_->TableExists("main", "big_orders"));

  node.config["materialized"] = "view";
  const std::string sql = "select id, amount from raw.orders where amount > 2";
  // A broken select leaves the table alone.
  ASSERT_FALSE(Build(node, "select nope from raw.orders").ok());
  EXPECT_TRUE(warehouse_->TableExists("main", "big_orders"));

  NodeOutcome out = MustBuild(node, sql);
  EXPECT_EQ(out.status, "success");
  EXPECT_EQ(out.message, "OK");
  EXPECT_FALSE(warehouse_->TableExists("main", "big_orders"));
  EXPECT_EQ(Query("select * from main.big_orders"), Mirror(sql));
  auto relation = adapter_->GetRelation("db", "main", "big_orders");
  ASSERT_TRUE(relation.ok() && relation->has_value());
  EXPECT_EQ((*relation)->kind, RelationInfo::Kind::kView);
  auto columns = adapter_->GetColumns(**relation);
  ASSERT_TRUE(columns.ok()) << columns.status().ToString();
  ASSERT_EQ(columns->size(), 2u);
  EXPECT_EQ((*columns)[1].name, "amount");
  EXPECT_EQ((*columns)[1].data_type, "DECIMAL(10,2)");

  // A view reads the latest rows, from any session.
  Both("INSERT INTO raw.orders VALUES (9, 12, 20.00, DATE '2024-02-01')");
  EXPECT_EQ(Query("select * from main.big_orders"), Mirror(sql));
  auto other = WarehouseAdapter::Create(*db_, warehouse_.get(), fs_);
  ASSERT_TRUE(other.ok());
  auto seen = (*other)->Execute("select count(*) from main.big_orders", true);
  ASSERT_TRUE(seen.ok()) << seen.status().ToString();
  EXPECT_EQ(seen->rows[0][0].GetInt64(), 4);

  // Back to a table: a broken select keeps the view; a good one replaces it.
  node.config["materialized"] = "table";
  ASSERT_FALSE(Build(node, "select nope from raw.orders").ok());
  EXPECT_TRUE(warehouse_->ViewExists("main", "big_orders"));
  MustBuild(node, "select id from raw.orders");
  EXPECT_FALSE(warehouse_->ViewExists("main", "big_orders"));
  EXPECT_TRUE(warehouse_->TableExists("main", "big_orders"));
  EXPECT_EQ(Query("select * from main.big_orders"), Mirror("select id from raw.orders"));
}

TEST_F(MaterializeModelTest, EphemeralWritesNothingAndUnknownMaterializationsAreRefused) {
  Node node = MakeNode("model", "eph", {{"materialized", "ephemeral"}});
  CompiledNode compiled = Compile(node, "select 1 as x");
  compiled.pre_hooks = {"select * from raw.nope"};  // not run either
  auto out = Materialize(node, compiled, *adapter_, {});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->status, "success");
  EXPECT_EQ(out->message, "");
  EXPECT_FALSE(warehouse_->TableExists("main", "eph"));

  Node custom = MakeNode("model", "c", {{"materialized", "my_custom"}});
  auto refused = Build(custom, "select 1");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kNotSupported);
  EXPECT_THAT(refused.status().message(), HasSubstr("my_custom"));
}

TEST_F(MaterializeModelTest, DataTestStatusesFollowSeverityAndThresholds) {
  const std::string failing = "select * from raw.orders where amount < 6";  // 3 rows
  Node test = MakeNode("test", "small_orders");
  NodeOutcome fail = MustBuild(test, failing);
  EXPECT_EQ(fail.status, "fail");
  ASSERT_TRUE(fail.failures.has_value());
  EXPECT_EQ(*fail.failures, 3);
  EXPECT_EQ(fail.message, "Got 3 results, configured to fail if != 0");

  test.config = {{"severity", "warn"}};
  NodeOutcome warn = MustBuild(test, failing);
  EXPECT_EQ(warn.status, "warn");
  EXPECT_EQ(warn.message, "Got 3 results, configured to warn if != 0");

  test.config = {{"severity", "ERROR"}, {"error_if", ">5"}, {"warn_if", ">= 3"}};
  NodeOutcome thresholds = MustBuild(test, failing);
  EXPECT_EQ(thresholds.status, "warn");
  EXPECT_EQ(thresholds.message, "Got 3 results, configured to warn if >= 3");

  test.config = {{"error_if", "> 2"}};
  EXPECT_EQ(MustBuild(test, failing).status, "fail");
  test.config = {{"warn_if", "> 3"}, {"error_if", "> 3"}};
  NodeOutcome pass = MustBuild(test, failing);
  EXPECT_EQ(pass.status, "pass");
  EXPECT_EQ(pass.message, "");
  EXPECT_EQ(*pass.failures, 3);

  test.config = {};
  NodeOutcome one = MustBuild(test, "select * from raw.orders where id = 1");
  EXPECT_EQ(one.message, "Got 1 result, configured to fail if != 0");
  EXPECT_EQ(MustBuild(test, "select * from raw.orders where id = 99").status, "pass");

  // fail_calc: the sum of amounts of the failing rows, 5.50 + 1.00 + 3.00.
  test.config = {{"fail_calc", "sum(amount)"}, {"error_if", "> 10"}, {"warn_if", "> 9.6"}};
  NodeOutcome calc = MustBuild(test, failing);
  EXPECT_EQ(calc.status, "pass");
  test.config = {{"fail_calc", "cast(sum(amount) as integer)"}, {"error_if", "> 9"}};
  NodeOutcome calc_fail = MustBuild(test, failing);
  EXPECT_EQ(calc_fail.status, "fail");
  EXPECT_EQ(*calc_fail.failures, 10);  // 9.50 rounds to 10
  EXPECT_FALSE(warehouse_->TableExists("main_dbt_test__audit", "small_orders"));

  auto broken = Build(test, "select * from raw.nope");
  ASSERT_FALSE(broken.ok());
  EXPECT_THAT(broken.status().message(), HasSubstr("test.test.small_orders"));
}

TEST_F(MaterializeModelTest, StoreFailuresKeepsTheFailingRowsOfTheLastRun) {
  Node test = MakeNode("test", "not_null_customer", {{"store_failures", true}});
  const std::string failing = "select * from raw.orders where customer_id is null";
  CompiledNode compiled = Compile(test, failing);
  compiled.schema = "main_dbt_test__audit";
  auto out = Materialize(test, compiled, *adapter_, {});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->status, "fail");
  EXPECT_EQ(*out->failures, 1);
  EXPECT_EQ(Query("select * from main_dbt_test__audit.not_null_customer"), Mirror(failing));

  Both("UPDATE raw.orders SET customer_id = 13 WHERE id = 3");
  Both(
      "INSERT INTO raw.orders VALUES (6, NULL, 4.00, DATE '2024-01-05'), (7, NULL, 4.50, DATE "
      "'2024-01-05')");
  out = Materialize(test, compiled, *adapter_, {});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out->failures, 2);
  EXPECT_EQ(Query("select * from main_dbt_test__audit.not_null_customer"), Mirror(failing));

  // --store-failures stores a test without the config too; the schema
  // defaults to <schema>_dbt_test__audit.
  Node other = MakeNode("test", "big");
  MaterializeOptions options;
  options.store_failures = true;
  // The compiler names the target schema when the config is not set.
  CompiledNode plain = Compile(other, "select id from raw.orders where amount > 5");
  ASSERT_EQ(plain.schema, "main");
  ASSERT_TRUE(Materialize(other, plain, *adapter_, options).ok());
  EXPECT_EQ(Query("select * from main_dbt_test__audit.big"),
            Mirror("select id from raw.orders where amount > 5"));
}

TEST_F(MaterializeModelTest, WorkersWithTheirOwnAdaptersBuildAtTheSameTime) {
  // As the runner's threads: one adapter (connection) each on one database;
  // each stages rows in its own temp table.
  constexpr int kWorkers = 3;
  constexpr int kModels = 3;
  std::vector<std::unique_ptr<WarehouseAdapter>> adapters;
  for (int w = 0; w < kWorkers; ++w) {
    auto adapter = WarehouseAdapter::Create(*db_, warehouse_.get(), fs_);
    ASSERT_TRUE(adapter.ok());
    adapters.push_back(std::move(adapter).value());
  }
  std::vector<std::string> errors(kWorkers);
  std::vector<std::thread> threads;
  for (int w = 0; w < kWorkers; ++w) {
    threads.emplace_back([&, w] {
      for (int m = 0; m < kModels; ++m) {
        const std::string name = "w" + std::to_string(w) + "_m" + std::to_string(m);
        Node node =
            MakeNode("model", name,
                     {{"materialized", m == 2 ? "view" : "incremental"}, {"unique_key", "id"}});
        for (int run = 0; run < 2; ++run) {
          auto out = Materialize(node,
                                 Compile(node, "select id, amount * " + std::to_string(w + 1) +
                                                   " as amount from raw.orders"),
                                 *adapters[w], {});
          if (!out.ok()) errors[w] += name + ": " + out.status().ToString() + "\n";
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (int w = 0; w < kWorkers; ++w) {
    EXPECT_EQ(errors[w], "") << "worker " << w;
    for (int m = 0; m < kModels; ++m) {
      const std::string name = "main.w" + std::to_string(w) + "_m" + std::to_string(m);
      EXPECT_EQ(Query("select * from " + name),
                Mirror("select id, amount * " + std::to_string(w + 1) + " from raw.orders"))
          << name;
    }
  }
}

}  // namespace
}  // namespace strata::transform::testing
