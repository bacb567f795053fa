// The dbt commands end to end through RunDbtCommand, over copies of the
// jaffle fixture and the broken ones, with the real compiler,
// materializations, DuckDB and Delta tables. Expected table contents are
// worked out by hand from the seed CSVs (three customers, three orders, three
// payments), never read back from the runner's own output.
#include "transform/dbt_runner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "transform/dbt_runner_testing.h"

namespace strata::transform {
namespace {

using testing::CommandRun;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::LoadJaffleSources;
using testing::OptionsFor;
using testing::ProjectCopy;
using testing::RunCommand;
using testing::WarehouseQuery;
using json = nlohmann::json;

constexpr const char* kCustomersQuery =
    "select customer_id, number_of_orders, lifetime_value::decimal(10,2) from main.customers "
    "order by 1";

json ReadJson(const ProjectCopy& p, const std::string& rel) {
  return json::parse(p.Read(rel), nullptr, /*allow_exceptions=*/false);
}

TEST(DbtRunnerTest, BuildJaffleWritesTablesArtifactsAndOutput) {
  ProjectCopy p("jaffle");
  LoadJaffleSources(p, "2024-01-01 00:00:00");
  auto options = OptionsFor(p, "build");
  options.threads = 4;
  CommandRun run = RunCommand(options);
  ASSERT_TRUE(run.summary.ok()) << run.summary.status().ToString();

  // Customer 1 placed order 1 (1000 cents), customer 3 order 2 (200), customer
  // 2 order 3 (300).
  EXPECT_THAT(WarehouseQuery(p, kCustomersQuery), ElementsAre("1|1|10.00", "2|1|3.00", "3|1|2.00"))
      << run.output;
  EXPECT_THAT(
      WarehouseQuery(p, "select order_id, amount::decimal(10,2) from main.orders order by 1"),
      ElementsAre("1|10.00", "2|2.00", "3|3.00"));
  EXPECT_THAT(WarehouseQuery(p, "select count(*) from main_raw.raw_orders"), ElementsAre("3"));

  EXPECT_EQ(run.StatusOf("seed.jaffle.raw_orders"), "success");
  EXPECT_EQ(run.StatusOf("model.jaffle.customers"), "success");
  EXPECT_EQ(run.StatusOf("model.jaffle.stg_customers"), "success");
  EXPECT_EQ(run.StatusOf("snapshot.jaffle.orders_snapshot"), "success");
  EXPECT_EQ(run.StatusOf("test.jaffle.assert_order_amount_is_positive"), "pass");
  // The Python model is reported as skipped, the rest runs.
  EXPECT_EQ(run.StatusOf("model.jaffle.forecast"), "skipped");
  ASSERT_NE(run.Node("model.jaffle.forecast"), nullptr);
  EXPECT_THAT(run.Node("model.jaffle.forecast")->message, HasSubstr("Python models"));
  // Ephemeral models are inlined, never run.
  EXPECT_EQ(run.Node("model.shop_utils.utils_calendar"), nullptr);
  EXPECT_EQ(run.summary->exit_code, 0) << run.output;
  EXPECT_EQ(run.summary->error, 0) << run.output;
  EXPECT_EQ(run.summary->skip, 1) << run.output;

  EXPECT_THAT(run.output, HasSubstr("Running with strata="));
  EXPECT_THAT(run.output, HasSubstr("Concurrency: 4 threads (target='dev')"));
  EXPECT_THAT(run.output, HasSubstr(" OK created sql table model main.customers ...."));
  EXPECT_THAT(run.output, HasSubstr(" OK loaded seed file main_raw.raw_orders ...."));
  EXPECT_THAT(run.output, HasSubstr(" PASS not_null_stg_customers_customer_id ...."));
  EXPECT_THAT(run.output, HasSubstr(" SKIP unsupported python model forecast ...."));
  EXPECT_THAT(run.output, HasSubstr("Completed successfully"));
  EXPECT_THAT(run.output,
              HasSubstr("Done. PASS=" + std::to_string(run.summary->pass) +
                        " WARN=0 ERROR=0 SKIP=1 TOTAL=" + std::to_string(run.summary->total)));

  json results = ReadJson(p, "target/run_results.json");
  ASSERT_TRUE(results.is_object());
  EXPECT_EQ(results["metadata"]["dbt_schema_version"], kRunResultsSchema);
  ASSERT_EQ(results["results"].size(), static_cast<size_t>(run.summary->total));
  for (const auto& r : results["results"]) {
    for (const char* key :
         {"status", "timing", "thread_id", "execution_time", "adapter_response", "message",
          "failures", "unique_id", "compiled", "compiled_code", "relation_name"}) {
      EXPECT_TRUE(r.contains(key)) << key << " in " << r.dump();
    }
  }
  EXPECT_TRUE(results["elapsed_time"].is_number());
  EXPECT_EQ(results["args"]["which"], "build");
  json manifest = ReadJson(p, "target/manifest.json");
  ASSERT_TRUE(manifest.is_object());
  EXPECT_TRUE(manifest["nodes"].contains("model.jaffle.customers"));
  EXPECT_THAT(p.Read("target/compiled/jaffle/models/marts/customers.sql"),
              HasSubstr("count(orders.order_id) as number_of_orders"));
  EXPECT_TRUE(
      p.Exists("target/compiled/jaffle/models/staging/schema.yml/"
               "not_null_stg_customers_customer_id.sql"));
}

TEST(DbtRunnerTest, SecondRunAppendsToTheIncrementalModel) {
  ProjectCopy p("jaffle");
  LoadJaffleSources(p, "2024-01-01 00:00:00");
  auto build = OptionsFor(p, "build");
  build.exclude = {"forecast"};
  CommandRun first = RunCommand(build);
  ASSERT_TRUE(first.summary.ok()) << first.summary.status().ToString();
  ASSERT_EQ(first.summary->exit_code, 0) << first.output;

  // A fourth order arrives in the seed; seed then run the orders model only.
  p.Write("seeds/raw_orders.csv",
          "id,user_id,order_date,status\n1,1,2018-01-01,returned\n2,3,2018-01-02,completed\n"
          "3,2,2018-01-04,placed\n4,1,2018-01-05,placed\n");
  CommandRun seed = RunCommand(OptionsFor(p, "seed"));
  ASSERT_TRUE(seed.summary.ok());
  EXPECT_EQ(seed.summary->exit_code, 0) << seed.output;
  auto run = OptionsFor(p, "run");
  run.select = {"orders"};
  CommandRun second = RunCommand(run);
  ASSERT_TRUE(second.summary.ok());
  EXPECT_EQ(second.summary->exit_code, 0) << second.output;
  EXPECT_EQ(second.summary->total, 1);
  EXPECT_THAT(second.output, HasSubstr("sql incremental model main.orders"));
  // Order 4 has no payment: its amount is NULL.
  EXPECT_THAT(
      WarehouseQuery(p, "select order_id, amount::decimal(10,2) from main.orders order by 1"),
      ElementsAre("1|10.00", "2|2.00", "3|3.00", "4|NULL"));
}

TEST(DbtRunnerTest, FailingAndWarningTestsAndTheirExitCode) {
  ProjectCopy p("jaffle");
  LoadJaffleSources(p, "2024-01-01 00:00:00");
  p.Write("tests/two_bad_rows.sql", "select 1 as x union all select 2");
  p.Write("tests/one_warning.sql", "{{ config(severity='warn') }}\nselect 1 as x");
  auto build = OptionsFor(p, "build");
  build.exclude = {"forecast"};
  build.resource_types = {"seed", "model", "snapshot"};
  CommandRun built = RunCommand(build);
  ASSERT_TRUE(built.summary.ok());
  ASSERT_EQ(built.summary->exit_code, 0) << built.output;

  CommandRun tested = RunCommand(OptionsFor(p, "test"));
  ASSERT_TRUE(tested.summary.ok()) << tested.summary.status().ToString();
  EXPECT_EQ(tested.summary->exit_code, 1);
  EXPECT_EQ(tested.StatusOf("test.jaffle.two_bad_rows"), "fail");
  ASSERT_NE(tested.Node("test.jaffle.two_bad_rows"), nullptr);
  EXPECT_EQ(tested.Node("test.jaffle.two_bad_rows")->failures, 2);
  EXPECT_EQ(tested.StatusOf("test.jaffle.one_warning"), "warn");
  EXPECT_EQ(tested.summary->error, 1);
  EXPECT_EQ(tested.summary->warn, 1);
  EXPECT_THAT(tested.output, HasSubstr(" FAIL 2 two_bad_rows ...."));
  EXPECT_THAT(tested.output, HasSubstr("[FAIL 2 in "));
  EXPECT_THAT(tested.output, HasSubstr(" WARN 1 one_warning ...."));
  EXPECT_THAT(tested.output, HasSubstr("Failure in test two_bad_rows (tests/two_bad_rows.sql)"));
  EXPECT_THAT(tested.output, HasSubstr("Completed with 1 error and 1 warning:"));
  json results = ReadJson(p, "target/run_results.json");
  bool found = false;
  for (const auto& r : results["results"]) {
    if (r["unique_id"] == "test.jaffle.two_bad_rows") {
      found = true;
      EXPECT_EQ(r["status"], "fail");
      EXPECT_EQ(r["failures"], 2);
    }
  }
  EXPECT_TRUE(found);
}

TEST(DbtRunnerTest, BuildSkipsTheChildrenOfAFailingTest) {
  ProjectCopy p("jaffle");
  LoadJaffleSources(p, "2024-01-01 00:00:00");
  // Fails: stg_customers has three rows.
  p.Write("tests/stg_customers_is_empty.sql", "select * from {{ ref('stg_customers') }}");
  auto build = OptionsFor(p, "build");
  build.exclude = {"forecast"};
  CommandRun run = RunCommand(build);
  ASSERT_TRUE(run.summary.ok()) << run.summary.status().ToString();
  EXPECT_EQ(run.summary->exit_code, 1);
  EXPECT_EQ(run.StatusOf("test.jaffle.stg_customers_is_empty"), "fail");
  EXPECT_EQ(run.StatusOf("model.jaffle.customers"), "skipped") << run.output;
  EXPECT_EQ(run.StatusOf("model.jaffle.stg_orders"), "success");
  EXPECT_EQ(run.StatusOf("model.jaffle.orders"), "success");
  EXPECT_THAT(run.output, HasSubstr(" SKIP relation main.customers ...."));
  EXPECT_GT(run.summary->skip, 0);
}

TEST(DbtRunnerTest, FailFastSkipsEverythingNotStarted) {
  ProjectCopy p("jaffle");
  LoadJaffleSources(p, "2024-01-01 00:00:00");
  p.Write("models/aaa_broken.sql", "select * from no_such_table_anywhere");
  auto build = OptionsFor(p, "run");
  build.exclude = {"forecast"};
  build.threads = 1;
  build.fail_fast = true;
  CommandRun run = RunCommand(build);
  ASSERT_TRUE(run.summary.ok());
  EXPECT_EQ(run.summary->exit_code, 1);
  EXPECT_EQ(run.StatusOf("model.jaffle.aaa_broken"), "error");
  ASSERT_NE(run.Node("model.jaffle.aaa_broken"), nullptr);
  EXPECT_THAT(run.Node("model.jaffle.aaa_broken")->message, HasSubstr("no_such_table_anywhere"));
  int skipped_fail_fast = 0;
  for (const auto& n : run.summary->nodes) {
    if (n.status == "skipped" && n.message == "Skipping due to fail_fast") ++skipped_fail_fast;
  }
  EXPECT_GT(skipped_fail_fast, 0) << run.output;
  // Every model is reported: one error, the rest ran before it or skipped.
  EXPECT_EQ(run.summary->error + run.summary->skip + run.summary->pass, run.summary->total);
}

void AddProfile(const ProjectCopy& p, const std::string& profile) {
  p.Write("profiles.yml", profile +
                              ":\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n"
                              "      path: x.duckdb\n      threads: 2\n");
}

TEST(DbtRunnerTest, UnknownRefFailsItsNodeWithFileAndLineAndTheRestRuns) {
  ProjectCopy p("broken/unknown_ref");
  AddProfile(p, "none");
  CommandRun run = RunCommand(OptionsFor(p, "run"));
  ASSERT_TRUE(run.summary.ok()) << run.summary.status().ToString();
  EXPECT_EQ(run.summary->exit_code, 1);
  const std::string orders = "model.unknown_ref.orders";
  EXPECT_EQ(run.StatusOf(orders), "error") << run.output;
  ASSERT_NE(run.Node(orders), nullptr);
  EXPECT_THAT(run.Node(orders)->message, HasSubstr("models/orders.sql:3"));
  EXPECT_THAT(run.Node(orders)->message, HasSubstr("stg_orderz"));
  EXPECT_EQ(run.StatusOf("model.unknown_ref.independent"), "success");
  EXPECT_EQ(run.StatusOf("model.unknown_ref.stg_orders"), "success");
  EXPECT_THAT(run.output, HasSubstr("models/orders.sql:3"));
  json results = ReadJson(p, "target/run_results.json");
  bool reported = false;
  for (const auto& r : results["results"]) {
    if (r["unique_id"] == orders) reported = r["status"] == "error";
  }
  EXPECT_TRUE(reported);
}

TEST(DbtRunnerTest, CycleFailsItsNodesAndTheFreeOneRuns) {
  ProjectCopy p("broken/cycle");
  AddProfile(p, "none");
  CommandRun run = RunCommand(OptionsFor(p, "run"));
  ASSERT_TRUE(run.summary.ok()) << run.summary.status().ToString();
  EXPECT_EQ(run.summary->exit_code, 1);
  EXPECT_EQ(run.StatusOf("model.cycle.free"), "success") << run.output;
  for (const char* id : {"model.cycle.a", "model.cycle.b", "model.cycle.c"}) {
    EXPECT_NE(run.StatusOf(id), "success") << id;
  }
  EXPECT_THAT(run.output, HasSubstr("cycle"));
}

TEST(DbtRunnerTest, TemplateErrorNamesFileLineAndNode) {
  ProjectCopy p("broken/unknown_ref");
  AddProfile(p, "none");
  p.Write("models/bad_jinja.sql", "select 1 as x\n{{ 1 + }}\n");
  auto options = OptionsFor(p, "run");
  options.select = {"bad_jinja", "independent"};
  CommandRun run = RunCommand(options);
  ASSERT_TRUE(run.summary.ok());
  EXPECT_EQ(run.summary->exit_code, 1);
  EXPECT_EQ(run.StatusOf("model.unknown_ref.bad_jinja"), "error");
  ASSERT_NE(run.Node("model.unknown_ref.bad_jinja"), nullptr);
  EXPECT_THAT(run.Node("model.unknown_ref.bad_jinja")->message, HasSubstr("bad_jinja.sql:2"));
  EXPECT_EQ(run.StatusOf("model.unknown_ref.independent"), "success");
  EXPECT_THAT(run.output, HasSubstr("model bad_jinja (models/bad_jinja.sql)"));
}

TEST(DbtRunnerTest, YamlErrorIsReportedAndModelsStillRun) {
  ProjectCopy p("broken/yaml_error");
  AddProfile(p, "none");
  CommandRun run = RunCommand(OptionsFor(p, "run"));
  ASSERT_TRUE(run.summary.ok()) << run.summary.status().ToString();
  EXPECT_EQ(run.summary->exit_code, 1);
  EXPECT_EQ(run.StatusOf("model.broken_yaml.a"), "success") << run.output;
  EXPECT_EQ(run.StatusOf("model.broken_yaml.b"), "success");
  EXPECT_THAT(run.output, HasSubstr("models/schema.yml:"));
  EXPECT_THAT(run.output, HasSubstr("invalid YAML"));
}

TEST(DbtRunnerTest, ThreadsRunIndependentModelsAtTheSameTime) {
  ProjectCopy p("broken/yaml_error");
  std::filesystem::remove_all(p.Path("models"));
  AddProfile(p, "none");
  for (int i = 0; i < 4; ++i) {
    p.Write("models/slow_" + std::to_string(i) + ".sql",
            "{{ config(materialized='table') }}\n"
            "select count(*) as n from range(30000000) t(x) where x % 7 = " +
                std::to_string(i));
  }
  auto overlaps = [](const CommandRun& run) {
    int pairs = 0;
    const auto& nodes = run.summary->nodes;
    for (size_t i = 0; i < nodes.size(); ++i) {
      for (size_t j = i + 1; j < nodes.size(); ++j) {
        if (nodes[i].started_at_micros < nodes[j].completed_at_micros &&
            nodes[j].started_at_micros < nodes[i].completed_at_micros) {
          ++pairs;
        }
      }
    }
    return pairs;
  };
  auto options = OptionsFor(p, "run");
  options.threads = 4;
  CommandRun parallel = RunCommand(options);
  ASSERT_TRUE(parallel.summary.ok());
  ASSERT_EQ(parallel.summary->exit_code, 0) << parallel.output;
  ASSERT_EQ(parallel.summary->nodes.size(), 4u);
  EXPECT_GT(overlaps(parallel), 0);
  std::set<std::string> threads;
  for (const auto& n : parallel.summary->nodes) threads.insert(n.thread_id);
  EXPECT_GT(threads.size(), 1u);

  options.threads = 1;
  CommandRun serial = RunCommand(options);
  ASSERT_TRUE(serial.summary.ok());
  EXPECT_EQ(overlaps(serial), 0);
}

TEST(DbtRunnerTest, LsListsTheSelection) {
  ProjectCopy p("jaffle");
  auto options = OptionsFor(p, "ls");
  options.resource_types = {"model"};
  options.output = "name";
  CommandRun run = RunCommand(options);
  ASSERT_TRUE(run.summary.ok()) << run.summary.status().ToString();
  // The fixture's model files, by name (dim_customers has two versions).
  EXPECT_THAT(run.summary->listed,
              ElementsAre("customer_report", "customers", "dim_customers", "dim_customers",
                          "forecast", "orders", "revenue", "stg_customers", "stg_orders",
                          "stg_payments", "utils_calendar"));
  EXPECT_EQ(run.output,
            "customer_report\ncustomers\ndim_customers\ndim_customers\nforecast\norders\nrevenue\n"
            "stg_customers\nstg_orders\nstg_payments\nutils_calendar\n");

  options.output = "selector";
  options.resource_types = {};
  options.select = {"tag:staging"};
  options.exclude = {"resource_type:test"};
  run = RunCommand(options);
  ASSERT_TRUE(run.summary.ok());
  EXPECT_THAT(run.summary->listed,
              ElementsAre("jaffle.staging.stg_customers", "jaffle.staging.stg_orders",
                          "jaffle.staging.stg_payments"));
  options.output = "path";
  options.select = {"stg_orders"};
  run = RunCommand(options);
  ASSERT_TRUE(run.summary.ok());
  EXPECT_THAT(run.summary->listed, ElementsAre("models/staging/stg_orders.sql"));
  options.output = "json";
  run = RunCommand(options);
  ASSERT_TRUE(run.summary.ok());
  ASSERT_EQ(run.summary->listed.size(), 1u);
  json line = json::parse(run.summary->listed[0]);
  EXPECT_EQ(line["unique_id"], "model.jaffle.stg_orders");
  EXPECT_EQ(line["resource_type"], "model");
}

TEST(DbtRunnerTest, CompileWritesFilesAndRunsNothing) {
  ProjectCopy p("jaffle");
  auto options = OptionsFor(p, "compile");
  options.select = {"customers"};
  options.resource_types = {"model"};
  CommandRun run = RunCommand(options);
  ASSERT_TRUE(run.summary.ok()) << run.summary.status().ToString();
  EXPECT_EQ(run.summary->exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("Compiled node 'customers' is:"));
  const std::string compiled = p.Read("target/compiled/jaffle/models/marts/customers.sql");
  EXPECT_THAT(compiled, HasSubstr("count(orders.order_id) as number_of_orders"));
  EXPECT_EQ(compiled.find("{{"), std::string::npos);
  EXPECT_FALSE(p.Exists("warehouse/main/customers/_delta_log"));
}

TEST(DbtRunnerTest, UsageErrorsAreStatuses) {
  ProjectCopy p("jaffle");
  auto options = OptionsFor(p, "run");
  options.vars = "[1, 2]";
  EXPECT_FALSE(RunCommand(options).summary.ok());
  options.vars = "";
  options.select = {"nosuchmethod:x"};
  EXPECT_FALSE(RunCommand(options).summary.ok());
  options.select = {};
  options.project_dir = p.Path("nowhere");
  EXPECT_FALSE(RunCommand(options).summary.ok());
  options.command = "dance";
  EXPECT_FALSE(RunCommand(options).summary.ok());
}

TEST(DbtRunnerTest, SourceFreshnessComparesMaxLoadedAtWithTheThresholds) {
  ProjectCopy p("jaffle");
  // The fixture warns after 12 hours and errors after 24; the clock below is
  // 2024-01-02 06:00, so 18 hours after the last load.
  LoadJaffleSources(p, "2024-01-01 12:00:00");
  FakeClock clock(1704175200000000);  // 2024-01-02 06:00:00 UTC
  auto options = OptionsFor(p, "freshness");
  std::ostringstream out;
  auto summary = RunDbtCommand(options, *FileSystem::Default(), clock, out);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->exit_code, 0) << out.str();
  EXPECT_EQ(summary->warn, 1) << out.str();
  EXPECT_THAT(out.str(), HasSubstr("WARN freshness of jaffle_raw.orders"));
  json sources = ReadJson(p, "target/sources.json");
  ASSERT_EQ(sources["results"].size(), 1u);
  EXPECT_EQ(sources["results"][0]["status"], "warn");
  EXPECT_DOUBLE_EQ(sources["results"][0]["max_loaded_at_time_ago_in_s"].get<double>(), 18 * 3600.0);

