// Warehouse views end to end: CREATE [OR REPLACE] VIEW / DROP VIEW through a
// SqlSession on real Delta tables and a real DuckDB, the definition files on
// disk, reads from other sessions and other databases ("other processes"),
// and the errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/clock.h"
#include "sql/session.h"
#include "sql/sql_testing.h"

namespace strata::sql {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;
namespace fs = std::filesystem;

using testing::Rows;
using testing::TempDir;
using testing::ToRows;
// One "process": its own DuckDB database, connection, warehouse object and
// session over the shared warehouse folder.
using Process = testing::WarehouseSession;

class ViewTest : public ::testing::Test {
 protected:
  void SetUp() override { main_ = Start(); }

  Process Start(const std::string& database_name = "") {
    SqlSessionOptions options;
    options.writer.clock = &clock_;
    options.database_name = database_name;
    auto p = Process::Open(root_, {"bronze", "silver", "main"}, fs_, options);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? std::move(p).value() : Process{};
  }

  Rows Run(const std::string& sql) { return RunIn(main_, sql); }
  Rows RunIn(Process& p, const std::string& sql) { return p.Run(sql); }
  Status Fails(const std::string& sql) { return FailsIn(main_, sql); }
  Status FailsIn(Process& p, const std::string& sql) {
    auto result = p.session->Execute(sql);
    EXPECT_FALSE(result.ok()) << sql;
    return result.ok() ? Status::OK() : result.status();
  }
  std::string ViewFile(const std::string& schema, const std::string& name) {
    return root_ + "/" + schema + "/" + name + "/_strata_view.json";
  }
  nlohmann::json ReadViewFile(const std::string& schema, const std::string& name) {
    std::ifstream in(ViewFile(schema, name));
    std::stringstream text;
    text << in.rdbuf();
    return nlohmann::json::parse(text.str(), nullptr, false);
  }
  void MakeOrders() {
    Run("create table bronze.orders (id int, customer varchar, amount decimal(10,2))");
    Run("insert into bronze.orders values (1, 'ann', 5.00), (2, 'bob', 12.50), "
        "(3, 'ann', 30.00), (4, 'cid', 7.25)");
    Run("create table bronze.customers (name varchar, city varchar)");
    Run("insert into bronze.customers values ('ann', 'Oslo'), ('bob', 'Rome'), ('cid', 'Oslo')");
  }

