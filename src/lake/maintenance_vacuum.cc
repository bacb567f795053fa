// VACUUM: deletes the files under a table root that no retained version
// needs. Follows Delta's VacuumCommand: the files to keep are the latest
// version's plus those named by unexpired remove tombstones (PROTOCOL.md "Add
// File and Remove File": a tombstone's deletionTimestamp tells when the file
// stopped being needed), with their deletion vector files; anything else
// under the root that is older than the cutoff goes.
#include <algorithm>
#include <cstdio>
#include <set>

#include "lake/checkpoint_tombstones.h"
#include "lake/deletion_vector.h"
#include "lake/json_util.h"
#include "lake/lake.h"
#include "lake/maintenance.h"
#include "lake/maintenance_internal.h"
#include "lake/paths.h"

namespace strata::lake {
namespace {

// Delta's hidden-file rule (DeltaTableUtils.isHiddenDirectory): names
// starting with '.' or '_' are not data, except partition directories whose
// column name starts with '_' ("_col=value").
bool IsHidden(std::string_view name) {
  if (name.empty()) return true;
  if (name[0] == '.') return true;
  return name[0] == '_' && name.find('=') == std::string_view::npos;
}

// Collects the absolute local paths that must survive.
class KeepSet {
 public:
  explicit KeepSet(std::string root) : root_(std::move(root)) {}

  void AddFile(std::string_view uri, const std::optional<DeletionVectorDescriptor>& dv) {
    auto path = ResolveLogPath(root_, uri);
    if (path.ok()) paths_.insert(*path);
    if (dv && dv->storage_type != "i") {
      auto dv_path = DeletionVectorFilePath(*dv, root_);
      if (dv_path.ok()) paths_.insert(*dv_path);
    }
  }
  // A tombstone protects its file until it expires; without a timestamp it
  // never expires (the conservative reading).
  void AddTombstone(const RemoveFile& r, int64_t cutoff_millis) {
    if (r.deletion_timestamp && *r.deletion_timestamp <= cutoff_millis) return;
    AddFile(r.path, r.deletion_vector);
  }
  bool Contains(const std::string& path) const { return paths_.count(path) != 0; }

