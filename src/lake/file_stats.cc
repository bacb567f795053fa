#include "lake/file_stats.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "common/civil_date.h"
#include "lake/checkpoint_reader.h"
#include "lake/json_util.h"

namespace strata::lake {
namespace {

using nlohmann::json;

// DuckDB's Parquet writer keeps string statistics of at most this many bytes:
// a longer minimum is cut to a prefix, a longer maximum is cut and its last
// byte incremented (or, for non-ASCII text, both are dropped).
constexpr size_t kDuckDbStringStatBytes = 256;

constexpr std::string_view kMaxCodePoint = "\xF4\x8F\xBF\xBF";  // U+10FFFF

void CollectLeaves(const DataType& type, std::vector<std::string>& prefix,
                   std::vector<StatLeaf>& out, size_t limit) {
  for (const StructField& f : type.fields) {
    if (out.size() >= limit) return;
    prefix.push_back(f.name);
    if (f.type->kind == DataType::Kind::kStruct) {
      CollectLeaves(*f.type, prefix, out, limit);
    } else {
      out.push_back(StatLeaf{prefix, f.type.get()});
    }
    prefix.pop_back();
  }
}

// How Delta bounds a leaf's values (mirrors BoundExpr in file_writer.cc).
enum class BoundKind {
  kNone,
  kInteger,
  kDecimal,
  kFloat,
  kDouble,
  kDate,
  kTimestamp,
  kNtz,
  kString
};

BoundKind BoundKindOf(const DataType& type) {
  if (type.kind == DataType::Kind::kDecimal) {
    // JSON numbers become doubles in most readers: keep only exact ones.
    return type.precision <= 15 ? BoundKind::kDecimal : BoundKind::kNone;
  }
  if (type.kind != DataType::Kind::kPrimitive) return BoundKind::kNone;
  const std::string& t = type.primitive;
  if (t == "byte" || t == "short" || t == "integer" || t == "long") return BoundKind::kInteger;
  if (t == "float") return BoundKind::kFloat;
  if (t == "double") return BoundKind::kDouble;
  if (t == "date") return BoundKind::kDate;
  if (t == "timestamp") return BoundKind::kTimestamp;
  if (t == "timestamp_ntz") return BoundKind::kNtz;
  if (t == "string") return BoundKind::kString;
  return BoundKind::kNone;
}

// Byte length of the first `n` UTF-8 characters of `s`, or nullopt when `s`
// has at most `n` complete characters.
std::optional<size_t> PrefixBytes(std::string_view s, size_t n) {
  size_t chars = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (chars == n) return i;
      ++chars;
    }
  }
  return std::nullopt;
}

// A string bound cut to `n` characters (PROTOCOL.md "Per-file Statistics"),
// from DuckDB's possibly already cut statistic. nullopt when the statistic
// cannot give the exact cut.
std::optional<std::string> StringBound(const std::string& stat, bool is_max, size_t n) {
  bool maybe_cut_by_duckdb = stat.size() >= kDuckDbStringStatBytes;
  std::optional<size_t> prefix = PrefixBytes(stat, n);
  if (!prefix) {
    // At most n characters: exact unless DuckDB cut it.
    if (maybe_cut_by_duckdb) return std::nullopt;
    return stat;
  }
  // DuckDB's cut maximum differs from the value in its last byte(s); the first
  // n characters are the value's as long as they end well before that.
  if (maybe_cut_by_duckdb && *prefix + 8 > stat.size()) return std::nullopt;
  std::string out = stat.substr(0, *prefix);
  if (is_max) out += kMaxCodePoint;  // a cut maximum must still bound the values
  return out;
}

std::optional<int64_t> ParseInt(std::string_view text) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

std::optional<double> ParseDouble(const std::string& text, bool as_float) {
  const char* begin = text.c_str();
  char* end = nullptr;
  double v = as_float ? static_cast<double>(std::strtof(begin, &end)) : std::strtod(begin, &end);
  if (end == begin || *end != '\0') return std::nullopt;
  return v;
}

// Reads `count` digits at `pos` (advancing it); false when there are none.
bool ReadDigits(std::string_view s, size_t& pos, size_t min_count, size_t max_count, int64_t& out) {
  size_t start = pos;
  out = 0;
  while (pos < s.size() && pos - start < max_count && s[pos] >= '0' && s[pos] <= '9') {
    out = out * 10 + (s[pos] - '0');
    ++pos;
  }
  return pos - start >= min_count;
}

