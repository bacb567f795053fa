#include "ingest/postgres_binary.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>

#include "common/civil_date.h"
#include "common/utf8.h"
#include "ingest/row_source.h"

namespace strata::ingest {
namespace {

using engine::HugeInt;
using engine::TypeId;

constexpr char kSignature[] = "PGCOPY\n\377\r\n";  // and a NUL: 11 bytes
constexpr size_t kSignatureSize = 11;

// PostgreSQL's epoch is 2000-01-01, DuckDB's (and Unix's) 1970-01-01.
constexpr int32_t kEpochDays = 10957;
constexpr int64_t kEpochMicros = int64_t{kEpochDays} * 86'400'000'000;

uint16_t Be16(const char* p) {
  const auto* b = reinterpret_cast<const unsigned char*>(p);
  return static_cast<uint16_t>((b[0] << 8) | b[1]);
}
uint32_t Be32(const char* p) {
  const auto* b = reinterpret_cast<const unsigned char*>(p);
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
}
uint64_t Be64(const char* p) { return (uint64_t{Be32(p)} << 32) | Be32(p + 4); }

Status WrongLength(const char* what, size_t expected, size_t got) {
  return Status::Corruption(std::string("binary COPY: a ") + what + " value of " +
                            std::to_string(got) + " bytes (expected " + std::to_string(expected) +
                            ")");
}

using UInt128 = unsigned __int128;

UInt128 Pow10(int exponent) {
  UInt128 v = 1;
  for (int i = 0; i < exponent; ++i) v *= 10;
  return v;
}

// int32 days since 2000-01-01 to DuckDB's days since 1970-01-01; PostgreSQL's
// infinities to DuckDB's.
int32_t DuckDate(int32_t pg_days) {
  if (pg_days == std::numeric_limits<int32_t>::max()) return pg_days;
  if (pg_days == std::numeric_limits<int32_t>::min()) return -std::numeric_limits<int32_t>::max();
  return pg_days + kEpochDays;  // PostgreSQL's dates end in 5874897 AD: no overflow
}

Result<int64_t> DuckTimestamp(int64_t pg_micros) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  if (pg_micros == kMax) return kMax;
  if (pg_micros == std::numeric_limits<int64_t>::min()) return -kMax;
  int64_t micros;
  // DuckDB's timestamps end in 294247 AD, PostgreSQL's in 294276 AD.
  if (__builtin_add_overflow(pg_micros, kEpochMicros, &micros) || micros == kMax ||
      micros == -kMax) {
    return Status::InvalidArgument("timestamp " + std::to_string(pg_micros) +
                                   " microseconds after 2000-01-01 is past DuckDB's range "
                                   "(294247 AD)");
  }
  return micros;
}

template <typename Float>
std::string FloatText(Float v) {
  char buffer[64];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, v);
  return error == std::errc() ? std::string(buffer, end) : std::string("?");
}

// Days since 1970-01-01 as YYYY-MM-DD (with " BC" before year 1).
std::string DateText(int64_t days) {
  CivilDate date = CivilFromDays(days);
  const bool bc = date.year <= 0;
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%04lld-%02lld-%02lld%s",
                static_cast<long long>(bc ? 1 - date.year : date.year),
                static_cast<long long>(date.month), static_cast<long long>(date.day),
                bc ? " BC" : "");
  return buffer;
}

std::string TimeText(int64_t micros) {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%02lld:%02lld:%02lld.%06lld",
                static_cast<long long>(micros / 3'600'000'000),
                static_cast<long long>(micros / 60'000'000 % 60),
                static_cast<long long>(micros / 1'000'000 % 60),
                static_cast<long long>(micros % 1'000'000));
  return buffer;
}

