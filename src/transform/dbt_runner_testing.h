// Helpers for the runner's end-to-end tests: a fixture copied to a temp
// dir, a command run through the public API, and warehouse reads through a
// real SqlSession.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "project/project.h"
#include "sql/session.h"
#include "sql/sql_testing.h"
#include "sql/warehouse.h"
#include "transform/dbt_runner.h"
#include "transform/dbt_testing.h"

namespace strata::transform::testing {

// A fresh copy of testdata/<name> in a new temp dir, removed at destruction.
class ProjectCopy {
 public:
  explicit ProjectCopy(const std::string& fixture) {
    char tmpl[] = "/tmp/dbt_runner_XXXXXX";
    root_ = mkdtemp(tmpl);
    dir_ = root_ + "/project";
    std::filesystem::copy(FixtureDir(fixture), dir_, std::filesystem::copy_options::recursive);
    std::filesystem::remove_all(dir_ + "/target");
    std::filesystem::remove_all(dir_ + "/warehouse");
  }
  ~ProjectCopy() { std::filesystem::remove_all(root_); }
  ProjectCopy(const ProjectCopy&) = delete;
  ProjectCopy& operator=(const ProjectCopy&) = delete;

  const std::string& dir() const { return dir_; }
  std::string Path(const std::string& rel) const { return dir_ + "/" + rel; }
  void Write(const std::string& rel, const std::string& text) const {
    std::filesystem::create_directories(std::filesystem::path(Path(rel)).parent_path());
    std::ofstream(Path(rel)) << text;
  }
  std::string Read(const std::string& rel) const {
    std::ifstream in(Path(rel));
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  bool Exists(const std::string& rel) const { return std::filesystem::exists(Path(rel)); }

 private:
  std::string root_, dir_;
};

struct CommandRun {
  Result<DbtCommandSummary> summary = Status::Internal("not run");
  std::string output;
  // The report of `unique_id`, or nullptr.
  const DbtNodeReport* Node(const std::string& unique_id) const {
    if (!summary.ok()) return nullptr;
    for (const auto& n : summary->nodes) {
      if (n.unique_id == unique_id) return &n;
    }
    return nullptr;
  }
  std::string StatusOf(const std::string& unique_id) const {
    const DbtNodeReport* n = Node(unique_id);
    return n == nullptr ? "<none>" : n->status;
  }
};

inline DbtCommandOptions OptionsFor(const ProjectCopy& project, const std::string& command) {
  DbtCommandOptions o;
  o.command = command;
  o.project_dir = project.dir();
  o.print_timestamps = false;
  o.threads = 2;
  o.env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  return o;
}

inline CommandRun RunCommand(const DbtCommandOptions& options) {
  CommandRun run;
  std::ostringstream out;
  run.summary = RunDbtCommand(options, *FileSystem::Default(), *Clock::Default(), out);
  run.output = out.str();
  return run;
}

// Runs `statements` (';'-separated) then `query` on the project's warehouse
// (<dir>/warehouse) and returns the query's rows, each value as text joined
// with '|'. Fails the test on errors.
inline std::vector<std::string> WarehouseQuery(const ProjectCopy& project, const std::string& query,
                                               const std::string& statements = "") {
  std::vector<std::string> rows;
  FileSystem& fs = *FileSystem::Default();
  const std::string root = project.Path("warehouse");
  std::vector<std::string> schemas;
  if (std::filesystem::exists(root)) {
    for (const auto& e : std::filesystem::directory_iterator(root)) {
      if (e.is_directory()) schemas.push_back(e.path().filename().string());
    }
  }
  for (const char* s : {"raw", "main"}) {
    if (std::find(schemas.begin(), schemas.end(), s) == schemas.end()) schemas.push_back(s);
  }
  auto opened = sql::testing::WarehouseSession::Open(root, schemas, fs);
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  if (!opened.ok()) return rows;
  sql::SqlSession& session = *opened->session;
  if (!statements.empty()) {
    auto r = session.ExecuteScript(statements);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return rows;
  }
  if (query.empty()) return rows;
  auto result = session.Execute(query);
  if (!result.ok()) {
    ADD_FAILURE() << query << ": " << result.status().ToString();
    return rows;
  }
  return sql::testing::ToRows(std::move(result), query);
}

// The jaffle fixture's source tables (raw.payments from the payments CSV,
// raw.raw_orders_table with a _loaded_at column), which dbt expects a loader
// to have filled.
inline void LoadJaffleSources(const ProjectCopy& project, const std::string& loaded_at) {
  WarehouseQuery(project, "",
                 "create table raw.payments as select * from read_csv('" +
                     project.Path("seeds/raw_payments.csv") +
                     "'); create table raw.raw_orders_table as select *, timestamp '" + loaded_at +
                     "' as _loaded_at from read_csv('" + project.Path("seeds/raw_orders.csv") +
                     "')");
}

}  // namespace strata::transform::testing
