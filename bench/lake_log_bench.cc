// The Delta log: how fast Strata loads snapshots of long logs and commits
// appends as the log grows.
//
//   lake_log_bench [--commits=N] [--checkpoint_interval=N] [--loads=N] [--window=N]
//                  [--pairs=N] [--threads=N] [--parts=abc]
//
// (a) Snapshot load (Table::Open + Latest) of a table of --commits commits,
//     one small add each, with a checkpoint every --checkpoint_interval
//     versions (goal <= 50 ms), and of the same log without checkpoints
//     (reported). The logs are written directly with the lake's action
//     serializers and checkpoint writer, not by full appends, to build fast.
// (b) Append commit latency: --commits real TableWriter::Append calls of one
//     row each on a fresh table (checkpoints every 100 versions, the default),
//     p50/p99 overall (goal p50 <= 5 ms) and per --window commits, so a
//     latency that grows with the log shows.
// (c) Replay of the 300k-file log of the shared test data: Table::Open +
//     Latest + listing the files, against DuckDB read_json over the same JSON
//     commits computing the live file set in SQL; prints the ratio.
//
// DuckDB runs with a fixed thread count (1 by default). Latencies are wall
// time (what a caller waits for) with process CPU time beside them: on a
// loaded machine wall time includes waiting for a core, CPU time does not.
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench_util.h"
#include "common/clock.h"
#include "common/file_system.h"
#include "engine/engine.h"
#include "lake/checkpoint_reader.h"
#include "lake/lake.h"

#ifndef STRATA_SOURCE_DIR
#error "STRATA_SOURCE_DIR must be defined (bench/CMakeLists.txt does)"
#endif

