// Jinja2's builtin tests and global functions (range, dict, namespace,
// cycler, joiner) plus dbt's return().
#include <cmath>

#include "transform/jinja_internal.h"

namespace strata::transform {
namespace {

class Namespace : public Object {
 public:
  Namespace() : attributes_(std::make_shared<Dict>()) {}
  Value GetAttr(std::string_view name) override {
    if (const Value* v = attributes_->Find(name)) return *v;
    return Value::Undefined(std::string(name),
                            "'Namespace' object has no attribute '" + std::string(name) + "'");
  }
  Status SetAttr(std::string_view name, Value value) override {
    attributes_->Set(name, std::move(value));
    return Status::OK();
  }
  std::string TypeName() const override { return "Namespace"; }
  std::string Str() const override {
    return "<Namespace " + Value::FromDict(attributes_).Repr() + ">";
  }

 private:
  DictPtr attributes_;
};

class Cycler : public Object, public std::enable_shared_from_this<Cycler> {
 public:
  explicit Cycler(List items) : items_(std::move(items)) {}
  Value GetAttr(std::string_view name) override {
    auto self = shared_from_this();
    if (name == "current") return items_[position_];
    if (name == "next" || name == "__next__") {
      return MakeFunction("next", [self](CallArgs&) -> Result<Value> {
        Value v = self->items_[self->position_];
        self->position_ = (self->position_ + 1) % self->items_.size();
        return v;
      });
    }
    if (name == "reset") {
      return MakeFunction("reset", [self](CallArgs&) -> Result<Value> {
        self->position_ = 0;
        return Value::None();
      });
    }
    return Value::Undefined(std::string(name),
                            "'Cycler' object has no attribute '" + std::string(name) + "'");
  }
  std::string TypeName() const override { return "Cycler"; }

 private:
  List items_;
  size_t position_ = 0;
};

bool SameAs(const Value& a, const Value& b) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Value::Kind::kList:
    case Value::Kind::kTuple:
      return a.as_list() == b.as_list();
    case Value::Kind::kDict:
      return a.as_dict() == b.as_dict();
    case Value::Kind::kCallable:
      return a.as_callable() == b.as_callable();
    case Value::Kind::kObject:
      return a.as_object() == b.as_object();
    case Value::Kind::kUndefined:
      return false;
    default:
      return ValuesEqual(a, b);
  }
}

Result<bool> CompareTest(const std::string& op, const Value& v, CallArgs& a) {
  if (a.positional.empty()) return Status::InvalidArgument("test '" + op + "' needs an argument");
  const Value& other = a.positional[0];
  if (op == "eq") return ValuesEqual(v, other);
  if (op == "ne") return !ValuesEqual(v, other);
  if (v.is_undefined()) return UndefinedError(v);
  if (other.is_undefined()) return UndefinedError(other);
  if (op == "lt") return ValueLess(v, other);
  if (op == "gt") return ValueLess(other, v);
  if (op == "le") {
    STRATA_ASSIGN_OR_RETURN(bool gt, ValueLess(other, v));
    return !gt;
  }
  STRATA_ASSIGN_OR_RETURN(bool lt, ValueLess(v, other));
  return !lt;
}

Result<int64_t> NeedInt(const Value& v, const char* what) {
  if (v.is_int() || v.is_bool()) return v.as_int();
  return Status::InvalidArgument(std::string("'") + v.TypeName() +
                                 "' object cannot be interpreted as an integer (" + what + ")");
}

}  // namespace

