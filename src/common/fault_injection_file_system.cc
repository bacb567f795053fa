#include "common/fault_injection_file_system.h"

#include <fmt/format.h>

namespace strata {

std::string_view FsOpName(FsOp op) {
  switch (op) {
    case FsOp::kOpenForRead:
      return "OpenForRead";
    case FsOp::kOpenForWrite:
      return "OpenForWrite";
    case FsOp::kWriteFileIfAbsent:
      return "WriteFileIfAbsent";
    case FsOp::kWriteFileAtomic:
      return "WriteFileAtomic";
    case FsOp::kReadFile:
      return "ReadFile";
    case FsOp::kStat:
      return "Stat";
    case FsOp::kExists:
      return "Exists";
    case FsOp::kListDirectory:
      return "ListDirectory";
    case FsOp::kListDirectoryNames:
      return "ListDirectoryNames";
    case FsOp::kCreateDirectories:
      return "CreateDirectories";
    case FsOp::kDeleteFile:
      return "DeleteFile";
    case FsOp::kDeleteRecursively:
      return "DeleteRecursively";
    case FsOp::kRename:
      return "Rename";
    case FsOp::kRead:
      return "Read";
    case FsOp::kAppend:
      return "Append";
    case FsOp::kFlush:
      return "Flush";
    case FsOp::kSync:
      return "Sync";
    case FsOp::kClose:
      return "Close";
  }
  return "Unknown";
}

namespace {

size_t Index(FsOp op) { return static_cast<size_t>(op); }

Status CrashedError(FsOp op, std::string_view path) {
  return Status::Aborted(fmt::format("simulated crash: {} '{}'", FsOpName(op), path));
}

}  // namespace

template <typename Fn>
auto FaultInjectionFileSystem::Run(FsOp op, std::string_view path, Fn&& fn) -> decltype(fn()) {
  Gate gate = Enter(op, path);
  if (!gate.before.ok()) return gate.before;
  auto result = fn();
  if (!gate.after.ok()) return gate.after;
  return result;
}

class FaultInjectionFileSystem::FaultRandomAccessFile : public RandomAccessFile {
 public:
  FaultRandomAccessFile(FaultInjectionFileSystem* fs, std::string path,
                        std::unique_ptr<RandomAccessFile> base)
      : fs_(fs), path_(std::move(path)), base_(std::move(base)) {}

  Result<size_t> ReadAt(uint64_t offset, size_t n, char* scratch) const override {
    return fs_->Run(FsOp::kRead, path_, [&] { return base_->ReadAt(offset, n, scratch); });
  }
  Result<uint64_t> Size() const override {
    return fs_->Run(FsOp::kRead, path_, [&] { return base_->Size(); });
  }

 private:
  FaultInjectionFileSystem* fs_;
  std::string path_;
  std::unique_ptr<RandomAccessFile> base_;
};

class FaultInjectionFileSystem::FaultWritableFile : public WritableFile {
 public:
  FaultWritableFile(FaultInjectionFileSystem* fs, std::string path,
                    std::unique_ptr<WritableFile> base)
      : fs_(fs), path_(std::move(path)), base_(std::move(base)) {}

  Status Append(std::string_view data) override {
    return fs_->Run(FsOp::kAppend, path_, [&]() -> Status {
      auto [allowed, status] = fs_->GrantWrite(data.size(), path_);
      if (allowed > 0) {
        STRATA_RETURN_IF_ERROR(base_->Append(data.substr(0, allowed)));
        size_ += allowed;
      }
      // A torn write must reach the base, not linger in a buffer.
      if (!status.ok() && allowed > 0) (void)base_->Flush();
      return status;
    });
  }

  Status Flush() override {
    return fs_->Run(FsOp::kFlush, path_, [&] { return base_->Flush(); });
  }

  Status Sync() override {
    return fs_->Run(FsOp::kSync, path_, [&]() -> Status {
      STRATA_RETURN_IF_ERROR(base_->Sync());
      fs_->MarkSynced(path_, size_);
      return Status::OK();
    });
  }

