// Every type Strata maps goes into DuckDB and comes back equal, both as a bound
// parameter and through an Appender into a table column of that type.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "engine/engine.h"
#include "engine/engine_testing.h"

namespace strata::engine {
namespace {

using testing::EngineTest;

LogicalType T(TypeId id) { return LogicalType(id); }

struct TypeSamples {
  LogicalType type;
  std::vector<Value> values;  // non-NULL samples of `type`
};

std::vector<TypeSamples> AllSamples() {
  const Date leap = Date::FromYmd(2024, 2, 29);
  const Time noon = Time::FromHms(12, 0, 0, 1);
  std::string all_bytes;
  for (int i = 0; i < 256; ++i) all_bytes += static_cast<char>(i);
  auto uuid = [](std::string_view s) { return Value::UuidFromString(s).value(); };
  const LogicalType int_list = LogicalType::List(T(TypeId::kInteger));
  const LogicalType row_type = LogicalType::Struct(
      {{"a", T(TypeId::kInteger)}, {"b", T(TypeId::kVarchar)}, {"c", int_list}});

  return {
      {T(TypeId::kBoolean), {Value::Boolean(true), Value::Boolean(false)}},
      {T(TypeId::kTinyInt), {Value::Int8(-128), Value::Int8(127), Value::Int8(0)}},
      {T(TypeId::kSmallInt), {Value::Int16(-32768), Value::Int16(32767)}},
      {T(TypeId::kInteger),
       {Value::Int32(std::numeric_limits<int32_t>::min()),
        Value::Int32(std::numeric_limits<int32_t>::max())}},
      {T(TypeId::kBigInt),
       {Value::Int64(std::numeric_limits<int64_t>::min()),
        Value::Int64(std::numeric_limits<int64_t>::max()), Value::Int64(-1)}},
      {T(TypeId::kHugeInt),
       {Value::HugeInt(HugeInt::FromInt128(-(Int128{1} << 126) * 2)),
        Value::HugeInt(HugeInt::FromInt128(((Int128{1} << 126) - 1) * 2 + 1)),
        Value::HugeInt(HugeInt::FromInt64(-1)), Value::HugeInt(HugeInt::FromInt64(1))}},
      {T(TypeId::kUTinyInt), {Value::UInt8(0), Value::UInt8(255)}},
      {T(TypeId::kUSmallInt), {Value::UInt16(65535)}},
      {T(TypeId::kUInteger), {Value::UInt32(4294967295u)}},
      {T(TypeId::kUBigInt), {Value::UInt64(std::numeric_limits<uint64_t>::max())}},
      {T(TypeId::kUHugeInt),
       {Value::UHugeInt(UHugeInt{UINT64_MAX, UINT64_MAX}), Value::UHugeInt(UHugeInt{5, 0})}},
      {LogicalType::Decimal(4, 1), {Value::Decimal(-9999, 4, 1), Value::Decimal(5, 4, 1)}},
      {LogicalType::Decimal(9, 4), {Value::Decimal(123456789, 9, 4)}},
      {LogicalType::Decimal(18, 3),
       {Value::Decimal(-999999999999999999, 18, 3), Value::Decimal(1, 18, 3)}},
      {LogicalType::Decimal(38, 10),
       {Value::Decimal(HugeInt::FromInt128(-(Int128{1} << 120)), 38, 10),
        Value::Decimal(HugeInt::FromInt64(12345), 38, 10)}},
      {T(TypeId::kFloat),
       {Value::Float(1.5f), Value::Float(-0.1f), Value::Float(std::numeric_limits<float>::max())}},
      {T(TypeId::kDouble),
       {Value::Double(M_PI), Value::Double(-1e300), Value::Double(5e-324),
        Value::Double(std::numeric_limits<double>::infinity())}},
      {T(TypeId::kVarchar),
       {Value::String(""), Value::String("short"), Value::String("exactly12chr"),
        Value::String("a string longer than twelve bytes, with ünïcødé €")}},
      {T(TypeId::kBlob), {Value::Blob(""), Value::Blob(all_bytes), Value::Blob("ab")}},
      {T(TypeId::kDate),
       {Value::Date(leap), Value::Date(Date::FromYmd(1, 1, 1)),
        Value::Date(Date::FromYmd(-43, 3, 15)),
        Value::Date(Date{std::numeric_limits<int32_t>::max()})}},
      {T(TypeId::kTime),
       {Value::Time(Time{0}), Value::Time(noon), Value::Time(Time::FromHms(23, 59, 59, 999999))}},
      {T(TypeId::kTimeTz), {Value::TimeTz(noon, 7200), Value::TimeTz(Time{0}, -19800)}},
      {T(TypeId::kTimestamp),
       {Value::Timestamp(Timestamp::FromDateTime(leap, noon)), Value::Timestamp(Timestamp{-1}),
        Value::Timestamp(Timestamp{std::numeric_limits<int64_t>::max()})}},
      {T(TypeId::kTimestampS), {Value::TimestampS(1706702400), Value::TimestampS(-86400)}},
      {T(TypeId::kTimestampMs), {Value::TimestampMs(1706702400123)}},
      {T(TypeId::kTimestampNs), {Value::TimestampNs(1706702400123456789)}},
      {T(TypeId::kTimestampTz),
       {Value::TimestampTz(Timestamp::FromDateTime(leap, noon)), Value::TimestampTz(Timestamp{0})}},
      {T(TypeId::kInterval),
       {Value::Interval(Interval{14, 3, 4000001}), Value::Interval(Interval{-1, -2, -3})}},
      {T(TypeId::kUuid),
       {uuid("ab12f0e2-1c45-4b5c-9d2e-aabbccddeeff"), uuid("00000000-0000-0000-0000-000000000000"),
        uuid("ffffffff-ffff-ffff-ffff-ffffffffffff"),
        uuid("80000000-0000-0000-0000-000000000000")}},
      {int_list,
       {Value::List(T(TypeId::kInteger),
                    {Value::Int32(1), Value::Null(T(TypeId::kInteger)), Value::Int32(3)}),
        Value::List(T(TypeId::kInteger), {})}},
      {LogicalType::List(LogicalType::List(T(TypeId::kVarchar))),
       {Value::List(LogicalType::List(T(TypeId::kVarchar)),
                    {Value::List(T(TypeId::kVarchar), {Value::String("x"), Value::String("")}),
                     Value::Null(LogicalType::List(T(TypeId::kVarchar)))})}},
      {row_type,
       {Value::Struct({{"a", Value::Int32(1)},
                       {"b", Value::String("long enough to leave the inline slot")},
                       {"c", Value::List(T(TypeId::kInteger), {Value::Int32(9)})}}),
        Value::Struct({{"a", Value::Null(T(TypeId::kInteger))},
                       {"b", Value::String("x")},
                       {"c", Value::Null(int_list)}})}},
      {LogicalType::Map(T(TypeId::kVarchar), T(TypeId::kInteger)),
       {Value::Map(T(TypeId::kVarchar), T(TypeId::kInteger),
                   {{Value::String("one"), Value::Int32(1)},
                    {Value::String("none"), Value::Null(T(TypeId::kInteger))}}),
        Value::Map(T(TypeId::kVarchar), T(TypeId::kInteger), {})}},
      {LogicalType::Map(T(TypeId::kBigInt), LogicalType::List(T(TypeId::kDouble))),
       {Value::Map(T(TypeId::kBigInt), LogicalType::List(T(TypeId::kDouble)),
                   {{Value::Int64(7), Value::List(T(TypeId::kDouble), {Value::Double(0.5)})}})}},
      {LogicalType::Array(T(TypeId::kDouble), 3),
       {Value::Array(T(TypeId::kDouble),
                     {Value::Double(1), Value::Null(T(TypeId::kDouble)), Value::Double(3)})}},
  };
}

using RoundTripTest = EngineTest;

TEST_F(RoundTripTest, EveryTypeAsBoundParameter) {
  ENGINE_ASSERT_OK_AND_ASSIGN(auto statement, conn_->Prepare("SELECT ? AS v"));
  for (const TypeSamples& samples : AllSamples()) {
    std::vector<Value> values = samples.values;
    values.push_back(Value::Null(samples.type));
    for (const Value& v : values) {
      SCOPED_TRACE(v);
      ENGINE_ASSERT_OK(statement->Bind(1, v));
      ENGINE_ASSERT_OK_AND_ASSIGN(auto result, statement->Execute());
      ENGINE_ASSERT_OK_AND_ASSIGN(auto rows, result->FetchAllRows());
      ASSERT_EQ(rows.size(), 1u);
      if (v.IsNull()) {
        // An untyped NULL parameter has no type to keep.
        EXPECT_TRUE(rows[0][0].IsNull());
      } else {
        EXPECT_EQ(result->ColumnType(0), samples.type);
        EXPECT_EQ(rows[0][0], v);
      }
    }
  }
}

TEST_F(RoundTripTest, EveryTypeAsCastParameter) {
  // Binding into a typed slot: the parameter converts to the declared type.
  for (const TypeSamples& samples : AllSamples()) {
    ENGINE_ASSERT_OK_AND_ASSIGN(
        auto statement, conn_->Prepare("SELECT CAST(? AS " + samples.type.ToString() + ") AS v"));
    std::vector<Value> values = samples.values;
    values.push_back(Value::Null(samples.type));
    for (const Value& v : values) {
      SCOPED_TRACE(v);
      ENGINE_ASSERT_OK(statement->Bind(1, v));
      ENGINE_ASSERT_OK_AND_ASSIGN(auto result, statement->Execute());
      ENGINE_ASSERT_OK_AND_ASSIGN(auto rows, result->FetchAllRows());
      ASSERT_EQ(rows.size(), 1u);
      EXPECT_EQ(rows[0][0], v);
    }
  }
}

TEST_F(RoundTripTest, EveryTypeThroughAppender) {
  int table = 0;
  for (const TypeSamples& samples : AllSamples()) {
    SCOPED_TRACE(samples.type.ToString());
    const std::string name = "t" + std::to_string(table++);
    ENGINE_ASSERT_OK(
        conn_->Execute("CREATE TABLE " + name + " (i INTEGER, v " + samples.type.ToString() + ")"));
    std::vector<Value> values = samples.values;
    values.push_back(Value::Null(samples.type));
    {
      ENGINE_ASSERT_OK_AND_ASSIGN(auto appender, conn_->CreateAppender("", name));
      ASSERT_EQ(appender->ColumnCount(), 2u);
      EXPECT_EQ(appender->ColumnType(1), samples.type);
      for (size_t i = 0; i < values.size(); ++i) {
        ENGINE_ASSERT_OK(appender->AppendInt32(static_cast<int32_t>(i)));
        ENGINE_ASSERT_OK(appender->Append(values[i]));
        ENGINE_ASSERT_OK(appender->EndRow());
      }
      ENGINE_ASSERT_OK(appender->Close());
    }
    auto rows = Rows("SELECT v FROM " + name + " ORDER BY i");
    ASSERT_EQ(rows.size(), values.size());
    for (size_t i = 0; i < values.size(); ++i) {
      EXPECT_EQ(rows[i][0], values[i]) << "row " << i;
    }
  }
}

TEST_F(RoundTripTest, EnumReadsAsLabel) {
  ENGINE_ASSERT_OK(
      conn_->Execute("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy'); CREATE TABLE t (m mood)"));
  ENGINE_ASSERT_OK_AND_ASSIGN(auto appender, conn_->CreateAppender("", "t"));
  for (const char* label : {"happy", "sad"}) {
    ENGINE_ASSERT_OK(appender->Append(Value::String(label)));
    ENGINE_ASSERT_OK(appender->EndRow());
  }
  ENGINE_ASSERT_OK(appender->AppendNull());
  ENGINE_ASSERT_OK(appender->EndRow());
  ENGINE_ASSERT_OK(appender->Close());
  ENGINE_ASSERT_OK_AND_ASSIGN(auto result, conn_->Query("SELECT m FROM t"));
  EXPECT_EQ(result->ColumnType(0).ToString(), "ENUM('sad', 'ok', 'happy')");
  ENGINE_ASSERT_OK_AND_ASSIGN(auto chunk, result->Fetch());
  ASSERT_NE(chunk, nullptr);
  EXPECT_EQ(chunk->Data<uint8_t>(0)[0], 2);  // the index of 'happy'
  EXPECT_EQ(chunk->GetValue(0, 0), Value::String("happy"));
  EXPECT_EQ(chunk->GetValue(0, 1), Value::String("sad"));
  EXPECT_FALSE(chunk->IsValid(0, 2));
  ENGINE_ASSERT_OK_AND_ASSIGN(auto statement, conn_->Prepare("SELECT count(*) FROM t WHERE m = ?"));
  ENGINE_ASSERT_OK(statement->Bind(1, Value::String("happy")));
  ENGINE_ASSERT_OK_AND_ASSIGN(auto count, statement->Execute());
  ENGINE_ASSERT_OK_AND_ASSIGN(auto rows, count->FetchAllRows());
  EXPECT_EQ(rows[0][0], Value::Int64(1));
}

}  // namespace
}  // namespace strata::engine
