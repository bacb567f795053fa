#include "cli/sql_text.h"

#include <cctype>

namespace strata::cli {
namespace {

// Walks SQL text tracking the lexical context, calling `on_split` at every
// semicolon that ends a statement. Returns true when the text ends outside
// any quote or block comment and its last significant character is ';'.
template <typename OnSplit>
bool Scan(std::string_view text, OnSplit on_split) {
  enum class State { kCode, kSingle, kDouble, kLineComment, kBlockComment, kDollar };
  State state = State::kCode;
  std::string dollar_tag;
  bool last_was_semicolon = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const char next = i + 1 < text.size() ? text[i + 1] : '\0';
    switch (state) {
      case State::kCode: {
        if (c == ';') {
          on_split(i);
          last_was_semicolon = true;
          continue;
        }
        if (c == '\'') state = State::kSingle;
        else if (c == '"') state = State::kDouble;
        else if (c == '-' && next == '-') state = State::kLineComment;
        else if (c == '/' && next == '*') {
          state = State::kBlockComment;
          ++i;
        } else if (c == '$') {
          // $tag$ where tag is empty or an identifier not starting with a digit.
          size_t j = i + 1;
          while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '_')) ++j;
          if (j < text.size() && text[j] == '$' &&
              (j == i + 1 || !std::isdigit(static_cast<unsigned char>(text[i + 1])))) {
            dollar_tag = std::string(text.substr(i, j - i + 1));
            state = State::kDollar;
            i = j;
          }
        }
        // Comments after the last semicolon do not reopen the statement.
        const bool in_comment = state == State::kLineComment || state == State::kBlockComment;
        if (!in_comment && !std::isspace(static_cast<unsigned char>(c))) last_was_semicolon = false;
        break;
      }
      case State::kSingle:
        if (c == '\'') {
          if (next == '\'') ++i;  // '' escapes a quote
          else state = State::kCode;
        }
        break;
      case State::kDouble:
        if (c == '"') {
          if (next == '"') ++i;
          else state = State::kCode;
        }
        break;
      case State::kLineComment:
        if (c == '\n') state = State::kCode;
        break;
      case State::kBlockComment:
        if (c == '*' && next == '/') {
          state = State::kCode;
          ++i;
        }
        break;
      case State::kDollar:
        if (c == '$' && text.substr(i, dollar_tag.size()) == dollar_tag) {
          i += dollar_tag.size() - 1;
          state = State::kCode;
        }
        break;
    }
  }
  return (state == State::kCode || state == State::kLineComment) && last_was_semicolon;
}

std::string Trim(std::string_view s) {
  size_t begin = 0;
  size_t end = s.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(s[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(s[end - 1]))) --end;
  return std::string(s.substr(begin, end - begin));
}

// True when `s` holds only whitespace and comments.
bool IsBlank(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    if (std::isspace(static_cast<unsigned char>(s[i]))) {
      ++i;
    } else if (s.substr(i, 2) == "--") {
      while (i < s.size() && s[i] != '\n') ++i;
    } else if (s.substr(i, 2) == "/*") {
      const size_t end = s.find("*/", i + 2);
      i = end == std::string_view::npos ? s.size() : end + 2;
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

std::vector<std::string> SplitStatements(std::string_view text) {
  std::vector<std::string> statements;
  size_t start = 0;
  auto add = [&](std::string_view piece) {
    if (!IsBlank(piece)) statements.push_back(Trim(piece));
  };
  Scan(text, [&](size_t semicolon) {
    add(text.substr(start, semicolon - start));
    start = semicolon + 1;
  });
  if (start < text.size()) add(text.substr(start));
  return statements;
}

bool EndsStatement(std::string_view text) {
  return Scan(text, [](size_t) {});
}

std::string TrimStatement(std::string_view sql) {
  size_t end = sql.size();
  while (end > 0 && (std::isspace(static_cast<unsigned char>(sql[end - 1])) || sql[end - 1] == ';')) {
    --end;
  }
  return Trim(sql.substr(0, end));
}

}  // namespace strata::cli