namespace {

using strata::FileSystem;
using strata::bench::CheckOk;
using strata::bench::Die;
using strata::bench::Median;
using strata::bench::Percentile;
using strata::bench::Stopwatch;
using strata::bench::ValueOrDie;
using strata::engine::Connection;
using strata::engine::Database;
using strata::engine::QuoteLiteral;
namespace lake = strata::lake;

int64_t g_commits = 10'000;
int64_t g_checkpoint_interval = 100;
int64_t g_loads = 20;
int64_t g_window = 1'000;
int64_t g_pairs = 5;
int64_t g_threads = 1;
std::string g_parts = "abc";

std::unique_ptr<Database> g_db;
std::unique_ptr<Connection> g_conn;

lake::DataTypePtr Schema() {
  return ValueOrDie(lake::ParseSchema(strata::bench::kSalesSchemaJson), "parsing the schema");
}

// ---- (a) snapshot load of a long log -----------------------------------

// The commit of version `v`: a commitInfo as Strata writes it and one add of
// a one-row file with statistics.
std::string CommitText(int64_t v, int64_t now_millis) {
  lake::CommitInfo info;
  info.json = R"({"timestamp":)" + std::to_string(now_millis) +
              R"(,"operation":"WRITE","operationParameters":{"mode":"Append","partitionBy":"[]"},)"
              R"("engineInfo":"Strata/0.1.0","isBlindAppend":true,"isolationLevel":"Serializable",)"
              R"("operationMetrics":{"numFiles":"1","numOutputRows":"1"},"readVersion":)" +
              std::to_string(v - 1) + "}";
  lake::AddFile add;
  char name[80];
  std::snprintf(name, sizeof name, "part-00000-%020" PRId64 "-bench-c000.zstd.parquet", v);
  add.path = name;
  add.size = 1200;
  add.modification_time = now_millis;
  add.data_change = true;
  add.stats = R"({"numRecords":1,"minValues":{"id":)" + std::to_string(v) +
              R"(,"amount":1.5,"category":"a","day":"2024-01-01"},"maxValues":{"id":)" +
              std::to_string(v) +
              R"(,"amount":1.5,"category":"a","day":"2024-01-01"},"nullCount":{"id":0,)"
              R"("amount":0,"category":0,"day":0}})";
  return lake::SerializeCommit({lake::Action(std::move(info)), lake::Action(std::move(add))});
}

void WriteFile(const std::string& path, const std::string& text) {
  auto file = ValueOrDie(FileSystem::Default()->OpenForWrite(path), "opening " + path);
  CheckOk(file->Append(text), "writing " + path);
  CheckOk(file->Close(), "closing " + path);
}

// Writes versions 1 .. commits-1 of the tables at `with_cp` (checkpointed
// every g_checkpoint_interval versions) and `without_cp` (no checkpoints);
// both were created (version 0) already.
void BuildLogs(const std::string& with_cp, const std::string& without_cp) {
  FileSystem& fs = *FileSystem::Default();
  strata::Clock& clock = *strata::Clock::Default();
  for (int64_t v = 1; v < g_commits; ++v) {
    std::string text = CommitText(v, clock.NowMicros() / 1000);
    WriteFile(lake::CommitPath(with_cp, v), text);
    WriteFile(lake::CommitPath(without_cp, v), text);
    if (v % g_checkpoint_interval == 0) {
      ValueOrDie(lake::WriteCheckpoint(with_cp, v, fs, *g_conn, clock), "writing a checkpoint");
    }
  }
}

size_t LoadSnapshot(const std::string& root) {
  auto table =
      ValueOrDie(lake::Table::Open(root, *FileSystem::Default(), g_conn.get()), "opening " + root);
  auto snapshot = ValueOrDie(table->Latest(), "loading the snapshot of " + root);
  if (snapshot->version() != g_commits - 1) Die("loaded the wrong version of " + root);
  return snapshot->files().size();
}

// Where one load's time goes: listing _delta_log (as Latest does: names only,
// from the `_last_checkpoint` version on; the full listing with a stat per
// entry beside it), then replaying the checkpoint (read through DuckDB) and
// the commits after it; the checkpoint read alone, typed and through JSON.
// Medians of `reps` loads, CPU ms.
void PrintLoadPhases(const char* what, const std::string& root, int reps) {
  FileSystem& fs = *FileSystem::Default();
  const std::string log_dir = root + "/_delta_log";
  std::vector<double> list, full_list, replay, typed, json;
  size_t commits = 0;
  std::optional<int64_t> checkpoint;
  for (int i = 0; i < reps; ++i) {
    Stopwatch sw;
    auto listing = ValueOrDie(lake::ListLogForLatest(fs, log_dir), "listing " + root);
    auto segment = ValueOrDie(lake::BuildLogSegment(listing, std::nullopt, root), "segment");
    list.push_back(sw.Cpu() * 1e3);
    Stopwatch fw;
    (void)ValueOrDie(lake::ListLog(fs, log_dir), "listing " + root);
    full_list.push_back(fw.Cpu() * 1e3);
    Stopwatch rw;
    (void)ValueOrDie(lake::Snapshot::Replay(root, segment, fs, g_conn.get()), "replaying");
    replay.push_back(rw.Cpu() * 1e3);
    commits = segment.commits.size();
    if (segment.checkpoint) {
      checkpoint = segment.checkpoint->version;
      for (auto mode : {lake::CheckpointReadMode::kTyped, lake::CheckpointReadMode::kJson}) {
        Stopwatch cw;
        (void)ValueOrDie(lake::ReadCheckpoint(*segment.checkpoint, log_dir, fs, g_conn.get(), mode),
                         "reading the checkpoint");
        (mode == lake::CheckpointReadMode::kTyped ? typed : json).push_back(cw.Cpu() * 1e3);
      }
    }
  }
  std::printf(
      "  %s: list _delta_log %.1f ms (full listing with mtimes: %.1f) + replay %.1f ms "
      "(%s%zu JSON commits), CPU\n",
      what, Median(list), Median(full_list), Median(replay),
      checkpoint ? ("checkpoint " + std::to_string(*checkpoint) + " + ").c_str() : "", commits);
  if (checkpoint) {
    std::printf("  %s: checkpoint read alone %.1f ms typed, %.1f ms through JSON text, CPU\n", what,
                Median(typed), Median(json));
  }
}

void PartA(const std::string& dir) {
  std::printf("\n(a) snapshot load of a %lld-commit log, one add per commit\n",
              static_cast<long long>(g_commits));
  FileSystem& fs = *FileSystem::Default();
  std::string with_cp = dir + "/log_checkpointed", without_cp = dir + "/log_plain";
  lake::WriterOptions no_checkpoints;
  no_checkpoints.write_checkpoints = false;
  lake::CreateTableOptions options;
  options.properties["delta.checkpointInterval"] = std::to_string(g_checkpoint_interval);
  for (const std::string& root : {with_cp, without_cp}) {
    ValueOrDie(lake::TableWriter::Create(root, *Schema(), options, fs, *g_conn, no_checkpoints),
               "creating " + root);
  }
  Stopwatch build;
  BuildLogs(with_cp, without_cp);
  std::printf("built both logs in %.1f s (checkpoint every %lld versions in the first)\n",
              build.Wall(), static_cast<long long>(g_checkpoint_interval));
  if (LoadSnapshot(with_cp) != static_cast<size_t>(g_commits - 1) ||
      LoadSnapshot(without_cp) != static_cast<size_t>(g_commits - 1)) {
    Die("a snapshot does not hold one file per commit");
  }

  auto t = strata::bench::RunPairs(
      static_cast<int>(g_loads), [&] { LoadSnapshot(with_cp); }, [&] { LoadSnapshot(without_cp); });
  auto print = [](const char* what, const std::vector<double>& wall, const std::vector<double>& cpu,
                  const char* goal) {
    std::printf("%s: median %.1f ms wall, %.1f ms CPU (p90 %.1f ms wall)%s\n", what,
                Median(wall) * 1e3, Median(cpu) * 1e3, Percentile(wall, 90) * 1e3, goal);
  };
  print("snapshot load with checkpoints", t.a_wall, t.a_cpu, " (goal <= 50 ms)");
  print("snapshot load without checkpoints", t.b_wall, t.b_cpu, "");
  PrintLoadPhases("with checkpoints", with_cp, 5);
  PrintLoadPhases("without checkpoints", without_cp, 5);
}

// ---- (b) append commit latency -----------------------------------------

void PartB(const std::string& dir) {
  std::printf(
      "\n(b) latency of %lld one-row appends (TableWriter::Append), checkpoints every "
      "100 versions\n",
      static_cast<long long>(g_commits));
  FileSystem& fs = *FileSystem::Default();
  std::string root = dir + "/appends";
  auto writer =
      ValueOrDie(lake::TableWriter::Create(root, *Schema(), {}, fs, *g_conn), "creating " + root);
  std::vector<double> wall, cpu, checkpoint_wall;
  std::printf("%-15s %9s %9s %9s %9s %14s %16s\n", "commits", "p50 ms", "p99 ms", "max ms",
              "p50 CPU", "checkpoints", "load ms (CPU)");
  for (int64_t i = 0; i < g_commits; ++i) {
    std::string query = "SELECT " + std::to_string(i) +
                        "::BIGINT AS id, 1.5 AS amount, 'a' AS category, DATE '2024-01-01' AS day";
    Stopwatch sw;
    auto result = ValueOrDie(writer->Append(query), "appending");
    wall.push_back(sw.Wall());
    cpu.push_back(sw.Cpu());
    if (!result.committed || result.rows_inserted != 1) Die("an append did not commit one row");
    if (result.checkpoint_written) checkpoint_wall.push_back(wall.back());
    CheckOk(result.checkpoint_status,
            "the checkpoint after version " + std::to_string(result.version));
    if ((i + 1) % g_window == 0 || i + 1 == g_commits) {
      size_t begin = static_cast<size_t>(i / g_window * g_window);
      std::vector<double> w(wall.begin() + begin, wall.end());
      std::vector<double> c(cpu.begin() + begin, cpu.end());
      // The snapshot load each append starts with, at this log length.
      std::vector<double> loads;
      for (int k = 0; k < 5; ++k) {
        Stopwatch load;
        auto table = ValueOrDie(lake::Table::Open(root, fs, g_conn.get()), "opening");
        (void)ValueOrDie(table->Latest(), "loading");
        loads.push_back(load.Cpu());
      }
      char range[32];
      std::snprintf(range, sizeof range, "%lld-%lld", static_cast<long long>(begin + 1),
                    static_cast<long long>(i + 1));
      std::printf("%-15s %9.2f %9.2f %9.2f %9.2f %14zu %16.2f\n", range, Percentile(w, 50) * 1e3,
                  Percentile(w, 99) * 1e3, strata::bench::Max(w) * 1e3, Percentile(c, 50) * 1e3,
                  checkpoint_wall.size(), Median(loads) * 1e3);
      std::fflush(stdout);
    }
  }
  std::printf(
      "all %lld appends: p50 %.2f ms, p99 %.2f ms wall (p50 %.2f ms CPU) (goal p50 <= 5 ms)\n",
      static_cast<long long>(g_commits), Percentile(wall, 50) * 1e3, Percentile(wall, 99) * 1e3,
      Percentile(cpu, 50) * 1e3);
  if (!checkpoint_wall.empty()) {
    std::printf("the %zu appends that wrote a checkpoint: p50 %.2f ms wall\n",
                checkpoint_wall.size(), Percentile(checkpoint_wall, 50) * 1e3);
  }
}

// ---- (c) replay of a 300k-file log --------------------------------------

// The live files of the JSON log in `log_dir`, computed by DuckDB alone: the
// newest action per path wins, and the file is live when it is an add.
std::string LiveFilesSql(const std::string& log_dir) {
  return "WITH log AS (SELECT CAST(regexp_extract(filename, '(\\d{20})\\.json$', 1) AS BIGINT) "
         "AS version, \"add\", \"remove\" FROM read_json(" +
         QuoteLiteral(log_dir + "/*.json") +
         ", format = 'newline_delimited', filename = true, columns = {"
         "'add': 'STRUCT(path VARCHAR, partitionValues MAP(VARCHAR, VARCHAR), size BIGINT, "
         "modificationTime BIGINT, dataChange BOOLEAN, stats VARCHAR)', "
         "'remove': 'STRUCT(path VARCHAR, deletionTimestamp BIGINT, dataChange BOOLEAN)'})), "
         "actions AS (SELECT version, coalesce(\"add\".path, \"remove\".path) AS path, \"add\" "
         "FROM log WHERE \"add\" IS NOT NULL OR \"remove\" IS NOT NULL) "
         "SELECT url_decode(path) AS path, \"add\".size AS size, "
         "\"add\".partitionValues AS partition_values FROM actions "
         "QUALIFY row_number() OVER (PARTITION BY path ORDER BY version DESC) = 1 "
         "AND \"add\" IS NOT NULL";
}

struct FileSet {
  size_t files = 0;
  int64_t bytes = 0;
};

FileSet ListWithDelta(const std::string& root) {
  auto table =
      ValueOrDie(lake::Table::Open(root, *FileSystem::Default(), g_conn.get()), "opening " + root);
  auto snapshot = ValueOrDie(table->Latest(), "loading the snapshot of " + root);
  FileSet set;
  for (const lake::LogicalFile& file : snapshot->files()) {
    ++set.files;
    set.bytes += file.add.size;
  }
  return set;
}

FileSet ListWithReadJson(const std::string& sql) {
  auto result = ValueOrDie(g_conn->Query(sql), "running read_json");
  FileSet set;
  while (true) {
    auto chunk = ValueOrDie(result->Fetch(), "fetching the live files");
    if (chunk == nullptr) break;
    const int64_t* sizes = chunk->Data<int64_t>(1);
    for (size_t row = 0; row < chunk->size(); ++row) set.bytes += sizes[row];
    set.files += chunk->size();
  }
  return set;
}

void PartC(const std::string& dir) {
  const std::string tarball = std::string(STRATA_SOURCE_DIR) +
                              "/../shared/testdata/delta/kernel-data/"
                              "300k-add-files-100-col-partitioned.tar.zst";
  std::printf("\n(c) replay of %s\n", tarball.c_str());
  std::string command = "zstd -dc " + tarball + " | tar -x -C " + dir;
  if (std::system(command.c_str()) != 0) Die("could not unpack: " + command);
  const std::string root = dir + "/300k-add-files-100-col-partitioned";
  const std::string sql = LiveFilesSql(root + "/_delta_log");

  FileSet delta = ListWithDelta(root), raw = ListWithReadJson(sql);
  if (delta.files != raw.files || delta.bytes != raw.bytes) {
    Die("the Delta snapshot has " + std::to_string(delta.files) + " files, read_json " +
        std::to_string(raw.files));
  }
  auto t = strata::bench::RunPairs(
      static_cast<int>(g_pairs), [&] { ListWithDelta(root); }, [&] { ListWithReadJson(sql); });
  auto ratios = strata::bench::PairRatios(t.a_cpu, t.b_cpu);
  std::printf(
      "%zu live files: Delta snapshot load + list median %.0f ms CPU (%.0f ms wall), "
      "read_json + SQL median %.0f ms CPU (%.0f ms wall)\n",
      delta.files, Median(t.a_cpu) * 1e3, Median(t.a_wall) * 1e3, Median(t.b_cpu) * 1e3,
      Median(t.b_wall) * 1e3);
  std::printf("wall time: median of pair ratios %.3f\n",
              Median(strata::bench::PairRatios(t.a_wall, t.b_wall)));
  std::printf(
      "ratio (delta/read_json time, 300k-file replay): %.3f (median of %lld back-to-back pairs, "
      "process CPU time, pair ratios %.3f .. %.3f)\n",
      Median(ratios), static_cast<long long>(g_pairs), strata::bench::Min(ratios),
      strata::bench::Max(ratios));
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (strata::bench::IntFlag(argv[i], "commits", &g_commits) ||
        strata::bench::IntFlag(argv[i], "checkpoint_interval", &g_checkpoint_interval) ||
        strata::bench::IntFlag(argv[i], "loads", &g_loads) ||
        strata::bench::IntFlag(argv[i], "window", &g_window) ||
        strata::bench::IntFlag(argv[i], "pairs", &g_pairs) ||
        strata::bench::IntFlag(argv[i], "threads", &g_threads) ||
        strata::bench::StringFlag(argv[i], "parts", &g_parts)) {
      continue;
    }
    Die(std::string("unknown flag ") + argv[i] +
        " (flags: --commits --checkpoint_interval --loads --window --pairs --threads --parts)");
  }
  if (g_commits < 2 || g_checkpoint_interval < 1 || g_loads < 1 || g_window < 1 || g_pairs < 1) {
    Die("bad flags");
  }
  strata::engine::DatabaseOptions options;
  options.threads = static_cast<int>(g_threads);
  g_db = ValueOrDie(Database::Open(options), "opening DuckDB");
  g_conn = ValueOrDie(Connection::Open(*g_db), "connecting");
  std::printf("Delta log benchmarks, DuckDB threads: %lld\n", static_cast<long long>(g_threads));
  strata::bench::TempDir dir("lake_log_bench");
  if (g_parts.find('a') != std::string::npos) PartA(dir.path());
  if (g_parts.find('b') != std::string::npos) PartB(dir.path());
  if (g_parts.find('c') != std::string::npos) PartC(dir.path());
  g_conn.reset();
  g_db.reset();
  return 0;
}
