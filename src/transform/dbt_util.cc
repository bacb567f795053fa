// Hashes, positions, Python-compatible formatting and file listing for the
// loader (declared in dbt_internal.h).
#include <openssl/evp.h>

#include <cmath>
#include <cstdio>

#include "transform/dbt_internal.h"

namespace strata::transform::internal {
namespace {

std::string Digest(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, md, nullptr);
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    hex.push_back(kHex[out[i] >> 4]);
    hex.push_back(kHex[out[i] & 0xf]);
  }
  return hex;
}

// Python's repr() of a str: single quotes unless the text holds a single quote
// and no double quote.
std::string PythonReprString(const std::string& s) {
  bool has_single = s.find('\'') != std::string::npos;
  bool has_double = s.find('"') != std::string::npos;
  char quote = (has_single && !has_double) ? '"' : '\'';
  std::string out(1, quote);
  for (unsigned char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == static_cast<unsigned char>(quote)) {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);  // UTF-8 bytes of printable text pass through
    }
  }
  out += quote;
  return out;
}

}  // namespace

std::string Sha256Hex(std::string_view data) { return Digest(EVP_sha256(), data); }
std::string Md5Hex(std::string_view data) { return Digest(EVP_md5(), data); }

std::pair<int, int> LineColumnAt(std::string_view text, size_t offset) {
  int line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return {line, static_cast<int>(offset - line_start) + 1};
}

std::string PythonStr(const nlohmann::json& value) {
  if (value.is_null()) return "None";
  if (value.is_boolean()) return value.get<bool>() ? "True" : "False";
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer()) return std::to_string(value.get<int64_t>());
  if (value.is_number_float()) {
    double d = value.get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e16) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.1f", d);
      return buf;
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", d);
    // Python prints the shortest repr that round-trips; try shorter first.
    for (int precision = 1; precision <= 17; ++precision) {
      char shorter[64];
      std::snprintf(shorter, sizeof shorter, "%.*g", precision, d);
      if (std::strtod(shorter, nullptr) == d) return shorter;
    }
    return buf;
  }
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string PythonReprOfStrings(const nlohmann::json& value) {
  if (value.is_object()) {
    std::string out = "{";
    bool first = true;
    for (const auto& [k, v] : value.items()) {  // nlohmann objects iterate sorted
      if (!first) out += ", ";
      first = false;
      out += PythonReprString(k) + ": " + PythonReprOfStrings(v);
    }
    return out + "}";
  }
  if (value.is_array()) {
    std::string out = "[";
    for (size_t i = 0; i < value.size(); ++i) {
      if (i > 0) out += ", ";
      out += PythonReprOfStrings(value[i]);
    }
    return out + "]";
  }
  return PythonReprString(PythonStr(value));
}

std::vector<std::string> ListFilesRecursive(FileSystem& fs, const std::string& dir) {
  std::vector<std::string> out;
  std::vector<std::string> pending = {""};
  while (!pending.empty()) {
    std::string rel = pending.back();
    pending.pop_back();
    auto listing = fs.ListDirectory(rel.empty() ? dir : JoinPath(dir, rel));
    if (!listing.ok()) continue;
    for (const FileInfo& info : *listing) {
      std::string name(BaseName(info.path));
      if (name.empty() || name[0] == '.') continue;
      std::string child = rel.empty() ? name : rel + "/" + name;
      if (info.is_directory) {
        pending.push_back(child);
      } else {
        out.push_back(child);
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

void LoadContext::Error(const std::string& file, int line, int column, const std::string& node,
                        const std::string& message) {
  project->diagnostics.push_back(
      {Diagnostic::Severity::kError, DisplayPath(file), line, column, node, message});
}

void LoadContext::Warning(const std::string& file, int line, int column, const std::string& node,
                          const std::string& message) {
  project->diagnostics.push_back(
      {Diagnostic::Severity::kWarning, DisplayPath(file), line, column, node, message});
}

std::string LoadContext::DisplayPath(const std::string& path) const {
  const std::string& root = project->root_dir;
  if (!root.empty() && path.size() > root.size() && path.compare(0, root.size(), root) == 0 &&
      path[root.size()] == '/') {
    return path.substr(root.size() + 1);
  }
  return path;
}

std::string NodeDisplayPath(const DbtProject& project, const Node& node) {
  if (node.package_root.empty() || node.package_root == project.root_dir) {
    return node.original_file_path;
  }
  std::string root = project.root_dir + "/";
  std::string pkg = node.package_root;
  if (pkg.rfind(root, 0) == 0) pkg = pkg.substr(root.size());
  return JoinPath(pkg, node.original_file_path);
}

}  // namespace strata::transform::internal
