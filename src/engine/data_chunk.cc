#include "engine/data_chunk.h"

#include "engine/duckdb_bridge.h"

namespace strata::engine {

ColumnVector::ColumnVector(_duckdb_vector* vector, const LogicalType* type)
    : vector_(vector),
      type_(type),
      data_(duckdb_vector_get_data(vector)),
      validity_(duckdb_vector_get_validity(vector)) {}

ColumnVector ColumnVector::ListChild() const {
  if (type_->id() == TypeId::kArray) {
    return ColumnVector(duckdb_array_vector_get_child(vector_), &type_->child());
  }
  assert(type_->id() == TypeId::kList || type_->id() == TypeId::kMap);
  if (type_->id() == TypeId::kMap) {
    return ColumnVector(duckdb_list_vector_get_child(vector_), &type_->map_entry());
  }
  return ColumnVector(duckdb_list_vector_get_child(vector_), &type_->child());
}

ColumnVector ColumnVector::StructField(size_t i) const {
  assert(type_->id() == TypeId::kStruct && i < type_->field_count());
  return ColumnVector(duckdb_struct_vector_get_child(vector_, i), &type_->field_type(i));
}

namespace {

template <typename T>
T At(const void* data, size_t row) {
  return static_cast<const T*>(data)[row];
}

engine::HugeInt DecimalAt(const void* data, size_t row, uint8_t width) {
  if (width <= 4) return engine::HugeInt::FromInt64(At<int16_t>(data, row));
  if (width <= 9) return engine::HugeInt::FromInt64(At<int32_t>(data, row));
  if (width <= 18) return engine::HugeInt::FromInt64(At<int64_t>(data, row));
  return At<engine::HugeInt>(data, row);
}

// Splits DuckDB's TIME WITH TIME ZONE encoding: micros in the upper 40 bits,
// the offset stored inverted (MAX - offset) in the lower 24 bits.
Value TimeTzAt(const void* data, size_t row) {
  uint64_t bits = At<uint64_t>(data, row);
  duckdb_time_tz_struct parts = duckdb_from_time_tz(duckdb_time_tz{bits});
  return Value::TimeTz(Time{static_cast<int64_t>(bits >> 24)}, parts.offset);
}

}  // namespace

Value ColumnVector::GetValue(size_t row) const {
  const LogicalType& type = *type_;
  if (!IsValid(row)) return Value::Null(type);
  switch (type.id()) {
    case TypeId::kBoolean:
      return Value::Boolean(At<bool>(data_, row));
    case TypeId::kTinyInt:
      return Value::Int8(At<int8_t>(data_, row));
    case TypeId::kSmallInt:
      return Value::Int16(At<int16_t>(data_, row));
    case TypeId::kInteger:
      return Value::Int32(At<int32_t>(data_, row));
    case TypeId::kBigInt:
      return Value::Int64(At<int64_t>(data_, row));
    case TypeId::kHugeInt:
      return Value::HugeInt(At<engine::HugeInt>(data_, row));
    case TypeId::kUTinyInt:
      return Value::UInt8(At<uint8_t>(data_, row));
    case TypeId::kUSmallInt:
      return Value::UInt16(At<uint16_t>(data_, row));
    case TypeId::kUInteger:
      return Value::UInt32(At<uint32_t>(data_, row));
    case TypeId::kUBigInt:
      return Value::UInt64(At<uint64_t>(data_, row));
    case TypeId::kUHugeInt:
      return Value::UHugeInt(At<engine::UHugeInt>(data_, row));
    case TypeId::kFloat:
      return Value::Float(At<float>(data_, row));
    case TypeId::kDouble:
      return Value::Double(At<double>(data_, row));
    case TypeId::kDecimal:
      return Value::Decimal(DecimalAt(data_, row, type.decimal_width()), type.decimal_width(),
                            type.decimal_scale());
    case TypeId::kVarchar:
      return Value::String(std::string(GetString(row)));
    case TypeId::kBlob:
      return Value::Blob(std::string(GetString(row)));
    case TypeId::kDate:
      return Value::Date(At<engine::Date>(data_, row));
    case TypeId::kTime:
      return Value::Time(At<engine::Time>(data_, row));
    case TypeId::kTimeTz:
      return TimeTzAt(data_, row);
    case TypeId::kTimestamp:
      return Value::Timestamp(At<engine::Timestamp>(data_, row));
    case TypeId::kTimestampTz:
      return Value::TimestampTz(At<engine::Timestamp>(data_, row));
    case TypeId::kTimestampS:
      return Value::TimestampS(At<int64_t>(data_, row));
    case TypeId::kTimestampMs:
      return Value::TimestampMs(At<int64_t>(data_, row));
    case TypeId::kTimestampNs:
      return Value::TimestampNs(At<int64_t>(data_, row));
    case TypeId::kInterval:
      return Value::Interval(At<engine::Interval>(data_, row));
    case TypeId::kUuid:
      return Value::Uuid(internal::UuidFromStorage(At<engine::HugeInt>(data_, row)));
    case TypeId::kEnum: {
      size_t index;
      switch (type.PhysicalSize()) {
        case 1:
          index = At<uint8_t>(data_, row);
          break;
        case 2:
          index = At<uint16_t>(data_, row);
          break;
        default:
          index = At<uint32_t>(data_, row);
          break;
      }
      const auto& labels = type.enum_labels();
      return index < labels.size() ? Value::String(labels[index]) : Value::Null(type);
    }
    case TypeId::kList: {
      ListEntry entry = At<ListEntry>(data_, row);
      ColumnVector child = ListChild();
      std::vector<Value> elements;
      elements.reserve(entry.length);
      for (uint64_t i = 0; i < entry.length; ++i) {
        elements.push_back(child.GetValue(entry.offset + i));
      }
      return Value::List(type.child(), std::move(elements));
    }
    case TypeId::kArray: {
      ColumnVector child = ListChild();
      std::vector<Value> elements;
      elements.reserve(type.array_size());
      for (uint32_t i = 0; i < type.array_size(); ++i) {
        elements.push_back(child.GetValue(row * type.array_size() + i));
      }
      return Value::Array(type.child(), std::move(elements));
    }
    case TypeId::kStruct: {
      std::vector<std::pair<std::string, Value>> fields;
      fields.reserve(type.field_count());
      for (size_t i = 0; i < type.field_count(); ++i) {
        fields.emplace_back(type.field_name(i), StructField(i).GetValue(row));
      }
      Value v = Value::Struct(std::move(fields));
      return v;
    }
    case TypeId::kMap: {
      ListEntry entry = At<ListEntry>(data_, row);
      ColumnVector entries = ListChild();
      ColumnVector keys = entries.StructField(0);
      ColumnVector values = entries.StructField(1);
      std::vector<std::pair<Value, Value>> pairs;
      pairs.reserve(entry.length);
      for (uint64_t i = 0; i < entry.length; ++i) {
        pairs.emplace_back(keys.GetValue(entry.offset + i), values.GetValue(entry.offset + i));
      }
      return Value::Map(type.map_key(), type.map_value(), std::move(pairs));
    }
    default:
      // Types Strata does not map read as NULL; cast them in SQL (e.g. to VARCHAR).
      return Value::Null(type);
  }
}

DataChunk::DataChunk(internal::ConstructionKey, _duckdb_data_chunk* chunk,
                     std::shared_ptr<const std::vector<LogicalType>> types)
    : chunk_(chunk), size_(duckdb_data_chunk_get_size(chunk)), types_(std::move(types)) {
  size_t count = duckdb_data_chunk_get_column_count(chunk);
  columns_.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    columns_.push_back(ColumnVector(duckdb_data_chunk_get_vector(chunk, i), &(*types_)[i]));
  }
}

DataChunk::~DataChunk() {
  duckdb_data_chunk chunk = chunk_;
  duckdb_destroy_data_chunk(&chunk);
}

}  // namespace strata::engine
