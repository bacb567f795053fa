#include "lake/schema_evolution.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>

#include "lake/json_util.h"

namespace strata::lake {
namespace {

using engine::TypeId;
using nlohmann::json;

json TypeJson(const DataType& type);

json FieldJson(const StructField& f) {
  json metadata = json::parse(f.metadata_json, nullptr, /*allow_exceptions=*/false);
  if (!metadata.is_object()) metadata = json::object();
  return {{"name", f.name},
          {"type", TypeJson(*f.type)},
          {"nullable", f.nullable},
          {"metadata", metadata}};
}

json TypeJson(const DataType& type) {
  switch (type.kind) {
    case DataType::Kind::kPrimitive:
    case DataType::Kind::kDecimal:
      return type.ToString();
    case DataType::Kind::kArray:
      return {{"type", "array"},
              {"elementType", TypeJson(*type.element)},
              {"containsNull", type.contains_null}};
    case DataType::Kind::kMap:
      return {{"type", "map"},
              {"keyType", TypeJson(*type.key)},
              {"valueType", TypeJson(*type.value)},
              {"valueContainsNull", type.value_contains_null}};
    case DataType::Kind::kStruct: {
      json fields = json::array();
      for (const StructField& f : type.fields) fields.push_back(FieldJson(f));
      return {{"type", "struct"}, {"fields", fields}};
    }
  }
  return nullptr;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Integral widths in widening order (PROTOCOL.md "Type Widening").
int IntegralRank(const DataType& t) {
  if (t.kind != DataType::Kind::kPrimitive) return -1;
  static const char* kOrder[] = {"byte", "short", "integer", "long"};
  for (int i = 0; i < 4; ++i) {
    if (t.primitive == kOrder[i]) return i;
  }
  return -1;
}

bool SameType(const DataType& a, const DataType& b) { return a.ToString() == b.ToString(); }

// Adds `feature` to `list` unless present.
void AddFeature(std::optional<std::vector<std::string>>& list, const std::string& feature) {
  if (!list) list.emplace();
  if (std::find(list->begin(), list->end(), feature) == list->end()) list->push_back(feature);
}

}  // namespace

DataTypePtr PrimitiveType(std::string_view name) {
  auto t = std::make_shared<DataType>();
  t->primitive = std::string(name);
  return t;
}

DataTypePtr DecimalType(int precision, int scale) {
  auto t = std::make_shared<DataType>();
  t->kind = DataType::Kind::kDecimal;
  t->precision = precision;
  t->scale = scale;
  return t;
}

DataTypePtr StructType(std::vector<StructField> fields) {
  auto t = std::make_shared<DataType>();
  t->kind = DataType::Kind::kStruct;
  t->fields = std::move(fields);
  return t;
}

StructField Field(std::string name, DataTypePtr type, bool nullable) {
  StructField f;
  f.name = std::move(name);
  f.type = std::move(type);
  f.nullable = nullable;
  return f;
}

std::string SchemaToJson(const DataType& schema) { return json_util::Dump(TypeJson(schema)); }

Result<DataTypePtr> DeltaTypeOf(const engine::LogicalType& type) {
  switch (type.id()) {
    case TypeId::kBoolean:
      return PrimitiveType("boolean");
    case TypeId::kTinyInt:
      return PrimitiveType("byte");
    case TypeId::kSmallInt:
    case TypeId::kUTinyInt:
      return PrimitiveType("short");
    case TypeId::kInteger:
    case TypeId::kUSmallInt:
      return PrimitiveType("integer");
    case TypeId::kBigInt:
    case TypeId::kUInteger:
      return PrimitiveType("long");
    case TypeId::kHugeInt:
    case TypeId::kUBigInt:
      return DecimalType(38, 0);
    case TypeId::kFloat:
      return PrimitiveType("float");
    case TypeId::kDouble:
      return PrimitiveType("double");
    case TypeId::kDecimal:
      return DecimalType(type.decimal_width(), type.decimal_scale());
    case TypeId::kVarchar:
    case TypeId::kEnum:
    case TypeId::kUuid:
      return PrimitiveType("string");
    case TypeId::kSqlNull:
      return PrimitiveType("string");  // an untyped NULL column
    case TypeId::kBlob:
      return PrimitiveType("binary");
    case TypeId::kDate:
      return PrimitiveType("date");
    case TypeId::kTimestampTz:
      return PrimitiveType("timestamp");
    case TypeId::kTimestamp:
    case TypeId::kTimestampS:
    case TypeId::kTimestampMs:
    case TypeId::kTimestampNs:
      return PrimitiveType("timestamp_ntz");
    case TypeId::kList:
    case TypeId::kArray: {
      STRATA_ASSIGN_OR_RETURN(auto element, DeltaTypeOf(type.child()));
      auto t = std::make_shared<DataType>();
      t->kind = DataType::Kind::kArray;
      t->element = std::move(element);
      return DataTypePtr(std::move(t));
    }
    case TypeId::kMap: {
      STRATA_ASSIGN_OR_RETURN(auto key, DeltaTypeOf(type.map_key()));
      STRATA_ASSIGN_OR_RETURN(auto value, DeltaTypeOf(type.map_value()));
      auto t = std::make_shared<DataType>();
      t->kind = DataType::Kind::kMap;
      t->key = std::move(key);
      t->value = std::move(value);
      return DataTypePtr(std::move(t));
    }
    case TypeId::kStruct: {
      std::vector<StructField> fields;
      for (size_t i = 0; i < type.field_count(); ++i) {
        STRATA_ASSIGN_OR_RETURN(auto f, DeltaTypeOf(type.field_type(i)));
        fields.push_back(Field(type.field_name(i), std::move(f)));
      }
      return StructType(std::move(fields));
    }
    default:
      break;
  }
  return Status::NotSupported("DuckDB type " + type.ToString() +
                              " has no Delta equivalent; cast it in the query (e.g. to VARCHAR)");
}

Result<DataTypePtr> QuerySchema(engine::Connection& conn, const std::string& query,
                                std::map<std::string, std::string>* constant_enums) {
  auto prepared = conn.Prepare(query);
  if (!prepared.ok()) return prepared.status().WithContext("preparing the rows to write");
  std::vector<StructField> fields;
  std::set<std::string> seen;
  for (size_t i = 0; i < (*prepared)->ColumnCount(); ++i) {
    std::string name = (*prepared)->ColumnName(i);
    if (!seen.insert(Lower(name)).second) {
      return Status::InvalidArgument("the rows to write have two columns named '" + name + "'");
    }
    const engine::LogicalType column_type = (*prepared)->ColumnType(i);
    auto type = DeltaTypeOf(column_type);
    if (!type.ok()) return type.status().WithContext("column '" + name + "'");
    if (constant_enums != nullptr && column_type.id() == engine::TypeId::kEnum &&
        column_type.enum_labels().size() == 1) {
      (*constant_enums)[Lower(name)] = column_type.enum_labels()[0];
    }
    fields.push_back(Field(std::move(name), std::move(type).value()));
  }
  return StructType(std::move(fields));
}

bool IsSafeWidening(const DataType& from, const DataType& to) {
  int fi = IntegralRank(from), ti = IntegralRank(to);
  if (fi >= 0 && ti >= 0) return fi < ti;
  if (from.IsPrimitive("float") && to.IsPrimitive("double")) return true;
  if (fi >= 0 && fi <= 2 && to.IsPrimitive("double")) return true;
  if (from.IsPrimitive("date") && to.IsPrimitive("timestamp_ntz")) return true;
  if (to.kind != DataType::Kind::kDecimal) return false;
  if (from.kind == DataType::Kind::kDecimal) {
    int k1 = to.precision - from.precision, k2 = to.scale - from.scale;
    return k1 >= k2 && k2 >= 0 && (k1 > 0 || k2 > 0);
  }
  if (fi >= 0) {
    int base = fi == 3 ? 20 : 10;
    int k1 = to.precision - base, k2 = to.scale;
    return k1 >= k2 && k2 >= 0;
  }
  return false;
}

bool UsesTimestampNtz(const DataType& type) {
  switch (type.kind) {
    case DataType::Kind::kPrimitive:
      return type.primitive == "timestamp_ntz";
    case DataType::Kind::kDecimal:
      return false;
    case DataType::Kind::kArray:
      return UsesTimestampNtz(*type.element);
    case DataType::Kind::kMap:
      return UsesTimestampNtz(*type.key) || UsesTimestampNtz(*type.value);
    case DataType::Kind::kStruct:
      return std::any_of(type.fields.begin(), type.fields.end(),
                         [](const StructField& f) { return UsesTimestampNtz(*f.type); });
  }
  return false;
}

Result<SchemaMerge> MergeSchema(const DataType& table, const DataType& incoming, bool merge,
                                const std::vector<std::string>& partition_columns) {
  SchemaMerge out;
  auto merged = std::make_shared<DataType>(table);
  std::vector<std::string> extra;
  for (const StructField& in : incoming.fields) {
    auto it = std::find_if(merged->fields.begin(), merged->fields.end(),
                           [&](const StructField& f) { return Lower(f.name) == Lower(in.name); });
    if (it == merged->fields.end()) {
      if (!merge) {
        extra.push_back(in.name);
        continue;
      }
      merged->fields.push_back(Field(in.name, in.type, /*nullable=*/true));
      out.changed = true;
      continue;
    }
    if (!merge || SameType(*it->type, *in.type) || !IsSafeWidening(*it->type, *in.type)) continue;
    bool is_partition = std::find(partition_columns.begin(), partition_columns.end(), it->name) !=
                        partition_columns.end();
    if (is_partition) {
      return Status::NotSupported("cannot widen partition column '" + it->name + "' from " +
                                  it->type->ToString() + " to " + in.type->ToString());
    }
    // PROTOCOL.md "Type Change Metadata": the history lives on the field.
    json metadata = json::parse(it->metadata_json, nullptr, /*allow_exceptions=*/false);
    if (!metadata.is_object()) metadata = json::object();
    json& changes = metadata["delta.typeChanges"];
    if (!changes.is_array()) changes = json::array();
    changes.push_back({{"fromType", it->type->ToString()}, {"toType", in.type->ToString()}});
    it->metadata_json = json_util::Dump(metadata);
    it->type = in.type;
    out.changed = true;
    out.widened = true;
  }
  if (!extra.empty()) {
    std::string names;
    for (const std::string& n : extra) names += (names.empty() ? "'" : ", '") + n + "'";
    return Status::InvalidArgument("the rows to write have columns the table lacks: " + names +
                                   "; pass merge_schema to add them");
  }
  out.schema = std::move(merged);
  return out;
}

Protocol RequiredProtocol(const Protocol& current, const DataType& schema,
                          const StringMap& configuration) {
  std::vector<std::string> features;
  if (UsesTimestampNtz(schema)) features.push_back("timestampNtz");
  auto widening = configuration.find("delta.enableTypeWidening");
  if (widening != configuration.end() && widening->second == "true") {
    features.push_back("typeWidening");
  }
  bool missing = false;
  for (const std::string& f : features) {
    bool has = current.writer_features &&
               std::find(current.writer_features->begin(), current.writer_features->end(), f) !=
                   current.writer_features->end();
    missing = missing || !has;
  }
  if (!missing) return current;
  Protocol p = current;
  if (p.min_reader_version < 3 || p.min_writer_version < 7) {
    // Table Features: the legacy versions' implied features become explicit.
    static const std::pair<int, const char*> kWriterImplied[] = {
        {2, "appendOnly"},      {2, "invariants"},       {3, "checkConstraints"},
        {4, "changeDataFeed"},  {4, "generatedColumns"}, {5, "columnMapping"},
        {6, "identityColumns"},
    };
    for (const auto& [version, feature] : kWriterImplied) {
      if (current.min_writer_version >= version) AddFeature(p.writer_features, feature);
    }
    if (current.min_reader_version >= 2) AddFeature(p.reader_features, "columnMapping");
    p.min_reader_version = 3;
    p.min_writer_version = 7;
    if (!p.reader_features) p.reader_features.emplace();
    if (!p.writer_features) p.writer_features.emplace();
  }
  for (const std::string& f : features) {
    AddFeature(p.reader_features, f);
    AddFeature(p.writer_features, f);
  }
  return p;
}

}  // namespace strata::lake
