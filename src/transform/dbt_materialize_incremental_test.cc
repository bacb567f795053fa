// Incremental models over several runs with changing sources: every
// strategy and on_schema_change mode. Expected tables are computed on the
// plain DuckDB mirror from the same source rows.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "transform/dbt_materialize_testing.h"

namespace strata::transform::testing {
namespace {

using ::testing::HasSubstr;

class IncrementalTest : public MaterializeTest {
 protected:
  void SetUp() override {
    MaterializeTest::SetUp();
    Both("CREATE TABLE raw.events (id INTEGER, name VARCHAR, amount INTEGER, ts TIMESTAMP)");
    Both(
        "INSERT INTO raw.events VALUES (1, 'a', 10, TIMESTAMP '2024-01-01 10:00:00'), "
        "(2, 'b', 20, TIMESTAMP '2024-01-01 11:00:00'), (3, 'c', 30, TIMESTAMP "
        "'2024-01-02 09:00:00')");
    // The mirror keeps what each run selected, to compute expected tables.
    MirrorExec("CREATE TABLE run1 AS SELECT * FROM raw.events");
  }
  Node Incremental(nlohmann::json config) {
    config["materialized"] = "incremental";
    return MakeNode("model", "m", std::move(config));
  }
};

TEST_F(IncrementalTest, AppendAddsOnlyTheNewRowsOverThreeRuns) {
  Node node = Incremental({});
  const std::string filtered =
      "select * from raw.events where id > (select coalesce(max(id), 0) from main.m)";
  NodeOutcome first = MustBuild(node, "select * from raw.events");
  EXPECT_EQ(first.rows_affected, 3);
  for (int run = 2; run <= 3; ++run) {
    const int base = run * 10;
    Both("INSERT INTO raw.events VALUES (" + std::to_string(base) +
         ", 'n', 1, TIMESTAMP "
         "'2024-01-03 00:00:00'), (" +
         std::to_string(base + 1) + ", 'm', 2, TIMESTAMP '2024-01-03 01:00:00')");
    NodeOutcome out = MustBuild(node, filtered);
    EXPECT_EQ(out.rows_affected, 2) << "run " << run;
    EXPECT_EQ(out.adapter_response["code"], "INSERT");
  }
  EXPECT_EQ(Query("select * from main.m"), Mirror("select * from raw.events"));
  // Three runs, three data versions: the first CTAS (schema + rows) and two appends.
  EXPECT_EQ(Version("main", "m"), 3);
}

TEST_F(IncrementalTest, IncrementalPredicatesNarrowMergeAndDeleteInsert) {
  // Both strategies get the same new rows for ids 1 and 2; the predicate
  // keeps target row 1 out of reach, so it stays and the new row 1 is added.
  for (const char* strategy : {"merge", "delete+insert"}) {
    SCOPED_TRACE(strategy);
    const std::string predicate =
        std::string(strategy) == "merge" ? "DBT_INTERNAL_DEST.id > 1" : "id > 1";
    Node node = Incremental({{"incremental_strategy", strategy},
                             {"unique_key", "id"},
                             {"incremental_predicates", {predicate}}});
    node.name = node.alias = std::string("m_") + (std::string(strategy) == "merge" ? "m" : "d");
    MustBuild(node, "select * from raw.events");
    MirrorExec("CREATE OR REPLACE TABLE before_run AS SELECT * FROM raw.events");
    Both("UPDATE raw.events SET name = upper(name), amount = amount + 1 WHERE id <= 2");
    MirrorExec("CREATE OR REPLACE TABLE after_run AS SELECT * FROM raw.events WHERE id <= 2");
    MustBuild(node, "select * from raw.events where id <= 2");
    EXPECT_EQ(Query("select * from main." + node.alias),
              Mirror("select * from before_run where id <> 2 union all select * from after_run"));
    Both("UPDATE raw.events SET name = lower(name), amount = amount - 1 WHERE id <= 2");
  }
}

TEST_F(IncrementalTest, MergeUpdatesMatchedRowsAndInsertsTheRest) {
  Node node = Incremental({{"incremental_strategy", "merge"}, {"unique_key", "id"}});
  MustBuild(node, "select * from raw.events");
  Both("UPDATE raw.events SET name = 'B', amount = 21 WHERE id = 2");
  Both("INSERT INTO raw.events VALUES (4, 'd', 40, TIMESTAMP '2024-01-03 00:00:00')");
  MirrorExec("CREATE TABLE run2 AS SELECT * FROM raw.events WHERE id >= 2");
  const int64_t before = Version("main", "m");
  NodeOutcome out = MustBuild(node, "select * from raw.events where id >= 2");
  EXPECT_EQ(out.rows_affected, 3);  // 2 updated (2, 3) + 1 inserted (4)
  EXPECT_EQ(Version("main", "m"), before + 1);
  EXPECT_EQ(Query("select * from main.m"),
            Mirror("select * from run1 where id not in (select id from run2) union all "
                   "select * from run2"));

  // merge_update_columns: only `name` changes on matched rows.
  node.config["merge_update_columns"] = {"name"};
  Both("UPDATE raw.events SET name = 'C', amount = 31 WHERE id = 3");
  MustBuild(node, "select * from raw.events where id = 3");
  EXPECT_EQ(Query("select id, name, amount from main.m where id = 3"), (Rows{"3|C|30"}));

  // merge_exclude_columns: everything but `amount`.
  node.config.erase("merge_update_columns");
  node.config["merge_exclude_columns"] = {"amount"};
  Both("UPDATE raw.events SET name = 'A', amount = 11 WHERE id = 1");
  MustBuild(node, "select * from raw.events where id = 1");
  EXPECT_EQ(Query("select id, name, amount from main.m where id = 1"), (Rows{"1|A|10"}));
}

TEST_F(IncrementalTest, MergeOnACompositeKey) {
  Node node = Incremental({{"incremental_strategy", "merge"}, {"unique_key", {"id", "name"}}});
  MustBuild(node, "select * from raw.events");
  // (2, 'b') matches and is updated; (2, 'z') is a new key.
  const std::string batch =
      "select 2 as id, 'b' as name, 99 as amount, TIMESTAMP '2024-01-05 00:00:00' as ts union all "
      "select 2, 'z', 7, TIMESTAMP '2024-01-05 00:00:00'";
  MirrorExec("CREATE TABLE run2 AS " + batch);
  MustBuild(node, batch);
  EXPECT_EQ(Query("select * from main.m"),
            Mirror("select * from run1 r where not exists (select 1 from run2 n where n.id = r.id "
                   "and n.name = r.name) union all select * from run2"));
}

TEST_F(IncrementalTest, DeleteInsertIsTheDefaultWithAUniqueKeyAndCommitsOnce) {
  Node node = Incremental({{"unique_key", "id"}});
  MustBuild(node, "select * from raw.events");
  // Two new rows for key 3: delete+insert keeps both (a merge could not).
  const std::string batch =
      "select 3 as id, 'x' as name, 1 as amount, TIMESTAMP '2024-01-06 00:00:00' as ts union all "
      "select 3, 'y', 2, TIMESTAMP '2024-01-06 00:00:00' union all "
      "select 5, 'e', 5, TIMESTAMP '2024-01-06 00:00:00'";
  MirrorExec("CREATE TABLE run2 AS " + batch);
  const int64_t before = Version("main", "m");
  NodeOutcome out = MustBuild(node, batch);
  EXPECT_EQ(out.rows_affected, 3);
  EXPECT_EQ(Version("main", "m"), before + 1);
  EXPECT_EQ(Query("select * from main.m"),
            Mirror("select * from run1 where id not in (select id from run2) union all "
                   "select * from run2"));

  // A NULL key in the new rows: dbt deletes nothing for it and inserts it;
  // that takes a DELETE and an INSERT commit.
  const std::string with_null =
      "select NULL::INTEGER as id, 'n' as name, 0 as amount, TIMESTAMP '2024-01-07 00:00:00' as "
      "ts union all select 1, 'A', 11, TIMESTAMP '2024-01-07 00:00:00'";
  MirrorExec("CREATE TABLE run3 AS " + with_null);
  MirrorExec(
      "CREATE TABLE after2 AS select * from run1 where id not in (select id from run2) "
      "union all select * from run2");
  MustBuild(node, with_null);
  EXPECT_EQ(Query("select * from main.m"),
            Mirror("select * from after2 where id is null or id not in (select id from run3 "
                   "where id is not null) union all select * from run3"));

  Node no_key = Incremental({{"incremental_strategy", "delete+insert"}});
  no_key.name = no_key.alias = "no_key";
  MustBuild(no_key, "select 1 as x");
  auto refused = Build(no_key, "select 1 as x");
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), HasSubstr("unique_key"));
}

