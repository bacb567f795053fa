// Database and Connection: lifetime, options, statements, errors, interrupts.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "engine/engine.h"
#include "engine/engine_testing.h"

namespace strata::engine {
namespace {

using testing::EngineTest;
using ConnectionTest = EngineTest;

TEST_F(ConnectionTest, ExecuteRunsEveryStatementInOrder) {
  ENGINE_ASSERT_OK(conn_->Execute(
      "CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1), (2);\n"
      "BEGIN; INSERT INTO t SELECT a + 10 FROM t; COMMIT; SET threads = 2; SELECT 42"));
  auto rows = Rows("SELECT sum(a), count(*) FROM t");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0].ToString(), "26");
  EXPECT_EQ(rows[0][1], Value::Int64(4));
}

TEST_F(ConnectionTest, ExecuteStopsAtFirstError) {
  Status s = conn_->Execute(
      "CREATE TABLE t (a INTEGER); INSERT INTO nope VALUES (1); "
      "INSERT INTO t VALUES (1)");
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_NE(s.message().find("nope"), std::string::npos);
  ENGINE_ASSERT_OK_AND_ASSIGN(Value count, conn_->QueryScalar("SELECT count(*) FROM t"));
  EXPECT_EQ(count, Value::Int64(0));
}

TEST_F(ConnectionTest, SyntaxErrorCarriesDuckDBMessage) {
  auto result = conn_->Query("SELEC 1");
  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(result.status().IsInvalidArgument()) << result.status().ToString();
  EXPECT_NE(result.status().message().find("syntax error"), std::string::npos)
      << result.status().message();
  EXPECT_NE(result.status().message().find("Parser Error"), std::string::npos);
  EXPECT_FALSE(conn_->Execute("CREATE TABLE (").ok());
  EXPECT_FALSE(conn_->Prepare("SELECT FROM WHERE").ok());
}

TEST_F(ConnectionTest, ErrorsMapToStatusCodes) {
  auto missing = conn_->Query("SELECT * FROM missing_table");
  EXPECT_TRUE(missing.status().IsNotFound()) << missing.status().ToString();
  EXPECT_NE(missing.status().message().find("missing_table"), std::string::npos);

  ENGINE_ASSERT_OK(conn_->Execute("CREATE TABLE t (a INTEGER PRIMARY KEY)"));
  Status exists = conn_->Execute("CREATE TABLE t (b INTEGER)");
  EXPECT_EQ(exists.code(), StatusCode::kAlreadyExists) << exists.ToString();

  auto conversion = conn_->Query("SELECT 'abc'::INTEGER");
  EXPECT_TRUE(conversion.status().IsInvalidArgument());
  EXPECT_NE(conversion.status().message().find("Conversion Error"), std::string::npos);

  ENGINE_ASSERT_OK(conn_->Execute("INSERT INTO t VALUES (1)"));
  Status dup = conn_->Execute("INSERT INTO t VALUES (1)");
  EXPECT_FALSE(dup.ok());
  EXPECT_NE(dup.message().find("Duplicate key"), std::string::npos) << dup.ToString();

  auto range = conn_->Query("SELECT 300::TINYINT");
  EXPECT_FALSE(range.ok());
  EXPECT_FALSE(conn_->Query("").ok());
  EXPECT_TRUE(conn_->Query(std::string_view("SELECT 1\0 2", 10)).status().IsInvalidArgument());
}

TEST_F(ConnectionTest, QueryReturnsLastStatementResult) {
  ENGINE_ASSERT_OK_AND_ASSIGN(auto result,
                              conn_->Query("CREATE TABLE t AS SELECT range AS x FROM range(5); "
                                           "SELECT x * 2 AS doubled FROM t ORDER BY x"));
  ASSERT_EQ(result->ColumnCount(), 1u);
  EXPECT_EQ(result->ColumnName(0), "doubled");
  EXPECT_EQ(result->ColumnType(0), LogicalType(TypeId::kBigInt));
  ENGINE_ASSERT_OK_AND_ASSIGN(auto rows, result->FetchAllRows());
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[4][0], Value::Int64(8));
}

