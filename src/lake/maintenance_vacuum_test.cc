// VACUUM on real tables in temp directories, with a FakeClock for "now" and
// for the tombstones' deletion timestamps. The clock starts at the real time
// so that the files' real modification times sit at its start.
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "lake/maintenance.h"
#include "lake/writer_testing.h"

namespace strata::lake {
namespace {

using nlohmann::json;
using testing::IdNameSchema;
using testing::Rows;

constexpr int64_t kDayMicros = 24LL * 3600 * 1'000'000;

class VacuumTest : public testing::WriterTest {
 protected:
  void SetUp() override {
    WriterTest::SetUp();
    Exec(
        "CREATE TABLE src AS SELECT CAST(i AS BIGINT) AS id, 'n' || i AS name, "
        "['a','b','c'][i % 3 + 1] AS p FROM range(0, 90) t(i)");
    clock_ = std::make_unique<FakeClock>(Clock::Default()->NowMicros());
  }

  std::unique_ptr<TableWriter> Create(StringMap properties = {}) {
    CreateTableOptions options;
    options.partition_columns = {"p"};
    options.properties = std::move(properties);
    WriterOptions writer_options;
    writer_options.clock = clock_.get();
    auto w = TableWriter::Create(root_, *IdNameSchema({Field("p", PrimitiveType("string"))}),
                                 options, fs(), *conn_, writer_options);
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    return w.ok() ? std::move(w).value() : nullptr;
  }

  std::set<std::string> LivePaths(int64_t version) {
    auto table = Table::Open(root_, fs(), conn_.get());
    auto snapshot = (*table)->AtVersion(version);
    EXPECT_TRUE(snapshot.ok()) << snapshot.status().ToString();
    std::set<std::string> out;
    if (!snapshot.ok()) return out;
    for (const LogicalFile& f : (*snapshot)->files()) out.insert(f.path);
    return out;
  }

  VacuumOptions Options(bool dry_run = false) {
    VacuumOptions options;
    options.clock = clock_.get();
    options.dry_run = dry_run;
    return options;
  }

  static bool Exists(const std::string& path) { return std::filesystem::exists(path); }

  std::unique_ptr<FakeClock> clock_;
};

TEST_F(VacuumTest, DeletesOnlyFilesRemovedBeforeTheRetentionPeriod) {
  auto w = Create();
  ASSERT_NE(w, nullptr);
  LAKE_ASSERT_OK(w->Append("SELECT * FROM src"));                   // v1: files A
  LAKE_ASSERT_OK(w->Overwrite("SELECT * FROM src WHERE id < 60"));  // v2: A removed, B
  clock_->Advance(5 * kDayMicros);
  LAKE_ASSERT_OK(w->Overwrite("SELECT * FROM src WHERE id < 30"));  // v3: B removed, C
  clock_->Advance(3 * kDayMicros);  // A's tombstones are 8 days old, B's 3 days
  std::set<std::string> a = LivePaths(1), b = LivePaths(2), c = LivePaths(3);
  ASSERT_EQ(a.size(), 3u);

  LAKE_ASSERT_OK_AND_ASSIGN(VacuumResult dry, Vacuum(root_, fs(), *conn_, Options(true)));
  EXPECT_TRUE(dry.dry_run);
  std::set<std::string> listed;
  for (const VacuumFile& f : dry.files) listed.insert(root_ + "/" + f.path);
  EXPECT_EQ(listed, a);
  for (const std::string& path : a) EXPECT_TRUE(Exists(path)) << path;  // nothing deleted
  EXPECT_EQ(LatestVersion(root_), 3);                                   // nothing committed
  EXPECT_EQ(dry.retention_millis, 7 * kDayMicros / 1000);

  LAKE_ASSERT_OK_AND_ASSIGN(VacuumResult done, Vacuum(root_, fs(), *conn_, Options()));
  EXPECT_EQ(done.files.size(), 3u);
  EXPECT_EQ(done.bytes, dry.bytes);
  for (const std::string& path : a) EXPECT_FALSE(Exists(path)) << path;
  for (const std::string& path : b) EXPECT_TRUE(Exists(path)) << path;
  for (const std::string& path : c) EXPECT_TRUE(Exists(path)) << path;
  ASSERT_EQ(done.start_version, 4);
  ASSERT_EQ(done.end_version, 5);

  // The current version and the retained one read; the vacuumed one fails.
  EXPECT_EQ(ReadTable(root_, "id, name, p"), Query("SELECT * FROM src WHERE id < 30"));
  EXPECT_EQ(ReadTable(root_, "id, name, p", 2), Query("SELECT * FROM src WHERE id < 60"));
  auto table = Table::Open(root_, fs(), conn_.get());
  auto v1 = (*table)->AtVersion(1);
  ASSERT_TRUE(v1.ok());  // the log is intact
  auto plan = PlanScan(**v1, {}, fs(), *conn_);
  Status read = plan.ok() ? conn_->Execute(plan->sql) : plan.status();
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.message().find(*a.begin()), std::string::npos) << read.ToString();
  // RESTORE to it refuses, naming VACUUM.
  auto restored = RestoreToVersion(root_, fs(), *conn_, 1);
  ASSERT_FALSE(restored.ok());
  EXPECT_NE(restored.status().message().find("VACUUM"), std::string::npos);

