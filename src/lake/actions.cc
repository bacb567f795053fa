#include "lake/actions.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "lake/action_scanner.h"
#include "lake/json_util.h"

namespace strata::lake {
namespace {

using json_util::Field;
using json_util::GetBool;
using json_util::GetInt;
using json_util::GetString;
using json_util::GetStringList;
using json_util::GetStringMap;
using json_util::OptBool;
using json_util::OptInt;
using json_util::OptString;
using json_util::OptStringMap;
using nlohmann::json;

Result<PartitionValues> GetPartitionValues(const json& obj, const char* key, bool required) {
  PartitionValues out;
  const json* v = Field(obj, key);
  if (v == nullptr) {
    if (required) return Status::Corruption(std::string("missing required field '") + key + "'");
    return out;
  }
  if (!v->is_object()) return Status::Corruption(std::string("'") + key + "' is not an object");
  for (const auto& [k, val] : v->items()) {
    if (val.is_null()) {
      out.emplace(k, std::nullopt);
    } else if (val.is_string()) {
      out.emplace(k, val.get_ref<const std::string&>());
    } else if (val.is_primitive()) {
      // Some writers store numbers and booleans unquoted; their text is the
      // serialized form PROTOCOL.md "Partition Value Serialization" asks for.
      out.emplace(k, json_util::Dump(val));
    } else {
      return Status::Corruption("partition value of '" + k + "' is not a string");
    }
  }
  return out;
}

Result<std::optional<DeletionVectorDescriptor>> GetDv(const json& obj) {
  const json* v = Field(obj, "deletionVector");
  if (v == nullptr) return std::optional<DeletionVectorDescriptor>();
  if (!v->is_object()) return Status::Corruption("'deletionVector' is not an object");
  DeletionVectorDescriptor dv;
  STRATA_ASSIGN_OR_RETURN(dv.storage_type, GetString(*v, "storageType"));
  STRATA_ASSIGN_OR_RETURN(dv.path_or_inline_dv, GetString(*v, "pathOrInlineDv"));
  STRATA_ASSIGN_OR_RETURN(auto offset, OptInt(*v, "offset"));
  if (offset) dv.offset = static_cast<int32_t>(*offset);
  STRATA_ASSIGN_OR_RETURN(auto size, GetInt(*v, "sizeInBytes"));
  dv.size_in_bytes = static_cast<int32_t>(size);
  STRATA_ASSIGN_OR_RETURN(dv.cardinality, GetInt(*v, "cardinality"));
  STRATA_ASSIGN_OR_RETURN(dv.max_row_index, OptInt(*v, "maxRowIndex"));
  if (dv.storage_type != "u" && dv.storage_type != "i" && dv.storage_type != "p") {
    return Status::Corruption("unknown deletion vector storageType '" + dv.storage_type + "'");
  }
  return std::optional<DeletionVectorDescriptor>(std::move(dv));
}

// Stats arrive as JSON text in commits and as a struct (`stats_parsed`) in
// checkpoints that were turned into JSON by the checkpoint reader.
Result<std::optional<std::string>> GetJsonText(const json& obj, const char* key) {
  const json* v = Field(obj, key);
  if (v == nullptr) return std::optional<std::string>();
  if (v->is_string()) return std::optional<std::string>(v->get_ref<const std::string&>());
  return std::optional<std::string>(json_util::Dump(*v));
}

Result<Action> ParseProtocol(const json& o) {
  Protocol p;
  STRATA_ASSIGN_OR_RETURN(auto r, GetInt(o, "minReaderVersion"));
  STRATA_ASSIGN_OR_RETURN(auto w, GetInt(o, "minWriterVersion"));
  p.min_reader_version = static_cast<int32_t>(r);
  p.min_writer_version = static_cast<int32_t>(w);
  if (Field(o, "readerFeatures") != nullptr) {
    STRATA_ASSIGN_OR_RETURN(p.reader_features, GetStringList(o, "readerFeatures"));
  }
  if (Field(o, "writerFeatures") != nullptr) {
    STRATA_ASSIGN_OR_RETURN(p.writer_features, GetStringList(o, "writerFeatures"));
  }
  return Action(std::move(p));
}

Result<Action> ParseMetadata(const json& o) {
  Metadata m;
  STRATA_ASSIGN_OR_RETURN(m.id, GetString(o, "id"));
  STRATA_ASSIGN_OR_RETURN(m.name, OptString(o, "name"));
  STRATA_ASSIGN_OR_RETURN(m.description, OptString(o, "description"));
  if (const json* f = Field(o, "format"); f != nullptr && f->is_object()) {
    STRATA_ASSIGN_OR_RETURN(auto provider, OptString(*f, "provider"));
    if (provider) m.format.provider = *provider;
    STRATA_ASSIGN_OR_RETURN(auto options, OptStringMap(*f, "options"));
    if (options) m.format.options = std::move(*options);
  }
  STRATA_ASSIGN_OR_RETURN(m.schema_string, GetString(o, "schemaString"));
  if (Field(o, "partitionColumns") != nullptr) {
    STRATA_ASSIGN_OR_RETURN(m.partition_columns, GetStringList(o, "partitionColumns"));
  }
  STRATA_ASSIGN_OR_RETURN(auto conf, OptStringMap(o, "configuration"));
  if (conf) m.configuration = std::move(*conf);
  STRATA_ASSIGN_OR_RETURN(m.created_time, OptInt(o, "createdTime"));
  return Action(std::move(m));
}

Result<Action> ParseAdd(const json& o) {
  AddFile a;
  STRATA_ASSIGN_OR_RETURN(a.path, GetString(o, "path"));
  STRATA_ASSIGN_OR_RETURN(a.partition_values, GetPartitionValues(o, "partitionValues", false));
  STRATA_ASSIGN_OR_RETURN(a.size, GetInt(o, "size"));
  STRATA_ASSIGN_OR_RETURN(auto mtime, OptInt(o, "modificationTime"));
  a.modification_time = mtime.value_or(0);
  STRATA_ASSIGN_OR_RETURN(auto dc, OptBool(o, "dataChange"));
  a.data_change = dc.value_or(true);
  STRATA_ASSIGN_OR_RETURN(a.stats, GetJsonText(o, "stats"));
  STRATA_ASSIGN_OR_RETURN(a.stats_parsed, GetJsonText(o, "stats_parsed"));
  STRATA_ASSIGN_OR_RETURN(a.tags, OptStringMap(o, "tags"));
  STRATA_ASSIGN_OR_RETURN(a.deletion_vector, GetDv(o));
  STRATA_ASSIGN_OR_RETURN(a.base_row_id, OptInt(o, "baseRowId"));
  STRATA_ASSIGN_OR_RETURN(a.default_row_commit_version, OptInt(o, "defaultRowCommitVersion"));
  STRATA_ASSIGN_OR_RETURN(a.clustering_provider, OptString(o, "clusteringProvider"));
  return Action(std::move(a));
}

Result<Action> ParseRemove(const json& o) {
  RemoveFile r;
  STRATA_ASSIGN_OR_RETURN(r.path, GetString(o, "path"));
  STRATA_ASSIGN_OR_RETURN(r.deletion_timestamp, OptInt(o, "deletionTimestamp"));
  STRATA_ASSIGN_OR_RETURN(auto dc, OptBool(o, "dataChange"));
  r.data_change = dc.value_or(true);
  STRATA_ASSIGN_OR_RETURN(r.extended_file_metadata, OptBool(o, "extendedFileMetadata"));
  if (Field(o, "partitionValues") != nullptr) {
    STRATA_ASSIGN_OR_RETURN(r.partition_values, GetPartitionValues(o, "partitionValues", true));
  }
  STRATA_ASSIGN_OR_RETURN(r.size, OptInt(o, "size"));
  STRATA_ASSIGN_OR_RETURN(r.stats, GetJsonText(o, "stats"));
  STRATA_ASSIGN_OR_RETURN(r.tags, OptStringMap(o, "tags"));
  STRATA_ASSIGN_OR_RETURN(r.deletion_vector, GetDv(o));
  STRATA_ASSIGN_OR_RETURN(r.base_row_id, OptInt(o, "baseRowId"));
  STRATA_ASSIGN_OR_RETURN(r.default_row_commit_version, OptInt(o, "defaultRowCommitVersion"));
  return Action(std::move(r));
}

Result<Action> ParseCdc(const json& o) {
  AddCdcFile c;
  STRATA_ASSIGN_OR_RETURN(c.path, GetString(o, "path"));
  STRATA_ASSIGN_OR_RETURN(c.partition_values, GetPartitionValues(o, "partitionValues", false));
  STRATA_ASSIGN_OR_RETURN(auto size, OptInt(o, "size"));
  c.size = size.value_or(0);
  STRATA_ASSIGN_OR_RETURN(auto dc, OptBool(o, "dataChange"));
  c.data_change = dc.value_or(false);
  STRATA_ASSIGN_OR_RETURN(c.tags, OptStringMap(o, "tags"));
  return Action(std::move(c));
}

Result<Action> ParseTxn(const json& o) {
  Txn t;
  STRATA_ASSIGN_OR_RETURN(t.app_id, GetString(o, "appId"));
  STRATA_ASSIGN_OR_RETURN(t.version, GetInt(o, "version"));
  STRATA_ASSIGN_OR_RETURN(t.last_updated, OptInt(o, "lastUpdated"));
  return Action(std::move(t));
}

Result<Action> ParseCommitInfo(const json& o) {
  CommitInfo c;
  // commitInfo is free-form: a field of an unexpected type is not an error.
  if (auto t = OptInt(o, "timestamp"); t.ok()) c.timestamp = *t;
  if (auto t = OptInt(o, "inCommitTimestamp"); t.ok()) c.in_commit_timestamp = *t;
  if (auto op = OptString(o, "operation"); op.ok()) c.operation = *op;
  c.json = json_util::Dump(o);
  return Action(std::move(c));
}

Result<Action> ParseDomainMetadata(const json& o) {
  DomainMetadata d;
  STRATA_ASSIGN_OR_RETURN(d.domain, GetString(o, "domain"));
  STRATA_ASSIGN_OR_RETURN(auto conf, OptString(o, "configuration"));
  d.configuration = conf.value_or("");
  STRATA_ASSIGN_OR_RETURN(auto removed, OptBool(o, "removed"));
  d.removed = removed.value_or(false);
  return Action(std::move(d));
}

Result<Action> ParseCheckpointMetadata(const json& o) {
  CheckpointMetadata c;
  STRATA_ASSIGN_OR_RETURN(c.version, GetInt(o, "version"));
  STRATA_ASSIGN_OR_RETURN(c.tags, OptStringMap(o, "tags"));
  return Action(std::move(c));
}

Result<Action> ParseSidecar(const json& o) {
  Sidecar s;
  STRATA_ASSIGN_OR_RETURN(s.path, GetString(o, "path"));
  STRATA_ASSIGN_OR_RETURN(auto size, OptInt(o, "sizeInBytes"));
  s.size_in_bytes = size.value_or(0);
  STRATA_ASSIGN_OR_RETURN(auto mtime, OptInt(o, "modificationTime"));
  s.modification_time = mtime.value_or(0);
  STRATA_ASSIGN_OR_RETURN(s.tags, OptStringMap(o, "tags"));
  return Action(std::move(s));
}

using Parser = Result<Action> (*)(const json&);
struct Kind {
  const char* key;
  Parser parse;
};
constexpr Kind kKinds[] = {
    {"protocol", ParseProtocol},
    {"metaData", ParseMetadata},
    {"add", ParseAdd},
    {"remove", ParseRemove},
    {"cdc", ParseCdc},
    {"txn", ParseTxn},
    {"commitInfo", ParseCommitInfo},
    {"domainMetadata", ParseDomainMetadata},
    {"checkpointMetadata", ParseCheckpointMetadata},
    {"sidecar", ParseSidecar},
};

// ---- serialization ----

void PutOpt(json& o, const char* key, const std::optional<int64_t>& v) {
  if (v) o[key] = *v;
}
void PutOpt(json& o, const char* key, const std::optional<std::string>& v) {
  if (v) o[key] = *v;
}
void PutOpt(json& o, const char* key, const std::optional<StringMap>& v) {
  if (v) o[key] = *v;
}

json PartitionValuesJson(const PartitionValues& pv) {
  json o = json::object();
  for (const auto& [k, v] : pv) o[k] = v ? json(*v) : json(nullptr);
  return o;
}

json DvJson(const DeletionVectorDescriptor& dv) {
  json o = {{"storageType", dv.storage_type}, {"pathOrInlineDv", dv.path_or_inline_dv}};
  if (dv.offset) o["offset"] = *dv.offset;
  o["sizeInBytes"] = dv.size_in_bytes;
  o["cardinality"] = dv.cardinality;
  PutOpt(o, "maxRowIndex", dv.max_row_index);
  return o;
}

struct ToJsonVisitor {
  json operator()(const Protocol& p) const {
    json o = {{"minReaderVersion", p.min_reader_version},
              {"minWriterVersion", p.min_writer_version}};
    if (p.reader_features) o["readerFeatures"] = *p.reader_features;
    if (p.writer_features) o["writerFeatures"] = *p.writer_features;
    return {{"protocol", o}};
  }
  json operator()(const Metadata& m) const {
    json o = {{"id", m.id}};
    PutOpt(o, "name", m.name);
    PutOpt(o, "description", m.description);
    o["format"] = {{"provider", m.format.provider}, {"options", m.format.options}};
    o["schemaString"] = m.schema_string;
    o["partitionColumns"] = m.partition_columns;
    o["configuration"] = m.configuration;
    PutOpt(o, "createdTime", m.created_time);
    return {{"metaData", o}};
  }
  json operator()(const AddFile& a) const {
    json o = {{"path", a.path},
              {"partitionValues", PartitionValuesJson(a.partition_values)},
              {"size", a.size},
              {"modificationTime", a.modification_time},
              {"dataChange", a.data_change}};
    PutOpt(o, "stats", a.stats);
    PutOpt(o, "tags", a.tags);
    if (a.deletion_vector) o["deletionVector"] = DvJson(*a.deletion_vector);
    PutOpt(o, "baseRowId", a.base_row_id);
    PutOpt(o, "defaultRowCommitVersion", a.default_row_commit_version);
    PutOpt(o, "clusteringProvider", a.clustering_provider);
    return {{"add", o}};
  }
  json operator()(const RemoveFile& r) const {
    json o = {{"path", r.path}};
    PutOpt(o, "deletionTimestamp", r.deletion_timestamp);
    o["dataChange"] = r.data_change;
    if (r.extended_file_metadata) o["extendedFileMetadata"] = *r.extended_file_metadata;
    if (r.partition_values) o["partitionValues"] = PartitionValuesJson(*r.partition_values);
    PutOpt(o, "size", r.size);
    PutOpt(o, "stats", r.stats);
    PutOpt(o, "tags", r.tags);
    if (r.deletion_vector) o["deletionVector"] = DvJson(*r.deletion_vector);
    PutOpt(o, "baseRowId", r.base_row_id);
    PutOpt(o, "defaultRowCommitVersion", r.default_row_commit_version);
    return {{"remove", o}};
  }
  json operator()(const AddCdcFile& c) const {
    json o = {{"path", c.path},
              {"partitionValues", PartitionValuesJson(c.partition_values)},
              {"size", c.size},
              {"dataChange", c.data_change}};
    PutOpt(o, "tags", c.tags);
    return {{"cdc", o}};
  }
  json operator()(const Txn& t) const {
    json o = {{"appId", t.app_id}, {"version", t.version}};
    PutOpt(o, "lastUpdated", t.last_updated);
    return {{"txn", o}};
  }
  json operator()(const CommitInfo& c) const {
    json o = json::parse(c.json, nullptr, /*allow_exceptions=*/false);
    if (!o.is_object()) o = json::object();
    PutOpt(o, "timestamp", c.timestamp);
    PutOpt(o, "inCommitTimestamp", c.in_commit_timestamp);
    PutOpt(o, "operation", c.operation);
    return {{"commitInfo", o}};
  }
  json operator()(const DomainMetadata& d) const {
    return {{"domainMetadata",
             {{"domain", d.domain}, {"configuration", d.configuration}, {"removed", d.removed}}}};
  }
  json operator()(const CheckpointMetadata& c) const {
    json o = {{"version", c.version}};
    PutOpt(o, "tags", c.tags);
    return {{"checkpointMetadata", o}};
  }
  json operator()(const Sidecar& s) const {
    json o = {{"path", s.path},
              {"sizeInBytes", s.size_in_bytes},
              {"modificationTime", s.modification_time}};
    PutOpt(o, "tags", s.tags);
    return {{"sidecar", o}};
  }
};

}  // namespace

std::string DeletionVectorDescriptor::UniqueId() const {
  std::string id = storage_type + path_or_inline_dv;
  if (offset) id += "@" + std::to_string(*offset);
  return id;
}

Result<std::optional<Action>> ParseActionLine(std::string_view line) {
  if (std::optional<Action> fast = ScanFileActionLine(line)) {
    return std::optional<Action>(std::move(*fast));
  }
  return ParseActionLineWithDom(line);
}

Result<std::optional<Action>> ParseActionLineWithDom(std::string_view line) {
  json doc = json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::Corruption("not valid JSON");
  if (!doc.is_object()) return Status::Corruption("an action line must be a JSON object");
  if (doc.size() != 1) {
    return Status::Corruption("an action line must hold exactly one action, found " +
                              std::to_string(doc.size()) + " keys");
  }
  auto first = doc.cbegin();
  const std::string& key = first.key();
  const json& body = first.value();
  for (const Kind& kind : kKinds) {
    if (key != kind.key) continue;
    if (!body.is_object()) return Status::Corruption("action '" + key + "' is not an object");
    auto action = kind.parse(body);
    if (!action.ok()) return action.status().WithContext("in '" + key + "' action");
    return std::optional<Action>(std::move(action).value());
  }
  return std::optional<Action>();  // an action kind from a newer protocol: skip
}

Result<std::optional<DeletionVectorDescriptor>> ParseDeletionVectorJson(std::string_view text) {
  STRATA_ASSIGN_OR_RETURN(json doc, json_util::Parse(text));
  json holder = json::object();
  holder["deletionVector"] = std::move(doc);
  return GetDv(holder);
}

Result<std::vector<Action>> ParseCommit(std::string_view contents) {
  std::vector<Action> actions;
  // One action per line: sizing the vector up front saves moving every
  // action on each growth (they are large; logs of 100k adds per commit exist).
  actions.reserve(static_cast<size_t>(std::count(contents.begin(), contents.end(), '\n')) + 1);
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < contents.size()) {
    size_t end = contents.find('\n', pos);
    if (end == std::string_view::npos) end = contents.size();
    std::string_view line = contents.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    auto action = ParseActionLine(line);
    if (!action.ok()) return action.status().WithContext("line " + std::to_string(line_no));
    if (action->has_value()) actions.push_back(std::move(**action));
  }
  return actions;
}

std::string ActionToJson(const Action& action) {
  return json_util::Dump(std::visit(ToJsonVisitor{}, action));
}

std::string SerializeCommit(const std::vector<Action>& actions) {
  std::string out;
  for (const Action& a : actions) {
    out += ActionToJson(a);
    out += '\n';
  }
  return out;
}

}  // namespace strata::lake
