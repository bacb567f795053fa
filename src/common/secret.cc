#include "common/secret.h"

#include <fstream>
#include <sstream>

namespace strata {
Status RedactStatus(const Status& status) {
  if (status.ok()) return status;
  return Status(status.code(), RedactSecrets(status.message()));
}

Result<std::optional<std::string>> ReadSecret(const ConfigNode& node, std::string_view key,
                                              const std::string& base_dir) {
  std::string file_key = std::string(key) + "_file";
  std::optional<ConfigNode> inline_node = node.Find(key);
  std::optional<ConfigNode> file_node = node.Find(file_key);
  if (inline_node && file_node) {
    return file_node->Error("cannot be given together with '" + std::string(key) +
                            "'; keep one of them");
  }
  if (inline_node && !inline_node->IsNull()) {
    STRATA_ASSIGN_OR_RETURN(std::string value, inline_node->As<std::string>());
    RegisterSecret(value);
    return std::optional<std::string>(std::move(value));
  }
  if (!file_node || file_node->IsNull()) return std::optional<std::string>();
  STRATA_ASSIGN_OR_RETURN(std::string path, file_node->As<std::string>());
  if (!base_dir.empty() && !path.empty() && path[0] != '/') path = base_dir + "/" + path;
  std::ifstream in(path, std::ios::binary);
  if (!in) return file_node->Error("names a file that cannot be read: " + path);
  std::ostringstream content;
  content << in.rdbuf();
  std::string value = content.str();
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  RegisterSecret(value);
  return std::optional<std::string>(std::move(value));
}

}  // namespace strata
