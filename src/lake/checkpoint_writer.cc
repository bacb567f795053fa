#include "lake/checkpoint_writer.h"

#include <cctype>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "lake/checkpoint_tombstones.h"
#include "lake/json_util.h"
#include "lake/log_segment.h"
#include "lake/paths.h"
#include "lake/snapshot.h"

namespace strata::lake {
namespace {

using engine::QuoteLiteral;

constexpr int64_t kDefaultCheckpointInterval = 100;
constexpr int64_t kDayMillis = 24LL * 3600 * 1000;

// The checkpoint's columns and their types (PROTOCOL.md "Checkpoint Schema").
// DuckDB's JSON reader turns each action line into these structs; absent
// fields and actions become NULL.
constexpr char kDv[] =
    "STRUCT(storageType VARCHAR, pathOrInlineDv VARCHAR, \"offset\" INTEGER, sizeInBytes INTEGER, "
    "cardinality BIGINT, maxRowIndex BIGINT)";
std::string CheckpointColumns() {
  std::string dv = kDv;
  return "{'protocol': 'STRUCT(minReaderVersion INTEGER, minWriterVersion INTEGER, "
         "readerFeatures VARCHAR[], writerFeatures VARCHAR[])', "
         "'metaData': 'STRUCT(id VARCHAR, name VARCHAR, description VARCHAR, format "
         "STRUCT(provider VARCHAR, options MAP(VARCHAR, VARCHAR)), schemaString VARCHAR, "
         "partitionColumns VARCHAR[], configuration MAP(VARCHAR, VARCHAR), createdTime BIGINT)', "
         "'txn': 'STRUCT(appId VARCHAR, version BIGINT, lastUpdated BIGINT)', "
         "'add': 'STRUCT(path VARCHAR, partitionValues MAP(VARCHAR, VARCHAR), size BIGINT, "
         "modificationTime BIGINT, dataChange BOOLEAN, stats VARCHAR, tags MAP(VARCHAR, VARCHAR), "
         "deletionVector " +
         dv +
         ", baseRowId BIGINT, defaultRowCommitVersion BIGINT, "
         "clusteringProvider VARCHAR)', "
         "'remove': 'STRUCT(path VARCHAR, deletionTimestamp BIGINT, dataChange BOOLEAN, "
         "extendedFileMetadata BOOLEAN, partitionValues MAP(VARCHAR, VARCHAR), size BIGINT, "
         "deletionVector " +
         dv +
         ", baseRowId BIGINT, defaultRowCommitVersion BIGINT)', "
         "'domainMetadata': 'STRUCT(domain VARCHAR, configuration VARCHAR, removed BOOLEAN)'}";
}

using FileKey = std::pair<std::string, std::string>;

FileKey KeyOf(const std::string& path, const std::optional<DeletionVectorDescriptor>& dv) {
  auto decoded = PercentDecode(path);
  return {decoded.ok() ? *decoded : path, dv ? dv->UniqueId() : std::string()};
}

Status WriteStaging(FileSystem& fs, const std::string& path, const std::string& data) {
  STRATA_ASSIGN_OR_RETURN(auto file, fs.OpenForWrite(path));
  STRATA_RETURN_IF_ERROR(file->Append(data));
  STRATA_RETURN_IF_ERROR(file->Sync());
  return file->Close();
}

}  // namespace

int64_t CheckpointInterval(const Metadata& metadata) {
  auto it = metadata.configuration.find("delta.checkpointInterval");
  if (it == metadata.configuration.end()) return kDefaultCheckpointInterval;
  char* end = nullptr;
  long long n = std::strtoll(it->second.c_str(), &end, 10);
  if (end == it->second.c_str() || *end != '\0' || n <= 0) return kDefaultCheckpointInterval;
  return n;
}

int64_t DeletedFileRetentionMillis(const Metadata& metadata) {
  constexpr int64_t kDefault = 7 * kDayMillis;
  auto it = metadata.configuration.find("delta.deletedFileRetentionDuration");
  if (it == metadata.configuration.end()) return kDefault;
  std::istringstream in(it->second);
  std::string word, unit;
  long long n = 0;
  if (!(in >> word >> n >> unit) || word != "interval" || n < 0) return kDefault;
  for (char& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!unit.empty() && unit.back() == 's') unit.pop_back();
  static const std::pair<const char*, int64_t> kUnits[] = {
      {"week", 7 * kDayMillis}, {"day", kDayMillis}, {"hour", 3600 * 1000},
      {"minute", 60 * 1000},    {"second", 1000},    {"millisecond", 1}};
  for (const auto& [name, millis] : kUnits) {
    if (unit == name) return n * millis;
  }
  return kDefault;
}

Result<CheckpointInfo> WriteCheckpoint(const std::string& root, int64_t version, FileSystem& fs,
                                       engine::Connection& conn, Clock& clock) {
  std::string log_dir = JoinPath(root, "_delta_log");
  ListLogOptions names_only;  // mtimes are not needed: a stat per log entry saved
  names_only.mtimes = false;
  STRATA_ASSIGN_OR_RETURN(LogListing listing, ListLog(fs, log_dir, names_only));
  STRATA_ASSIGN_OR_RETURN(LogSegment segment, BuildLogSegment(listing, version, root));
  STRATA_ASSIGN_OR_RETURN(auto snapshot, Snapshot::Replay(root, segment, fs, &conn));

  // Tombstones: the previous checkpoint's, then the commits after it in order
  // (an add of the same path revives the file and drops its tombstone).
  std::map<FileKey, RemoveFile> tombstones;
  if (segment.checkpoint) {
    // A tombstone is only a hint to VACUUM: one that does not parse is dropped.
    STRATA_ASSIGN_OR_RETURN(
        std::vector<RemoveFile> removes,
        ReadCheckpointTombstones(*segment.checkpoint, fs, conn, BadTombstone::kSkip));
    for (RemoveFile& r : removes) {
      FileKey key = KeyOf(r.path, r.deletion_vector);
      tombstones[key] = std::move(r);
    }
  }
  for (const CommitFile& commit : segment.commits) {
    STRATA_ASSIGN_OR_RETURN(std::string text, fs.ReadFile(commit.path));
    STRATA_ASSIGN_OR_RETURN(auto actions, ParseCommit(text));
    for (Action& a : actions) {
      if (auto* r = std::get_if<RemoveFile>(&a)) {
        FileKey key = KeyOf(r->path, r->deletion_vector);
        tombstones[key] = std::move(*r);
      } else if (auto* add = std::get_if<AddFile>(&a)) {
        tombstones.erase(KeyOf(add->path, add->deletion_vector));
      }
    }
  }
  int64_t expire_before =
      clock.NowMicros() / 1000 - DeletedFileRetentionMillis(snapshot->metadata());

  std::string staging;
  CheckpointInfo info;
  info.version = version;
  auto emit = [&](const Action& a) {
    staging += ActionToJson(a);
    staging += '\n';
    ++info.size;
  };
  emit(snapshot->protocol());
  emit(snapshot->metadata());
  for (const auto& [app, txn] : snapshot->app_transactions()) emit(txn);
  for (const auto& [name, domain] : snapshot->domain_metadata()) emit(domain);
  for (const LogicalFile& file : snapshot->files()) {
    AddFile add = file.add;
    add.data_change = false;  // checkpoint actions describe state, not change
    if (!add.stats && add.stats_parsed) add.stats = add.stats_parsed;
    add.stats_parsed.reset();
    emit(add);
    ++info.num_add_files;
  }
  for (auto& [key, remove] : tombstones) {
    if (!remove.deletion_timestamp || *remove.deletion_timestamp < expire_before) continue;
    RemoveFile r = remove;
    r.stats.reset();  // "Checkpoint Schema": tombstones carry no stats or tags
    r.tags.reset();
    r.data_change = false;
    emit(r);
  }

  char name[48];
  std::snprintf(name, sizeof name, "%020lld.checkpoint.parquet", static_cast<long long>(version));
  std::string target = JoinPath(log_dir, name);
  std::string staging_path = TempPathFor(target);
  std::string parquet_path = TempPathFor(target);
  STRATA_RETURN_IF_ERROR(WriteStaging(fs, staging_path, staging));
  Status copied = conn.Execute(
      "COPY (SELECT protocol, metaData, txn, add, remove, domainMetadata FROM read_json(" +
      QuoteLiteral(staging_path) +
      ", format = 'newline_delimited', columns = " + CheckpointColumns() + ")) TO " +
      QuoteLiteral(parquet_path) + " (FORMAT parquet, COMPRESSION snappy)");
  (void)fs.DeleteFile(staging_path);
  if (!copied.ok()) {
    (void)fs.DeleteFile(parquet_path);
    return copied.WithContext("writing checkpoint " + target);
  }
  // Classic checkpoints may be replaced: two writers produce the same state.
  STRATA_RETURN_IF_ERROR(fs.Rename(parquet_path, target));
  STRATA_ASSIGN_OR_RETURN(FileInfo stat, fs.Stat(target));
  info.size_in_bytes = static_cast<int64_t>(stat.size);

  // Never move the hint backwards past a newer checkpoint another writer made.
  std::string last_path = JoinPath(log_dir, "_last_checkpoint");
  if (auto existing = fs.ReadFile(last_path); existing.ok()) {
    auto doc = json_util::Parse(*existing);
    if (doc.ok()) {
      auto v = json_util::GetInt(*doc, "version");
      if (v.ok() && *v > version) return info;
    }
  }
  nlohmann::json last = {{"version", version},
                         {"size", info.size},
                         {"sizeInBytes", info.size_in_bytes},
                         {"numOfAddFiles", info.num_add_files}};
  STRATA_RETURN_IF_ERROR(fs.WriteFileAtomic(last_path, json_util::Dump(last)));
  return info;
}

}  // namespace strata::lake
