#include "lake/action_scanner.h"

#include <cstdint>
#include <string>

namespace strata::lake {
namespace {

// A cursor over one JSON line. Every method returns false to decline; the
// caller then abandons the fast path, so no method needs to restore state.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  void SkipSpace() {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
      ++pos_;
    }
  }
  // Consumes `c` (after white space) when it is next.
  bool Eat(char c) {
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool AtEnd() {
    SkipSpace();
    return pos_ == text_.size();
  }
  // Consumes a JSON null when it is next.
  bool EatNull() {
    SkipSpace();
    if (text_.substr(pos_, 4) != "null") return false;
    pos_ += 4;
    return true;
  }

  // A string of printable ASCII with the simple escapes; declines \u and
  // bytes >= 0x80 (the DOM path validates UTF-8 and surrogates).
  bool String(std::string& out) {
    if (!Eat('"')) return false;
    out.clear();
    size_t start = pos_;
    while (pos_ < text_.size()) {
      unsigned char c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        out.append(text_.data() + start, pos_ - start);
        ++pos_;
        return true;
      }
      if (c < 0x20 || c >= 0x80) return false;
      if (c != '\\') {
        ++pos_;
        continue;
      }
      out.append(text_.data() + start, pos_ - start);
      if (pos_ + 1 >= text_.size()) return false;
      switch (text_[pos_ + 1]) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        default:
          return false;  // \u and invalid escapes
      }
      pos_ += 2;
      start = pos_;
    }
    return false;  // unterminated
  }

  // A plain JSON integer that fits int64 (no fraction, exponent or leading
  // zeros, which the DOM reads as non-integers or rejects).
  bool Int(int64_t& out) {
    SkipSpace();
    bool negative = pos_ < text_.size() && text_[pos_] == '-';
    if (negative) ++pos_;
    size_t start = pos_;
    uint64_t value = 0;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      if (value > (uint64_t{INT64_MAX} - 9) / 10) return false;  // near overflow: decline
      value = value * 10 + static_cast<uint64_t>(text_[pos_] - '0');
      ++pos_;
    }
    size_t digits = pos_ - start;
    if (digits == 0 || (digits > 1 && text_[start] == '0')) return false;
    if (pos_ < text_.size() && (text_[pos_] == '.' || text_[pos_] == 'e' || text_[pos_] == 'E')) {
      return false;
    }
    out = negative ? -static_cast<int64_t>(value) : static_cast<int64_t>(value);
    return true;
  }

  bool Bool(bool& out) {
    SkipSpace();
    if (text_.substr(pos_, 4) == "true") {
      pos_ += 4;
      out = true;
      return true;
    }
    if (text_.substr(pos_, 5) == "false") {
      pos_ += 5;
      out = false;
      return true;
    }
    return false;
  }

  // An object of string or null values with unique keys; `on_null(out, key)`
  // handles a null value.
  template <typename Map, typename OnNull>
  bool StringObject(Map& out, OnNull on_null) {
    if (!Eat('{')) return false;
    if (Eat('}')) return true;
    std::string key, value;
    do {
      if (!String(key) || !Eat(':')) return false;
      if (out.count(key) != 0) return false;  // duplicate: the DOM keeps the last
      if (EatNull()) {
        on_null(out, key);
        continue;
      }
      if (!String(value)) return false;
      out.emplace(key, value);
    } while (Eat(','));
    return Eat('}');
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

bool PartitionValuesObject(Scanner& sc, PartitionValues& out) {
  return sc.StringObject(
      out, [](PartitionValues& m, const std::string& k) { m.emplace(k, std::nullopt); });
}

// Tags with null values are rare; declining them keeps duplicate handling
// simple (the DOM drops nulls after keeping the last of duplicate keys).
bool TagsObject(Scanner& sc, std::optional<StringMap>& out) {
  StringMap tags;
  bool has_null = false;
  if (!sc.StringObject(tags, [&](StringMap&, const std::string&) { has_null = true; })) {
    return false;
  }
  if (has_null) return false;
  out = std::move(tags);
  return true;
}

// Field keys of add and remove, one bit each for duplicate detection.
enum FieldBit : uint32_t {
  kPath = 1u << 0,
  kPartitionValues = 1u << 1,
  kSize = 1u << 2,
  kModificationTime = 1u << 3,
  kDataChange = 1u << 4,
  kStats = 1u << 5,
  kTags = 1u << 6,
  kBaseRowId = 1u << 7,
  kDefaultRowCommitVersion = 1u << 8,
  kClusteringProvider = 1u << 9,
  kDeletionTimestamp = 1u << 10,
  kExtendedFileMetadata = 1u << 11,
};

uint32_t BitOf(std::string_view key) {
  static constexpr std::pair<std::string_view, FieldBit> kBits[] = {
      {"path", kPath},
      {"partitionValues", kPartitionValues},
      {"size", kSize},
      {"modificationTime", kModificationTime},
      {"dataChange", kDataChange},
      {"stats", kStats},
      {"tags", kTags},
      {"baseRowId", kBaseRowId},
      {"defaultRowCommitVersion", kDefaultRowCommitVersion},
      {"clusteringProvider", kClusteringProvider},
      {"deletionTimestamp", kDeletionTimestamp},
      {"extendedFileMetadata", kExtendedFileMetadata},
  };
  for (const auto& [name, bit] : kBits) {
    if (key == name) return bit;
  }
  return 0;
}

template <typename T>
bool OptInt(Scanner& sc, std::optional<T>& out) {
  int64_t v = 0;
  if (!sc.Int(v)) return false;
  out = v;
  return true;
}

bool ScanAdd(Scanner& sc, AddFile& a) {
  const uint32_t allowed = kPath | kPartitionValues | kSize | kModificationTime | kDataChange |
                           kStats | kTags | kBaseRowId | kDefaultRowCommitVersion |
                           kClusteringProvider;
  if (!sc.Eat('{')) return false;
  uint32_t seen = 0, present = 0;
  std::string key;
  if (sc.Eat('}')) return false;  // no path: the DOM reports it
  do {
    if (!sc.String(key) || !sc.Eat(':')) return false;
    uint32_t bit = BitOf(key);
    if ((bit & allowed) == 0 || (seen & bit) != 0) return false;
    seen |= bit;
    if (sc.EatNull()) continue;  // a null field is an absent one
    present |= bit;
    bool ok = true;
    switch (bit) {
      case kPath:
        ok = sc.String(a.path);
        break;
      case kPartitionValues:
        ok = PartitionValuesObject(sc, a.partition_values);
        break;
      case kSize:
        ok = sc.Int(a.size);
        break;
      case kModificationTime:
        ok = sc.Int(a.modification_time);
        break;
      case kDataChange:
        ok = sc.Bool(a.data_change);
        break;
      case kStats:
        ok = sc.String(a.stats.emplace());
        break;
      case kTags:
        ok = TagsObject(sc, a.tags);
        break;
      case kBaseRowId:
        ok = OptInt(sc, a.base_row_id);
        break;
      case kDefaultRowCommitVersion:
        ok = OptInt(sc, a.default_row_commit_version);
        break;
      case kClusteringProvider:
        ok = sc.String(a.clustering_provider.emplace());
        break;
      default:
        ok = false;
    }
    if (!ok) return false;
  } while (sc.Eat(','));
  return sc.Eat('}') && (present & kPath) != 0 && (present & kSize) != 0;
}

bool ScanRemove(Scanner& sc, RemoveFile& r) {
  const uint32_t allowed = kPath | kDeletionTimestamp | kDataChange | kExtendedFileMetadata |
                           kPartitionValues | kSize | kStats | kTags | kBaseRowId |
                           kDefaultRowCommitVersion;
  if (!sc.Eat('{')) return false;
  uint32_t seen = 0, present = 0;
  std::string key;
  if (sc.Eat('}')) return false;
  do {
    if (!sc.String(key) || !sc.Eat(':')) return false;
    uint32_t bit = BitOf(key);
    if ((bit & allowed) == 0 || (seen & bit) != 0) return false;
    seen |= bit;
    if (sc.EatNull()) continue;
    present |= bit;
    bool ok = true;
    switch (bit) {
      case kPath:
        ok = sc.String(r.path);
        break;
      case kDeletionTimestamp:
        ok = OptInt(sc, r.deletion_timestamp);
        break;
      case kDataChange:
        ok = sc.Bool(r.data_change);
        break;
      case kExtendedFileMetadata: {
        bool v = false;
        ok = sc.Bool(v);
        r.extended_file_metadata = v;
        break;
      }
      case kPartitionValues:
        ok = PartitionValuesObject(sc, r.partition_values.emplace());
        break;
      case kSize:
        ok = OptInt(sc, r.size);
        break;
      case kStats:
        ok = sc.String(r.stats.emplace());
        break;
      case kTags:
        ok = TagsObject(sc, r.tags);
        break;
      case kBaseRowId:
        ok = OptInt(sc, r.base_row_id);
        break;
      case kDefaultRowCommitVersion:
        ok = OptInt(sc, r.default_row_commit_version);
        break;
      default:
        ok = false;
    }
    if (!ok) return false;
  } while (sc.Eat(','));
  return sc.Eat('}') && (present & kPath) != 0;
}

}  // namespace

std::optional<Action> ScanFileActionLine(std::string_view line) {
  Scanner sc(line);
  std::string kind;
  if (!sc.Eat('{') || !sc.String(kind) || !sc.Eat(':')) return std::nullopt;
  if (kind == "add") {
    AddFile add;
    if (!ScanAdd(sc, add) || !sc.Eat('}') || !sc.AtEnd()) return std::nullopt;
    return Action(std::move(add));
  }
  if (kind == "remove") {
    RemoveFile remove;
    if (!ScanRemove(sc, remove) || !sc.Eat('}') || !sc.AtEnd()) return std::nullopt;
    return Action(std::move(remove));
  }
  return std::nullopt;
}

}  // namespace strata::lake
