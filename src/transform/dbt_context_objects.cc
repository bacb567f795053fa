// The Jinja values dbt code handles: relations, agate tables and columns,
// and conversions between JSON, engine values and Jinja values.
#include <algorithm>
#include <cctype>

#include "engine/engine.h"
#include "transform/dbt_compile_internal.h"

namespace strata::transform::internal {

using json = nlohmann::json;

Value JsonToValue(const json& j) {
  switch (j.type()) {
    case json::value_t::null:
      return Value::None();
    case json::value_t::boolean:
      return Value::Bool(j.get<bool>());
    case json::value_t::number_integer:
      return Value::Int(j.get<int64_t>());
    case json::value_t::number_unsigned: {
      uint64_t u = j.get<uint64_t>();
      if (u > static_cast<uint64_t>(INT64_MAX)) return Value::Float(static_cast<double>(u));
      return Value::Int(static_cast<int64_t>(u));
    }
    case json::value_t::number_float:
      return Value::Float(j.get<double>());
    case json::value_t::string:
      return Value::String(j.get<std::string>());
    case json::value_t::array: {
      List items;
      items.reserve(j.size());
      for (const auto& item : j) items.push_back(JsonToValue(item));
      return Value::MakeList(std::move(items));
    }
    case json::value_t::object: {
      Value dict = Value::MakeDict();
      for (const auto& [k, v] : j.items()) dict.as_dict()->Set(k, JsonToValue(v));
      return dict;
    }
    default:
      return Value::None();
  }
}

Result<json> ValueToJsonData(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kNone:
      return json(nullptr);
    case Value::Kind::kBool:
      return json(v.as_bool());
    case Value::Kind::kInt:
      return json(v.as_int());
    case Value::Kind::kFloat:
      return json(v.as_double());
    case Value::Kind::kString:
      return json(v.as_string());
    case Value::Kind::kList:
    case Value::Kind::kTuple: {
      json out = json::array();
      for (const Value& item : *v.as_list()) {
        STRATA_ASSIGN_OR_RETURN(json j, ValueToJsonData(item));
        out.push_back(std::move(j));
      }
      return out;
    }
    case Value::Kind::kDict: {
      json out = json::object();
      for (const auto& [k, item] : v.as_dict()->items()) {
        STRATA_ASSIGN_OR_RETURN(json j, ValueToJsonData(item));
        out[k.Str()] = std::move(j);
      }
      return out;
    }
    case Value::Kind::kObject:
      if (AsRelation(v) != nullptr) return json(v.Str());
      return Status::InvalidArgument("a " + v.TypeName() + " cannot be used as config data");
    case Value::Kind::kUndefined:
      return Status::InvalidArgument("'" + v.undefined_name() + "' is undefined");
    default:
      return Status::InvalidArgument("a " + v.TypeName() + " cannot be used as config data");
  }
}

Value EngineValueToJinja(const engine::Value& v) {
  if (v.IsNull()) return Value::None();
  switch (v.type().id()) {
    case engine::TypeId::kBoolean:
      return Value::Bool(v.GetBool());
    case engine::TypeId::kTinyInt:
    case engine::TypeId::kSmallInt:
    case engine::TypeId::kInteger:
    case engine::TypeId::kBigInt:
    case engine::TypeId::kUTinyInt:
    case engine::TypeId::kUSmallInt:
    case engine::TypeId::kUInteger:
      return Value::Int(v.GetInt64());
    case engine::TypeId::kFloat:
    case engine::TypeId::kDouble:
    case engine::TypeId::kDecimal:
      return Value::Float(v.GetDouble());
    case engine::TypeId::kVarchar:
      return Value::String(v.GetString());
    default:
      return Value::String(v.ToString());
  }
}

std::string QuoteIdentifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Keyword `name` (or positional `index`) as a bool, else `fallback`.
bool BoolArg(const CallArgs& a, size_t index, std::string_view name, bool fallback) {
  const Value* v = a.Get(index, name);
  return v == nullptr || v->is_undefined() ? fallback : v->Truthy();
}

