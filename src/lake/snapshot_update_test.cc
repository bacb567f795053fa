// Rolling a snapshot forward (Snapshot::RollForward via Table::Update) and
// the listing from `_last_checkpoint` on: each must give exactly what a fresh
// load of the whole log gives, and what a model kept by the test expects.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "common/fake_file_system.h"
#include "lake/lake.h"
#include "lake/snapshot.h"
#include "lake/writer.h"
#include "lake/writer_testing.h"

namespace strata::lake {
namespace {

constexpr char kSchema[] =
    R"({"type":"struct","fields":[{"name":"id","type":"long","nullable":true,"metadata":{}},)"
    R"({"name":"p","type":"string","nullable":true,"metadata":{}}]})";
constexpr char kWiderSchema[] =
    R"({"type":"struct","fields":[{"name":"id","type":"long","nullable":true,"metadata":{}},)"
    R"({"name":"p","type":"string","nullable":true,"metadata":{}},)"
    R"({"name":"q","type":"integer","nullable":true,"metadata":{}}]})";

Metadata Meta(const char* schema = kSchema) {
  Metadata m;
  m.id = "t";
  m.schema_string = schema;
  m.partition_columns = {"p"};
  return m;
}

// Everything a reader can observe of a snapshot, as one comparable string.
std::string Describe(const Snapshot& s) {
  std::string out = "v" + std::to_string(s.version()) + "\n";
  out += ActionToJson(s.protocol()) + "\n" + ActionToJson(s.metadata()) + "\n";
  out += s.schema().ToString() + "\n";
  for (const LogicalFile& f : s.files()) {
    // A checkpoint stores every add with dataChange false (it describes
    // state, not change), so a load through one differs from a roll over the
    // commits in that flag alone; readers do not use it.
    AddFile add = f.add;
    add.data_change = true;
    out += f.path + " " + ActionToJson(add) + "\n";
  }
  for (const auto& [app, txn] : s.app_transactions()) out += ActionToJson(txn) + "\n";
  for (const auto& [name, d] : s.domain_metadata()) out += ActionToJson(d) + "\n";
  return out;
}

class SnapshotUpdateTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(fs_.CreateDirectories("/t/_delta_log").ok()); }

  void Commit(int64_t v, const std::vector<Action>& actions) {
    ASSERT_TRUE(fs_.WriteFileIfAbsent("/t/_delta_log/" + VersionPrefix(v) + ".json",
                                      SerializeCommit(actions))
                    .ok());
  }

  std::unique_ptr<Snapshot> Fresh() {
    auto table = Table::Open("/t", fs_, nullptr);
    EXPECT_TRUE(table.ok());
    auto s = (*table)->Latest();
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }

  std::unique_ptr<Snapshot> Update(std::unique_ptr<Snapshot> base) {
    auto table = Table::Open("/t", fs_, nullptr);
    EXPECT_TRUE(table.ok());
    auto s = (*table)->Update(std::move(base));
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }

  // The randomized roll-forward check below.
  void RollForwardEqualsFreshLoad(int base_files);

  FakeClock clock_{1'000'000};
  InMemoryFileSystem fs_{&clock_};
};

AddFile Add(const std::string& path, int64_t size,
            std::optional<DeletionVectorDescriptor> dv = std::nullopt) {
  AddFile a;
  a.path = path;
  a.partition_values = {{"p", "x"}};
  a.size = size;
  a.stats = R"({"numRecords":)" + std::to_string(size) + "}";
  a.deletion_vector = std::move(dv);
  return a;
}

RemoveFile Remove(const std::string& path,
                  std::optional<DeletionVectorDescriptor> dv = std::nullopt) {
  RemoveFile r;
  r.path = path;
  r.deletion_vector = std::move(dv);
  return r;
}

