// Listing of a table's _delta_log and the choice of files that rebuild one
// version: the newest usable checkpoint at or before it plus the contiguous
// JSON commits after it (PROTOCOL.md "Delta Log Entries", "Checkpoints").
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/file_system.h"
#include "common/status.h"

namespace strata::lake {

enum class CheckpointKind {
  kClassic,    // NNN.checkpoint.parquet (V1 or V2 spec)
  kMultiPart,  // NNN.checkpoint.PPP.QQQ.parquet, all parts present
  kV2Uuid,     // NNN.checkpoint.<uuid>.json|parquet (V2 spec, may have sidecars)
};

struct CheckpointFiles {
  int64_t version = 0;
  CheckpointKind kind = CheckpointKind::kClassic;
  bool is_json = false;            // only V2 UUID-named checkpoints may be JSON
  std::vector<std::string> paths;  // full paths; one, or the parts in order
};

struct CommitFile {
  int64_t version = 0;
  std::string path;
  int64_t mtime_millis = 0;
};

// What `_last_checkpoint` says (PROTOCOL.md "Last Checkpoint File"). Only a
// hint: the listing decides, so a stale or corrupt file changes nothing.
struct LastCheckpointHint {
  int64_t version = 0;
  std::optional<int64_t> parts;
};

struct LogListing {
  std::string log_dir;
  // The listing holds only versions at or after this one (ListLogOptions::
  // from_version); 0 for a full listing.
  int64_t listed_from = 0;
  std::map<int64_t, CommitFile> commits;
  // Complete checkpoints per version, best first (V2 UUID, classic, multi-part).
  std::map<int64_t, std::vector<CheckpointFiles>> checkpoints;
  std::optional<LastCheckpointHint> last_checkpoint;

  // The newest version the listing can describe, or nullopt when empty.
  std::optional<int64_t> LatestVersion() const;
  // The oldest version that can be rebuilt: 0 when commit 0 exists, else the
  // oldest checkpoint; nullopt when nothing can be rebuilt. Meaningful only
  // for a full listing (listed_from == 0).
  std::optional<int64_t> EarliestVersion() const;
};

// The files that rebuild `version`.
struct LogSegment {
  int64_t version = 0;
  std::optional<CheckpointFiles> checkpoint;
  std::vector<CommitFile> commits;  // versions checkpoint+1 .. version, in order
};

struct ListLogOptions {
  // Fill CommitFile::mtime_millis (a stat per entry on POSIX). Only timestamp
  // time travel and change detection need it; without it mtime_millis is 0.
  bool mtimes = true;
  // List only versions >= this (Delta's listFrom): cheaper on long logs.
  int64_t from_version = 0;
};

// Lists `log_dir`. Skips directories, temp files, `.crc` files, compacted
// logs and names that are not log files. NotFound when `log_dir` is missing.
Result<LogListing> ListLog(FileSystem& fs, const std::string& log_dir,
                           const ListLogOptions& options);
// The full listing with mtimes.
Result<LogListing> ListLog(FileSystem& fs, const std::string& log_dir);

// The hint in `log_dir`/_last_checkpoint; nullopt when the file is missing,
// unreadable or malformed (it is only a hint). Thread-safe if `fs` is.
std::optional<LastCheckpointHint> ReadLastCheckpointHint(FileSystem& fs,
                                                         const std::string& log_dir);

// The listing that rebuilds the latest version at least cost: when
// `_last_checkpoint` names a checkpoint that the listing from its version on
// shows complete, only that part of the log is listed; otherwise (no hint, a
// stale, corrupt or lying hint) the whole log is (names only, no mtimes).
Result<LogListing> ListLogForLatest(FileSystem& fs, const std::string& log_dir);

// The 20-digit zero-padded name prefix of `version` ("00000000000000000042").
std::string VersionPrefix(int64_t version);

// Chooses the files for `version` (latest when nullopt). Corruption naming
// `table` when a commit in the needed range is missing; NotFound when the log
// is empty or `version` is outside what the log holds. A partial listing
// (listed_from > 0) serves only versions it holds a checkpoint at or before.
Result<LogSegment> BuildLogSegment(const LogListing& listing, std::optional<int64_t> version,
                                   const std::string& table);

// Parses a 20-digit zero-padded version prefix; nullopt when `name` lacks one.
std::optional<int64_t> ParseVersionPrefix(std::string_view name);

}  // namespace strata::lake
