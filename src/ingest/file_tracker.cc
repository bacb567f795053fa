#include "ingest/file_tracker.h"

#include <fnmatch.h>
#include <openssl/evp.h>
#include <xxhash.h>

#include <algorithm>
#include <memory>

namespace strata::ingest::files {
namespace {

std::vector<std::string> SplitSegments(const std::string& pattern) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= pattern.size()) {
    size_t slash = pattern.find('/', start);
    if (slash == std::string::npos) slash = pattern.size();
    std::string part = pattern.substr(start, slash - start);
    if (!part.empty() && part != ".") parts.push_back(std::move(part));
    start = slash + 1;
  }
  return parts;
}

bool HasWildcard(const std::string& segment) {
  return segment.find_first_of("*?[") != std::string::npos;
}

// Appends to `out` the files below `dir` (whose root-relative name is `rel`)
// matching segments[i..].
Status Walk(FileSystem& fs, const std::string& dir, const std::string& rel,
            const std::vector<std::string>& segments, size_t i, std::vector<FileInfo>& out) {
  if (i == segments.size()) return Status::OK();
  const std::string& segment = segments[i];
  const bool last = i + 1 == segments.size();
  if (segment == "**") {
    // Zero directories, then one more level and ** again.
    STRATA_RETURN_IF_ERROR(Walk(fs, dir, rel, segments, i + 1, out));
    STRATA_ASSIGN_OR_RETURN(std::vector<FileInfo> entries, fs.ListDirectory(dir));
    for (const FileInfo& entry : entries) {
      const std::string name(BaseName(entry.path));
      if (!entry.is_directory || name.empty() || name[0] == '.') continue;
      STRATA_RETURN_IF_ERROR(Walk(fs, JoinPath(dir, name), JoinPath(rel, name), segments, i, out));
    }
    return Status::OK();
  }
  if (!HasWildcard(segment)) {
    const std::string path = JoinPath(dir, segment);
    Result<FileInfo> info = fs.Stat(path);
    if (!info.ok()) return info.status().IsNotFound() ? Status::OK() : info.status();
    if (last && !info->is_directory) {
      FileInfo found = *info;
      found.path = JoinPath(rel, segment);
      out.push_back(std::move(found));
    } else if (!last && info->is_directory) {
      return Walk(fs, path, JoinPath(rel, segment), segments, i + 1, out);
    }
    return Status::OK();
  }
  STRATA_ASSIGN_OR_RETURN(std::vector<FileInfo> entries, fs.ListDirectory(dir));
  for (const FileInfo& entry : entries) {
    const std::string name(BaseName(entry.path));
    if (name.empty() || name[0] == '.' || IsTempFileName(name)) continue;
    if (fnmatch(segment.c_str(), name.c_str(), 0) != 0) continue;
    if (last && !entry.is_directory) {
      FileInfo found = entry;
      found.path = JoinPath(rel, name);
      out.push_back(std::move(found));
    } else if (!last && entry.is_directory) {
      STRATA_RETURN_IF_ERROR(
          Walk(fs, JoinPath(dir, name), JoinPath(rel, name), segments, i + 1, out));
    }
  }
  return Status::OK();
}

}  // namespace

Result<std::vector<FileInfo>> ExpandFilePattern(FileSystem& fs, const std::string& root,
                                                const std::string& pattern) {
  const bool absolute = !pattern.empty() && pattern[0] == '/';
  const std::string base = absolute ? "/" : (root.empty() ? "." : root);
  const std::vector<std::string> segments = SplitSegments(pattern);
  if (segments.empty()) return Status::InvalidArgument("empty file path pattern");

  // The fixed prefix must exist: a typo in a directory name is an error, not
  // "no files yet".
  std::string prefix = base;
  for (size_t i = 0; i + 1 < segments.size() && !HasWildcard(segments[i]); ++i) {
    prefix = JoinPath(prefix, segments[i]);
  }
  STRATA_ASSIGN_OR_RETURN(bool prefix_exists, fs.Exists(prefix));
  if (!prefix_exists)
    return Status::NotFound("'" + prefix + "' does not exist (path '" + pattern + "')");

  std::vector<FileInfo> out;
  STRATA_RETURN_IF_ERROR(Walk(fs, base, absolute ? "/" : "", segments, 0, out));
  bool any_wildcard = std::any_of(segments.begin(), segments.end(), HasWildcard);
  if (!any_wildcard && out.empty()) {
    return Status::NotFound("file '" + JoinPath(base, pattern) + "' does not exist");
  }
  std::sort(out.begin(), out.end(),
            [](const FileInfo& a, const FileInfo& b) { return a.path < b.path; });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const FileInfo& a, const FileInfo& b) { return a.path == b.path; }),
            out.end());
  return out;
}

