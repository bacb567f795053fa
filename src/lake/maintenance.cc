// RESTORE, history, detail and the helpers the maintenance operations share.
// OPTIMIZE is in maintenance_optimize.cc, VACUUM in maintenance_vacuum.cc.
#include "lake/maintenance.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "lake/deletion_vector.h"
#include "lake/json_util.h"
#include "lake/lake.h"
#include "lake/maintenance_internal.h"
#include "lake/paths.h"
#include "lake/write_support.h"

namespace strata::lake {
namespace {

using nlohmann::json;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Writer features implied by a legacy writer version, and reader features by
// a legacy reader version (PROTOCOL.md "Table Features": "Table features
// implicitly supported by legacy protocol versions").
std::vector<std::string> ImpliedWriterFeatures(int32_t version) {
  std::vector<std::string> out;
  if (version >= 2) out.insert(out.end(), {"appendOnly", "invariants"});
  if (version >= 3) out.push_back("checkConstraints");
  if (version >= 4) out.insert(out.end(), {"changeDataFeed", "generatedColumns"});
  if (version >= 5) out.push_back("columnMapping");
  if (version >= 6) out.push_back("identityColumns");
  return out;
}

std::vector<std::string> ImpliedReaderFeatures(int32_t version) {
  return version >= 2 ? std::vector<std::string>{"columnMapping"} : std::vector<std::string>{};
}

// The protocol that supports everything `a` and `b` support: RESTORE never
// downgrades (Delta's RestoreTableCommand merges the two protocols).
Protocol MergeProtocols(const Protocol& a, const Protocol& b) {
  Protocol out;
  out.min_reader_version = std::max(a.min_reader_version, b.min_reader_version);
  out.min_writer_version = std::max(a.min_writer_version, b.min_writer_version);
  auto collect = [](const Protocol& p, bool reader) {
    const auto& listed = reader ? p.reader_features : p.writer_features;
    if (listed) return *listed;
    return reader ? ImpliedReaderFeatures(p.min_reader_version)
                  : ImpliedWriterFeatures(p.min_writer_version);
  };
  auto unite = [](std::vector<std::string> x, const std::vector<std::string>& y) {
    for (const std::string& f : y) {
      if (std::find(x.begin(), x.end(), f) == x.end()) x.push_back(f);
    }
    return x;
  };
  if (out.min_reader_version >= 3) {
    out.reader_features = unite(collect(a, true), collect(b, true));
  }
  if (out.min_writer_version >= 7) {
    out.writer_features = unite(collect(a, false), collect(b, false));
    // Reader features must be writer features too (PROTOCOL.md "Table Features").
    if (out.reader_features)
      out.writer_features = unite(*out.writer_features, *out.reader_features);
  }
  return out;
}

// A JSON object's members as strings: strings verbatim, other values as JSON.
StringMap ToStringMap(const json* obj) {
  StringMap out;
  if (obj == nullptr || !obj->is_object()) return out;
  for (const auto& [key, value] : obj->items()) {
    out[key] = value.is_string() ? value.get<std::string>() : json_util::Dump(value);
  }
  return out;
}

HistoryEntry EntryFrom(int64_t version, const CommitInfo* info) {
  HistoryEntry entry;
  entry.version = version;
  entry.operation = "UNKNOWN";
  if (info == nullptr) return entry;
  entry.commit_info_json = info->json;
  entry.commit_timestamp_millis =
      info->in_commit_timestamp ? info->in_commit_timestamp : info->timestamp;
  if (info->operation) entry.operation = *info->operation;
  auto doc = json_util::Parse(info->json);
  if (!doc.ok() || !doc->is_object()) return entry;
  entry.operation_parameters = ToStringMap(json_util::Field(*doc, "operationParameters"));
  entry.operation_metrics = ToStringMap(json_util::Field(*doc, "operationMetrics"));
  auto text = [&](const char* key) -> std::optional<std::string> {
    const json* v = json_util::Field(*doc, key);
    if (v == nullptr) return std::nullopt;
    return v->is_string() ? v->get<std::string>() : json_util::Dump(*v);
  };
  entry.engine_info = text("engineInfo");
  entry.user_id = text("userId");
  entry.user_name = text("userName");
  entry.isolation_level = text("isolationLevel");
  if (auto v = json_util::OptInt(*doc, "readVersion"); v.ok()) entry.read_version = *v;
  if (auto v = json_util::OptBool(*doc, "isBlindAppend"); v.ok()) entry.is_blind_append = *v;
  return entry;
}

// The first files of `paths`, for messages.
std::string FirstFew(const std::vector<std::string>& paths) {
  std::string out;
  for (size_t i = 0; i < paths.size() && i < 5; ++i) out += (i ? ", " : "") + paths[i];
  if (paths.size() > 5) out += " and " + std::to_string(paths.size() - 5) + " more";
  return out;
}

Result<RestoreResult> Restore(const std::string& root, FileSystem& fs, engine::Connection& conn,
                              int64_t version, StringMap parameters,
                              const RestoreOptions& options) {
  STRATA_ASSIGN_OR_RETURN(auto table, Table::Open(root, fs, &conn));
  STRATA_ASSIGN_OR_RETURN(
      auto txn,
      Transaction::Begin(table->root(), fs, conn,
                         MaintenanceTxnOptions(options.clock, options.max_commit_attempts)));
  const Snapshot& current = *txn->snapshot();
  STRATA_RETURN_IF_ERROR(CheckMaintenanceSupported(current, "RESTORE"));
  if (version > current.version()) {
    return Status::NotFound("cannot restore Delta table " + table->root() + " to version " +
                            std::to_string(version) + ": the latest version is " +
                            std::to_string(current.version()));
  }
  auto loaded = table->AtVersion(version);
  if (!loaded.ok()) {
    return loaded.status().WithContext("cannot restore Delta table " + table->root() +
                                       " to version " + std::to_string(version));
  }
  const Snapshot& target = **loaded;

  RestoreResult result;
  result.restored_version = version;
  std::set<MaintenanceFileKey> current_keys, target_keys;
  for (const LogicalFile& f : current.files()) current_keys.insert(KeyOfFile(f.add));
  std::vector<std::string> missing;
  std::vector<const LogicalFile*> to_add;
  for (const LogicalFile& f : target.files()) {
    target_keys.insert(KeyOfFile(f.add));
    result.num_files_after += 1;
    result.size_after += f.add.size;
    if (current_keys.count(KeyOfFile(f.add)) != 0) continue;
    to_add.push_back(&f);
    // Restoring a vacuumed file would commit a version nobody can read.
    STRATA_ASSIGN_OR_RETURN(bool exists, fs.Exists(f.path));
    if (!exists) missing.push_back(f.path);
    if (f.add.deletion_vector && f.add.deletion_vector->storage_type != "i") {
      auto dv_path = DeletionVectorFilePath(*f.add.deletion_vector, table->root());
      if (dv_path.ok()) {
        STRATA_ASSIGN_OR_RETURN(bool dv_exists, fs.Exists(*dv_path));
        if (!dv_exists) missing.push_back(*dv_path);
      }
    }
  }
  if (!missing.empty()) {
    return Status::NotFound("cannot restore Delta table " + table->root() + " to version " +
                            std::to_string(version) + ": " + std::to_string(missing.size()) +
                            " files it needs are gone (removed by VACUUM?): " + FirstFew(missing) +
                            "; nothing was committed");
  }
  std::vector<const LogicalFile*> to_remove;
  for (const LogicalFile& f : current.files()) {
    if (target_keys.count(KeyOfFile(f.add)) == 0) to_remove.push_back(&f);
  }
  if (!to_remove.empty()) STRATA_RETURN_IF_ERROR(CheckMayRemoveData(current, "RESTORE"));

  // Delta's RestoreTableCommand reads the whole table: any concurrent data
  // change invalidates the file sets compared above.
  txn->ReadWholeTable();
  for (const LogicalFile* f : to_remove) {
    txn->RemoveLive(*f);
    result.files_removed += 1;
    result.bytes_removed += f->add.size;
  }
  for (const LogicalFile* f : to_add) {
    AddFile add = f->add;
    add.data_change = true;
    add.stats_parsed.reset();
    txn->Add(std::move(add));
    result.files_restored += 1;
    result.bytes_restored += f->add.size;
  }
  Protocol protocol = MergeProtocols(current.protocol(), target.protocol());
  if (!(protocol == current.protocol())) {
    txn->SetProtocol(protocol);
    result.protocol_changed = true;
  }
  if (!(target.metadata() == current.metadata())) {
    txn->SetMetadata(target.metadata());
    result.metadata_restored = true;
  }
  txn->SetOperation("RESTORE", std::move(parameters));
  txn->SetMetric("numRestoredFiles", result.files_restored);
  txn->SetMetric("restoredFilesSize", result.bytes_restored);
  txn->SetMetric("numRemovedFiles", result.files_removed);
  txn->SetMetric("removedFilesSize", result.bytes_removed);
  txn->SetMetric("numOfFilesAfterRestore", result.num_files_after);
  txn->SetMetric("tableSizeAfterRestore", result.size_after);
  if (options.before_commit) options.before_commit();
  STRATA_ASSIGN_OR_RETURN(CommitResult commit, txn->Commit());
  result.version = commit.version;
  result.attempts = commit.attempts;
  return result;
}

}  // namespace

MaintenanceFileKey KeyOfFile(const AddFile& add) {
  auto decoded = PercentDecode(add.path);
  return {decoded.ok() ? *decoded : add.path,
          add.deletion_vector ? add.deletion_vector->UniqueId() : std::string()};
}

Status CheckMaintenanceSupported(const Snapshot& snapshot, const std::string& operation) {
  const Protocol& p = snapshot.protocol();
  const std::string what = operation + " on Delta table " + snapshot.table_root();
  if (p.min_writer_version > 7) {
    return Status::NotSupported(what + ": the table needs writer version " +
                                std::to_string(p.min_writer_version) +
                                "; Strata writes up to version 7");
  }
  static constexpr std::string_view kSupported[] = {
      "appendOnly",       "invariants",      "checkConstraints",    "changeDataFeed",
      "generatedColumns", "identityColumns", "columnMapping",       "timestampNtz",
      "typeWidening",     "domainMetadata",  "vacuumProtocolCheck", "deletionVectors",
  };
  if (p.min_writer_version == 7 && p.writer_features) {
    for (const std::string& feature : *p.writer_features) {
      if (std::find(std::begin(kSupported), std::end(kSupported), feature) ==
          std::end(kSupported)) {
        return Status::NotSupported(what + ": the table uses writer feature '" + feature +
                                    "', which Strata does not write");
      }
    }
  }
  return Status::OK();
}

TransactionOptions MaintenanceTxnOptions(Clock* clock, int max_attempts) {
  TransactionOptions options;
  options.clock = clock;
  options.max_attempts = max_attempts;
  return options;
}

Result<int64_t> ParseIntervalMillis(std::string_view text) {
  std::string s = Lower(text);
  std::vector<std::string> words;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    size_t start = i;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i > start) words.push_back(s.substr(start, i - start));
  }
  if (!words.empty() && words[0] == "interval") words.erase(words.begin());
  auto bad = [&]() {
    return Status::InvalidArgument("'" + std::string(text) +
                                   "' is not an interval such as 'interval 7 days' (units: "
                                   "milliseconds, seconds, minutes, hours, days, weeks)");
  };
  if (words.empty() || words.size() % 2 != 0) return bad();
  static const std::map<std::string, double> kUnits = {
      {"nanosecond", 1e-6}, {"microsecond", 1e-3}, {"millisecond", 1}, {"second", 1e3},
      {"minute", 60e3},     {"hour", 3600e3},      {"day", 86400e3},   {"week", 7 * 86400e3},
  };
  double total = 0;
  for (size_t k = 0; k < words.size(); k += 2) {
    char* end = nullptr;
    double n = std::strtod(words[k].c_str(), &end);
    if (end == words[k].c_str() || *end != '\0' || !(n >= 0)) return bad();
    std::string unit = words[k + 1];
    if (unit.size() > 1 && unit.back() == 's') unit.pop_back();
    auto it = kUnits.find(unit);
    if (it == kUnits.end()) return bad();
    total += n * it->second;
  }
  if (total > 9e15) return bad();
  return static_cast<int64_t>(total);
}

