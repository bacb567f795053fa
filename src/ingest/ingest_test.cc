// The driver end to end in one process: real files, a real SQLite run store,
// real Delta tables, and the test connector of ingest_testing.h.
#include "ingest/ingest.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/logging.h"
#include "ingest/bronze_writer.h"
#include "ingest/delta_query_testing.h"
#include "ingest/ingest_testing.h"
#include "lake/lake.h"

namespace strata::ingest {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class CapturingSink : public LogSink {
 public:
  void Write(LogLevel, std::string_view line) override { text += std::string(line) + "\n"; }
  std::string text;
};

class IngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::RegisterTestConnectors();
    char tmpl[] = "/tmp/strata_ingest_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    db_ = *engine::Database::Open();
    conn_ = *engine::Connection::Open(*db_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes strata.yml with `sources` (YAML text under `sources:`) and opens it.
  std::unique_ptr<project::Project> ProjectWith(const std::string& sources) {
    std::ofstream(dir_ + "/strata.yml") << "name: t\nsources:\n" << sources;
    auto project = project::Project::Open(fs_, dir_);
    EXPECT_TRUE(project.ok()) << project.status().ToString();
    return project.ok() ? std::move(*project) : nullptr;
  }

  IngestReport Ingest(const std::string& sources, IngestOptions options = {}) {
    auto project = ProjectWith(sources);
    if (!project) return {};
    auto report = RunIngest(*project, options);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : IngestReport{};
  }

  std::string TableRoot(const std::string& schema_table) {
    auto [schema, table] = SplitTarget(schema_table);
    return dir_ + "/warehouse/" + schema + "/" + table;
  }

  // The value of `select` (with {t} standing for the table's rows) as text.
  std::string Query(const std::string& table, const std::string& select) {
    return testing::QueryDeltaTable(*conn_, TableRoot(table), select);
  }
  std::string Count(const std::string& table) { return Query(table, "SELECT count(*) FROM {t}"); }
  // "count distinct min max" of ids: every id once iff distinct == count.
  std::string IdProfile(const std::string& table) {
    return Query(table,
                 "SELECT count(*) || ' ' || count(DISTINCT id) || ' ' || min(id) || ' ' || max(id) "
                 "FROM {t}");
  }

  FileSystem& fs_ = *FileSystem::Default();
  std::string dir_;
  std::unique_ptr<engine::Database> db_;
  std::unique_ptr<engine::Connection> conn_;
};

TEST_F(IngestTest, IncrementalLandsEveryRowOnceAcrossRuns) {
  const std::string sources =
      "  src:\n    connector: counter\n    streams:\n"
      "      nums: {sync: incremental, cursor: id, rows: 95, batch_rows: 10}\n";
  IngestReport first = Ingest(sources);
  ASSERT_EQ(first.streams.size(), 1u);
  EXPECT_TRUE(first.ok()) << first.streams[0].error;
  EXPECT_EQ(first.streams[0].rows, 95);
  EXPECT_EQ(first.streams[0].batches, 10);
  EXPECT_EQ(first.streams[0].target, "bronze.src_nums");
  EXPECT_EQ(IdProfile("bronze.src_nums"), "95 95 0 94");
  // value = 2 * id, and the lineage columns are set on every row.
  EXPECT_EQ(Query("bronze.src_nums", "SELECT sum(value) FROM {t}"),
            std::to_string(2 * 94 * 95 / 2));
  EXPECT_EQ(Query("bronze.src_nums",
                  "SELECT count(*) FROM {t} WHERE _strata_source = 'src' AND "
                  "_strata_ingested_at IS NOT NULL AND _strata_batch_id LIKE 'src.nums.%'"),
            "95");
  EXPECT_EQ(Query("bronze.src_nums", "SELECT count(DISTINCT _strata_batch_id) FROM {t}"), "10");

  // Nothing new: nothing added. More rows at the source: only those.
  IngestReport second = Ingest(sources);
  EXPECT_TRUE(second.ok());
  EXPECT_EQ(second.streams[0].rows, 0);
  EXPECT_EQ(IdProfile("bronze.src_nums"), "95 95 0 94");
  IngestReport third = Ingest(
      "  src:\n    connector: counter\n    streams:\n"
      "      nums: {sync: incremental, cursor: id, rows: 130, batch_rows: 10}\n");
  EXPECT_EQ(third.streams[0].rows, 35);
  EXPECT_EQ(IdProfile("bronze.src_nums"), "130 130 0 129");

  // Bronze tables say what they are.
  auto table = lake::Table::Open(TableRoot("bronze.src_nums"), fs_, conn_.get());
  ASSERT_TRUE(table.ok());
  auto snapshot = (*table)->Latest();
  ASSERT_TRUE(snapshot.ok());
  EXPECT_EQ((*snapshot)->metadata().configuration.at("strata.layer"), "bronze");
  EXPECT_EQ((*snapshot)->metadata().configuration.at("strata.source"), "src");
  EXPECT_EQ((*snapshot)->AppTransactionVersion("strata-ingest/src/nums"),
            std::optional<int64_t>(third.streams[0].batches + 11));
}

TEST_F(IngestTest, FullRefreshReplacesTheTable) {
  const std::string sources =
      "  src:\n    connector: counter\n    streams:\n"
      "      nums: {sync: full_refresh, rows: 42, batch_rows: 10}\n";
  EXPECT_TRUE(Ingest(sources).ok());
  EXPECT_TRUE(Ingest(sources).ok());
  EXPECT_EQ(IdProfile("bronze.src_nums"), "42 42 0 41");

  // --full-refresh on an incremental stream starts over too.
  const std::string incremental =
      "  src:\n    connector: counter\n    streams:\n"
      "      nums: {sync: incremental, cursor: id, rows: 30, batch_rows: 7}\n";
  IngestOptions options;
  options.full_refresh = true;
  EXPECT_TRUE(Ingest(incremental, options).ok());
  EXPECT_EQ(IdProfile("bronze.src_nums"), "30 30 0 29");
}

TEST_F(IngestTest, RecoversStateCommittedToTheTableButNotToTheStore) {
  const std::string sources =
      "  src:\n    connector: counter\n    streams:\n"
      "      nums: {sync: incremental, cursor: id, rows: 50, batch_rows: 10}\n";
  ASSERT_TRUE(Ingest(sources).ok());
  // As if the process died after committing batches 3..5 but before their
  // state reached the store: the store still says batch 2.
  auto project = ProjectWith(sources);
  auto store = OpenProjectRunStore(*project, fs_);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->SaveState("src", "nums", {2, R"({"next":20})"}).ok());

