// The FileSystem conformance suite: every implementation must pass all of it,
// so code tested against the in-memory fake behaves the same on disk.
#include "common/file_system.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <set>
#include <thread>

#include "common/fake_file_system.h"
#include "common/fault_injection_file_system.h"

namespace strata {
namespace {

using ::testing::HasSubstr;

// One implementation under test, rooted at a fresh empty directory.
struct FsUnderTest {
  virtual ~FsUnderTest() = default;
  virtual FileSystem* fs() = 0;
  std::string root;
};

struct PosixUnderTest : FsUnderTest {
  PosixUnderTest() {
    std::string tmpl = ::testing::TempDir() + "strata_fs_XXXXXX";
    root = mkdtemp(tmpl.data()) != nullptr ? tmpl : "";
  }
  ~PosixUnderTest() override { (void)FileSystem::Default()->DeleteRecursively(root); }
  FileSystem* fs() override { return FileSystem::Default(); }
};

struct InMemoryUnderTest : FsUnderTest {
  InMemoryUnderTest() {
    root = "/work/test";
    (void)mem.CreateDirectories(root);
  }
  FileSystem* fs() override { return &mem; }
  InMemoryFileSystem mem;
};

// The fault wrapper with no faults armed must be invisible.
template <typename Inner>
struct PassThroughUnderTest : FsUnderTest {
  PassThroughUnderTest() : faults(inner.fs()) { root = inner.root; }
  FileSystem* fs() override { return &faults; }
  Inner inner;
  FaultInjectionFileSystem faults;
};

struct Param {
  std::string name;
  std::function<std::unique_ptr<FsUnderTest>()> make;
};

class FileSystemTest : public ::testing::TestWithParam<Param> {
 protected:
  void SetUp() override {
    under_test_ = GetParam().make();
    ASSERT_FALSE(under_test_->root.empty());
    fs_ = under_test_->fs();
  }

  std::string P(std::string_view name) const { return JoinPath(under_test_->root, name); }

  void Write(const std::string& path, std::string_view data) {
    auto file = fs_->OpenForWrite(path);
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    ASSERT_TRUE((*file)->Append(data).ok());
    ASSERT_TRUE((*file)->Close().ok());
  }

  std::string Read(const std::string& path) {
    auto data = fs_->ReadFile(path);
    EXPECT_TRUE(data.ok()) << data.status().ToString();
    return data.ok() ? *data : "<error>";
  }

  std::vector<std::string> Names(const std::string& dir) {
    auto list = fs_->ListDirectory(dir);
    EXPECT_TRUE(list.ok()) << list.status().ToString();
    std::vector<std::string> names;
    if (list.ok()) {
      for (const FileInfo& info : *list) names.emplace_back(BaseName(info.path));
    }
    return names;
  }

  std::unique_ptr<FsUnderTest> under_test_;
  FileSystem* fs_ = nullptr;
};

TEST_P(FileSystemTest, WriteThenReadBack) {
  auto file = fs_->OpenForWrite(P("a.txt"));
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Append("hello ").ok());
  ASSERT_TRUE((*file)->Append("world").ok());
  ASSERT_TRUE((*file)->Flush().ok());
  ASSERT_TRUE((*file)->Sync().ok());
  ASSERT_TRUE((*file)->Close().ok());
  EXPECT_TRUE((*file)->Close().ok()) << "closing twice is OK";
  EXPECT_FALSE((*file)->Append("more").ok()) << "append after close";
  EXPECT_EQ(Read(P("a.txt")), "hello world");

