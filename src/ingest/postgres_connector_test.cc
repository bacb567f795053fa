#include "ingest/postgres_connector.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>

#include "ingest/testing/duckdb_sink.h"
#include "ingest/testing/postgres_fixture.h"
#include "ingest/testing/sink_checks_fixture.h"

namespace strata::ingest {
namespace {

using testing::DuckDbSink;
using testing::ExpectColumnTypes;
using testing::ExpectRowSatisfies;
using testing::PostgresTest;
using testing::Scalar;

std::unique_ptr<DuckDbSink> NewSink() {
  auto sink = DuckDbSink::Create();
  EXPECT_TRUE(sink.ok()) << sink.status().ToString();
  return std::move(sink).value();
}

std::unique_ptr<Connector> NewConnector(const SourceConfig& source) {
  auto connector = MakePostgresConnector(source);
  EXPECT_TRUE(connector.ok()) << connector.status().ToString();
  return std::move(connector).value();
}

class PostgresConnectorTest : public PostgresTest {
 protected:
  // The single value of `sql` run on this test's source database.
  std::string SourceScalar(const std::string& sql) {
    PGconn* conn = PQconnectdb(server().ConnInfo(database_).c_str());
    PGresult* result = PQexec(conn, sql.c_str());
    std::string value = PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) == 1
                            ? PQgetvalue(result, 0, 0)
                            : std::string("<error> ") + PQerrorMessage(conn);
    PQclear(result);
    PQfinish(conn);
    return value;
  }
};

TEST_F(PostgresConnectorTest, EveryTypeRoundTrips) {
  Sql(R"sql(
    CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
    CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0);
    CREATE TABLE everything (
      id int4 PRIMARY KEY, i2 int2, i8 int8, n numeric(12,3), nu numeric, f4 float4, f8 float8,
      b bool, t text, vc varchar(20), ch char(5), byt bytea, d date, tm time, ts timestamp,
      tz timestamptz, iv interval, u uuid, j json, jb jsonb, ia int4[], ta text[], m mood,
      dom positive_int);
    INSERT INTO everything VALUES
      (1, 32767, -9223372036854775808, 123456789.125, 12345678901234567890.5, 1.5, -2.25e300,
       true, 'plain', 'varchar', 'ab', '\x00ff10', '2024-02-29', '23:59:59.999999',
       '2024-01-02 03:04:05.123456', '2024-01-02 03:04:05+02', '1 year 2 mons 3 days 04:05:06.5',
       'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"k": [1, 2]}', '{"z": null}', '{1,NULL,3}',
       '{"a,b","q\"uote",NULL}', 'happy', 7),
      (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
      (3, -32768, 0, -0.001, 'NaN', 'Infinity', '-Infinity', false, '', E'line\nbreak, "q"',
       'x', '', 'infinity', '00:00:00', '1970-01-01 00:00:00', '2000-06-30 23:00:00-05:30',
       '-1 days -00:00:00.000001', '00000000-0000-0000-0000-000000000000', '[]', '"s"', '{}',
       '{}', 'sad', 1);
  )sql");
  auto connector = NewConnector(Source(ConnectionYaml()));
  auto sink = NewSink();
  ASSERT_TRUE(
      connector->Read(Stream("everything", "table: public.everything"), nullptr, *sink).ok());
  ASSERT_EQ(sink->total_rows(), 3);

  // Types, from the documented mapping.
  const std::vector<std::pair<std::string, std::string>> types = {
      {"id", "INTEGER"},   {"i2", "SMALLINT"},
      {"i8", "BIGINT"},    {"n", "DECIMAL(12,3)"},
      {"nu", "DOUBLE"},    {"f4", "FLOAT"},
      {"f8", "DOUBLE"},    {"b", "BOOLEAN"},
      {"t", "VARCHAR"},    {"vc", "VARCHAR"},
      {"ch", "VARCHAR"},   {"byt", "BLOB"},
      {"d", "DATE"},       {"tm", "TIME"},
      {"ts", "TIMESTAMP"}, {"tz", "TIMESTAMP WITH TIME ZONE"},
      {"iv", "INTERVAL"},  {"u", "UUID"},
      {"j", "JSON"},       {"jb", "JSON"},
      {"ia", "INTEGER[]"}, {"ta", "VARCHAR[]"},
      {"m", "VARCHAR"},    {"dom", "INTEGER"}};
  ExpectColumnTypes(*sink, "id = 1", types);
  // Row 1: each value equals the literal inserted, written as DuckDB literals.
  const std::vector<std::string> row1 = {"i2 = 32767",
                                         "i8 = -9223372036854775808",
                                         "n = 123456789.125",
                                         "nu = 12345678901234567890.5::DOUBLE",
                                         "f4 = 1.5::FLOAT",
                                         "f8 = -2.25e300",
                                         "b",
                                         "t = 'plain'",
                                         "vc = 'varchar'",
                                         "ch = 'ab   '",
                                         "byt = '\\x00\\xFF\\x10'::BLOB",
                                         "d = DATE '2024-02-29'",
                                         "tm = TIME '23:59:59.999999'",
                                         "ts = TIMESTAMP '2024-01-02 03:04:05.123456'",
                                         "tz = TIMESTAMPTZ '2024-01-02 01:04:05+00'",
                                         "iv = INTERVAL '1 year 2 months 3 days 04:05:06.5'",
                                         "u = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::UUID",
                                         "j->'k'->>1 = '2'",
                                         "json_keys(jb) = ['z'] AND (jb->>'z') IS NULL",
                                         "ia = [1, NULL, 3]",
                                         "ta = ['a,b', 'q\"uote', NULL]",
                                         "m = 'happy'",
                                         "dom = 7"};
  ExpectRowSatisfies(*sink, "id = 1", row1);
  // Row 2: NULL everywhere (not empty strings).
  EXPECT_EQ(Scalar(*sink,
                   "SELECT count(*) FROM bronze WHERE id = 2 AND COLUMNS(* EXCLUDE (id)) "
                   "IS NULL"),
            "1");
  // Row 3: edge values.
  const std::vector<std::string> row3 = {"i2 = -32768",
                                         "n = -0.001",
                                         "isnan(nu)",
                                         "f4 = 'Infinity'::FLOAT",
                                         "f8 = '-Infinity'::DOUBLE",
                                         "NOT b",
                                         "t = ''",
                                         "vc = 'line' || chr(10) || 'break, \"q\"'",
                                         "byt = ''::BLOB",
                                         "d = 'infinity'::DATE",
                                         "tm = TIME '00:00:00'",
                                         "ts = TIMESTAMP '1970-01-01'",
                                         "tz = TIMESTAMPTZ '2000-07-01 04:30:00+00'",
                                         "iv = INTERVAL '-1 day' - INTERVAL '1 microsecond'",
                                         "u = '00000000-0000-0000-0000-000000000000'::UUID",
                                         "j::VARCHAR = '[]'",
                                         "jb::VARCHAR = '\"s\"'",
                                         "ia = []",
                                         "len(ta) = 0",
                                         "m = 'sad'"};
  ExpectRowSatisfies(*sink, "id = 3", row3);
}

TEST_F(PostgresConnectorTest, ValuesDuckDbCannotHoldGoToTheQuarantine) {
  // NaN fits PostgreSQL's numeric(12,3) but not DECIMAL(12,3); 294270 AD fits
  // PostgreSQL's timestamp but not DuckDB's.
  Sql("CREATE TABLE odd (id int, n numeric(12,3), ts timestamp, note text); "
      "INSERT INTO odd VALUES (1, 1.5, '2024-01-01', 'fine'), (2, 'NaN', '2024-01-01', 'nan'), "
      "(3, 2.5, '294270-01-01', 'late'), (4, NULL, NULL, NULL)");
  auto connector = NewConnector(Source(ConnectionYaml()));
  auto sink = NewSink();
  Status read = connector->Read(Stream("odd", "table: odd"), nullptr, *sink);
  ASSERT_TRUE(read.ok()) << read.ToString();
  EXPECT_EQ(Scalar(*sink, "SELECT string_agg(id::VARCHAR, ',' ORDER BY id) FROM bronze"), "1,4");
  EXPECT_EQ(Scalar(*sink, "SELECT n FROM bronze WHERE id = 1"), "1.500");
  ASSERT_EQ(sink->quarantined().size(), 2u);
  const BadRecord& nan = sink->quarantined()[0];
  EXPECT_EQ(nan.stream, "odd");
  EXPECT_EQ(nan.file, "table 'public.odd'");
  EXPECT_EQ(nan.line, 2);
  EXPECT_NE(nan.reason.find("column 'n': NaN"), std::string::npos) << nan.reason;
  EXPECT_NE(nan.raw.find("'nan'"), std::string::npos) << nan.raw;
  const BadRecord& late = sink->quarantined()[1];
  EXPECT_EQ(late.line, 3);
  EXPECT_NE(late.reason.find("column 'ts'"), std::string::npos) << late.reason;
  EXPECT_NE(late.reason.find("past DuckDB's range"), std::string::npos) << late.reason;
}

TEST_F(PostgresConnectorTest, TextThatIsNotUtf8GoesToTheQuarantine) {
  // A SQL_ASCII database stores bytes unchecked and sends them as they are.
  ASSERT_TRUE(server().Execute("DROP DATABASE " + database_).ok());
  ASSERT_TRUE(server()
                  .Execute("CREATE DATABASE " + database_ +
                           " ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0")
                  .ok());
  Sql("CREATE TABLE latin (id int, name text); "
      "INSERT INTO latin VALUES (1, 'plain'), (2, convert_from('\\x636166e9', 'SQL_ASCII'))");
  auto connector = NewConnector(Source(ConnectionYaml()));
  auto sink = NewSink();
  Status read = connector->Read(Stream("latin", "table: latin"), nullptr, *sink);
  ASSERT_TRUE(read.ok()) << read.ToString();
  EXPECT_EQ(Scalar(*sink, "SELECT string_agg(name, ',') FROM bronze"), "plain");
  ASSERT_EQ(sink->quarantined().size(), 1u);
  EXPECT_NE(sink->quarantined()[0].reason.find("column 'name': text is not valid UTF-8"),
            std::string::npos)
      << sink->quarantined()[0].reason;
  EXPECT_EQ(sink->quarantined()[0].raw, "(2, 'caf\\xe9')");
}

TEST_F(PostgresConnectorTest, QueryStreamAndColumnSelection) {
  Sql("CREATE TABLE t (a int, b text, c float8); "
      "INSERT INTO t SELECT g, 'r' || g, g / 2.0 FROM generate_series(1, 10) g;");
  auto connector = NewConnector(Source(ConnectionYaml()));
  auto sink = NewSink();
  ASSERT_TRUE(connector->Read(Stream("s", "table: t\ncolumns: [c, a]"), nullptr, *sink).ok());
  EXPECT_EQ(Scalar(*sink,
                   "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM "
                   "information_schema.columns WHERE table_name = 'bronze'"),
            "c,a");
  EXPECT_EQ(Scalar(*sink, "SELECT sum(a)::VARCHAR || '/' || sum(c)::VARCHAR FROM bronze"),
            "55/27.5");

  auto sink2 = NewSink();
  ASSERT_TRUE(
      connector
          ->Read(Stream("q", "query: SELECT a * 10 AS x, upper(b) AS y FROM t WHERE a <= 3"),
                 nullptr, *sink2)
          .ok());
  EXPECT_EQ(Scalar(*sink2, "SELECT string_agg(x || y, ' ' ORDER BY x) FROM bronze"),
            "10R1 20R2 30R3");
}

TEST_F(PostgresConnectorTest, FullRefreshOfEmptyTableReplacesWithNothing) {
  Sql("CREATE TABLE empty_t (a int, b text)");
  auto connector = NewConnector(Source(ConnectionYaml()));
  auto sink = NewSink();
  ASSERT_TRUE(connector->Read(Stream("e", "table: empty_t"), nullptr, *sink).ok());
  ASSERT_EQ(sink->batches().size(), 1u);
  EXPECT_TRUE(sink->batches()[0].batch.replace_table);
  EXPECT_EQ(sink->batches()[0].batch.state_after["complete"], true);
  EXPECT_EQ(Scalar(*sink, "SELECT count(*) FROM bronze"), "0");
}

TEST_F(PostgresConnectorTest, SnapshotIsConsistentUnderConcurrentWrites) {
  constexpr int kAccounts = 20000;
  Sql("CREATE TABLE accounts (id bigserial PRIMARY KEY, balance bigint NOT NULL); "
      "INSERT INTO accounts (balance) SELECT 100 FROM generate_series(1, 20000);");
  // A writer moves money between accounts and opens pairs of accounts whose
  // balances cancel: every committed state has sum(balance) = 100 * 20000.
  std::atomic<bool> stop{false};
  std::atomic<int64_t> writes{0};
  std::string conninfo = server().ConnInfo(database_);
  std::thread writer([&] {
    PGconn* conn = PQconnectdb(conninfo.c_str());
    for (int i = 0; !stop && PQstatus(conn) == CONNECTION_OK; ++i) {
      int from = 1 + (i * 7919) % kAccounts;
      int to = 1 + (i * 104729 + 13) % kAccounts;
      std::string sql =
          "BEGIN; UPDATE accounts SET balance = balance - 5 WHERE id = " + std::to_string(from) +
          "; UPDATE accounts SET balance = balance + 5 WHERE id = " + std::to_string(to) +
          "; INSERT INTO accounts (balance) VALUES (" + std::to_string(i) + "), (-" +
          std::to_string(i) + "); COMMIT;";
      PGresult* r = PQexec(conn, sql.c_str());
      if (PQresultStatus(r) == PGRES_COMMAND_OK) ++writes;
      PQclear(r);
    }
    PQfinish(conn);
  });
  auto connector = NewConnector(Source(ConnectionYaml() + "batch_rows: 2000\n"));
  auto sink = NewSink();
  int64_t writes_at_first_commit = -1;
  sink->set_after_commit([&](const DuckDbSink::CommittedBatch&) {
    if (writes_at_first_commit < 0) writes_at_first_commit = writes;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  });
  Status read = connector->Read(Stream("accounts", "table: accounts"), nullptr, *sink);
  int64_t writes_at_end = writes;
  stop = true;
  writer.join();
  ASSERT_TRUE(read.ok()) << read.ToString();
  EXPECT_GE(sink->batches().size(), 10u);
  // The writer committed while the snapshot was being read...
  EXPECT_GT(writes_at_end, writes_at_first_commit);
  // ...and none of it is half-visible.
  EXPECT_EQ(Scalar(*sink, "SELECT sum(balance) FROM bronze"), std::to_string(100 * kAccounts));
  EXPECT_EQ(std::stoll(Scalar(*sink, "SELECT count(*) FROM bronze")) % 2, 0);
  EXPECT_EQ(Scalar(*sink, "SELECT count(*) - count(DISTINCT id) FROM bronze"), "0");
}

TEST_F(PostgresConnectorTest, IncrementalCursorRunsNeitherLoseNorDuplicate) {
  // 40 rows over 8 distinct cursor values (5 rows each): batches of 3 rows
  // must still cut only between cursor values.
  Sql("CREATE TABLE items (id int PRIMARY KEY, updated_at timestamptz, v text); "
      "INSERT INTO items SELECT g, timestamptz '2024-01-01 00:00:00+00' + (g % 8) * interval '1 "
      "hour', 'v' || g FROM generate_series(1, 40) g; "
      "INSERT INTO items VALUES (41, NULL, 'no cursor');");
  auto connector = NewConnector(Source(ConnectionYaml() + "batch_rows: 3\n"));
  StreamConfig stream = Stream("items", "table: items", SyncMode::kIncremental, "updated_at");
  auto sink = NewSink();
  Status first = connector->Read(stream, nullptr, *sink);
  ASSERT_TRUE(first.ok()) << first.ToString();
  EXPECT_EQ(Scalar(*sink, "SELECT count(*) FROM bronze"), "40");
  ASSERT_EQ(sink->batches().size(), 8u);
  int64_t cumulative = 0;
  for (const auto& committed : sink->batches()) {
    cumulative += committed.rows;
    // Every source row up to this batch's cursor has been committed, and no more.
    std::string cursor = committed.batch.state_after["cursor"];
    EXPECT_EQ(Scalar(*sink, "SELECT count(*) FROM bronze WHERE updated_at <= '" + cursor +
                                "'::TIMESTAMPTZ"),
              std::to_string(cumulative))
        << cursor;
  }
  nlohmann::json state = sink->batches().back().batch.state_after;
  EXPECT_EQ(state["cursor_field"], "updated_at");

  // Between runs: 3 updates (moving rows forward) and 4 inserts, two of them
  // at the saved cursor value itself (not after it) and so never picked.
  Sql("UPDATE items SET updated_at = '2024-02-01 00:00:00+00', v = 'updated' WHERE id IN (1, 2, "
      "3); "
      "INSERT INTO items SELECT g, '2024-02-01 00:00:00+00', 'new' FROM generate_series(100, 101) "
      "g;"
      "INSERT INTO items SELECT g, '2024-01-01 07:00:00+00', 'late' FROM generate_series(200, 201) "
      "g;");
  auto sink2 = NewSink();
  ASSERT_TRUE(connector->Read(stream, state, *sink2).ok());
  EXPECT_EQ(Scalar(*sink2, "SELECT string_agg(id::VARCHAR || v, ',' ORDER BY id) FROM bronze"),
            "1updated,2updated,3updated,100new,101new");

  // A third run with nothing new commits nothing.
  auto sink3 = NewSink();
  ASSERT_TRUE(connector->Read(stream, sink2->batches().back().batch.state_after, *sink3).ok());
  EXPECT_TRUE(sink3->batches().empty());

  // Resuming from a middle batch's state (a crash after that commit) reads
  // exactly the source rows after that cursor, as the source is now.
  const auto& middle = sink->batches()[3];
  auto sink4 = NewSink();
  ASSERT_TRUE(connector->Read(stream, middle.batch.state_after, *sink4).ok());
  std::string middle_cursor = middle.batch.state_after["cursor"];
  EXPECT_EQ(Scalar(*sink4, "SELECT string_agg(id::VARCHAR, ',' ORDER BY id) FROM bronze"),
            SourceScalar("SELECT string_agg(id::text, ',' ORDER BY id) FROM items WHERE "
                         "updated_at > '" +
                         middle_cursor + "'::timestamptz"));
}

int64_t PeakRssBytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<int64_t>(usage.ru_maxrss) * 1024;
}

