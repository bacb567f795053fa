#include "transform/jinja_parser.h"

#include <charconv>
#include <set>
#include <string>

namespace strata::transform {
namespace {

using ExprPtr = std::unique_ptr<Expr>;

class Parser {
 public:
  Parser(const std::vector<Token>& tokens, std::string_view name, int max_depth, bool dbt_blocks)
      : tokens_(tokens), name_(name), max_depth_(max_depth), dbt_blocks_(dbt_blocks) {}

  Result<NodeList> ParseTemplate() {
    NodeList nodes;
    std::string end_tag;
    STRATA_RETURN_IF_ERROR(ParseBody({}, &nodes, &end_tag));
    return nodes;
  }

 private:
  const Token& Cur() const { return tokens_[pos_]; }
  const Token& Peek(size_t ahead = 1) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  void Next() {
    if (pos_ + 1 < tokens_.size()) ++pos_;
  }
  bool IsOp(std::string_view op) const {
    return Cur().type == TokenType::kOperator && Cur().text == op;
  }
  bool IsName(std::string_view name) const {
    return Cur().type == TokenType::kName && Cur().text == name;
  }
  bool SkipOp(std::string_view op) {
    if (!IsOp(op)) return false;
    Next();
    return true;
  }
  bool SkipName(std::string_view name) {
    if (!IsName(name)) return false;
    Next();
    return true;
  }

  Status ErrorAt(const Token& t, const std::string& what) const {
    return Status::InvalidArgument(std::string(name_) + ":" + std::to_string(t.line) + ":" +
                                   std::to_string(t.column) + ": " + what);
  }
  Status Error(const std::string& what) const { return ErrorAt(Cur(), what); }

  static std::string Describe(const Token& t) {
    switch (t.type) {
      case TokenType::kEof:
        return "end of template";
      case TokenType::kVarEnd:
        return "'}}'";
      case TokenType::kBlockEnd:
        return "'%}'";
      case TokenType::kData:
        return "template data";
      default:
        return "'" + t.text + "'";
    }
  }

  Status ExpectOp(std::string_view op) {
    if (SkipOp(op)) return Status::OK();
    return Error("expected token '" + std::string(op) + "', got " + Describe(Cur()));
  }
  Status ExpectBlockEnd() {
    if (Cur().type == TokenType::kBlockEnd) {
      Next();
      return Status::OK();
    }
    return Error("expected end of statement block, got " + Describe(Cur()));
  }
  Result<std::string> ExpectName() {
    if (Cur().type != TokenType::kName) return Error("expected a name, got " + Describe(Cur()));
    std::string n = Cur().text;
    Next();
    return n;
  }

  ExprPtr MakeExpr(Expr::Kind kind, const Token& at) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->line = at.line;
    e->column = at.column;
    return e;
  }

  struct DepthGuard {
    explicit DepthGuard(int* d) : depth(d) { ++*depth; }
    ~DepthGuard() { --*depth; }
    int* depth;
  };
  Status CheckDepth() {
    if (depth_ > max_depth_) return Error("template nesting too deep");
    return Status::OK();
  }

  // Parses nodes until a block tag whose name is in `end_tags` (left
  // unconsumed after its name: *end_tag holds it) or the end of the input.
  Status ParseBody(const std::set<std::string>& end_tags, NodeList* out, std::string* end_tag) {
    DepthGuard guard(&depth_);
    STRATA_RETURN_IF_ERROR(CheckDepth());
    while (true) {
      const Token& t = Cur();
      switch (t.type) {
        case TokenType::kEof:
          if (!end_tags.empty()) {
            std::string names;
            for (const auto& n : end_tags) names += (names.empty() ? "'" : " or '") + n + "'";
            return Error("unexpected end of template, expected " + names);
          }
          return Status::OK();
        case TokenType::kData: {
          auto node = std::make_unique<Stmt>();
          node->kind = Stmt::Kind::kOutput;
          node->line = t.line;
          node->column = t.column;
          node->text = t.text;
          out->push_back(std::move(node));
          Next();
          break;
        }
        case TokenType::kVarBegin: {
          Next();
          auto node = std::make_unique<Stmt>();
          node->kind = Stmt::Kind::kPrint;
          node->line = Cur().line;
          node->column = Cur().column;
          STRATA_ASSIGN_OR_RETURN(node->expr, ParseTuple(true, false));
          if (Cur().type != TokenType::kVarEnd)
            return Error("expected token 'end of print statement', got " + Describe(Cur()));
          Next();
          out->push_back(std::move(node));
          break;
        }
        case TokenType::kBlockBegin: {
          Next();
          if (Cur().type != TokenType::kName) return Error("tag name expected");
          if (end_tags.count(Cur().text) != 0) {
            *end_tag = Cur().text;
            Next();
            return Status::OK();
          }
          STRATA_ASSIGN_OR_RETURN(auto node, ParseStatement());
          out->push_back(std::move(node));
          break;
        }
        default:
          return Error("unexpected " + Describe(t));
      }
    }
  }

