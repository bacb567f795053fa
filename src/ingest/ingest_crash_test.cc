// Exactly-once under real crashes: the strata CLI (strata_testing, which adds
// the test connector) is killed mid-load, by the crash hook right after a
// commit and by SIGKILL at random moments, then rerun; bronze must hold every
// source row exactly once, and the quarantine every bad row exactly once.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "engine/engine.h"
#include "ingest/delta_query_testing.h"
#include "ingest/strata_process_testing.h"
#include "lake/lake.h"

namespace strata::ingest {
namespace {

class IngestCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/strata_ingest_crash_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    ASSERT_TRUE(std::filesystem::exists(testing::StrataTestingBinary()));
    db_ = *engine::Database::Open();
    conn_ = *engine::Connection::Open(*db_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void WriteProject(const std::string& stream_settings) {
    std::ofstream(dir_ + "/strata.yml")
        << "name: crash\nsources:\n  src:\n    connector: counter\n    streams:\n      nums: "
        << stream_settings << "\n";
  }

  pid_t Start(const std::vector<std::string>& extra_env) {
    return testing::StartIngest(dir_, extra_env);
  }
  int Wait(pid_t pid) { return testing::WaitForExit(pid); }

  std::string Query(const std::string& table, const std::string& select) {
    return testing::QueryDeltaTable(*conn_, dir_ + "/warehouse/bronze/" + table, select);
  }

  // "rows distinct-ids min max" of the bronze table.
  std::string Profile() {
    return Query("src_nums",
                 "SELECT count(*) || ' ' || count(DISTINCT id) || ' ' || min(id) || ' ' || "
                 "max(id) FROM {t}");
  }

  std::string dir_;
  std::unique_ptr<engine::Database> db_;
  std::unique_ptr<engine::Connection> conn_;
};

// Ids 0..199 with id % 7 == 6 bad: 28 bad, 172 good.
constexpr int kRows = 200;
constexpr int kBad = 28;

TEST_F(IngestCrashTest, CrashRightAfterCommitsThenRerun) {
  WriteProject("{sync: incremental, cursor: id, rows: 200, batch_rows: 10, bad_every: 7}");
  int crashes = 0;
  for (int crash_after : {1, 3, 2, 5, 4, 3, 1, 2}) {
    const int code =
        Wait(Start({"STRATA_TEST_CRASH_AFTER_BATCHES=" + std::to_string(crash_after)}));
    if (code == 0) break;
    ASSERT_EQ(code, 86) << "the crash hook exits with 86";
    ++crashes;
  }
  EXPECT_GE(crashes, 5);
  ASSERT_EQ(Wait(Start({})), 0);
  EXPECT_EQ(Profile(),
            std::to_string(kRows - kBad) + " " + std::to_string(kRows - kBad) + " 0 199");
  EXPECT_EQ(Query("src_nums", "SELECT count(*) FROM {t} WHERE id % 7 = 6"), "0");
  EXPECT_EQ(Query("_quarantine_src", "SELECT count(*) || ' ' || count(DISTINCT line) FROM {t}"),
            std::to_string(kBad) + " " + std::to_string(kBad));
}

TEST_F(IngestCrashTest, SigkillAtRandomMomentsThenRerun) {
  WriteProject(
      "{sync: incremental, cursor: id, rows: 200, batch_rows: 5, sleep_ms: 15, "
      "bad_every: 7}");
  std::mt19937 random(20261129);
  int killed = 0;
  for (int attempt = 0; attempt < 6; ++attempt) {
    const pid_t pid = Start({});
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(150, 700)(random)));
    kill(pid, SIGKILL);
    const int code = Wait(pid);
    if (code == 128 + SIGKILL) ++killed;
  }
  EXPECT_GE(killed, 2);  // later attempts have less left to do and may finish
  ASSERT_EQ(Wait(Start({})), 0);
  EXPECT_EQ(Profile(),
            std::to_string(kRows - kBad) + " " + std::to_string(kRows - kBad) + " 0 199");
  // Bad rows committed before the last batch of a killed run may repeat only
  // when the kill fell between the quarantine commit and its batch's commit;
  // the txn on the quarantine table rules that out too.
  EXPECT_EQ(Query("_quarantine_src", "SELECT count(*) || ' ' || count(DISTINCT line) FROM {t}"),
            std::to_string(kBad) + " " + std::to_string(kBad));
}

}  // namespace
}  // namespace strata::ingest
