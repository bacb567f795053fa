#include "ingest/singer_connector.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <regex>

#include "common/logging.h"
#include "common/secret.h"
#include "ingest/singer_schema.h"
#include "ingest/source_config.h"
#include "ingest/subprocess.h"

namespace strata::ingest {
namespace {

constexpr size_t kMaxRawBytes = 64 * 1024;
constexpr size_t kStderrLinesKept = 20;
constexpr int kPollMillis = 200;
constexpr int kTerminateGraceMillis = 5000;

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// Config keys whose values are treated as secrets (read with ReadSecret, so
// `<key>_file` works and the value is redacted everywhere).
bool IsSecretKey(const std::string& key) {
  std::string lower = Lower(key);
  for (const char* word : {"password", "secret", "token", "key", "credential"}) {
    if (lower.find(word) != std::string::npos) return true;
  }
  return false;
}

// YAML scalars lose their type in ConfigNode; taps want JSON types, so text
// that reads as a boolean or a number becomes one (quote-free YAML habits).
nlohmann::json TypedScalar(const std::string& text) {
  if (text == "true") return true;
  if (text == "false") return false;
  static const std::regex kInteger("-?(0|[1-9][0-9]{0,17})");
  static const std::regex kNumber("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][-+]?[0-9]+)?");
  if (std::regex_match(text, kInteger)) return std::stoll(text);
  if (std::regex_match(text, kNumber)) return std::stod(text);
  return text;
}

Result<nlohmann::json> ConfigToJson(const ConfigNode& node, const std::string& base_dir) {
  switch (node.kind()) {
    case ConfigNode::Kind::kNull:
      return nlohmann::json();
    case ConfigNode::Kind::kScalar: {
      STRATA_ASSIGN_OR_RETURN(std::string text, node.As<std::string>());
      return TypedScalar(text);
    }
    case ConfigNode::Kind::kSequence: {
      nlohmann::json out = nlohmann::json::array();
      STRATA_ASSIGN_OR_RETURN(auto elements, node.Elements());
      for (const ConfigNode& element : elements) {
        STRATA_ASSIGN_OR_RETURN(nlohmann::json value, ConfigToJson(element, base_dir));
        out.push_back(std::move(value));
      }
      return out;
    }
    case ConfigNode::Kind::kMap: {
      nlohmann::json out = nlohmann::json::object();
      STRATA_ASSIGN_OR_RETURN(auto entries, node.Entries());
      for (const auto& [key, value] : entries) {
        std::string secret_key = key;
        if (key.ends_with("_file")) secret_key = key.substr(0, key.size() - 5);
        if (IsSecretKey(secret_key) && value.IsScalar()) {
          STRATA_ASSIGN_OR_RETURN(std::optional<std::string> secret,
                                  ReadSecret(node, secret_key, base_dir));
          if (secret.has_value()) out[secret_key] = *secret;
          continue;
        }
        STRATA_ASSIGN_OR_RETURN(out[key], ConfigToJson(value, base_dir));
      }
      return out;
    }
  }
  return nlohmann::json();
}

// Writes `content` to a new file readable by its owner only: the tap config
// holds secrets. POSIX directly, because FileSystem has no notion of modes and
// the tap, a separate process, needs a real file anyway.
Status WritePrivateFile(const std::string& path, const std::string& content) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError("cannot create " + path + ": " + strerror(errno));
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      close(fd);
      return Status::IOError("cannot write " + path + ": " + strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
  if (close(fd) != 0) return Status::IOError("cannot write " + path + ": " + strerror(errno));
  return Status::OK();
}

// Deletes the files it holds when it goes out of scope, whatever happened.
class FileCleanup {
 public:
  ~FileCleanup() {
    for (const std::string& path : paths_) unlink(path.c_str());
  }
  void Add(std::string path) { paths_.push_back(std::move(path)); }

 private:
  std::vector<std::string> paths_;
};

// One SCHEMA's worth of RECORDs in one spool file.
struct Segment {
  std::string spool;
  std::optional<std::string> columns;  // read_json columns, from the SCHEMA
  int64_t rows = 0;
};

class SingerConnector : public Connector {
 public:
  SingerConnector(SourceConfig source, std::vector<std::string> argv, nlohmann::json config,
                  std::string catalog_path, std::string catalog_flag)
      : source_(std::move(source)),
        argv_(std::move(argv)),
        config_(std::move(config)),
        catalog_path_(std::move(catalog_path)),
        catalog_flag_(std::move(catalog_flag)) {}