  Result<std::unique_ptr<Stmt>> ParseStatement() {
    const Token tag = Cur();
    auto node = std::make_unique<Stmt>();
    node->line = tag.line;
    node->column = tag.column;
    const std::string& n = tag.text;
    Next();
    if (n == "if") {
      STRATA_RETURN_IF_ERROR(ParseIf(node.get()));
    } else if (n == "for") {
      STRATA_RETURN_IF_ERROR(ParseFor(node.get()));
    } else if (n == "set") {
      STRATA_RETURN_IF_ERROR(ParseSet(node.get()));
    } else if (n == "macro") {
      STRATA_RETURN_IF_ERROR(ParseMacro(node.get()));
    } else if (n == "call") {
      STRATA_RETURN_IF_ERROR(ParseCallBlock(node.get()));
    } else if (n == "filter") {
      node->kind = Stmt::Kind::kFilterBlock;
      STRATA_ASSIGN_OR_RETURN(node->filter, ParseFilter(MakeExpr(Expr::Kind::kBlockValue, tag)));
      while (SkipOp("|")) {
        STRATA_ASSIGN_OR_RETURN(node->filter, ParseFilter(std::move(node->filter)));
      }
      STRATA_RETURN_IF_ERROR(ExpectBlockEnd());
      std::string end;
      STRATA_RETURN_IF_ERROR(ParseBody({"endfilter"}, &node->body, &end));
      STRATA_RETURN_IF_ERROR(ExpectBlockEnd());
    } else if (n == "do") {
      node->kind = Stmt::Kind::kDo;
      STRATA_ASSIGN_OR_RETURN(node->expr, ParseTuple(true, false));
      STRATA_RETURN_IF_ERROR(ExpectBlockEnd());
    } else if (n == "with") {
      node->kind = Stmt::Kind::kWith;
      while (Cur().type != TokenType::kBlockEnd) {
        if (!node->assignments.empty()) STRATA_RETURN_IF_ERROR(ExpectOp(","));
        STRATA_ASSIGN_OR_RETURN(auto target, ParseAssignTarget());
        STRATA_RETURN_IF_ERROR(ExpectOp("="));
        STRATA_ASSIGN_OR_RETURN(auto value, ParseExpression(true));
        node->assignments.emplace_back(std::move(target), std::move(value));
      }
      Next();
      std::string end;
      STRATA_RETURN_IF_ERROR(ParseBody({"endwith"}, &node->body, &end));
      STRATA_RETURN_IF_ERROR(ExpectBlockEnd());
    } else if (dbt_blocks_ && (n == "test" || n == "docs" || n == "materialization")) {
      STRATA_RETURN_IF_ERROR(ParseDbtBlock(n, node.get()));
    } else if (n == "break" || n == "continue") {
      if (loop_depth_ == 0) return ErrorAt(tag, "'" + n + "' outside of a loop");
      node->kind = n == "break" ? Stmt::Kind::kBreak : Stmt::Kind::kContinue;
      STRATA_RETURN_IF_ERROR(ExpectBlockEnd());
    } else {
      return ErrorAt(tag, "Encountered unknown tag '" + n + "'.");
    }
    return node;
  }

  Status ParseIf(Stmt* node) {
    node->kind = Stmt::Kind::kIf;
    STRATA_ASSIGN_OR_RETURN(node->expr, ParseTuple(false, false));
    STRATA_RETURN_IF_ERROR(ExpectBlockEnd());
    std::string end;
    STRATA_RETURN_IF_ERROR(ParseBody({"elif", "else", "endif"}, &node->body, &end));
    if (end == "elif") {
      auto elif = std::make_unique<Stmt>();
      elif->line = Cur().line;
      elif->column = Cur().column;
      STRATA_RETURN_IF_ERROR(ParseIf(elif.get()));
      node->else_body.push_back(std::move(elif));
      return Status::OK();
    }
    if (end == "else") {
      STRATA_RETURN_IF_ERROR(ExpectBlockEnd());
      STRATA_RETURN_IF_ERROR(ParseBody({"endif"}, &node->else_body, &end));
    }
    return ExpectBlockEnd();
  }

