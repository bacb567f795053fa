// Shared by the dbt_runner*.cc files: the state of one command and the
// edges its scheduler (dbt_schedule.h) runs on. Internal to transform.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "sql/session.h"
#include "sql/warehouse.h"
#include "transform/dbt_artifacts.h"
#include "transform/dbt_graph.h"
#include "transform/dbt_model.h"
#include "transform/dbt_output.h"
#include "transform/dbt_runner.h"
#include "transform/dbt_schedule.h"

namespace strata::transform::internal {

// For the nodes in `selected`, their nearest selected ancestors (looking
// through unselected vertices, as dbt's subgraph does). With
// `tests_gate_children` (build), a selected test also gates the selected
// children of the nodes it tests, unless that child is one of its ancestors.
std::map<std::string, std::set<std::string>> ScheduleEdges(const DbtProject& project,
                                                           const DbtGraph& graph,
                                                           const std::set<std::string>& selected,
                                                           bool tests_gate_children);

// The state one command shares between its phases.
struct CommandContext {
  const DbtCommandOptions* options = nullptr;
  FileSystem* fs = nullptr;
  Clock* clock = nullptr;
  ConsolePrinter* printer = nullptr;
  DbtProject* project = nullptr;
  const DbtGraph* graph = nullptr;
  std::string target_dir;  // absolute
  ArtifactMetadata metadata;
  // Load errors that name a node: that node fails with the message.
  std::map<std::string, std::string> node_errors;
  // Load errors no node can carry (a YAML file that does not parse).
  std::vector<std::string> project_errors;
  nlohmann::json args = nlohmann::json::object();  // run_results.json "args"
  int threads = 1;
};

// The warehouse of a command: its directory and schemas, and the engine
// database the workers connect to.
struct WarehouseHandle {
  std::unique_ptr<sql::Warehouse> warehouse;
  std::unique_ptr<engine::Database> database;
  // For every adapter: the command's clock for commits, and the profile's
  // database name so dbt's three-part relation names resolve.
  sql::SqlSessionOptions session_options;
};

// Opens the warehouse for the project: options.warehouse_path, or the
// strata.yml warehouse of the dbt project directory, or <project>/warehouse;
// schemas are the declared ones, those on disk and every node's.
Result<WarehouseHandle> OpenWarehouse(const CommandContext& ctx);

// build|run|test|seed|snapshot|compile over `selected`.
Result<DbtCommandSummary> RunNodes(CommandContext& ctx, const std::set<std::string>& selected);
// `source freshness` over the selected sources.
Result<DbtCommandSummary> RunFreshness(CommandContext& ctx, const std::set<std::string>& selected);
// `docs generate`: manifest.json and catalog.json.
Result<DbtCommandSummary> RunDocsGenerate(CommandContext& ctx);

// Where dbt writes a node's compiled SQL under `subdir` (compiled|run):
// <target>/<subdir>/<package>/<original_file_path>[/<test>.sql].
std::string CompiledPath(const CommandContext& ctx, const Node& node, const std::string& subdir);

// The `materialized` config of a node ("" when unset).
std::string MaterializedOf(const nlohmann::json& config);

// Prints dbt's closing "Done. PASS=.. WARN=.. ERROR=.. SKIP=.. TOTAL=.." line
// and returns the command's exit code (1 when a node errored, else 0).
int PrintDoneLine(ConsolePrinter& printer, const DbtCommandSummary& summary);

}  // namespace strata::transform::internal
