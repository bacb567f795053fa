#include "common/fault_injection_file_system.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <thread>

#include "common/fake_file_system.h"

namespace strata {
namespace {

using ::testing::HasSubstr;

class FaultInjectionTest : public ::testing::Test {
 protected:
  FaultInjectionTest() : base_(&clock_), fs_(&base_, &clock_) {}
  void SetUp() override { ASSERT_TRUE(base_.CreateDirectories("/t/_delta_log").ok()); }

  std::vector<std::string> BaseNames(const std::string& dir) {
    std::vector<std::string> names;
    for (const FileInfo& info : *base_.ListDirectory(dir)) names.emplace_back(BaseName(info.path));
    return names;
  }

  FakeClock clock_;
  InMemoryFileSystem base_;
  FaultInjectionFileSystem fs_;
};

TEST_F(FaultInjectionTest, CountsCallsAndBytes) {
  ASSERT_TRUE(fs_.WriteFileIfAbsent("/t/a", "12345").ok());
  auto file = fs_.OpenForWrite("/t/b");
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Append("xyz").ok());
  ASSERT_TRUE((*file)->Append("").ok());
  ASSERT_TRUE((*file)->Close().ok());
  ASSERT_TRUE(fs_.Stat("/t/a").ok());
  EXPECT_FALSE(fs_.Stat("/t/missing").ok());
  EXPECT_EQ(fs_.CallCount(FsOp::kWriteFileIfAbsent), 1);
  EXPECT_EQ(fs_.CallCount(FsOp::kAppend), 2);
  EXPECT_EQ(fs_.CallCount(FsOp::kStat), 2) << "failed calls count too";
  EXPECT_EQ(fs_.CallCount(FsOp::kClose), 1);
  EXPECT_EQ(fs_.BytesWritten(), 8u);
  fs_.ResetCounters();
  EXPECT_EQ(fs_.CallCount(FsOp::kStat), 0);
  EXPECT_EQ(fs_.BytesWritten(), 0u);
}

TEST_F(FaultInjectionTest, NoSpaceWritesWhatFitsThenFails) {
  ASSERT_TRUE(fs_.WriteFileIfAbsent("/t/before", "ignored by the budget").ok());
  fs_.SetNoSpaceAfterBytes(10);
  auto file = fs_.OpenForWrite("/t/f");
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Append("123456").ok());
  Status full = (*file)->Append("789abc");
  EXPECT_TRUE(full.IsIOError());
  EXPECT_THAT(full.message(), HasSubstr("No space left on device"));
  EXPECT_THAT(full.message(), HasSubstr("/t/f"));
  EXPECT_TRUE((*file)->Append("more").IsIOError());
  ASSERT_TRUE((*file)->Close().ok());
  EXPECT_EQ(*base_.ReadFile("/t/f"), "123456789a");

  // Atomic writes fail cleanly: no target, no temp.
  EXPECT_TRUE(fs_.WriteFileIfAbsent("/t/_delta_log/0.json", "{}").IsIOError());
  EXPECT_TRUE(fs_.WriteFileAtomic("/t/_delta_log/cp", "{}").IsIOError());
  EXPECT_TRUE(BaseNames("/t/_delta_log").empty());
  EXPECT_EQ(*fs_.ReadFile("/t/f"), "123456789a") << "reads still work";

  fs_.ClearFaults();
  EXPECT_TRUE(fs_.WriteFileIfAbsent("/t/_delta_log/0.json", "{}").ok());
}

TEST_F(FaultInjectionTest, CrashTearsAnAppendThenAbortsEverything) {
  auto file = fs_.OpenForWrite("/t/data.parquet");
  ASSERT_TRUE(file.ok());
  fs_.SetCrashAfterBytes(5);
  Status torn = (*file)->Append("hello world");
  EXPECT_EQ(torn.code(), StatusCode::kAborted);
  EXPECT_TRUE(fs_.crashed());
  EXPECT_EQ(*base_.ReadFile("/t/data.parquet"), "hello") << "the first 5 bytes landed";
  EXPECT_EQ((*file)->Append("x").code(), StatusCode::kAborted);
  EXPECT_EQ((*file)->Sync().code(), StatusCode::kAborted);
  EXPECT_EQ(fs_.Stat("/t/data.parquet").status().code(), StatusCode::kAborted);
  EXPECT_EQ(fs_.ListDirectory("/t").status().code(), StatusCode::kAborted);
  EXPECT_EQ(fs_.WriteFileIfAbsent("/t/other", "x").code(), StatusCode::kAborted);
  EXPECT_EQ((*file)->Close().code(), StatusCode::kAborted);
  EXPECT_EQ(*base_.ReadFile("/t/data.parquet"), "hello");

  fs_.ClearFaults();  // the reboot
  EXPECT_FALSE(fs_.crashed());
  EXPECT_EQ(*fs_.ReadFile("/t/data.parquet"), "hello");
}

