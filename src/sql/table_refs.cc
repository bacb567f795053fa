#include "sql/table_refs.h"

#include <algorithm>
#include <set>

#include "sql/sql_lexer.h"
#include "sql/statement.h"
#include "sql/warehouse.h"

namespace strata::sql {
namespace {

using Kind = Token::Kind;

bool IsName(const Token& t) { return t.kind == Kind::kWord || t.kind == Kind::kQuotedName; }

// Words that may follow a table reference in a FROM clause without being its
// alias. An alias that is one of these must be written with AS anyway.
bool IsClauseWord(const Token& t) {
  static const std::set<std::string, std::less<>> kWords = {
      "where",      "group",     "having",  "order",   "limit",     "offset",      "join",
      "inner",      "left",      "right",   "full",    "outer",     "cross",       "natural",
      "positional", "asof",      "anti",    "semi",    "on",        "using",       "union",
      "except",     "intersect", "window",  "qualify", "returning", "tablesample", "pivot",
      "unpivot",    "at",        "lateral", "for",     "fetch",     "into",        "values",
      "set",        "select",    "from",    "with",    "when",      "then",        "else",
      "end",        "and",       "or",      "not",     "is",        "in",          "like",
      "between",    "to",        "do",      "by",      "default",   "glob",        "ilike",
      "similar",    "sample",    "collate", "escape",  "partition"};
  if (t.kind != Kind::kWord) return false;
  std::string lower = t.text;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return kWords.count(lower) > 0;
}

bool FollowedByAlias(const std::vector<Token>& tokens, size_t i) {
  const Token& t = tokens[i];
  if (t.Is("as") || t.kind == Kind::kQuotedName) return true;
  return t.kind == Kind::kWord && !IsClauseWord(t);
}

// The index of the ')' matching the '(' at `open`, or tokens.size() - 1 (the
// end token) when unbalanced.
size_t MatchingParen(const std::vector<Token>& tokens, size_t open) {
  int depth = 0;
  for (size_t i = open; i < tokens.size(); ++i) {
    if (tokens[i].IsSymbol("(") || tokens[i].IsSymbol("[") || tokens[i].IsSymbol("{")) ++depth;
    if (tokens[i].IsSymbol(")") || tokens[i].IsSymbol("]") || tokens[i].IsSymbol("}")) {
      if (--depth == 0) return i;
    }
  }
  return tokens.size() - 1;
}

std::string UnquoteLiteral(const std::string& text) {
  std::string out;
  for (size_t i = 1; i + 1 < text.size(); ++i) {
    out += text[i];
    if (text[i] == '\'' && text[i + 1] == '\'') ++i;
  }
  return out;
}

std::string Span(std::string_view sql, const Token& first, const Token& last) {
  return std::string(sql.substr(first.begin, last.end - first.begin));
}

// Parses `delta_scan(` at `i` (the word). Returns the index after ')'.
Result<size_t> ParseDeltaScan(std::string_view sql, const std::vector<Token>& tokens, size_t i,
                              TableRef& ref) {
  const size_t close = MatchingParen(tokens, i + 1);
  if (!tokens[close].IsSymbol(")")) {
    return Status::InvalidArgument("delta_scan( is not closed");
  }
  size_t p = i + 2;
  if (tokens[p].kind != Kind::kString || tokens[p].text.front() != '\'') {
    return Status::InvalidArgument(
        "delta_scan takes the table's path as a string literal: delta_scan('path/to/table')");
  }
  ref.path = UnquoteLiteral(tokens[p].text);
  ++p;
  while (p < close) {
    if (!tokens[p].IsSymbol(",")) return Status::InvalidArgument("delta_scan: expected ','");
    ++p;
    const Token& name = tokens[p];
    const bool named =
        p + 1 < close && (tokens[p + 1].IsSymbol("=>") || tokens[p + 1].IsSymbol(":="));
    if (!named || !(name.Is("version") || name.Is("timestamp"))) {
      return Status::InvalidArgument(
          "delta_scan accepts the path and one of version => n or timestamp => t, found '" +
          name.text + "'");
    }
    if (ref.travel != TableRef::Travel::kLatest) {
      return Status::InvalidArgument("delta_scan: give version or timestamp, not both");
    }
    ref.travel = name.Is("version") ? TableRef::Travel::kVersion : TableRef::Travel::kTimestamp;
    size_t q = p + 2;
    const size_t start = q;
    while (q < close && !tokens[q].IsSymbol(",")) {
      if (tokens[q].IsSymbol("(") || tokens[q].IsSymbol("[")) q = MatchingParen(tokens, q);
      ++q;
    }
    if (q == start) return Status::InvalidArgument("delta_scan: " + name.text + " needs a value");
    ref.travel_expression = Span(sql, tokens[start], tokens[q - 1]);
    p = q;
  }
  ref.end = tokens[close].end;
  return close + 1;
}

}  // namespace

Result<std::vector<TableRef>> FindTableRefs(
    std::string_view sql, const std::function<bool(std::string_view)>& is_warehouse_schema,
    std::string_view database_name) {
  STRATA_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(sql));
  const std::string database = Lowercase(database_name);
  std::vector<TableRef> refs;
  std::set<std::pair<std::string, std::string>> qualified_columns;
  for (size_t i = 0; i + 1 < tokens.size();) {
    const Token& t = tokens[i];
    const bool after_dot = i > 0 && tokens[i - 1].IsSymbol(".");
    if (!after_dot && t.Is("delta_scan") && tokens[i + 1].IsSymbol("(")) {
      TableRef ref;
      ref.kind = TableRef::Kind::kDeltaScan;
      ref.begin = t.begin;
      STRATA_ASSIGN_OR_RETURN(size_t next, ParseDeltaScan(sql, tokens, i, ref));
      ref.has_alias = FollowedByAlias(tokens, next);
      refs.push_back(std::move(ref));
      i = next;
      continue;
    }
    // `database.schema.table`: the database part is skipped over, so the
    // rest is read like a two-part name.
    const bool three_parts = !after_dot && !database.empty() && IsName(t) &&
                             i + 4 < tokens.size() && tokens[i + 1].IsSymbol(".") &&
                             IsName(tokens[i + 2]) && tokens[i + 3].IsSymbol(".") &&
                             IsName(tokens[i + 4]) && Lowercase(t.text) == database &&
                             is_warehouse_schema(tokens[i + 2].text);
    const size_t s = three_parts ? i + 2 : i;  // the schema token
    if (!three_parts &&
        (after_dot || !IsName(t) || !tokens[i + 1].IsSymbol(".") || i + 2 >= tokens.size() ||
         !IsName(tokens[i + 2]) || !is_warehouse_schema(t.text))) {
      ++i;
      continue;
    }
    const Token& name = tokens[s + 2];
    const Token& after = tokens[s + 3 < tokens.size() ? s + 3 : tokens.size() - 1];
    if (after.IsSymbol(".")) {  // schema.table.column
      qualified_columns.insert({Lowercase(tokens[s].text), Lowercase(name.text)});
      i = s + 3;
      continue;
    }
    if (after.IsSymbol("(")) {  // schema.function(...)
      i = s + 3;
      continue;
    }
    TableRef ref;
    if (three_parts) ref.database = t.text;
    ref.schema = tokens[s].text;
    ref.table = name.text;
    ref.begin = t.begin;
    ref.end = name.end;
    size_t j = s + 3;
    if (FollowedByAlias(tokens, j)) {
      ref.has_alias = true;
      if (tokens[j].Is("as")) ++j;
      if (IsName(tokens[j])) ++j;
      if (tokens[j].IsSymbol("(")) j = MatchingParen(tokens, j) + 1;  // t(a, b) column aliases
    }
    if (tokens[j].Is("at") && tokens[j + 1].IsSymbol("(")) {
      const size_t close = MatchingParen(tokens, j + 1);
      const bool well_formed = tokens[close].IsSymbol(")") && j + 4 < close &&
                               (tokens[j + 2].Is("version") || tokens[j + 2].Is("timestamp")) &&
                               tokens[j + 3].IsSymbol("=>");
      if (!well_formed) {
        return Status::InvalidArgument(
            "time travel is written AT (VERSION => n) or "
            "AT (TIMESTAMP => t), after " +
            std::string(sql.substr(ref.begin, ref.end - ref.begin)));
      }
      ref.travel =
          tokens[j + 2].Is("version") ? TableRef::Travel::kVersion : TableRef::Travel::kTimestamp;
      ref.travel_expression = Span(sql, tokens[j + 4], tokens[close - 1]);
      ref.at_begin = tokens[j].begin;
      ref.at_end = tokens[close].end;
      j = close + 1;
    }
    refs.push_back(std::move(ref));
    i = j;
  }
  for (TableRef& ref : refs) {
    if (ref.kind == TableRef::Kind::kWarehouse) {
      ref.qualified_columns =
          qualified_columns.count({Lowercase(ref.schema), Lowercase(ref.table)}) > 0;
    }
  }
  return refs;
}

