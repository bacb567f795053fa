// Python's operators, iteration, len() and string formatting over Values.
#include <cmath>
#include <cstdio>

#include "transform/jinja_internal.h"

namespace strata::transform {

bool IsAscii(std::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80) return false;
  }
  return true;
}

std::vector<std::string> Utf8Chars(std::string_view s) {
  std::vector<std::string> out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xE  ? 3
                 : (c >> 3) == 0x1E ? 4
                                    : 1;
    if (i + len > s.size()) len = s.size() - i;
    out.emplace_back(s.substr(i, len));
    i += len;
  }
  return out;
}

int64_t Utf8Length(std::string_view s) {
  int64_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

Status UndefinedError(const Value& undefined) {
  if (!undefined.undefined_hint().empty())
    return Status::InvalidArgument(undefined.undefined_hint());
  if (!undefined.undefined_name().empty()) {
    return Status::InvalidArgument("'" + undefined.undefined_name() + "' is undefined");
  }
  return Status::InvalidArgument("value is undefined");
}

Result<List> IterateValue(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kUndefined:
      return List{};
    case Value::Kind::kList:
    case Value::Kind::kTuple:
      return *v.as_list();
    case Value::Kind::kDict: {
      List keys;
      keys.reserve(v.as_dict()->size());
      for (const auto& [k, val] : v.as_dict()->items()) keys.push_back(k);
      return keys;
    }
    case Value::Kind::kString: {
      List chars;
      for (auto& c : Utf8Chars(v.as_string())) chars.push_back(Value::String(std::move(c)));
      return chars;
    }
    default:
      return Status::InvalidArgument("'" + v.TypeName() + "' object is not iterable");
  }
}

Result<int64_t> ValueLength(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kUndefined:
      return int64_t{0};
    case Value::Kind::kString:
      return Utf8Length(v.as_string());
    case Value::Kind::kList:
    case Value::Kind::kTuple:
      return static_cast<int64_t>(v.as_list()->size());
    case Value::Kind::kDict:
      return static_cast<int64_t>(v.as_dict()->size());
    default:
      return Status::InvalidArgument("object of type '" + v.TypeName() + "' has no len()");
  }
}

Result<bool> Contains(const Value& container, const Value& item) {
  switch (container.kind()) {
    case Value::Kind::kUndefined:
      return false;
    case Value::Kind::kString:
      if (!item.is_string()) {
        return Status::InvalidArgument("'in <string>' requires string as left operand, not " +
                                       item.TypeName());
      }
      return container.as_string().find(item.as_string()) != std::string::npos;
    case Value::Kind::kList:
    case Value::Kind::kTuple:
      for (const Value& v : *container.as_list()) {
        if (ValuesEqual(v, item)) return true;
      }
      return false;
    case Value::Kind::kDict:
      if (!IsHashable(item))
        return Status::InvalidArgument("unhashable type: '" + item.TypeName() + "'");
      return container.as_dict()->Find(item) != nullptr;
    default:
      return Status::InvalidArgument("argument of type '" + container.TypeName() +
                                     "' is not iterable");
  }
}

namespace {

Status Unsupported(const std::string& op, const Value& a, const Value& b) {
  return Status::InvalidArgument("unsupported operand type(s) for " + op + ": '" + a.TypeName() +
                                 "' and '" + b.TypeName() + "'");
}

Result<Value> Repeat(const Value& seq, int64_t times) {
  if (seq.is_string()) {
    std::string out;
    for (int64_t i = 0; i < times; ++i) out += seq.as_string();
    return Value::String(std::move(out));
  }
  List out;
  for (int64_t i = 0; i < times; ++i)
    out.insert(out.end(), seq.as_list()->begin(), seq.as_list()->end());
  return seq.is_tuple() ? Value::MakeTuple(std::move(out)) : Value::MakeList(std::move(out));
}

double PyFloatMod(double a, double b) {
  double mod = std::fmod(a, b);
  if (mod != 0.0) {
    if ((b < 0) != (mod < 0)) mod += b;
  } else {
    mod = std::copysign(0.0, b);
  }
  return mod;
}

double PyFloatFloorDiv(double a, double b) {
  double mod = std::fmod(a, b);
  double div = (a - mod) / b;
  if (mod != 0.0 && ((b < 0) != (mod < 0))) div -= 1.0;
  if (div != 0.0) {
    double floordiv = std::floor(div);
    if (div - floordiv > 0.5) floordiv += 1.0;
    return floordiv;
  }
  return std::copysign(0.0, a / b);
}

}  // namespace

