// SqlSession end to end on real files and a real DuckDB: every statement on
// warehouse tables is checked against the same statement on a plain DuckDB
// table in a separate database (the "mirror").
#include "sql/session.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "sql/sql_testing.h"

namespace strata::sql {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

using testing::Rows;
using testing::TempDir;
using testing::ToRows;
using testing::WarehouseSession;

class SessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto main =
        WarehouseSession::Open(dir_.path() + "/warehouse", {"bronze", "silver", "gold"}, fs_);
    ASSERT_TRUE(main.ok()) << main.status().ToString();
    main_ = std::move(main).value();
    mirror_db_ = *engine::Database::Open();
    mirror_ = *engine::Connection::Open(*mirror_db_);
  }

  Rows Run(const std::string& sql) { return main_.Run(sql); }
  Rows Mirror(const std::string& sql) { return ToRows(mirror_->Query(sql), sql); }
  // The session's statement and the mirror's give the same rows (Count included).
  void Both(const std::string& ours, const std::string& duckdb) {
    EXPECT_EQ(Run(ours), Mirror(duckdb)) << ours;
  }
  Status Fails(const std::string& sql) {
    auto result = main_.session->Execute(sql);
    EXPECT_FALSE(result.ok()) << sql;
    return result.ok() ? Status::OK() : result.status();
  }
  std::unique_ptr<lake::Snapshot> Latest(const std::string& schema, const std::string& table) {
    auto t = lake::Table::Open(dir_.path() + "/warehouse/" + schema + "/" + table, fs_,
                               main_.conn.get());
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    auto snapshot = (*t)->Latest();
    EXPECT_TRUE(snapshot.ok()) << snapshot.status().ToString();
    return std::move(snapshot).value();
  }

  FileSystem& fs_ = *FileSystem::Default();
  TempDir dir_{"strata_sql_"};
  WarehouseSession main_;
  std::unique_ptr<engine::Database> mirror_db_;
  std::unique_ptr<engine::Connection> mirror_;
};

TEST_F(SessionTest, DdlAndDmlMatchDuckDb) {
  const std::string columns = "(id bigint not null, day date, amount decimal(10,2), note varchar)";
  Both("create table bronze.orders " + columns +
           " partitioned by (day) tblproperties ('owner' = 'ana', retention = '30 days') "
           "comment 'all orders'",
       "create table orders " + columns);
  const std::string values =
      " values (1, '2024-01-01', 10.50, 'a'), (2, '2024-01-01', 20, null), "
      "(3, '2024-01-02', 5.25, 'c')";
  Both("insert into bronze.orders" + values, "insert into orders" + values);
  const std::string select_rows = " select 'x' || i, 10 + i, date '2024-01-03' from range(3) t(i)";
  Both("insert into bronze.orders (note, id, day)" + select_rows,
       "insert into orders (note, id, day)" + select_rows);
  Both(
      "update bronze.orders o set amount = o.amount * 2, note = upper(note) "
      "where o.day = '2024-01-01'",
      "update orders set amount = amount * 2, note = upper(note) where day = '2024-01-01'");
  Both("delete from bronze.orders where amount is null and id > 10 or id = 3",
       "delete from orders where amount is null and id > 10 or id = 3");
  const std::string merge =
      " using (select * from (values (1, 'upd'), (2, 'gone'), (50, 'new'), (51, 'skip')) "
      "v(id, note)) s on t.id = s.id "
      "when matched and s.note = 'gone' then delete "
      "when matched then update set note = s.note "
      "when not matched and s.note = 'skip' then do nothing "
      "when not matched then insert (id, day, note) values (s.id, date '2024-02-01', s.note)";
  Both("merge into bronze.orders t" + merge, "merge into orders t" + merge);
  Both("select * from bronze.orders order by id", "select * from orders order by id");
  Both("select day, count(*), sum(amount) from bronze.orders group by all order by 1",
       "select day, count(*), sum(amount) from orders group by all order by 1");

  auto snapshot = Latest("bronze", "orders");
  EXPECT_EQ(snapshot->Property(kOwnerProperty), "ana");
  EXPECT_EQ(snapshot->Property(kLayerProperty), "bronze");
  EXPECT_EQ(snapshot->Property(kDescriptionProperty), "all orders");
  EXPECT_EQ(snapshot->Property(kRetentionProperty), "30 days");
  EXPECT_THAT(snapshot->metadata().partition_columns, ElementsAre("day"));
  EXPECT_FALSE(lake::FindField(snapshot->schema(), "id")->nullable);
  EXPECT_EQ(snapshot->version(), 5);  // create, 2 inserts, update, delete, merge

  // NOT NULL is kept: the writer refuses a NULL id.
  EXPECT_FALSE(main_.session->Execute("insert into bronze.orders (note) values ('no id')").ok());
}

