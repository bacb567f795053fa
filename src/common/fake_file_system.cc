#include "common/fake_file_system.h"

#include <fmt/format.h>

namespace strata {

struct InMemoryFileSystem::FileState {
  std::mutex mu;
  std::string data;
  int64_t mtime_micros = 0;
};

namespace {

using FileState = InMemoryFileSystem::FileState;

// Messages mirror the POSIX file system's, so tests that check them pass on both.
constexpr std::string_view kNoEntry = "No such file or directory";
constexpr std::string_view kIsDir = "Is a directory";
constexpr std::string_view kNotDir = "Not a directory";

std::string Msg(std::string_view op, std::string_view path, std::string_view why) {
  return fmt::format("{} '{}': {}", op, path, why);
}

std::string Normalize(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  for (char c : path) {
    if (c == '/' && !out.empty() && out.back() == '/') continue;
    out += c;
  }
  if (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

bool IsRoot(const std::string& normalized) { return normalized.empty() || normalized == "/"; }

// The key prefix shared by all descendants of `dir`.
std::string ChildPrefix(const std::string& dir) {
  if (dir.empty()) return "";
  return dir == "/" ? "/" : dir + "/";
}

class InMemoryRandomAccessFile : public RandomAccessFile {
 public:
  explicit InMemoryRandomAccessFile(std::shared_ptr<FileState> file) : file_(std::move(file)) {}

  Result<size_t> ReadAt(uint64_t offset, size_t n, char* scratch) const override {
    std::lock_guard<std::mutex> lock(file_->mu);
    if (offset >= file_->data.size()) return size_t{0};
    size_t count = std::min<uint64_t>(n, file_->data.size() - offset);
    file_->data.copy(scratch, count, offset);
    return count;
  }

  Result<uint64_t> Size() const override {
    std::lock_guard<std::mutex> lock(file_->mu);
    return static_cast<uint64_t>(file_->data.size());
  }

 private:
  std::shared_ptr<FileState> file_;
};

class InMemoryWritableFile : public WritableFile {
 public:
  InMemoryWritableFile(std::string path, std::shared_ptr<FileState> file, Clock* clock)
      : path_(std::move(path)), file_(std::move(file)), clock_(clock) {}

  Status Append(std::string_view data) override {
    if (closed_) return Status::IOError(fmt::format("append to closed file '{}'", path_));
    std::lock_guard<std::mutex> lock(file_->mu);
    file_->data.append(data);
    file_->mtime_micros = clock_->NowMicros();
    return Status::OK();
  }
  Status Flush() override {
    if (closed_) return Status::IOError(fmt::format("flush of closed file '{}'", path_));
    return Status::OK();
  }
  Status Sync() override { return Flush(); }
  Status Close() override {
    closed_ = true;
    return Status::OK();
  }

 private:
  std::string path_;
  std::shared_ptr<FileState> file_;
  Clock* clock_;
  bool closed_ = false;
};

}  // namespace

InMemoryFileSystem::InMemoryFileSystem(Clock* clock)
    : clock_(clock != nullptr ? clock : Clock::Default()) {}

InMemoryFileSystem::~InMemoryFileSystem() = default;

const InMemoryFileSystem::Node* InMemoryFileSystem::FindLocked(const std::string& path) const {
  auto it = nodes_.find(path);
  return it == nodes_.end() ? nullptr : &it->second;
}

bool InMemoryFileSystem::HasChildrenLocked(const std::string& dir) const {
  std::string prefix = ChildPrefix(dir);
  auto it = nodes_.upper_bound(prefix);
  return it != nodes_.end() && it->first.compare(0, prefix.size(), prefix) == 0;
}

Status InMemoryFileSystem::CheckParentLocked(std::string_view op, const std::string& path) const {
  // Walk every ancestor, so a file in the middle reads as "Not a directory".
  for (size_t pos = path.find('/', 1); pos != std::string::npos; pos = path.find('/', pos + 1)) {
    const Node* node = FindLocked(path.substr(0, pos));
    if (node == nullptr) return Status::NotFound(Msg(op, path, kNoEntry));
    if (!node->is_directory) return Status::IOError(Msg(op, path, kNotDir));
  }
  return Status::OK();
}

void InMemoryFileSystem::PutFileLocked(const std::string& path, std::string_view data) {
  auto file = std::make_shared<FileState>();
  file->data.assign(data);
  file->mtime_micros = clock_->NowMicros();
  nodes_[path] = Node{false, 0, std::move(file)};
}

Result<std::unique_ptr<RandomAccessFile>> InMemoryFileSystem::OpenForRead(const std::string& path) {
  std::string p = Normalize(path);
  std::lock_guard<std::mutex> lock(mu_);
  const Node* node = FindLocked(p);
  if (IsRoot(p) || (node != nullptr && node->is_directory)) {
    return Status::IOError(Msg("cannot open", path, kIsDir));
  }
  if (node == nullptr) return Status::NotFound(Msg("cannot open", path, kNoEntry));
  return std::unique_ptr<RandomAccessFile>(std::make_unique<InMemoryRandomAccessFile>(node->file));
}

Result<std::unique_ptr<WritableFile>> InMemoryFileSystem::OpenForWrite(const std::string& path) {
  constexpr std::string_view kOp = "cannot open for writing";
  std::string p = Normalize(path);
  std::lock_guard<std::mutex> lock(mu_);
  const Node* node = FindLocked(p);
  if (IsRoot(p) || (node != nullptr && node->is_directory)) {
    return Status::IOError(Msg(kOp, path, kIsDir));
  }
  STRATA_RETURN_IF_ERROR(CheckParentLocked(kOp, p));
  if (node == nullptr) {
    PutFileLocked(p, "");
    node = FindLocked(p);
  } else {
    // O_TRUNC: same inode, so open readers see the truncation too.
    std::lock_guard<std::mutex> file_lock(node->file->mu);
    node->file->data.clear();
    node->file->mtime_micros = clock_->NowMicros();
  }
  return std::unique_ptr<WritableFile>(
      std::make_unique<InMemoryWritableFile>(path, node->file, clock_));
}

Status InMemoryFileSystem::WriteFileIfAbsent(const std::string& path, std::string_view data) {
  std::string p = Normalize(path);
  std::lock_guard<std::mutex> lock(mu_);
  if (IsRoot(p) || FindLocked(p) != nullptr) {
    return Status::AlreadyExists(fmt::format("'{}' already exists", path));
  }
  STRATA_RETURN_IF_ERROR(CheckParentLocked("cannot create temp file for", p));
  PutFileLocked(p, data);
  return Status::OK();
}

Status InMemoryFileSystem::WriteFileAtomic(const std::string& path, std::string_view data) {
  constexpr std::string_view kOp = "cannot replace";
  std::string p = Normalize(path);
  std::lock_guard<std::mutex> lock(mu_);
  const Node* node = FindLocked(p);
  if (IsRoot(p) || (node != nullptr && node->is_directory)) {
    return Status::IOError(Msg(kOp, path, kIsDir));
  }
  STRATA_RETURN_IF_ERROR(CheckParentLocked("cannot create temp file for", p));
  PutFileLocked(p, data);
  return Status::OK();
}

Result<FileInfo> InMemoryFileSystem::Stat(const std::string& path) {
  std::string p = Normalize(path);
  FileInfo info;
  info.path = path;
  std::lock_guard<std::mutex> lock(mu_);
  if (IsRoot(p)) {
    info.is_directory = true;
    return info;
  }
  const Node* node = FindLocked(p);
  if (node == nullptr) return Status::NotFound(Msg("cannot stat", path, kNoEntry));
  info.is_directory = node->is_directory;
  if (node->is_directory) {
    info.mtime_micros = node->dir_mtime_micros;
  } else {
    std::lock_guard<std::mutex> file_lock(node->file->mu);
    info.size = node->file->data.size();
    info.mtime_micros = node->file->mtime_micros;
  }
  return info;
}

Result<bool> InMemoryFileSystem::Exists(const std::string& path) {
  std::string p = Normalize(path);
  std::lock_guard<std::mutex> lock(mu_);
  return IsRoot(p) || FindLocked(p) != nullptr;
}

Result<std::vector<FileInfo>> InMemoryFileSystem::ListDirectory(const std::string& dir) {
  constexpr std::string_view kOp = "cannot list directory";
  std::string d = Normalize(dir);
  std::lock_guard<std::mutex> lock(mu_);
  if (!IsRoot(d)) {
    const Node* node = FindLocked(d);
    if (node == nullptr) return Status::NotFound(Msg(kOp, dir, kNoEntry));
    if (!node->is_directory) return Status::IOError(Msg(kOp, dir, kNotDir));
  }
  // Keys under one prefix sort by the remainder, so children come out sorted
  // by name; grandchildren (a '/' in the remainder) are skipped.
  std::string prefix = ChildPrefix(d);
  std::vector<FileInfo> out;
  for (auto it = nodes_.lower_bound(prefix); it != nodes_.end(); ++it) {
    const std::string& key = it->first;
    if (key.compare(0, prefix.size(), prefix) != 0) break;
    std::string_view name = std::string_view(key).substr(prefix.size());
    if (name.empty() || name.find('/') != std::string_view::npos) continue;
    FileInfo info;
    info.path = JoinPath(dir, name);
    info.is_directory = it->second.is_directory;
    if (info.is_directory) {
      info.mtime_micros = it->second.dir_mtime_micros;
    } else {
      std::lock_guard<std::mutex> file_lock(it->second.file->mu);
      info.size = it->second.file->data.size();
      info.mtime_micros = it->second.file->mtime_micros;
    }
    out.push_back(std::move(info));
  }
  return out;
}

Result<std::vector<DirectoryEntry>> InMemoryFileSystem::ListDirectoryNames(
    const std::string& dir, std::string_view start_at) {
  constexpr std::string_view kOp = "cannot list directory";
  std::string d = Normalize(dir);
  std::lock_guard<std::mutex> lock(mu_);
  if (!IsRoot(d)) {
    const Node* node = FindLocked(d);
    if (node == nullptr) return Status::NotFound(Msg(kOp, dir, kNoEntry));
    if (!node->is_directory) return Status::IOError(Msg(kOp, dir, kNotDir));
  }
  std::string prefix = ChildPrefix(d);
  std::vector<DirectoryEntry> out;
  for (auto it = nodes_.lower_bound(prefix + std::string(start_at)); it != nodes_.end(); ++it) {
    const std::string& key = it->first;
    if (key.compare(0, prefix.size(), prefix) != 0) break;
    std::string_view name = std::string_view(key).substr(prefix.size());
    if (name.empty() || name.find('/') != std::string_view::npos) continue;
    out.push_back(DirectoryEntry{std::string(name), it->second.is_directory});
  }
  return out;
}

Status InMemoryFileSystem::CreateDirectories(const std::string& dir) {
  std::string d = Normalize(dir);
  if (IsRoot(d)) return Status::OK();
  std::lock_guard<std::mutex> lock(mu_);
  int64_t now = clock_->NowMicros();
  for (size_t pos = d.find('/', 1);; pos = d.find('/', pos + 1)) {
    std::string prefix = d.substr(0, pos);
    auto [it, inserted] = nodes_.try_emplace(prefix, Node{true, now, nullptr});
    if (!inserted && !it->second.is_directory) {
      return Status::IOError(Msg("cannot create directory", prefix, kNotDir));
    }
    if (pos == std::string::npos) return Status::OK();
  }
}

Status InMemoryFileSystem::DeleteFile(const std::string& path) {
  std::string p = Normalize(path);
  std::lock_guard<std::mutex> lock(mu_);
  const Node* node = FindLocked(p);
  if (IsRoot(p) || (node != nullptr && node->is_directory)) {
    return Status::IOError(Msg("cannot delete", path, kIsDir));
  }
  if (node == nullptr) return Status::NotFound(Msg("cannot delete", path, kNoEntry));
  nodes_.erase(p);
  return Status::OK();
}

Status InMemoryFileSystem::DeleteRecursively(const std::string& dir) {
  std::string d = Normalize(dir);
  std::lock_guard<std::mutex> lock(mu_);
  std::string prefix = ChildPrefix(d);
  auto first = nodes_.lower_bound(prefix);
  auto last = first;
  while (last != nodes_.end() && last->first.compare(0, prefix.size(), prefix) == 0) ++last;
  nodes_.erase(first, last);
  nodes_.erase(d);
  return Status::OK();
}

Status InMemoryFileSystem::Rename(const std::string& from, const std::string& to) {
  std::string f = Normalize(from);
  std::string t = Normalize(to);
  std::string what = fmt::format("{}' to '{}", from, to);  // as the POSIX message
  constexpr std::string_view kOp = "cannot rename";
  std::lock_guard<std::mutex> lock(mu_);
  const Node* src = FindLocked(f);
  if (src == nullptr || IsRoot(f)) return Status::NotFound(Msg(kOp, what, kNoEntry));
  STRATA_RETURN_IF_ERROR(CheckParentLocked(kOp, t));
  if (f == t) return Status::OK();
  const Node* dst = FindLocked(t);
  if (IsRoot(t)) return Status::IOError(Msg(kOp, what, "Device or resource busy"));
  if (!src->is_directory) {
    if (dst != nullptr && dst->is_directory) return Status::IOError(Msg(kOp, what, kIsDir));
    nodes_[t] = *src;
    nodes_.erase(f);
    return Status::OK();
  }
  if (dst != nullptr && !dst->is_directory) return Status::IOError(Msg(kOp, what, kNotDir));
  if (dst != nullptr && HasChildrenLocked(t)) {
    return Status::IOError(Msg(kOp, what, "Directory not empty"));
  }
  std::string src_prefix = ChildPrefix(f);
  if (t.compare(0, src_prefix.size(), src_prefix) == 0) {
    return Status::IOError(Msg(kOp, what, "Invalid argument"));
  }
  // Move the directory and its whole subtree.
  NodeMap moved;
  moved[t] = *src;
  auto first = nodes_.lower_bound(src_prefix);
  auto last = first;
  for (; last != nodes_.end() && last->first.compare(0, src_prefix.size(), src_prefix) == 0;
       ++last) {
    moved[ChildPrefix(t) + last->first.substr(src_prefix.size())] = last->second;
  }
  nodes_.erase(first, last);
  nodes_.erase(f);
  nodes_.erase(t);
  nodes_.merge(moved);
  return Status::OK();
}

}  // namespace strata
