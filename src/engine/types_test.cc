#include "engine/types.h"

#include <gtest/gtest.h>

#include "engine/engine_testing.h"

namespace strata::engine {
namespace {

using testing::EngineTest;

using TypesTest = EngineTest;

// The LogicalType read from a result column spells like DuckDB's typeof(), and
// the spelling parses back (CAST(NULL AS <spelling>)) to the same type.
TEST_F(TypesTest, ColumnTypesMatchDuckDB) {
  for (const char* e : {"true",
                        "1::TINYINT",
                        "1::SMALLINT",
                        "1",
                        "1::BIGINT",
                        "1::HUGEINT",
                        "1::UTINYINT",
                        "1::USMALLINT",
                        "1::UINTEGER",
                        "1::UBIGINT",
                        "1::UHUGEINT",
                        "1::FLOAT",
                        "1::DOUBLE",
                        "1::DECIMAL(18,3)",
                        "1::DECIMAL(4,1)",
                        "1::DECIMAL(38,0)",
                        "'x'",
                        "'x'::BLOB",
                        "current_date",
                        "'1:00'::TIME",
                        "'01:00:00+01'::TIMETZ",
                        "now()::TIMESTAMP",
                        "TIMESTAMP '2024-01-01'::TIMESTAMP_S",
                        "TIMESTAMP '2024-01-01'::TIMESTAMP_MS",
                        "TIMESTAMP '2024-01-01'::TIMESTAMP_NS",
                        "now()",
                        "INTERVAL 1 DAY",
                        "gen_random_uuid()",
                        "[1]",
                        "[[1]]",
                        "[1]::INTEGER[1]",
                        "{'a': 1, 'b': 'x'}",
                        "{'a b': 1, 'order': 2, 'Key': 3}",
                        "MAP {'a': 1}",
                        "[{'a': MAP {1: [2]}}]",
                        "row(1, 'x')",
                        "'a'::ENUM('a', 'b''c')"}) {
    SCOPED_TRACE(e);
    auto rows = Rows(std::string("SELECT ") + e + ", typeof(" + e + ")");
    ASSERT_EQ(rows.size(), 1u);
    ENGINE_ASSERT_OK_AND_ASSIGN(auto result, conn_->Query(std::string("SELECT ") + e));
    const LogicalType& type = result->ColumnType(0);
    EXPECT_EQ(type.ToString(), rows[0][1].GetString());
    // DuckDB cannot parse its own spelling of an unnamed struct (row(...)).
    bool unnamed_struct = type.id() == TypeId::kStruct && type.field_name(0).empty();
    if (type.id() != TypeId::kSqlNull && !unnamed_struct) {
      ENGINE_ASSERT_OK_AND_ASSIGN(auto cast,
                                  conn_->Query("SELECT CAST(NULL AS " + type.ToString() + ")"));
      EXPECT_EQ(cast->ColumnType(0), type);
    }
  }
}

TEST_F(TypesTest, NestedTypeDetails) {
  ENGINE_ASSERT_OK_AND_ASSIGN(
      auto result,
      conn_->Query(
          "SELECT {'a': 1, 'b': ['x']}, MAP {'k': 1.5}, [1, 2]::BIGINT[2], 1.5::DECIMAL(9,4)"));
  const LogicalType& s = result->ColumnType(0);
  ASSERT_EQ(s.id(), TypeId::kStruct);
  ASSERT_EQ(s.field_count(), 2u);
  EXPECT_EQ(s.field_name(0), "a");
  EXPECT_EQ(s.field_type(0), LogicalType(TypeId::kInteger));
  EXPECT_EQ(s.field_name(1), "b");
  EXPECT_EQ(s.field_type(1), LogicalType::List(LogicalType(TypeId::kVarchar)));
  const LogicalType& m = result->ColumnType(1);
  ASSERT_EQ(m.id(), TypeId::kMap);
  EXPECT_EQ(m.map_key(), LogicalType(TypeId::kVarchar));
  EXPECT_EQ(m.map_value(), LogicalType::Decimal(2, 1));
  EXPECT_EQ(m.map_entry().ToString(), "STRUCT(\"key\" VARCHAR, \"value\" DECIMAL(2,1))");
  const LogicalType& a = result->ColumnType(2);
  ASSERT_EQ(a.id(), TypeId::kArray);
  EXPECT_EQ(a.array_size(), 2u);
  EXPECT_EQ(a.child(), LogicalType(TypeId::kBigInt));
  const LogicalType& d = result->ColumnType(3);
  EXPECT_EQ(d.decimal_width(), 9);
  EXPECT_EQ(d.decimal_scale(), 4);
  EXPECT_EQ(d.PhysicalSize(), 4u);
}

TEST(LogicalTypeTest, EqualityAndPhysicalSize) {
  EXPECT_EQ(LogicalType::Decimal(18, 3), LogicalType::Decimal(18, 3));
  EXPECT_NE(LogicalType::Decimal(18, 3), LogicalType::Decimal(18, 2));
  EXPECT_NE(LogicalType(TypeId::kInteger), LogicalType(TypeId::kBigInt));
  EXPECT_EQ(LogicalType::Struct({{"a", LogicalType(TypeId::kInteger)}}),
            LogicalType::Struct({{"a", LogicalType(TypeId::kInteger)}}));
  EXPECT_NE(LogicalType::Struct({{"a", LogicalType(TypeId::kInteger)}}),
            LogicalType::Struct({{"b", LogicalType(TypeId::kInteger)}}));
  EXPECT_EQ(LogicalType::Decimal(4, 0).PhysicalSize(), 2u);
  EXPECT_EQ(LogicalType::Decimal(18, 0).PhysicalSize(), 8u);
  EXPECT_EQ(LogicalType::Decimal(19, 0).PhysicalSize(), 16u);
  EXPECT_EQ(LogicalType(TypeId::kVarchar).PhysicalSize(), sizeof(RawString));
  EXPECT_EQ(LogicalType::List(LogicalType(TypeId::kDate)).ToString(), "DATE[]");
  EXPECT_EQ(LogicalType(TypeId::kSqlNull).ToString(), "\"NULL\"");
}

TEST(HugeIntTest, Int128Conversions) {
  for (Int128 v : {Int128{0}, Int128{-1}, Int128{1} << 100, -(Int128{1} << 100) + 7}) {
    EXPECT_TRUE(HugeInt::FromInt128(v).ToInt128() == v);
  }
  EXPECT_EQ(HugeInt::FromInt64(-1).upper, -1);
  EXPECT_EQ(HugeInt::FromInt64(-1).lower, UINT64_MAX);
}

}  // namespace
}  // namespace strata::engine
