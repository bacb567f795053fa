// The lake subsystem's public door: open a Delta table at a path, get a
// snapshot (latest, at a version, or at a timestamp), list its files and plan
// a scan as DuckDB SQL. Other subsystems include only this header.
//
//   STRATA_ASSIGN_OR_RETURN(auto table, lake::Table::Open(path, fs, &conn));
//   STRATA_ASSIGN_OR_RETURN(auto snapshot, table->Latest());
//   STRATA_ASSIGN_OR_RETURN(auto plan, lake::PlanScan(*snapshot, {}, fs, conn));
//   conn.Query(plan.sql) ...
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/file_system.h"
#include "common/status.h"
#include "engine/engine.h"
#include "lake/actions.h"
#include "lake/data_skipping.h"
#include "lake/log_segment.h"
#include "lake/scan.h"
#include "lake/schema.h"
#include "lake/snapshot.h"

// ---- Writer (create, append, overwrite, DELETE/UPDATE/MERGE, schema and
// properties, optimistic commits, checkpoints). See writer.h and
// docs/lake/FORMAT.md.
//
//   STRATA_ASSIGN_OR_RETURN(auto w, lake::TableWriter::Open(path, fs, conn));
//   STRATA_ASSIGN_OR_RETURN(auto r, w->Append("SELECT * FROM staged", {.txn = TxnId{"job", 7}}));
#include "lake/checkpoint_writer.h"
#include "lake/schema_evolution.h"
#include "lake/transaction.h"
#include "lake/writer.h"
// ---- end of the writer section

// ---- Maintenance (OPTIMIZE, VACUUM, RESTORE, history, detail). See
// maintenance.h and docs/lake/MAINTENANCE.md.
//
//   STRATA_ASSIGN_OR_RETURN(auto r, lake::Vacuum(path, fs, conn, {.dry_run = true}));
#include "lake/maintenance.h"

namespace strata::lake {

// The timestamp time travel uses for one version (PROTOCOL.md "In-Commit
// Timestamps"; otherwise the commit file's mtime, monotonized).
struct CommitTimestamp {
  int64_t version = 0;
  int64_t timestamp_millis = 0;
};

// A Delta table on a file system. Holds no state beyond its location: every
// call lists the log afresh, so a long-lived Table sees new commits. Not
// thread-safe (it shares the caller's engine connection); use one per thread.
class Table {
 public:
  // Opens the table rooted at `root`. NotFound when `root` has no
  // `_delta_log` directory. `fs` and `conn` are not owned and must outlive
  // the Table; `conn` may be null when no Parquet checkpoint is read.
  static Result<std::unique_ptr<Table>> Open(std::string root, FileSystem& fs,
                                             engine::Connection* conn);

  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;

  const std::string& root() const { return root_; }

  // The newest version's snapshot. Corruption naming the cause when the log
  // cannot be replayed; NotSupported when the protocol is too new.
  Result<std::unique_ptr<Snapshot>> Latest();

  // The latest snapshot, reached by rolling `base` (an earlier snapshot of
  // this table) forward over the commits after it (Snapshot::RollForward);
  // a fresh Latest() when the log no longer holds those commits (cleaned up)
  // or shows a checkpoint past them. Errors as Latest(). Consumes `base`.
  Result<std::unique_ptr<Snapshot>> Update(std::unique_ptr<Snapshot> base);

  // The snapshot at `version`. NotFound when the version is newer than the
  // latest or older than anything the log can rebuild.
  Result<std::unique_ptr<Snapshot>> AtVersion(int64_t version);

  // The snapshot of the newest version committed at or before
  // `timestamp_millis` (Spark semantics). InvalidArgument when the timestamp
  // is before the earliest available commit or after the latest one (Spark
  // and Delta Kernel refuse both; delta-rs clamps instead).
  Result<std::unique_ptr<Snapshot>> AtTimestamp(int64_t timestamp_millis);

  // The version AtTimestamp would load, without replaying it.
  Result<int64_t> VersionAtTimestamp(int64_t timestamp_millis);

  // The commit timestamps of every version from the earliest available to
  // the latest, non-decreasing in version order.
  Result<std::vector<CommitTimestamp>> CommitTimestamps();

 private:
  Table(std::string root, FileSystem& fs, engine::Connection* conn)
      : root_(std::move(root)), fs_(fs), conn_(conn) {}

  Result<LogListing> List(const ListLogOptions& options);
  Result<std::unique_ptr<Snapshot>> Load(const LogListing& listing, std::optional<int64_t> version);
  // Update's fallback when no commit follows `base`: lists the log from
  // base+1 on and rolls forward, or loads afresh when there is a gap.
  Result<std::unique_ptr<Snapshot>> UpdateByListing(std::unique_ptr<Snapshot> base);

  std::string root_;
  FileSystem& fs_;
  engine::Connection* conn_;
};

}  // namespace strata::lake
