// Internal to the files connector: which files a stream's pattern names, and
// which of them are new or changed since the state a run starts from.
//
// A file is unchanged when its size and modification time equal the ones
// recorded; otherwise its SHA-256 is computed and compared, so a file that is
// only touched (or rewritten with the same bytes) is not ingested again.
// Hashing reads every new or changed file once more, at a few GB/s.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/file_system.h"
#include "common/status.h"

namespace strata::ingest::files {

struct TrackedFile {
  uint64_t size = 0;
  int64_t mtime_micros = 0;
  std::string sha256;  // hex
};

// Path (relative to the project root) -> what was ingested of it.
using FileStates = std::map<std::string, TrackedFile>;

// The files under `root` whose root-relative path matches `pattern`: '/'
// separated segments where '*', '?' and '[...]' match within one segment and
// '**' matches any number of directories. Sorted by path; hidden names (a
// leading '.') and directories are skipped. A pattern without wildcards names
// one file. NotFound when a literal file or the pattern's fixed directory
// prefix does not exist. Thread-safe if `fs` is.
Result<std::vector<FileInfo>> ExpandFilePattern(FileSystem& fs, const std::string& root,
                                                const std::string& pattern);

// The SHA-256 of the file's content as lowercase hex; IOError when unreadable.
Result<std::string> HashFile(FileSystem& fs, const std::string& path);

// The files recorded in a stream state ({"files": {path: {size, mtime, sha256}}});
// empty for a null state. Corruption when the state is not of that shape.
Result<FileStates> FileStatesFromJson(const nlohmann::json& state);
// The state holding `files`.
nlohmann::json FileStatesToJson(const FileStates& files);

}  // namespace strata::ingest::files
