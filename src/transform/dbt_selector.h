// dbt's node selection: --select / --exclude specs over the project graph.
//
//   spec      := [@][N+]method:value[+N]   ("+m", "m+", "2+m", "m+1", "@m")
//   method    := fqn (the default; a value with '/' or a file extension is a
//                path) | tag | path | file | source | exposure | resource_type
//                | package | config.<key> | test_name | test_type | state
//   value     := text with shell wildcards (*, ?, [..])
//   a,b       := intersection; "a b" and repeated --select := union
//
// Tests are then added by indirect selection (eager by default: a test is
// selected when any node it tests is selected), for --select and --exclude
// alike. docs/TRANSFORM.md has the full reference.
#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "common/file_system.h"
#include "common/status.h"
#include "transform/dbt_graph.h"
#include "transform/dbt_model.h"

namespace strata::transform {

struct SelectionOptions {
  std::vector<std::string> select;   // each as given to --select (may hold spaces)
  std::vector<std::string> exclude;  // each as given to --exclude
  // The previous run's manifest.json (--state), for state:... methods; null
  // when --state was not given.
  const nlohmann::json* state_manifest = nullptr;
  std::string indirect_selection = "eager";  // eager|cautious|buildable|empty
  // Keep only these resource types (e.g. {"model"} for `run`); empty: all.
  std::set<std::string> resource_types;
};

// The unique ids selected from `graph`'s vertices. With no --select every
// vertex is a candidate. InvalidArgument for a malformed spec, an unknown
// method, or state: without a state manifest. Thread-safe (reads only).
Result<std::set<std::string>> SelectNodes(const DbtProject& project, const DbtGraph& graph,
                                          const SelectionOptions& options);

// Reads <state_dir>/manifest.json. NotFound when it is missing,
// InvalidArgument when it is not JSON.
Result<nlohmann::json> LoadStateManifest(FileSystem& fs, const std::string& state_dir);

// Shell-style wildcard match (fnmatch without flags): *, ?, [abc], [!abc].
bool WildcardMatch(std::string_view pattern, std::string_view text);

}  // namespace strata::transform
