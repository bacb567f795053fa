// Incremental models: the first run (or --full-refresh) builds the table;
// later runs stage the new rows once in a temp table, reconcile the schema
// (on_schema_change) and apply the strategy: append, merge, delete+insert
// or microbatch.
#include <set>

#include "transform/dbt_materialize_internal.h"

namespace strata::transform::materialize_internal {
namespace {

struct SchemaDiff {
  std::vector<ColumnInfo> added;    // in the new rows, not in the table
  std::vector<ColumnInfo> removed;  // in the table, not in the new rows
  std::vector<ColumnInfo> changed;  // in both; the new rows' type
  bool Empty() const { return added.empty() && removed.empty() && changed.empty(); }
};

SchemaDiff Diff(const std::vector<ColumnInfo>& target, const std::vector<ColumnInfo>& source) {
  SchemaDiff diff;
  for (const ColumnInfo& s : source) {
    const ColumnInfo* t = FindColumn(target, s.name);
    if (!t) {
      diff.added.push_back(s);
    } else if (sql::Lowercase(t->data_type) != sql::Lowercase(s.data_type)) {
      diff.changed.push_back(s);
    }
  }
  for (const ColumnInfo& t : target) {
    if (!FindColumn(source, t.name)) diff.removed.push_back(t);
  }
  return diff;
}

std::string Names(const std::vector<ColumnInfo>& columns, bool with_types = false) {
  std::string out;
  for (const ColumnInfo& c : columns) {
    out += (out.empty() ? "" : ", ") + c.name + (with_types ? " " + c.data_type : "");
  }
  return "[" + out + "]";
}

// Brings the table's schema in line with the staged rows per
// on_schema_change; returns the table's columns afterwards.
Result<std::vector<ColumnInfo>> ReconcileSchema(WarehouseAdapter& adapter, const Target& target,
                                                const RelationInfo& relation,
                                                const std::vector<ColumnInfo>& staged,
                                                const std::string& mode) {
  STRATA_ASSIGN_OR_RETURN(std::vector<ColumnInfo> columns, adapter.GetColumns(relation));
  const SchemaDiff diff = Diff(columns, staged);
  if (diff.Empty() || mode == "ignore") return columns;
  if (mode == "fail") {
    return Status::InvalidArgument(
        "The source and target schemas on this incremental model are out of sync! "
        "Source columns not in target: " +
        Names(diff.added) + "; target columns not in source: " + Names(diff.removed) +
        "; changed types: " + Names(diff.changed, true) +
        ". Run with --full-refresh, or set on_schema_change to append_new_columns or "
        "sync_all_columns");
  }
  if (mode == "append_new_columns" ||
      (mode == "sync_all_columns" && diff.removed.empty() && diff.changed.empty())) {
    for (const ColumnInfo& c : diff.added) {
      STRATA_RETURN_IF_ERROR(Run(adapter, "ALTER TABLE " + target.Quoted() + " ADD COLUMN " +
                                              Quote(c.name) + " " + c.data_type)
                                 .status());
      columns.push_back(c);
    }
    return columns;
  }
  if (mode != "sync_all_columns") {
    return Status::InvalidArgument("on_schema_change '" + mode +
                                   "' is not one of ignore, fail, append_new_columns, "
                                   "sync_all_columns");
  }
  // Removed or retyped columns: the table is rewritten once with the new
  // column list (the staged rows' order for new columns, kept ones first),
  // old values cast to the new types; one overwrite commit.
  std::vector<ColumnInfo> synced;
  for (const ColumnInfo& c : columns) {
    const ColumnInfo* s = FindColumn(staged, c.name);
    if (s) synced.push_back({c.name, s->data_type});
  }
  for (const ColumnInfo& c : diff.added) synced.push_back(c);
  STRATA_RETURN_IF_ERROR(Run(adapter, "CREATE OR REPLACE TABLE " + target.Quoted() + " AS " +
                                          SelectAsTarget(synced, columns, target.Quoted()))
                             .status());
  return synced;
}

std::string KeyTuple(const std::vector<std::string>& keys, const std::string& prefix = "") {
  if (keys.size() == 1) return prefix + Quote(keys[0]);
  return "(" + JoinQuoted(keys, prefix) + ")";
}

Result<int64_t> MergeRows(WarehouseAdapter& adapter, const Node& node, const CompiledNode& compiled,
                          const Target& target, const std::vector<ColumnInfo>& columns,
                          const std::vector<ColumnInfo>& staged,
                          const std::vector<std::string>& keys) {
  std::vector<std::string> insert_columns;
  for (const ColumnInfo& c : columns) {
    if (FindColumn(staged, c.name)) insert_columns.push_back(c.name);
  }
  std::vector<std::string> update_columns =
      ConfigStringList(node, compiled, "merge_update_columns");
  const std::vector<std::string> exclude =
      ConfigStringList(node, compiled, "merge_exclude_columns");
  if (update_columns.empty()) {
    std::set<std::string> excluded;
    for (const std::string& e : exclude) excluded.insert(sql::Lowercase(e));
    for (const std::string& c : insert_columns) {
      if (!excluded.count(sql::Lowercase(c))) update_columns.push_back(c);
    }
  }
  std::string on;
  for (const std::string& k : keys) {
    on += (on.empty() ? "" : " AND ") + std::string("DBT_INTERNAL_SOURCE.") + Quote(k) +
          " = DBT_INTERNAL_DEST." + Quote(k);
  }
  if (on.empty()) on = "FALSE";  // no unique_key: every row is new, as dbt's merge
  // incremental_predicates narrow the match (they name DBT_INTERNAL_DEST /
  // DBT_INTERNAL_SOURCE), e.g. to prune the target's old partitions.
  for (const std::string& p : ConfigStringList(node, compiled, "incremental_predicates")) {
    on += " AND (" + p + ")";
  }
  std::string sql = "MERGE INTO " + target.Quoted() + " AS DBT_INTERNAL_DEST USING " +
                    std::string(kStageTable) + " AS DBT_INTERNAL_SOURCE ON " + on;
  if (!update_columns.empty() && !keys.empty()) {
    std::string set;
    for (const std::string& c : update_columns) {
      set += (set.empty() ? "" : ", ") + Quote(c) + " = DBT_INTERNAL_SOURCE." + Quote(c);
    }
    sql += " WHEN MATCHED THEN UPDATE SET " + set;
  }
  sql += " WHEN NOT MATCHED THEN INSERT (" + JoinQuoted(insert_columns) + ") VALUES (" +
         JoinQuoted(insert_columns, "DBT_INTERNAL_SOURCE.") + ")";
  return Run(adapter, sql);
}

std::string MicrosLiteral(int64_t micros) {
  return "make_timestamp(" + std::to_string(micros) + "::BIGINT)";
}

}  // namespace

Result<NodeOutcome> MaterializeIncremental(const Node& node, const CompiledNode& compiled,
                                           WarehouseAdapter& adapter,
                                           const MaterializeOptions& options) {
  const Target target = TargetOf(node, compiled);
  STRATA_ASSIGN_OR_RETURN(auto existing, adapter.GetRelation("", target.schema, target.identifier));
  const std::vector<std::string> keys = ConfigStringList(node, compiled, "unique_key");
  std::string strategy = ConfigString(node, compiled, "incremental_strategy");
  if (strategy.empty()) strategy = keys.empty() ? "append" : "delete+insert";
  const bool microbatch = strategy == "microbatch";
  if (microbatch && !options.batch) {
    return Status::InvalidArgument(
        "a microbatch model is built one batch at a time: no batch "
        "window was given");
  }
  if (!existing || existing->kind == RelationInfo::Kind::kView || options.full_refresh) {
    STRATA_ASSIGN_OR_RETURN(int64_t rows, WriteTable(adapter, target, compiled.compiled_code));
    return Succeeded("OK", "CREATE TABLE", rows);
  }

  STRATA_RETURN_IF_ERROR(StageRows(adapter, compiled.compiled_code));
  STRATA_ASSIGN_OR_RETURN(std::vector<ColumnInfo> staged,
                          QueryColumns(adapter, std::string("SELECT * FROM ") + kStageTable));
  const std::string mode = ConfigString(node, compiled, "on_schema_change", "ignore");
  STRATA_ASSIGN_OR_RETURN(std::vector<ColumnInfo> columns,
                          ReconcileSchema(adapter, target, *existing, staged, mode));
  const std::string shaped = SelectAsTarget(columns, staged, kStageTable);

  int64_t rows = 0;
  std::string code;
  if (strategy == "append") {
    STRATA_ASSIGN_OR_RETURN(rows, Run(adapter, "INSERT INTO " + target.Quoted() + " " + shaped));
    code = "INSERT";
  } else if (strategy == "merge") {
    STRATA_ASSIGN_OR_RETURN(rows,
                            MergeRows(adapter, node, compiled, target, columns, staged, keys));
    code = "MERGE";
  } else if (strategy == "delete+insert") {
    if (keys.empty()) {
      return Status::InvalidArgument("incremental_strategy delete+insert needs a unique_key");
    }
    std::string predicate =
        KeyTuple(keys) + " IN (SELECT " + JoinQuoted(keys) + " FROM " + kStageTable + ")";
    // Only target rows matching every incremental predicate are deleted.
    for (const std::string& p : ConfigStringList(node, compiled, "incremental_predicates")) {
      predicate += " AND (" + p + ")";
    }
    STRATA_ASSIGN_OR_RETURN(rows, DeleteThenInsert(adapter, target, predicate, shaped));
    code = "INSERT";
  } else if (microbatch) {
    const std::string event_time = ConfigString(node, compiled, "event_time");
    if (event_time.empty()) {
      return Status::InvalidArgument("a microbatch model needs the event_time config");
    }
    const std::string column = "CAST(" + Quote(event_time) + " AS TIMESTAMP)";
    const std::string predicate = column + " >= " + MicrosLiteral(options.batch->start_micros) +
                                  " AND " + column + " < " +
                                  MicrosLiteral(options.batch->end_micros);
    STRATA_ASSIGN_OR_RETURN(rows, DeleteThenInsert(adapter, target, predicate, shaped));
    code = "INSERT";
  } else {
    return Status::InvalidArgument("incremental_strategy '" + strategy +
                                   "' is not one of append, merge, delete+insert, microbatch");
  }
  return Succeeded("OK", code, rows);
}

}  // namespace strata::transform::materialize_internal
