// Snapshots (SCD type 2) over several runs with a changing source: the
// timestamp and check strategies, hard deletes, custom meta column names.
// Expected versions are written out by hand from the source changes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "transform/dbt_materialize_testing.h"

namespace strata::transform::testing {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kDay = 86400LL * 1000000;
constexpr int64_t kJan1 = 1704067200LL * 1000000;  // 2024-01-01 00:00:00 UTC

class SnapshotTest : public MaterializeTest {
 protected:
  void SetUp() override {
    MaterializeTest::SetUp();
    Both("CREATE TABLE raw.customers (id INTEGER, name VARCHAR, tier INTEGER, updated TIMESTAMP)");
    Both(
        "INSERT INTO raw.customers VALUES (1, 'ann', 1, TIMESTAMP '2024-01-01'), "
        "(2, 'bob', 1, TIMESTAMP '2024-01-01')");
  }
  Node Snapshot(nlohmann::json config) {
    Node node = MakeNode("snapshot", "customers_snapshot", std::move(config));
    node.schema = "snapshots";
    return node;
  }
  NodeOutcome Take(const Node& node) {
    MaterializeOptions options;
    options.clock = &clock_;
    return MustBuild(node, "select * from raw.customers", options);
  }
  Rows Versions(const std::string& extra = "") {
    return Query("select id, name, dbt_valid_from, dbt_valid_to" + extra +
                 " from snapshots.customers_snapshot");
  }
  ManualClock clock_{kJan1 + 10 * kDay};
};

TEST_F(SnapshotTest, TimestampStrategyWithInvalidatedHardDeletes) {
  Node node = Snapshot({{"strategy", "timestamp"},
                        {"unique_key", "id"},
                        {"updated_at", "updated"},
                        {"invalidate_hard_deletes", true}});
  NodeOutcome first = Take(node);
  EXPECT_EQ(first.status, "success");
  EXPECT_EQ(first.rows_affected, 2);
  EXPECT_EQ(Versions(), (Rows{"1|ann|2024-01-01 00:00:00|NULL", "2|bob|2024-01-01 00:00:00|NULL"}));
  // dbt_scd_id is md5 of the key and updated_at joined with '|'.
  EXPECT_EQ(
      Query("select dbt_scd_id, dbt_updated_at from snapshots.customers_snapshot where id = 1"),
      Mirror("select md5('1|2024-01-01 00:00:00'), TIMESTAMP '2024-01-01'"));

  // Run 2: ann renamed (newer updated), cy new, bob unchanged.
  Both("UPDATE raw.customers SET name = 'anne', updated = TIMESTAMP '2024-01-02' WHERE id = 1");
  Both("INSERT INTO raw.customers VALUES (3, 'cy', 1, TIMESTAMP '2024-01-02')");
  const int64_t before = Version("snapshots", "customers_snapshot");
  NodeOutcome second = Take(node);
  EXPECT_EQ(second.rows_affected, 3);  // one version closed, two inserted
  EXPECT_EQ(Version("snapshots", "customers_snapshot"), before + 1);
  EXPECT_EQ(Versions(), (Rows{"1|ann|2024-01-01 00:00:00|2024-01-02 00:00:00",
                              "1|anne|2024-01-02 00:00:00|NULL", "2|bob|2024-01-01 00:00:00|NULL",
                              "3|cy|2024-01-02 00:00:00|NULL"}));

  // Run 3: bob deleted (closed at the run's time), cy changed, ann's name
  // changed without a newer updated (the timestamp strategy ignores it).
  Both("DELETE FROM raw.customers WHERE id = 2");
  Both("UPDATE raw.customers SET name = 'cyd', updated = TIMESTAMP '2024-01-03' WHERE id = 3");
  Both("UPDATE raw.customers SET name = 'annie' WHERE id = 1");
  Take(node);
  EXPECT_EQ(
      Versions(),
      (Rows{"1|ann|2024-01-01 00:00:00|2024-01-02 00:00:00", "1|anne|2024-01-02 00:00:00|NULL",
            "2|bob|2024-01-01 00:00:00|2024-01-11 00:00:00",
            "3|cy|2024-01-02 00:00:00|2024-01-03 00:00:00", "3|cyd|2024-01-03 00:00:00|NULL"}));

  // Run 4: nothing changed, nothing written but an empty merge.
  NodeOutcome idle = Take(node);
  EXPECT_EQ(idle.rows_affected, 0);
  EXPECT_EQ(Versions().size(), 5u);
}

TEST_F(SnapshotTest, CheckStrategyUsesTheRunTime) {
  Node node = Snapshot({{"strategy", "check"}, {"unique_key", "id"}, {"check_cols", {"name"}}});
  clock_ = ManualClock(kJan1 + 5 * kDay);  // 2024-01-06
  Take(node);
  Both("UPDATE raw.customers SET name = 'anne' WHERE id = 1");
  Both("UPDATE raw.customers SET tier = 2 WHERE id = 2");  // not a check column
  clock_.Advance(kDay);                                    // 2024-01-07
  Take(node);
  clock_.Advance(kDay);
  NodeOutcome idle = Take(node);
  EXPECT_EQ(idle.rows_affected, 0);
  EXPECT_EQ(Versions(", tier"),
            (Rows{"1|ann|2024-01-06 00:00:00|2024-01-07 00:00:00|1",
                  "1|anne|2024-01-07 00:00:00|NULL|1", "2|bob|2024-01-06 00:00:00|NULL|1"}));

  // check_cols: all notices the tier change.
  node.config["check_cols"] = "all";
  clock_.Advance(kDay);  // 2024-01-09
  Take(node);
  EXPECT_EQ(Versions(", tier"), (Rows{"1|ann|2024-01-06 00:00:00|2024-01-07 00:00:00|1",
                                      "1|anne|2024-01-07 00:00:00|NULL|1",
                                      "2|bob|2024-01-06 00:00:00|2024-01-09 00:00:00|1",
                                      "2|bob|2024-01-09 00:00:00|NULL|2"}));
}

TEST_F(SnapshotTest, HardDeletesAsNewRecordsAndComebacks) {
  Node node = Snapshot({{"strategy", "timestamp"},
                        {"unique_key", "id"},
                        {"updated_at", "updated"},
                        {"hard_deletes", "new_record"}});
  clock_ = ManualClock(kJan1 + kDay);  // 2024-01-02
  Take(node);
  Both("DELETE FROM raw.customers WHERE id = 2");
  clock_.Advance(kDay);  // 2024-01-03
  Take(node);
  EXPECT_EQ(Versions(", dbt_is_deleted"),
            (Rows{"1|ann|2024-01-01 00:00:00|NULL|False",
                  "2|bob|2024-01-01 00:00:00|2024-01-03 00:00:00|False",
                  "2|bob|2024-01-03 00:00:00|NULL|True"}));
  // Deleting again changes nothing: the deletion record is current.
  clock_.Advance(kDay);
  EXPECT_EQ(Take(node).rows_affected, 0);

  Both("INSERT INTO raw.customers VALUES (2, 'bobby', 1, TIMESTAMP '2024-01-05')");
  clock_.Advance(kDay);  // 2024-01-05
  Take(node);
  EXPECT_EQ(Versions(", dbt_is_deleted"),
            (Rows{"1|ann|2024-01-01 00:00:00|NULL|False",
                  "2|bob|2024-01-01 00:00:00|2024-01-03 00:00:00|False",
                  "2|bob|2024-01-03 00:00:00|2024-01-05 00:00:00|True",
                  "2|bobby|2024-01-05 00:00:00|NULL|False"}));
}

TEST_F(SnapshotTest, CompositeKeysMetaColumnNamesAndErrors) {
  Node node = Snapshot({{"strategy", "timestamp"},
                        {"unique_key", {"id", "tier"}},
                        {"updated_at", "updated"},
                        {"snapshot_meta_column_names",
                         {{"dbt_valid_from", "start_at"},
                          {"dbt_valid_to", "end_at"},
                          {"dbt_scd_id", "version_id"}}}});
  Take(node);
  Both("UPDATE raw.customers SET name = 'bo', updated = TIMESTAMP '2024-01-04' WHERE id = 2");
  Take(node);
  EXPECT_EQ(Query("select id, tier, name, start_at, end_at from snapshots.customers_snapshot"),
            (Rows{"1|1|ann|2024-01-01 00:00:00|NULL", "2|1|bo|2024-01-04 00:00:00|NULL",
                  "2|1|bob|2024-01-01 00:00:00|2024-01-04 00:00:00"}));
  EXPECT_EQ(Query("select version_id from snapshots.customers_snapshot where name = 'bo'"),
            Mirror("select md5('2|1|2024-01-04 00:00:00')"));

  auto no_key = Build(Snapshot({{"strategy", "timestamp"}, {"updated_at", "updated"}}),
                      "select * from raw.customers");
  ASSERT_FALSE(no_key.ok());
  EXPECT_THAT(no_key.status().message(), HasSubstr("unique_key"));
  auto bad = Build(Snapshot({{"strategy", "sometimes"}, {"unique_key", "id"}}),
                   "select * from raw.customers");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("sometimes"));
}

}  // namespace
}  // namespace strata::transform::testing
