// Log listing and replay on in-memory tables written action by action.
#include "lake/snapshot.h"

#include <gtest/gtest.h>

#include "common/fake_file_system.h"
#include "lake/lake.h"

namespace strata::lake {
namespace {

constexpr char kSchema[] =
    R"({"type":"struct","fields":[{"name":"id","type":"long","nullable":true,"metadata":{}},)"
    R"({"name":"p","type":"string","nullable":true,"metadata":{}}]})";

std::string CommitName(int64_t v) {
  char name[32];
  std::snprintf(name, sizeof name, "%020lld.json", static_cast<long long>(v));
  return name;
}

AddFile Add(const std::string& path, std::optional<DeletionVectorDescriptor> dv = std::nullopt) {
  AddFile a;
  a.path = path;
  a.partition_values = {{"p", "x"}};
  a.size = 1;
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

Metadata Meta() {
  Metadata m;
  m.id = "t";
  m.schema_string = kSchema;
  m.partition_columns = {"p"};
  return m;
}

class SnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(fs_.CreateDirectories("/t/_delta_log").ok()); }

  void Commit(int64_t v, const std::vector<Action>& actions) {
    ASSERT_TRUE(fs_.WriteFileIfAbsent("/t/_delta_log/" + CommitName(v),
                                      SerializeCommit(actions)).ok());
  }

  Result<std::unique_ptr<Snapshot>> Load(std::optional<int64_t> version = std::nullopt) {
    STRATA_ASSIGN_OR_RETURN(auto table, Table::Open("/t", fs_, nullptr));
    if (version) return table->AtVersion(*version);
    return table->Latest();
  }

  static std::vector<std::string> Paths(const Snapshot& s) {
    std::vector<std::string> out;
    for (const LogicalFile& f : s.files()) out.push_back(f.path);
    return out;
  }

  FakeClock clock_{1'000'000};  // commit mtimes at 1000 ms
  InMemoryFileSystem fs_{&clock_};
};

TEST_F(SnapshotTest, ReplaysAddsRemovesAndLatestMetadata) {
  Commit(0, {Protocol{1, 2, {}, {}}, Meta(), Add("a.parquet"), Add("b%20c.parquet")});
  Commit(1, {Remove("a.parquet"), Add("d.parquet")});
  Metadata m2 = Meta();
  m2.configuration["delta.appendOnly"] = "true";
  Commit(2, {m2, Add("a.parquet")});
  auto s = Load();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ((*s)->version(), 2);
  EXPECT_EQ(Paths(**s), (std::vector<std::string>{"/t/a.parquet", "/t/b c.parquet",
                                                   "/t/d.parquet"}));
  EXPECT_EQ((*s)->Property("delta.appendOnly"), "true");
  auto v1 = Load(1);
  ASSERT_TRUE(v1.ok()) << v1.status().ToString();
  EXPECT_EQ(Paths(**v1), (std::vector<std::string>{"/t/b c.parquet", "/t/d.parquet"}));
  EXPECT_FALSE((*v1)->Property("delta.appendOnly").has_value());
  EXPECT_EQ((*v1)->schema().fields.size(), 2u);
}

TEST_F(SnapshotTest, FilesAreKeyedByPathAndDeletionVector) {
  DeletionVectorDescriptor dv1{"i", "aaaaa", std::nullopt, 4, 1, std::nullopt};
  DeletionVectorDescriptor dv2{"i", "bbbbb", std::nullopt, 4, 2, std::nullopt};
  Commit(0, {Protocol{3, 7, std::vector<std::string>{"deletionVectors"},
                      std::vector<std::string>{"deletionVectors"}},
             Meta(), Add("f.parquet")});
  Commit(1, {Add("f.parquet", dv1), Remove("f.parquet")});
  Commit(2, {Add("f.parquet", dv2), Remove("f.parquet", dv1)});
  auto s = Load();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ((*s)->files().size(), 1u);
  EXPECT_EQ((*s)->files()[0].add.deletion_vector, dv2);
  // A remove of (path, dv1) does not remove (path, dv2).
  Commit(3, {Remove("f.parquet", dv1)});
  s = Load();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)->files().size(), 1u);
}

