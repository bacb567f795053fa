// How each PostgreSQL column travels into DuckDB: the expression the
// connector selects in `COPY (SELECT ...) TO STDOUT (FORMAT binary)`, how
// that value arrives on the wire and which DuckDB type the decoder
// (postgres_binary.h) writes it as, and the expression that turns that into
// the column's final DuckDB type. The mapping table is in docs/INGEST.md
// ("PostgreSQL type mapping"). Internal to the ingest subsystem.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "common/status.h"
#include "engine/engine.h"

namespace strata::ingest {

// A pg_type row, enough to resolve domains, enums and arrays.
struct PgTypeInfo {
  uint32_t oid = 0;
  std::string name;      // format_type(oid, NULL)
  char type_kind = 'b';  // pg_type.typtype: b base, d domain, e enum, c composite, r range
  char category = 'U';   // pg_type.typcategory: A array, ...
  uint32_t element = 0;  // typelem of an array type
  uint32_t base = 0;     // typbasetype of a domain
  int32_t base_modifier = -1;
};

// Looks a type up in the source's catalog (pg_type).
using PgTypeLookup = std::function<Result<PgTypeInfo>(uint32_t oid)>;

// A value's binary form in COPY (FORMAT binary): each type's *send function.
enum class PgWire : uint8_t {
  kBool,  // 1 byte
  kInt2,  // big-endian integers
  kInt4,
  kInt8,
  kOid,     // unsigned 4 bytes
  kFloat4,  // big-endian IEEE 754
  kFloat8,
  kNumeric,    // base-10000 digits, decoded to DECIMAL(p,s)
  kDate,       // int32 days since 2000-01-01
  kTime,       // int64 microseconds since midnight
  kTimestamp,  // int64 microseconds since 2000-01-01 (also timestamptz, in UTC)
  kInterval,   // int64 microseconds, int32 days, int32 months
  kUuid,       // 16 bytes
  kText,       // the bytes of text in the client encoding (UTF-8)
  kBytea,      // the raw bytes
};

struct PgColumnPlan {
  std::string name;               // the source column name (also the DuckDB name)
  std::string duck_type;          // the bronze column's DuckDB type
  std::string pg_expr;            // expression over the quoted source column ($) in the COPY SELECT
  PgWire wire = PgWire::kText;    // how pg_expr's value arrives
  engine::LogicalType wire_type;  // the DuckDB type the decoder writes
  std::string duck_expr;          // expression over the decoded column ($) giving duck_type
};

// The plan for a column of type `oid` with modifier `type_modifier` (as in
// pg_attribute.atttypmod). Errors only when the catalog lookup fails.
Result<PgColumnPlan> PlanPgColumn(const std::string& name, uint32_t oid, int32_t type_modifier,
                                  const PgTypeLookup& lookup);

}  // namespace strata::ingest
