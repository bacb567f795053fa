#include "sql/statement.h"

#include <cctype>

#include "sql/sql_lexer.h"

namespace strata::sql {
namespace {

// Walks a token list; expressions are taken as raw text spans between the
// keywords that delimit them at parenthesis depth zero.
class Parser {
 public:
  Parser(std::string_view sql, std::vector<Token> tokens)
      : sql_(sql), tokens_(std::move(tokens)) {}

  const Token& Peek(size_t ahead = 0) const {
    const size_t i = pos_ + ahead;
    return i < tokens_.size() ? tokens_[i] : tokens_.back();
  }
  bool AtEnd() const { return Peek().kind == Token::Kind::kEnd; }
  void Advance() {
    if (!AtEnd()) ++pos_;
  }
  bool Accept(std::string_view keyword) {
    if (!Peek().Is(keyword)) return false;
    Advance();
    return true;
  }
  bool AcceptSymbol(std::string_view symbol) {
    if (!Peek().IsSymbol(symbol)) return false;
    Advance();
    return true;
  }
  Status Expect(std::string_view keyword) {
    if (Accept(keyword)) return Status::OK();
    std::string upper(keyword);
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return Error("expected " + upper);
  }
  Status ExpectSymbol(std::string_view symbol) {
    if (AcceptSymbol(symbol)) return Status::OK();
    return Error("expected '" + std::string(symbol) + "'");
  }