  auto reader = fs_->OpenForRead(P("a.txt"));
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(*(*reader)->Size(), 11u);
  char buf[16];
  auto n = (*reader)->ReadAt(6, 3, buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(std::string(buf, *n), "wor");
  n = (*reader)->ReadAt(8, 16, buf);  // short read at end of file
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(std::string(buf, *n), "rld");
  n = (*reader)->ReadAt(100, 4, buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0u);
}

TEST_P(FileSystemTest, LargeWritesSurviveBuffering) {
  std::string expected;
  auto file = fs_->OpenForWrite(P("big"));
  ASSERT_TRUE(file.ok());
  for (int i = 0; i < 300; ++i) {
    std::string chunk(static_cast<size_t>(i * 37 % 5000), static_cast<char>('a' + i % 26));
    expected += chunk;
    ASSERT_TRUE((*file)->Append(chunk).ok());
  }
  std::string huge(size_t{200} * 1024, 'z');  // larger than any write buffer
  expected += huge;
  ASSERT_TRUE((*file)->Append(huge).ok());
  ASSERT_TRUE((*file)->Close().ok());
  EXPECT_EQ(Read(P("big")), expected);
  EXPECT_EQ(fs_->Stat(P("big"))->size, expected.size());
}

TEST_P(FileSystemTest, EmptyFileReadsAsEmpty) {
  Write(P("empty"), "");
  EXPECT_EQ(Read(P("empty")), "");
}

TEST_P(FileSystemTest, OpenForWriteTruncates) {
  Write(P("f"), "long original contents");
  Write(P("f"), "short");
  EXPECT_EQ(Read(P("f")), "short");
}

TEST_P(FileSystemTest, MissingFilesAreNotFoundAndNamed) {
  auto reader = fs_->OpenForRead(P("nope"));
  ASSERT_TRUE(reader.status().IsNotFound());
  EXPECT_THAT(reader.status().message(), HasSubstr(P("nope")));
  EXPECT_THAT(reader.status().message(), HasSubstr("No such file or directory"));
  EXPECT_TRUE(fs_->ReadFile(P("nope")).status().IsNotFound());
  EXPECT_TRUE(fs_->Stat(P("nope")).status().IsNotFound());
  EXPECT_TRUE(fs_->OpenForWrite(P("no/dir/f")).status().IsNotFound());
  EXPECT_TRUE(fs_->WriteFileIfAbsent(P("no/dir/f"), "x").IsNotFound());
  EXPECT_TRUE(fs_->WriteFileAtomic(P("no/dir/f"), "x").IsNotFound());
}

TEST_P(FileSystemTest, DirectoriesAreNotFiles) {
  ASSERT_TRUE(fs_->CreateDirectories(P("d")).ok());
  EXPECT_FALSE(fs_->OpenForRead(P("d")).ok());
  EXPECT_FALSE(fs_->OpenForWrite(P("d")).ok());
  EXPECT_FALSE(fs_->DeleteFile(P("d")).ok());
  EXPECT_EQ(fs_->WriteFileIfAbsent(P("d"), "x").code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE(*fs_->Exists(P("d")));
}

TEST_P(FileSystemTest, WriteFileIfAbsentCreatesOnlyOnce) {
  ASSERT_TRUE(fs_->WriteFileIfAbsent(P("00001.json"), "first").ok());
  Status again = fs_->WriteFileIfAbsent(P("00001.json"), "second");
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists);
  EXPECT_THAT(again.message(), HasSubstr("00001.json"));
  EXPECT_EQ(Read(P("00001.json")), "first");
  EXPECT_EQ(Names(under_test_->root), std::vector<std::string>{"00001.json"})
      << "no temp files left behind";
}

// Concurrent writers of one Delta log version: exactly one may win.
TEST_P(FileSystemTest, WriteFileIfAbsentRaceHasOneWinner) {
  constexpr int kThreads = 8;
  for (int round = 0; round < 10; ++round) {
    std::string path = P("race-" + std::to_string(round));
    std::atomic<int> winners{0};
    std::atomic<int> losers{0};
    std::atomic<int> winner_id{-1};
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    threads.reserve(kThreads);
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        while (!go.load()) std::this_thread::yield();
        Status s = fs_->WriteFileIfAbsent(path, "writer " + std::to_string(t));
        if (s.ok()) {
          ++winners;
          winner_id = t;
        } else if (s.code() == StatusCode::kAlreadyExists) {
          ++losers;
        }
      });
    }
    go = true;
    for (auto& th : threads) th.join();
    ASSERT_EQ(winners.load(), 1);
    ASSERT_EQ(losers.load(), kThreads - 1);
    EXPECT_EQ(Read(path), "writer " + std::to_string(winner_id.load()));
  }
  for (const std::string& name : Names(under_test_->root)) EXPECT_FALSE(IsTempFileName(name));
}

