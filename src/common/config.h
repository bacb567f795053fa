// Config: YAML files (strata.yml, profiles) read into a small typed API whose
// every error says where: "strata.yml:4:12: 'warehouse.path' must be a string,
// got a sequence". yaml-cpp stays behind this header, its exceptions too.
//
//   STRATA_ASSIGN_OR_RETURN(ConfigDocument doc, LoadConfigFile(fs, "strata.yml"));
//   const ConfigNode& root = doc.root();
//   STRATA_RETURN_IF_ERROR(root.CheckKnownKeys({"name", "warehouse", "threads"}));
//   STRATA_ASSIGN_OR_RETURN(std::string name, root.Get<std::string>("name"));
//   STRATA_ASSIGN_OR_RETURN(int64_t threads, root.GetOr<int64_t>("threads", 4));
//   STRATA_ASSIGN_OR_RETURN(ConfigNode wh, root.Child("warehouse"));
//
// Documents: one YAML document whose root is a map (an empty file is an empty
// map). Duplicate keys and non-string keys are rejected at parse time.
//
// String interpolation: in any scalar read through As/Get/GetOr,
// "${NAME}" becomes the environment variable NAME (an error if unset),
// "${NAME:-fallback}" uses `fallback` when NAME is unset or empty, and
// "$${" is a literal "${". Nothing else is special.
//
// Supported T for As/Get/GetOr: std::string, bool (true/false/yes/no/on/off),
// int, int64_t, double, std::vector<std::string>, std::map<std::string, std::string>.
//
// Nodes and documents are immutable, cheap to copy (they share the parsed
// tree), and safe to read from several threads.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/file_system.h"
#include "common/status.h"

namespace YAML {
class Node;
}

namespace strata {

struct ConfigOptions {
  // Resolves ${NAME}; nullopt means unset. Empty means the process environment.
  std::function<std::optional<std::string>(const std::string& name)> env;
};

class ConfigDocument;

// Parses YAML `text`; `name` (usually a file name) prefixes error locations.
// InvalidArgument "<name>:<line>:<col>: <problem>" for malformed YAML, more
// than one document, a root that is not a map, duplicate or non-string keys.
Result<ConfigDocument> ParseConfig(std::string_view text, std::string_view name,
                                   const ConfigOptions& options = {});

class ConfigNode {
 public:
  enum class Kind { kNull, kScalar, kSequence, kMap };

  Kind kind() const { return kind_; }
  bool IsNull() const { return kind_ == Kind::kNull; }
  bool IsScalar() const { return kind_ == Kind::kScalar; }
  bool IsSequence() const { return kind_ == Kind::kSequence; }
  bool IsMap() const { return kind_ == Kind::kMap; }

  // The key path from the root: "warehouse.path", "models[2].name"; "" for the root.
  const std::string& path() const { return path_; }
  // "<file>:<line>:<column>" (1-based) where this node starts, or "<file>".
  std::string Location() const;

  // This node as a T; InvalidArgument naming location, path, the expected
  // type and what was found.
  template <typename T>
  Result<T> As() const;

  // The value at required `key` of this map as a T. InvalidArgument when this
  // is not a map, the key is missing, or the value has the wrong type.
  template <typename T>
  Result<T> Get(std::string_view key) const {
    STRATA_ASSIGN_OR_RETURN(ConfigNode child, Child(key));
    return child.As<T>();
  }
  // Like Get, but `fallback` when the key is absent or null. T must be given
  // explicitly: GetOr<std::string>("mode", "fast").
  template <typename T>
  Result<T> GetOr(std::string_view key, std::type_identity_t<T> fallback) const {
    STRATA_RETURN_IF_ERROR(CheckMapOrNull());
    std::optional<ConfigNode> child = Find(key);
    if (!child.has_value() || child->IsNull()) return fallback;
    return child->As<T>();
  }

  // The node at required `key` of this map (errors as Get).
  Result<ConfigNode> Child(std::string_view key) const;
  // The node at `key`, or nullopt when absent or when this is not a map.
  std::optional<ConfigNode> Find(std::string_view key) const;
  bool Has(std::string_view key) const { return Find(key).has_value(); }
  // The keys of this map in document order; empty for other kinds.
  std::vector<std::string> Keys() const;
  // Key/value pairs of this map in document order (null counts as empty);
  // InvalidArgument for other kinds.
  Result<std::vector<std::pair<std::string, ConfigNode>>> Entries() const;
  // Elements of this sequence (null counts as empty); InvalidArgument otherwise.
  Result<std::vector<ConfigNode>> Elements() const;

  // OK when every key of this map is in `known`; otherwise InvalidArgument at
  // the first unknown key: "'warehouse.pth' is not a known key (did you mean
  // 'path'?)". OK for null.
  Status CheckKnownKeys(const std::vector<std::string_view>& known) const;

  // InvalidArgument "<location>: '<path>' <what>", for checks done by callers
  // (e.g. node.Error("must be positive")).
  Status Error(std::string_view what) const;

 private:
  friend class ConfigDocument;
  friend Result<ConfigDocument> ParseConfig(std::string_view, std::string_view,
                                            const ConfigOptions&);
  struct Shared;

  ConfigNode(std::shared_ptr<const Shared> doc, std::shared_ptr<const YAML::Node> node,
             std::string path);
  Status CheckMapOrNull() const;
  Status TypeError(std::string_view expected) const;
  Result<std::string> Interpolated() const;
  ConfigNode MakeChild(const YAML::Node& node, std::string path) const;

  std::shared_ptr<const Shared> doc_;
  std::shared_ptr<const YAML::Node> node_;
  std::string path_;
  Kind kind_ = Kind::kNull;
};

template <>
Result<std::string> ConfigNode::As<std::string>() const;
template <>
Result<bool> ConfigNode::As<bool>() const;
template <>
Result<int64_t> ConfigNode::As<int64_t>() const;
template <>
Result<int> ConfigNode::As<int>() const;
template <>
Result<double> ConfigNode::As<double>() const;
template <>
Result<std::vector<std::string>> ConfigNode::As<std::vector<std::string>>() const;
template <>
Result<std::map<std::string, std::string>> ConfigNode::As<std::map<std::string, std::string>>()
    const;

// A parsed config file.
class ConfigDocument {
 public:
  // The name errors use: the path it was loaded from, or the name given to ParseConfig.
  const std::string& name() const;
  // The root map.
  const ConfigNode& root() const { return root_; }

 private:
  friend Result<ConfigDocument> ParseConfig(std::string_view, std::string_view,
                                            const ConfigOptions&);
  explicit ConfigDocument(ConfigNode root) : root_(std::move(root)) {}
  ConfigNode root_;
};

// Reads `path` through `fs` and parses it; NotFound when the file is missing.
Result<ConfigDocument> LoadConfigFile(FileSystem& fs, const std::string& path,
                                      const ConfigOptions& options = {});

}  // namespace strata
