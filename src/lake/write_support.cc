#include "lake/write_support.h"

#include <algorithm>

#include "lake/checkpoint_reader.h"
#include "lake/json_util.h"
#include "lake/partition_values.h"
#include "lake/scan.h"

namespace strata::lake {
namespace {

using engine::QuoteIdentifier;
using engine::QuoteLiteral;

// The partition columns as a one-row relation of typed NULLs (or a dummy
// column when there are none), for binding predicates against.
Result<std::string> PartitionRelation(const Snapshot& snapshot) {
  std::string select;
  for (const std::string& column : snapshot.metadata().partition_columns) {
    const StructField* f = FindField(snapshot.schema(), column);
    if (f == nullptr)
      return Status::Corruption("partition column '" + column + "' is not in the schema");
    STRATA_ASSIGN_OR_RETURN(std::string type, ToDuckDbType(*f->type));
    select += (select.empty() ? "" : ", ") + std::string("CAST(NULL AS ") + type + ") AS " +
              QuoteIdentifier(column);
  }
  return "SELECT " + (select.empty() ? std::string("NULL AS \"__none\"") : select);
}

}  // namespace

Status CheckWriteSupported(const Snapshot& snapshot) {
  const Protocol& p = snapshot.protocol();
  const std::string table = "Delta table " + snapshot.table_root();
  if (p.min_writer_version > 7) {
    return Status::NotSupported(table + " needs writer version " +
                                std::to_string(p.min_writer_version) +
                                "; Strata writes up to version 7");
  }
  if (snapshot.column_mapping_mode() != ColumnMappingMode::kNone) {
    return Status::NotSupported(table +
                                " uses column mapping, which Strata can read but not write");
  }
  static const char* kSupported[] = {
      "appendOnly",       "invariants",      "checkConstraints",    "changeDataFeed",
      "generatedColumns", "identityColumns", "columnMapping",       "timestampNtz",
      "typeWidening",     "domainMetadata",  "vacuumProtocolCheck",
  };
  if (p.min_writer_version == 7 && p.writer_features) {
    for (const std::string& feature : *p.writer_features) {
      if (std::find(std::begin(kSupported), std::end(kSupported), feature) ==
          std::end(kSupported)) {
        return Status::NotSupported(table + " uses writer feature '" + feature +
                                    "', which Strata does not write");
      }
    }
  }
  // Features implied by legacy versions (or listed) are fine while unused.
  const std::string& schema = snapshot.metadata().schema_string;
  static const std::pair<const char*, const char*> kSchemaKeys[] = {
      {"delta.invariants", "column invariants"},
      {"delta.generationExpression", "generated columns"},
      {"delta.identity", "identity columns"},
  };
  for (const auto& [key, what] : kSchemaKeys) {
    if (schema.find(key) != std::string::npos) {
      return Status::NotSupported(table + " uses " + what + ", which Strata does not enforce yet");
    }
  }
  for (const auto& [key, value] : snapshot.metadata().configuration) {
    if (key.rfind("delta.constraints.", 0) == 0) {
      return Status::NotSupported(table +
                                  " has CHECK constraints, which Strata does not enforce yet");
    }
    if (key == "delta.enableChangeDataFeed" && value == "true") {
      return Status::NotSupported(table + " has the change data feed on; Strata does not write it");
    }
  }
  for (const LogicalFile& f : snapshot.files()) {
    if (f.add.deletion_vector) {
      return Status::NotSupported(table +
                                  " has deletion vectors; Strata does not write such tables");
    }
  }
  return Status::OK();
}

Status CheckMayRemoveData(const Snapshot& snapshot, const std::string& operation) {
  if (snapshot.Property("delta.appendOnly") == "true") {
    return Status::InvalidArgument("Delta table " + snapshot.table_root() +
                                   " is append-only (delta.appendOnly=true): " + operation +
                                   " is not allowed");
  }
  return Status::OK();
}

Result<std::string> FileScanSql(const Snapshot& snapshot,
                                const std::vector<const LogicalFile*>& files,
                                engine::Connection& conn) {
  const DataType& schema = snapshot.schema();
  if (files.empty()) {
    std::string select;
    for (const StructField& f : schema.fields) {
      STRATA_ASSIGN_OR_RETURN(std::string type, ToDuckDbType(*f.type));
      select += "CAST(NULL AS " + type + ") AS " + QuoteIdentifier(f.name) + ", ";
    }
    return "SELECT " + select +
           "CAST(NULL AS VARCHAR) AS __file, CAST(NULL AS BIGINT) AS __row "
           "LIMIT 0";
  }
  std::string paths;
  for (const LogicalFile* f : files) paths += (paths.empty() ? "" : ", ") + QuoteLiteral(f->path);
  std::string parquet = "read_parquet([" + paths +
                        "], union_by_name = true, "
                        "hive_partitioning = false";
  STRATA_ASSIGN_OR_RETURN(
      auto described,
      QueryStrings(conn, "SELECT column_name FROM (DESCRIBE SELECT * FROM " + parquet + "))"));
  std::vector<std::string> file_columns;
  for (const auto& row : described) {
    if (row[0]) file_columns.push_back(*row[0]);
  }
  parquet += ", filename = true, file_row_number = true)";

  const auto& partition_columns = snapshot.metadata().partition_columns;
  std::string select;
  for (const StructField& f : schema.fields) {
    std::string expr;
    auto p = std::find(partition_columns.begin(), partition_columns.end(), f.name);
    if (p != partition_columns.end()) {
      expr = "__p.\"__p" + std::to_string(p - partition_columns.begin()) + "\"";
    } else if (std::find(file_columns.begin(), file_columns.end(), f.name) == file_columns.end()) {
      STRATA_ASSIGN_OR_RETURN(std::string type, ToDuckDbType(*f.type));
      expr = "CAST(NULL AS " + type + ")";  // added after these files were written
    } else {
      STRATA_ASSIGN_OR_RETURN(expr, ConvertExpression("__d." + QuoteIdentifier(f.name), *f.type,
                                                      ColumnMappingMode::kNone));
    }
    select += expr + " AS " + QuoteIdentifier(f.name) + ", ";
  }
  std::string sql = "SELECT " + select +
                    "__d.filename AS __file, "
                    "CAST(__d.file_row_number AS BIGINT) AS __row FROM " +
                    parquet + " AS __d";
  if (!partition_columns.empty()) {
    std::string values;
    for (const LogicalFile* file : files) {
      std::string row = "(" + QuoteLiteral(file->path);
      for (const std::string& column : partition_columns) {
        const StructField* f = FindField(schema, column);
        if (f == nullptr)
          return Status::Corruption("partition column '" + column + "' is not in the schema");
        STRATA_ASSIGN_OR_RETURN(
            std::string literal,
            PartitionValueSql(*f->type, LookupPartitionValue(file->add, *f, column)));
        row += ", " + literal;
      }
      values += (values.empty() ? "" : ", ") + row + ")";
    }
    std::string names = "\"__pfile\"";
    for (size_t k = 0; k < partition_columns.size(); ++k)
      names += ", \"__p" + std::to_string(k) + "\"";
    sql += " JOIN (VALUES " + values + ") AS __p(" + names + ") ON __d.filename = __p.\"__pfile\"";
  }
  return sql;
}

bool IsPartitionPredicate(const Snapshot& snapshot, const std::string& predicate,
                          engine::Connection& conn) {
  auto relation = PartitionRelation(snapshot);
  if (!relation.ok()) return false;
  return conn.Prepare("SELECT 1 FROM (" + *relation + ") AS __p WHERE (" + predicate + ")").ok();
}

Result<std::vector<bool>> MatchPartitions(const Snapshot& snapshot,
                                          const std::vector<const LogicalFile*>& files,
                                          const std::string& predicate, engine::Connection& conn) {
  std::vector<bool> out(files.size(), false);
  if (files.empty()) return out;
  const auto& partition_columns = snapshot.metadata().partition_columns;
  std::string values;
  for (size_t i = 0; i < files.size(); ++i) {
    std::string row = "(" + std::to_string(i);
    for (const std::string& column : partition_columns) {
      const StructField* f = FindField(snapshot.schema(), column);
      if (f == nullptr)
        return Status::Corruption("partition column '" + column + "' is not in the schema");
      STRATA_ASSIGN_OR_RETURN(
          std::string literal,
          PartitionValueSql(*f->type, LookupPartitionValue(files[i]->add, *f, column)));
      row += ", " + literal;
    }
    values += (values.empty() ? "" : ", ") + row + ")";
  }
  std::string names = "\"__i\"";
  for (const std::string& column : partition_columns) names += ", " + QuoteIdentifier(column);
  auto rows = QueryStrings(conn, "SELECT CAST(\"__i\" AS VARCHAR) FROM (VALUES " + values +
                                     ") AS __p(" + names + ") WHERE (" + predicate + ")");
  if (!rows.ok()) return rows.status().WithContext("evaluating predicate '" + predicate + "'");
  for (const auto& row : *rows) {
    if (row[0]) out[std::stoul(*row[0])] = true;
  }
  return out;
}

int64_t RecordsIn(const AddFile& add) {
  if (!add.stats) return -1;
  auto doc = json_util::Parse(*add.stats);
  if (!doc.ok()) return -1;
  auto n = json_util::OptInt(*doc, "numRecords");
  return n.ok() && *n ? **n : -1;
}

Result<int64_t> QueryInt(engine::Connection& conn, const std::string& sql) {
  STRATA_ASSIGN_OR_RETURN(auto rows, QueryStrings(conn, "SELECT CAST((" + sql + ") AS VARCHAR)"));
  if (rows.empty() || !rows[0][0]) return int64_t{0};
  return static_cast<int64_t>(std::stoll(*rows[0][0]));
}

Result<int64_t> CountRows(const Snapshot& snapshot, const LogicalFile& file,
                          engine::Connection& conn) {
  int64_t n = RecordsIn(file.add);
  if (n >= 0) return n;
  return QueryInt(conn, "SELECT count(*) FROM read_parquet(" + QuoteLiteral(file.path) + ")");
}

}  // namespace strata::lake
