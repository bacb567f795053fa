// Streams one large result through the engine wrapper and through DuckDB's raw
// C API, summing typed values (BIGINT, DOUBLE, VARCHAR lengths) in both, and
// prints wrapper throughput / raw throughput. The goal is >= 0.95.
//
//   engine_stream_bench [--rows=N] [--threads=N] [--pairs=N] [google benchmark flags]
//
// DuckDB runs with one thread by default: the whole pipeline then executes on
// the fetching thread, so timings are steadier on a shared machine and the
// wrapper's share of the work is measured, not hidden behind worker threads.
// Times are process CPU time: on a shared machine wall time mostly measures how
// long the process waited for a core.
//
// Google Benchmark first reports each path on its own (repetitions interleaved
// at random). The headline ratio then comes from back-to-back pairs, one pass
// of each path in alternating order: the two passes of a pair see the same
// machine load, so the median of the per-pair ratios is far steadier than a
// ratio of separately measured runs.
#include <benchmark/benchmark.h>
#include <duckdb/duckdb.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"

namespace {

using strata::engine::Connection;
using strata::engine::Database;
using strata::engine::DataChunk;
using strata::engine::QueryResult;

int64_t g_rows = 20'000'000;
int g_threads = 1;
int g_pairs = 10;
std::unique_ptr<Database> g_db;
std::unique_ptr<Connection> g_conn;
// The raw path gets its own in-memory DuckDB holding the same table (the
// wrapper does not expose its C handles).
duckdb_database g_raw_db = nullptr;
duckdb_connection g_raw_conn = nullptr;
constexpr const char* kQuery = "SELECT i, d, s FROM bench";

struct Sums {
  int64_t ints = 0;
  double doubles = 0;
  uint64_t string_bytes = 0;
  int64_t rows = 0;
};

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "engine_stream_bench: %s\n", what.c_str());
  std::exit(1);
}

void Setup() {
  // A stored table, so that the scan is cheap and the per-row cost of reading
  // the chunks (what differs between the two paths) weighs as much as possible.
  // Every tenth double is NULL so that validity checks are exercised.
  const std::string create =
      "CREATE TABLE bench AS SELECT range::BIGINT AS i, "
      "CASE WHEN range % 10 = 0 THEN NULL ELSE range * 0.5 END::DOUBLE AS d, "
      "'value-' || (range % 100000) AS s FROM range(" +
      std::to_string(g_rows) + ")";

  strata::engine::DatabaseOptions options;
  options.threads = g_threads;
  auto db = Database::Open(options);
  if (!db.ok()) Die(db.status().ToString());
  g_db = std::move(db).value();
  auto conn = Connection::Open(*g_db);
  if (!conn.ok()) Die(conn.status().ToString());
  g_conn = std::move(conn).value();
  strata::Status status = g_conn->Execute(create);
  if (!status.ok()) Die(status.ToString());

  duckdb_config config;
  char* error = nullptr;
  if (duckdb_create_config(&config) != DuckDBSuccess ||
      duckdb_set_config(config, "threads", std::to_string(g_threads).c_str()) != DuckDBSuccess ||
      duckdb_open_ext(nullptr, &g_raw_db, config, &error) != DuckDBSuccess ||
      duckdb_connect(g_raw_db, &g_raw_conn) != DuckDBSuccess) {
    Die(std::string("could not open the raw DuckDB database: ") + (error ? error : ""));
  }
  duckdb_destroy_config(&config);
  duckdb_result result;
  if (duckdb_query(g_raw_conn, create.c_str(), &result) != DuckDBSuccess) {
    Die(duckdb_result_error(&result));
  }
  duckdb_destroy_result(&result);
}

