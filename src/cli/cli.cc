#include "cli/cli.h"

#include <CLI/CLI.hpp>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "common/logging.h"

namespace strata::cli {
namespace {

constexpr const char* kDescription =
    "Strata: a whole data platform in one binary.\n"
    "Ingest sources into bronze Delta tables, transform them with dbt-compatible SQL\n"
    "models into silver and gold, check quality, orchestrate, and serve the results.";

constexpr const char* kFooter =
    "Exit codes: 0 success, 1 the work failed, 2 wrong command line.\n"
    "Run `strata COMMAND --help` for a command's options. Docs: docs/CLI.md\n";

}  // namespace

int Run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  CLI::App app(kDescription, "strata");
  app.footer(kFooter);
  app.require_subcommand(0, 1);
  app.fallthrough();  // global options are accepted after the subcommand too

  GlobalOptions global;
  app.add_option("--project", global.project_dir,
                 "Project folder (default: the nearest folder upward holding strata.yml)")
      ->type_name("DIR");
  app.add_option("--log-level", global.log_level, "trace|debug|info|warn|error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}))
      ->capture_default_str();
  app.add_option("--log-format", global.log_format, "text|json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  bool show_version = false;
  app.add_flag("-V,--version", show_version, "Print the version and exit");

  InitOptions init;
  CLI::App* init_cmd = app.add_subcommand("init", "Create a new project folder");
  init_cmd->add_option("dir", init.dir, "Folder to create (or an empty one)")->required();
  init_cmd->add_option("--name", init.name, "Project name (default: the folder's name)");
  init_cmd->add_flag("--force", init.force, "Make a project in a folder that is not empty");
  init_cmd->footer("Creates strata.yml, models/, seeds/, tests/, macros/ and .strata/.\n");

  DemoOptions demo;
  CLI::App* demo_cmd =
      app.add_subcommand("demo", "Generate an online-shop data set and answer questions on it");
  demo_cmd->add_option("dir", demo.dir, "Demo project folder (created or reused)")
      ->capture_default_str();
  demo_cmd->add_option("--scale", demo.scale, "Size: about SCALE million orders")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  demo_cmd->add_option("--seed", demo.seed, "Seed of the generated data")->capture_default_str();

  SqlOptions sql;
  CLI::App* sql_cmd = app.add_subcommand("sql", "Run SQL, or open an interactive SQL shell");
  sql_cmd->add_option("query", sql.query,
                      "SQL to run; without it an interactive shell opens (or statements are "
                      "read from standard input when it is not a terminal)");
  sql_cmd->add_option("-f,--format", sql.format, "Output format: table|csv|json")
      ->check(CLI::IsMember({"table", "csv", "json"}))
      ->capture_default_str();
  sql_cmd
      ->add_option("-o,--output", sql.output,
                   "Write the result to FILE; its extension picks the format "
                   "(.parquet, .csv, .json/.ndjson)")
      ->type_name("FILE");
  sql_cmd->add_option("--max-rows", sql.max_rows, "Rows shown in table format (0: all)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  sql_cmd->footer(
      "Examples:\n"
      "  strata sql \"select count(*) from 'orders.parquet'\"\n"
      "  strata sql --format csv \"select * from read_csv('data/*.csv')\" > all.csv\n"
      "  strata sql --output top.parquet \"select * from 'x.parquet' order by amount desc limit "
      "10\"\n");

  TableOptions table;
  CLI::App* table_cmd = AddTableCommand(app, table);

  IngestCommandOptions ingest;
  CLI::App* ingest_cmd = AddIngestCommand(app, ingest);
  RunsOptions runs;
  CLI::App* runs_cmd = AddRunsCommand(app, runs);

  DbtCommands dbt;
  AddDbtCommands(app, dbt);

  app.add_subcommand("version", "Print the version of strata and of its engine");

  std::vector<std::string> reversed(args.rbegin(), args.rend());
  if (!reversed.empty()) reversed.pop_back();  // the program name
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return kExitOk;
  } catch (const CLI::CallForAllHelp&) {
    out << app.help("", CLI::AppFormatMode::All);
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    // A subcommand's own --help arrives as CallForHelp too, but from the
    // subcommand; CLI11 tells us which one parsed last.
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
      out << app.help();
      return kExitOk;
    }
    err << "error: " << e.what() << "\n";
    err << "Run `strata --help` (or `strata COMMAND --help`) for usage.\n";
    return kExitUsage;
  }

  const Status log_status = ConfigureLogging(global.log_level, global.log_format);
  if (!log_status.ok()) return ReportError(log_status, err);

  if (show_version || app.got_subcommand("version")) return RunVersion(out);
  if (init_cmd->parsed()) return RunInit(global, init, out, err);
  if (demo_cmd->parsed()) return RunDemo(global, demo, out, err);
  if (sql_cmd->parsed()) return RunSql(global, sql, out, err);
  if (table_cmd->parsed()) return RunTable(global, table, out, err);
  if (ingest_cmd->parsed()) return RunIngestCommand(global, ingest, out, err);
  if (runs_cmd->parsed()) return RunRuns(global, runs, out, err);
  if (int code = RunDbtCommandIfParsed(global, dbt, out, err); code >= 0) return code;

  out << app.help();
  return kExitUsage;
}

int Main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  try {
    return Run(args, std::cout, std::cerr);
  } catch (const std::exception& e) {
    // A bug: every expected failure travels as a Status. Still, never crash.
    std::cerr << "internal error: " << e.what() << "\n";
    return kExitFailure;
  }
}

}  // namespace strata::cli
