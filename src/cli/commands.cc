#include "cli/commands.h"

#include <unistd.h>

#include <iostream>
#include <ostream>

#include "cli/cli.h"
#include "cli/session.h"
#include "cli/shell.h"
#include "cli/sql_runner.h"
#include "cli/version.h"
#include "engine/engine.h"
#include "engine/library_version.h"
#include "project/project.h"

namespace strata::cli {

int ReportError(const Status& status, std::ostream& err) {
  err << "error: " << status.message() << "\n";
  return kExitFailure;
}

int RunVersion(std::ostream& out) {
  out << "strata " << kStrataVersion << " (DuckDB " << engine::LibraryVersion() << ")\n";
  return kExitOk;
}

int RunInit(const GlobalOptions& global, const InitOptions& options, std::ostream& out,
            std::ostream& err) {
  project::InitOptions init;
  init.name = options.name;
  init.force = options.force;
  auto project = project::Project::Init(*FileSystem::Default(), options.dir, init);
  if (!project.ok()) return ReportError(project.status(), err);
  out << "Created project '" << (*project)->config().name << "' in " << (*project)->root()
      << "\n"
      << "Next: cd " << options.dir << " && strata sql \"select 42\"\n";
  return kExitOk;
}

int RunSql(const GlobalOptions& global, const SqlOptions& options, std::ostream& out,
           std::ostream& err) {
  auto format = ParseOutputFormat(options.format);
  if (!format.ok()) return ReportError(format.status(), err);
  auto session = Session::Open(global.project_dir, /*project_required=*/false);
  if (!session.ok()) return ReportError(session.status(), err);
  sql::SqlSession& sql_session = (*session)->sql();

  if (!options.output.empty()) {
    if (options.query.empty()) {
      return ReportError(Status::InvalidArgument("--output needs a QUERY"), err);
    }
    auto rows = WriteResultToFile(sql_session, options.query, options.output);
    if (!rows.ok()) return ReportError(rows.status(), err);
    err << "Wrote " << *rows << (*rows == 1 ? " row" : " rows") << " to " << options.output
        << "\n";
    return kExitOk;
  }

  ShellSettings settings;
  settings.format = *format;
  settings.printer.max_rows = options.max_rows;
  const StatementRunner run = [&](const std::string& sql, const ShellSettings& s) {
    auto printer = MakeResultPrinter(s.format, out, s.printer);
    return RunAndPrint(sql_session, sql, *printer);
  };

  Status status;
  if (!options.query.empty()) {
    status = run(options.query, settings);
  } else if (isatty(STDIN_FILENO)) {
    status = RunInteractiveShell(run, settings, (*session)->HistoryFile(), out, err);
  } else {
    status = RunScript(run, settings, std::cin);
  }
  if (!status.ok()) return ReportError(status, err);
  return kExitOk;
}

}  // namespace strata::cli
