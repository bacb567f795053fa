#include "engine/duckdb_bridge.h"

#include <atomic>
#include <mutex>
#include <unordered_set>
#include <vector>

#include "engine/value.h"

namespace strata::engine::internal {

// ---------------------------------------------------------------------------
// Errors

Status ErrorStatus(duckdb_error_type type, std::string_view message) {
  std::string msg(message.empty() ? "DuckDB reported an error without a message" : message);
  switch (type) {
    case DUCKDB_ERROR_CATALOG:
    case DUCKDB_ERROR_INVALID:  // e.g. the appender's untyped "Table ... could not be found"
      if (msg.find("does not exist") != std::string::npos ||
          msg.find("could not be found") != std::string::npos) {
        return Status::NotFound(msg);
      }
      if (msg.find("already exists") != std::string::npos) return Status::AlreadyExists(msg);
      return Status::InvalidArgument(msg);
    case DUCKDB_ERROR_TRANSACTION:
      return Status::Conflict(msg);
    case DUCKDB_ERROR_OUT_OF_RANGE:
      return Status::OutOfRange(msg);
    case DUCKDB_ERROR_IO:
      return Status::IOError(msg);
    case DUCKDB_ERROR_NETWORK:
    case DUCKDB_ERROR_HTTP:
    case DUCKDB_ERROR_OUT_OF_MEMORY:
      return Status::Unavailable(msg);
    case DUCKDB_ERROR_PERMISSION:
      return Status::PermissionDenied(msg);
    case DUCKDB_ERROR_INTERRUPT:
      return Status::Aborted(msg);
    case DUCKDB_ERROR_NOT_IMPLEMENTED:
    case DUCKDB_ERROR_MISSING_EXTENSION:
    case DUCKDB_ERROR_AUTOLOAD:
      return Status::NotSupported(msg);
    case DUCKDB_ERROR_SERIALIZATION:
      return Status::Corruption(msg);
    case DUCKDB_ERROR_INTERNAL:
    case DUCKDB_ERROR_FATAL:
    case DUCKDB_ERROR_NULL_POINTER:
      return Status::Internal(msg);
    default:
      return Status::InvalidArgument(msg);
  }
}

Status ErrorStatus(std::string_view message) {
  // DuckDB prefixes messages with "<type name> Error: ".
  static constexpr std::pair<std::string_view, duckdb_error_type> kPrefixes[] = {
      {"Catalog", DUCKDB_ERROR_CATALOG},
      {"TransactionContext", DUCKDB_ERROR_TRANSACTION},
      {"Out of Range", DUCKDB_ERROR_OUT_OF_RANGE},
      {"IO", DUCKDB_ERROR_IO},
      {"Network", DUCKDB_ERROR_NETWORK},
      {"HTTP", DUCKDB_ERROR_HTTP},
      {"Out of Memory", DUCKDB_ERROR_OUT_OF_MEMORY},
      {"Permission", DUCKDB_ERROR_PERMISSION},
      {"INTERRUPT", DUCKDB_ERROR_INTERRUPT},
      {"Not implemented", DUCKDB_ERROR_NOT_IMPLEMENTED},
      {"Missing Extension", DUCKDB_ERROR_MISSING_EXTENSION},
      {"Extension Autoloading", DUCKDB_ERROR_AUTOLOAD},
      {"Serialization", DUCKDB_ERROR_SERIALIZATION},
      {"INTERNAL", DUCKDB_ERROR_INTERNAL},
      {"FATAL", DUCKDB_ERROR_FATAL},
  };
  size_t end = message.find(" Error: ");
  if (end != std::string_view::npos) {
    std::string_view name = message.substr(0, end);
    for (const auto& [prefix, type] : kPrefixes) {
      if (name == prefix) return ErrorStatus(type, message);
    }
  }
  return ErrorStatus(DUCKDB_ERROR_INVALID, message);
}

// ---------------------------------------------------------------------------
// Types

namespace {

std::string TakeString(char* s) {
  std::string out = s != nullptr ? s : "";
  duckdb_free(s);
  return out;
}

LogicalType TakeType(duckdb_logical_type type) {
  OwnedLogicalType owned(type);
  return TypeFromDuckDB(owned.get());
}

}  // namespace

LogicalType TypeFromDuckDB(duckdb_logical_type type) {
  switch (duckdb_get_type_id(type)) {
    case DUCKDB_TYPE_SQLNULL:
      return LogicalType(TypeId::kSqlNull);
    case DUCKDB_TYPE_BOOLEAN:
      return LogicalType(TypeId::kBoolean);
    case DUCKDB_TYPE_TINYINT:
      return LogicalType(TypeId::kTinyInt);
    case DUCKDB_TYPE_SMALLINT:
      return LogicalType(TypeId::kSmallInt);
    case DUCKDB_TYPE_INTEGER:
      return LogicalType(TypeId::kInteger);
    case DUCKDB_TYPE_BIGINT:
      return LogicalType(TypeId::kBigInt);
    case DUCKDB_TYPE_HUGEINT:
      return LogicalType(TypeId::kHugeInt);
    case DUCKDB_TYPE_UTINYINT:
      return LogicalType(TypeId::kUTinyInt);
    case DUCKDB_TYPE_USMALLINT:
      return LogicalType(TypeId::kUSmallInt);
    case DUCKDB_TYPE_UINTEGER:
      return LogicalType(TypeId::kUInteger);
    case DUCKDB_TYPE_UBIGINT:
      return LogicalType(TypeId::kUBigInt);
    case DUCKDB_TYPE_UHUGEINT:
      return LogicalType(TypeId::kUHugeInt);
    case DUCKDB_TYPE_FLOAT:
      return LogicalType(TypeId::kFloat);
    case DUCKDB_TYPE_DOUBLE:
      return LogicalType(TypeId::kDouble);
    case DUCKDB_TYPE_VARCHAR:
      return LogicalType(TypeId::kVarchar);
    case DUCKDB_TYPE_BLOB:
      return LogicalType(TypeId::kBlob);
    case DUCKDB_TYPE_DATE:
      return LogicalType(TypeId::kDate);
    case DUCKDB_TYPE_TIME:
      return LogicalType(TypeId::kTime);
    case DUCKDB_TYPE_TIME_TZ:
      return LogicalType(TypeId::kTimeTz);
    case DUCKDB_TYPE_TIMESTAMP:
      return LogicalType(TypeId::kTimestamp);
    case DUCKDB_TYPE_TIMESTAMP_S:
      return LogicalType(TypeId::kTimestampS);
    case DUCKDB_TYPE_TIMESTAMP_MS:
      return LogicalType(TypeId::kTimestampMs);
    case DUCKDB_TYPE_TIMESTAMP_NS:
      return LogicalType(TypeId::kTimestampNs);
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      return LogicalType(TypeId::kTimestampTz);
    case DUCKDB_TYPE_INTERVAL:
      return LogicalType(TypeId::kInterval);
    case DUCKDB_TYPE_UUID:
      return LogicalType(TypeId::kUuid);
    case DUCKDB_TYPE_DECIMAL:
      return LogicalType::Decimal(duckdb_decimal_width(type), duckdb_decimal_scale(type));
    case DUCKDB_TYPE_ENUM: {
      std::vector<std::string> labels(duckdb_enum_dictionary_size(type));
      for (size_t i = 0; i < labels.size(); ++i) {
        labels[i] = TakeString(duckdb_enum_dictionary_value(type, i));
      }
      return LogicalType::Enum(std::move(labels));
    }
    case DUCKDB_TYPE_LIST:
      return LogicalType::List(TakeType(duckdb_list_type_child_type(type)));
    case DUCKDB_TYPE_ARRAY:
      return LogicalType::Array(TakeType(duckdb_array_type_child_type(type)),
                                static_cast<uint32_t>(duckdb_array_type_array_size(type)));
    case DUCKDB_TYPE_MAP:
      return LogicalType::Map(TakeType(duckdb_map_type_key_type(type)),
                              TakeType(duckdb_map_type_value_type(type)));
    case DUCKDB_TYPE_STRUCT: {
      std::vector<std::pair<std::string, LogicalType>> fields;
      size_t count = duckdb_struct_type_child_count(type);
      for (size_t i = 0; i < count; ++i) {
        fields.emplace_back(TakeString(duckdb_struct_type_child_name(type, i)),
                            TakeType(duckdb_struct_type_child_type(type, i)));
      }
      return LogicalType::Struct(std::move(fields));
    }
    case DUCKDB_TYPE_BIT:
      return LogicalType::Unsupported("BIT");
    case DUCKDB_TYPE_BIGNUM:
      return LogicalType::Unsupported("BIGNUM");
    case DUCKDB_TYPE_UNION:
      return LogicalType::Unsupported("UNION");
    case DUCKDB_TYPE_TIME_NS:
      return LogicalType::Unsupported("TIME_NS");
    default:
      return LogicalType::Unsupported("UNKNOWN");
  }
}

Result<OwnedLogicalType> TypeToDuckDB(const LogicalType& type) {
  duckdb_type simple;
  switch (type.id()) {
    case TypeId::kSqlNull:
      simple = DUCKDB_TYPE_SQLNULL;
      break;
    case TypeId::kBoolean:
      simple = DUCKDB_TYPE_BOOLEAN;
      break;
    case TypeId::kTinyInt:
      simple = DUCKDB_TYPE_TINYINT;
      break;
    case TypeId::kSmallInt:
      simple = DUCKDB_TYPE_SMALLINT;
      break;
    case TypeId::kInteger:
      simple = DUCKDB_TYPE_INTEGER;
      break;
    case TypeId::kBigInt:
      simple = DUCKDB_TYPE_BIGINT;
      break;
    case TypeId::kHugeInt:
      simple = DUCKDB_TYPE_HUGEINT;
      break;
    case TypeId::kUTinyInt:
      simple = DUCKDB_TYPE_UTINYINT;
      break;
    case TypeId::kUSmallInt:
      simple = DUCKDB_TYPE_USMALLINT;
      break;
    case TypeId::kUInteger:
      simple = DUCKDB_TYPE_UINTEGER;
      break;
    case TypeId::kUBigInt:
      simple = DUCKDB_TYPE_UBIGINT;
      break;
    case TypeId::kUHugeInt:
      simple = DUCKDB_TYPE_UHUGEINT;
      break;
    case TypeId::kFloat:
      simple = DUCKDB_TYPE_FLOAT;
      break;
    case TypeId::kDouble:
      simple = DUCKDB_TYPE_DOUBLE;
      break;
    case TypeId::kVarchar:
      simple = DUCKDB_TYPE_VARCHAR;
      break;
    case TypeId::kBlob:
      simple = DUCKDB_TYPE_BLOB;
      break;
    case TypeId::kDate:
      simple = DUCKDB_TYPE_DATE;
      break;
    case TypeId::kTime:
      simple = DUCKDB_TYPE_TIME;
      break;
    case TypeId::kTimeTz:
      simple = DUCKDB_TYPE_TIME_TZ;
      break;
    case TypeId::kTimestamp:
      simple = DUCKDB_TYPE_TIMESTAMP;
      break;
    case TypeId::kTimestampS:
      simple = DUCKDB_TYPE_TIMESTAMP_S;
      break;
    case TypeId::kTimestampMs:
      simple = DUCKDB_TYPE_TIMESTAMP_MS;
      break;
    case TypeId::kTimestampNs:
      simple = DUCKDB_TYPE_TIMESTAMP_NS;
      break;
    case TypeId::kTimestampTz:
      simple = DUCKDB_TYPE_TIMESTAMP_TZ;
      break;
    case TypeId::kInterval:
      simple = DUCKDB_TYPE_INTERVAL;
      break;
    case TypeId::kUuid:
      simple = DUCKDB_TYPE_UUID;
      break;
    case TypeId::kDecimal:
      return OwnedLogicalType(
          duckdb_create_decimal_type(type.decimal_width(), type.decimal_scale()));
    case TypeId::kList:
    case TypeId::kArray: {
      STRATA_ASSIGN_OR_RETURN(OwnedLogicalType child, TypeToDuckDB(type.child()));
      return OwnedLogicalType(type.id() == TypeId::kList
                                  ? duckdb_create_list_type(child.get())
                                  : duckdb_create_array_type(child.get(), type.array_size()));
    }
    case TypeId::kMap: {
      STRATA_ASSIGN_OR_RETURN(OwnedLogicalType key, TypeToDuckDB(type.map_key()));
      STRATA_ASSIGN_OR_RETURN(OwnedLogicalType value, TypeToDuckDB(type.map_value()));
      return OwnedLogicalType(duckdb_create_map_type(key.get(), value.get()));
    }
    case TypeId::kStruct: {
      std::vector<OwnedLogicalType> owned;
      std::vector<duckdb_logical_type> types;
      std::vector<const char*> names;
      for (size_t i = 0; i < type.field_count(); ++i) {
        STRATA_ASSIGN_OR_RETURN(OwnedLogicalType field, TypeToDuckDB(type.field_type(i)));
        types.push_back(field.get());
        owned.push_back(std::move(field));
        names.push_back(type.field_name(i).c_str());
      }
      return OwnedLogicalType(duckdb_create_struct_type(types.data(), names.data(), types.size()));
    }
    case TypeId::kEnum: {
      std::vector<const char*> labels;
      for (const auto& label : type.enum_labels()) labels.push_back(label.c_str());
      return OwnedLogicalType(duckdb_create_enum_type(labels.data(), labels.size()));
    }
    default:
      return Status::NotSupported("type " + type.ToString() + " cannot be passed to DuckDB");
  }
  return OwnedLogicalType(duckdb_create_logical_type(simple));
}

// ---------------------------------------------------------------------------
// Values

namespace {

duckdb_hugeint ToDuckDB(HugeInt v) { return {v.lower, v.upper}; }
duckdb_uhugeint ToDuckDB(UHugeInt v) { return {v.lower, v.upper}; }

// Converts `values` and keeps them owned; `handles` are the raw handles in order.
Status ConvertAll(const std::vector<const Value*>& values, std::vector<OwnedValue>* owned,
                  std::vector<duckdb_value>* handles) {
  for (const Value* v : values) {
    STRATA_ASSIGN_OR_RETURN(OwnedValue converted, ValueToDuckDB(*v));
    handles->push_back(converted.get());
    owned->push_back(std::move(converted));
  }
  return Status::OK();
}

duckdb_value ScalarToDuckDB(const Value& v) {
  switch (v.type().id()) {
    case TypeId::kBoolean:
      return duckdb_create_bool(v.GetBool());
    case TypeId::kTinyInt:
      return duckdb_create_int8(static_cast<int8_t>(v.GetInt64()));
    case TypeId::kSmallInt:
      return duckdb_create_int16(static_cast<int16_t>(v.GetInt64()));
    case TypeId::kInteger:
      return duckdb_create_int32(static_cast<int32_t>(v.GetInt64()));
    case TypeId::kBigInt:
      return duckdb_create_int64(v.GetInt64());
    case TypeId::kHugeInt:
      return duckdb_create_hugeint(ToDuckDB(v.GetHugeInt()));
    case TypeId::kUTinyInt:
      return duckdb_create_uint8(static_cast<uint8_t>(v.GetUInt64()));
    case TypeId::kUSmallInt:
      return duckdb_create_uint16(static_cast<uint16_t>(v.GetUInt64()));
    case TypeId::kUInteger:
      return duckdb_create_uint32(static_cast<uint32_t>(v.GetUInt64()));
    case TypeId::kUBigInt:
      return duckdb_create_uint64(v.GetUInt64());
    case TypeId::kUHugeInt:
      return duckdb_create_uhugeint(ToDuckDB(v.GetUHugeInt()));
    case TypeId::kFloat:
      return duckdb_create_float(v.GetFloat());
    case TypeId::kDouble:
      return duckdb_create_double(v.GetDouble());
    case TypeId::kDecimal:
      return duckdb_create_decimal(duckdb_decimal{
          v.type().decimal_width(), v.type().decimal_scale(), ToDuckDB(v.GetHugeInt())});
    case TypeId::kVarchar:
      return duckdb_create_varchar_length(v.GetString().data(), v.GetString().size());
    case TypeId::kBlob:
      return duckdb_create_blob(reinterpret_cast<const uint8_t*>(v.GetString().data()),
                                v.GetString().size());
    case TypeId::kDate:
      return duckdb_create_date(duckdb_date{v.GetDate().days});
    case TypeId::kTime:
      return duckdb_create_time(duckdb_time{v.GetTime().micros});
    case TypeId::kTimeTz:
      return duckdb_create_time_tz_value(
          duckdb_create_time_tz(v.GetTime().micros, v.GetTimeTzOffset()));
    case TypeId::kTimestamp:
      return duckdb_create_timestamp(duckdb_timestamp{v.GetTimestamp().micros});
    case TypeId::kTimestampTz:
      return duckdb_create_timestamp_tz(duckdb_timestamp{v.GetTimestamp().micros});
    case TypeId::kTimestampS:
      return duckdb_create_timestamp_s(duckdb_timestamp_s{v.GetInt64()});
    case TypeId::kTimestampMs:
      return duckdb_create_timestamp_ms(duckdb_timestamp_ms{v.GetInt64()});
    case TypeId::kTimestampNs:
      return duckdb_create_timestamp_ns(duckdb_timestamp_ns{v.GetInt64()});
    case TypeId::kInterval: {
      Interval iv = v.GetInterval();
      return duckdb_create_interval(duckdb_interval{iv.months, iv.days, iv.micros});
    }
    case TypeId::kUuid:
      return duckdb_create_uuid(ToDuckDB(v.GetUHugeInt()));
    default:
      return nullptr;
  }
}

}  // namespace

Result<OwnedValue> ValueToDuckDB(const Value& v) {
  const LogicalType& type = v.type();
  duckdb_value out = nullptr;
  if (v.IsNull()) {
    // Untyped; DuckDB casts it to the parameter, column or element type.
    out = duckdb_create_null_value();
  } else if (!type.IsNested()) {
    out = ScalarToDuckDB(v);
  } else {
    std::vector<OwnedValue> owned;
    std::vector<duckdb_value> handles;
    // The C API rejects a null array even for zero elements.
    duckdb_value none = nullptr;
    auto array = [&handles, &none] { return handles.empty() ? &none : handles.data(); };
    if (type.id() == TypeId::kMap) {
      std::vector<const Value*> keys, values;
      for (size_t i = 0; i < v.MapSize(); ++i) {
        keys.push_back(&v.MapKey(i));
        values.push_back(&v.MapValue(i));
      }
      STRATA_RETURN_IF_ERROR(ConvertAll(keys, &owned, &handles));
      STRATA_RETURN_IF_ERROR(ConvertAll(values, &owned, &handles));
      STRATA_ASSIGN_OR_RETURN(OwnedLogicalType map_type, TypeToDuckDB(type));
      out = duckdb_create_map_value(map_type.get(), array(), array() + keys.size(), keys.size());
    } else {
      std::vector<const Value*> children;
      for (const Value& child : v.GetChildren()) children.push_back(&child);
      STRATA_RETURN_IF_ERROR(ConvertAll(children, &owned, &handles));
      if (type.id() == TypeId::kStruct) {
        STRATA_ASSIGN_OR_RETURN(OwnedLogicalType struct_type, TypeToDuckDB(type));
        out = duckdb_create_struct_value(struct_type.get(), array());
      } else {
        STRATA_ASSIGN_OR_RETURN(OwnedLogicalType child_type, TypeToDuckDB(type.child()));
        out = type.id() == TypeId::kList
                  ? duckdb_create_list_value(child_type.get(), array(), handles.size())
                  : duckdb_create_array_value(child_type.get(), array(), handles.size());
      }
    }
  }
  if (out == nullptr) {
    return Status::InvalidArgument("cannot pass the " + type.ToString() + " value " + v.ToString() +
                                   " to DuckDB (do its elements match the type?)");
  }
  return OwnedValue(out);
}

// ---------------------------------------------------------------------------
// Keywords

namespace {
std::once_flag keywords_once;
std::unique_ptr<const std::unordered_set<std::string>> keywords_storage;
std::atomic<const std::unordered_set<std::string>*> keywords{nullptr};
}  // namespace

void LoadKeywords(duckdb_connection connection) {
  std::call_once(keywords_once, [connection] {
    auto set = std::make_unique<std::unordered_set<std::string>>();
    duckdb_result result;
    if (duckdb_query(connection, "SELECT keyword_name FROM duckdb_keywords()", &result) ==
        DuckDBSuccess) {
      while (duckdb_data_chunk chunk = duckdb_fetch_chunk(result)) {
        auto* names = static_cast<duckdb_string_t*>(
            duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk, 0)));
        for (idx_t i = 0; i < duckdb_data_chunk_get_size(chunk); ++i) {
          set->emplace(duckdb_string_t_data(&names[i]), duckdb_string_t_length(names[i]));
        }
        duckdb_destroy_data_chunk(&chunk);
      }
    }
    duckdb_destroy_result(&result);
    keywords_storage = std::move(set);
    keywords.store(keywords_storage.get(), std::memory_order_release);
  });
}

bool IsKeyword(std::string_view word) {
  const auto* set = keywords.load(std::memory_order_acquire);
  if (set == nullptr) return false;
  std::string lower(word);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return set->count(lower) > 0;
}

}  // namespace strata::engine::internal