  auto recovered = RecoverStreamState(TableRoot("bronze.src_nums"), "strata-ingest/src/nums",
                                      StreamState{2, R"({"next":20})"}, fs_, *conn_);
  ASSERT_TRUE(recovered.ok()) << recovered.status().ToString();
  EXPECT_EQ(recovered->batch_sequence, 5);
  EXPECT_EQ(recovered->state_json, R"({"next":50})");

  IngestReport rerun = Ingest(
      "  src:\n    connector: counter\n    streams:\n"
      "      nums: {sync: incremental, cursor: id, rows: 60, batch_rows: 10}\n");
  ASSERT_TRUE(rerun.ok()) << rerun.streams[0].error;
  EXPECT_EQ(rerun.streams[0].rows, 10);
  ASSERT_FALSE(rerun.streams[0].notes.empty());
  EXPECT_THAT(rerun.streams[0].notes[0], HasSubstr("state recovered from the table at batch 5"));
  EXPECT_EQ(IdProfile("bronze.src_nums"), "60 60 0 59");
  auto state = (*store)->LoadState("src", "nums");
  ASSERT_TRUE(state.ok() && state->has_value());
  EXPECT_EQ((*state)->state_json, R"({"next":60})");
}

TEST_F(IngestTest, NoTableMeansStartFromScratch) {
  auto recovered = RecoverStreamState(dir_ + "/nothing", "strata-ingest/a/b",
                                      StreamState{4, R"({"next":9})"}, fs_, *conn_);
  ASSERT_TRUE(recovered.ok());
  EXPECT_EQ(recovered->batch_sequence, 0);
  EXPECT_EQ(recovered->state_json, "null");
}