 private:
  std::string root_;
  std::set<std::string> paths_;
};

std::string Hours(int64_t millis) {
  char text[64];
  std::snprintf(text, sizeof text, "%.6g hours", static_cast<double>(millis) / 3600000.0);
  return text;
}

struct Candidate {
  std::string path;
  int64_t size = 0;
};

// Walks `dir` below the table root, collecting files that `keep` lacks and
// that are older than the cutoff, and the directories seen (deepest last).
Status Walk(FileSystem& fs, const std::string& dir, const KeepSet& keep, int64_t cutoff_millis,
            std::vector<Candidate>& files, std::vector<FileInfo>& dirs) {
  STRATA_ASSIGN_OR_RETURN(auto entries, fs.ListDirectory(dir));
  for (const FileInfo& e : entries) {
    if (IsHidden(BaseName(e.path))) continue;  // _delta_log, _change_data, temp files
    if (e.is_directory) {
      dirs.push_back(e);
      STRATA_RETURN_IF_ERROR(Walk(fs, e.path, keep, cutoff_millis, files, dirs));
      continue;
    }
    // A file newer than the cutoff may belong to a commit in flight.
    if (keep.Contains(e.path) || e.mtime_micros / 1000 >= cutoff_millis) continue;
    files.push_back(Candidate{e.path, static_cast<int64_t>(e.size)});
  }
  return Status::OK();
}

// Commits a commitInfo-only version, as Delta records VACUUM START / END.
Result<int64_t> RecordVacuum(const std::string& root, FileSystem& fs, engine::Connection& conn,
                             Clock* clock, const std::string& operation, StringMap parameters,
                             const std::vector<std::pair<std::string, int64_t>>& metrics) {
  STRATA_ASSIGN_OR_RETURN(auto txn,
                          Transaction::Begin(root, fs, conn, MaintenanceTxnOptions(clock, 100)));
  txn->SetOperation(operation, std::move(parameters));
  for (const auto& [name, value] : metrics) txn->SetMetric(name, value);
  STRATA_ASSIGN_OR_RETURN(CommitResult commit, txn->Commit());
  return commit.version;
}

}  // namespace

Result<VacuumResult> Vacuum(const std::string& root, FileSystem& fs, engine::Connection& conn,
                            const VacuumOptions& options) {
  Clock& clock = options.clock != nullptr ? *options.clock : *Clock::Default();
  STRATA_ASSIGN_OR_RETURN(auto table, Table::Open(root, fs, &conn));
  const std::string& table_root = table->root();
  STRATA_ASSIGN_OR_RETURN(auto snapshot, table->Latest());
  STRATA_RETURN_IF_ERROR(CheckMaintenanceSupported(*snapshot, "VACUUM"));

  int64_t configured = kDefaultDeletedFileRetentionMillis;
  if (auto text = snapshot->Property("delta.deletedFileRetentionDuration")) {
    auto parsed = ParseIntervalMillis(*text);
    if (!parsed.ok()) {
      return parsed.status().WithContext("table property delta.deletedFileRetentionDuration");
    }
    configured = *parsed;
  }
  VacuumResult result;
  result.dry_run = options.dry_run;
  result.retention_millis = options.retention_millis.value_or(configured);
  if (result.retention_millis < 0) {
    return Status::InvalidArgument("the VACUUM retention period cannot be negative");
  }
  if (options.enforce_retention_check && result.retention_millis < configured) {
    // Delta's retentionDurationCheck: a short retention can delete files that
    // running readers and writers still use, and ends time travel early.
    return Status::InvalidArgument(
        "refusing to VACUUM Delta table " + table_root + " with a retention of " +
        Hours(result.retention_millis) +
        ": it is shorter than the table's delta.deletedFileRetentionDuration (" +
        Hours(configured) +
        "), so concurrent readers and writers could lose files and time travel to "
        "recent versions would fail. If you are sure, disable the retention check "
        "(`strata table vacuum --allow-short-retention`)");
  }
  int64_t now_millis = clock.NowMicros() / 1000;
  result.cutoff_millis = now_millis - result.retention_millis;

  KeepSet keep(table_root);
  for (const LogicalFile& f : snapshot->files()) keep.AddFile(f.add.path, f.add.deletion_vector);
  STRATA_ASSIGN_OR_RETURN(LogListing listing, ListLog(fs, JoinPath(table_root, "_delta_log")));
  std::optional<int64_t> earliest = listing.EarliestVersion();
  if (earliest && listing.commits.count(0) == 0) {
    auto cps = listing.checkpoints.find(*earliest);
    if (cps != listing.checkpoints.end() && !cps->second.empty()) {
      // For logs whose older commits were cleaned up, the checkpoint is where
      // those tombstones live.
      STRATA_ASSIGN_OR_RETURN(
          std::vector<RemoveFile> removes,
          ReadCheckpointTombstones(cps->second.front(), fs, conn, BadTombstone::kFail));
      for (const RemoveFile& r : removes) keep.AddTombstone(r, result.cutoff_millis);
    }
  }
  for (const auto& [version, commit] : listing.commits) {
    if (version > snapshot->version()) continue;  // committed after our snapshot: kept by mtime
    STRATA_ASSIGN_OR_RETURN(std::string text, fs.ReadFile(commit.path));
    auto actions = ParseCommit(text);
    if (!actions.ok()) return actions.status().WithContext("reading " + commit.path);
    for (const Action& a : *actions) {
      if (const auto* r = std::get_if<RemoveFile>(&a)) keep.AddTombstone(*r, result.cutoff_millis);
    }
  }

  std::vector<Candidate> candidates;
  std::vector<FileInfo> dirs;
  STRATA_RETURN_IF_ERROR(Walk(fs, table_root, keep, result.cutoff_millis, candidates, dirs));
  std::sort(candidates.begin(), candidates.end(),
            [](const Candidate& a, const Candidate& b) { return a.path < b.path; });
  for (const Candidate& c : candidates) {
    result.files.push_back(VacuumFile{c.path.substr(table_root.size() + 1), c.size});
    result.bytes += c.size;
  }
  if (options.dry_run) return result;

  int64_t default_retention = configured;
  if (options.record_in_log) {
    StringMap parameters = {
        {"retentionCheckEnabled", options.enforce_retention_check ? "true" : "false"},
        {"defaultRetentionMillis", std::to_string(default_retention)}};
    if (options.retention_millis) {
      parameters["specifiedRetentionMillis"] = std::to_string(*options.retention_millis);
    }
    STRATA_ASSIGN_OR_RETURN(
        result.start_version,
        RecordVacuum(table_root, fs, conn, options.clock, "VACUUM START", parameters,
                     {{"numFilesToDelete", static_cast<int64_t>(candidates.size())},
                      {"sizeOfDataToDelete", result.bytes}}));
  }
  Status deleted = Status::OK();
  size_t done = 0;
  for (; done < candidates.size(); ++done) {
    deleted = fs.DeleteFile(candidates[done].path);
    if (!deleted.ok() && !deleted.IsNotFound()) break;  // gone already is what we wanted
    deleted = Status::OK();
  }
  if (deleted.ok()) {
    // Partition directories left empty go too, deepest first; one touched
    // within the retention period may be a writer's that is about to fill it.
    for (auto it = dirs.rbegin(); it != dirs.rend(); ++it) {
      if (it->mtime_micros / 1000 >= result.cutoff_millis) continue;
      auto children = fs.ListDirectory(it->path);
      if (!children.ok() || !children->empty()) continue;
      if (fs.DeleteRecursively(it->path).ok()) ++result.directories_deleted;
    }
  }
  if (options.record_in_log) {
    auto end = RecordVacuum(table_root, fs, conn, options.clock, "VACUUM END",
                            {{"status", deleted.ok() ? "COMPLETED" : "FAILED"}},
                            {{"numDeletedFiles", static_cast<int64_t>(done)},
                             {"numVacuumedDirectories", result.directories_deleted}});
    if (end.ok()) result.end_version = *end;
    if (deleted.ok() && !end.ok()) return end.status().WithContext("recording VACUUM END");
  }
  if (!deleted.ok()) {
    return deleted.WithContext("VACUUM of Delta table " + table_root + " deleted " +
                               std::to_string(done) + " of " + std::to_string(candidates.size()) +
                               " files, then failed on " + candidates[done].path);
  }
  return result;
}

}  // namespace strata::lake
