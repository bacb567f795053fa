#include "ingest/singer_schema.h"

#include <set>

#include "engine/engine.h"

namespace strata::ingest {
namespace {

// The non-null JSON types `schema` allows ("type" as a string or a list;
// anyOf/oneOf branches merged).
std::set<std::string> NonNullTypes(const nlohmann::json& schema) {
  std::set<std::string> types;
  if (!schema.is_object()) return types;
  auto type = schema.find("type");
  if (type != schema.end()) {
    if (type->is_string()) types.insert(type->get<std::string>());
    if (type->is_array()) {
      for (const auto& t : *type) {
        if (t.is_string()) types.insert(t.get<std::string>());
      }
    }
  }
  for (const char* key : {"anyOf", "oneOf"}) {
    auto branches = schema.find(key);
    if (branches == schema.end() || !branches->is_array()) continue;
    for (const auto& branch : *branches) {
      for (const std::string& t : NonNullTypes(branch)) types.insert(t);
    }
  }
  types.erase("null");
  return types;
}

// The branch of an anyOf/oneOf that carries the one non-null type, so its
// properties/items/format are used.
const nlohmann::json& EffectiveSchema(const nlohmann::json& schema) {
  for (const char* key : {"anyOf", "oneOf"}) {
    auto branches = schema.find(key);
    if (branches == schema.end() || !branches->is_array()) continue;
    for (const auto& branch : *branches) {
      if (!NonNullTypes(branch).empty()) return branch;
    }
  }
  return schema;
}

bool Fits(const std::string& type, const nlohmann::json& value) {
  if (type == "integer") {
    return value.is_number_integer() ||
           (value.is_number_float() &&
            value.get<double>() == static_cast<int64_t>(value.get<double>()));
  }
  if (type == "number") return value.is_number();
  if (type == "boolean") return value.is_boolean();
  if (type == "string") return value.is_string();
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  return true;
}

}  // namespace

std::string SchemaToDuckDbType(const nlohmann::json& raw_schema) {
  std::set<std::string> types = NonNullTypes(raw_schema);
  const nlohmann::json& schema = EffectiveSchema(raw_schema);
  if (types.size() == 2 && types.count("integer") && types.count("number")) return "DOUBLE";
  if (types.size() != 1) return "JSON";
  const std::string& type = *types.begin();
  if (type == "integer") return "BIGINT";
  if (type == "number") return "DOUBLE";
  if (type == "boolean") return "BOOLEAN";
  if (type == "string") {
    std::string format = schema.value("format", "");
    if (format == "date-time") return "TIMESTAMPTZ";
    if (format == "date") return "DATE";
    if (format == "time") return "TIME";
    return "VARCHAR";
  }
  if (type == "object") {
    auto properties = schema.find("properties");
    if (properties == schema.end() || !properties->is_object() || properties->empty()) {
      return "JSON";
    }
    std::string out = "STRUCT(";
    bool first = true;
    for (const auto& [name, property] : properties->items()) {
      out +=
          (first ? "" : ", ") + engine::QuoteIdentifier(name) + " " + SchemaToDuckDbType(property);
      first = false;
    }
    return out + ")";
  }
  if (type == "array") {
    auto items = schema.find("items");
    if (items == schema.end()) return "JSON[]";
    return SchemaToDuckDbType(*items) + "[]";
  }
  return "JSON";
}

std::optional<std::string> SchemaToReadJsonColumns(const nlohmann::json& schema) {
  if (!schema.is_object()) return std::nullopt;
  auto properties = schema.find("properties");
  if (properties == schema.end() || !properties->is_object() || properties->empty()) {
    return std::nullopt;
  }
  std::string out = "{";
  bool first = true;
  for (const auto& [name, property] : properties->items()) {
    out += (first ? "" : ", ") + engine::QuoteLiteral(name) + ": " +
           engine::QuoteLiteral(SchemaToDuckDbType(property));
    first = false;
  }
  return out + "}";
}

std::optional<std::string> RecordMismatch(const nlohmann::json& schema,
                                          const nlohmann::json& record) {
  if (!schema.is_object()) return std::nullopt;
  auto properties = schema.find("properties");
  if (properties == schema.end() || !properties->is_object()) return std::nullopt;
  for (const auto& [name, value] : record.items()) {
    if (value.is_null()) continue;
    auto property = properties->find(name);
    if (property == properties->end()) continue;
    std::set<std::string> types = NonNullTypes(*property);
    if (types.empty()) continue;
    bool fits = false;
    for (const std::string& type : types) fits = fits || Fits(type, value);
    if (!fits) {
      std::string expected;
      for (const std::string& type : types) expected += (expected.empty() ? "" : " or ") + type;
      return "field '" + name + "': expected " + expected + ", got " + value.type_name();
    }
  }
  return std::nullopt;
}

}  // namespace strata::ingest
