// The subcommands behind `strata`. Each returns an exit code (cli.h) and
// writes results to `out`, diagnostics to `err`. Internal to src/cli.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "common/status.h"
#include "transform/dbt_runner.h"

namespace CLI {
class App;
}  // namespace CLI

namespace strata::cli {

struct GlobalOptions {
  std::string project_dir;  // --project; empty: search from the working directory
  std::string log_level = "warn";
  std::string log_format = "text";
};

struct InitOptions {
  std::string dir;
  std::string name;
  bool force = false;
};

struct DemoOptions {
  std::string dir = "strata-demo";
  int scale = 1;
  uint64_t seed = 42;
};

struct SqlOptions {
  std::string query;  // empty: interactive shell (or statements from stdin)
  std::string format = "table";
  std::string output;  // FILE.parquet|.csv|.json: write the result there
  int64_t max_rows = 1000;
};

// `strata table ACTION ...` (table_command.cc): maintenance of warehouse tables.
struct TableOptions {
  std::string action;  // list|describe|history|optimize|vacuum|restore
  std::string name;    // SCHEMA.TABLE
  std::string format = "table";
  int64_t limit = 0;                   // history: newest N versions (0: all)
  std::vector<std::string> zorder_by;  // optimize
  std::vector<std::string> sort_by;    // optimize
  std::string where;                   // optimize: partition predicate
  double retain_hours = -1;            // vacuum: < 0 is the table's retention
  bool dry_run = false;                // vacuum
  bool allow_short_retention = false;  // vacuum
  int64_t version = -1;                // restore
  std::string timestamp;               // restore
};

// Registers `table` and its actions on `app`, parsing into `options`.
CLI::App* AddTableCommand(CLI::App& app, TableOptions& options);
int RunTable(const GlobalOptions& global, const TableOptions& options, std::ostream& out,
             std::ostream& err);

// `strata ingest [SOURCE[.STREAM]...]` (ingest_command.cc).
struct IngestCommandOptions {
  std::vector<std::string> selectors;
  bool full_refresh = false;
  bool check_only = false;
};

// `strata runs` (ingest_command.cc).
struct RunsOptions {
  int64_t limit = 20;
  std::string format = "table";
};

// Register `ingest` / `runs` on `app`, parsing into `options`.
CLI::App* AddIngestCommand(CLI::App& app, IngestCommandOptions& options);
CLI::App* AddRunsCommand(CLI::App& app, RunsOptions& options);
// Ingest: exit 0 when every stream succeeded, 1 otherwise (summary on `out`).
int RunIngestCommand(const GlobalOptions& global, const IngestCommandOptions& options,
                     std::ostream& out, std::ostream& err);
// Runs: lists the newest runs of the project's run store.
int RunRuns(const GlobalOptions& global, const RunsOptions& options, std::ostream& out,
            std::ostream& err);

// The dbt commands (dbt_command.cc): build, run, test, seed, snapshot,
// compile, ls/list, parse, `source freshness`, `docs generate`. Every
// subcommand parses into the one `options` (only one is parsed per call).
struct DbtCommands {
  transform::DbtCommandOptions options;
  std::vector<std::pair<CLI::App*, std::string>> commands;  // subcommand, dbt command name
};
void AddDbtCommands(CLI::App& app, DbtCommands& commands);
// Runs the dbt command that was parsed and returns its exit code (0 ok, 1 a
// node failed, 2 the project or command line is unusable); -1 when none was.
int RunDbtCommandIfParsed(const GlobalOptions& global, DbtCommands& commands, std::ostream& out,
                          std::ostream& err);

int RunInit(const GlobalOptions& global, const InitOptions& options, std::ostream& out,
            std::ostream& err);
int RunDemo(const GlobalOptions& global, const DemoOptions& options, std::ostream& out,
            std::ostream& err);
int RunSql(const GlobalOptions& global, const SqlOptions& options, std::ostream& out,
           std::ostream& err);
int RunVersion(std::ostream& out);

// Prints "error: <message>" and returns kExitFailure.
int ReportError(const Status& status, std::ostream& err);

}  // namespace strata::cli