  // A name, a tuple of names ("a, b" or "(a, b)"), or, for set, "ns.attr".
  Result<ExprPtr> ParseAssignTarget(bool allow_tuple = false, bool allow_attr = false) {
    const Token start = Cur();
    auto parse_one = [&]() -> Result<ExprPtr> {
      if (SkipOp("(")) {
        STRATA_ASSIGN_OR_RETURN(auto inner, ParseAssignTarget(true, false));
        STRATA_RETURN_IF_ERROR(ExpectOp(")"));
        return inner;
      }
      const Token at = Cur();
      STRATA_ASSIGN_OR_RETURN(std::string name, ExpectName());
      auto e = MakeExpr(Expr::Kind::kName, at);
      e->name = name;
      if (allow_attr && IsOp(".")) {
        Next();
        auto attr = MakeExpr(Expr::Kind::kGetAttr, at);
        STRATA_ASSIGN_OR_RETURN(attr->name, ExpectName());
        attr->children.push_back(std::move(e));
        return attr;
      }
      return e;
    };
    STRATA_ASSIGN_OR_RETURN(auto first, parse_one());
    if (!allow_tuple || !IsOp(",")) return first;
    auto tuple = MakeExpr(Expr::Kind::kTuple, start);
    tuple->children.push_back(std::move(first));
    while (SkipOp(",")) {
      if (Cur().type != TokenType::kName && !IsOp("(")) break;
      STRATA_ASSIGN_OR_RETURN(auto next, parse_one());
      tuple->children.push_back(std::move(next));
    }
    return tuple;
  }

  Status ParseFor(Stmt* node) {
    node->kind = Stmt::Kind::kFor;
    STRATA_ASSIGN_OR_RETURN(node->target, ParseAssignTarget(true, false));
    if (!SkipName("in")) return Error("expected 'in', got " + Describe(Cur()));
    STRATA_ASSIGN_OR_RETURN(node->expr, ParseTuple(false, true));
    if (SkipName("if")) {
      STRATA_ASSIGN_OR_RETURN(node->filter, ParseExpression(true));
    }
    if (SkipName("recursive")) node->recursive = true;
    STRATA_RETURN_IF_ERROR(ExpectBlockEnd());
    std::string end;
    ++loop_depth_;
    Status s = ParseBody({"else", "endfor"}, &node->body, &end);
    --loop_depth_;
    STRATA_RETURN_IF_ERROR(s);
    if (end == "else") {
      STRATA_RETURN_IF_ERROR(ExpectBlockEnd());
      int saved = loop_depth_;
      loop_depth_ = 0;
      Status e = ParseBody({"endfor"}, &node->else_body, &end);
      loop_depth_ = saved;
      STRATA_RETURN_IF_ERROR(e);
    }
    return ExpectBlockEnd();
  }

  Status ParseSet(Stmt* node) {
    STRATA_ASSIGN_OR_RETURN(node->target, ParseAssignTarget(true, true));
    if (SkipOp("=")) {
      node->kind = Stmt::Kind::kSet;
      STRATA_ASSIGN_OR_RETURN(node->expr, ParseTuple(true, false));
      return ExpectBlockEnd();
    }
    node->kind = Stmt::Kind::kSetBlock;
    if (IsOp("|")) {
      STRATA_ASSIGN_OR_RETURN(node->filter,
                              ParseFilterChain(MakeExpr(Expr::Kind::kBlockValue, Cur())));
    }
    STRATA_RETURN_IF_ERROR(ExpectBlockEnd());
    std::string end;
    return ParseBodyThenEnd("endset", &node->body);
  }

  Status ParseBodyThenEnd(const std::string& end_name, NodeList* body) {
    std::string end;
    STRATA_RETURN_IF_ERROR(ParseBody({end_name}, body, &end));
    return ExpectBlockEnd();
  }

  Status ParseSignature(MacroDef* def) {
    STRATA_RETURN_IF_ERROR(ExpectOp("("));
    while (!IsOp(")")) {
      if (!def->params.empty()) STRATA_RETURN_IF_ERROR(ExpectOp(","));
      if (IsOp(")")) break;
      STRATA_ASSIGN_OR_RETURN(std::string param, ExpectName());
      ExprPtr default_value;
      if (SkipOp("=")) {
        STRATA_ASSIGN_OR_RETURN(default_value, ParseExpression(true));
      } else if (!def->defaults.empty() && def->defaults.back() != nullptr) {
        return Error("non-default argument follows default argument");
      }
      def->params.push_back(param);
      def->defaults.push_back(std::move(default_value));
    }
    Next();
    return Status::OK();
  }

