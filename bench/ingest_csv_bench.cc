// Ingesting a large CSV file into a bronze Delta table through the files
// connector (ingest::FilesConnector::Read: list, hash, read_csv with rejects
// into a staging table, lineage columns) and a Delta append per batch, against
// DuckDB's COPY (FROM read_csv('file')) TO 'x.parquet' (FORMAT parquet,
// COMPRESSION zstd) of the same file. Prints connector throughput / COPY
// throughput (process CPU time; wall time beside it). The goal is >= 0.85.
//
//   ingest_csv_bench [--rows=10000000] [--threads=1] [--pairs=3]
//
// The CSV (6 columns: BIGINT, BIGINT, VARCHAR, DOUBLE, TIMESTAMP, VARCHAR;
// about 75 bytes a row, 10M rows ~ 750 MB) is written once by DuckDB into
// $TMPDIR. The bronze side commits through a sink that does what the bronze
// writer does with a batch (TableWriter::Create from the query's schema on the
// first batch, then Append with schema merging); it is timed end to end, from
// the connector's Read to the commit. Both outputs are deleted after each
// pass, untimed.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "bench_util.h"
#include "common/file_system.h"
#include "engine/engine.h"
#include "ingest/files_connector.h"
#include "lake/lake.h"

namespace {

using strata::FileSystem;
using strata::Result;
using strata::Status;
using strata::bench::CheckOk;
using strata::bench::Die;
using strata::bench::Median;
using strata::bench::ValueOrDie;
using strata::engine::Connection;
using strata::engine::Database;
using strata::engine::QuoteLiteral;
namespace ingest = strata::ingest;
namespace lake = strata::lake;

int64_t g_rows = 10'000'000;
int64_t g_threads = 1;
int64_t g_pairs = 3;

std::unique_ptr<Database> g_db;
std::unique_ptr<Connection> g_conn;
std::string g_dir;
double g_commit_cpu = 0;  // CPU seconds spent in the Delta appends of the last pass

std::string CsvPath() { return g_dir + "/project/data/orders.csv"; }
std::string TableRoot() { return g_dir + "/bronze_orders"; }
std::string CopyPath() { return g_dir + "/copy.zstd.parquet"; }

// What the bronze writer does with a batch, minus its bookkeeping (txn
// action, run store): create the table from the first batch's schema, append.
class DeltaSink : public ingest::BatchSink {
 public:
  Connection& connection() override { return *g_conn; }
  const std::string& staging_dir() override { return staging_; }
  FileSystem& file_system() override { return *FileSystem::Default(); }
  Result<ingest::BatchCommit> Commit(ingest::StagedBatch batch) override {
    strata::bench::Stopwatch sw;
    if (writer_ == nullptr) {
      STRATA_ASSIGN_OR_RETURN(lake::DataTypePtr schema, lake::QuerySchema(*g_conn, batch.query));
      STRATA_ASSIGN_OR_RETURN(writer_, lake::TableWriter::Create(TableRoot(), *schema, {},
                                                                 *FileSystem::Default(), *g_conn));
    }
    lake::AppendOptions options;
    options.merge_schema = true;
    STRATA_ASSIGN_OR_RETURN(lake::WriteResult written, writer_->Append(batch.query, options));
    g_commit_cpu += sw.Cpu();
    rows_ += written.rows_inserted;
    return ingest::BatchCommit{written.version, written.rows_inserted, false};
  }
  Status Quarantine(std::vector<ingest::BadRecord> records) override {
    bad_ += static_cast<int64_t>(records.size());
    return Status::OK();
  }
  void Progress(int64_t, int64_t) override {}
  bool Cancelled() const override { return false; }

  int64_t rows() const { return rows_; }
  int64_t bad() const { return bad_; }