TEST_F(PostgresConnectorTest, MillionRowTableStreamsInBoundedMemory) {
  Sql("CREATE TABLE big (id bigint, payload text, amount numeric(12,2)); "
      "INSERT INTO big SELECT g, repeat(md5(g::text), 6), g / 100.0 FROM generate_series(1, "
      "1000000) g;");
  auto connector = NewConnector(Source(ConnectionYaml() + "batch_rows: 100000\n"));
  auto sink = NewSink();
  sink->set_count_only(true);
  int64_t rss_before = PeakRssBytes();
  ASSERT_TRUE(connector->Read(Stream("big", "table: big"), nullptr, *sink).ok());
  int64_t rss_growth = PeakRssBytes() - rss_before;
  EXPECT_EQ(sink->total_rows(), 1000000);
  EXPECT_EQ(sink->batches().size(), 10u);
  int64_t source_bytes = 0;
  for (const auto& b : sink->batches()) source_bytes += b.batch.source_bytes;
  // Each row is 192 payload bytes and more: the table's text is > 200 MB.
  EXPECT_GT(source_bytes, 200'000'000);
#ifndef __SANITIZE_ADDRESS__  // ASan holds freed memory in a 256 MB quarantine
  EXPECT_LT(rss_growth, source_bytes / 4) << "peak RSS grew by " << rss_growth << " bytes";
#endif
}