  Status ParseMacroBody(MacroDef* def, const std::string& end_name) {
    std::set<std::string> names;
    name_sinks_.push_back(&names);
    int saved_loop = loop_depth_;
    loop_depth_ = 0;
    Status s = ParseBodyThenEnd(end_name, &def->body);
    loop_depth_ = saved_loop;
    name_sinks_.pop_back();
    STRATA_RETURN_IF_ERROR(s);
    def->catch_kwargs = names.count("kwargs") != 0;
    def->catch_varargs = names.count("varargs") != 0;
    def->uses_caller = names.count("caller") != 0;
    // Names used in an inner macro are visible to the outer one's scan too.
    if (!name_sinks_.empty()) name_sinks_.back()->insert(names.begin(), names.end());
    return Status::OK();
  }

  Status ParseMacro(Stmt* node) {
    node->kind = Stmt::Kind::kMacro;
    node->macro = std::make_shared<MacroDef>();
    STRATA_ASSIGN_OR_RETURN(node->macro->name, ExpectName());
    STRATA_RETURN_IF_ERROR(ParseSignature(node->macro.get()));
    STRATA_RETURN_IF_ERROR(ExpectBlockEnd());
    return ParseMacroBody(node->macro.get(), "endmacro");
  }

  // dbt's block extensions, each a macro under a derived name:
  //   {% test name(args) %} -> test_name
  //   {% docs name %} -> docs_name (no arguments)
  //   {% materialization name, default %} or
  //   {% materialization name, adapter='duckdb'[, supported_languages=[...]] %} ->
  //   materialization_name_adapter
  Status ParseDbtBlock(const std::string& tag, Stmt* node) {
    node->kind = Stmt::Kind::kMacro;
    node->macro = std::make_shared<MacroDef>();
    STRATA_ASSIGN_OR_RETURN(std::string name, ExpectName());
    if (tag == "test") {
      node->macro->name = "test_" + name;
      STRATA_RETURN_IF_ERROR(ParseSignature(node->macro.get()));
    } else if (tag == "docs") {
      node->macro->name = "docs_" + name;
    } else {
      std::string adapter;
      while (SkipOp(",")) {
        if (SkipName("default")) {
          adapter = "default";
          continue;
        }
        STRATA_ASSIGN_OR_RETURN(std::string key, ExpectName());
        STRATA_RETURN_IF_ERROR(ExpectOp("="));
        const Token value = Cur();
        STRATA_ASSIGN_OR_RETURN(auto value_expr, ParseExpression(true));
        if (key == "adapter") {
          if (value_expr->kind != Expr::Kind::kLiteral || !value_expr->literal.is_string()) {
            return ErrorAt(value, "materialization adapter must be a string literal");
          }
          adapter = value_expr->literal.as_string();
        } else if (key != "supported_languages") {
          return ErrorAt(value, "unexpected materialization argument '" + key + "'");
        }
      }
      if (adapter.empty())
        return Error("materialization needs an adapter ('default' or adapter='name')");
      node->macro->name = "materialization_" + name + "_" + adapter;
    }
    STRATA_RETURN_IF_ERROR(ExpectBlockEnd());
    return ParseMacroBody(node->macro.get(), "end" + tag);
  }

  Status ParseCallBlock(Stmt* node) {
    node->kind = Stmt::Kind::kCallBlock;
    node->macro = std::make_shared<MacroDef>();
    node->macro->name = "caller";
    if (IsOp("(")) STRATA_RETURN_IF_ERROR(ParseSignature(node->macro.get()));
    const Token at = Cur();
    STRATA_ASSIGN_OR_RETURN(node->expr, ParseExpression(true));
    if (node->expr->kind != Expr::Kind::kCall) return ErrorAt(at, "expected call");
    STRATA_RETURN_IF_ERROR(ExpectBlockEnd());
    return ParseMacroBody(node->macro.get(), "endcall");
  }

  // "|f1(args)|f2" applied to `operand`.
  Result<ExprPtr> ParseFilterChain(ExprPtr operand) {
    STRATA_RETURN_IF_ERROR(ExpectOp("|"));
    STRATA_ASSIGN_OR_RETURN(auto e, ParseFilter(std::move(operand)));
    while (SkipOp("|")) {
      STRATA_ASSIGN_OR_RETURN(e, ParseFilter(std::move(e)));
    }
    return e;
  }

  // ---- expressions ----