std::string StrArg(const CallArgs& a, size_t index, std::string_view name,
                   const std::string& fallback) {
  const Value* v = a.Get(index, name);
  if (v == nullptr || v->is_undefined() || v->is_none()) return fallback;
  return v->Str();
}

class RelationObject : public Object {
 public:
  explicit RelationObject(RelationParts parts) : parts_(std::move(parts)) {}
  const RelationParts& parts() const { return parts_; }

  Value GetAttr(std::string_view name) override {
    const RelationParts p = parts_;
    if (name == "database") return Value::String(p.database);
    if (name == "schema") return Value::String(p.schema);
    if (name == "identifier" || name == "name" || name == "table") {
      return Value::String(p.identifier);
    }
    if (name == "type") return p.type.empty() ? Value::None() : Value::String(p.type);
    if (name == "is_table") return Value::Bool(p.type == "table");
    if (name == "is_view") return Value::Bool(p.type == "view");
    if (name == "is_cte") return Value::Bool(p.type == "cte");
    if (name == "is_materialized_view") return Value::Bool(false);
    if (name == "path") {
      Value d = Value::MakeDict();
      d.as_dict()->Set("database", Value::String(p.database));
      d.as_dict()->Set("schema", Value::String(p.schema));
      d.as_dict()->Set("identifier", Value::String(p.identifier));
      return d;
    }
    if (name == "get") {
      // dbt's Relation is a mapping: dbt_utils reads get('metadata').type.
      return MakeFunction("get", [p](CallArgs& a) -> Result<Value> {
        const Value* key = a.Get(0, "key");
        const std::string k = key == nullptr ? "" : key->Str();
        if (k == "metadata") {
          Value metadata = Value::MakeDict();
          metadata.as_dict()->Set("type", Value::String("DuckDBRelation"));
          return metadata;
        }
        if (k == "database") return Value::String(p.database);
        if (k == "schema") return Value::String(p.schema);
        if (k == "identifier" || k == "name") return Value::String(p.identifier);
        if (k == "type") return p.type.empty() ? Value::None() : Value::String(p.type);
        const Value* fallback = a.Get(1, "default");
        return fallback == nullptr ? Value::None() : *fallback;
      });
    }
    if (name == "render") {
      return MakeFunction("render",
                          [p](CallArgs&) -> Result<Value> { return Value::String(p.Render()); });
    }
    if (name == "include") {
      return MakeFunction("include", [p](CallArgs& a) -> Result<Value> {
        RelationParts q = p;
        q.include_database = BoolArg(a, 0, "database", q.include_database);
        q.include_schema = BoolArg(a, 1, "schema", q.include_schema);
        q.include_identifier = BoolArg(a, 2, "identifier", q.include_identifier);
        return MakeRelation(std::move(q));
      });
    }
    if (name == "quote") {
      return MakeFunction("quote", [p](CallArgs&) -> Result<Value> { return MakeRelation(p); });
    }
    if (name == "without_identifier") {
      return MakeFunction("without_identifier", [p](CallArgs&) -> Result<Value> {
        RelationParts q = p;
        q.include_identifier = false;
        return MakeRelation(std::move(q));
      });
    }
    if (name == "incorporate" || name == "replace_path") {
      return MakeFunction(std::string(name), [p](CallArgs& a) -> Result<Value> {
        RelationParts q = p;
        const Value* path = a.Keyword("path");
        auto take = [&](const Value* from, const char* key, std::string* out) {
          if (from == nullptr || !from->is_dict()) return;
          if (const Value* v = from->as_dict()->Find(std::string_view(key)); v && !v->is_none())
            *out = v->Str();
        };
        take(path, "database", &q.database);
        take(path, "schema", &q.schema);
        take(path, "identifier", &q.identifier);
        q.database = StrArg(a, 99, "database", q.database);
        q.schema = StrArg(a, 99, "schema", q.schema);
        q.identifier = StrArg(a, 99, "identifier", q.identifier);
        q.type = StrArg(a, 99, "type", q.type);
        return MakeRelation(std::move(q));
      });
    }
    return Value::Undefined(std::string(name),
                            "'Relation' object has no attribute '" + std::string(name) + "'");
  }
  std::string TypeName() const override { return "DuckDBRelation"; }
  bool IsMapping() const override { return true; }
  std::string Str() const override { return parts_.Render(); }
  bool Equals(const Object& other) const override {
    auto* o = dynamic_cast<const RelationObject*>(&other);
    return o != nullptr && Lower(o->parts_.schema) == Lower(parts_.schema) &&
           Lower(o->parts_.identifier) == Lower(parts_.identifier);
  }

