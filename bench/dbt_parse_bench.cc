// Parse and compile of a generated 2,000-model dbt project: LoadProject
// (dbt_project.yml, profiles.yml, every model file, the YAML properties and
// their generic tests), DbtGraph::Build (ref resolution, cycle check), a few
// selections, then DbtCompiler::Create (built-in and project macros compiled
// once) and Compile of every model and every generic test (the models call
// a project macro; no database: the adapter reports that nothing exists).
// There is nothing to compare with in-process: the bench prints the CPU per
// phase and per node. Goal (issue 5): parse + compile <= 1 s.
//
//   dbt_parse_bench [--models=2000] [--runs=5]
#include <cstdio>
#include <string>
#include <vector>

#include "bench_util.h"
#include "transform/dbt.h"
#include "transform/dbt_compile.h"

namespace strata::bench {
namespace {

// Compiling without a database: nothing exists yet, queries are refused.
class NoDatabase : public transform::DbtAdapter {
 public:
  Result<std::optional<transform::RelationInfo>> GetRelation(const std::string&, const std::string&,
                                                             const std::string&) override {
    return std::optional<transform::RelationInfo>();
  }
  Result<std::vector<transform::ColumnInfo>> GetColumns(const transform::RelationInfo&) override {
    return Status::NotFound("no database");
  }
  Result<transform::QueryTable> Execute(const std::string&, bool) override {
    return Status::InvalidArgument("no database");
  }
  Status CreateSchema(const std::string&) override { return Status::OK(); }
};

void Write(const std::string& path, const std::string& text) {
  CheckOk(FileSystem::Default()->CreateDirectories(std::string(DirName(path))), "mkdir");
  CheckOk(FileSystem::Default()->WriteFileAtomic(path, text), "write " + path);
}

// 20 folders of models; model i refs up to three earlier models (a DAG of
// depth ~ models/20), every model has two columns with tests in its folder's
// schema.yml, and one source feeds the first models.
void GenerateProject(const std::string& dir, int models) {
  Write(dir + "/dbt_project.yml",
        "name: gen\nversion: '1.0'\nprofile: gen\nmodels:\n  gen:\n    +materialized: view\n"
        "    f0:\n      +materialized: table\n      +tags: [hot]\n");
  Write(dir + "/profiles.yml",
        "gen:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: gen.duckdb\n");
  Write(dir + "/macros/util.sql",
        "{% macro cents_to_dollars(column, scale=2) -%}\n"
        "  round({{ column }} / 100, {{ scale }})\n"
        "{%- endmacro %}\n");
  Write(dir + "/models/sources.yml",
        "version: 2\nsources:\n  - name: raw\n    tables:\n      - name: events\n");
  const int folders = 20;
  std::vector<std::string> schema(folders, "version: 2\nmodels:\n");
  for (int i = 0; i < models; ++i) {
    const int folder = i % folders;
    std::string sql =
        "{{ config(tags=['gen']) }}\nselect id, value, {{ cents_to_dollars('id') }} as "
        "amount\nfrom ";
    if (i < folders) {
      sql += "{{ source('raw', 'events') }}\n";
    } else {
      sql += "{{ ref('m" + std::to_string(i - folders) + "') }}\n";
      if (i % 3 == 0) sql += "join {{ ref('m" + std::to_string(i / 2) + "') }} using (id)\n";
      if (i % 7 == 0) sql += "join {{ ref('m" + std::to_string(i / 3) + "') }} using (id)\n";
    }
    Write(dir + "/models/f" + std::to_string(folder) + "/m" + std::to_string(i) + ".sql", sql);
    schema[folder] += "  - name: m" + std::to_string(i) + "\n    description: model " +
                      std::to_string(i) +
                      "\n    columns:\n      - name: id\n        tests: [unique, not_null]\n"
                      "      - name: value\n        tests:\n          - accepted_values:\n"
                      "              values: [a, b, c]\n";
  }
  for (int f = 0; f < folders; ++f) {
    Write(dir + "/models/f" + std::to_string(f) + "/schema.yml", schema[f]);
  }
}

}  // namespace
}  // namespace strata::bench