  Result<ExprPtr> ParseTuple(bool with_condexpr, bool for_iter) {
    const Token start = Cur();
    STRATA_ASSIGN_OR_RETURN(auto first, ParseExpression(with_condexpr));
    if (!IsOp(",")) return first;
    auto tuple = MakeExpr(Expr::Kind::kTuple, start);
    tuple->children.push_back(std::move(first));
    while (SkipOp(",")) {
      if (Cur().type == TokenType::kVarEnd || Cur().type == TokenType::kBlockEnd || IsOp(")") ||
          (for_iter && (IsName("if") || IsName("recursive"))) || IsOp("=")) {
        break;
      }
      STRATA_ASSIGN_OR_RETURN(auto next, ParseExpression(with_condexpr));
      tuple->children.push_back(std::move(next));
    }
    return tuple;
  }

  Result<ExprPtr> ParseExpression(bool with_condexpr) {
    DepthGuard guard(&depth_);
    STRATA_RETURN_IF_ERROR(CheckDepth());
    if (!with_condexpr) return ParseOr();
    const Token start = Cur();
    STRATA_ASSIGN_OR_RETURN(auto expr, ParseOr());
    while (IsName("if")) {
      Next();
      auto cond = MakeExpr(Expr::Kind::kCondExpr, start);
      STRATA_ASSIGN_OR_RETURN(auto test, ParseOr());
      ExprPtr otherwise;
      if (SkipName("else")) {
        STRATA_ASSIGN_OR_RETURN(otherwise, ParseExpression(true));
      }
      cond->children.push_back(std::move(test));
      cond->children.push_back(std::move(expr));
      cond->children.push_back(std::move(otherwise));
      expr = std::move(cond);
    }
    return expr;
  }

  Result<ExprPtr> ParseOr() {
    const Token start = Cur();
    STRATA_ASSIGN_OR_RETURN(auto left, ParseAnd());
    while (SkipName("or")) {
      auto e = MakeExpr(Expr::Kind::kOr, start);
      STRATA_ASSIGN_OR_RETURN(auto right, ParseAnd());
      e->children.push_back(std::move(left));
      e->children.push_back(std::move(right));
      left = std::move(e);
    }
    return left;
  }

  Result<ExprPtr> ParseAnd() {
    const Token start = Cur();
    STRATA_ASSIGN_OR_RETURN(auto left, ParseNot());
    while (SkipName("and")) {
      auto e = MakeExpr(Expr::Kind::kAnd, start);
      STRATA_ASSIGN_OR_RETURN(auto right, ParseNot());
      e->children.push_back(std::move(left));
      e->children.push_back(std::move(right));
      left = std::move(e);
    }
    return left;
  }

  Result<ExprPtr> ParseNot() {
    if (IsName("not")) {
      const Token at = Cur();
      Next();
      DepthGuard guard(&depth_);
      STRATA_RETURN_IF_ERROR(CheckDepth());
      auto e = MakeExpr(Expr::Kind::kUnary, at);
      e->name = "not";
      STRATA_ASSIGN_OR_RETURN(auto operand, ParseNot());
      e->children.push_back(std::move(operand));
      return e;
    }
    return ParseCompare();
  }

  Result<ExprPtr> ParseCompare() {
    const Token start = Cur();
    STRATA_ASSIGN_OR_RETURN(auto first, ParseMath1());
    ExprPtr cmp;
    while (true) {
      std::string op;
      if (Cur().type == TokenType::kOperator &&
          (Cur().text == "==" || Cur().text == "!=" || Cur().text == "<" || Cur().text == "<=" ||
           Cur().text == ">" || Cur().text == ">=")) {
        op = Cur().text;
        Next();
      } else if (IsName("in")) {
        op = "in";
        Next();
      } else if (IsName("not") && Peek().type == TokenType::kName && Peek().text == "in") {
        op = "notin";
        Next();
        Next();
      } else {
        break;
      }
      if (!cmp) {
        cmp = MakeExpr(Expr::Kind::kCompare, start);
        cmp->children.push_back(std::move(first));
      }
      STRATA_ASSIGN_OR_RETURN(auto operand, ParseMath1());
      cmp->ops.push_back(op);
      cmp->children.push_back(std::move(operand));
    }
    return cmp ? std::move(cmp) : std::move(first);
  }

  Result<ExprPtr> Binary(const Token& at, std::string op, ExprPtr left, ExprPtr right) {
    auto e = MakeExpr(Expr::Kind::kBinary, at);
    e->name = std::move(op);
    e->children.push_back(std::move(left));
    e->children.push_back(std::move(right));
    return e;
  }

