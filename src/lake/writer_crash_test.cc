// Crash safety: the writer is stopped at every step of a commit (data file
// written; commit file torn; commit written but never acknowledged;
// checkpoint staging torn; checkpoint never renamed into place;
// `_last_checkpoint` torn). After each "reboot" the table must open with
// exactly the committed versions and rows, and the next writer must commit.
#include <functional>

#include "common/fault_injection_file_system.h"
#include "lake/writer_testing.h"

namespace strata::lake {
namespace {

using testing::IdNameSchema;
using testing::Rows;

// Forwards to a FaultInjectionFileSystem and lets a test act just before or
// after one kind of call (arm a torn write there, or crash right after it).
class CrashPointFileSystem : public FileSystem {
 public:
  explicit CrashPointFileSystem(FaultInjectionFileSystem& fault) : fault_(fault) {}

  std::function<void(FsOp)> before = [](FsOp) {};
  std::function<Status(FsOp, Status)> after = [](FsOp, Status s) { return s; };

  Result<std::unique_ptr<RandomAccessFile>> OpenForRead(const std::string& p) override {
    before(FsOp::kOpenForRead);
    return fault_.OpenForRead(p);
  }
  Result<std::unique_ptr<WritableFile>> OpenForWrite(const std::string& p) override {
    before(FsOp::kOpenForWrite);
    return fault_.OpenForWrite(p);
  }
  Status WriteFileIfAbsent(const std::string& p, std::string_view d) override {
    before(FsOp::kWriteFileIfAbsent);
    return after(FsOp::kWriteFileIfAbsent, fault_.WriteFileIfAbsent(p, d));
  }
  Status WriteFileAtomic(const std::string& p, std::string_view d) override {
    before(FsOp::kWriteFileAtomic);
    return after(FsOp::kWriteFileAtomic, fault_.WriteFileAtomic(p, d));
  }
  Result<std::string> ReadFile(const std::string& p) override { return fault_.ReadFile(p); }
  Result<FileInfo> Stat(const std::string& p) override {
    before(FsOp::kStat);
    return fault_.Stat(p);
  }
  Result<bool> Exists(const std::string& p) override { return fault_.Exists(p); }
  Result<std::vector<FileInfo>> ListDirectory(const std::string& d) override {
    return fault_.ListDirectory(d);
  }
  Status CreateDirectories(const std::string& d) override { return fault_.CreateDirectories(d); }
  Status DeleteFile(const std::string& p) override { return fault_.DeleteFile(p); }
  Status DeleteRecursively(const std::string& d) override { return fault_.DeleteRecursively(d); }
  Status Rename(const std::string& f, const std::string& t) override {
    before(FsOp::kRename);
    return fault_.Rename(f, t);
  }