int main(int argc, char** argv) {
  using namespace strata;
  using namespace strata::bench;
  int64_t models = 2000, runs = 5;
  for (int i = 1; i < argc; ++i) {
    if (!IntFlag(argv[i], "models", &models) && !IntFlag(argv[i], "runs", &runs)) {
      Die(std::string("unknown flag ") + argv[i]);
    }
  }
  TempDir tmp("dbt_parse_bench");
  const std::string dir = tmp.path() + "/gen";
  GenerateProject(dir, static_cast<int>(models));
  std::printf("generated %lld models (+%lld generic tests) in %s\n", static_cast<long long>(models),
              static_cast<long long>(models * 3), dir.c_str());

  std::vector<double> load_cpu, graph_cpu, select_cpu, create_cpu, models_cpu, tests_cpu, total_cpu,
      total_wall, parse_compile_cpu;
  size_t nodes = 0, model_count = 0, test_count = 0;
  for (int64_t run = 0; run < runs; ++run) {
    Stopwatch total;
    transform::LoadOptions options;
    options.project_dir = dir;
    Stopwatch load;
    auto project = transform::LoadProject(*FileSystem::Default(), options);
    CheckOk(project.status(), "LoadProject");
    load_cpu.push_back(load.Cpu());
    Stopwatch graph_watch;
    transform::DbtGraph graph = transform::DbtGraph::Build(&*project);
    CheckOk(transform::ProjectStatus(*project), "project errors");
    CheckOk(graph.TopologicalOrder().status(), "topological order");
    graph_cpu.push_back(graph_watch.Cpu());
    Stopwatch select;
    for (const char* spec : {"+m1999", "m100+", "tag:hot", "f3.*", "@m500"}) {
      transform::SelectionOptions selection;
      selection.select = {spec};
      CheckOk(transform::SelectNodes(*project, graph, selection).status(), spec);
    }
    select_cpu.push_back(select.Cpu());
    Stopwatch create;
    transform::CompileOptions compile_options;
    compile_options.invocation_id = "bench";
    auto compiler = transform::DbtCompiler::Create(&*project, &graph, compile_options);
    CheckOk(compiler.status(), "DbtCompiler::Create");
    create_cpu.push_back(create.Cpu());
    NoDatabase adapter;
    model_count = test_count = 0;
    Stopwatch models_watch;
    for (const auto& [id, node] : project->nodes) {
      if (node.resource_type != "model") continue;
      CheckOk((*compiler)->Compile(id, adapter, {}).status(), id);
      ++model_count;
    }
    models_cpu.push_back(models_watch.Cpu());
    Stopwatch tests_watch;
    for (const auto& [id, node] : project->nodes) {
      if (!node.IsTest()) continue;
      CheckOk((*compiler)->Compile(id, adapter, {}).status(), id);
      ++test_count;
    }
    tests_cpu.push_back(tests_watch.Cpu());
    total_cpu.push_back(total.Cpu());
    parse_compile_cpu.push_back(total_cpu.back() - select_cpu.back());
    total_wall.push_back(total.Wall());
    nodes = project->nodes.size();
  }
  const double total = Median(total_cpu);
  std::printf("nodes in graph: %zu\n", nodes);
  std::printf("load (files, YAML, tests)  median CPU %.1f ms\n", Median(load_cpu) * 1e3);
  std::printf("graph (refs, cycle, topo)  median CPU %.1f ms\n", Median(graph_cpu) * 1e3);
  std::printf("5 selections               median CPU %.1f ms\n", Median(select_cpu) * 1e3);
  std::printf("compiler create (macros)   median CPU %.1f ms\n", Median(create_cpu) * 1e3);
  std::printf("compile %zu models        median CPU %.1f ms (%.1f us/model)\n", model_count,
              Median(models_cpu) * 1e3,
              Median(models_cpu) * 1e6 / static_cast<double>(model_count));
  std::printf("compile %zu tests         median CPU %.1f ms (%.1f us/test)\n", test_count,
              Median(tests_cpu) * 1e3, Median(tests_cpu) * 1e6 / static_cast<double>(test_count));
  std::printf("total                      median CPU %.1f ms, wall %.1f ms (%lld runs)\n",
              total * 1e3, Median(total_wall) * 1e3, static_cast<long long>(runs));
  std::printf("per model: %.1f us CPU; per node: %.1f us CPU\n", total * 1e6 / models,
              total * 1e6 / static_cast<double>(nodes));
  const double parse_compile = Median(parse_compile_cpu);
  std::printf("parse + compile (total without the selections) median CPU %.1f ms\n",
              parse_compile * 1e3);
  std::printf("goal: parse + compile <= 1000 ms for 2,000 models: %s\n",
              parse_compile <= 1.0 ? "met" : "NOT met");
  return 0;
}
