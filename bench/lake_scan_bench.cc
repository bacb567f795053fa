// Scan + aggregate of a Delta table written by lake::TableWriter, against
// DuckDB's read_parquet over the very same Parquet files, and prints
// delta time / read_parquet time. The goal is <= 1.10.
//
//   lake_scan_bench [--rows=N] [--files=N] [--threads=N] [--pairs=N] [google benchmark flags]
//
// The Delta side is what a query on a lake table costs end to end: Table::Open,
// Latest (list and replay the log), PlanScan (which reads the files' Parquet
// schemas) and the aggregate over the plan's SQL. The raw side is the same
// aggregate over read_parquet([the files]). Both run on one DuckDB database
// with a fixed thread count (1 by default: steadier on a shared machine) and
// are timed in process CPU time; wall time is printed too.
//
// Google Benchmark first reports each side on its own; the headline ratio is
// the median of back-to-back pairs (see bench_util.h: RunPairs).
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "bench_util.h"
#include "common/file_system.h"
#include "engine/engine.h"
#include "lake/lake.h"

namespace {

using strata::FileSystem;
using strata::bench::CheckOk;
using strata::bench::Die;
using strata::bench::Median;
using strata::bench::ValueOrDie;
using strata::engine::Connection;
using strata::engine::Database;
namespace lake = strata::lake;

int64_t g_rows = 10'000'000;
int64_t g_files = 10;
int64_t g_threads = 1;
int64_t g_pairs = 20;
int64_t g_repetitions = 3;

std::unique_ptr<Database> g_db;
std::unique_ptr<Connection> g_conn;
std::string g_root;
std::string g_raw_sql;  // the aggregate over read_parquet([files])

constexpr const char* kAggregate =
    "SELECT category, count(*), sum(amount) FROM <table> GROUP BY category";

std::string Aggregate(const std::string& from) {
  return "SELECT category, count(*) AS n, sum(amount) AS total FROM (" + from +
         ") GROUP BY category";
}

// category -> (rows, sum of amount); what both sides must agree on.
struct Answer {
  std::vector<std::string> categories;
  std::vector<int64_t> counts;
  std::vector<double> totals;
};

Answer RunAggregate(const std::string& sql) {
  auto result =
      ValueOrDie(g_conn->Query("SELECT category, n, total FROM (" + sql + ") ORDER BY category"),
                 "running the aggregate");
  auto rows = ValueOrDie(result->FetchAllRows(), "fetching the aggregate");
  Answer answer;
  for (const auto& row : rows) {
    answer.categories.push_back(row[0].IsNull() ? "NULL" : row[0].GetString());
    answer.counts.push_back(row[1].GetInt64());
    answer.totals.push_back(row[2].GetDouble());
  }
  return answer;
}

struct DeltaPhases {
  double load = 0;  // Table::Open + Latest
  double plan = 0;  // PlanScan
  double query = 0;
};

Answer ScanDelta(DeltaPhases* phases = nullptr) {
  strata::bench::Stopwatch sw;
  FileSystem& fs = *FileSystem::Default();
  auto table = ValueOrDie(lake::Table::Open(g_root, fs, g_conn.get()), "opening the table");
  auto snapshot = ValueOrDie(table->Latest(), "loading the latest snapshot");
  double loaded = sw.Cpu();
  auto plan = ValueOrDie(lake::PlanScan(*snapshot, {}, fs, *g_conn), "planning the scan");
  double planned = sw.Cpu();
  Answer answer = RunAggregate(Aggregate(plan.sql));
  if (phases != nullptr) {
    phases->load = loaded;
    phases->plan = planned - loaded;
    phases->query = sw.Cpu() - planned;
  }
  return answer;
}

Answer ScanRaw() { return RunAggregate(g_raw_sql); }

Answer g_expected;

void Check(const Answer& got, const char* side) {
  bool same = got.categories == g_expected.categories && got.counts == g_expected.counts;
  for (size_t i = 0; same && i < got.totals.size(); ++i) {
    // Sums of doubles may differ in the last bits when rows arrive in another order.
    same = std::abs(got.totals[i] - g_expected.totals[i]) <= 1e-9 * std::abs(g_expected.totals[i]);
  }
  if (!same) Die(std::string(side) + " computed another answer than read_parquet");
}

void Setup(const std::string& dir) {
  strata::engine::DatabaseOptions options;
  options.threads = static_cast<int>(g_threads);
  g_db = ValueOrDie(Database::Open(options), "opening DuckDB");
  g_conn = ValueOrDie(Connection::Open(*g_db), "connecting");

  g_root = dir + "/sales";
  auto schema =
      ValueOrDie(lake::ParseSchema(strata::bench::kSalesSchemaJson), "parsing the schema");
  FileSystem& fs = *FileSystem::Default();
  auto writer =
      ValueOrDie(lake::TableWriter::Create(g_root, *schema, {}, fs, *g_conn), "creating the table");
  // One append per file: a table grown by several batches, as lake tables are.
  for (int64_t f = 0; f < g_files; ++f) {
    int64_t begin = g_rows * f / g_files, end = g_rows * (f + 1) / g_files;
    ValueOrDie(writer->Append(strata::bench::SalesRowsQuery(begin, end)), "appending rows");
  }

  auto table = ValueOrDie(lake::Table::Open(g_root, fs, g_conn.get()), "opening the table");
  auto snapshot = ValueOrDie(table->Latest(), "loading the latest snapshot");
  std::string list;
  uint64_t bytes = 0;
  for (const lake::LogicalFile& file : snapshot->files()) {
    list += (list.empty() ? "" : ", ") + strata::engine::QuoteLiteral(file.path);
    bytes += static_cast<uint64_t>(file.add.size);
  }
  g_raw_sql = Aggregate("SELECT * FROM read_parquet([" + list + "])");
  std::printf("table: %lld rows in %zu files, %.1f MB of zstd Parquet, version %lld\n",
              static_cast<long long>(g_rows), snapshot->files().size(), bytes / 1e6,
              static_cast<long long>(snapshot->version()));
}

void BM_DeltaScan(benchmark::State& state) {
  for (auto _ : state) Check(ScanDelta(), "the Delta scan");
  state.SetItemsProcessed(state.iterations() * g_rows);
}

void BM_ReadParquet(benchmark::State& state) {
  for (auto _ : state) Check(ScanRaw(), "read_parquet");
  state.SetItemsProcessed(state.iterations() * g_rows);
}

BENCHMARK(BM_DeltaScan)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime();
BENCHMARK(BM_ReadParquet)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime();

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (i > 0 && (strata::bench::IntFlag(argv[i], "rows", &g_rows) ||
                  strata::bench::IntFlag(argv[i], "files", &g_files) ||
                  strata::bench::IntFlag(argv[i], "threads", &g_threads) ||
                  strata::bench::IntFlag(argv[i], "pairs", &g_pairs) ||
                  strata::bench::IntFlag(argv[i], "repetitions", &g_repetitions))) {
      continue;
    }
    args.push_back(argv[i]);
  }
  if (g_rows < 1 || g_files < 1 || g_pairs < 1 || g_files > g_rows) Die("bad flags");
  strata::bench::InitGoogleBenchmark(args, static_cast<int>(g_repetitions));

  strata::bench::TempDir dir("lake_scan_bench");
  std::printf("scan + aggregate (%s), DuckDB threads: %lld\n", kAggregate,
              static_cast<long long>(g_threads));
  Setup(dir.path());
  g_expected = ScanRaw();
  Check(ScanDelta(), "the Delta scan");

  strata::bench::RecordingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);

  std::vector<DeltaPhases> phases;
  auto times = strata::bench::RunPairs(
      static_cast<int>(g_pairs),
      [&] {
        DeltaPhases p;
        Check(ScanDelta(&p), "the Delta scan");
        phases.push_back(p);
      },
      [] { Check(ScanRaw(), "read_parquet"); });
  std::vector<double> load, plan, query;
  for (const DeltaPhases& p : phases) {
    load.push_back(p.load * 1e3);
    plan.push_back(p.plan * 1e3);
    query.push_back(p.query * 1e3);
  }
  auto ratios = strata::bench::PairRatios(times.a_cpu, times.b_cpu);
  auto wall_ratios = strata::bench::PairRatios(times.a_wall, times.b_wall);
  std::printf(
      "medians (CPU ms): delta %.1f = snapshot load %.1f + PlanScan %.1f + query %.1f; "
      "read_parquet %.1f\n",
      Median(times.a_cpu) * 1e3, Median(load), Median(plan), Median(query),
      Median(times.b_cpu) * 1e3);
  std::printf("wall time: median of pair ratios %.3f\n", Median(wall_ratios));
  std::printf(
      "ratio (delta/read_parquet time): %.3f (goal <= 1.10; median of %lld back-to-back pairs, "
      "process CPU time, pair ratios %.3f .. %.3f)\n",
      Median(ratios), static_cast<long long>(g_pairs), strata::bench::Min(ratios),
      strata::bench::Max(ratios));
  g_conn.reset();
  g_db.reset();
  return 0;
}