  // Closes the base file even after a crash, so its handle is released.
  Status Close() override {
    Status s = fs_->Run(FsOp::kClose, path_, [&] { return base_->Close(); });
    if (!s.ok()) (void)base_->Close();
    return s;
  }

 private:
  FaultInjectionFileSystem* fs_;
  std::string path_;
  std::unique_ptr<WritableFile> base_;
  uint64_t size_ = 0;  // bytes appended through this handle
};

FaultInjectionFileSystem::FaultInjectionFileSystem(FileSystem* base, Clock* clock)
    : base_(base), clock_(clock != nullptr ? clock : Clock::Default()) {}

FaultInjectionFileSystem::~FaultInjectionFileSystem() = default;

void FaultInjectionFileSystem::SetNoSpaceAfterBytes(uint64_t bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  no_space_at_ = total_bytes_ + bytes;
}

void FaultInjectionFileSystem::SetCrashAfterBytes(uint64_t bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  crash_at_ = total_bytes_ + bytes;
}

void FaultInjectionFileSystem::CrashNow() {
  std::lock_guard<std::mutex> lock(mu_);
  crashed_ = true;
}

bool FaultInjectionFileSystem::crashed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return crashed_;
}

void FaultInjectionFileSystem::FailNthCall(FsOp op, int64_t nth, Status error, FaultTiming timing) {
  std::lock_guard<std::mutex> lock(mu_);
  injected_.push_back(InjectedError{op, nth, std::move(error), timing});
}

void FaultInjectionFileSystem::SetDelayMicros(FsOp op, int64_t micros) {
  std::lock_guard<std::mutex> lock(mu_);
  delay_micros_[Index(op)] = micros;
}

void FaultInjectionFileSystem::SetDelayMicros(int64_t micros) {
  std::lock_guard<std::mutex> lock(mu_);
  delay_micros_.fill(micros);
}

void FaultInjectionFileSystem::ClearFaults() {
  std::lock_guard<std::mutex> lock(mu_);
  crashed_ = false;
  no_space_at_.reset();
  crash_at_.reset();
  injected_.clear();
  delay_micros_.fill(0);
}

int64_t FaultInjectionFileSystem::CallCount(FsOp op) const {
  std::lock_guard<std::mutex> lock(mu_);
  return calls_[Index(op)];
}

uint64_t FaultInjectionFileSystem::BytesWritten() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_written_;
}

void FaultInjectionFileSystem::ResetCounters() {
  std::lock_guard<std::mutex> lock(mu_);
  calls_.fill(0);
  bytes_written_ = 0;
}

FaultInjectionFileSystem::Gate FaultInjectionFileSystem::Enter(FsOp op, std::string_view path) {
  int64_t delay;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++calls_[Index(op)];
    delay = delay_micros_[Index(op)];
  }
  if (delay > 0) clock_->SleepForMicros(delay);  // outside the lock: slow calls overlap
  std::lock_guard<std::mutex> lock(mu_);
  if (crashed_) return Gate{CrashedError(op, path), Status::OK()};
  for (auto it = injected_.begin(); it != injected_.end(); ++it) {
    if (it->op != op || --it->remaining > 0) continue;
    Status error = it->error.ok()
                       ? Status::IOError(fmt::format("injected fault: {} '{}'", FsOpName(op), path))
                       : it->error;
    FaultTiming timing = it->timing;
    injected_.erase(it);
    if (timing == FaultTiming::kBefore) return Gate{std::move(error), Status::OK()};
    return Gate{Status::OK(), std::move(error)};
  }
  return Gate{};
}