bool Expect(std::string_view s, size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

bool IsDateText(std::string_view s) {
  size_t pos = 0;
  int64_t y, m, d;
  return ReadDigits(s, pos, 4, 9, y) && Expect(s, pos, '-') && ReadDigits(s, pos, 2, 2, m) &&
         Expect(s, pos, '-') && ReadDigits(s, pos, 2, 2, d) && pos == s.size();
}

json Bound(const std::string& text, BoundKind kind, bool is_max, bool has_nan,
           const DataFileOptions& options) {
  switch (kind) {
    case BoundKind::kNone:
      return nullptr;
    case BoundKind::kInteger: {
      auto v = ParseInt(text);
      return v ? json(*v) : json(nullptr);
    }
    case BoundKind::kDecimal: {
      json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
      return parsed.is_number() ? parsed : json(nullptr);
    }
    case BoundKind::kFloat:
    case BoundKind::kDouble: {
      // DuckDB reports the extremes of the non-NaN values; NaN sorts above
      // everything, so with a NaN the maximum is NaN, which JSON cannot hold.
      if (is_max && has_nan) return nullptr;
      auto v = ParseDouble(text, kind == BoundKind::kFloat);
      return v && std::isfinite(*v) ? json(*v) : json(nullptr);
    }
    case BoundKind::kDate:
      return IsDateText(text) ? json(text) : json(nullptr);
    case BoundKind::kTimestamp:
    case BoundKind::kNtz: {
      auto v = DeltaTimestampText(text, kind == BoundKind::kTimestamp);
      return v ? json(*v) : json(nullptr);
    }
    case BoundKind::kString: {
      auto v = StringBound(text, is_max, static_cast<size_t>(options.string_prefix_length));
      return v ? json(*v) : json(nullptr);
    }
  }
  return nullptr;
}

void SetPath(json& root, const std::vector<std::string>& path, json value) {
  json* node = &root;
  for (const std::string& p : path) node = &(*node)[p];
  *node = std::move(value);
}

// The number of Parquet leaf columns `type` is stored as.
size_t ParquetLeafCount(const DataType& type) {
  switch (type.kind) {
    case DataType::Kind::kStruct: {
      size_t n = 0;
      for (const StructField& f : type.fields) n += ParquetLeafCount(*f.type);
      return n;
    }
    case DataType::Kind::kArray:
      return ParquetLeafCount(*type.element);
    case DataType::Kind::kMap:
      return ParquetLeafCount(*type.key) + ParquetLeafCount(*type.value);
    default:
      return 1;
  }
}

// The Parquet column index (parquet_metadata's column_id) of the leaf at
// `path` in `schema`, or nullopt.
std::optional<size_t> ParquetColumnIndex(const DataType& schema,
                                         const std::vector<std::string>& path) {
  const DataType* type = &schema;
  size_t index = 0;
  for (const std::string& name : path) {
    if (type->kind != DataType::Kind::kStruct) return std::nullopt;
    const DataType* next = nullptr;
    for (const StructField& f : type->fields) {
      if (f.name == name) {
        next = f.type.get();
        break;
      }
      index += ParquetLeafCount(*f.type);
    }
    if (next == nullptr) return std::nullopt;
    type = next;
  }
  return index;
}

std::string Text(const engine::Value& v) {
  return v.type().id() == engine::TypeId::kVarchar ? v.GetString() : v.ToString();
}

std::optional<std::string> OptionalText(const engine::Value& v) {
  if (v.IsNull()) return std::nullopt;
  return Text(v);
}

}  // namespace

std::vector<StatLeaf> StatLeaves(const DataType& data_schema, const DataFileOptions& options) {
  size_t limit =
      options.num_indexed_cols < 0 ? SIZE_MAX : static_cast<size_t>(options.num_indexed_cols);
  std::vector<StatLeaf> leaves;
  std::vector<std::string> prefix;
  CollectLeaves(data_schema, prefix, leaves, limit);
  return leaves;
}

std::optional<std::vector<std::string>> ParseColumnPath(std::string_view text) {
  std::vector<std::string> names;
  size_t pos = 0;
  while (true) {
    if (pos >= text.size() || text[pos] != '"') return std::nullopt;
    ++pos;
    std::string name;
    while (true) {
      if (pos >= text.size()) return std::nullopt;
      if (text[pos] == '"') {
        if (pos + 1 < text.size() && text[pos + 1] == '"') {
          name += '"';
          pos += 2;
          continue;
        }
        ++pos;
        break;
      }
      name += text[pos++];
    }
    names.push_back(std::move(name));
    if (pos == text.size()) return names;
    if (text[pos] != '.') return std::nullopt;
    ++pos;
  }
}

