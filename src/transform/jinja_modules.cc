// dbt's `modules`: modules.re (over std::regex, translating the common
// Python-only syntax) and modules.datetime (naive datetimes, dates and
// timedeltas in microseconds).
#include <strings.h>

#include <cmath>
#include <cstdio>
#include <regex>

#include "common/civil_date.h"
#include "transform/jinja_internal.h"

namespace strata::transform {
namespace {

// ---------------------------------------------------------------- re

constexpr size_t kMaxRegexSubject = 100'000;  // libstdc++'s matcher recurses per character

struct CompiledRegex {
  std::regex regex;
  std::string pattern;
  std::vector<std::string> group_names;  // index = group number; "" when unnamed
  size_t group_count = 0;
};

Result<std::shared_ptr<CompiledRegex>> CompileRegex(const std::string& pattern, int64_t flags) {
  auto out = std::make_shared<CompiledRegex>();
  out->pattern = pattern;
  bool icase = (flags & 2) != 0, multiline = (flags & 8) != 0, dotall = (flags & 16) != 0;
  std::string translated;
  out->group_names.push_back("");
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      char n = pattern[i + 1];
      if (n == 'A')
        translated += '^';
      else if (n == 'Z' || n == 'z')
        translated += '$';
      else
        translated += pattern.substr(i, 2);
      ++i;
      continue;
    }
    if (c == '[') {  // copy a character class verbatim
      size_t j = i + 1;
      if (j < pattern.size() && pattern[j] == '^') ++j;
      if (j < pattern.size() && pattern[j] == ']') ++j;
      while (j < pattern.size() && pattern[j] != ']') {
        if (pattern[j] == '\\') ++j;
        ++j;
      }
      translated += pattern.substr(i, j - i + 1);
      i = j;
      continue;
    }
    if (c == '(' && pattern.compare(i, 3, "(?P") == 0 && i + 3 < pattern.size() &&
        pattern[i + 3] == '<') {
      size_t close = pattern.find('>', i);
      if (close == std::string::npos)
        return Status::InvalidArgument("missing >, unterminated name");
      out->group_names.push_back(pattern.substr(i + 4, close - i - 4));
      translated += '(';
      i = close;
      continue;
    }
    if (c == '(' && pattern.compare(i, 2, "(?") == 0 && i + 2 < pattern.size() &&
        std::string_view("imsx").find(pattern[i + 2]) != std::string_view::npos) {
      size_t close = pattern.find(')', i);
      if (close == std::string::npos)
        return Status::InvalidArgument("missing ), unterminated subpattern");
      for (size_t k = i + 2; k < close; ++k) {
        if (pattern[k] == 'i') icase = true;
        if (pattern[k] == 'm') multiline = true;
        if (pattern[k] == 's') dotall = true;
      }
      i = close;
      continue;
    }
    if (c == '(' && !(i + 1 < pattern.size() && pattern[i + 1] == '?'))
      out->group_names.push_back("");
    if (c == '.' && dotall) {
      translated += "[\\s\\S]";
      continue;
    }
    translated += c;
  }
  out->group_count = out->group_names.size() - 1;
  auto syntax = std::regex::ECMAScript;
  if (icase) syntax |= std::regex::icase;
  if (multiline) syntax |= std::regex::multiline;
  try {
    out->regex = std::regex(translated, syntax);
  } catch (const std::exception& e) {
    return Status::InvalidArgument("invalid regular expression '" + pattern + "': " + e.what());
  }
  return out;
}

Status CheckSubject(const std::string& s) {
  if (s.size() > kMaxRegexSubject) return Status::InvalidArgument("string too long for modules.re");
  return Status::OK();
}

class MatchObject : public Object, public std::enable_shared_from_this<MatchObject> {
 public:
  MatchObject(std::shared_ptr<CompiledRegex> re, std::shared_ptr<std::string> subject,
              std::smatch match)
      : re_(std::move(re)), subject_(std::move(subject)), match_(std::move(match)) {}

  Result<Value> Group(const Value& which) const {
    size_t index = 0;
    if (which.is_string()) {
      auto it = std::find(re_->group_names.begin(), re_->group_names.end(), which.as_string());
      if (which.as_string().empty() || it == re_->group_names.end())
        return Status::InvalidArgument("no such group");
      index = static_cast<size_t>(it - re_->group_names.begin());
    } else {
      index = static_cast<size_t>(which.as_int());
    }
    if (index > re_->group_count) return Status::InvalidArgument("no such group");
    if (!match_[index].matched) return Value::None();
    return Value::String(match_[index].str());
  }

