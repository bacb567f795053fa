// The POSIX FileSystem behind FileSystem::Default(), and the path helpers.
#include "common/file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <stdio.h>  // renameat2
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <random>
#include <system_error>

namespace strata {
namespace {

// Maps errno to the closest StatusCode; the message names the operation, the
// path and strerror, so the user can act on it without a debugger.
Status PosixError(std::string_view op, std::string_view path, int err) {
  std::string msg = fmt::format("{} '{}': {}", op, path, std::generic_category().message(err));
  switch (err) {
    case ENOENT:
      return Status::NotFound(std::move(msg));
    case EEXIST:
      return Status::AlreadyExists(std::move(msg));
    case EACCES:
    case EPERM:
      return Status::PermissionDenied(std::move(msg));
    default:
      return Status::IOError(std::move(msg));
  }
}

Status WriteAll(int fd, std::string_view data, std::string_view path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return PosixError("cannot write", path, errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::OK();
}

// Makes a directory entry (a new or renamed file) durable.
Status SyncDirectory(std::string_view file_path) {
  std::string_view parent = DirName(file_path);
  const std::string dir(parent.empty() ? std::string_view(".") : parent);
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return PosixError("cannot open directory", dir, errno);
  Status s;
  if (::fsync(fd) != 0) s = PosixError("cannot sync directory", dir, errno);
  ::close(fd);
  return s;
}

// Writes `data` to a fresh temp file beside `path` and syncs it; returns the
// temp path. On failure the temp file is gone.
Result<std::string> WriteSyncedTemp(const std::string& path, std::string_view data) {
  std::string tmp = TempPathFor(path);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return PosixError("cannot create temp file for", path, errno);
  Status s = WriteAll(fd, data, tmp);
  if (s.ok() && ::fsync(fd) != 0) s = PosixError("cannot sync", tmp, errno);
  if (::close(fd) != 0 && s.ok()) s = PosixError("cannot close", tmp, errno);
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  return tmp;
}

class PosixRandomAccessFile : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixRandomAccessFile() override { ::close(fd_); }
  PosixRandomAccessFile(const PosixRandomAccessFile&) = delete;
  PosixRandomAccessFile& operator=(const PosixRandomAccessFile&) = delete;

  Result<size_t> ReadAt(uint64_t offset, size_t n, char* scratch) const override {
    size_t total = 0;
    while (total < n) {
      ssize_t r = ::pread(fd_, scratch + total, n - total, static_cast<off_t>(offset + total));
      if (r < 0) {
        if (errno == EINTR) continue;
        return PosixError("cannot read", path_, errno);
      }
      if (r == 0) break;  // end of file
      total += static_cast<size_t>(r);
    }
    return total;
  }

  Result<uint64_t> Size() const override {
    struct stat st;
    if (::fstat(fd_, &st) != 0) return PosixError("cannot stat", path_, errno);
    return static_cast<uint64_t>(st.st_size);
  }

 private:
  std::string path_;
  int fd_;
};

// Buffers appends so many small writes cost few syscalls.
class PosixWritableFile : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixWritableFile() override { (void)Close(); }
  PosixWritableFile(const PosixWritableFile&) = delete;
  PosixWritableFile& operator=(const PosixWritableFile&) = delete;

  Status Append(std::string_view data) override {
    if (fd_ < 0) return Status::IOError(fmt::format("append to closed file '{}'", path_));
    if (buffer_.size() + data.size() <= kBufferSize) {
      buffer_.append(data);
      return Status::OK();
    }
    STRATA_RETURN_IF_ERROR(Flush());
    if (data.size() <= kBufferSize) {
      buffer_.append(data);
      return Status::OK();
    }
    return WriteAll(fd_, data, path_);
  }

  Status Flush() override {
    if (fd_ < 0) return Status::IOError(fmt::format("flush of closed file '{}'", path_));
    Status s = WriteAll(fd_, buffer_, path_);
    buffer_.clear();
    return s;
  }

  // The first Sync also syncs the parent directory, so a newly created file's
  // directory entry is as durable as its data.
  Status Sync() override {
    STRATA_RETURN_IF_ERROR(Flush());
    if (::fdatasync(fd_) != 0) return PosixError("cannot sync", path_, errno);
    if (!dir_synced_) {
      STRATA_RETURN_IF_ERROR(SyncDirectory(path_));
      dir_synced_ = true;
    }
    return Status::OK();
  }

  Status Close() override {
    if (fd_ < 0) return Status::OK();
    Status s = Flush();
    if (::close(fd_) != 0 && s.ok()) s = PosixError("cannot close", path_, errno);
    fd_ = -1;
    return s;
  }

 private:
  static constexpr size_t kBufferSize = size_t{64} * 1024;
  std::string path_;
  int fd_;
  std::string buffer_;
  bool dir_synced_ = false;
};

class PosixFileSystem : public FileSystem {
 public:
  Result<std::unique_ptr<RandomAccessFile>> OpenForRead(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return PosixError("cannot open", path, errno);
    struct stat st;
    int err = ::fstat(fd, &st) != 0 ? errno : (S_ISDIR(st.st_mode) ? EISDIR : 0);
    if (err != 0) {
      ::close(fd);
      return PosixError("cannot open", path, err);
    }
    return std::unique_ptr<RandomAccessFile>(std::make_unique<PosixRandomAccessFile>(path, fd));
  }