TEST_F(PostgresConnectorTest, CancelStopsTheReadBetweenBatches) {
  Sql("CREATE TABLE c AS SELECT g AS id FROM generate_series(1, 10000) g");
  auto connector = NewConnector(Source(ConnectionYaml() + "batch_rows: 1000\n"));
  auto sink = NewSink();
  sink->set_cancel_after(2);
  Status status = connector->Read(Stream("c", "table: c"), nullptr, *sink);
  EXPECT_EQ(status.code(), StatusCode::kAborted) << status.ToString();
  ASSERT_EQ(sink->batches().size(), 2u);
  EXPECT_EQ(Scalar(*sink, "SELECT count(*) || '/' || min(id) || '/' || max(id) FROM bronze"),
            "2000/1/2000");
  // The connection was given up mid-COPY; a new read works.
  auto again = NewSink();
  ASSERT_TRUE(connector->Read(Stream("c", "table: c"), nullptr, *again).ok());
  EXPECT_EQ(again->total_rows(), 10000);
}

TEST_F(PostgresConnectorTest, ConnectionRefusedNamesHostAndPort) {
  auto port = testing::FreeLoopbackPort();
  ASSERT_TRUE(port.ok());
  auto connector = NewConnector(Source("host: 127.0.0.1\nport: " + std::to_string(*port) +
                                       "\nuser: postgres\ndatabase: x\n"));
  Status status = connector->Check();
  EXPECT_EQ(status.code(), StatusCode::kUnavailable) << status.ToString();
  EXPECT_NE(status.message().find("127.0.0.1:" + std::to_string(*port)), std::string::npos)
      << status.message();
  EXPECT_NE(status.message().find("check `host` and `port`"), std::string::npos);
}

