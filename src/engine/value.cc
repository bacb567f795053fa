#include "engine/value.h"

#include <cassert>
#include <cmath>

namespace strata::engine {

Value Value::Scalar(TypeId id) {
  Value v;
  v.type_ = LogicalType(id);
  v.is_null_ = false;
  return v;
}

Value Value::Null(LogicalType type) {
  Value v;
  v.type_ = std::move(type);
  return v;
}

Value Value::Boolean(bool x) {
  Value v = Scalar(TypeId::kBoolean);
  v.u_.b = x;
  return v;
}

Value Value::Int8(int8_t x) {
  Value v = Scalar(TypeId::kTinyInt);
  v.u_.i64 = x;  // NOLINT(bugprone-signed-char-misuse): int8_t holds a number here
  return v;
}

Value Value::Int16(int16_t x) {
  Value v = Scalar(TypeId::kSmallInt);
  v.u_.i64 = x;
  return v;
}

Value Value::Int32(int32_t x) {
  Value v = Scalar(TypeId::kInteger);
  v.u_.i64 = x;
  return v;
}

Value Value::Int64(int64_t x) {
  Value v = Scalar(TypeId::kBigInt);
  v.u_.i64 = x;
  return v;
}

Value Value::HugeInt(engine::HugeInt x) {
  Value v = Scalar(TypeId::kHugeInt);
  v.u_.hi = x;
  return v;
}

Value Value::UInt8(uint8_t x) {
  Value v = Scalar(TypeId::kUTinyInt);
  v.u_.u64 = x;
  return v;
}

Value Value::UInt16(uint16_t x) {
  Value v = Scalar(TypeId::kUSmallInt);
  v.u_.u64 = x;
  return v;
}

Value Value::UInt32(uint32_t x) {
  Value v = Scalar(TypeId::kUInteger);
  v.u_.u64 = x;
  return v;
}

Value Value::UInt64(uint64_t x) {
  Value v = Scalar(TypeId::kUBigInt);
  v.u_.u64 = x;
  return v;
}

Value Value::UHugeInt(engine::UHugeInt x) {
  Value v = Scalar(TypeId::kUHugeInt);
  v.u_.uhi = x;
  return v;
}

Value Value::Float(float x) {
  Value v = Scalar(TypeId::kFloat);
  v.u_.f32 = x;
  return v;
}

Value Value::Double(double x) {
  Value v = Scalar(TypeId::kDouble);
  v.u_.f64 = x;
  return v;
}

Value Value::Decimal(engine::HugeInt unscaled, uint8_t width, uint8_t scale) {
  assert(width >= 1 && width <= 38 && scale <= width);
  Value v;
  v.type_ = LogicalType::Decimal(width, scale);
  v.is_null_ = false;
  v.u_.hi = unscaled;
  return v;
}

Value Value::Decimal(int64_t unscaled, uint8_t width, uint8_t scale) {
  return Decimal(engine::HugeInt::FromInt64(unscaled), width, scale);
}

Value Value::String(std::string x) {
  Value v = Scalar(TypeId::kVarchar);
  v.str_ = std::move(x);
  return v;
}

Value Value::Blob(std::string bytes) {
  Value v = Scalar(TypeId::kBlob);
  v.str_ = std::move(bytes);
  return v;
}

Value Value::Date(engine::Date x) {
  Value v = Scalar(TypeId::kDate);
  v.u_.i64 = x.days;
  return v;
}

Value Value::Time(engine::Time x) {
  Value v = Scalar(TypeId::kTime);
  v.u_.i64 = x.micros;
  return v;
}

Value Value::TimeTz(engine::Time x, int32_t offset_seconds) {
  Value v = Scalar(TypeId::kTimeTz);
  v.u_.ttz.micros = x.micros;
  v.u_.ttz.offset = offset_seconds;
  return v;
}

Value Value::Timestamp(engine::Timestamp x) {
  Value v = Scalar(TypeId::kTimestamp);
  v.u_.i64 = x.micros;
  return v;
}

Value Value::TimestampS(int64_t seconds) {
  Value v = Scalar(TypeId::kTimestampS);
  v.u_.i64 = seconds;
  return v;
}

Value Value::TimestampMs(int64_t millis) {
  Value v = Scalar(TypeId::kTimestampMs);
  v.u_.i64 = millis;
  return v;
}

Value Value::TimestampNs(int64_t nanos) {
  Value v = Scalar(TypeId::kTimestampNs);
  v.u_.i64 = nanos;
  return v;
}

Value Value::TimestampTz(engine::Timestamp x) {
  Value v = Scalar(TypeId::kTimestampTz);
  v.u_.i64 = x.micros;
  return v;
}

Value Value::Interval(engine::Interval x) {
  Value v = Scalar(TypeId::kInterval);
  v.u_.iv = x;
  return v;
}

Value Value::Uuid(engine::UHugeInt x) {
  Value v = Scalar(TypeId::kUuid);
  v.u_.uhi = x;
  return v;
}

Result<Value> Value::UuidFromString(std::string_view text) {
  UInt128 bits = 0;
  int digits = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    int nibble;
    if (c >= '0' && c <= '9') {
      nibble = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      nibble = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      nibble = c - 'A' + 10;
    } else if (c == '-' || (c == '{' && i == 0) || (c == '}' && i + 1 == text.size())) {
      continue;
    } else {
      digits = -1;
      break;
    }
    if (++digits > 32) break;
    bits = bits << 4 | static_cast<UInt128>(nibble);
  }
  if (digits != 32) {
    return Status::InvalidArgument("not a UUID: '" + std::string(text) +
                                   "' (expected 32 hex digits, e.g. "
                                   "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11)");
  }
  return Uuid(engine::UHugeInt::FromUInt128(bits));
}