TEST_F(FaultInjectionTest, WriteEndingExactlyAtTheBudgetSucceeds) {
  fs_.SetCrashAfterBytes(4);
  ASSERT_TRUE(fs_.WriteFileIfAbsent("/t/a", "abcd").ok());
  EXPECT_FALSE(fs_.crashed());
  EXPECT_EQ(fs_.WriteFileIfAbsent("/t/b", "e").code(), StatusCode::kAborted);
  EXPECT_TRUE(fs_.crashed());
}

TEST_F(FaultInjectionTest, CrashDuringWriteFileIfAbsentLeavesNoTarget) {
  const std::string commit = R"({"commitInfo":{"operation":"WRITE"}})";
  fs_.SetCrashAfterBytes(7);
  Status s = fs_.WriteFileIfAbsent("/t/_delta_log/00000000000000000000.json", commit);
  EXPECT_EQ(s.code(), StatusCode::kAborted);
  EXPECT_FALSE(*base_.Exists("/t/_delta_log/00000000000000000000.json"));
  // Only the torn temp remains, and it is recognizable as one.
  std::vector<std::string> names = BaseNames("/t/_delta_log");
  ASSERT_EQ(names.size(), 1u);
  EXPECT_TRUE(IsTempFileName(names[0])) << names[0];
  EXPECT_EQ(*base_.ReadFile(JoinPath("/t/_delta_log", names[0])), commit.substr(0, 7));
}

TEST_F(FaultInjectionTest, CrashDuringWriteFileAtomicKeepsTheOldFile) {
  ASSERT_TRUE(fs_.WriteFileAtomic("/t/_delta_log/_last_checkpoint", "old").ok());
  fs_.SetCrashAfterBytes(2);
  EXPECT_EQ(fs_.WriteFileAtomic("/t/_delta_log/_last_checkpoint", "new!").code(),
            StatusCode::kAborted);
  EXPECT_EQ(*base_.ReadFile("/t/_delta_log/_last_checkpoint"), "old");
}

// Whatever byte the crash lands on, a reader sees no commit or all of it.
TEST(FaultInjectionSweepTest, EveryCrashPointIsAllOrNothing) {
  const std::string commit = "{\"add\":{\"path\":\"part-0.parquet\",\"size\":1234}}\n";
  std::string tmpl = ::testing::TempDir() + "strata_fault_XXXXXX";
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  InMemoryFileSystem mem;
  ASSERT_TRUE(mem.CreateDirectories("/log").ok());
  for (FileSystem* base : {static_cast<FileSystem*>(&mem), FileSystem::Default()}) {
    std::string dir = base == &mem ? std::string("/log") : tmpl;
    for (size_t budget = 0; budget <= commit.size() + 1; ++budget) {
      FaultInjectionFileSystem fs(base);
      std::string path = JoinPath(dir, std::to_string(budget) + ".json");
      fs.SetCrashAfterBytes(budget);
      Status s = fs.WriteFileIfAbsent(path, commit);
      auto data = base->ReadFile(path);
      if (s.ok()) {
        EXPECT_GE(budget, commit.size());
        EXPECT_EQ(*data, commit);
      } else {
        EXPECT_EQ(s.code(), StatusCode::kAborted);
        EXPECT_TRUE(data.status().IsNotFound()) << "budget " << budget;
      }
    }
  }
  ASSERT_TRUE(FileSystem::Default()->DeleteRecursively(tmpl).ok());
}

TEST_F(FaultInjectionTest, CrashNowStopsEverything) {
  fs_.CrashNow();
  EXPECT_EQ(fs_.Exists("/t").status().code(), StatusCode::kAborted);
  EXPECT_EQ(fs_.OpenForRead("/t/x").status().code(), StatusCode::kAborted);
  fs_.ClearFaults();
  EXPECT_TRUE(*fs_.Exists("/t"));
}

TEST_F(FaultInjectionTest, FailsTheNthCallOfAKindOnce) {
  fs_.FailNthCall(FsOp::kWriteFileIfAbsent, 3, Status::Unavailable("the store blinked"));
  ASSERT_TRUE(fs_.WriteFileIfAbsent("/t/1", "a").ok());
  ASSERT_TRUE(fs_.Stat("/t/1").ok()) << "other kinds do not count";
  ASSERT_TRUE(fs_.WriteFileIfAbsent("/t/2", "b").ok());
  Status third = fs_.WriteFileIfAbsent("/t/3", "c");
  EXPECT_EQ(third.code(), StatusCode::kUnavailable);
  EXPECT_EQ(third.message(), "the store blinked");
  EXPECT_FALSE(*base_.Exists("/t/3")) << "kBefore: no effect";
  EXPECT_TRUE(fs_.WriteFileIfAbsent("/t/3", "c").ok()) << "one-shot";
}