// PostgreSQL's numeric digits as decimal text (NaN, Infinity, -Infinity).
std::string NumericText(std::string_view field) {
  const auto ndigits = static_cast<int16_t>(Be16(field.data()));
  const auto weight = static_cast<int16_t>(Be16(field.data() + 2));
  const uint16_t sign = Be16(field.data() + 4);
  const auto dscale = static_cast<int16_t>(Be16(field.data() + 6));
  if (sign == 0xC000) return "NaN";
  if (sign == 0xD000) return "Infinity";
  if (sign == 0xF000) return "-Infinity";
  // Base-10000 digit i stands for 10000^(weight - i); missing ones are 0.
  auto four_digits = [&](int i) {
    const uint16_t digit = i >= 0 && i < ndigits ? Be16(field.data() + 8 + 2 * i) : 0;
    char text[8];
    std::snprintf(text, sizeof text, "%04u", static_cast<unsigned>(digit % 10000));
    return std::string(text);
  };
  std::string whole;
  for (int power = weight; power >= 0; --power) whole += four_digits(weight - power);
  whole.erase(0, whole.find_first_not_of('0'));
  if (whole.empty()) whole = "0";
  const size_t scale = dscale > 0 ? static_cast<size_t>(dscale) : 0;
  std::string fraction;
  for (int power = -1; fraction.size() < scale; --power) fraction += four_digits(weight - power);
  fraction.resize(scale);
  return (sign == 0x4000 ? "-" : "") + whole + (fraction.empty() ? "" : "." + fraction);
}

}  // namespace

std::string RenderPgValue(PgWire wire, std::string_view field) {
  const char* p = field.data();
  const size_t n = field.size();
  std::string out;
  switch (wire) {
    case PgWire::kBool:
      if (n == 1) return p[0] != 0 ? "true" : "false";
      break;
    case PgWire::kInt2:
      if (n == 2) return std::to_string(static_cast<int16_t>(Be16(p)));
      break;
    case PgWire::kInt4:
      if (n == 4) return std::to_string(static_cast<int32_t>(Be32(p)));
      break;
    case PgWire::kInt8:
      if (n == 8) return std::to_string(static_cast<int64_t>(Be64(p)));
      break;
    case PgWire::kOid:
      if (n == 4) return std::to_string(Be32(p));
      break;
    case PgWire::kFloat4:
      if (n == 4) {
        const uint32_t bits = Be32(p);
        float v;
        std::memcpy(&v, &bits, 4);
        return FloatText(v);
      }
      break;
    case PgWire::kFloat8:
      if (n == 8) {
        const uint64_t bits = Be64(p);
        double v;
        std::memcpy(&v, &bits, 8);
        return FloatText(v);
      }
      break;
    case PgWire::kNumeric:
      if (n >= 8 && n == 8 + 2 * static_cast<size_t>(static_cast<int16_t>(Be16(p)))) {
        return NumericText(field);
      }
      break;
    case PgWire::kDate:
      if (n == 4) {
        const auto days = static_cast<int32_t>(Be32(p));
        if (days == std::numeric_limits<int32_t>::max()) return "infinity";
        if (days == std::numeric_limits<int32_t>::min()) return "-infinity";
        return DateText(int64_t{days} + kEpochDays);
      }
      break;
    case PgWire::kTime:
      if (n == 8) return TimeText(static_cast<int64_t>(Be64(p)));
      break;
    case PgWire::kTimestamp:
      if (n == 8) {
        const auto micros = static_cast<int64_t>(Be64(p));
        if (micros == std::numeric_limits<int64_t>::max()) return "infinity";
        if (micros == std::numeric_limits<int64_t>::min()) return "-infinity";
        // Days and time of day since 2000-01-01, floored.
        int64_t days = micros / 86'400'000'000;
        int64_t rest = micros % 86'400'000'000;
        if (rest < 0) {
          rest += 86'400'000'000;
          --days;
        }
        return DateText(days + kEpochDays) + " " + TimeText(rest);
      }
      break;
    case PgWire::kInterval:
      if (n == 16) {
        return std::to_string(static_cast<int32_t>(Be32(p + 12))) + " months " +
               std::to_string(static_cast<int32_t>(Be32(p + 8))) + " days " +
               std::to_string(static_cast<int64_t>(Be64(p))) + " microseconds";
      }
      break;
    case PgWire::kUuid:
      if (n == 16) {
        out = HexText(field).substr(2);
        for (size_t at : {20, 16, 12, 8}) out.insert(at, "-");
        return out;
      }
      break;
    case PgWire::kText:
      return QuotedText(field);
    case PgWire::kBytea:
      break;
  }
  return HexText(field);
}

