// DbtCompiler over the fixtures testdata/compile, testdata/compile_errors and
// testdata/jaffle, against a real in-memory DuckDB through DuckDbAdapter.
// Expected SQL and failing-row counts are written out by hand from the
// fixtures' text and data, never taken from the compiler's output.
#include "transform/dbt_compile.h"

#include <gtest/gtest.h>

#include <thread>

#include "transform/dbt_compile_internal.h"
#include "transform/dbt_compile_testing.h"

namespace strata::transform {
namespace {

using testing::DuckDbAdapter;
using testing::LoadFixture;

constexpr int64_t kStartedAt = 1'700'000'000'000'000;  // 2023-11-14 22:13:20 UTC

class CompileTest : public ::testing::Test {
 protected:
  void Load(const std::string& fixture, std::map<std::string, std::string> env = {}) {
    project_ = LoadFixture(fixture, env);
    graph_ = DbtGraph::Build(&project_);
    auto db = engine::Database::Open();
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    adapter_ = std::make_unique<DuckDbAdapter>(*db_);
  }

  std::unique_ptr<DbtCompiler> MakeCompiler(CompileOptions options = {}) {
    if (options.invocation_id.empty()) options.invocation_id = "inv-1";
    if (options.run_started_at_micros == 0) options.run_started_at_micros = kStartedAt;
    auto compiler = DbtCompiler::Create(&project_, &graph_, options);
    EXPECT_TRUE(compiler.ok()) << compiler.status().ToString();
    return compiler.ok() ? std::move(compiler).value() : nullptr;
  }

  void Exec(const std::string& sql) {
    Status s = adapter_->connection().Execute(sql);
    ASSERT_TRUE(s.ok()) << sql << ": " << s.ToString();
  }

  // Number of rows `sql` returns on the test database.
  int64_t CountRows(const std::string& sql) {
    auto t = adapter_->Execute("select count(*) from (\n" + sql + "\n) as failing", true);
    EXPECT_TRUE(t.ok()) << sql << "\n" << t.status().ToString();
    return t.ok() ? t->rows[0][0].GetInt64() : -1;
  }

  CompiledNode MustCompile(DbtCompiler& compiler, const std::string& id,
                           const CompileRequest& request = {}) {
    auto compiled = compiler.Compile(id, *adapter_, request);
    EXPECT_TRUE(compiled.ok()) << id << ": " << compiled.status().ToString();
    return compiled.ok() ? std::move(compiled).value() : CompiledNode{};
  }

  // The generic test `test_name` on `model` (unique id) and `column`.
  std::string FindTest(const std::string& test_name, const std::string& model,
                       const std::string& column) {
    for (const auto& [id, node] : project_.nodes) {
      if (node.IsTest() && node.test_metadata.is_object() &&
          node.test_metadata.value("name", "") == test_name && node.attached_node == model &&
          node.column_name == column)
        return id;
    }
    ADD_FAILURE() << "no " << test_name << " test on " << model << "." << column;
    return "";
  }