  Status Error(const std::string& what) const {
    const Token& t = Peek();
    size_t line = 1, column = 1;
    for (size_t i = 0; i < t.begin && i < sql_.size(); ++i) {
      if (sql_[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    const std::string found = t.kind == Token::Kind::kEnd ? "the end" : "'" + t.text + "'";
    return Status::InvalidArgument(what + " at line " + std::to_string(line) + ", column " +
                                   std::to_string(column) + ", found " + found);
  }

  // An identifier: a bare word or a "quoted name".
  Result<std::string> Identifier() {
    const Token& t = Peek();
    if (t.kind == Token::Kind::kWord || t.kind == Token::Kind::kQuotedName) {
      std::string name = t.text;
      Advance();
      return name;
    }
    return Error("expected a name");
  }

  Result<QualifiedName> Name() {
    QualifiedName name;
    STRATA_ASSIGN_OR_RETURN(std::string first, Identifier());
    name.parts.push_back(std::move(first));
    while (AcceptSymbol(".")) {
      STRATA_ASSIGN_OR_RETURN(std::string part, Identifier());
      name.parts.push_back(std::move(part));
    }
    if (name.parts.size() > 3) return Error("a table name has at most three parts");
    return name;
  }

  // Reads an optional alias: [AS] name, unless the next word is one of `stop`.
  Result<std::string> OptionalAlias(std::initializer_list<std::string_view> stop) {
    const bool as = Accept("as");
    const Token& t = Peek();
    if (t.kind == Token::Kind::kQuotedName) return Identifier();
    if (t.kind == Token::Kind::kWord) {
      for (std::string_view s : stop) {
        if (t.Is(s)) {
          if (as) return Error("expected an alias");
          return std::string();
        }
      }
      return Identifier();
    }
    if (as) return Error("expected an alias");
    return std::string();
  }

  // Text from the current token up to (not including) the first token at
  // depth zero that satisfies `stop`, or the end. Leaves the position there.
  template <typename Stop>
  std::string TextUntil(Stop stop) {
    const size_t start = pos_;
    int depth = 0;
    while (!AtEnd()) {
      const Token& t = Peek();
      if (depth == 0 && stop(t)) break;
      if (t.IsSymbol("(") || t.IsSymbol("[") || t.IsSymbol("{")) ++depth;
      if (t.IsSymbol(")") || t.IsSymbol("]") || t.IsSymbol("}")) {
        if (depth == 0) break;  // the caller's closing parenthesis
        --depth;
      }
      Advance();
    }
    if (pos_ == start) return "";
    return std::string(sql_.substr(tokens_[start].begin, tokens_[pos_ - 1].end - tokens_[start].begin));
  }
  // The text up to a top-level ';' or the end.
  std::string Rest() {
    return TextUntil([](const Token& t) { return t.IsSymbol(";"); });
  }

  // ( a, b, "c" ) → names.
  Result<std::vector<std::string>> NameList() {
    STRATA_RETURN_IF_ERROR(ExpectSymbol("("));
    std::vector<std::string> names;
    do {
      STRATA_ASSIGN_OR_RETURN(std::string name, Identifier());
      names.push_back(std::move(name));
    } while (AcceptSymbol(","));
    STRATA_RETURN_IF_ERROR(ExpectSymbol(")"));
    return names;
  }

  // ( expr, expr ) → expression texts.
  Result<std::vector<std::string>> ExpressionList() {
    STRATA_RETURN_IF_ERROR(ExpectSymbol("("));
    std::vector<std::string> items;
    do {
      std::string item = TextUntil([](const Token& t) { return t.IsSymbol(","); });
      if (item.empty()) return Error("expected an expression");
      items.push_back(std::move(item));
    } while (AcceptSymbol(","));
    STRATA_RETURN_IF_ERROR(ExpectSymbol(")"));
    return items;
  }

  // a = expr, b = expr, stopping before a word in `stop`.
  Result<std::vector<Assignment>> Assignments(std::initializer_list<std::string_view> stop) {
    std::vector<Assignment> out;
    do {
      Assignment a;
      STRATA_ASSIGN_OR_RETURN(QualifiedName column, Name());
      a.column = column.table();  // t.col = ... assigns col
      STRATA_RETURN_IF_ERROR(ExpectSymbol("="));
      a.expression = TextUntil([&](const Token& t) {
        if (t.IsSymbol(",")) return true;
        for (std::string_view s : stop) {
          if (t.Is(s)) return true;
        }
        return false;
      });
      if (a.expression.empty()) return Error("expected an expression after '='");
      out.push_back(std::move(a));
    } while (AcceptSymbol(","));
    return out;
  }

  Result<Statement> Parse();
  std::optional<QualifiedName> Target();

 private:
  Result<Statement> ParseCreate();
  Result<Statement> ParseInsert();
  Result<Statement> ParseDelete();
  Result<Statement> ParseUpdate();
  Result<Statement> ParseMerge();
  Result<Statement> ParseAlter();
  Result<Statement> ParseDrop();
  Result<Statement> ParseCreateView(Statement stmt);
  Status ParseMergeClause(Statement& stmt);
  Status ExpectEnd() {
    AcceptSymbol(";");
    if (!AtEnd()) return Error("unexpected text");
    return Status::OK();
  }

  std::string_view sql_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
};

Result<Statement> Parser::Parse() {
  if (Peek().Is("create")) return ParseCreate();
  if (Peek().Is("insert")) return ParseInsert();
  if (Peek().Is("delete")) return ParseDelete();
  if (Peek().Is("update")) return ParseUpdate();
  if (Peek().Is("merge")) return ParseMerge();
  if (Peek().Is("alter") && Peek(1).Is("table")) return ParseAlter();
  if (Peek().Is("drop") && (Peek(1).Is("table") || Peek(1).Is("view"))) return ParseDrop();
  return Statement{};
}

std::optional<QualifiedName> Parser::Target() {
  bool copy_from = false;
  if (Accept("insert")) {
    if (Accept("or")) Advance();  // OR REPLACE / OR IGNORE
    if (!Accept("into") && !Accept("overwrite")) return std::nullopt;
    Accept("table");
  } else if (Accept("update")) {
  } else if (Accept("delete") || Accept("merge")) {
    if (!Accept("from") && !Accept("into")) return std::nullopt;
  } else if (Accept("create")) {
    if (Accept("or")) Accept("replace");
    if (!Accept("table") && !Accept("view")) return std::nullopt;
    if (Accept("if")) {
      Accept("not");
      Accept("exists");
    }
  } else if (Accept("alter") || Accept("drop")) {
    if (!Accept("table") && !Accept("view")) return std::nullopt;
    if (Accept("if")) Accept("exists");
  } else if (Accept("truncate")) {
    Accept("table");
  } else if (Accept("copy")) {
    copy_from = true;
  } else {
    return std::nullopt;
  }
  auto name = Name();
  if (!name.ok()) return std::nullopt;
  if (copy_from) {
    if (Peek().IsSymbol("(")) (void)NameList();  // COPY t (a, b) FROM
    if (!Peek().Is("from")) return std::nullopt;
  }
  return *std::move(name);
}

Result<Statement> Parser::ParseCreate() {
  Statement stmt;
  Advance();  // CREATE
  if (Accept("or")) {
    STRATA_RETURN_IF_ERROR(Expect("replace"));
    stmt.or_replace = true;
  }
  if (Peek().Is("view")) return ParseCreateView(std::move(stmt));
  // CREATE TEMP TABLE|VIEW, CREATE MACRO ...: DuckDB's business.
  if (!Peek().Is("table")) return Statement{};
  Advance();
  if (Accept("if")) {
    STRATA_RETURN_IF_ERROR(Expect("not"));
    STRATA_RETURN_IF_ERROR(Expect("exists"));
    stmt.if_not_exists = true;
  }
  STRATA_ASSIGN_OR_RETURN(stmt.target, Name());
  stmt.kind = Statement::Kind::kCreateTable;
  if (AcceptSymbol("(")) {
    stmt.column_definitions = TextUntil([](const Token&) { return false; });
    STRATA_RETURN_IF_ERROR(ExpectSymbol(")"));
    if (stmt.column_definitions.empty()) return Error("expected column definitions");
  }
  while (!AtEnd() && !Peek().IsSymbol(";")) {
    if (Accept("partitioned")) {
      STRATA_RETURN_IF_ERROR(Expect("by"));
      STRATA_ASSIGN_OR_RETURN(stmt.partition_columns, NameList());
    } else if (Accept("tblproperties") || Accept("with")) {
      STRATA_RETURN_IF_ERROR(ExpectSymbol("("));
      do {
        const Token& key = Peek();
        if (key.kind != Token::Kind::kString && key.kind != Token::Kind::kWord &&
            key.kind != Token::Kind::kQuotedName) {
          return Error("expected a property name");
        }
        std::string k = key.text;
        if (key.kind == Token::Kind::kString) k = k.substr(1, k.size() - 2);
        Advance();
        while (AcceptSymbol(".")) {  // delta.checkpointInterval written bare
          STRATA_ASSIGN_OR_RETURN(std::string more, Identifier());
          k += "." + more;
        }
        STRATA_RETURN_IF_ERROR(ExpectSymbol("="));
        const Token& value = Peek();
        if (value.kind == Token::Kind::kEnd) return Error("expected a property value");
        std::string v = value.text;
        if (value.kind == Token::Kind::kString) v = v.substr(1, v.size() - 2);
        Advance();
        stmt.properties.emplace_back(std::move(k), std::move(v));
      } while (AcceptSymbol(","));
      STRATA_RETURN_IF_ERROR(ExpectSymbol(")"));
    } else if (Accept("comment")) {
      if (Peek().kind != Token::Kind::kString) return Error("expected a string after COMMENT");
      const std::string& text = Peek().text;
      for (size_t i = 1; i + 1 < text.size(); ++i) {
        stmt.comment += text[i];
        if (text[i] == '\'' && text[i + 1] == '\'') ++i;
      }
      Advance();
    } else if (Accept("as")) {
      stmt.kind = Statement::Kind::kCreateTableAs;
      stmt.query = Rest();
      if (stmt.query.empty()) return Error("expected a query after AS");
      STRATA_RETURN_IF_ERROR(ExpectEnd());
      break;
    } else {
      return Error("expected PARTITIONED BY, TBLPROPERTIES, COMMENT or AS");
    }
  }
  if (stmt.kind == Statement::Kind::kCreateTable && stmt.column_definitions.empty()) {
    return Error("CREATE TABLE needs column definitions or AS query");
  }
  if (stmt.kind == Statement::Kind::kCreateTableAs && !stmt.column_definitions.empty()) {
    return Status::InvalidArgument("CREATE TABLE ... AS takes its columns from the query; "
                                   "drop the column list");
  }
  return stmt;
}

Result<Statement> Parser::ParseInsert() {
  Statement stmt;
  Advance();  // INSERT
  if (Accept("overwrite")) {
    stmt.kind = Statement::Kind::kInsertOverwrite;
    Accept("table");
  } else if (Peek().Is("into")) {
    Advance();
    stmt.kind = Statement::Kind::kInsert;
  } else {
    return Statement{};  // INSERT OR REPLACE ... : not ours
  }
  STRATA_ASSIGN_OR_RETURN(stmt.target, Name());
  if (Peek().IsSymbol("(") && !(Peek(1).Is("select") || Peek(1).Is("with") ||
                                Peek(1).Is("values") || Peek(1).IsSymbol("("))) {
    STRATA_ASSIGN_OR_RETURN(stmt.insert_columns, NameList());
  }
  if (Peek().Is("by") && Peek(1).Is("name")) {
    return Status::NotSupported("INSERT ... BY NAME into a warehouse table; list the columns");
  }
  stmt.query = Rest();
  if (stmt.query.empty()) return Error("expected a query or VALUES");
  STRATA_RETURN_IF_ERROR(ExpectEnd());
  return stmt;
}

Result<Statement> Parser::ParseDelete() {
  Statement stmt;
  Advance();  // DELETE
  STRATA_RETURN_IF_ERROR(Expect("from"));
  stmt.kind = Statement::Kind::kDelete;
  STRATA_ASSIGN_OR_RETURN(stmt.target, Name());
  STRATA_ASSIGN_OR_RETURN(stmt.target_alias, OptionalAlias({"where", "using", "returning"}));
  if (Peek().Is("using") || Peek().Is("returning")) {
    return Status::NotSupported("DELETE ... " + Peek().text +
                                " on a warehouse table; use a WHERE with a subquery instead");
  }
  if (Accept("where")) {
    stmt.where = Rest();
    if (stmt.where.empty()) return Error("expected a condition after WHERE");
  }
  STRATA_RETURN_IF_ERROR(ExpectEnd());
  return stmt;
}

Result<Statement> Parser::ParseUpdate() {
  Statement stmt;
  Advance();  // UPDATE
  stmt.kind = Statement::Kind::kUpdate;
  STRATA_ASSIGN_OR_RETURN(stmt.target, Name());
  STRATA_ASSIGN_OR_RETURN(stmt.target_alias, OptionalAlias({"set"}));
  STRATA_RETURN_IF_ERROR(Expect("set"));
  STRATA_ASSIGN_OR_RETURN(stmt.assignments, Assignments({"where", "from", "returning"}));
  if (Peek().Is("from") || Peek().Is("returning")) {
    return Status::NotSupported("UPDATE ... " + Peek().text +
                                " on a warehouse table; use MERGE INTO instead");
  }
  if (Accept("where")) {
    stmt.where = Rest();
    if (stmt.where.empty()) return Error("expected a condition after WHERE");
  }
  STRATA_RETURN_IF_ERROR(ExpectEnd());
  return stmt;
}

Result<Statement> Parser::ParseMerge() {
  Statement stmt;
  Advance();  // MERGE
  STRATA_RETURN_IF_ERROR(Expect("into"));
  stmt.kind = Statement::Kind::kMerge;
  STRATA_ASSIGN_OR_RETURN(stmt.target, Name());
  STRATA_ASSIGN_OR_RETURN(stmt.target_alias, OptionalAlias({"using"}));
  STRATA_RETURN_IF_ERROR(Expect("using"));
  if (Peek().IsSymbol("(")) {
    const size_t begin = Peek().begin;
    Advance();
    TextUntil([](const Token&) { return false; });
    const size_t end = Peek().end;
    STRATA_RETURN_IF_ERROR(ExpectSymbol(")"));
    stmt.merge_source = std::string(sql_.substr(begin, end - begin));
  } else {
    const size_t begin = Peek().begin;
    STRATA_ASSIGN_OR_RETURN(QualifiedName source, Name());
    // Table functions like read_csv('x.csv') are sources too.
    if (Peek().IsSymbol("(")) {
      Advance();
      TextUntil([](const Token&) { return false; });
      STRATA_RETURN_IF_ERROR(ExpectSymbol(")"));
    }
    stmt.merge_source = std::string(sql_.substr(begin, tokens_[pos_ - 1].end - begin));
  }
  STRATA_ASSIGN_OR_RETURN(stmt.merge_source_alias, OptionalAlias({"on"}));
  STRATA_RETURN_IF_ERROR(Expect("on"));
  stmt.merge_condition = TextUntil([](const Token& t) { return t.Is("when"); });
  if (stmt.merge_condition.empty()) return Error("expected a condition after ON");
  while (Peek().Is("when")) STRATA_RETURN_IF_ERROR(ParseMergeClause(stmt));
  if (stmt.merge_clauses.empty()) return Error("expected WHEN MATCHED or WHEN NOT MATCHED");
  STRATA_RETURN_IF_ERROR(ExpectEnd());
  return stmt;
}

Status Parser::ParseMergeClause(Statement& stmt) {
  MergeClause clause;
  Advance();  // WHEN
  if (Accept("not")) {
    STRATA_RETURN_IF_ERROR(Expect("matched"));
    clause.when = MergeClause::When::kNotMatched;
    if (Accept("by")) {
      if (Accept("source")) clause.when = MergeClause::When::kNotMatchedBySource;
      else STRATA_RETURN_IF_ERROR(Expect("target"));
    }
  } else {
    STRATA_RETURN_IF_ERROR(Expect("matched"));
  }
  if (Accept("and")) {
    clause.condition = TextUntil([](const Token& t) { return t.Is("then"); });
    if (clause.condition.empty()) return Error("expected a condition after AND");
  }
  STRATA_RETURN_IF_ERROR(Expect("then"));
  const bool matched_kind = clause.when != MergeClause::When::kNotMatched;
  if (Accept("update")) {
    if (!matched_kind) return Error("WHEN NOT MATCHED can only INSERT");
    STRATA_RETURN_IF_ERROR(Expect("set"));
    if (AcceptSymbol("*")) {
      clause.action = MergeClause::Action::kUpdateAll;
    } else {
      clause.action = MergeClause::Action::kUpdate;
      STRATA_ASSIGN_OR_RETURN(clause.assignments, Assignments({"when"}));
    }
  } else if (Accept("delete")) {
    if (!matched_kind) return Error("WHEN NOT MATCHED can only INSERT");
    clause.action = MergeClause::Action::kDelete;
  } else if (Accept("insert")) {
    if (matched_kind) return Error("WHEN MATCHED can UPDATE or DELETE, not INSERT");
    if (AcceptSymbol("*")) {
      clause.action = MergeClause::Action::kInsertAll;
    } else {
      clause.action = MergeClause::Action::kInsert;
      if (Peek().IsSymbol("(")) {
        STRATA_ASSIGN_OR_RETURN(clause.insert_columns, NameList());
      }
      STRATA_RETURN_IF_ERROR(Expect("values"));
      STRATA_ASSIGN_OR_RETURN(clause.insert_values, ExpressionList());
      if (!clause.insert_columns.empty() &&
          clause.insert_columns.size() != clause.insert_values.size()) {
        return Error("INSERT lists " + std::to_string(clause.insert_columns.size()) +
                     " columns but " + std::to_string(clause.insert_values.size()) + " values");
      }
    }
  } else if (Accept("do")) {
    STRATA_RETURN_IF_ERROR(Expect("nothing"));
    clause.action = MergeClause::Action::kDoNothing;
  } else {
    return Error("expected UPDATE, DELETE, INSERT or DO NOTHING");
  }
  stmt.merge_clauses.push_back(std::move(clause));
  return Status::OK();
}

Result<Statement> Parser::ParseAlter() {
  Statement stmt;
  Advance();  // ALTER
  Advance();  // TABLE
  STRATA_ASSIGN_OR_RETURN(stmt.target, Name());
  if (!Accept("add")) return Statement{};  // RENAME, DROP COLUMN ...: reported later
  Accept("column");
  stmt.kind = Statement::Kind::kAlterAddColumn;
  if (Accept("if")) {
    STRATA_RETURN_IF_ERROR(Expect("not"));
    STRATA_RETURN_IF_ERROR(Expect("exists"));
    stmt.if_not_exists = true;
  }
  STRATA_ASSIGN_OR_RETURN(stmt.column_name, Identifier());
  stmt.column_type = Rest();
  if (stmt.column_type.empty()) return Error("expected the new column's type");
  STRATA_RETURN_IF_ERROR(ExpectEnd());
  return stmt;
}

Result<Statement> Parser::ParseCreateView(Statement stmt) {
  Advance();  // VIEW
  stmt.kind = Statement::Kind::kCreateView;
  if (Accept("if")) {
    STRATA_RETURN_IF_ERROR(Expect("not"));
    STRATA_RETURN_IF_ERROR(Expect("exists"));
    stmt.if_not_exists = true;
  }
  STRATA_ASSIGN_OR_RETURN(stmt.target, Name());
  if (Peek().IsSymbol("(")) {
    STRATA_ASSIGN_OR_RETURN(stmt.insert_columns, NameList());
  }
  STRATA_RETURN_IF_ERROR(Expect("as"));
  stmt.query = Rest();
  if (stmt.query.empty()) return Error("expected a query after AS");
  STRATA_RETURN_IF_ERROR(ExpectEnd());
  if (stmt.or_replace && stmt.if_not_exists) {
    return Status::InvalidArgument("CREATE OR REPLACE VIEW and IF NOT EXISTS cannot be combined");
  }
  return stmt;
}

Result<Statement> Parser::ParseDrop() {
  Statement stmt;
  Advance();  // DROP
  stmt.kind = Peek().Is("view") ? Statement::Kind::kDropView : Statement::Kind::kDropTable;
  Advance();  // TABLE | VIEW
  if (Accept("if")) {
    STRATA_RETURN_IF_ERROR(Expect("exists"));
    stmt.if_exists = true;
  }
  STRATA_ASSIGN_OR_RETURN(stmt.target, Name());
  STRATA_RETURN_IF_ERROR(ExpectEnd());
  return stmt;
}

}  // namespace

std::string QuoteNameIfNeeded(const std::string& name) {
  bool plain = !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0]));
  for (char c : name) {
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
          c == '_')) {
      plain = false;
    }
  }
  if (plain) return name;
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string QualifiedName::ToString() const {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += '.';
    out += QuoteNameIfNeeded(parts[i]);
  }
  return out;
}

std::optional<QualifiedName> FindStatementTarget(std::string_view sql) {
  auto tokens = Tokenize(sql);
  if (!tokens.ok()) return std::nullopt;
  Parser parser(sql, std::move(tokens).value());
  return parser.Target();
}

Result<Statement> ParseStatement(std::string_view sql) {
  STRATA_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(sql));
  Parser parser(sql, std::move(tokens));
  return parser.Parse();
}

}  // namespace strata::sql