TEST_F(PostgresConnectorTest, AuthFailureNeverShowsThePassword) {
  const std::string secret = "Wr0ng-But-Secret-pw!";
  setenv("STRATA_TEST_PG_PASSWORD", secret.c_str(), 1);
  auto connector = NewConnector(Source("host: 127.0.0.1\nport: " + std::to_string(server().port()) +
                                       "\nuser: postgres\ndatabase: " + database_ +
                                       "\npassword: ${STRATA_TEST_PG_PASSWORD}\n"));
  auto sink = NewSink();
  Status status = connector->Read(Stream("t", "table: t"), nullptr, *sink);
  EXPECT_EQ(status.code(), StatusCode::kPermissionDenied) << status.ToString();
  EXPECT_NE(status.message().find("check `user` and `password`"), std::string::npos);
  EXPECT_EQ(status.ToString().find(secret), std::string::npos) << status.ToString();

  // A password inside a URL is redacted too, whatever goes wrong.
  const std::string url_secret = "url-secret-7731";
  auto by_url = NewConnector(Source("url: postgresql://postgres:" + url_secret + "@127.0.0.1:" +
                                    std::to_string(server().port()) + "/no_such_db"));
  Status missing_db = by_url->Check();
  EXPECT_FALSE(missing_db.ok());
  EXPECT_EQ(missing_db.ToString().find(url_secret), std::string::npos) << missing_db.ToString();
}

