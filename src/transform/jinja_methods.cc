// Python's methods on str, list and dict, as templates call them
// ("x".upper(), items.append(1), d.get('k', 0)).
#include <algorithm>
#include <cctype>

#include "transform/jinja_internal.h"

namespace strata::transform {
namespace {

bool IsPySpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string StripChars(const std::string& s, const Value* chars, bool left, bool right) {
  auto strip = [&](char c) {
    if (chars == nullptr || chars->is_none()) return IsPySpace(c);
    return chars->as_string().find(c) != std::string::npos;
  };
  size_t b = 0, e = s.size();
  if (left) {
    while (b < e && strip(s[b])) ++b;
  }
  if (right) {
    while (e > b && strip(s[e - 1])) --e;
  }
  return s.substr(b, e - b);
}

Value SplitString(const std::string& s, const Value* sep_value, int64_t maxsplit, bool from_right) {
  List parts;
  if (sep_value == nullptr || sep_value->is_none()) {
    std::vector<std::string> words;
    if (!from_right) {
      size_t i = 0;
      int64_t splits = 0;
      while (i < s.size()) {
        while (i < s.size() && IsPySpace(s[i])) ++i;
        if (i >= s.size()) break;
        if (maxsplit >= 0 && splits >= maxsplit) {
          size_t end = s.size();
          while (end > i && IsPySpace(s[end - 1])) --end;
          words.push_back(s.substr(i, end - i));
          break;
        }
        size_t j = i;
        while (j < s.size() && !IsPySpace(s[j])) ++j;
        words.push_back(s.substr(i, j - i));
        ++splits;
        i = j;
      }
    } else {
      int64_t i = static_cast<int64_t>(s.size());
      int64_t splits = 0;
      while (i > 0) {
        while (i > 0 && IsPySpace(s[i - 1])) --i;
        if (i <= 0) break;
        if (maxsplit >= 0 && splits >= maxsplit) {
          size_t b = 0;
          while (b < static_cast<size_t>(i) && IsPySpace(s[b])) ++b;
          words.insert(words.begin(), s.substr(b, i - b));
          break;
        }
        int64_t j = i;
        while (j > 0 && !IsPySpace(s[j - 1])) --j;
        words.insert(words.begin(), s.substr(j, i - j));
        ++splits;
        i = j;
      }
    }
    for (auto& w : words) parts.push_back(Value::String(std::move(w)));
    return Value::MakeList(std::move(parts));
  }
  const std::string& sep = sep_value->as_string();
  std::vector<std::string> pieces;
  if (!from_right) {
    size_t start = 0;
    int64_t splits = 0;
    while (true) {
      size_t at = (maxsplit >= 0 && splits >= maxsplit) ? std::string::npos : s.find(sep, start);
      if (at == std::string::npos) {
        pieces.push_back(s.substr(start));
        break;
      }
      pieces.push_back(s.substr(start, at - start));
      start = at + sep.size();
      ++splits;
    }
  } else {
    size_t end = s.size();
    int64_t splits = 0;
    while (true) {
      size_t at = std::string::npos;
      if (!(maxsplit >= 0 && splits >= maxsplit) && end >= sep.size())
        at = s.rfind(sep, end - sep.size());
      if (at == std::string::npos) {
        pieces.insert(pieces.begin(), s.substr(0, end));
        break;
      }
      pieces.insert(pieces.begin(), s.substr(at + sep.size(), end - at - sep.size()));
      end = at;
      ++splits;
    }
  }
  for (auto& p : pieces) parts.push_back(Value::String(std::move(p)));
  return Value::MakeList(std::move(parts));
}

int64_t IntArg(const CallArgs& args, size_t index, const char* name, int64_t fallback) {
  const Value* v = args.Get(index, name);
  if (v == nullptr || !(v->is_int() || v->is_bool())) return fallback;
  return v->as_int();
}

Status NeedString(const Value* v, const std::string& what) {
  if (v == nullptr) return Status::InvalidArgument(what + " missing required argument");
  if (!v->is_string())
    return Status::InvalidArgument(what + " argument must be str, not " + v->TypeName());
  return Status::OK();
}

Result<bool> AffixTest(const std::string& s, const Value* affix, bool prefix) {
  if (affix == nullptr) return Status::InvalidArgument("startswith takes at least 1 argument");
  auto test = [&](const std::string& a) {
    if (a.size() > s.size()) return false;
    return prefix ? s.compare(0, a.size(), a) == 0
                  : s.compare(s.size() - a.size(), a.size(), a) == 0;
  };
  if (affix->is_tuple()) {
    for (const Value& a : *affix->as_list()) {
      if (!a.is_string())
        return Status::InvalidArgument("tuple for startswith must only contain str");
      if (test(a.as_string())) return true;
    }
    return false;
  }
  if (!affix->is_string())
    return Status::InvalidArgument("startswith first arg must be str or a tuple of str");
  return test(affix->as_string());
}

template <typename Pred>
bool AllChars(const std::string& s, Pred pred) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(),
                     [&](char c) { return pred(static_cast<unsigned char>(c)); });
}

