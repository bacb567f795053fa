// The renderer: walks a template's tree with Python's semantics.
#include <algorithm>
#include <cmath>

#include "transform/jinja_internal.h"

namespace strata::transform {
namespace {

Status ControlFlowStatus() { return Status::Aborted("jinja control flow"); }

}  // namespace

// A macro (or a call block's caller) bound to the frame it was defined in.
// The frame is held weakly: a frame holds its macros, so a strong reference
// would be a cycle. Macros exported by Template::Macros hold it strongly
// through `keep_alive`.
class MacroCallable : public Callable {
 public:
  MacroCallable(std::shared_ptr<MacroDef> def, std::shared_ptr<const TemplateProgram> program,
                const FramePtr& closure, FramePtr keep_alive = nullptr)
      : def_(std::move(def)),
        program_(std::move(program)),
        closure_(closure),
        keep_alive_(std::move(keep_alive)) {}

  Result<Value> Call(CallArgs& args) override {
    if (args.renderer == nullptr)
      return Status::InvalidArgument("macro '" + def_->name + "' called outside a render");
    FramePtr closure = closure_.lock();
    if (!closure)
      return Status::InvalidArgument("macro '" + def_->name + "' outlived its template's render");
    return args.renderer->CallMacro(*def_, program_, closure, args);
  }
  std::string Name() const override { return def_->name; }
  Value GetAttr(std::string_view name) override {
    if (name == "name") return Value::String(def_->name);
    if (name == "arguments") {
      List params;
      for (const auto& p : def_->params) params.push_back(Value::String(p));
      return Value::MakeTuple(std::move(params));
    }
    if (name == "catch_kwargs") return Value::Bool(def_->catch_kwargs);
    if (name == "catch_varargs") return Value::Bool(def_->catch_varargs);
    if (name == "caller") return Value::Bool(def_->uses_caller);
    return Value::Undefined(std::string(name),
                            "'Macro' object has no attribute '" + std::string(name) + "'");
  }
  // A copy that keeps `frame` alive (for macros exported from a render).
  Value Exported(const FramePtr& frame) const {
    return Value::FromCallable(std::make_shared<MacroCallable>(def_, program_, frame, frame));
  }

 private:
  std::shared_ptr<MacroDef> def_;
  std::shared_ptr<const TemplateProgram> program_;
  std::weak_ptr<Frame> closure_;
  FramePtr keep_alive_;
};

// The `loop` variable of a for loop.
class LoopObject : public Object, public std::enable_shared_from_this<LoopObject> {
 public:
  LoopObject(const List* items, int depth, Renderer* renderer, const Stmt* node,
             const FramePtr& frame)
      : items_(items), depth_(depth), renderer_(renderer), node_(node), frame_(frame) {}

  void set_index(size_t i) { index_ = i; }

  Value GetAttr(std::string_view name) override {
    int64_t n = static_cast<int64_t>(items_->size());
    int64_t i = static_cast<int64_t>(index_);
    if (name == "index") return Value::Int(i + 1);
    if (name == "index0") return Value::Int(i);
    if (name == "revindex") return Value::Int(n - i);
    if (name == "revindex0") return Value::Int(n - i - 1);
    if (name == "first") return Value::Bool(i == 0);
    if (name == "last") return Value::Bool(i == n - 1);
    if (name == "length") return Value::Int(n);
    if (name == "depth") return Value::Int(depth_);
    if (name == "depth0") return Value::Int(depth_ - 1);
    if (name == "previtem") {
      return i > 0 ? (*items_)[index_ - 1]
                   : Value::Undefined("previtem", "there is no previous item");
    }
    if (name == "nextitem") {
      return i + 1 < n ? (*items_)[index_ + 1]
                       : Value::Undefined("nextitem", "there is no next item");
    }
    if (name == "cycle") {
      size_t index = index_;
      return MakeFunction("cycle", [index](CallArgs& args) -> Result<Value> {
        if (args.positional.empty()) return Status::InvalidArgument("no items for cycling given");
        return args.positional[index % args.positional.size()];
      });
    }
    if (name == "changed") {
      auto self = shared_from_this();
      return MakeFunction("changed", [self](CallArgs& args) -> Result<Value> {
        Value current = Value::MakeList(args.positional);
        if (self->has_last_changed_ && ValuesEqual(current, self->last_changed_))
          return Value::Bool(false);
        self->has_last_changed_ = true;
        self->last_changed_ = current;
        return Value::Bool(true);
      });
    }
    if (name == "__call__" && node_->recursive) {
      auto self = shared_from_this();
      return MakeFunction("loop", [self](CallArgs& args) -> Result<Value> {
        if (args.positional.size() != 1)
          return Status::InvalidArgument("loop() takes exactly one argument");
        FramePtr frame = self->frame_.lock();
        if (!frame) return Status::InvalidArgument("loop called after its loop ended");
        std::string out;
        STRATA_RETURN_IF_ERROR(self->renderer_->Step());
        if (++self->renderer_->call_depth_ > self->renderer_->options().max_call_depth) {
          --self->renderer_->call_depth_;
          return Status::InvalidArgument("maximum recursion depth exceeded");
        }
        Status s = self->renderer_->RunLoop(*self->node_, frame, args.positional[0],
                                            self->depth_ + 1, &out);
        --self->renderer_->call_depth_;
        STRATA_RETURN_IF_ERROR(s);
        return Value::String(std::move(out));
      });
    }
    return Value::Undefined(std::string(name),
                            "'LoopContext' object has no attribute '" + std::string(name) + "'");
  }
  std::string TypeName() const override { return "LoopContext"; }
  std::string Str() const override {
    return "<LoopContext " + std::to_string(index_ + 1) + "/" + std::to_string(items_->size()) +
           ">";
  }

