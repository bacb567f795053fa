// FaultInjectionFileSystem: wraps any FileSystem and makes it fail on purpose,
// so crash and error paths (the Delta commit protocol above all) are tested
// deterministically instead of hoped for.
//
// Every call first counts itself, then sleeps for its configured delay, then
// checks the faults below in this order: crashed, injected error, byte budgets.
//
// Faults (each is off until armed; ClearFaults() disarms all of them):
//
//  * No space: SetNoSpaceAfterBytes(n). Counting from the moment it is armed,
//    writes may add n more bytes in total. The write that would cross the
//    limit writes the part that fits and then fails; every later write writes
//    nothing and fails. The error is IOError "...: No space left on device".
//    For WriteFileIfAbsent / WriteFileAtomic the failing write leaves no
//    target and no temp file (as the real implementation cleans up).
//    Only data bytes count: Append, WriteFileIfAbsent, WriteFileAtomic.
//
//  * Crash: SetCrashAfterBytes(n), or CrashNow(). Counting from arming, writes
//    may add n more bytes. The write that would cross n is torn: for Append
//    its first bytes up to the budget reach the file (they are flushed to the
//    base file system); for WriteFileIfAbsent / WriteFileAtomic the prefix
//    goes to a temp file beside the target (a TempPathFor() name, which may
//    remain) and the target is NOT created or replaced, so readers see the old
//    state or the whole new file, never a part. The crashing call and every
//    later call, of any kind and on any file opened through this object,
//    return Aborted, until ClearFaults(). A write that ends exactly at the
//    budget succeeds; the crash comes with the next non-empty write.
//    Close() after a crash still closes the underlying file (releasing it)
//    and returns Aborted. To look at the state "after the reboot", read
//    through the base file system or call ClearFaults() first.
//
//  * Injected error: FailNthCall(op, k, error, timing). The k-th call of kind
//    `op` counted from arming (k = 1 is the next one) returns `error`
//    (default: IOError "injected fault: <op> '<path>'"). One-shot; several
//    may be armed at once. With FaultTiming::kBefore the call has no effect;
//    with kAfter it takes full effect and then reports the error (a lost
//    reply: e.g. a commit that landed while its caller saw a failure).
//
//  * Slow I/O: SetDelayMicros(op, micros) / SetDelayMicros(micros) for all
//    kinds. Each call sleeps on the injected Clock first; with a FakeClock
//    that advances time instead of blocking.
//
//  * Lost unsynced data: DropUnsyncedData() (LevelDB's fault env). Files
//    written through OpenForWrite on this object are tracked by path: a file
//    created through it and never synced is deleted; any other tracked file
//    is truncated to the bytes it had at its last successful Sync() through
//    this object (0 if none). WriteFileIfAbsent / WriteFileAtomic are durable
//    on success and never dropped. Renames move tracking to the new path;
//    deletes end it. Renames and deletes themselves are treated as durable.
//    Call it after the crash, with the files opened before it abandoned.
//
// Counters: CallCount(op) and BytesWritten() since construction or the last
// ResetCounters().
//
// Thread-safe. The base file system and the clock are not owned and must
// outlive this object; files opened through it must not outlive it.
#pragma once

#include <array>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/file_system.h"

namespace strata {

// The kinds of call the wrapper counts, delays and fails.
enum class FsOp {
  kOpenForRead,
  kOpenForWrite,
  kWriteFileIfAbsent,
  kWriteFileAtomic,
  kReadFile,
  kStat,
  kExists,
  kListDirectory,
  kListDirectoryNames,
  kCreateDirectories,
  kDeleteFile,
  kDeleteRecursively,
  kRename,
  kRead,    // RandomAccessFile::ReadAt and Size
  kAppend,  // WritableFile methods
  kFlush,
  kSync,
  kClose,
};
inline constexpr size_t kFsOpCount = static_cast<size_t>(FsOp::kClose) + 1;

// A stable name for `op`, e.g. "WriteFileIfAbsent".
std::string_view FsOpName(FsOp op);

enum class FaultTiming {
  kBefore,  // fail without doing anything
  kAfter,   // do the operation, then report failure
};

class FaultInjectionFileSystem : public FileSystem {
 public:
  // Wraps `base`. `clock` is used for delays; nullptr means Clock::Default().
  // Neither is owned.
  explicit FaultInjectionFileSystem(FileSystem* base, Clock* clock = nullptr);
  ~FaultInjectionFileSystem() override;
  FaultInjectionFileSystem(const FaultInjectionFileSystem&) = delete;
  FaultInjectionFileSystem& operator=(const FaultInjectionFileSystem&) = delete;

