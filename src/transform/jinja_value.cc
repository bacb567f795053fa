#include "transform/jinja_value.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace strata::transform {

Value Value::Undefined(std::string name, std::string hint) {
  Value v(Kind::kUndefined);
  v.data_ = std::move(name);
  v.hint_ = std::move(hint);
  return v;
}

Value Value::MakeList(List items) {
  Value v(Kind::kList);
  v.data_ = std::make_shared<List>(std::move(items));
  return v;
}

Value Value::MakeTuple(List items) {
  Value v(Kind::kTuple);
  v.data_ = std::make_shared<List>(std::move(items));
  return v;
}

Value Value::MakeDict() {
  Value v(Kind::kDict);
  v.data_ = std::make_shared<Dict>();
  return v;
}

double Value::as_double() const {
  switch (kind_) {
    case Kind::kFloat:
      return std::get<double>(data_);
    case Kind::kInt:
      return static_cast<double>(std::get<int64_t>(data_));
    case Kind::kBool:
      return as_bool() ? 1.0 : 0.0;
    default:
      return 0.0;
  }
}

bool Value::Truthy() const {
  switch (kind_) {
    case Kind::kUndefined:
    case Kind::kNone:
      return false;
    case Kind::kBool:
      return as_bool();
    case Kind::kInt:
      return as_int() != 0;
    case Kind::kFloat:
      return as_double() != 0.0;
    case Kind::kString:
      return !as_string().empty();
    case Kind::kList:
    case Kind::kTuple:
      return !as_list()->empty();
    case Kind::kDict:
      return as_dict()->size() != 0;
    default:
      return true;
  }
}

std::string Value::TypeName() const {
  switch (kind_) {
    case Kind::kUndefined:
      return "Undefined";
    case Kind::kNone:
      return "NoneType";
    case Kind::kBool:
      return "bool";
    case Kind::kInt:
      return "int";
    case Kind::kFloat:
      return "float";
    case Kind::kString:
      return "str";
    case Kind::kList:
      return "list";
    case Kind::kTuple:
      return "tuple";
    case Kind::kDict:
      return "dict";
    case Kind::kCallable:
      return "function";
    case Kind::kObject:
      return as_object()->TypeName();
  }
  return "object";
}

std::string FormatPythonFloat(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d < 0 ? "-inf" : "inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), d, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  bool negative = false;
  size_t pos = 0;
  if (sci[0] == '-') {
    negative = true;
    pos = 1;
  }
  size_t e = sci.find('e');
  std::string digits;
  for (size_t i = pos; i < e; ++i) {
    if (sci[i] != '.') digits += sci[i];
  }
  int exponent = std::stoi(sci.substr(e + 1));
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  int decpt = exponent + 1;  // value = 0.DIGITS * 10^decpt
  std::string out = negative ? "-" : "";
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) {
      out += "0.";
      out.append(static_cast<size_t>(-decpt), '0');
      out += digits;
    } else if (static_cast<size_t>(decpt) >= digits.size()) {
      out += digits;
      out.append(static_cast<size_t>(decpt) - digits.size(), '0');
      out += ".0";
    } else {
      out += digits.substr(0, decpt);
      out += '.';
      out += digits.substr(decpt);
    }
    return out;
  }
  out += digits[0];
  if (digits.size() > 1) {
    out += '.';
    out += digits.substr(1);
  }
  char exp_buf[16];
  std::snprintf(exp_buf, sizeof(exp_buf), "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
  out += exp_buf;
  return out;
}

void AppendPythonStringRepr(std::string_view s, std::string* out) {
  char quote = '\'';
  if (s.find('\'') != std::string_view::npos && s.find('"') == std::string_view::npos) quote = '"';
  out->push_back(quote);
  for (unsigned char c : s) {
    if (c == '\\') {
      out->append("\\\\");
    } else if (c == static_cast<unsigned char>(quote)) {
      out->push_back('\\');
      out->push_back(static_cast<char>(c));
    } else if (c == '\n') {
      out->append("\\n");
    } else if (c == '\r') {
      out->append("\\r");
    } else if (c == '\t') {
      out->append("\\t");
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out->append(buf);
    } else {
      out->push_back(static_cast<char>(c));
    }
  }
  out->push_back(quote);
}

