// Test fixture for the materializations: a temp warehouse of real Delta
// tables, a WarehouseAdapter on a real DuckDB, and a separate plain DuckDB
// (the "mirror") where expected results are computed independently.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/fault_injection_file_system.h"
#include "lake/lake.h"
#include "sql/sql_testing.h"
#include "transform/dbt_materialize.h"

namespace strata::transform::testing {

using Rows = sql::testing::Rows;

// A clock the tests move by hand (snapshot times).
class ManualClock : public Clock {
 public:
  explicit ManualClock(int64_t micros) : micros_(micros) {}
  int64_t NowMicros() override { return micros_; }
  int64_t MonotonicNanos() override { return micros_ * 1000; }
  void SleepForMicros(int64_t micros) override { micros_ += micros; }
  void Advance(int64_t micros) { micros_ += micros; }

 private:
  int64_t micros_;
};

class MaterializeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.empty());
    db_ = std::move(engine::Database::Open()).value();
    auto warehouse = sql::Warehouse::Open(
        dir_ + "/warehouse", {"raw", "main", "snapshots", "main_dbt_test__audit"}, fs_);
    ASSERT_TRUE(warehouse.ok()) << warehouse.status().ToString();
    warehouse_ = std::move(warehouse).value();
    auto adapter = WarehouseAdapter::Create(*db_, warehouse_.get(), fs_);
    ASSERT_TRUE(adapter.ok()) << adapter.status().ToString();
    adapter_ = std::move(adapter).value();
    mirror_db_ = std::move(engine::Database::Open()).value();
    mirror_ = std::move(engine::Connection::Open(*mirror_db_)).value();
    for (const char* schema : {"raw", "main_dbt_test__audit", "snapshots"}) {
      ASSERT_TRUE(mirror_->Execute(std::string("CREATE SCHEMA ") + schema).ok());
    }
  }
  // The rows of `sql`'s result, sorted (sql::testing::ToRows).
  static Rows ToRows(Result<std::unique_ptr<engine::QueryResult>> result, const std::string& sql) {
    return Sorted(sql::testing::ToRows(std::move(result), sql));
  }

  static Rows Sorted(Rows rows) {
    std::sort(rows.begin(), rows.end());
    return rows;
  }
  // Rows of `sql` through the warehouse session, sorted.
  Rows Query(const std::string& sql) { return ToRows(adapter_->session().Execute(sql), sql); }
  // Rows of `sql` on the plain DuckDB mirror, sorted.
  Rows Mirror(const std::string& sql) { return ToRows(mirror_->Query(sql), sql); }
  // Runs `sql` in the warehouse and the same on the mirror (plain tables).
  void Both(const std::string& sql) {
    auto ours = adapter_->session().ExecuteScript(sql);
    ASSERT_TRUE(ours.ok()) << sql << "\n" << ours.status().ToString();
    if (ours.ok()) (void)(*ours)->FetchAllRows();
    Status theirs = mirror_->Execute(sql);
    ASSERT_TRUE(theirs.ok()) << sql << "\n" << theirs.ToString();
  }
  void MirrorExec(const std::string& sql) {
    Status s = mirror_->Execute(sql);
    ASSERT_TRUE(s.ok()) << sql << "\n" << s.ToString();
  }

  static Node MakeNode(const std::string& resource_type, const std::string& name,
                       nlohmann::json config = nlohmann::json::object()) {
    Node node;
    node.resource_type = resource_type;
    node.name = name;
    node.unique_id = resource_type + ".test." + name;
    node.package_name = "test";
    node.schema = "main";
    node.alias = name;
    node.config = std::move(config);
    return node;
  }
  static CompiledNode Compile(const Node& node, const std::string& sql) {
    CompiledNode c;
    c.unique_id = node.unique_id;
    c.compiled_code = sql;
    c.config = node.config;
    c.schema = node.schema;
    c.identifier = node.alias;
    return c;
  }

  Result<NodeOutcome> Build(const Node& node, const std::string& sql,
                            MaterializeOptions options = {}) {
    return Materialize(node, Compile(node, sql), *adapter_, options);
  }
  NodeOutcome MustBuild(const Node& node, const std::string& sql, MaterializeOptions options = {}) {
    auto out = Build(node, sql, options);
    EXPECT_TRUE(out.ok()) << node.unique_id << ": " << out.status().ToString();
    return out.ok() ? *out : NodeOutcome{};
  }

  // The latest version of warehouse table schema.name (-1 when absent).
  int64_t Version(const std::string& schema, const std::string& name) {
    auto table = lake::Table::Open(dir_ + "/warehouse/" + schema + "/" + name, fs_,
                                   &adapter_->session().connection());
    if (!table.ok()) return -1;
    auto snapshot = (*table)->Latest();
    return snapshot.ok() ? (*snapshot)->version() : -1;
  }

  // Removed after every member below is destroyed.
  sql::testing::TempDir temp_dir_{"strata_materialize_"};
  std::string dir_ = temp_dir_.path();
  // Every test runs over the fault-injecting wrapper (no fault armed unless
  // a test arms one).
  FaultInjectionFileSystem faults_{FileSystem::Default()};
  FileSystem& fs_ = faults_;
  std::unique_ptr<engine::Database> db_;
  std::unique_ptr<sql::Warehouse> warehouse_;
  std::unique_ptr<WarehouseAdapter> adapter_;
  std::unique_ptr<engine::Database> mirror_db_;
  std::unique_ptr<engine::Connection> mirror_;
};

}  // namespace strata::transform::testing