  DbtProject project_;
  DbtGraph graph_;
  std::unique_ptr<engine::Database> db_;
  std::unique_ptr<DuckDbAdapter> adapter_;
};

TEST_F(CompileTest, RefAndSourceRenderTwoPartQuotedNames) {
  Load("compile");
  auto compiler = MakeCompiler();
  ASSERT_NE(compiler, nullptr);
  CompiledNode customers = MustCompile(*compiler, "model.compile_fixture.customers");
  EXPECT_EQ(customers.compiled_code, "select * from \"raw_data\".\"customers\"");
  EXPECT_EQ(customers.schema, "analytics");
  EXPECT_EQ(customers.identifier, "customers");
  EXPECT_EQ(customers.relation_name, "\"compile\".\"analytics\".\"customers\"");
  EXPECT_EQ(customers.depends_on_nodes,
            std::vector<std::string>{"source.compile_fixture.raw.customers"});
  CompiledNode orders = MustCompile(*compiler, "model.compile_fixture.orders");
  EXPECT_EQ(orders.compiled_code, "select * from \"raw_data\".\"orders_table\"");
}

TEST_F(CompileTest, ProjectGenerateSchemaNameDecidesSchemas) {
  Load("compile");
  auto compiler = MakeCompiler();
  ASSERT_NE(compiler, nullptr);
  // marts/ sets +schema: marts; the fixture's override uses it as is (dbt's
  // default would give analytics_marts).
  CompiledNode daily = MustCompile(*compiler, "model.compile_fixture.daily");
  EXPECT_EQ(daily.schema, "marts");
  EXPECT_EQ(daily.relation_name, "\"compile\".\"marts\".\"daily\"");
  EXPECT_EQ(compiler->RelationName(*project_.FindNode("model.compile_fixture.incremental_orders")),
            "\"compile\".\"marts\".\"incremental_orders\"");
  EXPECT_EQ(compiler->RelationName(*project_.FindNode("model.compile_fixture.eph_a")), "");
  // Snapshots with target_schema keep it.
  CompiledNode snapshot = MustCompile(*compiler, "snapshot.compile_fixture.customers_snapshot");
  EXPECT_EQ(snapshot.schema, "snapshots");
  // The block's body: newline, config(), newline, select (one trailing
  // newline of the source is dropped, as jinja2 does).
  EXPECT_EQ(snapshot.compiled_code, "\n\nselect * from \"analytics\".\"customers\"");
}

TEST_F(CompileTest, NestedEphemeralsAreInjectedAfterAnExistingWith) {
  Load("compile");
  auto compiler = MakeCompiler();
  ASSERT_NE(compiler, nullptr);
  CompiledNode c = MustCompile(*compiler, "model.compile_fixture.with_ephemerals");
  const std::string expected =
      "-- starts with a comment, then WITH\n"
      "with __dbt__cte__eph_a as (\n\nselect 1 as id union all select 2 as id\n), "
      " __dbt__cte__eph_b as (\n\nselect id, id * 10 as tens from __dbt__cte__eph_a\n),"
      " doubled as (\n    select id * 2 as double_id from __dbt__cte__eph_b\n)\n"
      "select doubled.double_id, a.id\nfrom doubled\n"
      "join __dbt__cte__eph_a as a on a.id * 2 = doubled.double_id";
  EXPECT_EQ(c.compiled_code, expected);
  // Both ephemerals are dependencies; eph_a is inlined once.
  EXPECT_EQ(c.depends_on_nodes, (std::vector<std::string>{"model.compile_fixture.eph_b",
                                                          "model.compile_fixture.eph_a"}));
  auto rows = adapter_->Execute(c.compiled_code + " order by 1", true);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->rows.size(), 2u);
  EXPECT_EQ(rows->rows[0][0].GetInt64(), 2);
  EXPECT_EQ(rows->rows[0][1].GetInt64(), 1);
  EXPECT_EQ(rows->rows[1][0].GetInt64(), 4);
  EXPECT_EQ(rows->rows[1][1].GetInt64(), 2);
}

TEST_F(CompileTest, EphemeralsWithoutWithGetOneAndPackageModelsSeeTheirMacros) {
  Load("compile");
  auto compiler = MakeCompiler();
  ASSERT_NE(compiler, nullptr);
  CompiledNode c = MustCompile(*compiler, "model.compile_fixture.plain_ephemeral");
  EXPECT_EQ(c.compiled_code,
            "with __dbt__cte__pkg_numbers as (\nselect 1 as id, 'pkg_local' as origin\n), "
            " __dbt__cte__eph_a as (\n\nselect 1 as id union all select 2 as id\n)"
            "select sum(n.id) as total from __dbt__cte__pkg_numbers as n cross join "
            "__dbt__cte__eph_a");
  auto rows = adapter_->Execute(c.compiled_code, true);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(rows->rows[0][0].ToString(), "2");  // 1 + 1: one package row per eph_a row
}

TEST_F(CompileTest, GenericTestsFindTheRowsKnownToFail) {
  Load("compile");
  auto compiler = MakeCompiler();
  ASSERT_NE(compiler, nullptr);
  Exec("create schema analytics");
  Exec("create table analytics.customers(id int, status varchar)");
  Exec(
      "insert into analytics.customers values (1, 'active'), (2, 'active'), (2, 'churned'), "
      "(null, 'paused'), (3, null)");
  Exec("create table analytics.orders(id int, customer_id int, amount int, status varchar)");
  Exec(
      "insert into analytics.orders values (1, 1, 10, 'ok'), (2, 3, 20, 'ok'), "
      "(3, null, null, 'void'), (4, 5, null, 'ok'), (5, 2, 30, 'ok'), (6, 2, 40, 'ok')");
  const std::string customers = "model.compile_fixture.customers";
  const std::string orders = "model.compile_fixture.orders";
  struct Case {
    std::string test, model, column;
    int64_t failing;
  };
  // unique id: 2 twice. not_null id: one null. accepted_values status:
  // 'paused' (null is not counted, as in dbt). relationships: customer 5.
  // not_null amount where status <> 'void': order 4. accepted_values amount
  // (unquoted, limit 1): 30 and 40, limited to 1.
  for (const Case& c : std::vector<Case>{{"unique", customers, "id", 1},
                                         {"not_null", customers, "id", 1},
                                         {"accepted_values", customers, "status", 1},
                                         {"relationships", orders, "customer_id", 1},
                                         {"not_null", orders, "amount", 1},
                                         {"accepted_values", orders, "amount", 1}}) {
    const std::string id = FindTest(c.test, c.model, c.column);
    CompiledNode compiled = MustCompile(*compiler, id);
    EXPECT_EQ(CountRows(compiled.compiled_code), c.failing) << id << "\n" << compiled.compiled_code;
  }
  CompiledNode limited = MustCompile(*compiler, FindTest("accepted_values", orders, "amount"));
  EXPECT_NE(limited.compiled_code.find("value_field not in (\n    10, 20\n)"), std::string::npos)
      << limited.compiled_code;
  EXPECT_EQ(limited.compiled_code.substr(limited.compiled_code.size() - 8), "\nlimit 1");
  CompiledNode where = MustCompile(*compiler, FindTest("not_null", orders, "amount"));
  EXPECT_NE(
      where.compiled_code.find(
          "from (select * from \"analytics\".\"orders\" where status <> 'void') dbt_subquery"),
      std::string::npos)
      << where.compiled_code;
  CompiledNode rel = MustCompile(*compiler, FindTest("relationships", orders, "customer_id"));
  EXPECT_NE(rel.compiled_code.find("from \"analytics\".\"customers\""), std::string::npos);
  EXPECT_EQ(rel.relation_name, "");  // no store_failures
  CompiledNode singular = MustCompile(*compiler, "test.compile_fixture.no_negative_amounts");
  EXPECT_EQ(singular.compiled_code, "select * from \"analytics\".\"orders\" where amount < 0");
  EXPECT_EQ(CountRows(singular.compiled_code), 0);
}

TEST_F(CompileTest, IsIncrementalNeedsAnExistingTableAndNoFullRefresh) {
  Load("compile");
  const std::string id = "model.compile_fixture.incremental_orders";
  const std::string filter = "where id > (select max(id) from \"marts\".\"incremental_orders\")";
  {
    auto compiler = MakeCompiler();
    CompiledNode first = MustCompile(*compiler, id);
    EXPECT_FALSE(first.is_incremental);
    EXPECT_EQ(first.compiled_code.find(filter), std::string::npos) << first.compiled_code;
    EXPECT_EQ(first.pre_hooks,
              std::vector<std::string>{"select '\"marts\".\"incremental_orders\"'"});
    Exec("create schema marts");
    Exec("create view marts.incremental_orders as select 1 as id");
    CompiledNode over_view = MustCompile(*compiler, id);
    EXPECT_FALSE(over_view.is_incremental);  // a view is rebuilt, not appended to
    Exec("drop view marts.incremental_orders");
    Exec("create table marts.incremental_orders as select 1 as id");
    CompiledNode second = MustCompile(*compiler, id);
    EXPECT_TRUE(second.is_incremental);
    EXPECT_NE(second.compiled_code.find(filter), std::string::npos) << second.compiled_code;
  }
  CompileOptions full_refresh;
  full_refresh.full_refresh = true;
  auto compiler = MakeCompiler(full_refresh);
  CompiledNode rebuilt = MustCompile(*compiler, id);
  EXPECT_FALSE(rebuilt.is_incremental);
  EXPECT_EQ(rebuilt.compiled_code.find(filter), std::string::npos);
}

TEST_F(CompileTest, DispatchSearchOrder) {
  Load("compile");
  auto compiler = MakeCompiler();
  ASSERT_NE(compiler, nullptr);
  CompiledNode c = MustCompile(*compiler, "model.compile_fixture.dispatching");
  // greet: only pkg_a has it, duckdb__ before default__. farewell: the root
  // project is searched before the package. pkg_b: the project's dispatch
  // config puts pkg_a first. type_boolean: the root's default__ beats Strata's.
  EXPECT_EQ(c.compiled_code,
            "greet=pkg_duckdb\nfarewell=root_farewell\nfarewell_b=pkg_farewell\n"
            "type_boolean=BOOLEAN_FROM_ROOT|BOOLEAN_FROM_ROOT\nstatement=42");
  ASSERT_FALSE(adapter_->executed.empty());
  EXPECT_NE(adapter_->executed.back().find("select 41 + 1 as answer"), std::string::npos);
}

TEST_F(CompileTest, ContextFunctions) {
  Load("compile", {{"PROBE_ENV", "from-env"}});
  CompileOptions options;
  options.env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "PROBE_ENV") return "from-env";
    return std::nullopt;
  };
  auto compiler = MakeCompiler(options);
  ASSERT_NE(compiler, nullptr);
  Exec("create schema raw_data");
  Exec("create table raw_data.customers(id int, status varchar)");
  CompiledNode c = MustCompile(*compiler, "model.compile_fixture.context_probe");
  int models = 0;
  for (const auto& [id, node] : project_.nodes) models += node.resource_type == "model";
  const std::string md5 = testing::RunCommand("printf strata | md5sum | cut -d' ' -f1");
  const std::string expected =
      "\nvar=hello|y|fallback\n"
      "env=from-env|dflt\n"
      "config=view|probe|d|view\n"
      "target=dev|analytics|compile|duckdb|4|compile_fixture\n"
      "this=\"analytics\".\"context_probe\"|analytics|context_probe|context_probe|compile|"
      "\"compile\".\"analytics\".\"context_probe\"|\"analytics\".\"context_probe\"\n"
      "source=orders_table\n"
      "relation=\"s\".\"t\"\n"
      "execute=True\n"
      "flags=run|False\n"
      "ids=inv-1|compile_fixture|compile|analytics\n"
      "started=2023-11-14 22:13:20\n"
      "zip=[(1, 'a'), (2, 'b')]\n"
      "set=2\n"
      "json={\"a\": [true, null]}|2\n"
      "yaml=x|a: 1/b:/- x/- y/\n"
      "md5=" +
      md5 +
      "\n"
      "model=model.compile_fixture.context_probe|view|model\n"
      "graph=" +
      std::to_string(models) +
      "\n"
      "query=8|7|a,b|9\n"
      "adapter=\"x\"|duckdb|\"raw_data\".\"customers\"|None\n"
      "columns=id,status\n"
      "builtins=\"analytics\".\"customers\"\n"
      "doc=The probe's documentation.\n"
      "is_incremental=False";
  EXPECT_EQ(c.compiled_code, expected);
  EXPECT_EQ(c.logs, (std::vector<std::string>{"probe log line", "[WARNING]: careful", "printed"}));
  EXPECT_EQ(c.config["meta"]["owner"], "probe");
}