TEST_F(ConnectionTest, RowsChanged) {
  ENGINE_ASSERT_OK(conn_->Execute("CREATE TABLE t AS SELECT range AS x FROM range(10)"));
  ENGINE_ASSERT_OK_AND_ASSIGN(auto update, conn_->Query("UPDATE t SET x = x + 1 WHERE x < 3"));
  EXPECT_EQ(update->RowsChanged(), 3);
  ENGINE_ASSERT_OK_AND_ASSIGN(auto del, conn_->Query("DELETE FROM t WHERE x > 5"));
  EXPECT_EQ(del->RowsChanged(), 4);
  ENGINE_ASSERT_OK_AND_ASSIGN(auto insert, conn_->Query("INSERT INTO t SELECT 1 FROM range(7)"));
  EXPECT_EQ(insert->RowsChanged(), 7);
  ENGINE_ASSERT_OK_AND_ASSIGN(auto select, conn_->Query("SELECT * FROM t"));
  EXPECT_EQ(select->RowsChanged(), 0);
}

TEST_F(ConnectionTest, QueryScalar) {
  ENGINE_ASSERT_OK_AND_ASSIGN(Value v, conn_->QueryScalar("SELECT 'x' || 'y', 2"));
  EXPECT_EQ(v, Value::String("xy"));
  ENGINE_ASSERT_OK_AND_ASSIGN(Value null, conn_->QueryScalar("SELECT NULL::INTEGER"));
  EXPECT_TRUE(null.IsNull());
  EXPECT_TRUE(conn_->QueryScalar("SELECT 1 WHERE false").status().IsNotFound());
}

TEST_F(ConnectionTest, ParameterizedQueryAndExecute) {
  ENGINE_ASSERT_OK(conn_->Execute("CREATE TABLE t (id BIGINT, name VARCHAR)"));
  ENGINE_ASSERT_OK(
      conn_->Execute("INSERT INTO t VALUES (?, ?)", {Value::Int64(7), Value::String("seven")}));
  ENGINE_ASSERT_OK_AND_ASSIGN(auto result,
                              conn_->Query("SELECT name FROM t WHERE id = $1", {Value::Int64(7)}));
  ENGINE_ASSERT_OK_AND_ASSIGN(auto rows, result->FetchAllRows());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], Value::String("seven"));
  EXPECT_TRUE(conn_->Query("SELECT ?", {}).status().IsInvalidArgument());
}

TEST_F(ConnectionTest, ErrorWhileStreamingIsReturnedByFetch) {
  // The error row lies far beyond the first chunk, so it can only surface while fetching.
  ENGINE_ASSERT_OK_AND_ASSIGN(
      auto result, conn_->Query("SELECT CASE WHEN range = 5000000 THEN error('boom at 5M') "
                                "ELSE range END AS x FROM range(10000000)"));
  Status error;
  size_t rows = 0;
  while (true) {
    auto chunk = result->Fetch();
    if (!chunk.ok()) {
      error = chunk.status();
      break;
    }
    if (*chunk == nullptr) break;
    rows += (*chunk)->size();
  }
  EXPECT_FALSE(error.ok()) << "streamed " << rows << " rows without an error";
  EXPECT_NE(error.message().find("boom at 5M"), std::string::npos) << error.ToString();
  EXPECT_LT(rows, 10000000u);
  // The connection remains usable.
  ENGINE_ASSERT_OK_AND_ASSIGN(Value v, conn_->QueryScalar("SELECT 1"));
  EXPECT_EQ(v, Value::Int32(1));
}

TEST_F(ConnectionTest, NextStatementEndsOpenStreamWithAnError) {
  ENGINE_ASSERT_OK_AND_ASSIGN(auto stream, conn_->Query("SELECT range FROM range(1000000)"));
  ASSERT_TRUE(stream->IsStreaming());
  ENGINE_ASSERT_OK_AND_ASSIGN(auto first, stream->Fetch());
  ASSERT_NE(first, nullptr);
  ENGINE_ASSERT_OK_AND_ASSIGN(Value v, conn_->QueryScalar("SELECT 2"));
  EXPECT_EQ(v, Value::Int32(2));
  auto next = stream->Fetch();
  ASSERT_FALSE(next.ok()) << "a closed stream must not look exhausted";
  EXPECT_EQ(next.status().code(), StatusCode::kAborted);
  // The chunk fetched before stays readable.
  EXPECT_EQ(first->Data<int64_t>(0)[0], 0);
}

