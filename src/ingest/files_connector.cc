#include "ingest/files_connector.h"

#include <string_view>
#include <vector>

#include "ingest/file_tracker.h"
#include "ingest/source_config.h"

namespace strata::ingest {
namespace {

using files::FileFormat;
using files::ReadOptions;

// Keys of the connector's own, allowed in a stream and (as defaults for every
// stream) in the source, beside the framework's (source_config.h).
const std::vector<std::string_view> kReadKeys = {
    "path",    "format",      "record_path",      "delimiter",    "quote",    "escape",   "header",
    "columns", "date_format", "timestamp_format", "null_strings", "encoding", "skip_rows"};

// Applies the keys present in `node` (a map or null) over `options`.
Status ApplyReadKeys(const ConfigNode& node, ReadOptions& options, std::string& path) {
  if (!node.IsMap()) return Status::OK();
  STRATA_ASSIGN_OR_RETURN(path, node.GetOr<std::string>("path", path));
  if (node.Has("format")) {
    STRATA_ASSIGN_OR_RETURN(std::string format, node.Get<std::string>("format"));
    Result<FileFormat> parsed = files::ParseFileFormat(format);
    if (!parsed.ok()) return node.Find("format")->Error(parsed.status().message());
    options.format = *parsed;
  }
  STRATA_ASSIGN_OR_RETURN(options.record_path,
                          node.GetOr<std::string>("record_path", options.record_path));
  STRATA_ASSIGN_OR_RETURN(options.delimiter,
                          node.GetOr<std::string>("delimiter", options.delimiter));
  STRATA_ASSIGN_OR_RETURN(options.quote, node.GetOr<std::string>("quote", options.quote));
  STRATA_ASSIGN_OR_RETURN(options.escape, node.GetOr<std::string>("escape", options.escape));
  if (node.Has("header")) {
    STRATA_ASSIGN_OR_RETURN(bool header, node.Get<bool>("header"));
    options.header = header;
  }
  if (node.Has("columns")) {
    STRATA_ASSIGN_OR_RETURN(ConfigNode columns, node.Child("columns"));
    if (!columns.IsMap()) return columns.Error("must be a map of column name to SQL type");
    STRATA_ASSIGN_OR_RETURN(auto entries, columns.Entries());
    options.columns.clear();
    for (const auto& [name, type_node] : entries) {
      STRATA_ASSIGN_OR_RETURN(std::string type, type_node.As<std::string>());
      options.columns.emplace_back(name, type);
    }
  }
  STRATA_ASSIGN_OR_RETURN(options.date_format,
                          node.GetOr<std::string>("date_format", options.date_format));
  STRATA_ASSIGN_OR_RETURN(options.timestamp_format,
                          node.GetOr<std::string>("timestamp_format", options.timestamp_format));
  if (std::optional<ConfigNode> nulls = node.Find("null_strings"); nulls && !nulls->IsNull()) {
    if (nulls->IsScalar()) {
      STRATA_ASSIGN_OR_RETURN(std::string one, nulls->As<std::string>());
      options.null_strings = {one};
    } else {
      STRATA_ASSIGN_OR_RETURN(options.null_strings, nulls->As<std::vector<std::string>>());
    }
  }
  STRATA_ASSIGN_OR_RETURN(options.encoding, node.GetOr<std::string>("encoding", options.encoding));
  STRATA_ASSIGN_OR_RETURN(options.skip_rows, node.GetOr<int64_t>("skip_rows", options.skip_rows));
  return Status::OK();
}

struct StreamPlan {
  ReadOptions options;
  std::string path;
};

Result<StreamPlan> PlanStream(const SourceConfig& source, const StreamConfig& stream) {
  StreamPlan plan;
  STRATA_RETURN_IF_ERROR(ApplyReadKeys(source.settings, plan.options, plan.path));
  STRATA_RETURN_IF_ERROR(ApplyReadKeys(stream.settings, plan.options, plan.path));
  if (plan.path.empty()) {
    return Status::InvalidArgument(
        "source '" + source.name + "', stream '" + stream.name +
        "': 'path' is required (a file or glob relative to the project)");
  }
  return plan;
}

// The stream state after a batch: the files so far and the JSON field types.
nlohmann::json StateJson(const files::FileStates& files, const files::JsonFieldTypes& json_types) {
  nlohmann::json state = files::FileStatesToJson(files);
  state["json_types"] = json_types.ToJson();
  return state;
}

std::string Trimmed(std::string message) {
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return message;
}

}  // namespace

Result<files::ReadOptions> ParseFilesReadOptions(const SourceConfig& source,
                                                 const StreamConfig& stream) {
  STRATA_ASSIGN_OR_RETURN(StreamPlan plan, PlanStream(source, stream));
  return plan.options;
}

Result<std::unique_ptr<Connector>> FilesConnector::Make(const SourceConfig& source) {
  std::vector<std::string_view> source_keys = kReadKeys;
  source_keys.push_back("root");
  STRATA_RETURN_IF_ERROR(
      source.settings.CheckKnownKeys(WithFrameworkKeys(kSourceKeys, std::move(source_keys))));
  for (const StreamConfig& stream : source.streams) {
    STRATA_RETURN_IF_ERROR(
        stream.settings.CheckKnownKeys(WithFrameworkKeys(kStreamKeys, kReadKeys)));
    STRATA_RETURN_IF_ERROR(PlanStream(source, stream).status());
  }
  return std::unique_ptr<Connector>(new FilesConnector(source));
}

Result<std::string> FilesConnector::Root() const {
  STRATA_ASSIGN_OR_RETURN(std::string root, source_.settings.IsMap()
                                                ? source_.settings.GetOr<std::string>("root", "")
                                                : Result<std::string>(std::string()));
  if (!root.empty() && root[0] == '/') return root;
  return JoinPath(source_.project_root, root);
}

Status FilesConnector::Check() {
  STRATA_ASSIGN_OR_RETURN(std::string root, Root());
  for (const StreamConfig& stream : source_.streams) {
    STRATA_ASSIGN_OR_RETURN(StreamPlan plan, PlanStream(source_, stream));
    Result<std::vector<FileInfo>> found =
        files::ExpandFilePattern(*FileSystem::Default(), root, plan.path);
    if (!found.ok()) {
      return found.status().WithContext("source '" + source_.name + "', stream '" + stream.name +
                                        "'");
    }
  }
  return Status::OK();
}

Status FilesConnector::Read(const StreamConfig& stream, const nlohmann::json& state,
                            BatchSink& sink) {
  const std::string context = "source '" + source_.name + "', stream '" + stream.name + "'";
  STRATA_ASSIGN_OR_RETURN(StreamPlan plan, PlanStream(source_, stream));
  STRATA_ASSIGN_OR_RETURN(std::string root, Root());
  FileSystem& fs = sink.file_system();
  engine::Connection& conn = sink.connection();
  Result<std::vector<FileInfo>> listed = files::ExpandFilePattern(fs, root, plan.path);
  if (!listed.ok()) return listed.status().WithContext(context);

  const bool full_refresh = stream.sync == SyncMode::kFullRefresh;
  // A full refresh replaces the table: its JSON fields are typed afresh.
  Result<files::FileStates> previous_files = files::FileStatesFromJson(state);
  Result<files::JsonFieldTypes> stored_types =
      files::JsonFieldTypes::FromState(full_refresh ? nullptr : state);
  for (const Status& parsed : {previous_files.status(), stored_types.status()}) {
    if (!parsed.ok()) {
      return Status::Corruption(context + ": " + parsed.message() + "; `strata ingest " +
                                source_.name + "." + stream.name +
                                " --full-refresh` reloads the stream from scratch");
    }
  }
  files::FileStates previous = std::move(previous_files).value();
  files::JsonFieldTypes json_types = std::move(stored_types).value();
  // The state after each batch: the files ingested so far. Full refresh
  // starts from nothing; append keeps what is still there (a deleted file is
  // forgotten, so it loads again if it comes back).
  files::FileStates next;
  if (!full_refresh) {
    for (const FileInfo& file : *listed) {
      auto it = previous.find(file.path);
      if (it != previous.end()) next[file.path] = it->second;
    }
  }
  bool state_changed = !full_refresh && next.size() != previous.size();
  bool first_batch = true;
  int64_t rows = 0;
  int64_t bytes = 0;
  int slot = 0;
  bool quarantine_pending = false;  // records quarantined since the last commit

  for (const FileInfo& file : *listed) {
    if (sink.Cancelled()) break;
    const std::string absolute = file.path[0] == '/' ? file.path : JoinPath(root, file.path);
    const std::string& label = file.path;
    files::TrackedFile tracked{file.size, file.mtime_micros, ""};
    auto known = previous.find(file.path);
    if (!full_refresh && known != previous.end() && known->second.size == file.size &&
        known->second.mtime_micros == file.mtime_micros) {
      continue;
    }
    // Compared with the algorithm the state recorded (SHA-256 in states of
    // older versions); recorded anew with the default one.
    const std::string recorded_algorithm = !full_refresh && known != previous.end()
                                               ? files::ChecksumAlgorithm(known->second.checksum)
                                               : std::string();
    Result<std::string> checksum = files::FileChecksum(
        fs, absolute, recorded_algorithm == "sha256" ? "sha256" : files::kDefaultChecksum);
    if (!checksum.ok()) return checksum.status().WithContext(context + ", file '" + label + "'");
    tracked.checksum = *checksum;
    if (!recorded_algorithm.empty() && known->second.checksum == tracked.checksum) {
      next[file.path] = tracked;  // touched, same bytes: remember the new mtime only
      state_changed = true;
      continue;
    }
    if (files::ChecksumAlgorithm(tracked.checksum) != files::kDefaultChecksum) {
      checksum = files::FileChecksum(fs, absolute);
      if (!checksum.ok()) return checksum.status().WithContext(context + ", file '" + label + "'");
      tracked.checksum = *checksum;
    }

    std::optional<FileFormat> format = plan.options.format;
    if (!format.has_value()) format = files::FormatFromExtension(file.path);
    next[file.path] = tracked;
    bytes += static_cast<int64_t>(file.size);
    // A CSV is first read straight into the batch (one parse), unless bad
    // records of earlier files wait to be committed with this batch: a failed
    // direct commit would already have written them under this batch's
    // number, and the retry's own would then be taken for a repeat.
    files::CsvStaging csv_staging =
        quarantine_pending ? files::CsvStaging::kTolerant : files::CsvStaging::kDirectFirst;
    while (true) {
      Result<files::StagedFile> staged = files::StagedFile{};
      if (!format.has_value()) {
        staged->has_rows = false;
        staged->bad_records.push_back(
            {"", label, 0, "",
             "cannot tell the format from the file name; set 'format' on the stream"});
      } else if (file.size == 0) {
        staged->has_rows = false;
        staged->bad_records.push_back({"", label, 0, "", "the file is empty"});
      } else {
        ++slot;
        switch (*format) {
          case FileFormat::kCsv:
            staged = files::StageCsv(conn, absolute, label, plan.options, sink.staging_dir(), slot,
                                     csv_staging);
            break;
          case FileFormat::kJson:
            staged = files::StageJson(conn, fs, absolute, label, plan.options, slot, &json_types);
            break;
          case FileFormat::kNdjson:
            staged = files::StageNdjson(conn, absolute, label, slot, &json_types);
            break;
          case FileFormat::kParquet:
            staged = files::StageParquet(conn, absolute, label, slot);
            break;
          case FileFormat::kXml:
            staged =
                files::StageXml(conn, fs, absolute, label, plan.options, sink.staging_dir(), slot);
            break;
        }
      }
      if (!staged.ok()) return staged.status().WithContext(context + ", file '" + label + "'");
      for (BadRecord& bad : staged->bad_records) {
        bad.stream = stream.name;
        bad.reason = Trimmed(std::move(bad.reason));
      }
      if (!staged->bad_records.empty()) {
        STRATA_RETURN_IF_ERROR(sink.Quarantine(std::move(staged->bad_records)));
        quarantine_pending = true;
      }
      if (!staged->has_rows) {
        for (const std::string& sql : staged->cleanup_sql) (void)conn.Execute(sql);
        for (const std::string& spool : staged->spool_files)
          (void)FileSystem::Default()->DeleteFile(spool);
        state_changed = true;
        break;
      }
      StagedBatch batch;
      batch.query = staged->query;
      batch.state_after = StateJson(next, json_types);
      batch.source_bytes = static_cast<int64_t>(file.size);
      batch.replace_table = full_refresh && first_batch;
      batch.spool_files = staged->spool_files;
      Result<BatchCommit> committed = sink.Commit(std::move(batch));
      for (const std::string& sql : staged->cleanup_sql) (void)conn.Execute(sql);
      if (!committed.ok() && staged->direct && committed.status().IsInvalidArgument()) {
        // A bad record past the first rows (the query failed, nothing was
        // committed): read the file again, keeping the good rows.
        csv_staging = files::CsvStaging::kTolerant;
        continue;
      }
      if (!committed.ok())
        return committed.status().WithContext(context + ", file '" + label + "'");
      first_batch = false;
      state_changed = false;
      quarantine_pending = false;
      rows += committed->rows;
      break;
    }
    sink.Progress(rows, bytes);
  }

  // Files that changed the state without giving rows (empty, unreadable,
  // touched) are recorded by a batch of no rows, so they are not looked at
  // again; a full refresh that found no rows at all empties the table.
  if (state_changed || (full_refresh && first_batch && !sink.Cancelled())) {
    StagedBatch batch;
    batch.query = "SELECT NULL::VARCHAR AS _strata_file, NULL::BIGINT AS _strata_row WHERE false";
    batch.state_after = StateJson(next, json_types);
    batch.replace_table = full_refresh && first_batch;
    Result<BatchCommit> committed = sink.Commit(std::move(batch));
    if (!committed.ok()) return committed.status().WithContext(context);
  }
  return Status::OK();
}

void RegisterFilesConnector() { RegisterConnector("files", &FilesConnector::Make); }

}  // namespace strata::ingest