TEST_F(CompileTest, CrossDatabaseMacrosRunOnDuckDb) {
  Load("compile");
  auto compiler = MakeCompiler();
  ASSERT_NE(compiler, nullptr);
  CompiledNode c = MustCompile(*compiler, "model.compile_fixture.crossdb");
  auto t = adapter_->Execute(c.compiled_code, true);
  ASSERT_TRUE(t.ok()) << t.status().ToString() << "\n" << c.compiled_code;
  ASSERT_EQ(t->rows.size(), 1u);
  const std::string md5 = testing::RunCommand("printf strata | md5sum | cut -d' ' -f1");
  // Values worked out by hand: 2024 is a leap year (31 + 29 days from Jan 1
  // to Mar 1; February ends on the 29th).
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"concatenated", "ab"},
      {"next_day", "2024-02-01 00:00:00"},
      {"days_between", "60"},
      {"month_end", "2024-02-29"},
      {"second_part", "b"},
      {"bad_int", "NULL"},
      {"good_int", "42"},
      {"hashed", md5},
      {"literal", "it"},
      {"escaped", "it's"},
      {"pos", "2"},
      {"len", "4"},
      {"right_two", "ef"},
      {"replaced", "a-a"},
      {"bool_text", "true"},
      {"arr", "[1, 2, 3]"},
      {"agg", "b|a"},
      {"any_big", "true"},
      {"anyv", "5"},
      {"spine_days", "7"},
      {"month_start", "2024-02-01"}};
  ASSERT_EQ(t->column_names.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(t->column_names[i], expected[i].first);
    EXPECT_EQ(t->rows[0][i].ToString(), expected[i].second) << expected[i].first;
  }
}