Result<RestoreResult> RestoreToVersion(const std::string& root, FileSystem& fs,
                                       engine::Connection& conn, int64_t version,
                                       const RestoreOptions& options) {
  return Restore(root, fs, conn, version, {{"version", std::to_string(version)}}, options);
}

Result<RestoreResult> RestoreToTimestamp(const std::string& root, FileSystem& fs,
                                         engine::Connection& conn, int64_t timestamp_millis,
                                         const RestoreOptions& options) {
  STRATA_ASSIGN_OR_RETURN(auto table, Table::Open(root, fs, &conn));
  auto version = table->VersionAtTimestamp(timestamp_millis);
  if (!version.ok()) return version.status().WithContext("cannot restore by timestamp");
  return Restore(root, fs, conn, *version, {{"timestamp", std::to_string(timestamp_millis)}},
                 options);
}

Result<std::vector<HistoryEntry>> History(const std::string& root, FileSystem& fs,
                                          engine::Connection* conn, std::optional<int64_t> limit) {
  STRATA_ASSIGN_OR_RETURN(auto table, Table::Open(root, fs, conn));
  STRATA_ASSIGN_OR_RETURN(auto timestamps, table->CommitTimestamps());
  STRATA_ASSIGN_OR_RETURN(LogListing listing, ListLog(fs, JoinPath(table->root(), "_delta_log")));
  std::vector<HistoryEntry> out;
  for (auto it = timestamps.rbegin(); it != timestamps.rend(); ++it) {
    if (limit && static_cast<int64_t>(out.size()) >= *limit) break;
    auto commit = listing.commits.find(it->version);
    if (commit == listing.commits.end()) continue;
    STRATA_ASSIGN_OR_RETURN(std::string text, fs.ReadFile(commit->second.path));
    auto actions = ParseCommit(text);
    if (!actions.ok()) return actions.status().WithContext("reading " + commit->second.path);
    const CommitInfo* info = nullptr;
    for (const Action& a : *actions) {
      if (const auto* ci = std::get_if<CommitInfo>(&a)) info = ci;
    }
    HistoryEntry entry = EntryFrom(it->version, info);
    entry.timestamp_millis = it->timestamp_millis;
    out.push_back(std::move(entry));
  }
  return out;
}

