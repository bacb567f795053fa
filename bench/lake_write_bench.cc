// Writing rows as a Delta append (lake::TableWriter::Append) against DuckDB's
// COPY (same query) TO 'x.parquet' (FORMAT parquet, COMPRESSION zstd), and
// prints delta throughput / COPY throughput. The goal is >= 0.90.
//
//   lake_write_bench [--rows=N] [--threads=N] [--pairs=N] [--phases=0|1] [--small=N]
//                    [google benchmark flags]
//
// Both sides write the same query's rows (bigint id, double amount, varchar
// category, date day) as one zstd Parquet file; the Delta side also writes
// the file's statistics and commits it to the log. The table is created
// before each Delta pass and both outputs are deleted after each pass, untimed.
// DuckDB runs with a fixed thread count (1 by default); times are process CPU
// time, wall time is printed too.
//
// With --phases=1 (the default) the bench also times, on its own, each SQL
// statement the writer runs for an append (see src/lake/file_writer.cc): it
// shows where the Delta side spends its time when the goal is missed. That
// breakdown is a reconstruction: keep it in step with file_writer.cc.
//
// --small=N (default 200; 0 skips) times the data-file side of a one-row
// append (lake::WriteDataFiles of one row) against a plain one-row COPY.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "bench_util.h"
#include "common/file_system.h"
#include "engine/engine.h"
#include "lake/file_writer.h"
#include "lake/lake.h"

namespace {

using strata::FileSystem;
using strata::bench::CheckOk;
using strata::bench::Die;
using strata::bench::Median;
using strata::bench::ValueOrDie;
using strata::engine::Connection;
using strata::engine::Database;
using strata::engine::QuoteLiteral;
namespace lake = strata::lake;

int64_t g_rows = 10'000'000;
int64_t g_threads = 1;
int64_t g_pairs = 5;
int64_t g_repetitions = 2;
int64_t g_phases = 1;
int64_t g_small = 200;

std::unique_ptr<Database> g_db;
std::unique_ptr<Connection> g_conn;
std::string g_dir;
lake::DataTypePtr g_schema;
std::unique_ptr<lake::TableWriter> g_writer;  // on an empty table, ready for the next pass

std::string Query() { return strata::bench::SalesRowsQuery(0, g_rows); }

std::string TableRoot() { return g_dir + "/table"; }
std::string CopyPath() { return g_dir + "/copy.zstd.parquet"; }

// Deletes what the last pass wrote and creates the empty table for the next.
void Reset() {
  FileSystem& fs = *FileSystem::Default();
  g_writer.reset();
  CheckOk(fs.DeleteRecursively(TableRoot()), "deleting the table");
  if (auto exists = fs.Exists(CopyPath()); exists.ok() && *exists) {
    CheckOk(fs.DeleteFile(CopyPath()), "deleting the COPY output");
  }
  g_writer = ValueOrDie(lake::TableWriter::Create(TableRoot(), *g_schema, {}, fs, *g_conn),
                        "creating the table");
}

void AppendDelta() {
  auto result = ValueOrDie(g_writer->Append(Query()), "appending");
  if (!result.committed || result.rows_inserted != g_rows) {
    Die("the append wrote " + std::to_string(result.rows_inserted) + " rows, not " +
        std::to_string(g_rows));
  }
}

void CopyRaw() {
  CheckOk(g_conn->Execute("COPY (" + Query() + ") TO " + QuoteLiteral(CopyPath()) +
                          " (FORMAT parquet, COMPRESSION zstd)"),
          "COPY");
}

void BM_DeltaAppend(benchmark::State& state) {
  for (auto _ : state) {
    AppendDelta();
    state.PauseTiming();
    Reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * g_rows);
}

void BM_CopyParquet(benchmark::State& state) {
  for (auto _ : state) {
    CopyRaw();
    state.PauseTiming();
    Reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * g_rows);
}

BENCHMARK(BM_DeltaAppend)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->Iterations(1);
BENCHMARK(BM_CopyParquet)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->Iterations(1);

// Times the statements an append runs (file_writer.cc: WriteDataFiles for an
// unpartitioned table), one by one, next to a plain COPY.
void PrintPhases() {
  const std::string path = g_dir + "/phases.zstd.parquet";
  std::printf("where an append's time goes (one pass of each statement it runs, CPU ms):\n");
  strata::bench::Stopwatch prepare_sw;
  (void)ValueOrDie(g_conn->Prepare(Query()), "preparing the query");
  double writer_total = prepare_sw.Cpu() * 1e3;
  std::printf("  %8.1f  prepare the query for its columns (QuerySchema)\n", writer_total);
  struct Step {
    const char* what;
    std::string sql;
  };
  std::vector<Step> steps = {
      {"COPY (SELECT casts FROM (query)) to zstd Parquet with RETURN_STATS",
       "COPY (SELECT CAST(__q.id AS BIGINT) AS id, CAST(__q.amount AS DOUBLE) AS amount, "
       "CAST(__q.category AS VARCHAR) AS category, CAST(__q.day AS DATE) AS day FROM (" +
           Query() + ") AS __q) TO " + QuoteLiteral(path) +
           " (FORMAT parquet, COMPRESSION zstd, RETURN_STATS true)"},
      {"for comparison: COPY (query) straight to zstd Parquet",
       "COPY (" + Query() + ") TO " + QuoteLiteral(path) + " (FORMAT parquet, COMPRESSION zstd)"},
  };
  for (size_t i = 0; i < steps.size(); ++i) {
    strata::bench::Stopwatch sw;
    auto result = ValueOrDie(g_conn->Query(steps[i].sql), steps[i].what);
    (void)ValueOrDie(result->FetchAllRows(), steps[i].what);
    double ms = sw.Cpu() * 1e3;
    if (i + 1 < steps.size()) writer_total += ms;
    std::printf("  %8.1f  %s\n", ms, steps[i].what);
    if (i + 2 == steps.size()) std::printf("  %8.1f  = the writer's statements\n", writer_total);
  }
  (void)FileSystem::Default()->DeleteFile(path);
}

// The data-file side of a one-row append (what lake_log_bench (b) pays per
// commit besides the log): WriteDataFiles of one row, against a plain COPY of
// the same row. Medians of --small runs each, interleaved.
void PrintSmallWrites() {
  if (g_small < 1) return;
  FileSystem& fs = *FileSystem::Default();
  const std::string root = g_dir + "/small";
  const std::string copy_path = g_dir + "/small_copy.zstd.parquet";
  CheckOk(fs.CreateDirectories(root), "creating the small-write directory");
  const std::string row =
      "SELECT 1::BIGINT AS id, 2.5::DOUBLE AS amount, 'c' AS category, DATE '2024-01-01' AS day";
  lake::DataFileOptions options;
  std::vector<double> write_cpu, write_wall, copy_cpu, copy_wall;
  for (int64_t i = 0; i < g_small; ++i) {
    strata::bench::Stopwatch sw;
    auto adds = ValueOrDie(lake::WriteDataFiles(*g_conn, fs, root, *g_schema, {}, row, options),
                           "writing one row");
    write_cpu.push_back(sw.Cpu());
    write_wall.push_back(sw.Wall());
    if (adds.size() != 1) Die("one-row write gave no file");
    CheckOk(fs.DeleteFile(root + "/" + adds[0].path), "deleting the one-row file");
    strata::bench::Stopwatch copy_sw;
    CheckOk(g_conn->Execute("COPY (" + row + ") TO " + QuoteLiteral(copy_path) +
                            " (FORMAT parquet, COMPRESSION zstd)"),
            "COPY one row");
    copy_cpu.push_back(copy_sw.Cpu());
    copy_wall.push_back(copy_sw.Wall());
  }
  std::printf(
      "one-row data file (median of %lld): WriteDataFiles %.2f ms CPU (%.2f wall), "
      "plain COPY %.2f ms CPU (%.2f wall)\n",
      static_cast<long long>(g_small), Median(write_cpu) * 1e3, Median(write_wall) * 1e3,
      Median(copy_cpu) * 1e3, Median(copy_wall) * 1e3);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (i > 0 && (strata::bench::IntFlag(argv[i], "rows", &g_rows) ||
                  strata::bench::IntFlag(argv[i], "threads", &g_threads) ||
                  strata::bench::IntFlag(argv[i], "pairs", &g_pairs) ||
                  strata::bench::IntFlag(argv[i], "repetitions", &g_repetitions) ||
                  strata::bench::IntFlag(argv[i], "phases", &g_phases) ||
                  strata::bench::IntFlag(argv[i], "small", &g_small))) {
      continue;
    }
    args.push_back(argv[i]);
  }
  if (g_rows < 1 || g_pairs < 1) Die("bad flags");
  strata::bench::InitGoogleBenchmark(args, static_cast<int>(g_repetitions));

