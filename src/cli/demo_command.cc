// `strata demo`: make (or reuse) a demo project, generate the online shop's
// raw files into it, and answer business questions on them.
#include <ostream>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/session.h"
#include "cli/version.h"
#include "common/clock.h"
#include "common/file_system.h"
#include "common/progress.h"
#include "demo/demo.h"
#include "engine/engine.h"
#include "ingest/ingest.h"
#include "project/project.h"
#include "transform/dbt_runner.h"

namespace strata::cli {
namespace {

// The generated files as sources of the demo project (docs/INGEST.md, the
// files connector). Order timestamps are typed so that the orders whose dates
// are broken on purpose (src/demo/README.md, "Dirty rows") land in
// quarantine. A customer with a broken sign-up date is still a customer whose
// orders must find them: signed_up_at lands as text and silver parses it.
constexpr char kDemoSources[] = R"(
# The shop's raw files (data/raw, made by `strata demo`), landed in bronze by
# `strata ingest`: one table per stream, bronze.shop_<stream>.
sources:
  shop:
    connector: files
    root: data/raw
    streams:
      customers:
        path: customers.csv
        sync: append
        columns: {signed_up_at: VARCHAR}
      products:
        path: products.json
        sync: append
      orders:
        path: orders/orders_*.csv
        sync: append
        columns: {order_ts: TIMESTAMP}
      order_items:
        path: order_items/order_items_*.csv
        sync: append
      payments:
        path: payments/payments_*.json
        sync: append
      events:
        path: events/events_*.ndjson
        sync: append
)";

// The demo folder is a project; an existing one is reused as it is, with the
// demo's sources added to its strata.yml when it has none.
Result<std::unique_ptr<project::Project>> OpenOrInitDemoProject(const std::string& dir,
                                                                std::ostream& out) {
  FileSystem& fs = *FileSystem::Default();
  const std::string project_file = JoinPath(dir, project::kProjectFileName);
  STRATA_ASSIGN_OR_RETURN(bool exists, fs.Exists(project_file));
  std::unique_ptr<project::Project> opened;
  if (exists) {
    out << "Reusing the demo project in " << project::AbsolutePath(dir) << "\n";
    STRATA_ASSIGN_OR_RETURN(opened, project::Project::Open(fs, dir));
  } else {
    project::InitOptions init;
    init.name = "shop";
    init.force = true;  // a folder with only earlier generated data is fine
    STRATA_ASSIGN_OR_RETURN(opened, project::Project::Init(fs, dir, init));
    out << "Created the demo project in " << opened->root() << "\n";
  }
  if (opened->config().sources.has_value()) return opened;
  STRATA_ASSIGN_OR_RETURN(std::string text, fs.ReadFile(project_file));
  STRATA_RETURN_IF_ERROR(fs.WriteFileAtomic(project_file, text + kDemoSources));
  return project::Project::Open(fs, dir);
}

// Lands the generated files in bronze (only new or changed files on a rerun)
// and prints what each stream did.
Status IngestDemoData(const project::Project& project, std::ostream& out) {
  std::unique_ptr<ProgressReporter> progress = ProgressReporter::ForStderr();
  ingest::IngestOptions options;
  options.progress = progress.get();
  STRATA_ASSIGN_OR_RETURN(ingest::IngestReport report, ingest::RunIngest(project, options));
  out << "\nIngested into bronze (strata ingest; bad rows in bronze._quarantine_shop):\n";
  std::string first_error;
  for (const ingest::StreamReport& s : report.streams) {
    out << "  " << s.target << ": " << s.rows << " new rows, " << s.bad_rows << " bad rows";
    if (s.status != "succeeded") {
      out << " (" << s.status << ")";
      if (first_error.empty()) first_error = s.source + "." + s.stream + ": " + s.error;
    }
    out << "\n";
  }
  if (!report.ok()) return Status::IOError("ingesting the demo data failed: " + first_error);
  return Status::OK();
}

// Writes the demo's dbt project next to strata.yml (keeping files the user
// has) and runs `strata build` on it: bronze -> silver -> gold, with tests.
Status BuildSilverAndGold(const project::Project& project, std::ostream& out) {
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> written,
                          demo::WriteDemoDbtProject(*FileSystem::Default(), project.root()));
  out << "\nTransforming bronze into silver and gold (strata build in " << project.root();
  if (!written.empty()) out << "; wrote the dbt project: " << written.size() << " files";
  out << "):\n";
  transform::DbtCommandOptions options;
  options.command = "build";
  options.project_dir = project.root();
  options.strata_version = kStrataVersion;
  STRATA_ASSIGN_OR_RETURN(
      transform::DbtCommandSummary summary,
      transform::RunDbtCommand(options, *FileSystem::Default(), *Clock::Default(), out));
  if (summary.exit_code != 0) {
    return Status::Internal("strata build of the demo's dbt project failed: " +
                            std::to_string(summary.error) + " errors (see above)");
  }
  return Status::OK();
}

// Replaces the answers the gold tables give (same titles) by their gold
// versions: a few lines of SQL over gold.* instead of the raw files.
Status AnswerFromGold(const std::string& project_dir, std::vector<demo::DemoAnswer>& answers) {
  STRATA_ASSIGN_OR_RETURN(auto session, Session::Open(project_dir, /*project_required=*/true));
  for (demo::DemoAnswer& gold : demo::GoldQuestions()) {
    STRATA_ASSIGN_OR_RETURN(auto result, session->sql().Execute(gold.sql));
    STRATA_RETURN_IF_ERROR(demo::FillAnswerRows(*result, gold));
    for (demo::DemoAnswer& answer : answers) {
      if (answer.title == gold.title) answer = gold;
    }
  }
  return Status::OK();
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

  if (Status ingested = IngestDemoData(**project, out); !ingested.ok()) {
    return ReportError(ingested, err);
  }

  if (Status built = BuildSilverAndGold(**project, out); !built.ok()) {
    return ReportError(built, err);
  }

  auto answers = demo::AnswerBusinessQuestions(**connection, demo_options.output_dir);
  if (!answers.ok()) return ReportError(answers.status(), err);
  if (Status gold = AnswerFromGold((*project)->root(), *answers); !gold.ok()) {
    return ReportError(gold, err);
  }
  out << demo::RenderAnswers(*answers, /*with_sql=*/true);
  out << "\nExplore further: cd " << options.dir
      << " && strata sql   (e.g. select * from gold.customer_lifetime_value order by "
         "lifetime_value desc limit 5; the raw files are in data/raw/, the dbt project in "
         "models/: edit it and run strata build)\n";
  return kExitOk;
}

}  // namespace strata::cli
