// Non-throwing accessors over nlohmann::json for the Delta log parsers. A
// missing key and a JSON null are both "absent" (checkpoint rows turned into
// JSON carry nulls for absent fields). Wrong types are Corruption.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace strata::lake::json_util {

// The value at `key`, or nullptr when absent or null.
const nlohmann::json* Field(const nlohmann::json& obj, const char* key);

Result<std::string> GetString(const nlohmann::json& obj, const char* key);
Result<int64_t> GetInt(const nlohmann::json& obj, const char* key);
Result<bool> GetBool(const nlohmann::json& obj, const char* key);
Result<std::optional<std::string>> OptString(const nlohmann::json& obj, const char* key);
Result<std::optional<int64_t>> OptInt(const nlohmann::json& obj, const char* key);
Result<std::optional<bool>> OptBool(const nlohmann::json& obj, const char* key);
Result<std::vector<std::string>> GetStringList(const nlohmann::json& obj, const char* key);
Result<std::map<std::string, std::string>> GetStringMap(const nlohmann::json& obj,
                                                        const char* key);
Result<std::optional<std::map<std::string, std::string>>> OptStringMap(
    const nlohmann::json& obj, const char* key);

// Compact JSON text; invalid UTF-8 is replaced instead of throwing.
std::string Dump(const nlohmann::json& value);

// Parses `text`; Corruption (never an exception) when it is not JSON.
Result<nlohmann::json> Parse(std::string_view text);

}  // namespace strata::lake::json_util