  FileSystem& fs_ = *FileSystem::Default();
  FakeClock clock_;
  TempDir dir_{"strata_views_"};
  std::string root_ = dir_.path() + "/warehouse";
  Process main_;
};

TEST_F(ViewTest, CreateReadReplaceAndDrop) {
  MakeOrders();
  const std::string body = "select id, amount from bronze.orders where amount > 10";
  EXPECT_THAT(Run("create view silver.big as " + body), ElementsAre());
  EXPECT_THAT(Run("select * from silver.big order by id"), ElementsAre("2|12.50", "3|30.00"));

  // The definition is a file in the warehouse, holding the SQL as written
  // and the bound columns.
  nlohmann::json doc = ReadViewFile("silver", "big");
  ASSERT_TRUE(doc.is_object()) << ViewFile("silver", "big");
  EXPECT_EQ(doc["format"], "strata-view");
  EXPECT_EQ(doc["format_version"], 1);
  EXPECT_EQ(doc["sql"], body);
  const nlohmann::json columns = nlohmann::json::parse(
      R"j([{"name": "id", "type": "INTEGER"}, {"name": "amount", "type": "DECIMAL(10,2)"}])j");
  EXPECT_EQ(doc["columns"], columns);
  const int64_t created = clock_.NowMicros() / 1000;
  EXPECT_EQ(doc["created_at_millis"], created);
  EXPECT_FALSE(fs::exists(root_ + "/silver/big/_delta_log"));

  EXPECT_EQ(Fails("create view silver.big as select 1 as x").code(), StatusCode::kAlreadyExists);
  EXPECT_THAT(Run("create view if not exists silver.big as select 1 as x"), ElementsAre());
  EXPECT_THAT(Run("select count(*) from silver.big"), ElementsAre("2"));

  clock_.Advance(5'000'000);
  Run("create or replace view silver.big (order_id, total) as "
      "select id, amount * 2 from bronze.orders where amount < 10");
  EXPECT_THAT(Run("select order_id, total from silver.big order by 1"),
              ElementsAre("1|10.00", "4|14.50"));
  doc = ReadViewFile("silver", "big");
  EXPECT_EQ(doc["created_at_millis"], created);
  EXPECT_EQ(doc["updated_at_millis"], created + 5'000);
  const nlohmann::json aliases = nlohmann::json::parse(R"(["order_id", "total"])");
  EXPECT_EQ(doc["column_aliases"], aliases);
  EXPECT_EQ(doc["columns"][0]["name"], "order_id");

  EXPECT_THAT(Run("drop view silver.big"), ElementsAre());
  EXPECT_FALSE(fs::exists(root_ + "/silver/big"));
  EXPECT_THAT(Fails("select * from silver.big").message(), HasSubstr("does not exist"));
  EXPECT_TRUE(Fails("drop view silver.big").IsNotFound());
  EXPECT_THAT(Run("drop view if exists silver.big"), ElementsAre());
}

TEST_F(ViewTest, ViewsOverViewsJoinsSubqueriesAndCtes) {
  MakeOrders();
  Run("create view silver.spend as select customer, sum(amount) as total, count(*) as n "
      "from bronze.orders group by customer");
  Run("create view silver.by_city as select c.city, sum(s.total) as total "
      "from silver.spend s join bronze.customers c on c.name = s.customer group by c.city");
  Run("create view main.top_city as select city from silver.by_city order by total desc limit 1");
  // Expected values: ann 35.00 (2 orders), bob 12.50, cid 7.25; Oslo = ann + cid.
  EXPECT_THAT(Run("select * from silver.spend order by customer"),
              ElementsAre("ann|35.00|2", "bob|12.50|1", "cid|7.25|1"));
  EXPECT_THAT(Run("select * from silver.by_city order by city"),
              ElementsAre("Oslo|42.25", "Rome|12.50"));
  EXPECT_THAT(Run("select * from main.top_city"), ElementsAre("Oslo"));
  EXPECT_THAT(Run("with t as (select * from silver.spend where n > 1) "
                  "select customer from t"),
              ElementsAre("ann"));
  EXPECT_THAT(Run("select count(*) from bronze.orders o where o.customer in "
                  "(select customer from silver.spend where total > 10)"),
              ElementsAre("3"));
  // A view over a view follows a change of the inner definition and of the
  // table underneath.
  Run("create or replace view silver.spend as select customer, sum(amount) as total, "
      "count(*) as n from bronze.orders where id > 1 group by customer");
  EXPECT_THAT(Run("select * from silver.by_city order by city"),
              ElementsAre("Oslo|37.25", "Rome|12.50"));
  Run("insert into bronze.orders values (5, 'bob', 100.00)");
  EXPECT_THAT(Run("select * from main.top_city"), ElementsAre("Rome"));
  // A DuckDB table made from a view is a copy.
  Run("create temp table snapshot_copy as select * from silver.by_city");
  EXPECT_THAT(Run("select count(*) from snapshot_copy"), ElementsAre("2"));
}

TEST_F(ViewTest, TableChangesUnderAViewAreSeen) {
  MakeOrders();
  Run("create view silver.all_orders as select * from bronze.orders");
  EXPECT_THAT(Run("select count(*) from silver.all_orders"), ElementsAre("4"));
  Run("delete from bronze.orders where customer = 'ann'");
  EXPECT_THAT(Run("select count(*) from silver.all_orders"), ElementsAre("2"));
  // A new column: DuckDB would refuse the stale view ("contents of view
  // were altered"); the view is rebuilt and `*` shows it.
  Run("alter table bronze.orders add column note varchar");
  Run("update bronze.orders set note = 'x' where id = 2");
  EXPECT_THAT(Run("select id, note from silver.all_orders order by id"),
              ElementsAre("2|x", "4|NULL"));
  // Dropped and recreated with other rows under the same name.
  Run("drop table bronze.orders");
  EXPECT_THAT(Fails("select * from silver.all_orders").message(), HasSubstr("orders"));
  Run("create table bronze.orders as select 9 as id");
  EXPECT_THAT(Run("select * from silver.all_orders"), ElementsAre("9"));
}

TEST_F(ViewTest, TheDuckDbViewIsRebuiltOnlyWhenSomethingChanged) {
  MakeOrders();
  Run("create view silver.n as select count(*) as n from bronze.orders");
  EXPECT_THAT(Run("select n from silver.n"), ElementsAre("4"));
  // Swap the DuckDB view behind the session's back: with the definition and
  // the table unchanged, it must not be rebuilt...
  ASSERT_TRUE(main_.conn->Execute("create or replace view silver.n as select 42 as n").ok());
  EXPECT_THAT(Run("select n from silver.n"), ElementsAre("42"));
  // ...and a commit to the table it reads, or a new definition, must.
  Run("insert into bronze.orders values (5, 'dan', 1)");
  EXPECT_THAT(Run("select n from silver.n"), ElementsAre("5"));
  ASSERT_TRUE(main_.conn->Execute("create or replace view silver.n as select 42 as n").ok());
  clock_.Advance(1000);
  Run("create or replace view silver.n as select count(*) + 1 as n from bronze.orders");
  EXPECT_THAT(Run("select n from silver.n"), ElementsAre("6"));
}

TEST_F(ViewTest, AnotherProcessSeesDefinitionsAndChanges) {
  MakeOrders();
  Process other = Start();
  Run("create view silver.v as select count(*) as n from bronze.orders");
  EXPECT_THAT(RunIn(other, "select n from silver.v"), ElementsAre("4"));

  // Replaced by the other process: this session's next statement reads the
  // new definition even though it built the old one.
  EXPECT_THAT(Run("select n from silver.v"), ElementsAre("4"));
  clock_.Advance(1000);
  RunIn(other, "create or replace view silver.v as select sum(id) as n from bronze.orders");
  EXPECT_THAT(Run("select n from silver.v"), ElementsAre("10"));

  // A commit by the other process shows through the view here.
  RunIn(other, "insert into bronze.orders values (10, 'dan', 1)");
  EXPECT_THAT(Run("select n from silver.v"), ElementsAre("20"));

  // Dropped by the other process: gone here too, not served from a stale
  // DuckDB view.
  RunIn(other, "drop view silver.v");
  EXPECT_THAT(Fails("select n from silver.v").message(), HasSubstr("does not exist"));

  // Listed in the warehouse with their kind.
  Run("create view bronze.w as select 1 as one");
  auto relations = other.warehouse->ListRelations("bronze");
  ASSERT_TRUE(relations.ok());
  std::vector<std::string> listed;
  for (const auto& r : *relations) {
    listed.push_back(r.name + (r.kind == WarehouseRelation::Kind::kView ? ":view" : ":table"));
  }
  EXPECT_THAT(listed, ElementsAre("customers:table", "orders:table", "w:view"));
}

TEST_F(ViewTest, ErrorsAreClearAndWriteNothing) {
  MakeOrders();
  Status bad = Fails("create view silver.bad as select nope from bronze.orders");
  EXPECT_THAT(bad.message(), HasSubstr("nope"));
  EXPECT_FALSE(fs::exists(ViewFile("silver", "bad")));
  EXPECT_THAT(Fails("create view silver.bad (a, b) as select 1 as x").message(),
              HasSubstr("silver.bad"));
  EXPECT_FALSE(fs::exists(ViewFile("silver", "bad")));
  EXPECT_THAT(Fails("create view silver.bad as select * from bronze.missing").message(),
              HasSubstr("missing"));
  EXPECT_FALSE(fs::exists(ViewFile("silver", "bad")));

  // Tables and views do not share names.
  Run("create view silver.v as select id from bronze.orders");
  EXPECT_THAT(Fails("create view bronze.orders as select 1").message(),
              HasSubstr("Existing object bronze.orders is of type Table"));
  EXPECT_THAT(Fails("create or replace view bronze.orders as select 1").message(),
              HasSubstr("is of type Table"));
  EXPECT_THAT(Fails("create table silver.v (a int)").message(),
              HasSubstr("Existing object silver.v is of type View"));
  EXPECT_THAT(Fails("create or replace table silver.v as select 1").message(),
              HasSubstr("is of type View"));
  EXPECT_THAT(Fails("drop table silver.v").message(), HasSubstr("DROP VIEW"));
  EXPECT_THAT(Fails("drop table if exists silver.v").message(), HasSubstr("DROP VIEW"));
  EXPECT_THAT(Fails("drop view bronze.orders").message(), HasSubstr("DROP TABLE"));
  EXPECT_TRUE(fs::exists(root_ + "/bronze/orders/_delta_log"));
  EXPECT_TRUE(fs::exists(ViewFile("silver", "v")));

  // Views are read-only.
  for (const char* sql :
       {"insert into silver.v values (1)", "update silver.v set id = 1", "delete from silver.v",
        "merge into silver.v t using bronze.orders s on t.id = s.id when matched then delete",
        "alter table silver.v add column x int"}) {
    EXPECT_THAT(Fails(sql).message(), HasSubstr("view silver.v")) << sql;
  }
  EXPECT_EQ(Fails("truncate silver.v").code(), StatusCode::kNotSupported);

  // No time travel on views.
  EXPECT_THAT(Fails("select * from silver.v at (version => 0)").message(),
              HasSubstr("time travel on view silver.v"));
  // Time travel inside a view is pinned in its definition.
  Run("create view silver.first as select count(*) as n from bronze.orders at (version => 1)");
  Run("insert into bronze.orders values (9, 'x', 1)");
  EXPECT_THAT(Run("select n from silver.first"), ElementsAre("4"));
}

TEST_F(ViewTest, CyclesAndDepthAreErrors) {
  Run("create table bronze.t as select 1 as a");
  Run("create view silver.a as select a from bronze.t");
  Run("create view silver.b as select a from silver.a");
  EXPECT_THAT(Fails("create or replace view silver.a as select a from silver.b").message(),
              HasSubstr("cycle: silver.a -> silver.b -> silver.a"));
  EXPECT_THAT(Fails("create or replace view silver.a as select a from silver.a").message(),
              HasSubstr("cycle"));
  EXPECT_THAT(Run("select a from silver.b"), ElementsAre("1"));

  // A cycle made on disk by hand (or by two processes racing) is reported
  // when read, not followed forever.
  nlohmann::json doc = ReadViewFile("silver", "a");
  doc["sql"] = "select a from silver.b";
  std::ofstream(ViewFile("silver", "a")) << doc.dump();
  EXPECT_THAT(Fails("select * from silver.b").message(), HasSubstr("cycle"));
  Run("create or replace view silver.a as select a from bronze.t");

  // 40 views, each over the previous one: past the depth limit.
  std::string previous = "bronze.t";
  Status deep = Status::OK();
  for (int i = 0; i < 40 && deep.ok(); ++i) {
    const std::string name = "silver.level" + std::to_string(i);
    auto result =
        main_.session->Execute("create view " + name + " as select a + 1 as a from " + previous);
    deep = result.status();
    previous = name;
  }
  EXPECT_THAT(deep.message(), HasSubstr("levels deep"));
  EXPECT_THAT(Run("select a from silver.level20"), ElementsAre("22"));
}

TEST_F(ViewTest, QuotedAndThreePartNames) {
  main_ = Start("Jaffle_Shop");
  Run("create table \"MAIN\".\"Orders\" as select 1 as id union all select 2");
  for (const char* name :
       {"main.orders", "\"main\".\"orders\"", "\"MAIN\".\"Orders\"", "jaffle_shop.main.orders",
        "\"jaffle_shop\".\"main\".\"orders\"", "\"Jaffle_Shop\".\"Main\".orders"}) {
    EXPECT_THAT(Run(std::string("select count(*) from ") + name), ElementsAre("2")) << name;
  }
  Run("create view \"jaffle_shop\".\"main\".\"Big\" as "
      "select * from \"jaffle_shop\".\"main\".\"orders\" where id > 1");
  EXPECT_TRUE(fs::exists(ViewFile("main", "big")));
  for (const char* name : {"main.big", "\"main\".\"big\"", "\"MAIN\".\"Big\"",
                           "jaffle_shop.main.big", "\"jaffle_shop\".\"main\".\"big\""}) {
    EXPECT_THAT(Run(std::string("select id from ") + name), ElementsAre("2")) << name;
  }
  EXPECT_THAT(Run("select b.id from jaffle_shop.main.big b join main.orders o using (id)"),
              ElementsAre("2"));
  Run("insert into \"jaffle_shop\".\"main\".\"orders\" values (3)");
  EXPECT_THAT(Run("select count(*) from main.big"), ElementsAre("2"));
  Run("drop view jaffle_shop.main.big");
  EXPECT_FALSE(fs::exists(ViewFile("main", "big")));
  // Another database name is not the warehouse's.
  EXPECT_FALSE(main_.session->Execute("select * from other_db.main.orders").ok());
}

TEST_F(ViewTest, SchemasAddedLaterWork) {
  Run("create table main.t as select 5 as a");
  ASSERT_TRUE(main_.warehouse->AddSchema("Dbt_Test__Audit").ok());
  EXPECT_TRUE(main_.warehouse->HasSchema("dbt_test__audit"));
  EXPECT_TRUE(fs::is_directory(root_ + "/dbt_test__audit"));
  Run("create table dbt_test__audit.failures as select a from main.t");
  Run("create view dbt_test__audit.v as select a * 2 as b from dbt_test__audit.failures");
  EXPECT_THAT(Run("select b from dbt_test__audit.v"), ElementsAre("10"));
  ASSERT_TRUE(main_.warehouse->AddSchema("dbt_test__audit").ok());  // twice is fine
  EXPECT_EQ(main_.warehouse->schemas().size(), 4u);
  EXPECT_FALSE(main_.warehouse->AddSchema("a/b").ok());

  // Through the session: the DuckDB schema exists at once, so DuckDB's own
  // objects can go there too, and another session on the database sees it.
  ASSERT_TRUE(main_.session->EnsureSchema("Staging").ok());
  EXPECT_TRUE(fs::is_directory(root_ + "/staging"));
  EXPECT_THAT(Run("select count(*) from duckdb_schemas() where schema_name = 'staging'"),
              ElementsAre("1"));
  auto conn2 = *engine::Connection::Open(*main_.db);
  auto session2 = *SqlSession::Create(*conn2, main_.warehouse.get(), fs_);
  EXPECT_THAT(ToRows(session2->Execute("create table staging.t as select 3 as c"), "ctas"),
              ElementsAre("1"));
  EXPECT_THAT(Run("select c from staging.t"), ElementsAre("3"));
}

}  // namespace
}  // namespace strata::sql
