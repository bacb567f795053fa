#include "cli/sql_runner.h"

#include <algorithm>

#include "cli/sql_text.h"

namespace strata::cli {
namespace {

using engine::TypeId;

bool IsNumeric(TypeId id) {
  switch (id) {
    case TypeId::kTinyInt:
    case TypeId::kSmallInt:
    case TypeId::kInteger:
    case TypeId::kBigInt:
    case TypeId::kHugeInt:
    case TypeId::kUTinyInt:
    case TypeId::kUSmallInt:
    case TypeId::kUInteger:
    case TypeId::kUBigInt:
    case TypeId::kUHugeInt:
    case TypeId::kFloat:
    case TypeId::kDouble:
    case TypeId::kDecimal:
      return true;
    default:
      return false;
  }
}

void AppendJson(const engine::Value& value, std::string& out) {
  if (value.IsNull()) {
    out += "null";
    return;
  }
  const engine::LogicalType& type = value.type();
  switch (type.id()) {
    case TypeId::kBoolean:
      out += value.ToString();
      return;
    case TypeId::kList:
    case TypeId::kArray: {
      out += '[';
      const auto& children = value.GetChildren();
      for (size_t i = 0; i < children.size(); ++i) {
        if (i) out += ',';
        AppendJson(children[i], out);
      }
      out += ']';
      return;
    }
    case TypeId::kStruct: {
      out += '{';
      const auto& children = value.GetChildren();
      for (size_t i = 0; i < children.size(); ++i) {
        if (i) out += ',';
        out += JsonQuote(type.field_name(i));
        out += ':';
        AppendJson(children[i], out);
      }
      out += '}';
      return;
    }
    case TypeId::kMap: {
      // JSON keys are strings, so non-string keys are rendered as text.
      out += '{';
      for (size_t i = 0; i < value.MapSize(); ++i) {
        if (i) out += ',';
        const engine::Value& key = value.MapKey(i);
        out += JsonQuote(key.IsNull() ? "null" : key.ToString());
        out += ':';
        AppendJson(value.MapValue(i), out);
      }
      out += '}';
      return;
    }
    default:
      break;
  }
  const std::string text = value.ToString();
  if (IsNumeric(type.id()) &&
      text.find_first_not_of("0123456789+-.eE") == std::string::npos) {
    out += text;
  } else {
    out += JsonQuote(text);
  }
}

std::string Lowercase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

std::string ValueToJson(const engine::Value& value) {
  std::string out;
  AppendJson(value, out);
  return out;
}

Cell ToCell(const engine::Value& value) {
  if (value.IsNull()) return Cell::Null();
  const TypeId id = value.type().id();
  if (id == TypeId::kBoolean) return Cell::Bool(value.GetBool());
  if (IsNumeric(id)) return Cell::Number(value.ToString());
  if (value.type().IsNested()) {
    // Tables show DuckDB's own rendering; JSON output gets real JSON.
    Cell cell = Cell::Json(ValueToJson(value));
    cell.display = value.ToString();
    return cell;
  }
  return Cell::String(value.ToString());
}

Status RunAndPrint(sql::SqlSession& session, const std::string& sql, ResultPrinter& printer) {
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<engine::QueryResult> result, session.ExecuteScript(sql));
  std::vector<ColumnHeader> columns;
  columns.reserve(result->ColumnCount());
  for (size_t c = 0; c < result->ColumnCount(); ++c) {
    columns.push_back({result->ColumnName(c), result->ColumnType(c).ToString()});
  }
  printer.Begin(columns);
  std::vector<Cell> row(columns.size());
  while (true) {
    STRATA_ASSIGN_OR_RETURN(std::unique_ptr<engine::DataChunk> chunk, result->Fetch());
    if (!chunk) break;
    for (size_t r = 0; r < chunk->size(); ++r) {
      for (size_t c = 0; c < columns.size(); ++c) row[c] = ToCell(chunk->GetValue(c, r));
      printer.AddRow(row);
    }
  }
  printer.Finish();
  return Status::OK();
}

Result<int64_t> WriteResultToFile(sql::SqlSession& session, const std::string& sql,
                                  const std::string& path) {
  const std::string lower = Lowercase(path);
  auto ends_with = [&](std::string_view suffix) {
    return lower.size() >= suffix.size() &&
           lower.compare(lower.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  std::string options;
  if (ends_with(".parquet")) options = "FORMAT parquet, COMPRESSION zstd";
  else if (ends_with(".csv")) options = "FORMAT csv, HEADER true";
  else if (ends_with(".json") || ends_with(".ndjson") || ends_with(".jsonl")) options = "FORMAT json";
  else {
    return Status::InvalidArgument("cannot tell the format of '" + path +
                                   "': name it .parquet, .csv, .json or .ndjson");
  }
  const std::string copy = "COPY (" + TrimStatement(sql) + ") TO " + engine::QuoteLiteral(path) +
                           " (" + options + ")";
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<engine::QueryResult> result, session.Execute(copy));
  STRATA_ASSIGN_OR_RETURN(auto rows, result->FetchAllRows());
  if (!rows.empty() && !rows[0].empty() && !rows[0][0].IsNull()) return rows[0][0].GetInt64();
  return int64_t{0};
}

}  // namespace strata::cli
