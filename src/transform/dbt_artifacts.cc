#include "transform/dbt_artifacts.h"

#include <ctime>
#include <random>

#include "transform/dbt_internal.h"

namespace strata::transform {
namespace {

using json = nlohmann::json;

json NullIfEmpty(const std::string& s) { return s.empty() ? json() : json(s); }

// The fields every manifest entry has (dbt's BaseResource); `Resource` is a
// Node, Macro or DocBlock.
template <typename Resource>
json BaseResourceJson(const Resource& r, const std::string& resource_type) {
  return {{"name", r.name},
          {"resource_type", resource_type},
          {"package_name", r.package_name},
          {"path", r.path},
          {"original_file_path", r.original_file_path},
          {"unique_id", r.unique_id}};
}

// Config values come from user YAML: read them without trusting their types.
std::string ConfigString(const json& config, const char* key, const std::string& fallback) {
  auto it = config.find(key);
  return it != config.end() && it->is_string() ? it->get<std::string>() : fallback;
}

bool ContractEnforced(const json& config) {
  auto it = config.find("contract");
  if (it == config.end() || !it->is_object()) return false;
  auto enforced = it->find("enforced");
  return enforced != it->end() && enforced->is_boolean() && enforced->get<bool>();
}

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

json ColumnsJson(const std::vector<Column>& columns) {
  json out = json::object();
  for (const auto& c : columns) {
    out[c.name] = {{"name", c.name},
                   {"description", c.description},
                   {"meta", c.meta},
                   {"data_type", NullIfEmpty(c.data_type)},
                   {"constraints", c.constraints},
                   {"quote", c.quote},
                   {"tags", c.tags},
                   {"granularity", nullptr}};
  }
  return out;
}

json FreshnessJson(const json& f) {
  if (!f.is_object()) return nullptr;
  json out = {{"warn_after", {{"count", nullptr}, {"period", nullptr}}},
              {"error_after", {{"count", nullptr}, {"period", nullptr}}},
              {"filter", f.value("filter", json())}};
  for (const char* key : {"warn_after", "error_after"}) {
    if (f.contains(key) && f[key].is_object()) {
      // Validated at load; a bad threshold was reported and is written as null.
      out[key]["count"] = f[key].value("count", json());
      out[key]["period"] = f[key].value("period", json());
    }
  }
  return out;
}

json TimingJson(const std::vector<TimingInfo>& timing) {
  json out = json::array();
  for (const auto& t : timing) {
    out.push_back({{"name", t.name},
                   {"started_at", IsoTimestamp(t.started_at_micros)},
                   {"completed_at", IsoTimestamp(t.completed_at_micros)}});
  }
  return out;
}

json MetadataJson(const ArtifactMetadata& m, const char* schema) {
  return {{"dbt_schema_version", schema},
          {"dbt_version", kCompatibleDbtVersion},
          {"generated_at", m.generated_at},
          {"invocation_id", m.invocation_id},
          {"env", m.env}};
}

std::string RelationName(const Node& n) {
  if (n.IsSource()) return Quote(n.database) + "." + Quote(n.schema) + "." + Quote(n.identifier);
  if (n.resource_type == "exposure" || n.resource_type == "analysis") return "";
  const std::string materialized = ConfigString(n.config, "materialized", "");
  if (materialized == "ephemeral") return "";
  if (n.IsTest() && !(n.config.value("store_failures", json()).is_boolean() &&
                      n.config["store_failures"].get<bool>())) {
    return "";
  }
  return Quote(n.database) + "." + Quote(n.schema) + "." + Quote(n.alias);
}

json DependsOn(const Node& n) {
  return {{"macros", n.depends_on_macros}, {"nodes", n.depends_on_nodes}};
}

json RefsJson(const Node& n) {
  json refs = json::array();
  for (const auto& r : n.refs) {
    refs.push_back({{"name", r.name},
                    {"package", NullIfEmpty(r.package)},
                    {"version", NullIfEmpty(r.version)}});
  }
  return refs;
}

json SourcesJson(const Node& n) {
  json sources = json::array();
  for (const auto& s : n.source_calls) sources.push_back({s.source, s.table});
  return sources;
}

}  // namespace

std::string IsoTimestamp(int64_t micros) {
  time_t seconds = static_cast<time_t>(micros / 1000000);
  struct tm tm_utc;
  gmtime_r(&seconds, &tm_utc);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm_utc.tm_year + 1900,
                tm_utc.tm_mon + 1, tm_utc.tm_mday, tm_utc.tm_hour, tm_utc.tm_min, tm_utc.tm_sec,
                static_cast<long long>(micros % 1000000));
  return buf;
}

