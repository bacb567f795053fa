// The writer's side of the table schema: Delta schema JSON out of a DataType
// (PROTOCOL.md "Schema Serialization Format"), Delta types for the columns of
// a DuckDB query, and the schema changes a write may make (new columns, the
// widenings of PROTOCOL.md "Type Widening").
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "engine/engine.h"
#include "lake/actions.h"
#include "lake/schema.h"

namespace strata::lake {

// A primitive Delta type ("long", "string", ...). Thread-safe.
DataTypePtr PrimitiveType(std::string_view name);
// decimal(precision, scale).
DataTypePtr DecimalType(int precision, int scale);
// A struct of `fields`.
DataTypePtr StructType(std::vector<StructField> fields);
// A nullable top-level field with empty metadata.
StructField Field(std::string name, DataTypePtr type, bool nullable = true);

// The schemaString for `schema` (a struct), fields' metadata kept verbatim.
std::string SchemaToJson(const DataType& schema);

// The Delta type of a DuckDB column type: TIMESTAMP WITH TIME ZONE is
// `timestamp`, TIMESTAMP is `timestamp_ntz`, HUGEINT is decimal(38,0).
// NotSupported for types Delta has no equivalent of (TIME, INTERVAL, UUID
// becomes string, unsigned integers widen to the next signed type).
Result<DataTypePtr> DeltaTypeOf(const engine::LogicalType& type);

// The columns of `query` (a SELECT) as a Delta struct, learned by preparing
// it without running it. InvalidArgument when it does not prepare. When
// `constant_enums` is given, it receives the columns DuckDB types as an ENUM
// of one label (lower-cased name -> label): a value that is the same on every
// row, which the file writer passes to Parquet uncast.
Result<DataTypePtr> QuerySchema(engine::Connection& conn, const std::string& query,
                                std::map<std::string, std::string>* constant_enums = nullptr);

// True when `from` may be widened to `to` without loss (PROTOCOL.md "Type
// Widening": byte->short->integer->long, float->double, integral->double,
// decimal(p,s)->decimal(p+k1,s+k2) with k1>=k2>=0, integral->wide decimal).
bool IsSafeWidening(const DataType& from, const DataType& to);

// True when `type` (at any depth) holds a `timestamp_ntz`.
bool UsesTimestampNtz(const DataType& type);

// The outcome of fitting an incoming schema to a table's.
struct SchemaMerge {
  DataTypePtr schema;    // the table schema after the write
  bool changed = false;  // schema differs from the table's
  bool widened = false;  // some column's type was widened
};

// Fits `incoming` (a query's columns) to `table`. Columns are matched by name
// (case-insensitively, keeping the table's spelling). With `merge`, columns
// the table lacks are appended (nullable) and top-level primitive types are
// widened when IsSafeWidening(table type, incoming type), recording
// `delta.typeChanges` in the field's metadata. Without it, extra columns are
// InvalidArgument (naming them and the option). Incompatible types are left
// to the cast at write time. Thread-safe.
Result<SchemaMerge> MergeSchema(const DataType& table, const DataType& incoming, bool merge,
                                const std::vector<std::string>& partition_columns);

// The protocol a table with `schema` and `configuration` needs, at least
// `current`: timestampNtz and typeWidening move it to reader 3 / writer 7
// with explicit feature lists (PROTOCOL.md "Table Features"), carrying the
// features the legacy versions implied.
Protocol RequiredProtocol(const Protocol& current, const DataType& schema,
                          const StringMap& configuration);

}  // namespace strata::lake