TEST_F(SessionTest, CreateTableAsSelectOverwriteAndReplace) {
  const std::string query = " as select i as id, i % 3 as k from range(10) t(i)";
  Both("create table silver.sq partitioned by (k)" + query, "create table sq" + query);
  Both("select * from silver.sq order by id", "select * from sq order by id");
  EXPECT_THAT(Run("insert overwrite silver.sq select i, i % 3 from range(5) t(i)"),
              ElementsAre("5"));
  EXPECT_EQ(Run("select * from silver.sq order by id"),
            Mirror("select i, i % 3 from range(5) t(i) order by 1"));

  Status exists = Fails("create table silver.sq (a int)");
  EXPECT_EQ(exists.code(), StatusCode::kAlreadyExists);
  EXPECT_THAT(exists.message(), HasSubstr("already exists"));
  EXPECT_TRUE(Run("create table if not exists silver.sq (a int)").empty());
  EXPECT_EQ(Run("select count(*) from silver.sq"), Rows{"5"});

  EXPECT_THAT(Run("create or replace table silver.sq partitioned by (k) as select 'x' as name, "
                  "7 as k"),
              ElementsAre("1"));
  EXPECT_THAT(Run("select * from silver.sq"), ElementsAre("x|7"));
  // Replacing keeps the history readable.
  EXPECT_THAT(Run("select count(*) from silver.sq at (version => 1)"), ElementsAre("10"));
  EXPECT_EQ(Fails("create or replace table silver.sq as select 1 as k").code(),
            StatusCode::kNotSupported);  // the partition columns would change

  // A CTAS whose query fails while running leaves no table behind.
  (void)Fails(
      "create table silver.bad as select cast(case when i = 1 then 'x' else '1' end as int) "
      "as a from range(2) t(i)");
  EXPECT_FALSE(main_.warehouse->TableExists("silver", "bad"));
}

TEST_F(SessionTest, AlterAddColumnAndDropTable) {
  for (const char* step :
       {"create table gold.t (a integer)", "insert into gold.t values (1), (2)",
        "alter table gold.t add column note varchar", "insert into gold.t values (3, 'three')"}) {
    std::string duck = step;
    duck.replace(duck.find("gold.t"), 6, "t");
    Both(step, duck);
  }
  Both("select * from gold.t order by a", "select * from t order by a");
  EXPECT_TRUE(Run("alter table gold.t add column if not exists note varchar").empty());
  EXPECT_EQ(Fails("alter table gold.t add column d int default 3").code(),
            StatusCode::kNotSupported);

  EXPECT_TRUE(Run("drop table gold.t").empty());
  EXPECT_FALSE(fs::exists(dir_.path() + "/warehouse/gold/t"));
  EXPECT_THAT(Fails("select * from gold.t").message(), HasSubstr("does not exist"));
  EXPECT_TRUE(Run("drop table if exists gold.t").empty());
  EXPECT_TRUE(Fails("drop table gold.t").IsNotFound());
  // The name is free again; the new table starts from version 0.
  Run("create table gold.t (b varchar)");
  Run("insert into gold.t values ('new')");
  EXPECT_THAT(Run("select * from gold.t"), ElementsAre("new"));
}

