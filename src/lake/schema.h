// The table schema: the type tree parsed from metaData.schemaString
// (PROTOCOL.md "Schema Serialization Format"), its mapping to DuckDB types,
// and the column-mapping names the data files use (PROTOCOL.md "Column
// Mapping").
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace strata::lake {

struct DataType;
// Schema trees are immutable once parsed and shared between snapshots that
// have the same schema, hence shared_ptr to const.
using DataTypePtr = std::shared_ptr<const DataType>;

struct StructField {
  std::string name;
  DataTypePtr type;
  bool nullable = true;
  std::string metadata_json = "{}";        // the field's "metadata" object
  std::optional<std::string> physical_name;  // delta.columnMapping.physicalName
  std::optional<int64_t> field_id;           // delta.columnMapping.id
};

struct DataType {
  enum class Kind { kPrimitive, kDecimal, kStruct, kArray, kMap };
  Kind kind = Kind::kPrimitive;
  // For primitives: "string", "long", "integer", "short", "byte", "float",
  // "double", "boolean", "binary", "date", "timestamp", "timestamp_ntz",
  // "variant", "void" (others are kept verbatim and rejected when mapped).
  std::string primitive;
  int precision = 10;  // decimal
  int scale = 0;
  std::vector<StructField> fields;  // struct
  DataTypePtr element;              // array
  bool contains_null = true;
  DataTypePtr key;                  // map
  DataTypePtr value;
  bool value_contains_null = true;

  bool IsPrimitive(std::string_view name) const {
    return kind == Kind::kPrimitive && primitive == name;
  }
  // The Delta spelling, e.g. "decimal(10,2)" or "array<long>".
  std::string ToString() const;
};

enum class ColumnMappingMode { kNone, kName, kId };

// Parses a schemaString. The top level must be a struct. Corruption on
// malformed JSON or unknown shapes. Thread-safe.
Result<DataTypePtr> ParseSchema(std::string_view schema_string);

// Parses `delta.columnMapping.mode` ("none", "name", "id"; absent is none).
// NotSupported for other values.
Result<ColumnMappingMode> ParseColumnMappingMode(const std::optional<std::string>& mode);

// The DuckDB type for a Delta type: timestamp is TIMESTAMP WITH TIME ZONE
// (Spark's timestamp is an instant), timestamp_ntz is TIMESTAMP. NotSupported
// for variant and unknown primitives.
Result<std::string> ToDuckDbType(const DataType& type);

// The column name inside the data files: the physical name under column
// mapping (Spark stores it in id mode too, so both modes use it), otherwise
// the logical name.
const std::string& PhysicalName(const StructField& field, ColumnMappingMode mode);

// The top-level field called `name`, or nullptr.
const StructField* FindField(const DataType& schema, std::string_view name);

}  // namespace strata::lake
