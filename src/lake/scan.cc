#include "lake/scan.h"

#include <algorithm>
#include <set>

#include "lake/checkpoint_reader.h"
#include "lake/deletion_vector.h"
#include "lake/partition_values.h"

namespace strata::lake {
namespace {

using engine::QuoteIdentifier;
using engine::QuoteLiteral;

constexpr int kMaxTypeDepth = 64;

bool IsPartitionColumn(const Snapshot& snapshot, const std::string& name) {
  const auto& cols = snapshot.metadata().partition_columns;
  return std::find(cols.begin(), cols.end(), name) != cols.end();
}

// Whether reading `type` needs more than a CAST: timestamps become UTC
// instants whatever DuckDB made of the Parquet type (INT96 reads as a naive
// TIMESTAMP), and nested fields may carry physical names.
bool NeedsRewrite(const DataType& type, ColumnMappingMode mode) {
  switch (type.kind) {
    case DataType::Kind::kPrimitive: return type.primitive == "timestamp";
    case DataType::Kind::kDecimal: return false;
    case DataType::Kind::kArray: return NeedsRewrite(*type.element, mode);
    case DataType::Kind::kMap: return NeedsRewrite(*type.key, mode) || NeedsRewrite(*type.value, mode);
    case DataType::Kind::kStruct:
      for (const StructField& f : type.fields) {
        if (PhysicalName(f, mode) != f.name || NeedsRewrite(*f.type, mode)) return true;
      }
      return false;
  }
  return false;
}

std::string SqlList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    out += items[i];
  }
  return out + "]";
}

// Top-level column names the data files hold (union over all files).
Result<std::set<std::string>> FileColumns(engine::Connection& conn, const std::string& parquet) {
  STRATA_ASSIGN_OR_RETURN(auto rows, QueryStrings(conn, "SELECT column_name FROM (DESCRIBE "
                                                        "SELECT * FROM " + parquet + ")"));
  std::set<std::string> names;
  for (const auto& row : rows) {
    if (row[0]) names.insert(*row[0]);
  }
  return names;
}

}  // namespace

Result<std::string> ConvertExpression(const std::string& source, const DataType& type,
                                      ColumnMappingMode mode, int depth) {
  if (depth > kMaxTypeDepth) return Status::NotSupported("column type nests too deeply");
  STRATA_ASSIGN_OR_RETURN(std::string duck_type, ToDuckDbType(type));
  if (!NeedsRewrite(type, mode)) return "CAST(" + source + " AS " + duck_type + ")";
  std::string var = "__e" + std::to_string(depth);
  switch (type.kind) {
    case DataType::Kind::kPrimitive:  // timestamp: epoch_us reads both TIMESTAMP and TIMESTAMPTZ as UTC
      return "make_timestamptz(epoch_us(" + source + "))";
    case DataType::Kind::kArray: {
      STRATA_ASSIGN_OR_RETURN(auto e, ConvertExpression(var, *type.element, mode, depth + 1));
      return "list_transform(" + source + ", lambda " + var + ": " + e + ")";
    }
    case DataType::Kind::kMap: {
      STRATA_ASSIGN_OR_RETURN(auto k, ConvertExpression(var + ".key", *type.key, mode, depth + 1));
      STRATA_ASSIGN_OR_RETURN(auto v,
                              ConvertExpression(var + ".value", *type.value, mode, depth + 1));
      return "map_from_entries(list_transform(map_entries(" + source + "), lambda " + var +
             ": struct_pack(key := " + k + ", value := " + v + ")))";
    }
    case DataType::Kind::kStruct: {
      std::string pack;
      for (const StructField& f : type.fields) {
        STRATA_ASSIGN_OR_RETURN(
            auto e, ConvertExpression(source + "." + QuoteIdentifier(PhysicalName(f, mode)),
                                      *f.type, mode, depth + 1));
        if (!pack.empty()) pack += ", ";
        pack += QuoteIdentifier(f.name) + " := " + e;
      }
      return "CASE WHEN " + source + " IS NULL THEN NULL ELSE struct_pack(" + pack + ") END";
    }
    case DataType::Kind::kDecimal: break;
  }
  return "CAST(" + source + " AS " + duck_type + ")";
}

