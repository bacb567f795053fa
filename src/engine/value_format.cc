// Value::ToString: renders values the way DuckDB's CAST(... AS VARCHAR) does, so
// that the CLI prints what users would see in DuckDB itself. value_test.cc
// checks each rule against DuckDB's own casts.
#include <duckdb/duckdb.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "engine/value.h"

namespace strata::engine {
namespace {

void AppendPadded(std::string& out, uint64_t v, int width) {
  char buf[24];
  int n = std::snprintf(buf, sizeof(buf), "%0*llu", width, static_cast<unsigned long long>(v));
  out.append(buf, n);
}

std::string UInt128ToString(UInt128 v) {
  if (v == 0) return "0";
  char buf[48];
  char* p = buf + sizeof(buf);
  while (v != 0) {
    *--p = static_cast<char>('0' + static_cast<int>(v % 10));
    v /= 10;
  }
  return std::string(p, buf + sizeof(buf) - p);
}

std::string Int128ToString(Int128 v) {
  if (v >= 0) return UInt128ToString(static_cast<UInt128>(v));
  return "-" + UInt128ToString(UInt128{0} - static_cast<UInt128>(v));
}

// DuckDB writes no integer digit when the type has none (scale == width): ".50".
std::string DecimalToString(Int128 unscaled, int width, int scale) {
  bool negative = unscaled < 0;
  UInt128 magnitude =
      negative ? UInt128{0} - static_cast<UInt128>(unscaled) : static_cast<UInt128>(unscaled);
  std::string digits = UInt128ToString(magnitude);
  if (scale > 0) {
    size_t min_digits = static_cast<size_t>(width > scale ? scale + 1 : scale);
    if (digits.size() < min_digits) digits.insert(0, min_digits - digits.size(), '0');
    digits.insert(digits.size() - scale, 1, '.');
  }
  return negative ? "-" + digits : digits;
}

// Shortest round-trip digits, written like Python's repr (and DuckDB): fixed
// notation with at least one decimal for exponents in [-4, 16), otherwise
// scientific with a signed two-digit-minimum exponent.
template <typename F>
std::string FloatingToString(F v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string_view sci(buf, end - buf);
  size_t e_pos = sci.find('e');
  int exponent = std::atoi(std::string(sci.substr(e_pos + 1)).c_str());
  std::string digits;
  bool negative = false;
  for (char c : sci.substr(0, e_pos)) {
    if (c == '-') {
      negative = true;
    } else if (c != '.') {
      digits += c;
    }
  }
  std::string out = negative ? "-" : "";
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) {
      out += "0.";
      out.append(-exponent - 1, '0');
      out += digits;
    } else {
      size_t int_digits = exponent + 1;
      if (digits.size() <= int_digits) {
        out += digits;
        out.append(int_digits - digits.size(), '0');
        out += ".0";
      } else {
        out += digits.substr(0, int_digits);
        out += '.';
        out += digits.substr(int_digits);
      }
    }
    return out;
  }
  out += digits[0];
  if (digits.size() > 1) {
    out += '.';
    out += digits.substr(1);
  }
  out += exponent < 0 ? "e-" : "e+";
  AppendPadded(out, static_cast<uint64_t>(std::abs(exponent)), 2);
  return out;
}

// Years before 1 AD print as "<year> (BC)" after the date, as DuckDB does.
void AppendDate(std::string& out, int32_t days, bool* bc) {
  duckdb_date_struct d = duckdb_from_date(duckdb_date{days});
  int64_t year = d.year;
  *bc = year <= 0;
  if (*bc) year = 1 - year;
  AppendPadded(out, static_cast<uint64_t>(year), 4);
  out += '-';
  AppendPadded(out, static_cast<uint64_t>(d.month), 2);
  out += '-';
  AppendPadded(out, static_cast<uint64_t>(d.day), 2);
}

// "HH:MM:SS" plus the fraction of a second (of `fraction_digits` digits) with
// trailing zeros trimmed.
void AppendTimeOfDay(std::string& out, uint64_t seconds, uint64_t fraction, int fraction_digits) {
  AppendPadded(out, seconds / 3600, 2);
  out += ':';
  AppendPadded(out, seconds / 60 % 60, 2);
  out += ':';
  AppendPadded(out, seconds % 60, 2);
  if (fraction != 0) {
    std::string frac;
    AppendPadded(frac, fraction, fraction_digits);
    while (frac.back() == '0') frac.pop_back();
    out += '.';
    out += frac;
  }
}

