#include "lake/data_skipping.h"

#include <gtest/gtest.h>

#include "common/fake_file_system.h"
#include "lake/lake.h"
#include "lake/partition_values.h"

namespace strata::lake {
namespace {

using Op = ColumnPredicate::Op;

constexpr char kSchema[] =
    R"({"type":"struct","fields":[{"name":"id","type":"long","nullable":true,"metadata":{}},)"
    R"({"name":"d","type":"date","nullable":true,"metadata":{}},)"
    R"({"name":"ts","type":"timestamp","nullable":true,"metadata":{}},)"
    R"json({"name":"amount","type":"decimal(10,2)","nullable":true,"metadata":{}},)json"
    R"({"name":"p","type":"string","nullable":true,"metadata":{}}]})";

class DataSkippingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs_.CreateDirectories("/t/_delta_log").ok());
    Metadata m;
    m.id = "t";
    m.schema_string = kSchema;
    m.partition_columns = {"p"};
    std::vector<Action> actions = {Protocol{1, 2, {}, {}}, m};
    actions.push_back(File("a", "x",
                           R"({"numRecords":10,"minValues":{"id":1,"d":"2020-01-01",)"
                           R"("ts":"2020-01-01T00:00:00.000Z","amount":1.50},"maxValues":)"
                           R"({"id":10,"d":"2020-01-31","ts":"2020-01-01T10:00:00.123Z",)"
                           R"("amount":9.99},"nullCount":{"id":0,"d":2,"ts":0,"amount":0}})"));
    actions.push_back(File("b", std::nullopt,
                           R"({"numRecords":5,"minValues":{"id":20},"maxValues":{"id":30},)"
                           R"("nullCount":{"id":0,"d":5}})"));
    actions.push_back(File("c", "y", std::nullopt));  // no stats: never skipped on data
    ASSERT_TRUE(fs_.WriteFileIfAbsent("/t/_delta_log/00000000000000000000.json",
                                      SerializeCommit(actions)).ok());
    auto table = Table::Open("/t", fs_, nullptr);
    ASSERT_TRUE(table.ok());
    auto snapshot = (*table)->Latest();
    ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
    snapshot_ = std::move(snapshot).value();
  }

  static AddFile File(const std::string& name, std::optional<std::string> p,
                      std::optional<std::string> stats) {
    AddFile a;
    a.path = name + ".parquet";
    a.partition_values = {{"p", std::move(p)}};
    a.size = 1;
    a.stats = std::move(stats);
    return a;
  }

  std::string Kept(std::vector<ColumnPredicate> filters) {
    std::string out;
    for (const LogicalFile& f : snapshot_->files()) {
      if (FileMayMatch(*snapshot_, f, filters)) out += f.add.path.substr(0, 1);
    }
    return out;
  }

  InMemoryFileSystem fs_;
  std::unique_ptr<Snapshot> snapshot_;
};

TEST_F(DataSkippingTest, SkipsOnMinMax) {
  EXPECT_EQ(Kept({{"id", Op::kEq, "5", ""}}), "ac");
  EXPECT_EQ(Kept({{"id", Op::kEq, "25", ""}}), "bc");
  EXPECT_EQ(Kept({{"id", Op::kEq, "15", ""}}), "c");
  EXPECT_EQ(Kept({{"id", Op::kLt, "1", ""}}), "c");
  EXPECT_EQ(Kept({{"id", Op::kLe, "1", ""}}), "ac");
  EXPECT_EQ(Kept({{"id", Op::kGt, "30", ""}}), "c");
  EXPECT_EQ(Kept({{"id", Op::kGe, "30", ""}}), "bc");
  EXPECT_EQ(Kept({{"id", Op::kBetween, "11", "19"}}), "c");
  EXPECT_EQ(Kept({{"id", Op::kBetween, "9", "21"}}), "abc");
}