namespace {
void AppendSequence(const List& items, bool tuple, std::string* out) {
  out->push_back(tuple ? '(' : '[');
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out->append(", ");
    items[i].AppendRepr(out);
  }
  if (tuple && items.size() == 1) out->push_back(',');
  out->push_back(tuple ? ')' : ']');
}
}  // namespace

void Value::AppendStr(std::string* out) const {
  switch (kind_) {
    case Kind::kUndefined:
      return;
    case Kind::kString:
      out->append(as_string());
      return;
    default:
      AppendRepr(out);
  }
}

namespace {
// Containers can hold themselves (`l.append(l)`); Python prints "[...]".
thread_local int repr_depth = 0;
struct ReprDepth {
  ReprDepth() { ++repr_depth; }
  ~ReprDepth() { --repr_depth; }
};
}  // namespace

void Value::AppendRepr(std::string* out) const {
  ReprDepth depth;
  if (repr_depth > 64 && (kind_ == Kind::kList || kind_ == Kind::kTuple || kind_ == Kind::kDict)) {
    out->append(kind_ == Kind::kDict ? "{...}" : "[...]");
    return;
  }
  switch (kind_) {
    case Kind::kUndefined:
      out->append("Undefined");
      return;
    case Kind::kNone:
      out->append("None");
      return;
    case Kind::kBool:
      out->append(as_bool() ? "True" : "False");
      return;
    case Kind::kInt: {
      char buf[32];
      auto res = std::to_chars(buf, buf + sizeof(buf), std::get<int64_t>(data_));
      out->append(buf, res.ptr);
      return;
    }
    case Kind::kFloat:
      out->append(FormatPythonFloat(as_double()));
      return;
    case Kind::kString:
      AppendPythonStringRepr(as_string(), out);
      return;
    case Kind::kList:
      AppendSequence(*as_list(), false, out);
      return;
    case Kind::kTuple:
      AppendSequence(*as_list(), true, out);
      return;
    case Kind::kDict: {
      out->push_back('{');
      bool first = true;
      for (const auto& [k, v] : as_dict()->items()) {
        if (!first) out->append(", ");
        first = false;
        k.AppendRepr(out);
        out->append(": ");
        v.AppendRepr(out);
      }
      out->push_back('}');
      return;
    }
    case Kind::kCallable:
      out->append("<function " + as_callable()->Name() + ">");
      return;
    case Kind::kObject:
      out->append(as_object()->Str());
      return;
  }
}

std::string Value::Str() const {
  if (kind_ == Kind::kString) return as_string();
  std::string out;
  AppendStr(&out);
  return out;
}

std::string Value::Repr() const {
  std::string out;
  AppendRepr(&out);
  return out;
}

bool ValuesEqual(const Value& a, const Value& b) {
  using K = Value::Kind;
  if (a.is_number() && b.is_number()) {
    if (a.is_float() || b.is_float()) return a.as_double() == b.as_double();
    return a.as_int() == b.as_int();
  }
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case K::kUndefined:
    case K::kNone:
      return true;
    case K::kString:
      return a.as_string() == b.as_string();
    case K::kList:
    case K::kTuple: {
      if (a.as_list() == b.as_list()) return true;
      ReprDepth depth;
      if (repr_depth > 64) return false;
      const List& x = *a.as_list();
      const List& y = *b.as_list();
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i) {
        if (!ValuesEqual(x[i], y[i])) return false;
      }
      return true;
    }
    case K::kDict: {
      if (a.as_dict() == b.as_dict()) return true;
      ReprDepth depth;
      if (repr_depth > 64) return false;
      const Dict& x = *a.as_dict();
      const Dict& y = *b.as_dict();
      if (x.size() != y.size()) return false;
      for (const auto& [k, v] : x.items()) {
        const Value* other = y.Find(k);
        if (other == nullptr || !ValuesEqual(v, *other)) return false;
      }
      return true;
    }
    case K::kCallable:
      return a.as_callable() == b.as_callable();
    case K::kObject:
      return a.as_object()->Equals(*b.as_object());
    default:
      return false;
  }
}