TEST_F(CompileTest, AdapterAndConfigMethods) {
  Load("compile");
  auto compiler = MakeCompiler();
  ASSERT_NE(compiler, nullptr);
  Exec("create schema analytics");
  CompiledNode c = MustCompile(*compiler, "model.compile_fixture.adapter_probe");
  EXPECT_EQ(c.compiled_code,
            "\nexists=True|True|False\n"
            "missing=b\n"
            "column=False|True|INTEGER\n"
            "dropped=None\n"
            "noop=None\n"
            "has_var=True|False\n"
            "meta=nobody\n"
            "custom=v\n"
            "missing_result=None\n"
            "incorporated=\"analytics\".\"other\"\n"
            "is_view=True|view\n"
            "col_api=VARCHAR|numeric(12,2)\n"
            "relation_mapping=True|DuckDBRelation|__dbt__cte__x\n"
            "loaded=\"probe_schema\".\"narrow\"\n"
            "store=False");
  EXPECT_EQ(c.config["custom_key"], "v");
}

TEST_F(CompileTest, ParseTimeRendersWithoutTheDatabase) {
  Load("compile");
  CompileOptions options;
  options.execute = false;  // dbt's parse / ls
  options.which = "parse";
  auto compiler = MakeCompiler(options);
  ASSERT_NE(compiler, nullptr);
  Exec("create schema marts");
  Exec("create table marts.incremental_orders as select 1 as id");
  const int lookups_before = adapter_->relation_lookups;
  // Ephemerals are named, not compiled or injected; is_incremental() is
  // false without asking the database.
  CompiledNode eph = MustCompile(*compiler, "model.compile_fixture.plain_ephemeral");
  EXPECT_EQ(eph.compiled_code,
            "select sum(n.id) as total from __dbt__cte__pkg_numbers as n cross join "
            "__dbt__cte__eph_a");
  CompiledNode incremental = MustCompile(*compiler, "model.compile_fixture.incremental_orders");
  EXPECT_FALSE(incremental.is_incremental);
  EXPECT_EQ(adapter_->relation_lookups, lookups_before);
  EXPECT_TRUE(adapter_->executed.empty());  // no query ran
}

