#include "lake/snapshot.h"

#include <algorithm>
#include <utility>

#include "lake/checkpoint_reader.h"
#include "lake/paths.h"

namespace strata::lake {
namespace {

// Reader features whose reader requirements this reader meets (PROTOCOL.md
// "Table Features"). typeWidening only needs the cast to the table type that
// every scan does; vacuumProtocolCheck puts no demand on readers.
constexpr std::string_view kSupportedReaderFeatures[] = {
    "columnMapping", "deletionVectors",     "timestampNtz",        "v2Checkpoint",
    "vacuumProtocolCheck", "typeWidening", "typeWidening-preview",
};

// A logical file is keyed by its path and the unique id of its deletion
// vector (PROTOCOL.md "Add File and Remove File").
using FileKey = std::pair<std::string, std::string>;

// Replay state, applied in log order: newer actions overwrite older ones.
struct ReplayState {
  std::optional<Protocol> protocol;
  std::optional<Metadata> metadata;
  std::map<FileKey, AddFile> files;
  std::map<std::string, Txn> txns;
  std::map<std::string, DomainMetadata> domains;
  std::optional<CommitInfo> last_commit_info;

  Status Apply(Action&& action) {
    if (auto* p = std::get_if<Protocol>(&action)) {
      protocol = std::move(*p);
    } else if (auto* m = std::get_if<Metadata>(&action)) {
      metadata = std::move(*m);
    } else if (auto* add = std::get_if<AddFile>(&action)) {
      STRATA_ASSIGN_OR_RETURN(FileKey key, KeyOf(add->path, add->deletion_vector));
      files[std::move(key)] = std::move(*add);
    } else if (auto* remove = std::get_if<RemoveFile>(&action)) {
      STRATA_ASSIGN_OR_RETURN(FileKey key, KeyOf(remove->path, remove->deletion_vector));
      files.erase(key);
    } else if (auto* txn = std::get_if<Txn>(&action)) {
      std::string app = txn->app_id;
      txns[app] = std::move(*txn);
    } else if (auto* d = std::get_if<DomainMetadata>(&action)) {
      if (d->removed) {
        domains.erase(d->domain);
      } else {
        std::string name = d->domain;
        domains[name] = std::move(*d);
      }
    } else if (auto* ci = std::get_if<CommitInfo>(&action)) {
      last_commit_info = std::move(*ci);
    }
    // cdc, checkpointMetadata and sidecar do not change what a reader sees.
    return Status::OK();
  }

  static Result<FileKey> KeyOf(const std::string& path,
                               const std::optional<DeletionVectorDescriptor>& dv) {
    STRATA_ASSIGN_OR_RETURN(std::string decoded, PercentDecode(path));
    return FileKey(std::move(decoded), dv ? dv->UniqueId() : std::string());
  }
};

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
    for (Action& a : *actions) STRATA_RETURN_IF_ERROR(state.Apply(std::move(a)));
  }
  auto snapshot = std::unique_ptr<Snapshot>(new Snapshot());
  for (const CommitFile& commit : segment.commits) {
    auto text = fs.ReadFile(commit.path);
    if (!text.ok()) return text.status().WithContext("Delta table " + table_root);
    auto actions = ParseCommit(*text);
    if (!actions.ok()) {
      return actions.status().WithContext("Delta table " + table_root + ": commit " +
                                          commit.path);
    }
    state.last_commit_info.reset();
    for (Action& a : *actions) {
      Status s = state.Apply(std::move(a));
      if (!s.ok()) return s.WithContext("Delta table " + table_root + ": commit " + commit.path);
    }
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
  STRATA_RETURN_IF_ERROR(CheckReadSupported(*state.protocol, table_root));
  auto schema = ParseSchema(state.metadata->schema_string);
  if (!schema.ok()) return schema.status().WithContext("Delta table " + table_root);
  auto mode_it = state.metadata->configuration.find("delta.columnMapping.mode");
  auto mode = ParseColumnMappingMode(mode_it == state.metadata->configuration.end()
                                         ? std::nullopt
                                         : std::optional<std::string>(mode_it->second));
  if (!mode.ok()) return mode.status().WithContext("Delta table " + table_root);

  snapshot->version_ = segment.version;
  snapshot->table_root_ = table_root;
  snapshot->protocol_ = std::move(*state.protocol);
  snapshot->metadata_ = std::move(*state.metadata);
  snapshot->schema_ = std::move(schema).value();
  snapshot->column_mapping_mode_ = *mode;
  snapshot->txns_ = std::move(state.txns);
  snapshot->domains_ = std::move(state.domains);
  snapshot->files_.reserve(state.files.size());
  for (auto& [key, add] : state.files) {
    auto path = ResolveLogPath(table_root, add.path);
    if (!path.ok()) return path.status().WithContext("Delta table " + table_root);
    snapshot->files_.push_back(LogicalFile{std::move(add), std::move(path).value()});
  }
  return snapshot;
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
