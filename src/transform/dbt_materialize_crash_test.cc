// Crash safety: the commit of each materialization fails (the fault-injecting
// file system refuses the commit file, as a crash before it lands would), the
// table stays at its previous committed version, and the next run finishes
// the work. Also the lost reply: the commit lands but the caller sees an
// error.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "transform/dbt_materialize_testing.h"

namespace strata::transform::testing {
namespace {

class CrashTest : public MaterializeTest {
 protected:
  void SetUp() override {
    MaterializeTest::SetUp();
    Both("CREATE TABLE raw.src (id INTEGER, v VARCHAR, updated TIMESTAMP)");
    Both(
        "INSERT INTO raw.src VALUES (1, 'a', TIMESTAMP '2024-01-01'), (2, 'b', TIMESTAMP "
        "'2024-01-01'), (3, 'c', TIMESTAMP '2024-01-01')");
  }
  void ChangeSource() {
    Both("UPDATE raw.src SET v = 'B', updated = TIMESTAMP '2024-01-02' WHERE id = 2");
    Both("INSERT INTO raw.src VALUES (4, 'd', TIMESTAMP '2024-01-02')");
  }
  // Builds `node` with its next commit refused: the build fails and
  // `schema.table` keeps its version and rows. Then builds again.
  void CrashThenRecover(const Node& node, const std::string& sql, const std::string& schema,
                        const std::string& table) {
    const int64_t version = Version(schema, table);
    const Rows rows = Query("select * from " + schema + "." + table);
    MaterializeOptions options;
    options.clock = &clock_;
    faults_.FailNthCall(FsOp::kWriteFileIfAbsent, 1, Status::Aborted("simulated crash"));
    auto crashed = Build(node, sql, options);
    ASSERT_FALSE(crashed.ok()) << node.unique_id;
    EXPECT_THAT(crashed.status().message(), ::testing::HasSubstr("simulated crash"));
    faults_.ClearFaults();
    EXPECT_EQ(Version(schema, table), version) << node.unique_id;
    EXPECT_EQ(Query("select * from " + schema + "." + table), rows) << node.unique_id;
    clock_.Advance(1000000);
    auto recovered = Build(node, sql, options);
    ASSERT_TRUE(recovered.ok()) << recovered.status().ToString();
    EXPECT_GT(Version(schema, table), version);
  }
  ManualClock clock_{1704067200LL * 1000000 + 86400LL * 1000000 * 3};
};

TEST_F(CrashTest, TableReplace) {
  Node node = MakeNode("model", "t", {{"materialized", "table"}});
  MustBuild(node, "select * from raw.src");
  ChangeSource();
  CrashThenRecover(node, "select * from raw.src", "main", "t");
  EXPECT_EQ(Query("select * from main.t"), Mirror("select * from raw.src"));
}

TEST_F(CrashTest, IncrementalMergeAndDeleteInsert) {
  for (const std::string strategy : {"merge", "delete+insert"}) {
    Node node = MakeNode("model", "m_" + std::string(strategy == "merge" ? "merge" : "di"),
                         {{"materialized", "incremental"},
                          {"incremental_strategy", strategy},
                          {"unique_key", "id"}});
    MustBuild(node, "select * from raw.src where id <= 2");
    CrashThenRecover(node, "select * from raw.src where id >= 2", "main", node.alias);
    EXPECT_EQ(Query("select * from main." + node.alias), Mirror("select * from raw.src"))
        << strategy;
  }
}

TEST_F(CrashTest, SnapshotMerge) {
  Node node =
      MakeNode("snapshot", "s",
               {{"strategy", "timestamp"}, {"unique_key", "id"}, {"updated_at", "updated"}});
  node.schema = "snapshots";
  MustBuild(node, "select * from raw.src");
  ChangeSource();
  CrashThenRecover(node, "select * from raw.src", "snapshots", "s");
  // After the recovery: one closed version of 2, current versions of all four.
  EXPECT_EQ(
      Query("select id, v, dbt_valid_from, dbt_valid_to from snapshots.s"),
      Sorted(Rows{"1|a|2024-01-01 00:00:00|NULL", "2|b|2024-01-01 00:00:00|2024-01-02 00:00:00",
                  "2|B|2024-01-02 00:00:00|NULL", "3|c|2024-01-01 00:00:00|NULL",
                  "4|d|2024-01-02 00:00:00|NULL"}));
}

TEST_F(CrashTest, Seed) {
  std::filesystem::create_directories(dir_ + "/project/seeds");
  std::ofstream(dir_ + "/project/seeds/s.csv") << "id,v\n1,a\n";
  Node node = MakeNode("seed", "s");
  node.package_root = dir_ + "/project";
  node.original_file_path = "seeds/s.csv";
  MustBuild(node, "");
  std::ofstream(dir_ + "/project/seeds/s.csv") << "id,v\n1,a\n2,b\n";
  CrashThenRecover(node, "", "main", "s");
  EXPECT_EQ(Query("select * from main.s"), Sorted(Rows{"1|a", "2|b"}));
}

TEST_F(CrashTest, LostReplyOfAnAppendIsNotAppliedTwice) {
  Node node = MakeNode("model", "a", {{"materialized", "incremental"}});
  const std::string filtered =
      "select * from raw.src where id > (select coalesce(max(id), 0) from main.a)";
  MustBuild(node, "select * from raw.src where id <= 2");
  // The commit lands, but the file system reports a failure. The lake
  // recognizes its own commit file, so the build may still succeed; either
  // way the rows are in the table exactly once.
  faults_.FailNthCall(FsOp::kWriteFileIfAbsent, 1, Status::Aborted("reply lost"),
                      FaultTiming::kAfter);
  (void)Build(node, filtered);
  faults_.ClearFaults();
  EXPECT_EQ(Query("select * from main.a"), Mirror("select * from raw.src"));
  // The next run selects nothing new: the table holds every row once.
  MustBuild(node, filtered);
  EXPECT_EQ(Query("select * from main.a"), Mirror("select * from raw.src"));
}

}  // namespace
}  // namespace strata::transform::testing
