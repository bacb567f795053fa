// Internal to the files connector: which files a stream's pattern names, and
// which of them are new or changed since the state a run starts from.
//
// A file is unchanged when its size and modification time equal the ones
// recorded; otherwise its checksum is computed and compared, so a file that
// is only touched (or rewritten with the same bytes) is not ingested again.
// The checksum is XXH3-128: it tells changed content apart as well as a
// cryptographic hash does (no one forges CSV files against their own data
// platform) and reads at memory speed, where SHA-256 cost ~6% of a CSV ingest.
// States written with SHA-256 are still compared with SHA-256.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/file_system.h"
#include "common/status.h"

namespace strata::ingest::files {

struct TrackedFile {
  uint64_t size = 0;
  int64_t mtime_micros = 0;
  std::string checksum;  // "<algorithm>:<lowercase hex>", see FileChecksum
};

inline constexpr char kDefaultChecksum[] = "xxh3-128";

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

// The checksum of the file's content as "<algorithm>:<lowercase hex>", for
// `algorithm` "xxh3-128" (XXH3's 128-bit hash, canonical big-endian bytes) or
// "sha256". IOError when unreadable; InvalidArgument for another algorithm.
Result<std::string> FileChecksum(FileSystem& fs, const std::string& path,
                                 std::string_view algorithm = kDefaultChecksum);

// The algorithm a checksum was made with ("sha256" of "sha256:ab..."); empty
// when it names none.
std::string ChecksumAlgorithm(const std::string& checksum);

// The files recorded in a stream state ({"files": {path: {size, mtime,
// checksum}}}; entries written before XXH3 hold "sha256": hex instead); empty
// for a null state. Corruption when the state is not of that shape.
Result<FileStates> FileStatesFromJson(const nlohmann::json& state);
// The state holding `files`.
nlohmann::json FileStatesToJson(const FileStates& files);

}  // namespace strata::ingest::files
