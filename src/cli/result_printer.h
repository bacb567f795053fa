// Renders query results for people (aligned tables) and for programs (CSV,
// JSON lines). The printer knows nothing of DuckDB: callers convert each value
// to a Cell first (see sql_runner.cc), so the formats are testable alone.
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "common/status.h"

namespace strata::cli {

enum class OutputFormat { kTable, kCsv, kJson };

// Parses "table", "csv" or "json"; InvalidArgument otherwise.
Result<OutputFormat> ParseOutputFormat(const std::string& name);

struct Cell {
  enum class Kind {
    kNull,
    kNumber,  // rendered bare in JSON, right-aligned in tables
    kBool,    // "true"/"false"
    kString,  // quoted in JSON
    kJson,    // already JSON text (nested values); verbatim in JSON output
  };
  Kind kind = Kind::kNull;
  std::string text;     // the display text; for kJson the JSON text
  std::string display;  // kJson only: how tables show it (empty: `text`)

  static Cell Null() { return {}; }
  static Cell Number(std::string t) { return {Kind::kNumber, std::move(t), {}}; }
  static Cell Bool(bool b) { return {Kind::kBool, b ? "true" : "false", {}}; }
  static Cell String(std::string t) { return {Kind::kString, std::move(t), {}}; }
  static Cell Json(std::string t) { return {Kind::kJson, std::move(t), {}}; }
};

struct ColumnHeader {
  std::string name;
  std::string type;  // SQL spelling, shown under the name in tables
};

// Receives a result's header once, then rows, then Finish(). Not thread-safe.
class ResultPrinter {
 public:
  virtual ~ResultPrinter() = default;
  virtual void Begin(const std::vector<ColumnHeader>& columns) = 0;
  virtual void AddRow(const std::vector<Cell>& row) = 0;
  // Writes what is buffered and the footer (tables: the row count).
  virtual void Finish() = 0;
};

struct PrinterOptions {
  // Tables only: rows shown at most; past it the middle rows are elided and
  // the footer says how to get all of them. Zero means no limit.
  int64_t max_rows = 1000;
  // Tables only: longest cell text shown before it is cut with "…".
  size_t max_width = 80;
};

// `out` must outlive the printer.
std::unique_ptr<ResultPrinter> MakeResultPrinter(OutputFormat format, std::ostream& out,
                                                 const PrinterOptions& options = {});

// JSON string literal for `s` (quotes included), escaping per RFC 8259.
std::string JsonQuote(std::string_view s);

}  // namespace strata::cli
