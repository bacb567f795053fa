// Runs SQL text on a Session and hands the rows to a ResultPrinter, or writes
// them to a file. Internal to src/cli.
#pragma once

#include <string>

#include "cli/result_printer.h"
#include "common/status.h"
#include "engine/engine.h"
#include "sql/session.h"

namespace strata::cli {

// Converts one engine value to a printable cell: numbers stay numbers, nested
// values become JSON text, everything else DuckDB's text rendering.
Cell ToCell(const engine::Value& value);

// The JSON rendering of `value` (nested values recursively; numbers bare).
std::string ValueToJson(const engine::Value& value);

// Runs `sql` (one or more statements) through `session` and prints the last
// statement's result. Returns the failing statement's error.
Status RunAndPrint(sql::SqlSession& session, const std::string& sql, ResultPrinter& printer);

// Writes the result of the query `sql` to `path`; the extension picks the
// format (.parquet, .csv, .json, .ndjson). InvalidArgument for other
// extensions. Returns the number of rows written.
Result<int64_t> WriteResultToFile(sql::SqlSession& session, const std::string& sql,
                                  const std::string& path);

}  // namespace strata::cli