 private:
  const List* items_;
  size_t index_ = 0;
  int depth_;
  Renderer* renderer_;
  const Stmt* node_;
  std::weak_ptr<Frame> frame_;
  bool has_last_changed_ = false;
  Value last_changed_;
};

Renderer::Renderer(const EnvironmentData& env, FramePtr context)
    : env_(env), context_(std::move(context)) {}

Status Renderer::RenderProgram(const std::shared_ptr<const TemplateProgram>& program_ptr,
                               const FramePtr& root, std::string* out) {
  const TemplateProgram& program = *program_ptr;
  programs_.push_back(program_ptr);
  Status s = ExecBody(program.nodes, root, out);
  programs_.pop_back();
  if (!s.ok() && signal_ != Signal::kNone) {
    signal_ = Signal::kNone;
    return Status::InvalidArgument(program.name + ": return() called outside of a macro");
  }
  return s;
}

Status Renderer::CheckSize(size_t bytes) const {
  if (bytes > env_.options.max_output_bytes) {
    return Status::InvalidArgument("output exceeds " +
                                   std::to_string(env_.options.max_output_bytes) + " bytes");
  }
  return Status::OK();
}

Status Renderer::Step() {
  if (++steps_ > env_.options.max_steps) {
    return Status::InvalidArgument("template exceeded " + std::to_string(env_.options.max_steps) +
                                   " steps");
  }
  return Status::OK();
}

Status Renderer::SignalReturn(Value value) {
  signal_ = Signal::kReturn;
  return_value_ = std::move(value);
  return ControlFlowStatus();
}

Status Renderer::Locate(Status s, int line, int column) {
  if (s.ok() || signal_ != Signal::kNone || error_located_) return s;
  error_located_ = true;
  std::string name = programs_.empty() ? "<template>" : programs_.back()->name;
  return Status(
      s.code() == StatusCode::kOk ? StatusCode::kInvalidArgument : s.code(),
      name + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + s.message());
}

Status Renderer::Locate(Status s, const Expr& e) { return Locate(std::move(s), e.line, e.column); }

Status Renderer::Fail(const Expr& e, const std::string& message) {
  return Locate(Status::InvalidArgument(message), e);
}

Status Renderer::ExecBody(const NodeList& body, const FramePtr& frame, std::string* out) {
  for (const auto& node : body) {
    STRATA_RETURN_IF_ERROR(Exec(*node, frame, out));
  }
  return Status::OK();
}

Status Renderer::Exec(const Stmt& node, const FramePtr& frame, std::string* out) {
  if (Status s = Step(); !s.ok()) return Locate(s, node.line, node.column);
  switch (node.kind) {
    case Stmt::Kind::kOutput:
      out->append(node.text);
      return Locate(CheckSize(out->size()), node.line, node.column);
    case Stmt::Kind::kPrint: {
      STRATA_ASSIGN_OR_RETURN(Value v, Eval(*node.expr, frame));
      v.AppendStr(out);
      return Locate(CheckSize(out->size()), node.line, node.column);
    }
    case Stmt::Kind::kIf: {
      STRATA_ASSIGN_OR_RETURN(Value cond, Eval(*node.expr, frame));
      return ExecBody(cond.Truthy() ? node.body : node.else_body, frame, out);
    }
    case Stmt::Kind::kFor:
      return ExecFor(node, frame, out);
    case Stmt::Kind::kSet: {
      STRATA_ASSIGN_OR_RETURN(Value v, Eval(*node.expr, frame));
      return Assign(*node.target, std::move(v), frame);
    }
    case Stmt::Kind::kSetBlock: {
      std::string captured;
      STRATA_RETURN_IF_ERROR(ExecBody(node.body, frame, &captured));
      Value v = Value::String(std::move(captured));
      if (node.filter) {
        const Value* saved = block_value_;
        block_value_ = &v;
        Result<Value> filtered = Eval(*node.filter, frame);
        block_value_ = saved;
        STRATA_RETURN_IF_ERROR(filtered);
        v = std::move(filtered).value();
      }
      return Assign(*node.target, std::move(v), frame);
    }
    case Stmt::Kind::kMacro:
      frame->vars[node.macro->name] = DefineMacro(node.macro, frame);
      return Status::OK();
    case Stmt::Kind::kCallBlock: {
      const Expr& call = *node.expr;
      STRATA_ASSIGN_OR_RETURN(Value callee, Eval(*call.children[0], frame));
      CallArgs args;
      STRATA_RETURN_IF_ERROR(BuildArgs(call, 1, frame, &args));
      args.keyword.emplace_back("caller", DefineMacro(node.macro, frame));
      Result<Value> result = CallValue(callee, args);
      if (!result.ok()) return Locate(result.status(), call);
      result->AppendStr(out);
      return Locate(CheckSize(out->size()), node.line, node.column);
    }
    case Stmt::Kind::kFilterBlock: {
      std::string captured;
      STRATA_RETURN_IF_ERROR(ExecBody(node.body, frame, &captured));
      Value v = Value::String(std::move(captured));
      const Value* saved = block_value_;
      block_value_ = &v;
      Result<Value> filtered = Eval(*node.filter, frame);
      block_value_ = saved;
      STRATA_RETURN_IF_ERROR(filtered);
      filtered->AppendStr(out);
      return Locate(CheckSize(out->size()), node.line, node.column);
    }
    case Stmt::Kind::kDo: {
      STRATA_ASSIGN_OR_RETURN(Value ignored, Eval(*node.expr, frame));
      (void)ignored;
      return Status::OK();
    }
    case Stmt::Kind::kWith: {
      auto inner = std::make_shared<Frame>(frame);
      for (const auto& [target, value_expr] : node.assignments) {
        STRATA_ASSIGN_OR_RETURN(Value v, Eval(*value_expr, frame));
        STRATA_RETURN_IF_ERROR(Assign(*target, std::move(v), inner));
      }
      return ExecBody(node.body, inner, out);
    }
    case Stmt::Kind::kBreak:
      signal_ = Signal::kBreak;
      return ControlFlowStatus();
    case Stmt::Kind::kContinue:
      signal_ = Signal::kContinue;
      return ControlFlowStatus();
  }
  return Status::OK();
}

Status Renderer::ExecFor(const Stmt& node, const FramePtr& frame, std::string* out) {
  STRATA_ASSIGN_OR_RETURN(Value iterable, Eval(*node.expr, frame));
  return RunLoop(node, frame, iterable, 1, out);
}

Status Renderer::RunLoop(const Stmt& node, const FramePtr& frame, const Value& iterable, int depth,
                         std::string* out) {
  Result<List> iterated = IterateValue(iterable);
  if (!iterated.ok()) return Locate(iterated.status(), *node.expr);
  List items = std::move(iterated).value();
  if (node.filter) {
    List kept;
    for (Value& item : items) {
      auto probe = std::make_shared<Frame>(frame);
      STRATA_RETURN_IF_ERROR(Assign(*node.target, item, probe));
      STRATA_ASSIGN_OR_RETURN(Value keep, Eval(*node.filter, probe));
      if (keep.Truthy()) kept.push_back(std::move(item));
    }
    items = std::move(kept);
  }
  if (items.empty()) return ExecBody(node.else_body, frame, out);
  // Python iterates a list live: items appended by the body are visited too.
  const List* live = (!node.filter && iterable.is_list()) ? iterable.as_list().get() : &items;
  auto loop = std::make_shared<LoopObject>(live, depth, this, &node, frame);
  Value loop_value = Value::FromObject(loop);
  for (size_t i = 0; i < live->size(); ++i) {
    if (Status s = Step(); !s.ok()) return Locate(s, node.line, node.column);
    loop->set_index(i);
    auto inner = std::make_shared<Frame>(frame);
    STRATA_RETURN_IF_ERROR(Assign(*node.target, (*live)[i], inner));
    inner->vars["loop"] = loop_value;
    Status s = ExecBody(node.body, inner, out);
    if (!s.ok()) {
      if (signal_ == Signal::kBreak) {
        signal_ = Signal::kNone;
        break;
      }
      if (signal_ == Signal::kContinue) {
        signal_ = Signal::kNone;
        continue;
      }
      return s;
    }
  }
  return Status::OK();
}

Status Renderer::Assign(const Expr& target, Value value, const FramePtr& frame) {
  switch (target.kind) {
    case Expr::Kind::kName:
      frame->vars[target.name] = std::move(value);
      return Status::OK();
    case Expr::Kind::kTuple: {
      Result<List> items = IterateValue(value);
      if (!items.ok()) return Locate(items.status(), target);
      if (items->size() != target.children.size()) {
        return Fail(target, items->size() > target.children.size()
                                ? "too many values to unpack (expected " +
                                      std::to_string(target.children.size()) + ")"
                                : "not enough values to unpack (expected " +
                                      std::to_string(target.children.size()) + ", got " +
                                      std::to_string(items->size()) + ")");
      }
      for (size_t i = 0; i < items->size(); ++i) {
        STRATA_RETURN_IF_ERROR(Assign(*target.children[i], (*items)[i], frame));
      }
      return Status::OK();
    }
    case Expr::Kind::kGetAttr: {
      STRATA_ASSIGN_OR_RETURN(Value obj, Eval(*target.children[0], frame));
      if (!obj.is_object()) return Fail(target, "cannot assign attribute on non-namespace object");
      return Locate(obj.as_object()->SetAttr(target.name, std::move(value)), target);
    }
    default:
      return Fail(target, "cannot assign to this expression");
  }
}

Value Renderer::DefineMacro(const std::shared_ptr<MacroDef>& def, const FramePtr& frame) {
  return Value::FromCallable(std::make_shared<MacroCallable>(def, programs_.back(), frame));
}

Value ExportMacro(const Value& macro, const FramePtr& frame) {
  auto* callable = dynamic_cast<MacroCallable*>(macro.as_callable().get());
  return callable != nullptr ? callable->Exported(frame) : macro;
}

Result<Value> Renderer::CallMacro(const MacroDef& def,
                                  const std::shared_ptr<const TemplateProgram>& program,
                                  const FramePtr& closure, CallArgs& args) {
  if (call_depth_ >= env_.options.max_call_depth)
    return Status::InvalidArgument("maximum recursion depth exceeded");
  STRATA_RETURN_IF_ERROR(Step());
  auto frame = std::make_shared<Frame>(closure);
  size_t count = def.params.size();
  std::vector<std::pair<std::string, Value>> kwargs = args.keyword;
  auto take_kwarg = [&](const std::string& name, Value* out) {
    for (auto it = kwargs.begin(); it != kwargs.end(); ++it) {
      if (it->first == name) {
        *out = std::move(it->second);
        kwargs.erase(it);
        return true;
      }
    }
    return false;
  };
  std::vector<bool> given(count, false);
  for (size_t i = 0; i < count && i < args.positional.size(); ++i) {
    frame->vars[def.params[i]] = args.positional[i];
    given[i] = true;
  }
  for (size_t i = args.positional.size(); i < count; ++i) {
    Value v;
    if (take_kwarg(def.params[i], &v)) {
      frame->vars[def.params[i]] = std::move(v);
      given[i] = true;
    }
  }
  if (def.uses_caller) {
    Value caller;
    if (!take_kwarg("caller", &caller)) caller = Value::Undefined("caller", "No caller defined");
    frame->vars["caller"] = std::move(caller);
  }
  if (def.catch_kwargs) {
    Value dict = Value::MakeDict();
    for (auto& [k, v] : kwargs) dict.as_dict()->Set(k, std::move(v));
    frame->vars["kwargs"] = std::move(dict);
  } else if (!kwargs.empty()) {
    return Status::InvalidArgument("macro '" + def.name + "' takes no keyword argument '" +
                                   kwargs[0].first + "'");
  }
  if (def.catch_varargs) {
    List extra;
    for (size_t i = count; i < args.positional.size(); ++i) extra.push_back(args.positional[i]);
    frame->vars["varargs"] = Value::MakeTuple(std::move(extra));
  } else if (args.positional.size() > count) {
    return Status::InvalidArgument("macro '" + def.name + "' takes not more than " +
                                   std::to_string(count) + " argument(s)");
  }
  ++call_depth_;
  programs_.push_back(program);
  for (size_t i = 0; i < count; ++i) {
    if (given[i]) continue;
    if (def.defaults[i]) {
      Result<Value> v = Eval(*def.defaults[i], frame);
      if (!v.ok()) {
        programs_.pop_back();
        --call_depth_;
        return v.status();
      }
      frame->vars[def.params[i]] = std::move(v).value();
    } else {
      frame->vars[def.params[i]] =
          Value::Undefined(def.params[i], "parameter '" + def.params[i] + "' was not provided");
    }
  }
  std::string out;
  Status s = ExecBody(def.body, frame, &out);
  programs_.pop_back();
  --call_depth_;
  if (!s.ok()) {
    if (signal_ == Signal::kReturn) {
      signal_ = Signal::kNone;
      return std::move(return_value_);
    }
    return s;
  }
  return Value::String(std::move(out));
}

Result<Value> Renderer::CallValue(const Value& fn, CallArgs& args) {
  args.renderer = this;
  if (fn.is_callable()) return fn.as_callable()->Call(args);
  if (fn.is_undefined()) return UndefinedError(fn);
  if (fn.is_object()) {
    Value call = fn.as_object()->GetAttr("__call__");
    if (call.is_callable()) return call.as_callable()->Call(args);
  }
  return Status::InvalidArgument("'" + fn.TypeName() + "' object is not callable");
}

Result<Value> Renderer::ApplyFilter(const std::string& name, const Value& operand, CallArgs& args) {
  auto it = env_.filters.find(name);
  if (it == env_.filters.end()) return Status::InvalidArgument("No filter named '" + name + "'.");
  args.renderer = this;
  return it->second(operand, args);
}

Result<bool> Renderer::ApplyTest(const std::string& name, const Value& operand, CallArgs& args) {
  auto it = env_.tests.find(name);
  if (it == env_.tests.end()) return Status::InvalidArgument("No test named '" + name + "'.");
  args.renderer = this;
  return it->second(operand, args);
}

Result<Value> Renderer::GetAttr(const Value& obj, const std::string& name) {
  auto missing = [&]() {
    return Value::Undefined(name,
                            "'" + obj.TypeName() + " object' has no attribute '" + name + "'");
  };
  switch (obj.kind()) {
    case Value::Kind::kUndefined:
      return UndefinedError(obj);
    case Value::Kind::kDict: {
      Value method = LookupMethod(obj, name);
      if (!method.is_undefined()) return method;
      if (const Value* v = obj.as_dict()->Find(std::string_view(name))) return *v;
      return missing();
    }
    case Value::Kind::kString:
    case Value::Kind::kList:
    case Value::Kind::kTuple: {
      if (obj.is_group_tuple() && (name == "grouper" || name == "list"))
        return (*obj.as_list())[name == "list"];
      Value method = LookupMethod(obj, name);
      if (!method.is_undefined()) return method;
      return missing();
    }
    case Value::Kind::kObject:
      return obj.as_object()->GetAttr(name);
    case Value::Kind::kCallable:
      return obj.as_callable()->GetAttr(name);
    case Value::Kind::kInt:
    case Value::Kind::kFloat:
      if (name == "real") return obj;
      if (name == "imag") return obj.is_int() ? Value::Int(0) : Value::Float(0.0);
      return missing();
    default:
      return missing();
  }
}

namespace {
bool NormalizeIndex(int64_t* index, int64_t size) {
  if (*index < 0) *index += size;
  return *index >= 0 && *index < size;
}
}  // namespace

Result<Value> Renderer::GetItem(const Value& obj, const Value& key) {
  auto missing = [&]() {
    return Value::Undefined(key.Str(),
                            "'" + obj.TypeName() + " object' has no attribute '" + key.Str() + "'");
  };
  switch (obj.kind()) {
    case Value::Kind::kUndefined:
      return UndefinedError(obj);
    case Value::Kind::kDict: {
      if (!IsHashable(key))
        return Status::InvalidArgument("unhashable type: '" + key.TypeName() + "'");
      if (const Value* v = obj.as_dict()->Find(key)) return *v;
      if (key.is_string()) {
        Value method = LookupMethod(obj, key.as_string());
        if (!method.is_undefined()) return method;
      }
      return missing();
    }
    case Value::Kind::kList:
    case Value::Kind::kTuple: {
      if (key.is_int() || key.is_bool()) {
        int64_t index = key.as_int();
        const List& items = *obj.as_list();
        if (NormalizeIndex(&index, static_cast<int64_t>(items.size())))
          return items[static_cast<size_t>(index)];
        return missing();
      }
      if (key.is_string()) {
        Value method = LookupMethod(obj, key.as_string());
        if (!method.is_undefined()) return method;
      }
      return missing();
    }
    case Value::Kind::kString: {
      if (key.is_int() || key.is_bool()) {
        int64_t index = key.as_int();
        const std::string& s = obj.as_string();
        if (IsAscii(s)) {
          if (NormalizeIndex(&index, static_cast<int64_t>(s.size()))) {
            return Value::String(std::string(1, s[static_cast<size_t>(index)]));
          }
          return missing();
        }
        std::vector<std::string> chars = Utf8Chars(s);
        if (NormalizeIndex(&index, static_cast<int64_t>(chars.size())))
          return Value::String(chars[index]);
        return missing();
      }
      if (key.is_string()) {
        Value method = LookupMethod(obj, key.as_string());
        if (!method.is_undefined()) return method;
      }
      return missing();
    }
    case Value::Kind::kObject: {
      STRATA_ASSIGN_OR_RETURN(Value item, obj.as_object()->GetItem(key));
      if (item.is_undefined() && !key.is_string()) return missing();
      return item;
    }
    default:
      return missing();
  }
}

Result<Value> Renderer::Eval(const Expr& e, const FramePtr& frame) {
  Result<Value> r = EvalInner(e, frame);
  if (!r.ok()) return Locate(r.status(), e);
  const Value& v = *r;
  if (v.is_string()) {
    if (Status s = CheckSize(v.as_string().size()); !s.ok()) return Locate(s, e);
  } else if (v.is_sequence()) {
    if (Status s = CheckSize(v.as_list()->size() * sizeof(Value)); !s.ok()) return Locate(s, e);
  }
  return r;
}

Status Renderer::BuildArgs(const Expr& e, size_t first_arg, const FramePtr& frame, CallArgs* args) {
  args->renderer = this;
  for (size_t i = first_arg; i < e.children.size(); ++i) {
    STRATA_ASSIGN_OR_RETURN(Value v, Eval(*e.children[i], frame));
    args->positional.push_back(std::move(v));
  }
  if (e.star_args) {
    STRATA_ASSIGN_OR_RETURN(Value v, Eval(*e.star_args, frame));
    Result<List> items = IterateValue(v);
    if (!items.ok()) return Locate(items.status(), *e.star_args);
    for (auto& item : *items) args->positional.push_back(std::move(item));
  }
  for (const auto& [name, value_expr] : e.kwargs) {
    STRATA_ASSIGN_OR_RETURN(Value v, Eval(*value_expr, frame));
    args->keyword.emplace_back(name, std::move(v));
  }
  if (e.star_kwargs) {
    STRATA_ASSIGN_OR_RETURN(Value v, Eval(*e.star_kwargs, frame));
    if (!v.is_dict()) return Fail(*e.star_kwargs, "argument after ** must be a mapping");
    for (const auto& [k, val] : v.as_dict()->items()) args->keyword.emplace_back(k.Str(), val);
  }
  return Status::OK();
}

Result<Value> Renderer::EvalCall(const Expr& e, const FramePtr& frame) {
  STRATA_ASSIGN_OR_RETURN(Value callee, Eval(*e.children[0], frame));
  CallArgs args;
  STRATA_RETURN_IF_ERROR(BuildArgs(e, 1, frame, &args));
  return CallValue(callee, args);
}

Result<Value> Renderer::EvalCompare(const Expr& e, const FramePtr& frame) {
  STRATA_ASSIGN_OR_RETURN(Value left, Eval(*e.children[0], frame));
  for (size_t i = 0; i < e.ops.size(); ++i) {
    STRATA_ASSIGN_OR_RETURN(Value right, Eval(*e.children[i + 1], frame));
    const std::string& op = e.ops[i];
    bool result = false;
    if (op == "==") {
      result = ValuesEqual(left, right);
    } else if (op == "!=") {
      result = !ValuesEqual(left, right);
    } else if (op == "in" || op == "notin") {
      STRATA_ASSIGN_OR_RETURN(result, Contains(right, left));
      if (op == "notin") result = !result;
    } else {
      if (left.is_undefined()) return UndefinedError(left);
      if (right.is_undefined()) return UndefinedError(right);
      if (op == "<") {
        STRATA_ASSIGN_OR_RETURN(result, ValueLess(left, right));
      } else if (op == ">") {
        STRATA_ASSIGN_OR_RETURN(result, ValueLess(right, left));
      } else if (op == "<=") {
        STRATA_ASSIGN_OR_RETURN(bool greater, ValueLess(right, left));
        result = !greater;
        if (!left.is_number() || !right.is_number()) result = !greater;
      } else if (op == ">=") {
        STRATA_ASSIGN_OR_RETURN(bool less, ValueLess(left, right));
        result = !less;
      }
    }
    if (!result) return Value::Bool(false);
    left = std::move(right);
  }
  return Value::Bool(true);
}

Result<Value> Renderer::EvalInner(const Expr& e, const FramePtr& frame) {
  switch (e.kind) {
    case Expr::Kind::kLiteral:
      return e.literal;
    case Expr::Kind::kName: {
      if (const Value* v = frame->Lookup(e.name)) return *v;
      if (context_) {
        if (const Value* v = context_->Lookup(e.name)) return *v;
      }
      auto it = env_.globals.find(e.name);
      if (it != env_.globals.end()) return it->second;
      return Value::Undefined(e.name);
    }
    case Expr::Kind::kList:
    case Expr::Kind::kTuple: {
      List items;
      items.reserve(e.children.size());
      for (const auto& child : e.children) {
        STRATA_ASSIGN_OR_RETURN(Value v, Eval(*child, frame));
        items.push_back(std::move(v));
      }
      return e.kind == Expr::Kind::kList ? Value::MakeList(std::move(items))
                                         : Value::MakeTuple(std::move(items));
    }
    case Expr::Kind::kDict: {
      Value dict = Value::MakeDict();
      for (size_t i = 0; i + 1 < e.children.size(); i += 2) {
        STRATA_ASSIGN_OR_RETURN(Value k, Eval(*e.children[i], frame));
        STRATA_ASSIGN_OR_RETURN(Value v, Eval(*e.children[i + 1], frame));
        if (!IsHashable(k))
          return Status::InvalidArgument("unhashable type: '" + k.TypeName() + "'");
        dict.as_dict()->Set(std::move(k), std::move(v));
      }
      return dict;
    }
    case Expr::Kind::kGetAttr: {
      STRATA_ASSIGN_OR_RETURN(Value obj, Eval(*e.children[0], frame));
      return GetAttr(obj, e.name);
    }
    case Expr::Kind::kGetItem: {
      STRATA_ASSIGN_OR_RETURN(Value obj, Eval(*e.children[0], frame));
      STRATA_ASSIGN_OR_RETURN(Value key, Eval(*e.children[1], frame));
      return GetItem(obj, key);
    }
    case Expr::Kind::kSlice: {
      STRATA_ASSIGN_OR_RETURN(Value obj, Eval(*e.children[0], frame));
      if (obj.is_undefined()) return UndefinedError(obj);
      std::optional<int64_t> parts[3];
      for (int i = 0; i < 3; ++i) {
        if (!e.children[i + 1]) continue;
        STRATA_ASSIGN_OR_RETURN(Value p, Eval(*e.children[i + 1], frame));
        if (p.is_none()) continue;
        if (!p.is_int() && !p.is_bool()) {
          return Status::InvalidArgument(
              "slice indices must be integers or None or have an __index__ method");
        }
        parts[i] = p.as_int();
      }
      int64_t step = parts[2].value_or(1);
      if (step == 0) return Status::InvalidArgument("slice step cannot be zero");
      std::vector<std::string> chars;
      int64_t n = 0;
      bool is_string = obj.is_string();
      if (is_string) {
        chars = Utf8Chars(obj.as_string());
        n = static_cast<int64_t>(chars.size());
      } else if (obj.is_sequence()) {
        n = static_cast<int64_t>(obj.as_list()->size());
      } else {
        return Status::InvalidArgument("'" + obj.TypeName() + "' object is not subscriptable");
      }
      auto clamp = [&](std::optional<int64_t> v, int64_t def_value) {
        if (!v) return def_value;
        int64_t x = *v;
        if (x < 0) x += n;
        if (step > 0) return std::clamp<int64_t>(x, 0, n);
        return std::clamp<int64_t>(x, -1, n - 1);
      };
      int64_t start = clamp(parts[0], step > 0 ? 0 : n - 1);
      int64_t stop = clamp(parts[1], step > 0 ? n : -1);
      std::string s_out;
      List l_out;
      for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
        if (is_string) {
          s_out += chars[static_cast<size_t>(i)];
        } else {
          l_out.push_back((*obj.as_list())[static_cast<size_t>(i)]);
        }
      }
      if (is_string) return Value::String(std::move(s_out));
      return obj.is_tuple() ? Value::MakeTuple(std::move(l_out))
                            : Value::MakeList(std::move(l_out));
    }
    case Expr::Kind::kCall:
      return EvalCall(e, frame);
    case Expr::Kind::kFilter: {
      Value operand;
      if (e.children[0]) {
        STRATA_ASSIGN_OR_RETURN(operand, Eval(*e.children[0], frame));
      } else if (block_value_ != nullptr) {
        operand = *block_value_;
      }
      CallArgs args;
      STRATA_RETURN_IF_ERROR(BuildArgs(e, 1, frame, &args));
      return ApplyFilter(e.name, operand, args);
    }
    case Expr::Kind::kBlockValue:
      return block_value_ != nullptr ? *block_value_ : Value::Undefined();
    case Expr::Kind::kTest: {
      STRATA_ASSIGN_OR_RETURN(Value operand, Eval(*e.children[0], frame));
      CallArgs args;
      STRATA_RETURN_IF_ERROR(BuildArgs(e, 1, frame, &args));
      STRATA_ASSIGN_OR_RETURN(bool result, ApplyTest(e.name, operand, args));
      return Value::Bool(result != e.negated);
    }
    case Expr::Kind::kUnary: {
      STRATA_ASSIGN_OR_RETURN(Value v, Eval(*e.children[0], frame));
      if (e.name == "not") return Value::Bool(!v.Truthy());
      if (v.is_undefined()) return UndefinedError(v);
      if (e.name == "-") {
        if (v.is_float()) return Value::Float(-v.as_double());
        if (v.is_int() || v.is_bool()) {
          if (v.as_int() == INT64_MIN) return Status::InvalidArgument("integer overflow");
          return Value::Int(-v.as_int());
        }
        return Status::InvalidArgument("bad operand type for unary -: '" + v.TypeName() + "'");
      }
      if (v.is_bool()) return Value::Int(v.as_int());
      if (v.is_number()) return v;
      return Status::InvalidArgument("bad operand type for unary +: '" + v.TypeName() + "'");
    }
    case Expr::Kind::kBinary: {
      STRATA_ASSIGN_OR_RETURN(Value a, Eval(*e.children[0], frame));
      STRATA_ASSIGN_OR_RETURN(Value b, Eval(*e.children[1], frame));
      if (a.is_undefined()) return UndefinedError(a);
      if (b.is_undefined()) return UndefinedError(b);
      if ((e.name == "*") && ((a.is_string() && b.is_int()) || (a.is_int() && b.is_string()))) {
        const Value& s = a.is_string() ? a : b;
        int64_t times = a.is_string() ? b.as_int() : a.as_int();
        if (times > 0)
          STRATA_RETURN_IF_ERROR(CheckSize(s.as_string().size() * static_cast<size_t>(times)));
      }
      if ((e.name == "*") && ((a.is_sequence() && b.is_int()) || (a.is_int() && b.is_sequence()))) {
        const Value& s = a.is_sequence() ? a : b;
        int64_t times = a.is_sequence() ? b.as_int() : a.as_int();
        if (times > 0)
          STRATA_RETURN_IF_ERROR(
              CheckSize(s.as_list()->size() * sizeof(Value) * static_cast<size_t>(times)));
      }
      return BinaryOp(e.name, a, b);
    }
    case Expr::Kind::kCompare:
      return EvalCompare(e, frame);
    case Expr::Kind::kAnd: {
      STRATA_ASSIGN_OR_RETURN(Value a, Eval(*e.children[0], frame));
      if (!a.Truthy()) return a;
      return Eval(*e.children[1], frame);
    }
    case Expr::Kind::kOr: {
      STRATA_ASSIGN_OR_RETURN(Value a, Eval(*e.children[0], frame));
      if (a.Truthy()) return a;
      return Eval(*e.children[1], frame);
    }
    case Expr::Kind::kCondExpr: {
      STRATA_ASSIGN_OR_RETURN(Value cond, Eval(*e.children[0], frame));
      if (cond.Truthy()) return Eval(*e.children[1], frame);
      if (e.children[2]) return Eval(*e.children[2], frame);
      return Value::Undefined(
          "", "the inline if-expression evaluated to false and no else section was defined.");
    }
    case Expr::Kind::kConcat: {
      std::string out;
      for (const auto& child : e.children) {
        STRATA_ASSIGN_OR_RETURN(Value v, Eval(*child, frame));
        v.AppendStr(&out);
        STRATA_RETURN_IF_ERROR(CheckSize(out.size()));
      }
      return Value::String(std::move(out));
    }
  }
  return Status::Internal("unknown expression");
}

}  // namespace strata::transform
