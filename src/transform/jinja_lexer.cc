#include "transform/jinja_lexer.h"

#include <cctype>
#include <cstring>

namespace strata::transform {
namespace {

void AppendUtf8(uint32_t cp, std::string* out) {
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

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

class Lexer {
 public:
  Lexer(std::string source, std::string_view name, const LexerOptions& options)
      : src_(std::move(source)), name_(name), options_(options) {}

  Result<std::vector<Token>> Run() {
    while (pos_ < src_.size()) {
      size_t start = src_.find('{', pos_);
      while (start != std::string::npos && start + 1 < src_.size() && src_[start + 1] != '{' &&
             src_[start + 1] != '%' && src_[start + 1] != '#') {
        start = src_.find('{', start + 1);
      }
      if (start == std::string::npos || start + 1 >= src_.size()) {
        EmitData(src_.substr(pos_), false);
        pos_ = src_.size();
        break;
      }
      char kind = src_[start + 1];
      bool strip_before = start + 2 < src_.size() && src_[start + 2] == '-';
      bool plus = start + 2 < src_.size() && src_[start + 2] == '+';
      EmitData(src_.substr(pos_, start - pos_), strip_before);
      Advance(start);
      size_t open_len = (strip_before || plus) ? 3 : 2;
      if (kind == '#') {
        size_t end = src_.find("#}", start + open_len);
        if (end == std::string::npos)
          return Error("unexpected end of template, missing end of comment tag");
        strip_next_ = end > start + open_len && src_[end - 1] == '-';
        Advance(end + 2);
        continue;
      }
      if (kind == '%' && TryRaw(start, open_len)) continue;
      if (!raw_error_.ok()) return raw_error_;
      tokens_.push_back(
          {kind == '{' ? TokenType::kVarBegin : TokenType::kBlockBegin, "", line_, col_});
      Advance(start + open_len);
      STRATA_RETURN_IF_ERROR(LexTag(kind == '{' ? '}' : '%'));
    }
    tokens_.push_back({TokenType::kEof, "", line_, col_});
    return std::move(tokens_);
  }

 private:
  Status Error(const std::string& what) const {
    return Status::InvalidArgument(std::string(name_) + ":" + std::to_string(line_) + ":" +
                                   std::to_string(col_) + ": " + what);
  }

  // Moves the cursor to `target`, keeping line and column.
  void Advance(size_t target) {
    for (; pos_ < target; ++pos_) {
      if (src_[pos_] == '\n') {
        ++line_;
        col_ = 1;
      } else {
        ++col_;
      }
    }
  }

  void EmitData(std::string text, bool strip_trailing) {
    if (strip_next_) {
      size_t i = 0;
      while (i < text.size() && IsSpace(text[i])) ++i;
      text.erase(0, i);
      strip_next_ = false;
    } else if (trim_newline_next_ && !text.empty() && text[0] == '\n') {
      text.erase(0, 1);
    }
    trim_newline_next_ = false;
    if (strip_trailing) {
      while (!text.empty() && IsSpace(text.back())) text.pop_back();
    }
    int line = line_, col = col_;
    if (!text.empty()) tokens_.push_back({TokenType::kData, std::move(text), line, col});
  }

  // {% raw %}...{% endraw %}: emits the body as data. Returns false when the
  // tag at `start` is not a raw tag.
  bool TryRaw(size_t start, size_t open_len) {
    size_t i = start + open_len;
    while (i < src_.size() && IsSpace(src_[i])) ++i;
    if (src_.compare(i, 3, "raw") != 0) return false;
    i += 3;
    while (i < src_.size() && IsSpace(src_[i])) ++i;
    bool strip_after_open = false;
    if (i < src_.size() && (src_[i] == '-' || src_[i] == '+')) {
      strip_after_open = src_[i] == '-';
      ++i;
    }
    if (src_.compare(i, 2, "%}") != 0) return false;
    size_t body_start = i + 2;
    size_t search = body_start;
    while (true) {
      size_t tag = src_.find("{%", search);
      if (tag == std::string::npos) {
        raw_error_ = Error("unexpected end of template, missing 'endraw'");
        return false;
      }
      size_t j = tag + 2;
      bool strip_before_close = false;
      if (j < src_.size() && (src_[j] == '-' || src_[j] == '+')) {
        strip_before_close = src_[j] == '-';
        ++j;
      }
      while (j < src_.size() && IsSpace(src_[j])) ++j;
      if (src_.compare(j, 6, "endraw") != 0) {
        search = tag + 2;
        continue;
      }
      j += 6;
      while (j < src_.size() && IsSpace(src_[j])) ++j;
      bool strip_after_close = false;
      if (j < src_.size() && (src_[j] == '-' || src_[j] == '+')) {
        strip_after_close = src_[j] == '-';
        ++j;
      }
      if (src_.compare(j, 2, "%}") != 0) {
        search = tag + 2;
        continue;
      }
      std::string body = src_.substr(body_start, tag - body_start);
      if (strip_after_open) {
        size_t k = 0;
        while (k < body.size() && IsSpace(body[k])) ++k;
        body.erase(0, k);
      }
      if (strip_before_close) {
        while (!body.empty() && IsSpace(body.back())) body.pop_back();
      }
      int line = line_, col = col_;
      if (!body.empty()) tokens_.push_back({TokenType::kData, std::move(body), line, col});
      Advance(j + 2);
      strip_next_ = strip_after_close;
      trim_newline_next_ = options_.trim_blocks && !strip_after_close;
      return true;
    }
  }

  // Lexes expression tokens up to the closing "}}" or "%}".
  Status LexTag(char closer) {
    int depth = 0;  // open brackets: "}}" inside {{ {'a': {}} }} closes a dict first
    while (true) {
      while (pos_ < src_.size() && IsSpace(src_[pos_])) Advance(pos_ + 1);
      if (pos_ >= src_.size())
        return Error(closer == '}' ? "unexpected end of template, expected '}}'"
                                   : "unexpected end of template, expected '%}'");
      char c = src_[pos_];
      bool at_close = depth == 0 && src_.compare(pos_, 2, std::string(1, closer) + "}") == 0;
      bool minus_close = depth == 0 && (c == '-' || c == '+') &&
                         src_.compare(pos_ + 1, 2, std::string(1, closer) + "}") == 0;
      if (at_close || minus_close) {
        tokens_.push_back(
            {closer == '}' ? TokenType::kVarEnd : TokenType::kBlockEnd, "", line_, col_});
        strip_next_ = minus_close && c == '-';
        trim_newline_next_ = closer == '%' && options_.trim_blocks && !minus_close;
        Advance(pos_ + (minus_close ? 3 : 2));
        return Status::OK();
      }
      int line = line_, col = col_;
      if (std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
          static_cast<unsigned char>(c) >= 0x80) {
        size_t end = pos_;
        while (end < src_.size() &&
               (std::isalnum(static_cast<unsigned char>(src_[end])) || src_[end] == '_' ||
                static_cast<unsigned char>(src_[end]) >= 0x80)) {
          ++end;
        }
        tokens_.push_back({TokenType::kName, src_.substr(pos_, end - pos_), line, col});
        Advance(end);
        continue;
      }
      if (std::isdigit(static_cast<unsigned char>(c))) {
        STRATA_RETURN_IF_ERROR(LexNumber());
        continue;
      }
      if (c == '\'' || c == '"') {
        size_t end = pos_ + 1;
        while (end < src_.size() && src_[end] != c) {
          if (src_[end] == '\\') ++end;
          ++end;
        }
        if (end >= src_.size()) return Error("unexpected end of string");
        Result<std::string> value =
            UnescapeStringLiteral(std::string_view(src_).substr(pos_ + 1, end - pos_ - 1));
        if (!value.ok()) return Error(value.status().message());
        tokens_.push_back({TokenType::kString, std::move(value).value(), line, col});
        Advance(end + 1);
        continue;
      }
      static const char* kTwo[] = {"//", "**", "==", "!=", ">=", "<="};
      bool matched = false;
      for (const char* op : kTwo) {
        if (src_.compare(pos_, 2, op) == 0) {
          tokens_.push_back({TokenType::kOperator, op, line, col});
          Advance(pos_ + 2);
          matched = true;
          break;
        }
      }
      if (matched) continue;
      if (std::string_view("+-/*%~[](){}><=.:|,;").find(c) == std::string_view::npos) {
        return Error(std::string("unexpected char '") + c + "'");
      }
      if (c == '(' || c == '[' || c == '{') ++depth;
      if ((c == ')' || c == ']' || c == '}') && depth > 0) --depth;
      tokens_.push_back({TokenType::kOperator, std::string(1, c), line, col});
      Advance(pos_ + 1);
    }
  }

  Status LexNumber() {
    int line = line_, col = col_;
    size_t p = pos_;
    auto digits = [&](auto pred) {
      std::string out;
      while (p < src_.size() &&
             (pred(src_[p]) || (src_[p] == '_' && p + 1 < src_.size() && pred(src_[p + 1])))) {
        if (src_[p] != '_') out += src_[p];
        ++p;
      }
      return out;
    };
    auto is_dec = [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)) != 0; };
    if (src_[p] == '0' && p + 1 < src_.size() && std::strchr("xXoObB", src_[p + 1]) != nullptr) {
      char base_char = static_cast<char>(std::tolower(src_[p + 1]));
      p += 2;
      std::string d = digits([&](char ch) {
        if (base_char == 'x') return std::isxdigit(static_cast<unsigned char>(ch)) != 0;
        if (base_char == 'o') return ch >= '0' && ch <= '7';
        return ch == '0' || ch == '1';
      });
      if (d.empty()) return Error("invalid number literal");
      int base = base_char == 'x' ? 16 : base_char == 'o' ? 8 : 2;
      tokens_.push_back({TokenType::kInt, std::to_string(std::stoll(d, nullptr, base)), line, col});
      Advance(p);
      return Status::OK();
    }
    std::string text = digits(is_dec);
    bool is_float = false;
    if (p + 1 < src_.size() && src_[p] == '.' && is_dec(src_[p + 1])) {
      ++p;
      text += "." + digits(is_dec);
      is_float = true;
    }
    if (p < src_.size() && (src_[p] == 'e' || src_[p] == 'E')) {
      size_t q = p + 1;
      if (q < src_.size() && (src_[q] == '+' || src_[q] == '-')) ++q;
      if (q < src_.size() && is_dec(src_[q])) {
        std::string exp = "e";
        if (src_[p + 1] == '-' || src_[p + 1] == '+') exp += src_[p + 1];
        p = q;
        exp += digits(is_dec);
        text += exp;
        is_float = true;
      }
    }
    if (!is_float && text.size() > 1 && text[0] == '0' &&
        text.find_first_not_of('0') != std::string::npos) {
      return Error("leading zeros in decimal integer literals are not permitted");
    }
    tokens_.push_back({is_float ? TokenType::kFloat : TokenType::kInt, text, line, col});
    Advance(p);
    return Status::OK();
  }