  Value GetAttr(std::string_view name) override {
    auto self = shared_from_this();
    if (name == "group") {
      return MakeFunction("group", [self](CallArgs& a) -> Result<Value> {
        if (a.positional.size() <= 1)
          return self->Group(a.positional.empty() ? Value::Int(0) : a.positional[0]);
        List out;
        for (const Value& w : a.positional) {
          STRATA_ASSIGN_OR_RETURN(Value v, self->Group(w));
          out.push_back(std::move(v));
        }
        return Value::MakeTuple(std::move(out));
      });
    }
    if (name == "groups") {
      return MakeFunction("groups", [self](CallArgs& a) -> Result<Value> {
        List out;
        Value def = a.positional.empty() ? Value::None() : a.positional[0];
        for (size_t i = 1; i <= self->re_->group_count; ++i) {
          out.push_back(self->match_[i].matched ? Value::String(self->match_[i].str()) : def);
        }
        return Value::MakeTuple(std::move(out));
      });
    }
    if (name == "groupdict") {
      return MakeFunction("groupdict", [self](CallArgs&) -> Result<Value> {
        Value d = Value::MakeDict();
        for (size_t i = 1; i <= self->re_->group_count; ++i) {
          if (self->re_->group_names[i].empty()) continue;
          d.as_dict()->Set(self->re_->group_names[i], self->match_[i].matched
                                                          ? Value::String(self->match_[i].str())
                                                          : Value::None());
        }
        return d;
      });
    }
    if (name == "start" || name == "end") {
      bool start = name == "start";
      return MakeFunction(std::string(name), [self, start](CallArgs& a) -> Result<Value> {
        size_t g = a.positional.empty() ? 0 : static_cast<size_t>(a.positional[0].as_int());
        if (g > self->re_->group_count) return Status::InvalidArgument("no such group");
        if (!self->match_[g].matched) return Value::Int(-1);
        int64_t pos = static_cast<int64_t>(self->match_.position(g));
        return Value::Int(start ? pos : pos + static_cast<int64_t>(self->match_.length(g)));
      });
    }
    if (name == "string") return Value::String(*subject_);
    return Value::Undefined(std::string(name),
                            "'re.Match' object has no attribute '" + std::string(name) + "'");
  }
  std::string TypeName() const override { return "re.Match"; }
  std::string Str() const override {
    std::string out = "<re.Match object; span=(" + std::to_string(match_.position(0)) + ", " +
                      std::to_string(match_.position(0) + match_.length(0)) + "), match=";
    AppendPythonStringRepr(match_.str(0), &out);
    return out + ">";
  }

 private:
  std::shared_ptr<CompiledRegex> re_;
  std::shared_ptr<std::string> subject_;  // match_ points into it
  std::smatch match_;
};

enum class MatchMode { kMatch, kSearch, kFullMatch };

Result<Value> RunMatch(const std::shared_ptr<CompiledRegex>& re, const std::string& subject,
                       MatchMode mode) {
  STRATA_RETURN_IF_ERROR(CheckSubject(subject));
  // The match's iterators point into `holder`, which the MatchObject keeps.
  auto holder = std::make_shared<std::string>(subject);
  std::smatch m;
  bool found = false;
  try {
    if (mode == MatchMode::kSearch) {
      found = std::regex_search(holder->cbegin(), holder->cend(), m, re->regex);
    } else if (mode == MatchMode::kMatch) {
      found = std::regex_search(holder->cbegin(), holder->cend(), m, re->regex,
                                std::regex_constants::match_continuous);
    } else {
      found = std::regex_match(holder->cbegin(), holder->cend(), m, re->regex);
    }
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("regular expression failed: ") + e.what());
  }
  if (!found) return Value::None();
  return Value::FromObject(std::make_shared<MatchObject>(re, std::move(holder), std::move(m)));
}

List AllMatches(const std::shared_ptr<CompiledRegex>& re, const std::string& s,
                std::vector<std::smatch>* out_matches) {
  List out;
  for (auto it = std::sregex_iterator(s.begin(), s.end(), re->regex); it != std::sregex_iterator();
       ++it) {
    out_matches->push_back(*it);
  }
  return out;
}

Result<Value> FindAll(const std::shared_ptr<CompiledRegex>& re, const std::string& s) {
  STRATA_RETURN_IF_ERROR(CheckSubject(s));
  std::vector<std::smatch> matches;
  try {
    AllMatches(re, s, &matches);
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("regular expression failed: ") + e.what());
  }
  List out;
  for (const auto& m : matches) {
    if (re->group_count == 0) {
      out.push_back(Value::String(m.str(0)));
    } else if (re->group_count == 1) {
      out.push_back(Value::String(m[1].matched ? m.str(1) : ""));
    } else {
      List groups;
      for (size_t g = 1; g <= re->group_count; ++g)
        groups.push_back(Value::String(m[g].matched ? m.str(g) : ""));
      out.push_back(Value::MakeTuple(std::move(groups)));
    }
  }
  return Value::MakeList(std::move(out));
}