 private:
  RelationParts parts_;
};

class AgateColumn : public Object {
 public:
  AgateColumn(std::string name, std::string type, List values)
      : name_(std::move(name)), type_(std::move(type)), values_(std::move(values)) {}
  Value GetAttr(std::string_view name) override {
    if (name == "name") return Value::String(name_);
    if (name == "data_type") return Value::String(type_);
    if (name == "values" || name == "values_distinct" || name == "values_without_nulls") {
      List values = values_;
      if (name == "values_without_nulls") {
        values.erase(std::remove_if(values.begin(), values.end(),
                                    [](const Value& v) { return v.is_none(); }),
                     values.end());
      } else if (name == "values_distinct") {
        List distinct;
        for (const Value& v : values) {
          if (std::none_of(distinct.begin(), distinct.end(),
                           [&](const Value& d) { return ValuesEqual(d, v); }))
            distinct.push_back(v);
        }
        values = std::move(distinct);
      }
      return MakeFunction(std::string(name), [values](CallArgs&) -> Result<Value> {
        return Value::MakeTuple(values);
      });
    }
    return Value::Undefined(std::string(name));
  }
  Result<Value> GetItem(const Value& key) override {
    if (key.is_int()) {
      int64_t i = key.as_int();
      if (i < 0) i += static_cast<int64_t>(values_.size());
      if (i >= 0 && i < static_cast<int64_t>(values_.size())) return values_[i];
      return Value::Undefined(key.Str());
    }
    return Object::GetItem(key);
  }
  std::string TypeName() const override { return "Column"; }

 private:
  std::string name_, type_;
  List values_;
};

class AgateTable : public Object {
 public:
  explicit AgateTable(const QueryTable& t) {
    List names, types, columns;
    for (const auto& n : t.column_names) names.push_back(Value::String(n));
    for (const auto& ty : t.column_types) types.push_back(Value::String(ty));
    std::vector<List> column_values(t.column_names.size());
    for (const auto& row : t.rows) {
      List cells;
      for (size_t c = 0; c < row.size(); ++c) {
        Value cell = EngineValueToJinja(row[c]);
        if (c < column_values.size()) column_values[c].push_back(cell);
        cells.push_back(std::move(cell));
      }
      rows_.push_back(Value::MakeTuple(std::move(cells)));
    }
    for (size_t c = 0; c < t.column_names.size(); ++c) {
      columns.push_back(Value::FromObject(std::make_shared<AgateColumn>(
          t.column_names[c], c < t.column_types.size() ? t.column_types[c] : "",
          std::move(column_values[c]))));
    }
    column_names_ = Value::MakeTuple(std::move(names));
    column_types_ = Value::MakeTuple(std::move(types));
    columns_ = Value::MakeTuple(std::move(columns));
  }
  Value GetAttr(std::string_view name) override {
    if (name == "rows" || name == "data") return Value::MakeTuple(rows_);
    if (name == "columns") return columns_;
    if (name == "column_names") return column_names_;
    if (name == "column_types") return column_types_;
    if (name == "print_table" || name == "print_csv" || name == "print_json") {
      return MakeFunction(std::string(name),
                          [](CallArgs&) -> Result<Value> { return Value::None(); });
    }
    return Value::Undefined(std::string(name),
                            "'Table' object has no attribute '" + std::string(name) + "'");
  }
  Result<Value> GetItem(const Value& key) override {
    if (key.is_int()) {
      int64_t i = key.as_int();
      if (i < 0) i += static_cast<int64_t>(rows_.size());
      if (i >= 0 && i < static_cast<int64_t>(rows_.size())) return rows_[i];
      return Status::InvalidArgument("tuple index out of range");
    }
    return Object::GetItem(key);
  }
  std::string TypeName() const override { return "Table"; }

