// A SQL tokenizer good enough to find the shape of DDL and DML statements
// (which table, which clause where) while passing every expression through to
// DuckDB as the text the user wrote. It does not validate SQL: DuckDB does.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace strata::sql {

struct Token {
  enum class Kind {
    kWord,        // keyword or bare identifier
    kQuotedName,  // "identifier"
    kString,      // 'literal' (also E'..', $$..$$)
    kNumber,
    kSymbol,      // one punctuation or operator character sequence
    kEnd,
  };
  Kind kind = Kind::kEnd;
  std::string text;   // as written; for kQuotedName the unquoted name
  size_t begin = 0;   // byte offsets into the statement
  size_t end = 0;

  // True for a kWord equal to `keyword` ignoring case.
  bool Is(std::string_view keyword) const;
  bool IsSymbol(std::string_view symbol) const { return kind == Kind::kSymbol && text == symbol; }
};

// Splits `sql` into tokens, skipping whitespace and comments; the last token
// is kEnd at sql.size(). InvalidArgument on an unterminated quote or comment,
// naming the line and column.
Result<std::vector<Token>> Tokenize(std::string_view sql);

}  // namespace strata::sql