std::string DateToString(int32_t days) {
  if (!duckdb_is_finite_date(duckdb_date{days})) return days > 0 ? "infinity" : "-infinity";
  std::string out;
  bool bc;
  AppendDate(out, days, &bc);
  if (bc) out += " (BC)";
  return out;
}

// A timestamp counted in units of 10^-fraction_digits seconds.
std::string TimestampToString(int64_t value, int fraction_digits, bool finite) {
  if (!finite) return value > 0 ? "infinity" : "-infinity";
  int64_t units_per_second = 1;
  for (int i = 0; i < fraction_digits; ++i) units_per_second *= 10;
  int64_t units_per_day = units_per_second * 86400;
  int64_t days = value / units_per_day;
  int64_t rest = value % units_per_day;
  if (rest < 0) {
    rest += units_per_day;
    --days;
  }
  std::string out;
  bool bc;
  AppendDate(out, static_cast<int32_t>(days), &bc);
  if (bc) out += " (BC)";
  out += ' ';
  AppendTimeOfDay(out, static_cast<uint64_t>(rest / units_per_second),
                  static_cast<uint64_t>(rest % units_per_second), fraction_digits);
  return out;
}

std::string TimeToString(int64_t micros) {
  std::string out;
  AppendTimeOfDay(out, static_cast<uint64_t>(micros / 1'000'000),
                  static_cast<uint64_t>(micros % 1'000'000), 6);
  return out;
}

// "+02", "-05:30", "+05:30:15": minutes and seconds only when not zero.
void AppendUtcOffset(std::string& out, int32_t offset_seconds) {
  out += offset_seconds < 0 ? '-' : '+';
  uint32_t abs_offset = static_cast<uint32_t>(std::abs(offset_seconds));
  AppendPadded(out, abs_offset / 3600, 2);
  uint32_t minutes = abs_offset / 60 % 60;
  uint32_t seconds = abs_offset % 60;
  if (minutes != 0 || seconds != 0) {
    out += ':';
    AppendPadded(out, minutes, 2);
  }
  if (seconds != 0) {
    out += ':';
    AppendPadded(out, seconds, 2);
  }
}

void AppendCount(std::string& out, int64_t n, const char* unit) {
  if (!out.empty()) out += ' ';
  out += std::to_string(n);
  out += ' ';
  out += unit;
  if (n != 1 && n != -1) out += 's';
}

std::string IntervalToString(const Interval& iv) {
  std::string out;
  int32_t years = iv.months / 12;
  int32_t months = iv.months % 12;
  if (years != 0) AppendCount(out, years, "year");
  if (months != 0) AppendCount(out, months, "month");
  if (iv.days != 0) AppendCount(out, iv.days, "day");
  if (iv.micros != 0) {
    if (!out.empty()) out += ' ';
    uint64_t micros = static_cast<uint64_t>(iv.micros);
    if (iv.micros < 0) {
      out += '-';
      micros = uint64_t{0} - micros;
    }
    uint64_t seconds = micros / 1'000'000;
    AppendPadded(out, seconds / 3600, 2);
    out += ':';
    AppendPadded(out, seconds / 60 % 60, 2);
    out += ':';
    AppendPadded(out, seconds % 60, 2);
    uint64_t fraction = micros % 1'000'000;
    if (fraction != 0) {
      std::string frac;
      AppendPadded(frac, fraction, 6);
      while (frac.back() == '0') frac.pop_back();
      out += '.';
      out += frac;
    }
  } else if (out.empty()) {
    out = "00:00:00";
  }
  return out;
}

// Printable ASCII stays; quotes, backslash and everything else become \xHH.
std::string BlobToString(const std::string& bytes) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : bytes) {
    if (c >= 32 && c <= 126 && c != '\\' && c != '\'' && c != '"') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

std::string UuidToString(UHugeInt v) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int nibble = 31; nibble >= 0; --nibble) {
    uint64_t word = nibble >= 16 ? v.upper : v.lower;
    out += kHex[(word >> ((nibble % 16) * 4)) & 0xF];
    if (nibble == 24 || nibble == 20 || nibble == 16 || nibble == 12) out += '-';
  }
  return out;
}

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

bool IsNullWord(std::string_view s) {
  if (s.size() != 4) return false;
  static constexpr char kNull[] = "null";
  for (size_t i = 0; i < 4; ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kNull[i]) return false;
  }
  return true;
}

