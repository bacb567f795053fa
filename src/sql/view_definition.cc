#include "sql/view_definition.h"

#include <nlohmann/json.hpp>

namespace strata::sql {

std::string SerializeView(const ViewDefinition& view) {
  nlohmann::ordered_json columns = nlohmann::ordered_json::array();
  for (const ViewColumn& c : view.columns) {
    columns.push_back(nlohmann::ordered_json{{"name", c.name}, {"type", c.type}});
  }
  nlohmann::ordered_json doc = {
      {"format", kViewFormat},
      {"format_version", kViewFormatVersion},
      {"schema", view.schema},
      {"name", view.name},
      {"sql", view.sql},
      {"column_aliases", view.column_aliases},
      {"columns", std::move(columns)},
      {"created_at_millis", view.created_at_millis},
      {"updated_at_millis", view.updated_at_millis},
  };
  // Invalid UTF-8 in the SQL is replaced rather than thrown on: DuckDB takes
  // such text, and a view file must always be writable.
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

Result<ViewDefinition> ParseView(std::string_view json, const std::string& path) {
  const nlohmann::json doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("view file " + path + " is not valid: " + why);
  };
  if (!doc.is_object()) return bad("not a JSON object");
  auto format = doc.find("format");
  if (format == doc.end() || !format->is_string() || format->get<std::string>() != kViewFormat) {
    return bad("\"format\" is not \"" + std::string(kViewFormat) + "\"");
  }
  auto version = doc.find("format_version");
  if (version == doc.end() || !version->is_number_integer()) return bad("no format_version");
  if (version->get<int64_t>() > kViewFormatVersion) {
    return Status::NotSupported("view file " + path + " has format_version " +
                                std::to_string(version->get<int64_t>()) +
                                "; this Strata reads up to " + std::to_string(kViewFormatVersion));
  }
  ViewDefinition view;
  auto text = [&](const char* key, std::string& out, bool required) -> Status {
    auto it = doc.find(key);
    if (it == doc.end() || it->is_null()) {
      return required ? bad(std::string("no \"") + key + "\"") : Status::OK();
    }
    if (!it->is_string()) return bad(std::string("\"") + key + "\" is not a string");
    out = it->get<std::string>();
    return Status::OK();
  };
  STRATA_RETURN_IF_ERROR(text("schema", view.schema, false));
  STRATA_RETURN_IF_ERROR(text("name", view.name, false));
  STRATA_RETURN_IF_ERROR(text("sql", view.sql, true));
  if (auto it = doc.find("column_aliases"); it != doc.end() && !it->is_null()) {
    if (!it->is_array()) return bad("\"column_aliases\" is not an array");
    for (const auto& alias : *it) {
      if (!alias.is_string()) return bad("a column alias is not a string");
      view.column_aliases.push_back(alias.get<std::string>());
    }
  }
  if (auto it = doc.find("columns"); it != doc.end() && !it->is_null()) {
    if (!it->is_array()) return bad("\"columns\" is not an array");
    for (const auto& column : *it) {
      auto name = column.find("name");
      auto type = column.find("type");
      if (!column.is_object() || name == column.end() || !name->is_string() ||
          type == column.end() || !type->is_string()) {
        return bad("a column needs a string name and type");
      }
      view.columns.push_back({name->get<std::string>(), type->get<std::string>()});
    }
  }
  for (const char* key : {"created_at_millis", "updated_at_millis"}) {
    auto it = doc.find(key);
    if (it == doc.end() || it->is_null()) continue;
    if (!it->is_number_integer()) return bad(std::string("\"") + key + "\" is not an integer");
    (std::string(key) == "created_at_millis" ? view.created_at_millis : view.updated_at_millis) =
        it->get<int64_t>();
  }
  return view;
}

}  // namespace strata::sql
