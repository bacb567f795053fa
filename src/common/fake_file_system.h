// InMemoryFileSystem: a FileSystem held in memory, for fast hermetic tests.
//
// It passes the same conformance suite as the POSIX file system
// (file_system_test.cc), so code tested against it behaves the same on disk:
//  - Directories are explicit, as on disk: a file can be created only in an
//    existing directory (else NotFound), CreateDirectories makes them, and an
//    empty directory exists and lists as empty. "/" and "" (the root of
//    relative paths) always exist.
//  - Paths are normalized: repeated '/' collapse and a trailing '/' is dropped.
//    "." and ".." are not interpreted.
//  - Open files behave like open inodes: a reader or writer keeps working on
//    the file's data after it is deleted or renamed; WriteFileAtomic installs a
//    new inode, so readers opened before it keep seeing the old contents.
//  - mtimes come from the injected Clock, set on every write; directories get
//    theirs at creation only.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "common/clock.h"
#include "common/file_system.h"

namespace strata {

class InMemoryFileSystem : public FileSystem {
 public:
  // `clock` stamps mtimes; not owned, must outlive this object and every file
  // it opened. nullptr means Clock::Default().
  explicit InMemoryFileSystem(Clock* clock = nullptr);
  ~InMemoryFileSystem() override;
  InMemoryFileSystem(const InMemoryFileSystem&) = delete;
  InMemoryFileSystem& operator=(const InMemoryFileSystem&) = delete;

  // FileSystem; the contracts are in file_system.h.
  Result<std::unique_ptr<RandomAccessFile>> OpenForRead(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> OpenForWrite(const std::string& path) override;
  Status WriteFileIfAbsent(const std::string& path, std::string_view data) override;
  Status WriteFileAtomic(const std::string& path, std::string_view data) override;
  Result<FileInfo> Stat(const std::string& path) override;
  Result<bool> Exists(const std::string& path) override;
  Result<std::vector<FileInfo>> ListDirectory(const std::string& dir) override;
  Result<std::vector<DirectoryEntry>> ListDirectoryNames(const std::string& dir,
                                                         std::string_view start_at) override;
  Status CreateDirectories(const std::string& dir) override;
  Status DeleteFile(const std::string& path) override;
  Status DeleteRecursively(const std::string& dir) override;
  Status Rename(const std::string& from, const std::string& to) override;

  // Shared by a file's entry and its open handles (an inode).
  struct FileState;

 private:
  struct Node {
    bool is_directory = false;
    int64_t dir_mtime_micros = 0;     // directories only
    std::shared_ptr<FileState> file;  // files only
  };
  using NodeMap = std::map<std::string, Node>;

  // Requires mu_. OK when `path`'s parent is an existing directory.
  Status CheckParentLocked(std::string_view op, const std::string& path) const;
  // Requires mu_. Installs a new file at `path` holding `data`.
  void PutFileLocked(const std::string& path, std::string_view data);
  // Requires mu_. The node at `path`, or nullptr.
  const Node* FindLocked(const std::string& path) const;
  // Requires mu_. True when `dir` has at least one child.
  bool HasChildrenLocked(const std::string& dir) const;

  Clock* const clock_;
  mutable std::mutex mu_;
  NodeMap nodes_;  // by normalized path; the roots are implicit
};

}  // namespace strata
