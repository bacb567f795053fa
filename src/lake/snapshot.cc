#include "lake/snapshot.h"

#include <algorithm>
#include <functional>
#include <unordered_map>
#include <utility>

#include "lake/checkpoint_reader.h"
#include "lake/paths.h"

namespace strata::lake {
namespace {

// Reader features whose reader requirements this reader meets (PROTOCOL.md
// "Table Features"). typeWidening only needs the cast to the table type that
// every scan does; vacuumProtocolCheck puts no demand on readers.
constexpr std::string_view kSupportedReaderFeatures[] = {
    "columnMapping",       "deletionVectors", "timestampNtz",         "v2Checkpoint",
    "vacuumProtocolCheck", "typeWidening",    "typeWidening-preview",
};

// A logical file is keyed by its path and the unique id of its deletion
// vector (PROTOCOL.md "Add File and Remove File"); the path is decoded so
// that two spellings of one file meet.
using FileKey = std::pair<std::string, std::string>;

struct FileKeyHash {
  size_t operator()(const FileKey& key) const {
    size_t h = std::hash<std::string>()(key.first);
    return key.second.empty() ? h : h ^ (std::hash<std::string>()(key.second) * 31);
  }
};

// Below this ratio of live files to changes, RollForward edits the file
// vector in place; above it, one merge pass is cheaper.
constexpr size_t kMergeRatio = 64;

Result<FileKey> KeyOf(const std::string& path, const std::optional<DeletionVectorDescriptor>& dv) {
  FileKey key;
  if (path.find('%') == std::string::npos) {
    key.first = path;  // the common case: nothing to decode
  } else {
    STRATA_ASSIGN_OR_RETURN(key.first, PercentDecode(path));
  }
  if (dv) key.second = dv->UniqueId();
  return key;
}

// Replay state, applied in log order: newer actions overwrite older ones.
// File actions are reconciled in a hash map (the order is restored once, at
// the end); a removed key maps to nullopt, so a roll-forward can also erase
// files it never saw added.
struct ReplayState {
  std::optional<Protocol> protocol;
  std::optional<Metadata> metadata;
  std::unordered_map<FileKey, std::optional<AddFile>, FileKeyHash> files;
  std::map<std::string, Txn> txns;
  std::map<std::string, std::optional<DomainMetadata>> domains;  // nullopt: removed
  std::optional<CommitInfo> last_commit_info;

  Status Apply(Action&& action) {
    if (auto* add = std::get_if<AddFile>(&action)) {
      STRATA_ASSIGN_OR_RETURN(FileKey key, KeyOf(add->path, add->deletion_vector));
      files.insert_or_assign(std::move(key), std::optional<AddFile>(std::move(*add)));
    } else if (auto* remove = std::get_if<RemoveFile>(&action)) {
      STRATA_ASSIGN_OR_RETURN(FileKey key, KeyOf(remove->path, remove->deletion_vector));
      files.insert_or_assign(std::move(key), std::nullopt);
    } else if (auto* p = std::get_if<Protocol>(&action)) {
      protocol = std::move(*p);
    } else if (auto* m = std::get_if<Metadata>(&action)) {
      metadata = std::move(*m);
    } else if (auto* txn = std::get_if<Txn>(&action)) {
      std::string app = txn->app_id;
      txns.insert_or_assign(std::move(app), std::move(*txn));
    } else if (auto* d = std::get_if<DomainMetadata>(&action)) {
      std::string name = d->domain;
      if (d->removed) {
        domains.insert_or_assign(std::move(name), std::nullopt);
      } else {
        domains.insert_or_assign(std::move(name), std::optional<DomainMetadata>(std::move(*d)));
      }
    } else if (auto* ci = std::get_if<CommitInfo>(&action)) {
      last_commit_info = std::move(*ci);
    }
    // cdc, checkpointMetadata and sidecar do not change what a reader sees.
    return Status::OK();
  }

  using Entry = std::pair<const FileKey, std::optional<AddFile>>;

