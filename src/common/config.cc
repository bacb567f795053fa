#include "common/config.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <set>
#include <sstream>

#include "common/edit_distance.h"

namespace strata {

struct ConfigNode::Shared {
  std::string name;
  ConfigOptions options;
};

namespace {

// A bound on nodes visited while validating, so an alias bomb ("billion
// laughs": aliases nesting aliases) fails fast instead of walking forever.
constexpr int64_t kMaxVisitedNodes = 1'000'000;
// Real configs nest a handful of levels; an alias inside its own anchor
// ("a: &x {b: *x}") nests forever, and this limit is what catches it.
constexpr int kMaxDepth = 200;

std::string MarkLocation(std::string_view name, const YAML::Mark& mark) {
  if (mark.is_null() || mark.line < 0 || mark.column < 0) return std::string(name);
  // yaml-cpp counts from 0; editors count from 1.
  return fmt::format("{}:{}:{}", name, mark.line + 1, mark.column + 1);
}

ConfigNode::Kind KindOf(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return ConfigNode::Kind::kScalar;
    case YAML::NodeType::Sequence:
      return ConfigNode::Kind::kSequence;
    case YAML::NodeType::Map:
      return ConfigNode::Kind::kMap;
    default:
      return ConfigNode::Kind::kNull;
  }
}

std::string ChildPath(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : fmt::format("{}.{}", parent, key);
}

bool IsEnvNameChar(char c, bool first) {
  return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (!first && c >= '0' && c <= '9');
}

// Rejects what the typed API cannot represent: duplicate keys (yaml-cpp keeps
// both silently) and keys that are not scalars.
Status Validate(const YAML::Node& node, const std::string& name, const std::string& path, int depth,
                int64_t& budget) {
  if (--budget < 0) {
    return Status::InvalidArgument(
        fmt::format("{}: document too large (more than {} nodes after expanding aliases)", name,
                    kMaxVisitedNodes));
  }
  if (depth > kMaxDepth) {
    return Status::InvalidArgument(
        fmt::format("{}: nested more than {} levels deep (or an alias refers to itself)",
                    MarkLocation(name, node.Mark()), kMaxDepth));
  }
  if (node.IsSequence()) {
    size_t i = 0;
    for (const YAML::Node& element : node) {
      STRATA_RETURN_IF_ERROR(
          Validate(element, name, fmt::format("{}[{}]", path, i++), depth + 1, budget));
    }
  } else if (node.IsMap()) {
    std::set<std::string> seen;
    for (const auto& entry : node) {
      if (!entry.first.IsScalar()) {
        return Status::InvalidArgument(fmt::format("{}: keys under '{}' must be strings",
                                                   MarkLocation(name, entry.first.Mark()), path));
      }
      std::string key_path = ChildPath(path, entry.first.Scalar());
      if (!seen.insert(entry.first.Scalar()).second) {
        return Status::InvalidArgument(fmt::format(
            "{}: duplicate key '{}'", MarkLocation(name, entry.first.Mark()), key_path));
      }
      STRATA_RETURN_IF_ERROR(Validate(entry.second, name, key_path, depth + 1, budget));
    }
  }
  return Status::OK();
}

// yaml-cpp's messages for tab indentation rarely mention the tab.
std::string_view TabHint(std::string_view text, const YAML::Mark& mark) {
  if (mark.is_null() || mark.line < 0) return "";
  size_t start = 0;
  for (int line = 0; line < mark.line && start != std::string_view::npos; ++line) {
    start = text.find('\n', start);
    if (start != std::string_view::npos) ++start;
  }
  if (start == std::string_view::npos) return "";
  std::string_view line = text.substr(start, text.find('\n', start) - start);
  size_t indent_end = line.find_first_not_of(" \t");
  return line.substr(0, indent_end).find('\t') != std::string_view::npos
             ? " (YAML does not allow tabs for indentation)"
             : "";
}

// Records where documents start; ignores everything else.
class DocumentStarts : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override { marks.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

