// Snapshots: slowly changing dimensions of type 2, as dbt builds them. The
// first run copies the source with the meta columns; later runs stage the
// changes (new versions to insert, current versions to close, hard
// deletes) in a temp table and apply them with one MERGE commit.
#include "transform/dbt_materialize_internal.h"

namespace strata::transform::materialize_internal {
namespace {

inline constexpr const char* kStagingTable = "__strata_dbt_snapshot_staging";

struct MetaColumns {
  std::string scd_id = "dbt_scd_id";
  std::string updated_at = "dbt_updated_at";
  std::string valid_from = "dbt_valid_from";
  std::string valid_to = "dbt_valid_to";
  std::string is_deleted = "dbt_is_deleted";

  bool IsMeta(const std::string& name) const {
    const std::string n = sql::Lowercase(name);
    return n == sql::Lowercase(scd_id) || n == sql::Lowercase(updated_at) ||
           n == sql::Lowercase(valid_from) || n == sql::Lowercase(valid_to) ||
           n == sql::Lowercase(is_deleted);
  }
};

struct SnapshotSpec {
  MetaColumns meta;
  std::vector<std::string> keys;
  std::string strategy;
  std::string updated_at;               // the source column (timestamp strategy)
  std::vector<std::string> check_cols;  // check strategy; empty: all
  std::string hard_deletes;             // ignore | invalidate | new_record
  std::string valid_to_current;         // SQL; empty: NULL
  std::string now;                      // SQL literal of the run's time
};

Result<SnapshotSpec> ReadSpec(const Node& node, const CompiledNode& compiled,
                              const MaterializeOptions& options) {
  SnapshotSpec spec;
  nlohmann::json names = ConfigValue(node, compiled, "snapshot_meta_column_names");
  if (names.is_object()) {
    auto get = [&](const char* key, std::string& field) {
      auto it = names.find(key);
      if (it != names.end() && it->is_string() && !it->get<std::string>().empty()) {
        field = it->get<std::string>();
      }
    };
    get("dbt_scd_id", spec.meta.scd_id);
    get("dbt_updated_at", spec.meta.updated_at);
    get("dbt_valid_from", spec.meta.valid_from);
    get("dbt_valid_to", spec.meta.valid_to);
    get("dbt_is_deleted", spec.meta.is_deleted);
  }
  spec.keys = ConfigStringList(node, compiled, "unique_key");
  if (spec.keys.empty()) return Status::InvalidArgument("a snapshot needs the unique_key config");
  spec.strategy = ConfigString(node, compiled, "strategy", "timestamp");
  spec.updated_at = ConfigString(node, compiled, "updated_at");
  if (spec.strategy == "timestamp" && spec.updated_at.empty()) {
    return Status::InvalidArgument("a snapshot with the timestamp strategy needs updated_at");
  }
  if (spec.strategy == "check") {
    nlohmann::json cols = ConfigValue(node, compiled, "check_cols");
    if (cols.is_null() || (cols.is_string() && cols.get<std::string>() != "all")) {
      if (cols.is_null()) {
        return Status::InvalidArgument("a snapshot with the check strategy needs check_cols");
      }
    }
    if (!(cols.is_string() && cols.get<std::string>() == "all")) {
      spec.check_cols = ConfigStringList(node, compiled, "check_cols");
    }
  } else if (spec.strategy != "timestamp") {
    return Status::InvalidArgument("snapshot strategy '" + spec.strategy +
                                   "' is not one of timestamp, check");
  }
  spec.hard_deletes = ConfigString(node, compiled, "hard_deletes");
  if (spec.hard_deletes.empty()) {
    spec.hard_deletes =
        ConfigBool(node, compiled, "invalidate_hard_deletes") ? "invalidate" : "ignore";
  }
  if (spec.hard_deletes != "ignore" && spec.hard_deletes != "invalidate" &&
      spec.hard_deletes != "new_record") {
    return Status::InvalidArgument("hard_deletes '" + spec.hard_deletes +
                                   "' is not one of ignore, invalidate, new_record");
  }
  spec.valid_to_current = ConfigString(node, compiled, "dbt_valid_to_current");
  Clock* clock = options.clock ? options.clock : Clock::Default();
  spec.now = "make_timestamp(" + std::to_string(clock->NowMicros()) + "::BIGINT)";
  return spec;
}

std::string Col(const std::string& alias, const std::string& name) {
  return alias + "." + Quote(name);
}

// dbt's snapshot_hash_arguments: md5 of the parts joined with '|'.
std::string Hash(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) {
    out += (out.empty() ? "" : " || '|' || ") + std::string("coalesce(CAST(") + p +
           " AS VARCHAR), '')";
  }
  return "md5(" + out + ")";
}

std::vector<std::string> KeyParts(const SnapshotSpec& spec, const std::string& alias) {
  std::vector<std::string> parts;
  for (const std::string& k : spec.keys) parts.push_back(Col(alias, k));
  return parts;
}

// The time a source row's version starts: its updated_at column, or the
// run's time for the check strategy without updated_at.
std::string UpdatedAt(const SnapshotSpec& spec, const std::string& alias) {
  if (!spec.updated_at.empty()) return Col(alias, spec.updated_at);
  return spec.now;
}

std::string ValidToInitial(const SnapshotSpec& spec, const std::string& updated_at) {
  if (!spec.valid_to_current.empty()) {
    return "CAST(" + spec.valid_to_current + " AS TIMESTAMP)";
  }
  return "nullif(" + updated_at + ", " + updated_at + ")";
}

std::string IsCurrent(const SnapshotSpec& spec, const std::string& alias) {
  const std::string valid_to = Col(alias, spec.meta.valid_to);
  if (spec.valid_to_current.empty()) return valid_to + " IS NULL";
  return "coalesce(" + valid_to + " = CAST(" + spec.valid_to_current + " AS TIMESTAMP), " +
         valid_to + " IS NULL)";
}

// The meta columns of a new version of source row `alias`.
std::string MetaSelect(const SnapshotSpec& spec, const std::string& alias) {
  const std::string updated_at = UpdatedAt(spec, alias);
  std::vector<std::string> hash = KeyParts(spec, alias);
  hash.push_back(updated_at);
  std::string out = Hash(hash) + " AS " + Quote(spec.meta.scd_id) + ", " + updated_at + " AS " +
                    Quote(spec.meta.updated_at) + ", " + updated_at + " AS " +
                    Quote(spec.meta.valid_from) + ", " + ValidToInitial(spec, updated_at) + " AS " +
                    Quote(spec.meta.valid_to);
  if (spec.hard_deletes == "new_record") out += ", 'False' AS " + Quote(spec.meta.is_deleted);
  return out;
}

std::string SourceColumns(const std::vector<ColumnInfo>& columns, const std::string& alias) {
  std::string out;
  for (const ColumnInfo& c : columns) out += (out.empty() ? "" : ", ") + Col(alias, c.name);
  return out;
}

std::string RowChanged(const SnapshotSpec& spec, const std::vector<ColumnInfo>& source) {
  if (spec.strategy == "timestamp") {
    return "(" + Col("snap", spec.meta.valid_from) + " < " + Col("src", spec.updated_at) + ")";
  }
  std::vector<std::string> cols = spec.check_cols;
  if (cols.empty()) {
    for (const ColumnInfo& c : source) cols.push_back(c.name);
  }
  std::string out;
  for (const std::string& c : cols) {
    out += (out.empty() ? "" : " OR ") + Col("snap", c) + " IS DISTINCT FROM " + Col("src", c);
  }
  return "(" + (out.empty() ? std::string("FALSE") : out) + ")";
}

std::string JoinOn(const SnapshotSpec& spec) {
  std::string on;
  for (const std::string& k : spec.keys) {
    on += (on.empty() ? "" : " AND ") + Col("src", k) + " = " + Col("snap", k);
  }
  return on;
}

// The staged changes: rows with dbt_change_type insert (new versions,
// deletion records), update and delete (closing a current version).
std::string StagingQuery(const SnapshotSpec& spec, const Target& target,
                         const std::vector<ColumnInfo>& source,
                         const std::vector<ColumnInfo>& snapshot_source_columns) {
  const bool new_record = spec.hard_deletes == "new_record";
  const std::string current =
      "(SELECT * FROM " + target.Quoted() + " AS snap WHERE " + IsCurrent(spec, "snap") + ")";
  const std::string stage = std::string(kStageTable);
  const std::string first_key = spec.keys[0];
  std::string changed = RowChanged(spec, source);
  if (new_record)
    changed = "(" + changed + " OR " + Col("snap", spec.meta.is_deleted) + " = 'True')";

  std::string sql = "SELECT 'insert' AS dbt_change_type, " + SourceColumns(source, "src") + ", " +
                    MetaSelect(spec, "src") + " FROM " + stage + " AS src LEFT JOIN " + current +
                    " AS snap ON " + JoinOn(spec) + " WHERE " + Col("snap", first_key) +
                    " IS NULL OR " + changed;
  sql += " UNION ALL BY NAME SELECT 'update' AS dbt_change_type, " + Col("snap", spec.meta.scd_id) +
         " AS " + Quote(spec.meta.scd_id) + ", " + UpdatedAt(spec, "src") + " AS " +
         Quote(spec.meta.valid_to) + " FROM " + stage + " AS src JOIN " + current + " AS snap ON " +
         JoinOn(spec) + " WHERE " + changed;
  if (spec.hard_deletes != "ignore") {
    const std::string gone =
        " FROM " + current + " AS snap LEFT JOIN " + stage + " AS src ON " + JoinOn(spec) +
        " WHERE " + Col("src", first_key) + " IS NULL" +
        (new_record ? " AND " + Col("snap", spec.meta.is_deleted) + " IS DISTINCT FROM 'True'"
                    : "");
    sql += " UNION ALL BY NAME SELECT 'delete' AS dbt_change_type, " +
           Col("snap", spec.meta.scd_id) + " AS " + Quote(spec.meta.scd_id) + ", " + spec.now +
           " AS " + Quote(spec.meta.valid_to) + gone;
    if (new_record) {
      std::vector<std::string> hash = KeyParts(spec, "snap");
      hash.push_back(spec.now);
      sql += " UNION ALL BY NAME SELECT 'insert' AS dbt_change_type, " +
             SourceColumns(snapshot_source_columns, "snap") + ", " + Hash(hash) + " AS " +
             Quote(spec.meta.scd_id) + ", " + spec.now + " AS " + Quote(spec.meta.updated_at) +
             ", " + spec.now + " AS " + Quote(spec.meta.valid_from) + ", " +
             ValidToInitial(spec, spec.now) + " AS " + Quote(spec.meta.valid_to) + ", 'True' AS " +
             Quote(spec.meta.is_deleted) + gone;
    }
  }
  return sql;
}

}  // namespace

