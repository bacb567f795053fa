// The throwaway database servers the connector tests start (testing/): each
// start gives a server that answers, a failed install is retried into a
// fresh data directory, and a start that really fails says which step failed
// and shows the tail of its log. Run in a loop to catch flaky starts:
//   ingest_test --gtest_filter='TestServers.*Answers' --gtest_repeat=20
#include <gtest/gtest.h>

#include <fstream>

#include "ingest/testing/mariadb_server.h"
#include "ingest/testing/postgres_server.h"

namespace strata::ingest::testing {
namespace {

TEST(TestServers, MariaDbStartsAndAnswers) {
  auto server = MariaDbServer::Start();
  if (server.status().IsNotFound()) GTEST_SKIP() << server.status().ToString();
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  EXPECT_GT((*server)->port(), 0);
  Status created = (*server)->Execute(
      "CREATE DATABASE probe; CREATE TABLE probe.t (a INT); "
      "INSERT INTO probe.t VALUES (1), (2)");
  EXPECT_TRUE(created.ok()) << created.ToString();
}

TEST(TestServers, MariaDbRetriesAFailedInstallIntoAFreshDataDirectory) {
  MariaDbServerOptions options;
  options.broken_installs = 2;  // attempts 1 and 2 fail for real, 3 succeeds
  auto server = MariaDbServer::Start(options);
  if (server.status().IsNotFound()) GTEST_SKIP() << server.status().ToString();
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  EXPECT_TRUE((*server)->Execute("SELECT 1").ok());
}

TEST(TestServers, MariaDbInstallThatKeepsFailingShowsTheLogTail) {
  MariaDbServerOptions options;
  options.install_attempts = 2;
  options.broken_installs = 2;
  auto server = MariaDbServer::Start(options);
  if (server.status().IsNotFound()) GTEST_SKIP() << server.status().ToString();
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), StatusCode::kUnavailable) << server.status().ToString();
  const std::string message = server.status().message();
  EXPECT_NE(message.find("mariadb-install-db failed 2 times"), std::string::npos) << message;
  // The install's own words, from the tail of its log.
  EXPECT_NE(message.find("Can't create database directory"), std::string::npos) << message;
}

TEST(TestServers, PostgresStartsAndAnswers) {
  auto server = PostgresServer::Start();
  if (server.status().IsNotFound()) GTEST_SKIP() << server.status().ToString();
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  Status created = (*server)->Execute("CREATE TABLE t (a int); INSERT INTO t VALUES (1), (2)");
  EXPECT_TRUE(created.ok()) << created.ToString();
}

TEST(TestServers, LogTailKeepsTheLastLines) {
  const std::string path = ::testing::TempDir() + "/strata_log_tail.txt";
  {
    std::ofstream out(path);
    for (int i = 1; i <= 100; ++i) out << "line " << i << "\n";
  }
  EXPECT_EQ(LogTail(path, 3), "line 98\nline 99\nline 100\n");
  EXPECT_NE(LogTail(path + ".missing", 3).find("no log"), std::string::npos);
}

}  // namespace
}  // namespace strata::ingest::testing