TEST_F(ConnectionTest, InterruptFromAnotherThreadCancelsTheQuery) {
  std::atomic<bool> done{false};
  std::thread interrupter([&] {
    // Interrupt only affects a running statement, so keep trying until it lands.
    while (!done.load()) {
      conn_->Interrupt();
      std::this_thread::yield();
    }
  });
  auto result = conn_->QueryScalar("SELECT count(*) FROM range(1000000000000) WHERE range % 7 = 1");
  done = true;
  interrupter.join();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kAborted) << result.status().ToString();
  EXPECT_NE(result.status().message().find("Interrupted"), std::string::npos);
  ENGINE_ASSERT_OK_AND_ASSIGN(Value v, conn_->QueryScalar("SELECT 3"));
  EXPECT_EQ(v, Value::Int32(3));
}

TEST_F(ConnectionTest, ConnectionsRunConcurrently) {
  ENGINE_ASSERT_OK(conn_->Execute("CREATE TABLE t AS SELECT range AS x FROM range(100000)"));
  constexpr int kThreads = 4;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  std::vector<Status> statuses(kThreads);
  std::vector<int64_t> sums(kThreads);
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      auto conn = Connection::Open(*db_);
      if (!conn.ok()) {
        statuses[i] = conn.status();
        return;
      }
      for (int round = 0; round < 5; ++round) {
        auto v =
            (*conn)->QueryScalar("SELECT sum(x)::BIGINT FROM t WHERE x % 4 = " + std::to_string(i));
        if (!v.ok()) {
          statuses[i] = v.status();
          return;
        }
        sums[i] = v->GetInt64();
      }
    });
  }
  for (auto& t : threads) t.join();
  ENGINE_ASSERT_OK_AND_ASSIGN(Value total, conn_->QueryScalar("SELECT sum(x)::BIGINT FROM t"));
  int64_t combined = 0;
  for (int i = 0; i < kThreads; ++i) {
    ENGINE_ASSERT_OK(statuses[i]);
    combined += sums[i];
  }
  EXPECT_EQ(combined, total.GetInt64());
}

