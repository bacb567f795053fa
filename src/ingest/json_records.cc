// JSON documents (an array of records, one object, or records at a
// `record_path` inside each document) and NDJSON (one object per line).
//
// Both become a TEMP table of one JSON text per record, in file order, so
// that exactly the bad records are quarantined: NDJSON is read as one VARCHAR
// column (a delimiter that cannot occur in valid JSON, no quoting; rowid + 1
// is the line number), JSON through read_json_objects. json_valid picks the
// good records, json_group_structure over all of them gives the schema
// (nested objects become STRUCTs, arrays LISTs, conflicting types JSON),
// json_types.cc types the date and timestamp strings, and json_transform
// turns each record into a row.
#include <cctype>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>

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

// "data.items", "$.data.items" or "data/items" as the JSON path
// $."data"."items"; empty for an empty record_path.
// DuckDB's "Malformed JSON at byte N of input: what.  Input: ..." as the
// 0-based byte offset N and "what"; nullopt for other messages.
std::optional<std::pair<int64_t, std::string>> MalformedAt(const std::string& message) {
  const std::string at = "at byte ";
  const size_t start = message.find(at);
  if (start == std::string::npos) return std::nullopt;
  size_t pos = start + at.size();
  int64_t offset = 0;
  bool digits = false;
  while (pos < message.size() && std::isdigit(static_cast<unsigned char>(message[pos]))) {
    offset = offset * 10 + (message[pos++] - '0');
    digits = true;
  }
  const std::string of_input = " of input: ";
  if (!digits || message.compare(pos, of_input.size(), of_input) != 0) return std::nullopt;
  pos += of_input.size();
  size_t end = message.find(".  Input:", pos);
  if (end == std::string::npos) end = message.size();
  std::string what = message.substr(pos, end - pos);
  while (!what.empty() && (what.back() == '.' || what.back() == ' ' || what.back() == '\n'))
    what.pop_back();
  return std::make_pair(offset, what);
}

