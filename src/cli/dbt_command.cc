// The dbt commands: `strata build|run|test|seed|snapshot|compile|ls|parse`,
// `strata source freshness`, `strata docs generate`, with dbt's flags. The
// work is transform::RunDbtCommand (transform/dbt_runner.h).
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/version.h"
#include "common/clock.h"
#include "common/file_system.h"

namespace strata::cli {
namespace {

constexpr const char* kDbtFooter =
    "Runs the dbt project in --project-dir natively (no Python); tables are Delta tables in\n"
    "the warehouse (the project's strata.yml warehouse, else <project-dir>/warehouse).\n"
    "Exit codes: 0 success, 1 a node failed, 2 wrong command line or unusable project.\n"
    "Reference: docs/transform/COMMANDS.md\n";

enum Flags : unsigned {
  kSelect = 1u << 0,  // --select/--exclude/--selector/--state/--resource-type
  kRun = 1u << 1,     // --threads/--fail-fast
  kFullRefresh = 1u << 2,
  kStoreFailures = 1u << 3,
  kLsOutput = 1u << 4,
  kEmpty = 1u << 5,
};

void AddCommonFlags(CLI::App* cmd, transform::DbtCommandOptions& o, unsigned flags) {
  cmd->add_option("--project-dir", o.project_dir, "Folder with dbt_project.yml (default: .)")
      ->type_name("DIR");
  cmd->add_option("--profiles-dir", o.profiles_dir,
                  "Folder with profiles.yml (default: DBT_PROFILES_DIR, the project, ~/.dbt)")
      ->type_name("DIR");
  cmd->add_option("-t,--target", o.target, "Profile target (default: the profile's target)");
  cmd->add_option("--vars", o.vars, "Variables as a YAML or JSON mapping: '{key: value}'");
  cmd->add_option("--target-path", o.target_path, "Where artifacts go (default: target)")
      ->type_name("DIR");
  cmd->add_flag("-q,--quiet", o.quiet, "Print only errors (and ls/compile results)");
  cmd->add_flag("--no-version-check")->description("Accepted for dbt compatibility");
  cmd->add_flag("--no-partial-parse,--partial-parse")
      ->description("Accepted for dbt compatibility (Strata always parses everything)");
  if (flags & kSelect) {
    cmd->add_option("-s,--select,-m,--models", o.select, "Nodes to include (dbt's syntax)")
        ->expected(1, CLI::detail::expected_max_vector_size)
        ->type_name("SPEC");
    cmd->add_option("--exclude", o.exclude, "Nodes to leave out")
        ->expected(1, CLI::detail::expected_max_vector_size)
        ->type_name("SPEC");
    cmd->add_option("--selector", o.selector, "A named selector from selectors.yml");
    cmd->add_option("--state", o.state, "Folder with the manifest.json state: compares with")
        ->type_name("DIR");
    cmd->add_option("--resource-type,--resource-types", o.resource_types,
                    "Keep only these: model seed snapshot test source analysis exposure")
        ->expected(1, CLI::detail::expected_max_vector_size);
  }
  if (flags & kRun) {
    cmd->add_option("--threads", o.threads, "Nodes run in parallel (default: the profile's)")
        ->check(CLI::Range(1, 256));
    cmd->add_flag("-x,--fail-fast", o.fail_fast, "Stop at the first failure; skip the rest");
  }
  if (flags & kFullRefresh) {
    cmd->add_flag("--full-refresh", o.full_refresh, "Rebuild incremental models and seeds");
  }
  if (flags & kStoreFailures) {
    cmd->add_flag("--store-failures", o.store_failures,
                  "Store each test's failing rows in <schema>_dbt_test__audit");
  }
  if (flags & kEmpty) {
    cmd->add_flag("--empty", o.empty, "Build with refs and sources limited to no rows");
  }
  if (flags & kLsOutput) {
    cmd->add_option("-o,--output", o.output, "json|name|path|selector")
        ->check(CLI::IsMember({"json", "name", "path", "selector"}))
        ->capture_default_str();
    cmd->add_option("--output-keys", o.output_keys, "Keys of --output json")
        ->expected(1, CLI::detail::expected_max_vector_size);
  }
  cmd->footer(kDbtFooter);
}

}  // namespace

void AddDbtCommands(CLI::App& app, DbtCommands& commands) {
  transform::DbtCommandOptions& o = commands.options;
  auto add = [&](const char* name, const char* description, unsigned flags) {
    CLI::App* cmd = app.add_subcommand(name, description);
    AddCommonFlags(cmd, o, flags);
    commands.commands.emplace_back(cmd, name);
    return cmd;
  };
  const unsigned all = kSelect | kRun;
  add("build", "dbt build: seeds, models, snapshots and tests in DAG order",
      all | kFullRefresh | kStoreFailures | kEmpty);
  add("run", "dbt run: build the selected models", all | kFullRefresh | kEmpty);
  add("test", "dbt test: run the selected data tests", all | kStoreFailures);
  add("seed", "dbt seed: load the CSV seeds", all | kFullRefresh);
  add("snapshot", "dbt snapshot: run the snapshots (SCD type 2)", all | kEmpty);
  add("compile", "dbt compile: render SQL into target/compiled", all | kEmpty);
  add("ls", "dbt ls: list the selected nodes", kSelect | kLsOutput)->alias("list");
  add("parse", "dbt parse: load the project and write target/manifest.json", 0);

  CLI::App* source = app.add_subcommand("source", "dbt source commands");
  source->require_subcommand(1);
  CLI::App* freshness =
      source->add_subcommand("freshness", "Check each source's max(loaded_at_field) age");
  AddCommonFlags(freshness, o, kSelect | kRun);
  commands.commands.emplace_back(freshness, "freshness");

  CLI::App* docs = app.add_subcommand("docs", "dbt docs commands");
  docs->require_subcommand(1);
  CLI::App* generate = docs->add_subcommand(
      "generate", "Write target/catalog.json (columns, types, row counts) and manifest.json");
  AddCommonFlags(generate, o, kSelect);
  commands.commands.emplace_back(generate, "docs");
}

int RunDbtCommandIfParsed(const GlobalOptions& global, DbtCommands& commands, std::ostream& out,
                          std::ostream& err) {
  (void)global;  // dbt projects are found by --project-dir, not strata.yml
  for (const auto& [cmd, name] : commands.commands) {
    if (!cmd->parsed()) continue;
    transform::DbtCommandOptions options = commands.options;
    options.command = name;
    options.strata_version = kStrataVersion;
    auto summary =
        transform::RunDbtCommand(options, *FileSystem::Default(), *Clock::Default(), out);
    if (!summary.ok()) {
      err << "error: " << summary.status().message() << "\n";
      return kExitUsage;
    }
    return summary->exit_code;
  }
  return -1;
}

}  // namespace strata::cli