Result<Value> BinaryOp(const std::string& op, const Value& a, const Value& b) {
  if (a.is_object()) {
    Result<Value> r = a.as_object()->BinaryOp(op, b, false);
    if (r.ok() || r.status().code() != StatusCode::kNotSupported) return r;
  }
  if (b.is_object()) {
    Result<Value> r = b.as_object()->BinaryOp(op, a, true);
    if (r.ok() || r.status().code() != StatusCode::kNotSupported) return r;
  }
  bool nums = a.is_number() && b.is_number();
  bool ints = nums && !a.is_float() && !b.is_float();
  if (op == "+") {
    if (ints) {
      int64_t r;
      if (__builtin_add_overflow(a.as_int(), b.as_int(), &r))
        return Status::InvalidArgument("integer overflow");
      return Value::Int(r);
    }
    if (nums) return Value::Float(a.as_double() + b.as_double());
    if (a.is_string() && b.is_string()) return Value::String(a.as_string() + b.as_string());
    if (a.kind() == b.kind() && a.is_sequence()) {
      List out = *a.as_list();
      out.insert(out.end(), b.as_list()->begin(), b.as_list()->end());
      return a.is_tuple() ? Value::MakeTuple(std::move(out)) : Value::MakeList(std::move(out));
    }
    if (a.is_string() || b.is_string()) {
      const Value& other = a.is_string() ? b : a;
      return Status::InvalidArgument(a.is_string() ? "can only concatenate str (not \"" +
                                                         other.TypeName() + "\") to str"
                                                   : Unsupported(op, a, b).message());
    }
    return Unsupported(op, a, b);
  }
  if (op == "-") {
    if (ints) {
      int64_t r;
      if (__builtin_sub_overflow(a.as_int(), b.as_int(), &r))
        return Status::InvalidArgument("integer overflow");
      return Value::Int(r);
    }
    if (nums) return Value::Float(a.as_double() - b.as_double());
    return Unsupported(op, a, b);
  }
  if (op == "*") {
    if (ints) {
      int64_t r;
      if (__builtin_mul_overflow(a.as_int(), b.as_int(), &r))
        return Status::InvalidArgument("integer overflow");
      return Value::Int(r);
    }
    if (nums) return Value::Float(a.as_double() * b.as_double());
    if ((a.is_string() || a.is_sequence()) && (b.is_int() || b.is_bool()))
      return Repeat(a, b.as_int());
    if ((b.is_string() || b.is_sequence()) && (a.is_int() || a.is_bool()))
      return Repeat(b, a.as_int());
    return Status::InvalidArgument("can't multiply sequence by non-int of type '" +
                                   (a.is_number() ? a.TypeName() : b.TypeName()) + "'");
  }
  if (op == "/") {
    if (!nums) return Unsupported(op, a, b);
    if (b.as_double() == 0.0) return Status::InvalidArgument("division by zero");
    return Value::Float(a.as_double() / b.as_double());
  }
  if (op == "//") {
    if (!nums) return Unsupported(op, a, b);
    if (ints) {
      int64_t x = a.as_int(), y = b.as_int();
      if (y == 0) return Status::InvalidArgument("integer division or modulo by zero");
      if (x == INT64_MIN && y == -1) return Status::InvalidArgument("integer overflow");
      int64_t q = x / y;
      if ((x % y != 0) && ((x < 0) != (y < 0))) --q;
      return Value::Int(q);
    }
    if (b.as_double() == 0.0) return Status::InvalidArgument("float floor division by zero");
    return Value::Float(PyFloatFloorDiv(a.as_double(), b.as_double()));
  }
  if (op == "%") {
    if (a.is_string()) return PercentFormat(a.as_string(), b);
    if (!nums) return Unsupported(op, a, b);
    if (ints) {
      int64_t x = a.as_int(), y = b.as_int();
      if (y == 0) return Status::InvalidArgument("integer division or modulo by zero");
      if (y == -1) return Value::Int(0);
      int64_t m = x % y;
      if (m != 0 && ((m < 0) != (y < 0))) m += y;
      return Value::Int(m);
    }
    if (b.as_double() == 0.0) return Status::InvalidArgument("float modulo");
    return Value::Float(PyFloatMod(a.as_double(), b.as_double()));
  }
  if (op == "**") {
    if (!nums) return Unsupported(op, a, b);
    if (ints && b.as_int() >= 0) {
      int64_t base = a.as_int(), exp = b.as_int(), result = 1;
      while (exp > 0) {
        if (exp & 1) {
          if (__builtin_mul_overflow(result, base, &result))
            return Status::InvalidArgument("integer overflow");
        }
        exp >>= 1;
        if (exp > 0 && __builtin_mul_overflow(base, base, &base))
          return Status::InvalidArgument("integer overflow");
      }
      return Value::Int(result);
    }
    double x = a.as_double(), y = b.as_double();
    if (x == 0.0 && y < 0)
      return Status::InvalidArgument("0.0 cannot be raised to a negative power");
    if (x < 0 && std::floor(y) != y)
      return Status::NotSupported("complex numbers are not supported");
    double r = std::pow(x, y);
    if (std::isinf(r) && !std::isinf(x))
      return Status::InvalidArgument("(34, 'Numerical result out of range')");
    return Value::Float(r);
  }
  return Status::InvalidArgument("unknown operator " + op);
}