  Result<ExprPtr> ParseMath1() {
    STRATA_ASSIGN_OR_RETURN(auto left, ParseConcat());
    while (IsOp("+") || IsOp("-")) {
      const Token at = Cur();
      Next();
      STRATA_ASSIGN_OR_RETURN(auto right, ParseConcat());
      STRATA_ASSIGN_OR_RETURN(left, Binary(at, at.text, std::move(left), std::move(right)));
    }
    return left;
  }

  Result<ExprPtr> ParseConcat() {
    const Token start = Cur();
    STRATA_ASSIGN_OR_RETURN(auto first, ParseMath2());
    if (!IsOp("~")) return first;
    auto e = MakeExpr(Expr::Kind::kConcat, start);
    e->children.push_back(std::move(first));
    while (SkipOp("~")) {
      STRATA_ASSIGN_OR_RETURN(auto next, ParseMath2());
      e->children.push_back(std::move(next));
    }
    return e;
  }

  Result<ExprPtr> ParseMath2() {
    STRATA_ASSIGN_OR_RETURN(auto left, ParsePow());
    while (IsOp("*") || IsOp("/") || IsOp("//") || IsOp("%")) {
      const Token at = Cur();
      Next();
      STRATA_ASSIGN_OR_RETURN(auto right, ParsePow());
      STRATA_ASSIGN_OR_RETURN(left, Binary(at, at.text, std::move(left), std::move(right)));
    }
    return left;
  }

  Result<ExprPtr> ParsePow() {
    STRATA_ASSIGN_OR_RETURN(auto left, ParseUnary(true));
    while (IsOp("**")) {
      const Token at = Cur();
      Next();
      STRATA_ASSIGN_OR_RETURN(auto right, ParseUnary(true));
      STRATA_ASSIGN_OR_RETURN(left, Binary(at, "**", std::move(left), std::move(right)));
    }
    return left;
  }

  Result<ExprPtr> ParseUnary(bool with_filter) {
    DepthGuard guard(&depth_);
    STRATA_RETURN_IF_ERROR(CheckDepth());
    ExprPtr node;
    if (IsOp("-") || IsOp("+")) {
      const Token at = Cur();
      Next();
      node = MakeExpr(Expr::Kind::kUnary, at);
      node->name = at.text;
      STRATA_ASSIGN_OR_RETURN(auto operand, ParseUnary(false));
      node->children.push_back(std::move(operand));
    } else {
      STRATA_ASSIGN_OR_RETURN(node, ParsePrimary());
    }
    STRATA_ASSIGN_OR_RETURN(node, ParsePostfix(std::move(node)));
    if (with_filter) {
      STRATA_ASSIGN_OR_RETURN(node, ParseFilterExpr(std::move(node)));
    }
    return node;
  }

  Result<ExprPtr> ParsePrimary() {
    const Token t = Cur();
    switch (t.type) {
      case TokenType::kName: {
        Next();
        auto e = MakeExpr(Expr::Kind::kLiteral, t);
        if (t.text == "true" || t.text == "True") {
          e->literal = Value::Bool(true);
        } else if (t.text == "false" || t.text == "False") {
          e->literal = Value::Bool(false);
        } else if (t.text == "none" || t.text == "None") {
          e->literal = Value::None();
        } else {
          e->kind = Expr::Kind::kName;
          e->name = t.text;
          if (!name_sinks_.empty()) name_sinks_.back()->insert(t.text);
        }
        return e;
      }
      case TokenType::kString: {
        std::string s = t.text;
        Next();
        while (Cur().type == TokenType::kString) {
          s += Cur().text;
          Next();
        }
        auto e = MakeExpr(Expr::Kind::kLiteral, t);
        e->literal = Value::String(std::move(s));
        return e;
      }
      case TokenType::kInt: {
        Next();
        auto e = MakeExpr(Expr::Kind::kLiteral, t);
        int64_t v = 0;
        auto res = std::from_chars(t.text.data(), t.text.data() + t.text.size(), v);
        if (res.ec != std::errc()) {
          e->literal = Value::Float(std::stod(t.text));  // beyond int64: approximate
        } else {
          e->literal = Value::Int(v);
        }
        return e;
      }
      case TokenType::kFloat: {
        Next();
        auto e = MakeExpr(Expr::Kind::kLiteral, t);
        e->literal = Value::Float(std::strtod(t.text.c_str(), nullptr));
        return e;
      }
      case TokenType::kOperator:
        if (t.text == "(") {
          Next();
          if (SkipOp(")")) return MakeExpr(Expr::Kind::kTuple, t);
          STRATA_ASSIGN_OR_RETURN(auto first, ParseExpression(true));
          if (IsOp(",")) {
            auto tuple = MakeExpr(Expr::Kind::kTuple, t);
            tuple->children.push_back(std::move(first));
            while (SkipOp(",")) {
              if (IsOp(")")) break;
              STRATA_ASSIGN_OR_RETURN(auto next, ParseExpression(true));
              tuple->children.push_back(std::move(next));
            }
            first = std::move(tuple);
          }
          STRATA_RETURN_IF_ERROR(ExpectOp(")"));
          return first;
        }
        if (t.text == "[") {
          Next();
          auto list = MakeExpr(Expr::Kind::kList, t);
          while (!IsOp("]")) {
            if (!list->children.empty()) STRATA_RETURN_IF_ERROR(ExpectOp(","));
            if (IsOp("]")) break;
            STRATA_ASSIGN_OR_RETURN(auto item, ParseExpression(true));
            list->children.push_back(std::move(item));
          }
          Next();
          return list;
        }
        if (t.text == "{") {
          Next();
          auto dict = MakeExpr(Expr::Kind::kDict, t);
          while (!IsOp("}")) {
            if (!dict->children.empty()) STRATA_RETURN_IF_ERROR(ExpectOp(","));
            if (IsOp("}")) break;
            STRATA_ASSIGN_OR_RETURN(auto key, ParseExpression(true));
            STRATA_RETURN_IF_ERROR(ExpectOp(":"));
            STRATA_ASSIGN_OR_RETURN(auto value, ParseExpression(true));
            dict->children.push_back(std::move(key));
            dict->children.push_back(std::move(value));
          }
          Next();
          return dict;
        }
        break;
      default:
        break;
    }
    return Error("unexpected " + Describe(t));
  }

