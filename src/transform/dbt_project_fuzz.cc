// libFuzzer target for the dbt project loader: the input is a YAML property
// file (models/schema.yml) of a small in-memory project. Loading, the graph
// and the manifest must yield values and diagnostics, never a crash, hang or
// exception.
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/fake_file_system.h"
#include "transform/dbt.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  strata::InMemoryFileSystem fs;
  if (!fs.CreateDirectories("/p/models/sub").ok()) return 0;
  (void)fs.WriteFileAtomic("/p/dbt_project.yml",
                           "name: p\nmodels:\n  p:\n    +tags: [t]\n    sub:\n      +schema: s\n");
  (void)fs.WriteFileAtomic("/p/models/orders.sql", "select * from {{ ref('customers') }}");
  (void)fs.WriteFileAtomic(
      "/p/models/sub/customers.sql",
      "{{ config(materialized='table') }} select * from {{ source('raw', 'c') }}");
  (void)fs.WriteFileAtomic("/p/models/schema.yml",
                           std::string(reinterpret_cast<const char*>(data), size));
  strata::transform::LoadOptions options;
  options.project_dir = "/p";
  options.load_profile = false;
  auto project = strata::transform::LoadProject(fs, options);
  if (!project.ok()) return 0;
  auto graph = strata::transform::DbtGraph::Build(&*project);
  (void)graph.TopologicalOrder();
  strata::transform::ArtifactMetadata metadata;
  auto manifest = strata::transform::BuildManifest(*project, graph, metadata);
  (void)manifest.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  strata::transform::SelectionOptions selection;
  selection.select = {"+orders", "tag:t,config.materialized:table"};
  (void)strata::transform::SelectNodes(*project, graph, selection);
  return 0;
}
