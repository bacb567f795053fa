#include "ingest/source_config.h"

#include <cctype>
#include <cmath>
#include <map>
#include <set>

namespace strata::ingest {
namespace {

// Names become parts of table names (bronze.<source>_<stream>), the Delta
// txn appId and quarantine table names, so they are plain identifiers.
bool IsIdentifier(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (!(std::islower(u) || std::isdigit(u) || c == '_')) return false;
  }
  return true;
}

Result<SyncMode> ParseSync(const ConfigNode& node) {
  STRATA_ASSIGN_OR_RETURN(std::string text, node.As<std::string>());
  if (text == "full_refresh") return SyncMode::kFullRefresh;
  if (text == "incremental") return SyncMode::kIncremental;
  if (text == "append") return SyncMode::kAppendOnly;
  return node.Error("must be full_refresh, incremental or append, not '" + text + "'");
}

Result<OnSchemaChange> ParseOnSchemaChange(const ConfigNode& node) {
  STRATA_ASSIGN_OR_RETURN(std::string text, node.As<std::string>());
  if (text == "evolve") return OnSchemaChange::kEvolve;
  if (text == "rescue") return OnSchemaChange::kRescue;
  if (text == "fail") return OnSchemaChange::kFail;
  return node.Error("must be evolve, rescue or fail, not '" + text + "'");
}

Result<double> ParseMaxBadRows(const ConfigNode& node) {
  auto value = node.As<double>();
  if (!value.ok())
    return node.Error("must be a row count (e.g. 100) or a fraction below 1 (e.g. 0.01)");
  if (*value < 0 || !std::isfinite(*value)) return node.Error("must not be negative");
  if (*value >= 1 && std::floor(*value) != *value) {
    return node.Error("must be a whole row count, or a fraction below 1");
  }
  return *value;
}

Result<std::vector<std::string>> ParsePrimaryKey(const ConfigNode& node) {
  if (node.IsScalar()) {
    STRATA_ASSIGN_OR_RETURN(std::string column, node.As<std::string>());
    return std::vector<std::string>{column};
  }
  auto columns = node.As<std::vector<std::string>>();
  if (!columns.ok()) return node.Error("must be a column name or a list of column names");
  return *columns;
}

Status ParseStream(const std::string& source, const std::string& name, const ConfigNode& node,
                   const std::vector<std::string>& schemas, StreamConfig& out) {
  out.name = name;
  out.settings = node;
  out.target = "bronze." + source + "_" + name;
  if (node.IsNull()) return Status::OK();
  if (!node.IsMap()) return node.Error("must be a map of stream settings (sync, cursor, ...)");
  if (auto sync = node.Find("sync"); sync && !sync->IsNull()) {
    STRATA_ASSIGN_OR_RETURN(out.sync, ParseSync(*sync));
  }
  STRATA_ASSIGN_OR_RETURN(out.cursor_field, node.GetOr<std::string>("cursor", ""));
  if (out.sync == SyncMode::kIncremental && out.cursor_field.empty()) {
    return node.Error(
        "is incremental and needs `cursor: <column>` (the column whose largest "
        "value is remembered between runs)");
  }
  if (auto pk = node.Find("primary_key"); pk && !pk->IsNull()) {
    STRATA_ASSIGN_OR_RETURN(out.primary_key, ParsePrimaryKey(*pk));
  }
  if (auto target = node.Find("target"); target && !target->IsNull()) {
    STRATA_ASSIGN_OR_RETURN(out.target, target->As<std::string>());
    auto [schema, table] = SplitTarget(out.target);
    if (schema.empty()) return target->Error("must be schema.table, e.g. bronze.orders");
    bool known = false;
    std::string declared;
    for (const std::string& s : schemas) {
      known = known || s == schema;
      declared += (declared.empty() ? "" : ", ") + s;
    }
    if (!known) {
      return target->Error("names schema '" + schema +
                           "', which is not a warehouse schema (declared: " + declared + ")");
    }
    if (!IsIdentifier(table) || table[0] == '_') {
      return target->Error("table name '" + table +
                           "' must be lowercase letters, digits and _, not starting with _");
    }
  }
  return Status::OK();
}

Result<SourceConfig> ParseSource(const std::string& name, const ConfigNode& node,
                                 const std::vector<std::string>& schemas,
                                 const std::string& project_root) {
  // ConfigNode has no default, so neither do the configs.
  SourceConfig source{name, "", node, {}, OnSchemaChange::kEvolve, std::nullopt, project_root};
  if (!node.IsMap()) return node.Error("must be a map with connector and streams");
  if (!IsIdentifier(name)) {
    return node.Error("is not a valid source name (use lowercase letters, digits and _)");
  }
  STRATA_ASSIGN_OR_RETURN(source.connector, node.Get<std::string>("connector"));
  if (auto mode = node.Find("on_schema_change"); mode && !mode->IsNull()) {
    STRATA_ASSIGN_OR_RETURN(source.on_schema_change, ParseOnSchemaChange(*mode));
  }
  if (auto max_bad = node.Find("max_bad_rows"); max_bad && !max_bad->IsNull()) {
    STRATA_ASSIGN_OR_RETURN(source.max_bad_rows, ParseMaxBadRows(*max_bad));
  }
  STRATA_ASSIGN_OR_RETURN(ConfigNode streams, node.Child("streams"));
  if (!streams.IsMap()) return streams.Error("must be a map of stream name to its settings");
  STRATA_ASSIGN_OR_RETURN(auto entries, streams.Entries());
  if (entries.empty()) return streams.Error("must declare at least one stream");
  for (const auto& [stream_name, stream_node] : entries) {
    if (!IsIdentifier(stream_name)) {
      return stream_node.Error("is not a valid stream name (use lowercase letters, digits and _)");
    }
    StreamConfig stream{stream_name, "", SyncMode::kFullRefresh, "", {}, stream_node};
    STRATA_RETURN_IF_ERROR(ParseStream(name, stream_name, stream_node, schemas, stream));
    source.streams.push_back(std::move(stream));
  }
  return source;
}

}  // namespace

