#include "ingest/text_values.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>
#include <string>

namespace strata::ingest {
namespace {

using engine::TypeId;
using UInt128 = unsigned __int128;

Status NotA(std::string_view text, const engine::LogicalType& type) {
  return Status::InvalidArgument("'" + std::string(text.substr(0, 64)) + "' is not a " +
                                 type.ToString());
}

// from_chars parses integers and floating point alike, and refuses text
// with anything after the number or a value out of T's range.
template <typename T>
Status WriteParsed(const engine::LogicalType& type, std::string_view text, engine::OutputChunk& out,
                   size_t column, size_t row) {
  T value{};
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return NotA(text, type);
  out.MutableData<T>(column)[row] = value;
  return Status::OK();
}

}  // namespace

bool IsNumberType(const engine::LogicalType& type) {
  switch (type.id()) {
    case TypeId::kTinyInt:
    case TypeId::kSmallInt:
    case TypeId::kInteger:
    case TypeId::kBigInt:
    case TypeId::kUTinyInt:
    case TypeId::kUSmallInt:
    case TypeId::kUInteger:
    case TypeId::kUBigInt:
    case TypeId::kFloat:
    case TypeId::kDouble:
    case TypeId::kDecimal:
      return true;
    default:
      return false;
  }
}

Result<engine::HugeInt> ParseDecimalText(std::string_view text, int precision, int scale) {
  const engine::LogicalType type =
      engine::LogicalType::Decimal(static_cast<uint8_t>(precision), static_cast<uint8_t>(scale));
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  UInt128 limit = 1;
  for (int k = 0; k < precision; ++k) limit *= 10;
  UInt128 scaled = 0;
  int digits = 0;     // digits before the point
  int fraction = -1;  // digits after the point so far; -1 before the point
  bool round_up = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.' && fraction < 0) {
      fraction = 0;
      continue;
    }
    if (c < '0' || c > '9') return NotA(text, type);
    if (fraction >= scale) {  // past the scale: only the first dropped digit counts
      if (fraction == scale) round_up = c >= '5';
      ++fraction;
      continue;
    }
    scaled = scaled * 10 + static_cast<unsigned>(c - '0');
    if (scaled >= limit) return NotA(text, type);
    if (fraction >= 0) {
      ++fraction;
    } else {
      ++digits;
    }
  }
  if (digits == 0 && fraction <= 0) return NotA(text, type);
  for (int k = fraction < 0 ? 0 : std::min(fraction, scale); k < scale; ++k) {
    scaled *= 10;
    if (scaled >= limit) return NotA(text, type);
  }
  if (round_up && ++scaled >= limit) return NotA(text, type);
  const auto value = static_cast<__int128>(scaled);
  return engine::HugeInt::FromInt128(negative ? -value : value);
}

Status WriteNumberText(const engine::LogicalType& type, std::string_view text,
                       engine::OutputChunk& out, size_t column, size_t row) {
  switch (type.id()) {
    case TypeId::kTinyInt:
      return WriteParsed<int8_t>(type, text, out, column, row);
    case TypeId::kSmallInt:
      return WriteParsed<int16_t>(type, text, out, column, row);
    case TypeId::kInteger:
      return WriteParsed<int32_t>(type, text, out, column, row);
    case TypeId::kBigInt:
      return WriteParsed<int64_t>(type, text, out, column, row);
    case TypeId::kUTinyInt:
      return WriteParsed<uint8_t>(type, text, out, column, row);
    case TypeId::kUSmallInt:
      return WriteParsed<uint16_t>(type, text, out, column, row);
    case TypeId::kUInteger:
      return WriteParsed<uint32_t>(type, text, out, column, row);
    case TypeId::kUBigInt:
      return WriteParsed<uint64_t>(type, text, out, column, row);
    case TypeId::kFloat:
      return WriteParsed<float>(type, text, out, column, row);
    case TypeId::kDouble:
      return WriteParsed<double>(type, text, out, column, row);
    case TypeId::kDecimal: {
      STRATA_ASSIGN_OR_RETURN(engine::HugeInt value,
                              ParseDecimalText(text, type.decimal_width(), type.decimal_scale()));
      out.SetDecimal(column, row, value);
      return Status::OK();
    }
    default:
      return Status::Internal("WriteNumberText: " + type.ToString() + " is not a number type");
  }
}

}  // namespace strata::ingest