Result<std::string> ExpandReplacement(const std::shared_ptr<CompiledRegex>& re,
                                      const std::string& repl, const std::smatch& m) {
  std::string out;
  for (size_t i = 0; i < repl.size(); ++i) {
    char c = repl[i];
    if (c != '\\' || i + 1 >= repl.size()) {
      out += c;
      continue;
    }
    char n = repl[++i];
    if (std::isdigit(static_cast<unsigned char>(n))) {
      size_t g = static_cast<size_t>(n - '0');
      if (i + 1 < repl.size() && std::isdigit(static_cast<unsigned char>(repl[i + 1])) &&
          g * 10 + static_cast<size_t>(repl[i + 1] - '0') <= re->group_count) {
        g = g * 10 + static_cast<size_t>(repl[++i] - '0');
      }
      if (g > re->group_count)
        return Status::InvalidArgument("invalid group reference " + std::to_string(g));
      if (m[g].matched) out += m.str(g);
    } else if (n == 'g' && i + 1 < repl.size() && repl[i + 1] == '<') {
      size_t close = repl.find('>', i);
      if (close == std::string::npos)
        return Status::InvalidArgument("missing >, unterminated name");
      std::string name = repl.substr(i + 2, close - i - 2);
      size_t g = 0;
      if (!name.empty() && std::all_of(name.begin(), name.end(), ::isdigit)) {
        g = std::stoul(name);
      } else {
        auto it = std::find(re->group_names.begin(), re->group_names.end(), name);
        if (name.empty() || it == re->group_names.end())
          return Status::InvalidArgument("unknown group name '" + name + "'");
        g = static_cast<size_t>(it - re->group_names.begin());
      }
      if (g > re->group_count) return Status::InvalidArgument("invalid group reference");
      if (m[g].matched) out += m.str(g);
      i = close;
    } else if (n == 'n') {
      out += '\n';
    } else if (n == 't') {
      out += '\t';
    } else if (n == '\\') {
      out += '\\';
    } else if (std::isalpha(static_cast<unsigned char>(n))) {
      return Status::InvalidArgument(std::string("bad escape \\") + n);
    } else {
      out += '\\';
      out += n;
    }
  }
  return out;
}

Result<Value> Substitute(const std::shared_ptr<CompiledRegex>& re, const std::string& repl,
                         const std::string& s, int64_t count) {
  STRATA_RETURN_IF_ERROR(CheckSubject(s));
  std::vector<std::smatch> matches;
  try {
    AllMatches(re, s, &matches);
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("regular expression failed: ") + e.what());
  }
  std::string out;
  size_t last = 0;
  int64_t done = 0;
  for (const auto& m : matches) {
    if (count > 0 && done >= count) break;
    size_t pos = static_cast<size_t>(m.position(0));
    out.append(s, last, pos - last);
    STRATA_ASSIGN_OR_RETURN(std::string expanded, ExpandReplacement(re, repl, m));
    out += expanded;
    last = pos + static_cast<size_t>(m.length(0));
    ++done;
  }
  out.append(s, last, std::string::npos);
  return Value::String(std::move(out));
}

Result<Value> Split(const std::shared_ptr<CompiledRegex>& re, const std::string& s,
                    int64_t maxsplit) {
  STRATA_RETURN_IF_ERROR(CheckSubject(s));
  std::vector<std::smatch> matches;
  try {
    AllMatches(re, s, &matches);
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("regular expression failed: ") + e.what());
  }
  List out;
  size_t last = 0;
  int64_t done = 0;
  for (const auto& m : matches) {
    if (maxsplit > 0 && done >= maxsplit) break;
    size_t pos = static_cast<size_t>(m.position(0));
    out.push_back(Value::String(s.substr(last, pos - last)));
    for (size_t g = 1; g <= re->group_count; ++g)
      out.push_back(m[g].matched ? Value::String(m.str(g)) : Value::None());
    last = pos + static_cast<size_t>(m.length(0));
    ++done;
  }
  out.push_back(Value::String(s.substr(last)));
  return Value::MakeList(std::move(out));
}

class PatternObject : public Object {
 public:
  explicit PatternObject(std::shared_ptr<CompiledRegex> re) : re_(std::move(re)) {}
  Value GetAttr(std::string_view name) override;
  std::string TypeName() const override { return "re.Pattern"; }
  std::string Str() const override {
    std::string out = "re.compile(";
    AppendPythonStringRepr(re_->pattern, &out);
    return out + ")";
  }

 private:
  std::shared_ptr<CompiledRegex> re_;
};

Result<std::string> StringArg(const CallArgs& a, size_t index, const char* name) {
  const Value* v = a.Get(index, name);
  if (v == nullptr) return Status::InvalidArgument(std::string("missing argument '") + name + "'");
  if (!v->is_string())
    return Status::InvalidArgument("expected string or bytes-like object, got '" + v->TypeName() +
                                   "'");
  return v->as_string();
}

int64_t IntOr(const CallArgs& a, size_t index, const char* name, int64_t fallback) {
  const Value* v = a.Get(index, name);
  return v != nullptr && (v->is_int() || v->is_bool()) ? v->as_int() : fallback;
}

