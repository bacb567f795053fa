// Several SqlSessions on connections of one DuckDB database, as the dbt
// runner's worker threads use them: they read the same warehouse tables and
// views (whose DuckDB views live in the shared catalog and are rebuilt as
// the tables change) while another thread commits to those tables and
// another replaces a view's definition. No statement may fail, and every
// read must see one consistent table version.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "sql/session.h"

namespace strata::sql {
namespace {

constexpr int kReaders = 4;
constexpr int kStatementsPerReader = 80;
constexpr int kCommits = 25;

TEST(ViewConcurrencyTest, ReadersWriterAndReplacerShareOneDatabase) {
  char tmpl[] = "/tmp/strata_view_conc_XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  FileSystem& fs = *FileSystem::Default();
  auto db = *engine::Database::Open();
  auto warehouse = *Warehouse::Open(dir + "/warehouse", {"bronze", "silver"}, fs);

  struct Worker {
    std::unique_ptr<engine::Connection> conn;
    std::unique_ptr<SqlSession> session;
  };
  auto make_worker = [&]() {
    Worker w;
    w.conn = *engine::Connection::Open(*db);
    auto session = SqlSession::Create(*w.conn, warehouse.get(), fs);
    EXPECT_TRUE(session.ok()) << session.status().ToString();
    w.session = std::move(session).value();
    return w;
  };
  auto run = [](Worker& w,
                const std::string& sql) -> Result<std::vector<std::vector<engine::Value>>> {
    STRATA_ASSIGN_OR_RETURN(auto result, w.session->Execute(sql));
    return result->FetchAllRows();
  };

  Worker setup = make_worker();
  // Row i has v = i, so a consistent read of n rows sums to n (n + 1) / 2.
  ASSERT_TRUE(run(setup, "create table bronze.events as select 1 as v").ok());
  ASSERT_TRUE(run(setup, "create table bronze.labels as select 1 as v, 'one' as label").ok());
  ASSERT_TRUE(run(setup,
                  "create view silver.stats as select count(*) as n, sum(v)::bigint as s "
                  "from bronze.events")
                  .ok());
  ASSERT_TRUE(run(setup,
                  "create view silver.labelled as select e.v, l.label from "
                  "bronze.events e left join bronze.labels l using (v)")
                  .ok());
  ASSERT_TRUE(run(setup,
                  "create view silver.summary as select (select n from silver.stats) as "
                  "n, (select count(*) from silver.labelled) as m")
                  .ok());

  std::vector<Worker> readers;
  for (int i = 0; i < kReaders; ++i) readers.push_back(make_worker());
  Worker writer = make_worker();
  Worker replacer = make_worker();

  std::atomic<bool> writing{true};
  std::atomic<int> failures{0};
  std::vector<std::string> errors(kReaders + 2);
  std::vector<std::thread> threads;
  for (int r = 0; r < kReaders; ++r) {
    threads.emplace_back([&, r] {
      int64_t last_n = 0;
      for (int i = 0; i < kStatementsPerReader; ++i) {
        const char* sql = i % 3 == 0   ? "select n, s from silver.stats"
                          : i % 3 == 1 ? "select count(*), sum(v)::bigint from bronze.events"
                                       : "select n, m from silver.summary";
        auto rows = run(readers[r], sql);
        if (!rows.ok()) {
          ++failures;
          errors[r] = std::string(sql) + ": " + rows.status().ToString();
          continue;
        }
        const int64_t n = (*rows)[0][0].GetInt64();
        const int64_t second = (*rows)[0][1].GetInt64();
        const bool consistent = i % 3 == 2 ? second >= 1 : second == n * (n + 1) / 2;
        if (!consistent || n < last_n) {
          ++failures;
          errors[r] = std::string(sql) + ": n=" + std::to_string(n) +
                      " second=" + std::to_string(second) + " after n=" + std::to_string(last_n);
        }
        if (i % 3 != 2) last_n = n;
      }
    });
  }
  threads.emplace_back([&] {
    for (int i = 2; i < 2 + kCommits; ++i) {
      auto rows = run(writer, "insert into bronze.events values (" + std::to_string(i) + ")");
      if (!rows.ok()) {
        ++failures;
        errors[kReaders] = rows.status().ToString();
      }
    }
    writing = false;
  });
  threads.emplace_back([&] {
    // The same meaning, written differently each time: a new definition.
    for (int i = 0; writing; ++i) {
      auto rows = run(replacer,
                      "create or replace view silver.labelled as select e.v, l.label "
                      "from bronze.events e left join bronze.labels l on l.v = e.v "
                      "where " +
                          std::to_string(i) + " = " + std::to_string(i));
      if (!rows.ok()) {
        ++failures;
        errors[kReaders + 1] = rows.status().ToString();
      }
    }
  });
  for (std::thread& t : threads) t.join();
  for (const std::string& e : errors) EXPECT_EQ(e, "");
  EXPECT_EQ(failures.load(), 0);

  // Every commit landed, and every session sees all of them.
  const int64_t rows = 1 + kCommits;
  for (Worker& w : readers) {
    auto stats = run(w, "select n, s from silver.stats");
    ASSERT_TRUE(stats.ok()) << stats.status().ToString();
    EXPECT_EQ((*stats)[0][0].GetInt64(), rows);
    EXPECT_EQ((*stats)[0][1].GetInt64(), rows * (rows + 1) / 2);
  }
  readers.clear();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace strata::sql
