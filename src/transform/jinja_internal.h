// Internal to the Jinja engine: the environment's tables, the renderer that
// walks a template's tree, and the builtins' registration.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "transform/jinja.h"
#include "transform/jinja_ast.h"

namespace strata::transform {

struct EnvironmentData {
  JinjaOptions options;
  std::unordered_map<std::string, Value> globals;
  std::unordered_map<std::string, FilterFunction> filters;
  std::unordered_map<std::string, TestFunction> tests;
};

struct TemplateProgram {
  std::string name;
  NodeList nodes;
};

// Variables of one scope; lookups walk to the parent.
struct Frame {
  explicit Frame(std::shared_ptr<Frame> parent_frame) : parent(std::move(parent_frame)) {}
  std::shared_ptr<Frame> parent;
  std::unordered_map<std::string, Value> vars;

  const Value* Lookup(const std::string& name) const {
    for (const Frame* f = this; f != nullptr; f = f->parent.get()) {
      auto it = f->vars.find(name);
      if (it != f->vars.end()) return &it->second;
    }
    return nullptr;
  }
};
using FramePtr = std::shared_ptr<Frame>;

// One render in progress: limits, the template-name stack for error
// locations, and the control-flow signals (break, continue, return()).
class Renderer {
 public:
  // `context` holds the render's context values: names not found in a
  // macro's own scopes are looked up there before the globals.
  Renderer(const EnvironmentData& env, FramePtr context);

  // Renders `program` into `out` with `root` as the top-level frame.
  Status RenderProgram(const std::shared_ptr<const TemplateProgram>& program, const FramePtr& root,
                       std::string* out);

  // Calls a callable Value (macro, builtin, embedder function).
  Result<Value> CallValue(const Value& fn, CallArgs& args);
  // Runs a macro (`def`, from `program`) with `args`, in a frame under `closure`.
  Result<Value> CallMacro(const MacroDef& def,
                          const std::shared_ptr<const TemplateProgram>& program,
                          const FramePtr& closure, CallArgs& args);

  Result<Value> ApplyFilter(const std::string& name, const Value& operand, CallArgs& args);
  Result<bool> ApplyTest(const std::string& name, const Value& operand, CallArgs& args);

  // Jinja2's environment.getattr / getitem (attribute first / item first).
  Result<Value> GetAttr(const Value& obj, const std::string& name);
  Result<Value> GetItem(const Value& obj, const Value& key);

  // Errors when a string or list result grows past max_output_bytes.
  Status CheckSize(size_t bytes) const;
  // Counts one step; errors past max_steps.
  Status Step();

  // return(): records the value and yields the status that unwinds to the
  // macro call.
  Status SignalReturn(Value value);

  const JinjaOptions& options() const { return env_.options; }
  const EnvironmentData& env() const { return env_; }

 private:
  friend class LoopObject;
  enum class Signal { kNone, kBreak, kContinue, kReturn };

  Status ExecBody(const NodeList& body, const FramePtr& frame, std::string* out);
  Status Exec(const Stmt& node, const FramePtr& frame, std::string* out);
  Status ExecFor(const Stmt& node, const FramePtr& frame, std::string* out);
  Status RunLoop(const Stmt& node, const FramePtr& frame, const Value& iterable, int depth,
                 std::string* out);
  Status Assign(const Expr& target, Value value, const FramePtr& frame);
  Result<Value> Eval(const Expr& e, const FramePtr& frame);
  Result<Value> EvalInner(const Expr& e, const FramePtr& frame);
  Result<Value> EvalCall(const Expr& e, const FramePtr& frame);
  Status BuildArgs(const Expr& e, size_t first_arg, const FramePtr& frame, CallArgs* args);
  Result<Value> EvalCompare(const Expr& e, const FramePtr& frame);
  Value DefineMacro(const std::shared_ptr<MacroDef>& def, const FramePtr& frame);
  Status Locate(Status s, const Expr& e);
  Status Fail(const Expr& e, const std::string& message);
  Status Locate(Status s, int line, int column);

  const EnvironmentData& env_;
  FramePtr context_;
  std::vector<std::shared_ptr<const TemplateProgram>> programs_;  // innermost last
  int call_depth_ = 0;
  int64_t steps_ = 0;
  Signal signal_ = Signal::kNone;
  Value return_value_;
  bool error_located_ = false;
  const Value* block_value_ = nullptr;
  friend class MacroCallable;
};

// Builtins, defined in jinja_filters.cc, jinja_tests.cc, jinja_globals.cc.
void RegisterFilters(EnvironmentData* env);
void RegisterTests(EnvironmentData* env);
void RegisterGlobals(EnvironmentData* env);
// modules.re and modules.datetime (jinja_modules.cc).
Value MakeModules(const JinjaOptions& options);

// Python methods of str, list and dict values (jinja_methods.cc); an
// Undefined when `obj` has no method `name`.
Value LookupMethod(const Value& obj, const std::string& name);

// Python's iteration over a value: list/tuple items, dict keys, string
// characters; an Undefined iterates as empty. Errors for non-iterables.
Result<List> IterateValue(const Value& v);
// The error for using an Undefined where a value is required.
Status UndefinedError(const Value& undefined);
// Python's len(); errors for unsized values.
Result<int64_t> ValueLength(const Value& v);
// Python's binary operators (+ - * / // % **) on values.
Result<Value> BinaryOp(const std::string& op, const Value& a, const Value& b);
// Python's `a in b`.
Result<bool> Contains(const Value& container, const Value& item);
// Python's printf-style `fmt % args`.
Result<Value> PercentFormat(const std::string& fmt, const Value& args);
// Python's str.format(*args, **kwargs) for the common field forms.
Result<Value> StrFormat(const std::string& fmt, const CallArgs& args);

// UTF-8 helpers: Python indexes strings by code point.
std::vector<std::string> Utf8Chars(std::string_view s);
int64_t Utf8Length(std::string_view s);
bool IsAscii(std::string_view s);
// Python's str.upper/lower/capitalize/title/swapcase (simple case mappings for
// Latin, Greek and Cyrillic; other scripts are left as they are).
enum class CaseMode { kUpper, kLower, kCapitalize, kTitle, kSwap };
std::string PyCaseMap(std::string_view s, CaseMode mode);
bool IsCasedCp(uint32_t codepoint);

// Python's int(x) / float(x) conversions as the int and float filters use them.
Result<Value> ToInt(const Value& v);
// A copy of a macro Value that keeps `frame` (its closure) alive.
Value ExportMacro(const Value& macro, const FramePtr& frame);

}  // namespace strata::transform