namespace {

// Pads `body` to `width` per Python's alignment rules.
std::string Pad(std::string body, int width, char align, char fill, bool numeric_zero) {
  int64_t len = Utf8Length(body);
  if (width <= len) return body;
  size_t pad = static_cast<size_t>(width - len);
  std::string fill_str(1, fill);
  auto repeat = [&](size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i) s += fill_str;
    return s;
  };
  if (numeric_zero || align == '=') {
    size_t sign = (!body.empty() && (body[0] == '-' || body[0] == '+' || body[0] == ' ')) ? 1 : 0;
    return body.substr(0, sign) + repeat(pad) + body.substr(sign);
  }
  if (align == '<') return body + repeat(pad);
  if (align == '^') return repeat(pad / 2) + body + repeat(pad - pad / 2);
  return repeat(pad) + body;
}

std::string FormatDouble(const char* conv, int precision, double d, bool alt = false) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d < 0 ? "-inf" : "inf";
  char fmt[16];
  std::snprintf(fmt, sizeof(fmt), "%%%s.%d%s", alt ? "#" : "", precision, conv);
  char buf[512];
  std::snprintf(buf, sizeof(buf), fmt, d);
  return buf;
}

std::string GroupThousands(const std::string& digits, char sep) {
  size_t start = (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) ? 1 : 0;
  size_t end = digits.find('.');
  if (end == std::string::npos) end = digits.size();
  std::string intpart = digits.substr(start, end - start);
  std::string grouped;
  for (size_t i = 0; i < intpart.size(); ++i) {
    if (i > 0 && (intpart.size() - i) % 3 == 0) grouped += sep;
    grouped += intpart[i];
  }
  return digits.substr(0, start) + grouped + digits.substr(end);
}

