#include "transform/dbt_project.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "common/fake_file_system.h"
#include "transform/dbt_testing.h"

namespace strata::transform {
namespace {

using ::testing::ElementsAre;
using testing::FixtureDir;
using ::testing::HasSubstr;
using testing::LoadFixture;
using ::testing::UnorderedElementsAre;
using json = nlohmann::json;

const Node& Get(const DbtProject& p, const std::string& id) {
  static const Node kMissing;
  const Node* n = p.FindNode(id);
  EXPECT_NE(n, nullptr) << "no node " << id;
  return n ? *n : kMissing;
}

TEST(DbtProjectTest, LoadsEveryResourceOfTheFixture) {
  DbtProject p = LoadFixture("jaffle");
  EXPECT_FALSE(p.HasErrors()) << testing::AllDiagnostics(p);
  EXPECT_EQ(p.name, "jaffle");
  EXPECT_EQ(p.version, "1.0.0");
  EXPECT_EQ(p.profile_name, "jaffle");
  EXPECT_EQ(p.require_dbt_version, ">=1.5.0");
  EXPECT_THAT(p.clean_targets, ElementsAre("target", "dbt_packages"));
  ASSERT_EQ(p.packages.size(), 2u);
  EXPECT_EQ(p.packages[0].name, "jaffle");
  EXPECT_EQ(p.packages[1].name, "shop_utils");
  for (const char* id : {"model.jaffle.stg_customers",
                         "model.jaffle.stg_orders",
                         "model.jaffle.stg_payments",
                         "model.jaffle.customers",
                         "model.jaffle.orders",
                         "model.jaffle.revenue",
                         "model.jaffle.customer_report",
                         "model.jaffle.dim_customers.v1",
                         "model.jaffle.dim_customers.v2",
                         "model.jaffle.forecast",
                         "model.shop_utils.utils_calendar",
                         "seed.jaffle.raw_customers",
                         "seed.jaffle.raw_orders",
                         "seed.jaffle.raw_payments",
                         "snapshot.jaffle.orders_snapshot",
                         "analysis.jaffle.customer_count",
                         "test.jaffle.assert_order_amount_is_positive",
                         "source.jaffle.jaffle_raw.orders",
                         "source.jaffle.jaffle_raw.payments",
                         "exposure.jaffle.weekly_dashboard"}) {
    EXPECT_NE(p.FindNode(id), nullptr) << id;
  }
  // The versioned model's files are not models of their own.
  EXPECT_EQ(p.FindNode("model.jaffle.dim_customers_v1"), nullptr);
}

TEST(DbtProjectTest, FileNodesHaveDbtPathsFqnsAndChecksums) {
  DbtProject p = LoadFixture("jaffle");
  const Node& revenue = Get(p, "model.jaffle.revenue");
  EXPECT_EQ(revenue.path, "marts/finance/revenue.sql");
  EXPECT_EQ(revenue.original_file_path, "models/marts/finance/revenue.sql");
  EXPECT_THAT(revenue.fqn, ElementsAre("jaffle", "marts", "finance", "revenue"));
  EXPECT_EQ(revenue.checksum["name"], "sha256");
  // Independent reference: the sha256sum tool over the same file.
  std::string expected = testing::RunCommand("sha256sum '" + FixtureDir("jaffle") +
                                             "/models/marts/finance/revenue.sql' | cut -d' ' -f1");
  ASSERT_EQ(expected.size(), 64u);
  EXPECT_EQ(revenue.checksum["checksum"], expected);
  EXPECT_THAT(revenue.raw_code, HasSubstr("shop_utils.cents_to_dollars"));

  const Node& analysis = Get(p, "analysis.jaffle.customer_count");
  EXPECT_THAT(analysis.fqn, ElementsAre("jaffle", "analysis", "customer_count"));
  const Node& snapshot = Get(p, "snapshot.jaffle.orders_snapshot");
  EXPECT_THAT(snapshot.fqn, ElementsAre("jaffle", "orders_snapshot", "orders_snapshot"));
  EXPECT_THAT(snapshot.raw_code, HasSubstr("select * from {{ ref('stg_orders') }}"));
  EXPECT_THAT(snapshot.raw_code, ::testing::Not(HasSubstr("endsnapshot")));
  const Node& v1 = Get(p, "model.jaffle.dim_customers.v1");
  EXPECT_EQ(v1.name, "dim_customers");
  EXPECT_EQ(v1.version, "1");
  EXPECT_EQ(v1.latest_version, "2");
  EXPECT_EQ(v1.alias, "dim_customers_v1");
  EXPECT_THAT(v1.fqn, ElementsAre("jaffle", "marts", "dim_customers", "v1"));
}

TEST(DbtProjectTest, ProjectConfigResolvesByFolderAndAccumulates) {
  DbtProject p = LoadFixture("jaffle");
  const Node& stg = Get(p, "model.jaffle.stg_customers");
  EXPECT_EQ(stg.config["materialized"], "view");
  EXPECT_EQ(stg.config["schema"], "staging");
  EXPECT_EQ(stg.schema, "main_staging");  // dbt's default generate_schema_name
  EXPECT_THAT(stg.tags, ElementsAre("jaffle", "staging"));
  EXPECT_EQ(stg.meta["owner"], "data-eng");
  EXPECT_EQ(stg.description, "Customers, renamed.");

  // The model-name level of models: wins over its folder; config() in the
  // file adds a tag; tags accumulate from every level.
  const Node& orders = Get(p, "model.jaffle.orders");
  EXPECT_EQ(orders.config["materialized"], "incremental");
  EXPECT_EQ(orders.config["unique_key"], "order_id");
  EXPECT_EQ(orders.config["incremental_strategy"], "delete+insert");
  EXPECT_EQ(orders.config["on_schema_change"], "append_new_columns");
  EXPECT_THAT(orders.tags, ElementsAre("jaffle", "marts", "nightly"));
  EXPECT_EQ(orders.schema, "main");

  // Hooks accumulate from outer to inner folders; meta merges.
  const Node& revenue = Get(p, "model.jaffle.revenue");
  EXPECT_EQ(revenue.config["materialized"], "table");
  ASSERT_EQ(revenue.config["post-hook"].size(), 2u);
  EXPECT_EQ(revenue.config["post-hook"][0]["sql"], "select 1");
  EXPECT_EQ(revenue.config["post-hook"][1]["sql"], "select 2");
  EXPECT_EQ(revenue.config["post-hook"][1]["transaction"], true);
  EXPECT_THAT(revenue.tags, ElementsAre("jaffle", "marts", "finance"));
  EXPECT_EQ(revenue.meta["team"], "finance");

  // A YAML config: block overrides dbt_project.yml.
  EXPECT_EQ(Get(p, "model.jaffle.stg_payments").config["materialized"], "table");
  const Node& customers = Get(p, "model.jaffle.customers");
  EXPECT_EQ(customers.config["contract"]["enforced"], true);
  EXPECT_EQ(customers.meta["pii"], true);
  // doc() is rendered from models/docs.md at load, as dbt renders descriptions.
  EXPECT_EQ(customers.description, "One row per customer, with their orders and lifetime value.");
  ASSERT_EQ(customers.columns.size(), 3u);
  EXPECT_EQ(customers.columns[0].name, "customer_id");
  EXPECT_EQ(customers.columns[0].data_type, "integer");
  EXPECT_EQ(customers.columns[0].constraints[0]["type"], "not_null");

  // Seeds: column_types, delimiter, schema.
  const Node& raw_orders = Get(p, "seed.jaffle.raw_orders");
  EXPECT_EQ(raw_orders.config["materialized"], "seed");
  EXPECT_EQ(raw_orders.config["column_types"]["order_date"], "date");
  EXPECT_EQ(raw_orders.schema, "main_raw");
  EXPECT_EQ(Get(p, "seed.jaffle.raw_payments").config["quote_columns"], false);

  // A package's own config, then the root project's config for it.
  const Node& calendar = Get(p, "model.shop_utils.utils_calendar");
  EXPECT_EQ(calendar.config["materialized"], "ephemeral");
  EXPECT_THAT(calendar.tags, ElementsAre("from_root"));

  // Snapshots take their config from the project and the in-file config().
  const Node& snapshot = Get(p, "snapshot.jaffle.orders_snapshot");
  EXPECT_EQ(snapshot.config["target_schema"], "snapshots");
  EXPECT_EQ(snapshot.config["strategy"], "timestamp");
  EXPECT_EQ(snapshot.config["unique_key"], "order_id");
}

TEST(DbtProjectTest, VarsHooksAndDocs) {
  DbtProject p = LoadFixture("jaffle");
  json root_vars = p.VarsFor("jaffle");
  EXPECT_EQ(root_vars["start_date"], "2018-01-01");
  EXPECT_FALSE(root_vars.contains("shop_utils"));
  EXPECT_FALSE(root_vars.contains("utils_var"));
  json pkg_vars = p.VarsFor("shop_utils");
  EXPECT_EQ(pkg_vars["utils_var"], 7);
  EXPECT_EQ(pkg_vars["start_date"], "2018-01-01");
  EXPECT_THAT(p.on_run_start, ElementsAre("create schema if not exists audit"));
  EXPECT_THAT(p.on_run_end, ElementsAre("select 1"));

  ASSERT_EQ(p.docs.count("doc.jaffle.customers"), 1u);
  EXPECT_EQ(p.docs.at("doc.jaffle.customers").block_contents,
            "One row per customer, with their orders and lifetime value.");
}

TEST(DbtProjectTest, MacrosAreFoundByAScan) {
  DbtProject p = LoadFixture("jaffle");
  ASSERT_EQ(p.macros.count("macro.jaffle.cents"), 1u);
  const Macro& cents = p.macros.at("macro.jaffle.cents");
  EXPECT_EQ(cents.line, 1);
  EXPECT_EQ(cents.original_file_path, "macros/cents.sql");
  EXPECT_THAT(cents.macro_sql, HasSubstr("endmacro"));
  EXPECT_EQ(cents.description, "Converts cents to units.");
  EXPECT_EQ(cents.arguments[0]["name"], "column_name");
  const Macro& helper = p.macros.at("macro.jaffle.unused_helper");
  EXPECT_EQ(helper.line, 5);
  EXPECT_EQ(p.macros.count("macro.jaffle.test_is_positive"), 1u);
  EXPECT_EQ(p.macros.count("macro.shop_utils.cents_to_dollars"), 1u);
}

TEST(DbtProjectTest, PythonModelIsLoadedAsUnsupportedWithAWarning) {
  DbtProject p = LoadFixture("jaffle");
  const Node& forecast = Get(p, "model.jaffle.forecast");
  EXPECT_EQ(forecast.language, "python");
  EXPECT_TRUE(forecast.unsupported);
  EXPECT_THAT(forecast.unsupported_reason, HasSubstr("Python models are not supported"));
  bool warned = std::any_of(p.diagnostics.begin(), p.diagnostics.end(), [](const Diagnostic& d) {
    return !d.IsError() && d.node == "model.jaffle.forecast" &&
           d.file == "models/marts/forecast.py";
  });
  EXPECT_TRUE(warned) << testing::AllDiagnostics(p);
  EXPECT_TRUE(ProjectStatus(p).ok());
}

TEST(DbtProjectTest, SourcesCarryFreshnessAndIdentifiers) {
  DbtProject p = LoadFixture("jaffle");
  const Node& orders = Get(p, "source.jaffle.jaffle_raw.orders");
  EXPECT_EQ(orders.source_name, "jaffle_raw");
  EXPECT_EQ(orders.schema, "raw");
  EXPECT_EQ(orders.identifier, "raw_orders_table");
  EXPECT_EQ(orders.loader, "csv");
  EXPECT_EQ(orders.loaded_at_field, "_loaded_at");
  EXPECT_EQ(orders.freshness["warn_after"]["count"], 12);
  EXPECT_EQ(orders.freshness["error_after"]["period"], "hour");
  EXPECT_THAT(orders.fqn, ElementsAre("jaffle", "staging", "jaffle_raw", "orders"));
  const Node& payments = Get(p, "source.jaffle.jaffle_raw.payments");
  EXPECT_TRUE(payments.freshness.is_null());  // `freshness: null` turns it off
  EXPECT_EQ(payments.identifier, "payments");
}

TEST(DbtProjectTest, ProfileTargetWithEnvVarDefaults) {
  DbtProject p = LoadFixture("jaffle");
  ASSERT_TRUE(p.target.has_value()) << testing::AllDiagnostics(p);
  EXPECT_EQ(p.target->target_name, "dev");
  EXPECT_EQ(p.target->type, "duckdb");
  EXPECT_EQ(p.target->path, "jaffle.duckdb");  // env_var default
  EXPECT_EQ(p.target->raw["path"], "{{ env_var('JAFFLE_DB', 'jaffle.duckdb') }}");
  EXPECT_EQ(p.target->database, "jaffle");
  EXPECT_EQ(p.target->threads, 4);
  EXPECT_THAT(p.target->extensions, ElementsAre("parquet"));
  EXPECT_EQ(p.target->settings["memory_limit"], "1GB");
  EXPECT_EQ(Get(p, "model.jaffle.orders").database, "jaffle");

  DbtProject with_env = LoadFixture("jaffle", {{"JAFFLE_DB", "/data/shop.duckdb"}});
  EXPECT_EQ(with_env.target->path, "/data/shop.duckdb");
  EXPECT_EQ(with_env.target->database, "shop");
}

TEST(DbtProjectTest, ProfileTargetWithoutItsRequiredEnvVarIsAnError) {
  DbtProject p = LoadFixture("jaffle", {}, "prod");
  EXPECT_FALSE(p.target.has_value());
  Status s = ProjectStatus(p);
  EXPECT_THAT(s.message(), HasSubstr("profiles.yml"));
  EXPECT_THAT(s.message(), HasSubstr("PROD_SCHEMA"));

  DbtProject ok = LoadFixture("jaffle", {{"PROD_SCHEMA", "analytics"}}, "prod");
  ASSERT_TRUE(ok.target.has_value()) << testing::AllDiagnostics(ok);
  EXPECT_EQ(ok.target->schema, "analytics");
  EXPECT_EQ(ok.target->threads, 8);
  EXPECT_EQ(Get(ok, "model.jaffle.stg_orders").schema, "analytics_staging");
}

TEST(DbtProjectTest, ProfilesDirOrderFollowsDbt) {
  // --profiles-dir, then DBT_PROFILES_DIR, then the project, then ~/.dbt.
  InMemoryFileSystem fs;
  ASSERT_TRUE(fs.CreateDirectories("/p").ok());
  ASSERT_TRUE(fs.WriteFileAtomic("/p/dbt_project.yml", "name: p\nprofile: p\n").ok());
  auto profile = [](const std::string& schema) {
    return "p:\n  target: t\n  outputs:\n    t:\n      type: duckdb\n      schema: " + schema +
           "\n";
  };
  for (const char* dir : {"/p", "/env", "/flag", "/home/u/.dbt"}) {
    ASSERT_TRUE(fs.CreateDirectories(dir).ok());
  }
  ASSERT_TRUE(fs.WriteFileAtomic("/home/u/.dbt/profiles.yml", profile("home")).ok());
  std::map<std::string, std::string> env = {{"HOME", "/home/u"}};
  auto load = [&](const std::string& flag) {
    LoadOptions options;
    options.project_dir = "/p";
    options.profiles_dir = flag;
    options.env = [&env](const std::string& k) -> std::optional<std::string> {
      auto it = env.find(k);
      return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
    auto project = LoadProject(fs, options);
    EXPECT_TRUE(project.ok()) << project.status().ToString();
    return project.ok() && project->target ? project->target->schema : std::string("<none>");
  };
  EXPECT_EQ(load(""), "home");
  ASSERT_TRUE(fs.WriteFileAtomic("/p/profiles.yml", profile("project")).ok());
  EXPECT_EQ(load(""), "project");
  ASSERT_TRUE(fs.WriteFileAtomic("/env/profiles.yml", profile("env")).ok());
  env["DBT_PROFILES_DIR"] = "/env";
  EXPECT_EQ(load(""), "env");
  ASSERT_TRUE(fs.WriteFileAtomic("/flag/profiles.yml", profile("flag")).ok());
  EXPECT_EQ(load("/flag"), "flag");
}

TEST(DbtProjectTest, EnvVarLiteralRendering) {
  auto env = [](const std::string& k) -> std::optional<std::string> {
    if (k == "SET") return std::string("value");
    return std::nullopt;
  };
  EXPECT_EQ(*RenderEnvVarLiterals("a{{ env_var('SET') }}b", env), "avalueb");
  EXPECT_EQ(*RenderEnvVarLiterals("{{ env_var(\"UNSET\", \"dflt\") }}", env), "dflt");
  EXPECT_EQ(*RenderEnvVarLiterals("{{ env_var('SET', 'x') | int }}", env), "value");
  EXPECT_EQ(*RenderEnvVarLiterals("plain", env), "plain");
  EXPECT_THAT(RenderEnvVarLiterals("{{ env_var('UNSET') }}", env).status().message(),
              HasSubstr("UNSET"));
  EXPECT_FALSE(RenderEnvVarLiterals("{{ var('x') }}", env).ok());
  EXPECT_FALSE(RenderEnvVarLiterals("{% if x %}y{% endif %}", env).ok());
}

TEST(DbtProjectTest, RendererHookReplacesTheLiteralFallback) {
  LoadOptions options;
  options.project_dir = FixtureDir("jaffle");
  options.env = [](const std::string&) { return std::nullopt; };
  std::vector<std::string> seen;
  options.render = [&seen](const std::string& text) -> Result<std::string> {
    seen.push_back(text);
    return std::string("rendered.duckdb");
  };
  auto p = LoadProject(*FileSystem::Default(), options);
  ASSERT_TRUE(p.ok());
  ASSERT_TRUE(p->target.has_value());
  EXPECT_EQ(p->target->path, "rendered.duckdb");
  EXPECT_THAT(seen, ElementsAre("{{ env_var('JAFFLE_DB', 'jaffle.duckdb') }}"));
}

TEST(DbtProjectTest, MissingProjectFileIsNotFound) {
  LoadOptions options;
  options.project_dir = FixtureDir("does_not_exist");
  auto p = LoadProject(*FileSystem::Default(), options);
  ASSERT_FALSE(p.ok());
  EXPECT_TRUE(p.status().IsNotFound());
  EXPECT_THAT(p.status().message(), HasSubstr("dbt_project.yml"));
}

TEST(DbtProjectTest, DisabledNodesAreSetAside) {
  InMemoryFileSystem fs;
  ASSERT_TRUE(fs.CreateDirectories("/p/models/old").ok());
  ASSERT_TRUE(fs.WriteFileAtomic("/p/dbt_project.yml",
                                 "name: p\nmodels:\n  p:\n    old:\n      +enabled: false\n")
                  .ok());
  ASSERT_TRUE(fs.WriteFileAtomic("/p/models/old/legacy.sql", "select 1").ok());
  ASSERT_TRUE(
      fs.WriteFileAtomic("/p/models/current.sql", "{{ config(enabled=false) }} select 2").ok());
  ASSERT_TRUE(fs.WriteFileAtomic("/p/models/kept.sql", "select 3").ok());
  LoadOptions options;
  options.project_dir = "/p";
  options.load_profile = false;
  auto p = LoadProject(fs, options);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->FindNode("model.p.legacy"), nullptr);
  EXPECT_EQ(p->FindNode("model.p.current"), nullptr);
  EXPECT_NE(p->FindNode("model.p.kept"), nullptr);
  EXPECT_EQ(p->disabled.count("model.p.legacy"), 1u);
  EXPECT_EQ(p->disabled.count("model.p.current"), 1u);
}

}  // namespace
}  // namespace strata::transform