  // VACUUM START / END are recorded as Delta does, with metrics.
  LAKE_ASSERT_OK_AND_ASSIGN(auto history, History(root_, fs(), conn_.get(), 2));
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].operation, "VACUUM END");
  EXPECT_EQ(history[0].operation_parameters.at("status"), "COMPLETED");
  EXPECT_EQ(history[0].operation_metrics.at("numDeletedFiles"), "3");
  EXPECT_EQ(history[1].operation, "VACUUM START");
  EXPECT_EQ(history[1].operation_metrics.at("numFilesToDelete"), "3");
  EXPECT_EQ(history[1].operation_metrics.at("sizeOfDataToDelete"), std::to_string(done.bytes));

  // Eight days on, B's tombstones expire too.
  clock_->Advance(5 * kDayMicros);
  LAKE_ASSERT_OK_AND_ASSIGN(VacuumResult later, Vacuum(root_, fs(), *conn_, Options()));
  EXPECT_EQ(later.files.size(), b.size());
  for (const std::string& path : b) EXPECT_FALSE(Exists(path)) << path;
  EXPECT_EQ(ReadTable(root_, "id, name, p"), Query("SELECT * FROM src WHERE id < 30"));
}

TEST_F(VacuumTest, OrphansGoHiddenFilesAndTheLogStay) {
  auto w = Create();
  ASSERT_NE(w, nullptr);
  LAKE_ASSERT_OK(w->Append("SELECT * FROM src"));
  auto write = [](const std::string& path) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream(path) << "x";
  };
  write(root_ + "/p=a/part-orphan.parquet");  // a crashed writer's file
  write(root_ + "/stray.txt");
  write(root_ + "/p=z/part-orphan.parquet");  // a partition with nothing live
  write(root_ + "/_tmp/keep.parquet");
  write(root_ + "/.hidden");
  write(root_ + "/p=a/.part-x.crc");
  write(root_ + "/_delta_log/notes.txt");

  // Fresh orphans may be a commit in flight: kept while newer than the cutoff.
  LAKE_ASSERT_OK_AND_ASSIGN(VacuumResult fresh, Vacuum(root_, fs(), *conn_, Options(true)));
  EXPECT_TRUE(fresh.files.empty());

  clock_->Advance(8 * kDayMicros);
  LAKE_ASSERT_OK_AND_ASSIGN(VacuumResult r, Vacuum(root_, fs(), *conn_, Options()));
  std::vector<std::string> deleted;
  for (const VacuumFile& f : r.files) deleted.push_back(f.path);
  EXPECT_EQ(deleted, (std::vector<std::string>{"p=a/part-orphan.parquet", "p=z/part-orphan.parquet",
                                               "stray.txt"}));
  EXPECT_FALSE(Exists(root_ + "/p=z"));  // left empty, removed
  EXPECT_EQ(r.directories_deleted, 1);
  EXPECT_TRUE(Exists(root_ + "/_tmp/keep.parquet"));
  EXPECT_TRUE(Exists(root_ + "/.hidden"));
  EXPECT_TRUE(Exists(root_ + "/p=a/.part-x.crc"));
  EXPECT_TRUE(Exists(root_ + "/_delta_log/notes.txt"));
  EXPECT_EQ(ReadTable(root_, "id, name, p"), Query("SELECT * FROM src"));
}

TEST_F(VacuumTest, ShortRetentionNeedsTheOverride) {
  auto w = Create();
  ASSERT_NE(w, nullptr);
  LAKE_ASSERT_OK(w->Append("SELECT * FROM src"));
  LAKE_ASSERT_OK(w->Overwrite("SELECT * FROM src WHERE id < 3"));
  std::set<std::string> removed = LivePaths(1);
  clock_->Advance(2 * 3600 * 1'000'000LL);

  VacuumOptions one_hour = Options();
  one_hour.retention_millis = 3600 * 1000;
  auto refused = Vacuum(root_, fs(), *conn_, one_hour);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("retention"), std::string::npos);
  for (const std::string& path : removed) EXPECT_TRUE(Exists(path));

  VacuumOptions negative = Options();
  negative.retention_millis = -1;
  negative.enforce_retention_check = false;
  EXPECT_FALSE(Vacuum(root_, fs(), *conn_, negative).ok());

  // Real files carry the real time; the fake clock is two hours ahead of it.
  one_hour.enforce_retention_check = false;
  LAKE_ASSERT_OK_AND_ASSIGN(VacuumResult r, Vacuum(root_, fs(), *conn_, one_hour));
  EXPECT_EQ(r.files.size(), removed.size());
  for (const std::string& path : removed) EXPECT_FALSE(Exists(path));
  auto info = json::parse(History(root_, fs(), conn_.get(), 2)->at(1).commit_info_json);
  EXPECT_EQ(info["operationParameters"]["retentionCheckEnabled"], "false");
  EXPECT_EQ(info["operationParameters"]["specifiedRetentionMillis"], "3600000");
}