// Python's format(value, spec) for str, int and float.
Result<std::string> FormatWithSpec(const Value& v, const std::string& spec) {
  if (spec.empty()) return v.Str();
  size_t i = 0;
  char fill = ' ', align = 0, sign = '-';
  bool zero = false, alt = false;
  char grouping = 0;
  auto is_align = [](char c) { return c == '<' || c == '>' || c == '^' || c == '='; };
  if (spec.size() >= 2 && is_align(spec[1])) {
    fill = spec[0];
    align = spec[1];
    i = 2;
  } else if (is_align(spec[0])) {
    align = spec[0];
    i = 1;
  }
  if (i < spec.size() && (spec[i] == '+' || spec[i] == '-' || spec[i] == ' ')) sign = spec[i++];
  if (i < spec.size() && spec[i] == '#') {
    alt = true;
    ++i;
  }
  if (i < spec.size() && spec[i] == '0') {
    zero = true;
    ++i;
  }
  int width = 0;
  while (i < spec.size() && std::isdigit(static_cast<unsigned char>(spec[i])))
    width = width * 10 + (spec[i++] - '0');
  if (i < spec.size() && (spec[i] == ',' || spec[i] == '_')) grouping = spec[i++];
  int precision = -1;
  if (i < spec.size() && spec[i] == '.') {
    ++i;
    precision = 0;
    while (i < spec.size() && std::isdigit(static_cast<unsigned char>(spec[i]))) {
      precision = precision * 10 + (spec[i++] - '0');
    }
  }
  char type = i < spec.size() ? spec[i++] : 0;
  if (i != spec.size()) return Status::InvalidArgument("Invalid format specifier");
  std::string body;
  bool numeric = false;
  if (v.is_string() || (type == 's')) {
    if (!v.is_string() && type == 's')
      return Status::InvalidArgument("Unknown format code 's' for object of type '" + v.TypeName() +
                                     "'");
    body = v.as_string();
    if (precision >= 0) {
      auto chars = Utf8Chars(body);
      if (chars.size() > static_cast<size_t>(precision)) {
        body.clear();
        for (int k = 0; k < precision; ++k) body += chars[k];
      }
    }
    return Pad(body, width, align ? align : '<', fill, false);
  }
  if (!v.is_number()) {
    if (type == 0 && width == 0) return v.Str();
    return Pad(v.Str(), width, align ? align : '<', fill, false);
  }
  numeric = true;
  bool neg = false;
  if ((type == 0 || type == 'd' || type == 'n') && !v.is_float()) {
    int64_t n = v.as_int();
    neg = n < 0;
    body = std::to_string(n);
    if (neg) body = body.substr(1);
  } else if (type == 'x' || type == 'X' || type == 'o' || type == 'b') {
    if (v.is_float())
      return Status::InvalidArgument(std::string("Unknown format code '") + type +
                                     "' for object of type 'float'");
    int64_t n = v.as_int();
    neg = n < 0;
    uint64_t u = neg ? static_cast<uint64_t>(-(n + 1)) + 1 : static_cast<uint64_t>(n);
    int base = type == 'o' ? 8 : type == 'b' ? 2 : 16;
    const char* digits = type == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
    do {
      body.insert(body.begin(), digits[u % base]);
      u /= base;
    } while (u > 0);
    if (alt)
      body = std::string("0") +
             (type == 'o'   ? "o"
              : type == 'b' ? "b"
              : type == 'X' ? "X"
                            : "x") +
             body;
  } else {
    double d = v.as_double();
    if (type == 'd')
      return Status::InvalidArgument("Unknown format code 'd' for object of type 'float'");
    neg = std::signbit(d) && !std::isnan(d);
    if (neg) d = -d;
    if (type == 'f' || type == 'F') {
      body = FormatDouble("f", precision < 0 ? 6 : precision, d, alt);
    } else if (type == 'e' || type == 'E') {
      body = FormatDouble(type == 'e' ? "e" : "E", precision < 0 ? 6 : precision, d, alt);
    } else if (type == '%') {
      body = FormatDouble("f", precision < 0 ? 6 : precision, d * 100, alt) + "%";
    } else if (type == 'g' || type == 'G') {
      body = FormatDouble(type == 'g' ? "g" : "G",
                          precision < 0 ? 6 : (precision == 0 ? 1 : precision), d, alt);
    } else if (type == 0 && precision < 0) {
      body = FormatPythonFloat(d);
    } else if (type == 0) {
      body = FormatDouble("g", precision == 0 ? 1 : precision, d, alt);
      if (body.find_first_of(".en") == std::string::npos) body += ".0";
    } else {
      return Status::InvalidArgument(std::string("Unknown format code '") + type +
                                     "' for object of type 'float'");
    }
  }
  if (grouping) body = GroupThousands(body, grouping);
  if (neg) {
    body = "-" + body;
  } else if (sign == '+') {
    body = "+" + body;
  } else if (sign == ' ') {
    body = " " + body;
  }
  if (zero && !align) return Pad(body, width, '=', '0', true);
  return Pad(body, width, align ? align : '>', fill, numeric && align == '=');
}

}  // namespace