Result<ScanPlan> PlanScan(const Snapshot& snapshot, const ScanOptions& options, FileSystem& fs,
                          engine::Connection& conn) {
  STRATA_RETURN_IF_ERROR(ValidatePredicates(snapshot, options.filters));
  const DataType& schema = snapshot.schema();
  ColumnMappingMode mode = snapshot.column_mapping_mode();

  std::vector<const StructField*> fields;
  if (options.columns) {
    for (const std::string& name : *options.columns) {
      const StructField* f = FindField(schema, name);
      if (f == nullptr) {
        return Status::InvalidArgument("Delta table " + snapshot.table_root() +
                                       " has no column '" + name + "'");
      }
      fields.push_back(f);
    }
  } else {
    for (const StructField& f : schema.fields) fields.push_back(&f);
  }
  std::vector<std::string> duck_types;
  for (const StructField* f : fields) {
    auto t = ToDuckDbType(*f->type);
    if (!t.ok()) return t.status().WithContext("column '" + f->name + "'");
    duck_types.push_back(std::move(t).value());
  }

  ScanPlan plan;
  plan.files_total = snapshot.files().size();
  std::vector<const LogicalFile*> files;
  for (const LogicalFile& file : snapshot.files()) {
    if (FileMayMatch(snapshot, file, options.filters)) files.push_back(&file);
  }
  plan.files_scanned = files.size();

  if (files.empty()) {
    // A typed empty result: the schema's columns and no rows.
    std::string select;
    for (size_t i = 0; i < fields.size(); ++i) {
      if (i) select += ", ";
      select += "CAST(NULL AS " + duck_types[i] + ") AS " + QuoteIdentifier(fields[i]->name);
    }
    plan.sql = "SELECT " + (select.empty() ? std::string("NULL AS \"_\"") : select) + " LIMIT 0";
    return plan;
  }

  // Deletion vectors: (file, deleted rows) pairs for an anti join.
  std::string dv_values;
  for (const LogicalFile* file : files) {
    if (!file->add.deletion_vector) continue;
    auto rows = LoadDeletionVector(*file->add.deletion_vector, snapshot.table_root(), fs);
    if (!rows.ok()) {
      return rows.status().WithContext("Delta table " + snapshot.table_root() + ": file " +
                                       file->path);
    }
    if (rows->empty()) continue;
    plan.deleted_rows += rows->size();
    std::string list = "[";
    for (size_t i = 0; i < rows->size(); ++i) {
      if (i) list += ",";
      list += std::to_string((*rows)[i]);
    }
    list += "]::BIGINT[]";
    if (!dv_values.empty()) dv_values += ", ";
    dv_values += "(" + QuoteLiteral(file->path) + ", " + list + ")";
  }

  std::vector<const StructField*> partition_fields;
  for (const StructField* f : fields) {
    if (IsPartitionColumn(snapshot, f->name)) partition_fields.push_back(f);
  }
  bool need_filename = !partition_fields.empty() || !dv_values.empty();

  std::vector<std::string> paths;
  for (const LogicalFile* file : files) paths.push_back(QuoteLiteral(file->path));
  std::string parquet = "read_parquet(" + SqlList(paths) +
                        ", union_by_name = true, hive_partitioning = false";
  STRATA_ASSIGN_OR_RETURN(auto file_columns, FileColumns(conn, parquet + ")"));
  if (need_filename) parquet += ", filename = true";
  if (!dv_values.empty()) parquet += ", file_row_number = true";
  parquet += ")";

  std::string select;
  size_t partition_index = 0;
  for (size_t i = 0; i < fields.size(); ++i) {
    const StructField& f = *fields[i];
    std::string expr;
    if (IsPartitionColumn(snapshot, f.name)) {
      expr = "__p.\"__p" + std::to_string(partition_index++) + "\"";
    } else {
      const std::string& physical = PhysicalName(f, mode);
      if (file_columns.count(physical) == 0) {
        expr = "CAST(NULL AS " + duck_types[i] + ")";  // added after these files were written
      } else {
        STRATA_ASSIGN_OR_RETURN(expr,
                                ConvertExpression("__d." + QuoteIdentifier(physical), *f.type, mode));
      }
    }
    if (i) select += ", ";
    select += expr + " AS " + QuoteIdentifier(f.name);
  }
  if (select.empty()) select = "NULL AS \"_\"";

  std::string sql = "SELECT " + select + " FROM " + parquet + " AS __d";
  if (!partition_fields.empty()) {
    std::string values;
    for (const LogicalFile* file : files) {
      std::string row = "(" + QuoteLiteral(file->path);
      for (const StructField* f : partition_fields) {
        auto value = LookupPartitionValue(file->add, *f, PhysicalName(*f, mode));
        auto literal = PartitionValueSql(*f->type, value);
        if (!literal.ok()) return literal.status().WithContext("partition column '" + f->name + "'");
        row += ", " + *literal;
      }
      if (!values.empty()) values += ", ";
      values += row + ")";
    }
    std::string names = "\"__file\"";
    for (size_t k = 0; k < partition_fields.size(); ++k) {
      names += ", \"__p" + std::to_string(k) + "\"";
    }
    sql += " JOIN (VALUES " + values + ") AS __p(" + names + ") ON __d.filename = __p.\"__file\"";
  }
  if (!dv_values.empty()) {
    sql += " ANTI JOIN (SELECT __f AS __dv_file, unnest(__r) AS __dv_row FROM (VALUES " +
           dv_values + ") AS __v(__f, __r)) AS __dv ON __d.filename = __dv.__dv_file AND "
           "__d.file_row_number = __dv.__dv_row";
  }
  plan.sql = std::move(sql);
  return plan;
}

}  // namespace strata::lake