void RegisterTests(EnvironmentData* env) {
  auto& t = env->tests;
  t["defined"] = [](const Value& v, CallArgs&) -> Result<bool> { return !v.is_undefined(); };
  t["undefined"] = [](const Value& v, CallArgs&) -> Result<bool> { return v.is_undefined(); };
  t["none"] = [](const Value& v, CallArgs&) -> Result<bool> { return v.is_none(); };
  t["number"] = [](const Value& v, CallArgs&) -> Result<bool> { return v.is_number(); };
  t["string"] = [](const Value& v, CallArgs&) -> Result<bool> { return v.is_string(); };
  t["mapping"] = [](const Value& v, CallArgs&) -> Result<bool> {
    return v.is_dict() || (v.is_object() && v.as_object()->IsMapping());
  };
  t["sequence"] = [](const Value& v, CallArgs&) -> Result<bool> {
    return v.is_string() || v.is_sequence() || v.is_dict();
  };
  t["iterable"] = [](const Value& v, CallArgs&) -> Result<bool> {
    return v.is_string() || v.is_sequence() || v.is_dict() || v.is_undefined();
  };
  t["callable"] = [](const Value& v, CallArgs&) -> Result<bool> { return v.is_callable(); };
  t["boolean"] = [](const Value& v, CallArgs&) -> Result<bool> { return v.is_bool(); };
  t["integer"] = [](const Value& v, CallArgs&) -> Result<bool> { return v.is_int(); };
  t["float"] = [](const Value& v, CallArgs&) -> Result<bool> { return v.is_float(); };
  t["true"] = [](const Value& v, CallArgs&) -> Result<bool> { return v.is_bool() && v.as_bool(); };
  t["false"] = [](const Value& v, CallArgs&) -> Result<bool> {
    return v.is_bool() && !v.as_bool();
  };
  t["even"] = [](const Value& v, CallArgs&) -> Result<bool> {
    if (v.is_float()) return std::fmod(v.as_double(), 2.0) == 0.0;
    STRATA_ASSIGN_OR_RETURN(int64_t n, NeedInt(v, "even"));
    return n % 2 == 0;
  };
  t["odd"] = [](const Value& v, CallArgs&) -> Result<bool> {
    if (v.is_float()) return std::fabs(std::fmod(v.as_double(), 2.0)) == 1.0;
    STRATA_ASSIGN_OR_RETURN(int64_t n, NeedInt(v, "odd"));
    return n % 2 != 0;
  };
  t["divisibleby"] = [](const Value& v, CallArgs& a) -> Result<bool> {
    if (a.positional.empty()) return Status::InvalidArgument("divisibleby needs an argument");
    STRATA_ASSIGN_OR_RETURN(Value m, BinaryOp("%", v, a.positional[0]));
    return ValuesEqual(m, Value::Int(0));
  };
  for (const char* op : {"eq", "ne", "lt", "gt", "le", "ge"}) {
    std::string name = op;
    t[name] = [name](const Value& v, CallArgs& a) { return CompareTest(name, v, a); };
  }
  t["equalto"] = t["eq"];
  t["=="] = t["eq"];
  t["!="] = t["ne"];
  t["lessthan"] = t["lt"];
  t["<"] = t["lt"];
  t["greaterthan"] = t["gt"];
  t[">"] = t["gt"];
  t["<="] = t["le"];
  t[">="] = t["ge"];
  t["in"] = [](const Value& v, CallArgs& a) -> Result<bool> {
    if (a.positional.empty()) return Status::InvalidArgument("in needs an argument");
    return Contains(a.positional[0], v);
  };
  t["sameas"] = [](const Value& v, CallArgs& a) -> Result<bool> {
    if (a.positional.empty()) return Status::InvalidArgument("sameas needs an argument");
    return SameAs(v, a.positional[0]);
  };
  t["lower"] = [](const Value& v, CallArgs&) -> Result<bool> {
    std::string s = v.Str();
    bool cased = false;
    for (unsigned char c : s) {
      if (std::isupper(c)) return false;
      if (std::islower(c)) cased = true;
    }
    return cased;
  };
  t["upper"] = [](const Value& v, CallArgs&) -> Result<bool> {
    std::string s = v.Str();
    bool cased = false;
    for (unsigned char c : s) {
      if (std::islower(c)) return false;
      if (std::isupper(c)) cased = true;
    }
    return cased;
  };
  t["escaped"] = [](const Value&, CallArgs&) -> Result<bool> { return false; };
}

void RegisterGlobals(EnvironmentData* env) {
  auto& g = env->globals;
  const size_t max_range = 10'000'000;
  g["range"] = MakeFunction("range", [max_range](CallArgs& a) -> Result<Value> {
    if (a.positional.empty() || a.positional.size() > 3) {
      return Status::InvalidArgument("range expected at most 3 arguments, got " +
                                     std::to_string(a.positional.size()));
    }
    int64_t start = 0, stop = 0, step = 1;
    std::vector<int64_t> n;
    for (const Value& v : a.positional) {
      STRATA_ASSIGN_OR_RETURN(int64_t x, NeedInt(v, "range"));
      n.push_back(x);
    }
    if (n.size() == 1) {
      stop = n[0];
    } else {
      start = n[0];
      stop = n[1];
      if (n.size() == 3) step = n[2];
    }
    if (step == 0) return Status::InvalidArgument("range() arg 3 must not be zero");
    List out;
    for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
      if (out.size() >= max_range) return Status::InvalidArgument("range too big");
      out.push_back(Value::Int(i));
    }
    return Value::MakeList(std::move(out));
  });
  g["dict"] = MakeFunction("dict", [](CallArgs& a) -> Result<Value> {
    Value d = Value::MakeDict();
    if (!a.positional.empty()) {
      CallArgs update;
      update.positional.push_back(a.positional[0]);
      STRATA_ASSIGN_OR_RETURN(Value ignored, LookupMethod(d, "update").as_callable()->Call(update));
      (void)ignored;
    }
    for (const auto& [k, v] : a.keyword) d.as_dict()->Set(k, v);
    return d;
  });
  g["namespace"] = MakeFunction("namespace", [](CallArgs& a) -> Result<Value> {
    auto ns = std::make_shared<Namespace>();
    if (!a.positional.empty()) {
      if (!a.positional[0].is_dict())
        return Status::InvalidArgument("namespace() argument must be a mapping");
      for (const auto& [k, v] : a.positional[0].as_dict()->items())
        STRATA_RETURN_IF_ERROR(ns->SetAttr(k.Str(), v));
    }
    for (const auto& [k, v] : a.keyword) STRATA_RETURN_IF_ERROR(ns->SetAttr(k, v));
    return Value::FromObject(ns);
  });
  g["cycler"] = MakeFunction("cycler", [](CallArgs& a) -> Result<Value> {
    if (a.positional.empty())
      return Status::InvalidArgument("at least one item has to be provided");
    return Value::FromObject(std::make_shared<Cycler>(a.positional));
  });
  g["joiner"] = MakeFunction("joiner", [](CallArgs& a) -> Result<Value> {
    std::string sep = a.positional.empty() ? ", " : a.positional[0].Str();
    auto used = std::make_shared<bool>(false);
    return MakeFunction("joiner", [sep, used](CallArgs&) -> Result<Value> {
      if (!*used) {
        *used = true;
        return Value::String("");
      }
      return Value::String(sep);
    });
  });
  g["return"] = MakeFunction("return", [](CallArgs& a) -> Result<Value> {
    if (a.renderer == nullptr) return Status::InvalidArgument("return() called outside a render");
    return a.renderer->SignalReturn(a.positional.empty() ? Value::None() : a.positional[0]);
  });
  g["modules"] = MakeModules(env->options);
}

}  // namespace strata::transform
