// How each PostgreSQL column travels into DuckDB: the expression the
// connector selects in `COPY (SELECT ...) TO STDOUT (FORMAT csv)`, the type
// DuckDB's read_csv reads that field as, and the expression that turns it
// into the column's final DuckDB type. The mapping table is in docs/INGEST.md
// ("PostgreSQL type mapping"). Internal to the ingest subsystem.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "common/status.h"

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

struct PgColumnPlan {
  std::string name;       // the source column name (also the DuckDB name)
  std::string duck_type;  // the bronze column's DuckDB type
  std::string csv_type;   // what read_csv reads the CSV field as
  std::string pg_expr;    // expression over the quoted source column ($) in the COPY SELECT
  std::string duck_expr;  // expression over the CSV column ($) giving duck_type
};

// The plan for a column of type `oid` with modifier `type_modifier` (as in
// pg_attribute.atttypmod). Errors only when the catalog lookup fails.
Result<PgColumnPlan> PlanPgColumn(const std::string& name, uint32_t oid, int32_t type_modifier,
                                  const PgTypeLookup& lookup);

// `templ` with every '$' replaced by `column`.
std::string ExpandColumnTemplate(const std::string& templ, const std::string& column);

}  // namespace strata::ingest