Result<TableDetail> Detail(const std::string& root, FileSystem& fs, engine::Connection* conn) {
  STRATA_ASSIGN_OR_RETURN(auto table, Table::Open(root, fs, conn));
  STRATA_ASSIGN_OR_RETURN(auto snapshot, table->Latest());
  STRATA_ASSIGN_OR_RETURN(auto timestamps, table->CommitTimestamps());
  TableDetail detail;
  const Metadata& m = snapshot->metadata();
  detail.location = table->root();
  detail.id = m.id;
  detail.name = m.name;
  detail.description = m.description;
  detail.version = snapshot->version();
  detail.created_time_millis = m.created_time;
  if (!timestamps.empty()) detail.last_modified_millis = timestamps.back().timestamp_millis;
  detail.partition_columns = m.partition_columns;
  detail.protocol = snapshot->protocol();
  detail.properties = m.configuration;
  detail.schema_string = m.schema_string;
  detail.schema = snapshot->schema_ptr();
  std::set<std::string> features;
  if (detail.protocol.reader_features) {
    features.insert(detail.protocol.reader_features->begin(),
                    detail.protocol.reader_features->end());
  }
  if (detail.protocol.writer_features) {
    features.insert(detail.protocol.writer_features->begin(),
                    detail.protocol.writer_features->end());
  }
  detail.table_features.assign(features.begin(), features.end());
  std::set<PartitionValues> partitions;
  int64_t records = 0;
  bool records_known = true;
  for (const LogicalFile& f : snapshot->files()) {
    detail.num_files += 1;
    detail.size_in_bytes += f.add.size;
    partitions.insert(f.add.partition_values);
    int64_t n = RecordsIn(f.add);
    if (n < 0) {
      records_known = false;
    } else {
      // Rows a deletion vector removed are no longer in the table.
      records += n - (f.add.deletion_vector ? f.add.deletion_vector->cardinality : 0);
    }
  }
  if (!m.partition_columns.empty()) detail.num_partitions = static_cast<int64_t>(partitions.size());
  if (records_known) detail.num_records = records;
  return detail;
}

}  // namespace strata::lake