  clock.Advance(7LL * 3600 * 1000000);  // 25 hours
  std::ostringstream out2;
  summary = RunDbtCommand(options, *FileSystem::Default(), clock, out2);
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->exit_code, 1);
  EXPECT_THAT(out2.str(), HasSubstr("ERROR STALE freshness of jaffle_raw.orders"));
}

TEST(DbtRunnerTest, DocsGenerateWritesTheCatalogFromTheWarehouse) {
  ProjectCopy p("jaffle");
  LoadJaffleSources(p, "2024-01-01 00:00:00");
  auto build = OptionsFor(p, "build");
  build.exclude = {"forecast"};
  ASSERT_TRUE(RunCommand(build).summary.ok());
  CommandRun docs = RunCommand(OptionsFor(p, "docs"));
  ASSERT_TRUE(docs.summary.ok()) << docs.summary.status().ToString();
  json catalog = ReadJson(p, "target/catalog.json");
  ASSERT_TRUE(catalog.is_object());
  const json& customers = catalog["nodes"]["model.jaffle.customers"];
  ASSERT_TRUE(customers.is_object()) << catalog.dump();
  EXPECT_EQ(customers["metadata"]["type"], "BASE TABLE");
  EXPECT_EQ(customers["stats"]["row_count"]["value"], 3);
  EXPECT_TRUE(customers["columns"].contains("lifetime_value"));
  EXPECT_EQ(catalog["nodes"]["model.jaffle.stg_customers"]["metadata"]["type"], "VIEW")
      << catalog["errors"].dump();
  EXPECT_TRUE(catalog["sources"].contains("source.jaffle.jaffle_raw.payments"));
}

}  // namespace
}  // namespace strata::transform
