#include "ingest/testing/postgres_fixture.h"

#include <cstdlib>
#include <mutex>

namespace strata::ingest::testing {
namespace {

std::unique_ptr<PostgresServer>& SharedServer() {
  static auto* server = new std::unique_ptr<PostgresServer>();
  return *server;
}

void StopSharedServer() { SharedServer().reset(); }

}  // namespace

ConfigNode YamlNode(const std::string& yaml) {
  auto doc = ParseConfig(yaml, "test.yml");
  if (!doc.ok()) {
    ADD_FAILURE() << doc.status().ToString();
    std::abort();
  }
  return doc->root();
}

void PostgresTest::SetUp() {
  static std::once_flag once;
  static Status start_status;
  std::call_once(once, [] {
    auto server = PostgresServer::Start();
    if (!server.ok()) {
      start_status = server.status();
      return;
    }
    SharedServer() = std::move(server).value();
    std::atexit(StopSharedServer);
  });
  if (start_status.code() == StatusCode::kNotFound) {
    GTEST_SKIP() << "PostgreSQL tests skipped: " << start_status.message();
  }
  ASSERT_TRUE(start_status.ok()) << start_status.ToString();
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  database_ = "t_" + std::string(info->name());
  for (char& c : database_)
    c = static_cast<char>(std::isalnum(static_cast<unsigned char>(c)) ? std::tolower(c) : '_');
  ASSERT_TRUE(server().Execute("DROP DATABASE IF EXISTS " + database_).ok());
  Status created = server().Execute("CREATE DATABASE " + database_);
  ASSERT_TRUE(created.ok()) << created.ToString();
}

PostgresServer& PostgresTest::server() { return *SharedServer(); }

void PostgresTest::Sql(const std::string& sql) {
  Status status = server().Execute(sql, database_);
  ASSERT_TRUE(status.ok()) << status.ToString();
}

SourceConfig PostgresTest::Source(const std::string& yaml, const std::string& connector) {
  return SourceConfig{.name = "src",
                      .connector = connector,
                      .settings = YamlNode(yaml),
                      .streams = {},
                      .on_schema_change = OnSchemaChange::kEvolve,
                      .max_bad_rows = std::nullopt,
                      .project_root = ""};
}

StreamConfig PostgresTest::Stream(const std::string& name, const std::string& yaml, SyncMode sync,
                                  const std::string& cursor) {
  return StreamConfig{.name = name,
                      .target = "bronze.src_" + name,
                      .sync = sync,
                      .cursor_field = cursor,
                      .primary_key = {},
                      .settings = YamlNode(yaml)};
}

std::string PostgresTest::ConnectionYaml() const {
  return "host: 127.0.0.1\nport: " + std::to_string(server().port()) +
         "\nuser: postgres\npassword: " + server().password() + "\ndatabase: " + database_ + "\n";
}

}  // namespace strata::ingest::testing