  // The file entries in key order. Sorts small (path view, entry) records,
  // not the entries: an AddFile is large, and moving each through the sort's
  // swaps cost more than the comparisons; the view spares a pointer chase per
  // comparison.
  std::vector<Entry*> SortedEntries() {
    struct Ref {
      std::string_view path;
      Entry* entry;
    };
    std::vector<Ref> order;
    order.reserve(files.size());
    for (Entry& entry : files) order.push_back(Ref{entry.first.first, &entry});
    std::sort(order.begin(), order.end(), [](const Ref& a, const Ref& b) {
      if (a.path != b.path) return a.path < b.path;
      return a.entry->first.second < b.entry->first.second;  // same path, other DV
    });
    std::vector<Entry*> out;
    out.reserve(order.size());
    for (const Ref& ref : order) out.push_back(ref.entry);
    return out;
  }

  // The surviving file actions (removals included, as nullopt) in key order.
  std::vector<std::pair<FileKey, std::optional<AddFile>>> SortedFiles() {
    std::vector<std::pair<FileKey, std::optional<AddFile>>> out;
    out.reserve(files.size());
    for (Entry* entry : SortedEntries()) out.emplace_back(entry->first, std::move(entry->second));
    files.clear();
    return out;
  }

  // The live adds alone, in key order: what a fresh replay keeps. Unlike
  // SortedFiles it copies no key (one allocation less per file).
  std::vector<AddFile> SortedLiveAdds() {
    std::vector<AddFile> out;
    out.reserve(files.size());
    for (Entry* entry : SortedEntries()) {
      if (entry->second) out.push_back(std::move(*entry->second));
    }
    files.clear();
    return out;
  }
};

// Orders a live file against a replay key as SortedFiles orders keys,
// without building the file's key: paths with nothing to decode (the usual
// case) are compared in place.
int CompareToKey(const LogicalFile& file, const FileKey& key) {
  std::string decoded;
  std::string_view path = file.add.path;
  if (path.find('%') != std::string_view::npos) {
    auto d = PercentDecode(file.add.path);
    decoded = d.ok() ? std::move(d).value() : file.add.path;
    path = decoded;
  }
  int c = path.compare(key.first);
  if (c != 0) return c;
  std::string dv = file.add.deletion_vector ? file.add.deletion_vector->UniqueId() : "";
  return dv.compare(key.second);
}

Status ApplyCommitFile(ReplayState& state, const CommitFile& commit, FileSystem& fs,
                       const std::string& table_root) {
  auto text = fs.ReadFile(commit.path);
  if (!text.ok()) return text.status().WithContext("Delta table " + table_root);
  auto actions = ParseCommit(*text);
  if (!actions.ok()) {
    return actions.status().WithContext("Delta table " + table_root + ": commit " + commit.path);
  }
  state.last_commit_info.reset();
  for (Action& a : *actions) {
    Status s = state.Apply(std::move(a));
    if (!s.ok()) return s.WithContext("Delta table " + table_root + ": commit " + commit.path);
  }
  return Status::OK();
}

}  // namespace

Status CheckReadSupported(const Protocol& protocol, const std::string& table) {
  if (protocol.min_reader_version < 1) {
    return Status::Corruption("Delta table " + table + ": minReaderVersion " +
                              std::to_string(protocol.min_reader_version) + " is invalid");
  }
  std::string unknown;
  if (protocol.min_reader_version >= 3 && protocol.reader_features) {
    for (const std::string& feature : *protocol.reader_features) {
      if (std::find(std::begin(kSupportedReaderFeatures), std::end(kSupportedReaderFeatures),
                    feature) == std::end(kSupportedReaderFeatures)) {
        unknown += (unknown.empty() ? "'" : ", '") + feature + "'";
      }
    }
  }
  if (protocol.min_reader_version > 3) {
    return Status::NotSupported(
        "Delta table " + table + " needs reader version " +
        std::to_string(protocol.min_reader_version) + "; this reader supports up to 3" +
        (unknown.empty() ? std::string() : " (unknown reader features: " + unknown + ")"));
  }
  if (!unknown.empty()) {
    return Status::NotSupported("Delta table " + table + " uses reader feature " + unknown +
                                ", which this reader does not support");
  }
  return Status::OK();
}

Result<std::unique_ptr<Snapshot>> Snapshot::Replay(const std::string& table_root,
                                                   const LogSegment& segment, FileSystem& fs,
                                                   engine::Connection* conn) {
  ReplayState state;
  std::string log_dir = JoinPath(table_root, "_delta_log");
  if (segment.checkpoint) {
    auto actions = ReadCheckpoint(*segment.checkpoint, log_dir, fs, conn);
    if (!actions.ok()) return actions.status().WithContext("Delta table " + table_root);
    state.files.reserve(actions->size());
    for (Action& a : *actions) STRATA_RETURN_IF_ERROR(state.Apply(std::move(a)));
  }
  auto snapshot = std::unique_ptr<Snapshot>(new Snapshot());
  for (const CommitFile& commit : segment.commits) {
    STRATA_RETURN_IF_ERROR(ApplyCommitFile(state, commit, fs, table_root));
  }
  if (!segment.commits.empty() && segment.commits.back().version == segment.version) {
    snapshot->commit_info_ = state.last_commit_info;
  }
  std::string where = "version " + std::to_string(segment.version) +
                      (segment.checkpoint ? " (from the checkpoint at version " +
                                                std::to_string(segment.checkpoint->version) + ")"
                                          : "");
  if (!state.protocol) {
    return Status::Corruption("Delta table " + table_root + ": no protocol action in the log at " +
                              where);
  }
  if (!state.metadata) {
    return Status::Corruption("Delta table " + table_root + ": no metaData action in the log at " +
                              where);
  }
  snapshot->version_ = segment.version;
  snapshot->table_root_ = table_root;
  snapshot->protocol_ = std::move(*state.protocol);
  snapshot->metadata_ = std::move(*state.metadata);
  STRATA_RETURN_IF_ERROR(snapshot->Finalize(true, true));
  snapshot->txns_ = std::move(state.txns);
  for (auto& [name, domain] : state.domains) {
    if (domain) snapshot->domains_.emplace(name, std::move(*domain));
  }
  std::vector<AddFile> live = state.SortedLiveAdds();
  snapshot->files_.reserve(live.size());
  for (AddFile& add : live) {
    auto path = ResolveLogPath(table_root, add.path);
    if (!path.ok()) return path.status().WithContext("Delta table " + table_root);
    snapshot->files_.push_back(LogicalFile{std::move(add), std::move(path).value()});
  }
  return snapshot;
}

Status Snapshot::Finalize(bool protocol_changed, bool metadata_changed) {
  if (protocol_changed) STRATA_RETURN_IF_ERROR(CheckReadSupported(protocol_, table_root_));
  if (!metadata_changed) return Status::OK();
  auto schema = ParseSchema(metadata_.schema_string);
  if (!schema.ok()) return schema.status().WithContext("Delta table " + table_root_);
  auto mode_it = metadata_.configuration.find("delta.columnMapping.mode");
  auto mode = ParseColumnMappingMode(mode_it == metadata_.configuration.end()
                                         ? std::nullopt
                                         : std::optional<std::string>(mode_it->second));
  if (!mode.ok()) return mode.status().WithContext("Delta table " + table_root_);
  schema_ = std::move(schema).value();
  column_mapping_mode_ = *mode;
  return Status::OK();
}

Result<std::unique_ptr<Snapshot>> Snapshot::RollForward(std::unique_ptr<Snapshot> base,
                                                        const std::vector<CommitFile>& commits,
                                                        FileSystem& fs) {
  if (commits.empty()) return base;
  const std::string& root = base->table_root_;
  int64_t expected = base->version_ + 1;
  for (const CommitFile& commit : commits) {
    if (commit.version != expected++) {
      return Status::Internal("Delta table " + root + ": rolling version " +
                              std::to_string(base->version_) + " forward needs commit " +
                              std::to_string(expected - 1) + ", got " +
                              std::to_string(commit.version));
    }
  }
  ReplayState state;
  for (const CommitFile& commit : commits) {
    STRATA_RETURN_IF_ERROR(ApplyCommitFile(state, commit, fs, root));
  }
  Snapshot& s = *base;
  s.version_ = commits.back().version;
  s.commit_info_ = std::move(state.last_commit_info);
  bool protocol_changed = state.protocol.has_value();
  bool metadata_changed = state.metadata.has_value();
  if (protocol_changed) s.protocol_ = std::move(*state.protocol);
  if (metadata_changed) s.metadata_ = std::move(*state.metadata);
  STRATA_RETURN_IF_ERROR(s.Finalize(protocol_changed, metadata_changed));
  for (auto& [app, txn] : state.txns) s.txns_.insert_or_assign(app, std::move(txn));
  for (auto& [name, domain] : state.domains) {
    if (domain) {
      s.domains_.insert_or_assign(name, std::move(*domain));
    } else {
      s.domains_.erase(name);
    }
  }
  if (state.files.empty()) return base;
  auto changes = state.SortedFiles();
  if (changes.size() * kMergeRatio < s.files_.size()) {
    // A few changes to many files (an append's roll-forward): find each by
    // binary search and edit in place, instead of rebuilding the whole
    // vector (and a key per live file) once per roll-forward.
    for (auto& [key, add] : changes) {
      auto it = std::lower_bound(
          s.files_.begin(), s.files_.end(), key,
          [](const LogicalFile& f, const FileKey& k) { return CompareToKey(f, k) < 0; });
      bool found = it != s.files_.end() && CompareToKey(*it, key) == 0;
      if (!add) {
        if (found) s.files_.erase(it);  // else: removing a file that is not live
        continue;
      }
      STRATA_ASSIGN_OR_RETURN(std::string path, ResolveLogPath(root, add->path));
      LogicalFile file{std::move(*add), std::move(path)};
      if (found) {
        *it = std::move(file);  // re-added: the newer add wins
      } else {
        s.files_.insert(it, std::move(file));
      }
    }
    return base;
  }
  // Many changes: merge the key-sorted changes into the key-sorted live
  // files in one pass.
  std::vector<LogicalFile> merged;
  merged.reserve(s.files_.size() + changes.size());
  auto change = changes.begin();
  for (LogicalFile& file : s.files_) {
    if (change == changes.end()) {  // past the last change: the rest stays
      merged.push_back(std::move(file));
      continue;
    }
    STRATA_ASSIGN_OR_RETURN(FileKey key, KeyOf(file.add.path, file.add.deletion_vector));
    for (; change != changes.end() && change->first < key; ++change) {
      if (!change->second) continue;  // removing a file that is not live
      STRATA_ASSIGN_OR_RETURN(std::string path, ResolveLogPath(root, change->second->path));
      merged.push_back(LogicalFile{std::move(*change->second), std::move(path)});
    }
    if (change != changes.end() && change->first == key) {
      if (change->second) {  // re-added: the newer add wins
        STRATA_ASSIGN_OR_RETURN(std::string path, ResolveLogPath(root, change->second->path));
        merged.push_back(LogicalFile{std::move(*change->second), std::move(path)});
      }
      ++change;
      continue;
    }
    merged.push_back(std::move(file));
  }
  for (; change != changes.end(); ++change) {
    if (!change->second) continue;
    STRATA_ASSIGN_OR_RETURN(std::string path, ResolveLogPath(root, change->second->path));
    merged.push_back(LogicalFile{std::move(*change->second), std::move(path)});
  }
  s.files_ = std::move(merged);
  return base;
}

std::optional<int64_t> Snapshot::AppTransactionVersion(const std::string& app_id) const {
  auto it = txns_.find(app_id);
  if (it == txns_.end()) return std::nullopt;
  return it->second.version;
}

std::optional<std::string> Snapshot::Property(const std::string& key) const {
  auto it = metadata_.configuration.find(key);
  if (it == metadata_.configuration.end()) return std::nullopt;
  return it->second;
}

}  // namespace strata::lake