TEST_F(SessionTest, TimeTravelByVersionAndTimestamp) {
  std::vector<Rows> expected;  // rows after each version, from the mirror
  const std::vector<std::pair<std::string, std::string>> steps = {
      {"create table bronze.tt (id int, s varchar)", "create table tt (id int, s varchar)"},
      {"insert into bronze.tt values (1, 'a')", "insert into tt values (1, 'a')"},
      {"insert into bronze.tt values (2, 'b'), (3, 'c')",
       "insert into tt values (2, 'b'), (3, 'c')"},
      {"delete from bronze.tt where id = 1", "delete from tt where id = 1"}};
  for (const auto& [ours, duck] : steps) {
    Both(ours, duck);
    expected.push_back(Mirror("select * from tt order by id"));
  }
  const std::string path = dir_.path() + "/warehouse/bronze/tt";
  auto table = lake::Table::Open(path, fs_, main_.conn.get());
  ASSERT_TRUE(table.ok());
  auto timestamps = (*table)->CommitTimestamps();
  ASSERT_TRUE(timestamps.ok());
  ASSERT_EQ(timestamps->size(), 4u);
  for (int64_t v = 0; v < 4; ++v) {
    const std::string n = std::to_string(v);
    EXPECT_EQ(Run("select * from bronze.tt at (version => " + n + ") order by id"), expected[v]);
    EXPECT_EQ(Run("select tt.* from bronze.tt at (version => 1 + " + n + " - 1) order by tt.id"),
              expected[v]);
    EXPECT_EQ(
        Run("select * from delta_scan('file://" + path + "', version => " + n + ") order by id"),
        expected[v]);
    const std::string ms = std::to_string((*timestamps)[v].timestamp_millis);
    EXPECT_EQ(Run("select * from bronze.tt x at (timestamp => epoch_ms(" + ms + ")) order by x.id"),
              expected[v]);
    EXPECT_EQ(Run("select * from delta_scan('" + path + "', timestamp => epoch_ms(" + ms +
                  ")::timestamptz) order by id"),
              expected[v]);
  }
  // A past version and the latest one in one query.
  EXPECT_THAT(Run("select count(*) from bronze.tt old at (version => 2) "
                  "join bronze.tt new using (id)"),
              ElementsAre("2"));

  // Time travel inside statements that are not SELECTs.
  EXPECT_THAT(Run("create table local_copy as select * from bronze.tt at (version => 2)"),
              ElementsAre("3"));
  EXPECT_EQ(Run("select * from local_copy order by id"), expected[2]);
  Run("create view pinned as select * from bronze.tt at (version => 2)");
  Run("select 1");
  EXPECT_EQ(Run("select * from pinned order by id"), expected[2]);
  EXPECT_THAT(Run("insert into bronze.tt select * from bronze.tt at (version => 1)"),
              ElementsAre("1"));
  const std::string out = dir_.path() + "/v2.parquet";
  Run("copy (select * from bronze.tt at (version => 2)) to '" + out + "'");
  EXPECT_EQ(Run("select * from '" + out + "' order by id"), expected[2]);

  Status missing = Fails("select * from bronze.tt at (version => 99)");
  EXPECT_TRUE(missing.IsNotFound()) << missing.ToString();
  EXPECT_THAT(missing.message(), HasSubstr("bronze.tt"));
  EXPECT_THAT(missing.message(), HasSubstr("99"));
  EXPECT_FALSE(
      main_.session->Execute("select * from bronze.tt at (timestamp => timestamp '1999-01-01')")
          .ok());
}

TEST_F(SessionTest, DeltaScanReadsTheConformanceCorpusWithoutAWarehouse) {
  auto plain = SqlSession::Create(*main_.conn, nullptr, fs_);
  ASSERT_TRUE(plain.ok());
  const std::string base = std::string(STRATA_SOURCE_DIR) +
                           "/../shared/testdata/delta/dat/reader_tests/generated/basic_append";
  for (const std::string v : {"0", "1"}) {
    const std::string sql =
        "select * from delta_scan('" + base + "/delta', version => " + v + ") order by all";
    EXPECT_EQ(ToRows((*plain)->Execute(sql), sql),
              Mirror("select * from read_parquet('" + base + "/expected/v" + v +
                     "/table_content.parquet/*.parquet') order by all"));
  }
  const std::string latest = "select * from delta_scan('file://" + base + "/delta') order by all";
  EXPECT_EQ(ToRows((*plain)->Execute(latest), latest),
            Mirror("select * from read_parquet('" + base +
                   "/expected/latest/table_content.parquet/*.parquet') order by all"));
  EXPECT_FALSE((*plain)->Execute("select * from delta_scan('/no/such/table')").ok());
}

TEST_F(SessionTest, FiltersSkipFilesByPartitionAndStats) {
  Run("create table bronze.events (id bigint, day date, v double) partitioned by (day)");
  for (int d = 1; d <= 3; ++d) {
    Run("insert into bronze.events select i, date '2024-01-0" + std::to_string(d) +
        "', i / 2 from range(" + std::to_string((d - 1) * 10) + ", " + std::to_string(d * 10) +
        ") t(i)");
  }
  // Break the data of day 2: only a query that skips its file can succeed.
  int broken = 0;
  for (const auto& entry :
       fs::recursive_directory_iterator(dir_.path() + "/warehouse/bronze/events")) {
    if (entry.path().string().find("day=2024-01-02") != std::string::npos &&
        entry.path().extension() == ".parquet") {
      std::ofstream(entry.path(), std::ios::trunc) << "not parquet";
      ++broken;
    }
  }
  ASSERT_EQ(broken, 1);
  EXPECT_FALSE(main_.session->Execute("select count(*) from bronze.events").ok());

  EXPECT_EQ(Run("select count(*), sum(id) from bronze.events where day = '2024-01-01'"),
            Mirror("select count(*), sum(i) from range(0, 10) t(i)"));
  ASSERT_EQ(main_.session->last_scans().size(), 1u);
  EXPECT_EQ(main_.session->last_scans()[0].files_total, 3u);
  EXPECT_EQ(main_.session->last_scans()[0].files_scanned, 1u);
  // Statistics: ids 20..29 are all in day 3's file.
  EXPECT_EQ(Run("select sum(e.id) from bronze.events e where e.id >= 20 and v is not null"),
            Mirror("select sum(i) from range(20, 30) t(i)"));
  EXPECT_EQ(Run("select id from bronze.events where id in (25, 21) order by id"),
            (Rows{"21", "25"}));
  EXPECT_EQ(Run("select count(*) from bronze.events where day between date '2024-01-03' and "
                "date '2024-01-09'"),
            Rows{"10"});
  // A filter on the nullable side of an outer join must not drop files.
  EXPECT_FALSE(main_.session
                   ->Execute("select count(*) from (select 1 as id) l left join "
                             "bronze.events e on l.id = e.id where e.day is null")
                   .ok());
}

