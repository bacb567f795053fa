#include <gtest/gtest.h>

#include "engine/engine.h"
#include "engine/engine_testing.h"

namespace strata::engine {
namespace {

using testing::EngineTest;
using PreparedStatementTest = EngineTest;

TEST_F(PreparedStatementTest, BindsByPositionWithTypes) {
  ENGINE_ASSERT_OK_AND_ASSIGN(
      auto statement,
      conn_->Prepare("SELECT ?::BIGINT + 1 AS a, ? || '!' AS b, ?::DOUBLE * 2 AS c, "
                     "?::BOOLEAN AS d, ?::INTEGER AS e, ?::UBIGINT AS f, ?::BLOB AS g, "
                     "?::DATE AS h, ?::TIMESTAMP AS i, ?::INTERVAL AS j, ?::INTEGER AS k"));
  ASSERT_EQ(statement->ParameterCount(), 11u);
  ENGINE_ASSERT_OK(statement->BindInt64(1, 41));
  ENGINE_ASSERT_OK(statement->BindString(2, "hi"));
  ENGINE_ASSERT_OK(statement->BindDouble(3, 1.25));
  ENGINE_ASSERT_OK(statement->BindBool(4, true));
  ENGINE_ASSERT_OK(statement->BindInt32(5, -7));
  ENGINE_ASSERT_OK(statement->BindUInt64(6, UINT64_MAX));
  ENGINE_ASSERT_OK(statement->BindBlob(7, std::string("\0\1\2", 3)));
  ENGINE_ASSERT_OK(statement->BindDate(8, Date::FromYmd(2024, 2, 29)));
  ENGINE_ASSERT_OK(statement->BindTimestamp(
      9, Timestamp::FromDateTime(Date::FromYmd(2000, 1, 1), Time::FromHms(1, 2, 3, 4))));
  ENGINE_ASSERT_OK(statement->BindInterval(10, Interval{1, 2, 3}));
  ENGINE_ASSERT_OK(statement->BindNull(11));
  ENGINE_ASSERT_OK_AND_ASSIGN(auto result, statement->Execute());
  ENGINE_ASSERT_OK_AND_ASSIGN(auto rows, result->FetchAllRows());
  ASSERT_EQ(rows.size(), 1u);
  const auto& r = rows[0];
  EXPECT_EQ(r[0], Value::Int64(42));
  EXPECT_EQ(r[1], Value::String("hi!"));
  EXPECT_EQ(r[2], Value::Double(2.5));
  EXPECT_EQ(r[3], Value::Boolean(true));
  EXPECT_EQ(r[4], Value::Int32(-7));
  EXPECT_EQ(r[5], Value::UInt64(UINT64_MAX));
  EXPECT_EQ(r[6], Value::Blob(std::string("\0\1\2", 3)));
  EXPECT_EQ(r[7].ToString(), "2024-02-29");
  EXPECT_EQ(r[8].ToString(), "2000-01-01 01:02:03.000004");
  EXPECT_EQ(r[9], Value::Interval(Interval{1, 2, 3}));
  EXPECT_EQ(r[10], Value::Null(LogicalType(TypeId::kInteger)));
}

TEST_F(PreparedStatementTest, ReexecutesWithNewBindings) {
  ENGINE_ASSERT_OK(conn_->Execute("CREATE TABLE t (k INTEGER, v VARCHAR)"));
  ENGINE_ASSERT_OK_AND_ASSIGN(auto insert, conn_->Prepare("INSERT INTO t VALUES ($1, $2)"));
  for (int i = 0; i < 100; ++i) {
    ENGINE_ASSERT_OK(insert->Bind(1, Value::Int32(i)));
    ENGINE_ASSERT_OK(insert->Bind(2, Value::String("v" + std::to_string(i))));
    ENGINE_ASSERT_OK_AND_ASSIGN(auto result, insert->Execute());
    EXPECT_EQ(result->RowsChanged(), 1);
  }
  ENGINE_ASSERT_OK_AND_ASSIGN(auto select, conn_->Prepare("SELECT v FROM t WHERE k = ?"));
  for (int k : {0, 57, 99}) {
    ENGINE_ASSERT_OK(select->BindInt32(1, k));
    ENGINE_ASSERT_OK_AND_ASSIGN(auto result, select->Execute());
    ENGINE_ASSERT_OK_AND_ASSIGN(auto rows, result->FetchAllRows());
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0][0], Value::String("v" + std::to_string(k)));
  }
}

