// The static dependency scanner: ref()/source() calls with literal arguments
// inside Jinja tags, and literal config() arguments. A regex-level stand-in
// for rendering, kept behind DependencyScanner so the runner can replace it.
#include "transform/dbt_scan.h"

#include <algorithm>
#include <regex>

#include "transform/dbt_internal.h"

namespace strata::transform {
namespace {

using json = nlohmann::json;

// Byte ranges of `{{ ... }}` and `{% ... %}` tags, skipping `{# ... #}`.
std::vector<std::pair<size_t, size_t>> JinjaTags(const std::string& s) {
  std::vector<std::pair<size_t, size_t>> out;
  size_t pos = 0;
  while (pos + 1 < s.size()) {
    size_t open = s.find('{', pos);
    if (open == std::string::npos || open + 1 >= s.size()) break;
    char kind = s[open + 1];
    const char* close = kind == '{' ? "}}" : kind == '%' ? "%}" : kind == '#' ? "#}" : nullptr;
    if (close == nullptr) {
      pos = open + 1;
      continue;
    }
    size_t end = s.find(close, open + 2);
    if (end == std::string::npos) break;
    if (kind != '#') out.emplace_back(open + 2, end);
    pos = end + 2;
  }
  return out;
}

class StaticScanner : public DependencyScanner {
 public:
  void Scan(Node* node, std::vector<Diagnostic>* diagnostics) const override {
    static const std::regex kRef(
        R"(\bref\s*\(\s*(?:(['"])([^'"]*)\1\s*(?:,\s*(['"])([^'"]*)\3\s*)?(?:,\s*(?:v|version)\s*=\s*(?:(['"])([^'"]*)\5|([0-9.]+))\s*)?\))?)");
    static const std::regex kSource(
        R"(\bsource\s*\(\s*(?:(['"])([^'"]*)\1\s*,\s*(['"])([^'"]*)\3\s*\))?)");
    node->refs.clear();
    node->source_calls.clear();
    const std::string& s = node->raw_code;
    for (const auto& [begin, end] : JinjaTags(s)) {
      for (auto it = std::sregex_iterator(s.begin() + begin, s.begin() + end, kRef);
           it != std::sregex_iterator(); ++it) {
        const std::smatch& m = *it;
        auto [line, col] = internal::LineColumnAt(s, begin + m.position(0));
        if (!m[1].matched) {
          diagnostics->push_back({Diagnostic::Severity::kWarning, node->original_file_path, line,
                                  col, node->unique_id,
                                  "ref() with non-literal arguments: its dependency is known "
                                  "only when the model is rendered"});
          continue;
        }
        RefCall ref;
        if (m[3].matched) {
          ref.package = m[2].str();
          ref.name = m[4].str();
        } else {
          ref.name = m[2].str();
        }
        ref.version = m[6].matched ? m[6].str() : m[7].matched ? m[7].str() : "";
        ref.line = line;
        ref.column = col;
        node->refs.push_back(std::move(ref));
      }
      for (auto it = std::sregex_iterator(s.begin() + begin, s.begin() + end, kSource);
           it != std::sregex_iterator(); ++it) {
        const std::smatch& m = *it;
        auto [line, col] = internal::LineColumnAt(s, begin + m.position(0));
        if (!m[1].matched) {
          diagnostics->push_back({Diagnostic::Severity::kWarning, node->original_file_path, line,
                                  col, node->unique_id,
                                  "source() with non-literal arguments: its dependency is known "
                                  "only when the model is rendered"});
          continue;
        }
        node->source_calls.push_back({m[2].str(), m[4].str(), line, col});
      }
    }
  }
};

// A tiny parser for Python-like literals: 'x', "x", true/True, 12, 1.5,
// [..], {..}. Fails (returns false) on anything else.
class LiteralParser {
 public:
  explicit LiteralParser(std::string_view text) : s_(text) {}

