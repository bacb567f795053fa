// Concurrency: optimistic commits with put-if-absent. Four writer processes
// appending to one table end with every row exactly once; races between two
// writers in one process are forced into a fixed order with the writer's
// before_commit sync point, so conflicts are tested deterministically.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <nlohmann/json.hpp>

#include "lake/writer_testing.h"

extern char** environ;

namespace strata::lake {
namespace {

using testing::IdNameSchema;
using testing::Rows;

std::string WorkerBinary() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "";
  buf[n] = '\0';
  return std::string(DirName(buf)) + "/lake_append_worker";
}

class WriterConcurrencyTest : public testing::WriterTest {
 protected:
  void SetUp() override {
    WriterTest::SetUp();
    auto conn = engine::Connection::Open(*db_);
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    other_conn_ = std::move(conn).value();
    Exec(
        "CREATE TABLE src AS SELECT CAST(i AS BIGINT) AS id, 'n' || i AS name, "
        "['a','b'][i % 2 + 1] AS p FROM range(0, 100) t(i)");
    CreateTableOptions options;
    options.partition_columns = {"p"};
    auto w = TableWriter::Create(root_, *IdNameSchema({Field("p", PrimitiveType("string"))}),
                                 options, fs(), *conn_);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    ASSERT_TRUE((*w)->Append("SELECT * FROM src").ok());  // version 1
  }

  // A writer on the fixture's connection that runs `race` right before it commits.
  std::unique_ptr<TableWriter> Racing(std::function<void()> race) {
    WriterOptions options;
    options.before_commit = std::move(race);
    auto w = TableWriter::Open(root_, fs(), *conn_, options);
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    return w.ok() ? std::move(w).value() : nullptr;
  }
  // The other writer, on its own connection.
  std::unique_ptr<TableWriter> Other() {
    auto w = TableWriter::Open(root_, fs(), *other_conn_);
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    return w.ok() ? std::move(w).value() : nullptr;
  }

  std::unique_ptr<engine::Connection> other_conn_;
};

TEST_F(WriterConcurrencyTest, FourProcessesTimes250AppendsLandEveryRowOnce) {
  std::string table = dir_ + "/many";
  LAKE_ASSERT_OK(TableWriter::Create(
      table,
      *StructType({Field("id", PrimitiveType("long")), Field("worker", PrimitiveType("integer")),
                   Field("seq", PrimitiveType("long"))}),
      {}, fs(), *conn_));
  std::string worker = WorkerBinary();
  ASSERT_TRUE(std::filesystem::exists(worker)) << worker;
  constexpr int kWorkers = 4, kAppends = 250;
  std::vector<pid_t> pids;
  for (int w = 0; w < kWorkers; ++w) {
    std::string id = std::to_string(w), count = std::to_string(kAppends);
    char* argv[] = {worker.data(), table.data(), id.data(), count.data(), nullptr};
    pid_t pid = 0;
    ASSERT_EQ(posix_spawn(&pid, worker.c_str(), nullptr, nullptr, argv, environ), 0);
    pids.push_back(pid);
  }
  for (pid_t pid : pids) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "worker exit status " << status;
  }
  EXPECT_EQ(LatestVersion(table), kWorkers * kAppends);
  Rows expected = Query("SELECT w * 1000000 + i, w, i FROM range(0, 4) a(w), range(0, 250) b(i)");
  EXPECT_EQ(ReadTable(table, "id, worker, seq"), expected);
  EXPECT_EQ(ReadIndependently(table, "id, worker, seq"), expected);
  // One add and one txn per commit: no batch was applied twice.
  Rows per_commit = Query(
      "SELECT count(\"add\"), count(txn) FROM read_json(" +
      engine::QuoteLiteral(table + "/_delta_log/*.json") +
      ", filename = true, format = 'newline_delimited', columns = {'add': 'STRUCT(path VARCHAR)', "
      "'txn': 'STRUCT(appId VARCHAR)'}) GROUP BY filename HAVING count(\"add\") > 0");
  EXPECT_EQ(per_commit, Rows(kWorkers * kAppends, "1|1"));
  auto last = nlohmann::json::parse(*fs().ReadFile(table + "/_delta_log/_last_checkpoint"));
  EXPECT_EQ(last.at("version"), kWorkers * kAppends);
}

