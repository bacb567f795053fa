// Value::ToString and LogicalType::ToString against DuckDB itself: for each
// expression, the text DuckDB produces (CAST ... AS VARCHAR, typeof) must equal
// what the wrapper renders from the value and type it read back.
#include "engine/value.h"

#include <gtest/gtest.h>

#include "engine/engine_testing.h"

namespace strata::engine {
namespace {

using testing::EngineTest;

class ValueFormatTest : public EngineTest {
 protected:
  // Checks the value and type of `expr` render exactly as DuckDB renders them.
  void ExpectRendersLikeDuckDB(const std::string& expr) {
    SCOPED_TRACE(expr);
    auto rows = Rows("SELECT " + expr + " AS v, CAST(" + expr + " AS VARCHAR) AS s, typeof(" +
                     expr + ") AS t");
    ASSERT_EQ(rows.size(), 1u);
    const Value& v = rows[0][0];
    ASSERT_FALSE(v.IsNull());
    EXPECT_EQ(v.ToString(), rows[0][1].GetString());
    // ENUM reads as its label (VARCHAR); the column type stays ENUM.
    if (v.type().id() != TypeId::kVarchar || rows[0][2].GetString().rfind("ENUM", 0) != 0) {
      EXPECT_EQ(v.type().ToString(), rows[0][2].GetString());
    }
  }
};

TEST_F(ValueFormatTest, Integers) {
  for (const char* e :
       {"0", "-1", "127::TINYINT", "(-128)::TINYINT", "32767::SMALLINT", "(-2147483648)::INTEGER",
        "9223372036854775807::BIGINT", "(-9223372036854775807 - 1)::BIGINT", "255::UTINYINT",
        "65535::USMALLINT", "4294967295::UINTEGER", "18446744073709551615::UBIGINT",
        "170141183460469231731687303715884105727::HUGEINT",
        "(-170141183460469231731687303715884105727::HUGEINT - 1)", "0::HUGEINT",
        "340282366920938463463374607431768211455::UHUGEINT", "true", "false"}) {
    ExpectRendersLikeDuckDB(e);
  }
}

TEST_F(ValueFormatTest, Decimals) {
  for (const char* e :
       {"123.450::DECIMAL(10,3)", "(-0.5)::DECIMAL(4,2)", "0::DECIMAL(4,2)", "0.01::DECIMAL(3,2)",
        "12::DECIMAL(38,10)", "(-123456789012345678901234567.89)::DECIMAL(38,2)", "5::DECIMAL(3,0)",
        "(-0.001)::DECIMAL(18,3)", "99999999999999999.99::DECIMAL(19,2)", "1.5",
        "(-9.9)::DECIMAL(2,1)", "0.000000000000000000000000000000000001::DECIMAL(38,38)",
        "(-0.5)::DECIMAL(1,1)", "0::DECIMAL(3,3)", "0.25::DECIMAL(2,2)"}) {
    ExpectRendersLikeDuckDB(e);
  }
}

TEST_F(ValueFormatTest, FloatingPoint) {
  for (const char* e : {"1.0::DOUBLE",
                        "0.1::DOUBLE",
                        "1e16::DOUBLE",
                        "1e15::DOUBLE",
                        "123456.789::DOUBLE",
                        "1e-5::DOUBLE",
                        "0.0001::DOUBLE",
                        "(-0.0)::DOUBLE",
                        "'nan'::DOUBLE",
                        "'inf'::DOUBLE",
                        "'-inf'::DOUBLE",
                        "(-1.5e300)::DOUBLE",
                        "5e-324::DOUBLE",
                        "1.7976931348623157e308::DOUBLE",
                        "123456789012345678::DOUBLE",
                        "9007199254740993::DOUBLE",
                        "100::DOUBLE",
                        "2.5e-7::DOUBLE",
                        "1.5::FLOAT",
                        "0.1::FLOAT",
                        "1e20::FLOAT",
                        "3.4028235e38::FLOAT",
                        "1e7::FLOAT",
                        "123456789::FLOAT",
                        "1e-5::FLOAT",
                        "0.3::FLOAT",
                        "1.1e16::FLOAT"}) {
    ExpectRendersLikeDuckDB(e);
  }
}

TEST_F(ValueFormatTest, StringsAndBlobs) {
  for (const char* e :
       {"'hello'", "''", "'it''s'", "'üñí€'", "'a longer string, past 12 bytes'",
        "'\\xAA\\x00ab'::BLOB", "''::BLOB", "from_hex('5C27225F7E7F80')", "'tab\tx'::BLOB"}) {
    ExpectRendersLikeDuckDB(e);
  }
}

TEST_F(ValueFormatTest, DatesAndTimes) {
  for (const char* e : {"'2024-01-31'::DATE",
                        "'0044-03-15 (BC)'::DATE",
                        "'infinity'::DATE",
                        "'-infinity'::DATE",
                        "'12345-01-01'::DATE",
                        "'0001-01-01'::DATE",
                        "'1969-12-31'::DATE",
                        "'1970-01-01'::DATE",
                        "'12:00:00'::TIME",
                        "'12:34:56.1'::TIME",
                        "'12:34:56.123456'::TIME",
                        "'23:59:59.000001'::TIME",
                        "'24:00:00'::TIME",
                        "'00:00:00'::TIME",
                        "'12:00:00+02'::TIMETZ",
                        "'12:00:00.5-05:30'::TIMETZ",
                        "'00:00:00+00'::TIMETZ",
                        "'12:00:00+05:30:15'::TIMETZ",
                        "'2024-01-31 12:00:00'::TIMESTAMP",
                        "'2024-01-31 12:00:00.5'::TIMESTAMP",
                        "'1969-12-31 23:59:59.999999'::TIMESTAMP",
                        "'0044-03-15 (BC) 10:00:00'::TIMESTAMP",
                        "'infinity'::TIMESTAMP",
                        "'-infinity'::TIMESTAMP",
                        "'2024-01-31 12:00:00.123456789'::TIMESTAMP_NS",
                        "'2024-01-31 12:00:00.120'::TIMESTAMP_NS",
                        "'1677-09-22 00:00:00'::TIMESTAMP_NS",
                        "'-infinity'::TIMESTAMP_NS",
                        "'2024-01-31 12:00:00.5'::TIMESTAMP_MS",
                        "'1960-01-31 12:00:00.001'::TIMESTAMP_MS",
                        "'2024-01-31 12:00:01'::TIMESTAMP_S",
                        "'1900-01-01 00:00:00'::TIMESTAMP_S",
                        "'2024-01-31 12:00:00+02'::TIMESTAMPTZ",
                        "'2024-01-31 12:00:00.25'::TIMESTAMPTZ",
                        "'infinity'::TIMESTAMPTZ",
                        "'0044-03-15 (BC) 10:00:00+00'::TIMESTAMPTZ"}) {
    ExpectRendersLikeDuckDB(e);
  }
}

TEST_F(ValueFormatTest, Intervals) {
  for (const char* e :
       {"INTERVAL 1 YEAR", "INTERVAL 14 MONTHS", "'1 day 02:03:04.5'::INTERVAL",
        "'-3 days -00:00:01'::INTERVAL", "INTERVAL 0 SECONDS",
        "'2 years -3 months 1 day'::INTERVAL", "'100 hours'::INTERVAL", "'-1 year'::INTERVAL",
        "'1 microsecond'::INTERVAL", "'-1 day 05:00:00'::INTERVAL", "'-00:00:00.5'::INTERVAL",
        "'2562047788 hours'::INTERVAL", "INTERVAL '-14 months'"}) {
    ExpectRendersLikeDuckDB(e);
  }
}

TEST_F(ValueFormatTest, UuidAndEnum) {
  for (const char* e : {"'ab12f0e2-1c45-4b5c-9d2e-aabbccddeeff'::UUID",
                        "'00000000-0000-0000-0000-000000000000'::UUID",
                        "'ffffffff-ffff-ffff-ffff-ffffffffffff'::UUID",
                        "'7fffffff-0000-0000-0000-000000000001'::UUID", "'y'::ENUM('x', 'y')"}) {
    ExpectRendersLikeDuckDB(e);
  }
}

TEST_F(ValueFormatTest, NestedTypes) {
  // Strings DuckDB must quote inside a list, and strings it must not.
  const char* const kQuoting =
      "['a', 'b c', '', NULL, 'NULL', 'x,y', 'it''s', ' lead', 'trail ', '[x]', 'a:b', 'a=b', "
      "'a\"b', '{x}', 'null', 'NuLl', '(x)', 'back\\slash', 'tab\t']";
  for (const char* e : {kQuoting,
                        "[1, 2, NULL]",
                        "[]::INTEGER[]",
                        "[[1], [2, 3], []]",
                        "[NULL]::INTEGER[]",
                        "{'a': 1, 'b': 'x'}",
                        "{'a b': 'x y', 'c''d': [1]}",
                        "{'x': NULL::INTEGER}",
                        "{'a': true, 'b': 1.5, 'c': [1], 'd': {'e': 'x'}}",
                        "[{'a': 'x'}]",
                        "{'select': 1, 'A': 2, 'key': 3, 'x\"y': 4}",
                        "row(1, 'a b')",
                        "[row(1, 2)]",
                        "MAP([1, 2], ['a', 'b'])",
                        "MAP(['k 1', 'k,2'], [NULL, 'v'])",
                        "MAP {}::MAP(INTEGER, INTEGER)",
                        "[MAP {1: 2}]",
                        "MAP {[1]: {'x': 'y z'}}",
                        "[1, 2]::INTEGER[2]",
                        "[1.5, 2.0]",
                        "[0.1::FLOAT]",
                        "[1e20]",
                        "['2024-01-01'::DATE]",
                        "[INTERVAL 1 DAY, '1 day 01:00:00'::INTERVAL]",
                        "[1.50::DECIMAL(4,2)]",
                        "['\\xAA'::BLOB, from_hex('2C')]",
                        "[true]",
                        "['ab12f0e2-1c45-4b5c-9d2e-aabbccddeeff'::UUID]",
                        "['2024-01-01 10:00:00'::TIMESTAMP]",
                        "['12:00:00'::TIME]",
                        "['2024-01-01'::TIMESTAMPTZ]",
                        "['-infinity'::DATE]",
                        "['x'::ENUM('x', 'y')]",
                        "{'a': [{'b': MAP {'k': 'v'}}]}",
                        "[[['deep']]]"}) {
    ExpectRendersLikeDuckDB(e);
  }
}

TEST(ValueTest, FactoriesAndGetters) {
  EXPECT_TRUE(Value().IsNull());
  EXPECT_EQ(Value().type().id(), TypeId::kSqlNull);
  EXPECT_EQ(Value::Int64(-5).GetInt64(), -5);
  EXPECT_EQ(Value::UInt32(7).GetInt64(), 7);
  EXPECT_EQ(Value::UInt64(UINT64_MAX).GetUInt64(), UINT64_MAX);
  EXPECT_EQ(Value::Decimal(12345, 10, 2).GetDouble(), 123.45);
  EXPECT_EQ(Value::Decimal(12345, 10, 2).ToString(), "123.45");
  EXPECT_EQ(Value::Decimal(12345, 10, 2).type().ToString(), "DECIMAL(10,2)");
  EXPECT_EQ(Value::String("x").GetString(), "x");
  EXPECT_EQ(Value::Date(Date::FromYmd(2024, 1, 31)).ToString(), "2024-01-31");
  EXPECT_EQ(
      Value::Timestamp(Timestamp::FromDateTime(Date::FromYmd(2024, 1, 31), Time::FromHms(12, 0, 0)))
          .ToString(),
      "2024-01-31 12:00:00");
  EXPECT_EQ(
      Value::List(LogicalType(TypeId::kInteger), {Value::Int32(1), Value::Int32(2)}).ToString(),
      "[1, 2]");
  EXPECT_EQ(Value::Struct({{"a", Value::Int32(1)}}).ToString(), "{'a': 1}");
  EXPECT_EQ(Value::Struct({{"a", Value::Int32(1)}, {"b", Value::String("x")}}).type().ToString(),
            "STRUCT(a INTEGER, b VARCHAR)");
  Value map = Value::Map(LogicalType(TypeId::kVarchar), LogicalType(TypeId::kBigInt),
                         {{Value::String("k"), Value::Int64(1)}});
  EXPECT_EQ(map.MapSize(), 1u);
  EXPECT_EQ(map.MapKey(0), Value::String("k"));
  EXPECT_EQ(map.MapValue(0), Value::Int64(1));
  EXPECT_EQ(map.type().ToString(), "MAP(VARCHAR, BIGINT)");
}

TEST(ValueTest, EqualityComparesTypeAndValue) {
  EXPECT_EQ(Value::Int64(1), Value::Int64(1));
  EXPECT_NE(Value::Int64(1), Value::Int32(1));
  EXPECT_NE(Value::Int64(1), Value::Int64(2));
  EXPECT_EQ(Value::Null(LogicalType(TypeId::kInteger)), Value::Null(LogicalType(TypeId::kInteger)));
  EXPECT_NE(Value::Null(LogicalType(TypeId::kInteger)), Value::Int32(0));
  EXPECT_NE(Value::Decimal(100, 5, 2), Value::Decimal(100, 5, 1));
  EXPECT_NE(Value::String("a"), Value::Blob("a"));
  EXPECT_EQ(Value::List(LogicalType(TypeId::kVarchar), {Value::String("a")}),
            Value::List(LogicalType(TypeId::kVarchar), {Value::String("a")}));
  EXPECT_NE(Value::List(LogicalType(TypeId::kVarchar), {Value::String("a")}),
            Value::List(LogicalType(TypeId::kVarchar), {Value::String("b")}));
}

TEST(ValueTest, UuidFromString) {
  auto uuid = Value::UuidFromString("AB12F0E2-1c45-4b5c-9d2e-aabbccddeeff");
  ASSERT_TRUE(uuid.ok());
  EXPECT_EQ(uuid->ToString(), "ab12f0e2-1c45-4b5c-9d2e-aabbccddeeff");
  EXPECT_EQ(uuid->GetUHugeInt().upper, 0xab12f0e21c454b5cULL);
  auto braced = Value::UuidFromString("{ab12f0e21c454b5c9d2eaabbccddeeff}");
  ASSERT_TRUE(braced.ok());
  EXPECT_EQ(*braced, *uuid);
  EXPECT_TRUE(Value::UuidFromString("ab12").status().IsInvalidArgument());
  EXPECT_TRUE(
      Value::UuidFromString("zb12f0e2-1c45-4b5c-9d2e-aabbccddeeff").status().IsInvalidArgument());
}

}  // namespace
}  // namespace strata::engine