  // Arms the no-space fault: `bytes` more bytes may be written.
  void SetNoSpaceAfterBytes(uint64_t bytes);
  // Arms the crash fault: the write that crosses `bytes` more bytes is torn.
  void SetCrashAfterBytes(uint64_t bytes);
  // Crashes now: every later call returns Aborted until ClearFaults().
  void CrashNow();
  // True after a simulated crash, until ClearFaults().
  bool crashed() const;
  // The `nth` (1-based) call of kind `op` from now fails with `error`; an OK
  // `error` means the default IOError naming the op and path.
  void FailNthCall(FsOp op, int64_t nth, Status error = Status::OK(),
                   FaultTiming timing = FaultTiming::kBefore);
  // Each call of kind `op` (or of every kind) first sleeps `micros` on the clock.
  void SetDelayMicros(FsOp op, int64_t micros);
  void SetDelayMicros(int64_t micros);
  // Disarms every fault and clears the crashed state (the "reboot"). Keeps
  // counters and unsynced-data tracking.
  void ClearFaults();

  // Deletes or truncates tracked files to their synced state (see above).
  // Works on the base file system directly, even while crashed.
  Status DropUnsyncedData();

  // Calls of kind `op` so far, including failed ones.
  int64_t CallCount(FsOp op) const;
  // Data bytes that reached the base file system so far.
  uint64_t BytesWritten() const;
  // Zeroes CallCount and BytesWritten; armed byte budgets are unaffected.
  void ResetCounters();

  // FileSystem, forwarded to the base behind the faults above.
  Result<std::unique_ptr<RandomAccessFile>> OpenForRead(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> OpenForWrite(const std::string& path) override;
  Status WriteFileIfAbsent(const std::string& path, std::string_view data) override;
  Status WriteFileAtomic(const std::string& path, std::string_view data) override;
  Result<std::string> ReadFile(const std::string& path) override;
  Result<FileInfo> Stat(const std::string& path) override;
  Result<bool> Exists(const std::string& path) override;
  Result<std::vector<FileInfo>> ListDirectory(const std::string& dir) override;
  Result<std::vector<DirectoryEntry>> ListDirectoryNames(const std::string& dir,
                                                         std::string_view start_at) override;
  Status CreateDirectories(const std::string& dir) override;
  Status DeleteFile(const std::string& path) override;
  Status DeleteRecursively(const std::string& dir) override;
  Status Rename(const std::string& from, const std::string& to) override;

 private:
  class FaultRandomAccessFile;
  class FaultWritableFile;

  // Statuses to return before and after performing one call.
  struct Gate {
    Status before;
    Status after;
  };
  struct InjectedError {
    FsOp op;
    int64_t remaining;  // calls of `op` until it fires
    Status error;
    FaultTiming timing;
  };
  struct Tracked {
    bool created = false;  // did not exist before OpenForWrite
    bool ever_synced = false;
    uint64_t synced_size = 0;
  };

  // Counts, delays, and checks the crashed state and injected errors.
  Gate Enter(FsOp op, std::string_view path);
  // Reserves room for writing `size` bytes: returns how many may be written
  // and the status to report after writing them.
  std::pair<size_t, Status> GrantWrite(size_t size, std::string_view path);
  // Records that the tracked file at `path` now has `size` bytes synced.
  void MarkSynced(const std::string& path, uint64_t size);
  // Runs `fn` (returning Status or Result<T>) behind the gate of `op`.
  template <typename Fn>
  auto Run(FsOp op, std::string_view path, Fn&& fn) -> decltype(fn());
  // Stages the torn prefix of an atomic write in a temp file beside `path`.
  void WriteTornTemp(const std::string& path, std::string_view prefix);
  void ForgetTrackedLocked(const std::string& path, bool recursive);

  FileSystem* const base_;
  Clock* const clock_;

  mutable std::mutex mu_;
  bool crashed_ = false;
  uint64_t total_bytes_ = 0;  // never reset: budgets are positions in it
  std::optional<uint64_t> no_space_at_;
  std::optional<uint64_t> crash_at_;
  std::vector<InjectedError> injected_;
  std::array<int64_t, kFsOpCount> delay_micros_{};
  std::array<int64_t, kFsOpCount> calls_{};
  uint64_t bytes_written_ = 0;
  std::map<std::string, Tracked> tracked_;
};

}  // namespace strata