TEST_P(FileSystemTest, WriteFileAtomicReplacesWholeFile) {
  ASSERT_TRUE(fs_->WriteFileAtomic(P("cp"), "version one").ok());
  auto old_reader = fs_->OpenForRead(P("cp"));
  ASSERT_TRUE(old_reader.ok());
  ASSERT_TRUE(fs_->WriteFileAtomic(P("cp"), "v2").ok());
  EXPECT_EQ(Read(P("cp")), "v2");
  EXPECT_EQ(Names(under_test_->root), std::vector<std::string>{"cp"});
  // A reader opened before the replace keeps the old file, as with rename(2).
  char buf[32];
  auto n = (*old_reader)->ReadAt(0, sizeof(buf), buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(std::string(buf, *n), "version one");
}

TEST_P(FileSystemTest, ConcurrentAtomicWritesNeverShowAPart) {
  const std::string path = P("state");
  std::vector<std::string> versions;
  versions.reserve(4);
  for (int t = 0; t < 4; ++t) versions.emplace_back(1000 + t * 500, 'A' + t);
  ASSERT_TRUE(fs_->WriteFileAtomic(path, versions[0]).ok());
  std::atomic<bool> stop{false};
  std::atomic<int> torn{0};
  std::thread reader([&] {
    while (!stop.load()) {
      auto data = fs_->ReadFile(path);
      if (!data.ok() || std::find(versions.begin(), versions.end(), *data) == versions.end()) {
        ++torn;
      }
    }
  });
  std::vector<std::thread> writers;
  writers.reserve(4);
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) EXPECT_TRUE(fs_->WriteFileAtomic(path, versions[t]).ok());
    });
  }
  for (auto& w : writers) w.join();
  stop = true;
  reader.join();
  EXPECT_EQ(torn.load(), 0);
  EXPECT_EQ(Names(under_test_->root), std::vector<std::string>{"state"});
}

TEST_P(FileSystemTest, StatDescribesFilesAndDirectories) {
  Write(P("f"), "12345");
  auto info = fs_->Stat(P("f"));
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->path, P("f"));
  EXPECT_EQ(info->size, 5u);
  EXPECT_FALSE(info->is_directory);
  // Both implementations here stamp with the real clock.
  int64_t now = Clock::Default()->NowMicros();
  EXPECT_LE(info->mtime_micros, now + 1'000'000);
  EXPECT_GT(info->mtime_micros, now - 3600LL * 1'000'000);

  ASSERT_TRUE(fs_->CreateDirectories(P("d")).ok());
  auto dir = fs_->Stat(P("d"));
  ASSERT_TRUE(dir.ok());
  EXPECT_TRUE(dir->is_directory);
  EXPECT_EQ(dir->size, 0u);
}

TEST_P(FileSystemTest, ExistsForFilesAndDirectories) {
  Write(P("f"), "x");
  ASSERT_TRUE(fs_->CreateDirectories(P("d")).ok());
  EXPECT_TRUE(*fs_->Exists(P("f")));
  EXPECT_TRUE(*fs_->Exists(P("d")));
  EXPECT_TRUE(*fs_->Exists(under_test_->root));
  EXPECT_FALSE(*fs_->Exists(P("missing")));
  EXPECT_FALSE(*fs_->Exists(P("missing/child")));
}