TEST_F(IncrementalTest, MicrobatchReplacesOneWindowAtATime) {
  Node node = Incremental({{"incremental_strategy", "microbatch"}, {"event_time", "ts"}});
  const int64_t day = 86400LL * 1000000;
  const int64_t jan1 = 1704067200LL * 1000000;  // 2024-01-01 00:00:00 UTC
  auto window = [&](int64_t start) {
    MaterializeOptions options;
    options.batch = BatchWindow{start, start + day};
    return options;
  };
  auto batch_sql = [](const std::string& from, const std::string& to) {
    return "select * from raw.events where ts >= TIMESTAMP '" + from + "' and ts < TIMESTAMP '" +
           to + "'";
  };
  MustBuild(node, batch_sql("2024-01-01", "2024-01-02"), window(jan1));
  MustBuild(node, batch_sql("2024-01-02", "2024-01-03"), window(jan1 + day));
  EXPECT_EQ(Query("select * from main.m"), Mirror("select * from raw.events"));

  // Late data for Jan 1 and a changed row: rebuilding Jan 1 replaces that
  // day only.
  Both("INSERT INTO raw.events VALUES (7, 'late', 70, TIMESTAMP '2024-01-01 23:00:00')");
  Both("DELETE FROM raw.events WHERE id = 1");
  Both("UPDATE raw.events SET amount = 33 WHERE id = 3");  // Jan 2: not rebuilt
  const int64_t before = Version("main", "m");
  MustBuild(node, batch_sql("2024-01-01", "2024-01-02"), window(jan1));
  EXPECT_EQ(Version("main", "m"), before + 1);
  EXPECT_EQ(Query("select * from main.m"),
            Mirror("select * from raw.events where ts < TIMESTAMP '2024-01-02' union all "
                   "select * from run1 where ts >= TIMESTAMP '2024-01-02'"));

  // A batch whose select returns rows outside its window: the window is
  // emptied and every returned row inserted (two commits), as dbt does.
  MustBuild(node, "select * from raw.events where id = 3", window(jan1 + 2 * day));
  EXPECT_EQ(Query("select id, amount from main.m where id = 3"), Sorted(Rows{"3|30", "3|33"}));

  auto no_window = Build(node, batch_sql("2024-01-01", "2024-01-02"));
  ASSERT_FALSE(no_window.ok());
  EXPECT_THAT(no_window.status().message(), HasSubstr("batch"));
}