std::string RewriteTableRefs(std::string_view sql, const std::vector<TableRef>& refs,
                             const std::map<size_t, std::string>& replacements) {
  struct Edit {
    size_t begin, end;
    std::string text;
  };
  std::vector<Edit> edits;
  for (const auto& [index, view] : replacements) {
    const TableRef& ref = refs[index];
    std::string text = view;
    if (!ref.has_alias) {
      text += " AS " + QuoteNameIfNeeded(ref.kind == TableRef::Kind::kWarehouse
                                             ? Lowercase(ref.table)
                                             : std::string("delta_scan"));
    }
    edits.push_back({ref.begin, ref.end, std::move(text)});
    if (ref.at_end > ref.at_begin) edits.push_back({ref.at_begin, ref.at_end, ""});
  }
  std::sort(edits.begin(), edits.end(),
            [](const Edit& a, const Edit& b) { return a.begin > b.begin; });
  std::string out(sql);
  for (const Edit& e : edits) out.replace(e.begin, e.end - e.begin, e.text);
  return out;
}

std::string StripQualifiers(std::string_view text, const std::vector<std::string>& names,
                            const std::string& schema) {
  auto tokens = Tokenize(text);
  if (!tokens.ok()) return std::string(text);
  const std::vector<Token>& t = *tokens;
  auto is = [](const Token& token, const std::string& name) {
    return (token.kind == Token::Kind::kWord || token.kind == Token::Kind::kQuotedName) &&
           Lowercase(token.text) == name;
  };
  std::vector<std::pair<size_t, size_t>> cuts;  // [begin, end) spans to remove
  for (size_t i = 0; i + 2 < t.size(); ++i) {
    if (i > 0 && t[i - 1].IsSymbol(".")) continue;
    if (!t[i + 1].IsSymbol(".")) continue;
    if (is(t[i], schema) && i + 4 < t.size() && t[i + 3].IsSymbol(".") &&
        std::any_of(names.begin(), names.end(),
                    [&](const std::string& n) { return is(t[i + 2], n); })) {
      cuts.push_back({t[i].begin, t[i + 4].begin});
      i += 3;
      continue;
    }
    const bool qualifier =
        std::any_of(names.begin(), names.end(), [&](const std::string& n) { return is(t[i], n); });
    if (qualifier && !t[i + 3 < t.size() ? i + 3 : t.size() - 1].IsSymbol(".") &&
        !t[i + 3 < t.size() ? i + 3 : t.size() - 1].IsSymbol("(")) {
      cuts.push_back({t[i].begin, t[i + 2].begin});
      ++i;
    }
  }
  std::string out(text);
  for (auto it = cuts.rbegin(); it != cuts.rend(); ++it) {
    out.erase(it->first, it->second - it->first);
  }
  return out;
}

Result<std::vector<std::string>> SplitSqlStatements(std::string_view script) {
  STRATA_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(script));
  std::vector<std::string> statements;
  size_t start = std::string_view::npos;
  size_t last_end = 0;
  for (const Token& t : tokens) {
    if (t.kind == Kind::kEnd || t.IsSymbol(";")) {
      if (start != std::string_view::npos) {
        statements.emplace_back(script.substr(start, last_end - start));
      }
      start = std::string_view::npos;
      continue;
    }
    if (start == std::string_view::npos) start = t.begin;
    last_end = t.end;
  }
  return statements;
}

}  // namespace strata::sql