TEST_F(WriterConcurrencyTest, DeleteLosingToAnOverwriteFailsAndTouchesNothing) {
  std::unique_ptr<TableWriter> other = Other();
  auto writer = Racing([&] {
    ASSERT_TRUE(other->Overwrite("SELECT id + 500 AS id, name, p FROM src WHERE id < 10").ok());
  });
  auto deleted = writer->Delete("id % 3 = 0");
  ASSERT_EQ(deleted.status().code(), StatusCode::kConflict) << deleted.status().ToString();
  EXPECT_NE(deleted.status().message().find("version 2 (WRITE)"), std::string::npos)
      << deleted.status().message();
  EXPECT_EQ(LatestVersion(root_), 2);
  EXPECT_EQ(ReadTable(root_), Query("SELECT id + 500, name, p FROM src WHERE id < 10"));
  EXPECT_EQ(ReadIndependently(root_, "id, name", {"p"}),
            Query("SELECT id + 500, name, p FROM src WHERE id < 10"));
}

TEST_F(WriterConcurrencyTest, OverwriteLosingToADeleteFailsAndTouchesNothing) {
  std::unique_ptr<TableWriter> other = Other();
  auto writer = Racing([&] { ASSERT_TRUE(other->Delete("id % 3 = 0").ok()); });
  auto overwritten = writer->Overwrite("SELECT * FROM src WHERE id < 10");
  ASSERT_EQ(overwritten.status().code(), StatusCode::kConflict) << overwritten.status().ToString();
  EXPECT_NE(overwritten.status().message().find("DELETE"), std::string::npos);
  EXPECT_EQ(LatestVersion(root_), 2);
  EXPECT_EQ(ReadTable(root_), Query("SELECT * FROM src WHERE id % 3 <> 0"));
}

TEST_F(WriterConcurrencyTest, ConcurrentBlindAppendsBothCommit) {
  std::unique_ptr<TableWriter> other = Other();
  auto writer = Racing([&] { ASSERT_TRUE(other->Append("SELECT * FROM src WHERE id < 5").ok()); });
  LAKE_ASSERT_OK_AND_ASSIGN(auto r, writer->Append("SELECT * FROM src WHERE id >= 95"));
  EXPECT_EQ(r.version, 3);  // version 2 was taken; retried at 3
  EXPECT_EQ(r.attempts, 2);
  EXPECT_EQ(ReadTable(root_), Query("SELECT * FROM src UNION ALL SELECT * FROM src WHERE id < 5 "
                                    "UNION ALL SELECT * FROM src WHERE id >= 95"));
}

TEST_F(WriterConcurrencyTest, PartitionDeleteConflictsOnlyWithAppendsToItsPartitions) {
  std::unique_ptr<TableWriter> other = Other();
  auto writer = Racing(
      [&] { ASSERT_TRUE(other->Append("SELECT 1000::BIGINT AS id, 'x' AS name, 'b' AS p").ok()); });
  LAKE_ASSERT_OK(writer->Delete("p = 'a'"));  // the append went to 'b': no conflict
  EXPECT_EQ(ReadTable(root_), Query("SELECT * FROM src WHERE p = 'b' UNION ALL "
                                    "SELECT 1000, 'x', 'b'"));
  auto same_partition = Racing(
      [&] { ASSERT_TRUE(other->Append("SELECT 1001::BIGINT AS id, 'y' AS name, 'b' AS p").ok()); });
  auto conflicted = same_partition->Delete("p = 'b'");
  EXPECT_EQ(conflicted.status().code(), StatusCode::kConflict) << conflicted.status().ToString();
  EXPECT_EQ(ReadTable(root_, "count(*)"), Rows{"52"});
}

TEST_F(WriterConcurrencyTest, TheSameTxnRacingItselfIsAppliedOnce) {
  std::unique_ptr<TableWriter> other = Other();
  AppendOptions options;
  options.txn = TxnId{"stream-7", 42};
  auto writer = Racing([&] { ASSERT_TRUE(other->Append("SELECT * FROM src", options).ok()); });
  LAKE_ASSERT_OK_AND_ASSIGN(auto r, writer->Append("SELECT * FROM src", options));
  EXPECT_TRUE(r.already_applied);
  EXPECT_FALSE(r.committed);
  EXPECT_EQ(LatestVersion(root_), 2);
  EXPECT_EQ(ReadTable(root_, "count(*)"), Rows{"200"});
}

TEST_F(WriterConcurrencyTest, AConcurrentMetadataChangeConflicts) {
  std::unique_ptr<TableWriter> other = Other();
  auto writer = Racing([&] { ASSERT_TRUE(other->SetProperties({{"strata.owner", "x"}}).ok()); });
  auto r = writer->Append("SELECT * FROM src");
  EXPECT_EQ(r.status().code(), StatusCode::kConflict) << r.status().ToString();
  EXPECT_NE(r.status().message().find("metadata"), std::string::npos);
}

}  // namespace
}  // namespace strata::lake
