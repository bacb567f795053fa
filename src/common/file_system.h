// FileSystem: every byte Strata reads or writes goes through this interface,
// so tests can swap the disk for memory, and inject full disks, torn writes
// and crashes (see fake_file_system.h and fault_injection_file_system.h).
//
// Paths are plain strings with '/' separators. Implementations are
// thread-safe: any thread may call any method at any time. Objects returned
// (files) are used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace strata {

struct FileInfo {
  std::string path;          // as passed in, or joined with the listed dir
  uint64_t size = 0;         // bytes; 0 for directories
  int64_t mtime_micros = 0;  // last modification, microseconds since epoch
  bool is_directory = false;
};

// One child of a directory as a names-only listing reports it.
struct DirectoryEntry {
  std::string name;  // the child's name alone, not joined with the directory
  bool is_directory = false;
};

// A file open for reading at arbitrary offsets.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads up to `n` bytes at `offset` into `scratch`; returns the bytes read,
  // fewer than `n` only at end of file.
  virtual Result<size_t> ReadAt(uint64_t offset, size_t n, char* scratch) const = 0;
  virtual Result<uint64_t> Size() const = 0;
};

// A file open for appending. Data is durable only after Sync() returns OK.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(std::string_view data) = 0;
  virtual Status Flush() = 0;
  virtual Status Sync() = 0;
  // Closing twice is OK. The destructor closes without reporting errors, so
  // callers that care call Close() and check it.
  virtual Status Close() = 0;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // The process-wide real (POSIX) file system. Never null; not owned.
  static FileSystem* Default();

  // Opens `path` for reading. NotFound when it does not exist.
  virtual Result<std::unique_ptr<RandomAccessFile>> OpenForRead(const std::string& path) = 0;

  // Creates or truncates `path` for writing. Parent directories must exist.
  virtual Result<std::unique_ptr<WritableFile>> OpenForWrite(const std::string& path) = 0;

  // Writes `data` to `path` only if `path` does not exist yet, atomically:
  // readers see either no file or the whole content, never a part. Returns
  // AlreadyExists (and changes nothing) when the path is taken. This is the
  // commit primitive of the Delta log (put-if-absent).
  virtual Status WriteFileIfAbsent(const std::string& path, std::string_view data) = 0;

  // Replaces `path` with `data` atomically (write to a temp file + rename).
  virtual Status WriteFileAtomic(const std::string& path, std::string_view data) = 0;

  // Reads the whole of `path`.
  virtual Result<std::string> ReadFile(const std::string& path);

  virtual Result<FileInfo> Stat(const std::string& path) = 0;
  virtual Result<bool> Exists(const std::string& path) = 0;

  // Lists the direct children of `dir`, sorted by name. NotFound when `dir`
  // does not exist.
  virtual Result<std::vector<FileInfo>> ListDirectory(const std::string& dir) = 0;

  // Lists the names of the direct children of `dir` that sort at or after
  // `start_at` (all of them when empty), sorted by name, without their sizes
  // and mtimes: much cheaper than ListDirectory where those cost a stat per
  // entry (the Delta log lists thousands of commits this way; `start_at`
  // is S3's StartAfter, Delta's listFrom). NotFound when `dir` does not exist.
  // The default filters ListDirectory; implementations override it.
  virtual Result<std::vector<DirectoryEntry>> ListDirectoryNames(const std::string& dir,
                                                                 std::string_view start_at);

  // Creates `dir` and its missing parents; OK when it exists already.
  virtual Status CreateDirectories(const std::string& dir) = 0;

  // Deletes one file. NotFound when it does not exist.
  virtual Status DeleteFile(const std::string& path) = 0;

  // Deletes `dir` and everything below it; OK when it does not exist.
  virtual Status DeleteRecursively(const std::string& dir) = 0;

  // Renames `from` to `to`, replacing `to` if it exists.
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
};

// Joins path parts with exactly one '/' between them. An empty part yields
// the other unchanged.
std::string JoinPath(std::string_view a, std::string_view b);

// The directory part of `path`: "a/b/c" -> "a/b", "/a" -> "/", "a" -> "".
std::string_view DirName(std::string_view path);

// The last component of `path`: "a/b/c" -> "c". Trailing '/' are ignored.
std::string_view BaseName(std::string_view path);

// A fresh, process-unique temp path beside `target_path`, named
// ".<target name>.tmp-<suffix>". WriteFileIfAbsent and WriteFileAtomic stage
// their data in such a file; a crash can leave one behind. Thread-safe.
std::string TempPathFor(std::string_view target_path);

// True when `name` (a file name, not a path) looks like a TempPathFor() name.
// Listings that scan for data (the Delta log) skip these; cleanup may delete them.
bool IsTempFileName(std::string_view name);

}  // namespace strata
