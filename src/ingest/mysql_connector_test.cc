#include "ingest/mysql_connector.h"

#include <gtest/gtest.h>
#include <mysql.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "ingest/testing/duckdb_sink.h"
#include "ingest/testing/mariadb_server.h"
#include "ingest/testing/postgres_fixture.h"
#include "ingest/testing/postgres_server.h"
#include "ingest/testing/sink_checks_fixture.h"

namespace strata::ingest {
namespace {

using testing::DuckDbSink;
using testing::ExpectColumnTypes;
using testing::ExpectRowSatisfies;
using testing::MariaDbServer;
using testing::PostgresTest;
using testing::Scalar;

std::unique_ptr<MariaDbServer>& Shared() {
  static auto* server = new std::unique_ptr<MariaDbServer>();
  return *server;
}

class MySqlConnectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::once_flag once;
    static Status start_status;
    std::call_once(once, [] {
      auto server = MariaDbServer::Start();
      if (!server.ok()) {
        start_status = server.status();
        return;
      }
      Shared() = std::move(server).value();
      std::atexit([] { Shared().reset(); });
    });
    // Only missing binaries skip: a server that is installed but does not
    // start is a failure to see, not a silent skip.
    if (start_status.IsNotFound()) {
      GTEST_SKIP() << "MariaDB tests skipped: " << start_status.ToString();
    }
    ASSERT_TRUE(start_status.ok()) << start_status.ToString();
    database_ = std::string("t_") + ::testing::UnitTest::GetInstance()->current_test_info()->name();
    ASSERT_TRUE(
        server()
            .Execute("DROP DATABASE IF EXISTS " + database_ + "; CREATE DATABASE " + database_)
            .ok());
  }
  static MariaDbServer& server() { return *Shared(); }
  void Sql(const std::string& sql) {
    Status status = server().Execute(sql, database_);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }
  std::string Yaml() const {
    return "host: 127.0.0.1\nport: " + std::to_string(server().port()) +
           "\nuser: " + server().user() + "\npassword: " + server().password() +
           "\ndatabase: " + database_ + "\n";
  }
  std::unique_ptr<ingest::Connector> Make(const std::string& yaml) {
    auto c = MakeMySqlConnector(PostgresTest::Source(yaml, "mysql"));
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return std::move(c).value();
  }
  static std::unique_ptr<DuckDbSink> Sink() { return std::move(DuckDbSink::Create()).value(); }
  std::string database_;
};

TEST_F(MySqlConnectorTest, EveryTypeRoundTrips) {
  Sql(R"sql(
    CREATE TABLE everything (
      id INT PRIMARY KEY, ti TINYINT, tu TINYINT UNSIGNED, si SMALLINT, mi MEDIUMINT,
      bi BIGINT, bu BIGINT UNSIGNED, d DECIMAL(12,3), f FLOAT, db DOUBLE, vc VARCHAR(40),
      tx TEXT, ch CHAR(4), bl BLOB, vb VARBINARY(8), dt DATE, tm TIME, dtm DATETIME(6),
      ts TIMESTAMP(3) NULL, yr YEAR, en ENUM('a','b'), bt BIT(10), js JSON);
    SET time_zone = '+00:00';
    INSERT INTO everything VALUES
      (1, -128, 255, -32768, 8388607, -9223372036854775808, 18446744073709551615, 123456789.125,
       1.5, -2.25e300, 'comma, "quote"', 'line\nbreak', 'ab', x'00ff10', x'', '2024-02-29',
       '23:59:59', '2024-01-02 03:04:05.123456', '2024-01-02 03:04:05.250', 2024, 'b', b'1000000001',
       '{"k": [1, 2]}'),
      (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL),
      (3, 0, 0, 0, 0, 0, 0, -0.001, 0, 0, '', '', '', x'', x'', '1970-01-01', '00:00:00',
       '1970-01-01 00:00:00', '1970-01-01 00:00:01', 1970, 'a', b'0', '[]');
  )sql");
  auto connector = Make(Yaml());
  auto sink = Sink();
  Status read = connector->Read(PostgresTest::Stream("e", "table: everything"), nullptr, *sink);
  ASSERT_TRUE(read.ok()) << read.ToString();
  ASSERT_EQ(sink->total_rows(), 3);
  const std::vector<std::pair<std::string, std::string>> types = {
      {"ti", "TINYINT"},      {"tu", "UTINYINT"},   {"si", "SMALLINT"},
      {"mi", "INTEGER"},      {"bi", "BIGINT"},     {"bu", "UBIGINT"},
      {"d", "DECIMAL(12,3)"}, {"f", "FLOAT"},       {"db", "DOUBLE"},
      {"vc", "VARCHAR"},      {"tx", "VARCHAR"},    {"ch", "VARCHAR"},
      {"bl", "BLOB"},         {"vb", "BLOB"},       {"dt", "DATE"},
      {"tm", "TIME"},         {"dtm", "TIMESTAMP"}, {"ts", "TIMESTAMP WITH TIME ZONE"},
      {"yr", "SMALLINT"},     {"en", "VARCHAR"},    {"bt", "UBIGINT"}};
  ExpectColumnTypes(*sink, "id = 1", types);
  const std::vector<std::string> row1 = {"ti = -128",
                                         "tu = 255",
                                         "si = -32768",
                                         "mi = 8388607",
                                         "bi = -9223372036854775808",
                                         "bu = 18446744073709551615",
                                         "d = 123456789.125",
                                         "f = 1.5",
                                         "db = -2.25e300",
                                         "vc = 'comma, \"quote\"'",
                                         "tx = 'line' || chr(10) || 'break'",
                                         "ch = 'ab'",
                                         "bl = '\\x00\\xFF\\x10'::BLOB",
                                         "vb = ''::BLOB",
                                         "dt = DATE '2024-02-29'",
                                         "tm = TIME '23:59:59'",
                                         "dtm = TIMESTAMP '2024-01-02 03:04:05.123456'",
                                         "ts = TIMESTAMPTZ '2024-01-02 03:04:05.25+00'",
                                         "yr = 2024",
                                         "en = 'b'",
                                         "bt = 513",
                                         "json_extract(js::JSON, '$.k[1]')::INT = 2"};
  ExpectRowSatisfies(*sink, "id = 1", row1);
  EXPECT_EQ(Scalar(*sink,
                   "SELECT count(*) FROM bronze WHERE id = 2 AND COLUMNS(* EXCLUDE (id)) "
                   "IS NULL"),
            "1");
  EXPECT_EQ(Scalar(*sink,
                   "SELECT (vc = '' AND tx = '' AND bl = ''::BLOB AND bt = 0 AND d = "
                   "-0.001)::VARCHAR FROM bronze WHERE id = 3"),
            "true");
}

