#include <gtest/gtest.h>

#include "engine/engine.h"
#include "engine/engine_testing.h"

namespace strata::engine {
namespace {

using testing::EngineTest;
using AppenderTest = EngineTest;

TEST_F(AppenderTest, TypedAppendsLandInTheTable) {
  ENGINE_ASSERT_OK(conn_->Execute(
      "CREATE TABLE t (b BOOLEAN, i8 TINYINT, i16 SMALLINT, i32 INTEGER, i64 BIGINT, "
      "u8 UTINYINT, u16 USMALLINT, u32 UINTEGER, u64 UBIGINT, h HUGEINT, uh UHUGEINT, "
      "f FLOAT, d DOUBLE, s VARCHAR, bl BLOB, dt DATE, tm TIME, ts TIMESTAMP, iv INTERVAL, "
      "dflt INTEGER DEFAULT 99)"));
  ENGINE_ASSERT_OK_AND_ASSIGN(auto appender, conn_->CreateAppender("main", "t"));
  constexpr int kRows = 5000;  // more than one internal chunk
  for (int i = 0; i < kRows; ++i) {
    ENGINE_ASSERT_OK(appender->AppendBool(i % 2 == 0));
    ENGINE_ASSERT_OK(appender->AppendInt8(static_cast<int8_t>(i % 100)));
    ENGINE_ASSERT_OK(appender->AppendInt16(static_cast<int16_t>(i)));
    ENGINE_ASSERT_OK(appender->AppendInt32(-i));
    ENGINE_ASSERT_OK(appender->AppendInt64(int64_t{i} * 1'000'000'000));
    ENGINE_ASSERT_OK(appender->AppendUInt8(static_cast<uint8_t>(i % 256)));
    ENGINE_ASSERT_OK(appender->AppendUInt16(static_cast<uint16_t>(i)));
    ENGINE_ASSERT_OK(appender->AppendUInt32(static_cast<uint32_t>(i)));
    ENGINE_ASSERT_OK(appender->AppendUInt64(static_cast<uint64_t>(i)));
    ENGINE_ASSERT_OK(appender->AppendHugeInt(HugeInt::FromInt64(-i)));
    ENGINE_ASSERT_OK(appender->AppendUHugeInt(UHugeInt{static_cast<uint64_t>(i), 1}));
    ENGINE_ASSERT_OK(appender->AppendFloat(i * 0.5f));
    ENGINE_ASSERT_OK(appender->AppendDouble(i * 0.25));
    ENGINE_ASSERT_OK(appender->AppendString("row " + std::to_string(i)));
    ENGINE_ASSERT_OK(appender->AppendBlob(std::string(1, static_cast<char>(i % 256))));
    ENGINE_ASSERT_OK(appender->AppendDate(Date{i}));
    ENGINE_ASSERT_OK(appender->AppendTime(Time{int64_t{i} * 1'000'000}));
    ENGINE_ASSERT_OK(appender->AppendTimestamp(Timestamp{int64_t{i} * 86'400'000'000}));
    ENGINE_ASSERT_OK(appender->AppendInterval(Interval{0, i, 0}));
    ENGINE_ASSERT_OK(appender->AppendDefault());
    ENGINE_ASSERT_OK(appender->EndRow());
  }
  ENGINE_ASSERT_OK(appender->Close());

  auto rows = Rows(
      "SELECT count(*), sum(i32), sum(i64), max(s), min(dt), max(ts), sum(dflt), "
      "sum(h), max(uh), sum(d), count(*) FILTER (WHERE b) FROM t");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], Value::Int64(kRows));
  EXPECT_EQ(rows[0][1].ToString(), std::to_string(-int64_t{kRows} * (kRows - 1) / 2));
  EXPECT_EQ(rows[0][2].ToString(),
            std::to_string(int64_t{kRows} * (kRows - 1) / 2 * 1'000'000'000));
  EXPECT_EQ(rows[0][3], Value::String("row 999"));
  EXPECT_EQ(rows[0][4].ToString(), "1970-01-01");
  EXPECT_EQ(rows[0][5].ToString(), "1983-09-09 00:00:00");  // day 4999
  EXPECT_EQ(rows[0][6].ToString(), std::to_string(99 * kRows));
  EXPECT_EQ(rows[0][7].ToString(), std::to_string(-int64_t{kRows} * (kRows - 1) / 2));
  EXPECT_EQ(rows[0][8].ToString(), "18446744073709556615");  // 2^64 + 4999
  EXPECT_EQ(rows[0][9], Value::Double(0.25 * kRows * (kRows - 1) / 2));
  EXPECT_EQ(rows[0][10], Value::Int64(kRows / 2));
}

TEST_F(AppenderTest, ValuesAreCastToColumnTypes) {
  ENGINE_ASSERT_OK(conn_->Execute("CREATE TABLE t (id BIGINT, u UUID, ts TIMESTAMP)"));
  ENGINE_ASSERT_OK_AND_ASSIGN(auto appender, conn_->CreateAppender("", "t"));
  ENGINE_ASSERT_OK(appender->AppendInt32(5));
  ENGINE_ASSERT_OK(appender->AppendString("ab12f0e2-1c45-4b5c-9d2e-aabbccddeeff"));
  ENGINE_ASSERT_OK(appender->Append(Value::String("2024-01-31 12:00:00")));
  ENGINE_ASSERT_OK(appender->EndRow());
  ENGINE_ASSERT_OK(appender->Close());
  auto rows = Rows("SELECT id, u, ts FROM t");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], Value::Int64(5));
  EXPECT_EQ(rows[0][1].ToString(), "ab12f0e2-1c45-4b5c-9d2e-aabbccddeeff");
  EXPECT_EQ(rows[0][2].ToString(), "2024-01-31 12:00:00");
}

TEST_F(AppenderTest, Errors) {
  EXPECT_TRUE(conn_->CreateAppender("", "missing").status().IsNotFound());
  EXPECT_FALSE(conn_->CreateAppender("no_such_schema", "t").ok());

  ENGINE_ASSERT_OK(conn_->Execute("CREATE TABLE t (a INTEGER PRIMARY KEY, b VARCHAR NOT NULL)"));
  ENGINE_ASSERT_OK_AND_ASSIGN(auto appender, conn_->CreateAppender("", "t"));
  ENGINE_ASSERT_OK(appender->AppendInt32(1));
  Status short_row = appender->EndRow();
  EXPECT_FALSE(short_row.ok());
  EXPECT_FALSE(short_row.message().empty());

  ENGINE_ASSERT_OK_AND_ASSIGN(auto second, conn_->CreateAppender("", "t"));
  Status too_many = Status::OK();
  for (int i = 0; i < 3 && too_many.ok(); ++i) too_many = second->AppendInt32(i);
  EXPECT_FALSE(too_many.ok());

  ENGINE_ASSERT_OK_AND_ASSIGN(auto third, conn_->CreateAppender("", "t"));
  for (int i = 0; i < 2; ++i) {
    ENGINE_ASSERT_OK(third->AppendInt32(7));
    ENGINE_ASSERT_OK(third->AppendString("dup"));
    ENGINE_ASSERT_OK(third->EndRow());
  }
  Status flush = third->Flush();
  EXPECT_FALSE(flush.ok());
  EXPECT_NE(flush.message().find("duplicate key"), std::string::npos) << flush.ToString();

  ENGINE_ASSERT_OK_AND_ASSIGN(auto fourth, conn_->CreateAppender("", "t"));
  ENGINE_ASSERT_OK(fourth->Close());
  ENGINE_ASSERT_OK(fourth->Close());
  EXPECT_FALSE(fourth->AppendInt32(1).ok());
}

TEST_F(AppenderTest, RowsVisibleAfterFlush) {
  ENGINE_ASSERT_OK(conn_->Execute("CREATE TABLE t (a INTEGER)"));
  ENGINE_ASSERT_OK_AND_ASSIGN(auto appender, conn_->CreateAppender("", "t"));
  ENGINE_ASSERT_OK(appender->AppendInt32(1));
  ENGINE_ASSERT_OK(appender->EndRow());
  ENGINE_ASSERT_OK(appender->Flush());
  ENGINE_ASSERT_OK_AND_ASSIGN(Value count, conn_->QueryScalar("SELECT count(*) FROM t"));
  EXPECT_EQ(count, Value::Int64(1));
  ENGINE_ASSERT_OK(appender->AppendInt32(2));
  ENGINE_ASSERT_OK(appender->EndRow());
  appender.reset();  // destruction flushes
  ENGINE_ASSERT_OK_AND_ASSIGN(Value sum, conn_->QueryScalar("SELECT sum(a) FROM t"));
  EXPECT_EQ(sum.ToString(), "3");
}

}  // namespace
}  // namespace strata::engine