  // Accessors take the position of the expression they apply to, so that
  // "'foo' is undefined" points at foo in foo.bar.
  Result<ExprPtr> ParsePostfix(ExprPtr node) {
    while (true) {
      Token t = Cur();
      t.line = node->line;
      t.column = node->column;
      if (IsOp(".")) {
        Next();
        if (Cur().type == TokenType::kName) {
          auto e = MakeExpr(Expr::Kind::kGetAttr, t);
          e->name = Cur().text;
          Next();
          e->children.push_back(std::move(node));
          node = std::move(e);
        } else if (Cur().type == TokenType::kInt) {
          auto e = MakeExpr(Expr::Kind::kGetItem, t);
          auto key = MakeExpr(Expr::Kind::kLiteral, Cur());
          key->literal = Value::Int(std::stoll(Cur().text));
          Next();
          e->children.push_back(std::move(node));
          e->children.push_back(std::move(key));
          node = std::move(e);
        } else {
          return Error("expected name or number");
        }
      } else if (IsOp("[")) {
        Next();
        STRATA_ASSIGN_OR_RETURN(node, ParseSubscript(t, std::move(node)));
      } else if (IsOp("(")) {
        STRATA_ASSIGN_OR_RETURN(node, ParseCall(std::move(node)));
      } else {
        return node;
      }
    }
  }

  Result<ExprPtr> ParseSubscript(const Token& at, ExprPtr obj) {
    ExprPtr parts[3];
    int part = 0;
    bool is_slice = false;
    while (true) {
      if (IsOp(":")) {
        Next();
        is_slice = true;
        if (++part > 2) return Error("invalid slice");
        continue;
      }
      if (IsOp("]")) {
        Next();
        break;
      }
      if (parts[part]) return Error("expected ']'");
      STRATA_ASSIGN_OR_RETURN(parts[part], ParseExpression(true));
      if (!is_slice && IsOp(",")) {  // x[a, b] subscripts with a tuple
        auto tuple = MakeExpr(Expr::Kind::kTuple, at);
        tuple->children.push_back(std::move(parts[part]));
        while (SkipOp(",")) {
          if (IsOp("]")) break;
          STRATA_ASSIGN_OR_RETURN(auto next, ParseExpression(true));
          tuple->children.push_back(std::move(next));
        }
        parts[part] = std::move(tuple);
      }
    }
    if (!is_slice) {
      if (!parts[0]) return ErrorAt(at, "expected subscript expression");
      auto e = MakeExpr(Expr::Kind::kGetItem, at);
      e->children.push_back(std::move(obj));
      e->children.push_back(std::move(parts[0]));
      return e;
    }
    auto e = MakeExpr(Expr::Kind::kSlice, at);
    e->children.push_back(std::move(obj));
    for (auto& p : parts) e->children.push_back(std::move(p));
    return e;
  }

