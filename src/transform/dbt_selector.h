// dbt's node selection: --select / --exclude specs over the project graph.
//
//   spec      := [@][N+]method:value[+N]   ("+m", "m+", "2+m", "m+1", "@m")
//   method    := fqn (the default; a value with '/' or a file extension is a
//                path) | tag | path | file | source | exposure | resource_type
//                | package | config.<key> | test_name | test_type | state
//                | selector (a selectors.yml selector's result)
//   value     := text with shell wildcards (*, ?, [..])
//   a,b       := intersection; "a b" and repeated --select := union
//
// Tests are then added by indirect selection (eager by default: a test is
// selected when any node it tests is selected), for --select and --exclude
// alike. docs/TRANSFORM.md has the full reference.
//
// Named selectors come from selectors.yml (LoadYamlSelectors): `--selector
// NAME` replaces --select/--exclude, and the selector with `default: true`
// is used when none of the three is given (docs/transform/COMMANDS.md).
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/file_system.h"
#include "common/status.h"
#include "transform/dbt_graph.h"
#include "transform/dbt_model.h"

namespace strata::transform {

// One entry of selectors.yml.
struct YamlSelector {
  std::string name;
  std::string description;
  bool is_default = false;    // `default: true` (after rendering a Jinja value)
  nlohmann::json definition;  // as written: a string, or a mapping
};

struct SelectionOptions {
  std::vector<std::string> select;   // each as given to --select (may hold spaces)
  std::vector<std::string> exclude;  // each as given to --exclude
  // The previous run's manifest.json (--state), for state:... methods; null
  // when --state was not given.
  const nlohmann::json* state_manifest = nullptr;
  std::string indirect_selection = "eager";  // eager|cautious|buildable|empty
  // Keep only these resource types (e.g. {"model"} for `run`); empty: all.
  std::set<std::string> resource_types;
  // --selector NAME: the selectors.yml selector used instead of select and
  // exclude. Empty: select/exclude, or the default selector when both are
  // empty.
  std::string selector;
  // The project's selectors.yml (LoadYamlSelectors); null: none.
  const std::vector<YamlSelector>* yaml_selectors = nullptr;
};

// The unique ids selected from `graph`'s vertices. With no --select (and no
// selector, default or named) every vertex is a candidate. InvalidArgument
// for a malformed spec or selector definition, an unknown method, or state:
// without a state manifest; NotFound for an unknown --selector. Thread-safe
// (reads only).
Result<std::set<std::string>> SelectNodes(const DbtProject& project, const DbtGraph& graph,
                                          const SelectionOptions& options);

// Reads <state_dir>/manifest.json. NotFound when it is missing,
// InvalidArgument when it is not JSON.
Result<nlohmann::json> LoadStateManifest(FileSystem& fs, const std::string& state_dir);

// Reads <project_dir>/selectors.yml: an empty list when there is none.
// `render_default` turns a string `default:` value (a Jinja expression such
// as "{{ target.name == 'prod' }}") into a bool; without it only literal
// booleans and "true"/"false" are accepted. InvalidArgument naming the file
// for YAML errors, a selector without name or definition, duplicate names,
// or more than one default selector.
Result<std::vector<YamlSelector>> LoadYamlSelectors(
    FileSystem& fs, const std::string& project_dir,
    const std::function<Result<bool>(const std::string&)>& render_default = nullptr);

// The default selector of `selectors` (the one with default: true), if any.
const YamlSelector* DefaultYamlSelector(const std::vector<YamlSelector>& selectors);

// Shell-style wildcard match (fnmatch without flags): *, ?, [abc], [!abc].
bool WildcardMatch(std::string_view pattern, std::string_view text);

}  // namespace strata::transform