ArtifactMetadata MakeArtifactMetadata(const DbtProject& project, Clock& clock) {
  ArtifactMetadata m;
  std::random_device rd;
  std::mt19937_64 gen((static_cast<uint64_t>(rd()) << 32) ^ rd() ^ clock.NowMicros());
  uint64_t a = gen(), b = gen();
  // A version-4 UUID.
  a = (a & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
  b = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  char buf[40];
  std::snprintf(
      buf, sizeof buf, "%08llx-%04llx-%04llx-%04llx-%012llx",
      static_cast<unsigned long long>(a >> 32), static_cast<unsigned long long>((a >> 16) & 0xffff),
      static_cast<unsigned long long>(a & 0xffff), static_cast<unsigned long long>(b >> 48),
      static_cast<unsigned long long>(b & 0xffffffffffffULL));
  m.invocation_id = buf;
  m.generated_at = IsoTimestamp(clock.NowMicros());
  m.project_name = project.name;
  return m;
}

json NodeToManifestJson(const Node& n) {
  json j = BaseResourceJson(n, n.resource_type);
  j.update(json::object({{"database", n.database},
                         {"schema", n.schema},
                         {"fqn", n.fqn},
                         {"description", n.description},
                         {"columns", ColumnsJson(n.columns)},
                         {"meta", n.meta},
                         {"tags", n.tags},
                         {"config", n.config},
                         {"patch_path", NullIfEmpty(n.patch_path)},
                         {"unrendered_config", json::object()},
                         {"created_at", 0.0},
                         {"relation_name", NullIfEmpty(RelationName(n))}}));
  if (n.IsSource()) {
    j["source_name"] = n.source_name;
    j["source_description"] = n.source_description;
    j["loader"] = n.loader;
    j["identifier"] = n.identifier;
    j["quoting"] = {{"database", n.quoting.value("database", json())},
                    {"schema", n.quoting.value("schema", json())},
                    {"identifier", n.quoting.value("identifier", json())},
                    {"column", n.quoting.value("column", json())}};
    j["loaded_at_field"] = NullIfEmpty(n.loaded_at_field);
    j["freshness"] = FreshnessJson(n.freshness);
    j["external"] = nullptr;
    j["source_meta"] = n.source_meta;
    j["unrendered_database"] = nullptr;
    j["unrendered_schema"] = nullptr;
    j.erase("patch_path");
    return j;
  }
  if (n.resource_type == "exposure") {
    json exposure = BaseResourceJson(n, n.resource_type);
    exposure.update(json::object(
        {{"fqn", n.fqn},
         {"type", n.exposure_type},
         {"owner",
          {{"email", n.owner.value("email", json())}, {"name", n.owner.value("name", json())}}},
         {"description", n.description},
         {"label", NullIfEmpty(n.label)},
         {"maturity", NullIfEmpty(n.maturity)},
         {"meta", n.meta},
         {"tags", n.tags},
         {"config", n.config},
         {"unrendered_config", json::object()},
         {"url", NullIfEmpty(n.url)},
         {"depends_on", DependsOn(n)},
         {"refs", RefsJson(n)},
         {"sources", SourcesJson(n)},
         {"metrics", json::array()},
         {"created_at", 0.0}}));
    return exposure;
  }
  j["alias"] = n.alias;
  j["checksum"] = n.checksum;
  j["group"] = n.config.value("group", json());
  j["docs"] = n.docs;
  j["build_path"] = nullptr;
  j["raw_code"] = n.raw_code;
  j["language"] = n.language;
  j["refs"] = RefsJson(n);
  j["sources"] = SourcesJson(n);
  j["metrics"] = json::array();
  j["depends_on"] = DependsOn(n);
  j["compiled_path"] = nullptr;
  j["contract"] = {
      {"enforced", ContractEnforced(n.config)}, {"alias_types", true}, {"checksum", nullptr}};
  if (n.resource_type == "model") {
    j["access"] = ConfigString(n.config, "access", "protected");
    j["constraints"] = n.constraints;
    j["version"] = NullIfEmpty(n.version);
    j["latest_version"] = NullIfEmpty(n.latest_version);
    j["deprecation_date"] = nullptr;
    j["primary_key"] = json::array();
    j["time_spine"] = nullptr;
  }
  if (n.resource_type == "seed") {
    j["root_path"] = n.package_root;
    j["depends_on"] = {{"macros", n.depends_on_macros}};
    for (const char* key :
         {"raw_code", "language", "refs", "sources", "metrics", "compiled_path", "contract"}) {
      j.erase(key);
    }
  }
  if (n.IsTest()) {
    if (!n.test_metadata.is_null()) {
      j["test_metadata"] = n.test_metadata;
      j["column_name"] = NullIfEmpty(n.column_name);
      j["file_key_name"] = nullptr;
      j["attached_node"] = NullIfEmpty(n.attached_node);
    }
  }
  return j;
}

json BuildManifest(const DbtProject& project, const DbtGraph& graph,
                   const ArtifactMetadata& metadata) {
  json m;
  json meta = MetadataJson(metadata, kManifestSchema);
  meta["project_name"] = project.name;
  meta["project_id"] = internal::Md5Hex(project.name);
  meta["user_id"] = nullptr;
  meta["send_anonymous_usage_stats"] = false;
  meta["adapter_type"] = metadata.adapter_type;
  m["metadata"] = meta;
  json nodes = json::object(), sources = json::object(), exposures = json::object();
  for (const auto& [id, node] : project.nodes) {
    json j = NodeToManifestJson(node);
    if (node.IsSource()) {
      sources[id] = std::move(j);
    } else if (node.resource_type == "exposure") {
      exposures[id] = std::move(j);
    } else {
      nodes[id] = std::move(j);
    }
  }
  m["nodes"] = std::move(nodes);
  m["sources"] = std::move(sources);
  m["exposures"] = std::move(exposures);
  json macros = json::object();
  for (const auto& [id, mac] : project.macros) {
    json& entry = macros[id] = BaseResourceJson(mac, "macro");
    entry.update(json::object({{"macro_sql", mac.macro_sql},
                               {"depends_on", {{"macros", json::array()}}},
                               {"description", mac.description},
                               {"meta", mac.meta},
                               {"docs", {{"show", true}, {"node_color", nullptr}}},
                               {"patch_path", NullIfEmpty(mac.patch_path)},
                               {"arguments", mac.arguments},
                               {"created_at", 0.0},
                               {"supported_languages", nullptr}}));
  }
  m["macros"] = std::move(macros);
  json docs = json::object();
  for (const auto& [id, doc] : project.docs) {
    docs[id] = BaseResourceJson(doc, "doc");
    docs[id]["block_contents"] = doc.block_contents;
  }
  m["docs"] = std::move(docs);
  m["metrics"] = json::object();
  m["groups"] = json::object();
  m["selectors"] = project.selectors.is_object() ? project.selectors : json::object();
  json disabled = json::object();
  for (const auto& [id, list] : project.disabled) {
    json arr = json::array();
    for (const auto& node : list) arr.push_back(NodeToManifestJson(node));
    disabled[id] = std::move(arr);
  }
  m["disabled"] = std::move(disabled);
  m["parent_map"] = graph.ParentMap();
  m["child_map"] = graph.ChildMap();
  m["group_map"] = json::object();
  m["saved_queries"] = json::object();
  m["semantic_models"] = json::object();
  m["unit_tests"] = json::object();
  return m;
}

json BuildRunResults(const std::vector<RunResult>& results, double elapsed_seconds,
                     const ArtifactMetadata& metadata, const json& args) {
  json out = {{"metadata", MetadataJson(metadata, kRunResultsSchema)},
              {"results", json::array()},
              {"elapsed_time", elapsed_seconds},
              {"args", args.is_object() ? args : json::object()}};
  for (const auto& r : results) {
    out["results"].push_back({{"status", r.status},
                              {"timing", TimingJson(r.timing)},
                              {"thread_id", r.thread_id},
                              {"execution_time", r.execution_time},
                              {"adapter_response", r.adapter_response},
                              {"message", NullIfEmpty(r.message)},
                              {"failures", r.failures ? json(*r.failures) : json()},
                              {"unique_id", r.unique_id},
                              {"compiled", r.compiled},
                              {"compiled_code", NullIfEmpty(r.compiled_code)},
                              {"relation_name", NullIfEmpty(r.relation_name)},
                              {"batch_results", nullptr}});
  }
  return out;
}

json BuildCatalog(const std::vector<CatalogTable>& nodes, const std::vector<CatalogTable>& sources,
                  const std::vector<std::string>& errors, const ArtifactMetadata& metadata) {
  auto tables = [](const std::vector<CatalogTable>& list) {
    json out = json::object();
    for (const auto& t : list) {
      json columns = json::object();
      for (const auto& c : t.columns) {
        columns[c.name] = {{"type", c.type},
                           {"index", c.index},
                           {"name", c.name},
                           {"comment", NullIfEmpty(c.comment)}};
      }
      json stats = t.stats;
      if (stats.empty()) {
        stats["has_stats"] = {
            {"id", "has_stats"},
            {"label", "Has Stats?"},
            {"value", false},
            {"include", false},
            {"description", "Indicates whether there are statistics for this table"}};
      }
      out[t.unique_id] = {{"metadata",
                           {{"type", t.type},
                            {"schema", t.schema},
                            {"name", t.name},
                            {"database", NullIfEmpty(t.database)},
                            {"comment", NullIfEmpty(t.comment)},
                            {"owner", NullIfEmpty(t.owner)}}},
                          {"columns", columns},
                          {"stats", stats},
                          {"unique_id", t.unique_id}};
    }
    return out;
  };
  return {{"metadata", MetadataJson(metadata, kCatalogSchema)},
          {"nodes", tables(nodes)},
          {"sources", tables(sources)},
          {"errors", errors.empty() ? json() : json(errors)}};
}

json BuildSourcesJson(const std::vector<FreshnessResult>& results, double elapsed_seconds,
                      const ArtifactMetadata& metadata) {
  json out = {{"metadata", MetadataJson(metadata, kSourcesSchema)},
              {"results", json::array()},
              {"elapsed_time", elapsed_seconds}};
  for (const auto& r : results) {
    if (r.status == "runtime error") {
      out["results"].push_back(
          {{"unique_id", r.unique_id}, {"error", NullIfEmpty(r.error)}, {"status", r.status}});
      continue;
    }
    out["results"].push_back(
        {{"unique_id", r.unique_id},
         {"max_loaded_at", IsoTimestamp(r.max_loaded_at_micros)},
         {"snapshotted_at", IsoTimestamp(r.snapshotted_at_micros)},
         {"max_loaded_at_time_ago_in_s", r.age_seconds},
         {"status", r.status},
         {"criteria", FreshnessJson(r.criteria.is_null() ? json::object() : r.criteria)},
         {"adapter_response", json::object()},
         {"timing", TimingJson(r.timing)},
         {"thread_id", r.thread_id},
         {"execution_time", r.execution_time}});
  }
  return out;
}

Status WriteArtifact(FileSystem& fs, const std::string& path, const json& artifact, bool pretty) {
  std::string dir(DirName(path));
  if (!dir.empty()) STRATA_RETURN_IF_ERROR(fs.CreateDirectories(dir));
  return fs.WriteFileAtomic(
      path, artifact.dump(pretty ? 2 : -1, ' ', false, json::error_handler_t::replace));
}

}  // namespace strata::transform
