// The statistics an append takes from DuckDB's COPY ... RETURN_STATS equal
// the statistics computed by scanning the written file with DuckDB
// (ComputeFileStats: count/min/max aggregates over read_parquet), for every
// type the writer supports; plus the NOT NULL check, empty writes and the
// footer fallback, on real files.
#include "lake/file_stats.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "lake/writer_testing.h"

namespace strata::lake {
namespace {

using nlohmann::json;
using testing::Rows;

DataTypePtr ArrayOfLong() {
  auto array = std::make_shared<DataType>();
  array->kind = DataType::Kind::kArray;
  array->element = PrimitiveType("long");
  return array;
}

class FileStatsTest : public testing::WriterTest {
 protected:
  void SetUp() override {
    WriterTest::SetUp();
    std::filesystem::create_directories(root_);  // TableWriter::Create's job
  }

  // Writes `sql` as data files of a table with the query's own schema and
  // returns the adds.
  std::vector<AddFile> Write(const std::string& sql, const DataFileOptions& options = {},
                             const std::vector<std::string>& partition_columns = {}) {
    auto schema = QuerySchema(*conn_, sql);
    EXPECT_TRUE(schema.ok()) << schema.status().ToString();
    if (!schema.ok()) return {};
    schema_ = *schema;
    auto adds = WriteDataFiles(*conn_, fs(), root_, *schema_, partition_columns, sql, options);
    EXPECT_TRUE(adds.ok()) << adds.status().ToString();
    return adds.ok() ? *adds : std::vector<AddFile>{};
  }

  // The add's stats next to those of a full scan of its file.
  void ExpectStatsEqualScan(const AddFile& add, const DataFileOptions& options = {},
                            const std::vector<std::string>& partition_columns = {}) {
    ASSERT_TRUE(add.stats.has_value());
    std::string path = root_ + "/" + DecodedPath(add.path);
    auto scanned = ComputeFileStats(*conn_, path, *schema_, partition_columns, options);
    ASSERT_TRUE(scanned.ok()) << scanned.status().ToString();
    EXPECT_EQ(json::parse(*add.stats), json::parse(*scanned)) << "file " << add.path;
  }

  std::string DecodedPath(const std::string& encoded) {
    auto rows = Query("SELECT url_decode(" + engine::QuoteLiteral(encoded) + ")");
    return rows.empty() ? encoded : rows[0];
  }

  size_t ParquetFilesUnderRoot() {
    size_t n = 0;
    std::error_code ec;
    if (!std::filesystem::exists(root_)) return 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(root_, ec)) {
      if (e.path().extension() == ".parquet") ++n;
    }
    return n;
  }

