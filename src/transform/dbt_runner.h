// The dbt commands Strata runs natively: build, run, test, seed, snapshot,
// compile, ls, parse, source freshness, docs generate. One call loads the
// project, builds and selects its graph, opens the warehouse, runs the
// selected nodes on N worker threads (each with its own engine connection on
// one shared database), prints dbt's per-node lines and summary, and writes
// dbt's artifacts under the target path.
//
//   DbtCommandOptions options{.command = "build", .project_dir = "shop"};
//   STRATA_ASSIGN_OR_RETURN(DbtCommandSummary summary,
//                           RunDbtCommand(options, *FileSystem::Default(),
//                                         *Clock::Default(), std::cout));
//   return summary.exit_code;   // 0 ok, 1 a node errored or failed
//
// docs/transform/COMMANDS.md is the user reference.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/file_system.h"
#include "common/status.h"
#include "transform/dbt_artifacts.h"

namespace strata::transform {

struct DbtCommandOptions {
  // build|run|test|seed|snapshot|compile|ls|list|parse|freshness (`source
  // freshness`)|docs (`docs generate`).
  std::string command = "build";
  std::string project_dir = ".";  // holds dbt_project.yml
  std::string profiles_dir;       // empty: DBT_PROFILES_DIR, project dir, ~/.dbt
  std::string target;             // empty: the profile's default
  std::string vars;               // --vars: a YAML or JSON mapping
  std::vector<std::string> select, exclude;
  std::string selector;                     // --selector NAME from selectors.yml
  std::vector<std::string> resource_types;  // --resource-type (repeatable)
  std::string state;                        // --state DIR with a manifest.json
  int threads = 0;                          // 0: the profile target's threads
  bool fail_fast = false;
  bool full_refresh = false;
  bool store_failures = false;
  bool empty = false;                    // --empty: refs and sources read no rows
  std::string target_path;               // empty: dbt_project.yml's target-path
  std::string output = "selector";       // ls: json|name|path|selector
  std::vector<std::string> output_keys;  // ls --output json: keys kept
  bool quiet = false;                    // only errors (and ls/compile results)
  bool print_timestamps = true;          // dbt's "HH:MM:SS  " line prefix
  std::string strata_version = "0.1.0";  // for "Running with strata=..."
  // Environment lookup (env_var, DBT_PROFILES_DIR, HOME); empty: the process's.
  std::function<std::optional<std::string>(const std::string&)> env;
  // The warehouse directory; empty: the dbt project's strata.yml warehouse
  // when it has one, else <project dir>/warehouse.
  std::string warehouse_path;
};

// What happened to one node, for callers and tests (run_results.json holds
// the same in dbt's shape).
struct DbtNodeReport {
  std::string unique_id;
  std::string status;  // success|error|skipped|pass|fail|warn|runtime error
  std::string message;
  std::string thread_id;
  int64_t started_at_micros = 0;  // wall clock (the injected Clock)
  int64_t completed_at_micros = 0;
  std::optional<int64_t> failures;
};

struct DbtCommandSummary {
  int exit_code = 0;  // 0 success; 1 a node errored or a test failed
  int pass = 0, warn = 0, error = 0, skip = 0, total = 0;
  std::vector<DbtNodeReport> nodes;  // in the order they finished
  std::vector<std::string> listed;   // ls: the lines printed
  std::string target_dir;            // absolute path of the artifacts written
};

// Runs one dbt command. Per-node failures (a model's SQL error, a failing
// test, a template error, an unknown ref) are reported in the summary with
// exit_code 1 and the other nodes still run; the error Status is for a
// command that cannot start (no dbt_project.yml, no profile target, a bad
// --select, unreadable --vars, an unknown command): the CLI exits 2 then.
// Writes progress lines to `out`. `fs` and `clock` are not owned. Not to be
// called concurrently on the same project directory.
Result<DbtCommandSummary> RunDbtCommand(const DbtCommandOptions& options, FileSystem& fs,
                                        Clock& clock, std::ostream& out);

}  // namespace strata::transform
