// The interactive SQL shell behind `strata sql` with no query, and the
// script runner used when statements arrive on standard input.
#pragma once

#include <functional>
#include <iosfwd>
#include <string>

#include "cli/result_printer.h"
#include "common/status.h"

namespace strata::cli {

struct ShellSettings {
  OutputFormat format = OutputFormat::kTable;
  PrinterOptions printer;
};

// Runs one statement and prints its result with the given settings.
using StatementRunner =
    std::function<Status(const std::string& sql, const ShellSettings& settings)>;

// Interactive loop with line editing (libedit) and history kept in
// `history_file` (none when empty). Statements end with ';'; lines starting
// with '.' are shell commands (.help lists them). Errors are printed and the
// loop goes on. Returns when the user types .quit or sends end-of-file.
Status RunInteractiveShell(const StatementRunner& run, ShellSettings settings,
                           const std::string& history_file, std::ostream& out, std::ostream& err);

// Reads all of `in`, splits it into statements and runs them in order. Stops
// at the first failing statement and returns its error, prefixed with the
// statement's number and first line.
Status RunScript(const StatementRunner& run, const ShellSettings& settings, std::istream& in);

}  // namespace strata::cli