// Builds the function `name` of the re module (offset 1: the pattern comes
// first) or of a compiled pattern (offset 0, `fixed` set).
Value RegexFunction(const std::string& name, std::shared_ptr<CompiledRegex> fixed) {
  size_t off = fixed ? 0 : 1;
  auto pattern_of = [fixed](const CallArgs& a,
                            size_t flags_index) -> Result<std::shared_ptr<CompiledRegex>> {
    if (fixed) return fixed;
    STRATA_ASSIGN_OR_RETURN(std::string pattern, StringArg(a, 0, "pattern"));
    return CompileRegex(pattern, IntOr(a, flags_index, "flags", 0));
  };
  if (name == "match" || name == "search" || name == "fullmatch") {
    MatchMode mode = name == "match"    ? MatchMode::kMatch
                     : name == "search" ? MatchMode::kSearch
                                        : MatchMode::kFullMatch;
    return MakeFunction(name, [pattern_of, off, mode](CallArgs& a) -> Result<Value> {
      STRATA_ASSIGN_OR_RETURN(auto re, pattern_of(a, 2));
      STRATA_ASSIGN_OR_RETURN(std::string s, StringArg(a, off, "string"));
      return RunMatch(re, s, mode);
    });
  }
  if (name == "findall") {
    return MakeFunction(name, [pattern_of, off](CallArgs& a) -> Result<Value> {
      STRATA_ASSIGN_OR_RETURN(auto re, pattern_of(a, 2));
      STRATA_ASSIGN_OR_RETURN(std::string s, StringArg(a, off, "string"));
      return FindAll(re, s);
    });
  }
  if (name == "sub") {
    return MakeFunction(name, [pattern_of, off](CallArgs& a) -> Result<Value> {
      STRATA_ASSIGN_OR_RETURN(auto re, pattern_of(a, 4));
      STRATA_ASSIGN_OR_RETURN(std::string repl, StringArg(a, off, "repl"));
      STRATA_ASSIGN_OR_RETURN(std::string s, StringArg(a, off + 1, "string"));
      return Substitute(re, repl, s, IntOr(a, off + 2, "count", 0));
    });
  }
  if (name == "split") {
    return MakeFunction(name, [pattern_of, off](CallArgs& a) -> Result<Value> {
      STRATA_ASSIGN_OR_RETURN(auto re, pattern_of(a, 3));
      STRATA_ASSIGN_OR_RETURN(std::string s, StringArg(a, off, "string"));
      return Split(re, s, IntOr(a, off + 1, "maxsplit", 0));
    });
  }
  return Value::Undefined(name);
}

Value PatternObject::GetAttr(std::string_view name) {
  if (name == "pattern") return Value::String(re_->pattern);
  if (name == "groups") return Value::Int(static_cast<int64_t>(re_->group_count));
  return RegexFunction(std::string(name), re_);
}

Value MakeReModule() {
  auto attrs = std::make_shared<Dict>();
  for (const char* fn : {"match", "search", "fullmatch", "findall", "sub", "split"}) {
    attrs->Set(fn, RegexFunction(fn, nullptr));
  }
  attrs->Set("compile", MakeFunction("compile", [](CallArgs& a) -> Result<Value> {
               STRATA_ASSIGN_OR_RETURN(std::string pattern, StringArg(a, 0, "pattern"));
               STRATA_ASSIGN_OR_RETURN(auto re, CompileRegex(pattern, IntOr(a, 1, "flags", 0)));
               return Value::FromObject(std::make_shared<PatternObject>(re));
             }));
  attrs->Set(
      "escape", MakeFunction("escape", [](CallArgs& a) -> Result<Value> {
        STRATA_ASSIGN_OR_RETURN(std::string s, StringArg(a, 0, "pattern"));
        std::string out;
        for (char c : s) {
          if (std::string_view("()[]{}?*+-|^$\\.&~# \t\n\r\v\f").find(c) != std::string_view::npos)
            out += '\\';
          out += c;
        }
        return Value::String(std::move(out));
      }));
  attrs->Set("I", Value::Int(2));
  attrs->Set("IGNORECASE", Value::Int(2));
  attrs->Set("M", Value::Int(8));
  attrs->Set("MULTILINE", Value::Int(8));
  attrs->Set("S", Value::Int(16));
  attrs->Set("DOTALL", Value::Int(16));
  return Value::FromObject(std::make_shared<AttributeObject>("module", attrs));
}