namespace {

std::string Hex(const unsigned char* bytes, size_t length) {
  static const char* kHex = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * length);
  for (size_t i = 0; i < length; ++i) {
    hex.push_back(kHex[bytes[i] >> 4]);
    hex.push_back(kHex[bytes[i] & 15]);
  }
  return hex;
}

// Feeds the file to `update` in 1 MiB reads.
template <typename Update>
Status ReadChunks(FileSystem& fs, const std::string& path, Update update) {
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, fs.OpenForRead(path));
  constexpr size_t kChunk = 1 << 20;
  std::string buffer(kChunk, '\0');
  uint64_t offset = 0;
  while (true) {
    STRATA_ASSIGN_OR_RETURN(size_t n, file->ReadAt(offset, kChunk, buffer.data()));
    if (n == 0) break;
    update(buffer.data(), n);
    offset += n;
    if (n < kChunk) break;
  }
  return Status::OK();
}

Result<std::string> Xxh3Hex(FileSystem& fs, const std::string& path) {
  std::unique_ptr<XXH3_state_t, decltype(&XXH3_freeState)> state(XXH3_createState(),
                                                                 &XXH3_freeState);
  if (!state || XXH3_128bits_reset(state.get()) != XXH_OK) {
    return Status::Internal("xxhash: cannot start XXH3-128");
  }
  STRATA_RETURN_IF_ERROR(ReadChunks(
      fs, path, [&](const char* data, size_t n) { XXH3_128bits_update(state.get(), data, n); }));
  XXH128_canonical_t canonical;
  XXH128_canonicalFromHash(&canonical, XXH3_128bits_digest(state.get()));
  return Hex(canonical.digest, sizeof canonical.digest);
}

Result<std::string> Sha256Hex(FileSystem& fs, const std::string& path) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    return Status::Internal("OpenSSL: cannot start SHA-256");
  }
  STRATA_RETURN_IF_ERROR(ReadChunks(
      fs, path, [&](const char* data, size_t n) { EVP_DigestUpdate(ctx.get(), data, n); }));
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &length);
  return Hex(digest, length);
}

}  // namespace

Result<std::string> FileChecksum(FileSystem& fs, const std::string& path,
                                 std::string_view algorithm) {
  Result<std::string> hex =
      Status::InvalidArgument("unknown checksum algorithm '" + std::string(algorithm) + "'");
  if (algorithm == kDefaultChecksum) hex = Xxh3Hex(fs, path);
  if (algorithm == "sha256") hex = Sha256Hex(fs, path);
  if (!hex.ok()) return hex.status();
  return std::string(algorithm) + ":" + *hex;
}

std::string ChecksumAlgorithm(const std::string& checksum) {
  const size_t colon = checksum.find(':');
  return colon == std::string::npos ? std::string() : checksum.substr(0, colon);
}

Result<FileStates> FileStatesFromJson(const nlohmann::json& state) {
  FileStates files;
  if (state.is_null()) return files;
  if (!state.is_object() || (state.contains("files") && !state["files"].is_object())) {
    return Status::Corruption("files connector state is not {\"files\": {...}}: " + state.dump());
  }
  if (!state.contains("files")) return files;
  for (const auto& [path, entry] : state["files"].items()) {
    if (!entry.is_object())
      return Status::Corruption("files connector state: bad entry for " + path);
    TrackedFile tracked;
    tracked.size = entry.value("size", uint64_t{0});
    tracked.mtime_micros = entry.value("mtime", int64_t{0});
    tracked.checksum = entry.value("checksum", std::string());
    if (tracked.checksum.empty() && entry.contains("sha256")) {
      tracked.checksum = "sha256:" + entry.value("sha256", std::string());
    }
    files[path] = std::move(tracked);
  }
  return files;
}

nlohmann::json FileStatesToJson(const FileStates& files) {
  nlohmann::json out = nlohmann::json::object();
  nlohmann::json& entries = out["files"] = nlohmann::json::object();
  for (const auto& [path, tracked] : files) {
    entries[path] = {
        {"size", tracked.size}, {"mtime", tracked.mtime_micros}, {"checksum", tracked.checksum}};
  }
  return out;
}

}  // namespace strata::ingest::files
