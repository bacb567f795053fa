// Type descriptions and the fixed-width in-memory layouts of DuckDB values.
//
// Part of the engine's public surface: include "engine/engine.h", not this file.
//
// The plain structs below (HugeInt, Date, Timestamp, Interval, ...) have exactly
// the layout DuckDB uses inside its vectors, so DataChunk::Data<T>() can hand
// out typed pointers into DuckDB's memory without copying (static_asserts in
// types.cc keep the layouts honest against duckdb.h).
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace strata::engine {

__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

// A signed 128-bit integer, value = upper * 2^64 + lower (HUGEINT; DECIMAL wider
// than 18 digits).
struct HugeInt {
  uint64_t lower = 0;
  int64_t upper = 0;

  static HugeInt FromInt128(Int128 v) {
    return {static_cast<uint64_t>(v), static_cast<int64_t>(v >> 64)};
  }
  static HugeInt FromInt64(int64_t v) { return FromInt128(v); }
  Int128 ToInt128() const {
    return static_cast<Int128>(static_cast<UInt128>(static_cast<uint64_t>(upper)) << 64 | lower);
  }
  friend bool operator==(const HugeInt&, const HugeInt&) = default;
};

// An unsigned 128-bit integer, value = upper * 2^64 + lower (UHUGEINT, UUID).
struct UHugeInt {
  uint64_t lower = 0;
  uint64_t upper = 0;

  static UHugeInt FromUInt128(UInt128 v) {
    return {static_cast<uint64_t>(v), static_cast<uint64_t>(v >> 64)};
  }
  UInt128 ToUInt128() const { return static_cast<UInt128>(upper) << 64 | lower; }
  friend bool operator==(const UHugeInt&, const UHugeInt&) = default;
};

// DATE: days since 1970-01-01 (negative before). INT32_MAX / -INT32_MAX are
// 'infinity' / '-infinity'.
struct Date {
  int32_t days = 0;
  // The date of a proleptic Gregorian year (astronomical: 0 is 1 BC), month and day.
  static Date FromYmd(int32_t year, int32_t month, int32_t day);
  friend bool operator==(const Date&, const Date&) = default;
};

// TIME: microseconds since midnight (0 .. 86,400,000,000 inclusive).
struct Time {
  int64_t micros = 0;
  static Time FromHms(int32_t hour, int32_t minute, int32_t second, int32_t micros = 0) {
    return {((int64_t{hour} * 60 + minute) * 60 + second) * 1'000'000 + micros};
  }
  friend bool operator==(const Time&, const Time&) = default;
};

// TIMESTAMP and TIMESTAMP WITH TIME ZONE: microseconds since 1970-01-01 00:00:00
// UTC. INT64_MAX / -INT64_MAX are 'infinity' / '-infinity'. (TIMESTAMP_S, _MS
// and _NS are a bare int64_t count of their unit.)
struct Timestamp {
  int64_t micros = 0;
  static Timestamp FromDateTime(Date date, Time time) {
    return {int64_t{date.days} * 86'400'000'000 + time.micros};
  }
  friend bool operator==(const Timestamp&, const Timestamp&) = default;
};

// INTERVAL: three independent, independently signed parts, as in DuckDB.
struct Interval {
  int32_t months = 0;
  int32_t days = 0;
  int64_t micros = 0;
  friend bool operator==(const Interval&, const Interval&) = default;
};

// One LIST row inside a vector: `length` elements starting at `offset` in the
// list's child vector.
struct ListEntry {
  uint64_t offset = 0;
  uint64_t length = 0;
};

// DuckDB's 16-byte string slot (VARCHAR, BLOB): strings up to 12 bytes live in
// the slot itself, longer ones behind a pointer owned by the chunk.
struct RawString {
  static constexpr uint32_t kInlineLength = 12;
  union {
    struct {
      uint32_t length;
      char prefix[4];
      const char* ptr;
    } pointer;
    struct {
      uint32_t length;
      char data[kInlineLength];
    } inlined;
  } value;

  uint32_t size() const { return value.inlined.length; }
  std::string_view view() const {
    uint32_t n = value.inlined.length;
    return n <= kInlineLength ? std::string_view(value.inlined.data, n)
                              : std::string_view(value.pointer.ptr, n);
  }
};

enum class TypeId : uint8_t {
  kInvalid,
  kSqlNull,  // the type of an untyped NULL literal
  kBoolean,
  kTinyInt,
  kSmallInt,
  kInteger,
  kBigInt,
  kHugeInt,
  kUTinyInt,
  kUSmallInt,
  kUInteger,
  kUBigInt,
  kUHugeInt,
  kFloat,
  kDouble,
  kDecimal,
  kVarchar,
  kBlob,
  kDate,
  kTime,
  kTimeTz,
  kTimestamp,
  kTimestampS,
  kTimestampMs,
  kTimestampNs,
  kTimestampTz,
  kInterval,
  kUuid,
  kEnum,  // stored as an index; Value reads it as its label (a VARCHAR value)
  kList,
  kArray,  // fixed-size list
  kStruct,
  kMap,
  kUnsupported,  // a DuckDB type Strata does not map (BIT, BIGNUM, UNION, ...)
};

// Describes a column or value type. Cheap to copy: nested details are shared
// and immutable. Thread-compatible.
class LogicalType {
 public:
  LogicalType() = default;  // kInvalid
  // A type without parameters; for DECIMAL, LIST, ... use the factories below.
  explicit LogicalType(TypeId id) : id_(id) {}

  static LogicalType Decimal(uint8_t width, uint8_t scale);
  static LogicalType List(LogicalType child);
  static LogicalType Array(LogicalType child, uint32_t size);
  static LogicalType Struct(std::vector<std::pair<std::string, LogicalType>> fields);
  static LogicalType Map(LogicalType key, LogicalType value);
  static LogicalType Enum(std::vector<std::string> labels);
  // `name` is DuckDB's spelling (e.g. "BIT"), kept for ToString().
  static LogicalType Unsupported(std::string name);

  TypeId id() const { return id_; }
  uint8_t decimal_width() const { return width_; }
  uint8_t decimal_scale() const { return scale_; }
  uint32_t array_size() const { return array_size_; }
  // Element type of a LIST or ARRAY. Precondition: id() is kList or kArray.
  const LogicalType& child() const;
  // STRUCT fields. Precondition: id() == kStruct.
  size_t field_count() const;
  const std::string& field_name(size_t i) const;
  const LogicalType& field_type(size_t i) const;
  // MAP key and value types. Precondition: id() == kMap.
  const LogicalType& map_key() const;
  const LogicalType& map_value() const;
  // STRUCT(key, value): the element type of the list DuckDB stores a MAP as.
  const LogicalType& map_entry() const;
  // ENUM labels in index order. Precondition: id() == kEnum.
  const std::vector<std::string>& enum_labels() const;

  bool IsNested() const {
    return id_ == TypeId::kList || id_ == TypeId::kArray || id_ == TypeId::kStruct ||
           id_ == TypeId::kMap;
  }
  // Bytes per row in a vector's data array (0 for types without fixed-width slots:
  // STRUCT, ARRAY, kUnsupported of unknown layout).
  size_t PhysicalSize() const;

  // DuckDB's SQL spelling, e.g. "DECIMAL(18,3)", "STRUCT(a INTEGER, b VARCHAR)".
  std::string ToString() const;

  friend bool operator==(const LogicalType& a, const LogicalType& b);

 private:
  struct Nested;

  TypeId id_ = TypeId::kInvalid;
  uint8_t width_ = 0;
  uint8_t scale_ = 0;
  uint32_t array_size_ = 0;
  std::shared_ptr<const Nested> nested_;
};

std::ostream& operator<<(std::ostream& os, const LogicalType& type);

}  // namespace strata::engine
