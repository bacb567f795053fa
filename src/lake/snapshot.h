// Snapshot: the state of a Delta table at one version, rebuilt by replaying a
// checkpoint and the commits after it (PROTOCOL.md "Action Reconciliation").
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/file_system.h"
#include "common/status.h"
#include "engine/engine.h"
#include "lake/actions.h"
#include "lake/log_segment.h"
#include "lake/schema.h"

namespace strata::lake {

// One live file of the table: the latest `add` for its (path, DV id) key.
struct LogicalFile {
  AddFile add;       // as the log holds it (path still URI-encoded)
  std::string path;  // the decoded local path: table root joined with add.path
};

class Snapshot {
 public:
  // Rebuilds the snapshot that `segment` describes for the table at
  // `table_root` (used in messages too). Corruption when the log lacks a
  // protocol or metaData action or holds a bad line; NotSupported when the
  // protocol needs a reader feature this reader lacks. `conn` reads Parquet
  // checkpoints (may be null for JSON-only logs); one thread at a time.
  static Result<std::unique_ptr<Snapshot>> Replay(const std::string& table_root,
                                                  const LogSegment& segment, FileSystem& fs,
                                                  engine::Connection* conn);

  // Rolls `base` forward over `commits`, the commit files of versions
  // base->version()+1, +2, ... (contiguous, in order), reading nothing else:
  // the result equals a fresh Replay at the last commit's version, except
  // that commit_info() is that commit's even when a checkpoint exists there,
  // and adds keep the dataChange of their commit (a checkpoint stores false).
  // Corruption / NotSupported as Replay. Consumes `base` (also on failure).
  // Cost: the new commits plus moving the live files once.
  static Result<std::unique_ptr<Snapshot>> RollForward(std::unique_ptr<Snapshot> base,
                                                       const std::vector<CommitFile>& commits,
                                                       FileSystem& fs);

  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

  // Accessors; a Snapshot is immutable, so any thread may call them.
  int64_t version() const { return version_; }
  const std::string& table_root() const { return table_root_; }
  const Protocol& protocol() const { return protocol_; }
  const Metadata& metadata() const { return metadata_; }
  const DataType& schema() const { return *schema_; }
  const DataTypePtr& schema_ptr() const { return schema_; }
  ColumnMappingMode column_mapping_mode() const { return column_mapping_mode_; }
  // Live files, sorted by path.
  const std::vector<LogicalFile>& files() const { return files_; }
  // The newest txn per appId (PROTOCOL.md "Transaction Identifiers").
  const std::map<std::string, Txn>& app_transactions() const { return txns_; }
  std::optional<int64_t> AppTransactionVersion(const std::string& app_id) const;
  // Live domains; removed ones are gone (PROTOCOL.md "Domain Metadata").
  const std::map<std::string, DomainMetadata>& domain_metadata() const { return domains_; }
  // The commitInfo of this version when its commit file was read.
  const std::optional<CommitInfo>& commit_info() const { return commit_info_; }
  // A table property from metaData.configuration.
  std::optional<std::string> Property(const std::string& key) const;

 private:
  Snapshot() = default;

  // Derives schema_ and column_mapping_mode_ from metadata_ and checks the
  // protocol; used after a replay or roll-forward changed them.
  Status Finalize(bool protocol_changed, bool metadata_changed);

  int64_t version_ = 0;
  std::string table_root_;
  Protocol protocol_;
  Metadata metadata_;
  DataTypePtr schema_;
  ColumnMappingMode column_mapping_mode_ = ColumnMappingMode::kNone;
  std::vector<LogicalFile> files_;
  std::map<std::string, Txn> txns_;
  std::map<std::string, DomainMetadata> domains_;
  std::optional<CommitInfo> commit_info_;
};

// OK when this reader can read tables with `protocol` (PROTOCOL.md "Reader
// Version Requirements", "Table Features"); NotSupported naming the version
// or the first unknown reader feature otherwise.
Status CheckReadSupported(const Protocol& protocol, const std::string& table);

}  // namespace strata::lake
