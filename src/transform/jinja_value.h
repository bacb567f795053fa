// Values of the Jinja engine: Python's object model, reduced to what Jinja
// templates see (None, bool, int, float, str, list, tuple, dict, callables and
// attribute-bearing objects) plus Jinja2's default Undefined.
//
// Lists and dicts are shared by reference, as in Python: `x.append(1)` changes
// every Value that refers to the same list. Values are not thread-safe; a
// render owns the values it creates.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/status.h"

namespace strata::transform {

class Value;
class Dict;
class Object;
class Callable;
class Renderer;  // internal: one render in progress

using List = std::vector<Value>;
using ListPtr = std::shared_ptr<List>;
using DictPtr = std::shared_ptr<Dict>;
using ObjectPtr = std::shared_ptr<Object>;
using CallablePtr = std::shared_ptr<Callable>;

class Value {
 public:
  enum class Kind {
    kUndefined,
    kNone,
    kBool,
    kInt,
    kFloat,
    kString,
    kList,
    kTuple,
    kDict,
    kCallable,
    kObject
  };

  Value() : kind_(Kind::kUndefined) {}  // an Undefined without a name
  static Value Undefined(std::string name = {}, std::string hint = {});
  static Value None() { return Value(Kind::kNone); }
  static Value Bool(bool b) {
    Value v(Kind::kBool);
    v.data_ = b;
    return v;
  }
  static Value Int(int64_t i) {
    Value v(Kind::kInt);
    v.data_ = i;
    return v;
  }
  static Value Float(double d) {
    Value v(Kind::kFloat);
    v.data_ = d;
    return v;
  }
  static Value String(std::string s) {
    Value v(Kind::kString);
    v.data_ = std::move(s);
    return v;
  }
  static Value MakeList(List items = {});
  static Value MakeTuple(List items = {});
  // groupby's (grouper, list) pair: a tuple that also has those attributes.
  static Value MakeGroupTuple(Value grouper, Value list) {
    Value v = MakeTuple({std::move(grouper), std::move(list)});
    v.hint_ = "_GroupTuple";
    return v;
  }
  // A string marked safe (Jinja2's Markup, from escape/safe/tojson):
  // escaping it again leaves it as it is.
  static Value SafeString(std::string s) {
    Value v = String(std::move(s));
    v.hint_ = "Markup";
    return v;
  }
  bool is_safe_string() const { return kind_ == Kind::kString && hint_ == "Markup"; }
  bool is_group_tuple() const { return kind_ == Kind::kTuple && hint_ == "_GroupTuple"; }
  static Value FromList(ListPtr list) {
    Value v(Kind::kList);
    v.data_ = std::move(list);
    return v;
  }
  static Value MakeDict();
  static Value FromDict(DictPtr dict) {
    Value v(Kind::kDict);
    v.data_ = std::move(dict);
    return v;
  }
  static Value FromCallable(CallablePtr fn) {
    Value v(Kind::kCallable);
    v.data_ = std::move(fn);
    return v;
  }
  static Value FromObject(ObjectPtr obj) {
    Value v(Kind::kObject);
    v.data_ = std::move(obj);
    return v;
  }

  Kind kind() const { return kind_; }
  bool is_undefined() const { return kind_ == Kind::kUndefined; }
  bool is_none() const { return kind_ == Kind::kNone; }
  bool is_bool() const { return kind_ == Kind::kBool; }
  bool is_int() const { return kind_ == Kind::kInt; }
  bool is_float() const { return kind_ == Kind::kFloat; }
  bool is_number() const {
    return kind_ == Kind::kInt || kind_ == Kind::kFloat || kind_ == Kind::kBool;
  }
  bool is_string() const { return kind_ == Kind::kString; }
  bool is_list() const { return kind_ == Kind::kList; }
  bool is_tuple() const { return kind_ == Kind::kTuple; }
  bool is_sequence() const { return kind_ == Kind::kList || kind_ == Kind::kTuple; }
  bool is_dict() const { return kind_ == Kind::kDict; }
  bool is_callable() const { return kind_ == Kind::kCallable; }
  bool is_object() const { return kind_ == Kind::kObject; }

  // Accessors; each requires the matching kind (checked by assert).
  bool as_bool() const { return std::get<bool>(data_); }
  int64_t as_int() const {
    return kind_ == Kind::kBool ? (as_bool() ? 1 : 0) : std::get<int64_t>(data_);
  }
  double as_double() const;  // int, bool or float as a double
  const std::string& as_string() const { return std::get<std::string>(data_); }
  // For an Undefined: the name it was looked up by ("" when anonymous).
  const std::string& undefined_name() const { return std::get<std::string>(data_); }
  const std::string& undefined_hint() const { return hint_; }
  const ListPtr& as_list() const { return std::get<ListPtr>(data_); }
  const DictPtr& as_dict() const { return std::get<DictPtr>(data_); }
  const CallablePtr& as_callable() const { return std::get<CallablePtr>(data_); }
  const ObjectPtr& as_object() const { return std::get<ObjectPtr>(data_); }