Result<Value> PercentFormat(const std::string& fmt, const Value& args) {
  List positional;
  bool mapping = args.is_dict();
  if (args.is_tuple()) {
    positional = *args.as_list();
  } else {
    positional.push_back(args);
  }
  size_t next = 0;
  bool used_mapping = false;
  std::string out;
  for (size_t i = 0; i < fmt.size(); ++i) {
    char c = fmt[i];
    if (c != '%') {
      out += c;
      continue;
    }
    if (++i >= fmt.size()) return Status::InvalidArgument("incomplete format");
    if (fmt[i] == '%') {
      out += '%';
      continue;
    }
    const Value* arg = nullptr;
    Value keyed;
    if (fmt[i] == '(') {
      size_t close = fmt.find(')', i);
      if (close == std::string::npos) return Status::InvalidArgument("incomplete format key");
      if (!mapping) return Status::InvalidArgument("format requires a mapping");
      const Value* found = args.as_dict()->Find(std::string_view(fmt).substr(i + 1, close - i - 1));
      if (found == nullptr)
        return Status::InvalidArgument("'" + fmt.substr(i + 1, close - i - 1) + "'");
      keyed = *found;
      arg = &keyed;
      used_mapping = true;
      i = close + 1;
    }
    std::string flags;
    while (i < fmt.size() && std::string_view("-+ #0").find(fmt[i]) != std::string_view::npos)
      flags += fmt[i++];
    int width = 0;
    while (i < fmt.size() && std::isdigit(static_cast<unsigned char>(fmt[i])))
      width = width * 10 + (fmt[i++] - '0');
    int precision = -1;
    if (i < fmt.size() && fmt[i] == '.') {
      ++i;
      precision = 0;
      while (i < fmt.size() && std::isdigit(static_cast<unsigned char>(fmt[i]))) {
        precision = precision * 10 + (fmt[i++] - '0');
      }
    }
    if (i >= fmt.size()) return Status::InvalidArgument("incomplete format");
    char type = fmt[i];
    if (arg == nullptr) {
      if (next >= positional.size())
        return Status::InvalidArgument("not enough arguments for format string");
      arg = &positional[next++];
    }
    std::string body;
    switch (type) {
      case 's':
        body = arg->Str();
        break;
      case 'r':
        body = arg->Repr();
        break;
      case 'd':
      case 'i':
      case 'u': {
        if (!arg->is_number()) {
          return Status::InvalidArgument("%" + std::string(1, type) +
                                         " format: a real number is required, not " +
                                         arg->TypeName());
        }
        int64_t n =
            arg->is_float() ? static_cast<int64_t>(std::trunc(arg->as_double())) : arg->as_int();
        body = std::to_string(n);
        break;
      }
      case 'f':
      case 'F':
      case 'e':
      case 'E':
      case 'g':
      case 'G': {
        if (!arg->is_number()) {
          return Status::InvalidArgument("must be real number, not " + arg->TypeName());
        }
        char conv[2] = {type == 'F' ? 'f' : type, 0};
        body = FormatDouble(conv, precision < 0 ? 6 : precision, arg->as_double(),
                            flags.find('#') != std::string::npos);
        break;
      }
      case 'x':
      case 'X':
      case 'o': {
        if (!arg->is_int() && !arg->is_bool()) {
          return Status::InvalidArgument("%" + std::string(1, type) +
                                         " format: an integer is required, not " + arg->TypeName());
        }
        char buf[64];
        int64_t n = arg->as_int();
        std::snprintf(buf, sizeof(buf),
                      type == 'x'   ? "%llx"
                      : type == 'X' ? "%llX"
                                    : "%llo",
                      static_cast<unsigned long long>(n < 0 ? -n : n));
        body = std::string(n < 0 ? "-" : "") + buf;
        break;
      }
      case 'c':
        body =
            arg->is_string() ? arg->as_string() : std::string(1, static_cast<char>(arg->as_int()));
        break;
      default:
        return Status::InvalidArgument(std::string("unsupported format character '") + type + "'");
    }
    if (precision >= 0 && (type == 's' || type == 'r')) {
      auto chars = Utf8Chars(body);
      if (chars.size() > static_cast<size_t>(precision)) {
        body.clear();
        for (int k = 0; k < precision; ++k) body += chars[k];
      }
    }
    if (type != 's' && type != 'r' && type != 'c' && !body.empty() && body[0] != '-') {
      if (flags.find('+') != std::string::npos) {
        body = "+" + body;
      } else if (flags.find(' ') != std::string::npos) {
        body = " " + body;
      }
    }
    bool left = flags.find('-') != std::string::npos;
    bool zero = !left && flags.find('0') != std::string::npos && type != 's' && type != 'r';
    out += Pad(body, width, left ? '<' : '>', zero ? '0' : ' ', zero);
  }
  if (!mapping && !used_mapping && next < positional.size()) {
    return Status::InvalidArgument("not all arguments converted during string formatting");
  }
  return Value::String(std::move(out));
}

