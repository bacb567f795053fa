#include "lake/log_segment.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "lake/json_util.h"

namespace strata::lake {
namespace {

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

struct MultiPartKey {
  int64_t version;
  int64_t num_parts;
  bool operator<(const MultiPartKey& o) const {
    return version != o.version ? version < o.version : num_parts < o.num_parts;
  }
};

int KindRank(const CheckpointFiles& c) {
  switch (c.kind) {
    case CheckpointKind::kV2Uuid:
      return 0;
    case CheckpointKind::kClassic:
      return 1;
    case CheckpointKind::kMultiPart:
      return 2;
  }
  return 3;
}

}  // namespace

std::optional<LastCheckpointHint> ReadLastCheckpointHint(FileSystem& fs, const std::string& dir) {
  auto text = fs.ReadFile(JoinPath(dir, "_last_checkpoint"));
  if (!text.ok()) return std::nullopt;
  auto doc = json_util::Parse(*text);
  if (!doc.ok()) return std::nullopt;
  auto version = json_util::GetInt(*doc, "version");
  if (!version.ok()) return std::nullopt;
  LastCheckpointHint hint{*version, std::nullopt};
  if (auto parts = json_util::OptInt(*doc, "parts"); parts.ok()) hint.parts = *parts;
  return hint;
}

std::optional<int64_t> ParseVersionPrefix(std::string_view name) {
  if (name.size() < 20 || !AllDigits(name.substr(0, 20))) return std::nullopt;
  if (name.size() > 20 && name[20] != '.') return std::nullopt;
  int64_t v = 0;
  for (char c : name.substr(0, 20)) {
    if (v > (INT64_MAX - 9) / 10) return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

std::optional<int64_t> LogListing::LatestVersion() const {
  std::optional<int64_t> latest;
  if (!commits.empty()) latest = commits.rbegin()->first;
  if (!checkpoints.empty()) latest = std::max(latest.value_or(-1), checkpoints.rbegin()->first);
  return latest;
}

std::optional<int64_t> LogListing::EarliestVersion() const {
  if (commits.count(0) != 0) return 0;
  if (!checkpoints.empty()) return checkpoints.begin()->first;
  return std::nullopt;
}

std::string VersionPrefix(int64_t version) {
  char name[24];
  std::snprintf(name, sizeof name, "%020lld", static_cast<long long>(version));
  return name;
}

Result<LogListing> ListLog(FileSystem& fs, const std::string& log_dir) {
  return ListLog(fs, log_dir, ListLogOptions{});
}

Result<LogListing> ListLog(FileSystem& fs, const std::string& log_dir,
                           const ListLogOptions& options) {
  // Names and mtimes, whichever listing gave them.
  struct Entry {
    std::string name;
    int64_t mtime_micros;
  };
  std::vector<Entry> entries;
  if (options.mtimes) {
    STRATA_ASSIGN_OR_RETURN(auto infos, fs.ListDirectory(log_dir));
    entries.reserve(infos.size());
    for (FileInfo& info : infos) {
      if (info.is_directory) continue;  // _sidecars, _commits, .tmp, _staged_commits
      entries.push_back(Entry{std::string(BaseName(info.path)), info.mtime_micros});
    }
  } else {
    std::string start = options.from_version > 0 ? VersionPrefix(options.from_version) : "";
    STRATA_ASSIGN_OR_RETURN(auto names, fs.ListDirectoryNames(log_dir, start));
    entries.reserve(names.size());
    for (DirectoryEntry& e : names) {
      if (!e.is_directory) entries.push_back(Entry{std::move(e.name), 0});
    }
  }
  LogListing listing;
  listing.log_dir = log_dir;
  listing.listed_from = std::max<int64_t>(0, options.from_version);
  std::map<MultiPartKey, std::map<int64_t, std::string>> multi_parts;
  for (const Entry& e : entries) {
    const std::string& name = e.name;
    if (IsTempFileName(name)) continue;
    auto version = ParseVersionPrefix(name);
    if (!version || *version < listing.listed_from) continue;
    std::string full = JoinPath(log_dir, name);
    std::string_view rest = std::string_view(name).substr(20);
    if (rest == ".json") {
      listing.commits.emplace_hint(listing.commits.end(), *version,
                                   CommitFile{*version, std::move(full), e.mtime_micros / 1000});
      continue;
    }
    if (rest == ".checkpoint.parquet") {
      listing.checkpoints[*version].push_back(
          CheckpointFiles{*version, CheckpointKind::kClassic, false, {full}});
      continue;
    }
    constexpr std::string_view kCp = ".checkpoint.";
    if (rest.substr(0, kCp.size()) != kCp) continue;  // .crc, compacted logs, others
    std::string_view tail = rest.substr(kCp.size());
    // Multi-part: PPPPPPPPPP.QQQQQQQQQQ.parquet
    if (tail.size() == 10 + 1 + 10 + 8 && AllDigits(tail.substr(0, 10)) && tail[10] == '.' &&
        AllDigits(tail.substr(11, 10)) && tail.substr(21) == ".parquet") {
      int64_t part = std::stoll(std::string(tail.substr(0, 10)));
      int64_t parts = std::stoll(std::string(tail.substr(11, 10)));
      if (part >= 1 && part <= parts) multi_parts[{*version, parts}][part] = full;
      continue;
    }
    // UUID-named: <uuid>.json or <uuid>.parquet
    bool is_json = EndsWith(tail, ".json");
    bool is_parquet = EndsWith(tail, ".parquet");
    if (!is_json && !is_parquet) continue;
    std::string_view uuid = tail.substr(0, tail.size() - (is_json ? 5 : 8));
    if (uuid.empty() || uuid.find('.') != std::string_view::npos) continue;
    listing.checkpoints[*version].push_back(
        CheckpointFiles{*version, CheckpointKind::kV2Uuid, is_json, {full}});
  }
  // PROTOCOL.md "Checkpoints": readers ignore multi-part checkpoints with
  // missing parts (they cannot be written atomically).
  for (auto& [key, parts] : multi_parts) {
    if (static_cast<int64_t>(parts.size()) != key.num_parts) continue;
    CheckpointFiles cp{key.version, CheckpointKind::kMultiPart, false, {}};
    for (auto& [index, path] : parts) cp.paths.push_back(std::move(path));
    listing.checkpoints[key.version].push_back(std::move(cp));
  }
  for (auto& [version, cps] : listing.checkpoints) {
    std::stable_sort(cps.begin(), cps.end(),
                     [](const CheckpointFiles& a, const CheckpointFiles& b) {
                       return KindRank(a) < KindRank(b);
                     });
  }
  listing.last_checkpoint = ReadLastCheckpointHint(fs, log_dir);
  return listing;
}

Result<LogListing> ListLogForLatest(FileSystem& fs, const std::string& log_dir) {
  auto hint = ReadLastCheckpointHint(fs, log_dir);
  if (hint && hint->version > 0) {
    ListLogOptions from_hint;
    from_hint.mtimes = false;
    from_hint.from_version = hint->version;
    STRATA_ASSIGN_OR_RETURN(LogListing listing, ListLog(fs, log_dir, from_hint));
    // The hint is trusted only when the listing shows the checkpoint it names
    // complete; commits after it are checked for gaps by BuildLogSegment.
    if (listing.checkpoints.count(hint->version) != 0) return listing;
  }
  ListLogOptions full;
  full.mtimes = false;
  return ListLog(fs, log_dir, full);
}

Result<LogSegment> BuildLogSegment(const LogListing& listing, std::optional<int64_t> version,
                                   const std::string& table) {
  auto latest = listing.LatestVersion();
  if (!latest) {
    return Status::NotFound("Delta table " + table +
                            ": _delta_log holds no commits or checkpoints");
  }
  int64_t target = version.value_or(*latest);
  if (target < 0 || target > *latest) {
    return Status::NotFound("Delta table " + table + ": version " + std::to_string(target) +
                            " does not exist; the latest version is " + std::to_string(*latest));
  }
  if (listing.listed_from > 0 &&
      (listing.checkpoints.empty() || listing.checkpoints.begin()->first > target)) {
    return Status::Internal("Delta table " + table + ": the partial listing from version " +
                            std::to_string(listing.listed_from) + " cannot rebuild version " +
                            std::to_string(target));
  }
  LogSegment segment;
  segment.version = target;
  // The newest checkpoint at or before the target (PROTOCOL.md
  // "Checkpoints": for time travel it must not be newer than the version).
  auto it = listing.checkpoints.upper_bound(target);
  int64_t start = 0;
  if (it != listing.checkpoints.begin()) {
    --it;
    segment.checkpoint = it->second.front();
    start = it->first + 1;
  }
  if (!segment.checkpoint && listing.commits.count(0) == 0) {
    int64_t first = listing.commits.empty() ? target : listing.commits.begin()->first;
    if (first > target) {
      return Status::NotFound("Delta table " + table + ": version " + std::to_string(target) +
                              " is older than the oldest version the log can rebuild");
    }
    return Status::Corruption("Delta table " + table + ": the log starts at version " +
                              std::to_string(first) +
                              " and has no checkpoint to rebuild the state before it");
  }
  for (int64_t v = start; v <= target; ++v) {
    auto c = listing.commits.find(v);
    if (c == listing.commits.end()) {
      return Status::Corruption("Delta table " + table + ": commit " + std::to_string(v) +
                                " is missing from _delta_log (versions must be contiguous to "
                                "reach version " +
                                std::to_string(target) + ")");
    }
    segment.commits.push_back(c->second);
  }
  return segment;
}

}  // namespace strata::lake
