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

using engine::LogicalType;
using engine::TypeId;

// A column whose binary form the decoder writes as its final type.
PgColumnPlan Native(PgWire wire, LogicalType type) {
  std::string duck_type = type.ToString();
  return {"", std::move(duck_type), "$", wire, std::move(type), "$"};
}

// A column selected as PostgreSQL's text form (`pg_expr`, "$::text" unless
// given) and turned into `duck_type` by `duck_expr` over that text.
PgColumnPlan AsText(const std::string& duck_type, const std::string& duck_expr,
                    const std::string& pg_expr = "$::text") {
  return {"", duck_type, pg_expr, PgWire::kText, LogicalType(TypeId::kVarchar), duck_expr};
}

PgColumnPlan Numeric(int32_t modifier) {
  // Unconstrained (any precision, NaN, Infinity) or out of DECIMAL's reach:
  // DOUBLE, through DuckDB's cast of the exact text.
  const PgColumnPlan as_double = AsText("DOUBLE", "CAST($ AS DOUBLE)");
  if (modifier < 4) return as_double;
  int precision = ((modifier - 4) >> 16) & 0xffff;
  int scale = (modifier - 4) & 0x7ff;
  if ((modifier - 4) & 0x400) return as_double;  // negative scale (PostgreSQL 15)
  if (precision < 1 || precision > 38 || scale > precision) return as_double;
  return Native(PgWire::kNumeric,
                LogicalType::Decimal(static_cast<uint8_t>(precision), static_cast<uint8_t>(scale)));
}

// Element types whose JSON form (array_to_json) DuckDB casts back exactly.
bool JsonListFriendly(const PgColumnPlan& element) {
  const std::string& t = element.duck_type;
  return t == "BOOLEAN" || t == "SMALLINT" || t == "INTEGER" || t == "BIGINT" || t == "UINTEGER" ||
         t == "FLOAT" || t == "DOUBLE" || t == "VARCHAR" || t == "UUID" || t == "DATE" ||
         t == "TIMESTAMP" || t == "TIMESTAMP WITH TIME ZONE" || t == "JSON" ||
         t.rfind("DECIMAL", 0) == 0;
}

Result<PgColumnPlan> MapType(uint32_t oid, int32_t modifier, const PgTypeLookup& lookup,
                             int depth) {
  switch (oid) {
    case kBool:
      return Native(PgWire::kBool, LogicalType(TypeId::kBoolean));
    case kBytea:
      return Native(PgWire::kBytea, LogicalType(TypeId::kBlob));
    case kChar:  // one byte, which alone may not be UTF-8
      return AsText("VARCHAR", "$");
    case kName:
    case kText:
    case kBpchar:
    case kVarchar:
      return Native(PgWire::kText, LogicalType(TypeId::kVarchar));
    case kInt2:
      return Native(PgWire::kInt2, LogicalType(TypeId::kSmallInt));
    case kInt4:
      return Native(PgWire::kInt4, LogicalType(TypeId::kInteger));
    case kInt8:
      return Native(PgWire::kInt8, LogicalType(TypeId::kBigInt));
    case kOid:
      return Native(PgWire::kOid, LogicalType(TypeId::kUInteger));
    case kFloat4:
      return Native(PgWire::kFloat4, LogicalType(TypeId::kFloat));
    case kFloat8:
      return Native(PgWire::kFloat8, LogicalType(TypeId::kDouble));
    case kNumeric:
      return Numeric(modifier);
    case kDate:
      return Native(PgWire::kDate, LogicalType(TypeId::kDate));
    case kTime:
      return Native(PgWire::kTime, LogicalType(TypeId::kTime));
    case kTimetz:
      return AsText("TIMETZ", "CAST($ AS TIMETZ)");
    case kTimestamp:
      return Native(PgWire::kTimestamp, LogicalType(TypeId::kTimestamp));
    case kTimestamptz:
      return Native(PgWire::kTimestamp, LogicalType(TypeId::kTimestampTz));
    case kUuid:
      return Native(PgWire::kUuid, LogicalType(TypeId::kUuid));
    case kJson:
    case kJsonb:
      return AsText("JSON", "CAST($ AS JSON)");
    case kInterval:
      return Native(PgWire::kInterval, LogicalType(TypeId::kInterval));
    default:
      break;
  }
  // "char" (a single byte, maybe not UTF-8 alone), enums, composites, ranges
  // and anything else: PostgreSQL's text form.
  const PgColumnPlan text = AsText("VARCHAR", "$");
  if (depth > 8) return text;
  STRATA_ASSIGN_OR_RETURN(PgTypeInfo info, lookup(oid));
  if (info.type_kind == 'd') return MapType(info.base, info.base_modifier, lookup, depth + 1);
  if (info.type_kind == 'e') return text;
  if (info.category == 'A' && info.element != 0) {
    STRATA_ASSIGN_OR_RETURN(PgColumnPlan element,
                            MapType(info.element, modifier, lookup, depth + 1));
    if (!JsonListFriendly(element)) return text;  // PostgreSQL's array text
    std::string list_type = element.duck_type + "[]";
    return AsText(list_type, "CAST(CAST($ AS JSON) AS " + list_type + ")",
                  "array_to_json($)::text");
  }
  return text;
}

}  // namespace

Result<PgColumnPlan> PlanPgColumn(const std::string& name, uint32_t oid, int32_t type_modifier,
                                  const PgTypeLookup& lookup) {
  STRATA_ASSIGN_OR_RETURN(PgColumnPlan plan, MapType(oid, type_modifier, lookup, 0));
  plan.name = name;
  return plan;
}

}  // namespace strata::ingest