TEST_F(PostgresConnectorTest, MissingTableAndCursorSayWhatToFix) {
  Sql("CREATE TABLE present (id int, at timestamp)");
  auto connector = NewConnector(Source(ConnectionYaml()));
  auto sink = NewSink();
  Status missing = connector->Read(Stream("m", "table: public.absent"), nullptr, *sink);
  EXPECT_EQ(missing.code(), StatusCode::kNotFound) << missing.ToString();
  EXPECT_NE(missing.message().find("public.absent"), std::string::npos);
  EXPECT_NE(missing.message().find("`table`"), std::string::npos);

  Status no_cursor = connector->Read(
      Stream("p", "table: present", SyncMode::kIncremental, "updated_at"), nullptr, *sink);
  EXPECT_EQ(no_cursor.code(), StatusCode::kInvalidArgument) << no_cursor.ToString();
  EXPECT_NE(no_cursor.message().find("'updated_at'"), std::string::npos);
  EXPECT_NE(no_cursor.message().find("columns: id, at"), std::string::npos) << no_cursor.message();
  EXPECT_EQ(connector->Check().code(), StatusCode::kOk);
}

TEST(PostgresConnectorRegistryTest, RegisteredAsPostgres) {
  RegisterBuiltinConnectors();
  std::vector<std::string> names = ConnectorNames();
  EXPECT_NE(std::find(names.begin(), names.end(), "postgres"), names.end());
  SourceConfig source = PostgresTest::Source("port: 5432\n");
  auto made = MakeConnector(source);
  EXPECT_TRUE(made.status().IsInvalidArgument()) << "no host or dsn must be refused";
}

}  // namespace
}  // namespace strata::ingest