Value StringMethod(const std::string& s, const std::string& name) {
  auto fn = [&](NativeFunction f) { return MakeFunction(name, std::move(f)); };
  if (name == "upper" || name == "lower" || name == "swapcase" || name == "casefold" ||
      name == "title" || name == "capitalize") {
    CaseMode mode = name == "upper"        ? CaseMode::kUpper
                    : name == "swapcase"   ? CaseMode::kSwap
                    : name == "title"      ? CaseMode::kTitle
                    : name == "capitalize" ? CaseMode::kCapitalize
                                           : CaseMode::kLower;
    return fn([s, mode](CallArgs&) -> Result<Value> { return Value::String(PyCaseMap(s, mode)); });
  }
  if (name == "strip" || name == "lstrip" || name == "rstrip") {
    return fn([s, name](CallArgs& a) -> Result<Value> {
      const Value* chars = a.Get(0, "chars");
      if (chars != nullptr && !chars->is_none() && !chars->is_string()) {
        return Status::InvalidArgument(name + " arg must be None or str");
      }
      return Value::String(StripChars(s, chars, name != "rstrip", name != "lstrip"));
    });
  }
  if (name == "split" || name == "rsplit") {
    return fn([s, name](CallArgs& a) -> Result<Value> {
      const Value* sep = a.Get(0, "sep");
      if (sep != nullptr && !sep->is_none()) {
        STRATA_RETURN_IF_ERROR(NeedString(sep, "sep"));
        if (sep->as_string().empty()) return Status::InvalidArgument("empty separator");
      }
      return SplitString(s, sep, IntArg(a, 1, "maxsplit", -1), name == "rsplit");
    });
  }
  if (name == "splitlines") {
    return fn([s](CallArgs&) -> Result<Value> {
      List out;
      size_t start = 0;
      for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\n' || s[i] == '\r') {
          out.push_back(Value::String(s.substr(start, i - start)));
          if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
          start = i + 1;
        }
      }
      if (start < s.size()) out.push_back(Value::String(s.substr(start)));
      return Value::MakeList(std::move(out));
    });
  }
  if (name == "replace") {
    return fn([s](CallArgs& a) -> Result<Value> {
      const Value* old_v = a.Get(0, "old");
      const Value* new_v = a.Get(1, "new");
      STRATA_RETURN_IF_ERROR(NeedString(old_v, "replace()"));
      STRATA_RETURN_IF_ERROR(NeedString(new_v, "replace()"));
      int64_t count = IntArg(a, 2, "count", -1);
      const std::string& from = old_v->as_string();
      const std::string& to = new_v->as_string();
      std::string out;
      if (from.empty()) {
        auto chars = Utf8Chars(s);
        int64_t done = 0;
        for (size_t i = 0; i <= chars.size(); ++i) {
          if (count < 0 || done < count) {
            out += to;
            ++done;
          }
          if (i < chars.size()) out += chars[i];
        }
        return Value::String(std::move(out));
      }
      size_t pos = 0;
      int64_t done = 0;
      while (true) {
        size_t at = (count >= 0 && done >= count) ? std::string::npos : s.find(from, pos);
        if (at == std::string::npos) {
          out.append(s, pos, std::string::npos);
          break;
        }
        out.append(s, pos, at - pos);
        out += to;
        pos = at + from.size();
        ++done;
      }
      return Value::String(std::move(out));
    });
  }
  if (name == "startswith" || name == "endswith") {
    return fn([s, name](CallArgs& a) -> Result<Value> {
      STRATA_ASSIGN_OR_RETURN(bool r, AffixTest(s, a.Get(0, "prefix"), name == "startswith"));
      return Value::Bool(r);
    });
  }
  if (name == "removeprefix" || name == "removesuffix") {
    return fn([s, name](CallArgs& a) -> Result<Value> {
      const Value* affix = a.Get(0, "affix");
      STRATA_RETURN_IF_ERROR(NeedString(affix, name + "()"));
      const std::string& x = affix->as_string();
      if (name == "removeprefix" && s.compare(0, x.size(), x) == 0)
        return Value::String(s.substr(x.size()));
      if (name == "removesuffix" && x.size() <= s.size() && !x.empty() &&
          s.compare(s.size() - x.size(), x.size(), x) == 0) {
        return Value::String(s.substr(0, s.size() - x.size()));
      }
      return Value::String(s);
    });
  }
  if (name == "format") {
    return fn([s](CallArgs& a) -> Result<Value> { return StrFormat(s, a); });
  }
  if (name == "join") {
    return fn([s](CallArgs& a) -> Result<Value> {
      if (a.positional.size() != 1)
        return Status::InvalidArgument("str.join() takes exactly one argument");
      STRATA_ASSIGN_OR_RETURN(List items, IterateValue(a.positional[0]));
      std::string out;
      for (size_t i = 0; i < items.size(); ++i) {
        if (!items[i].is_string()) {
          return Status::InvalidArgument("sequence item " + std::to_string(i) +
                                         ": expected str instance, " + items[i].TypeName() +
                                         " found");
        }
        if (i > 0) out += s;
        out += items[i].as_string();
      }
      return Value::String(std::move(out));
    });
  }
  if (name == "find" || name == "rfind" || name == "index" || name == "rindex" || name == "count") {
    return fn([s, name](CallArgs& a) -> Result<Value> {
      const Value* sub = a.Get(0, "sub");
      STRATA_RETURN_IF_ERROR(NeedString(sub, name + "()"));
      const std::string& x = sub->as_string();
      if (name == "count") {
        if (x.empty()) return Value::Int(Utf8Length(s) + 1);
        int64_t n = 0;
        for (size_t pos = s.find(x); pos != std::string::npos; pos = s.find(x, pos + x.size())) ++n;
        return Value::Int(n);
      }
      size_t at = (name == "find" || name == "index") ? s.find(x) : s.rfind(x);
      if (at == std::string::npos) {
        if (name == "index" || name == "rindex")
          return Status::InvalidArgument("substring not found");
        return Value::Int(-1);
      }
      return Value::Int(Utf8Length(std::string_view(s).substr(0, at)));
    });
  }
  if (name == "isdigit" || name == "isnumeric" || name == "isdecimal") {
    return fn([s](CallArgs&) -> Result<Value> { return Value::Bool(AllChars(s, ::isdigit)); });
  }
  if (name == "isalpha")
    return fn([s](CallArgs&) -> Result<Value> { return Value::Bool(AllChars(s, ::isalpha)); });
  if (name == "isalnum")
    return fn([s](CallArgs&) -> Result<Value> { return Value::Bool(AllChars(s, ::isalnum)); });
  if (name == "isspace")
    return fn([s](CallArgs&) -> Result<Value> { return Value::Bool(AllChars(s, ::isspace)); });
  if (name == "islower" || name == "isupper") {
    return fn([s, name](CallArgs&) -> Result<Value> {
      bool cased = false;
      for (unsigned char c : s) {
        if (std::isalpha(c)) {
          cased = true;
          if (name == "islower" ? std::isupper(c) : std::islower(c)) return Value::Bool(false);
        }
      }
      return Value::Bool(cased);
    });
  }
  if (name == "zfill" || name == "ljust" || name == "rjust" || name == "center") {
    return fn([s, name](CallArgs& a) -> Result<Value> {
      int64_t width = IntArg(a, 0, "width", 0);
      const Value* fill_v = a.Get(1, "fillchar");
      std::string fill = fill_v != nullptr && fill_v->is_string() ? fill_v->as_string() : " ";
      int64_t len = Utf8Length(s);
      if (width <= len) return Value::String(s);
      size_t pad = static_cast<size_t>(width - len);
      auto rep = [&](size_t n, const std::string& f) {
        std::string r;
        for (size_t i = 0; i < n; ++i) r += f;
        return r;
      };
      if (name == "zfill") {
        size_t sign = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
        return Value::String(s.substr(0, sign) + rep(pad, "0") + s.substr(sign));
      }
      if (name == "ljust") return Value::String(s + rep(pad, fill));
      if (name == "rjust") return Value::String(rep(pad, fill) + s);
      size_t left = pad / 2 + (pad & static_cast<size_t>(width) & 1);
      return Value::String(rep(left, fill) + s + rep(pad - left, fill));
    });
  }
  if (name == "partition" || name == "rpartition") {
    return fn([s, name](CallArgs& a) -> Result<Value> {
      const Value* sep = a.Get(0, "sep");
      STRATA_RETURN_IF_ERROR(NeedString(sep, name + "()"));
      size_t at = name == "partition" ? s.find(sep->as_string()) : s.rfind(sep->as_string());
      if (at == std::string::npos) {
        if (name == "partition")
          return Value::MakeTuple({Value::String(s), Value::String(""), Value::String("")});
        return Value::MakeTuple({Value::String(""), Value::String(""), Value::String(s)});
      }
      return Value::MakeTuple({Value::String(s.substr(0, at)), *sep,
                               Value::String(s.substr(at + sep->as_string().size()))});
    });
  }
  return Value::Undefined(name);
}

