// The typed model of a loaded dbt project: nodes (models, seeds, snapshots,
// tests, analyses, sources, exposures), macros, docs blocks, the resolved
// profile target, and the diagnostics collected while loading.
//
// Everything here is plain data: built once by LoadProject (dbt_project.h),
// then read by the graph, the selector and the artifact writers. A loaded
// DbtProject is immutable by convention and safe to read from many threads.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace strata::transform {

// One problem found while loading: where, which node, what. Loading goes on
// after most problems (as dbt does) and fails at the end if any is an error.
struct Diagnostic {
  enum class Severity { kWarning, kError };
  Severity severity = Severity::kError;
  std::string file;  // relative to the project root when inside it
  int line = 0;      // 1-based; 0 when the whole file is meant
  int column = 0;
  std::string node;  // unique_id or name of the node concerned; may be empty
  std::string message;

  bool IsError() const { return severity == Severity::kError; }
  // "file:line:col: error: message (node: x)".
  std::string ToString() const;
};

struct Column {
  std::string name;
  std::string description;
  std::string data_type;  // empty: unknown
  nlohmann::json constraints = nlohmann::json::array();
  nlohmann::json meta = nlohmann::json::object();
  std::vector<std::string> tags;
  nlohmann::json quote;  // null, or a bool
};

// A ref('x') / ref('pkg', 'x') / ref('x', v=2) call found in a node's code.
struct RefCall {
  std::string package;  // empty: not given
  std::string name;
  std::string version;  // empty: not given
  int line = 0;
  int column = 0;
};

// A source('s', 't') call found in a node's code.
struct SourceCall {
  std::string source;
  std::string table;
  int line = 0;
  int column = 0;
};

// A vertex of the project graph. Sources and exposures use the same type so
// that the graph and the selector treat every vertex alike; the fields that
// matter only to one resource type say so.
struct Node {
  std::string unique_id;      // "model.jaffle.orders", "source.jaffle.raw.orders", ...
  std::string name;           // for sources: the table name
  std::string resource_type;  // model|seed|snapshot|test|analysis|source|exposure
  std::string package_name;
  std::string path;                // as dbt: relative to the resource path (models/...)
  std::string original_file_path;  // relative to the package root
  std::string package_root;        // absolute directory of the package
  std::string language = "sql";    // sql|python
  std::string raw_code;
  nlohmann::json checksum = {{"name", "none"}, {"checksum", ""}};
  std::vector<std::string> fqn;
  nlohmann::json config = nlohmann::json::object();  // resolved, dbt's key spelling
  std::string description;
  std::vector<Column> columns;
  std::vector<std::string> tags;
  nlohmann::json meta = nlohmann::json::object();
  std::string database, schema, alias;
  std::string patch_path;  // "<package>://<file>" of the YAML that described it
  nlohmann::json constraints = nlohmann::json::array();  // model-level constraints
  nlohmann::json docs = {{"show", true}, {"node_color", nullptr}};
  std::string version;         // model versions: "2"; empty when unversioned
  std::string latest_version;  // set on every version of a versioned model
  int line = 0;                // where the node is defined (YAML nodes, blocks)
  int column = 0;

  // Static dependencies: the calls found in raw_code (see DependencyScanner),
  // then resolved to unique ids by BuildGraph.
  std::vector<RefCall> refs;
  std::vector<SourceCall> source_calls;
  std::vector<std::string> depends_on_nodes;
  std::vector<std::string> depends_on_macros;

  // Tests.
  nlohmann::json test_metadata;  // generic tests: {name, kwargs, namespace}; null otherwise
  std::string attached_node;     // generic tests: the unique_id tested
  std::string column_name;       // column tests

  // Sources.
  std::string source_name, source_description, loader, identifier, loaded_at_field;
  nlohmann::json freshness;  // {warn_after, error_after, filter} or null
  nlohmann::json quoting = nlohmann::json::object();
  nlohmann::json source_meta = nlohmann::json::object();

