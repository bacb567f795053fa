// Delta log actions: the typed form of one line of a commit file or one row of
// a checkpoint (PROTOCOL.md "Actions"), with parsing from and serialization to
// the JSON the log stores. The reader replays them; the writer emits them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/status.h"

namespace strata::lake {

using StringMap = std::map<std::string, std::string>;
// A partition column's serialized value; nullopt is a null partition value.
using PartitionValues = std::map<std::string, std::optional<std::string>>;

// PROTOCOL.md "Deletion Vector Descriptor Schema".
struct DeletionVectorDescriptor {
  std::string storage_type;       // "u" (relative, UUID), "i" (inline), "p" (absolute path)
  std::string path_or_inline_dv;  // Z85 UUID with prefix, Z85 bitmap, or a URI
  std::optional<int32_t> offset;  // where the DV starts in its file; absent for inline
  int32_t size_in_bytes = 0;
  int64_t cardinality = 0;
  std::optional<int64_t> max_row_index;

  // The derived `uniqueId`: storage type, path or inline data, and "@offset"
  // when there is one. Part of the key of a logical file.
  std::string UniqueId() const;
  bool operator==(const DeletionVectorDescriptor&) const = default;
};

// PROTOCOL.md "Protocol Evolution". Feature lists exist only for reader
// version 3 and writer version 7 ("Table Features").
struct Protocol {
  int32_t min_reader_version = 1;
  int32_t min_writer_version = 2;
  std::optional<std::vector<std::string>> reader_features;
  std::optional<std::vector<std::string>> writer_features;
  bool operator==(const Protocol&) const = default;
};

struct Format {
  std::string provider = "parquet";
  StringMap options;
  bool operator==(const Format&) const = default;
};

// PROTOCOL.md "Change Metadata".
struct Metadata {
  std::string id;
  std::optional<std::string> name;
  std::optional<std::string> description;
  Format format;
  std::string schema_string;
  std::vector<std::string> partition_columns;
  StringMap configuration;
  std::optional<int64_t> created_time;
  bool operator==(const Metadata&) const = default;
};

// PROTOCOL.md "Add File and Remove File". `path` is kept URI-encoded as in
// the log; Snapshot decodes it.
struct AddFile {
  std::string path;
  PartitionValues partition_values;
  int64_t size = 0;
  int64_t modification_time = 0;
  bool data_change = true;
  std::optional<std::string> stats;         // JSON text ("Per-file Statistics")
  std::optional<std::string> stats_parsed;  // JSON text of a checkpoint's struct stats
  std::optional<StringMap> tags;
  std::optional<DeletionVectorDescriptor> deletion_vector;
  std::optional<int64_t> base_row_id;
  std::optional<int64_t> default_row_commit_version;
  std::optional<std::string> clustering_provider;
  bool operator==(const AddFile&) const = default;
};

struct RemoveFile {
  std::string path;
  std::optional<int64_t> deletion_timestamp;
  bool data_change = true;
  std::optional<bool> extended_file_metadata;
  std::optional<PartitionValues> partition_values;
  std::optional<int64_t> size;
  std::optional<std::string> stats;
  std::optional<StringMap> tags;
  std::optional<DeletionVectorDescriptor> deletion_vector;
  std::optional<int64_t> base_row_id;
  std::optional<int64_t> default_row_commit_version;
  bool operator==(const RemoveFile&) const = default;
};

// PROTOCOL.md "Add CDC File". Parsed so that it can be written; plain table
// reads ignore it.
struct AddCdcFile {
  std::string path;
  PartitionValues partition_values;
  int64_t size = 0;
  bool data_change = false;
  std::optional<StringMap> tags;
  bool operator==(const AddCdcFile&) const = default;
};

// PROTOCOL.md "Transaction Identifiers".
struct Txn {
  std::string app_id;
  int64_t version = 0;
  std::optional<int64_t> last_updated;
  bool operator==(const Txn&) const = default;
};

// PROTOCOL.md "Commit Provenance Information": free-form; the fields readers
// use are lifted out, the whole object is kept as JSON text.
struct CommitInfo {
  std::optional<int64_t> timestamp;
  std::optional<int64_t> in_commit_timestamp;  // "In-Commit Timestamps"
  std::optional<std::string> operation;
  std::string json = "{}";
  bool operator==(const CommitInfo&) const = default;
};

// PROTOCOL.md "Domain Metadata".
struct DomainMetadata {
  std::string domain;
  std::string configuration;
  bool removed = false;
  bool operator==(const DomainMetadata&) const = default;
};

// PROTOCOL.md "Checkpoint Metadata" (V2 checkpoints only).
struct CheckpointMetadata {
  int64_t version = 0;
  std::optional<StringMap> tags;
  bool operator==(const CheckpointMetadata&) const = default;
};

// PROTOCOL.md "Sidecar File Information" (V2 checkpoints only).
struct Sidecar {
  std::string path;  // relative to _delta_log/_sidecars, or absolute
  int64_t size_in_bytes = 0;
  int64_t modification_time = 0;
  std::optional<StringMap> tags;
  bool operator==(const Sidecar&) const = default;
};

using Action = std::variant<Protocol, Metadata, AddFile, RemoveFile, AddCdcFile, Txn, CommitInfo,
                            DomainMetadata, CheckpointMetadata, Sidecar>;

// Parses one JSON line of a commit file. Returns nullopt for an action kind
// this reader does not know (the protocol lets new kinds appear; readers skip
// them), Corruption when the line is not a JSON object holding exactly one
// action or a known action lacks a required field. Thread-safe.
Result<std::optional<Action>> ParseActionLine(std::string_view line);

// Parses a deletion vector descriptor from its JSON object text. Corruption
// on a bad descriptor. Thread-safe.
Result<std::optional<DeletionVectorDescriptor>> ParseDeletionVectorJson(std::string_view text);

// Parses a whole commit file (newline-delimited JSON, blank lines skipped).
// Corruption names the 1-based line. Thread-safe.
Result<std::vector<Action>> ParseCommit(std::string_view contents);

// One JSON line (no trailing newline) for `action`, in the shape the log
// stores: `{"add":{...}}`. Fields that are nullopt are left out. Thread-safe.
std::string ActionToJson(const Action& action);

// A commit file's contents for `actions`: one line each, '\n'-terminated.
std::string SerializeCommit(const std::vector<Action>& actions);

}  // namespace strata::lake
