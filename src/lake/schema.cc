#include "lake/schema.h"

#include <cstdlib>

#include <nlohmann/json.hpp>

#include "engine/engine.h"
#include "lake/json_util.h"

namespace strata::lake {
namespace {

using nlohmann::json;

// Deeper nesting than this is not a schema Spark can write; refusing it keeps
// hostile input from exhausting the stack.
constexpr int kMaxDepth = 64;

Result<DataTypePtr> ParseType(const json& j, int depth);

Result<DataTypePtr> ParsePrimitive(const std::string& name) {
  auto t = std::make_shared<DataType>();
  if (name.rfind("decimal", 0) == 0) {
    t->kind = DataType::Kind::kDecimal;
    if (name != "decimal") {
      // "decimal(p,s)", possibly with spaces.
      int p = 0, s = 0;
      std::string compact;
      for (char c : name) {
        if (c != ' ') compact += c;
      }
      if (std::sscanf(compact.c_str(), "decimal(%d,%d)", &p, &s) != 2 || p < 1 || p > 38 ||
          s < 0 || s > p) {
        return Status::Corruption("bad decimal type '" + name + "'");
      }
      t->precision = p;
      t->scale = s;
    }
    return DataTypePtr(std::move(t));
  }
  t->kind = DataType::Kind::kPrimitive;
  t->primitive = name;
  return DataTypePtr(std::move(t));
}

Result<StructField> ParseField(const json& j, int depth) {
  if (!j.is_object()) return Status::Corruption("a struct field is not an object");
  StructField f;
  STRATA_ASSIGN_OR_RETURN(f.name, json_util::GetString(j, "name"));
  const json* type = json_util::Field(j, "type");
  if (type == nullptr) return Status::Corruption("field '" + f.name + "' has no type");
  auto parsed = ParseType(*type, depth + 1);
  if (!parsed.ok()) return parsed.status().WithContext("field '" + f.name + "'");
  f.type = std::move(parsed).value();
  STRATA_ASSIGN_OR_RETURN(auto nullable, json_util::OptBool(j, "nullable"));
  f.nullable = nullable.value_or(true);
  if (const json* md = json_util::Field(j, "metadata"); md != nullptr && md->is_object()) {
    f.metadata_json = json_util::Dump(*md);
    if (auto it = md->find("delta.columnMapping.physicalName");
        it != md->end() && it->is_string()) {
      f.physical_name = it->get<std::string>();
    }
    if (auto it = md->find("delta.columnMapping.id"); it != md->end() && it->is_number_integer()) {
      f.field_id = it->get<int64_t>();
    }
  }
  return f;
}

Result<DataTypePtr> ParseType(const json& j, int depth) {
  if (depth > kMaxDepth) return Status::Corruption("schema nests too deeply");
  if (j.is_string()) return ParsePrimitive(j.get<std::string>());
  if (!j.is_object()) return Status::Corruption("a type is neither a name nor an object");
  STRATA_ASSIGN_OR_RETURN(std::string kind, json_util::GetString(j, "type"));
  auto t = std::make_shared<DataType>();
  if (kind == "struct") {
    t->kind = DataType::Kind::kStruct;
    const json* fields = json_util::Field(j, "fields");
    if (fields == nullptr || !fields->is_array()) {
      return Status::Corruption("struct type without a 'fields' array");
    }
    for (const json& f : *fields) {
      STRATA_ASSIGN_OR_RETURN(auto field, ParseField(f, depth));
      t->fields.push_back(std::move(field));
    }
  } else if (kind == "array") {
    t->kind = DataType::Kind::kArray;
    const json* e = json_util::Field(j, "elementType");
    if (e == nullptr) return Status::Corruption("array type without 'elementType'");
    STRATA_ASSIGN_OR_RETURN(t->element, ParseType(*e, depth + 1));
    STRATA_ASSIGN_OR_RETURN(auto cn, json_util::OptBool(j, "containsNull"));
    t->contains_null = cn.value_or(true);
  } else if (kind == "map") {
    t->kind = DataType::Kind::kMap;
    const json* k = json_util::Field(j, "keyType");
    const json* v = json_util::Field(j, "valueType");
    if (k == nullptr || v == nullptr) return Status::Corruption("map type without key/value");
    STRATA_ASSIGN_OR_RETURN(t->key, ParseType(*k, depth + 1));
    STRATA_ASSIGN_OR_RETURN(t->value, ParseType(*v, depth + 1));
    STRATA_ASSIGN_OR_RETURN(auto vcn, json_util::OptBool(j, "valueContainsNull"));
    t->value_contains_null = vcn.value_or(true);
  } else {
    // A primitive spelled as an object is not in the spec; "variant" and
    // friends are plain strings. Keep the name so the error says what it is.
    return ParsePrimitive(kind);
  }
  return DataTypePtr(std::move(t));
}

}  // namespace

std::string DataType::ToString() const {
  switch (kind) {
    case Kind::kPrimitive: return primitive;
    case Kind::kDecimal:
      return "decimal(" + std::to_string(precision) + "," + std::to_string(scale) + ")";
    case Kind::kArray: return "array<" + element->ToString() + ">";
    case Kind::kMap: return "map<" + key->ToString() + "," + value->ToString() + ">";
    case Kind::kStruct: {
      std::string s = "struct<";
      for (size_t i = 0; i < fields.size(); ++i) {
        if (i) s += ",";
        s += fields[i].name + ":" + fields[i].type->ToString();
      }
      return s + ">";
    }
  }
  return "?";
}

Result<DataTypePtr> ParseSchema(std::string_view schema_string) {
  STRATA_ASSIGN_OR_RETURN(json doc, json_util::Parse(schema_string));
  auto type = ParseType(doc, 0);
  if (!type.ok()) return type.status().WithContext("schemaString");
  if ((*type)->kind != DataType::Kind::kStruct) {
    return Status::Corruption("schemaString: the top-level type must be a struct");
  }
  return type;
}

Result<ColumnMappingMode> ParseColumnMappingMode(const std::optional<std::string>& mode) {
  if (!mode || *mode == "none") return ColumnMappingMode::kNone;
  if (*mode == "name") return ColumnMappingMode::kName;
  if (*mode == "id") return ColumnMappingMode::kId;
  return Status::NotSupported("unknown delta.columnMapping.mode '" + *mode + "'");
}

Result<std::string> ToDuckDbType(const DataType& type) {
  switch (type.kind) {
    case DataType::Kind::kDecimal:
      return "DECIMAL(" + std::to_string(type.precision) + "," + std::to_string(type.scale) +
             ")";
    case DataType::Kind::kArray: {
      STRATA_ASSIGN_OR_RETURN(auto e, ToDuckDbType(*type.element));
      return e + "[]";
    }
    case DataType::Kind::kMap: {
      STRATA_ASSIGN_OR_RETURN(auto k, ToDuckDbType(*type.key));
      STRATA_ASSIGN_OR_RETURN(auto v, ToDuckDbType(*type.value));
      return "MAP(" + k + ", " + v + ")";
    }
    case DataType::Kind::kStruct: {
      std::string s = "STRUCT(";
      for (size_t i = 0; i < type.fields.size(); ++i) {
        STRATA_ASSIGN_OR_RETURN(auto f, ToDuckDbType(*type.fields[i].type));
        if (i) s += ", ";
        s += engine::QuoteIdentifier(type.fields[i].name) + " " + f;
      }
      return s + ")";
    }
    case DataType::Kind::kPrimitive: break;
  }
  static const std::pair<const char*, const char*> kMap[] = {
      {"string", "VARCHAR"},   {"long", "BIGINT"},     {"integer", "INTEGER"},
      {"short", "SMALLINT"},   {"byte", "TINYINT"},    {"float", "FLOAT"},
      {"double", "DOUBLE"},    {"boolean", "BOOLEAN"}, {"binary", "BLOB"},
      {"date", "DATE"},        {"timestamp", "TIMESTAMP WITH TIME ZONE"},
      {"timestamp_ntz", "TIMESTAMP"},
  };
  for (const auto& [delta, duck] : kMap) {
    if (type.primitive == delta) return std::string(duck);
  }
  return Status::NotSupported("Delta type '" + type.primitive + "' cannot be read yet");
}

const std::string& PhysicalName(const StructField& field, ColumnMappingMode mode) {
  if (mode != ColumnMappingMode::kNone && field.physical_name) return *field.physical_name;
  return field.name;
}

const StructField* FindField(const DataType& schema, std::string_view name) {
  for (const StructField& f : schema.fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

}  // namespace strata::lake