  strata::bench::TempDir dir("lake_write_bench");
  g_dir = dir.path();
  strata::engine::DatabaseOptions options;
  options.threads = static_cast<int>(g_threads);
  g_db = ValueOrDie(Database::Open(options), "opening DuckDB");
  g_conn = ValueOrDie(Connection::Open(*g_db), "connecting");
  g_schema = ValueOrDie(lake::ParseSchema(strata::bench::kSalesSchemaJson), "parsing the schema");
  std::printf(
      "writing %lld rows x (BIGINT, DOUBLE, VARCHAR, DATE) as zstd Parquet, "
      "DuckDB threads: %lld\n",
      static_cast<long long>(g_rows), static_cast<long long>(g_threads));
  Reset();

  strata::bench::RecordingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);

  auto times = strata::bench::RunPairs(static_cast<int>(g_pairs), AppendDelta, CopyRaw, Reset);
  // Throughput is rows per second, so its ratio is the inverse ratio of times.
  auto ratios = strata::bench::PairRatios(times.b_cpu, times.a_cpu);
  auto wall_ratios = strata::bench::PairRatios(times.b_wall, times.a_wall);
  std::printf(
      "medians: delta append %.0f ms CPU (%.2f M rows/s), COPY %.0f ms CPU (%.2f M rows/s)\n",
      Median(times.a_cpu) * 1e3, g_rows / Median(times.a_cpu) / 1e6, Median(times.b_cpu) * 1e3,
      g_rows / Median(times.b_cpu) / 1e6);
  std::printf("wall time: median of pair ratios %.3f\n", Median(wall_ratios));
  if (g_phases != 0) PrintPhases();
  PrintSmallWrites();
  std::printf(
      "ratio (delta/COPY throughput): %.3f (goal >= 0.90; median of %lld back-to-back pairs, "
      "process CPU time, pair ratios %.3f .. %.3f)\n",
      Median(ratios), static_cast<long long>(g_pairs), strata::bench::Min(ratios),
      strata::bench::Max(ratios));
  g_writer.reset();
  g_conn.reset();
  g_db.reset();
  return 0;
}