TEST_F(FaultInjectionTest, DefaultInjectedErrorNamesOpAndPath) {
  fs_.FailNthCall(FsOp::kSync, 1);
  auto file = fs_.OpenForWrite("/t/f");
  ASSERT_TRUE(file.ok());
  Status s = (*file)->Sync();
  EXPECT_TRUE(s.IsIOError());
  EXPECT_THAT(s.message(), HasSubstr("Sync"));
  EXPECT_THAT(s.message(), HasSubstr("/t/f"));
}

TEST_F(FaultInjectionTest, ErrorAfterTheFactIsALostReply) {
  fs_.FailNthCall(FsOp::kWriteFileIfAbsent, 1, Status::Unavailable("timeout"), FaultTiming::kAfter);
  EXPECT_EQ(fs_.WriteFileIfAbsent("/t/_delta_log/1.json", "mine").code(), StatusCode::kUnavailable);
  EXPECT_EQ(*base_.ReadFile("/t/_delta_log/1.json"), "mine") << "the commit landed";
  EXPECT_EQ(fs_.WriteFileIfAbsent("/t/_delta_log/1.json", "mine").code(),
            StatusCode::kAlreadyExists);
}

TEST_F(FaultInjectionTest, DelaysAdvanceTheInjectedClock) {
  int64_t start = clock_.NowMicros();
  fs_.SetDelayMicros(1000);
  fs_.SetDelayMicros(FsOp::kReadFile, 50'000);
  ASSERT_TRUE(fs_.WriteFileIfAbsent("/t/a", "x").ok());
  ASSERT_TRUE(fs_.Exists("/t/a").ok());
  ASSERT_TRUE(fs_.ReadFile("/t/a").ok());
  EXPECT_EQ(clock_.NowMicros() - start, 52'000);
  fs_.ClearFaults();
  ASSERT_TRUE(fs_.ReadFile("/t/a").ok());
  EXPECT_EQ(clock_.NowMicros() - start, 52'000);
}

TEST_F(FaultInjectionTest, DropUnsyncedDataKeepsOnlySyncedBytes) {
  ASSERT_TRUE(base_.WriteFileAtomic("/t/existing", "old contents").ok());
  auto synced = fs_.OpenForWrite("/t/synced");
  auto never = fs_.OpenForWrite("/t/never");
  auto rewritten = fs_.OpenForWrite("/t/existing");
  ASSERT_TRUE(synced.ok() && never.ok() && rewritten.ok());
  ASSERT_TRUE((*synced)->Append("abc").ok());
  ASSERT_TRUE((*synced)->Sync().ok());
  ASSERT_TRUE((*synced)->Append("def").ok());
  ASSERT_TRUE((*never)->Append("lost").ok());
  ASSERT_TRUE((*rewritten)->Append("new, unsynced").ok());
  ASSERT_TRUE(fs_.WriteFileAtomic("/t/atomic", "durable").ok());
  auto moved = fs_.OpenForWrite("/t/moved-from");
  ASSERT_TRUE(moved.ok());
  ASSERT_TRUE((*moved)->Append("gone").ok());
  ASSERT_TRUE((*moved)->Close().ok());
  ASSERT_TRUE(fs_.Rename("/t/moved-from", "/t/moved-to").ok());

  fs_.CrashNow();
  ASSERT_TRUE(fs_.DropUnsyncedData().ok());
  EXPECT_EQ(*base_.ReadFile("/t/synced"), "abc");
  EXPECT_FALSE(*base_.Exists("/t/never"));
  EXPECT_EQ(*base_.ReadFile("/t/existing"), "");
  EXPECT_EQ(*base_.ReadFile("/t/atomic"), "durable");
  EXPECT_FALSE(*base_.Exists("/t/moved-to"));
}

TEST_F(FaultInjectionTest, ConcurrentWritersShareOneBudget) {
  fs_.SetNoSpaceAfterBytes(1000);
  std::vector<std::thread> threads;
  threads.reserve(8);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([this, t] {
      auto file = fs_.OpenForWrite("/t/w" + std::to_string(t));
      ASSERT_TRUE(file.ok());
      for (int i = 0; i < 100; ++i) (void)(*file)->Append("0123456789");
      ASSERT_TRUE((*file)->Close().ok());
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(fs_.BytesWritten(), 1000u);
  uint64_t on_disk = 0;
  for (const FileInfo& info : *base_.ListDirectory("/t")) on_disk += info.size;
  EXPECT_EQ(on_disk, 1000u);
}

}  // namespace
}  // namespace strata