Status ConsumePgCopyHeader(std::string_view& in) {
  if (in.size() < kSignatureSize + 8 || std::memcmp(in.data(), kSignature, kSignatureSize) != 0) {
    return Status::Corruption("binary COPY: the stream does not start with PGCOPY's signature");
  }
  const uint32_t extension = Be32(in.data() + kSignatureSize + 4);
  if (extension > in.size() - kSignatureSize - 8) {
    return Status::Corruption("binary COPY: the header extension runs past the message");
  }
  in.remove_prefix(kSignatureSize + 8 + extension);
  return Status::OK();
}

Result<bool> ConsumePgTuple(std::string_view& in, std::vector<PgField>& fields) {
  fields.clear();
  if (in.size() < 2) return Status::Corruption("binary COPY: a tuple without its field count");
  const auto count = static_cast<int16_t>(Be16(in.data()));
  in.remove_prefix(2);
  if (count == -1) return false;
  if (count < 0) {
    return Status::Corruption("binary COPY: a tuple with " + std::to_string(count) + " fields");
  }
  for (int16_t i = 0; i < count; ++i) {
    if (in.size() < 4) return Status::Corruption("binary COPY: a field without its length");
    const auto length = static_cast<int32_t>(Be32(in.data()));
    in.remove_prefix(4);
    if (length == -1) {
      fields.push_back({{}, true});
      continue;
    }
    if (length < 0 || static_cast<size_t>(length) > in.size()) {
      return Status::Corruption("binary COPY: a field of " + std::to_string(length) +
                                " bytes in a message with " + std::to_string(in.size()) + " left");
    }
    fields.push_back({in.substr(0, static_cast<size_t>(length)), false});
    in.remove_prefix(static_cast<size_t>(length));
  }
  return true;
}

Result<HugeInt> DecodePgNumeric(std::string_view field, int precision, int scale) {
  if (field.size() < 8) return WrongLength("numeric", 8, field.size());
  const auto ndigits = static_cast<int16_t>(Be16(field.data()));
  const auto weight = static_cast<int16_t>(Be16(field.data() + 2));
  const uint16_t sign = Be16(field.data() + 4);
  if (ndigits < 0 || field.size() != 8 + 2 * static_cast<size_t>(ndigits)) {
    return WrongLength("numeric", 8 + 2 * static_cast<size_t>(ndigits < 0 ? 0 : ndigits),
                       field.size());
  }
  if (sign == 0xC000) return Status::InvalidArgument("NaN does not fit a DECIMAL column");
  if (sign == 0xD000 || sign == 0xF000) {
    return Status::InvalidArgument(std::string(sign == 0xD000 ? "Infinity" : "-Infinity") +
                                   " does not fit a DECIMAL column");
  }
  if (sign != 0x0000 && sign != 0x4000) {
    return Status::Corruption("binary COPY: numeric sign " + std::to_string(sign));
  }
  // value = sum(digit[i] * 10000^(weight - i)); the column holds value * 10^scale.
  const UInt128 limit = Pow10(precision);
  UInt128 scaled = 0;
  bool round_up = false;
  auto overflow = [&] {
    return Status::InvalidArgument("a numeric value does not fit DECIMAL(" +
                                   std::to_string(precision) + "," + std::to_string(scale) + ")");
  };
  for (int i = 0; i < ndigits; ++i) {
    const uint16_t digit = Be16(field.data() + 8 + 2 * i);
    if (digit > 9999)
      return Status::Corruption("binary COPY: numeric digit " + std::to_string(digit));
    const int exponent = 4 * (weight - i) + scale;  // of the digit's units in `scaled`
    if (exponent >= 0) {
      if (digit == 0) continue;
      if (exponent >= precision || digit >= Pow10(precision - exponent)) return overflow();
      scaled += digit * Pow10(exponent);
      if (scaled >= limit) return overflow();
      continue;
    }
    // Digits past the scale: keep the whole part, round half away from zero
    // on the first digit dropped (what PostgreSQL's own rounding does).
    if (exponent > -4) {
      scaled += digit / static_cast<uint16_t>(Pow10(-exponent));
      round_up = (digit / static_cast<uint16_t>(Pow10(-exponent - 1))) % 10 >= 5;
    } else if (exponent == -4) {
      round_up = digit >= 5000;
    }
    break;
  }
  if (round_up) ++scaled;
  if (scaled >= limit) return overflow();
  const auto value = static_cast<__int128>(scaled);
  return HugeInt::FromInt128(sign == 0x4000 ? -value : value);
}

