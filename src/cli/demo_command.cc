// `strata demo`: make (or reuse) a demo project, generate the online shop's
// raw files into it, and answer business questions on them.
#include <ostream>

#include "cli/cli.h"
#include "cli/commands.h"
#include "common/file_system.h"
#include "common/progress.h"
#include "demo/demo.h"
#include "engine/engine.h"
#include "project/project.h"

namespace strata::cli {
namespace {

// The demo folder is a project; an existing one is reused as it is.
Result<std::unique_ptr<project::Project>> OpenOrInitDemoProject(const std::string& dir,
                                                                std::ostream& out) {
  FileSystem& fs = *FileSystem::Default();
  STRATA_ASSIGN_OR_RETURN(bool exists,
                          fs.Exists(JoinPath(dir, project::kProjectFileName)));
  if (exists) {
    out << "Reusing the demo project in " << project::AbsolutePath(dir) << "\n";
    return project::Project::Open(fs, dir);
  }
  project::InitOptions init;
  init.name = "shop";
  init.force = true;  // a folder with only earlier generated data is fine
  STRATA_ASSIGN_OR_RETURN(auto created, project::Project::Init(fs, dir, init));
  out << "Created the demo project in " << created->root() << "\n";
  return created;
}

}  // namespace

int RunDemo(const GlobalOptions& global, const DemoOptions& options, std::ostream& out,
            std::ostream& err) {
  auto project = OpenOrInitDemoProject(options.dir, out);
  if (!project.ok()) return ReportError(project.status(), err);

  engine::DatabaseOptions db_options;
  db_options.threads = (*project)->config().engine.threads;
  db_options.memory_limit = (*project)->config().engine.memory_limit;
  auto database = engine::Database::Open(db_options);
  if (!database.ok()) return ReportError(database.status(), err);
  auto connection = engine::Connection::Open(**database);
  if (!connection.ok()) return ReportError(connection.status(), err);

  demo::DemoOptions demo_options;
  demo_options.output_dir = JoinPath((*project)->root(), "data/raw");
  demo_options.scale = options.scale;
  demo_options.seed = options.seed;

  // Progress counts orders written; the other files are small next to them.
  std::unique_ptr<ProgressReporter> progress = ProgressReporter::ForStderr();
  progress->Start("Generating the shop's data", 0, "rows");
  auto summary = demo::GenerateDemoData(
      **connection, demo_options,
      [&](std::string_view, int64_t rows) { progress->Advance(static_cast<uint64_t>(rows)); });
  progress->Finish();
  if (!summary.ok()) return ReportError(summary.status(), err);
  out << "\n" << demo::RenderSummary(*summary) << "\n";

  auto answers = demo::AnswerBusinessQuestions(**connection, demo_options.output_dir);
  if (!answers.ok()) return ReportError(answers.status(), err);
  out << demo::RenderAnswers(*answers, /*with_sql=*/true);
  out << "\nExplore further: cd " << options.dir
      << " && strata sql   (the files are in data/raw/; e.g. select * from "
         "read_csv('data/raw/orders/*.csv') limit 5)\n";
  return kExitOk;
}

}  // namespace strata::cli