// Random commits (adds, removes, re-adds with deletion vectors, encoded
// paths, txns, domains, a schema change); the rolled-forward snapshot is
// compared with a fresh load and with the test's own model of the live files
// after every step, rolling over one to three commits at a time.
//
// With `base_files` files added by version 0, each roll-forward changes few
// files against many: RollForward edits its file vector in place instead of
// merging (snapshot.cc, kMergeRatio); both must give the same result.
void SnapshotUpdateTest::RollForwardEqualsFreshLoad(int base_files) {
  std::vector<Action> first = {Protocol{3, 7, std::vector<std::string>{"deletionVectors"},
                                        std::vector<std::string>{"deletionVectors"}},
                               Meta()};
  // The model: live (decoded path, dv id) -> add size.
  std::map<std::pair<std::string, std::string>, int64_t> live;
  std::map<std::pair<std::string, std::string>, std::optional<DeletionVectorDescriptor>> dvs;
  for (int i = 0; i < base_files; ++i) {
    // Names that sort before, between and after the random ones below.
    std::string path = (i % 2 ? "a" : "g") + std::to_string(i) + ".parquet";
    first.emplace_back(Add(path, i));
    live[{path, ""}] = i;
    dvs[{path, ""}] = std::nullopt;
  }
  Commit(0, first);
  std::unique_ptr<Snapshot> rolled = Fresh();
  ASSERT_NE(rolled, nullptr);
  std::mt19937 rng(42);
  auto decoded = [](const std::string& p) {
    return p == "b%20c.parquet" ? std::string("b c.parquet") : p;
  };
  int64_t version = 0;
  for (int step = 0; step < 60; ++step) {
    int commits_now = 1 + static_cast<int>(rng() % 3);
    for (int c = 0; c < commits_now; ++c) {
      ++version;
      std::vector<Action> actions;
      actions.emplace_back(CommitInfo{});
      for (int k = 0; k < 3; ++k) {
        std::string path =
            (rng() % 7 == 0) ? "b%20c.parquet" : "f" + std::to_string(rng() % 25) + ".parquet";
        if (base_files > 0 && rng() % 4 == 0) {  // touch a file of the base
          int i = static_cast<int>(rng() % base_files);
          path = (i % 2 ? "a" : "g") + std::to_string(i) + ".parquet";
        }
        std::optional<DeletionVectorDescriptor> dv;
        if (rng() % 4 == 0) {
          dv = DeletionVectorDescriptor{
              "i", "dv" + std::to_string(rng() % 3), std::nullopt, 4, 1, std::nullopt};
        }
        auto key = std::make_pair(decoded(path), dv ? dv->UniqueId() : std::string());
        if (rng() % 3 == 0) {
          actions.emplace_back(Remove(path, dv));
          live.erase(key);
        } else {
          int64_t size = version * 10 + k;
          actions.emplace_back(Add(path, size, dv));
          live[key] = size;
          dvs[key] = dv;
        }
      }
      if (rng() % 5 == 0) actions.emplace_back(Txn{"app" + std::to_string(rng() % 2), version, 1});
      if (rng() % 6 == 0) {
        actions.emplace_back(DomainMetadata{"d" + std::to_string(rng() % 2), "c", rng() % 2 == 0});
      }
      if (version == 30) actions.emplace_back(Meta(kWiderSchema));
      Commit(version, actions);
    }
    rolled = Update(std::move(rolled));
    ASSERT_NE(rolled, nullptr);
    std::unique_ptr<Snapshot> fresh = Fresh();
    ASSERT_NE(fresh, nullptr);
    ASSERT_EQ(Describe(*rolled), Describe(*fresh)) << "at version " << version;
    // The model, computed without the reader.
    ASSERT_EQ(rolled->files().size(), live.size());
    size_t i = 0;
    for (const auto& [key, size] : live) {
      const LogicalFile& f = rolled->files()[i++];
      EXPECT_EQ(f.path, "/t/" + key.first);
      EXPECT_EQ(f.add.size, size);
      EXPECT_EQ(f.add.deletion_vector, dvs[key]);
    }
    ASSERT_TRUE(rolled->commit_info().has_value());
  }
  EXPECT_EQ(rolled->schema().fields.size(), 3u);  // the schema change rolled in
}

TEST_F(SnapshotUpdateTest, RollForwardEqualsFreshLoadAfterEveryCommit) {
  RollForwardEqualsFreshLoad(0);
}

TEST_F(SnapshotUpdateTest, RollForwardOfFewChangesToManyFilesEqualsFreshLoad) {
  RollForwardEqualsFreshLoad(400);
}

TEST_F(SnapshotUpdateTest, UpdateWithoutNewCommitsKeepsTheSnapshot) {
  Commit(0, {Protocol{1, 2, {}, {}}, Meta(), Add("a.parquet", 1)});
  auto s = Fresh();
  ASSERT_NE(s, nullptr);
  const Snapshot* before = s.get();
  s = Update(std::move(s));
  EXPECT_EQ(s.get(), before);
  EXPECT_EQ(s->version(), 0);
}