Sums StreamWithWrapper() {
  Sums sums;
  auto result = g_conn->Query(kQuery);
  if (!result.ok()) Die(result.status().ToString());
  QueryResult& r = **result;
  while (true) {
    auto fetched = r.Fetch();
    if (!fetched.ok()) Die(fetched.status().ToString());
    std::unique_ptr<DataChunk> chunk = std::move(fetched).value();
    if (chunk == nullptr) break;
    // Typed column access, as the engine README recommends for hot loops:
    // take each column once per chunk, then read its arrays row by row.
    const size_t n = chunk->size();
    const strata::engine::ColumnVector& int_column = chunk->Column(0);
    const strata::engine::ColumnVector& double_column = chunk->Column(1);
    const strata::engine::ColumnVector& string_column = chunk->Column(2);
    const int64_t* ints = int_column.Data<int64_t>();
    const double* doubles = double_column.Data<double>();
    for (size_t row = 0; row < n; ++row) {
      if (int_column.IsValid(row)) sums.ints += ints[row];
      if (double_column.IsValid(row)) sums.doubles += doubles[row];
      if (string_column.IsValid(row)) sums.string_bytes += string_column.GetString(row).size();
    }
    sums.rows += static_cast<int64_t>(n);
  }
  return sums;
}

// What a careful user of the C API writes: the same loop, with validity and
// string slots decoded inline rather than through a function call per row.
inline bool RowValid(const uint64_t* validity, idx_t row) {
  return validity == nullptr || ((validity[row >> 6] >> (row & 63)) & 1) != 0;
}

inline size_t StringLength(const duckdb_string_t& s) { return s.value.inlined.length; }

Sums StreamWithRawApi(duckdb_connection conn) {
  Sums sums;
  duckdb_prepared_statement statement;
  if (duckdb_prepare(conn, kQuery, &statement) != DuckDBSuccess) {
    Die(duckdb_prepare_error(statement));
  }
  duckdb_pending_result pending;
  if (duckdb_pending_prepared_streaming(statement, &pending) != DuckDBSuccess) {
    Die(duckdb_pending_error(pending));
  }
  duckdb_result result;
  if (duckdb_execute_pending(pending, &result) != DuckDBSuccess) {
    Die(duckdb_result_error(&result));
  }
  duckdb_destroy_pending(&pending);
  while (duckdb_data_chunk chunk = duckdb_fetch_chunk(result)) {
    const idx_t n = duckdb_data_chunk_get_size(chunk);
    duckdb_vector iv = duckdb_data_chunk_get_vector(chunk, 0);
    duckdb_vector dv = duckdb_data_chunk_get_vector(chunk, 1);
    duckdb_vector sv = duckdb_data_chunk_get_vector(chunk, 2);
    const auto* ints = static_cast<const int64_t*>(duckdb_vector_get_data(iv));
    const auto* doubles = static_cast<const double*>(duckdb_vector_get_data(dv));
    const auto* strings = static_cast<const duckdb_string_t*>(duckdb_vector_get_data(sv));
    const uint64_t* i_valid = duckdb_vector_get_validity(iv);
    const uint64_t* d_valid = duckdb_vector_get_validity(dv);
    const uint64_t* s_valid = duckdb_vector_get_validity(sv);
    for (idx_t row = 0; row < n; ++row) {
      if (RowValid(i_valid, row)) sums.ints += ints[row];
      if (RowValid(d_valid, row)) sums.doubles += doubles[row];
      if (RowValid(s_valid, row)) sums.string_bytes += StringLength(strings[row]);
    }
    sums.rows += static_cast<int64_t>(n);
    duckdb_destroy_data_chunk(&chunk);
  }
  if (const char* error = duckdb_result_error(&result)) Die(error);
  duckdb_destroy_result(&result);
  duckdb_destroy_prepare(&statement);
  return sums;
}

Sums g_expected;

// Both paths must have read every value; doubles may differ in the last bits
// if chunks arrive in another order.
void Check(const Sums& got, const char* path) {
  double tolerance = 1e-9 * std::abs(g_expected.doubles);
  if (got.rows != g_expected.rows || got.ints != g_expected.ints ||
      got.string_bytes != g_expected.string_bytes ||
      std::abs(got.doubles - g_expected.doubles) > tolerance) {
    Die(std::string(path) + " computed different sums than the reference pass");
  }
}

void BM_StreamWrapper(benchmark::State& state) {
  for (auto _ : state) {
    Sums sums = StreamWithWrapper();
    benchmark::DoNotOptimize(sums);
    Check(sums, "wrapper");
  }
  state.SetItemsProcessed(state.iterations() * g_rows);
}