  std::vector<YAML::Mark> marks;
};

// Parses at most two documents of `text` as events and returns where they
// start. Never YAML::LoadAll: on a document starting with ',' yaml-cpp 0.7
// yields an empty document without consuming the token, forever. Throws
// like YAML::Load.
std::vector<YAML::Mark> ScanDocumentStarts(std::string_view text) {
  std::istringstream in{std::string(text)};
  YAML::Parser parser(in);
  DocumentStarts starts;
  for (int i = 0; i < 2 && parser.HandleNextDocument(starts); ++i) {
  }
  return std::move(starts.marks);
}

// Structural checks yaml-cpp 0.7 misses; throws YAML::ParserException.
void CheckStructure(std::string_view text) {
  std::vector<YAML::Mark> starts = ScanDocumentStarts(text);
  if (starts.size() > 1) {
    const YAML::Mark& second = starts[1];
    if (second.pos == starts[0].pos && second.pos >= 0 &&
        static_cast<size_t>(second.pos) < text.size()) {
      throw YAML::ParserException(second, fmt::format("unexpected '{}'", text[second.pos]));
    }
    throw YAML::ParserException(second,
                                "a second YAML document starts here; a config file holds one");
  }
  // yaml-cpp accepts a quoted scalar left open at the end of the input when a
  // line break follows it. Without the trailing whitespace it reports "illegal
  // EOF in scalar", and only an unclosed quote can cause that (trimming cannot
  // unclose one), so a trimmed parse finds exactly these.
  size_t end = text.find_last_not_of(" \t\r\n");
  if (end == std::string_view::npos || end + 1 == text.size()) return;
  try {
    (void)ScanDocumentStarts(text.substr(0, end + 1));
  } catch (const YAML::ParserException& e) {
    if (e.msg == YAML::ErrorMsg::EOF_IN_SCALAR) throw;
  }
}

}  // namespace

ConfigNode::ConfigNode(std::shared_ptr<const Shared> doc, std::shared_ptr<const YAML::Node> node,
                       std::string path)
    : doc_(std::move(doc)), node_(std::move(node)), path_(std::move(path)), kind_(KindOf(*node_)) {}

ConfigNode ConfigNode::MakeChild(const YAML::Node& node, std::string path) const {
  return ConfigNode(doc_, std::make_shared<const YAML::Node>(node), std::move(path));
}

std::string ConfigNode::Location() const { return MarkLocation(doc_->name, node_->Mark()); }

Status ConfigNode::Error(std::string_view what) const {
  if (path_.empty()) {
    return Status::InvalidArgument(fmt::format("{}: the document {}", Location(), what));
  }
  return Status::InvalidArgument(fmt::format("{}: '{}' {}", Location(), path_, what));
}

Status ConfigNode::TypeError(std::string_view expected) const {
  std::string got;
  switch (kind_) {
    case Kind::kNull:
      got = "null";
      break;
    case Kind::kSequence:
      got = "a sequence";
      break;
    case Kind::kMap:
      got = "a map";
      break;
    case Kind::kScalar: {
      std::string_view text = node_->Scalar();
      got = text.size() <= 40 ? fmt::format("'{}'", text)
                              : fmt::format("'{}...'", text.substr(0, 37));
      break;
    }
  }
  return Error(fmt::format("must be {}, got {}", expected, got));
}

Status ConfigNode::CheckMapOrNull() const {
  if (IsMap() || IsNull()) return Status::OK();
  return TypeError("a map");
}

std::optional<ConfigNode> ConfigNode::Find(std::string_view key) const {
  if (!IsMap()) return std::nullopt;
  for (const auto& entry : *node_) {
    if (entry.first.Scalar() == key) return MakeChild(entry.second, ChildPath(path_, key));
  }
  return std::nullopt;
}

