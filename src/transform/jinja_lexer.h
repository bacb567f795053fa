// Splits Jinja source into tokens: template data between tags, and the
// expression tokens inside {{ }}, {% %}. Comments and {% raw %} blocks are
// resolved here, and so is whitespace control ({%- -%}, trim_blocks).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace strata::transform {

enum class TokenType {
  kData,        // template text, emitted as is
  kVarBegin,    // {{
  kVarEnd,      // }}
  kBlockBegin,  // {%
  kBlockEnd,    // %}
  kName,
  kString,  // value already unescaped
  kInt,
  kFloat,
  kOperator,  // + - * / // % ** ~ == != < <= > >= = . , : | ( ) [ ] { } ;
  kEof,
};

struct Token {
  TokenType type;
  std::string text;  // data, name, unescaped string, number digits, operator
  int line = 1;
  int column = 1;
};

struct LexerOptions {
  bool trim_blocks = false;            // drop the first newline after a block tag
  bool keep_trailing_newline = false;  // Jinja2 drops one trailing newline by default
};

// Tokenizes `source`; on a lexical error returns InvalidArgument
// "<name>:<line>:<col>: <what>".
Result<std::vector<Token>> Tokenize(std::string_view source, std::string_view template_name,
                                    const LexerOptions& options);

// Jinja2's string literal decoding (Python's unicode-escape: \n, \t, \xNN,
// \uNNNN; unknown escapes are kept with their backslash). Errors for
// truncated \x/\u/\U escapes, as Python does, and for \N{...}.
Result<std::string> UnescapeStringLiteral(std::string_view body);

}  // namespace strata::transform
