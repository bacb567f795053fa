// Singer SCHEMA messages (JSON Schema) as DuckDB types, and the light record
// check that keeps one mistyped record from failing a whole batch.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace strata::ingest {

// The DuckDB type for JSON Schema `schema`: integer BIGINT, number DOUBLE,
// boolean BOOLEAN, string VARCHAR (format date-time TIMESTAMPTZ, date DATE,
// time TIME), object with properties STRUCT(...), array T[]; "null" in a type
// list only makes it nullable; anything else (no type, several types, objects
// without properties) JSON.
std::string SchemaToDuckDbType(const nlohmann::json& schema);

// The `columns` argument of read_json for a Singer stream schema: a struct
// literal {'col': 'TYPE', ...}; nullopt when the schema has no properties
// (the reader then infers the columns).
std::optional<std::string> SchemaToReadJsonColumns(const nlohmann::json& schema);

// Why `record` does not fit the top-level property types of `schema`
// ("field 'id': expected integer, got string"), or nullopt when it does.
// Nulls pass (the column is nullable); properties not in the schema pass.
std::optional<std::string> RecordMismatch(const nlohmann::json& schema,
                                          const nlohmann::json& record);

}  // namespace strata::ingest
