// What resolving warehouse names costs per statement: the same small query
// through a SqlSession (which, before each statement, checks the view
// definitions and lists the Delta logs of everything the statement reads)
// and on plain DuckDB views over the same Parquet files (nothing to check).
//
//   sql_view_bench [--statements=N] [--pairs=N] [--depth=N] [--threads=N]
//
// Three shapes, each reported as session/raw CPU time per statement and the
// difference in microseconds (the per-statement overhead):
//   table  select count(*) from silver.t
//   views  select count(*) from gold.v<depth> (a chain of `depth` views over
//          silver.t: each view's definition file is read and parsed)
//   fresh  the first statement after a commit to silver.t: the latest-table
//          view and every view of the chain are rebuilt
// Times are process CPU; pairs alternate which side goes first.
#include <algorithm>
#include <cstdio>
#include <string>

#include "bench_util.h"
#include "sql/session.h"

namespace {

using namespace strata;
using bench::CheckOk;
using bench::ValueOrDie;

int64_t g_statements = 2000;
int64_t g_pairs = 5;
int64_t g_depth = 3;
int64_t g_threads = 1;

void Drain(Result<std::unique_ptr<engine::QueryResult>> result, const std::string& doing) {
  auto rows = ValueOrDie(std::move(result), doing)->FetchAllRows();
  CheckOk(rows.status(), doing);
}

void Report(const char* shape, const bench::PairTimes& t, int64_t statements) {
  const double session = bench::Median(t.a_cpu) / statements * 1e6;
  const double raw = bench::Median(t.b_cpu) / statements * 1e6;
  std::printf(
      "%-6s session %8.1f us/stmt   raw duckdb %8.1f us/stmt   ratio %5.2f   overhead %7.1f us\n",
      shape, session, raw, bench::Median(bench::PairRatios(t.a_cpu, t.b_cpu)), session - raw);
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (bench::IntFlag(argv[i], "statements", &g_statements) ||
        bench::IntFlag(argv[i], "pairs", &g_pairs) || bench::IntFlag(argv[i], "depth", &g_depth) ||
        bench::IntFlag(argv[i], "threads", &g_threads)) {
      continue;
    }
    std::fprintf(stderr, "unknown flag %s\n", argv[i]);
    return 2;
  }
  bench::TempDir dir("sql_view_bench");
  FileSystem& fs = *FileSystem::Default();
  engine::DatabaseOptions options;
  options.threads = static_cast<int>(g_threads);
  auto db = ValueOrDie(engine::Database::Open(options), "open");
  auto conn = ValueOrDie(engine::Connection::Open(*db), "connect");
  auto warehouse =
      ValueOrDie(sql::Warehouse::Open(dir.path() + "/wh", {"silver", "gold"}, fs), "warehouse");
  auto session = ValueOrDie(sql::SqlSession::Create(*conn, warehouse.get(), fs), "session");
  Drain(session->Execute("create table silver.t as select range as id, range % 7 as k "
                         "from range(10000)"),
        "create table");
  std::string previous = "silver.t";
  for (int64_t d = 1; d <= g_depth; ++d) {
    const std::string name = "gold.v" + std::to_string(d);
    Drain(session->Execute("create view " + name + " as select id, k from " + previous +
                           " where k >= 0"),
          "create view");
    previous = name;
  }

  // The raw side: a second database with DuckDB views over the same files.
  auto raw_db = ValueOrDie(engine::Database::Open(options), "open raw");
  auto raw = ValueOrDie(engine::Connection::Open(*raw_db), "connect raw");
  std::string files = "[";
  for (const FileInfo& f : ValueOrDie(fs.ListDirectory(dir.path() + "/wh/silver/t"), "list")) {
    if (f.path.size() > 8 && f.path.substr(f.path.size() - 8) == ".parquet") {
      files += (files.size() > 1 ? ", '" : "'") + f.path + "'";
    }
  }
  files += "]";
  CheckOk(raw->Execute("create schema silver; create schema gold; create view silver.t as "
                       "select * from read_parquet(" +
                       files + ")"),
          "raw views");
  previous = "silver.t";
  for (int64_t d = 1; d <= g_depth; ++d) {
    const std::string name = "gold.v" + std::to_string(d);
    CheckOk(
        raw->Execute("create view " + name + " as select id, k from " + previous + " where k >= 0"),
        "raw view");
    previous = name;
  }

  auto loop = [&](const std::string& sql, bool through_session) {
    return [&, sql, through_session] {
      for (int64_t i = 0; i < g_statements; ++i) {
        if (through_session) {
          Drain(session->Execute(sql), sql);
        } else {
          Drain(raw->Query(sql), sql);
        }
      }
    };
  };
  const std::string table_sql = "select count(*) from silver.t";
  const std::string views_sql = "select count(*) from " + previous;
  Report("table",
         bench::RunPairs(static_cast<int>(g_pairs), loop(table_sql, true), loop(table_sql, false)),
         g_statements);
  Report("views",
         bench::RunPairs(static_cast<int>(g_pairs), loop(views_sql, true), loop(views_sql, false)),
         g_statements);

  // After a commit: one statement rebuilds; measured over few commits.
  const int64_t commits = std::max<int64_t>(1, g_statements / 100);
  bench::PairTimes fresh;
  for (int64_t i = 0; i < commits; ++i) {
    Drain(session->Execute("insert into silver.t values (" + std::to_string(100000 + i) + ", 1)"),
          "insert");
    bench::Stopwatch first;
    Drain(session->Execute(views_sql), views_sql);
    fresh.a_cpu.push_back(first.Cpu());
    bench::Stopwatch again;
    Drain(session->Execute(views_sql), views_sql);
    fresh.b_cpu.push_back(again.Cpu());
  }
  std::printf(
      "fresh  first statement after a commit %8.1f us, the next one %8.1f us (%lld commits, depth "
      "%lld)\n",
      bench::Median(fresh.a_cpu) * 1e6, bench::Median(fresh.b_cpu) * 1e6,
      static_cast<long long>(commits), static_cast<long long>(g_depth));
  return 0;
}