TEST_F(MySqlConnectorTest, IncrementalCursorRunsNeitherLoseNorDuplicate) {
  Sql("CREATE TABLE items (id INT PRIMARY KEY, updated_at DATETIME, v VARCHAR(20)); "
      "INSERT INTO items SELECT seq, '2024-01-01 00:00:00' + INTERVAL (seq % 8) HOUR, "
      "CONCAT('v', seq) FROM seq_1_to_40; INSERT INTO items VALUES (41, NULL, 'no cursor');");
  auto connector = Make(Yaml() + "batch_rows: 3\n");
  StreamConfig stream =
      PostgresTest::Stream("items", "table: items", SyncMode::kIncremental, "updated_at");
  auto sink = Sink();
  Status read = connector->Read(stream, nullptr, *sink);
  ASSERT_TRUE(read.ok()) << read.ToString();
  EXPECT_EQ(Scalar(*sink, "SELECT count(*) FROM bronze"), "40");
  ASSERT_EQ(sink->batches().size(), 8u);
  int64_t cumulative = 0;
  for (const auto& committed : sink->batches()) {
    cumulative += committed.rows;
    std::string cursor = committed.batch.state_after["cursor"];
    EXPECT_EQ(Scalar(*sink, "SELECT count(*) FROM bronze WHERE updated_at <= '" + cursor + "'"),
              std::to_string(cumulative))
        << cursor;
  }
  Sql("UPDATE items SET updated_at = '2024-02-01', v = 'updated' WHERE id IN (1, 2, 3); "
      "INSERT INTO items VALUES (100, '2024-02-01', 'new'), (200, '2024-01-01 07:00:00', 'late');");
  auto sink2 = Sink();
  ASSERT_TRUE(connector->Read(stream, sink->batches().back().batch.state_after, *sink2).ok());
  EXPECT_EQ(Scalar(*sink2, "SELECT string_agg(id::VARCHAR || v, ',' ORDER BY id) FROM bronze"),
            "1updated,2updated,3updated,100new");
}

