#include "lake/checkpoint_reader.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <utility>

#include "lake/json_util.h"
#include "lake/paths.h"

namespace strata::lake {
namespace {

// The checkpoint columns replay reads, and for `add` the fields it keeps
// (PROTOCOL.md "Checkpoint Schema"). `remove` is left out on purpose: in a
// reconciled checkpoint it only holds tombstones, and `tags`,
// `partitionValues_parsed` and `clusteringProvider` are not needed to read.
constexpr const char* kActionColumns[] = {
    "add", "metaData", "protocol", "txn", "domainMetadata", "checkpointMetadata", "sidecar"};
// The field that every real action of a column has; a struct whose key field
// is null is a placeholder some writers leave, not an action.
constexpr std::pair<const char*, const char*> kKeyFields[] = {
    {"add", "path"},    {"metaData", "id"},           {"protocol", "minReaderVersion"},
    {"txn", "appId"},   {"domainMetadata", "domain"}, {"checkpointMetadata", "version"},
    {"sidecar", "path"}};
constexpr const char* kAddFields[] = {
    "path",  "partitionValues", "size",           "modificationTime", "dataChange",
    "stats", "stats_parsed",    "deletionVector", "baseRowId",        "defaultRowCommitVersion"};

// Top-level columns of the Parquet files and the direct fields of each.
using ColumnFields = std::map<std::string, std::set<std::string>>;

std::string ParquetList(const std::vector<std::string>& paths) {
  std::string list = "[";
  for (size_t i = 0; i < paths.size(); ++i) {
    if (i) list += ", ";
    list += engine::QuoteLiteral(paths[i]);
  }
  return list + "]";
}

// The columns and fields as DuckDB binds `read_parquet` over the files:
// preparing the statement reads the footers and types the columns without
// running anything (a `parquet_schema()` query here cost a second full
// query per load).
Result<ColumnFields> ReadColumnFields(engine::Connection& conn,
                                      const std::vector<std::string>& paths) {
  STRATA_ASSIGN_OR_RETURN(
      auto prepared,
      conn.Prepare("SELECT * FROM read_parquet(" + ParquetList(paths) + ", union_by_name = true)"));
  ColumnFields out;
  for (size_t c = 0; c < prepared->ColumnCount(); ++c) {
    auto& fields = out[prepared->ColumnName(c)];
    engine::LogicalType type = prepared->ColumnType(c);
    if (type.id() != engine::TypeId::kStruct) continue;
    for (size_t f = 0; f < type.field_count(); ++f) fields.insert(type.field_name(f));
  }
  return out;
}

Result<std::vector<Action>> ReadParquetActionsAsJson(const std::vector<std::string>& paths,
                                                     const ColumnFields& columns,
                                                     engine::Connection& conn, bool adds_only) {
  std::vector<std::string> names;
  std::string select, where;
  for (const char* column : kActionColumns) {
    if (adds_only && std::string_view(column) != "add") continue;
    auto it = columns.find(column);
    if (it == columns.end()) continue;
    std::string quoted = engine::QuoteIdentifier(column);
    std::string value = quoted;
    if (std::string_view(column) == "add") {
      std::string pack;
      for (const char* field : kAddFields) {
        if (it->second.count(field) == 0) continue;
        if (!pack.empty()) pack += ", ";
        pack +=
            engine::QuoteIdentifier(field) + " := " + quoted + "." + engine::QuoteIdentifier(field);
      }
      value = "struct_pack(" + pack + ")";
    }
    std::string present = quoted + " IS NOT NULL";
    for (const auto& [col, key] : kKeyFields) {
      if (std::string_view(col) == column && it->second.count(key) != 0) {
        present =
            "(" + present + " AND " + quoted + "." + engine::QuoteIdentifier(key) + " IS NOT NULL)";
      }
    }
    if (!select.empty()) select += ", ";
    select += "CASE WHEN " + present + " THEN CAST(to_json(" + value + ") AS VARCHAR) END";
    if (!where.empty()) where += " OR ";
    where += present;
    names.push_back(column);
  }
  std::vector<Action> actions;
  if (names.empty()) return actions;
  std::string sql = "SELECT " + select + " FROM read_parquet(" + ParquetList(paths) +
                    ", union_by_name = true) WHERE " + where;
  STRATA_ASSIGN_OR_RETURN(auto rows, QueryStrings(conn, sql));
  for (const auto& row : rows) {
    for (size_t c = 0; c < names.size(); ++c) {
      if (!row[c]) continue;
      std::string line = "{\"" + names[c] + "\":" + *row[c] + "}";
      auto action = ParseActionLine(line);
      if (!action.ok()) return action.status();
      if (action->has_value()) actions.push_back(std::move(**action));
    }
  }
  return actions;
}

// ---- typed read ----

std::atomic<int64_t> g_typed_fallbacks{0};

// Where each add field landed in the typed query's select list (-1: the
// file lacks the field).
struct AddColumns {
  int path = -1, partition_values = -1, size = -1, modification_time = -1, data_change = -1,
      stats = -1, stats_parsed = -1, deletion_vector = -1, base_row_id = -1,
      default_row_commit_version = -1;
};

// The SQL type each typed add field is cast to; the reader below relies on
// exactly these physical layouts. Nested fields that are rare (deletion
// vectors, struct stats) come as JSON text and take the DOM path.
struct TypedAddField {
  const char* name;
  int AddColumns::*slot;
  const char* cast;  // nullptr: CAST(to_json(x) AS VARCHAR)
};
constexpr TypedAddField kTypedAddFields[] = {
    {"path", &AddColumns::path, "VARCHAR"},
    {"partitionValues", &AddColumns::partition_values, "MAP(VARCHAR, VARCHAR)"},
    {"size", &AddColumns::size, "BIGINT"},
    {"modificationTime", &AddColumns::modification_time, "BIGINT"},
    {"dataChange", &AddColumns::data_change, "BOOLEAN"},
    {"stats", &AddColumns::stats, "VARCHAR"},
    {"stats_parsed", &AddColumns::stats_parsed, nullptr},
    {"deletionVector", &AddColumns::deletion_vector, nullptr},
    {"baseRowId", &AddColumns::base_row_id, "BIGINT"},
    {"defaultRowCommitVersion", &AddColumns::default_row_commit_version, "BIGINT"},
};

std::optional<int64_t> OptBigInt(const engine::DataChunk& chunk, int col, size_t row) {
  if (col < 0 || !chunk.IsValid(col, row)) return std::nullopt;
  return chunk.Data<int64_t>(col)[row];
}

std::optional<std::string> OptText(const engine::DataChunk& chunk, int col, size_t row) {
  if (col < 0 || !chunk.IsValid(col, row)) return std::nullopt;
  return std::string(chunk.GetString(col, row));
}

Result<AddFile> AddFromRow(const engine::DataChunk& chunk, const AddColumns& cols, size_t row) {
  AddFile add;
  add.path = std::string(chunk.GetString(cols.path, row));
  if (cols.partition_values >= 0 && chunk.IsValid(cols.partition_values, row)) {
    const engine::ColumnVector& map = chunk.Column(cols.partition_values);
    const engine::ListEntry& entry = map.Data<engine::ListEntry>()[row];
    engine::ColumnVector pairs = map.ListChild();
    engine::ColumnVector keys = pairs.StructField(0);
    engine::ColumnVector values = pairs.StructField(1);
    for (uint64_t i = entry.offset; i < entry.offset + entry.length; ++i) {
      std::optional<std::string> value;
      if (values.IsValid(i)) value = std::string(values.GetString(i));
      add.partition_values.emplace(std::string(keys.GetString(i)), std::move(value));
    }
  }
  std::optional<int64_t> size = OptBigInt(chunk, cols.size, row);
  if (!size) return Status::Corruption("add action for '" + add.path + "' lacks its size");
  add.size = *size;
  add.modification_time = OptBigInt(chunk, cols.modification_time, row).value_or(0);
  if (cols.data_change >= 0 && chunk.IsValid(cols.data_change, row)) {
    add.data_change = chunk.Data<bool>(cols.data_change)[row];
  }
  add.stats = OptText(chunk, cols.stats, row);
  if (auto parsed = OptText(chunk, cols.stats_parsed, row); parsed && *parsed != "null") {
    STRATA_ASSIGN_OR_RETURN(auto doc, json_util::Parse(*parsed));
    add.stats_parsed = json_util::Dump(doc);
  }
  if (auto dv = OptText(chunk, cols.deletion_vector, row); dv && *dv != "null") {
    STRATA_ASSIGN_OR_RETURN(add.deletion_vector, ParseDeletionVectorJson(*dv));
  }
  add.base_row_id = OptBigInt(chunk, cols.base_row_id, row);
  add.default_row_commit_version = OptBigInt(chunk, cols.default_row_commit_version, row);
  return add;
}

// One query over the files: the add fields as typed columns, every other
// action kind as JSON text (there are few of them).
Result<std::vector<Action>> ReadParquetActionsTyped(const std::vector<std::string>& paths,
                                                    const ColumnFields& columns,
                                                    engine::Connection& conn, bool adds_only) {
  std::vector<std::string> select, where;
  AddColumns add_cols;
  std::vector<std::pair<int, std::string>> json_columns;  // select index, action name
  auto add_it = columns.find("add");
  if (add_it != columns.end() && add_it->second.count("path") != 0) {
    for (const TypedAddField& f : kTypedAddFields) {
      if (add_it->second.count(f.name) == 0) continue;
      std::string field = "\"add\"." + engine::QuoteIdentifier(f.name);
      add_cols.*f.slot = static_cast<int>(select.size());
      // The CASE keeps to_json off the (usual) rows where the field is NULL.
      select.push_back(f.cast ? "CAST(" + field + " AS " + f.cast + ")"
                              : "CASE WHEN " + field + " IS NOT NULL THEN CAST(to_json(" + field +
                                    ") AS VARCHAR) END");
    }
    where.push_back("(\"add\" IS NOT NULL AND \"add\".\"path\" IS NOT NULL)");
  }
  for (const char* column : kActionColumns) {
    std::string_view name(column);
    if (name == "add" || (adds_only && name != "add")) continue;
    auto it = columns.find(column);
    if (it == columns.end()) continue;
    std::string quoted = engine::QuoteIdentifier(column);
    std::string present = quoted + " IS NOT NULL";
    for (const auto& [col, key] : kKeyFields) {
      if (std::string_view(col) == column && it->second.count(key) != 0) {
        present =
            "(" + present + " AND " + quoted + "." + engine::QuoteIdentifier(key) + " IS NOT NULL)";
      }
    }
    json_columns.emplace_back(static_cast<int>(select.size()), column);
    select.push_back("CASE WHEN " + present + " THEN CAST(to_json(" + quoted + ") AS VARCHAR) END");
    where.push_back(present);
  }
  std::vector<Action> actions;
  if (select.empty()) return actions;
  std::string sql = "SELECT ";
  for (size_t i = 0; i < select.size(); ++i) sql += (i ? ", " : "") + select[i];
  sql += " FROM read_parquet(" + ParquetList(paths) + ", union_by_name = true) WHERE ";
  for (size_t i = 0; i < where.size(); ++i) sql += (i ? " OR " : "") + where[i];
  STRATA_ASSIGN_OR_RETURN(auto result, conn.Query(sql));
  while (true) {
    STRATA_ASSIGN_OR_RETURN(auto chunk, result->Fetch());
    if (chunk == nullptr) break;
    for (size_t r = 0; r < chunk->size(); ++r) {
      if (add_cols.path >= 0 && chunk->IsValid(add_cols.path, r)) {
        STRATA_ASSIGN_OR_RETURN(AddFile add, AddFromRow(*chunk, add_cols, r));
        actions.emplace_back(std::move(add));
      }
      for (const auto& [col, name] : json_columns) {
        if (!chunk->IsValid(col, r)) continue;
        std::string line = "{\"" + name + "\":" + std::string(chunk->GetString(col, r)) + "}";
        STRATA_ASSIGN_OR_RETURN(auto action, ParseActionLine(line));
        if (action.has_value()) actions.push_back(std::move(*action));
      }
    }
  }
  return actions;
}

Result<std::vector<Action>> ReadParquetActions(const std::vector<std::string>& paths,
                                               engine::Connection& conn, bool adds_only,
                                               CheckpointReadMode mode) {
  STRATA_ASSIGN_OR_RETURN(ColumnFields columns, ReadColumnFields(conn, paths));
  if (mode == CheckpointReadMode::kTyped) {
    auto typed = ReadParquetActionsTyped(paths, columns, conn, adds_only);
    // A file whose add fields do not cast to the expected types (an odd
    // writer) still reads through the JSON path, which is more forgiving.
    if (typed.ok() || typed.status().code() == StatusCode::kCorruption) return typed;
    g_typed_fallbacks.fetch_add(1, std::memory_order_relaxed);
  }
  return ReadParquetActionsAsJson(paths, columns, conn, adds_only);
}

Result<std::string> SidecarPath(const std::string& log_dir, const Sidecar& sidecar) {
  // PROTOCOL.md "Sidecar File Information": usually just a file name inside
  // _delta_log/_sidecars; absolute URIs are allowed.
  if (sidecar.path.find(':') != std::string::npos || sidecar.path.rfind('/', 0) == 0) {
    return ResolveLogPath(log_dir, sidecar.path);
  }
  return ResolveLogPath(JoinPath(log_dir, "_sidecars"), sidecar.path);
}

}  // namespace

int64_t TypedCheckpointFallbacks() { return g_typed_fallbacks.load(std::memory_order_relaxed); }

Result<std::vector<std::vector<std::optional<std::string>>>> QueryStrings(engine::Connection& conn,
                                                                          std::string_view sql) {
  STRATA_ASSIGN_OR_RETURN(auto result, conn.Query(sql));
  std::vector<std::vector<std::optional<std::string>>> rows;
  size_t columns = result->ColumnCount();
  while (true) {
    STRATA_ASSIGN_OR_RETURN(auto chunk, result->Fetch());
    if (chunk == nullptr) break;
    for (size_t r = 0; r < chunk->size(); ++r) {
      std::vector<std::optional<std::string>> row(columns);
      for (size_t c = 0; c < columns; ++c) {
        if (chunk->IsValid(c, r)) row[c] = std::string(chunk->GetString(c, r));
      }
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

Result<std::vector<Action>> ReadCheckpoint(const CheckpointFiles& checkpoint,
                                           const std::string& log_dir, FileSystem& fs,
                                           engine::Connection* conn, CheckpointReadMode mode) {
  std::vector<Action> actions;
  if (checkpoint.is_json) {
    STRATA_ASSIGN_OR_RETURN(std::string text, fs.ReadFile(checkpoint.paths.front()));
    auto parsed = ParseCommit(text);
    if (!parsed.ok()) return parsed.status().WithContext(checkpoint.paths.front());
    for (Action& a : *parsed) {
      if (!std::holds_alternative<RemoveFile>(a)) actions.push_back(std::move(a));
    }
  } else {
    if (conn == nullptr) {
      return Status::InvalidArgument("reading Parquet checkpoint " + checkpoint.paths.front() +
                                     " needs an engine connection");
    }
    auto read = ReadParquetActions(checkpoint.paths, *conn, /*adds_only=*/false, mode);
    if (!read.ok()) return read.status().WithContext("checkpoint " + checkpoint.paths.front());
    actions = std::move(read).value();
  }
  // V2 checkpoints keep their file actions in sidecars (PROTOCOL.md "V2 Spec").
  std::vector<std::string> sidecars;
  for (const Action& a : actions) {
    if (const auto* s = std::get_if<Sidecar>(&a)) {
      STRATA_ASSIGN_OR_RETURN(std::string path, SidecarPath(log_dir, *s));
      sidecars.push_back(std::move(path));
    }
  }
  if (!sidecars.empty()) {
    if (conn == nullptr) {
      return Status::InvalidArgument("reading checkpoint sidecars needs an engine connection");
    }
    for (const std::string& path : sidecars) {
      STRATA_ASSIGN_OR_RETURN(bool exists, fs.Exists(path));
      if (!exists) {
        return Status::Corruption("checkpoint " + checkpoint.paths.front() + " names sidecar " +
                                  path + ", which is missing");
      }
    }
    auto read = ReadParquetActions(sidecars, *conn, /*adds_only=*/true, mode);
    if (!read.ok()) return read.status().WithContext("checkpoint sidecars");
    for (Action& a : *read) actions.push_back(std::move(a));
  }
  return actions;
}

}  // namespace strata::lake
