// The files connector across runs: only new or changed files are read in
// append mode, every file in full refresh, a crashed run resumes after its
// last committed file; and which files a pattern names.
#include <gtest/gtest.h>
#include <xxhash.h>

#include <cstdio>

#include "ingest/file_tracker.h"
#include "ingest/files_testing.h"

namespace strata::ingest {
namespace {

using testing::CollectingSink;
using testing::MakeSource;
using testing::TempProject;
using Rows = std::vector<std::vector<std::string>>;

std::vector<std::string> BatchFiles(CollectingSink& sink) {
  std::vector<std::string> files;
  for (const auto& row : sink.Rows("SELECT DISTINCT _strata_file FROM bronze ORDER BY 1")) {
    files.push_back(row[0]);
  }
  return files;
}

class FilesIncrementalTest : public ::testing::Test {
 protected:
  // Runs the stream once from `state` on a fresh sink.
  std::unique_ptr<CollectingSink> RunOnce(const std::string& stream_yaml, SyncMode sync,
                                          const nlohmann::json& state, Status* status = nullptr,
                                          int fail_commit_at = -1) {
    SourceConfig source = MakeSource(project_.root(), stream_yaml, sync);
    auto connector = FilesConnector::Make(source);
    EXPECT_TRUE(connector.ok()) << connector.status().ToString();
    auto sink = std::make_unique<CollectingSink>(project_.Path(".staging"));
    sink->fail_commit_at = fail_commit_at;
    Status s = (*connector)->Read(source.streams[0], state, *sink);
    if (status != nullptr) {
      *status = s;
    } else {
      EXPECT_TRUE(s.ok()) << s.ToString();
    }
    return sink;
  }