// ---------------------------------------------------------------- datetime

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int64_t DaysInMonth(int64_t y, int64_t m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

const char* kDayNames[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                           "Friday", "Saturday", "Sunday"};
const char* kMonthNames[] = {"January", "February", "March",     "April",   "May",      "June",
                             "July",    "August",   "September", "October", "November", "December"};

class TimeDelta : public Object {
 public:
  explicit TimeDelta(int64_t micros) : micros_(micros) {}
  int64_t micros() const { return micros_; }
  Value GetAttr(std::string_view name) override {
    int64_t days = FloorDiv(micros_, kMicrosPerDay);
    int64_t rest = micros_ - days * kMicrosPerDay;
    if (name == "days") return Value::Int(days);
    if (name == "seconds") return Value::Int(rest / kMicrosPerSecond);
    if (name == "microseconds") return Value::Int(rest % kMicrosPerSecond);
    if (name == "total_seconds") {
      int64_t m = micros_;
      return MakeFunction("total_seconds", [m](CallArgs&) -> Result<Value> {
        return Value::Float(static_cast<double>(m) / kMicrosPerSecond);
      });
    }
    return Value::Undefined(std::string(name));
  }
  std::string TypeName() const override { return "datetime.timedelta"; }
  std::string Str() const override {
    int64_t days = FloorDiv(micros_, kMicrosPerDay);
    int64_t rest = micros_ - days * kMicrosPerDay;
    int64_t secs = rest / kMicrosPerSecond, us = rest % kMicrosPerSecond;
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%lld:%02lld:%02lld", static_cast<long long>(secs / 3600),
                  static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60));
    std::string out;
    if (days != 0) out = std::to_string(days) + (std::llabs(days) == 1 ? " day, " : " days, ");
    out += buf;
    if (us != 0) {
      std::snprintf(buf, sizeof(buf), ".%06lld", static_cast<long long>(us));
      out += buf;
    }
    return out;
  }
  bool Equals(const Object& other) const override {
    auto* o = dynamic_cast<const TimeDelta*>(&other);
    return o != nullptr && o->micros_ == micros_;
  }
  Result<bool> Less(const Object& other) const override {
    auto* o = dynamic_cast<const TimeDelta*>(&other);
    if (o == nullptr) return Status::InvalidArgument("'<' not supported");
    return micros_ < o->micros_;
  }
  Result<Value> BinaryOp(std::string_view op, const Value& other, bool reflected) override;

 private:
  int64_t micros_;
};

Value MakeDelta(int64_t micros) { return Value::FromObject(std::make_shared<TimeDelta>(micros)); }

class DateTime : public Object {
 public:
  DateTime(int64_t micros, bool date_only) : micros_(micros), date_only_(date_only) {}
  int64_t micros() const { return micros_; }
  bool date_only() const { return date_only_; }

  void Fields(int64_t* y, int64_t* mo, int64_t* d, int64_t* h, int64_t* mi, int64_t* s,
              int64_t* us) const {
    int64_t days = FloorDiv(micros_, kMicrosPerDay);
    int64_t rest = micros_ - days * kMicrosPerDay;
    const CivilDate date = CivilFromDays(days);
    *y = date.year;
    *mo = date.month;
    *d = date.day;
    *h = rest / (3600 * kMicrosPerSecond);
    *mi = rest / (60 * kMicrosPerSecond) % 60;
    *s = rest / kMicrosPerSecond % 60;
    *us = rest % kMicrosPerSecond;
  }

  std::string Format(const std::string& fmt) const {
    int64_t y, mo, d, h, mi, s, us;
    Fields(&y, &mo, &d, &h, &mi, &s, &us);
    int64_t weekday =
        (FloorDiv(micros_, kMicrosPerDay) % 7 + 7 + 3) % 7;  // 1970-01-01 was a Thursday
    std::string out;
    char buf[64];
    for (size_t i = 0; i < fmt.size(); ++i) {
      if (fmt[i] != '%' || i + 1 >= fmt.size()) {
        out += fmt[i];
        continue;
      }
      char c = fmt[++i];
      auto put = [&](const char* f, long long v) {
        std::snprintf(buf, sizeof(buf), f, v);
        out += buf;
      };
      switch (c) {
        case 'Y':
          put("%04lld", y);
          break;
        case 'y':
          put("%02lld", y % 100);
          break;
        case 'm':
          put("%02lld", mo);
          break;
        case 'd':
          put("%02lld", d);
          break;
        case 'H':
          put("%02lld", h);
          break;
        case 'I':
          put("%02lld", h % 12 == 0 ? 12 : h % 12);
          break;
        case 'M':
          put("%02lld", mi);
          break;
        case 'S':
          put("%02lld", s);
          break;
        case 'f':
          put("%06lld", us);
          break;
        case 'p':
          out += h < 12 ? "AM" : "PM";
          break;
        case 'j':
          put("%03lld", DaysFromCivil(y, mo, d) - DaysFromCivil(y, 1, 1) + 1);
          break;
        case 'a':
          out += std::string(kDayNames[weekday]).substr(0, 3);
          break;
        case 'A':
          out += kDayNames[weekday];
          break;
        case 'w':
          put("%lld", (weekday + 1) % 7);
          break;
        case 'u':
          put("%lld", weekday + 1);
          break;
        case 'b':
          out += std::string(kMonthNames[mo - 1]).substr(0, 3);
          break;
        case 'B':
          out += kMonthNames[mo - 1];
          break;
        case 'z':
        case 'Z':
          break;
        case '%':
          out += '%';
          break;
        default:
          out += '%';
          out += c;
      }
    }
    return out;
  }

