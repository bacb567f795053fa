// Jinja2's builtin filters, with the same arguments and results.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "transform/jinja_internal.h"

namespace strata::transform {
namespace {

const Value* Arg(const CallArgs& a, size_t index, const char* name) { return a.Get(index, name); }

bool BoolArg(const CallArgs& a, size_t index, const char* name, bool fallback) {
  const Value* v = Arg(a, index, name);
  return v == nullptr ? fallback : v->Truthy();
}

std::string StrArg(const CallArgs& a, size_t index, const char* name, const std::string& fallback) {
  const Value* v = Arg(a, index, name);
  return v == nullptr ? fallback : v->Str();
}

Result<int64_t> IntArg(const CallArgs& a, size_t index, const char* name, int64_t fallback) {
  const Value* v = Arg(a, index, name);
  if (v == nullptr) return fallback;
  if (v->is_int() || v->is_bool()) return v->as_int();
  if (v->is_float()) return static_cast<int64_t>(v->as_double());
  return Status::InvalidArgument("'" + v->TypeName() +
                                 "' object cannot be interpreted as an integer");
}

std::string Lower(const std::string& s) { return PyCaseMap(s, CaseMode::kLower); }

// Python's str.splitlines() over the ASCII line boundaries.
std::vector<std::string> SplitLines(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == '\x1c' || c == '\x1d' ||
        c == '\x1e') {
      out.push_back(s.substr(start, i - start));
      if (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
      start = i + 1;
    }
  }
  if (start < s.size()) out.push_back(s.substr(start));
  return out;
}

// make_attrgetter: "a.b" / "0" paths through getitem-then-getattr.
Result<Value> GetPath(Renderer* r, const Value& item, const Value& attribute) {
  if (attribute.is_int()) return r->GetItem(item, attribute);
  std::string path = attribute.Str();
  Value current = item;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    std::string part =
        path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    Value key = Value::String(part);
    if (!part.empty() && std::all_of(part.begin(), part.end(), ::isdigit))
      key = Value::Int(std::stoll(part));
    STRATA_ASSIGN_OR_RETURN(current, r->GetItem(current, key));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return current;
}

Result<Value> AttrOrDefault(Renderer* r, const Value& item, const Value& attribute,
                            const Value* def) {
  STRATA_ASSIGN_OR_RETURN(Value v, GetPath(r, item, attribute));
  if (v.is_undefined() && def != nullptr) return *def;
  return v;
}

Value IgnoreCase(const Value& v, bool case_sensitive) {
  if (!case_sensitive && v.is_string()) return Value::String(Lower(v.as_string()));
  return v;
}

Status SortValues(std::vector<std::pair<Value, Value>>* keyed, bool reverse) {
  Status error;
  std::stable_sort(keyed->begin(), keyed->end(), [&](const auto& x, const auto& y) {
    Result<bool> less = reverse ? ValueLess(y.first, x.first) : ValueLess(x.first, y.first);
    if (!less.ok()) {
      error = less.status();
      return false;
    }
    return *less;
  });
  return error;
}

std::string HtmlEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&#34;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string UrlQuote(const std::string& s, bool for_qs) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '_' || c == '.' || c == '-' || c == '~' || (!for_qs && c == '/')) {
      out += static_cast<char>(c);
    } else if (for_qs && c == ' ') {
      out += '+';
    } else {
      char buf[4];
      std::snprintf(buf, sizeof(buf), "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

Result<Value> RoundValue(const Value& v, int64_t precision, const std::string& method) {
  if (!v.is_number())
    return Status::InvalidArgument("type " + v.TypeName() + " doesn't define __round__ method");
  if (method != "common" && method != "ceil" && method != "floor") {
    return Status::InvalidArgument("method must be common, ceil or floor");
  }
  if (method == "common") {
    if (!v.is_float()) return Value::Int(v.as_int());
    double d = v.as_double();
    if (std::isnan(d) || std::isinf(d)) return v;
    if (precision >= 0 && precision < 300) {
      // printf rounds the exact binary value half-to-even, as Python's round().
      char buf[512];
      std::snprintf(buf, sizeof(buf), "%.*f", static_cast<int>(precision), d);
      return Value::Float(std::strtod(buf, nullptr));
    }
    double scale = std::pow(10.0, static_cast<double>(-precision));
    return Value::Float(std::nearbyint(d / scale) * scale);
  }
  double scale = std::pow(10.0, static_cast<double>(precision));
  double d = v.as_double() * scale;
  d = method == "ceil" ? std::ceil(d) : std::floor(d);
  return Value::Float(d / scale);
}

Result<Value> ToFloat(const Value& v, const Value& fallback) {
  if (v.is_number()) return Value::Float(v.as_double());
  if (v.is_string()) {
    std::string s = v.as_string();
    size_t b = s.find_first_not_of(" \t\n\r\f\v");
    size_t e = s.find_last_not_of(" \t\n\r\f\v");
    if (b == std::string::npos) return fallback;
    s = s.substr(b, e - b + 1);
    std::string lower = Lower(s);
    if (lower == "inf" || lower == "+inf" || lower == "infinity") return Value::Float(INFINITY);
    if (lower == "-inf" || lower == "-infinity") return Value::Float(-INFINITY);
    if (lower == "nan") return Value::Float(NAN);
    std::string cleaned;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '_' && i > 0 && i + 1 < s.size() &&
          std::isdigit(static_cast<unsigned char>(s[i - 1])) &&
          std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
        continue;
      }
      if (!std::isdigit(static_cast<unsigned char>(s[i])) &&
          std::string_view("+-.eE").find(s[i]) == std::string_view::npos) {
        return fallback;
      }
      cleaned += s[i];
    }
    char* end = nullptr;
    double d = std::strtod(cleaned.c_str(), &end);
    if (end == cleaned.c_str() || *end != '\0') return fallback;
    return Value::Float(d);
  }
  return fallback;
}

