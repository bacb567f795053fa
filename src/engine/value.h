// Value: one SQL value of any type Strata maps, for the slow paths (parameters,
// single cells, small results, printing).
//
// Part of the engine's public surface: include "engine/engine.h", not this file.
// Hot paths read DataChunk::Data<T>() instead of building Values.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "engine/types.h"

namespace strata::engine {

// A typed SQL value or a typed NULL. Copyable; thread-compatible.
//
// Getters have a precondition on type() (documented on each); violating it is
// a bug caught by assert in debug builds and returns a zero value otherwise.
class Value {
 public:
  // NULL of type "NULL" (an untyped NULL, bindable to any parameter).
  Value() = default;

  static Value Null(LogicalType type = LogicalType(TypeId::kSqlNull));
  static Value Boolean(bool v);
  static Value Int8(int8_t v);
  static Value Int16(int16_t v);
  static Value Int32(int32_t v);
  static Value Int64(int64_t v);
  static Value HugeInt(engine::HugeInt v);
  static Value UInt8(uint8_t v);
  static Value UInt16(uint16_t v);
  static Value UInt32(uint32_t v);
  static Value UInt64(uint64_t v);
  static Value UHugeInt(engine::UHugeInt v);
  static Value Float(float v);
  static Value Double(double v);
  // DECIMAL(width, scale) whose value is unscaled / 10^scale, e.g.
  // Decimal(12345, 10, 2) is 123.45. Precondition: 1 <= width <= 38, scale <= width.
  static Value Decimal(engine::HugeInt unscaled, uint8_t width, uint8_t scale);
  static Value Decimal(int64_t unscaled, uint8_t width, uint8_t scale);
  static Value String(std::string v);
  static Value Blob(std::string bytes);
  static Value Date(engine::Date v);
  static Value Time(engine::Time v);
  // TIME WITH TIME ZONE: local time and its offset from UTC in seconds (east positive).
  static Value TimeTz(engine::Time v, int32_t offset_seconds);
  static Value Timestamp(engine::Timestamp v);
  static Value TimestampS(int64_t seconds);
  static Value TimestampMs(int64_t millis);
  static Value TimestampNs(int64_t nanos);
  static Value TimestampTz(engine::Timestamp v);
  static Value Interval(engine::Interval v);
  // UUID from its 128-bit value (upper holds the first 8 bytes as printed).
  static Value Uuid(engine::UHugeInt v);
  // UUID from "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (braces and dashes optional);
  // InvalidArgument otherwise.
  static Result<Value> UuidFromString(std::string_view text);
  // LIST of `child_type`. Each element must have type child_type, or be NULL.
  static Value List(LogicalType child_type, std::vector<Value> elements);
  // ARRAY (fixed size = elements.size()) of `child_type`.
  static Value Array(LogicalType child_type, std::vector<Value> elements);
  // STRUCT with the fields' names in order; the type follows from the values.
  static Value Struct(std::vector<std::pair<std::string, Value>> fields);
  // MAP(key_type, value_type) with `entries` in order (keys must not be NULL).
  static Value Map(LogicalType key_type, LogicalType value_type,
                   std::vector<std::pair<Value, Value>> entries);

  const LogicalType& type() const { return type_; }
  bool IsNull() const { return is_null_; }

  // Precondition: BOOLEAN.
  bool GetBool() const;
  // Precondition: TINYINT..BIGINT, UTINYINT..UINTEGER, or TIMESTAMP_S/_MS/_NS
  // (the count of the type's unit).
  int64_t GetInt64() const;
  // Precondition: UTINYINT..UBIGINT.
  uint64_t GetUInt64() const;
  // Precondition: HUGEINT, or DECIMAL (the unscaled value).
  engine::HugeInt GetHugeInt() const;
  // Precondition: UHUGEINT or UUID.
  engine::UHugeInt GetUHugeInt() const;
  // Precondition: FLOAT.
  float GetFloat() const;
  // FLOAT, DOUBLE, DECIMAL and the integer types, converted (possibly rounded).
  double GetDouble() const;
  // Precondition: VARCHAR or BLOB (bytes).
  const std::string& GetString() const;
  // Precondition: DATE.
  engine::Date GetDate() const;
  // Precondition: TIME or TIME WITH TIME ZONE (the local time).
  engine::Time GetTime() const;
  // Precondition: TIME WITH TIME ZONE; seconds east of UTC.
  int32_t GetTimeTzOffset() const;
  // Precondition: TIMESTAMP or TIMESTAMP WITH TIME ZONE.
  engine::Timestamp GetTimestamp() const;
  // Precondition: INTERVAL.
  engine::Interval GetInterval() const;
  // Elements of a LIST or ARRAY, or field values of a STRUCT (names in type()).
  const std::vector<Value>& GetChildren() const { return children_; }
  // MAP entries. Precondition: MAP and i < MapSize().
  size_t MapSize() const { return children_.size() / 2; }
  const Value& MapKey(size_t i) const { return children_[2 * i]; }
  const Value& MapValue(size_t i) const { return children_[2 * i + 1]; }

  // Renders the value as DuckDB's CLI and CAST(... AS VARCHAR) do: NULL as
  // "NULL", dates "2024-01-31", decimals with their scale, lists "[1, 2]",
  // structs "{'a': 1}", maps "{k=v}". TIMESTAMP WITH TIME ZONE is shown in UTC
  // ("... +00"), which matches DuckDB when the session time zone is UTC (the
  // engine's default; see DatabaseOptions::time_zone).
  std::string ToString() const;

  // Same type and same value (NULLs of the same type are equal; NaN != NaN).
  friend bool operator==(const Value& a, const Value& b);

 private:
  static Value Scalar(TypeId id);

  LogicalType type_{TypeId::kSqlNull};
  bool is_null_ = true;
  union {
    bool b;
    int64_t i64;
    uint64_t u64;
    float f32;
    double f64;
    engine::HugeInt hi;
    engine::UHugeInt uhi;
    engine::Interval iv;
    struct {
      int64_t micros;
      int32_t offset;
    } ttz;
  } u_{};
  std::string str_;
  // LIST/ARRAY elements, STRUCT field values, MAP keys and values interleaved.
  std::vector<Value> children_;
};

// "<ToString()>::<type>", for test failure messages.
std::ostream& operator<<(std::ostream& os, const Value& value);

}  // namespace strata::engine
