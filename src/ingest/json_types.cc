// Dates and timestamps in JSON records (json_records.cc stages the records).
//
// json_group_structure calls every string VARCHAR. A string field (at any
// depth, in STRUCTs and LISTs) whose values in a file are all ISO-8601 dates,
// local timestamps, or timestamps with a UTC offset becomes DATE, TIMESTAMP or
// TIMESTAMP WITH TIME ZONE, which json_transform then parses. read_json's own
// detection is not used: it settles on one timestamp format per file (in a
// file mixing "T" and " " separators some fields stay VARCHAR, or the file
// fails to read) and reads "...Z" values as TIMESTAMP, dropping the zone.
//
// The decision is made once per stream, by the first file holding values for
// the field, and kept in the stream state (JsonFieldTypes), so the next file
// cannot flip the bronze column; a later value that does not parse as the
// field's type puts its record in the quarantine instead.
#include <cstdint>
#include <string>
#include <vector>

#include "ingest/file_formats.h"

namespace strata::ingest::files {
namespace {

using engine::QuoteLiteral;
using nlohmann::json;

constexpr char kDate[] = "DATE";
constexpr char kTimestamp[] = "TIMESTAMP";
constexpr char kTimestampTz[] = "TIMESTAMP WITH TIME ZONE";
constexpr char kVarchar[] = "VARCHAR";

// RE2 patterns, matched against the whole value. The casts check the ranges
// (month 13, February 30) the patterns do not.
constexpr char kDatePattern[] = R"(\d{4}-\d{2}-\d{2})";
constexpr char kLocalPattern[] = R"(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)";
constexpr char kZonedPattern[] =
    R"(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?))";

bool IsTemporal(const std::string& type) {
  return type == kDate || type == kTimestamp || type == kTimestampTz;
}

std::string Matches(const std::string& value, const char* pattern) {
  return "regexp_full_match(" + value + ", " + QuoteLiteral(pattern) + ")";
}

// SQL: true when the VARCHAR `value` (not NULL) is a valid `type` value.
// A TIMESTAMP field takes dates too (midnight) but no offsets (the cast
// would drop them); a zoned one needs the offset (no guessing the zone).
std::string ParsesAs(const std::string& type, const std::string& value) {
  if (type == kDate) {
    return "(" + Matches(value, kDatePattern) + " AND try_cast(" + value + " AS DATE) IS NOT NULL)";
  }
  if (type == kTimestamp) {
    return "((" + Matches(value, kDatePattern) + " OR " + Matches(value, kLocalPattern) +
           ") AND try_cast(" + value + " AS TIMESTAMP) IS NOT NULL)";
  }
  return "(" + Matches(value, kZonedPattern) + " AND try_cast(" + value +
         " AS TIMESTAMPTZ) IS NOT NULL)";
}

std::string Expected(const std::string& type) {
  if (type == kDate) return "an ISO-8601 date (YYYY-MM-DD)";
  if (type == kTimestamp) {
    return "an ISO-8601 date or timestamp without UTC offset (YYYY-MM-DDTHH:MM[:SS[.ffffff]])";
  }
  return "an ISO-8601 timestamp with UTC offset (YYYY-MM-DDTHH:MM[:SS[.ffffff]] and Z or "
         "+HH:MM)";
}

// A string (or all-null) field of the structure.
struct Leaf {
  std::string name;       // "ctx.at", "hits[].t": messages and the stream state
  std::string json_path;  // $."ctx"."at", $."hits"[*]."t"
  bool in_list = false;
  json::json_pointer pointer;  // where it is in the structure
  bool all_null = false;       // json_group_structure saw only nulls
};

std::string QuoteJsonPathKey(const std::string& key) {
  std::string out = "\"";
  for (char c : key) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

void CollectLeaves(const json& node, const Leaf& at, std::vector<Leaf>& out) {
  if (node.is_string()) {
    const std::string type = node.get<std::string>();
    if (type == kVarchar || type == "NULL") {
      Leaf leaf = at;
      leaf.all_null = type == "NULL";
      out.push_back(std::move(leaf));
    }
    return;
  }
  if (node.is_array() && node.size() == 1) {
    Leaf element = at;
    element.name += "[]";
    element.json_path += "[*]";
    element.in_list = true;
    element.pointer /= 0;
    CollectLeaves(node[0], element, out);
    return;
  }
  if (!node.is_object()) return;
  for (const auto& [key, child] : node.items()) {
    Leaf field = at;
    field.name += (field.name.empty() ? "" : ".") + key;
    field.json_path += "." + QuoteJsonPathKey(key);
    field.pointer /= key;
    CollectLeaves(child, field, out);
  }
}

// SQL: the leaf's values in the record `line` as a VARCHAR[] (NULLs kept).
std::string Values(const Leaf& leaf) {
  const std::string extract = "json_extract_string(line, " + QuoteLiteral(leaf.json_path) + ")";
  return leaf.in_list ? extract : "[" + extract + "]";
}

int64_t ToInt(const std::optional<std::string>& text) {
  return text.has_value() ? std::stoll(*text) : 0;
}

}  // namespace

nlohmann::json JsonFieldTypes::ToJson() const {
  json out = json::object();
  for (const auto& [name, type] : by_field) out[name] = type;
  return out;
}

Result<JsonFieldTypes> JsonFieldTypes::FromState(const nlohmann::json& state) {
  JsonFieldTypes types;
  if (!state.is_object()) return types;
  if (!state.contains("json_types")) {
    // Written before typing existed: the bronze table holds these strings
    // as VARCHAR already.
    types.detect = !state.contains("files") || state["files"].empty();
    return types;
  }
  const json& stored = state["json_types"];
  if (!stored.is_object()) {
    return Status::Corruption("files connector state: json_types is not an object: " +
                              stored.dump());
  }
  for (const auto& [name, type] : stored.items()) {
    if (!type.is_string()) {
      return Status::Corruption("files connector state: json_types." + name +
                                " is not a type name");
    }
    types.by_field[name] = type.get<std::string>();
  }
  return types;
}

Result<TypedStructure> TypeJsonStrings(engine::Connection& conn, const std::string& table,
                                       const std::string& row_expr, const std::string& is_record,
                                       const std::string& structure, const std::string& label,
                                       JsonFieldTypes& types, std::vector<BadRecord>& bad) {
  TypedStructure typed;
  typed.structure = json::parse(structure, nullptr, /*allow_exceptions=*/false);
  if (typed.structure.is_discarded()) {
    return Status::Internal("json_group_structure gave unparsable JSON: " + structure);
  }
  std::vector<Leaf> leaves;
  CollectLeaves(typed.structure, Leaf{"", "$", false, json::json_pointer(), false}, leaves);

  // Fields new to the stream: is every value in this file a date or timestamp?
  std::vector<const Leaf*> undecided;
  std::string counts;
  std::string extracts;  // each field's values extracted once per record
  for (const Leaf& leaf : leaves) {
    if (leaf.all_null || types.by_field.count(leaf.name) != 0) continue;
    if (!types.detect) {
      types.by_field[leaf.name] = kVarchar;
      continue;
    }
    const std::string values = "_strata_v" + std::to_string(undecided.size());
    extracts += std::string(extracts.empty() ? "" : ", ") + Values(leaf) + " AS " + values;
    counts += std::string(counts.empty() ? "" : ", ") + "sum(list_count(" + values + "))";
    for (const char* type : {kDate, kTimestamp, kTimestampTz}) {
      counts +=
          ", sum(list_count(list_filter(" + values + ", lambda x: " + ParsesAs(type, "x") + ")))";
    }
    undecided.push_back(&leaf);
  }
  if (!undecided.empty()) {
    STRATA_ASSIGN_OR_RETURN(
        auto rows, QueryStrings(conn, "SELECT " + counts + " FROM (SELECT " + extracts + " FROM " +
                                          table + " WHERE " + is_record + ")"));
    for (size_t i = 0; i < undecided.size(); ++i) {
      const int64_t present = ToInt(rows[0][4 * i]);
      if (present == 0) continue;  // only nulls and empty lists: the next file decides
      std::string type = kVarchar;
      if (ToInt(rows[0][4 * i + 1]) == present) {
        type = kDate;
      } else if (ToInt(rows[0][4 * i + 2]) == present) {
        type = kTimestamp;
      } else if (ToInt(rows[0][4 * i + 3]) == present) {
        type = kTimestampTz;
      }
      types.by_field[undecided[i]->name] = type;
    }
  }

  // Retype the temporal fields; the records with a value that does not parse
  // are quarantined (none, for a field decided by this very file).
  std::vector<const Leaf*> checked;
  std::vector<std::string> first_bad;  // per checked field: its first bad value, or NULL
  for (const Leaf& leaf : leaves) {
    auto known = types.by_field.find(leaf.name);
    if (known == types.by_field.end() || !IsTemporal(known->second)) continue;
    typed.structure[leaf.pointer] = known->second;
    if (leaf.all_null) continue;
    first_bad.push_back("list_filter(" + Values(leaf) + ", lambda x: x IS NOT NULL AND NOT " +
                        ParsesAs(known->second, "x") + ")[1]");
    checked.push_back(&leaf);
  }
  if (checked.empty()) return typed;
  std::string all_parse;
  for (const std::string& expr : first_bad) {
    all_parse += std::string(all_parse.empty() ? "" : " AND ") + expr + " IS NULL";
  }
  typed.valid_sql = all_parse;
  std::string columns;
  for (const std::string& expr : first_bad) columns += ", " + expr;
  STRATA_ASSIGN_OR_RETURN(
      auto bad_rows,
      QueryStrings(conn, "SELECT " + row_expr + ", line" + columns + " FROM " + table + " WHERE " +
                             is_record + " AND NOT (" + all_parse + ") ORDER BY rowid"));
  for (const auto& row : bad_rows) {
    for (size_t i = 0; i < checked.size(); ++i) {
      if (!row[2 + i].has_value()) continue;
      const std::string& type = types.by_field[checked[i]->name];
      bad.push_back({"", label, ToInt(row[0]), TruncateRaw(row[1].value_or("")),
                     "field '" + checked[i]->name + "' is " + type +
                         " in this stream (set by the first file with values for it), but \"" +
                         TruncateRaw(*row[2 + i]) + "\" is not " + Expected(type) +
                         "; correct the value at the source and write the file again"});
      break;
    }
  }
  return typed;
}

}  // namespace strata::ingest::files