TEST_P(FileSystemTest, ListDirectoryIsSortedAndShallow) {
  ASSERT_TRUE(fs_->CreateDirectories(P("t/sub/deeper")).ok());
  Write(P("t/b.parquet"), "bb");
  Write(P("t/a.parquet"), "a");
  Write(P("t/a"), "");
  Write(P("t/sub/inner"), "not listed");
  auto list = fs_->ListDirectory(P("t"));
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 4u);
  EXPECT_EQ((*list)[0].path, P("t/a"));
  EXPECT_EQ((*list)[1].path, P("t/a.parquet"));
  EXPECT_EQ((*list)[1].size, 1u);
  EXPECT_EQ((*list)[2].path, P("t/b.parquet"));
  EXPECT_EQ((*list)[2].size, 2u);
  EXPECT_EQ((*list)[3].path, P("t/sub"));
  EXPECT_TRUE((*list)[3].is_directory);
  EXPECT_FALSE((*list)[2].is_directory);

  EXPECT_TRUE(Names(P("t/sub/deeper")).empty());
  EXPECT_TRUE(fs_->ListDirectory(P("missing")).status().IsNotFound());
  EXPECT_FALSE(fs_->ListDirectory(P("t/a")).ok()) << "a file is not a directory";
}

TEST_P(FileSystemTest, ListDirectoryNamesAgreesWithListDirectory) {
  ASSERT_TRUE(fs_->CreateDirectories(P("t/sub/deeper")).ok());
  Write(P("t/b.parquet"), "bb");
  Write(P("t/a.parquet"), "a");
  Write(P("t/a"), "");
  Write(P("t/c"), "");
  Write(P("t/sub/inner"), "not listed");
  auto full = fs_->ListDirectory(P("t"));
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  auto names = fs_->ListDirectoryNames(P("t"), "");
  ASSERT_TRUE(names.ok()) << names.status().ToString();
  ASSERT_EQ(names->size(), full->size());
  for (size_t i = 0; i < full->size(); ++i) {
    EXPECT_EQ((*names)[i].name, BaseName((*full)[i].path));
    EXPECT_EQ((*names)[i].is_directory, (*full)[i].is_directory) << (*names)[i].name;
  }
  // The expected order is written out by hand: plain byte order.
  std::vector<std::string> got;
  for (const DirectoryEntry& e : *names) got.push_back(e.name);
  EXPECT_EQ(got, (std::vector<std::string>{"a", "a.parquet", "b.parquet", "c", "sub"}));
  EXPECT_TRUE((*names)[4].is_directory);
}

TEST_P(FileSystemTest, ListDirectoryNamesStartsAt) {
  ASSERT_TRUE(fs_->CreateDirectories(P("log/_sidecars")).ok());
  for (const char* name : {"00000000000000000009.json", "00000000000000000010.json",
                           "00000000000000000010.checkpoint.parquet", "00000000000000000011.json",
                           "_last_checkpoint"}) {
    Write(P(std::string("log/") + name), "x");
  }
  auto from10 = fs_->ListDirectoryNames(P("log"), "00000000000000000010");
  ASSERT_TRUE(from10.ok()) << from10.status().ToString();
  std::vector<std::string> got;
  for (const DirectoryEntry& e : *from10) got.push_back(e.name);
  EXPECT_EQ(got, (std::vector<std::string>{"00000000000000000010.checkpoint.parquet",
                                           "00000000000000000010.json", "00000000000000000011.json",
                                           "_last_checkpoint", "_sidecars"}));
  EXPECT_TRUE(from10->back().is_directory);
  // A start past every name lists nothing; a start equal to a name keeps it.
  EXPECT_TRUE(fs_->ListDirectoryNames(P("log"), "zzz")->empty());
  auto exact = fs_->ListDirectoryNames(P("log"), "_sidecars");
  ASSERT_TRUE(exact.ok());
  ASSERT_EQ(exact->size(), 1u);
  EXPECT_EQ(exact->front().name, "_sidecars");
  EXPECT_TRUE(fs_->ListDirectoryNames(P("missing"), "").status().IsNotFound());
  EXPECT_FALSE(fs_->ListDirectoryNames(P("log/_last_checkpoint"), "").ok())
      << "a file is not a directory";
}