TEST_F(IncrementalTest, FullRefreshRebuildsTheTable) {
  Node node = Incremental({});
  MustBuild(node, "select * from raw.events");
  MaterializeOptions options;
  options.full_refresh = true;
  MustBuild(node, "select id, name from raw.events where id < 3", options);
  EXPECT_EQ(Query("select * from main.m"), Mirror("select id, name from raw.events where id < 3"));
}

TEST_F(IncrementalTest, OnSchemaChangeIgnoreAndFail) {
  Node node = Incremental({});
  MustBuild(node, "select id, name from raw.events");
  // ignore (the default): the new column is dropped, a missing one is NULL.
  MustBuild(node, "select 4 as id, 'd' as name, 1 as extra");
  MustBuild(node, "select 5 as id");
  EXPECT_EQ(Query("select * from main.m"),
            Mirror("select id, name from raw.events union all select 4, 'd' union all "
                   "select 5, NULL"));

  node.config["on_schema_change"] = "fail";
  const int64_t version = Version("main", "m");
  auto failed = Build(node, "select 6 as id, 7 as extra");
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(failed.status().message(), HasSubstr("out of sync"));
  EXPECT_THAT(failed.status().message(), HasSubstr("[extra]"));
  EXPECT_THAT(failed.status().message(), HasSubstr("[name]"));
  EXPECT_EQ(Version("main", "m"), version);
  MustBuild(node, "select 6 as id, 'f' as name");  // same schema: fine
}

TEST_F(IncrementalTest, AppendNewColumnsAndSyncAllColumns) {
  Node node = Incremental({{"on_schema_change", "append_new_columns"}});
  MustBuild(node, "select id, name from raw.events");
  MustBuild(node, "select 4 as id, 'd' as name, 40 as amount");
  EXPECT_EQ(Query("select * from main.m"),
            Mirror("select id, name, NULL from raw.events union all select 4, 'd', 40"));
  auto columns = adapter_->GetColumns({"", "main", "m", RelationInfo::Kind::kTable});
  ASSERT_TRUE(columns.ok());
  ASSERT_EQ(columns->size(), 3u);
  EXPECT_EQ((*columns)[2].name, "amount");
  EXPECT_EQ((*columns)[2].data_type, "INTEGER");

  // sync_all_columns: `name` goes, `amount` becomes BIGINT, `note` comes.
  node.config["on_schema_change"] = "sync_all_columns";
  MustBuild(node, "select 5 as id, 50::BIGINT as amount, 'x' as note");
  columns = adapter_->GetColumns({"", "main", "m", RelationInfo::Kind::kTable});
  ASSERT_TRUE(columns.ok());
  ASSERT_EQ(columns->size(), 3u);
  EXPECT_EQ((*columns)[0].name, "id");
  EXPECT_EQ((*columns)[1].name, "amount");
  EXPECT_EQ((*columns)[1].data_type, "BIGINT");
  EXPECT_EQ((*columns)[2].name, "note");
  EXPECT_EQ(Query("select * from main.m"),
            Mirror("select id, NULL, NULL from raw.events union all select 4, 40, NULL union all "
                   "select 5, 50, 'x'"));
}

TEST_F(IncrementalTest, AFailingIncrementalRunLeavesTheTableAtItsVersion) {
  Node node = Incremental({{"incremental_strategy", "merge"}, {"unique_key", "id"}});
  MustBuild(node, "select * from raw.events");
  const int64_t version = Version("main", "m");
  // Two new rows for one key make the MERGE fail after staging.
  auto failed = Build(node, "select * from raw.events union all select * from raw.events");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(Version("main", "m"), version);
  EXPECT_EQ(Query("select * from main.m"), Mirror("select * from run1"));
  // The next run finishes the work.
  Both("UPDATE raw.events SET amount = 0");
  MustBuild(node, "select * from raw.events");
  EXPECT_EQ(Query("select * from main.m"), Mirror("select * from raw.events"));
}

}  // namespace
}  // namespace strata::transform::testing
