// End to end over copies of the jaffle fixture: `--empty`, target/run/, and
// a failing post-hook. Expectations come from a normal build of another copy
// or from the seed CSVs, never from the runner's own output.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "transform/dbt_runner.h"
#include "transform/dbt_runner_testing.h"

namespace strata::transform {
namespace {

using testing::CommandRun;
using ::testing::ElementsAre;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::OptionsFor;
using testing::ProjectCopy;
using testing::RunCommand;
using testing::WarehouseQuery;

constexpr const char* kColumns =
    "select column_name, column_type from (describe main.customers) order by column_name";

TEST(DbtEmptyTest, BuildEmptyMakesTheSchemasOfANormalBuildWithNoRows) {
  ProjectCopy normal("jaffle");
  testing::LoadJaffleSources(normal, "2024-01-01 00:00:00");
  CommandRun full = RunCommand(OptionsFor(normal, "build"));
  ASSERT_TRUE(full.summary.ok()) << full.summary.status().ToString();
  ASSERT_EQ(full.summary->exit_code, 0) << full.output;

  ProjectCopy empty("jaffle");
  testing::LoadJaffleSources(empty, "2024-01-01 00:00:00");
  DbtCommandOptions options = OptionsFor(empty, "build");
  options.empty = true;
  CommandRun run = RunCommand(options);
  ASSERT_TRUE(run.summary.ok()) << run.summary.status().ToString();
  EXPECT_EQ(run.summary->exit_code, 0) << run.output;

  // Same columns and types as the real build, no rows.
  const std::vector<std::string> columns = WarehouseQuery(normal, kColumns);
  ASSERT_FALSE(columns.empty());
  EXPECT_EQ(WarehouseQuery(empty, kColumns), columns);
  EXPECT_THAT(WarehouseQuery(normal, "select count(*) from main.customers"), ElementsAre("3"));
  EXPECT_THAT(WarehouseQuery(empty, "select count(*) from main.customers"), ElementsAre("0"));
  EXPECT_THAT(WarehouseQuery(empty, "select count(*) from main.orders"), ElementsAre("0"));
  EXPECT_THAT(WarehouseQuery(empty, "select count(*) from main_staging.stg_orders"),
              ElementsAre("0"));
  // Seeds load as usual: raw_orders.csv has three rows.
  EXPECT_THAT(WarehouseQuery(empty, "select count(*) from main_raw.raw_orders"), ElementsAre("3"));
  const std::string compiled = empty.Read("target/compiled/jaffle/models/marts/customers.sql");
  EXPECT_THAT(compiled, HasSubstr("(select * from \"main_staging\".\"stg_customers\" where false "
                                  "limit 0)"));
  EXPECT_THAT(normal.Read("target/compiled/jaffle/models/marts/customers.sql"),
              Not(HasSubstr("limit 0")));
  // The flag is in run_results.json's args, as dbt records it.
  auto results = nlohmann::json::parse(empty.Read("target/run_results.json"));
  EXPECT_EQ(results["args"]["empty"], true);

  DbtCommandOptions test = OptionsFor(empty, "test");
  test.empty = true;
  CommandRun refused = RunCommand(test);
  ASSERT_FALSE(refused.summary.ok());
  EXPECT_THAT(refused.summary.status().message(), HasSubstr("--empty applies to"));
}

TEST(DbtRunFolderTest, HoldsTheStatementsExecutedPerNode) {
  ProjectCopy p("jaffle");
  testing::LoadJaffleSources(p, "2024-01-01 00:00:00");
  CommandRun run = RunCommand(OptionsFor(p, "build"));
  ASSERT_TRUE(run.summary.ok()) << run.summary.status().ToString();
  ASSERT_EQ(run.summary->exit_code, 0) << run.output;

  const std::string compiled = p.Read("target/compiled/jaffle/models/marts/customers.sql");
  ASSERT_FALSE(compiled.empty());
  const std::string table = p.Read("target/run/jaffle/models/marts/customers.sql");
  // A new table: CREATE TABLE ... AS <the compiled select>, then the marts
  // post-hook from dbt_project.yml.
  EXPECT_THAT(table, HasSubstr("CREATE TABLE \"main\".\"customers\" AS " + compiled));
  EXPECT_THAT(table, HasSubstr("\n\nselect 1;"));
  EXPECT_THAT(table, EndsWith(";\n"));
  EXPECT_THAT(p.Read("target/run/jaffle/models/staging/stg_orders.sql"),
              HasSubstr("CREATE OR REPLACE VIEW \"main_staging\".\"stg_orders\" AS "));
  // A generic test: the count query wrapped around the compiled test.
  const std::string test_run =
      p.Read("target/run/jaffle/models/staging/schema.yml/not_null_stg_customers_customer_id.sql");
  EXPECT_THAT(test_run, HasSubstr("dbt_internal_test"));
  EXPECT_THAT(test_run, HasSubstr(p.Read("target/compiled/jaffle/models/staging/schema.yml/"
                                         "not_null_stg_customers_customer_id.sql")));
  // Not written for what only compiles.
  EXPECT_FALSE(p.Exists("target/run/jaffle/analyses"));

  // The second run replaces the table.
  DbtCommandOptions again = OptionsFor(p, "run");
  again.select = {"customers"};
  run = RunCommand(again);
  ASSERT_TRUE(run.summary.ok()) << run.summary.status().ToString();
  EXPECT_THAT(p.Read("target/run/jaffle/models/marts/customers.sql"),
              HasSubstr("CREATE OR REPLACE TABLE \"main\".\"customers\" AS "));
}

TEST(DbtPostHookTest, AFailingPostHookErrorsTheNodeAndRollsTheModelBack) {
  ProjectCopy p("jaffle");
  testing::LoadJaffleSources(p, "2024-01-01 00:00:00");
  CommandRun first = RunCommand(OptionsFor(p, "build"));
  ASSERT_TRUE(first.summary.ok()) << first.summary.status().ToString();
  ASSERT_EQ(first.summary->exit_code, 0) << first.output;
  const std::vector<std::string> before =
      WarehouseQuery(p, "select * from main.customers order by 1");
  ASSERT_EQ(before.size(), 3u);

  // New SQL (one row fewer, one column more) and a post-hook that fails.
  p.Write("models/marts/customers.sql",
          "{{ config(post_hook='insert into main.no_such_table values (1)') }}\n"
          "select customer_id, 0 as number_of_orders, 0 as lifetime_value, 'x' as extra\n"
          "from {{ ref('stg_customers') }} where customer_id > 1");
  DbtCommandOptions options = OptionsFor(p, "run");
  options.select = {"customers+"};
  CommandRun run = RunCommand(options);
  ASSERT_TRUE(run.summary.ok()) << run.summary.status().ToString();
  EXPECT_EQ(run.summary->exit_code, 1);
  EXPECT_EQ(run.StatusOf("model.jaffle.customers"), "error");
  ASSERT_NE(run.Node("model.jaffle.customers"), nullptr);
  EXPECT_THAT(run.Node("model.jaffle.customers")->message, HasSubstr("post-hook"));
  EXPECT_THAT(run.Node("model.jaffle.customers")->message, HasSubstr("restored to version"));
  // Its children do not run on a model that failed.
  EXPECT_EQ(run.StatusOf("model.jaffle.dim_customers.v2"), "skipped");
  EXPECT_THAT(run.output, HasSubstr("ERROR creating sql table model main.customers"));
  // The table is the first build's: same rows, no `extra` column.
  EXPECT_EQ(WarehouseQuery(p, "select * from main.customers order by 1"), before);

  // A `transaction: false` post-hook runs after the commit: when it fails the
  // node is an error but the new rows stay (customer ids 2 and 3).
  p.Write("models/marts/customers.sql",
          "{{ config(post_hook={'sql': 'insert into main.no_such_table values (1)', "
          "'transaction': false}) }}\n"
          "select customer_id from {{ ref('stg_customers') }} where customer_id > 1");
  options.select = {"customers"};
  run = RunCommand(options);
  ASSERT_TRUE(run.summary.ok()) << run.summary.status().ToString();
  EXPECT_EQ(run.StatusOf("model.jaffle.customers"), "error") << run.output;
  EXPECT_THAT(WarehouseQuery(p, "select customer_id from main.customers order by 1"),
              ElementsAre("2", "3"));
}

TEST(DbtAdapterMethodsTest, RelationsByPatternAndRenameFromJinja) {
  ProjectCopy p("jaffle");
  testing::LoadJaffleSources(p, "2024-01-01 00:00:00");
  // The seeds are raw_customers, raw_orders and raw_payments (seeds/*.csv).
  p.Write("models/marts/relation_list.sql",
          "-- depends_on: {{ ref('raw_customers') }} {{ ref('raw_orders') }} "
          "{{ ref('raw_payments') }}\n"
          "{% set found = adapter.get_relations_by_pattern('main_r%', 'RAW_%', "
          "exclude='%payments') %}\n"
          "{% if execute %}{% do adapter.rename_relation("
          "api.Relation.create(schema='raw', identifier='payments'), "
          "api.Relation.create(schema='raw', identifier='payments_moved')) %}{% endif %}\n"
          "select '{% for r in found %}{{ r.schema }}.{{ r.identifier }}"
          "{% if not loop.last %},{% endif %}{% endfor %}' as names");
  DbtCommandOptions options = OptionsFor(p, "build");
  options.select = {"+relation_list"};
  CommandRun run = RunCommand(options);
  ASSERT_TRUE(run.summary.ok()) << run.summary.status().ToString();
  EXPECT_EQ(run.StatusOf("model.jaffle.relation_list"), "success") << run.output;
  EXPECT_THAT(WarehouseQuery(p, "select names from main.relation_list"),
              ElementsAre("main_raw.raw_customers,main_raw.raw_orders"));
  // raw.payments was loaded with the three rows of raw_payments.csv.
  EXPECT_THAT(WarehouseQuery(p, "select count(*) from raw.payments_moved"), ElementsAre("3"));
}

}  // namespace
}  // namespace strata::transform