TEST_F(SnapshotTest, KeepsNewestTxnPerAppAndLiveDomains) {
  Commit(0, {Protocol{1, 2, {}, {}}, Meta(), Txn{"a", 1, std::nullopt},
             DomainMetadata{"d1", "x", false}, DomainMetadata{"d2", "y", false}});
  Commit(1, {Txn{"a", 5, 100}, Txn{"b", 2, std::nullopt}, DomainMetadata{"d1", "", true},
             DomainMetadata{"d2", "z", false}});
  auto s = Load();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ((*s)->AppTransactionVersion("a"), 5);
  EXPECT_EQ((*s)->AppTransactionVersion("b"), 2);
  EXPECT_FALSE((*s)->AppTransactionVersion("c").has_value());
  ASSERT_EQ((*s)->domain_metadata().size(), 1u);
  EXPECT_EQ((*s)->domain_metadata().at("d2").configuration, "z");
}

TEST_F(SnapshotTest, IgnoresUnrelatedFilesInTheLog) {
  Commit(0, {Protocol{1, 2, {}, {}}, Meta(), Add("a.parquet")});
  ASSERT_TRUE(fs_.CreateDirectories("/t/_delta_log/.tmp").ok());
  ASSERT_TRUE(fs_.CreateDirectories("/t/_delta_log/_commits").ok());
  ASSERT_TRUE(fs_.WriteFileAtomic("/t/_delta_log/.tmp/" + CommitName(1), "garbage").ok());
  ASSERT_TRUE(fs_.WriteFileAtomic("/t/_delta_log/00000000000000000000.crc", "{}").ok());
  ASSERT_TRUE(fs_.WriteFileAtomic("/t/_delta_log/README", "hi").ok());
  ASSERT_TRUE(fs_.WriteFileAtomic("/t/_delta_log/_last_checkpoint", "not json").ok());
  ASSERT_TRUE(fs_.WriteFileAtomic("/t/_delta_log/1.json", "garbage").ok());
  // A multi-part checkpoint with a part missing is ignored, not an error.
  ASSERT_TRUE(fs_.WriteFileAtomic(
      "/t/_delta_log/00000000000000000000.checkpoint.0000000001.0000000002.parquet", "x").ok());
  auto s = Load();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ((*s)->version(), 0);
  EXPECT_EQ((*s)->files().size(), 1u);
}

TEST_F(SnapshotTest, ListingClassifiesCheckpointNames) {
  for (const char* name : {"00000000000000000003.checkpoint.parquet",
                           "00000000000000000005.checkpoint.0000000001.0000000002.parquet",
                           "00000000000000000005.checkpoint.0000000002.0000000002.parquet",
                           "00000000000000000007.checkpoint.80a083e8-7026-4e79-81be-64bd76c43a11.json",
                           "00000000000000000009.checkpoint.3a0d65cd-4056-49b8-937b-95f9e3ee90e5.parquet",
                           "00000000000000000003.00000000000000000005.compacted.json"}) {
    ASSERT_TRUE(fs_.WriteFileAtomic(std::string("/t/_delta_log/") + name, "x").ok());
  }
  auto listing = ListLog(fs_, "/t/_delta_log");
  ASSERT_TRUE(listing.ok()) << listing.status().ToString();
  ASSERT_EQ(listing->checkpoints.size(), 4u);
  EXPECT_EQ(listing->checkpoints.at(3).front().kind, CheckpointKind::kClassic);
  EXPECT_EQ(listing->checkpoints.at(5).front().kind, CheckpointKind::kMultiPart);
  EXPECT_EQ(listing->checkpoints.at(5).front().paths.size(), 2u);
  EXPECT_TRUE(listing->checkpoints.at(7).front().is_json);
  EXPECT_EQ(listing->checkpoints.at(9).front().kind, CheckpointKind::kV2Uuid);
  EXPECT_TRUE(listing->commits.empty());
  EXPECT_EQ(listing->LatestVersion(), 9);
  // Time travel picks the newest checkpoint not after the version.
  auto segment = BuildLogSegment(*listing, 6, "t");
  EXPECT_EQ(segment.status().code(), StatusCode::kCorruption);  // commit 6 is missing
  EXPECT_NE(segment.status().message().find("commit 6 is missing"), std::string::npos);
  auto at5 = BuildLogSegment(*listing, 5, "t");
  ASSERT_TRUE(at5.ok()) << at5.status().ToString();
  EXPECT_EQ(at5->checkpoint->version, 5);
  EXPECT_TRUE(at5->commits.empty());
}