Result<Value> ToIntFilter(const Value& v, const Value& fallback, int64_t base) {
  if (v.is_int() || v.is_bool()) return Value::Int(v.as_int());
  if (v.is_float()) {
    double d = v.as_double();
    if (std::isnan(d) || std::isinf(d)) return fallback;
    return Value::Int(static_cast<int64_t>(std::trunc(d)));
  }
  if (v.is_string()) {
    std::string s = v.as_string();
    size_t b = s.find_first_not_of(" \t\n\r\f\v");
    size_t e = s.find_last_not_of(" \t\n\r\f\v");
    if (b != std::string::npos) {
      s = s.substr(b, e - b + 1);
      std::string digits;
      bool ok = !s.empty();
      size_t start = (s[0] == '-' || s[0] == '+') ? 1 : 0;
      if (base == 16 && s.size() > start + 1 && s[start] == '0' &&
          (s[start + 1] == 'x' || s[start + 1] == 'X'))
        start += 2;
      for (size_t i = start; i < s.size() && ok; ++i) {
        char c = s[i];
        if (c == '_' && i > start && i + 1 < s.size()) continue;
        int digit = std::isdigit(static_cast<unsigned char>(c))   ? c - '0'
                    : std::isalpha(static_cast<unsigned char>(c)) ? std::tolower(c) - 'a' + 10
                                                                  : 99;
        if (digit >= base) ok = false;
        digits += c;
      }
      if (ok && !digits.empty()) {
        errno = 0;
        long long n = std::strtoll(digits.c_str(), nullptr, static_cast<int>(base));
        if (errno == 0) return Value::Int(s[0] == '-' ? -n : n);
      }
    }
    Result<Value> f = ToFloat(v, Value::None());
    if (f.ok() && f->is_float() && !std::isnan(f->as_double()) && !std::isinf(f->as_double())) {
      return Value::Int(static_cast<int64_t>(std::trunc(f->as_double())));
    }
    return fallback;
  }
  return fallback;
}

// select/reject and their attr forms.
Result<Value> SelectOrReject(const Value& operand, CallArgs& a, bool select, bool by_attr) {
  Renderer* r = a.renderer;
  STRATA_ASSIGN_OR_RETURN(List items, IterateValue(operand));
  size_t next = 0;
  Value attribute;
  if (by_attr) {
    if (a.positional.empty())
      return Status::InvalidArgument("Missing parameter for attribute name");
    attribute = a.positional[next++];
  }
  std::string test;
  if (next < a.positional.size()) test = a.positional[next++].Str();
  List out;
  for (const Value& item : items) {
    Value subject = item;
    if (by_attr) {
      STRATA_ASSIGN_OR_RETURN(subject, GetPath(r, item, attribute));
    }
    bool passed;
    if (test.empty()) {
      passed = subject.Truthy();
    } else {
      CallArgs test_args;
      test_args.positional.assign(a.positional.begin() + static_cast<std::ptrdiff_t>(next),
                                  a.positional.end());
      test_args.keyword = a.keyword;
      STRATA_ASSIGN_OR_RETURN(passed, r->ApplyTest(test, subject, test_args));
    }
    if (passed == select) out.push_back(item);
  }
  return Value::MakeList(std::move(out));
}