Result<bool> ValueLess(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_float() || b.is_float()) return a.as_double() < b.as_double();
    return a.as_int() < b.as_int();
  }
  if (a.is_string() && b.is_string()) return a.as_string() < b.as_string();
  if (a.kind() == b.kind() && a.is_sequence()) {
    ReprDepth depth;
    if (repr_depth > 64)
      return Status::InvalidArgument("maximum recursion depth exceeded in comparison");
    const List& x = *a.as_list();
    const List& y = *b.as_list();
    for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
      if (ValuesEqual(x[i], y[i])) continue;
      return ValueLess(x[i], y[i]);
    }
    return x.size() < y.size();
  }
  if (a.is_object() && b.is_object()) return a.as_object()->Less(*b.as_object());
  return Status::InvalidArgument("'<' not supported between instances of '" + a.TypeName() +
                                 "' and '" + b.TypeName() + "'");
}

bool IsHashable(const Value& v) {
  if (v.is_list() || v.is_dict()) return false;
  if (v.is_tuple()) {
    for (const Value& item : *v.as_list()) {
      if (!IsHashable(item)) return false;
    }
  }
  return true;
}

const Value* Dict::Find(const Value& key) const {
  if (key.is_string()) return Find(std::string_view(key.as_string()));
  for (const auto& [k, v] : items_) {
    if (ValuesEqual(k, key)) return &v;
  }
  return nullptr;
}

Value* Dict::Find(const Value& key) {
  return const_cast<Value*>(static_cast<const Dict*>(this)->Find(key));
}

const Value* Dict::Find(std::string_view key) const {
  for (const auto& [k, v] : items_) {
    if (k.is_string() && k.as_string() == key) return &v;
  }
  return nullptr;
}

void Dict::Set(Value key, Value value) {
  if (Value* existing = Find(key)) {
    *existing = std::move(value);
    return;
  }
  items_.emplace_back(std::move(key), std::move(value));
}

bool Dict::Erase(const Value& key) {
  for (auto it = items_.begin(); it != items_.end(); ++it) {
    if (ValuesEqual(it->first, key)) {
      items_.erase(it);
      return true;
    }
  }
  return false;
}

const Value* CallArgs::Keyword(std::string_view name) const {
  for (const auto& [k, v] : keyword) {
    if (k == name) return &v;
  }
  return nullptr;
}

const Value* CallArgs::Get(size_t index, std::string_view name) const {
  if (index < positional.size()) return &positional[index];
  return Keyword(name);
}

namespace {
class NativeCallable : public Callable {
 public:
  NativeCallable(std::string name, NativeFunction fn)
      : name_(std::move(name)), fn_(std::move(fn)) {}
  Result<Value> Call(CallArgs& args) override { return fn_(args); }
  std::string Name() const override { return name_; }

 private:
  std::string name_;
  NativeFunction fn_;
};
}  // namespace

Value MakeFunction(std::string name, NativeFunction fn) {
  return Value::FromCallable(std::make_shared<NativeCallable>(std::move(name), std::move(fn)));
}

Value AttributeObject::GetAttr(std::string_view name) {
  if (const Value* v = attributes_->Find(name)) return *v;
  return Value::Undefined(std::string(name), "'" + type_name_ + "' object has no attribute '" +
                                                 std::string(name) + "'");
}

}  // namespace strata::transform