TEST_F(CompileTest, EmptyLimitsRefsAndSourcesToNoRows) {
  Load("compile");
  auto compiler = MakeCompiler();
  ASSERT_NE(compiler, nullptr);
  CompileRequest request;
  request.empty = true;
  request.batch = BatchWindow{1'704'067'200'000'000, 1'704'153'600'000'000};  // 2024-01-01..02
  // With a microbatch window too: the window's subquery, then no rows of it.
  CompiledNode c = MustCompile(*compiler, "model.compile_fixture.daily", request);
  EXPECT_EQ(c.compiled_code,
            "\n-- batch 20240101\nselect * from (select * from (select * from "
            "\"analytics\".\"events_model\" where occurred_at >= '2024-01-01 00:00:00' and "
            "occurred_at < '2024-01-02 00:00:00') where false limit 0)");
}

TEST_F(CompileTest, MicrobatchFiltersRefsWithEventTime) {
  Load("compile");
  auto compiler = MakeCompiler();
  ASSERT_NE(compiler, nullptr);
  CompileRequest request;
  request.batch = BatchWindow{1'704'067'200'000'000, 1'704'153'600'000'000};  // 2024-01-01..02
  CompiledNode c = MustCompile(*compiler, "model.compile_fixture.daily", request);
  EXPECT_EQ(c.compiled_code,
            "\n-- batch 20240101\nselect * from (select * from \"analytics\".\"events_model\" "
            "where occurred_at >= '2024-01-01 00:00:00' and occurred_at < '2024-01-02 "
            "00:00:00')");
  EXPECT_EQ(c.post_hooks, std::vector<std::string>{"insert into audit values ('daily')"});
  CompiledNode events = MustCompile(*compiler, "model.compile_fixture.events_model", request);
  EXPECT_EQ(events.compiled_code,
            "select * from (select * from \"raw_data\".\"events\" where occurred_at >= "
            "'2024-01-01 00:00:00' and occurred_at < '2024-01-02 00:00:00')");
  CompiledNode unbatched = MustCompile(*compiler, "model.compile_fixture.daily");
  EXPECT_EQ(unbatched.compiled_code,
            "\n-- batch none\nselect * from \"analytics\".\"events_model\"");
}

