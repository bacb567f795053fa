#include "ingest/postgres_types.h"

namespace strata::ingest {
namespace {

// Built-in type OIDs (src/include/catalog/pg_type.dat); stable across versions.
enum : uint32_t {
  kBool = 16,
  kBytea = 17,
  kChar = 18,
  kName = 19,
  kInt8 = 20,
  kInt2 = 21,
  kInt4 = 23,
  kText = 25,
  kOid = 26,
  kJson = 114,
  kFloat4 = 700,
  kFloat8 = 701,
  kBpchar = 1042,
  kVarchar = 1043,
  kDate = 1082,
  kTime = 1083,
  kTimestamp = 1114,
  kTimestamptz = 1184,
  kInterval = 1186,
  kTimetz = 1266,
  kNumeric = 1700,
  kUuid = 2950,
  kJsonb = 3802,
};

// A column read as-is: PostgreSQL's CSV text is what DuckDB's reader parses.
PgColumnPlan Direct(const std::string& duck_type) { return {"", duck_type, duck_type, "$", "$"}; }

// A column read as text and converted by DuckDB's cast (which also knows
// 'Infinity', 'NaN', 'infinity' dates, and offsets like '+05:30').
PgColumnPlan Cast(const std::string& duck_type) {
  return {"", duck_type, "VARCHAR", "$", "CAST($ AS " + duck_type + ")"};
}

PgColumnPlan Numeric(int32_t modifier) {
  if (modifier < 4) return Cast("DOUBLE");  // unconstrained: any precision and NaN/Infinity
  int precision = ((modifier - 4) >> 16) & 0xffff;
  int scale = (modifier - 4) & 0x7ff;
  if ((modifier - 4) & 0x400) return Cast("DOUBLE");  // negative scale (PostgreSQL 15)
  if (precision < 1 || precision > 38 || scale > precision) return Cast("DOUBLE");
  return Direct("DECIMAL(" + std::to_string(precision) + "," + std::to_string(scale) + ")");
}

// Element types whose JSON form (array_to_json) DuckDB casts back exactly.
bool JsonListFriendly(const PgColumnPlan& element) {
  const std::string& t = element.duck_type;
  return t == "BOOLEAN" || t == "SMALLINT" || t == "INTEGER" || t == "BIGINT" || t == "UINTEGER" ||
         t == "FLOAT" || t == "DOUBLE" || t == "VARCHAR" || t == "UUID" || t == "DATE" ||
         t == "TIMESTAMP" || t == "TIMESTAMPTZ" || t == "JSON" || t.rfind("DECIMAL", 0) == 0;
}

Result<PgColumnPlan> MapType(uint32_t oid, int32_t modifier, const PgTypeLookup& lookup,
                             int depth) {
  switch (oid) {
    case kBool:
      return PgColumnPlan{"", "BOOLEAN", "VARCHAR", "$", "($ = 't')"};
    case kBytea:
      return PgColumnPlan{"", "BLOB", "VARCHAR", "$", "from_hex(substr($, 3))"};
    case kChar:
    case kName:
    case kText:
    case kBpchar:
    case kVarchar:
      return Direct("VARCHAR");
    case kInt2:
      return Direct("SMALLINT");
    case kInt4:
      return Direct("INTEGER");
    case kInt8:
      return Direct("BIGINT");
    case kOid:
      return Direct("UINTEGER");
    case kFloat4:
      return Cast("FLOAT");
    case kFloat8:
      return Cast("DOUBLE");
    case kNumeric:
      return Numeric(modifier);
    case kDate:
      return Cast("DATE");
    case kTime:
      return Cast("TIME");
    case kTimetz:
      return Cast("TIMETZ");
    case kTimestamp:
      return Cast("TIMESTAMP");
    case kTimestamptz:
      return Cast("TIMESTAMPTZ");
    case kUuid:
      return Direct("UUID");
    case kJson:
    case kJsonb:
      return Cast("JSON");
    case kInterval:
      // An interval's three fields (months, days, microseconds) exactly,
      // whatever IntervalStyle the server uses.
      return PgColumnPlan{
          "", "INTERVAL", "VARCHAR",
          "(extract(year from $) * 12 + extract(month from $))::text || ' ' || "
          "extract(day from $)::text || ' ' || (extract(hour from $) * 3600000000 + "
          "extract(minute from $) * 60000000 + extract(microseconds from $))::bigint::text",
          "to_months(CAST(split_part($, ' ', 1) AS INTEGER)) + "
          "to_days(CAST(split_part($, ' ', 2) AS INTEGER)) + "
          "to_microseconds(CAST(split_part($, ' ', 3) AS BIGINT))"};
    default:
      break;
  }
  if (depth > 8) return Direct("VARCHAR");
  STRATA_ASSIGN_OR_RETURN(PgTypeInfo info, lookup(oid));
  if (info.type_kind == 'd') return MapType(info.base, info.base_modifier, lookup, depth + 1);
  if (info.type_kind == 'e') return Direct("VARCHAR");
  if (info.category == 'A' && info.element != 0) {
    STRATA_ASSIGN_OR_RETURN(PgColumnPlan element,
                            MapType(info.element, modifier, lookup, depth + 1));
    if (!JsonListFriendly(element)) return Direct("VARCHAR");  // PostgreSQL's array text
    std::string list_type = element.duck_type + "[]";
    return PgColumnPlan{"", list_type, "VARCHAR", "array_to_json($)::text",
                        "CAST(CAST($ AS JSON) AS " + list_type + ")"};
  }
  return Direct("VARCHAR");  // any other type: PostgreSQL's text form
}

}  // namespace

std::string ExpandColumnTemplate(const std::string& templ, const std::string& column) {
  std::string out;
  for (char c : templ) {
    if (c == '$') {
      out += column;
    } else {
      out += c;
    }
  }
  return out;
}

Result<PgColumnPlan> PlanPgColumn(const std::string& name, uint32_t oid, int32_t type_modifier,
                                  const PgTypeLookup& lookup) {
  STRATA_ASSIGN_OR_RETURN(PgColumnPlan plan, MapType(oid, type_modifier, lookup, 0));
  plan.name = name;
  return plan;
}

}  // namespace strata::ingest