TEST_F(SessionTest, SecondSessionSeesCommitsOfTheFirst) {
  auto opened = WarehouseSession::Open(dir_.path() + "/warehouse", {"bronze"}, fs_);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  WarehouseSession other = std::move(opened).value();
  auto count = [&] { return other.Run("select count(*) from bronze.shared"); };
  Run("create table bronze.shared (a int)");
  Run("insert into bronze.shared values (1), (2)");
  EXPECT_THAT(count(), ElementsAre("2"));
  EXPECT_THAT(count(), ElementsAre("2"));
  Run("insert into bronze.shared values (3), (4), (5)");
  EXPECT_THAT(count(), ElementsAre("5"));
  EXPECT_THAT(other.Run("delete from bronze.shared where a > 1"), ElementsAre("4"));
  EXPECT_THAT(Run("select * from bronze.shared"), ElementsAre("1"));
}

TEST_F(SessionTest, LatestViewIsRebuiltOnlyWhenTheLogMovesOn) {
  Run("create table silver.c (a int)");
  Run("insert into silver.c values (1)");
  EXPECT_THAT(Run("select sum(a) from silver.c"), ElementsAre("1"));
  // Swap the view behind the session's back: an unchanged log must not
  // rebuild it, a new commit must.
  ASSERT_TRUE(main_.conn->Execute("create or replace view silver.c as select 42 as a").ok());
  EXPECT_THAT(Run("select sum(a) from silver.c"), ElementsAre("42"));
  Run("insert into silver.c values (2)");
  EXPECT_THAT(Run("select sum(a) from silver.c"), ElementsAre("3"));
}

TEST_F(SessionTest, ErrorsAreClearAndDuckDbTablesStayDuckDbs) {
  Run("create table bronze.known (a int)");
  Status unknown = Fails("select * from bronze.nope");
  EXPECT_THAT(unknown.message(), HasSubstr("nope does not exist"));
  EXPECT_THAT(unknown.message(), HasSubstr("Tables in bronze: known"));
  EXPECT_TRUE(Fails("insert into bronze.nope values (1)").IsNotFound());
  EXPECT_THAT(Fails("update bronze.known set a = 1 from x").message(), HasSubstr("MERGE"));
  EXPECT_EQ(Fails("alter table bronze.known rename to k2").code(), StatusCode::kNotSupported);
  EXPECT_EQ(Fails("copy bronze.known from 'x.csv'").code(), StatusCode::kNotSupported);
  EXPECT_THAT(Fails("insert into bronze.known values (1, 2)").message(),
              HasSubstr("1 columns but 2 values"));

  // Statements on DuckDB's own tables run on DuckDB, UPDATE ... FROM included.
  Run("create table dt (a int)");
  EXPECT_THAT(Run("insert into dt values (1), (2)"), ElementsAre("2"));
  Run("update dt set a = a + x.n from (select 10 as n) x");
  EXPECT_THAT(Run("select sum(a) from dt"), ElementsAre("23"));
  EXPECT_FALSE(fs::exists(dir_.path() + "/warehouse/main"));
}

TEST_F(SessionTest, ScriptsRunInOrderAndReturnTheLastResult) {
  const std::string script =
      "create table gold.s (a int); insert into gold.s values (1), (2);\n"
      "-- a comment; with a semicolon\nselect sum(a) from gold.s;";
  EXPECT_THAT(ToRows(main_.session->ExecuteScript(script), script), ElementsAre("3"));
  auto failed = main_.session->ExecuteScript("select 1; select nope; select 3");
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(failed.status().message(), HasSubstr("statement 2"));
}

}  // namespace
}  // namespace strata::sql
