// dbt's artifacts, written so that tools reading dbt's published schemas
// (DataHub, OpenMetadata, Dagster) read ours: target/manifest.json (v12),
// run_results.json (v6), catalog.json (v1), sources.json (v3).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/file_system.h"
#include "common/status.h"
#include "transform/dbt_graph.h"
#include "transform/dbt_model.h"

namespace strata::transform {

inline constexpr const char* kManifestSchema = "https://schemas.getdbt.com/dbt/manifest/v12.json";
inline constexpr const char* kRunResultsSchema =
    "https://schemas.getdbt.com/dbt/run-results/v6.json";
inline constexpr const char* kCatalogSchema = "https://schemas.getdbt.com/dbt/catalog/v1.json";
inline constexpr const char* kSourcesSchema = "https://schemas.getdbt.com/dbt/sources/v3.json";
// The dbt-core version whose artifacts we write (readers check it).
inline constexpr const char* kCompatibleDbtVersion = "1.9.0";

struct ArtifactMetadata {
  std::string invocation_id;  // a UUID, one per command
  std::string generated_at;   // "2026-11-29T14:00:00.000000Z"
  std::string project_name;
  std::string adapter_type = "duckdb";
  nlohmann::json env = nlohmann::json::object();
};

// Metadata stamped now by `clock`, with a fresh random invocation id.
// Thread-safe.
ArtifactMetadata MakeArtifactMetadata(const DbtProject& project, Clock& clock);
// "YYYY-MM-DDTHH:MM:SS.ffffffZ" for microseconds since the epoch.
std::string IsoTimestamp(int64_t micros);

// One node, source or exposure as the manifest writes it (also what
// state:modified compares). Thread-safe.
nlohmann::json NodeToManifestJson(const Node& node);

// The whole manifest (v12) of `project` and `graph`. Thread-safe.
nlohmann::json BuildManifest(const DbtProject& project, const DbtGraph& graph,
                             const ArtifactMetadata& metadata);

struct TimingInfo {
  std::string name;  // "compile" or "execute"
  int64_t started_at_micros = 0;
  int64_t completed_at_micros = 0;
};

struct RunResult {
  std::string unique_id;
  std::string status;  // success|error|skipped|pass|fail|warn|runtime error
  std::string thread_id = "Thread-1";
  double execution_time = 0;  // seconds
  std::string message;        // empty -> null
  std::optional<int64_t> failures;
  nlohmann::json adapter_response = nlohmann::json::object();
  std::vector<TimingInfo> timing;
  bool compiled = false;
  std::string compiled_code;  // empty -> null
  std::string relation_name;  // empty -> null
};

// run_results.json (v6). `args` are the command's arguments as dbt records them.
nlohmann::json BuildRunResults(const std::vector<RunResult>& results, double elapsed_seconds,
                               const ArtifactMetadata& metadata, const nlohmann::json& args);

struct CatalogColumn {
  std::string name;
  std::string type;
  int index = 0;  // 1-based
  std::string comment;
};

struct CatalogTable {
  std::string unique_id;
  std::string type;  // "BASE TABLE", "VIEW"
  std::string database, schema, name, comment, owner;
  std::vector<CatalogColumn> columns;
  nlohmann::json stats = nlohmann::json::object();  // id -> {id,label,value,include,description}
};

// catalog.json (v1); `errors` empty -> null.
nlohmann::json BuildCatalog(const std::vector<CatalogTable>& nodes,
                            const std::vector<CatalogTable>& sources,
                            const std::vector<std::string>& errors,
                            const ArtifactMetadata& metadata);

struct FreshnessResult {
  std::string unique_id;
  std::string status;  // pass|warn|error|runtime error
  std::string error;   // for "runtime error"
  int64_t max_loaded_at_micros = 0;
  int64_t snapshotted_at_micros = 0;
  double age_seconds = 0;
  nlohmann::json criteria = nlohmann::json::object();  // the source's freshness
  std::string thread_id = "Thread-1";
  double execution_time = 0;
  std::vector<TimingInfo> timing;
};

// sources.json (v3).
nlohmann::json BuildSourcesJson(const std::vector<FreshnessResult>& results, double elapsed_seconds,
                                const ArtifactMetadata& metadata);

// Writes `artifact` to `path` atomically (creating its directory), indented
// as dbt does not (compact) unless `pretty`. IOError from the file system.
Status WriteArtifact(FileSystem& fs, const std::string& path, const nlohmann::json& artifact,
                     bool pretty = false);

}  // namespace strata::transform