Result<std::vector<WrittenFile>> ParseReturnStats(engine::QueryResult& result) {
  auto column = [&](std::string_view name) -> std::optional<size_t> {
    for (size_t i = 0; i < result.ColumnCount(); ++i) {
      if (result.ColumnName(i) == name) return i;
    }
    return std::nullopt;
  };
  auto filename = column("filename"), count = column("count"), size = column("file_size_bytes"),
       stats = column("column_statistics"), keys = column("partition_keys");
  if (!filename || !count || !size || !stats) {
    return Status::Internal("COPY ... RETURN_STATS returned columns this DuckDB version lacks");
  }
  STRATA_ASSIGN_OR_RETURN(auto rows, result.FetchAllRows());
  std::vector<WrittenFile> files;
  for (const auto& row : rows) {
    WrittenFile file;
    if (row[*filename].IsNull() || row[*count].IsNull()) {
      return Status::Internal("COPY ... RETURN_STATS returned a row without file or count");
    }
    file.path = Text(row[*filename]);
    auto records = ParseInt(row[*count].ToString());
    auto bytes = ParseInt(row[*size].ToString());
    if (!records) return Status::Internal("COPY ... RETURN_STATS: bad count");
    file.num_records = *records;
    file.size = bytes.value_or(0);
    const engine::Value& map = row[*stats];
    if (!map.IsNull()) {
      if (map.type().id() != engine::TypeId::kMap) {
        return Status::Internal("COPY ... RETURN_STATS: column_statistics is not a MAP");
      }
      for (size_t i = 0; i < map.MapSize(); ++i) {
        auto path = ParseColumnPath(Text(map.MapKey(i)));
        if (!path) continue;  // a name we cannot attribute gets no statistics
        ParquetColumnStats& col = file.columns[*path];
        const engine::Value& entries = map.MapValue(i);
        if (entries.IsNull() || entries.type().id() != engine::TypeId::kMap) continue;
        for (size_t j = 0; j < entries.MapSize(); ++j) {
          std::string key = Text(entries.MapKey(j));
          std::optional<std::string> value = OptionalText(entries.MapValue(j));
          if (!value) continue;
          if (key == "min") {
            col.min = std::move(value);
          } else if (key == "max") {
            col.max = std::move(value);
          } else if (key == "null_count") {
            col.null_count = ParseInt(*value);
          } else if (key == "has_nan") {
            col.has_nan = *value == "true";
          }
        }
      }
    }
    if (keys && !row[*keys].IsNull() && row[*keys].type().id() == engine::TypeId::kMap) {
      const engine::Value& pk = row[*keys];
      for (size_t i = 0; i < pk.MapSize(); ++i) {
        file.partition_keys[Text(pk.MapKey(i))] = OptionalText(pk.MapValue(i));
      }
    }
    files.push_back(std::move(file));
  }
  return files;
}

std::string DeltaStatsJson(const WrittenFile& file, const DataType& data_schema,
                           const DataFileOptions& options) {
  json stats = {{"numRecords", file.num_records}};
  json mins = json::object(), maxs = json::object(), nulls = json::object();
  for (const StatLeaf& leaf : StatLeaves(data_schema, options)) {
    auto it = file.columns.find(leaf.path);
    if (it == file.columns.end()) continue;
    const ParquetColumnStats& col = it->second;
    if (col.null_count) SetPath(nulls, leaf.path, *col.null_count);
    BoundKind kind = BoundKindOf(*leaf.type);
    if (col.min) {
      json v = Bound(*col.min, kind, /*is_max=*/false, col.has_nan, options);
      if (!v.is_null()) SetPath(mins, leaf.path, std::move(v));
    }
    if (col.max) {
      json v = Bound(*col.max, kind, /*is_max=*/true, col.has_nan, options);
      if (!v.is_null()) SetPath(maxs, leaf.path, std::move(v));
    }
  }
  stats["minValues"] = std::move(mins);
  stats["maxValues"] = std::move(maxs);
  stats["nullCount"] = std::move(nulls);
  return json_util::Dump(stats);
}

std::vector<std::vector<std::string>> LeavesMissingBounds(const WrittenFile& file,
                                                          const DataType& data_schema,
                                                          const DataFileOptions& options) {
  std::vector<std::vector<std::string>> missing;
  for (const StatLeaf& leaf : StatLeaves(data_schema, options)) {
    if (BoundKindOf(*leaf.type) != BoundKind::kDecimal) continue;
    auto it = file.columns.find(leaf.path);
    if (it == file.columns.end()) continue;
    const ParquetColumnStats& col = it->second;
    bool all_null = col.null_count && *col.null_count >= file.num_records;
    if (!all_null && (!col.min || !col.max)) missing.push_back(leaf.path);
  }
  return missing;
}

