// Splitting SQL text into statements, for the shell and for scripts on stdin.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace strata::cli {

// Splits `text` at semicolons that stand outside quotes ('…', "…"), dollar
// quotes ($$…$$, $tag$…$tag$) and comments (-- …, /* … */). Returns the
// statements without their semicolons, trimmed, empty ones dropped. A final
// statement without a semicolon is returned too.
std::vector<std::string> SplitStatements(std::string_view text);

// True when `text` ends with a semicolon outside quotes and comments, that is,
// when the shell has a whole statement to run.
bool EndsStatement(std::string_view text);

// Removes trailing whitespace and semicolons.
std::string TrimStatement(std::string_view sql);

}  // namespace strata::cli