Status DecodePgValue(PgWire wire, const engine::LogicalType& type, std::string_view field,
                     engine::OutputChunk& out, size_t column, size_t row) {
  const char* p = field.data();
  const size_t n = field.size();
  switch (wire) {
    case PgWire::kBool:
      if (n != 1) return WrongLength("boolean", 1, n);
      out.MutableData<bool>(column)[row] = p[0] != 0;
      return Status::OK();
    case PgWire::kInt2:
      if (n != 2) return WrongLength("smallint", 2, n);
      out.MutableData<int16_t>(column)[row] = static_cast<int16_t>(Be16(p));
      return Status::OK();
    case PgWire::kInt4:
      if (n != 4) return WrongLength("integer", 4, n);
      out.MutableData<int32_t>(column)[row] = static_cast<int32_t>(Be32(p));
      return Status::OK();
    case PgWire::kInt8:
      if (n != 8) return WrongLength("bigint", 8, n);
      out.MutableData<int64_t>(column)[row] = static_cast<int64_t>(Be64(p));
      return Status::OK();
    case PgWire::kOid:
      if (n != 4) return WrongLength("oid", 4, n);
      out.MutableData<uint32_t>(column)[row] = Be32(p);
      return Status::OK();
    case PgWire::kFloat4: {
      if (n != 4) return WrongLength("real", 4, n);
      const uint32_t bits = Be32(p);
      std::memcpy(&out.MutableData<float>(column)[row], &bits, 4);
      return Status::OK();
    }
    case PgWire::kFloat8: {
      if (n != 8) return WrongLength("double precision", 8, n);
      const uint64_t bits = Be64(p);
      std::memcpy(&out.MutableData<double>(column)[row], &bits, 8);
      return Status::OK();
    }
    case PgWire::kNumeric: {
      STRATA_ASSIGN_OR_RETURN(HugeInt value,
                              DecodePgNumeric(field, type.decimal_width(), type.decimal_scale()));
      out.SetDecimal(column, row, value);
      return Status::OK();
    }
    case PgWire::kDate:
      if (n != 4) return WrongLength("date", 4, n);
      out.MutableData<engine::Date>(column)[row].days = DuckDate(static_cast<int32_t>(Be32(p)));
      return Status::OK();
    case PgWire::kTime:
      if (n != 8) return WrongLength("time", 8, n);
      out.MutableData<engine::Time>(column)[row].micros = static_cast<int64_t>(Be64(p));
      return Status::OK();
    case PgWire::kTimestamp: {
      if (n != 8) return WrongLength("timestamp", 8, n);
      STRATA_ASSIGN_OR_RETURN(int64_t micros, DuckTimestamp(static_cast<int64_t>(Be64(p))));
      out.MutableData<engine::Timestamp>(column)[row].micros = micros;
      return Status::OK();
    }
    case PgWire::kInterval: {
      if (n != 16) return WrongLength("interval", 16, n);
      engine::Interval& interval = out.MutableData<engine::Interval>(column)[row];
      interval.micros = static_cast<int64_t>(Be64(p));
      interval.days = static_cast<int32_t>(Be32(p + 8));
      interval.months = static_cast<int32_t>(Be32(p + 12));
      return Status::OK();
    }
    case PgWire::kUuid: {
      if (n != 16) return WrongLength("uuid", 16, n);
      // DuckDB stores a UUID as a HUGEINT with the top bit flipped, so that
      // UUIDs sort as their bytes do.
      HugeInt& uuid = out.MutableData<HugeInt>(column)[row];
      uuid.upper = static_cast<int64_t>(Be64(p) ^ (uint64_t{1} << 63));
      uuid.lower = Be64(p + 8);
      return Status::OK();
    }
    case PgWire::kText:
      if (type.id() == TypeId::kVarchar) {
        if (size_t bad = FindInvalidUtf8(field); bad != std::string_view::npos) {
          return Status::InvalidArgument("text is not valid UTF-8 (byte " + std::to_string(bad) +
                                         " of " + std::to_string(n) + ")");
        }
      }
      out.SetString(column, row, field);
      return Status::OK();
    case PgWire::kBytea:
      out.SetString(column, row, field);
      return Status::OK();
  }
  return Status::Internal("binary COPY: unknown wire form");
}

}  // namespace strata::ingest