  // Python's bool(x).
  bool Truthy() const;
  // Python's str(x) and repr(x); an Undefined prints as "".
  std::string Str() const;
  std::string Repr() const;
  void AppendStr(std::string* out) const;
  void AppendRepr(std::string* out) const;
  // The Python type name used in error messages ("int", "str", "dict", ...).
  std::string TypeName() const;

 private:
  explicit Value(Kind kind) : kind_(kind) {}
  Kind kind_;
  std::variant<std::monostate, bool, int64_t, double, std::string, ListPtr, DictPtr, CallablePtr,
               ObjectPtr>
      data_;
  std::string
      hint_;  // for Undefined: why it is undefined, e.g. "'dict object' has no attribute 'x'"
};

// Python's ==, as Jinja's `==` and `in` use it (1 == 1.0 == True).
bool ValuesEqual(const Value& a, const Value& b);
// Python's <; an error for unorderable pairs ("'<' not supported between ...").
Result<bool> ValueLess(const Value& a, const Value& b);
// Python's hash-compatible key for dict lookups ("" when the value is not hashable).
bool IsHashable(const Value& v);

// An insertion-ordered dict, as Python's.
class Dict {
 public:
  // The value stored at `key`, or nullptr.
  const Value* Find(const Value& key) const;
  Value* Find(const Value& key);
  const Value* Find(std::string_view key) const;
  // Inserts or replaces, keeping the first insertion's position.
  void Set(Value key, Value value);
  void Set(std::string_view key, Value value) {
    Set(Value::String(std::string(key)), std::move(value));
  }
  // Removes `key`; returns whether it was present.
  bool Erase(const Value& key);
  size_t size() const { return items_.size(); }
  const std::vector<std::pair<Value, Value>>& items() const { return items_; }

 private:
  std::vector<std::pair<Value, Value>> items_;
};

// Arguments of a call: positional, then keyword, in call order.
struct CallArgs {
  std::vector<Value> positional;
  std::vector<std::pair<std::string, Value>> keyword;
  Renderer* renderer = nullptr;  // the render making the call (internal use)

  // The keyword argument `name`, or nullptr.
  const Value* Keyword(std::string_view name) const;
  // Positional `index`, else keyword `name`, else nullptr.
  const Value* Get(size_t index, std::string_view name) const;
};

// A function templates can call: a macro, a builtin, or one the embedder
// registers. Call returns the result or the error (without location: the
// engine adds "template:line:col:").
class Callable {
 public:
  virtual ~Callable() = default;
  virtual Result<Value> Call(CallArgs& args) = 0;
  virtual std::string Name() const = 0;
  // Attributes of the callable itself (a macro's `name`); Undefined by default.
  virtual Value GetAttr(std::string_view name) { return Value::Undefined(std::string(name)); }
};

using NativeFunction = std::function<Result<Value>(CallArgs& args)>;

// Wraps a C++ function as a callable Value named `name`.
Value MakeFunction(std::string name, NativeFunction fn);

// An object with attributes: namespaces, loop, cycler, modules, regex
// matches, datetimes. Subclasses override what they support.
class Object {
 public:
  virtual ~Object() = default;
  // The attribute `name`, or an Undefined.
  virtual Value GetAttr(std::string_view name) = 0;
  // Sets attribute `name`; an error when the object does not allow it.
  virtual Status SetAttr(std::string_view name, Value value) {
    return Status::InvalidArgument("cannot assign attribute on non-namespace object");
  }
  virtual std::string TypeName() const = 0;
  // `obj[key]`: by default a string key reads the attribute, any other key is
  // missing (an Undefined). Objects that index by position override it.
  virtual Result<Value> GetItem(const Value& key) {
    if (key.is_string()) return GetAttr(key.as_string());
    return Value::Undefined(key.Str());
  }
  virtual std::string Str() const { return "<" + TypeName() + " object>"; }
  // Binary operators and comparisons the object supports; nullopt-like
  // NotSupported status when it does not.
  virtual Result<Value> BinaryOp(std::string_view op, const Value& other, bool reflected) {
    return Status::NotSupported("unsupported operand");
  }
  virtual bool Equals(const Object& other) const { return this == &other; }
  virtual Result<bool> Less(const Object& other) const {
    return Status::InvalidArgument("'<' not supported");
  }
};

// An object whose attributes are a fixed dict (modules, dbt's `target`).
class AttributeObject : public Object {
 public:
  AttributeObject(std::string type_name, DictPtr attributes)
      : type_name_(std::move(type_name)), attributes_(std::move(attributes)) {}
  Value GetAttr(std::string_view name) override;
  std::string TypeName() const override { return type_name_; }

 private:
  std::string type_name_;
  DictPtr attributes_;
};

// Formats a double as Python's repr(float) does (1.0, 0.1, 1e+20, inf, nan).
std::string FormatPythonFloat(double d);
// Appends `s` quoted as Python's repr(str) does.
void AppendPythonStringRepr(std::string_view s, std::string* out);

}  // namespace strata::transform