TEST_F(SnapshotTest, MissingProtocolOrMetadataOrGapIsCorruption) {
  Commit(0, {Meta(), Add("a.parquet")});
  auto s = Load();
  EXPECT_EQ(s.status().code(), StatusCode::kCorruption);
  EXPECT_NE(s.status().message().find("no protocol action"), std::string::npos);
  EXPECT_NE(s.status().message().find("/t"), std::string::npos);
  Commit(2, {Protocol{1, 2, {}, {}}});
  s = Load();
  EXPECT_EQ(s.status().code(), StatusCode::kCorruption);
  EXPECT_NE(s.status().message().find("commit 1 is missing"), std::string::npos);
}

TEST_F(SnapshotTest, UnsupportedProtocolsAreNotSupported) {
  Commit(0, {Protocol{3, 7, std::vector<std::string>{"deletionVectors", "fancyNewThing"},
                      std::vector<std::string>{}},
             Meta()});
  auto s = Load();
  EXPECT_EQ(s.status().code(), StatusCode::kNotSupported);
  EXPECT_NE(s.status().message().find("fancyNewThing"), std::string::npos);
  Commit(1, {Protocol{4, 7, {}, {}}});
  s = Load();
  EXPECT_EQ(s.status().code(), StatusCode::kNotSupported);
  EXPECT_NE(s.status().message().find("reader version 4"), std::string::npos);
}

TEST_F(SnapshotTest, MalformedCommitNamesTableFileAndLine) {
  Commit(0, {Protocol{1, 2, {}, {}}, Meta()});
  ASSERT_TRUE(fs_.WriteFileIfAbsent("/t/_delta_log/" + CommitName(1),
                                    "{\"add\":{\"path\":\"a\",\"size\":1}}\n{\"add\":{}}\n").ok());
  auto s = Load();
  EXPECT_EQ(s.status().code(), StatusCode::kCorruption);
  EXPECT_NE(s.status().message().find(CommitName(1)), std::string::npos) << s.status().ToString();
  EXPECT_NE(s.status().message().find("line 2"), std::string::npos) << s.status().ToString();
}

TEST_F(SnapshotTest, VersionsOutOfRangeAreNotFound) {
  Commit(0, {Protocol{1, 2, {}, {}}, Meta()});
  EXPECT_EQ(Load(1).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Load(-1).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Table::Open("/nope", fs_, nullptr).status().code(), StatusCode::kNotFound);
}

TEST_F(SnapshotTest, InCommitTimestampsDriveTimeTravel) {
  Metadata m = Meta();
  m.configuration = {{"delta.enableInCommitTimestamps", "true"},
                     {"delta.inCommitTimestampEnablementVersion", "1"}};
  CommitInfo ict;
  ict.in_commit_timestamp = 5000;
  Commit(0, {Protocol{1, 2, {}, {}}, Meta()});
  Commit(1, {ict, m});
  ict.in_commit_timestamp = 9000;
  Commit(2, {ict, Add("a.parquet")});
  auto table = Table::Open("/t", fs_, nullptr);
  ASSERT_TRUE(table.ok());
  auto ts = (*table)->CommitTimestamps();
  ASSERT_TRUE(ts.ok()) << ts.status().ToString();
  ASSERT_EQ(ts->size(), 3u);
  EXPECT_EQ((*ts)[1].timestamp_millis, 5000);
  EXPECT_EQ((*ts)[2].timestamp_millis, 9000);
  EXPECT_EQ((*table)->VersionAtTimestamp(8999).value(), 1);
  EXPECT_EQ((*table)->VersionAtTimestamp(9000).value(), 2);
  EXPECT_EQ((*table)->VersionAtTimestamp(9001).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace strata::lake