Result<Value> StrFormat(const std::string& fmt, const CallArgs& args) {
  std::string out;
  size_t auto_index = 0;
  for (size_t i = 0; i < fmt.size(); ++i) {
    char c = fmt[i];
    if (c == '}') {
      if (i + 1 < fmt.size() && fmt[i + 1] == '}') {
        out += '}';
        ++i;
        continue;
      }
      return Status::InvalidArgument("Single '}' encountered in format string");
    }
    if (c != '{') {
      out += c;
      continue;
    }
    if (i + 1 < fmt.size() && fmt[i + 1] == '{') {
      out += '{';
      ++i;
      continue;
    }
    size_t close = fmt.find('}', i);
    if (close == std::string::npos)
      return Status::InvalidArgument("Single '{' encountered in format string");
    std::string field = fmt.substr(i + 1, close - i - 1);
    i = close;
    std::string spec;
    char conversion = 0;
    size_t colon = field.find(':');
    if (colon != std::string::npos) {
      spec = field.substr(colon + 1);
      field = field.substr(0, colon);
    }
    size_t bang = field.find('!');
    if (bang != std::string::npos) {
      if (bang + 1 < field.size()) conversion = field[bang + 1];
      field = field.substr(0, bang);
    }
    // field: "" | index | name, optionally followed by .attr / [key] (one level, dict keys only).
    std::string base = field;
    std::string rest;
    size_t sep = field.find_first_of(".[");
    if (sep != std::string::npos) {
      base = field.substr(0, sep);
      rest = field.substr(sep);
    }
    Value v;
    if (base.empty()) {
      if (auto_index >= args.positional.size()) {
        return Status::InvalidArgument("Replacement index " + std::to_string(auto_index) +
                                       " out of range for positional args tuple");
      }
      v = args.positional[auto_index++];
    } else if (std::isdigit(static_cast<unsigned char>(base[0]))) {
      size_t idx = std::stoul(base);
      if (idx >= args.positional.size()) {
        return Status::InvalidArgument("Replacement index " + base +
                                       " out of range for positional args tuple");
      }
      v = args.positional[idx];
    } else {
      const Value* kw = args.Keyword(base);
      if (kw == nullptr) return Status::InvalidArgument("'" + base + "'");
      v = *kw;
    }
    while (!rest.empty()) {
      std::string key;
      if (rest[0] == '.') {
        size_t end = rest.find_first_of(".[", 1);
        key = rest.substr(1, end == std::string::npos ? std::string::npos : end - 1);
        rest = end == std::string::npos ? "" : rest.substr(end);
      } else {
        size_t end = rest.find(']');
        if (end == std::string::npos)
          return Status::InvalidArgument("Missing ']' in format string");
        key = rest.substr(1, end - 1);
        rest = rest.substr(end + 1);
      }
      const Value* found = nullptr;
      if (v.is_dict()) found = v.as_dict()->Find(std::string_view(key));
      if (found == nullptr && v.is_sequence() && !key.empty() &&
          std::isdigit(static_cast<unsigned char>(key[0]))) {
        size_t idx = std::stoul(key);
        if (idx < v.as_list()->size()) found = &(*v.as_list())[idx];
      }
      if (found == nullptr) return Status::InvalidArgument("'" + key + "'");
      v = *found;
    }
    if (conversion == 'r') v = Value::String(v.Repr());
    if (conversion == 's') v = Value::String(v.Str());
    STRATA_ASSIGN_OR_RETURN(std::string formatted, FormatWithSpec(v, spec));
    out += formatted;
  }
  return Value::String(std::move(out));
}

}  // namespace strata::transform

