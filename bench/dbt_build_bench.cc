// `strata build` of a dbt project, measured by running the real binary
// (issue 5: jaffle_shop_duckdb from process start to exit, goal <= 1 s), and
// the per-node overhead beyond the SQL itself.
//
// (a) For each project (tests/dbt/shop_project; /tmp/jaffle_shop_duckdb when
//     it exists; --project=DIR for another), `--runs` times: a fresh copy,
//     then `strata build` from fork to exit (wall, and the child's CPU from
//     wait4), then a second `strata build` on the built warehouse (views,
//     tables replaced, incremental merges, snapshot with nothing new).
// (b) For the last fresh build: every node's execution_time in
//     target/run_results.json next to the same node's SQL run directly on an
//     in-memory DuckDB (the compiled code from target/compiled as CREATE TABLE
//     AS / CREATE VIEW / a count over a test's failing rows; seeds as CREATE
//     TABLE AS read_csv), in the build's order, each best of --direct_runs.
//     The difference is what Strata adds per node: compiling, the Delta
//     commit, views stored in the warehouse, artifacts.
//
//   dbt_build_bench [--strata=build/bin/strata] [--runs=5] [--direct_runs=3]
//                   [--project=DIR] [--threads=1]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "bench_util.h"
#include "engine/engine.h"

