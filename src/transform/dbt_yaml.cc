#include "transform/dbt_yaml.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <regex>

namespace strata::transform {
namespace {

YamlNode Convert(const YAML::Node& node) {
  YamlNode out;
  const YAML::Mark mark = node.Mark();
  if (mark.line >= 0) {
    out.line = mark.line + 1;
    out.column = mark.column + 1;
  }
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      out.kind = YamlNode::Kind::kScalar;
      out.scalar = node.Scalar();
      // yaml-cpp tags quoted (non-plain) scalars "!".
      out.quoted = node.Tag() == "!";
      break;
    case YAML::NodeType::Sequence:
      out.kind = YamlNode::Kind::kSequence;
      for (const auto& element : node) out.elements.push_back(Convert(element));
      break;
    case YAML::NodeType::Map:
      out.kind = YamlNode::Kind::kMap;
      for (const auto& entry : node) {
        std::string key = entry.first.IsScalar() ? entry.first.Scalar() : std::string();
        YamlNode value = Convert(entry.second);
        const YAML::Mark key_mark = entry.first.Mark();
        if (key_mark.line >= 0) {
          value.key_line = key_mark.line + 1;
          value.key_column = key_mark.column + 1;
        }
        out.entries.emplace_back(std::move(key), std::move(value));
      }
      break;
    default:
      break;
  }
  return out;
}

nlohmann::json TypedScalar(const std::string& text) {
  static const std::regex kInt("[-+]?[0-9]+");
  static const std::regex kFloat("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") {
    return nullptr;
  }
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  if (std::regex_match(text, kInt)) {
    errno = 0;
    long long v = std::strtoll(text.c_str(), nullptr, 10);
    if (errno == 0) return v;
  }
  if (std::regex_match(text, kFloat)) return std::strtod(text.c_str(), nullptr);
  return text;
}

}  // namespace

const YamlNode* YamlNode::Find(std::string_view key) const {
  if (kind != Kind::kMap) return nullptr;
  for (const auto& [k, v] : entries) {
    if (k == key) return &v;
  }
  return nullptr;
}

nlohmann::json YamlNode::ToJson() const {
  switch (kind) {
    case Kind::kNull:
      return nullptr;
    case Kind::kScalar:
      return quoted ? nlohmann::json(scalar) : TypedScalar(scalar);
    case Kind::kSequence: {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& e : elements) arr.push_back(e.ToJson());
      return arr;
    }
    case Kind::kMap: {
      nlohmann::json obj = nlohmann::json::object();
      for (const auto& [k, v] : entries) obj[k] = v.ToJson();
      return obj;
    }
  }
  return nullptr;
}

bool YamlNode::AsString(std::string* out) const {
  if (kind == Kind::kNull) {
    out->clear();
    return true;
  }
  if (kind != Kind::kScalar) return false;
  *out = scalar;
  return true;
}

bool YamlNode::AsStringList(std::vector<std::string>* out) const {
  out->clear();
  if (kind == Kind::kNull) return true;
  if (kind == Kind::kScalar) {
    out->push_back(scalar);
    return true;
  }
  if (kind != Kind::kSequence) return false;
  for (const auto& e : elements) {
    if (!e.IsScalar()) return false;
    out->push_back(e.scalar);
  }
  return true;
}

Result<YamlNode> ParseYaml(std::string_view text, std::string_view file) {
  try {
    std::vector<YAML::Node> docs = YAML::LoadAll(std::string(text));
    if (docs.size() > 1) {
      YAML::Mark mark = docs[1].Mark();
      return Status::InvalidArgument(std::string(file) + ":" + std::to_string(mark.line + 1) + ":" +
                                     std::to_string(mark.column + 1) +
                                     ": expected one YAML document, found more");
    }
    if (docs.empty()) return YamlNode{};
    return Convert(docs[0]);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(std::string(file) + ":" + std::to_string(e.mark.line + 1) + ":" +
                                   std::to_string(e.mark.column + 1) + ": invalid YAML: " + e.msg);
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string(file) + ": invalid YAML: " + e.what());
  }
}

}  // namespace strata::transform
