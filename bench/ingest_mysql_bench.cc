// ingest_mysql_bench: a full snapshot of a MariaDB table into a bronze Delta
// table through the whole ingest driver (RunIngest with the "mysql"
// connector: rows streamed with mysql_use_result into a table source that
// the bronze writer's COPY to Parquet reads, one Delta commit per batch) vs
// `mariadb --batch --quick -e "select * from t" > file` (the client's
// tab-separated dump of the same rows), in interleaved pairs. Headline:
// median per-pair throughput ratio, strata / mariadb (goal >= 0.8, as for
// PostgreSQL).
//
// Wall time is the headline clock: much of each side's work happens in the
// server process (and the client's in its own), which this process's CPU
// clock does not see. This process's CPU time is printed beside it.
//
//   ingest_mysql_bench [--rows=2000000] [--pairs=3] [--batch_rows=1000000] [--engine_threads=0]
//
// --engine_threads sets the project's `engine.threads` (0: unset, DuckDB's
// default of one per core).
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "bench_util.h"
#include "ingest/ingest.h"
#include "ingest/testing/mariadb_server.h"
#include "project/project.h"

namespace strata {
namespace {

using bench::Die;
using bench::ValueOrDie;

int Main(int argc, char** argv) {
  int64_t rows = 2'000'000, pairs = 3, batch_rows = 1'000'000, engine_threads = 0;
  for (int i = 1; i < argc; ++i) {
    if (!bench::IntFlag(argv[i], "rows", &rows) && !bench::IntFlag(argv[i], "pairs", &pairs) &&
        !bench::IntFlag(argv[i], "batch_rows", &batch_rows) &&
        !bench::IntFlag(argv[i], "engine_threads", &engine_threads)) {
      Die(std::string("unknown flag ") + argv[i] +
          " (known: --rows, --pairs, --batch_rows, --engine_threads)");
    }
  }
  // Global, so that Die() (std::exit) still stops the server through atexit.
  static std::unique_ptr<ingest::testing::MariaDbServer> server;
  server = ValueOrDie(ingest::testing::MariaDbServer::Start(), "starting MariaDB");
  std::atexit([] { server.reset(); });
  std::printf("MariaDB on 127.0.0.1:%d; loading %lld rows...\n", server->port(),
              static_cast<long long>(rows));
  // The PostgreSQL bench's table, in MariaDB's types; seq_1_to_N is the
  // sequence engine's generated table.
  bench::CheckOk(server->Execute("CREATE DATABASE bench"), "creating the database");
  bench::CheckOk(
      server->Execute(
          "CREATE TABLE t (id bigint, name varchar(64), amount decimal(12,2), created_at "
          "datetime(0), active bool, qty int) ENGINE=InnoDB; INSERT INTO t SELECT seq, "
          "concat('customer ', seq), (seq % 100000) / 100.0, '2024-01-01 00:00:00' + INTERVAL "
          "seq SECOND, seq % 3 = 0, seq % 1000 FROM seq_1_to_" +
              std::to_string(rows),
          "bench"),
      "loading the table");

  bench::TempDir dir("ingest_mysql_bench");
  int pass = 0;
  std::string project_dir;
  const std::string dump_file = dir.path() + "/mariadb_dump.tsv";
  setenv("STRATA_BENCH_MYSQL_PASSWORD", server->password().c_str(), 1);
  auto strata_side = [&] {
    project_dir = dir.path() + "/project_" + std::to_string(pass++);
    bench::CheckOk(FileSystem::Default()->CreateDirectories(project_dir), "project dir");
    {
      std::ofstream yml(project_dir + "/strata.yml");
      yml << "name: bench\n";
      if (engine_threads > 0) yml << "engine:\n  threads: " << engine_threads << "\n";
      yml << "sources:\n  my:\n    connector: mysql\n    host: 127.0.0.1\n"
          << "    port: " << server->port() << "\n    user: " << server->user() << "\n"
          << "    password: ${STRATA_BENCH_MYSQL_PASSWORD}\n    database: bench\n"
          << "    batch_rows: " << batch_rows << "\n    streams:\n      t: {table: t}\n";
    }
    auto project =
        ValueOrDie(project::Project::Open(*FileSystem::Default(), project_dir), "opening project");
    ingest::IngestReport report = ValueOrDie(ingest::RunIngest(*project, {}), "strata ingest");
    if (!report.ok() || report.streams.size() != 1 || report.streams[0].rows != rows) {
      Die("strata ingest failed: " + (report.streams.empty() ? "" : report.streams[0].error));
    }
  };
  auto client_side = [&] {
    std::string cmd = "mariadb --batch --quick --skip-ssl -h 127.0.0.1 -P " +
                      std::to_string(server->port()) + " -u " + server->user() + " -p" +
                      server->password() + " bench -e 'select * from t' > " + dump_file;
    if (std::system(cmd.c_str()) != 0) Die("mariadb client failed: " + cmd);
  };
  auto cleanup = [&] {
    (void)FileSystem::Default()->DeleteRecursively(project_dir);
    (void)FileSystem::Default()->DeleteFile(dump_file);
  };
  bench::PairTimes t = bench::RunPairs(static_cast<int>(pairs), strata_side, client_side, cleanup);
  std::vector<double> ratios = bench::PairRatios(t.b_wall, t.a_wall);
  for (size_t i = 0; i < ratios.size(); ++i) {
    std::printf(
        "pair %zu: strata %.2f s wall (%.2f s cpu here), mariadb client %.2f s wall: %.0f vs "
        "%.0f rows/s\n",
        i, t.a_wall[i], t.a_cpu[i], t.b_wall[i], rows / t.a_wall[i], rows / t.b_wall[i]);
  }
  std::printf(
      "ingest_mysql_bench: %lld rows, throughput strata/mariadb = %.2fx (median of %lld pairs; "
      "goal >= 0.8)\n",
      static_cast<long long>(rows), bench::Median(ratios), static_cast<long long>(pairs));
  return 0;
}

}  // namespace
}  // namespace strata

int main(int argc, char** argv) { return strata::Main(argc, argv); }