void BM_StreamRaw(benchmark::State& state) {
  for (auto _ : state) {
    Sums sums = StreamWithRawApi(g_raw_conn);
    benchmark::DoNotOptimize(sums);
    Check(sums, "raw C API");
  }
  state.SetItemsProcessed(state.iterations() * g_rows);
}

BENCHMARK(BM_StreamWrapper)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime();
BENCHMARK(BM_StreamRaw)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime();

// Records every run so that main can compute the ratio after all of them.
class RecordingReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.run_type == Run::RT_Iteration && !run.error_occurred) {
        times_[run.run_name.function_name].push_back(run.GetAdjustedCPUTime());
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }
  const std::map<std::string, std::vector<double>>& times() const { return times_; }

 private:
  std::map<std::string, std::vector<double>> times_;
};

double ProcessCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> args;
  bool repetitions_given = false;
  bool interleaving_given = false;
  for (int i = 0; i < argc; ++i) {
    if (std::strncmp(argv[i], "--rows=", 7) == 0) {
      g_rows = std::atoll(argv[i] + 7);
      continue;
    }
    if (std::strncmp(argv[i], "--threads=", 10) == 0) {
      g_threads = std::atoi(argv[i] + 10);
      continue;
    }
    if (std::strncmp(argv[i], "--pairs=", 8) == 0) {
      g_pairs = std::max(1, std::atoi(argv[i] + 8));
      continue;
    }
    if (std::strncmp(argv[i], "--benchmark_repetitions", 23) == 0) repetitions_given = true;
    if (std::strncmp(argv[i], "--benchmark_enable_random_interleaving", 38) == 0) {
      interleaving_given = true;
    }
    args.push_back(argv[i]);
  }
  std::string repetitions = "--benchmark_repetitions=5";
  std::string interleave = "--benchmark_enable_random_interleaving=true";
  if (!repetitions_given) args.push_back(repetitions.data());
  if (!interleaving_given) args.push_back(interleave.data());
  int bench_argc = static_cast<int>(args.size());
  benchmark::Initialize(&bench_argc, args.data());

  std::printf("streaming %lld rows x (BIGINT, DOUBLE, VARCHAR), DuckDB threads: %d\n",
              static_cast<long long>(g_rows), g_threads);
  Setup();
  g_expected = StreamWithRawApi(g_raw_conn);
  Check(StreamWithWrapper(), "wrapper");

  RecordingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);

  const auto& times = reporter.times();
  auto wrapper = times.find("BM_StreamWrapper");
  auto raw = times.find("BM_StreamRaw");
  if (wrapper != times.end() && raw != times.end()) {
    // Throughput is rows per second, so its ratio is the inverse ratio of times.
    std::printf("separate runs: median vs median %.3f, best vs best %.3f\n",
                Median(raw->second) / Median(wrapper->second),
                *std::min_element(raw->second.begin(), raw->second.end()) /
                    *std::min_element(wrapper->second.begin(), wrapper->second.end()));
  }

  std::vector<double> pair_ratios;
  for (int i = 0; i < g_pairs; ++i) {
    double wrapper_time = 0;
    double raw_time = 0;
    for (int pass = 0; pass < 2; ++pass) {
      bool wrapper_pass = (pass == 0) == (i % 2 == 0);
      double start = ProcessCpuSeconds();
      if (wrapper_pass) {
        Check(StreamWithWrapper(), "wrapper");
        wrapper_time = ProcessCpuSeconds() - start;
      } else {
        Check(StreamWithRawApi(g_raw_conn), "raw C API");
        raw_time = ProcessCpuSeconds() - start;
      }
    }
    pair_ratios.push_back(raw_time / wrapper_time);
  }
  std::printf(
      "ratio (wrapper/raw throughput): %.3f (median of %d back-to-back pairs, "
      "process CPU time; pair ratios %.3f .. %.3f)\n",
      Median(pair_ratios), g_pairs, *std::min_element(pair_ratios.begin(), pair_ratios.end()),
      *std::max_element(pair_ratios.begin(), pair_ratios.end()));
  g_conn.reset();
  g_db.reset();
  duckdb_disconnect(&g_raw_conn);
  duckdb_close(&g_raw_db);
  return 0;
}
