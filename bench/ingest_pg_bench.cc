// ingest_pg_bench: a full snapshot of a PostgreSQL table into a bronze Delta
// table through the whole ingest driver (RunIngest with the "postgres"
// connector: COPY ... (FORMAT binary) decoded into DuckDB vectors by a table
// source that the bronze writer's COPY to Parquet reads, one Delta commit per
// batch) vs `psql -c "\copy (select * from t) to 'file'"` of the same table,
// in interleaved pairs. Headline:
// median per-pair throughput ratio, strata / psql (goal >= 0.8).
//
// Wall time is the headline clock here, unlike the other benches: half of
// each side's work happens in the PostgreSQL server process (and psql's in
// its own process), which the process CPU clock does not see. This process's
// CPU time is printed beside it.
//
//   ingest_pg_bench [--rows=5000000] [--pairs=3] [--threads=1] [--batch_rows=1000000]
//                   [--engine_threads=0]
//
// --engine_threads sets the project's `engine.threads` for the ingest (0:
// unset, DuckDB's default of one per core); --threads is the read-path
// diagnosis's DuckDB thread count.
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "bench_util.h"
#include "engine/engine.h"
#include "ingest/ingest.h"
#include "ingest/postgres_connector.h"
#include "ingest/testing/postgres_server.h"
#include "project/project.h"

namespace strata {
namespace {

using bench::Die;
using bench::ValueOrDie;

// Counts each staged batch's rows in DuckDB (the batch's query over the
// connector's table source) and keeps nothing: the read path without the
// Parquet encoding and the Delta write.
class CountingSink : public ingest::BatchSink {
 public:
  CountingSink(engine::Connection& conn, std::string staging)
      : conn_(conn), staging_(std::move(staging)) {}
  engine::Connection& connection() override { return conn_; }
  const std::string& staging_dir() override { return staging_; }
  FileSystem& file_system() override { return *FileSystem::Default(); }
  Result<ingest::BatchCommit> Commit(ingest::StagedBatch batch) override {
    STRATA_ASSIGN_OR_RETURN(engine::Value count,
                            conn_.QueryScalar("SELECT count(*) FROM (" + batch.query + ")"));
    if (batch.finish_state) STRATA_RETURN_IF_ERROR(batch.finish_state().status());
    ingest::BatchCommit commit;
    commit.rows = std::stoll(count.ToString());
    rows_ += commit.rows;
    for (const std::string& f : batch.spool_files) (void)FileSystem::Default()->DeleteFile(f);
    return commit;
  }
  Status Quarantine(std::vector<ingest::BadRecord>) override { return Status::OK(); }
  void Progress(int64_t, int64_t) override {}
  bool Cancelled() const override { return false; }
  int64_t rows() const { return rows_; }