namespace strata::bench {
namespace {

namespace fs = std::filesystem;

struct ProcessTimes {
  double wall = 0, cpu = 0;
  int exit_code = -1;
};

// Runs argv in `dir` with stdout/stderr to `log`; wall time from fork to
// exit and the child's user+system CPU.
ProcessTimes RunProcess(const std::vector<std::string>& argv, const std::string& dir,
                        const std::string& log) {
  std::fflush(stdout);  // the child must not print our buffered output again
  Stopwatch sw;
  pid_t pid = fork();
  if (pid < 0) Die("fork failed");
  if (pid == 0) {
    if (chdir(dir.c_str()) != 0) _exit(127);
    FILE* out = std::freopen(log.c_str(), "w", stdout);
    if (out == nullptr || dup2(fileno(stdout), 2) < 0) _exit(127);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  if (wait4(pid, &status, 0, &usage) != pid) Die("wait4 failed");
  ProcessTimes t;
  t.wall = sw.Wall();
  t.cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
          static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6;
  t.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return t;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  if (!in) Die("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void RunOrDie(const std::vector<std::string>& argv, const std::string& dir, const char* what) {
  std::string log = dir + "/.bench_setup.log";
  ProcessTimes t = RunProcess(argv, dir, log);
  if (t.exit_code != 0) Die(std::string(what) + " failed:\n" + ReadText(log));
}

// A fresh copy of `source` in `parent`, prepared to build: the shop project
// needs its landed source table.
std::string FreshCopy(const std::string& source, const std::string& parent,
                      const std::string& strata, int n) {
  std::string dir = parent + "/p" + std::to_string(n);
  fs::copy(source, dir, fs::copy_options::recursive);
  for (const char* stale : {"target", "warehouse", "logs"}) fs::remove_all(dir + "/" + stale);
  if (fs::exists(dir + "/models/marts/fct_order_events.sql")) {
    RunOrDie({strata, "sql",
              "create table landing.order_events as select i as event_id, (i + 1) // 2 as "
              "order_id, 'created' as event_type, timestamp '2024-02-01' + to_days(i) as event_ts, "
              "timestamp '2025-06-01' as loaded_at from range(1, 11) t(i)"},
             dir, "landing the source");
  }
  return dir;
}

struct NodeTime {
  std::string unique_id;
  double strata_seconds = 0;
  double direct_seconds = -1;  // < 0: no direct equivalent (snapshots)
};

// The SQL of `node` as the build compiled it.
std::string CompiledCode(const nlohmann::json& node, const std::string& project) {
  if (node.contains("compiled_code") && node["compiled_code"].is_string() &&
      !node["compiled_code"].get<std::string>().empty()) {
    return node["compiled_code"];
  }
  std::string path = project + "/target/compiled/" + node["package_name"].get<std::string>() + "/" +
                     node["original_file_path"].get<std::string>();
  if (!fs::is_regular_file(path)) {
    // Generic tests: target/compiled/<package>/<yml path>/<test name>.sql
    path = project + "/target/compiled/" + node["package_name"].get<std::string>() + "/" +
           node["original_file_path"].get<std::string>() + "/" + node["name"].get<std::string>() +
           ".sql";
  }
  return fs::is_regular_file(path) ? ReadText(path) : std::string();
}

// Runs every node of the build directly on DuckDB, in run_results order.
std::vector<NodeTime> PerNode(const std::string& project, int direct_runs) {
  nlohmann::json results = nlohmann::json::parse(ReadText(project + "/target/run_results.json"));
  nlohmann::json manifest = nlohmann::json::parse(ReadText(project + "/target/manifest.json"));
  const nlohmann::json& nodes = manifest["nodes"];

  auto db = ValueOrDie(engine::Database::Open({}), "open DuckDB");
  auto conn = ValueOrDie(engine::Connection::Open(*db), "connect");
  CheckOk(conn->Execute("SET threads = 1"), "threads");
  std::vector<std::string> schemas;
  for (const auto& [id, node] : nodes.items()) schemas.push_back(node.value("schema", "main"));
  for (const auto& [id, source] : manifest["sources"].items()) {
    schemas.push_back(source.value("schema", "main"));
  }
  for (const std::string& s : schemas) {
    CheckOk(conn->Execute("CREATE SCHEMA IF NOT EXISTS \"" + s + "\""), "schema " + s);
  }
  for (const auto& [id, source] : manifest["sources"].items()) {
    // The sources the bench lands: the same rows as FreshCopy.
    CheckOk(conn->Execute("CREATE TABLE \"" + source["schema"].get<std::string>() + "\".\"" +
                          source["identifier"].get<std::string>() +
                          "\" AS select i as event_id, (i + 1) // 2 as order_id, 'created' as "
                          "event_type, timestamp '2024-02-01' + to_days(i) as event_ts, timestamp "
                          "'2025-06-01' as loaded_at from range(1, 11) t(i)"),
            "source " + id);
  }

  std::vector<NodeTime> out;
  for (const nlohmann::json& r : results["results"]) {
    NodeTime t;
    t.unique_id = r["unique_id"];
    t.strata_seconds = r["execution_time"].get<double>();
    if (!nodes.contains(t.unique_id)) continue;
    const nlohmann::json& node = nodes[t.unique_id];
    const std::string type = node["resource_type"];
    const std::string relation = "\"" + node.value("schema", "main") + "\".\"" +
                                 node.value("alias", node.value("name", "")) + "\"";
    std::string sql;
    if (type == "seed") {
      std::string csv = project + "/" + node["original_file_path"].get<std::string>();
      sql = "CREATE OR REPLACE TABLE " + relation + " AS SELECT * FROM read_csv('" + csv + "')";
    } else if (type == "model") {
      std::string code = CompiledCode(node, project);
      std::string materialized = node["config"].value("materialized", "view");
      if (materialized == "ephemeral") continue;
      sql = (materialized == "view" ? "CREATE OR REPLACE VIEW " : "CREATE OR REPLACE TABLE ") +
            relation + " AS " + code;
    } else if (type == "test") {
      sql = "SELECT count(*) FROM (" + CompiledCode(node, project) + "\n) AS failures";
    } else {
      out.push_back(t);  // snapshots: no one-statement equivalent
      continue;
    }
    std::vector<double> times;
    for (int i = 0; i < direct_runs; ++i) {
      Stopwatch sw;
      CheckOk(conn->Execute(sql), "direct " + t.unique_id + ": " + sql);
      times.push_back(sw.Wall());
    }
    t.direct_seconds = Min(times);
    out.push_back(t);
  }
  return out;
}

void BenchProject(const std::string& name, const std::string& source, const std::string& strata,
                  int runs, int direct_runs, int threads) {
  TempDir tmp("dbt_build_bench");
  std::vector<double> wall, cpu, wall2, cpu2;
  for (int i = 0; i < runs; ++i) {
    std::string dir = FreshCopy(source, tmp.path(), strata, i);
    std::vector<std::string> argv = {strata, "build", "--threads", std::to_string(threads)};
    ProcessTimes first = RunProcess(argv, dir, dir + "/.bench_build.log");
    if (first.exit_code != 0)
      Die(name + ": strata build failed:\n" + ReadText(dir + "/.bench_build.log"));
    ProcessTimes second = RunProcess(argv, dir, dir + "/.bench_build2.log");
    if (second.exit_code != 0)
      Die(name + ": second strata build failed:\n" + ReadText(dir + "/.bench_build2.log"));
    wall.push_back(first.wall);
    cpu.push_back(first.cpu);
    wall2.push_back(second.wall);
    cpu2.push_back(second.cpu);
  }
  std::printf("\n== %s (%s), %d runs, --threads %d\n", name.c_str(), source.c_str(), runs, threads);
  std::printf("(a) strata build, process start to exit:\n");
  std::printf("    fresh:   wall median %.3f s (min %.3f, max %.3f); CPU median %.3f s\n",
              Median(wall), Min(wall), Max(wall), Median(cpu));
  std::printf("    rebuild: wall median %.3f s (min %.3f, max %.3f); CPU median %.3f s\n",
              Median(wall2), Min(wall2), Max(wall2), Median(cpu2));
  std::printf("    goal <= 1 s: %s (fresh, wall median)\n", Median(wall) <= 1.0 ? "met" : "missed");

  // (b) on the last copy, rebuilt fresh so run_results describe a first build.
  std::string again = FreshCopy(source, tmp.path(), strata, runs);
  std::vector<std::string> argv = {strata, "build", "--threads", "1"};
  if (RunProcess(argv, again, again + "/.bench_build.log").exit_code != 0) Die(name + ": build");
  std::vector<NodeTime> per_node = PerNode(again, direct_runs);
  std::printf(
      "(b) per node, seconds (strata: run_results execution_time; direct: the same SQL on "
      "DuckDB in memory):\n");
  std::printf("    %-70s %9s %9s %9s\n", "node", "strata", "direct", "overhead");
  double sum_strata = 0, sum_direct = 0;
  std::vector<double> overheads;
  for (const NodeTime& t : per_node) {
    if (t.direct_seconds < 0) {
      std::printf("    %-70s %9.4f %9s %9s\n", t.unique_id.c_str(), t.strata_seconds, "-", "-");
      continue;
    }
    double overhead = t.strata_seconds - t.direct_seconds;
    overheads.push_back(overhead);
    sum_strata += t.strata_seconds;
    sum_direct += t.direct_seconds;
    std::printf("    %-70s %9.4f %9.4f %9.4f\n", t.unique_id.c_str(), t.strata_seconds,
                t.direct_seconds, overhead);
  }
  if (!overheads.empty()) {
    std::printf(
        "    %zu nodes: strata %.3f s, direct %.3f s; overhead per node median %.4f s, "
        "p90 %.4f s, max %.4f s\n",
        overheads.size(), sum_strata, sum_direct, Median(overheads), Percentile(overheads, 90),
        Max(overheads));
  }
}

}  // namespace
}  // namespace strata::bench

int main(int argc, char** argv) {
  using namespace strata::bench;
  std::string strata = (std::filesystem::path(argv[0]).parent_path() / "strata").string();
  std::string project;
  int64_t runs = 5, direct_runs = 3, threads = 1;
  for (int i = 1; i < argc; ++i) {
    if (IntFlag(argv[i], "runs", &runs) || IntFlag(argv[i], "direct_runs", &direct_runs) ||
        IntFlag(argv[i], "threads", &threads) || StringFlag(argv[i], "strata", &strata) ||
        StringFlag(argv[i], "project", &project)) {
      continue;
    }
    Die(std::string("unknown flag ") + argv[i]);
  }
  strata = std::filesystem::absolute(strata).string();
  if (!std::filesystem::exists(strata)) Die("no strata binary at " + strata + " (--strata=PATH)");
  std::vector<std::pair<std::string, std::string>> projects;
  if (!project.empty()) {
    projects.push_back({"project", std::filesystem::absolute(project).string()});
  } else {
    projects.push_back(
        {"shop acceptance project", std::string(STRATA_SOURCE_DIR) + "/tests/dbt/shop_project"});
    if (std::filesystem::exists("/tmp/jaffle_shop_duckdb/dbt_project.yml")) {
      projects.push_back({"jaffle_shop_duckdb", "/tmp/jaffle_shop_duckdb"});
    }
  }
  for (const auto& [name, dir] : projects) {
    BenchProject(name, dir, strata, static_cast<int>(runs), static_cast<int>(direct_runs),
                 static_cast<int>(threads));
  }
  return 0;
}
