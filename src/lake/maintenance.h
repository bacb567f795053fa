// Table maintenance: OPTIMIZE (bin-packing compaction, optionally sorted or
// Z-ordered), VACUUM (deleting files no retained version needs), RESTORE (a
// new version whose file set equals an older one's), and the read-only
// history and detail views. OPTIMIZE and RESTORE commit through Transaction,
// so they obey the same conflict rules as the writer (conflict.h). Semantics,
// defaults and safety rules: docs/lake/MAINTENANCE.md.
//
//   STRATA_ASSIGN_OR_RETURN(auto r, lake::Optimize(root, fs, conn, {.zorder_by = {"a", "b"}}));
//   STRATA_ASSIGN_OR_RETURN(auto v, lake::Vacuum(root, fs, conn, {.dry_run = true}));
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/file_system.h"
#include "common/status.h"
#include "engine/engine.h"
#include "lake/actions.h"
#include "lake/schema.h"

namespace strata::lake {

// Defaults Delta uses (PROTOCOL.md "Table Properties"; Delta's DeltaConfigs).
inline constexpr int64_t kDefaultTargetFileSize = 128LL * 1024 * 1024;
inline constexpr int64_t kDefaultDeletedFileRetentionMillis = 7LL * 24 * 3600 * 1000;

// ---- OPTIMIZE ----------------------------------------------------------

struct OptimizeOptions {
  // SQL over partition columns only (Delta's OPTIMIZE ... WHERE); unset: all.
  std::optional<std::string> partition_filter;
  // Bytes per output file; unset: delta.targetFileSize, else 128 MiB.
  std::optional<int64_t> target_file_size;
  // Files smaller than this are compaction candidates; unset: the target.
  std::optional<int64_t> min_file_size;
  // Rewrite every file of each selected partition ordered along a Z-order
  // curve over these columns (one column: a plain sort by it).
  std::vector<std::string> zorder_by;
  // Rewrite every file of each selected partition sorted by these columns
  // (lexicographic). Exclusive with zorder_by.
  std::vector<std::string> sort_by;
  Clock* clock = nullptr;  // commit timestamps; nullptr = Clock::Default(); not owned
  int max_commit_attempts = 100;
  // A sync point for tests that force a race order: called after the new
  // files are written and staged, before the commit.
  std::function<void()> before_commit;
};

struct OptimizeResult {
  bool committed = false;  // false when nothing needed compacting
  int64_t version = -1;    // the version written
  int64_t files_added = 0;
  int64_t files_removed = 0;
  int64_t bytes_added = 0;
  int64_t bytes_removed = 0;
  int64_t partitions_optimized = 0;
  int64_t num_batches = 0;             // groups of files rewritten together
  int64_t total_considered_files = 0;  // live files in the selected partitions
  int64_t total_files_skipped = 0;     // considered but left as they are
  int64_t deletion_vectors_removed = 0;
  int attempts = 0;
};

// Compacts the small files of the table at `root`: per partition, files below
// min_file_size are packed greedily into groups of about target_file_size and
// each group is rewritten as one file; a group of one file is left alone. The
// commit (operation "OPTIMIZE") removes and adds with dataChange=false, and
// records only the rewritten files as read, so concurrent appends never
// conflict; a concurrent DELETE/UPDATE/overwrite of a rewritten file does
// (Conflict). Deleted rows of files with deletion vectors are dropped while
// rewriting. InvalidArgument for a filter on non-partition columns, unknown
// or partition columns in zorder_by/sort_by; NotSupported for tables Strata
// cannot write. `fs`, `conn`, options.clock are not owned; one thread per `conn`.
Result<OptimizeResult> Optimize(const std::string& root, FileSystem& fs, engine::Connection& conn,
                                const OptimizeOptions& options = {});

// ---- VACUUM ------------------------------------------------------------

struct VacuumOptions {
  // Files stop being needed this long after their removal; unset: the
  // table's delta.deletedFileRetentionDuration (default "interval 7 days").
  std::optional<int64_t> retention_millis;
  // List what would be deleted without deleting or committing anything.
  bool dry_run = false;
  // Delta's spark.databricks.delta.retentionDurationCheck.enabled: a
  // retention shorter than the table's configured one is refused unless false.
  bool enforce_retention_check = true;
  // Record VACUUM START / VACUUM END commits (commitInfo only) as Delta does.
  bool record_in_log = true;
  Clock* clock = nullptr;  // "now"; nullptr = Clock::Default(); not owned
};

struct VacuumFile {
  std::string path;  // relative to the table root, decoded
  int64_t size = 0;
};

struct VacuumResult {
  bool dry_run = false;
  int64_t retention_millis = 0;
  int64_t cutoff_millis = 0;             // tombstones and files older than this may go
  std::vector<VacuumFile> files;         // deleted (or, dry run, to delete), sorted by path
  int64_t bytes = 0;                     // their total size
  int64_t directories_deleted = 0;       // partition directories left empty and removed
  std::optional<int64_t> start_version;  // the VACUUM START commit, when recorded
  std::optional<int64_t> end_version;    // the VACUUM END commit, when recorded
};

// Deletes every file under `root` that no version within the retention
// period needs: a file is kept when the latest version holds it, when a
// remove tombstone newer than the cutoff names it (PROTOCOL.md "Add File and
// Remove File": tombstones keep files for time travel until they expire), or
// when the file itself is newer than the cutoff (a write in flight).
// Deletion-vector files of kept entries are kept. `_delta_log/` is never
// touched; names starting with '_' or '.' are skipped unless they are
// partition directories ("_col=v"). InvalidArgument for a negative
// retention, or one below the table's configured retention while
// enforce_retention_check. Per-file delete errors abort with IOError after
// the files deleted so far. Not owned: fs, conn, clock; one thread per `conn`.
Result<VacuumResult> Vacuum(const std::string& root, FileSystem& fs, engine::Connection& conn,
                            const VacuumOptions& options = {});

// Milliseconds of a Delta interval string ("interval 7 days", "interval 1
// week", "168 hours"); units nanoseconds to weeks. InvalidArgument otherwise.
Result<int64_t> ParseIntervalMillis(std::string_view text);

// ---- RESTORE -----------------------------------------------------------

struct RestoreOptions {
  Clock* clock = nullptr;  // nullptr = Clock::Default(); not owned
  int max_commit_attempts = 100;
  std::function<void()> before_commit;  // sync point for tests, as in OptimizeOptions
};

struct RestoreResult {
  int64_t version = -1;           // the new version written
  int64_t restored_version = -1;  // the version whose state it holds
  int64_t files_restored = 0;     // adds of files the restored version had
  int64_t files_removed = 0;      // removes of files added since
  int64_t bytes_restored = 0;
  int64_t bytes_removed = 0;
  int64_t num_files_after = 0;
  int64_t size_after = 0;
  bool metadata_restored = false;  // the schema/properties/partitioning changed back
  bool protocol_changed = false;   // features the restored version needed were added
  int attempts = 0;
};

// Commits a new version (operation "RESTORE") whose live files equal those of
// `version`: adds for files missing now, removes (dataChange=true) for files
// added since, the old metaData when it differs, and a protocol that is the
// union of both (never a downgrade). NotFound when the version is outside the
// log; NotFound naming the files when a needed file was vacuumed (nothing is
// committed); InvalidArgument when the table is append-only and files would
// be removed; Conflict when the table changed concurrently.
Result<RestoreResult> RestoreToVersion(const std::string& root, FileSystem& fs,
                                       engine::Connection& conn, int64_t version,
                                       const RestoreOptions& options = {});

// As RestoreToVersion, for the version time travel picks at
// `timestamp_millis` (Table::VersionAtTimestamp; InvalidArgument outside the
// log's time range).
Result<RestoreResult> RestoreToTimestamp(const std::string& root, FileSystem& fs,
                                         engine::Connection& conn, int64_t timestamp_millis,
                                         const RestoreOptions& options = {});

// ---- history and detail ------------------------------------------------

// One version's commitInfo (PROTOCOL.md "Commit Provenance Information").
struct HistoryEntry {
  int64_t version = 0;
  int64_t timestamp_millis = 0;                    // the time time travel uses for this version
  std::optional<int64_t> commit_timestamp_millis;  // commitInfo.timestamp as written
  std::string operation;                           // "UNKNOWN" when the commit has no commitInfo
  StringMap operation_parameters;                  // non-string values as JSON text
  StringMap operation_metrics;
  std::optional<std::string> engine_info;
  std::optional<std::string> user_id;
  std::optional<std::string> user_name;
  std::optional<int64_t> read_version;
  std::optional<bool> is_blind_append;
  std::optional<std::string> isolation_level;
  std::string commit_info_json = "{}";  // the whole commitInfo object
};

// The versions of the table at `root`, newest first, at most `limit` (all
// when unset). Versions whose commit files were cleaned up are absent.
// NotFound when there is no table; Corruption for an unreadable commit.
// `conn` may be null for logs without Parquet checkpoints.
Result<std::vector<HistoryEntry>> History(const std::string& root, FileSystem& fs,
                                          engine::Connection* conn,
                                          std::optional<int64_t> limit = std::nullopt);

// What DESCRIBE DETAIL reports for the latest version.
struct TableDetail {
  std::string location;
  std::string id;
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::string format = "delta";
  int64_t version = 0;
  std::optional<int64_t> created_time_millis;  // metaData.createdTime
  int64_t last_modified_millis = 0;            // the latest version's timestamp
  std::vector<std::string> partition_columns;
  int64_t num_partitions = 0;  // distinct partition value combinations
  int64_t num_files = 0;
  int64_t size_in_bytes = 0;
  std::optional<int64_t> num_records;  // when every file's stats carry numRecords
  Protocol protocol;
  std::vector<std::string> table_features;  // reader and writer features, deduplicated
  StringMap properties;
  std::string schema_string;
  DataTypePtr schema;
};

// The detail of the latest version of the table at `root`. NotFound when
// there is no table. `conn` may be null for logs without Parquet checkpoints.
Result<TableDetail> Detail(const std::string& root, FileSystem& fs, engine::Connection* conn);

}  // namespace strata::lake
