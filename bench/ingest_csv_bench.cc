// Ingesting a large CSV file into a bronze Delta table through the whole
// ingest driver (ingest::RunIngest from a strata.yml with a `files` source:
// list, checksum, the CSV read, the bronze writer's lineage columns, txn and
// state in the commit, the run store) against DuckDB's COPY (FROM
// read_csv('file')) TO 'x.parquet' (FORMAT parquet, COMPRESSION zstd) of the
// same file. Prints ingest throughput / COPY throughput (process CPU time;
// wall time beside it). The goal is >= 0.85.
//
//   ingest_csv_bench [--rows=10000000] [--threads=1] [--pairs=3] [--bad_row=0]
//
// The CSV (6 columns: BIGINT, BIGINT, VARCHAR, DOUBLE, TIMESTAMP, VARCHAR;
// about 75 bytes a row, 10M rows ~ 750 MB) is written once by DuckDB into
// $TMPDIR. Each ingest pass runs in a fresh project folder holding a hard
// link to it, with `engine.threads` set to --threads (the COPY side uses the
// same count). --bad_row=N (1-based data row) makes row N unreadable, so the
// file takes the tolerant path (rejects, quarantine); the ingest then commits
// rows - 1 rows. Outputs are deleted after each pass, untimed. After the
// pairs, the checksum of the file is timed alone (part of each ingest pass).
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "bench_util.h"
#include "common/file_system.h"
#include "engine/engine.h"
#include "ingest/file_tracker.h"
#include "ingest/ingest.h"
#include "project/project.h"

namespace {

using strata::FileSystem;
using strata::bench::CheckOk;
using strata::bench::Die;
using strata::bench::Median;
using strata::bench::ValueOrDie;
using strata::engine::Connection;
using strata::engine::Database;
using strata::engine::QuoteLiteral;
namespace ingest = strata::ingest;

int64_t g_rows = 10'000'000;
int64_t g_threads = 1;
int64_t g_pairs = 3;
int64_t g_bad_row = 0;

std::unique_ptr<Database> g_db;
std::unique_ptr<Connection> g_conn;
std::string g_dir;
int g_pass = 0;

std::string CsvPath() { return g_dir + "/orders.csv"; }
std::string ProjectDir() { return g_dir + "/project_" + std::to_string(g_pass); }
std::string CopyPath() { return g_dir + "/copy.zstd.parquet"; }

void GenerateCsv() {
  const std::string amount =
      g_bad_row > 0 ? "CASE WHEN range = " + std::to_string(g_bad_row - 1) +
                          " THEN 'not a number' ELSE round((hash(range + 1) % 100000) / 100.0, "
                          "2)::VARCHAR END"
                    : "round((hash(range + 1) % 100000) / 100.0, 2)";
  CheckOk(g_conn->Execute(
              "COPY (SELECT range AS order_id, hash(range) % 1000000 AS customer_id, "
              "['web', 'app', 'marketplace'][1 + range % 3] AS channel, " +
              amount +
              " AS amount, "
              "TIMESTAMP '2024-01-01' + to_seconds(range % 63072000) AS ordered_at, "
              "'note ' || (hash(range + 2) % 100000)::VARCHAR || ' ' || "
              "['standard delivery', 'express delivery', 'pickup in store'][1 + range % 3] AS note "
              "FROM range(" +
              std::to_string(g_rows) + ")) TO " + QuoteLiteral(CsvPath()) + " (HEADER)"),
          "generating the CSV");
}

void Reset() {
  FileSystem& fs = *FileSystem::Default();
  CheckOk(fs.DeleteRecursively(ProjectDir()), "deleting the project");
  ++g_pass;
  if (auto exists = fs.Exists(CopyPath()); exists.ok() && *exists) {
    CheckOk(fs.DeleteFile(CopyPath()), "deleting the COPY output");
  }
}

// `strata ingest` in a fresh project whose data/orders.csv is the CSV.
void IngestThroughDriver() {
  const std::string project_dir = ProjectDir();
  CheckOk(FileSystem::Default()->CreateDirectories(project_dir + "/data"), "mkdir");
  if (link(CsvPath().c_str(), (project_dir + "/data/orders.csv").c_str()) != 0) {
    Die("cannot link the CSV into " + project_dir);
  }
  {
    std::ofstream yml(project_dir + "/strata.yml");
    yml << "name: bench\nengine:\n  threads: " << g_threads
        << "\nsources:\n  shop:\n    connector: files\n    streams:\n"
        << "      orders: {path: data/orders.csv, sync: append}\n";
  }
  auto project =
      ValueOrDie(strata::project::Project::Open(*FileSystem::Default(), project_dir), "project");
  ingest::IngestReport report = ValueOrDie(ingest::RunIngest(*project, {}), "strata ingest");
  const int64_t expected_bad = g_bad_row > 0 ? 1 : 0;
  if (!report.ok() || report.streams.size() != 1 ||
      report.streams[0].rows != g_rows - expected_bad ||
      report.streams[0].bad_rows != expected_bad) {
    Die("strata ingest: " + (report.streams.empty()
                                 ? std::string("no stream")
                                 : std::to_string(report.streams[0].rows) + " rows, " +
                                       std::to_string(report.streams[0].bad_rows) + " bad, " +
                                       report.streams[0].error));
  }
}

void CopyRaw() {
  CheckOk(g_conn->Execute("COPY (FROM read_csv(" + QuoteLiteral(CsvPath()) + ")) TO " +
                          QuoteLiteral(CopyPath()) + " (FORMAT parquet, COMPRESSION zstd)"),
          "COPY");
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (!strata::bench::IntFlag(argv[i], "rows", &g_rows) &&
        !strata::bench::IntFlag(argv[i], "threads", &g_threads) &&
        !strata::bench::IntFlag(argv[i], "pairs", &g_pairs) &&
        !strata::bench::IntFlag(argv[i], "bad_row", &g_bad_row)) {
      Die(std::string("unknown flag ") + argv[i] + " (--rows, --threads, --pairs, --bad_row)");
    }
  }
  if (g_rows < 1 || g_pairs < 1 || g_threads < 1 || g_bad_row < 0 || g_bad_row > g_rows) {
    Die("bad flags");
  }
  strata::bench::TempDir dir("ingest_csv_bench");
  g_dir = dir.path();
  strata::engine::DatabaseOptions options;
  options.threads = static_cast<int>(g_threads);
  g_db = ValueOrDie(Database::Open(options), "opening DuckDB");
  g_conn = ValueOrDie(Connection::Open(*g_db), "connecting");
  strata::bench::Stopwatch gen;
  GenerateCsv();
  const int64_t bytes =
      static_cast<int64_t>(ValueOrDie(FileSystem::Default()->Stat(CsvPath()), "stat").size);
  std::printf("CSV: %lld rows, %.1f MB, generated in %.1f s wall; DuckDB threads: %lld%s\n",
              static_cast<long long>(g_rows), bytes / 1e6, gen.Wall(),
              static_cast<long long>(g_threads),
              g_bad_row > 0 ? (", bad row " + std::to_string(g_bad_row)).c_str() : "");