Value Value::List(LogicalType child_type, std::vector<Value> elements) {
  Value v;
  v.type_ = LogicalType::List(std::move(child_type));
  v.is_null_ = false;
  v.children_ = std::move(elements);
  return v;
}

Value Value::Array(LogicalType child_type, std::vector<Value> elements) {
  Value v;
  v.type_ = LogicalType::Array(std::move(child_type), static_cast<uint32_t>(elements.size()));
  v.is_null_ = false;
  v.children_ = std::move(elements);
  return v;
}

Value Value::Struct(std::vector<std::pair<std::string, Value>> fields) {
  std::vector<std::pair<std::string, LogicalType>> types;
  Value v;
  v.is_null_ = false;
  for (auto& field : fields) {
    types.emplace_back(std::move(field.first), field.second.type());
    v.children_.push_back(std::move(field.second));
  }
  v.type_ = LogicalType::Struct(std::move(types));
  return v;
}

Value Value::Map(LogicalType key_type, LogicalType value_type,
                 std::vector<std::pair<Value, Value>> entries) {
  Value v;
  v.type_ = LogicalType::Map(std::move(key_type), std::move(value_type));
  v.is_null_ = false;
  v.children_.reserve(entries.size() * 2);
  for (auto& entry : entries) {
    v.children_.push_back(std::move(entry.first));
    v.children_.push_back(std::move(entry.second));
  }
  return v;
}

bool Value::GetBool() const {
  assert(type_.id() == TypeId::kBoolean);
  return u_.b;
}

int64_t Value::GetInt64() const {
  switch (type_.id()) {
    case TypeId::kTinyInt:
    case TypeId::kSmallInt:
    case TypeId::kInteger:
    case TypeId::kBigInt:
    case TypeId::kTimestampS:
    case TypeId::kTimestampMs:
    case TypeId::kTimestampNs:
      return u_.i64;
    case TypeId::kUTinyInt:
    case TypeId::kUSmallInt:
    case TypeId::kUInteger:
      return static_cast<int64_t>(u_.u64);
    default:
      assert(false && "GetInt64 on a non-integer Value");
      return 0;
  }
}

uint64_t Value::GetUInt64() const {
  assert(type_.id() == TypeId::kUTinyInt || type_.id() == TypeId::kUSmallInt ||
         type_.id() == TypeId::kUInteger || type_.id() == TypeId::kUBigInt);
  return u_.u64;
}

