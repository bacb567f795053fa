// Helpers shared by the loader's files (dbt_project.cc, dbt_config.cc,
// dbt_properties.cc, dbt_profiles.cc). Not part of the subsystem's door.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/file_system.h"
#include "transform/dbt_model.h"
#include "transform/dbt_project.h"
#include "transform/dbt_yaml.h"

namespace strata::transform::internal {

// Lowercase hex digests, as Python's hashlib.*().hexdigest().
std::string Sha256Hex(std::string_view data);
std::string Md5Hex(std::string_view data);

// 1-based line and column of byte `offset` in `text`.
std::pair<int, int> LineColumnAt(std::string_view text, size_t offset);

// Python's repr() of a JSON value whose leaves were turned into str() (dbt's
// get_hashable_md): dicts with sorted keys, lists, strings quoted as Python does.
std::string PythonReprOfStrings(const nlohmann::json& value);
// Python's str() of a scalar JSON value (True/False/None, 1.0, text).
std::string PythonStr(const nlohmann::json& value);

// Shared state of one LoadProject call.
struct LoadContext {
  FileSystem& fs;
  const LoadOptions& options;
  DbtProject* project;
  const DependencyScanner* scanner;
  // Each package's parsed dbt_project.yml, by package name.
  std::map<std::string, YamlNode> project_yaml;

  void Error(const std::string& file, int line, int column, const std::string& node,
             const std::string& message);
  void Warning(const std::string& file, int line, int column, const std::string& node,
               const std::string& message);
  // `path` made relative to the root project directory when it lies inside it.
  std::string DisplayPath(const std::string& path) const;
};

// The config a node starts from before any project or YAML config.
nlohmann::json DefaultConfig(const std::string& resource_type);

// Merges one config `key` into `config` with dbt's rules: tags, pre-hook and
// post-hook accumulate; meta, quoting, column_types, docs, contract, grants and
// persist_docs are dict-updated; everything else is replaced. "pre_hook" is
// spelled "pre-hook"; a leading "+" is dropped.
void MergeConfigKey(nlohmann::json* config, std::string key, const nlohmann::json& value);

// The config for a node of `resource_type` with `fqn` (package first) from
// the `models:`/`seeds:`/`snapshots:`/`tests:`/`data_tests:`/`analyses:`
// hierarchies of the package's own dbt_project.yml and then the root
// project's (more specific folder levels win at each step).
nlohmann::json ResolveProjectConfig(const LoadContext& ctx, const std::string& resource_type,
                                    const std::vector<std::string>& fqn);

// True when `key` (without "+") is a config dbt knows for that resource key;
// unknown plain keys in a config hierarchy are folder names.
bool IsKnownConfigKey(std::string_view key);

// Moves the config fields the rest of Strata reads as node fields (tags, meta,
// schema, alias, database, docs) from node->config onto the node.
void ApplyConfigToNodeFields(Node* node, const std::string& default_schema);

// Reads every YAML property file found under the packages' resource paths and
// patches nodes, adds sources, exposures, generic tests, macro properties.
void LoadPropertyFiles(LoadContext* ctx,
                       const std::vector<std::pair<PackageInfo, std::string>>& files);

// Records a ParseYaml failure for `abs_file` as an error diagnostic.
void ReportYamlError(LoadContext* ctx, const std::string& abs_file, const Status& status);

// The literal keyword arguments of a `{{ config(...) }}` call in `raw_code`
// (dbt's static parser does the same for simple models); an empty object when
// there is none or when an argument is not a literal (the runner renders it).
nlohmann::json ExtractStaticConfig(const std::string& raw_code);

// Reads profiles.yml as dbt finds it and fills project->target.
void LoadProfile(LoadContext* ctx);

// Lists the files below `dir` (recursively), as paths relative to `dir`,
// sorted; an absent directory gives an empty list.
std::vector<std::string> ListFilesRecursive(FileSystem& fs, const std::string& dir);

// The node's file as the user sees it: relative to the root project (a
// package's files keep their dbt_packages/<name>/ prefix).
std::string NodeDisplayPath(const DbtProject& project, const Node& node);

}  // namespace strata::transform::internal