 private:
  List rows_;
  Value column_names_, column_types_, columns_;
};

class DbtColumn : public Object {
 public:
  DbtColumn(std::string name, std::string type) : name_(std::move(name)), type_(std::move(type)) {}
  Value GetAttr(std::string_view name) override {
    const std::string upper = [&] {
      std::string u = type_;
      std::transform(u.begin(), u.end(), u.begin(),
                     [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
      return u;
    }();
    if (name == "name" || name == "column") return Value::String(name_);
    if (name == "quoted") return Value::String(QuoteIdentifier(name_));
    if (name == "data_type" || name == "dtype") return Value::String(type_);
    auto predicate = [&](bool b) {
      return MakeFunction(std::string(name),
                          [b](CallArgs&) -> Result<Value> { return Value::Bool(b); });
    };
    const bool is_string = upper.rfind("VARCHAR", 0) == 0 || upper == "TEXT" || upper == "STRING";
    const bool is_integer = upper == "INTEGER" || upper == "BIGINT" || upper == "SMALLINT" ||
                            upper == "TINYINT" || upper == "HUGEINT" || upper == "INT" ||
                            upper.rfind("UINT", 0) == 0 || upper == "UBIGINT";
    const bool is_float = upper == "DOUBLE" || upper == "FLOAT" || upper == "REAL";
    const bool is_numeric = upper.rfind("DECIMAL", 0) == 0 || upper.rfind("NUMERIC", 0) == 0;
    if (name == "is_string") return predicate(is_string);
    if (name == "is_integer") return predicate(is_integer);
    if (name == "is_float") return predicate(is_float);
    if (name == "is_numeric") return predicate(is_numeric);
    if (name == "is_number") return predicate(is_integer || is_float || is_numeric);
    return Value::Undefined(std::string(name),
                            "'Column' object has no attribute '" + std::string(name) + "'");
  }
  std::string TypeName() const override { return "DuckDBColumn"; }
  std::string Str() const override { return "<Column " + name_ + " (" + type_ + ")>"; }

 private:
  std::string name_, type_;
};

}  // namespace

std::string RelationParts::Render() const {
  if (type == "cte") return identifier;
  std::string out;
  auto add = [&](const std::string& part) {
    if (!out.empty()) out += '.';
    out += QuoteIdentifier(part);
  };
  if (include_database && !database.empty()) add(database);
  if (include_schema && !schema.empty()) add(schema);
  if (include_identifier && !identifier.empty()) add(identifier);
  if (!event_time_filter.empty())
    out = "(select * from " + out + " where " + event_time_filter + ")";
  // No alias after the subquery (dbt adds `_dbt_limit_subq_<name>`): DuckDB
  // needs none, and `from {{ ref('x') }} as x` stays valid SQL.
  if (limit_zero) out = "(select * from " + out + " where false limit 0)";
  return out;
}

Value MakeRelation(RelationParts parts) {
  return Value::FromObject(std::make_shared<RelationObject>(std::move(parts)));
}

const RelationParts* AsRelation(const Value& v) {
  if (!v.is_object()) return nullptr;
  auto* r = dynamic_cast<const RelationObject*>(v.as_object().get());
  return r == nullptr ? nullptr : &r->parts();
}

Value MakeAgateTable(const QueryTable& table) {
  return Value::FromObject(std::make_shared<AgateTable>(table));
}

Value MakeColumn(const std::string& name, const std::string& data_type) {
  return Value::FromObject(std::make_shared<DbtColumn>(name, data_type));
}

}  // namespace strata::transform::internal
