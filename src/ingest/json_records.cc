// JSON documents (read_json: an array of records, one object, or records at a
// `record_path` inside each document) and NDJSON (one object per line).
//
// NDJSON is read line by line so that exactly the bad lines are quarantined:
// DuckDB reads the file as one VARCHAR column (a delimiter that cannot occur
// in valid JSON, no quoting), the TEMP table keeps file order so rowid + 1 is
// the line number, json_valid picks the good lines, json_group_structure over
// all of them gives the schema (nested objects become STRUCTs, arrays LISTs,
// conflicting types JSON), and json_transform turns each line into a row.
#include <nlohmann/json.hpp>
#include <string>

#include "ingest/file_formats.h"

namespace strata::ingest::files {
namespace {

using engine::QuoteIdentifier;
using engine::QuoteLiteral;

constexpr int kMaxExplainedLines = 1000;  // bad lines whose parse error is looked up one by one

// Makes the inferred structure stable across files and storable: object keys
// sorted (json_group_structure lists them in first-seen order, which differs
// between files and would read as a retyped STRUCT), UBIGINT (what it infers
// for any non-negative integer) as BIGINT, and the element type of arrays that
// were empty in every record (NULL, which no table can store) as JSON.
nlohmann::json NormalizeStructure(const nlohmann::json& node) {
  if (node.is_string()) {
    const std::string type = node.get<std::string>();
    if (type == "UBIGINT") return "BIGINT";
    if (type == "NULL") return "JSON";
    return node;
  }
  nlohmann::json out = node.is_array() ? nlohmann::json::array() : nlohmann::json::object();
  if (node.is_array()) {
    for (const auto& element : node) out.push_back(NormalizeStructure(element));
  } else if (node.is_object()) {
    for (const auto& [key, value] : node.items()) out[key] = NormalizeStructure(value);
  } else {
    return node;
  }
  return out;
}

std::string StorableStructure(const std::string& structure) {
  nlohmann::json parsed = nlohmann::json::parse(structure, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return structure;
  return NormalizeStructure(parsed).dump();
}

std::string RecordExpression(const std::string& record_path) {
  std::string path = record_path;
  if (path.rfind("$.", 0) == 0) path = path.substr(2);
  for (char& c : path) {
    if (c == '/') c = '.';
  }
  std::string expr;
  size_t start = 0;
  while (start <= path.size()) {
    size_t dot = path.find('.', start);
    if (dot == std::string::npos) dot = path.size();
    const std::string part = path.substr(start, dot - start);
    if (!part.empty())
      expr += expr.empty() ? QuoteIdentifier(part) : "[" + QuoteLiteral(part) + "]";
    start = dot + 1;
  }
  return expr;
}

}  // namespace

Result<StagedFile> StageJson(engine::Connection& conn, const std::string& path,
                             const std::string& label, const ReadOptions& options, int slot) {
  StagedFile staged;
  const std::string table = QuoteIdentifier("_strata_json_" + std::to_string(slot));
  const std::string reader =
      "read_json(" + QuoteLiteral(path) + ", format = 'auto', maximum_object_size = 1073741824)";
  std::string select = "SELECT * FROM " + reader;
  std::string row_expr = "rowid + 1";
  const std::string records = RecordExpression(options.record_path);
  if (!records.empty()) {
    select = "SELECT unnest(_strata_r), _strata_n FROM (SELECT unnest(" + records +
             ") AS _strata_r, unnest(generate_series(1, len(" + records + "))) AS _strata_n FROM " +
             reader + ")";
    row_expr = "_strata_n";
  }
  STRATA_RETURN_IF_ERROR(conn.Execute("DROP TABLE IF EXISTS " + table));
  staged.cleanup_sql.push_back("DROP TABLE IF EXISTS " + table);
  Status loaded = conn.Execute("CREATE TEMP TABLE " + table + " AS " + select);
  if (!loaded.ok()) {
    // A JSON document is all or nothing: if it does not parse, or the records
    // are not where record_path says, the file is one bad record.
    staged.has_rows = false;
    staged.bad_records.push_back(
        {"", label, 0, "", "could not read the file as JSON: " + loaded.message()});
    return staged;
  }
  STRATA_ASSIGN_OR_RETURN(engine::Value count, conn.QueryScalar("SELECT count(*) FROM " + table));
  if (count.ToString() == "0") {
    staged.has_rows = false;
    staged.bad_records.push_back({"", label, 0, "", "the file holds no records"});
    return staged;
  }
  staged.query = "SELECT *" + std::string(records.empty() ? "" : " EXCLUDE (_strata_n)") +
                 LineageColumns(label, row_expr) + " FROM " + table;
  return staged;
}

Result<StagedFile> StageNdjson(engine::Connection& conn, const std::string& path,
                               const std::string& label, int slot) {
  StagedFile staged;
  const std::string table = QuoteIdentifier("_strata_lines_" + std::to_string(slot));
  STRATA_RETURN_IF_ERROR(conn.Execute("DROP TABLE IF EXISTS " + table));
  staged.cleanup_sql.push_back("DROP TABLE IF EXISTS " + table);
  // 0x01 never occurs raw in valid JSON (control characters must be escaped),
  // so every line is one value; blank lines stay (as NULL) and keep the count.
  Status loaded = conn.Execute(
      "CREATE TEMP TABLE " + table + " AS SELECT line FROM read_csv(" + QuoteLiteral(path) +
      ", columns = {'line': 'VARCHAR'}, delim = " + QuoteLiteral(std::string(1, '\x01')) +
      ", quote = '', escape = '', header = false, auto_detect = false, new_line = '\\n', "
      "strict_mode = false, max_line_size = 67108864)");
  if (!loaded.ok()) {
    staged.has_rows = false;
    staged.bad_records.push_back(
        {"", label, 0, "", "could not read the file as text lines: " + loaded.message()});
    return staged;
  }
  const std::string is_record =
      "coalesce(CASE WHEN json_valid(line) THEN json_type(line) = 'OBJECT' END, false)";
  STRATA_ASSIGN_OR_RETURN(
      auto bad_rows, QueryStrings(conn,
                                  "SELECT rowid + 1, line, json_valid(line), "
                                  "CASE WHEN json_valid(line) THEN json_type(line) END FROM " +
                                      table + " WHERE trim(coalesce(line, '')) <> '' AND NOT " +
                                      is_record + " ORDER BY rowid"));
  int explained = 0;
  for (const auto& row : bad_rows) {
    const std::string raw = row[1].value_or("");
    std::string reason;
    if (row[2].value_or("false") == "true") {
      reason = "line is a JSON " + row[3].value_or("value") + ", not an object";
    } else if (explained++ < kMaxExplainedLines) {
      // DuckDB's parser says where and why the line is malformed.
      Status parsed = conn.Execute("SELECT json(" + QuoteLiteral(raw) + ")");
      reason = parsed.ok() ? "invalid JSON" : "invalid JSON: " + parsed.message();
    } else {
      reason = "invalid JSON";
    }
    staged.bad_records.push_back(
        {"", label, std::stoll(row[0].value_or("0")), TruncateRaw(raw), reason});
  }

  STRATA_ASSIGN_OR_RETURN(
      auto structure_rows,
      QueryStrings(conn, "SELECT json_group_structure(line::JSON)::VARCHAR FROM " + table +
                             " WHERE " + is_record));
  if (structure_rows.empty() || !structure_rows[0][0].has_value() ||
      *structure_rows[0][0] == "{}") {
    staged.has_rows = false;
    if (bad_rows.empty())
      staged.bad_records.push_back({"", label, 0, "", "the file holds no records"});
    return staged;
  }
  const std::string structure = StorableStructure(*structure_rows[0][0]);
  staged.query = "SELECT unnest(json_transform(line, " + QuoteLiteral(structure) + "))" +
                 LineageColumns(label, "rowid + 1") + " FROM " + table + " WHERE " + is_record;
  return staged;
}

}  // namespace strata::ingest::files