TEST_F(IngestTest, AnEmptyLogLeftByAKilledCreateIsNoTable) {
  // SIGKILL between making _delta_log/ and writing its first commit.
  std::filesystem::create_directories(TableRoot("bronze.src_nums") + "/_delta_log");
  std::filesystem::create_directories(TableRoot("bronze._quarantine_src") + "/_delta_log");
  IngestReport report = Ingest(
      "  src:\n    connector: counter\n    streams:\n"
      "      nums: {sync: incremental, cursor: id, rows: 30, bad_every: 10}\n");
  ASSERT_EQ(report.streams.size(), 1u);
  EXPECT_TRUE(report.ok()) << report.streams[0].error;
  EXPECT_EQ(IdProfile("bronze.src_nums"), "27 27 0 28");
  EXPECT_EQ(Count("bronze._quarantine_src"), "3");
}

TEST_F(IngestTest, BadRowsGoToQuarantineAndCountAgainstMaxBadRows) {
  IngestReport report = Ingest(
      "  src:\n    connector: counter\n    streams:\n"
      "      nums: {sync: append, rows: 100, batch_rows: 25, bad_every: 10}\n");
  ASSERT_TRUE(report.ok()) << report.streams[0].error;
  EXPECT_EQ(report.streams[0].rows, 90);
  EXPECT_EQ(report.streams[0].bad_rows, 10);
  EXPECT_EQ(Count("bronze.src_nums"), "90");
  EXPECT_EQ(Query("bronze.src_nums", "SELECT count(*) FROM {t} WHERE id % 10 = 9"), "0");
  const std::string quarantine = "bronze._quarantine_src";
  EXPECT_EQ(Count(quarantine), "10");
  // Every bad row is there once, with where it came from and why.
  EXPECT_EQ(Query(quarantine,
                  "SELECT count(DISTINCT line) FROM {t} WHERE stream = 'nums' AND file = 'counter' "
                  "AND raw = (line - 1) || ',oops' AND reason LIKE 'test: row % is bad' AND "
                  "(line - 1) % 10 = 9 AND _strata_batch_id LIKE 'src.nums.%' AND "
                  "_strata_ingested_at IS NOT NULL"),
            "10");

  // 10 bad rows of 100 read: over a count of 5, and over 5%, under 20%.
  for (const auto& [limit, ok] : std::vector<std::pair<std::string, bool>>{
           {"5", false}, {"0.05", false}, {"0.2", true}, {"10", true}}) {
    SCOPED_TRACE(limit);
    std::filesystem::remove_all(dir_ + "/warehouse");
    std::filesystem::remove_all(dir_ + "/.strata");
    IngestReport limited = Ingest("  src:\n    connector: counter\n    max_bad_rows: " + limit +
                                  "\n    streams:\n"
                                  "      nums: {sync: append, rows: 100, batch_rows: 25, "
                                  "bad_every: 10}\n");
    ASSERT_EQ(limited.streams.size(), 1u);
    EXPECT_EQ(limited.ok(), ok);
    EXPECT_EQ(limited.streams[0].bad_rows, 10);
    if (!ok) {
      EXPECT_THAT(limited.streams[0].error, HasSubstr("max_bad_rows"));
      EXPECT_THAT(limited.streams[0].error, HasSubstr("90 good rows committed stay"));
    }
    EXPECT_EQ(Count("bronze.src_nums"), "90");  // the good rows stay either way
  }
}