TEST_F(PreparedStatementTest, NamedParameters) {
  ENGINE_ASSERT_OK_AND_ASSIGN(auto statement,
                              conn_->Prepare("SELECT $greeting || ', ' || $name AS s"));
  ASSERT_EQ(statement->ParameterCount(), 2u);
  ENGINE_ASSERT_OK_AND_ASSIGN(size_t name, statement->ParameterIndex("name"));
  ENGINE_ASSERT_OK_AND_ASSIGN(size_t greeting, statement->ParameterIndex("$greeting"));
  EXPECT_NE(name, greeting);
  ENGINE_ASSERT_OK(statement->BindString(name, "world"));
  ENGINE_ASSERT_OK(statement->BindString(greeting, "hello"));
  ENGINE_ASSERT_OK_AND_ASSIGN(auto result, statement->Execute());
  ENGINE_ASSERT_OK_AND_ASSIGN(auto rows, result->FetchAllRows());
  EXPECT_EQ(rows[0][0], Value::String("hello, world"));
  EXPECT_TRUE(statement->ParameterIndex("missing").status().IsNotFound());
}

TEST_F(PreparedStatementTest, BadIndexAndUnboundParameters) {
  ENGINE_ASSERT_OK_AND_ASSIGN(auto statement, conn_->Prepare("SELECT ?::INTEGER"));
  EXPECT_EQ(statement->BindInt64(0, 1).code(), StatusCode::kOutOfRange);
  EXPECT_EQ(statement->BindInt64(2, 1).code(), StatusCode::kOutOfRange);
  EXPECT_EQ(statement->Bind(5, Value::Int32(1)).code(), StatusCode::kOutOfRange);
  auto unbound = statement->Execute();
  ASSERT_FALSE(unbound.ok());
  EXPECT_TRUE(unbound.status().IsInvalidArgument()) << unbound.status().ToString();
  // A bad index does not poison the statement.
  ENGINE_ASSERT_OK(statement->BindInt64(1, 5));
  ENGINE_ASSERT_OK_AND_ASSIGN(auto result, statement->Execute());
  ENGINE_ASSERT_OK_AND_ASSIGN(auto rows, result->FetchAllRows());
  EXPECT_EQ(rows[0][0], Value::Int32(5));
  ENGINE_ASSERT_OK(statement->ClearBindings());
  EXPECT_FALSE(statement->Execute().ok());
}

TEST_F(PreparedStatementTest, ConversionErrorAtExecute) {
  ENGINE_ASSERT_OK_AND_ASSIGN(auto statement, conn_->Prepare("SELECT ?::INTEGER"));
  ENGINE_ASSERT_OK(statement->BindString(1, "not a number"));
  auto result = statement->Execute();
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("Conversion Error"), std::string::npos)
      << result.status().ToString();
}

TEST_F(PreparedStatementTest, DescribesColumnsAndParametersBeforeExecution) {
  ENGINE_ASSERT_OK(conn_->Execute("CREATE TABLE t (id BIGINT, tags VARCHAR[])"));
  ENGINE_ASSERT_OK_AND_ASSIGN(auto statement,
                              conn_->Prepare("SELECT id, tags, id > ? AS big FROM t"));
  ASSERT_EQ(statement->ColumnCount(), 3u);
  EXPECT_EQ(statement->ColumnName(0), "id");
  EXPECT_EQ(statement->ColumnType(1), LogicalType::List(LogicalType(TypeId::kVarchar)));
  EXPECT_EQ(statement->ColumnName(2), "big");
  EXPECT_EQ(statement->ColumnType(2), LogicalType(TypeId::kBoolean));
  EXPECT_EQ(statement->ParameterType(1), LogicalType(TypeId::kBigInt));
  EXPECT_EQ(statement->ParameterType(2), LogicalType());
}

}  // namespace
}  // namespace strata::engine
