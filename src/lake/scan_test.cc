#include "lake/scan.h"

#include <gtest/gtest.h>

#include "lake/lake.h"

namespace strata::lake {
namespace {

using Op = ColumnPredicate::Op;

std::string CorpusDir() { return std::string(STRATA_SOURCE_DIR) + "/../shared/testdata/delta"; }

class ScanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = engine::Database::Open();
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    auto conn = engine::Connection::Open(*db_);
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    conn_ = std::move(conn).value();
  }

  std::unique_ptr<Snapshot> Load(const std::string& rel) {
    auto table = Table::Open(CorpusDir() + "/" + rel, *FileSystem::Default(), conn_.get());
    EXPECT_TRUE(table.ok()) << table.status().ToString();
    if (!table.ok()) return nullptr;
    auto snapshot = (*table)->Latest();
    EXPECT_TRUE(snapshot.ok()) << snapshot.status().ToString();
    return snapshot.ok() ? std::move(snapshot).value() : nullptr;
  }

  std::vector<std::vector<engine::Value>> Run(const std::string& sql) {
    auto result = conn_->Query(sql);
    EXPECT_TRUE(result.ok()) << result.status().ToString() << "\n" << sql;
    if (!result.ok()) return {};
    auto rows = (*result)->FetchAllRows();
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? std::move(rows).value() : std::vector<std::vector<engine::Value>>{};
  }

  std::unique_ptr<engine::Database> db_;
  std::unique_ptr<engine::Connection> conn_;
};

TEST_F(ScanTest, PrunesPartitionsAndKeepsTypedPartitionValues) {
  auto snapshot = Load("dat/reader_tests/generated/basic_partitioned/delta");
  ASSERT_NE(snapshot, nullptr);
  ScanOptions options;
  options.filters = {{"letter", Op::kEq, "a", ""}};
  auto plan = PlanScan(*snapshot, options, *FileSystem::Default(), *conn_);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_LT(plan->files_scanned, plan->files_total);
  auto rows = Run("SELECT DISTINCT letter FROM (" + plan->sql + ")");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0].GetString(), "a");
  options.filters = {{"letter", Op::kIsNull, "", ""}};
  plan = PlanScan(*snapshot, options, *FileSystem::Default(), *conn_);
  ASSERT_TRUE(plan.ok());
  rows = Run("SELECT count(*)::BIGINT, count(letter)::BIGINT FROM (" + plan->sql + ")");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_GT(rows[0][0].GetInt64(), 0);
  EXPECT_EQ(rows[0][1].GetInt64(), 0);  // __HIVE_DEFAULT_PARTITION__ reads as NULL
}

TEST_F(ScanTest, SkipsFilesOnStatistics) {
  // kernel-golden/data-skipping-partition-and-data-column: several files with
  // disjoint ranges of a long column.
  auto snapshot = Load("dat/reader_tests/generated/basic_append/delta");
  ASSERT_NE(snapshot, nullptr);
  auto all = PlanScan(*snapshot, {}, *FileSystem::Default(), *conn_);
  ASSERT_TRUE(all.ok());
  ScanOptions options;
  options.filters = {{"number", Op::kGt, "1000000", ""}};
  auto none = PlanScan(*snapshot, options, *FileSystem::Default(), *conn_);
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_EQ(none->files_scanned, 0u);
  // The empty result keeps the table's columns and types.
  auto result = conn_->Query(none->sql);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ((*result)->ColumnCount(), snapshot->schema().fields.size());
  EXPECT_TRUE((*result)->FetchAllRows()->empty());
}

TEST_F(ScanTest, ProjectsColumnsAndRejectsUnknownOnes) {
  auto snapshot = Load("dat/reader_tests/generated/multi_partitioned/delta");
  ASSERT_NE(snapshot, nullptr);
  ScanOptions options;
  options.columns = std::vector<std::string>{"number", "date"};
  auto plan = PlanScan(*snapshot, options, *FileSystem::Default(), *conn_);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  auto result = conn_->Query(plan->sql);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ((*result)->ColumnCount(), 2u);
  EXPECT_EQ((*result)->ColumnName(0), "number");
  EXPECT_EQ((*result)->ColumnName(1), "date");
  options.columns = std::vector<std::string>{"nope"};
  EXPECT_EQ(PlanScan(*snapshot, options, *FileSystem::Default(), *conn_).status().code(),
            StatusCode::kInvalidArgument);
  ScanOptions bad_filter;
  bad_filter.filters = {{"number", Op::kEq, "not a number", ""}};
  EXPECT_EQ(PlanScan(*snapshot, bad_filter, *FileSystem::Default(), *conn_).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(ScanTest, AppliesDeletionVectors) {
  auto snapshot = Load("kernel-data/table-with-dv-small");
  ASSERT_NE(snapshot, nullptr);
  auto plan = PlanScan(*snapshot, {}, *FileSystem::Default(), *conn_);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->deleted_rows, 2u);
  auto rows = Run("SELECT min(value)::BIGINT, max(value)::BIGINT, count(*)::BIGINT FROM (" +
                  plan->sql + ")");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][2].GetInt64(), 8);
  EXPECT_EQ(rows[0][0].GetInt64(), 1);  // rows 0 and 9 are deleted
  EXPECT_EQ(rows[0][1].GetInt64(), 8);
}

TEST_F(ScanTest, ConvertExpressionRenamesNestedFieldsAndNormalizesTimestamps) {
  auto schema = ParseSchema(
      R"({"type":"struct","fields":[{"name":"s","type":{"type":"struct","fields":[)"
      R"({"name":"a","type":"timestamp","nullable":true,"metadata":)"
      R"({"delta.columnMapping.physicalName":"col-a"}}]},"nullable":true,"metadata":{}}]})");
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  auto expr = ConvertExpression("x", *(*schema)->fields[0].type, ColumnMappingMode::kName);
  ASSERT_TRUE(expr.ok());
  EXPECT_EQ(*expr,
            "CASE WHEN x IS NULL THEN NULL ELSE struct_pack(\"a\" := "
            "make_timestamptz(epoch_us(x.\"col-a\"))) END");
  auto rows = Run("SELECT " + *expr + " AS v FROM (SELECT {'col-a': TIMESTAMP '2020-01-01 "
                  "10:00:00'} AS x)");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0].ToString(), "{'a': '2020-01-01 10:00:00+00'}");
}

}  // namespace
}  // namespace strata::lake