TEST_F(CompileTest, HooksRenderWithAndWithoutANode) {
  Load("compile");
  auto compiler = MakeCompiler();
  ASSERT_NE(compiler, nullptr);
  auto on_run = compiler->RenderHook("create schema if not exists {{ target.schema }}_audit",
                                     nullptr, *adapter_);
  ASSERT_TRUE(on_run.ok()) << on_run.status().ToString();
  EXPECT_EQ(*on_run, "create schema if not exists analytics_audit");
  auto hook = compiler->RenderHook("grant select on {{ this }} to reporter",
                                   project_.FindNode("model.compile_fixture.daily"), *adapter_);
  ASSERT_TRUE(hook.ok()) << hook.status().ToString();
  EXPECT_EQ(*hook, "grant select on \"marts\".\"daily\" to reporter");
  auto on_run_end = compiler->RenderHookWith(
      "{% for s in schemas %}grant usage on schema {{ s }} to reporter;{% endfor %}", nullptr,
      *adapter_, {{"schemas", {"analytics", "marts"}}});
  ASSERT_TRUE(on_run_end.ok()) << on_run_end.status().ToString();
  EXPECT_EQ(*on_run_end,
            "grant usage on schema analytics to reporter;grant usage on schema marts to reporter;");
}

TEST_F(CompileTest, ErrorsNameTheFileLineAndNode) {
  Load("compile_errors");
  auto compiler = MakeCompiler();
  ASSERT_NE(compiler, nullptr);  // a broken macro does not stop the compiler
  CompiledNode fine = MustCompile(*compiler, "model.compile_errors.fine");
  EXPECT_EQ(fine.compiled_code, "select 'ok' as status");
  struct Case {
    std::string model;
    std::vector<std::string> parts;
  };
  for (const Case& c : std::vector<Case>{
           {"uses_broken", {"macros/broken.sql:4:", "(node: model.compile_errors.uses_broken)"}},
           {"unknown_ref", {"models/unknown_ref.sql:3:", "'does_not_exist' which was not found"}},
           {"undefined_var", {"models/undefined_var.sql:1:", "Required var 'missing_var'"}},
           {"raises",
            {"broken.sql:8:", "the data is not ready", "(node: model.compile_errors.raises)"}},
           {"syntax_error", {"models/syntax_error.sql:2:"}},
           {"missing_env", {"models/missing_env.sql:1:", "'STRATA_TEST_UNSET_VARIABLE'"}}}) {
    auto compiled = compiler->Compile("model.compile_errors." + c.model, *adapter_, {});
    ASSERT_FALSE(compiled.ok()) << c.model;
    for (const auto& part : c.parts) {
      EXPECT_NE(compiled.status().message().find(part), std::string::npos)
          << c.model << ": expected '" << part << "' in: " << compiled.status().message();
    }
  }
}

