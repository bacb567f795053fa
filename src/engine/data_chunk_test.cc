// The typed, zero-copy accessors: DataChunk::Data<T>, IsValid, GetString and
// the nested-vector views, checked against the values DuckDB computed.
#include "engine/data_chunk.h"

#include <gtest/gtest.h>

#include <thread>

#include "engine/engine_testing.h"

namespace strata::engine {
namespace {

using testing::EngineTest;
using DataChunkTest = EngineTest;

TEST_F(DataChunkTest, FixedWidthDataAndValidity) {
  ENGINE_ASSERT_OK_AND_ASSIGN(
      auto result,
      conn_->Query(
          "SELECT range AS i, CASE WHEN range % 3 = 0 THEN NULL ELSE range * 0.5::DOUBLE END "
          "AS d, DATE '2024-01-01' + range::INTEGER AS day, range::HUGEINT * -1 AS h, "
          "(range / 100)::DECIMAL(9,2) AS dec FROM range(1000)"));
  ENGINE_ASSERT_OK_AND_ASSIGN(auto chunk, result->Fetch());
  ASSERT_NE(chunk, nullptr);
  ASSERT_EQ(chunk->ColumnCount(), 5u);
  ASSERT_GT(chunk->size(), 3u);
  const int64_t* ints = chunk->Data<int64_t>(0);
  const double* doubles = chunk->Data<double>(1);
  const Date* days = chunk->Data<Date>(2);
  const HugeInt* huge = chunk->Data<HugeInt>(3);
  const int32_t* decimals = chunk->Data<int32_t>(4);
  EXPECT_EQ(chunk->Column(0).validity(), nullptr);
  for (size_t row = 0; row < chunk->size(); ++row) {
    EXPECT_EQ(ints[row], static_cast<int64_t>(row));
    EXPECT_EQ(chunk->IsValid(1, row), row % 3 != 0);
    if (chunk->IsValid(1, row)) {
      EXPECT_EQ(doubles[row], row * 0.5);
    }
    EXPECT_EQ(days[row].days, Date::FromYmd(2024, 1, 1).days + static_cast<int32_t>(row));
    EXPECT_TRUE(huge[row].ToInt128() == -static_cast<Int128>(row));
    EXPECT_EQ(decimals[row], static_cast<int32_t>(row));  // unscaled: row/100 at scale 2
  }
  EXPECT_EQ(chunk->GetValue(1, 0), Value::Null(LogicalType(TypeId::kDouble)));
  EXPECT_EQ(chunk->GetValue(4, 150).ToString(), "1.50");
}

TEST_F(DataChunkTest, StringsInlineAndOutOfLine) {
  ENGINE_ASSERT_OK_AND_ASSIGN(
      auto result,
      conn_->Query("SELECT repeat('x', range::INTEGER) AS s, "
                   "CASE WHEN range = 5 THEN NULL ELSE repeat('ab', range::INTEGER)::BLOB END "
                   "AS b FROM range(40)"));
  ENGINE_ASSERT_OK_AND_ASSIGN(auto chunk, result->Fetch());
  ASSERT_NE(chunk, nullptr);
  ASSERT_EQ(chunk->size(), 40u);
  for (size_t row = 0; row < chunk->size(); ++row) {
    EXPECT_EQ(chunk->GetString(0, row), std::string(row, 'x'));
    EXPECT_EQ(chunk->Data<RawString>(0)[row].size(), row);
    if (row == 5) {
      EXPECT_FALSE(chunk->IsValid(1, row));
      continue;
    }
    std::string expected;
    for (size_t i = 0; i < row; ++i) expected += "ab";
    EXPECT_EQ(chunk->GetString(1, row), expected);
  }
}

TEST_F(DataChunkTest, NestedVectorsWithoutValues) {
  ENGINE_ASSERT_OK_AND_ASSIGN(
      auto result,
      conn_->Query("SELECT CASE WHEN range = 2 THEN NULL ELSE list_transform(range(range), "
                   "x -> x * 10) END AS l, {'id': range, 'name': 'n' || range} AS s, "
                   "MAP {'k' || range: range} AS m, [range, range + 1]::BIGINT[2] AS a "
                   "FROM range(5)"));
  ENGINE_ASSERT_OK_AND_ASSIGN(auto chunk, result->Fetch());
  ASSERT_NE(chunk, nullptr);
  ASSERT_EQ(chunk->size(), 5u);

  const ColumnVector& list = chunk->Column(0);
  const ListEntry* entries = list.Data<ListEntry>();
  ColumnVector elements = list.ListChild();
  const int64_t* element_data = elements.Data<int64_t>();
  for (size_t row = 0; row < 5; ++row) {
    if (row == 2) {
      EXPECT_FALSE(list.IsValid(row));
      continue;
    }
    ASSERT_EQ(entries[row].length, row);
    for (uint64_t i = 0; i < entries[row].length; ++i) {
      EXPECT_EQ(element_data[entries[row].offset + i], static_cast<int64_t>(i * 10));
    }
  }

  const ColumnVector& s = chunk->Column(1);
  ColumnVector ids = s.StructField(0);
  ColumnVector names = s.StructField(1);
  EXPECT_EQ(names.type(), LogicalType(TypeId::kVarchar));
  for (size_t row = 0; row < 5; ++row) {
    EXPECT_EQ(ids.Data<int64_t>()[row], static_cast<int64_t>(row));
    EXPECT_EQ(names.GetString(row), "n" + std::to_string(row));
  }

  const ColumnVector& m = chunk->Column(2);
  ColumnVector map_entries = m.ListChild();
  EXPECT_EQ(map_entries.type(), chunk->ColumnType(2).map_entry());
  ListEntry third = m.Data<ListEntry>()[3];
  ASSERT_EQ(third.length, 1u);
  EXPECT_EQ(map_entries.StructField(0).GetString(third.offset), "k3");
  EXPECT_EQ(map_entries.StructField(1).Data<int64_t>()[third.offset], 3);

  ColumnVector array_elements = chunk->Column(3).ListChild();
  EXPECT_EQ(array_elements.Data<int64_t>()[4 * 2 + 1], 5);

  EXPECT_EQ(chunk->GetValue(0, 3).ToString(), "[0, 10, 20]");
  EXPECT_EQ(chunk->GetValue(1, 4).ToString(), "{'id': 4, 'name': n4}");
  EXPECT_EQ(chunk->GetValue(2, 1).ToString(), "{k1=1}");
  EXPECT_EQ(chunk->GetValue(3, 0).ToString(), "[0, 1]");
}

TEST_F(DataChunkTest, ChunkOutlivesResultAndMovesAcrossThreads) {
  std::unique_ptr<DataChunk> chunk;
  {
    ENGINE_ASSERT_OK_AND_ASSIGN(
        auto result, conn_->Query("SELECT 'value number ' || range AS s FROM range(10)"));
    ENGINE_ASSERT_OK_AND_ASSIGN(chunk, result->Fetch());
  }
  ASSERT_NE(chunk, nullptr);
  std::string seen;
  std::thread reader([&] { seen = std::string(chunk->GetString(0, 9)); });
  reader.join();
  EXPECT_EQ(seen, "value number 9");
}

}  // namespace
}  // namespace strata::engine