 private:
  FaultInjectionFileSystem& fault_;
};

enum class Crash {
  kAfterDataFile,           // the data file is on disk, the commit never started
  kTornCommit,              // the commit file's write is cut short
  kCommitUnacknowledged,    // the commit landed, the process died before hearing so
  kTornCheckpoint,          // the checkpoint's staged actions are cut short
  kCheckpointNotPublished,  // the Parquet checkpoint never got its final name
  kTornLastCheckpoint,      // _last_checkpoint's write is cut short
};

struct CrashCase {
  Crash crash;
  const char* name;
  bool commit_lands;      // version 2 exists after the reboot
  bool checkpoint_lands;  // 2.checkpoint.parquet exists after the reboot
};

class WriterCrashTest : public testing::WriterTest,
                        public ::testing::WithParamInterface<CrashCase> {};

TEST_P(WriterCrashTest, TableOpensWithExactlyTheCommittedVersions) {
  const CrashCase& c = GetParam();
  CreateTableOptions options;
  options.properties = {{"delta.checkpointInterval", "2"}};
  LAKE_ASSERT_OK_AND_ASSIGN(auto setup,
                            TableWriter::Create(root_, *IdNameSchema(), options, fs(), *conn_));
  Exec(
      "CREATE TABLE src AS SELECT CAST(i AS BIGINT) AS id, 'n' || i AS name FROM range(0, 30) "
      "t(i)");
  LAKE_ASSERT_OK(setup->Append("SELECT * FROM src WHERE id < 10"));  // version 1

  FaultInjectionFileSystem fault(FileSystem::Default());
  CrashPointFileSystem crashing(fault);
  switch (c.crash) {
    case Crash::kAfterDataFile:  // the writer Stats each data file right after DuckDB writes it
      fault.FailNthCall(FsOp::kStat, 1, Status::Aborted("simulated crash"));
      break;
    case Crash::kTornCommit:
      crashing.before = [&](FsOp op) {
        if (op == FsOp::kWriteFileIfAbsent) fault.SetCrashAfterBytes(40);
      };
      break;
    case Crash::kCommitUnacknowledged:
      crashing.after = [&](FsOp op, Status s) {
        if (op != FsOp::kWriteFileIfAbsent || !s.ok()) return s;
        fault.CrashNow();
        return Status::Aborted("simulated crash after the commit landed");
      };
      break;
    case Crash::kTornCheckpoint:
      crashing.before = [&](FsOp op) {
        if (op == FsOp::kOpenForWrite) fault.SetCrashAfterBytes(100);
      };
      break;
    case Crash::kCheckpointNotPublished:
      crashing.before = [&](FsOp op) {
        if (op == FsOp::kRename) fault.CrashNow();
      };
      break;
    case Crash::kTornLastCheckpoint:
      crashing.before = [&](FsOp op) {
        if (op == FsOp::kWriteFileAtomic) fault.SetCrashAfterBytes(10);
      };
      break;
  }
  LAKE_ASSERT_OK_AND_ASSIGN(auto writer, TableWriter::Open(root_, crashing, *conn_));
  AppendOptions append;
  append.txn = TxnId{"batch-loader", 2};
  auto result = writer->Append("SELECT * FROM src WHERE id >= 10 AND id < 20", append);
  if (c.commit_lands && c.crash != Crash::kCommitUnacknowledged) {
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    EXPECT_FALSE(result->checkpoint_written);
    EXPECT_FALSE(result->checkpoint_status.ok());
  } else {
    EXPECT_FALSE(result.ok());
  }

  // "Reboot": read through the plain file system.
  fault.ClearFaults();
  Rows committed =
      Query(c.commit_lands ? "SELECT * FROM src WHERE id < 20" : "SELECT * FROM src WHERE id < 10");
  EXPECT_EQ(LatestVersion(root_), c.commit_lands ? 2 : 1);
  EXPECT_EQ(ReadTable(root_), committed);
  EXPECT_EQ(ReadIndependently(root_, "id, name"), committed);
  char cp[48];
  std::snprintf(cp, sizeof cp, "%020d.checkpoint.parquet", 2);
  EXPECT_EQ(std::filesystem::exists(root_ + "/_delta_log/" + cp), c.checkpoint_lands);
  EXPECT_FALSE(std::filesystem::exists(root_ + "/_delta_log/_last_checkpoint"));
  if (c.crash == Crash::kAfterDataFile) {
    // The orphan data file is there but no version references it.
    size_t parquet_files = 0;
    for (const auto& e : std::filesystem::directory_iterator(root_)) {
      parquet_files += e.path().extension() == ".parquet";
    }
    EXPECT_EQ(parquet_files, 2u);
  }

  // The retried batch (same txn) is applied exactly once.
  LAKE_ASSERT_OK_AND_ASSIGN(auto next, TableWriter::Open(root_, fs(), *conn_));
  LAKE_ASSERT_OK_AND_ASSIGN(auto retried,
                            next->Append("SELECT * FROM src WHERE id >= 10 AND id < 20", append));
  EXPECT_EQ(retried.already_applied, c.commit_lands);
  EXPECT_EQ(ReadTable(root_), Query("SELECT * FROM src WHERE id < 20"));
  // The next writer commits; its checkpoint (version 4) lands whole.
  LAKE_ASSERT_OK_AND_ASSIGN(auto after, next->Append("SELECT * FROM src WHERE id >= 20"));
  LAKE_ASSERT_OK(after.checkpoint_status);
  EXPECT_EQ(after.version, 3);
  LAKE_ASSERT_OK_AND_ASSIGN(auto empty, next->Append("SELECT * FROM src WHERE id < 0"));
  EXPECT_TRUE(empty.checkpoint_written);
  LAKE_ASSERT_OK(empty.checkpoint_status);
  EXPECT_EQ(LatestVersion(root_), 4);
  EXPECT_EQ(ReadTable(root_), Query("SELECT * FROM src"));
  EXPECT_EQ(ReadIndependently(root_, "id, name"), Query("SELECT * FROM src"));
  EXPECT_TRUE(std::filesystem::exists(root_ + "/_delta_log/_last_checkpoint"));
}

INSTANTIATE_TEST_SUITE_P(
    EveryStep, WriterCrashTest,
    ::testing::Values(CrashCase{Crash::kAfterDataFile, "AfterDataFile", false, false},
                      CrashCase{Crash::kTornCommit, "TornCommit", false, false},
                      CrashCase{Crash::kCommitUnacknowledged, "CommitUnacknowledged", true, false},
                      CrashCase{Crash::kTornCheckpoint, "TornCheckpoint", true, false},
                      CrashCase{Crash::kCheckpointNotPublished, "CheckpointNotPublished", true,
                                false},
                      CrashCase{Crash::kTornLastCheckpoint, "TornLastCheckpoint", true, true}),
    [](const ::testing::TestParamInfo<CrashCase>& info) { return std::string(info.param.name); });

class LostReplyTest : public testing::WriterTest {};

TEST_F(LostReplyTest, LostCommitReplyIsRecognizedAsSuccess) {
  LAKE_ASSERT_OK_AND_ASSIGN(auto setup,
                            TableWriter::Create(root_, *IdNameSchema(), {}, fs(), *conn_));
  FaultInjectionFileSystem fault(FileSystem::Default());
  // The commit lands but the call reports an I/O error (a lost reply); the
  // writer reads the file back, finds its own txnId, and reports success.
  fault.FailNthCall(FsOp::kWriteFileIfAbsent, 1, Status::IOError("connection reset"),
                    FaultTiming::kAfter);
  LAKE_ASSERT_OK_AND_ASSIGN(auto writer, TableWriter::Open(root_, fault, *conn_));
  LAKE_ASSERT_OK_AND_ASSIGN(auto r, writer->Append("SELECT 1::BIGINT AS id, 'x' AS name"));
  EXPECT_TRUE(r.committed);
  EXPECT_EQ(r.version, 1);
  EXPECT_EQ(ReadTable(root_), Rows{"1|x"});
}

}  // namespace
}  // namespace strata::lake
