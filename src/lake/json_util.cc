#include "lake/json_util.h"

namespace strata::lake::json_util {

using nlohmann::json;

namespace {
Status Missing(const char* key) {
  return Status::Corruption(std::string("missing required field '") + key + "'");
}
Status WrongType(const char* key, const char* want) {
  return Status::Corruption(std::string("field '") + key + "' is not " + want);
}
}  // namespace

const json* Field(const json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

Result<std::optional<std::string>> OptString(const json& obj, const char* key) {
  const json* v = Field(obj, key);
  if (v == nullptr) return std::optional<std::string>();
  if (!v->is_string()) return WrongType(key, "a string");
  return std::optional<std::string>(v->get_ref<const std::string&>());
}

Result<std::optional<int64_t>> OptInt(const json& obj, const char* key) {
  const json* v = Field(obj, key);
  if (v == nullptr) return std::optional<int64_t>();
  if (v->is_number_unsigned()) {
    uint64_t u = v->get<uint64_t>();
    if (u > static_cast<uint64_t>(INT64_MAX)) return WrongType(key, "a 64-bit integer");
    return std::optional<int64_t>(static_cast<int64_t>(u));
  }
  if (v->is_number_integer()) return std::optional<int64_t>(v->get<int64_t>());
  return WrongType(key, "an integer");
}

Result<std::optional<bool>> OptBool(const json& obj, const char* key) {
  const json* v = Field(obj, key);
  if (v == nullptr) return std::optional<bool>();
  if (!v->is_boolean()) return WrongType(key, "a boolean");
  return std::optional<bool>(v->get<bool>());
}

Result<std::string> GetString(const json& obj, const char* key) {
  STRATA_ASSIGN_OR_RETURN(auto v, OptString(obj, key));
  if (!v) return Missing(key);
  return std::move(*v);
}

Result<int64_t> GetInt(const json& obj, const char* key) {
  STRATA_ASSIGN_OR_RETURN(auto v, OptInt(obj, key));
  if (!v) return Missing(key);
  return *v;
}

Result<bool> GetBool(const json& obj, const char* key) {
  STRATA_ASSIGN_OR_RETURN(auto v, OptBool(obj, key));
  if (!v) return Missing(key);
  return *v;
}

Result<std::vector<std::string>> GetStringList(const json& obj, const char* key) {
  const json* v = Field(obj, key);
  if (v == nullptr) return Missing(key);
  if (!v->is_array()) return WrongType(key, "an array");
  std::vector<std::string> out;
  for (const json& e : *v) {
    if (!e.is_string()) return WrongType(key, "an array of strings");
    out.push_back(e.get_ref<const std::string&>());
  }
  return out;
}

Result<std::optional<std::map<std::string, std::string>>> OptStringMap(const json& obj,
                                                                       const char* key) {
  const json* v = Field(obj, key);
  if (v == nullptr) return std::optional<std::map<std::string, std::string>>();
  if (!v->is_object()) return WrongType(key, "an object");
  std::map<std::string, std::string> out;
  for (const auto& [k, val] : v->items()) {
    if (val.is_null()) continue;
    out.emplace(k, val.is_string() ? val.get_ref<const std::string&>() : Dump(val));
  }
  return std::optional<std::map<std::string, std::string>>(std::move(out));
}

Result<std::map<std::string, std::string>> GetStringMap(const json& obj, const char* key) {
  STRATA_ASSIGN_OR_RETURN(auto v, OptStringMap(obj, key));
  if (!v) return Missing(key);
  return std::move(*v);
}

std::string Dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<json> Parse(std::string_view text) {
  json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::Corruption("not valid JSON");
  return doc;
}

}  // namespace strata::lake::json_util
