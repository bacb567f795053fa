// libFuzzer target for selectors.yml: the input is the file of a small
// in-memory project. Loading the selectors and selecting with each of them
// (and with the default) must yield ids or a Status, never a crash, hang or
// exception; `method: selector` cycles must be reported, not followed.
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
  (void)fs.WriteFileAtomic("/p/models/sub/customers.sql",
                           "{{ config(materialized='table', tags=['c']) }} select 1 as id");
  (void)fs.WriteFileAtomic("/p/models/schema.yml",
                           "version: 2\nmodels:\n  - name: customers\n    columns:\n"
                           "      - name: id\n        data_tests: [unique, not_null]\n");
  (void)fs.WriteFileAtomic("/p/selectors.yml",
                           std::string(reinterpret_cast<const char*>(data), size));
  strata::transform::LoadOptions options;
  options.project_dir = "/p";
  options.load_profile = false;
  auto project = strata::transform::LoadProject(fs, options);
  if (!project.ok()) return 0;
  auto graph = strata::transform::DbtGraph::Build(&*project);
  auto selectors = strata::transform::LoadYamlSelectors(
      fs, "/p",
      [](const std::string& text) -> strata::Result<bool> { return text.size() % 2 == 0; });
  if (!selectors.ok()) return 0;
  strata::transform::SelectionOptions selection;
  selection.yaml_selectors = &*selectors;
  (void)strata::transform::SelectNodes(*project, graph, selection);  // the default, if any
  for (const auto& s : *selectors) {
    selection.selector = s.name;
    (void)strata::transform::SelectNodes(*project, graph, selection);
  }
  return 0;
}