std::vector<std::string_view> WithFrameworkKeys(const std::vector<std::string_view>& framework,
                                                std::vector<std::string_view> known) {
  known.insert(known.end(), framework.begin(), framework.end());
  return known;
}

std::pair<std::string, std::string> SplitTarget(const std::string& target) {
  const size_t dot = target.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == target.size() ||
      target.find('.', dot + 1) != std::string::npos) {
    return {"", ""};
  }
  return {target.substr(0, dot), target.substr(dot + 1)};
}

std::string_view SyncModeName(SyncMode mode) {
  switch (mode) {
    case SyncMode::kFullRefresh:
      return "full_refresh";
    case SyncMode::kIncremental:
      return "incremental";
    case SyncMode::kAppendOnly:
      return "append";
  }
  return "?";
}

std::string_view OnSchemaChangeName(OnSchemaChange mode) {
  switch (mode) {
    case OnSchemaChange::kEvolve:
      return "evolve";
    case OnSchemaChange::kRescue:
      return "rescue";
    case OnSchemaChange::kFail:
      return "fail";
  }
  return "?";
}

Result<std::vector<SourceConfig>> ParseSources(const ConfigNode& sources,
                                               const std::vector<std::string>& schemas,
                                               const std::string& project_root) {
  std::vector<SourceConfig> out;
  if (sources.IsNull()) return out;
  if (!sources.IsMap()) return sources.Error("must be a map of source name to its settings");
  STRATA_ASSIGN_OR_RETURN(auto entries, sources.Entries());
  std::map<std::string, std::string> target_owner;  // target -> "source.stream"
  for (const auto& [name, node] : entries) {
    STRATA_ASSIGN_OR_RETURN(SourceConfig source, ParseSource(name, node, schemas, project_root));
    for (const StreamConfig& stream : source.streams) {
      const std::string owner = source.name + "." + stream.name;
      auto [it, inserted] = target_owner.emplace(stream.target, owner);
      if (!inserted) {
        const ConfigNode& at = stream.settings.IsNull() ? node : stream.settings;
        return at.Error("writes to " + stream.target + ", which " + it->second +
                        " writes to already; give one of them another `target:`");
      }
    }
    out.push_back(std::move(source));
  }
  return out;
}

}  // namespace strata::ingest
