// The syntax tree of a compiled template. Built by the parser, walked by the
// renderer; immutable after parsing, so a template renders from many threads.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "transform/jinja_value.h"

namespace strata::transform {

struct Expr {
  enum class Kind {
    kLiteral,  // literal
    kName,     // name
    kList,     // children
    kTuple,    // children
    kDict,     // children: key, value, key, value...
    kGetAttr,  // children[0].name
    kGetItem,  // children[0][children[1]]
    kSlice,    // children[0][children[1]:children[2]:children[3]] (null parts allowed)
    kCall,     // children[0](children[1..], kwargs, *star_args, **star_kwargs)
    kFilter,   // name: filter of children[0] (null in filter/set blocks) with args children[1..]
    kTest,     // name: test of children[0] with args children[1..]; negated
    kUnary,    // name: "-", "+", "not"
    kBinary,   // name: operator; children[0], children[1]
    kCompare,  // children[0] ops[0] children[1] ops[1] children[2] ...
    kAnd,
    kOr,
    kCondExpr,    // children[1] if children[0] else children[2] (may be null)
    kConcat,      // children joined with ~
    kBlockValue,  // the captured body of a filter/set block
  };
  Kind kind;
  int line = 0;
  int column = 0;
  Value literal;
  std::string name;
  std::vector<std::unique_ptr<Expr>> children;
  std::vector<std::string> ops;
  std::vector<std::pair<std::string, std::unique_ptr<Expr>>> kwargs;
  std::unique_ptr<Expr> star_args;
  std::unique_ptr<Expr> star_kwargs;
  bool negated = false;
};

struct Stmt;
using NodeList = std::vector<std::unique_ptr<Stmt>>;

struct MacroDef {
  std::string name;
  std::vector<std::string> params;
  std::vector<std::unique_ptr<Expr>> defaults;  // aligned with params; null where none
  NodeList body;
  bool catch_kwargs = false;   // the body mentions `kwargs`
  bool catch_varargs = false;  // the body mentions `varargs`
  bool uses_caller = false;    // the body mentions `caller`
};

// A statement (dbt's Node is another type: distinct names keep the two
// inline destructors from colliding at link time).
struct Stmt {
  enum class Kind {
    kOutput,       // text
    kPrint,        // {{ expr }}
    kIf,           // expr, body, else_body (elif chains nest an If in else_body)
    kFor,          // target in expr [if filter] body else_body, recursive
    kSet,          // target = expr
    kSetBlock,     // target = rendered body piped through filter
    kMacro,        // macro
    kCallBlock,    // expr (the call), macro (the caller)
    kFilterBlock,  // filter applied to the rendered body
    kDo,           // expr
    kWith,         // assignments, body
    kBreak,
    kContinue,
  };
  Kind kind;
  int line = 0;
  int column = 0;
  std::string text;
  std::unique_ptr<Expr> expr;
  std::unique_ptr<Expr> target;
  std::unique_ptr<Expr> filter;
  NodeList body;
  NodeList else_body;
  std::shared_ptr<MacroDef> macro;
  std::vector<std::pair<std::unique_ptr<Expr>, std::unique_ptr<Expr>>> assignments;
  bool recursive = false;
};

}  // namespace strata::transform