  Status Check() override;
  Status Read(const StreamConfig& stream, const nlohmann::json& state, BatchSink& sink) override;

 private:
  std::string TapName() const {
    return argv_.size() > 2 && argv_[0] == "/bin/sh" ? "tap" : argv_[0];
  }

  SourceConfig source_;
  std::vector<std::string> argv_;
  nlohmann::json config_;
  std::string catalog_path_;
  std::string catalog_flag_;
};

constexpr char kInstallTapHint[] =
    "install the tap (e.g. `pip install <tap>` in a virtualenv) or set the source's `command` to "
    "its full path";

Status SingerConnector::Check() {
  if (argv_[0].find('/') != std::string::npos) {
    if (access(argv_[0].c_str(), X_OK) != 0) {
      return Status::Unavailable("source '" + source_.name + "': '" + argv_[0] +
                                 "' is not an executable file; " + kInstallTapHint);
    }
    return Status::OK();
  }
  const char* path = getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t colon = dirs.find(':', start);
    std::string dir =
        dirs.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    if (!dir.empty() && access((dir + "/" + argv_[0]).c_str(), X_OK) == 0) return Status::OK();
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return Status::Unavailable("source '" + source_.name + "': the tap '" + argv_[0] +
                             "' is not on the PATH; " + kInstallTapHint);
}

Status SingerConnector::Read(const StreamConfig& stream, const nlohmann::json& state,
                             BatchSink& sink) {
  STRATA_ASSIGN_OR_RETURN(std::string tap_stream,
                          stream.settings.GetOr<std::string>("tap_stream", stream.name));
  const std::string context = "source '" + source_.name + "', stream '" + stream.name + "'";

  // The tap's input files live in the stream's staging directory and are
  // deleted as soon as the tap has exited.
  FileCleanup cleanup;
  std::vector<std::string> argv = argv_;
  const std::string config_path = JoinPath(sink.staging_dir(), "tap-config.json");
  STRATA_RETURN_IF_ERROR(WritePrivateFile(config_path, config_.dump()));
  cleanup.Add(config_path);
  argv.insert(argv.end(), {"--config", config_path});
  // A full refresh reads everything again (and replaces the table), so the
  // tap gets no bookmarks; other modes resume from the committed state.
  const bool pass_state = !state.is_null() && stream.sync != SyncMode::kFullRefresh;
  if (pass_state) {
    const std::string state_path = JoinPath(sink.staging_dir(), "tap-state.json");
    STRATA_RETURN_IF_ERROR(WritePrivateFile(state_path, state.dump()));
    cleanup.Add(state_path);
    argv.insert(argv.end(), {"--state", state_path});
  }
  if (!catalog_path_.empty()) argv.insert(argv.end(), {"--" + catalog_flag_, catalog_path_});

  Result<std::unique_ptr<Subprocess>> started = Subprocess::Start(argv);
  if (!started.ok()) {
    const Status& failed = started.status();
    const std::string message = context + ": " + failed.message() + "; " + kInstallTapHint;
    return RedactStatus(failed.code() == StatusCode::kNotFound ? Status::NotFound(message)
                                                               : Status::IOError(message));
  }
  std::unique_ptr<Subprocess> tap = std::move(started).value();
  STRATA_LOG(INFO).Field("source", source_.name).Field("stream", stream.name)
      << "started tap " << RedactSecrets(TapName()) << " (pid " << tap->pid() << ")";

  std::deque<std::string> last_stderr;
  nlohmann::json schema;          // the stream's latest SCHEMA
  nlohmann::json last_state;      // the latest STATE value
  std::vector<Segment> segments;  // records since the last STATE
  std::vector<BadRecord> bad;
  int64_t line_number = 0;
  int64_t spool_count = 0;
  int64_t rows_total = 0;
  int64_t bytes_total = 0;
  int64_t batch_bytes = 0;
  bool committed_any = false;
  std::unique_ptr<WritableFile> spool_file;

  auto close_spool = [&]() -> Status {
    if (spool_file == nullptr) return Status::OK();
    Status status = spool_file->Close();
    spool_file.reset();
    return status;
  };
  auto commit = [&](const nlohmann::json& state_after) -> Status {
    STRATA_RETURN_IF_ERROR(close_spool());
    if (!bad.empty()) STRATA_RETURN_IF_ERROR(sink.Quarantine(std::move(bad)));
    bad.clear();
    StagedBatch batch;
    for (const Segment& segment : segments) {
      batch.query += batch.query.empty() ? "" : " UNION ALL BY NAME ";
      batch.query += "SELECT * FROM read_json(" + engine::QuoteLiteral(segment.spool) +
                     ", format='newline_delimited', records=true, " +
                     (segment.columns.has_value() ? "columns=" + *segment.columns
                                                  : std::string("sample_size=-1")) +
                     ")";
      batch.spool_files.push_back(segment.spool);
    }
    segments.clear();
    batch.state_after = state_after;
    batch.source_bytes = batch_bytes;
    batch_bytes = 0;
    batch.replace_table = stream.sync == SyncMode::kFullRefresh && !committed_any;
    STRATA_ASSIGN_OR_RETURN(BatchCommit result, sink.Commit(std::move(batch)));
    committed_any = true;
    rows_total += result.rows;
    sink.Progress(rows_total, bytes_total);
    return Status::OK();
  };
  auto open_segment = [&]() -> Status {
    STRATA_RETURN_IF_ERROR(close_spool());
    Segment segment;
    segment.spool =
        JoinPath(sink.staging_dir(), stream.name + "-" + std::to_string(++spool_count) + ".ndjson");
    segment.columns = SchemaToReadJsonColumns(schema);
    STRATA_ASSIGN_OR_RETURN(spool_file, sink.file_system().OpenForWrite(segment.spool));
    segments.push_back(std::move(segment));
    return Status::OK();
  };
  auto quarantine = [&](const std::string& raw, std::string reason) {
    bad.push_back({stream.name, TapName(), line_number, RedactSecrets(raw.substr(0, kMaxRawBytes)),
                   std::move(reason)});
  };

  for (;;) {
    if (sink.Cancelled()) {
      tap->Terminate(kTerminateGraceMillis);
      return Status::Aborted(context + ": cancelled; the tap was stopped");
    }
    STRATA_ASSIGN_OR_RETURN(Subprocess::Output output, tap->Next(kPollMillis));
    if (output.kind == Subprocess::Output::kEnd) break;
    if (output.kind == Subprocess::Output::kIdle) continue;
    if (output.kind == Subprocess::Output::kStderr) {
      std::string line = RedactSecrets(output.line);
      STRATA_LOG(INFO).Field("source", source_.name).Field("stream", stream.name)
          << "tap: " << line;
      last_stderr.push_back(std::move(line));
      if (last_stderr.size() > kStderrLinesKept) last_stderr.pop_front();
      continue;
    }
    ++line_number;
    const std::string& line = output.line;
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    bytes_total += static_cast<int64_t>(line.size()) + 1;
    nlohmann::json message = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (message.is_discarded()) {
      quarantine(line, "not a JSON message");
      continue;
    }
    if (!message.is_object() || !message.contains("type") || !message["type"].is_string()) {
      quarantine(line, "not a Singer message (no \"type\")");
      continue;
    }
    const std::string type = message["type"].get<std::string>();
    if (type == "RECORD" || type == "SCHEMA") {
      auto name = message.find("stream");
      if (name == message.end() || !name->is_string()) {
        quarantine(line, type + " message without a \"stream\"");
        continue;
      }
      if (name->get<std::string>() != tap_stream) continue;  // another stream's
    }
    if (type == "SCHEMA") {
      auto new_schema = message.find("schema");
      if (new_schema == message.end() || !new_schema->is_object()) {
        quarantine(line, "SCHEMA message without a \"schema\" object");
        continue;
      }
      if (*new_schema == schema) continue;
      schema = *new_schema;
      // Records after a new schema go to a new segment read with its types.
      if (!segments.empty() && segments.back().rows > 0) STRATA_RETURN_IF_ERROR(close_spool());
      if (!segments.empty() && segments.back().rows == 0) {
        segments.back().columns = SchemaToReadJsonColumns(schema);
      }
    } else if (type == "RECORD") {
      auto record = message.find("record");
      if (record == message.end() || !record->is_object()) {
        quarantine(line, "RECORD message whose \"record\" is not an object");
        continue;
      }
      if (std::optional<std::string> mismatch = RecordMismatch(schema, *record)) {
        quarantine(line, *mismatch);
        continue;
      }
      if (spool_file == nullptr) STRATA_RETURN_IF_ERROR(open_segment());
      STRATA_RETURN_IF_ERROR(spool_file->Append(record->dump() + "\n"));
      segments.back().rows++;
      batch_bytes += static_cast<int64_t>(line.size()) + 1;
    } else if (type == "STATE") {
      auto value = message.find("value");
      if (value == message.end()) {
        quarantine(line, "STATE message without a \"value\"");
        continue;
      }
      if (!segments.empty()) STRATA_RETURN_IF_ERROR(commit(*value));
      last_state = *value;
    } else {
      // ACTIVATE_VERSION and newer message kinds change nothing in bronze:
      // a full refresh already replaces the table on its first batch.
      STRATA_LOG(DEBUG).Field("stream", stream.name) << "tap message ignored: " << type;
    }
  }
  STRATA_ASSIGN_OR_RETURN(int exit_code, tap->Wait());
  if (exit_code != 0) {
    // Records after the last STATE are not committed: the state that covers
    // them never came, so the next run reads them again.
    std::string tail;
    for (const std::string& l : last_stderr) tail += "\n  " + l;
    return Status::Aborted(context + ": the tap " + RedactSecrets(TapName()) +
                           " exited with status " + std::to_string(exit_code) +
                           (tail.empty() ? std::string(" and wrote nothing to stderr")
                                         : "; its last stderr lines:" + tail));
  }
  if (!segments.empty()) {
    STRATA_RETURN_IF_ERROR(commit(last_state.is_null() ? state : last_state));
  } else {
    STRATA_RETURN_IF_ERROR(close_spool());
    if (!bad.empty()) STRATA_RETURN_IF_ERROR(sink.Quarantine(std::move(bad)));
  }
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<Connector>> MakeSingerConnector(const SourceConfig& source) {
  const ConfigNode& settings = source.settings;
  STRATA_RETURN_IF_ERROR(settings.CheckKnownKeys(
      WithFrameworkKeys(kSourceKeys, {"command", "config", "catalog", "catalog_flag"})));
  for (const StreamConfig& stream : source.streams) {
    STRATA_RETURN_IF_ERROR(
        stream.settings.CheckKnownKeys(WithFrameworkKeys(kStreamKeys, {"tap_stream"})));
  }
  std::optional<ConfigNode> command = settings.Find("command");
  if (!command.has_value() || command->IsNull()) {
    return settings.Error(
        "needs 'command' (the tap to run: a list of arguments, or a string for "
        "/bin/sh -c)");
  }
  std::vector<std::string> argv;
  if (command->IsSequence()) {
    STRATA_ASSIGN_OR_RETURN(argv, command->As<std::vector<std::string>>());
    if (argv.empty()) return command->Error("must not be empty");
  } else {
    STRATA_ASSIGN_OR_RETURN(std::string line, command->As<std::string>());
    // "$@" appends --config/--state after the user's own words.
    argv = {"/bin/sh", "-c", line + " \"$@\"", "strata-tap"};
  }
  nlohmann::json config = nlohmann::json::object();
  if (std::optional<ConfigNode> node = settings.Find("config"); node && !node->IsNull()) {
    if (!node->IsMap()) return node->Error("must be a map (it becomes the tap's --config file)");
    STRATA_ASSIGN_OR_RETURN(config, ConfigToJson(*node, source.project_root));
  }
  STRATA_ASSIGN_OR_RETURN(std::string catalog, settings.GetOr<std::string>("catalog", ""));
  if (!catalog.empty() && catalog[0] != '/' && !source.project_root.empty()) {
    catalog = JoinPath(source.project_root, catalog);
  }
  STRATA_ASSIGN_OR_RETURN(std::string catalog_flag,
                          settings.GetOr<std::string>("catalog_flag", "catalog"));
  if (catalog_flag != "catalog" && catalog_flag != "properties") {
    return settings.Child("catalog_flag")->Error("must be 'catalog' or 'properties'");
  }
  return std::unique_ptr<Connector>(std::make_unique<SingerConnector>(
      source, std::move(argv), std::move(config), std::move(catalog), std::move(catalog_flag)));
}

void RegisterSingerConnector() { RegisterConnector("singer", &MakeSingerConnector); }

}  // namespace strata::ingest