TEST_F(MySqlConnectorTest, SnapshotIsConsistentUnderConcurrentWrites) {
  Sql("CREATE TABLE accounts (id INT AUTO_INCREMENT PRIMARY KEY, balance BIGINT NOT NULL) "
      "ENGINE=InnoDB; INSERT INTO accounts (balance) SELECT 100 FROM seq_1_to_20000;");
  std::atomic<bool> stop{false};
  std::atomic<int64_t> writes{0};
  std::thread writer([&] {
    for (int i = 1; !stop; ++i) {
      std::string sql = "START TRANSACTION; UPDATE accounts SET balance = balance - 5 WHERE id = " +
                        std::to_string(1 + (i * 7919) % 20000) +
                        "; UPDATE accounts SET balance = balance + 5 WHERE id = " +
                        std::to_string(1 + (i * 104729) % 20000) +
                        "; INSERT INTO accounts (balance) VALUES (" + std::to_string(i) + "), (-" +
                        std::to_string(i) + "); COMMIT";
      if (server().Execute(sql, database_).ok()) ++writes;
    }
  });
  auto connector = Make(Yaml() + "batch_rows: 2000\n");
  auto sink = Sink();
  int64_t writes_at_first_commit = -1;
  sink->set_after_commit([&](const DuckDbSink::CommittedBatch&) {
    if (writes_at_first_commit < 0) writes_at_first_commit = writes;
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
  });
  Status read = connector->Read(PostgresTest::Stream("a", "table: accounts"), nullptr, *sink);
  int64_t writes_at_end = writes;
  stop = true;
  writer.join();
  ASSERT_TRUE(read.ok()) << read.ToString();
  EXPECT_GE(sink->batches().size(), 10u);
  EXPECT_GT(writes_at_end, writes_at_first_commit);
  EXPECT_EQ(Scalar(*sink, "SELECT sum(balance) FROM bronze"), "2000000");
  EXPECT_EQ(Scalar(*sink, "SELECT count(*) - count(DISTINCT id) FROM bronze"), "0");
}

TEST_F(MySqlConnectorTest, MillionRowTableStreamsInBoundedMemory) {
  Sql("CREATE TABLE big (id BIGINT, payload VARCHAR(200)); "
      "INSERT INTO big SELECT seq, REPEAT(MD5(seq), 6) FROM seq_1_to_1000000;");
  auto connector = Make(Yaml() + "batch_rows: 100000\n");
  auto sink = Sink();
  sink->set_count_only(true);
  rusage before{};
  getrusage(RUSAGE_SELF, &before);
  ASSERT_TRUE(connector->Read(PostgresTest::Stream("big", "table: big"), nullptr, *sink).ok());
  rusage after{};
  getrusage(RUSAGE_SELF, &after);
  int64_t growth = (after.ru_maxrss - before.ru_maxrss) * 1024;
  int64_t bytes = 0;
  for (const auto& b : sink->batches()) bytes += b.batch.source_bytes;
  EXPECT_EQ(sink->total_rows(), 1000000);
  EXPECT_EQ(sink->batches().size(), 10u);
  EXPECT_GT(bytes, 195'000'000);
#ifndef __SANITIZE_ADDRESS__  // ASan holds freed memory in a 256 MB quarantine
  EXPECT_LT(growth, bytes / 4) << "peak RSS grew by " << growth;
#endif
}

TEST_F(MySqlConnectorTest, ErrorsSayWhatToFixAndHideThePassword) {
  Sql("CREATE TABLE present (id INT, at DATETIME)");
  auto port = testing::FreeLoopbackPort();
  ASSERT_TRUE(port.ok());
  Status refused =
      Make("host: 127.0.0.1\nport: " + std::to_string(*port) + "\nuser: x\ndatabase: y\n")->Check();
  EXPECT_EQ(refused.code(), StatusCode::kUnavailable) << refused.ToString();
  EXPECT_NE(refused.message().find("127.0.0.1:" + std::to_string(*port)), std::string::npos);

  const std::string secret = "My-Wrong-Secret-77";
  setenv("STRATA_TEST_MYSQL_PASSWORD", secret.c_str(), 1);
  Status denied =
      Make("host: 127.0.0.1\nport: " + std::to_string(server().port()) +
           "\nuser: strata\ndatabase: " + database_ + "\npassword: ${STRATA_TEST_MYSQL_PASSWORD}\n")
          ->Check();
  EXPECT_EQ(denied.code(), StatusCode::kPermissionDenied) << denied.ToString();
  EXPECT_EQ(denied.ToString().find(secret), std::string::npos) << denied.ToString();
  EXPECT_NE(denied.message().find("check `user` and `password`"), std::string::npos);

  auto connector = Make(Yaml());
  auto sink = Sink();
  Status missing = connector->Read(PostgresTest::Stream("m", "table: absent"), nullptr, *sink);
  EXPECT_EQ(missing.code(), StatusCode::kNotFound) << missing.ToString();
  EXPECT_NE(missing.message().find("absent"), std::string::npos);
  Status no_cursor = connector->Read(
      PostgresTest::Stream("p", "table: present", SyncMode::kIncremental, "updated_at"), nullptr,
      *sink);
  EXPECT_EQ(no_cursor.code(), StatusCode::kInvalidArgument) << no_cursor.ToString();
  EXPECT_NE(no_cursor.message().find("columns: id, at"), std::string::npos) << no_cursor.message();
}

TEST(MySqlConnectorRegistryTest, RegisteredAsMysqlAndMariadb) {
  RegisterBuiltinConnectors();
  std::vector<std::string> names = ConnectorNames();
  EXPECT_NE(std::find(names.begin(), names.end(), "mysql"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "mariadb"), names.end());
}

}  // namespace
}  // namespace strata::ingest
