// A gtest fixture for tests that need a real PostgreSQL: one server per test
// process, started on first use (skipping the test only when the server
// binaries are missing) and stopped at process exit; each test gets its own
// fresh database.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "common/config.h"
#include "ingest/connector.h"
#include "ingest/testing/postgres_server.h"

namespace strata::ingest::testing {

class PostgresTest : public ::testing::Test {
 public:
  // A source of `connector` whose settings are `yaml` (a YAML map).
  static SourceConfig Source(const std::string& yaml, const std::string& connector = "postgres");
  // A stream named `name` whose settings are `yaml`.
  static StreamConfig Stream(const std::string& name, const std::string& yaml,
                             SyncMode sync = SyncMode::kFullRefresh,
                             const std::string& cursor = "");

 protected:
  void SetUp() override;

  // The process's server (valid after SetUp unless the test was skipped).
  static PostgresServer& server();
  // Runs `sql` on this test's database; fails the test on error.
  void Sql(const std::string& sql);
  // The settings for this test's database on the server, as YAML lines.
  std::string ConnectionYaml() const;

  std::string database_;
};

// Parses `yaml` into a config node; aborts the test binary on a syntax error.
ConfigNode YamlNode(const std::string& yaml);

}  // namespace strata::ingest::testing