Value ListMethod(const Value& self, const std::string& name) {
  ListPtr list = self.as_list();
  bool mutable_list = self.is_list();
  auto fn = [&](NativeFunction f) { return MakeFunction(name, std::move(f)); };
  if (name == "index") {
    return fn([list](CallArgs& a) -> Result<Value> {
      if (a.positional.empty())
        return Status::InvalidArgument("index expected at least 1 argument");
      for (size_t i = 0; i < list->size(); ++i) {
        if (ValuesEqual((*list)[i], a.positional[0])) return Value::Int(static_cast<int64_t>(i));
      }
      return Status::InvalidArgument(a.positional[0].Repr() + " is not in list");
    });
  }
  if (name == "count") {
    return fn([list](CallArgs& a) -> Result<Value> {
      if (a.positional.empty())
        return Status::InvalidArgument("count() takes exactly one argument");
      int64_t n = 0;
      for (const Value& v : *list) n += ValuesEqual(v, a.positional[0]) ? 1 : 0;
      return Value::Int(n);
    });
  }
  if (!mutable_list) return Value::Undefined(name);
  if (name == "append") {
    return fn([list](CallArgs& a) -> Result<Value> {
      if (a.positional.size() != 1)
        return Status::InvalidArgument("list.append() takes exactly one argument");
      list->push_back(a.positional[0]);
      return Value::None();
    });
  }
  if (name == "extend") {
    return fn([list](CallArgs& a) -> Result<Value> {
      if (a.positional.size() != 1)
        return Status::InvalidArgument("list.extend() takes exactly one argument");
      STRATA_ASSIGN_OR_RETURN(List items, IterateValue(a.positional[0]));
      list->insert(list->end(), items.begin(), items.end());
      return Value::None();
    });
  }
  if (name == "pop") {
    return fn([list](CallArgs& a) -> Result<Value> {
      if (list->empty()) return Status::InvalidArgument("pop from empty list");
      int64_t index = a.positional.empty() ? -1 : a.positional[0].as_int();
      int64_t n = static_cast<int64_t>(list->size());
      if (index < 0) index += n;
      if (index < 0 || index >= n) return Status::InvalidArgument("pop index out of range");
      Value v = (*list)[static_cast<size_t>(index)];
      list->erase(list->begin() + index);
      return v;
    });
  }
  if (name == "insert") {
    return fn([list](CallArgs& a) -> Result<Value> {
      if (a.positional.size() != 2 || !(a.positional[0].is_int() || a.positional[0].is_bool())) {
        return Status::InvalidArgument("insert expected 2 arguments");
      }
      int64_t n = static_cast<int64_t>(list->size());
      int64_t index = a.positional[0].as_int();
      if (index < 0) index = std::max<int64_t>(0, index + n);
      index = std::min(index, n);
      list->insert(list->begin() + index, a.positional[1]);
      return Value::None();
    });
  }
  if (name == "remove") {
    return fn([list](CallArgs& a) -> Result<Value> {
      if (a.positional.size() != 1)
        return Status::InvalidArgument("list.remove() takes exactly one argument");
      for (auto it = list->begin(); it != list->end(); ++it) {
        if (ValuesEqual(*it, a.positional[0])) {
          list->erase(it);
          return Value::None();
        }
      }
      return Status::InvalidArgument("list.remove(x): x not in list");
    });
  }
  if (name == "reverse") {
    return fn([list](CallArgs&) -> Result<Value> {
      std::reverse(list->begin(), list->end());
      return Value::None();
    });
  }
  if (name == "sort") {
    return fn([list](CallArgs& a) -> Result<Value> {
      const Value* reverse = a.Keyword("reverse");
      Status error;
      std::stable_sort(list->begin(), list->end(), [&](const Value& x, const Value& y) {
        Result<bool> less = ValueLess(x, y);
        if (!less.ok()) {
          error = less.status();
          return false;
        }
        return *less;
      });
      STRATA_RETURN_IF_ERROR(error);
      if (reverse != nullptr && reverse->Truthy()) std::reverse(list->begin(), list->end());
      return Value::None();
    });
  }
  if (name == "copy") {
    return fn([list](CallArgs&) -> Result<Value> { return Value::MakeList(*list); });
  }
  if (name == "clear") {
    return fn([list](CallArgs&) -> Result<Value> {
      list->clear();
      return Value::None();
    });
  }
  return Value::Undefined(name);
}