TEST_F(DataSkippingTest, SkipsOnDatesTimestampsAndDecimals) {
  EXPECT_EQ(Kept({{"d", Op::kGt, "2020-02-01", ""}}), "c");  // b is all null in d
  EXPECT_EQ(Kept({{"d", Op::kEq, "2020-01-15", ""}}), "ac");
  // The max timestamp is truncated to milliseconds: 10:00:00.123999 may exist.
  EXPECT_EQ(Kept({{"ts", Op::kEq, "2020-01-01 10:00:00.123999", ""}}), "abc");
  EXPECT_EQ(Kept({{"ts", Op::kGt, "2020-01-01T10:00:00.124Z", ""}}), "bc");
  EXPECT_EQ(Kept({{"amount", Op::kGt, "9.99", ""}}), "bc");
  EXPECT_EQ(Kept({{"amount", Op::kGe, "9.99", ""}}), "abc");
}

TEST_F(DataSkippingTest, SkipsOnNullCountsAndPartitions) {
  EXPECT_EQ(Kept({{"id", Op::kIsNull, "", ""}}), "c");
  EXPECT_EQ(Kept({{"d", Op::kIsNotNull, "", ""}}), "ac");
  EXPECT_EQ(Kept({{"p", Op::kEq, "x", ""}}), "a");
  EXPECT_EQ(Kept({{"p", Op::kIsNull, "", ""}}), "b");
  EXPECT_EQ(Kept({{"p", Op::kGt, "x", ""}}), "c");
  EXPECT_EQ(Kept({{"p", Op::kEq, "x", ""}, {"id", Op::kGt, "10", ""}}), "");
}

TEST_F(DataSkippingTest, ValidatesColumnsAndLiterals) {
  EXPECT_TRUE(ValidatePredicates(*snapshot_, {{"id", Op::kEq, "1", ""}}).ok());
  EXPECT_EQ(ValidatePredicates(*snapshot_, {{"nope", Op::kEq, "1", ""}}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidatePredicates(*snapshot_, {{"d", Op::kEq, "yesterday", ""}}).code(),
            StatusCode::kInvalidArgument);
}

TEST(PartitionValuesTest, ParsesDatesAndTimestamps) {
  EXPECT_EQ(ParseDateDays("1970-01-01"), 0);
  EXPECT_EQ(ParseDateDays("2000-03-01"), 11017);
  EXPECT_EQ(ParseDateDays("1969-12-31"), -1);
  EXPECT_FALSE(ParseDateDays("2000-13-01").has_value());
  EXPECT_EQ(ParseTimestampMicros("1970-01-01 00:00:01.5", true), 1500000);
  EXPECT_EQ(ParseTimestampMicros("1970-01-01T01:00:00+01:00", true), 0);
  EXPECT_EQ(ParseTimestampMicros("1970-01-01T01:00:00+01:00", false), 3600000000);
  EXPECT_EQ(ParseTimestampMicros("1970-01-01T00:00:00.000001Z", true), 1);
  EXPECT_FALSE(ParseTimestampMicros("1970-01-01T00:00:00 PST", true).has_value());
}

TEST(PartitionValuesTest, BuildsTypedConstants) {
  auto type = [](const char* name) {
    auto t = std::make_shared<DataType>();
    t->primitive = name;
    return t;
  };
  EXPECT_EQ(PartitionValueSql(*type("long"), "42").value(), "CAST('42' AS BIGINT)");
  EXPECT_EQ(PartitionValueSql(*type("long"), std::nullopt).value(), "CAST(NULL AS BIGINT)");
  EXPECT_EQ(PartitionValueSql(*type("date"), "__HIVE_DEFAULT_PARTITION__").value(),
            "CAST(NULL AS DATE)");
  EXPECT_EQ(PartitionValueSql(*type("string"), "it's").value(), "CAST('it''s' AS VARCHAR)");
  EXPECT_EQ(PartitionValueSql(*type("binary"), "ab").value(), "encode('ab')");
  EXPECT_EQ(PartitionValueSql(*type("timestamp"), "2020-01-01 00:00:00").value(),
            "CAST('2020-01-01 00:00:00+00' AS TIMESTAMP WITH TIME ZONE)");
  EXPECT_EQ(PartitionValueSql(*type("timestamp"), "2020-01-01T00:00:00.000000Z").value(),
            "CAST('2020-01-01T00:00:00.000000Z' AS TIMESTAMP WITH TIME ZONE)");
  EXPECT_EQ(PartitionValueSql(*type("timestamp_ntz"), "2020-01-01 00:00:00").value(),
            "CAST('2020-01-01 00:00:00' AS TIMESTAMP)");
}

}  // namespace
}  // namespace strata::lake