Result<ConfigNode> ConfigNode::Child(std::string_view key) const {
  STRATA_RETURN_IF_ERROR(CheckMapOrNull());
  std::optional<ConfigNode> child = Find(key);
  if (child.has_value()) return *std::move(child);
  return Status::InvalidArgument(
      fmt::format("{}: missing required key '{}'", Location(), ChildPath(path_, key)));
}

std::vector<std::string> ConfigNode::Keys() const {
  std::vector<std::string> keys;
  if (!IsMap()) return keys;
  for (const auto& entry : *node_) keys.push_back(entry.first.Scalar());
  return keys;
}

Result<std::vector<std::pair<std::string, ConfigNode>>> ConfigNode::Entries() const {
  STRATA_RETURN_IF_ERROR(CheckMapOrNull());
  std::vector<std::pair<std::string, ConfigNode>> out;
  if (IsNull()) return out;
  for (const auto& entry : *node_) {
    const std::string& key = entry.first.Scalar();
    out.emplace_back(key, MakeChild(entry.second, ChildPath(path_, key)));
  }
  return out;
}

Result<std::vector<ConfigNode>> ConfigNode::Elements() const {
  if (!IsSequence() && !IsNull()) return TypeError("a sequence");
  std::vector<ConfigNode> out;
  if (IsNull()) return out;
  size_t i = 0;
  for (const YAML::Node& element : *node_) {
    out.push_back(MakeChild(element, fmt::format("{}[{}]", path_, i++)));
  }
  return out;
}

Status ConfigNode::CheckKnownKeys(const std::vector<std::string_view>& known) const {
  STRATA_RETURN_IF_ERROR(CheckMapOrNull());
  if (IsNull()) return Status::OK();
  for (const auto& entry : *node_) {
    const std::string& key = entry.first.Scalar();
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string_view best;
    size_t best_distance = std::max<size_t>(2, key.size() / 3) + 1;
    for (std::string_view candidate : known) {
      size_t d = EditDistance(key, candidate);
      if (d < best_distance) {
        best = candidate;
        best_distance = d;
      }
    }
    std::string hint = best.empty() ? fmt::format("known keys: {}", fmt::join(known, ", "))
                                    : fmt::format("did you mean '{}'?", best);
    return Status::InvalidArgument(fmt::format("{}: '{}' is not a known key ({})",
                                               MarkLocation(doc_->name, entry.first.Mark()),
                                               ChildPath(path_, key), hint));
  }
  return Status::OK();
}

Result<std::string> ConfigNode::Interpolated() const {
  const std::string& text = node_->Scalar();
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    if (text.compare(i, 3, "$${") == 0) {
      out += "${";
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      out += text[i++];
      continue;
    }
    size_t close = text.find('}', i + 2);
    if (close == std::string::npos) return Error("has an unclosed '${'");
    std::string_view inner = std::string_view(text).substr(i + 2, close - i - 2);
    size_t sep = inner.find(":-");
    std::string var(inner.substr(0, sep));
    bool valid = !var.empty();
    for (size_t k = 0; k < var.size() && valid; ++k) valid = IsEnvNameChar(var[k], k == 0);
    if (!valid) return Error(fmt::format("has an invalid variable reference '${{{}}}'", inner));
    std::optional<std::string> value;
    if (doc_->options.env) {
      value = doc_->options.env(var);
    } else if (const char* env = std::getenv(var.c_str())) {
      value = env;
    }
    if (sep != std::string_view::npos) {
      out += value.has_value() && !value->empty() ? *value : std::string(inner.substr(sep + 2));
    } else if (value.has_value()) {
      out += *value;
    } else {
      return Error(fmt::format("uses environment variable '{}', which is not set", var));
    }
    i = close + 1;
  }
  return out;
}

template <>
Result<std::string> ConfigNode::As<std::string>() const {
  if (!IsScalar()) return TypeError("a string");
  return Interpolated();
}

