// The postgres connector through the real driver: strata.yml, RunIngest, the
// bronze writer and Delta tables, against a PostgreSQL started by the test.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "ingest/delta_query_testing.h"
#include "ingest/ingest.h"
#include "ingest/strata_process_testing.h"
#include "ingest/testing/postgres_fixture.h"
#include "lake/lake.h"
#include "project/project.h"

namespace strata::ingest {
namespace {

class PostgresIngestTest : public testing::PostgresTest {
 protected:
  void SetUp() override {
    PostgresTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    char tmpl[] = "/tmp/strata_pg_ingest_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    db_ = *engine::Database::Open();
    conn_ = *engine::Connection::Open(*db_);
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  IngestReport Ingest(const std::string& sources) {
    std::ofstream(dir_ + "/strata.yml") << "name: t\nsources:\n" << sources;
    auto project = project::Project::Open(fs_, dir_);
    EXPECT_TRUE(project.ok()) << project.status().ToString();
    if (!project.ok()) return {};
    auto report = RunIngest(**project, {});
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : IngestReport{};
  }

  // `select` over the bronze table's rows ({t}), as text.
  std::string Query(const std::string& table, const std::string& select) {
    return testing::QueryDeltaTable(*conn_, dir_ + "/warehouse/bronze/" + table, select);
  }

  FileSystem& fs_ = *FileSystem::Default();
  std::string dir_;
  std::unique_ptr<engine::Database> db_;
  std::unique_ptr<engine::Connection> conn_;
};

TEST_F(PostgresIngestTest, IncrementalAndFullRefreshThroughTheDriver) {
  Sql("CREATE TABLE orders (id int PRIMARY KEY, amount numeric(10,2), updated_at timestamptz);"
      "INSERT INTO orders SELECT g, g * 1.5, timestamptz '2024-01-01 00:00:00+00' + g * "
      "interval '1 minute' FROM generate_series(1, 2500) g;");
  setenv("STRATA_TEST_PG_INGEST_PASSWORD", server().password().c_str(), 1);
  const std::string sources =
      "  shop:\n    connector: postgres\n    host: 127.0.0.1\n    port: " +
      std::to_string(server().port()) +
      "\n    user: postgres\n    password: ${STRATA_TEST_PG_INGEST_PASSWORD}\n    database: " +
      database_ +
      "\n    batch_rows: 1000\n    streams:\n"
      "      orders: {table: public.orders, sync: incremental, cursor: updated_at}\n"
      "      snapshot: {table: orders, columns: [id, amount]}\n";
  IngestReport first = Ingest(sources);
  ASSERT_EQ(first.streams.size(), 2u);
  for (const StreamReport& s : first.streams) EXPECT_EQ(s.status, "succeeded") << s.error;
  EXPECT_EQ(Query("shop_orders",
                  "SELECT count(*) || ' ' || count(DISTINCT id) || ' ' || "
                  "sum(amount) FROM {t}"),
            "2500 2500 4689375.00");
  EXPECT_EQ(Query("shop_snapshot", "SELECT count(*) FROM {t}"), "2500");

  Sql("UPDATE orders SET amount = 0, updated_at = '2030-01-01' WHERE id <= 10;"
      "INSERT INTO orders VALUES (9001, 1, '2030-01-02'); DELETE FROM orders WHERE id = 2500;");
  IngestReport second = Ingest(sources);
  ASSERT_EQ(second.streams.size(), 2u);
  for (const StreamReport& s : second.streams) EXPECT_EQ(s.status, "succeeded") << s.error;
  // Incremental: bronze keeps every version, so 11 more rows.
  EXPECT_EQ(Query("shop_orders", "SELECT count(*) FROM {t}"), "2511");
  EXPECT_EQ(Query("shop_orders", "SELECT count(*) FROM {t} WHERE amount = 0"), "10");
  // Full refresh: the table is the source now.
  EXPECT_EQ(Query("shop_snapshot", "SELECT count(*) || ' ' || max(id) FROM {t}"), "2500 9001");
}

TEST_F(PostgresIngestTest, ASourceThatFailsPartWayCommitsOnlyWholeBatches) {
  // The server sends rows 1..2499, then fails the COPY on row 2500, in the
  // middle of the third 1000-row batch.
  const std::string sources =
      "  calc:\n    connector: postgres\n    host: 127.0.0.1\n    port: " +
      std::to_string(server().port()) +
      "\n    user: postgres\n    password: " + server().password() +
      "\n    database: " + database_ +
      "\n    batch_rows: 1000\n    streams:\n"
      "      ratios: {query: 'SELECT g AS id, 100 / (2500 - g) AS r FROM generate_series(1, "
      "3000) g'}\n";
  IngestReport report = Ingest(sources);
  ASSERT_EQ(report.streams.size(), 1u);
  EXPECT_EQ(report.streams[0].status, "failed");
  EXPECT_NE(report.streams[0].error.find("division by zero"), std::string::npos)
      << report.streams[0].error;
  // Two whole batches, and nothing of the one the failure cut.
  EXPECT_EQ(Query("calc_ratios", "SELECT count(*) || ' ' || min(id) || ' ' || max(id) FROM {t}"),
            "2000 1 2000");
}

TEST_F(PostgresIngestTest, SigkilledIncrementalLoadsResumeExactlyOnce) {
  // `strata ingest` is a real process here, killed at random moments while
  // binary COPY batches stream into bronze; each rerun resumes from the last
  // committed cursor. Bronze must end with every row once.
  constexpr int kRows = 1000000;
  Sql("CREATE TABLE events (id bigint PRIMARY KEY, payload text, amount numeric(10,2));"
      "INSERT INTO events SELECT g, 'event ' || g, (g % 1000) / 10.0 FROM generate_series(1, " +
      std::to_string(kRows) + ") g;");
  std::ofstream(dir_ + "/strata.yml")
      << "name: t\nsources:\n  pg:\n    connector: postgres\n    host: 127.0.0.1\n    port: "
      << server().port() << "\n    user: postgres\n    password: " << server().password()
      << "\n    database: " << database_
      << "\n    batch_rows: 50000\n    streams:\n"
         "      events: {table: events, sync: incremental, cursor: id}\n";
  std::mt19937 random(20261130);
  int killed = 0;
  for (int attempt = 0; attempt < 5; ++attempt) {
    const pid_t pid = testing::StartIngest(dir_);
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(80, 400)(random)));
    kill(pid, SIGKILL);
    if (testing::WaitForExit(pid) == 128 + SIGKILL) ++killed;
  }
  // A whole load takes well over 400 ms, so at least the first run dies
  // part way; later ones have less left to do and may finish.
  EXPECT_GE(killed, 1);
  ASSERT_EQ(testing::WaitForExit(testing::StartIngest(dir_)), 0);
  EXPECT_EQ(Query("pg_events",
                  "SELECT count(*) || ' ' || count(DISTINCT id) || ' ' || min(id) || "
                  "' ' || max(id) || ' ' || sum(amount) FROM {t}"),
            "1000000 1000000 1 1000000 49950000.00");
}

}  // namespace
}  // namespace strata::ingest