  auto times =
      strata::bench::RunPairs(static_cast<int>(g_pairs), IngestThroughDriver, CopyRaw, Reset);
  auto ratios = strata::bench::PairRatios(times.b_cpu, times.a_cpu);
  auto wall_ratios = strata::bench::PairRatios(times.b_wall, times.a_wall);
  const double ingest_cpu = Median(times.a_cpu);
  strata::bench::Stopwatch hash_watch;
  ValueOrDie(ingest::files::FileChecksum(*FileSystem::Default(), CsvPath()), "hashing");
  const double hash_cpu = hash_watch.Cpu();
  std::printf(
      "medians: strata ingest -> bronze %.0f ms CPU (%.2f M rows/s, %.0f MB/s), of which "
      "checksum (XXH3-128) of the file ~%.0f ms; COPY read_csv -> Parquet %.0f ms CPU (%.2f M rows/s)\n",
      ingest_cpu * 1e3, g_rows / ingest_cpu / 1e6, bytes / ingest_cpu / 1e6, hash_cpu * 1e3,
      Median(times.b_cpu) * 1e3, g_rows / Median(times.b_cpu) / 1e6);
  std::printf("wall time: median of pair ratios %.3f\n", Median(wall_ratios));
  std::printf(
      "strata ingest / COPY throughput (CPU): %.3f (%lld pairs, %.3f .. %.3f); goal >= 0.85\n",
      Median(ratios), static_cast<long long>(g_pairs), strata::bench::Min(ratios),
      strata::bench::Max(ratios));
  return 0;
}