// Where a JSON document that read_json_objects could not read is malformed,
// as a quarantine record at its line (column in the reason). nullopt when
// that cannot be told: compressed files, several documents in one file.
std::optional<BadRecord> LocateMalformedDocument(engine::Connection& conn, FileSystem& fs,
                                                 const std::string& path,
                                                 const std::string& label) {
  for (const char* compressed : {".gz", ".zst", ".zstd"}) {
    const std::string suffix = compressed;
    if (path.size() >= suffix.size() &&
        path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0) {
      return std::nullopt;
    }
  }
  Status parsed = conn.Execute("SELECT json(content) FROM read_text(" + QuoteLiteral(path) + ")");
  if (parsed.ok()) return std::nullopt;
  std::optional<std::pair<int64_t, std::string>> at = MalformedAt(parsed.message());
  if (!at.has_value() || at->second == "unexpected content after document") return std::nullopt;
  Result<std::string> content = fs.ReadFile(path);
  if (!content.ok() || at->first > static_cast<int64_t>(content->size())) return std::nullopt;
  const size_t offset = static_cast<size_t>(at->first);
  int64_t line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < offset; ++i) {
    if ((*content)[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  size_t line_end = content->find('\n', line_start);
  if (line_end == std::string::npos) line_end = content->size();
  const int64_t column = static_cast<int64_t>(offset - line_start) + 1;
  return BadRecord{"", label, line, TruncateRaw(content->substr(line_start, line_end - line_start)),
                   "malformed JSON at line " + std::to_string(line) + ", column " +
                       std::to_string(column) + ": " + at->second +
                       "; the whole document is quarantined: fix it and write the file again"};
}

std::string RecordJsonPath(const std::string& record_path) {
  std::string path = record_path;
  if (path.rfind("$.", 0) == 0) path = path.substr(2);
  for (char& c : path) {
    if (c == '/') c = '.';
  }
  std::string json_path;
  size_t start = 0;
  while (start <= path.size()) {
    size_t dot = path.find('.', start);
    if (dot == std::string::npos) dot = path.size();
    const std::string part = path.substr(start, dot - start);
    if (!part.empty()) {
      json_path += ".\"";
      for (char c : part) {
        if (c == '"' || c == '\\') json_path.push_back('\\');
        json_path.push_back(c);
      }
      json_path += "\"";
    }
    start = dot + 1;
  }
  return json_path.empty() ? "" : "$" + json_path;
}

// Stages the records of TEMP `table` (column `line`, numbered by `row_expr`):
// bad ones go to `staged.bad_records`, the query reads the good ones.
Result<StagedFile> StageRecords(engine::Connection& conn, const std::string& table,
                                const std::string& label, const std::string& row_expr,
                                const std::string& noun, JsonFieldTypes* field_types,
                                StagedFile staged) {
  const std::string is_record =
      "coalesce(CASE WHEN json_valid(line) THEN json_type(line) = 'OBJECT' END, false)";
  STRATA_ASSIGN_OR_RETURN(
      auto bad_rows,
      QueryStrings(conn, "SELECT " + row_expr +
                             ", line, json_valid(line), "
                             "CASE WHEN json_valid(line) THEN json_type(line) END "
                             "FROM " +
                             table + " WHERE trim(coalesce(line, '')) <> '' AND NOT " + is_record +
                             " ORDER BY rowid"));
  int explained = 0;
  for (const auto& row : bad_rows) {
    const std::string raw = row[1].value_or("");
    std::string reason;
    if (row[2].value_or("false") == "true") {
      reason = noun + " is a JSON " + row[3].value_or("value") + ", not an object";
    } else if (explained++ < kMaxExplainedLines) {
      // DuckDB's parser says where and why the line is malformed.
      Status parsed = conn.Execute("SELECT json(" + QuoteLiteral(raw) + ")");
      std::optional<std::pair<int64_t, std::string>> at = MalformedAt(parsed.message());
      if (parsed.ok()) {
        reason = "invalid JSON";
      } else if (at.has_value()) {
        reason = "invalid JSON at column " + std::to_string(at->first + 1) + ": " + at->second;
      } else {
        reason = "invalid JSON: " + parsed.message();
      }
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
  std::string structure = *structure_rows[0][0];
  std::string where = is_record;
  if (field_types != nullptr) {
    STRATA_ASSIGN_OR_RETURN(TypedStructure typed,
                            TypeJsonStrings(conn, table, row_expr, is_record, structure, label,
                                            *field_types, staged.bad_records));
    structure = typed.structure.dump();
    if (!typed.valid_sql.empty()) where += " AND " + typed.valid_sql;
  }
  structure = StorableStructure(structure);
  staged.query = "SELECT unnest(json_transform(line, " + QuoteLiteral(structure) + "))" +
                 LineageColumns(label, row_expr) + " FROM " + table + " WHERE " + where;
  return staged;
}

}  // namespace

Result<StagedFile> StageJson(engine::Connection& conn, FileSystem& fs, const std::string& path,
                             const std::string& label, const ReadOptions& options, int slot,
                             JsonFieldTypes* field_types) {
  StagedFile staged;
  const std::string table = QuoteIdentifier("_strata_json_" + std::to_string(slot));
  const std::string documents = "read_json_objects(" + QuoteLiteral(path) +
                                ", format = 'auto', maximum_object_size = 1073741824)";
  std::string select = "SELECT json::VARCHAR AS line FROM " + documents;
  std::string row_expr = "rowid + 1";
  const std::string records = RecordJsonPath(options.record_path);
  if (!records.empty()) {
    // _strata_n: the record's position in its document's list.
    select =
        "SELECT r::VARCHAR AS line, n AS _strata_n FROM (SELECT unnest(l) AS r, "
        "unnest(generate_series(1, len(l))) AS n FROM (SELECT json_extract(json, " +
        QuoteLiteral(records) + ")::JSON[] AS l FROM " + documents + "))";
    row_expr = "_strata_n";
  }
  STRATA_RETURN_IF_ERROR(conn.Execute("DROP TABLE IF EXISTS " + table));
  staged.cleanup_sql.push_back("DROP TABLE IF EXISTS " + table);
  Status loaded = conn.Execute("CREATE TEMP TABLE " + table + " AS " + select);
  if (!loaded.ok()) {
    // A JSON document is all or nothing: if it does not parse, or the records
    // are not a list where record_path says, the file is one bad record.
    staged.has_rows = false;
    if (records.empty()) {
      if (std::optional<BadRecord> located = LocateMalformedDocument(conn, fs, path, label)) {
        staged.bad_records.push_back(std::move(*located));
        return staged;
      }
    }
    staged.bad_records.push_back(
        {"", label, 0, "",
         records.empty() ? "could not read the file as JSON: " + loaded.message()
                         : "could not read the records at record_path '" + options.record_path +
                               "' (a list of objects is expected there): " + loaded.message()});
    return staged;
  }
  STRATA_ASSIGN_OR_RETURN(engine::Value count, conn.QueryScalar("SELECT count(*) FROM " + table));
  if (count.ToString() == "0") {
    staged.has_rows = false;
    staged.bad_records.push_back(
        {"", label, 0, "",
         records.empty() ? "the file holds no records"
                         : "no records at record_path '" + options.record_path +
                               "' (check the path: keys separated by dots, e.g. data.items)"});
    return staged;
  }
  return StageRecords(conn, table, label, row_expr, "record", field_types, std::move(staged));
}

Result<StagedFile> StageNdjson(engine::Connection& conn, const std::string& path,
                               const std::string& label, int slot, JsonFieldTypes* field_types) {
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
  return StageRecords(conn, table, label, "rowid + 1", "line", field_types, std::move(staged));
}

}  // namespace strata::ingest::files