  Value GetAttr(std::string_view name) override;
  std::string TypeName() const override {
    return date_only_ ? "datetime.date" : "datetime.datetime";
  }
  std::string Str() const override {
    if (date_only_) return Format("%Y-%m-%d");
    std::string out = Format("%Y-%m-%d %H:%M:%S");
    if (micros_ % kMicrosPerSecond != 0) out += Format(".%f");
    return out;
  }
  bool Equals(const Object& other) const override {
    auto* o = dynamic_cast<const DateTime*>(&other);
    return o != nullptr && o->micros_ == micros_ && o->date_only_ == date_only_;
  }
  Result<bool> Less(const Object& other) const override {
    auto* o = dynamic_cast<const DateTime*>(&other);
    if (o == nullptr || o->date_only_ != date_only_)
      return Status::InvalidArgument("can't compare datetime objects");
    return micros_ < o->micros_;
  }
  Result<Value> BinaryOp(std::string_view op, const Value& other, bool reflected) override {
    auto* delta = other.is_object() ? dynamic_cast<TimeDelta*>(other.as_object().get()) : nullptr;
    auto* dt = other.is_object() ? dynamic_cast<DateTime*>(other.as_object().get()) : nullptr;
    if (op == "+" && delta != nullptr) {
      int64_t m = micros_ + delta->micros();
      if (date_only_) m = FloorDiv(m, kMicrosPerDay) * kMicrosPerDay;
      return Value::FromObject(std::make_shared<DateTime>(m, date_only_));
    }
    if (op == "-" && delta != nullptr && !reflected) {
      int64_t m = micros_ - delta->micros();
      if (date_only_) m = FloorDiv(m, kMicrosPerDay) * kMicrosPerDay;
      return Value::FromObject(std::make_shared<DateTime>(m, date_only_));
    }
    if (op == "-" && dt != nullptr && dt->date_only_ == date_only_) {
      return MakeDelta(reflected ? dt->micros_ - micros_ : micros_ - dt->micros_);
    }
    return Status::InvalidArgument("unsupported operand type(s) for " + std::string(op) + ": '" +
                                   TypeName() + "'");
  }

 private:
  int64_t micros_;
  bool date_only_;
};

Result<Value> TimeDelta::BinaryOp(std::string_view op, const Value& other, bool reflected) {
  auto* delta = other.is_object() ? dynamic_cast<TimeDelta*>(other.as_object().get()) : nullptr;
  if (delta != nullptr && op == "+") return MakeDelta(micros_ + delta->micros_);
  if (delta != nullptr && op == "-")
    return MakeDelta(reflected ? delta->micros_ - micros_ : micros_ - delta->micros_);
  if ((other.is_int() || other.is_bool()) && op == "*") return MakeDelta(micros_ * other.as_int());
  if (other.is_object() && dynamic_cast<DateTime*>(other.as_object().get()) != nullptr) {
    return Status::NotSupported("reflect");
  }
  return Status::InvalidArgument("unsupported operand type(s) for " + std::string(op) +
                                 ": 'datetime.timedelta'");
}

Result<Value> MakeDateTime(int64_t y, int64_t mo, int64_t d, int64_t h, int64_t mi, int64_t s,
                           int64_t us, bool date_only) {
  if (y < 1 || y > 9999)
    return Status::InvalidArgument("year " + std::to_string(y) + " is out of range");
  if (mo < 1 || mo > 12) return Status::InvalidArgument("month must be in 1..12");
  if (d < 1 || d > DaysInMonth(y, mo))
    return Status::InvalidArgument("day is out of range for month");
  if (h < 0 || h > 23) return Status::InvalidArgument("hour must be in 0..23");
  if (mi < 0 || mi > 59) return Status::InvalidArgument("minute must be in 0..59");
  if (s < 0 || s > 59) return Status::InvalidArgument("second must be in 0..59");
  if (us < 0 || us > 999999) return Status::InvalidArgument("microsecond must be in 0..999999");
  int64_t micros =
      DaysFromCivil(y, mo, d) * kMicrosPerDay + ((h * 60 + mi) * 60 + s) * kMicrosPerSecond + us;
  return Value::FromObject(std::make_shared<DateTime>(micros, date_only));
}

