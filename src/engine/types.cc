#include "engine/types.h"

#include <cassert>
#include <cstddef>

#include "engine/duckdb_bridge.h"

namespace strata::engine {

// The hot-path accessors reinterpret DuckDB's vector memory as these structs.
static_assert(sizeof(HugeInt) == sizeof(duckdb_hugeint) &&
              offsetof(HugeInt, upper) == offsetof(duckdb_hugeint, upper));
static_assert(sizeof(UHugeInt) == sizeof(duckdb_uhugeint) &&
              offsetof(UHugeInt, upper) == offsetof(duckdb_uhugeint, upper));
static_assert(sizeof(Date) == sizeof(duckdb_date));
static_assert(sizeof(Time) == sizeof(duckdb_time));
static_assert(sizeof(Timestamp) == sizeof(duckdb_timestamp));
static_assert(sizeof(Interval) == sizeof(duckdb_interval) &&
              offsetof(Interval, days) == offsetof(duckdb_interval, days) &&
              offsetof(Interval, micros) == offsetof(duckdb_interval, micros));
static_assert(sizeof(ListEntry) == sizeof(duckdb_list_entry) &&
              offsetof(ListEntry, length) == offsetof(duckdb_list_entry, length));
static_assert(sizeof(RawString) == sizeof(duckdb_string_t) &&
              offsetof(RawString, value.inlined.data) ==
                  offsetof(duckdb_string_t, value.inlined.inlined) &&
              offsetof(RawString, value.pointer.ptr) ==
                  offsetof(duckdb_string_t, value.pointer.ptr));

Date Date::FromYmd(int32_t year, int32_t month, int32_t day) {
  duckdb_date_struct parts{year, static_cast<int8_t>(month), static_cast<int8_t>(day)};
  return {duckdb_to_date(parts).days};
}

struct LogicalType::Nested {
  // LIST/ARRAY: one child. MAP: key, value, STRUCT(key, value). STRUCT: the fields.
  std::vector<LogicalType> children;
  std::vector<std::string> names;  // STRUCT field names; ENUM labels; unsupported name
};

LogicalType LogicalType::Decimal(uint8_t width, uint8_t scale) {
  LogicalType t(TypeId::kDecimal);
  t.width_ = width;
  t.scale_ = scale;
  return t;
}

LogicalType LogicalType::List(LogicalType child) {
  LogicalType t(TypeId::kList);
  t.nested_ = std::make_shared<Nested>(Nested{{std::move(child)}, {}});
  return t;
}

LogicalType LogicalType::Array(LogicalType child, uint32_t size) {
  LogicalType t(TypeId::kArray);
  t.array_size_ = size;
  t.nested_ = std::make_shared<Nested>(Nested{{std::move(child)}, {}});
  return t;
}

LogicalType LogicalType::Struct(std::vector<std::pair<std::string, LogicalType>> fields) {
  LogicalType t(TypeId::kStruct);
  auto nested = std::make_shared<Nested>();
  for (auto& field : fields) {
    nested->names.push_back(std::move(field.first));
    nested->children.push_back(std::move(field.second));
  }
  t.nested_ = std::move(nested);
  return t;
}

LogicalType LogicalType::Map(LogicalType key, LogicalType value) {
  LogicalType t(TypeId::kMap);
  LogicalType entry = Struct({{"key", key}, {"value", value}});
  t.nested_ =
      std::make_shared<Nested>(Nested{{std::move(key), std::move(value), std::move(entry)}, {}});
  return t;
}

LogicalType LogicalType::Enum(std::vector<std::string> labels) {
  LogicalType t(TypeId::kEnum);
  t.nested_ = std::make_shared<Nested>(Nested{{}, std::move(labels)});
  return t;
}

LogicalType LogicalType::Unsupported(std::string name) {
  LogicalType t(TypeId::kUnsupported);
  t.nested_ = std::make_shared<Nested>(Nested{{}, {std::move(name)}});
  return t;
}

const LogicalType& LogicalType::child() const {
  assert((id_ == TypeId::kList || id_ == TypeId::kArray) && nested_);
  return nested_->children[0];
}

size_t LogicalType::field_count() const {
  return id_ == TypeId::kStruct && nested_ ? nested_->children.size() : 0;
}

const std::string& LogicalType::field_name(size_t i) const {
  assert(id_ == TypeId::kStruct && i < field_count());
  return nested_->names[i];
}

const LogicalType& LogicalType::field_type(size_t i) const {
  assert(id_ == TypeId::kStruct && i < field_count());
  return nested_->children[i];
}

const LogicalType& LogicalType::map_key() const {
  assert(id_ == TypeId::kMap && nested_);
  return nested_->children[0];
}

const LogicalType& LogicalType::map_value() const {
  assert(id_ == TypeId::kMap && nested_);
  return nested_->children[1];
}

const LogicalType& LogicalType::map_entry() const {
  assert(id_ == TypeId::kMap && nested_);
  return nested_->children[2];
}

const std::vector<std::string>& LogicalType::enum_labels() const {
  static const std::vector<std::string> kNone;
  return id_ == TypeId::kEnum && nested_ ? nested_->names : kNone;
}

size_t LogicalType::PhysicalSize() const {
  switch (id_) {
    case TypeId::kBoolean:
    case TypeId::kTinyInt:
    case TypeId::kUTinyInt:
      return 1;
    case TypeId::kSmallInt:
    case TypeId::kUSmallInt:
      return 2;
    case TypeId::kInteger:
    case TypeId::kUInteger:
    case TypeId::kFloat:
    case TypeId::kDate:
      return 4;
    case TypeId::kBigInt:
    case TypeId::kUBigInt:
    case TypeId::kDouble:
    case TypeId::kTime:
    case TypeId::kTimeTz:
    case TypeId::kTimestamp:
    case TypeId::kTimestampS:
    case TypeId::kTimestampMs:
    case TypeId::kTimestampNs:
    case TypeId::kTimestampTz:
      return 8;
    case TypeId::kHugeInt:
    case TypeId::kUHugeInt:
    case TypeId::kUuid:
    case TypeId::kInterval:
    case TypeId::kVarchar:
    case TypeId::kBlob:
    case TypeId::kList:
    case TypeId::kMap:
      return 16;
    case TypeId::kDecimal:
      return width_ <= 4 ? 2 : width_ <= 9 ? 4 : width_ <= 18 ? 8 : 16;
    case TypeId::kEnum: {
      size_t n = enum_labels().size();
      return n <= 0xFF ? 1 : n <= 0xFFFF ? 2 : 4;
    }
    default:
      return 0;
  }
}

namespace {

bool IsPlainIdentifier(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

// DuckDB writes a struct field name bare unless it must be quoted to parse back.
void AppendFieldName(std::string& out, std::string_view name) {
  if (IsPlainIdentifier(name) && !internal::IsKeyword(name)) {
    out.append(name);
    return;
  }
  out.push_back('"');
  for (char c : name) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

std::string_view SimpleName(TypeId id) {
  switch (id) {
    case TypeId::kInvalid:
      return "INVALID";
    case TypeId::kSqlNull:
      return "\"NULL\"";
    case TypeId::kBoolean:
      return "BOOLEAN";
    case TypeId::kTinyInt:
      return "TINYINT";
    case TypeId::kSmallInt:
      return "SMALLINT";
    case TypeId::kInteger:
      return "INTEGER";
    case TypeId::kBigInt:
      return "BIGINT";
    case TypeId::kHugeInt:
      return "HUGEINT";
    case TypeId::kUTinyInt:
      return "UTINYINT";
    case TypeId::kUSmallInt:
      return "USMALLINT";
    case TypeId::kUInteger:
      return "UINTEGER";
    case TypeId::kUBigInt:
      return "UBIGINT";
    case TypeId::kUHugeInt:
      return "UHUGEINT";
    case TypeId::kFloat:
      return "FLOAT";
    case TypeId::kDouble:
      return "DOUBLE";
    case TypeId::kVarchar:
      return "VARCHAR";
    case TypeId::kBlob:
      return "BLOB";
    case TypeId::kDate:
      return "DATE";
    case TypeId::kTime:
      return "TIME";
    case TypeId::kTimeTz:
      return "TIME WITH TIME ZONE";
    case TypeId::kTimestamp:
      return "TIMESTAMP";
    case TypeId::kTimestampS:
      return "TIMESTAMP_S";
    case TypeId::kTimestampMs:
      return "TIMESTAMP_MS";
    case TypeId::kTimestampNs:
      return "TIMESTAMP_NS";
    case TypeId::kTimestampTz:
      return "TIMESTAMP WITH TIME ZONE";
    case TypeId::kInterval:
      return "INTERVAL";
    case TypeId::kUuid:
      return "UUID";
    default:
      return {};
  }
}

}  // namespace

std::string LogicalType::ToString() const {
  std::string out;
  switch (id_) {
    case TypeId::kDecimal:
      return "DECIMAL(" + std::to_string(width_) + "," + std::to_string(scale_) + ")";
    case TypeId::kList:
      return child().ToString() + "[]";
    case TypeId::kArray:
      return child().ToString() + "[" + std::to_string(array_size_) + "]";
    case TypeId::kMap:
      return "MAP(" + map_key().ToString() + ", " + map_value().ToString() + ")";
    case TypeId::kStruct:
      out = "STRUCT(";
      for (size_t i = 0; i < field_count(); ++i) {
        if (i > 0) out += ", ";
        // Unnamed structs (row(1, 2)) list bare types.
        if (!field_name(i).empty()) {
          AppendFieldName(out, field_name(i));
          out += ' ';
        }
        out += field_type(i).ToString();
      }
      return out + ")";
    case TypeId::kEnum:
      out = "ENUM(";
      for (size_t i = 0; i < enum_labels().size(); ++i) {
        if (i > 0) out += ", ";
        out += '\'';
        for (char c : enum_labels()[i]) {
          if (c == '\'') out += '\'';
          out += c;
        }
        out += '\'';
      }
      return out + ")";
    case TypeId::kUnsupported:
      return nested_ ? nested_->names[0] : "UNSUPPORTED";
    default:
      return std::string(SimpleName(id_));
  }
}

bool operator==(const LogicalType& a, const LogicalType& b) {
  if (a.id_ != b.id_ || a.width_ != b.width_ || a.scale_ != b.scale_ ||
      a.array_size_ != b.array_size_) {
    return false;
  }
  if (a.nested_ == b.nested_) return true;
  if (!a.nested_ || !b.nested_) return false;
  return a.nested_->children == b.nested_->children && a.nested_->names == b.nested_->names;
}

std::ostream& operator<<(std::ostream& os, const LogicalType& type) {
  return os << type.ToString();
}

}  // namespace strata::engine