TEST_F(SnapshotUpdateTest, UnsupportedProtocolRolledInIsAnError) {
  Commit(0, {Protocol{1, 2, {}, {}}, Meta(), Add("a.parquet", 1)});
  auto s = Fresh();
  ASSERT_NE(s, nullptr);
  Commit(1,
         {Protocol{3, 7, std::vector<std::string>{"fancyNewThing"}, std::vector<std::string>{}}});
  auto table = Table::Open("/t", fs_, nullptr);
  ASSERT_TRUE(table.ok());
  auto updated = (*table)->Update(std::move(s));
  EXPECT_EQ(updated.status().code(), StatusCode::kNotSupported) << updated.status().ToString();
}

// A JSON (V2, UUID-named) checkpoint needs no engine, so the in-memory file
// system can hold one.
void WriteJsonCheckpoint(FileSystem& fs, int64_t version, const std::vector<Action>& actions) {
  ASSERT_TRUE(fs.WriteFileIfAbsent("/t/_delta_log/" + VersionPrefix(version) +
                                       ".checkpoint.3a0d65cd-4056-49b8-937b-95f9e3ee90e5.json",
                                   SerializeCommit(actions))
                  .ok());
}

// Commits behind a newer checkpoint were cleaned up: the base cannot be
// rolled over the gap, so Update loads afresh (and still agrees).
TEST_F(SnapshotUpdateTest, GapBehindACheckpointFallsBackToAFreshLoad) {
  Commit(0, {Protocol{1, 2, {}, {}}, Meta(), Add("a.parquet", 1)});
  auto s = Fresh();
  ASSERT_NE(s, nullptr);
  Commit(1, {Add("b.parquet", 2)});
  Commit(2, {Remove("a.parquet"), Add("c.parquet", 3)});
  WriteJsonCheckpoint(fs_, 2,
                      {Protocol{1, 2, {}, {}}, Meta(), Add("b.parquet", 2), Add("c.parquet", 3)});
  Commit(3, {Add("d.parquet", 4)});
  ASSERT_TRUE(fs_.DeleteFile("/t/_delta_log/" + VersionPrefix(1) + ".json").ok());
  s = Update(std::move(s));
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->version(), 3);
  std::vector<std::string> paths;
  for (const LogicalFile& f : s->files()) paths.push_back(f.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"/t/b.parquet", "/t/c.parquet", "/t/d.parquet"}));
  EXPECT_EQ(Describe(*s), Describe(*Fresh()));
}

// `_last_checkpoint` is only a hint: a right one limits the listing to the
// versions from it on, a wrong one (no such checkpoint, or past the end)
// changes nothing but the cost.
TEST_F(SnapshotUpdateTest, LastCheckpointHintIsVerifiedAgainstTheListing) {
  Commit(0, {Protocol{1, 2, {}, {}}, Meta(), Add("a.parquet", 1)});
  Commit(1, {Add("b.parquet", 2)});
  Commit(2, {Remove("a.parquet")});
  WriteJsonCheckpoint(fs_, 2, {Protocol{1, 2, {}, {}}, Meta(), Add("b.parquet", 2)});
  Commit(3, {Add("c.parquet", 3)});
  const std::string hint_path = "/t/_delta_log/_last_checkpoint";

  ASSERT_TRUE(fs_.WriteFileAtomic(hint_path, R"({"version":2,"size":3})").ok());
  auto listing = ListLogForLatest(fs_, "/t/_delta_log");
  ASSERT_TRUE(listing.ok()) << listing.status().ToString();
  EXPECT_EQ(listing->listed_from, 2);
  EXPECT_EQ(listing->commits.begin()->first, 2);
  auto from_hint = Fresh();
  ASSERT_NE(from_hint, nullptr);
  EXPECT_EQ(from_hint->version(), 3);

  for (const char* wrong :
       {R"({"version":1,"size":3})", R"({"version":9,"size":3})", R"({"version":"x"})", "{"}) {
    ASSERT_TRUE(fs_.WriteFileAtomic(hint_path, wrong).ok());
    auto full = ListLogForLatest(fs_, "/t/_delta_log");
    ASSERT_TRUE(full.ok()) << wrong << ": " << full.status().ToString();
    EXPECT_EQ(full->listed_from, 0) << wrong;
    EXPECT_EQ(full->commits.size(), 4u) << wrong;
    auto s = Fresh();
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(Describe(*s), Describe(*from_hint)) << wrong;
  }
  // A partial listing refuses versions before its checkpoint instead of
  // answering wrongly; time travel lists the whole log.
  EXPECT_FALSE(BuildLogSegment(*listing, 1, "/t").ok());
  auto table = Table::Open("/t", fs_, nullptr);
  ASSERT_TRUE(table.ok());
  auto v1 = (*table)->AtVersion(1);
  ASSERT_TRUE(v1.ok()) << v1.status().ToString();
  EXPECT_EQ((*v1)->files().size(), 2u);
}