// Inside a LIST, STRUCT or MAP DuckDB quotes a scalar's text when it would not
// read back unambiguously, escaping ' and \ with a backslash. Struct field
// names are always quoted.
void AppendNestedScalar(std::string& out, const std::string& text, bool always_quote) {
  bool quote = always_quote || text.empty() || IsSpace(text.front()) ||
               (text.size() >= 2 && IsSpace(text.back())) || IsNullWord(text);
  if (!quote) {
    for (char c : text) {
      if (c == '"' || c == '\'' || c == '(' || c == ')' || c == ',' || c == ':' || c == '=' ||
          c == '[' || c == ']' || c == '{' || c == '}') {
        quote = true;
        break;
      }
    }
  }
  if (!quote) {
    out += text;
    return;
  }
  out += '\'';
  for (char c : text) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  out += '\'';
}

void AppendChild(std::string& out, const Value& child) {
  if (child.IsNull()) {
    out += "NULL";
  } else if (child.type().IsNested()) {
    out += child.ToString();
  } else {
    AppendNestedScalar(out, child.ToString(), false);
  }
}

}  // namespace

std::string Value::ToString() const {
  if (is_null_) return "NULL";
  switch (type_.id()) {
    case TypeId::kBoolean:
      return u_.b ? "true" : "false";
    case TypeId::kTinyInt:
    case TypeId::kSmallInt:
    case TypeId::kInteger:
    case TypeId::kBigInt:
      return std::to_string(u_.i64);
    case TypeId::kUTinyInt:
    case TypeId::kUSmallInt:
    case TypeId::kUInteger:
    case TypeId::kUBigInt:
      return std::to_string(u_.u64);
    case TypeId::kHugeInt:
      return Int128ToString(u_.hi.ToInt128());
    case TypeId::kUHugeInt:
      return UInt128ToString(u_.uhi.ToUInt128());
    case TypeId::kDecimal:
      return DecimalToString(u_.hi.ToInt128(), type_.decimal_width(), type_.decimal_scale());
    case TypeId::kFloat:
      return FloatingToString(u_.f32);
    case TypeId::kDouble:
      return FloatingToString(u_.f64);
    case TypeId::kVarchar:
      return str_;
    case TypeId::kBlob:
      return BlobToString(str_);
    case TypeId::kDate:
      return DateToString(static_cast<int32_t>(u_.i64));
    case TypeId::kTime:
      return TimeToString(u_.i64);
    case TypeId::kTimeTz: {
      std::string out = TimeToString(u_.ttz.micros);
      AppendUtcOffset(out, u_.ttz.offset);
      return out;
    }
    case TypeId::kTimestamp:
      return TimestampToString(u_.i64, 6, duckdb_is_finite_timestamp(duckdb_timestamp{u_.i64}));
    case TypeId::kTimestampTz: {
      bool finite = duckdb_is_finite_timestamp(duckdb_timestamp{u_.i64});
      std::string out = TimestampToString(u_.i64, 6, finite);
      if (finite) out += "+00";
      return out;
    }
    case TypeId::kTimestampS:
      return TimestampToString(u_.i64, 0, duckdb_is_finite_timestamp_s(duckdb_timestamp_s{u_.i64}));
    case TypeId::kTimestampMs:
      return TimestampToString(u_.i64, 3,
                               duckdb_is_finite_timestamp_ms(duckdb_timestamp_ms{u_.i64}));
    case TypeId::kTimestampNs:
      return TimestampToString(u_.i64, 9,
                               duckdb_is_finite_timestamp_ns(duckdb_timestamp_ns{u_.i64}));
    case TypeId::kInterval:
      return IntervalToString(u_.iv);
    case TypeId::kUuid:
      return UuidToString(u_.uhi);
    case TypeId::kList:
    case TypeId::kArray: {
      std::string out = "[";
      for (size_t i = 0; i < children_.size(); ++i) {
        if (i > 0) out += ", ";
        AppendChild(out, children_[i]);
      }
      return out + "]";
    }
    case TypeId::kStruct: {
      // Unnamed structs (row(1, 'a')) print as tuples.
      bool unnamed = type_.field_count() > 0 && type_.field_name(0).empty();
      std::string out = unnamed ? "(" : "{";
      for (size_t i = 0; i < children_.size(); ++i) {
        if (i > 0) out += ", ";
        if (!unnamed) {
          AppendNestedScalar(out, type_.field_name(i), true);
          out += ": ";
        }
        AppendChild(out, children_[i]);
      }
      return out + (unnamed ? ")" : "}");
    }
    case TypeId::kMap: {
      std::string out = "{";
      for (size_t i = 0; i < MapSize(); ++i) {
        if (i > 0) out += ", ";
        AppendChild(out, MapKey(i));
        out += '=';
        AppendChild(out, MapValue(i));
      }
      return out + "}";
    }
    default:
      return "<" + type_.ToString() + ">";
  }
}

}  // namespace strata::engine