TEST_P(FileSystemTest, CreateDirectoriesIsIdempotent) {
  ASSERT_TRUE(fs_->CreateDirectories(P("x/y/z")).ok());
  ASSERT_TRUE(fs_->CreateDirectories(P("x/y/z")).ok());
  ASSERT_TRUE(fs_->CreateDirectories(P("x/y")).ok());
  ASSERT_TRUE(fs_->CreateDirectories(P("x/y/z/")).ok());
  EXPECT_TRUE(fs_->Stat(P("x/y/z"))->is_directory);
  Write(P("x/file"), "f");
  EXPECT_FALSE(fs_->CreateDirectories(P("x/file")).ok());
  EXPECT_FALSE(fs_->CreateDirectories(P("x/file/below")).ok());
}

TEST_P(FileSystemTest, DeleteFile) {
  Write(P("f"), "x");
  ASSERT_TRUE(fs_->DeleteFile(P("f")).ok());
  EXPECT_FALSE(*fs_->Exists(P("f")));
  Status again = fs_->DeleteFile(P("f"));
  EXPECT_TRUE(again.IsNotFound());
  EXPECT_THAT(again.message(), HasSubstr(P("f")));
}

TEST_P(FileSystemTest, OpenReaderOutlivesDelete) {
  Write(P("f"), "still here");
  auto reader = fs_->OpenForRead(P("f"));
  ASSERT_TRUE(reader.ok());
  ASSERT_TRUE(fs_->DeleteFile(P("f")).ok());
  char buf[16];
  auto n = (*reader)->ReadAt(0, sizeof(buf), buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(std::string(buf, *n), "still here");
}

TEST_P(FileSystemTest, DeleteRecursively) {
  ASSERT_TRUE(fs_->CreateDirectories(P("tree/a/b")).ok());
  Write(P("tree/a/b/leaf"), "x");
  Write(P("tree/top"), "y");
  Write(P("tree-sibling"), "keep me");
  ASSERT_TRUE(fs_->DeleteRecursively(P("tree")).ok());
  EXPECT_FALSE(*fs_->Exists(P("tree")));
  EXPECT_FALSE(*fs_->Exists(P("tree/a/b/leaf")));
  EXPECT_EQ(Read(P("tree-sibling")), "keep me");
  EXPECT_TRUE(fs_->DeleteRecursively(P("tree")).ok()) << "missing is OK";
  ASSERT_TRUE(fs_->DeleteRecursively(P("tree-sibling")).ok()) << "a single file";
  EXPECT_FALSE(*fs_->Exists(P("tree-sibling")));
}

TEST_P(FileSystemTest, RenameMovesAndReplaces) {
  Write(P("a"), "A");
  Write(P("b"), "B");
  ASSERT_TRUE(fs_->Rename(P("a"), P("c")).ok());
  EXPECT_FALSE(*fs_->Exists(P("a")));
  EXPECT_EQ(Read(P("c")), "A");
  ASSERT_TRUE(fs_->Rename(P("c"), P("b")).ok());
  EXPECT_EQ(Read(P("b")), "A");
  EXPECT_EQ(Names(under_test_->root), std::vector<std::string>{"b"});
  EXPECT_TRUE(fs_->Rename(P("missing"), P("x")).IsNotFound());
  EXPECT_TRUE(fs_->Rename(P("b"), P("no/dir/x")).IsNotFound());
}

TEST_P(FileSystemTest, RenameDirectoryMovesItsTree) {
  ASSERT_TRUE(fs_->CreateDirectories(P("old/sub")).ok());
  Write(P("old/sub/f"), "deep");
  ASSERT_TRUE(fs_->Rename(P("old"), P("new")).ok());
  EXPECT_FALSE(*fs_->Exists(P("old")));
  EXPECT_EQ(Read(P("new/sub/f")), "deep");
}

std::string ParamName(const ::testing::TestParamInfo<Param>& info) { return info.param.name; }

template <typename T>
Param Make(std::string name) {
  return Param{std::move(name), [] { return std::unique_ptr<FsUnderTest>(std::make_unique<T>()); }};
}

INSTANTIATE_TEST_SUITE_P(
    AllFileSystems, FileSystemTest,
    ::testing::Values(Make<PosixUnderTest>("Posix"), Make<InMemoryUnderTest>("InMemory"),
                      Make<PassThroughUnderTest<PosixUnderTest>>("FaultFreePosix"),
                      Make<PassThroughUnderTest<InMemoryUnderTest>>("FaultFreeInMemory")),
    ParamName);

// --- Implementation-specific behaviour ---

TEST(InMemoryFileSystemTest, MtimeComesFromTheInjectedClock) {
  FakeClock clock(5'000'000);
  InMemoryFileSystem fs(&clock);
  ASSERT_TRUE(fs.CreateDirectories("/d").ok());
  ASSERT_TRUE(fs.WriteFileAtomic("/d/f", "x").ok());
  EXPECT_EQ(fs.Stat("/d/f")->mtime_micros, 5'000'000);
  clock.Advance(7);
  auto file = fs.OpenForWrite("/d/g");
  ASSERT_TRUE(file.ok());
  clock.Advance(3);
  ASSERT_TRUE((*file)->Append("y").ok());
  EXPECT_EQ(fs.Stat("/d/g")->mtime_micros, 5'000'010);
  EXPECT_EQ(fs.Stat("/d")->mtime_micros, 5'000'000);
}

TEST(InMemoryFileSystemTest, NormalizesSlashes) {
  InMemoryFileSystem fs;
  ASSERT_TRUE(fs.CreateDirectories("/a//b/").ok());
  ASSERT_TRUE(fs.WriteFileIfAbsent("/a/b//f", "x").ok());
  EXPECT_EQ(*fs.ReadFile("/a/b/f"), "x");
  EXPECT_TRUE(*fs.Exists("/a/b/"));
}

TEST(InMemoryFileSystemTest, RelativePathsLiveUnderAnImplicitRoot) {
  InMemoryFileSystem fs;
  ASSERT_TRUE(fs.WriteFileIfAbsent("top", "t").ok());
  ASSERT_TRUE(fs.CreateDirectories("dir").ok());
  ASSERT_TRUE(fs.WriteFileIfAbsent("/abs", "a").ok());
  auto list = fs.ListDirectory("");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].path, "dir");
  EXPECT_EQ((*list)[1].path, "top");
}