// ---- real tables written by TableWriter (Parquet checkpoints) ----

class WriterSnapshotCacheTest : public testing::WriterTest {};

// Two writers on one table, checkpoints every 4 versions: after every
// operation, Table::Update of a held snapshot equals a fresh load, and both
// writers' operations see each other's commits (their cached snapshots roll
// forward over them).
TEST_F(WriterSnapshotCacheTest, CachedSnapshotsFollowOtherWritersAndCheckpoints) {
  CreateTableOptions options;
  options.properties["delta.checkpointInterval"] = "4";
  auto a = TableWriter::Create(root_, *testing::IdNameSchema(), options, fs(), *conn_);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  auto b = TableWriter::Open(root_, fs(), *conn_);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  auto table = Table::Open(root_, fs(), conn_.get());
  ASSERT_TRUE(table.ok());
  auto held = (*table)->Latest();
  ASSERT_TRUE(held.ok());
  std::unique_ptr<Snapshot> rolled = std::move(held).value();
  int64_t expected_rows = 0;
  int checkpoints = 0;
  for (int i = 0; i < 14; ++i) {
    TableWriter& w = (i % 3 == 2) ? **b : **a;
    auto r = w.Append("SELECT CAST(" + std::to_string(i) + " AS BIGINT) AS id, 'n' AS name");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->version, i + 1);
    checkpoints += r->checkpoint_written ? 1 : 0;
    ++expected_rows;
    if (i % 2 == 0) {
      auto u = (*table)->Update(std::move(rolled));
      ASSERT_TRUE(u.ok()) << u.status().ToString();
      rolled = std::move(u).value();
      auto fresh = (*table)->Latest();
      ASSERT_TRUE(fresh.ok());
      ASSERT_EQ(Describe(*rolled), Describe(**fresh)) << "after append " << i;
    }
  }
  EXPECT_EQ(checkpoints, 3);  // versions 4, 8, 12
  // b last wrote at version 12; a's delete must see b's and its own files.
  auto del = (*b)->Delete("id % 2 = 0");
  ASSERT_TRUE(del.ok()) << del.status().ToString();
  EXPECT_EQ(del->rows_deleted, 7);
  expected_rows -= 7;
  EXPECT_EQ(ReadTable(root_, "count(*)"), (testing::Rows{std::to_string(expected_rows)}));
  EXPECT_EQ(ReadTable(root_, "sum(id)"), (testing::Rows{"49"}));  // 1+3+5+7+9+11+13
  auto after = (*a)->Append("SELECT CAST(100 AS BIGINT) AS id, 'n' AS name");
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->version, 16);
  EXPECT_EQ(ReadTable(root_, "sum(id)"), (testing::Rows{"149"}));
  auto u = (*table)->Update(std::move(rolled));
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  auto fresh = (*table)->Latest();
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(Describe(**u), Describe(**fresh));
}

}  // namespace
// Update probes the commits after its base instead of listing the log; a
// `_last_checkpoint` past the commits it found means some are missing (cleaned
// up behind the checkpoint), and it loads afresh.
TEST_F(SnapshotUpdateTest, HintPastTheProbedCommitsFallsBackToAFreshLoad) {
  Commit(0, {Protocol{1, 2, {}, {}}, Meta(), Add("a.parquet", 1)});
  auto s = Fresh();
  ASSERT_NE(s, nullptr);
  Commit(1, {Add("b.parquet", 2)});
  // Version 2 is gone, 3 is covered by a checkpoint the hint names.
  WriteJsonCheckpoint(fs_, 3,
                      {Protocol{1, 2, {}, {}}, Meta(), Add("a.parquet", 1), Add("b.parquet", 2),
                       Add("c.parquet", 3)});
  ASSERT_TRUE(
      fs_.WriteFileAtomic("/t/_delta_log/_last_checkpoint", R"({"version":3,"size":4})").ok());
  Commit(3, {Add("c.parquet", 3)});
  Commit(4, {Add("d.parquet", 4)});
  s = Update(std::move(s));
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->version(), 4);
  std::vector<std::string> paths;
  for (const LogicalFile& f : s->files()) paths.push_back(f.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"/t/a.parquet", "/t/b.parquet", "/t/c.parquet",
                                             "/t/d.parquet"}));
}

}  // namespace strata::lake