  bool ParseKwargs(json* out) {
    *out = json::object();
    Skip();
    while (pos_ < s_.size()) {
      size_t start = pos_;
      while (pos_ < s_.size() &&
             (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_'))
        ++pos_;
      if (pos_ == start) return false;
      std::string key(s_.substr(start, pos_ - start));
      Skip();
      if (!Eat('=')) return false;
      json value;
      if (!ParseValue(&value)) return false;
      (*out)[key] = value;
      Skip();
      if (!Eat(',')) break;
      Skip();
    }
    Skip();
    return pos_ == s_.size();
  }

 private:
  void Skip() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool Eat(char c) {
    Skip();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool ParseValue(json* out) {
    Skip();
    if (pos_ >= s_.size()) return false;
    char c = s_[pos_];
    if (c == '\'' || c == '"') {
      size_t end = s_.find(c, pos_ + 1);
      if (end == std::string::npos) return false;
      std::string text(s_.substr(pos_ + 1, end - pos_ - 1));
      if (text.find('\\') != std::string::npos) return false;
      *out = text;
      pos_ = end + 1;
      return true;
    }
    if (c == '[') {
      ++pos_;
      *out = json::array();
      Skip();
      if (Eat(']')) return true;
      while (true) {
        json v;
        if (!ParseValue(&v)) return false;
        out->push_back(v);
        if (Eat(']')) return true;
        if (!Eat(',')) return false;
        if (Eat(']')) return true;
      }
    }
    if (c == '{') {
      ++pos_;
      *out = json::object();
      if (Eat('}')) return true;
      while (true) {
        json k, v;
        if (!ParseValue(&k) || !k.is_string() || !Eat(':') || !ParseValue(&v)) return false;
        (*out)[k.get<std::string>()] = v;
        if (Eat('}')) return true;
        if (!Eat(',')) return false;
        if (Eat('}')) return true;
      }
    }
    size_t start = pos_;
    while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) ||
                                s_[pos_] == '.' || s_[pos_] == '-' || s_[pos_] == '_')) {
      ++pos_;
    }
    std::string word(s_.substr(start, pos_ - start));
    if (word == "true" || word == "True") {
      *out = true;
    } else if (word == "false" || word == "False") {
      *out = false;
    } else if (word == "none" || word == "None") {
      *out = nullptr;
    } else if (!word.empty() && std::regex_match(word, std::regex("-?[0-9]+"))) {
      *out = std::strtoll(word.c_str(), nullptr, 10);
    } else if (!word.empty() && std::regex_match(word, std::regex("-?[0-9]*\\.[0-9]+"))) {
      *out = std::strtod(word.c_str(), nullptr);
    } else {
      return false;
    }
    return true;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

const DependencyScanner& DependencyScanner::Static() {
  static const StaticScanner scanner;
  return scanner;
}

namespace internal {

json ExtractStaticConfig(const std::string& raw_code) {
  static const std::regex kConfig(R"(^\s*config\s*\(([\s\S]*)\)\s*$)");
  json out = json::object();
  for (const auto& [begin, end] : JinjaTags(raw_code)) {
    if (raw_code[begin - 1] != '{') continue;  // only {{ config(...) }}
    std::string inner = raw_code.substr(begin, end - begin);
    if (!inner.empty() && inner.front() == '-') inner.erase(0, 1);
    if (!inner.empty() && inner.back() == '-') inner.pop_back();
    std::smatch m;
    if (!std::regex_match(inner, m, kConfig)) continue;
    json kwargs;
    if (!LiteralParser(m[1].str()).ParseKwargs(&kwargs)) continue;
    for (const auto& [k, v] : kwargs.items()) out[k] = v;
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> ScanCalls(const std::string& raw_code) {
  static const std::regex kCall(
      R"(\b(?:([A-Za-z_][A-Za-z0-9_]*)\.)?([A-Za-z_][A-Za-z0-9_]*)\s*\()");
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [begin, end] : JinjaTags(raw_code)) {
    for (auto it = std::sregex_iterator(raw_code.begin() + begin, raw_code.begin() + end, kCall);
         it != std::sregex_iterator(); ++it) {
      std::pair<std::string, std::string> call{(*it)[1].matched ? (*it)[1].str() : "",
                                               (*it)[2].str()};
      if (std::find(out.begin(), out.end(), call) == out.end()) out.push_back(std::move(call));
    }
  }
  return out;
}

}  // namespace internal
}  // namespace strata::transform
