// Loading a dbt project from disk into a DbtProject (dbt_model.h):
// dbt_project.yml, profiles.yml, the files under each resource path, YAML
// property files, and packages already present under dbt_packages/.
//
// No Jinja is rendered here. Dependencies come from a static scan of the raw
// code (DependencyScanner); the runner later replaces it with real rendering.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/file_system.h"
#include "common/status.h"
#include "transform/dbt_model.h"

namespace strata::transform {

// Finds a node's dependencies in its code. The default is a regex-level scan
// of ref()/source() calls inside Jinja tags; the runner will provide one that
// records the calls made while rendering. Implementations must be thread-safe.
class DependencyScanner {
 public:
  virtual ~DependencyScanner() = default;
  // Fills node->refs and node->source_calls from node->raw_code. Problems
  // (e.g. a call with non-literal arguments) are appended to `diagnostics`.
  virtual void Scan(Node* node, std::vector<Diagnostic>* diagnostics) const = 0;

  // The static scanner. Never null; not owned; thread-safe.
  static const DependencyScanner& Static();
};

struct LoadOptions {
  std::string project_dir;   // holds dbt_project.yml
  std::string profiles_dir;  // --profiles-dir; empty: DBT_PROFILES_DIR, project_dir, ~/.dbt
  std::string target;        // --target; empty: the profile's `target:`
  nlohmann::json cli_vars = nlohmann::json::object();  // --vars
  // Looks up environment variables (env_var() in profiles.yml, DBT_PROFILES_DIR,
  // HOME). Empty: the process environment.
  std::function<std::optional<std::string>(const std::string&)> env;
  // Renders a Jinja string of profiles.yml ("{{ env_var('X', 'd') }}"). Empty:
  // a literal-only env_var() substitution (see RenderEnvVarLiterals).
  std::function<Result<std::string>(const std::string&)> render;
  bool load_profile = true;  // false: skip profiles.yml (e.g. `parse` without a target)
  const DependencyScanner* scanner = nullptr;  // null: DependencyScanner::Static()
};

// Loads the project in options.project_dir through `fs`. Returns an error only
// when there is no usable project (dbt_project.yml missing or not YAML, no
// name); every other problem is a Diagnostic in the result, and loading goes on
// where dbt would. Check DbtProject::HasErrors() / ProjectStatus() after.
// Thread-safe; the result owns all its data.
Result<DbtProject> LoadProject(FileSystem& fs, const LoadOptions& options);

// OK when `project` has no error diagnostics; otherwise InvalidArgument whose
// message lists every error ("file:line:col: message"), one per line.
Status ProjectStatus(const DbtProject& project);

// Replaces each `{{ env_var('NAME') }}` / `{{ env_var('NAME', 'default') }}`
// in `text` (literal arguments only) with the variable's value. InvalidArgument
// when a variable without default is unset, or for any other Jinja in `text`.
Result<std::string> RenderEnvVarLiterals(
    std::string_view text,
    const std::function<std::optional<std::string>(const std::string&)>& env);

}  // namespace strata::transform