std::string Drift(const std::string& mode, const std::string& variant) {
  return "  src:\n    connector: counter\n    on_schema_change: " + mode +
         "\n    streams:\n      nums: {sync: full_refresh, rows: 10, batch_rows: 4, variant: " +
         variant + "}\n";
}

std::string AppendDrift(const std::string& mode, const std::string& variant, int rows) {
  return "  src:\n    connector: counter\n    on_schema_change: " + mode +
         "\n    streams:\n      nums: {sync: append, rows: " + std::to_string(rows) +
         ", batch_rows: 4, variant: " + variant + "}\n";
}

TEST_F(IngestTest, SchemaDriftEvolveAddsAndReportsColumns) {
  ASSERT_TRUE(Ingest(AppendDrift("evolve", "base", 10)).ok());
  IngestReport extra = Ingest(AppendDrift("evolve", "extra", 20));
  ASSERT_TRUE(extra.ok()) << extra.streams[0].error;
  EXPECT_THAT(extra.streams[0].notes, ::testing::Contains(HasSubstr("new column extra")));
  EXPECT_EQ(Query("bronze.src_nums", "SELECT count(extra) FROM {t}"), "10");
  EXPECT_EQ(Query("bronze.src_nums", "SELECT sum(extra) FROM {t} WHERE id >= 10"),
            std::to_string((10 % 7) + (11 % 7) + (12 % 7) + (13 % 7) + (14 % 7) + (15 % 7) +
                           (16 % 7) + (17 % 7) + (18 % 7) + (19 % 7)));

  IngestReport dropped = Ingest(AppendDrift("evolve", "drop", 25));
  ASSERT_TRUE(dropped.ok()) << dropped.streams[0].error;
  EXPECT_THAT(dropped.streams[0].notes, ::testing::Contains(HasSubstr("column label is gone")));
  EXPECT_EQ(Query("bronze.src_nums", "SELECT count(*) FROM {t} WHERE label IS NULL"), "5");

  IngestReport widened = Ingest(AppendDrift("evolve", "widen", 30));
  ASSERT_TRUE(widened.ok()) << widened.streams[0].error;
  EXPECT_THAT(widened.streams[0].notes,
              ::testing::Contains(HasSubstr("widened column value: integer -> long")));
  EXPECT_EQ(Query("bronze.src_nums", "SELECT typeof(value) FROM {t} LIMIT 1"), "BIGINT");

  IngestReport retyped = Ingest(AppendDrift("evolve", "retype", 35));
  EXPECT_FALSE(retyped.ok());
  EXPECT_THAT(retyped.streams[0].error, HasSubstr("value: long -> string"));
  EXPECT_THAT(retyped.streams[0].error, HasSubstr("rescue"));
  EXPECT_EQ(Count("bronze.src_nums"), "30");  // the failed batch left nothing
}

TEST_F(IngestTest, SchemaDriftRescueKeepsValuesThatDoNotFit) {
  ASSERT_TRUE(Ingest(AppendDrift("rescue", "base", 10)).ok());
  IngestReport retyped = Ingest(AppendDrift("rescue", "retype", 20));
  ASSERT_TRUE(retyped.ok()) << retyped.streams[0].error;
  // Even ids carry numbers that still fit; odd ones carry 'x<id>'.
  EXPECT_EQ(Query("bronze.src_nums", "SELECT count(*) FROM {t} WHERE id >= 10 AND value = id * 2"),
            "5");
  EXPECT_EQ(Query("bronze.src_nums",
                  "SELECT count(*) FROM {t} WHERE id >= 10 AND value IS NULL AND "
                  "(_strata_rescued::JSON->>'value') = ('x' || id)"),
            "5");
  EXPECT_EQ(Query("bronze.src_nums", "SELECT count(_strata_rescued) FROM {t}"), "5");
}

