#include "lake/partition_values.h"

#include <cctype>

#include "common/civil_date.h"
#include "engine/engine.h"

namespace strata::lake {
namespace {

constexpr std::string_view kHiveDefaultPartition = "__HIVE_DEFAULT_PARTITION__";

bool Digits(std::string_view s, size_t pos, size_t n, int64_t& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

// Parses "YYYY-MM-DD" at the start of `s`; sets `used` to its length. Years
// may have more than four digits and a sign.
std::optional<int64_t> ParseDatePrefix(std::string_view s, size_t& used) {
  size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) negative = s[i++] == '-';
  size_t year_start = i;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  if (i - year_start < 4 || i - year_start > 6) return std::nullopt;
  int64_t year = std::stoll(std::string(s.substr(year_start, i - year_start)));
  if (negative) year = -year;
  int64_t month = 0, day = 0;
  if (i >= s.size() || s[i] != '-' || !Digits(s, i + 1, 2, month)) return std::nullopt;
  i += 3;
  if (i >= s.size() || s[i] != '-' || !Digits(s, i + 1, 2, day)) return std::nullopt;
  i += 3;
  if (month < 1 || month > 12 || day < 1 || day > 31) return std::nullopt;
  used = i;
  return DaysFromCivil(year, month, day);
}

bool HasZone(std::string_view s) {
  if (s.empty()) return false;
  if (s.back() == 'Z' || s.back() == 'z') return true;
  // A sign after the time part: "...12:00:00+01:00", "...+0100", "...-08".
  size_t t = s.find_first_of("T ", 8);
  if (t == std::string_view::npos) return false;
  return s.find_first_of("+-", t) != std::string_view::npos;
}

}  // namespace

bool IsNullPartitionValue(const std::optional<std::string>& value) {
  return !value || value->empty() || *value == kHiveDefaultPartition;
}

std::optional<std::string> LookupPartitionValue(const AddFile& add, const StructField& field,
                                                const std::string& physical_name) {
  auto it = add.partition_values.find(physical_name);
  if (it == add.partition_values.end()) it = add.partition_values.find(field.name);
  if (it == add.partition_values.end()) return std::nullopt;
  return it->second;
}

std::optional<int64_t> ParseDateDays(std::string_view text) {
  size_t used = 0;
  auto days = ParseDatePrefix(text, used);
  if (!days || used != text.size()) return std::nullopt;
  return days;
}

std::optional<int64_t> ParseTimestampMicros(std::string_view s, bool apply_offset) {
  size_t i = 0;
  auto days = ParseDatePrefix(s, i);
  if (!days) return std::nullopt;
  int64_t h = 0, mi = 0, sec = 0, micros = 0;
  if (i < s.size()) {
    if (s[i] != 'T' && s[i] != ' ') return std::nullopt;
    if (!Digits(s, i + 1, 2, h) || s.size() < i + 6 || s[i + 3] != ':' ||
        !Digits(s, i + 4, 2, mi)) {
      return std::nullopt;
    }
    i += 6;
    if (i < s.size() && s[i] == ':') {
      if (!Digits(s, i + 1, 2, sec)) return std::nullopt;
      i += 3;
    }
    if (i < s.size() && s[i] == '.') {
      ++i;
      int64_t scale = 100000;
      int digits = 0;
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
        if (digits < 6) micros += (s[i] - '0') * scale;
        scale /= 10;
        ++digits;
        ++i;
      }
      if (digits == 0) return std::nullopt;
    }
  }
  int64_t offset_seconds = 0;
  if (i < s.size()) {
    std::string_view zone = s.substr(i);
    if (zone == "Z" || zone == "z" || zone == "UTC") {
      // UTC
    } else if (zone[0] == '+' || zone[0] == '-') {
      int64_t oh = 0, om = 0;
      if (!Digits(zone, 1, 2, oh)) return std::nullopt;
      size_t j = 3;
      if (j < zone.size() && zone[j] == ':') ++j;
      if (j < zone.size()) {
        if (!Digits(zone, j, 2, om) || j + 2 != zone.size()) return std::nullopt;
      }
      offset_seconds = (oh * 3600 + om * 60) * (zone[0] == '-' ? -1 : 1);
    } else {
      return std::nullopt;
    }
  }
  if (h > 23 || mi > 59 || sec > 60) return std::nullopt;
  int64_t seconds = *days * 86400 + h * 3600 + mi * 60 + sec;
  if (apply_offset) seconds -= offset_seconds;
  return seconds * 1000000 + micros;
}

Result<std::string> PartitionValueSql(const DataType& type,
                                      const std::optional<std::string>& value) {
  STRATA_ASSIGN_OR_RETURN(std::string duck_type, ToDuckDbType(type));
  if (type.kind != DataType::Kind::kPrimitive && type.kind != DataType::Kind::kDecimal) {
    return Status::InvalidArgument("a partition column cannot have type " + type.ToString());
  }
  bool is_string = type.IsPrimitive("string");
  if (!value || *value == kHiveDefaultPartition || (value->empty() && !is_string)) {
    return "CAST(NULL AS " + duck_type + ")";
  }
  if (is_string && value->empty()) return std::string("CAST(NULL AS VARCHAR)");
  std::string literal = engine::QuoteLiteral(*value);
  if (type.IsPrimitive("binary")) return "encode(" + literal + ")";
  if (type.IsPrimitive("timestamp")) {
    // Without a zone the value is UTC; give it one so that the cast does not
    // depend on the session time zone.
    std::string text = *value;
    if (!HasZone(text)) text += "+00";
    return "CAST(" + engine::QuoteLiteral(text) + " AS TIMESTAMP WITH TIME ZONE)";
  }
  return "CAST(" + literal + " AS " + duck_type + ")";
}

}  // namespace strata::lake
