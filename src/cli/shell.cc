#include "cli/shell.h"

#include <editline/readline.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli/sql_text.h"

namespace strata::cli {
namespace {

constexpr const char* kShellHelp =
    "Statements end with ';' and may span lines. Shell commands:\n"
    "  .help                 this text\n"
    "  .format table|csv|json  how results print\n"
    "  .maxrows N            rows shown in table format (0: all)\n"
    "  .read FILE            run the statements in FILE\n"
    "  .quit                 leave (Ctrl-D too)\n";

std::string FirstLine(const std::string& sql) {
  const size_t nl = sql.find('\n');
  std::string line = sql.substr(0, nl);
  if (line.size() > 60) line = line.substr(0, 57) + "...";
  return line;
}

// Handles one dot command; returns false when the shell should exit.
bool RunDotCommand(const std::string& line, const StatementRunner& run, ShellSettings& settings,
                   std::ostream& out, std::ostream& err) {
  std::istringstream words(line);
  std::string command, arg;
  words >> command >> arg;
  if (command == ".quit" || command == ".exit" || command == ".q") return false;
  if (command == ".help") {
    out << kShellHelp;
  } else if (command == ".format" || command == ".mode") {
    auto format = ParseOutputFormat(arg);
    if (format.ok()) settings.format = *format;
    else err << "error: " << format.status().message() << "\n";
  } else if (command == ".maxrows") {
    char* end = nullptr;
    const long long n = std::strtoll(arg.c_str(), &end, 10);
    if (arg.empty() || *end != '\0' || n < 0) err << "error: .maxrows takes a number >= 0\n";
    else settings.printer.max_rows = n;
  } else if (command == ".read") {
    std::ifstream file(arg);
    if (!file) {
      err << "error: cannot open " << arg << "\n";
    } else {
      Status status = RunScript(run, settings, file);
      if (!status.ok()) err << "error: " << status.message() << "\n";
    }
  } else {
    err << "error: unknown command " << command << " (.help lists them)\n";
  }
  return true;
}

struct FreeDeleter {
  void operator()(char* p) const { std::free(p); }
};

}  // namespace

Status RunInteractiveShell(const StatementRunner& run, ShellSettings settings,
                           const std::string& history_file, std::ostream& out, std::ostream& err) {
  using_history();
  if (!history_file.empty()) read_history(history_file.c_str());
  out << "Strata SQL shell. End statements with ';'. Type .help for commands, .quit to leave.\n";
  std::string buffer;
  while (true) {
    std::unique_ptr<char, FreeDeleter> line(readline(buffer.empty() ? "strata> " : "   ...> "));
    if (!line) {  // end of input
      out << "\n";
      break;
    }
    std::string text(line.get());
    if (buffer.empty() && text.empty()) continue;
    if (buffer.empty() && !text.empty() && text[0] == '.') {
      add_history(text.c_str());
      if (!RunDotCommand(text, run, settings, out, err)) break;
      continue;
    }
    if (!buffer.empty()) buffer += '\n';
    buffer += text;
    if (!EndsStatement(buffer)) continue;
    add_history(buffer.c_str());
    for (const std::string& statement : SplitStatements(buffer)) {
      Status status = run(statement, settings);
      if (!status.ok()) err << "error: " << status.message() << "\n";
    }
    buffer.clear();
  }
  if (!history_file.empty()) {
    stifle_history(1000);
    write_history(history_file.c_str());
  }
  return Status::OK();
}

Status RunScript(const StatementRunner& run, const ShellSettings& settings, std::istream& in) {
  std::stringstream text;
  text << in.rdbuf();
  const std::vector<std::string> statements = SplitStatements(text.str());
  for (size_t i = 0; i < statements.size(); ++i) {
    Status status = run(statements[i], settings);
    if (!status.ok()) {
      return status.WithContext("statement " + std::to_string(i + 1) + " (" +
                                FirstLine(statements[i]) + ")");
    }
  }
  return Status::OK();
}

}  // namespace strata::cli