 private:
  std::string staging_ = g_dir + "/staging";
  std::unique_ptr<lake::TableWriter> writer_;
  int64_t rows_ = 0;
  int64_t bad_ = 0;
};

void GenerateCsv() {
  CheckOk(FileSystem::Default()->CreateDirectories(g_dir + "/project/data"), "mkdir");
  CheckOk(FileSystem::Default()->CreateDirectories(g_dir + "/staging"), "mkdir");
  CheckOk(g_conn->Execute(
              "COPY (SELECT range AS order_id, hash(range) % 1000000 AS customer_id, "
              "['web', 'app', 'marketplace'][1 + range % 3] AS channel, "
              "round((hash(range + 1) % 100000) / 100.0, 2) AS amount, "
              "TIMESTAMP '2024-01-01' + to_seconds(range % 63072000) AS ordered_at, "
              "'note ' || (hash(range + 2) % 100000)::VARCHAR || ' ' || "
              "['standard delivery', 'express delivery', 'pickup in store'][1 + range % 3] AS note "
              "FROM range(" +
              std::to_string(g_rows) + ")) TO " + QuoteLiteral(CsvPath()) + " (HEADER)"),
          "generating the CSV");
}

void Reset() {
  FileSystem& fs = *FileSystem::Default();
  CheckOk(fs.DeleteRecursively(TableRoot()), "deleting the table");
  if (auto exists = fs.Exists(CopyPath()); exists.ok() && *exists) {
    CheckOk(fs.DeleteFile(CopyPath()), "deleting the COPY output");
  }
}

ingest::SourceConfig MakeSource() {
  auto source_doc = ValueOrDie(strata::ParseConfig("{}", "source"), "config");
  auto stream_doc = ValueOrDie(strata::ParseConfig("path: data/orders.csv", "stream"), "config");
  return ingest::SourceConfig{
      .name = "shop",
      .connector = "files",
      .settings = source_doc.root(),
      .streams = {ingest::StreamConfig{.name = "orders",
                                       .target = "bronze.shop_orders",
                                       .sync = ingest::SyncMode::kAppendOnly,
                                       .cursor_field = "",
                                       .primary_key = {},
                                       .settings = stream_doc.root()}},
      .on_schema_change = ingest::OnSchemaChange::kEvolve,
      .max_bad_rows = std::nullopt,
      .project_root = g_dir + "/project"};
}

void IngestThroughConnector() {
  static const ingest::SourceConfig source = MakeSource();
  auto connector = ValueOrDie(ingest::FilesConnector::Make(source), "making the connector");
  DeltaSink sink;
  g_commit_cpu = 0;
  CheckOk(connector->Read(source.streams[0], nullptr, sink), "ingesting");
  if (sink.rows() != g_rows || sink.bad() != 0) {
    Die("the connector ingested " + std::to_string(sink.rows()) + " rows (" +
        std::to_string(sink.bad()) + " bad), not " + std::to_string(g_rows));
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
        !strata::bench::IntFlag(argv[i], "pairs", &g_pairs)) {
      Die(std::string("unknown flag ") + argv[i] + " (--rows, --threads, --pairs)");
    }
  }
  if (g_rows < 1 || g_pairs < 1) Die("bad flags");
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
  std::printf("CSV: %lld rows, %.1f MB, generated in %.1f s wall; DuckDB threads: %lld\n",
              static_cast<long long>(g_rows), bytes / 1e6, gen.Wall(),
              static_cast<long long>(g_threads));

  std::vector<double> commit_cpu;
  auto timed_ingest = [&] {
    IngestThroughConnector();
    commit_cpu.push_back(g_commit_cpu);
  };
  auto times = strata::bench::RunPairs(static_cast<int>(g_pairs), timed_ingest, CopyRaw, Reset);
  auto ratios = strata::bench::PairRatios(times.b_cpu, times.a_cpu);
  auto wall_ratios = strata::bench::PairRatios(times.b_wall, times.a_wall);
  const double ingest_cpu = Median(times.a_cpu);
  std::printf(
      "medians: files connector -> Delta %.0f ms CPU (%.2f M rows/s, %.0f MB/s), of which "
      "Delta appends %.0f ms; COPY read_csv -> Parquet %.0f ms CPU (%.2f M rows/s)\n",
      ingest_cpu * 1e3, g_rows / ingest_cpu / 1e6, bytes / ingest_cpu / 1e6,
      Median(commit_cpu) * 1e3, Median(times.b_cpu) * 1e3, g_rows / Median(times.b_cpu) / 1e6);
  std::printf("wall time: median of pair ratios %.3f\n", Median(wall_ratios));
  std::printf(
      "files connector / COPY throughput (CPU): %.3f (%lld pairs, %.3f .. %.3f); goal >= 0.85\n",
      Median(ratios), static_cast<long long>(g_pairs), strata::bench::Min(ratios),
      strata::bench::Max(ratios));
  return 0;
}