  DataTypePtr schema_;
};

TEST_F(FileStatsTest, EveryScalarTypeMatchesAScanOfTheFile) {
  Exec("SET TimeZone = 'UTC'");
  auto adds = Write(
      "SELECT CAST(i % 100 - 50 AS TINYINT) AS i8, CAST(i * 7 - 300 AS SMALLINT) AS i16, "
      "CAST(i * 1000 AS INTEGER) AS i32, CAST(i AS BIGINT) * 9000000000000 AS i64, "
      "CAST(i / 3 AS FLOAT) AS f32, i / 7 - 20 AS f64, "
      "CASE WHEN i % 7 = 0 THEN 'nan'::DOUBLE ELSE i * 1.5 END AS with_nan, "
      "CASE WHEN i = 3 THEN '-infinity'::DOUBLE ELSE i END AS with_neg_inf, "
      "'nan'::DOUBLE AS all_nan, "
      "CAST(i * 1.25 - 40 AS DECIMAL(10,2)) AS dec10, CAST(i AS DECIMAL(15,3)) AS dec15, "
      "CAST(i AS DECIMAL(18,2)) AS dec18, CAST(i AS DECIMAL(30,4)) AS dec30, "
      "'str' || i AS s, repeat('long-', 10) || i AS s_long, repeat('ü€', 20) || i AS s_utf8, "
      "'' AS s_empty, encode('bin' || i) AS bin, i % 2 = 0 AS b, "
      "DATE '1969-12-25' + CAST(i AS INTEGER) AS dt, "
      "TIMESTAMPTZ '1969-12-31 23:59:59.9995+00' + to_microseconds(i * 1234567) AS ts, "
      "TIMESTAMP '2024-03-01 12:00:00.000999' + to_microseconds(i * 1001) AS ntz, "
      "CAST(NULL AS INTEGER) AS all_null_int, CAST(NULL AS VARCHAR) AS all_null_str, "
      "CASE WHEN i % 3 = 0 THEN NULL ELSE i END AS some_null "
      "FROM range(0, 500) t(i)");
  ASSERT_EQ(adds.size(), 1u);
  ExpectStatsEqualScan(adds[0]);

  // Independent spot checks of values the Delta format fixes.
  json stats = json::parse(*adds[0].stats);
  EXPECT_EQ(stats["numRecords"], 500);
  EXPECT_EQ(stats["minValues"]["i64"], 0);
  EXPECT_EQ(stats["maxValues"]["i64"], int64_t{499} * 9000000000000);
  EXPECT_EQ(stats["minValues"]["ts"], "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(stats["minValues"]["ntz"], "2024-03-01T12:00:00.000");
  EXPECT_EQ(stats["minValues"]["dt"], "1969-12-25");
  EXPECT_EQ(stats["minValues"]["dec10"], -40.0);
  EXPECT_FALSE(stats["maxValues"].contains("with_nan"));  // the maximum is NaN
  EXPECT_EQ(stats["minValues"]["with_nan"], 1.5);
  EXPECT_FALSE(stats["minValues"].contains("with_neg_inf"));
  EXPECT_FALSE(stats["minValues"].contains("all_nan"));
  EXPECT_FALSE(stats["minValues"].contains("dec30"));
  EXPECT_FALSE(stats["minValues"].contains("b"));
  EXPECT_FALSE(stats["minValues"].contains("all_null_int"));
  EXPECT_EQ(stats["nullCount"]["all_null_str"], 500);
  EXPECT_EQ(stats["nullCount"]["some_null"], 167);
  EXPECT_EQ(stats["nullCount"]["b"], 0);
  // Cut to 32 characters; the cut maximum ends in U+10FFFF.
  EXPECT_EQ(stats["minValues"]["s_long"],
            std::string(Query("SELECT left(repeat('long-', 10), 32)")[0]));
  EXPECT_EQ(stats["maxValues"]["s_utf8"].get<std::string>(),
            Query("SELECT left(repeat('ü€', 20), 32) || chr(1114111)")[0]);
}

TEST_F(FileStatsTest, NestedStructsKeepTheScanShape) {
  auto adds = Write(
      "SELECT i AS id, {'a': i, 'b': {'c': 'v' || i, 'd': CASE WHEN i % 4 = 0 THEN NULL ELSE "
      "i * 0.5 END}} AS st, CASE WHEN i % 5 = 0 THEN NULL ELSE {'x': i} END AS maybe, "
      "[i, i + 1] AS arr, MAP {'k': i} AS m FROM range(1, 120) t(i)");
  ASSERT_EQ(adds.size(), 1u);
  json stats = json::parse(*adds[0].stats);
  EXPECT_EQ(stats["minValues"]["st"]["b"]["c"], "v1");
  EXPECT_EQ(stats["maxValues"]["st"]["a"], 119);
  EXPECT_EQ(stats["nullCount"]["st"]["b"]["d"], 29);
  EXPECT_EQ(stats["nullCount"]["maybe"]["x"], 23);
  // Parquet counts NULLs per list element, not per row: no nullCount for
  // lists and maps; everything else is what a scan of the file gives.
  EXPECT_FALSE(stats["nullCount"].contains("arr"));
  EXPECT_FALSE(stats["nullCount"].contains("m"));
  auto scanned =
      ComputeFileStats(*conn_, root_ + "/" + DecodedPath(adds[0].path), *schema_, {}, {});
  ASSERT_TRUE(scanned.ok()) << scanned.status().ToString();
  json expected = json::parse(*scanned);
  expected["nullCount"].erase("arr");
  expected["nullCount"].erase("m");
  EXPECT_EQ(stats, expected);
}

TEST_F(FileStatsTest, TimestampsAreUtcWhateverTheSessionTimeZone) {
  Exec("SET TimeZone = 'America/New_York'");
  auto adds = Write(
      "SELECT TIMESTAMPTZ '2024-07-01 23:30:00.123456+00' + to_hours(i) AS ts, "
      "TIMESTAMP '2024-07-01 23:30:00.5' + to_hours(i) AS ntz FROM range(0, 3) t(i)");
  ASSERT_EQ(adds.size(), 1u);
  ExpectStatsEqualScan(adds[0]);
  json stats = json::parse(*adds[0].stats);
  EXPECT_EQ(stats["minValues"]["ts"], "2024-07-01T23:30:00.123Z");
  EXPECT_EQ(stats["maxValues"]["ts"], "2024-07-02T01:30:00.123Z");
  EXPECT_EQ(stats["maxValues"]["ntz"], "2024-07-02T01:30:00.500");
}

TEST_F(FileStatsTest, StringsLongerThanDuckDbKeepsStatisticsFor) {
  // DuckDB cuts string statistics at 256 bytes (ASCII) or drops them (other
  // text); the 32-character Delta bounds must still be exact or absent.
  auto adds = Write(
      "SELECT repeat('a', 300 + i) || chr(CAST(98 + i AS INTEGER)) AS ascii_long, "
      "repeat('é', 200) || i AS utf8_long, repeat('z', 255 + i) AS around_limit "
      "FROM range(0, 3) t(i)");
  ASSERT_EQ(adds.size(), 1u);
  json stats = json::parse(*adds[0].stats);
  auto scanned =
      ComputeFileStats(*conn_, root_ + "/" + DecodedPath(adds[0].path), *schema_, {}, {});
  ASSERT_TRUE(scanned.ok());
  json expected = json::parse(*scanned);
  for (const char* bound : {"minValues", "maxValues"}) {
    EXPECT_EQ(stats[bound]["ascii_long"], expected[bound]["ascii_long"]) << bound;
    EXPECT_EQ(stats[bound]["around_limit"], expected[bound]["around_limit"]) << bound;
    // Present only if exact.
    if (stats[bound].contains("utf8_long")) {
      EXPECT_EQ(stats[bound]["utf8_long"], expected[bound]["utf8_long"]) << bound;
    }
  }
  EXPECT_EQ(stats["nullCount"], expected["nullCount"]);
}

TEST_F(FileStatsTest, NumIndexedColsAndPrefixLengthAreHonoured) {
  DataFileOptions options;
  options.num_indexed_cols = 3;
  options.string_prefix_length = 5;
  auto adds = Write(
      "SELECT i AS a, {'x': 'abcdefgh' || i, 'y': i} AS st, i * 2 AS c, 'q' AS d "
      "FROM range(0, 10) t(i)",
      options);
  ASSERT_EQ(adds.size(), 1u);
  ExpectStatsEqualScan(adds[0], options);
  json stats = json::parse(*adds[0].stats);
  EXPECT_EQ(stats["minValues"]["st"]["x"], "abcde");
  EXPECT_FALSE(stats["nullCount"].contains("c"));
  EXPECT_EQ(stats["nullCount"]["st"]["y"], 0);
}

TEST_F(FileStatsTest, PartitionedFilesMatchAScanOfEachFile) {
  auto adds = Write(
      "SELECT i AS id, 'v' || i AS s, ['a', 'b/c', NULL][i % 3 + 1] AS p FROM range(0, 90) t(i)",
      {}, {"p"});
  ASSERT_EQ(adds.size(), 3u);
  int64_t total = 0;
  for (const AddFile& add : adds) {
    ExpectStatsEqualScan(add, {}, {"p"});
    total += json::parse(*add.stats)["numRecords"].get<int64_t>();
    EXPECT_FALSE(json::parse(*add.stats)["minValues"].contains("p"));
  }
  EXPECT_EQ(total, 90);
}

TEST_F(FileStatsTest, EmptyResultWritesNoFile) {
  EXPECT_TRUE(Write("SELECT i AS id FROM range(0, 10) t(i) WHERE i > 100").empty());
  EXPECT_EQ(ParquetFilesUnderRoot(), 0u);
  EXPECT_TRUE(
      Write("SELECT i AS id, 'a' AS p FROM range(0, 10) t(i) WHERE i > 100", {}, {"p"}).empty());
  EXPECT_EQ(ParquetFilesUnderRoot(), 0u);
}

TEST_F(FileStatsTest, NotNullViolationsDeleteTheFile) {
  auto schema = StructType(
      {Field("id", PrimitiveType("long"), false),
       Field("st",
             StructType({Field("a", PrimitiveType("long")), Field("b", PrimitiveType("string"))}),
             false),
       Field("arr", ArrayOfLong(), false)});
  auto write = [&](const std::string& sql) {
    return WriteDataFiles(*conn_, fs(), root_, *schema, {}, sql, {});
  };
  // Valid rows, with NULLs inside the struct's leaves (not the struct).
  auto ok = write(
      "SELECT i AS id, {'a': CASE WHEN i = 1 THEN NULL ELSE i END, 'b': CASE WHEN i = 2 THEN "
      "NULL ELSE 'x' END} AS st, [i] AS arr FROM range(0, 4) t(i)");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->size(), 1u);
  EXPECT_EQ(ParquetFilesUnderRoot(), 1u);

  auto null_id = write(
      "SELECT CASE WHEN i = 2 THEN NULL ELSE i END AS id, {'a': i, 'b': 'x'} "
      "AS st, [i] AS arr FROM range(0, 4) t(i)");
  EXPECT_EQ(null_id.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(null_id.status().ToString().find("'id'"), std::string::npos)
      << null_id.status().ToString();
  auto null_struct = write(
      "SELECT i AS id, CASE WHEN i = 0 THEN NULL ELSE {'a': CASE WHEN i = 1 THEN NULL ELSE i "
      "END, 'b': CASE WHEN i = 2 THEN NULL ELSE 'x' END} END AS st, [i] AS arr "
      "FROM range(0, 4) t(i)");
  EXPECT_EQ(null_struct.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(null_struct.status().ToString().find("'st'"), std::string::npos);
  auto null_list = write(
      "SELECT i AS id, {'a': i, 'b': 'x'} AS st, CASE WHEN i = 3 THEN NULL ELSE [i] END "
      "AS arr FROM range(0, 4) t(i)");
  EXPECT_EQ(null_list.status().code(), StatusCode::kInvalidArgument);
  auto missing_column = write("SELECT 1 AS id, [1] AS arr");  // st becomes NULL
  EXPECT_EQ(missing_column.status().code(), StatusCode::kInvalidArgument);
  // Only the valid write's file is left.
  EXPECT_EQ(ParquetFilesUnderRoot(), 1u);
}

TEST_F(FileStatsTest, FooterFillsDecimalBoundsAcrossRowGroups) {
  std::string path = dir_ + "/groups.parquet";
  Exec(
      "COPY (SELECT CAST((i * 37) % 1000 - 500 AS DECIMAL(12,2)) / 4 AS d, i AS other "
      "FROM range(0, 5000) t(i)) TO " +
      engine::QuoteLiteral(path) + " (FORMAT parquet, ROW_GROUP_SIZE 1000)");
  ASSERT_GT(std::stoi(Query("SELECT count(DISTINCT row_group_id) FROM parquet_metadata(" +
                            engine::QuoteLiteral(path) + ")")[0]),
            1);
  auto schema = StructType({Field("d", DecimalType(12, 2)), Field("other", PrimitiveType("long"))});
  WrittenFile file;
  file.path = path;
  file.num_records = 5000;
  file.columns[{"d"}].null_count = 0;  // as if DuckDB had reported no bounds
  file.columns[{"other"}].null_count = 0;
  auto missing = LeavesMissingBounds(file, *schema, {});
  ASSERT_EQ(missing, std::vector<std::vector<std::string>>{{"d"}});
  ASSERT_TRUE(FillBoundsFromFooter(*conn_, missing, *schema, file).ok());
  Rows expected =
      Query("SELECT CAST(min(d) AS VARCHAR), CAST(max(d) AS VARCHAR) FROM read_parquet(" +
            engine::QuoteLiteral(path) + ")");
  ASSERT_TRUE(file.columns[{"d"}].min && file.columns[{"d"}].max);
  EXPECT_EQ(*file.columns[{"d"}].min + "|" + *file.columns[{"d"}].max, expected[0]);
}

TEST(DeltaTimestampText, ConvertsDuckDbText) {
  EXPECT_EQ(DeltaTimestampText("2024-01-02 03:04:05.123456+00", true), "2024-01-02T03:04:05.123Z");
  EXPECT_EQ(DeltaTimestampText("2024-01-02 03:04:05+00", true), "2024-01-02T03:04:05.000Z");
  EXPECT_EQ(DeltaTimestampText("2024-01-02 03:04:05.5+00", true), "2024-01-02T03:04:05.500Z");
  EXPECT_EQ(DeltaTimestampText("2024-01-01 01:00:00.0001-05", true), "2024-01-01T06:00:00.000Z");
  EXPECT_EQ(DeltaTimestampText("2024-03-01 00:10:00+05:30", true), "2024-02-29T18:40:00.000Z");
  EXPECT_EQ(DeltaTimestampText("1969-12-31 23:59:59.999999", false), "1969-12-31T23:59:59.999");
  EXPECT_EQ(DeltaTimestampText("12345-06-07 08:09:10", false), "12345-06-07T08:09:10.000");
  EXPECT_EQ(DeltaTimestampText("0044-03-15 (BC) 10:00:00+00", true), std::nullopt);
  EXPECT_EQ(DeltaTimestampText("infinity", true), std::nullopt);
  EXPECT_EQ(DeltaTimestampText("2024-01-02 03:04:05+00", false), std::nullopt);
}

TEST(ParseColumnPath, SplitsQuotedNames) {
  EXPECT_EQ(ParseColumnPath("\"a\""), std::vector<std::string>{"a"});
  EXPECT_EQ(ParseColumnPath("\"st\".\"b.c\""), (std::vector<std::string>{"st", "b.c"}));
  EXPECT_EQ(ParseColumnPath("\"a\"\"b\".\"x\""), (std::vector<std::string>{"a\"b", "x"}));
  EXPECT_EQ(ParseColumnPath("a"), std::nullopt);
  EXPECT_EQ(ParseColumnPath("\"a"), std::nullopt);
}

}  // namespace
}  // namespace strata::lake