engine::HugeInt Value::GetHugeInt() const {
  assert(type_.id() == TypeId::kHugeInt || type_.id() == TypeId::kDecimal);
  return u_.hi;
}

engine::UHugeInt Value::GetUHugeInt() const {
  assert(type_.id() == TypeId::kUHugeInt || type_.id() == TypeId::kUuid);
  return u_.uhi;
}

float Value::GetFloat() const {
  assert(type_.id() == TypeId::kFloat);
  return u_.f32;
}

double Value::GetDouble() const {
  switch (type_.id()) {
    case TypeId::kFloat:
      return u_.f32;
    case TypeId::kDouble:
      return u_.f64;
    case TypeId::kTinyInt:
    case TypeId::kSmallInt:
    case TypeId::kInteger:
    case TypeId::kBigInt:
      return static_cast<double>(u_.i64);
    case TypeId::kUTinyInt:
    case TypeId::kUSmallInt:
    case TypeId::kUInteger:
    case TypeId::kUBigInt:
      return static_cast<double>(u_.u64);
    case TypeId::kHugeInt:
      return static_cast<double>(u_.hi.ToInt128());
    case TypeId::kUHugeInt:
      return static_cast<double>(u_.uhi.ToUInt128());
    case TypeId::kDecimal:
      return static_cast<double>(static_cast<long double>(u_.hi.ToInt128()) /
                                 std::pow(10.0L, type_.decimal_scale()));
    default:
      assert(false && "GetDouble on a non-numeric Value");
      return 0;
  }
}

const std::string& Value::GetString() const {
  assert(type_.id() == TypeId::kVarchar || type_.id() == TypeId::kBlob);
  return str_;
}

engine::Date Value::GetDate() const {
  assert(type_.id() == TypeId::kDate);
  return {static_cast<int32_t>(u_.i64)};
}

engine::Time Value::GetTime() const {
  assert(type_.id() == TypeId::kTime || type_.id() == TypeId::kTimeTz);
  return {type_.id() == TypeId::kTimeTz ? u_.ttz.micros : u_.i64};
}

int32_t Value::GetTimeTzOffset() const {
  assert(type_.id() == TypeId::kTimeTz);
  return u_.ttz.offset;
}

engine::Timestamp Value::GetTimestamp() const {
  assert(type_.id() == TypeId::kTimestamp || type_.id() == TypeId::kTimestampTz);
  return {u_.i64};
}

engine::Interval Value::GetInterval() const {
  assert(type_.id() == TypeId::kInterval);
  return u_.iv;
}

bool operator==(const Value& a, const Value& b) {
  if (!(a.type_ == b.type_) || a.is_null_ != b.is_null_) return false;
  if (a.is_null_) return true;
  switch (a.type_.id()) {
    case TypeId::kBoolean:
      return a.u_.b == b.u_.b;
    case TypeId::kFloat:
      return a.u_.f32 == b.u_.f32;
    case TypeId::kDouble:
      return a.u_.f64 == b.u_.f64;
    case TypeId::kHugeInt:
    case TypeId::kDecimal:
      return a.u_.hi == b.u_.hi;
    case TypeId::kUHugeInt:
    case TypeId::kUuid:
      return a.u_.uhi == b.u_.uhi;
    case TypeId::kInterval:
      return a.u_.iv == b.u_.iv;
    case TypeId::kTimeTz:
      return a.u_.ttz.micros == b.u_.ttz.micros && a.u_.ttz.offset == b.u_.ttz.offset;
    case TypeId::kVarchar:
    case TypeId::kBlob:
      return a.str_ == b.str_;
    case TypeId::kList:
    case TypeId::kArray:
    case TypeId::kStruct:
    case TypeId::kMap:
      return a.children_ == b.children_;
    case TypeId::kUTinyInt:
    case TypeId::kUSmallInt:
    case TypeId::kUInteger:
    case TypeId::kUBigInt:
      return a.u_.u64 == b.u_.u64;
    default:
      return a.u_.i64 == b.u_.i64;
  }
}

std::ostream& operator<<(std::ostream& os, const Value& value) {
  return os << value.ToString() << "::" << value.type().ToString();
}

}  // namespace strata::engine