Result<Value> Strptime(const std::string& text, const std::string& fmt) {
  int64_t y = 1900, mo = 1, d = 1, h = 0, mi = 0, s = 0, us = 0;
  size_t p = 0;
  auto fail = [&]() {
    return Status::InvalidArgument("time data '" + text + "' does not match format '" + fmt + "'");
  };
  auto number = [&](int max_digits, int64_t* out) -> bool {
    size_t start = p;
    int64_t v = 0;
    while (p < text.size() && static_cast<int>(p - start) < max_digits &&
           std::isdigit(static_cast<unsigned char>(text[p]))) {
      v = v * 10 + (text[p++] - '0');
    }
    if (p == start) return false;
    *out = v;
    return true;
  };
  for (size_t i = 0; i < fmt.size(); ++i) {
    if (fmt[i] != '%' || i + 1 >= fmt.size()) {
      if (std::isspace(static_cast<unsigned char>(fmt[i]))) {
        while (p < text.size() && std::isspace(static_cast<unsigned char>(text[p]))) ++p;
        continue;
      }
      if (p >= text.size() || text[p] != fmt[i]) return fail();
      ++p;
      continue;
    }
    char c = fmt[++i];
    bool ok = true;
    switch (c) {
      case 'Y':
        ok = number(4, &y);
        break;
      case 'y':
        ok = number(2, &y);
        if (ok) y += y < 69 ? 2000 : 1900;
        break;
      case 'm':
        ok = number(2, &mo);
        break;
      case 'd':
        ok = number(2, &d);
        break;
      case 'H':
        ok = number(2, &h);
        break;
      case 'M':
        ok = number(2, &mi);
        break;
      case 'S':
        ok = number(2, &s);
        break;
      case 'f': {
        size_t start = p;
        ok = number(6, &us);
        for (size_t k = p - start; ok && k < 6; ++k) us *= 10;
        break;
      }
      case 'b':
      case 'B': {
        ok = false;
        for (int k = 0; k < 12 && !ok; ++k) {
          std::string full = kMonthNames[k];
          for (const std::string& cand : {full, full.substr(0, 3)}) {
            if (text.size() - p >= cand.size() &&
                strncasecmp(text.c_str() + p, cand.c_str(), cand.size()) == 0) {
              mo = k + 1;
              p += cand.size();
              ok = true;
              break;
            }
          }
        }
        break;
      }
      case '%':
        ok = p < text.size() && text[p++] == '%';
        break;
      default:
        return Status::InvalidArgument(std::string("'") + c + "' is a bad directive in format '" +
                                       fmt + "'");
    }
    if (!ok) return fail();
  }
  if (p != text.size())
    return Status::InvalidArgument("unconverted data remains: " + text.substr(p));
  return MakeDateTime(y, mo, d, h, mi, s, us, false);
}

Value DateTime::GetAttr(std::string_view name) {
  int64_t y, mo, d, h, mi, s, us;
  Fields(&y, &mo, &d, &h, &mi, &s, &us);
  if (name == "year") return Value::Int(y);
  if (name == "month") return Value::Int(mo);
  if (name == "day") return Value::Int(d);
  if (!date_only_) {
    if (name == "hour") return Value::Int(h);
    if (name == "minute") return Value::Int(mi);
    if (name == "second") return Value::Int(s);
    if (name == "microsecond") return Value::Int(us);
  }
  int64_t micros = micros_;
  bool date_only = date_only_;
  if (name == "strftime") {
    return MakeFunction("strftime", [micros, date_only](CallArgs& a) -> Result<Value> {
      if (a.positional.empty() || !a.positional[0].is_string())
        return Status::InvalidArgument("strftime needs a format");
      return Value::String(DateTime(micros, date_only).Format(a.positional[0].as_string()));
    });
  }
  if (name == "isoformat") {
    return MakeFunction("isoformat", [micros, date_only](CallArgs& a) -> Result<Value> {
      DateTime dt(micros, date_only);
      if (date_only) return Value::String(dt.Format("%Y-%m-%d"));
      std::string sep = a.positional.empty() ? "T" : a.positional[0].Str();
      std::string out = dt.Format("%Y-%m-%d") + sep + dt.Format("%H:%M:%S");
      if (micros % kMicrosPerSecond != 0) out += dt.Format(".%f");
      return Value::String(out);
    });
  }
  if (name == "date") {
    return MakeFunction("date", [micros](CallArgs&) -> Result<Value> {
      return Value::FromObject(
          std::make_shared<DateTime>(FloorDiv(micros, kMicrosPerDay) * kMicrosPerDay, true));
    });
  }
  if (name == "weekday" || name == "isoweekday") {
    int64_t weekday = (FloorDiv(micros, kMicrosPerDay) % 7 + 7 + 3) % 7;
    int64_t result = name == "weekday" ? weekday : weekday + 1;
    return MakeFunction(std::string(name),
                        [result](CallArgs&) -> Result<Value> { return Value::Int(result); });
  }
  if (name == "replace") {
    return MakeFunction(
        "replace", [y, mo, d, h, mi, s, us, date_only](CallArgs& a) -> Result<Value> {
          auto pick = [&](const char* key, int64_t current) {
            const Value* v = a.Keyword(key);
            return v != nullptr && v->is_int() ? v->as_int() : current;
          };
          return MakeDateTime(pick("year", y), pick("month", mo), pick("day", d), pick("hour", h),
                              pick("minute", mi), pick("second", s), pick("microsecond", us),
                              date_only);
        });
  }
  return Value::Undefined(std::string(name), "'" + TypeName() + "' object has no attribute '" +
                                                 std::string(name) + "'");
}