TEST_F(VacuumTest, TablePropertySetsTheRetention) {
  auto w = Create({{"delta.deletedFileRetentionDuration", "interval 1 hours"}});
  ASSERT_NE(w, nullptr);
  LAKE_ASSERT_OK(w->Append("SELECT * FROM src"));
  LAKE_ASSERT_OK(w->Overwrite("SELECT * FROM src WHERE id < 3"));
  std::set<std::string> removed = LivePaths(1);
  clock_->Advance(2 * 3600 * 1'000'000LL);
  VacuumOptions options = Options();
  options.record_in_log = false;
  LAKE_ASSERT_OK_AND_ASSIGN(VacuumResult r, Vacuum(root_, fs(), *conn_, options));
  EXPECT_EQ(r.retention_millis, 3600 * 1000);
  EXPECT_EQ(r.files.size(), removed.size());
  EXPECT_FALSE(r.start_version.has_value());
  EXPECT_EQ(LatestVersion(root_), 2);
  EXPECT_EQ(ReadTable(root_, "id, name, p"), Query("SELECT * FROM src WHERE id < 3"));
}

TEST_F(VacuumTest, OptimizedAwayFilesStayForTimeTravelUntilExpired) {
  auto w = Create();
  ASSERT_NE(w, nullptr);
  for (int i = 0; i < 3; ++i) LAKE_ASSERT_OK(w->Append("SELECT * FROM src"));
  OptimizeOptions optimize;
  optimize.clock = clock_.get();
  LAKE_ASSERT_OK_AND_ASSIGN(OptimizeResult o, Optimize(root_, fs(), *conn_, optimize));
  ASSERT_EQ(o.files_removed, 9);
  clock_->Advance(kDayMicros);
  LAKE_ASSERT_OK_AND_ASSIGN(VacuumResult kept, Vacuum(root_, fs(), *conn_, Options()));
  EXPECT_TRUE(kept.files.empty());
  EXPECT_EQ(ReadTable(root_, "count(*)", 3), Rows{"270"});
  clock_->Advance(7 * kDayMicros);
  LAKE_ASSERT_OK_AND_ASSIGN(VacuumResult gone, Vacuum(root_, fs(), *conn_, Options()));
  EXPECT_EQ(gone.files.size(), 9u);
  EXPECT_EQ(ReadTable(root_, "count(*)"), Rows{"270"});
}

TEST_F(VacuumTest, TombstonesInACheckpointProtectFilesAfterLogCleanup) {
  auto w = Create({{"delta.checkpointInterval", "2"}});
  ASSERT_NE(w, nullptr);
  LAKE_ASSERT_OK(w->Append("SELECT * FROM src"));                   // v1: files A
  LAKE_ASSERT_OK(w->Overwrite("SELECT * FROM src WHERE id < 30"));  // v2: A removed; checkpoint
  LAKE_ASSERT_OK(w->Append("SELECT * FROM src WHERE id >= 30"));    // v3
  std::set<std::string> a = LivePaths(1);
  ASSERT_TRUE(Exists(root_ + "/_delta_log/00000000000000000002.checkpoint.parquet"));
  // Log cleanup: the commits the checkpoint covers are gone, A's tombstones
  // live on only in the checkpoint.
  for (int64_t v = 0; v <= 2; ++v) std::filesystem::remove(CommitPath(root_, v));

  clock_->Advance(kDayMicros);
  LAKE_ASSERT_OK_AND_ASSIGN(VacuumResult early, Vacuum(root_, fs(), *conn_, Options(true)));
  EXPECT_TRUE(early.files.empty());
  clock_->Advance(7 * kDayMicros);
  LAKE_ASSERT_OK_AND_ASSIGN(VacuumResult late, Vacuum(root_, fs(), *conn_, Options(true)));
  std::set<std::string> listed;
  for (const VacuumFile& f : late.files) listed.insert(root_ + "/" + f.path);
  EXPECT_EQ(listed, a);
}

TEST(ParseIntervalMillisTest, DeltaSpellings) {
  EXPECT_EQ(*ParseIntervalMillis("interval 7 days"), 7LL * 86400 * 1000);
  EXPECT_EQ(*ParseIntervalMillis("INTERVAL 1 WEEK"), 7LL * 86400 * 1000);
  EXPECT_EQ(*ParseIntervalMillis("interval 168 hours"), 168LL * 3600 * 1000);
  EXPECT_EQ(*ParseIntervalMillis("interval 1 day 12 hours"), 36LL * 3600 * 1000);
  EXPECT_EQ(*ParseIntervalMillis("30 minutes"), 30LL * 60 * 1000);
  EXPECT_EQ(*ParseIntervalMillis("interval 0 seconds"), 0);
  EXPECT_FALSE(ParseIntervalMillis("interval 1 month").ok());
  EXPECT_FALSE(ParseIntervalMillis("7 days ago").ok());
  EXPECT_FALSE(ParseIntervalMillis("interval -1 days").ok());
  EXPECT_FALSE(ParseIntervalMillis("").ok());
}

}  // namespace
}  // namespace strata::lake