namespace strata::transform {
namespace {

std::vector<uint32_t> DecodeUtf8(std::string_view s) {
  std::vector<uint32_t> out;
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xE  ? 3
                 : (c >> 3) == 0x1E ? 4
                                    : 1;
    if (i + len > s.size()) len = 1;
    uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out.push_back(cp);
    i += len;
  }
  return out;
}

void EncodeUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Simple case mappings for ASCII, Latin-1, Latin Extended-A, Greek and
// Cyrillic: the scripts dbt projects' identifiers and labels use.
uint32_t UpperCp(uint32_t c) {
  if (c >= 'a' && c <= 'z') return c - 32;
  if (c < 0x80) return c;
  if ((c >= 0xE0 && c <= 0xFE && c != 0xF7)) return c - 32;
  if (c == 0xFF) return 0x178;
  if (c >= 0x100 && c <= 0x17F) {
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c % 2 == 0) ? c - 1 : c;
    if (c == 0x131 || c == 0x138 || c == 0x149 || c == 0x17F)
      return c == 0x131 ? 'I' : c == 0x17F ? 'S' : c;
    return (c % 2 == 1) ? c - 1 : c;
  }
  if (c >= 0x3B1 && c <= 0x3C9 && c != 0x3C2) return c - 32;
  if (c == 0x3C2) return 0x3A3;
  if (c >= 0x430 && c <= 0x44F) return c - 32;
  if (c >= 0x450 && c <= 0x45F) return c - 80;
  return c;
}

uint32_t LowerCp(uint32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c < 0x80) return c;
  if ((c >= 0xC0 && c <= 0xDE && c != 0xD7)) return c + 32;
  if (c == 0x178) return 0xFF;
  if (c >= 0x100 && c <= 0x17F) {
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c % 2 == 1) ? c + 1 : c;
    if (c == 0x130) return 'i';
    if (c == 0x131 || c == 0x138 || c == 0x149 || c == 0x17F) return c;
    return (c % 2 == 0) ? c + 1 : c;
  }
  if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) return c + 32;
  if (c >= 0x410 && c <= 0x42F) return c + 32;
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  return c;
}

}  // namespace

bool IsCasedCp(uint32_t c) { return UpperCp(c) != c || LowerCp(c) != c || c == 0xDF; }

std::string PyCaseMap(std::string_view s, CaseMode mode) {
  std::string out;
  out.reserve(s.size());
  if (IsAscii(s)) {
    bool prev_cased = false;
    for (size_t i = 0; i < s.size(); ++i) {
      unsigned char c = static_cast<unsigned char>(s[i]);
      bool cased = std::isalpha(c) != 0;
      bool upper = false;
      switch (mode) {
        case CaseMode::kUpper:
          upper = true;
          break;
        case CaseMode::kLower:
          upper = false;
          break;
        case CaseMode::kCapitalize:
          upper = i == 0;
          break;
        case CaseMode::kTitle:
          upper = !prev_cased;
          break;
        case CaseMode::kSwap:
          upper = std::islower(c) != 0;
          break;
      }
      out.push_back(static_cast<char>(upper ? std::toupper(c) : std::tolower(c)));
      prev_cased = cased;
    }
    return out;
  }
  bool prev_cased = false;
  std::vector<uint32_t> cps = DecodeUtf8(s);
  for (size_t i = 0; i < cps.size(); ++i) {
    uint32_t c = cps[i];
    bool cased = IsCasedCp(c);
    bool upper = false;
    switch (mode) {
      case CaseMode::kUpper:
        upper = true;
        break;
      case CaseMode::kLower:
        upper = false;
        break;
      case CaseMode::kCapitalize:
        upper = i == 0;
        break;
      case CaseMode::kTitle:
        upper = !prev_cased;
        break;
      case CaseMode::kSwap:
        upper = LowerCp(c) == c;
        break;
    }
    if (upper && c == 0xDF) {
      out += mode == CaseMode::kUpper || mode == CaseMode::kSwap ? "SS" : "Ss";
    } else {
      EncodeUtf8(upper ? UpperCp(c) : LowerCp(c), &out);
    }
    prev_cased = cased;
  }
  return out;
}

}  // namespace strata::transform