Status FillBoundsFromFooter(engine::Connection& conn,
                            const std::vector<std::vector<std::string>>& leaves,
                            const DataType& data_schema, WrittenFile& file) {
  if (leaves.empty()) return Status::OK();
  std::map<size_t, const std::vector<std::string>*> by_index;
  std::string ids;
  for (const auto& path : leaves) {
    auto index = ParquetColumnIndex(data_schema, path);
    if (!index) continue;
    by_index[*index] = &path;
    if (!ids.empty()) ids += ", ";
    ids += std::to_string(*index);
  }
  if (ids.empty()) return Status::OK();
  STRATA_ASSIGN_OR_RETURN(
      auto rows,
      QueryStrings(conn,
                   "SELECT CAST(column_id AS VARCHAR), stats_min_value, "
                   "stats_max_value FROM parquet_metadata(" +
                       engine::QuoteLiteral(file.path) + ") WHERE column_id IN (" + ids + ")"));
  // Per leaf: the extreme bounds over row groups, or nothing once a row group
  // lacks one (its values could lie anywhere).
  struct Extremes {
    std::optional<std::pair<double, std::string>> min, max;
    bool min_lost = false, max_lost = false;
  };
  std::map<size_t, Extremes> extremes;
  for (const auto& row : rows) {
    auto index = row[0] ? ParseInt(*row[0]) : std::nullopt;
    if (!index || !by_index.count(static_cast<size_t>(*index))) continue;
    Extremes& e = extremes[static_cast<size_t>(*index)];
    auto take = [](const std::optional<std::string>& text, bool is_max,
                   std::optional<std::pair<double, std::string>>& best, bool& lost) {
      std::optional<double> v = text ? ParseDouble(*text, false) : std::nullopt;
      if (!v) {
        lost = true;
        return;
      }
      if (!best || (is_max ? *v > best->first : *v < best->first)) best.emplace(*v, *text);
    };
    take(row[1], false, e.min, e.min_lost);
    take(row[2], true, e.max, e.max_lost);
  }
  for (const auto& [index, e] : extremes) {
    ParquetColumnStats& col = file.columns[*by_index[index]];
    if (!col.min && e.min && !e.min_lost) col.min = e.min->second;
    if (!col.max && e.max && !e.max_lost) col.max = e.max->second;
  }
  return Status::OK();
}

std::optional<std::string> DeltaTimestampText(std::string_view s, bool utc) {
  size_t pos = 0;
  int64_t y, mo, d, h, mi, sec, micros = 0;
  if (!(ReadDigits(s, pos, 4, 9, y) && Expect(s, pos, '-') && ReadDigits(s, pos, 2, 2, mo) &&
        Expect(s, pos, '-') && ReadDigits(s, pos, 2, 2, d) && Expect(s, pos, ' ') &&
        ReadDigits(s, pos, 2, 2, h) && Expect(s, pos, ':') && ReadDigits(s, pos, 2, 2, mi) &&
        Expect(s, pos, ':') && ReadDigits(s, pos, 2, 2, sec))) {
    return std::nullopt;  // also "infinity" and BC years ("0044-03-15 (BC) ...")
  }
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t start = pos;
    int64_t frac = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (pos - start < 6) frac = frac * 10 + (s[pos] - '0');
      ++pos;
    }
    if (pos == start) return std::nullopt;
    for (size_t digits = pos - start; digits < 6; ++digits) frac *= 10;
    micros = frac;
  }
  int64_t offset_seconds = 0;
  if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    if (!utc) return std::nullopt;
    int sign = s[pos] == '-' ? -1 : 1;
    ++pos;
    int64_t oh = 0, om = 0, os = 0;
    if (!ReadDigits(s, pos, 2, 2, oh)) return std::nullopt;
    if (pos < s.size() && s[pos] == ':') {
      ++pos;
      if (!ReadDigits(s, pos, 2, 2, om)) return std::nullopt;
      if (pos < s.size() && s[pos] == ':') {
        ++pos;
        if (!ReadDigits(s, pos, 2, 2, os)) return std::nullopt;
      }
    }
    offset_seconds = sign * (oh * 3600 + om * 60 + os);
  }
  if (pos != s.size()) return std::nullopt;
  int64_t seconds = DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset_seconds;
  int64_t days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
  int64_t in_day = seconds - days * 86400;
  const CivilDate date = CivilFromDays(days);
  if (date.year < 0) return std::nullopt;
  char buf[160];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%03lld%s",
                static_cast<long long>(date.year), static_cast<long long>(date.month),
                static_cast<long long>(date.day), static_cast<long long>(in_day / 3600),
                static_cast<long long>(in_day / 60 % 60), static_cast<long long>(in_day % 60),
                static_cast<long long>(micros / 1000), utc ? "Z" : "");
  return std::string(buf);
}

}  // namespace strata::lake