TEST_F(CompileTest, JaffleCompilesEveryNode) {
  Load("jaffle");
  auto compiler = MakeCompiler();
  ASSERT_NE(compiler, nullptr);
  int compiled_nodes = 0;
  for (const auto& [id, node] : project_.nodes) {
    if (!node.IsExecutable() && node.resource_type != "analysis") continue;
    auto c = compiler->Compile(id, *adapter_, {});
    if (node.unsupported) {
      EXPECT_FALSE(c.ok()) << id;
      continue;
    }
    ASSERT_TRUE(c.ok()) << id << ": " << c.status().ToString();
    ++compiled_nodes;
  }
  EXPECT_GT(compiled_nodes, 20);
  CompiledNode payments = MustCompile(*compiler, "model.jaffle.stg_payments");
  EXPECT_NE(payments.compiled_code.find("    (amount / 100) as amount\nfrom \"raw\".\"payments\""),
            std::string::npos)
      << payments.compiled_code;
  CompiledNode revenue = MustCompile(*compiler, "model.jaffle.revenue");
  EXPECT_EQ(revenue.compiled_code.rfind("with __dbt__cte__utils_calendar as (\nselect 1 as day\n)"
                                        "select\n    order_date,\n",
                                        0),
            0u)
      << revenue.compiled_code;
  EXPECT_NE(revenue.compiled_code.find("round(amount / 100, 2)"), std::string::npos);
  EXPECT_NE(
      revenue.compiled_code.find("from \"main\".\"orders\"\ncross join __dbt__cte__utils_calendar"),
      std::string::npos);
  EXPECT_EQ(revenue.post_hooks, (std::vector<std::string>{"select 1", "select 2"}));
  CompiledNode report = MustCompile(*compiler, "model.jaffle.customer_report");
  EXPECT_EQ(report.compiled_code,
            "select * from \"main\".\"dim_customers_v1\"\nunion all by name\n"
            "select * from \"main\".\"dim_customers_v2\"");
  CompiledNode stg = MustCompile(*compiler, "model.jaffle.stg_customers");
  EXPECT_EQ(stg.schema, "main_staging");
  EXPECT_NE(stg.compiled_code.find("from \"main_raw\".\"raw_customers\""), std::string::npos);
  CompiledNode unique_where =
      MustCompile(*compiler, FindTest("unique", "model.jaffle.orders", "order_id"));
  EXPECT_NE(unique_where.compiled_code.find(
                "from (select * from \"main\".\"orders\" where order_date > '2018-01-01') "
                "dbt_subquery"),
            std::string::npos)
      << unique_where.compiled_code;
  CompiledNode seed = MustCompile(*compiler, "seed.jaffle.raw_orders");
  EXPECT_EQ(seed.compiled_code, "");
  EXPECT_EQ(seed.relation_name, "\"jaffle\".\"main_raw\".\"raw_orders\"");
}

TEST_F(CompileTest, EightThreadsCompileConcurrently) {
  Load("compile");
  CompileOptions options;
  options.env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "PROBE_ENV") return "from-env";
    return std::nullopt;
  };
  auto compiler = MakeCompiler(options);
  ASSERT_NE(compiler, nullptr);
  Exec("create schema raw_data");
  Exec("create table raw_data.customers(id int, status varchar)");
  std::vector<std::string> ids;
  for (const auto& [id, node] : project_.nodes) {
    // adapter_probe creates and drops tables: not a pure compile.
    if (node.IsExecutable() && node.resource_type != "seed" && node.name != "adapter_probe")
      ids.push_back(id);
  }
  std::map<std::string, std::string> sequential;
  for (const auto& id : ids) sequential[id] = MustCompile(*compiler, id).compiled_code;
  std::vector<std::thread> threads;
  std::vector<int> mismatches(8, 0), errors(8, 0);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      DuckDbAdapter adapter(*db_);
      for (int round = 0; round < 5; ++round) {
        for (size_t i = 0; i < ids.size(); ++i) {
          const std::string& id = ids[(i + static_cast<size_t>(t)) % ids.size()];
          auto c = compiler->Compile(id, adapter, {});
          if (!c.ok()) {
            ++errors[t];
          } else if (c->compiled_code != sequential[id]) {
            ++mismatches[t];
          }
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int t = 0; t < 8; ++t) {
    EXPECT_EQ(errors[t], 0) << "thread " << t;
    EXPECT_EQ(mismatches[t], 0) << "thread " << t;
  }
}

}  // namespace
}  // namespace strata::transform

namespace strata::transform::internal {
namespace {

TEST(InjectCtesTest, FollowsDbtPlacement) {
  const std::vector<EphemeralCte> one = {{"model.p.e", "__dbt__cte__e", "select 1 as x"}};
  EXPECT_EQ(InjectCtes("select * from __dbt__cte__e", one),
            "with __dbt__cte__e as (\nselect 1 as x\n)select * from __dbt__cte__e");
  EXPECT_EQ(InjectCtes("\n  select 1", one),
            "\n  with __dbt__cte__e as (\nselect 1 as x\n)select 1");
  EXPECT_EQ(InjectCtes("/* c */ WITH a as (select 1) select * from a", one),
            "/* c */ WITH __dbt__cte__e as (\nselect 1 as x\n), a as (select 1) select * from a");
  EXPECT_EQ(InjectCtes("with recursive r as (select 1) select * from r", one),
            "with recursive __dbt__cte__e as (\nselect 1 as x\n), r as (select 1) select * from r");
  // "without" is not the WITH keyword.
  EXPECT_EQ(InjectCtes("without_table", one),
            "with __dbt__cte__e as (\nselect 1 as x\n)without_table");
  EXPECT_EQ(InjectCtes("select 1", {}), "select 1");
}

}  // namespace
}  // namespace strata::transform::internal