TEST_F(IngestTest, SchemaDriftFailNamesTheColumns) {
  ASSERT_TRUE(Ingest(AppendDrift("fail", "base", 10)).ok());
  IngestReport extra = Ingest(AppendDrift("fail", "extra", 20));
  EXPECT_FALSE(extra.ok());
  EXPECT_THAT(extra.streams[0].error, HasSubstr("added: extra"));
  IngestReport dropped = Ingest(AppendDrift("fail", "drop", 20));
  EXPECT_FALSE(dropped.ok());
  EXPECT_THAT(dropped.streams[0].error, HasSubstr("removed: label"));
  EXPECT_EQ(Count("bronze.src_nums"), "10");
  // A full refresh under fail objects as well.
  std::filesystem::remove_all(dir_ + "/warehouse");
  std::filesystem::remove_all(dir_ + "/.strata");
  ASSERT_TRUE(Ingest(Drift("fail", "base")).ok());
  IngestReport refresh = Ingest(Drift("fail", "widen"));
  EXPECT_FALSE(refresh.ok());
  EXPECT_THAT(refresh.streams[0].error, HasSubstr("retyped: value: integer -> long"));
}

TEST_F(IngestTest, AFailingStreamDoesNotStopTheOthers) {
  IngestReport report = Ingest(
      "  first:\n    connector: counter\n    streams:\n"
      "      a: {rows: 5}\n"
      "  missing:\n    connector: no_such_thing\n    streams: {x: {}}\n"
      "  good:\n    connector: counter\n    streams:\n      b: {rows: 7}\n      c: {rows: 3}\n");
  ASSERT_EQ(report.streams.size(), 4u);
  EXPECT_EQ(report.streams[0].status, "succeeded");
  EXPECT_EQ(report.streams[1].status, "failed");
  EXPECT_THAT(report.streams[1].error, HasSubstr("no connector named 'no_such_thing'"));
  EXPECT_EQ(report.streams[2].status, "succeeded");
  EXPECT_EQ(report.streams[3].status, "succeeded");
  EXPECT_FALSE(report.ok());
  EXPECT_EQ(Count("bronze.good_b"), "7");
  EXPECT_EQ(Count("bronze.good_c"), "3");
}

TEST_F(IngestTest, SelectorsPickSourcesAndStreams) {
  const std::string sources =
      "  one:\n    connector: counter\n    streams:\n      a: {rows: 2}\n      b: {rows: 3}\n"
      "  two:\n    connector: counter\n    streams:\n      c: {rows: 4}\n";
  IngestOptions options;
  options.selectors = {"one.b", "two"};
  IngestReport report = Ingest(sources, options);
  ASSERT_EQ(report.streams.size(), 2u);
  EXPECT_EQ(report.streams[0].stream, "b");
  EXPECT_EQ(report.streams[1].stream, "c");
  EXPECT_FALSE(std::filesystem::exists(TableRoot("bronze.one_a")));

  auto project = ProjectWith(sources);
  options.selectors = {"three"};
  auto unknown = RunIngest(*project, options);
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.status().message(), HasSubstr("no source named 'three'"));
  EXPECT_THAT(unknown.status().message(), HasSubstr("one, two"));
  options.selectors = {"one.z"};
  unknown = RunIngest(*project, options);
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.status().message(), HasSubstr("no stream named 'z' (streams: a, b)"));
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST_F(IngestTest, SecretsAppearNowhere) {
  const std::string password = "pw-Zq81-never-show-me";
  setenv("STRATA_TEST_INGEST_PW", password.c_str(), 1);
  CapturingSink logs;
  SetLogSink(&logs);
  const LogLevel level = GetLogLevel();
  SetLogLevel(LogLevel::kTrace);
  const std::string sources =
      "  db:\n    connector: counter\n    password: ${STRATA_TEST_INGEST_PW}\n"
      "    fail_with_password: true\n    streams:\n      a: {rows: 5}\n";
  IngestReport report = Ingest(sources);
  IngestOptions check;
  check.check_only = true;
  IngestReport checked = Ingest(sources, check);
  SetLogSink(nullptr);
  SetLogLevel(level);  // later tests in this process read info lines
  ASSERT_EQ(report.streams.size(), 1u);
  EXPECT_FALSE(report.ok());
  EXPECT_THAT(report.streams[0].error, HasSubstr("counter://user:***@localhost"));
  EXPECT_THAT(report.streams[0].error, Not(HasSubstr(password)));
  EXPECT_THAT(checked.streams[0].error, HasSubstr("***"));
  EXPECT_THAT(checked.streams[0].error, Not(HasSubstr(password)));
  EXPECT_THAT(logs.text, HasSubstr("counter://user:***@localhost"));  // the failure was logged
  EXPECT_THAT(logs.text, Not(HasSubstr(password)));
  // The run store's files, WAL included, hold the error but never the secret.
  std::string stored;
  for (const char* suffix : {"", "-wal", "-shm"}) {
    stored += ReadAll(dir_ + "/.strata/metadata.db" + suffix);
  }
  EXPECT_THAT(stored, HasSubstr("counter://user:***@localhost"));
  EXPECT_EQ(stored.find(password), std::string::npos);
  unsetenv("STRATA_TEST_INGEST_PW");
}