TEST(PathTest, JoinPath) {
  EXPECT_EQ(JoinPath("a", "b"), "a/b");
  EXPECT_EQ(JoinPath("a/", "/b"), "a/b");
  EXPECT_EQ(JoinPath("a//", "b/c"), "a/b/c");
  EXPECT_EQ(JoinPath("/", "b"), "/b");
  EXPECT_EQ(JoinPath("", "b"), "b");
  EXPECT_EQ(JoinPath("a", ""), "a");
}

TEST(PathTest, DirNameAndBaseName) {
  EXPECT_EQ(DirName("a/b/c"), "a/b");
  EXPECT_EQ(DirName("/a"), "/");
  EXPECT_EQ(DirName("a"), "");
  EXPECT_EQ(DirName("a/b/"), "a");
  EXPECT_EQ(BaseName("a/b/c"), "c");
  EXPECT_EQ(BaseName("c"), "c");
  EXPECT_EQ(BaseName("a/b/"), "b");
}

TEST(PathTest, TempPathsAreUniqueSiblings) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string tmp = TempPathFor("/t/_delta_log/00000000000000000001.json");
    EXPECT_EQ(DirName(tmp), "/t/_delta_log");
    EXPECT_TRUE(IsTempFileName(BaseName(tmp))) << tmp;
    EXPECT_TRUE(seen.insert(tmp).second) << tmp;
  }
  EXPECT_FALSE(IsTempFileName("00000000000000000001.json"));
  EXPECT_FALSE(IsTempFileName(".hidden"));
}

}  // namespace
}  // namespace strata
