// Seeds: a CSV file read by DuckDB's reader, typed like dbt's agate
// inference (integers INTEGER, decimals DOUBLE, dates, timestamps,
// booleans, the rest VARCHAR), column_types overriding, written as a new
// version of the seed's table (one commit) every run.
#include "transform/dbt_materialize_internal.h"

namespace strata::transform::materialize_internal {
namespace {

std::string SqlString(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

// DuckDB reads whole numbers as BIGINT; agate (and so dbt-duckdb) calls
// them `integer`. Keep BIGINT only where a value does not fit.
Result<std::string> AgateIntegerType(WarehouseAdapter& adapter, const std::string& column) {
  STRATA_ASSIGN_OR_RETURN(
      int64_t outside,
      FetchInt(adapter, "SELECT count(*) FROM " + std::string(kStageTable) + " WHERE " +
                            Quote(column) + " NOT BETWEEN -2147483648 AND 2147483647"));
  return std::string(outside == 0 ? "INTEGER" : "BIGINT");
}

}  // namespace

Result<NodeOutcome> MaterializeSeed(const Node& node, const CompiledNode& compiled,
                                    WarehouseAdapter& adapter, const MaterializeOptions&) {
  const std::string path = node.package_root + "/" + node.original_file_path;
  const std::string delimiter = ConfigString(node, compiled, "delimiter", ",");
  nlohmann::json column_types = ConfigValue(node, compiled, "column_types");
  if (!column_types.is_object()) column_types = nlohmann::json::object();

  // Overridden columns are read as text and cast once, so the sniffer never
  // gets to drop leading zeros or misread them.
  std::string types;
  for (const auto& [name, type] : column_types.items()) {
    types += (types.empty() ? "" : ", ") + SqlString(name) + ": 'VARCHAR'";
  }
  std::string reader = "read_csv(" + SqlString(path) +
                       ", header = true, delim = " + SqlString(delimiter) +
                       ", sample_size = -1, nullstr = ['', 'null'], auto_detect = true";
  if (!types.empty()) reader += ", types = {" + types + "}";
  reader += ")";
  auto staged = StageRows(adapter, "SELECT * FROM " + reader);
  if (!staged.ok()) return staged.WithContext("loading seed file " + path);

  STRATA_ASSIGN_OR_RETURN(std::vector<ColumnInfo> columns,
                          QueryColumns(adapter, std::string("SELECT * FROM ") + kStageTable));
  std::string select;
  for (const ColumnInfo& c : columns) {
    std::string type = c.data_type;
    for (const auto& [name, override_type] : column_types.items()) {
      if (sql::Lowercase(name) == sql::Lowercase(c.name) && override_type.is_string()) {
        type = override_type.get<std::string>();
      }
    }
    if (type == c.data_type && c.data_type == "BIGINT") {
      STRATA_ASSIGN_OR_RETURN(type, AgateIntegerType(adapter, c.name));
    }
    select += (select.empty() ? "" : ", ") + std::string("CAST(") + Quote(c.name) + " AS " + type +
              ") AS " + Quote(c.name);
  }
  if (select.empty()) return Status::InvalidArgument("seed file " + path + " has no columns");
  STRATA_ASSIGN_OR_RETURN(int64_t rows, WriteTable(adapter, TargetOf(node, compiled),
                                                   "SELECT " + select + " FROM " + kStageTable));
  return Succeeded("INSERT " + std::to_string(rows), "INSERT", rows);
}

}  // namespace strata::transform::materialize_internal
