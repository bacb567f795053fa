#include "ingest/file_formats.h"

#include <algorithm>
#include <cctype>

#include "ingest/schema_drift.h"

namespace strata::ingest::files {
namespace {

constexpr size_t kMaxRawBytes = 64 * 1024;

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

const char* FileFormatName(FileFormat format) {
  switch (format) {
    case FileFormat::kCsv:
      return "csv";
    case FileFormat::kJson:
      return "json";
    case FileFormat::kNdjson:
      return "ndjson";
    case FileFormat::kParquet:
      return "parquet";
    case FileFormat::kXml:
      return "xml";
  }
  return "?";
}

Result<FileFormat> ParseFileFormat(const std::string& name) {
  const std::string lower = Lower(name);
  if (lower == "csv" || lower == "tsv") return FileFormat::kCsv;
  if (lower == "json") return FileFormat::kJson;
  if (lower == "ndjson" || lower == "jsonl") return FileFormat::kNdjson;
  if (lower == "parquet") return FileFormat::kParquet;
  if (lower == "xml") return FileFormat::kXml;
  return Status::InvalidArgument("unknown file format '" + name +
                                 "' (known: csv, json, ndjson, parquet, xml)");
}

std::optional<FileFormat> FormatFromExtension(const std::string& path) {
  std::string lower = Lower(path);
  for (const char* compression : {".gz", ".zst", ".zstd"}) {
    if (EndsWith(lower, compression)) {
      lower.resize(lower.size() - std::string(compression).size());
      break;
    }
  }
  const size_t dot = lower.rfind('.');
  if (dot == std::string::npos || lower.find('/', dot) != std::string::npos) return std::nullopt;
  const std::string ext = lower.substr(dot + 1);
  if (ext == "csv" || ext == "tsv" || ext == "txt") return FileFormat::kCsv;
  if (ext == "json") return FileFormat::kJson;
  if (ext == "ndjson" || ext == "jsonl") return FileFormat::kNdjson;
  if (ext == "parquet") return FileFormat::kParquet;
  if (ext == "xml") return FileFormat::kXml;
  return std::nullopt;
}

std::string LineageColumns(const std::string& label, const std::string& row_expr) {
  return ", " + ConstantString(label) + " AS _strata_file, (" + row_expr +
         ")::BIGINT AS _strata_row";
}

std::string TruncateRaw(std::string text) {
  if (text.size() > kMaxRawBytes) text.resize(kMaxRawBytes);
  return text;
}

Result<std::vector<std::vector<std::optional<std::string>>>> QueryStrings(engine::Connection& conn,
                                                                          const std::string& sql) {
  STRATA_ASSIGN_OR_RETURN(auto result, conn.Query(sql));
  STRATA_ASSIGN_OR_RETURN(auto rows, result->FetchAllRows());
  std::vector<std::vector<std::optional<std::string>>> out;
  out.reserve(rows.size());
  for (const auto& row : rows) {
    std::vector<std::optional<std::string>> strings;
    for (const engine::Value& v : row) {
      if (v.IsNull()) {
        strings.emplace_back(std::nullopt);
      } else {
        strings.emplace_back(v.ToString());
      }
    }
    out.push_back(std::move(strings));
  }
  return out;
}

Result<StagedFile> StageParquet(engine::Connection& conn, const std::string& path,
                                const std::string& label, int slot) {
  StagedFile staged;
  // Parquet is typed and self-describing: no record can be half-read, so the
  // only failure is a file DuckDB cannot open at all.
  const std::string probe = "SELECT count(*) FROM read_parquet(" + engine::QuoteLiteral(path) + ")";
  Result<engine::Value> rows = conn.QueryScalar(probe);
  if (!rows.ok()) {
    staged.has_rows = false;
    staged.bad_records.push_back(
        {"", label, 0, "", "not a readable Parquet file: " + rows.status().message()});
    return staged;
  }
  staged.query = "SELECT * EXCLUDE (file_row_number)" +
                 LineageColumns(label, "file_row_number + 1") + " FROM read_parquet(" +
                 engine::QuoteLiteral(path) + ", file_row_number = true)";
  (void)slot;
  return staged;
}

}  // namespace strata::ingest::files