std::pair<size_t, Status> FaultInjectionFileSystem::GrantWrite(size_t size, std::string_view path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (crashed_) return {0, CrashedError(FsOp::kAppend, path)};
  auto room = [&](const std::optional<uint64_t>& limit) -> uint64_t {
    if (!limit.has_value()) return UINT64_MAX;
    return *limit > total_bytes_ ? *limit - total_bytes_ : 0;
  };
  uint64_t crash_room = room(crash_at_);
  uint64_t space_room = room(no_space_at_);
  size_t allowed = size;
  Status status;
  if (crash_room < size && crash_room <= space_room) {
    allowed = static_cast<size_t>(crash_room);
    crashed_ = true;
    status = Status::Aborted(fmt::format(
        "simulated crash while writing '{}' ({} of {} bytes written)", path, allowed, size));
  } else if (space_room < size) {
    allowed = static_cast<size_t>(space_room);
    status = Status::IOError(fmt::format("cannot write '{}': No space left on device", path));
  }
  total_bytes_ += allowed;
  bytes_written_ += allowed;
  return {allowed, std::move(status)};
}

void FaultInjectionFileSystem::MarkSynced(const std::string& path, uint64_t size) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = tracked_.find(path);
  if (it == tracked_.end()) return;
  it->second.ever_synced = true;
  it->second.synced_size = size;
}

void FaultInjectionFileSystem::ForgetTrackedLocked(const std::string& path, bool recursive) {
  tracked_.erase(path);
  if (!recursive) return;
  std::string prefix = path;
  if (prefix.empty() || prefix.back() != '/') prefix += '/';
  auto it = tracked_.lower_bound(prefix);
  while (it != tracked_.end() && it->first.compare(0, prefix.size(), prefix) == 0) {
    it = tracked_.erase(it);
  }
}

void FaultInjectionFileSystem::WriteTornTemp(const std::string& path, std::string_view prefix) {
  auto file = base_->OpenForWrite(TempPathFor(path));
  if (!file.ok()) return;  // the crash is the point; a missing temp is a valid outcome
  (void)(*file)->Append(prefix);
  (void)(*file)->Close();
}

Result<std::unique_ptr<RandomAccessFile>> FaultInjectionFileSystem::OpenForRead(
    const std::string& path) {
  return Run(FsOp::kOpenForRead, path, [&]() -> Result<std::unique_ptr<RandomAccessFile>> {
    STRATA_ASSIGN_OR_RETURN(auto file, base_->OpenForRead(path));
    return std::unique_ptr<RandomAccessFile>(
        std::make_unique<FaultRandomAccessFile>(this, path, std::move(file)));
  });
}

Result<std::unique_ptr<WritableFile>> FaultInjectionFileSystem::OpenForWrite(
    const std::string& path) {
  return Run(FsOp::kOpenForWrite, path, [&]() -> Result<std::unique_ptr<WritableFile>> {
    Result<bool> existed = base_->Exists(path);
    STRATA_ASSIGN_OR_RETURN(auto file, base_->OpenForWrite(path));
    {
      std::lock_guard<std::mutex> lock(mu_);
      Tracked& t = tracked_[path];
      t = Tracked{};
      t.created = existed.ok() && !*existed;
    }
    return std::unique_ptr<WritableFile>(
        std::make_unique<FaultWritableFile>(this, path, std::move(file)));
  });
}

Status FaultInjectionFileSystem::WriteFileIfAbsent(const std::string& path, std::string_view data) {
  return Run(FsOp::kWriteFileIfAbsent, path, [&]() -> Status {
    auto [allowed, status] = GrantWrite(data.size(), path);
    if (status.code() == StatusCode::kAborted) WriteTornTemp(path, data.substr(0, allowed));
    STRATA_RETURN_IF_ERROR(status);
    STRATA_RETURN_IF_ERROR(base_->WriteFileIfAbsent(path, data));
    std::lock_guard<std::mutex> lock(mu_);
    ForgetTrackedLocked(path, false);
    return Status::OK();
  });
}