TEST_F(IngestTest, RunsAreRecorded) {
  const std::string sources = "  src:\n    connector: counter\n    streams:\n      a: {rows: 12}\n";
  Ingest(sources);
  Ingest(
      "  src:\n    connector: counter\n    on_schema_change: fail\n    streams:\n"
      "      a: {rows: 12, variant: extra}\n");
  auto project = ProjectWith(sources);
  auto store = OpenProjectRunStore(*project, fs_);
  ASSERT_TRUE(store.ok());
  auto runs = (*store)->ListRuns(10);
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 2u);
  const RunRecord& failed = (*runs)[0];  // newest first
  EXPECT_EQ(failed.status, "failed");
  EXPECT_THAT(failed.error, HasSubstr("added: extra"));
  const RunRecord& ok = (*runs)[1];
  EXPECT_EQ(ok.source, "src");
  EXPECT_EQ(ok.stream, "a");
  EXPECT_EQ(ok.status, "succeeded");
  EXPECT_EQ(ok.rows, 12);
  EXPECT_EQ(ok.bytes, 12 * 16);
  EXPECT_EQ(ok.bad_rows, 0);
  EXPECT_EQ(ok.state, R"({"next":12})");
  EXPECT_GT(ok.ended_micros, 0);
  EXPECT_GE(ok.ended_micros, ok.started_micros);
  EXPECT_LT(ok.id, failed.id);
}

TEST_F(IngestTest, RunStoreMarksAbandonedRunsInterrupted) {
  auto store = OpenSqliteRunStore(dir_ + "/m.db");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto first = (*store)->StartRun("s", "a", 100);
  ASSERT_TRUE(first.ok());
  auto other = (*store)->StartRun("s", "b", 150);
  ASSERT_TRUE(other.ok());
  // Another process opens the same store while the first run never finished.
  auto second_store = OpenSqliteRunStore(dir_ + "/m.db");
  ASSERT_TRUE(second_store.ok());
  auto second = (*second_store)->StartRun("s", "a", 200);
  ASSERT_TRUE(second.ok());
  auto runs = (*store)->ListRuns(0);
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 3u);
  EXPECT_EQ((*runs)[2].status, "interrupted");
  EXPECT_EQ((*runs)[1].status, "running");  // stream b is not touched
  EXPECT_EQ((*runs)[0].status, "running");
  RunRecord unknown;
  unknown.id = 999;
  EXPECT_TRUE((*store)->FinishRun(unknown).IsNotFound());
  EXPECT_EQ((*store)->ListRuns(1)->size(), 1u);
}

}  // namespace
}  // namespace strata::ingest