  Result<std::unique_ptr<WritableFile>> OpenForWrite(const std::string& path) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return PosixError("cannot open for writing", path, errno);
    return std::unique_ptr<WritableFile>(std::make_unique<PosixWritableFile>(path, fd));
  }

  // link() refuses to replace an existing name, which makes it the put-if-absent
  // step; the data is complete and synced before the name appears.
  Status WriteFileIfAbsent(const std::string& path, std::string_view data) override {
    struct stat st;
    if (::lstat(path.c_str(), &st) == 0) return AlreadyExists(path);
    STRATA_ASSIGN_OR_RETURN(std::string tmp, WriteSyncedTemp(path, data));
    int rc = ::link(tmp.c_str(), path.c_str());
    int err = errno;
    if (rc != 0 && (err == EPERM || err == ENOTSUP || err == ENOSYS)) {
      // File systems without hard links (some FUSE and SMB mounts).
      rc = ::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, path.c_str(), RENAME_NOREPLACE);
      err = errno;
    }
    ::unlink(tmp.c_str());
    if (rc != 0) {
      if (err == EEXIST) return AlreadyExists(path);
      return PosixError("cannot create", path, err);
    }
    return SyncDirectory(path);
  }

  Status WriteFileAtomic(const std::string& path, std::string_view data) override {
    STRATA_ASSIGN_OR_RETURN(std::string tmp, WriteSyncedTemp(path, data));
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
      int err = errno;
      ::unlink(tmp.c_str());
      return PosixError("cannot replace", path, err);
    }
    return SyncDirectory(path);
  }

  Result<FileInfo> Stat(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return PosixError("cannot stat", path, errno);
    return ToFileInfo(path, st);
  }

  Result<bool> Exists(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) == 0) return true;
    if (errno == ENOENT || errno == ENOTDIR) return false;
    return PosixError("cannot stat", path, errno);
  }

  Result<std::vector<FileInfo>> ListDirectory(const std::string& dir) override {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return PosixError("cannot list directory", dir, errno);
    std::vector<std::string> names;
    errno = 0;
    while (struct dirent* e = ::readdir(d)) {
      std::string_view name = e->d_name;
      if (name != "." && name != "..") names.emplace_back(name);
    }
    int err = errno;
    ::closedir(d);
    if (err != 0) return PosixError("cannot list directory", dir, err);
    std::sort(names.begin(), names.end());
    std::vector<FileInfo> out;
    out.reserve(names.size());
    for (const std::string& name : names) {
      std::string child = JoinPath(dir, name);
      struct stat st;
      if (::stat(child.c_str(), &st) != 0) {
        if (errno == ENOENT) continue;  // deleted since readdir
        return PosixError("cannot stat", child, errno);
      }
      out.push_back(ToFileInfo(std::move(child), st));
    }
    return out;
  }

  // readdir's d_type tells directories apart on every common local file
  // system, so no entry is stat()ed unless it reports DT_UNKNOWN.
  Result<std::vector<DirectoryEntry>> ListDirectoryNames(const std::string& dir,
                                                         std::string_view start_at) override {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return PosixError("cannot list directory", dir, errno);
    std::vector<DirectoryEntry> out;
    Status status;
    errno = 0;
    while (struct dirent* e = ::readdir(d)) {
      std::string_view name = e->d_name;
      if (name == "." || name == ".." || name < start_at) continue;
      DirectoryEntry entry{std::string(name), e->d_type == DT_DIR};
      if (e->d_type == DT_UNKNOWN || e->d_type == DT_LNK) {
        // Follow symlinks as ListDirectory (stat) does.
        std::string child = JoinPath(dir, name);
        struct stat st;
        if (::stat(child.c_str(), &st) != 0) {
          if (errno == ENOENT) continue;  // deleted since readdir
          status = PosixError("cannot stat", child, errno);
          break;
        }
        entry.is_directory = S_ISDIR(st.st_mode);
      }
      out.push_back(std::move(entry));
      errno = 0;
    }
    int err = errno;
    ::closedir(d);
    STRATA_RETURN_IF_ERROR(status);
    if (err != 0) return PosixError("cannot list directory", dir, err);
    std::sort(out.begin(), out.end(),
              [](const DirectoryEntry& a, const DirectoryEntry& b) { return a.name < b.name; });
    return out;
  }

  Status CreateDirectories(const std::string& dir) override {
    if (dir.empty()) return Status::OK();
    // Create each prefix ending before a '/', then the whole path.
    for (size_t pos = dir.find('/', 1);; pos = dir.find('/', pos + 1)) {
      std::string prefix = dir.substr(0, pos);
      if (::mkdir(prefix.c_str(), 0755) != 0) {
        if (errno != EEXIST) return PosixError("cannot create directory", prefix, errno);
        struct stat st;
        if (::stat(prefix.c_str(), &st) != 0) return PosixError("cannot stat", prefix, errno);
        if (!S_ISDIR(st.st_mode)) return PosixError("cannot create directory", prefix, ENOTDIR);
      }
      if (pos == std::string::npos) return Status::OK();
    }
  }

  Status DeleteFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return PosixError("cannot delete", path, errno);
    return Status::OK();
  }

  Status DeleteRecursively(const std::string& dir) override {
    struct stat st;
    if (::lstat(dir.c_str(), &st) != 0) {
      if (errno == ENOENT) return Status::OK();
      return PosixError("cannot stat", dir, errno);
    }
    if (S_ISDIR(st.st_mode)) {  // lstat: a symlink is removed, never followed
      DIR* d = ::opendir(dir.c_str());
      if (d == nullptr) return PosixError("cannot list directory", dir, errno);
      std::vector<std::string> children;
      while (struct dirent* e = ::readdir(d)) {
        std::string_view name = e->d_name;
        if (name != "." && name != "..") children.push_back(JoinPath(dir, name));
      }
      ::closedir(d);
      for (const std::string& child : children) STRATA_RETURN_IF_ERROR(DeleteRecursively(child));
      if (::rmdir(dir.c_str()) != 0 && errno != ENOENT) {
        return PosixError("cannot delete directory", dir, errno);
      }
      return Status::OK();
    }
    if (::unlink(dir.c_str()) != 0 && errno != ENOENT)
      return PosixError("cannot delete", dir, errno);
    return Status::OK();
  }

  Status Rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) {
      return PosixError("cannot rename", fmt::format("{}' to '{}", from, to), errno);
    }
    return Status::OK();
  }

 private:
  static Status AlreadyExists(const std::string& path) {
    return Status::AlreadyExists(fmt::format("'{}' already exists", path));
  }

  static FileInfo ToFileInfo(std::string path, const struct stat& st) {
    FileInfo info;
    info.path = std::move(path);
    info.is_directory = S_ISDIR(st.st_mode);
    info.size = info.is_directory ? 0 : static_cast<uint64_t>(st.st_size);
    info.mtime_micros =
        static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000 + st.st_mtim.tv_nsec / 1'000;
    return info;
  }
};