Result<Value> MinMax(const Value& operand, CallArgs& a, bool want_max) {
  STRATA_ASSIGN_OR_RETURN(List items, IterateValue(operand));
  bool case_sensitive = BoolArg(a, 0, "case_sensitive", false);
  const Value* attribute = Arg(a, 1, "attribute");
  if (items.empty()) return Value::Undefined("", "No aggregated item, sequence was empty.");
  Value best;
  Value best_key;
  bool first = true;
  for (const Value& item : items) {
    Value key = item;
    if (attribute != nullptr && !attribute->is_none()) {
      STRATA_ASSIGN_OR_RETURN(key, GetPath(a.renderer, item, *attribute));
    }
    key = IgnoreCase(key, case_sensitive);
    if (first) {
      best = item;
      best_key = key;
      first = false;
      continue;
    }
    STRATA_ASSIGN_OR_RETURN(bool better,
                            want_max ? ValueLess(best_key, key) : ValueLess(key, best_key));
    if (better) {
      best = item;
      best_key = key;
    }
  }
  return best;
}

std::string TitleFilter(const std::string& s) {
  // Jinja2 splits words at runs of "-", whitespace, "(", "{", "[", "<" and
  // capitalizes each word.
  std::string out, word;
  auto flush = [&]() {
    if (!word.empty()) out += PyCaseMap(word, CaseMode::kCapitalize);
    word.clear();
  };
  for (char c : s) {
    bool boundary = c == '-' || c == '(' || c == '{' || c == '[' || c == '<' ||
                    std::isspace(static_cast<unsigned char>(c));
    if (boundary) {
      flush();
      out += c;
    } else {
      word += c;
    }
  }
  flush();
  return out;
}

Result<Value> WordWrap(const std::string& s, int64_t width, bool break_long,
                       const std::string& wrap) {
  if (width <= 0)
    return Status::InvalidArgument("invalid width " + std::to_string(width) + " (must be > 0)");
  std::vector<std::string> out_lines;
  for (const std::string& line : SplitLines(s)) {
    std::vector<std::string> words;
    size_t i = 0;
    std::string expanded;
    for (char c : line)
      expanded +=
          (c == '\t' ? std::string(8 - expanded.size() % 8, ' ')
                     : std::string(1, c == '\n' || c == '\r' || c == '\v' || c == '\f' ? ' ' : c));
    while (i < expanded.size()) {
      while (i < expanded.size() && expanded[i] == ' ') ++i;
      size_t j = i;
      while (j < expanded.size() && expanded[j] != ' ') ++j;
      if (j > i) words.push_back(expanded.substr(i, j - i));
      i = j;
    }
    std::vector<std::string> wrapped;
    std::string current;
    for (std::string word : words) {
      while (true) {
        size_t need =
            current.empty() ? Utf8Length(word) : Utf8Length(current) + 1 + Utf8Length(word);
        if (need <= static_cast<size_t>(width)) {
          current = current.empty() ? word : current + " " + word;
          break;
        }
        if (!current.empty()) {
          wrapped.push_back(current);
          current.clear();
          continue;
        }
        if (break_long) {
          auto chars = Utf8Chars(word);
          std::string head;
          for (int64_t k = 0; k < width; ++k) head += chars[static_cast<size_t>(k)];
          wrapped.push_back(head);
          std::string rest;
          for (size_t k = static_cast<size_t>(width); k < chars.size(); ++k) rest += chars[k];
          word = rest;
          if (word.empty()) break;
          continue;
        }
        current = word;
        break;
      }
    }
    if (!current.empty()) wrapped.push_back(current);
    std::string joined;
    for (size_t k = 0; k < wrapped.size(); ++k) joined += (k ? wrap : "") + wrapped[k];
    out_lines.push_back(joined);
  }
  std::string result;
  for (size_t k = 0; k < out_lines.size(); ++k) result += (k ? wrap : "") + out_lines[k];
  return Value::String(std::move(result));
}

}  // namespace

Result<Value> ToInt(const Value& v) { return ToIntFilter(v, Value::Int(0), 10); }

