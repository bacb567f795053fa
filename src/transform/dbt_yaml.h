// A YAML tree with source positions, for dbt's YAML files (dbt_project.yml,
// profiles.yml, property files). yaml-cpp stays behind this header: its
// exceptions are caught in dbt_yaml.cc and its 0-based marks become 1-based.
//
// dbt's YAML needs more than common/config.h gives: arbitrary values (meta,
// config, test arguments) copied into JSON artifacts with their scalar types,
// and no "${NAME}" interpolation (dbt does not do it).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace strata::transform {

struct YamlNode {
  enum class Kind { kNull, kScalar, kSequence, kMap };
  Kind kind = Kind::kNull;
  std::string scalar;   // the text of a scalar
  bool quoted = false;  // a quoted scalar is always a string
  int line = 0;         // 1-based; 0 when unknown
  int column = 0;
  int key_line = 0;  // for a map's values: where their key is
  int key_column = 0;
  std::vector<std::pair<std::string, YamlNode>> entries;  // maps, in document order
  std::vector<YamlNode> elements;                         // sequences

  bool IsNull() const { return kind == Kind::kNull; }
  bool IsScalar() const { return kind == Kind::kScalar; }
  bool IsMap() const { return kind == Kind::kMap; }
  bool IsSequence() const { return kind == Kind::kSequence; }

  // The value at `key` of this map, or nullptr (also when this is not a map).
  // The pointer is owned by this node.
  const YamlNode* Find(std::string_view key) const;

  // This node as JSON: plain scalars typed by YAML 1.2's core schema (null,
  // bools, ints, floats), quoted scalars as strings.
  nlohmann::json ToJson() const;

  // The scalar as a string (null gives ""); false for maps and sequences.
  bool AsString(std::string* out) const;
  // A string or a list of strings (dbt accepts both for tags); false otherwise.
  bool AsStringList(std::vector<std::string>* out) const;
};

// Parses YAML `text`; an empty document is a null node. InvalidArgument
// "<file>:<line>:<col>: <problem>" on a syntax error or a second document.
Result<YamlNode> ParseYaml(std::string_view text, std::string_view file);

}  // namespace strata::transform
