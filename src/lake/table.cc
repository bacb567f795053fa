#include <algorithm>

#include "lake/lake.h"

namespace strata::lake {
namespace {

// PROTOCOL.md "In-Commit Timestamps": the commitInfo holding
// inCommitTimestamp must be the first action of each commit file.
Result<int64_t> ReadInCommitTimestamp(FileSystem& fs, const CommitFile& commit) {
  STRATA_ASSIGN_OR_RETURN(std::string text, fs.ReadFile(commit.path));
  std::string_view first(text);
  first = first.substr(0, first.find('\n'));
  auto action = ParseActionLine(first);
  if (action.ok() && action->has_value()) {
    if (const auto* info = std::get_if<CommitInfo>(&**action)) {
      if (info->in_commit_timestamp) return *info->in_commit_timestamp;
    }
  }
  return Status::Corruption("commit " + commit.path +
                            " lacks the inCommitTimestamp that the table's in-commit "
                            "timestamps require");
}

}  // namespace

Result<std::unique_ptr<Table>> Table::Open(std::string root, FileSystem& fs,
                                           engine::Connection* conn) {
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  std::string log_dir = JoinPath(root, "_delta_log");
  STRATA_ASSIGN_OR_RETURN(bool exists, fs.Exists(log_dir));
  if (!exists) {
    return Status::NotFound("no Delta table at " + root + ": it has no _delta_log directory");
  }
  return std::unique_ptr<Table>(new Table(std::move(root), fs, conn));
}

Result<LogListing> Table::List(const ListLogOptions& options) {
  auto listing = ListLog(fs_, JoinPath(root_, "_delta_log"), options);
  if (!listing.ok()) return listing.status().WithContext("Delta table " + root_);
  return listing;
}

Result<std::unique_ptr<Snapshot>> Table::Load(const LogListing& listing,
                                              std::optional<int64_t> version) {
  STRATA_ASSIGN_OR_RETURN(LogSegment segment, BuildLogSegment(listing, version, root_));
  return Snapshot::Replay(root_, segment, fs_, conn_);
}

Result<std::unique_ptr<Snapshot>> Table::Latest() {
  auto listing = ListLogForLatest(fs_, JoinPath(root_, "_delta_log"));
  if (!listing.ok()) return listing.status().WithContext("Delta table " + root_);
  return Load(*listing, std::nullopt);
}

Result<std::unique_ptr<Snapshot>> Table::Update(std::unique_ptr<Snapshot> base) {
  // Probes base+1, base+2, ... with a stat each instead of listing
  // _delta_log: a readdir costs O(length of the log) per update, the probes
  // O(new commits). Commit files appear whole (put-if-absent) and without
  // gaps, so the first missing version ends the run.
  std::vector<CommitFile> commits;
  for (int64_t v = base->version() + 1;; ++v) {
    std::string path = CommitPath(root_, v);
    auto exists = fs_.Exists(path);
    if (!exists.ok()) return exists.status().WithContext("Delta table " + root_);
    if (!*exists) break;
    commits.push_back(CommitFile{v, std::move(path), 0});
  }
  // Nothing at base+1: either nothing is newer, or cleanup deleted the
  // commits after `base` behind a newer checkpoint. Only a listing tells.
  if (commits.empty()) return UpdateByListing(std::move(base));
  // A `_last_checkpoint` past the run means commits are missing after it.
  auto hint = ReadLastCheckpointHint(fs_, JoinPath(root_, "_delta_log"));
  if (hint && hint->version > commits.back().version) return Latest();
  return Snapshot::RollForward(std::move(base), commits, fs_);
}

Result<std::unique_ptr<Snapshot>> Table::UpdateByListing(std::unique_ptr<Snapshot> base) {
  ListLogOptions newer;
  newer.mtimes = false;
  newer.from_version = base->version() + 1;
  STRATA_ASSIGN_OR_RETURN(LogListing listing, List(newer));
  std::optional<int64_t> latest = listing.LatestVersion();
  if (!latest) return base;  // nothing newer
  // Roll forward only over the whole contiguous run base+1 .. latest; a gap
  // (commits cleaned up behind a newer checkpoint) means a fresh load.
  std::vector<CommitFile> commits;
  for (int64_t v = newer.from_version; v <= *latest; ++v) {
    auto it = listing.commits.find(v);
    if (it == listing.commits.end()) return Latest();
    commits.push_back(std::move(it->second));
  }
  return Snapshot::RollForward(std::move(base), commits, fs_);
}

Result<std::unique_ptr<Snapshot>> Table::AtVersion(int64_t version) {
  ListLogOptions names_only;
  names_only.mtimes = false;
  STRATA_ASSIGN_OR_RETURN(LogListing listing, List(names_only));
  return Load(listing, version);
}

Result<std::vector<CommitTimestamp>> Table::CommitTimestamps() {
  STRATA_ASSIGN_OR_RETURN(LogListing listing, List(ListLogOptions{}));
  STRATA_ASSIGN_OR_RETURN(auto latest, Load(listing, std::nullopt));
  // In-commit timestamps apply from their enablement version on; earlier
  // versions fall back to file modification times.
  std::optional<int64_t> ict_from;
  if (latest->Property("delta.enableInCommitTimestamps") == "true") {
    ict_from = listing.EarliestVersion().value_or(0);
    if (auto v = latest->Property("delta.inCommitTimestampEnablementVersion")) {
      char* end = nullptr;
      long long parsed = std::strtoll(v->c_str(), &end, 10);
      if (end != v->c_str() && *end == '\0') ict_from = parsed;
    }
  }
  int64_t earliest = listing.EarliestVersion().value_or(0);
  std::vector<CommitTimestamp> out;
  int64_t previous = INT64_MIN;
  for (const auto& [version, commit] : listing.commits) {
    if (version < earliest || version > latest->version()) continue;
    int64_t ts = 0;
    if (ict_from && version >= *ict_from) {
      STRATA_ASSIGN_OR_RETURN(ts, ReadInCommitTimestamp(fs_, commit));
    } else {
      ts = commit.mtime_millis;
      if (ts == 0) {
        STRATA_ASSIGN_OR_RETURN(FileInfo info, fs_.Stat(commit.path));
        ts = info.mtime_micros / 1000;
      }
      // Monotonize as Spark's DeltaHistoryManager does: a commit is never
      // older than the one before it, so clock skew cannot reorder versions.
      if (previous != INT64_MIN && ts <= previous) ts = previous + 1;
    }
    previous = ts;
    out.push_back(CommitTimestamp{version, ts});
  }
  return out;
}

Result<int64_t> Table::VersionAtTimestamp(int64_t timestamp_millis) {
  STRATA_ASSIGN_OR_RETURN(auto commits, CommitTimestamps());
  if (commits.empty()) {
    return Status::NotFound("Delta table " + root_ + " has no commit files to time travel over");
  }
  if (timestamp_millis < commits.front().timestamp_millis) {
    return Status::InvalidArgument(
        "Delta table " + root_ + ": timestamp " + std::to_string(timestamp_millis) +
        " ms is before the earliest available version " + std::to_string(commits.front().version) +
        " (committed at " + std::to_string(commits.front().timestamp_millis) + " ms)");
  }
  if (timestamp_millis > commits.back().timestamp_millis) {
    return Status::InvalidArgument(
        "Delta table " + root_ + ": timestamp " + std::to_string(timestamp_millis) +
        " ms is after the latest available version " + std::to_string(commits.back().version) +
        " (committed at " + std::to_string(commits.back().timestamp_millis) + " ms)");
  }
  auto it = std::upper_bound(
      commits.begin(), commits.end(), timestamp_millis,
      [](int64_t ts, const CommitTimestamp& c) { return ts < c.timestamp_millis; });
  return std::prev(it)->version;
}

Result<std::unique_ptr<Snapshot>> Table::AtTimestamp(int64_t timestamp_millis) {
  STRATA_ASSIGN_OR_RETURN(int64_t version, VersionAtTimestamp(timestamp_millis));
  return AtVersion(version);
}

}  // namespace strata::lake