 private:
  engine::Connection& conn_;
  std::string staging_;
  int64_t rows_ = 0;
};

ConfigNode Yaml(const std::string& text) {
  return ValueOrDie(ParseConfig(text, "bench.yml"), "parsing settings").root();
}

int Main(int argc, char** argv) {
  int64_t rows = 5'000'000, pairs = 3, threads = 1, batch_rows = 1'000'000, engine_threads = 0;
  for (int i = 1; i < argc; ++i) {
    if (!bench::IntFlag(argv[i], "rows", &rows) && !bench::IntFlag(argv[i], "pairs", &pairs) &&
        !bench::IntFlag(argv[i], "threads", &threads) &&
        !bench::IntFlag(argv[i], "engine_threads", &engine_threads) &&
        !bench::IntFlag(argv[i], "batch_rows", &batch_rows)) {
      Die(std::string("unknown flag ") + argv[i]);
    }
  }
  // Global, so that Die() (std::exit) still stops the server through atexit.
  static std::unique_ptr<ingest::testing::PostgresServer> server;
  server = ValueOrDie(ingest::testing::PostgresServer::Start(), "starting PostgreSQL");
  std::atexit([] { server.reset(); });
  std::printf("PostgreSQL on 127.0.0.1:%d; loading %lld rows...\n", server->port(),
              static_cast<long long>(rows));
  bench::CheckOk(
      server->Execute(
          "CREATE TABLE t (id bigint, name text, amount numeric(12,2), created_at timestamptz, "
          "active bool, qty int); INSERT INTO t SELECT g, 'customer ' || g, (g % 100000) / "
          "100.0, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second', g % 3 = 0, "
          "g % 1000 FROM generate_series(1, " +
          std::to_string(rows) + ") g"),
      "loading the table");
  bench::CheckOk(server->Execute("VACUUM ANALYZE t"), "vacuuming the table");

  bench::TempDir dir("ingest_pg_bench");
  engine::DatabaseOptions options;
  options.threads = static_cast<int>(threads);
  auto db = ValueOrDie(engine::Database::Open(options), "opening DuckDB");
  auto conn = ValueOrDie(engine::Connection::Open(*db), "connecting");

  ingest::SourceConfig source{
      .name = "pg",
      .connector = "postgres",
      .settings = Yaml("host: 127.0.0.1\nport: " + std::to_string(server->port()) +
                       "\nuser: postgres\npassword: " + server->password() +
                       "\ndatabase: postgres\nbatch_rows: " + std::to_string(batch_rows) + "\n"),
      .streams = {},
      .on_schema_change = ingest::OnSchemaChange::kEvolve,
      .max_bad_rows = std::nullopt,
      .project_root = ""};
  ingest::StreamConfig stream{.name = "t",
                              .target = "bronze.pg_t",
                              .sync = ingest::SyncMode::kFullRefresh,
                              .cursor_field = "",
                              .primary_key = {},
                              .settings = Yaml("table: public.t")};
  auto connector = ValueOrDie(ingest::MakePostgresConnector(source), "making the connector");

  int pass = 0;
  std::string table_root;
  std::string copy_file = dir.path() + "/psql_copy.txt";
  // The strata side is the whole driver: strata.yml, RunIngest, the bronze
  // writer (lineage columns, txn + state in the commit), a full refresh.
  setenv("STRATA_BENCH_PG_PASSWORD", server->password().c_str(), 1);
  auto strata_side = [&] {
    table_root = dir.path() + "/project_" + std::to_string(pass++);
    bench::CheckOk(FileSystem::Default()->CreateDirectories(table_root), "project dir");
    {
      std::ofstream yml(table_root + "/strata.yml");
      yml << "name: bench\n";
      if (engine_threads > 0) yml << "engine:\n  threads: " << engine_threads << "\n";
      yml << "sources:\n  pg:\n    connector: postgres\n    host: 127.0.0.1\n"
          << "    port: " << server->port() << "\n    user: postgres\n"
          << "    password: ${STRATA_BENCH_PG_PASSWORD}\n    database: postgres\n"
          << "    batch_rows: " << batch_rows << "\n    streams:\n      t: {table: public.t}\n";
    }
    auto project =
        ValueOrDie(project::Project::Open(*FileSystem::Default(), table_root), "opening project");
    ingest::IngestReport report = ValueOrDie(ingest::RunIngest(*project, {}), "strata ingest");
    if (!report.ok() || report.streams.size() != 1 || report.streams[0].rows != rows) {
      Die("strata ingest failed: " + (report.streams.empty() ? "" : report.streams[0].error));
    }
  };
  auto psql_side = [&] {
    std::string cmd = "psql -q -X '" + server->ConnInfo() + "' -c \"\\copy (select * from t) to '" +
                      copy_file + "'\"";
    if (std::system(cmd.c_str()) != 0) Die("psql \\copy failed: " + cmd);
  };
  auto cleanup = [&] {
    (void)FileSystem::Default()->DeleteRecursively(table_root);
    (void)FileSystem::Default()->DeleteFile(copy_file);
  };
  bench::PairTimes t = bench::RunPairs(static_cast<int>(pairs), strata_side, psql_side, cleanup);
  // Throughput ratio = psql time / strata time.
  std::vector<double> ratios = bench::PairRatios(t.b_wall, t.a_wall);
  for (size_t i = 0; i < t.a_wall.size(); ++i) {
    std::printf(
        "pair %zu: strata %.2f s wall (%.2f s cpu here), psql \\copy %.2f s wall: %.0f vs "
        "%.0f rows/s\n",
        i, t.a_wall[i], t.a_cpu[i], t.b_wall[i], rows / t.a_wall[i], rows / t.b_wall[i]);
  }
  double ratio = bench::Median(ratios);
  // Diagnosis: the read path alone (binary COPY -> decode -> count),
  // to tell the connector's cost from the Delta writes'.
  {
    std::string staging = dir.path() + "/count_staging";
    bench::CheckOk(FileSystem::Default()->CreateDirectories(staging), "staging dir");
    CountingSink counting(*conn, staging);
    bench::Stopwatch watch;
    bench::CheckOk(connector->Read(stream, nullptr, counting), "reading (count only)");
    double wall = watch.Wall();
    if (counting.rows() != rows) Die("count-only read saw " + std::to_string(counting.rows()));
    std::printf(
        "read path only (binary COPY decoded into DuckDB, count, no Delta write): %.2f s "
        "wall, %.0f rows/s = %.2fx psql's median\n",
        wall, rows / wall, bench::Median(t.b_wall) / wall);
  }
  std::printf(
      "ingest_pg_bench: %lld rows, throughput strata/psql = %.2fx (median of %lld pairs; "
      "goal >= 0.8)\n",
      static_cast<long long>(rows), ratio, static_cast<long long>(pairs));
  return 0;
}

}  // namespace
}  // namespace strata

int main(int argc, char** argv) { return strata::Main(argc, argv); }