  std::string src_;
  std::string_view name_;
  LexerOptions options_;
  size_t pos_ = 0;
  int line_ = 1;
  int col_ = 1;
  bool strip_next_ = false;
  bool trim_newline_next_ = false;
  Status raw_error_;
  std::vector<Token> tokens_;
};

}  // namespace

Result<std::string> UnescapeStringLiteral(std::string_view body) {
  std::string out;
  out.reserve(body.size());
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c != '\\' || i + 1 >= body.size()) {
      out += c;
      continue;
    }
    char e = body[++i];
    auto hex = [&](size_t count) -> bool {
      uint32_t cp = 0;
      for (size_t k = 1; k <= count; ++k) {
        if (i + k >= body.size() || !std::isxdigit(static_cast<unsigned char>(body[i + k])))
          return false;
        cp = cp * 16 + static_cast<uint32_t>(std::stoi(std::string(1, body[i + k]), nullptr, 16));
      }
      AppendUtf8(cp, &out);
      i += count;
      return true;
    };
    switch (e) {
      case '\\':
        out += '\\';
        break;
      case '\'':
        out += '\'';
        break;
      case '"':
        out += '"';
        break;
      case 'a':
        out += '\a';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'v':
        out += '\v';
        break;
      case '\n':
        break;  // line continuation
      case 'x':
        if (!hex(2)) return Status::InvalidArgument("truncated \\xXX escape");
        break;
      case 'u':
        if (!hex(4)) return Status::InvalidArgument("truncated \\uXXXX escape");
        break;
      case 'U':
        if (!hex(8)) return Status::InvalidArgument("truncated \\UXXXXXXXX escape");
        break;
      case 'N':
        return Status::NotSupported("\\N{...} escapes are not supported");
      default:
        if (e >= '0' && e <= '7') {
          uint32_t cp = static_cast<uint32_t>(e - '0');
          for (int k = 0; k < 2 && i + 1 < body.size() && body[i + 1] >= '0' && body[i + 1] <= '7';
               ++k) {
            cp = cp * 8 + static_cast<uint32_t>(body[++i] - '0');
          }
          AppendUtf8(cp, &out);
        } else {
          out += '\\';
          out += e;
        }
    }
  }
  return out;
}

Result<std::vector<Token>> Tokenize(std::string_view source, std::string_view template_name,
                                    const LexerOptions& options) {
  // Jinja2 normalizes every newline sequence to "\n" and, unless
  // keep_trailing_newline, drops one trailing newline.
  std::string normalized;
  normalized.reserve(source.size());
  for (size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\r') {
      normalized += '\n';
      if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
    } else {
      normalized += source[i];
    }
  }
  if (!options.keep_trailing_newline && !normalized.empty() && normalized.back() == '\n')
    normalized.pop_back();
  Lexer lexer(std::move(normalized), template_name, options);
  return lexer.Run();
}

}  // namespace strata::transform