void RegisterFilters(EnvironmentData* env) {
  auto& f = env->filters;
  f["abs"] = [](const Value& v, CallArgs&) -> Result<Value> {
    if (v.is_float()) return Value::Float(std::fabs(v.as_double()));
    if (v.is_int() || v.is_bool()) return Value::Int(std::llabs(v.as_int()));
    return Status::InvalidArgument("bad operand type for abs(): '" + v.TypeName() + "'");
  };
  f["attr"] = [](const Value& v, CallArgs& a) -> Result<Value> {
    const Value* name = Arg(a, 0, "name");
    if (name == nullptr) return Status::InvalidArgument("attr filter needs a name");
    if (v.is_dict()) {
      Value method = LookupMethod(v, name->Str());
      return method.is_undefined() ? Value::Undefined(name->Str()) : method;
    }
    return a.renderer->GetAttr(v, name->Str());
  };
  f["batch"] = [](const Value& v, CallArgs& a) -> Result<Value> {
    STRATA_ASSIGN_OR_RETURN(int64_t count, IntArg(a, 0, "linecount", 1));
    if (count <= 0) return Status::InvalidArgument("batch size must be positive");
    const Value* fill = Arg(a, 1, "fill_with");
    STRATA_ASSIGN_OR_RETURN(List items, IterateValue(v));
    List out, current;
    for (const Value& item : items) {
      current.push_back(item);
      if (static_cast<int64_t>(current.size()) == count) {
        out.push_back(Value::MakeList(std::move(current)));
        current.clear();
      }
    }
    if (!current.empty()) {
      if (fill != nullptr && !fill->is_none()) {
        while (static_cast<int64_t>(current.size()) < count) current.push_back(*fill);
      }
      out.push_back(Value::MakeList(std::move(current)));
    }
    return Value::MakeList(std::move(out));
  };
  f["capitalize"] = [](const Value& v, CallArgs&) -> Result<Value> {
    return Value::String(PyCaseMap(v.Str(), CaseMode::kCapitalize));
  };
  f["center"] = [](const Value& v, CallArgs& a) -> Result<Value> {
    STRATA_ASSIGN_OR_RETURN(int64_t width, IntArg(a, 0, "width", 80));
    CallArgs inner;
    inner.positional.push_back(Value::Int(width));
    return LookupMethod(Value::String(v.Str()), "center").as_callable()->Call(inner);
  };
  FilterFunction default_filter = [](const Value& v, CallArgs& a) -> Result<Value> {
    const Value* def = Arg(a, 0, "default_value");
    bool boolean = BoolArg(a, 1, "boolean", false);
    if (v.is_undefined() || (boolean && !v.Truthy()))
      return def != nullptr ? *def : Value::String("");
    return v;
  };
  f["default"] = default_filter;
  f["d"] = default_filter;
  f["dictsort"] = [](const Value& v, CallArgs& a) -> Result<Value> {
    if (!v.is_dict()) return Status::InvalidArgument("dictsort needs a mapping");
    bool case_sensitive = BoolArg(a, 0, "case_sensitive", false);
    std::string by = StrArg(a, 1, "by", "key");
    bool reverse = BoolArg(a, 2, "reverse", false);
    if (by != "key" && by != "value")
      return Status::InvalidArgument("You can only sort by either \"key\" or \"value\"");
    std::vector<std::pair<Value, Value>> keyed;
    for (const auto& [k, val] : v.as_dict()->items()) {
      keyed.emplace_back(IgnoreCase(by == "key" ? k : val, case_sensitive),
                         Value::MakeTuple({k, val}));
    }
    STRATA_RETURN_IF_ERROR(SortValues(&keyed, reverse));
    List out;
    for (auto& [k, item] : keyed) out.push_back(std::move(item));
    return Value::MakeList(std::move(out));
  };
  FilterFunction escape = [](const Value& v, CallArgs&) -> Result<Value> {
    if (v.is_safe_string()) return v;
    return Value::SafeString(HtmlEscape(v.Str()));
  };
  f["escape"] = escape;
  f["e"] = escape;
  f["forceescape"] = [](const Value& v, CallArgs&) -> Result<Value> {
    return Value::SafeString(HtmlEscape(v.Str()));
  };
  f["first"] = [](const Value& v, CallArgs&) -> Result<Value> {
    STRATA_ASSIGN_OR_RETURN(List items, IterateValue(v));
    if (items.empty()) return Value::Undefined("", "No first item, sequence was empty.");
    return items.front();
  };
  f["last"] = [](const Value& v, CallArgs&) -> Result<Value> {
    STRATA_ASSIGN_OR_RETURN(List items, IterateValue(v));
    if (items.empty()) return Value::Undefined("", "No last item, sequence was empty.");
    return items.back();
  };
  f["float"] = [](const Value& v, CallArgs& a) -> Result<Value> {
    const Value* def = Arg(a, 0, "default");
    return ToFloat(v, def != nullptr ? *def : Value::Float(0.0));
  };
  f["int"] = [](const Value& v, CallArgs& a) -> Result<Value> {
    const Value* def = Arg(a, 0, "default");
    STRATA_ASSIGN_OR_RETURN(int64_t base, IntArg(a, 1, "base", 10));
    return ToIntFilter(v, def != nullptr ? *def : Value::Int(0), base);
  };
  f["format"] = [](const Value& v, CallArgs& a) -> Result<Value> {
    if (!a.positional.empty() && !a.keyword.empty()) {
      return Status::InvalidArgument(
          "can't handle positional and keyword arguments at the same time");
    }
    if (!a.keyword.empty()) {
      Value dict = Value::MakeDict();
      for (const auto& [k, val] : a.keyword) dict.as_dict()->Set(k, val);
      return PercentFormat(v.Str(), dict);
    }
    return PercentFormat(v.Str(), Value::MakeTuple(a.positional));
  };
  f["groupby"] = [](const Value& v, CallArgs& a) -> Result<Value> {
    const Value* attribute = Arg(a, 0, "attribute");
    if (attribute == nullptr) return Status::InvalidArgument("groupby needs an attribute");
    const Value* def = Arg(a, 1, "default");
    bool case_sensitive = BoolArg(a, 2, "case_sensitive", false);
    STRATA_ASSIGN_OR_RETURN(List items, IterateValue(v));
    std::vector<std::pair<Value, Value>> keyed;
    for (const Value& item : items) {
      STRATA_ASSIGN_OR_RETURN(Value key, AttrOrDefault(a.renderer, item, *attribute, def));
      keyed.emplace_back(IgnoreCase(key, case_sensitive), item);
    }
    STRATA_RETURN_IF_ERROR(SortValues(&keyed, false));
    List out;
    for (size_t i = 0; i < keyed.size();) {
      List group;
      size_t j = i;
      while (j < keyed.size() && ValuesEqual(keyed[j].first, keyed[i].first))
        group.push_back(keyed[j++].second);
      Value grouper = keyed[i].first;
      if (!case_sensitive) {
        STRATA_ASSIGN_OR_RETURN(grouper, AttrOrDefault(a.renderer, group.front(), *attribute, def));
      }
      out.push_back(Value::MakeGroupTuple(grouper, Value::MakeList(std::move(group))));
      i = j;
    }
    return Value::MakeList(std::move(out));
  };
  f["indent"] = [](const Value& v, CallArgs& a) -> Result<Value> {
    const Value* width = Arg(a, 0, "width");
    std::string indention = width == nullptr     ? "    "
                            : width->is_string() ? width->as_string()
                                                 : "";
    if (width != nullptr && !width->is_string()) {
      STRATA_ASSIGN_OR_RETURN(int64_t n, IntArg(a, 0, "width", 4));
      indention = std::string(static_cast<size_t>(std::max<int64_t>(n, 0)), ' ');
    }
    bool first = BoolArg(a, 1, "first", false);
    bool blank = BoolArg(a, 2, "blank", false);
    std::string s = v.Str() + "\n";
    std::vector<std::string> lines = SplitLines(s);
    std::string rv;
    if (blank) {
      for (size_t i = 0; i < lines.size(); ++i) rv += (i ? "\n" + indention : "") + lines[i];
    } else {
      rv = lines.empty() ? "" : lines[0];
      if (lines.size() > 1) {
        rv += "\n";
        for (size_t i = 1; i < lines.size(); ++i) {
          if (i > 1) rv += "\n";
          rv += lines[i].empty() ? lines[i] : indention + lines[i];
        }
      }
    }
    if (first) rv = indention + rv;
    return Value::String(std::move(rv));
  };
  f["items"] = [](const Value& v, CallArgs&) -> Result<Value> {
    if (v.is_undefined()) return Value::MakeList();
    if (!v.is_dict()) return Status::InvalidArgument("Can only get item pairs from a mapping.");
    List out;
    for (const auto& [k, val] : v.as_dict()->items()) out.push_back(Value::MakeTuple({k, val}));
    return Value::MakeList(std::move(out));
  };
  f["join"] = [](const Value& v, CallArgs& a) -> Result<Value> {
    std::string sep = StrArg(a, 0, "d", "");
    const Value* attribute = Arg(a, 1, "attribute");
    STRATA_ASSIGN_OR_RETURN(List items, IterateValue(v));
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) {
      if (i > 0) out += sep;
      if (attribute != nullptr && !attribute->is_none()) {
        STRATA_ASSIGN_OR_RETURN(Value attr, GetPath(a.renderer, items[i], *attribute));
        attr.AppendStr(&out);
      } else {
        items[i].AppendStr(&out);
      }
      STRATA_RETURN_IF_ERROR(a.renderer->CheckSize(out.size()));
    }
    return Value::String(std::move(out));
  };
  FilterFunction length = [](const Value& v, CallArgs&) -> Result<Value> {
    STRATA_ASSIGN_OR_RETURN(int64_t n, ValueLength(v));
    return Value::Int(n);
  };
  f["length"] = length;
  f["count"] = length;
  f["list"] = [](const Value& v, CallArgs&) -> Result<Value> {
    STRATA_ASSIGN_OR_RETURN(List items, IterateValue(v));
    return Value::MakeList(std::move(items));
  };
  f["lower"] = [](const Value& v, CallArgs&) -> Result<Value> {
    return Value::String(PyCaseMap(v.Str(), CaseMode::kLower));
  };
  f["upper"] = [](const Value& v, CallArgs&) -> Result<Value> {
    return Value::String(PyCaseMap(v.Str(), CaseMode::kUpper));
  };
  f["map"] = [](const Value& v, CallArgs& a) -> Result<Value> {
    STRATA_ASSIGN_OR_RETURN(List items, IterateValue(v));
    List out;
    if (a.positional.empty()) {
      const Value* attribute = a.Keyword("attribute");
      if (attribute == nullptr) return Status::InvalidArgument("map requires a filter argument");
      const Value* def = a.Keyword("default");
      for (const Value& item : items) {
        STRATA_ASSIGN_OR_RETURN(Value x, AttrOrDefault(a.renderer, item, *attribute, def));
        out.push_back(std::move(x));
      }
      return Value::MakeList(std::move(out));
    }
    std::string filter = a.positional[0].Str();
    for (const Value& item : items) {
      CallArgs inner;
      inner.positional.assign(a.positional.begin() + 1, a.positional.end());
      inner.keyword = a.keyword;
      STRATA_ASSIGN_OR_RETURN(Value x, a.renderer->ApplyFilter(filter, item, inner));
      out.push_back(std::move(x));
    }
    return Value::MakeList(std::move(out));
  };
  f["max"] = [](const Value& v, CallArgs& a) { return MinMax(v, a, true); };
  f["min"] = [](const Value& v, CallArgs& a) { return MinMax(v, a, false); };
  f["select"] = [](const Value& v, CallArgs& a) { return SelectOrReject(v, a, true, false); };
  f["reject"] = [](const Value& v, CallArgs& a) { return SelectOrReject(v, a, false, false); };
  f["selectattr"] = [](const Value& v, CallArgs& a) { return SelectOrReject(v, a, true, true); };
  f["rejectattr"] = [](const Value& v, CallArgs& a) { return SelectOrReject(v, a, false, true); };
  f["replace"] = [](const Value& v, CallArgs& a) -> Result<Value> {
    CallArgs inner;
    const Value* old_v = Arg(a, 0, "old");
    const Value* new_v = Arg(a, 1, "new");
    if (old_v == nullptr || new_v == nullptr)
      return Status::InvalidArgument("replace needs old and new");
    inner.positional = {Value::String(old_v->Str()), Value::String(new_v->Str())};
    if (const Value* count = Arg(a, 2, "count"); count != nullptr && !count->is_none())
      inner.positional.push_back(*count);
    return LookupMethod(Value::String(v.Str()), "replace").as_callable()->Call(inner);
  };
  f["reverse"] = [](const Value& v, CallArgs&) -> Result<Value> {
    if (v.is_string()) {
      auto chars = Utf8Chars(v.as_string());
      std::string out;
      for (auto it = chars.rbegin(); it != chars.rend(); ++it) out += *it;
      return Value::String(std::move(out));
    }
    STRATA_ASSIGN_OR_RETURN(List items, IterateValue(v));
    std::reverse(items.begin(), items.end());
    return Value::MakeList(std::move(items));
  };
  f["round"] = [](const Value& v, CallArgs& a) -> Result<Value> {
    STRATA_ASSIGN_OR_RETURN(int64_t precision, IntArg(a, 0, "precision", 0));
    return RoundValue(v, precision, StrArg(a, 1, "method", "common"));
  };
  f["safe"] = [](const Value& v, CallArgs&) -> Result<Value> { return Value::SafeString(v.Str()); };
  f["slice"] = [](const Value& v, CallArgs& a) -> Result<Value> {
    STRATA_ASSIGN_OR_RETURN(int64_t slices, IntArg(a, 0, "slices", 1));
    if (slices <= 0) return Status::InvalidArgument("slices must be positive");
    const Value* fill = Arg(a, 1, "fill_with");
    STRATA_ASSIGN_OR_RETURN(List seq, IterateValue(v));
    int64_t length = static_cast<int64_t>(seq.size());
    int64_t per = length / slices;
    int64_t with_extra = length % slices;
    int64_t offset = 0;
    List out;
    for (int64_t i = 0; i < slices; ++i) {
      int64_t start = offset + i * per;
      if (i < with_extra) ++offset;
      int64_t end = offset + (i + 1) * per;
      List part(seq.begin() + start, seq.begin() + end);
      if (fill != nullptr && !fill->is_none() && i >= with_extra) part.push_back(*fill);
      out.push_back(Value::MakeList(std::move(part)));
    }
    return Value::MakeList(std::move(out));
  };
  f["sort"] = [](const Value& v, CallArgs& a) -> Result<Value> {
    bool reverse = BoolArg(a, 0, "reverse", false);
    bool case_sensitive = BoolArg(a, 1, "case_sensitive", false);
    const Value* attribute = Arg(a, 2, "attribute");
    STRATA_ASSIGN_OR_RETURN(List items, IterateValue(v));
    std::vector<std::pair<Value, Value>> keyed;
    for (const Value& item : items) {
      Value key = item;
      if (attribute != nullptr && !attribute->is_none()) {
        STRATA_ASSIGN_OR_RETURN(key, GetPath(a.renderer, item, *attribute));
      }
      keyed.emplace_back(IgnoreCase(key, case_sensitive), item);
    }
    STRATA_RETURN_IF_ERROR(SortValues(&keyed, reverse));
    List out;
    for (auto& [k, item] : keyed) out.push_back(std::move(item));
    return Value::MakeList(std::move(out));
  };
  f["string"] = [](const Value& v, CallArgs&) -> Result<Value> { return Value::String(v.Str()); };
  f["sum"] = [](const Value& v, CallArgs& a) -> Result<Value> {
    const Value* attribute = Arg(a, 0, "attribute");
    const Value* start = Arg(a, 1, "start");
    STRATA_ASSIGN_OR_RETURN(List items, IterateValue(v));
    Value total = start != nullptr ? *start : Value::Int(0);
    for (const Value& item : items) {
      Value x = item;
      if (attribute != nullptr && !attribute->is_none()) {
        STRATA_ASSIGN_OR_RETURN(x, GetPath(a.renderer, item, *attribute));
      }
      if (x.is_undefined()) return UndefinedError(x);
      STRATA_ASSIGN_OR_RETURN(total, BinaryOp("+", total, x));
    }
    return total;
  };
  f["title"] = [](const Value& v, CallArgs&) -> Result<Value> {
    return Value::String(TitleFilter(v.Str()));
  };
  f["tojson"] = [](const Value& v, CallArgs& a) -> Result<Value> {
    STRATA_ASSIGN_OR_RETURN(int64_t indent, IntArg(a, 0, "indent", -1));
    STRATA_ASSIGN_OR_RETURN(std::string json, ValueToJson(v, static_cast<int>(indent)));
    std::string out;
    for (char c : json) {
      switch (c) {
        case '<':
          out += "\\u003c";
          break;
        case '>':
          out += "\\u003e";
          break;
        case '&':
          out += "\\u0026";
          break;
        case '\'':
          out += "\\u0027";
          break;
        default:
          out += c;
      }
    }
    return Value::SafeString(std::move(out));
  };
  f["trim"] = [](const Value& v, CallArgs& a) -> Result<Value> {
    CallArgs inner;
    if (const Value* chars = Arg(a, 0, "chars")) inner.positional.push_back(*chars);
    return LookupMethod(Value::String(v.Str()), "strip").as_callable()->Call(inner);
  };
  f["truncate"] = [](const Value& v, CallArgs& a) -> Result<Value> {
    std::string s = v.Str();
    STRATA_ASSIGN_OR_RETURN(int64_t length, IntArg(a, 0, "length", 255));
    bool killwords = BoolArg(a, 1, "killwords", false);
    std::string end = StrArg(a, 2, "end", "...");
    STRATA_ASSIGN_OR_RETURN(int64_t leeway, IntArg(a, 3, "leeway", 5));
    if (length < static_cast<int64_t>(end.size()))
      return Status::InvalidArgument("expected length >= " + std::to_string(end.size()) + ", got " +
                                     std::to_string(length));
    if (leeway < 0)
      return Status::InvalidArgument("expected leeway >= 0, got " + std::to_string(leeway));
    auto chars = Utf8Chars(s);
    if (static_cast<int64_t>(chars.size()) <= length + leeway) return Value::String(s);
    std::string head;
    for (int64_t i = 0; i < length - static_cast<int64_t>(Utf8Length(end)); ++i)
      head += chars[static_cast<size_t>(i)];
    if (killwords) return Value::String(head + end);
    size_t space = head.rfind(' ');
    if (space != std::string::npos) head = head.substr(0, space);
    return Value::String(head + end);
  };
  f["unique"] = [](const Value& v, CallArgs& a) -> Result<Value> {
    bool case_sensitive = BoolArg(a, 0, "case_sensitive", false);
    const Value* attribute = Arg(a, 1, "attribute");
    STRATA_ASSIGN_OR_RETURN(List items, IterateValue(v));
    List seen, out;
    for (const Value& item : items) {
      Value key = item;
      if (attribute != nullptr && !attribute->is_none()) {
        STRATA_ASSIGN_OR_RETURN(key, GetPath(a.renderer, item, *attribute));
      }
      key = IgnoreCase(key, case_sensitive);
      if (!IsHashable(key))
        return Status::InvalidArgument("unhashable type: '" + key.TypeName() + "'");
      bool dup = std::any_of(seen.begin(), seen.end(),
                             [&](const Value& s) { return ValuesEqual(s, key); });
      if (dup) continue;
      seen.push_back(key);
      out.push_back(item);
    }
    return Value::MakeList(std::move(out));
  };
  f["urlencode"] = [](const Value& v, CallArgs&) -> Result<Value> {
    if (v.is_string()) return Value::String(UrlQuote(v.as_string(), false));
    List pairs;
    if (v.is_dict()) {
      for (const auto& [k, val] : v.as_dict()->items()) pairs.push_back(Value::MakeTuple({k, val}));
    } else {
      STRATA_ASSIGN_OR_RETURN(pairs, IterateValue(v));
    }
    std::string out;
    for (size_t i = 0; i < pairs.size(); ++i) {
      if (!pairs[i].is_sequence() || pairs[i].as_list()->size() != 2) {
        return Status::InvalidArgument("urlencode expects pairs");
      }
      if (i > 0) out += "&";
      out += UrlQuote((*pairs[i].as_list())[0].Str(), true) + "=" +
             UrlQuote((*pairs[i].as_list())[1].Str(), true);
    }
    return Value::String(std::move(out));
  };
  f["wordcount"] = [](const Value& v, CallArgs&) -> Result<Value> {
    std::string s = v.Str();
    int64_t n = 0;
    bool in_word = false;
    for (unsigned char c : s) {
      bool word = std::isalnum(c) || c == '_' || c >= 0x80;
      if (word && !in_word) ++n;
      in_word = word;
    }
    return Value::Int(n);
  };
  f["wordwrap"] = [](const Value& v, CallArgs& a) -> Result<Value> {
    STRATA_ASSIGN_OR_RETURN(int64_t width, IntArg(a, 0, "width", 79));
    bool break_long = BoolArg(a, 1, "break_long_words", true);
    const Value* wrap = Arg(a, 2, "wrapstring");
    return WordWrap(v.Str(), width, break_long,
                    wrap != nullptr && !wrap->is_none() ? wrap->Str() : "\n");
  };
  f["striptags"] = [](const Value& v, CallArgs&) -> Result<Value> {
    std::string s = v.Str(), out;
    bool in_tag = false;
    for (char c : s) {
      if (c == '<')
        in_tag = true;
      else if (c == '>' && in_tag)
        in_tag = false;
      else if (!in_tag)
        out += c;
    }
    std::string collapsed;
    bool space = false;
    for (char c : out) {
      if (std::isspace(static_cast<unsigned char>(c))) {
        space = true;
        continue;
      }
      if (space && !collapsed.empty()) collapsed += ' ';
      space = false;
      collapsed += c;
    }
    return Value::String(std::move(collapsed));
  };
  f["pprint"] = [](const Value& v, CallArgs&) -> Result<Value> { return Value::String(v.Repr()); };
}

}  // namespace strata::transform