Status FaultInjectionFileSystem::WriteFileAtomic(const std::string& path, std::string_view data) {
  return Run(FsOp::kWriteFileAtomic, path, [&]() -> Status {
    auto [allowed, status] = GrantWrite(data.size(), path);
    if (status.code() == StatusCode::kAborted) WriteTornTemp(path, data.substr(0, allowed));
    STRATA_RETURN_IF_ERROR(status);
    STRATA_RETURN_IF_ERROR(base_->WriteFileAtomic(path, data));
    std::lock_guard<std::mutex> lock(mu_);
    ForgetTrackedLocked(path, false);
    return Status::OK();
  });
}

Result<std::string> FaultInjectionFileSystem::ReadFile(const std::string& path) {
  return Run(FsOp::kReadFile, path, [&] { return base_->ReadFile(path); });
}

Result<FileInfo> FaultInjectionFileSystem::Stat(const std::string& path) {
  return Run(FsOp::kStat, path, [&] { return base_->Stat(path); });
}

Result<bool> FaultInjectionFileSystem::Exists(const std::string& path) {
  return Run(FsOp::kExists, path, [&] { return base_->Exists(path); });
}

Result<std::vector<FileInfo>> FaultInjectionFileSystem::ListDirectory(const std::string& dir) {
  return Run(FsOp::kListDirectory, dir, [&] { return base_->ListDirectory(dir); });
}

Result<std::vector<DirectoryEntry>> FaultInjectionFileSystem::ListDirectoryNames(
    const std::string& dir, std::string_view start_at) {
  return Run(FsOp::kListDirectoryNames, dir,
             [&] { return base_->ListDirectoryNames(dir, start_at); });
}

Status FaultInjectionFileSystem::CreateDirectories(const std::string& dir) {
  return Run(FsOp::kCreateDirectories, dir, [&] { return base_->CreateDirectories(dir); });
}

Status FaultInjectionFileSystem::DeleteFile(const std::string& path) {
  return Run(FsOp::kDeleteFile, path, [&]() -> Status {
    STRATA_RETURN_IF_ERROR(base_->DeleteFile(path));
    std::lock_guard<std::mutex> lock(mu_);
    ForgetTrackedLocked(path, false);
    return Status::OK();
  });
}

Status FaultInjectionFileSystem::DeleteRecursively(const std::string& dir) {
  return Run(FsOp::kDeleteRecursively, dir, [&]() -> Status {
    STRATA_RETURN_IF_ERROR(base_->DeleteRecursively(dir));
    std::lock_guard<std::mutex> lock(mu_);
    ForgetTrackedLocked(dir, true);
    return Status::OK();
  });
}

Status FaultInjectionFileSystem::Rename(const std::string& from, const std::string& to) {
  return Run(FsOp::kRename, from, [&]() -> Status {
    STRATA_RETURN_IF_ERROR(base_->Rename(from, to));
    std::lock_guard<std::mutex> lock(mu_);
    auto it = tracked_.find(from);
    if (it == tracked_.end()) {
      tracked_.erase(to);  // replaced by an untracked (durable) file
    } else {
      tracked_[to] = it->second;
      tracked_.erase(from);
    }
    return Status::OK();
  });
}

Status FaultInjectionFileSystem::DropUnsyncedData() {
  std::map<std::string, Tracked> tracked;
  {
    std::lock_guard<std::mutex> lock(mu_);
    tracked.swap(tracked_);
  }
  for (const auto& [path, t] : tracked) {
    if (t.created && !t.ever_synced) {
      Status s = base_->DeleteFile(path);
      if (!s.ok() && !s.IsNotFound()) return s;
      continue;
    }
    Result<std::string> data = base_->ReadFile(path);
    if (!data.ok()) {
      if (data.status().IsNotFound()) continue;
      return data.status();
    }
    if (data->size() <= t.synced_size) continue;
    STRATA_ASSIGN_OR_RETURN(auto file, base_->OpenForWrite(path));
    STRATA_RETURN_IF_ERROR(file->Append(std::string_view(*data).substr(0, t.synced_size)));
    STRATA_RETURN_IF_ERROR(file->Close());
  }
  return Status::OK();
}

}  // namespace strata