Value DictMethod(const Value& self, const std::string& name) {
  DictPtr dict = self.as_dict();
  auto fn = [&](NativeFunction f) { return MakeFunction(name, std::move(f)); };
  if (name == "items") {
    return fn([dict](CallArgs&) -> Result<Value> {
      List out;
      for (const auto& [k, v] : dict->items()) out.push_back(Value::MakeTuple({k, v}));
      return Value::MakeList(std::move(out));
    });
  }
  if (name == "keys" || name == "values") {
    bool keys = name == "keys";
    return fn([dict, keys](CallArgs&) -> Result<Value> {
      List out;
      for (const auto& [k, v] : dict->items()) out.push_back(keys ? k : v);
      return Value::MakeList(std::move(out));
    });
  }
  if (name == "get") {
    return fn([dict](CallArgs& a) -> Result<Value> {
      if (a.positional.empty())
        return Status::InvalidArgument("get expected at least 1 argument, got 0");
      if (!IsHashable(a.positional[0]))
        return Status::InvalidArgument("unhashable type: '" + a.positional[0].TypeName() + "'");
      if (const Value* v = dict->Find(a.positional[0])) return *v;
      return a.positional.size() > 1 ? a.positional[1] : Value::None();
    });
  }
  if (name == "update") {
    return fn([dict](CallArgs& a) -> Result<Value> {
      if (!a.positional.empty()) {
        const Value& other = a.positional[0];
        if (other.is_dict()) {
          for (const auto& [k, v] : other.as_dict()->items()) dict->Set(k, v);
        } else {
          STRATA_ASSIGN_OR_RETURN(List pairs, IterateValue(other));
          for (const Value& p : pairs) {
            if (!p.is_sequence() || p.as_list()->size() != 2) {
              return Status::InvalidArgument("dictionary update sequence element has wrong length");
            }
            dict->Set((*p.as_list())[0], (*p.as_list())[1]);
          }
        }
      }
      for (const auto& [k, v] : a.keyword) dict->Set(k, v);
      return Value::None();
    });
  }
  if (name == "pop") {
    return fn([dict](CallArgs& a) -> Result<Value> {
      if (a.positional.empty())
        return Status::InvalidArgument("pop expected at least 1 argument, got 0");
      if (const Value* v = dict->Find(a.positional[0])) {
        Value out = *v;
        dict->Erase(a.positional[0]);
        return out;
      }
      if (a.positional.size() > 1) return a.positional[1];
      return Status::InvalidArgument(a.positional[0].Repr());
    });
  }
  if (name == "setdefault") {
    return fn([dict](CallArgs& a) -> Result<Value> {
      if (a.positional.empty())
        return Status::InvalidArgument("setdefault expected at least 1 argument, got 0");
      if (const Value* v = dict->Find(a.positional[0])) return *v;
      Value def = a.positional.size() > 1 ? a.positional[1] : Value::None();
      dict->Set(a.positional[0], def);
      return def;
    });
  }
  if (name == "copy") {
    return fn([dict](CallArgs&) -> Result<Value> {
      Value out = Value::MakeDict();
      for (const auto& [k, v] : dict->items()) out.as_dict()->Set(k, v);
      return out;
    });
  }
  if (name == "clear") {
    return fn([dict](CallArgs&) -> Result<Value> {
      while (dict->size() > 0) dict->Erase(dict->items().front().first);
      return Value::None();
    });
  }
  return Value::Undefined(name);
}

}  // namespace

Value LookupMethod(const Value& obj, const std::string& name) {
  if (obj.is_string()) return StringMethod(obj.as_string(), name);
  if (obj.is_sequence()) return ListMethod(obj, name);
  if (obj.is_dict()) return DictMethod(obj, name);
  return Value::Undefined(name);
}

}  // namespace strata::transform