TEST(DatabaseTest, FileDatabasePersistsAcrossOpens) {
  auto dir =
      std::filesystem::temp_directory_path() / ("strata_engine_test_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  DatabaseOptions options;
  options.path = (dir / "db.duckdb").string();
  options.threads = 2;
  options.memory_limit = "256MB";
  {
    ENGINE_ASSERT_OK_AND_ASSIGN(auto db, Database::Open(options));
    ENGINE_ASSERT_OK_AND_ASSIGN(auto conn, Connection::Open(*db));
    ENGINE_ASSERT_OK(conn->Execute("CREATE TABLE kept AS SELECT 41 + 1 AS answer"));
    ENGINE_ASSERT_OK_AND_ASSIGN(Value threads,
                                conn->QueryScalar("SELECT current_setting('threads')"));
    EXPECT_EQ(threads.ToString(), "2");
  }
  options.read_only = true;
  ENGINE_ASSERT_OK_AND_ASSIGN(auto db, Database::Open(options));
  ENGINE_ASSERT_OK_AND_ASSIGN(auto conn, Connection::Open(*db));
  ENGINE_ASSERT_OK_AND_ASSIGN(Value answer, conn->QueryScalar("SELECT answer FROM kept"));
  EXPECT_EQ(answer, Value::Int32(42));
  EXPECT_FALSE(conn->Execute("INSERT INTO kept VALUES (1)").ok());
  conn.reset();
  db.reset();
  std::filesystem::remove_all(dir);
}

TEST(DatabaseTest, BadOptionsAndPathsFail) {
  DatabaseOptions bad_limit;
  bad_limit.memory_limit = "lots";
  EXPECT_TRUE(Database::Open(bad_limit).status().IsInvalidArgument());
  DatabaseOptions bad_setting;
  bad_setting.settings = {{"no_such_setting", "1"}};
  EXPECT_TRUE(Database::Open(bad_setting).status().IsInvalidArgument());
  DatabaseOptions bad_tz;
  bad_tz.time_zone = "Mars/Olympus_Mons";
  EXPECT_FALSE(Database::Open(bad_tz).ok());
  DatabaseOptions bad_path;
  bad_path.path = "/nonexistent-dir/sub/db.duckdb";
  auto opened = Database::Open(bad_path);
  ASSERT_FALSE(opened.ok());
  EXPECT_TRUE(opened.status().IsIOError()) << opened.status().ToString();
}

TEST(DatabaseTest, TimeZoneOption) {
  DatabaseOptions options;
  options.time_zone = "America/New_York";
  ENGINE_ASSERT_OK_AND_ASSIGN(auto db, Database::Open(options));
  ENGINE_ASSERT_OK_AND_ASSIGN(auto conn, Connection::Open(*db));
  ENGINE_ASSERT_OK_AND_ASSIGN(Value tz, conn->QueryScalar("SELECT current_setting('TimeZone')"));
  EXPECT_EQ(tz, Value::String("America/New_York"));
  ENGINE_ASSERT_OK_AND_ASSIGN(auto utc_db, Database::Open());
  ENGINE_ASSERT_OK_AND_ASSIGN(auto utc_conn, Connection::Open(*utc_db));
  ENGINE_ASSERT_OK_AND_ASSIGN(Value utc,
                              utc_conn->QueryScalar("SELECT current_setting('TimeZone')"));
  EXPECT_EQ(utc, Value::String("UTC"));
}

TEST(DatabaseTest, ObjectsOutliveTheirParents) {
  ENGINE_ASSERT_OK_AND_ASSIGN(auto db, Database::Open());
  ENGINE_ASSERT_OK_AND_ASSIGN(auto conn, Connection::Open(*db));
  ENGINE_ASSERT_OK_AND_ASSIGN(auto statement, conn->Prepare("SELECT ? + 1"));
  ENGINE_ASSERT_OK_AND_ASSIGN(auto result, conn->Query("SELECT range FROM range(5000)"));
  conn.reset();
  db.reset();
  size_t rows = 0;
  while (true) {
    ENGINE_ASSERT_OK_AND_ASSIGN(auto chunk, result->Fetch());
    if (chunk == nullptr) break;
    rows += chunk->size();
  }
  EXPECT_EQ(rows, 5000u);
  ENGINE_ASSERT_OK(statement->BindInt64(1, 41));
  ENGINE_ASSERT_OK_AND_ASSIGN(auto answer, statement->Execute());
  ENGINE_ASSERT_OK_AND_ASSIGN(auto rows2, answer->FetchAllRows());
  EXPECT_EQ(rows2[0][0], Value::Int64(42));
}

TEST_F(ConnectionTest, QuotingRoundTripsThroughDuckDB) {
  const std::string weird = "we\"ird 'name'; DROP TABLE x; --";
  ENGINE_ASSERT_OK(conn_->Execute("CREATE TABLE " + QuoteIdentifier(weird) + " (" +
                                  QuoteIdentifier("col \"1\"") + " VARCHAR)"));
  ENGINE_ASSERT_OK(conn_->Execute("INSERT INTO " + QuoteIdentifier(weird) + " VALUES (" +
                                  QuoteLiteral(weird) + ")"));
  ENGINE_ASSERT_OK_AND_ASSIGN(auto result, conn_->Query("SELECT * FROM " + QuoteIdentifier(weird)));
  EXPECT_EQ(result->ColumnName(0), "col \"1\"");
  ENGINE_ASSERT_OK_AND_ASSIGN(auto rows, result->FetchAllRows());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], Value::String(weird));
  EXPECT_EQ(QuoteIdentifier("a"), "\"a\"");
  EXPECT_EQ(QuoteLiteral("it's"), "'it''s'");
}

}  // namespace
}  // namespace strata::engine
