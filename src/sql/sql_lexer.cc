#include "sql/sql_lexer.h"

#include <cctype>

namespace strata::sql {
namespace {

bool IsIdentStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool IsIdentPart(char c) {
  return IsIdentStart(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '$';
}

std::string Position(std::string_view sql, size_t offset) {
  size_t line = 1, column = 1;
  for (size_t i = 0; i < offset && i < sql.size(); ++i) {
    if (sql[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

}  // namespace

bool Token::Is(std::string_view keyword) const {
  if (kind != Kind::kWord || text.size() != keyword.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) !=
        std::tolower(static_cast<unsigned char>(keyword[i]))) {
      return false;
    }
  }
  return true;
}

Result<std::vector<Token>> Tokenize(std::string_view sql) {
  std::vector<Token> tokens;
  size_t i = 0;
  const size_t n = sql.size();
  while (i < n) {
    const char c = sql[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
      while (i < n && sql[i] != '\n') ++i;
      continue;
    }
    if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
      const size_t close = sql.find("*/", i + 2);
      if (close == std::string_view::npos) {
        return Status::InvalidArgument("unterminated /* comment at " + Position(sql, i));
      }
      i = close + 2;
      continue;
    }
    Token token;
    token.begin = i;
    if (c == '\'' || ((c == 'E' || c == 'e') && i + 1 < n && sql[i + 1] == '\'')) {
      size_t j = c == '\'' ? i + 1 : i + 2;
      while (true) {
        if (j >= n) return Status::InvalidArgument("unterminated string at " + Position(sql, i));
        if (sql[j] == '\\' && c != '\'') {
          j += 2;
          continue;
        }
        if (sql[j] == '\'') {
          if (j + 1 < n && sql[j + 1] == '\'') {
            j += 2;
            continue;
          }
          break;
        }
        ++j;
      }
      token.kind = Token::Kind::kString;
      token.end = j + 1;
      token.text = std::string(sql.substr(i, token.end - i));
    } else if (c == '"') {
      std::string name;
      size_t j = i + 1;
      while (true) {
        if (j >= n) {
          return Status::InvalidArgument("unterminated quoted name at " + Position(sql, i));
        }
        if (sql[j] == '"') {
          if (j + 1 < n && sql[j + 1] == '"') {
            name += '"';
            j += 2;
            continue;
          }
          break;
        }
        name += sql[j++];
      }
      token.kind = Token::Kind::kQuotedName;
      token.end = j + 1;
      token.text = std::move(name);
    } else if (c == '$' && i + 1 < n && (sql[i + 1] == '$' || IsIdentStart(sql[i + 1]))) {
      size_t j = i + 1;
      while (j < n && IsIdentPart(sql[j]) && sql[j] != '$') ++j;
      if (j < n && sql[j] == '$') {
        const std::string tag(sql.substr(i, j - i + 1));
        const size_t close = sql.find(tag, j + 1);
        if (close == std::string_view::npos) {
          return Status::InvalidArgument("unterminated " + tag + " string at " + Position(sql, i));
        }
        token.kind = Token::Kind::kString;
        token.end = close + tag.size();
      } else {  // a positional parameter like $1 or a stray '$'
        token.kind = Token::Kind::kSymbol;
        token.end = j;
      }
      token.text = std::string(sql.substr(i, token.end - i));
    } else if (IsIdentStart(c)) {
      size_t j = i;
      while (j < n && IsIdentPart(sql[j])) ++j;
      token.kind = Token::Kind::kWord;
      token.end = j;
      token.text = std::string(sql.substr(i, j - i));
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               (c == '.' && i + 1 < n && std::isdigit(static_cast<unsigned char>(sql[i + 1])))) {
      size_t j = i;
      while (j < n && (std::isalnum(static_cast<unsigned char>(sql[j])) || sql[j] == '.' ||
                       sql[j] == '_' ||
                       ((sql[j] == '+' || sql[j] == '-') && (sql[j - 1] == 'e' || sql[j - 1] == 'E')))) {
        ++j;
      }
      token.kind = Token::Kind::kNumber;
      token.end = j;
      token.text = std::string(sql.substr(i, j - i));
    } else {
      // Multi-character operators that matter for finding clause boundaries.
      static constexpr std::string_view kOperators[] = {"::", "<=", ">=", "<>", "!=", "||", "=>",
                                                        ":="};
      size_t len = 1;
      for (std::string_view op : kOperators) {
        if (sql.substr(i, op.size()) == op) {
          len = op.size();
          break;
        }
      }
      token.kind = Token::Kind::kSymbol;
      token.end = i + len;
      token.text = std::string(sql.substr(i, len));
    }
    i = token.end;
    tokens.push_back(std::move(token));
  }
  Token end;
  end.kind = Token::Kind::kEnd;
  end.begin = end.end = n;
  tokens.push_back(end);
  return tokens;
}

}  // namespace strata::sql