  TempProject project_;
};

TEST_F(FilesIncrementalTest, AppendReadsOnlyNewAndChangedFiles) {
  project_.Write("in/a.csv", "id,v\n1,a\n", 1700000000);
  project_.Write("in/b.csv", "id,v\n2,b\n", 1700000000);
  project_.Write("in/c.csv", "id,v\n3,c\n", 1700000000);
  auto first = RunOnce("path: in/*.csv", SyncMode::kAppendOnly, nullptr);
  EXPECT_EQ(first->batches.size(), 3u);  // one batch per file
  EXPECT_EQ(BatchFiles(*first), (std::vector<std::string>{"in/a.csv", "in/b.csv", "in/c.csv"}));
  const nlohmann::json state1 = first->LastState();
  ASSERT_EQ(state1["files"].size(), 3u);
  EXPECT_EQ(state1["files"]["in/a.csv"]["size"], 9);
  EXPECT_EQ(state1["files"]["in/a.csv"]["mtime"], int64_t{1700000000} * 1000000);
  EXPECT_EQ(state1["files"]["in/a.csv"]["checksum"].get<std::string>().size(),
            std::string("xxh3-128:").size() + 32);

  // Nothing changed: no batch at all.
  auto idle = RunOnce("path: in/*.csv", SyncMode::kAppendOnly, state1);
  EXPECT_TRUE(idle->batches.empty());

  // b changes content, c is only touched, d is new.
  project_.Write("in/b.csv", "id,v\n2,b2\n22,bb\n", 1700000100);
  project_.SetMtime("in/c.csv", 1700000200);
  project_.Write("in/d.csv", "id,v\n4,d\n", 1700000300);
  auto second = RunOnce("path: in/*.csv", SyncMode::kAppendOnly, state1);
  EXPECT_EQ(BatchFiles(*second), (std::vector<std::string>{"in/b.csv", "in/d.csv"}));
  EXPECT_EQ(second->Rows("SELECT id, v FROM bronze ORDER BY id"),
            (Rows{{"2", "b2"}, {"4", "d"}, {"22", "bb"}}));
  const nlohmann::json state2 = second->LastState();
  EXPECT_EQ(state2["files"]["in/c.csv"]["mtime"], int64_t{1700000200} * 1000000);
  EXPECT_NE(state2["files"]["in/b.csv"]["checksum"], state1["files"]["in/b.csv"]["checksum"]);
  EXPECT_EQ(state2["files"]["in/c.csv"]["checksum"], state1["files"]["in/c.csv"]["checksum"]);

  auto third = RunOnce("path: in/*.csv", SyncMode::kAppendOnly, state2);
  EXPECT_TRUE(third->batches.empty());
}

TEST_F(FilesIncrementalTest, TouchOnlyIsRecordedByAnEmptyBatch) {
  project_.Write("in/a.csv", "id,v\n1,a\n", 1700000000);
  auto first = RunOnce("path: in/*.csv", SyncMode::kAppendOnly, nullptr);
  project_.SetMtime("in/a.csv", 1700009999);
  auto second = RunOnce("path: in/*.csv", SyncMode::kAppendOnly, first->LastState());
  ASSERT_EQ(second->batches.size(), 1u);
  EXPECT_EQ(second->batch_rows[0], 0);
  EXPECT_EQ(second->LastState()["files"]["in/a.csv"]["mtime"], int64_t{1700009999} * 1000000);
}

TEST_F(FilesIncrementalTest, FullRefreshReplacesWithEveryFile) {
  project_.Write("in/a.csv", "id,v\n1,a\n", 1700000000);
  project_.Write("in/b.csv", "id,v\n2,b\n", 1700000000);
  auto first = RunOnce("path: in/*.csv", SyncMode::kFullRefresh, nullptr);
  ASSERT_EQ(first->batches.size(), 2u);
  EXPECT_TRUE(first->batches[0].replace_table);
  EXPECT_FALSE(first->batches[1].replace_table);
  auto second = RunOnce("path: in/*.csv", SyncMode::kFullRefresh, first->LastState());
  ASSERT_EQ(second->batches.size(), 2u);
  EXPECT_TRUE(second->batches[0].replace_table);
  EXPECT_EQ(second->Rows("SELECT id FROM bronze ORDER BY id"), (Rows{{"1"}, {"2"}}));
}

TEST_F(FilesIncrementalTest, CrashedRunResumesAfterTheLastCommittedFile) {
  for (const char* name : {"a", "b", "c", "d"}) {
    project_.Write(std::string("in/") + name + ".csv", std::string("id\n") + name + "\n",
                   1700000000);
  }
  Status status;
  auto crashed = RunOnce("path: in/*.csv", SyncMode::kAppendOnly, nullptr, &status, 2);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("in/c.csv"), std::string::npos) << status.ToString();
  ASSERT_EQ(crashed->batches.size(), 2u);
  const nlohmann::json committed = crashed->LastState();
  EXPECT_EQ(committed["files"].size(), 2u);
  auto resumed = RunOnce("path: in/*.csv", SyncMode::kAppendOnly, committed);
  EXPECT_EQ(BatchFiles(*resumed), (std::vector<std::string>{"in/c.csv", "in/d.csv"}));
}

TEST(FilePattern, GlobsRecursionAndHiddenFiles) {
  TempProject project;
  for (const char* rel : {"d/a.csv", "d/b.csv", "d/b.json", "d/.hidden.csv", "d/sub/c.csv",
                          "d/sub/deep/e.csv", "d/x_1.csv", "d/x_2.csv"}) {
    project.Write(rel, "h\n1\n");
  }
  FileSystem& fs = *FileSystem::Default();
  auto names = [&](const std::string& pattern) {
    std::vector<std::string> out;
    auto found = files::ExpandFilePattern(fs, project.root(), pattern);
    EXPECT_TRUE(found.ok()) << found.status().ToString();
    if (found.ok()) {
      for (const FileInfo& f : *found) out.push_back(f.path);
    }
    return out;
  };
  EXPECT_EQ(names("d/*.csv"),
            (std::vector<std::string>{"d/a.csv", "d/b.csv", "d/x_1.csv", "d/x_2.csv"}));
  EXPECT_EQ(names("d/x_?.csv"), (std::vector<std::string>{"d/x_1.csv", "d/x_2.csv"}));
  EXPECT_EQ(names("d/**/*.csv"),
            (std::vector<std::string>{"d/a.csv", "d/b.csv", "d/sub/c.csv", "d/sub/deep/e.csv",
                                      "d/x_1.csv", "d/x_2.csv"}));
  EXPECT_EQ(names("d/*/c.csv"), (std::vector<std::string>{"d/sub/c.csv"}));
  EXPECT_EQ(names("d/b.json"), (std::vector<std::string>{"d/b.json"}));
  EXPECT_TRUE(names("d/*.xml").empty());
  EXPECT_TRUE(files::ExpandFilePattern(fs, project.root(), "nodir/*.csv").status().IsNotFound());
  EXPECT_TRUE(files::ExpandFilePattern(fs, project.root(), "d/missing.csv").status().IsNotFound());
}

// A state written before XXH3 (SHA-256 under "sha256") still tells touched
// files from changed ones; what is read again is recorded with XXH3.
TEST_F(FilesIncrementalTest, StatesWithSha256AreComparedWithSha256) {
  project_.Write("in/a.csv", "id,v\n1,a\n", 1700000000);
  project_.Write("in/b.csv", "id,v\n2,b\n", 1700000000);
  auto sha = [&](const std::string& path) {
    auto checksum = files::FileChecksum(*FileSystem::Default(), project_.Path(path), "sha256");
    EXPECT_TRUE(checksum.ok());
    return checksum->substr(std::string("sha256:").size());
  };
  const nlohmann::json legacy = {
      {"files",
       {{"in/a.csv",
         {{"size", 9}, {"mtime", int64_t{1600000000} * 1000000}, {"sha256", sha("in/a.csv")}}},
        {"in/b.csv",
         {{"size", 9},
          {"mtime", int64_t{1600000000} * 1000000},
          {"sha256", std::string(64, '0')}}}}}};
  auto run = RunOnce("path: in/*.csv", SyncMode::kAppendOnly, legacy);
  EXPECT_EQ(BatchFiles(*run), (std::vector<std::string>{"in/b.csv"}));
  const nlohmann::json state = run->LastState();
  EXPECT_EQ(state["files"]["in/a.csv"]["checksum"], "sha256:" + sha("in/a.csv"));
  EXPECT_EQ(files::ChecksumAlgorithm(state["files"]["in/b.csv"]["checksum"]), "xxh3-128");
}

TEST(FileTracker, Sha256MatchesKnownDigest) {
  TempProject project;
  project.Write("abc.txt", "abc");
  auto hash = files::FileChecksum(*FileSystem::Default(), project.Path("abc.txt"), "sha256");
  ASSERT_TRUE(hash.ok());
  // FIPS 180-2, appendix B.1.
  EXPECT_EQ(*hash, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(FileTracker, Xxh3MatchesOneShotHashAcrossChunks) {
  TempProject project;
  // Three 1 MiB reads and a tail, each byte depending on its position, so a
  // lost, repeated or reordered chunk changes the hash.
  std::string content(3 * (1 << 20) + 12345, '\0');
  for (size_t i = 0; i < content.size(); ++i) content[i] = static_cast<char>((i * 131) ^ (i >> 9));
  project.Write("big.bin", content);
  auto checksum = files::FileChecksum(*FileSystem::Default(), project.Path("big.bin"));
  ASSERT_TRUE(checksum.ok()) << checksum.status().ToString();
  XXH128_canonical_t canonical;
  XXH128_canonicalFromHash(&canonical, XXH3_128bits(content.data(), content.size()));
  std::string expected = "xxh3-128:";
  char byte[3];
  for (unsigned char b : canonical.digest) {
    std::snprintf(byte, sizeof byte, "%02x", b);
    expected += byte;
  }
  EXPECT_EQ(*checksum, expected);
  EXPECT_EQ(files::ChecksumAlgorithm(*checksum), "xxh3-128");
  EXPECT_TRUE(files::FileChecksum(*FileSystem::Default(), project.Path("big.bin"), "md5")
                  .status()
                  .IsInvalidArgument());
}

TEST(FileTracker, ReadsStatesWrittenWithSha256) {
  auto files = files::FileStatesFromJson(
      nlohmann::json::parse(R"({"files": {"a.csv": {"size": 3, "mtime": 7, "sha256": "ab12"}}})"));
  ASSERT_TRUE(files.ok());
  EXPECT_EQ(files->at("a.csv").checksum, "sha256:ab12");
  EXPECT_EQ(files::FileStatesToJson(*files)["files"]["a.csv"]["checksum"], "sha256:ab12");
}

}  // namespace
}  // namespace strata::ingest