constexpr std::string_view kTempMarker = ".tmp-";

}  // namespace

FileSystem* FileSystem::Default() {
  static PosixFileSystem fs;
  return &fs;
}

Result<std::string> FileSystem::ReadFile(const std::string& path) {
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, OpenForRead(path));
  STRATA_ASSIGN_OR_RETURN(uint64_t size, file->Size());
  std::string out(size, '\0');
  STRATA_ASSIGN_OR_RETURN(size_t n, file->ReadAt(0, out.size(), out.data()));
  out.resize(n);
  // The file may have grown since Size(); read to the real end.
  char chunk[16 * 1024];
  while (true) {
    STRATA_ASSIGN_OR_RETURN(size_t got, file->ReadAt(out.size(), sizeof(chunk), chunk));
    if (got == 0) break;
    out.append(chunk, got);
  }
  return out;
}

Result<std::vector<DirectoryEntry>> FileSystem::ListDirectoryNames(const std::string& dir,
                                                                   std::string_view start_at) {
  STRATA_ASSIGN_OR_RETURN(std::vector<FileInfo> infos, ListDirectory(dir));
  std::vector<DirectoryEntry> out;
  out.reserve(infos.size());
  for (FileInfo& info : infos) {
    std::string_view name = BaseName(info.path);
    if (name < start_at) continue;
    out.push_back(DirectoryEntry{std::string(name), info.is_directory});
  }
  return out;
}

std::string JoinPath(std::string_view a, std::string_view b) {
  if (a.empty()) return std::string(b);
  if (b.empty()) return std::string(a);
  while (a.size() > 1 && a.back() == '/') a.remove_suffix(1);
  while (!b.empty() && b.front() == '/') b.remove_prefix(1);
  std::string out(a);
  if (out.back() != '/') out += '/';
  out += b;
  return out;
}

std::string_view DirName(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return {};
  if (slash == 0) return path.substr(0, 1);
  return path.substr(0, slash);
}

std::string_view BaseName(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string TempPathFor(std::string_view target_path) {
  // The random part keeps names unique across processes sharing a directory
  // (a network mount), the counter within this process.
  static const uint32_t process_tag = std::random_device{}() ^ static_cast<uint32_t>(::getpid());
  static std::atomic<uint64_t> counter{0};
  std::string name = fmt::format(".{}{}{:08x}-{}", BaseName(target_path), kTempMarker, process_tag,
                                 counter.fetch_add(1));
  return JoinPath(DirName(target_path), name);
}

bool IsTempFileName(std::string_view name) {
  return name.size() > 1 && name.front() == '.' && name.find(kTempMarker) != std::string_view::npos;
}

}  // namespace strata
