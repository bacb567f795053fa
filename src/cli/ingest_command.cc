// `strata ingest` and `strata runs` (docs/CLI.md, docs/INGEST.md).
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <iomanip>
#include <sstream>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/result_printer.h"
#include "common/progress.h"
#include "ingest/ingest.h"
#include "project/project.h"

namespace strata::cli {
namespace {

volatile std::sig_atomic_t interrupted = 0;
void OnInterrupt(int) { interrupted = 1; }

Result<std::unique_ptr<project::Project>> OpenProject(const GlobalOptions& global) {
  FileSystem& fs = *FileSystem::Default();
  std::string root = global.project_dir;
  if (root.empty()) {
    STRATA_ASSIGN_OR_RETURN(root, project::Project::Find(fs, "."));
  }
  return project::Project::Open(fs, root);
}

std::string Seconds(double s) {
  std::ostringstream text;
  text << std::fixed << std::setprecision(s < 10 ? 2 : 1) << s;
  return text.str();
}

std::string Iso(int64_t micros) {
  if (micros == 0) return "";
  const std::time_t seconds = static_cast<std::time_t>(micros / 1'000'000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[40];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%SZ", &tm);
  return text;
}

Cell Num(int64_t n) { return Cell::Number(std::to_string(n)); }

void PrintSummary(const ingest::IngestReport& report, bool check_only, std::ostream& out,
                  std::ostream& err) {
  auto printer = MakeResultPrinter(OutputFormat::kTable, out, {.max_rows = 0, .max_width = 60});
  if (check_only) {
    printer->Begin({{"stream", ""}, {"target", ""}, {"status", ""}});
    for (const auto& s : report.streams) {
      printer->AddRow({Cell::String(s.source + "." + s.stream), Cell::String(s.target),
                       Cell::String(s.status)});
    }
  } else {
    printer->Begin({{"stream", ""},
                    {"target", ""},
                    {"rows", ""},
                    {"bytes", ""},
                    {"bad rows", ""},
                    {"seconds", ""},
                    {"status", ""}});
    for (const auto& s : report.streams) {
      printer->AddRow({Cell::String(s.source + "." + s.stream), Cell::String(s.target), Num(s.rows),
                       Cell::String(FormatBytes(static_cast<double>(s.bytes))), Num(s.bad_rows),
                       Cell::Number(Seconds(s.seconds)), Cell::String(s.status)});
    }
  }
  printer->Finish();
  for (const auto& s : report.streams) {
    for (const std::string& note : s.notes) {
      err << "note: " << s.source << "." << s.stream << ": " << note << "\n";
    }
    if (!s.error.empty())
      err << "error: " << s.source << "." << s.stream << ": " << s.error << "\n";
  }
}

}  // namespace

CLI::App* AddIngestCommand(CLI::App& app, IngestCommandOptions& options) {
  CLI::App* cmd = app.add_subcommand(
      "ingest", "Land the sources declared in strata.yml in bronze Delta tables");
  cmd->add_option("streams", options.selectors,
                  "SOURCE or SOURCE.STREAM to ingest (default: every declared stream)");
  cmd->add_flag("--full-refresh", options.full_refresh,
                "Ignore saved state and replace each table with the whole source");
  cmd->add_flag("--check", options.check_only,
                "Only check that each source can be reached; nothing is read or written");
  cmd->footer(
      "Each batch is one Delta commit with the stream's state, so a rerun after a crash\n"
      "neither loses nor duplicates rows. Bad records go to bronze._quarantine_<source>.\n"
      "Exit code 1 when any stream failed. Docs: docs/INGEST.md\n"
      "Examples:\n"
      "  strata ingest\n"
      "  strata ingest shop shop_api.orders --full-refresh\n");
  return cmd;
}

CLI::App* AddRunsCommand(CLI::App& app, RunsOptions& options) {
  CLI::App* cmd = app.add_subcommand("runs", "List ingest runs, newest first");
  cmd->add_option("--limit", options.limit, "Runs shown (0: all)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("-f,--format", options.format, "Output format: table|csv|json")
      ->check(CLI::IsMember({"table", "csv", "json"}))
      ->capture_default_str();
  cmd->footer("Runs are recorded in .strata/metadata.db (SQLite). Docs: docs/INGEST.md\n");
  return cmd;
}

int RunIngestCommand(const GlobalOptions& global, const IngestCommandOptions& options,
                     std::ostream& out, std::ostream& err) {
  auto project = OpenProject(global);
  if (!project.ok()) return ReportError(project.status(), err);
  auto progress = ProgressReporter::ForStderr();
  ingest::IngestOptions ingest_options;
  ingest_options.selectors = options.selectors;
  ingest_options.full_refresh = options.full_refresh;
  ingest_options.check_only = options.check_only;
  ingest_options.progress = progress.get();
  interrupted = 0;
  auto previous = std::signal(SIGINT, OnInterrupt);
  ingest_options.cancelled = [] { return interrupted != 0; };
  auto report = ingest::RunIngest(**project, ingest_options);
  std::signal(SIGINT, previous);
  if (!report.ok()) return ReportError(report.status(), err);
  PrintSummary(*report, options.check_only, out, err);
  return report->ok() ? kExitOk : kExitFailure;
}

int RunRuns(const GlobalOptions& global, const RunsOptions& options, std::ostream& out,
            std::ostream& err) {
  auto project = OpenProject(global);
  if (!project.ok()) return ReportError(project.status(), err);
  auto format = ParseOutputFormat(options.format);
  if (!format.ok()) return ReportError(format.status(), err);
  auto store = ingest::OpenProjectRunStore(**project, *FileSystem::Default());
  if (!store.ok()) return ReportError(store.status(), err);
  auto runs = (*store)->ListRuns(options.limit);
  if (!runs.ok()) return ReportError(runs.status(), err);
  auto printer = MakeResultPrinter(*format, out, {.max_rows = 0, .max_width = 80});
  printer->Begin({{"id", "BIGINT"},
                  {"source", "VARCHAR"},
                  {"stream", "VARCHAR"},
                  {"started", "VARCHAR"},
                  {"ended", "VARCHAR"},
                  {"status", "VARCHAR"},
                  {"rows", "BIGINT"},
                  {"bytes", "BIGINT"},
                  {"bad_rows", "BIGINT"},
                  {"error", "VARCHAR"},
                  {"state", "JSON"}});
  for (const ingest::RunRecord& r : *runs) {
    printer->AddRow({Num(r.id), Cell::String(r.source), Cell::String(r.stream),
                     Cell::String(Iso(r.started_micros)),
                     r.ended_micros ? Cell::String(Iso(r.ended_micros)) : Cell::Null(),
                     Cell::String(r.status), Num(r.rows), Num(r.bytes), Num(r.bad_rows),
                     r.error.empty() ? Cell::Null() : Cell::String(r.error), Cell::Json(r.state)});
  }
  printer->Finish();
  return kExitOk;
}

}  // namespace strata::cli