  // Exposures.
  std::string exposure_type, maturity, url, label;
  nlohmann::json owner = nlohmann::json::object();

  // Python models and other things Strata loads but cannot run.
  bool unsupported = false;
  std::string unsupported_reason;

  bool IsSource() const { return resource_type == "source"; }
  bool IsTest() const { return resource_type == "test"; }
  // True for the nodes a run executes (models, seeds, snapshots, tests).
  bool IsExecutable() const {
    return resource_type == "model" || resource_type == "seed" || resource_type == "snapshot" ||
           resource_type == "test";
  }
};

struct Macro {
  std::string unique_id;  // "macro.<package>.<name>"
  std::string name;
  std::string package_name;
  std::string path;                // relative to the package root
  std::string original_file_path;  // same as path, as dbt writes it
  std::string macro_sql;           // the whole {% macro %}...{% endmacro %} block
  int line = 0;
  int column = 0;
  std::string description;
  nlohmann::json meta = nlohmann::json::object();
  nlohmann::json arguments = nlohmann::json::array();
  std::string patch_path;
};

struct DocBlock {
  std::string unique_id;  // "doc.<package>.<name>"
  std::string name;
  std::string package_name;
  std::string path;
  std::string original_file_path;
  std::string block_contents;  // trimmed, as dbt stores it
};

// The profile target a run connects to (profiles.yml), duckdb only.
struct ProfileTarget {
  std::string profile_name;
  std::string target_name;
  std::string type;  // "duckdb"
  std::string path;  // database file; ":memory:" or empty for in-memory
  std::string database;
  std::string schema = "main";
  int threads = 1;
  std::vector<std::string> extensions;
  nlohmann::json settings = nlohmann::json::object();
  // The target's keys with the strings as written (before env_var), for the
  // runner to render with Jinja.
  nlohmann::json raw = nlohmann::json::object();
  // The target's keys after LoadOptions::render (or the literal env_var
  // fallback).
  nlohmann::json rendered = nlohmann::json::object();
};

struct PackageInfo {
  std::string name;
  std::string version;
  std::string root_dir;  // absolute
  bool is_root = false;
};

struct DbtProject {
  std::string name;
  std::string version;
  std::string profile_name;
  std::string root_dir;  // absolute
  std::vector<std::string> model_paths, seed_paths, test_paths, macro_paths, snapshot_paths,
      analysis_paths, docs_paths;
  std::string target_path = "target";
  std::string packages_install_path = "dbt_packages";
  std::vector<std::string> clean_targets;
  nlohmann::json vars = nlohmann::json::object();  // as written in dbt_project.yml
  nlohmann::json cli_vars = nlohmann::json::object();
  std::vector<std::string> on_run_start, on_run_end;
  std::string require_dbt_version;  // recorded, not enforced
  nlohmann::json quoting = nlohmann::json::object();
  // selectors.yml as manifest.json's `selectors` ({name: {name, definition,
  // description, default}}); filled by the runner, which reads the file.
  nlohmann::json selectors = nlohmann::json::object();

  std::vector<PackageInfo> packages;  // the root first, then dbt_packages/* by name
  // Enabled nodes, sources and exposures by unique_id (sorted: output is stable).
  std::map<std::string, Node> nodes;
  // Nodes with enabled: false, by unique_id (dbt keeps a list per id).
  std::map<std::string, std::vector<Node>> disabled;
  std::map<std::string, Macro> macros;
  std::map<std::string, DocBlock> docs;
  std::optional<ProfileTarget> target;
  std::vector<Diagnostic> diagnostics;

  // The vars visible to nodes of `package`: the globals, then the package's
  // own block, then --vars (dbt's precedence).
  nlohmann::json VarsFor(const std::string& package) const;
  // True when any diagnostic is an error.
  bool HasErrors() const;
  // The node with `unique_id`, or nullptr. The pointer is owned by the project.
  const Node* FindNode(const std::string& unique_id) const;
};

}  // namespace strata::transform
