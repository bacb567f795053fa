// CSV: DuckDB's read_csv does the sniffing (dialect, header, types) and the
// parsing. Two ways to stage a file:
//
// Direct (tried first): the dialect and types are sniffed once, tolerating
// bad rows as the tolerant read does (sniff_csv with ignore_errors), and the
// batch query reads the file itself with exactly those options and no
// tolerance: the first bad record fails the query, so the commit fails and
// nothing is written. Rows are numbered by row_number() OVER (), which
// DuckDB computes in file order. One parse of the file, straight into the
// Parquet writer.
//
// Tolerant (a file with bad records, or when the direct read cannot be set
// up): the rejects tables (store_rejects) give every row read_csv could not
// read with its line, the raw text and the error. The good rows land in a
// TEMP table first so that the rejects are known before the batch is
// committed, and so that each good row's line number can be recovered from
// its position (the TEMP table keeps file order) and the rejected lines.
//
// The sniffer must be the tolerant one in both: without ignore_errors it may
// pick another dialect for a file with a malformed row (e.g. skip lines so
// that a row with an extra field becomes the header), which would read
// silently differently instead of failing.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/file_system.h"
#include "ingest/file_formats.h"

namespace strata::ingest::files {
namespace {

using engine::QuoteIdentifier;
using engine::QuoteLiteral;

// Windows-1252 bytes 0x80..0x9F as Unicode code points (0 = undefined there);
// every other byte is the Latin-1 code point of the same value.
constexpr uint16_t kCp1252High[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

void AppendUtf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string Windows1252ToUtf8(std::string_view in) {
  std::string out;
  out.reserve(in.size() + in.size() / 8);
  for (unsigned char c : in) {
    uint32_t cp = c;
    if (c >= 0x80 && c <= 0x9F) cp = kCp1252High[c - 0x80] != 0 ? kCp1252High[c - 0x80] : 0xFFFD;
    AppendUtf8(cp, out);
  }
  return out;
}

std::string NormalizeEncoding(const std::string& encoding) {
  std::string lower;
  for (char c : encoding)
    lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (lower == "utf8") return "utf-8";
  if (lower == "latin1" || lower == "iso-8859-1" || lower == "iso8859-1") return "latin-1";
  if (lower == "cp1252" || lower == "windows1252") return "windows-1252";
  if (lower == "utf16" || lower == "utf-16le") return "utf-16";
  return lower;
}

// The stream's options as read_csv / sniff_csv arguments (", delim = ...").
std::string CsvOptionArgs(const ReadOptions& o, const std::string& encoding) {
  std::string args;
  if (!o.delimiter.empty()) args += ", delim = " + QuoteLiteral(o.delimiter);
  if (!o.quote.empty()) args += ", quote = " + QuoteLiteral(o.quote);
  if (!o.escape.empty()) args += ", escape = " + QuoteLiteral(o.escape);
  if (o.header.has_value()) args += std::string(", header = ") + (*o.header ? "true" : "false");
  if (!o.columns.empty()) {
    std::string types;
    std::string names;
    for (const auto& [name, type] : o.columns) {
      types += (types.empty() ? "" : ", ") + QuoteLiteral(name) + ": " + QuoteLiteral(type);
      names += (names.empty() ? "" : ", ") + QuoteLiteral(name);
    }
    args += ", types = {" + types + "}";
    // Without a header the names come from the stream's `columns`, in order.
    if (o.header.has_value() && !*o.header) args += ", names = [" + names + "]";
  }
  if (!o.date_format.empty()) args += ", dateformat = " + QuoteLiteral(o.date_format);
  if (!o.timestamp_format.empty())
    args += ", timestampformat = " + QuoteLiteral(o.timestamp_format);
  if (!o.null_strings.empty()) {
    std::string list;
    for (const std::string& s : o.null_strings)
      list += (list.empty() ? "" : ", ") + QuoteLiteral(s);
    args += ", nullstr = [" + list + "]";
  }
  if (o.skip_rows > 0) args += ", skip = " + std::to_string(o.skip_rows);
  if (!encoding.empty() && encoding != "utf-8") args += ", encoding = " + QuoteLiteral(encoding);
  return args;
}

std::string ReadCsvCall(const std::string& path, const ReadOptions& o, const std::string& encoding,
                        const std::string& rejects_table, const std::string& rejects_scan) {
  return "read_csv(" + QuoteLiteral(path) +
         ", store_rejects = true, rejects_table = " + QuoteLiteral(rejects_table) +
         ", rejects_scan = " + QuoteLiteral(rejects_scan) + CsvOptionArgs(o, encoding) + ")";
}

// The read_csv call of the direct path: `path` read with the dialect and
// column types the tolerant sniffer chose (and the stream's own options),
// without sniffing again and without tolerating bad records. Built from
// sniff_csv's Prompt (`FROM read_csv('<path>', auto_detect=false, ...,
// ignore_errors=true);`); nullopt when the prompt is not of that shape.
std::optional<std::string> StrictReadCsvCall(const std::string& path, const std::string& prompt) {
  static constexpr std::string_view kOptionsStart = ", auto_detect=false";
  static constexpr std::string_view kTolerance = ", ignore_errors=true";
  const size_t options = prompt.find(kOptionsStart);
  const size_t tolerance = prompt.rfind(kTolerance);
  if (prompt.rfind("FROM read_csv(", 0) != 0 || options == std::string::npos ||
      tolerance == std::string::npos || tolerance < options ||
      prompt.find(kTolerance, options) != tolerance || prompt.size() < 2 ||
      prompt.substr(prompt.size() - 2) != ");") {
    return std::nullopt;
  }
  std::string rest = prompt.substr(options, prompt.size() - 1 - options);  // keeps the ')'
  rest.erase(tolerance - options, kTolerance.size());
  return "read_csv(" + QuoteLiteral(path) + rest;
}

// sniff_csv with every option of the stream and the tolerance of the
// tolerant read, for the direct path.
std::string TolerantSniffCall(const std::string& path, const ReadOptions& o,
                              const std::string& encoding) {
  return "sniff_csv(" + QuoteLiteral(path) + ", ignore_errors = true" + CsvOptionArgs(o, encoding) +
         ")";
}

// The direct staging of `read_path` (see the top of the file), or nullopt
// when it cannot be used: the sniffer fails, the file has no data rows, or
// the first rows are already bad. The tolerant path then decides what the
// file holds.
std::optional<std::string> DirectQuery(engine::Connection& conn, const std::string& read_path,
                                       const std::string& label, const ReadOptions& o,
                                       const std::string& encoding) {
  auto sniffed = QueryStrings(conn,
                              "SELECT Prompt, SkipRows::BIGINT + CASE WHEN HasHeader THEN 1 ELSE "
                              "0 END FROM " +
                                  TolerantSniffCall(read_path, o, encoding));
  if (!sniffed.ok() || sniffed->size() != 1 || !(*sniffed)[0][0] || !(*sniffed)[0][1]) {
    return std::nullopt;
  }
  std::optional<std::string> call = StrictReadCsvCall(read_path, *(*sniffed)[0][0]);
  if (!call) return std::nullopt;
  // Lines before the first record, as the tolerant path counts them.
  const int64_t offset =
      o.header.has_value() ? o.skip_rows + (*o.header ? 1 : 0) : std::stoll(*(*sniffed)[0][1]);
  auto first = QueryStrings(conn, "SELECT count(*) FROM (SELECT 1 FROM " + *call + " LIMIT 1)");
  if (!first.ok() || first->empty() || (*first)[0][0].value_or("0") == "0") return std::nullopt;
  return "SELECT *" + LineageColumns(label, "row_number() OVER () + " + std::to_string(offset)) +
         " FROM " + *call;
}

// sniff_csv with the dialect options of the stream, for the header and the
// skipped lines when the read itself did not report them.
std::string SniffCsvCall(const std::string& path, const ReadOptions& o,
                         const std::string& encoding) {
  std::string args = QuoteLiteral(path);
  if (!o.delimiter.empty()) args += ", delim = " + QuoteLiteral(o.delimiter);
  if (!o.quote.empty()) args += ", quote = " + QuoteLiteral(o.quote);
  if (!o.escape.empty()) args += ", escape = " + QuoteLiteral(o.escape);
  if (o.skip_rows > 0) args += ", skip = " + std::to_string(o.skip_rows);
  if (!encoding.empty() && encoding != "utf-8") args += ", encoding = " + QuoteLiteral(encoding);
  return "sniff_csv(" + args + ")";
}

}  // namespace

Result<StagedFile> StageCsv(engine::Connection& conn, const std::string& path,
                            const std::string& label, const ReadOptions& options,
                            const std::string& staging_dir, int slot, CsvStaging mode) {
  StagedFile staged;
  std::string read_path = path;
  std::string encoding = NormalizeEncoding(options.encoding);
  if (encoding == "windows-1252") {
    // DuckDB 1.4 reads utf-8, latin-1 and utf-16 itself; windows-1252 (latin-1
    // plus typographic characters in 0x80-0x9F) is converted to a utf-8 spool.
    FileSystem& fs = *FileSystem::Default();
    STRATA_ASSIGN_OR_RETURN(std::string bytes, fs.ReadFile(path));
    read_path = JoinPath(staging_dir, "csv_" + std::to_string(slot) + ".utf8.csv");
    STRATA_RETURN_IF_ERROR(fs.WriteFileAtomic(read_path, Windows1252ToUtf8(bytes)));
    staged.spool_files.push_back(read_path);
    encoding = "utf-8";
  } else if (!encoding.empty() && encoding != "utf-8" && encoding != "latin-1" &&
             encoding != "utf-16") {
    return Status::InvalidArgument("encoding '" + options.encoding +
                                   "' is not supported (utf-8, latin-1, windows-1252, utf-16)");
  }

  if (mode == CsvStaging::kDirectFirst) {
    std::optional<std::string> direct = DirectQuery(conn, read_path, label, options, encoding);
    if (direct) {
      staged.query = std::move(*direct);
      staged.direct = true;
      return staged;
    }
  }

  const std::string suffix = std::to_string(slot);
  const std::string table = "_strata_csv_" + suffix;
  const std::string rejects = "_strata_csv_rejects_" + suffix;
  const std::string scans = "_strata_csv_scans_" + suffix;
  STRATA_RETURN_IF_ERROR(conn.Execute("DROP TABLE IF EXISTS " + QuoteIdentifier(table) +
                                      "; DROP TABLE IF EXISTS " + QuoteIdentifier(rejects) +
                                      "; DROP TABLE IF EXISTS " + QuoteIdentifier(scans)));
  Status loaded =
      conn.Execute("CREATE TEMP TABLE " + QuoteIdentifier(table) + " AS SELECT * FROM " +
                   ReadCsvCall(read_path, options, encoding, rejects, scans));
  staged.cleanup_sql.push_back("DROP TABLE IF EXISTS " + QuoteIdentifier(table) +
                               "; DROP TABLE IF EXISTS " + QuoteIdentifier(rejects) +
                               "; DROP TABLE IF EXISTS " + QuoteIdentifier(scans));
  if (!loaded.ok()) {
    // Not a CSV DuckDB can read at all (e.g. the sniffer finds no consistent
    // dialect): the whole file is one bad record.
    staged.has_rows = false;
    staged.bad_records.push_back(
        {"", label, 0, "", "could not read the file as CSV: " + loaded.message()});
    return staged;
  }

  // Header and skipped lines before the first record, as DuckDB counts lines:
  // from the rejects scan table when there were rejects (it is empty
  // otherwise), else from the stream's options or DuckDB's sniffer.
  int64_t offset = 0;
  STRATA_ASSIGN_OR_RETURN(
      auto scan_rows,
      QueryStrings(conn, "SELECT skip_rows::BIGINT + CASE WHEN has_header THEN 1 ELSE 0 END FROM " +
                             QuoteIdentifier(scans) + " LIMIT 1"));
  if (!scan_rows.empty() && scan_rows[0][0].has_value()) {
    offset = std::stoll(*scan_rows[0][0]);
  } else if (options.header.has_value()) {
    offset = options.skip_rows + (*options.header ? 1 : 0);
  } else {
    STRATA_ASSIGN_OR_RETURN(
        auto sniffed,
        QueryStrings(conn, "SELECT SkipRows::BIGINT + CASE WHEN HasHeader THEN 1 ELSE 0 END FROM " +
                               SniffCsvCall(read_path, options, encoding)));
    if (!sniffed.empty() && sniffed[0][0].has_value()) offset = std::stoll(*sniffed[0][0]);
  }

  // One bad record per rejected line (DuckDB may report several errors for
  // one line; the first, in column order, names the first bad column).
  STRATA_ASSIGN_OR_RETURN(
      auto reject_rows,
      QueryStrings(conn,
                   "SELECT line::BIGINT, column_name, error_type::VARCHAR, csv_line, "
                   "error_message FROM " +
                       QuoteIdentifier(rejects) + " ORDER BY line, column_idx"));
  std::vector<int64_t> rejected_lines;
  for (const auto& row : reject_rows) {
    const int64_t line = std::stoll(row[0].value_or("0"));
    if (!rejected_lines.empty() && rejected_lines.back() == line) continue;
    rejected_lines.push_back(line);
    std::string reason = row[4].value_or("unreadable row");
    if (row[2].value_or("") == "CAST" && row[1].has_value()) {
      reason = "column '" + *row[1] + "': " + reason;
    }
    staged.bad_records.push_back({"", label, line, TruncateRaw(row[3].value_or("")), reason});
  }

  STRATA_ASSIGN_OR_RETURN(engine::Value good,
                          conn.QueryScalar("SELECT count(*) FROM " + QuoteIdentifier(table)));
  if (good.ToString() == "0") {
    staged.has_rows = false;
    if (rejected_lines.empty()) {
      staged.bad_records.push_back(
          {"", label, offset, "", "the file has no data rows (only a header, or blank)"});
    }
    return staged;
  }

  // The k-th good record (k = rowid + 1) is record k + s of the file, s being
  // the number of rejected records before it: with rejected records r_1 < r_2
  // < ..., r_j - j good records precede r_j, so s = max j with r_j - j < k.
  // An ASOF join finds that j for every row in one pass.
  if (rejected_lines.empty()) {
    staged.query = "SELECT *" + LineageColumns(label, "rowid + 1 + " + std::to_string(offset)) +
                   " FROM " + QuoteIdentifier(table);
    return staged;
  }
  const std::string shifts = "_strata_csv_shifts_" + suffix;
  std::string values;
  for (size_t j = 0; j < rejected_lines.size(); ++j) {
    const int64_t record = rejected_lines[j] - offset;
    const int64_t good_before = record - static_cast<int64_t>(j + 1);
    values += (j == 0 ? "" : ", ") + std::string("(") + std::to_string(good_before) + ", " +
              std::to_string(j + 1) + ")";
  }
  STRATA_RETURN_IF_ERROR(
      conn.Execute("CREATE OR REPLACE TEMP TABLE " + QuoteIdentifier(shifts) +
                   " AS SELECT good_before, max(skipped) AS skipped FROM (VALUES " + values +
                   ") v(good_before, skipped) GROUP BY good_before"));
  staged.cleanup_sql.push_back("DROP TABLE IF EXISTS " + QuoteIdentifier(shifts));
  staged.query =
      "SELECT t.* EXCLUDE (_strata_k)" +
      LineageColumns(label, "t._strata_k + coalesce(s.skipped, 0) + " + std::to_string(offset)) +
      " FROM (SELECT *, rowid + 1 AS _strata_k FROM " + QuoteIdentifier(table) +
      ") t ASOF LEFT JOIN " + QuoteIdentifier(shifts) + " s ON t._strata_k > s.good_before";
  return staged;
}

}  // namespace strata::ingest::files