  // Parses "(args)" into `call` (whose children[0] is already the callee
  // or operand).
  Status ParseArgs(Expr* call) {
    STRATA_RETURN_IF_ERROR(ExpectOp("("));
    bool first = true;
    while (!IsOp(")")) {
      if (!first) STRATA_RETURN_IF_ERROR(ExpectOp(","));
      first = false;
      if (IsOp(")")) break;
      if (IsOp("*")) {
        Next();
        STRATA_ASSIGN_OR_RETURN(call->star_args, ParseExpression(true));
      } else if (IsOp("**")) {
        Next();
        STRATA_ASSIGN_OR_RETURN(call->star_kwargs, ParseExpression(true));
      } else if (Cur().type == TokenType::kName && Peek().type == TokenType::kOperator &&
                 Peek().text == "=") {
        std::string key = Cur().text;
        Next();
        Next();
        STRATA_ASSIGN_OR_RETURN(auto value, ParseExpression(true));
        call->kwargs.emplace_back(std::move(key), std::move(value));
      } else {
        if (!call->kwargs.empty()) return Error("positional argument follows keyword argument");
        STRATA_ASSIGN_OR_RETURN(auto value, ParseExpression(true));
        call->children.push_back(std::move(value));
      }
    }
    Next();
    return Status::OK();
  }

  Result<ExprPtr> ParseCall(ExprPtr callee) {
    auto e = MakeExpr(Expr::Kind::kCall, Cur());
    e->line = callee->line;
    e->column = callee->column;
    e->children.push_back(std::move(callee));
    STRATA_RETURN_IF_ERROR(ParseArgs(e.get()));
    return e;
  }

  Result<ExprPtr> ParseFilter(ExprPtr operand) {
    const Token at = Cur();
    auto e = MakeExpr(Expr::Kind::kFilter, at);
    STRATA_ASSIGN_OR_RETURN(e->name, ExpectName());
    while (IsOp(".")) {
      Next();
      STRATA_ASSIGN_OR_RETURN(std::string part, ExpectName());
      e->name += "." + part;
    }
    e->children.push_back(std::move(operand));
    if (IsOp("(")) STRATA_RETURN_IF_ERROR(ParseArgs(e.get()));
    return e;
  }

  Result<ExprPtr> ParseFilterExpr(ExprPtr node) {
    while (true) {
      if (IsOp("|")) {
        Next();
        STRATA_ASSIGN_OR_RETURN(node, ParseFilter(std::move(node)));
      } else if (IsName("is")) {
        Next();
        STRATA_ASSIGN_OR_RETURN(node, ParseTest(std::move(node)));
      } else if (IsOp("(")) {
        STRATA_ASSIGN_OR_RETURN(node, ParseCall(std::move(node)));
      } else {
        return node;
      }
    }
  }

  Result<ExprPtr> ParseTest(ExprPtr operand) {
    const Token at = Cur();
    auto e = MakeExpr(Expr::Kind::kTest, at);
    if (SkipName("not")) e->negated = true;
    if (Cur().type != TokenType::kName) {
      // `is ==` style: Jinja2 accepts operator names only as words; allow
      // the words for the comparison tests.
      return Error("expected test name");
    }
    e->name = Cur().text;
    Next();
    while (IsOp(".")) {
      Next();
      STRATA_ASSIGN_OR_RETURN(std::string part, ExpectName());
      e->name += "." + part;
    }
    e->children.push_back(std::move(operand));
    if (IsOp("(")) {
      STRATA_RETURN_IF_ERROR(ParseArgs(e.get()));
    } else if ((Cur().type == TokenType::kName && !IsName("else") && !IsName("or") &&
                !IsName("and")) ||
               Cur().type == TokenType::kString || Cur().type == TokenType::kInt ||
               Cur().type == TokenType::kFloat || IsOp("[") || IsOp("{")) {
      if (IsName("is")) return Error("You cannot chain multiple tests with is");
      STRATA_ASSIGN_OR_RETURN(auto arg, ParsePrimary());
      STRATA_ASSIGN_OR_RETURN(arg, ParsePostfix(std::move(arg)));
      e->children.push_back(std::move(arg));
    }
    return e;
  }

  const std::vector<Token>& tokens_;
  std::string_view name_;
  int max_depth_;
  bool dbt_blocks_;
  size_t pos_ = 0;
  int depth_ = 0;
  int loop_depth_ = 0;
  std::vector<std::set<std::string>*> name_sinks_;
};

}  // namespace

Result<NodeList> Parse(const std::vector<Token>& tokens, std::string_view template_name,
                       int max_depth, bool dbt_blocks) {
  Parser parser(tokens, template_name, max_depth, dbt_blocks);
  return parser.ParseTemplate();
}

}  // namespace strata::transform