Result<NodeOutcome> MaterializeSnapshot(const Node& node, const CompiledNode& compiled,
                                        WarehouseAdapter& adapter,
                                        const MaterializeOptions& options) {
  STRATA_ASSIGN_OR_RETURN(SnapshotSpec spec, ReadSpec(node, compiled, options));
  Target target = TargetOf(node, compiled);
  if (compiled.schema.empty()) {
    const std::string configured = ConfigString(node, compiled, "target_schema");
    if (!configured.empty()) target.schema = configured;
  }
  STRATA_RETURN_IF_ERROR(StageRows(adapter, compiled.compiled_code));
  STRATA_ASSIGN_OR_RETURN(std::vector<ColumnInfo> source,
                          QueryColumns(adapter, std::string("SELECT * FROM ") + kStageTable));
  STRATA_ASSIGN_OR_RETURN(auto existing, adapter.GetRelation("", target.schema, target.identifier));
  if (!existing || options.full_refresh) {
    STRATA_ASSIGN_OR_RETURN(
        int64_t rows, WriteTable(adapter, target,
                                 "SELECT " + SourceColumns(source, "src") + ", " +
                                     MetaSelect(spec, "src") + " FROM " + kStageTable + " AS src"));
    return Succeeded("OK", "CREATE TABLE", rows);
  }
  if (existing->kind != RelationInfo::Kind::kTable) {
    return Status::InvalidArgument("snapshot target " + target.schema + "." + target.identifier +
                                   " is a view, not a table");
  }

  // New source columns are added to the snapshot (existing versions read
  // NULL), as dbt does; columns gone from the source stay.
  STRATA_ASSIGN_OR_RETURN(std::vector<ColumnInfo> columns, adapter.GetColumns(*existing));
  for (const ColumnInfo& c : source) {
    if (!FindColumn(columns, c.name)) {
      STRATA_RETURN_IF_ERROR(Run(adapter, "ALTER TABLE " + target.Quoted() + " ADD COLUMN " +
                                              Quote(c.name) + " " + c.data_type)
                                 .status());
      columns.push_back(c);
    }
  }
  for (const char* required : {"scd_id", "valid_to"}) {
    const std::string& name =
        std::string(required) == "scd_id" ? spec.meta.scd_id : spec.meta.valid_to;
    if (!FindColumn(columns, name)) {
      return Status::InvalidArgument("snapshot " + target.schema + "." + target.identifier +
                                     " has no column " + name + "; was it built by a snapshot?");
    }
  }
  std::vector<ColumnInfo> snapshot_source_columns;
  for (const ColumnInfo& c : columns) {
    if (!spec.meta.IsMeta(c.name)) snapshot_source_columns.push_back(c);
  }

  const std::string staging = StagingQuery(spec, target, source, snapshot_source_columns);
  STRATA_RETURN_IF_ERROR(
      Run(adapter, std::string("DROP TABLE IF EXISTS temp.main.") + kStagingTable).status());
  STRATA_RETURN_IF_ERROR(
      Run(adapter, std::string("CREATE TEMP TABLE ") + kStagingTable + " AS " + staging).status());

  // Columns the staged rows lack (gone from the source; dbt_is_deleted when
  // hard_deletes changed) are left NULL in new versions.
  STRATA_ASSIGN_OR_RETURN(std::vector<ColumnInfo> staged,
                          QueryColumns(adapter, std::string("SELECT * FROM ") + kStagingTable));
  std::vector<std::string> insert_columns;
  for (const ColumnInfo& c : columns) {
    if (FindColumn(staged, c.name)) insert_columns.push_back(c.name);
  }
  const std::string merge =
      "MERGE INTO " + target.Quoted() + " AS DBT_INTERNAL_DEST USING " + kStagingTable +
      " AS DBT_INTERNAL_SOURCE ON " + Col("DBT_INTERNAL_SOURCE", spec.meta.scd_id) + " = " +
      Col("DBT_INTERNAL_DEST", spec.meta.scd_id) + " WHEN MATCHED AND " +
      IsCurrent(spec, "DBT_INTERNAL_DEST") +
      " AND DBT_INTERNAL_SOURCE.dbt_change_type IN ('update', 'delete') THEN UPDATE SET " +
      Quote(spec.meta.valid_to) + " = " + Col("DBT_INTERNAL_SOURCE", spec.meta.valid_to) +
      " WHEN NOT MATCHED AND DBT_INTERNAL_SOURCE.dbt_change_type = 'insert' THEN INSERT (" +
      JoinQuoted(insert_columns) + ") VALUES (" +
      JoinQuoted(insert_columns, "DBT_INTERNAL_SOURCE.") + ")";
  auto merged = Run(adapter, merge);
  Status dropped =
      Run(adapter, std::string("DROP TABLE IF EXISTS temp.main.") + kStagingTable).status();
  if (!merged.ok()) return merged.status();
  STRATA_RETURN_IF_ERROR(dropped);
  return Succeeded("OK", "MERGE", *merged);
}

}  // namespace strata::transform::materialize_internal
