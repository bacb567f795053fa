// The ingest subsystem's public door: land the sources declared in
// strata.yml in bronze Delta tables (docs/INGEST.md).
//
//   STRATA_ASSIGN_OR_RETURN(auto project, project::Project::Open(fs, dir));
//   STRATA_ASSIGN_OR_RETURN(IngestReport report, RunIngest(*project, {}));
//   if (!report.ok()) ...   // each stream's status, rows, bad rows, error
//
// Connectors plug in through connector.h; the run store is run_store.h.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/file_system.h"
#include "common/progress.h"
#include "common/status.h"
#include "ingest/connector.h"
#include "ingest/run_store.h"
#include "ingest/source_config.h"
#include "project/project.h"

namespace strata::ingest {

struct IngestOptions {
  // "SOURCE" or "SOURCE.STREAM"; empty: every declared stream.
  std::vector<std::string> selectors;
  // Ignore saved state and replace each table with the whole source.
  bool full_refresh = false;
  // Only make the connectors and call Check(); nothing is read or written.
  bool check_only = false;
  FileSystem* fs = nullptr;              // nullptr: FileSystem::Default()
  Clock* clock = nullptr;                // nullptr: Clock::Default()
  ProgressReporter* progress = nullptr;  // rows of each stream; may be null
  std::function<bool()> cancelled;       // polled between batches; may be empty
  std::string run_store_path;            // empty: <project>/.strata/metadata.db
};

struct StreamReport {
  std::string source;
  std::string stream;
  std::string target;    // schema.table
  std::string status;    // succeeded | failed | checked
  int64_t run_id = 0;    // in the run store (0 for --check)
  int64_t rows = 0;      // rows committed to bronze
  int64_t bytes = 0;     // bytes read from the source
  int64_t bad_rows = 0;  // rows sent to bronze._quarantine_<source>
  int64_t batches = 0;
  double seconds = 0;
  std::string error;               // redacted; empty on success
  std::vector<std::string> notes;  // schema drift and other warnings
};

struct IngestReport {
  std::vector<StreamReport> streams;
  // True when every stream succeeded (or checked fine).
  bool ok() const;
};

// The sources declared in `project`'s strata.yml (validated; errors name
// strata.yml:line:col and the key). Empty when there is no `sources:`.
Result<std::vector<SourceConfig>> ProjectSources(const project::Project& project);

// Runs every selected stream, one after another; a failing stream does not
// stop the others. Returns the per-stream report (check report.ok()); an
// error only when nothing could run: bad configuration, a selector naming no
// declared source or stream, or the run store cannot be opened. Errors and
// reports never hold secrets. Call from one thread; separate processes may
// ingest other streams of the same project at the same time.
Result<IngestReport> RunIngest(const project::Project& project, const IngestOptions& options);

// Opens the run store of `project` (.strata/metadata.db, created if missing).
Result<std::unique_ptr<RunStore>> OpenProjectRunStore(const project::Project& project,
                                                      FileSystem& fs);

}  // namespace strata::ingest
