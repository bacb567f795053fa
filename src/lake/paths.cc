#include "lake/paths.h"

#include <cctype>

#include "common/file_system.h"

namespace strata::lake {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A URI scheme: letters, digits, '+', '-', '.', starting with a letter, then ':'.
size_t SchemeLength(std::string_view uri) {
  if (uri.empty() || !std::isalpha(static_cast<unsigned char>(uri[0]))) return 0;
  for (size_t i = 1; i < uri.size(); ++i) {
    char c = uri[i];
    if (c == ':') return i;
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') {
      return 0;
    }
  }
  return 0;
}

}  // namespace

Result<std::string> PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) {
      return Status::Corruption("truncated percent escape in path '" + std::string(text) + "'");
    }
    int hi = HexValue(text[i + 1]);
    int lo = HexValue(text[i + 2]);
    if (hi < 0 || lo < 0) {
      return Status::Corruption("bad percent escape in path '" + std::string(text) + "'");
    }
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::string PercentEncodePath(std::string_view path) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    // Unreserved and path characters pass; everything else is escaped, as
    // Hadoop's Path.toUri does for the names Spark writes.
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/' ||
        c == '=' || c == '@' || c == ':' || c == '+' || c == '$' || c == ',' || c == ';' ||
        c == '!' || c == '*' || c == '\'' || c == '(' || c == ')' || c >= 0x80) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

Result<std::string> ResolveLogPath(const std::string& table_root, std::string_view uri) {
  size_t scheme = SchemeLength(uri);
  if (scheme == 0) {
    STRATA_ASSIGN_OR_RETURN(std::string rel, PercentDecode(uri));
    if (!rel.empty() && rel[0] == '/') return rel;  // an absolute path without a scheme
    return JoinPath(table_root, rel);
  }
  std::string_view name = uri.substr(0, scheme);
  if (name != "file") {
    return Status::NotSupported("file URI scheme '" + std::string(name) +
                                "' is not supported (only local files): " + std::string(uri));
  }
  std::string_view rest = uri.substr(scheme + 1);
  // file:/a, file:///a and file://localhost/a all name /a.
  if (rest.substr(0, 2) == "//") {
    rest.remove_prefix(2);
    size_t slash = rest.find('/');
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  }
  return PercentDecode(rest);
}

}  // namespace strata::lake