template <>
Result<bool> ConfigNode::As<bool>() const {
  if (!IsScalar()) return TypeError("a boolean");
  STRATA_ASSIGN_OR_RETURN(std::string text, Interpolated());
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (text == "true" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "no" || text == "off") return false;
  return TypeError("a boolean (true or false)");
}

template <>
Result<int64_t> ConfigNode::As<int64_t>() const {
  if (!IsScalar()) return TypeError("an integer");
  STRATA_ASSIGN_OR_RETURN(std::string text, Interpolated());
  std::string_view digits = text;
  if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec == std::errc::result_out_of_range) return Error(fmt::format("is out of range: {}", text));
  if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty()) {
    return TypeError("an integer");
  }
  return value;
}

template <>
Result<int> ConfigNode::As<int>() const {
  STRATA_ASSIGN_OR_RETURN(int64_t value, As<int64_t>());
  if (value < INT32_MIN || value > INT32_MAX)
    return Error(fmt::format("is out of range: {}", value));
  return static_cast<int>(value);
}

template <>
Result<double> ConfigNode::As<double>() const {
  if (!IsScalar()) return TypeError("a number");
  STRATA_ASSIGN_OR_RETURN(std::string text, Interpolated());
  std::string_view digits = text;
  if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
  double value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty()) {
    return TypeError("a number");
  }
  return value;
}

template <>
Result<std::vector<std::string>> ConfigNode::As<std::vector<std::string>>() const {
  if (!IsSequence()) return TypeError("a sequence of strings");
  std::vector<std::string> out;
  STRATA_ASSIGN_OR_RETURN(std::vector<ConfigNode> elements, Elements());
  for (const ConfigNode& element : elements) {
    STRATA_ASSIGN_OR_RETURN(std::string value, element.As<std::string>());
    out.push_back(std::move(value));
  }
  return out;
}

template <>
Result<std::map<std::string, std::string>> ConfigNode::As<std::map<std::string, std::string>>()
    const {
  if (!IsMap()) return TypeError("a map of strings");
  std::map<std::string, std::string> out;
  STRATA_ASSIGN_OR_RETURN(auto entries, Entries());
  for (const auto& [key, node] : entries) {
    STRATA_ASSIGN_OR_RETURN(std::string value, node.As<std::string>());
    out.emplace(key, std::move(value));
  }
  return out;
}

const std::string& ConfigDocument::name() const { return root_.doc_->name; }

Result<ConfigDocument> ParseConfig(std::string_view text, std::string_view name,
                                   const ConfigOptions& options) {
  auto shared = std::make_shared<ConfigNode::Shared>();
  shared->name = std::string(name);
  shared->options = options;
  try {
    CheckStructure(text);
    auto root = std::make_shared<const YAML::Node>(YAML::Load(std::string(text)));
    int64_t budget = kMaxVisitedNodes;
    STRATA_RETURN_IF_ERROR(Validate(*root, shared->name, "", 0, budget));
    ConfigNode node(std::move(shared), std::move(root), "");
    if (!node.IsMap() && !node.IsNull()) return node.TypeError("a map");
    return ConfigDocument(std::move(node));
  } catch (const YAML::Exception& e) {
    // e.msg is the bare reason; e.what() would repeat the 0-based mark.
    std::string_view reason = e.msg == YAML::ErrorMsg::EOF_IN_SCALAR
                                  ? "a quoted string is never closed"
                                  : std::string_view(e.msg);
    return Status::InvalidArgument(
        fmt::format("{}: {}{}", MarkLocation(name, e.mark), reason, TabHint(text, e.mark)));
  } catch (const std::exception& e) {
    return Status::InvalidArgument(fmt::format("{}: cannot parse YAML: {}", name, e.what()));
  }
}

Result<ConfigDocument> LoadConfigFile(FileSystem& fs, const std::string& path,
                                      const ConfigOptions& options) {
  STRATA_ASSIGN_OR_RETURN(std::string text, fs.ReadFile(path));
  return ParseConfig(text, path, options);
}

}  // namespace strata
