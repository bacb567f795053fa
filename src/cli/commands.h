// The subcommands behind `strata`. Each returns an exit code (cli.h) and
// writes results to `out`, diagnostics to `err`. Internal to src/cli.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>

#include "common/status.h"

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
  std::string query;   // empty: interactive shell (or statements from stdin)
  std::string format = "table";
  std::string output;  // FILE.parquet|.csv|.json: write the result there
  int64_t max_rows = 1000;
};

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