int64_t IntKw(const CallArgs& a, size_t index, const char* name, int64_t fallback) {
  const Value* v = a.Get(index, name);
  return v != nullptr && (v->is_int() || v->is_bool()) ? v->as_int() : fallback;
}

Value MakeDateTimeModule(Clock* clock) {
  auto now = [clock]() -> int64_t {
    return (clock != nullptr ? clock : Clock::Default())->NowMicros();
  };
  auto datetime_attrs = std::make_shared<Dict>();
  auto now_fn = MakeFunction("now", [now](CallArgs&) -> Result<Value> {
    return Value::FromObject(std::make_shared<DateTime>(now(), false));
  });
  datetime_attrs->Set("now", now_fn);
  datetime_attrs->Set("utcnow", now_fn);
  datetime_attrs->Set(
      "strptime", MakeFunction("strptime", [](CallArgs& a) -> Result<Value> {
        if (a.positional.size() != 2 || !a.positional[0].is_string() ||
            !a.positional[1].is_string()) {
          return Status::InvalidArgument("strptime() takes exactly 2 string arguments");
        }
        return Strptime(a.positional[0].as_string(), a.positional[1].as_string());
      }));
  auto datetime_type = std::make_shared<AttributeObject>("type", datetime_attrs);
  // datetime.datetime(...) constructs; datetime.datetime.now() etc. are attributes.
  class DateTimeType : public Object {
   public:
    DateTimeType(std::shared_ptr<AttributeObject> attrs, bool date_only)
        : attrs_(std::move(attrs)), date_only_(date_only) {}
    Value GetAttr(std::string_view name) override {
      if (name == "__call__") {
        bool date_only = date_only_;
        return MakeFunction(
            date_only ? "date" : "datetime", [date_only](CallArgs& a) -> Result<Value> {
              if (a.Get(0, "year") == nullptr || a.Get(1, "month") == nullptr ||
                  a.Get(2, "day") == nullptr) {
                return Status::InvalidArgument(
                    "function missing required argument 'year', 'month' or 'day'");
              }
              return MakeDateTime(IntKw(a, 0, "year", 1), IntKw(a, 1, "month", 1),
                                  IntKw(a, 2, "day", 1), date_only ? 0 : IntKw(a, 3, "hour", 0),
                                  date_only ? 0 : IntKw(a, 4, "minute", 0),
                                  date_only ? 0 : IntKw(a, 5, "second", 0),
                                  date_only ? 0 : IntKw(a, 6, "microsecond", 0), date_only);
            });
      }
      return attrs_->GetAttr(name);
    }
    std::string TypeName() const override { return "type"; }
    std::string Str() const override {
      return date_only_ ? "<class 'datetime.date'>" : "<class 'datetime.datetime'>";
    }

   private:
    std::shared_ptr<AttributeObject> attrs_;
    bool date_only_;
  };
  auto date_attrs = std::make_shared<Dict>();
  date_attrs->Set("today", MakeFunction("today", [now](CallArgs&) -> Result<Value> {
                    return Value::FromObject(std::make_shared<DateTime>(
                        FloorDiv(now(), kMicrosPerDay) * kMicrosPerDay, true));
                  }));
  auto module = std::make_shared<Dict>();
  module->Set("datetime", Value::FromObject(std::make_shared<DateTimeType>(datetime_type, false)));
  module->Set("date", Value::FromObject(std::make_shared<DateTimeType>(
                          std::make_shared<AttributeObject>("type", date_attrs), true)));
  module->Set("timedelta", MakeFunction("timedelta", [](CallArgs& a) -> Result<Value> {
                double total = 0;
                const char* names[] = {"days",    "seconds", "microseconds", "milliseconds",
                                       "minutes", "hours",   "weeks"};
                const double scale[] = {86400e6, 1e6, 1, 1e3, 60e6, 3600e6, 604800e6};
                for (size_t i = 0; i < 7; ++i) {
                  const Value* v = a.Get(i, names[i]);
                  if (v == nullptr) continue;
                  if (!v->is_number())
                    return Status::InvalidArgument("unsupported type for timedelta component");
                  total += v->as_double() * scale[i];
                }
                if (std::fabs(total) > 1e17)
                  return Status::InvalidArgument("timedelta out of range");
                return MakeDelta(static_cast<int64_t>(std::llround(total)));
              }));
  return Value::FromObject(std::make_shared<AttributeObject>("module", module));
}

}  // namespace

Value MakeModules(const JinjaOptions& options) {
  auto modules = std::make_shared<Dict>();
  modules->Set("re", MakeReModule());
  modules->Set("datetime", MakeDateTimeModule(options.clock));
  return Value::FromDict(modules);
}

}  // namespace strata::transform
