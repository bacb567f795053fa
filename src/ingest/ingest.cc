#include "ingest/ingest.h"

#include <exception>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "common/logging.h"
#include "common/secret.h"
#include "engine/engine.h"
#include "ingest/bronze_writer.h"

namespace strata::ingest {
namespace {

using nlohmann::json;

struct Selected {
  const SourceConfig* source;
  std::vector<const StreamConfig*> streams;
};

Result<std::vector<Selected>> Select(const std::vector<SourceConfig>& sources,
                                     const std::vector<std::string>& selectors) {
  std::map<std::string, const SourceConfig*> by_name;
  std::string declared;
  for (const SourceConfig& s : sources) {
    by_name[s.name] = &s;
    declared += (declared.empty() ? "" : ", ") + s.name;
  }
  if (declared.empty()) declared = "none; declare them under `sources:` in strata.yml";
  std::map<const SourceConfig*, std::set<const StreamConfig*>> chosen;
  for (const std::string& selector : selectors) {
    const size_t dot = selector.find('.');
    const std::string source_name = selector.substr(0, dot);
    auto it = by_name.find(source_name);
    if (it == by_name.end()) {
      return Status::InvalidArgument("no source named '" + source_name +
                                     "' in strata.yml (sources: " + declared + ")");
    }
    const SourceConfig& source = *it->second;
    if (dot == std::string::npos) {
      for (const StreamConfig& stream : source.streams) chosen[&source].insert(&stream);
      continue;
    }
    const std::string stream_name = selector.substr(dot + 1);
    const StreamConfig* found = nullptr;
    std::string streams;
    for (const StreamConfig& stream : source.streams) {
      if (stream.name == stream_name) found = &stream;
      streams += (streams.empty() ? "" : ", ") + stream.name;
    }
    if (found == nullptr) {
      return Status::InvalidArgument("source '" + source_name + "' has no stream named '" +
                                     stream_name + "' (streams: " + streams + ")");
    }
    chosen[&source].insert(found);
  }
  std::vector<Selected> out;
  for (const SourceConfig& source : sources) {
    if (!selectors.empty() && !chosen.count(&source)) continue;
    Selected selected{&source, {}};
    for (const StreamConfig& stream : source.streams) {
      if (selectors.empty() || chosen[&source].count(&stream)) selected.streams.push_back(&stream);
    }
    out.push_back(std::move(selected));
  }
  return out;
}

std::string TablePath(const project::Project& project, const std::string& target) {
  auto [schema, table] = SplitTarget(target);
  return JoinPath(JoinPath(project.WarehousePath(), schema), table);
}

std::string QuarantinePath(const project::Project& project, const std::string& source) {
  return JoinPath(JoinPath(project.WarehousePath(), "bronze"), "_quarantine_" + source);
}

// Status for `max_bad_rows`, checked once the stream has ended.
Status CheckBadRows(const SourceConfig& source, const BronzeStats& stats) {
  if (!source.max_bad_rows || stats.bad_rows == 0) return Status::OK();
  const double limit = *source.max_bad_rows;
  const int64_t read = stats.rows + stats.bad_rows;
  const bool fraction = limit > 0 && limit < 1;
  const bool exceeded = fraction ? static_cast<double>(stats.bad_rows) > limit * read
                                 : static_cast<double>(stats.bad_rows) > limit;
  if (!exceeded) return Status::OK();
  return Status::Aborted(
      std::to_string(stats.bad_rows) + " bad rows of " + std::to_string(read) +
      " read exceed max_bad_rows " +
      (fraction ? std::to_string(limit * 100) + "%" : std::to_string(static_cast<int64_t>(limit))) +
      "; see bronze._quarantine_" + source.name + " (the " + std::to_string(stats.rows) +
      " good rows committed stay in bronze)");
}

class StreamRunner {
 public:
  StreamRunner(const project::Project& project, const IngestOptions& options, FileSystem& fs,
               Clock& clock, RunStore& store, engine::Connection& conn)
      : project_(project), options_(options), fs_(fs), clock_(clock), store_(store), conn_(conn) {}

  StreamReport Run(const SourceConfig& source, const StreamConfig& stream, Connector* connector,
                   const Status& connector_status) {
    StreamReport report;
    report.source = source.name;
    report.stream = stream.name;
    report.target = stream.target;
    const int64_t started = clock_.NowMicros();
    const int64_t started_mono = clock_.MonotonicNanos();
    auto run_id = store_.StartRun(source.name, stream.name, started);
    if (!run_id.ok()) {
      report.status = "failed";
      report.error = RedactStatus(run_id.status()).message();
      return report;
    }
    report.run_id = *run_id;
    if (options_.progress) options_.progress->Start(source.name + "." + stream.name, 0, "rows");
    BronzeStats stats;
    Status status = connector_status.ok() ? RunStream(source, stream, *connector, stats, report)
                                          : connector_status;
    if (options_.progress) options_.progress->Finish();
    report.rows = stats.rows;
    report.bytes = stats.bytes;
    report.bad_rows = stats.bad_rows;
    report.batches = stats.batches;
    report.notes.insert(report.notes.end(), stats.notes.begin(), stats.notes.end());
    report.seconds = static_cast<double>(clock_.MonotonicNanos() - started_mono) / 1e9;
    report.status = status.ok() ? "succeeded" : "failed";
    if (!status.ok()) report.error = RedactStatus(status).message();
    RunRecord record;
    record.id = report.run_id;
    record.source = source.name;
    record.stream = stream.name;
    record.started_micros = started;
    record.ended_micros = clock_.NowMicros();
    record.status = report.status;
    record.rows = stats.rows;
    record.bytes = stats.bytes;
    record.bad_rows = stats.bad_rows;
    record.error = report.error;
    record.state = RedactSecrets(stats.state.state_json);
    Status saved = store_.FinishRun(record);
    if (!saved.ok()) {
      STRATA_LOG(ERROR) << "could not record the run: " << RedactStatus(saved).message();
    }
    if (status.ok()) {
      STRATA_LOG(INFO).Field("source", source.name).Field("stream", stream.name)
          << "ingested " << stats.rows << " rows in " << stats.batches << " batches";
    } else {
      STRATA_LOG(ERROR).Field("source", source.name).Field("stream", stream.name) << report.error;
    }
    return report;
  }

 private:
  Status RunStream(const SourceConfig& source, const StreamConfig& stream, Connector& connector,
                   BronzeStats& stats, StreamReport& report) {
    const std::string table_root = TablePath(project_, stream.target);
    const std::string app_id = IngestAppId(source.name, stream.name);
    STRATA_ASSIGN_OR_RETURN(auto stored, store_.LoadState(source.name, stream.name));
    STRATA_ASSIGN_OR_RETURN(StreamState recovered,
                            RecoverStreamState(table_root, app_id, stored, fs_, conn_));
    if (!stored || stored->batch_sequence != recovered.batch_sequence ||
        stored->state_json != recovered.state_json) {
      if (stored) {
        report.notes.push_back("state recovered from the table at batch " +
                               std::to_string(recovered.batch_sequence) +
                               " (the previous run stopped between a commit and its record)");
      }
      STRATA_RETURN_IF_ERROR(store_.SaveState(source.name, stream.name, recovered));
    }
    stats.state = recovered;
    const bool full = options_.full_refresh || stream.sync == SyncMode::kFullRefresh;
    json read_state = nullptr;
    if (!full) {
      read_state = json::parse(recovered.state_json, nullptr, /*allow_exceptions=*/false);
      if (read_state.is_discarded()) read_state = nullptr;
    }
    BronzeWriterOptions writer_options;
    writer_options.source = &source;
    writer_options.stream = &stream;
    writer_options.table_root = table_root;
    writer_options.quarantine_root = QuarantinePath(project_, source.name);
    writer_options.staging_dir =
        JoinPath(JoinPath(JoinPath(project_.StateDir(), "staging"), source.name), stream.name);
    writer_options.run_id = report.run_id;
    writer_options.start = recovered;
    writer_options.replace_first = full;
    writer_options.fs = &fs_;
    writer_options.clock = &clock_;
    writer_options.conn = &conn_;
    writer_options.store = &store_;
    int64_t shown = 0;
    writer_options.on_progress = [this, &shown](int64_t rows, int64_t) {
      if (options_.progress && rows > shown) {
        options_.progress->Advance(static_cast<uint64_t>(rows - shown));
        shown = rows;
      }
    };
    writer_options.cancelled = options_.cancelled;
    STRATA_ASSIGN_OR_RETURN(auto writer, BronzeWriter::Make(std::move(writer_options)));
    Status read;
    try {
      read = connector.Read(stream, read_state, *writer);
    } catch (const std::exception& e) {
      read = Status::Internal(std::string("connector threw: ") + e.what());
    }
    Status finished = writer->Finish();
    stats = writer->stats();
    STRATA_RETURN_IF_ERROR(read);
    STRATA_RETURN_IF_ERROR(finished);
    if (options_.cancelled && options_.cancelled()) return Status::Aborted("cancelled by the user");
    return CheckBadRows(source, stats);
  }

  const project::Project& project_;
  const IngestOptions& options_;
  FileSystem& fs_;
  Clock& clock_;
  RunStore& store_;
  engine::Connection& conn_;
};

Result<std::unique_ptr<Connector>> MakeConnectorSafely(const SourceConfig& source) {
  try {
    return MakeConnector(source);
  } catch (const std::exception& e) {
    return Status::Internal("connector '" + source.connector + "' threw: " + e.what());
  }
}

}  // namespace

bool IngestReport::ok() const {
  for (const StreamReport& s : streams) {
    if (s.status == "failed") return false;
  }
  return true;
}

Result<std::vector<SourceConfig>> ProjectSources(const project::Project& project) {
  const project::ProjectConfig& config = project.config();
  if (!config.sources) return std::vector<SourceConfig>();
  return ParseSources(*config.sources, config.warehouse.schemas, project.root());
}

Result<std::unique_ptr<RunStore>> OpenProjectRunStore(const project::Project& project,
                                                      FileSystem& fs) {
  STRATA_RETURN_IF_ERROR(fs.CreateDirectories(project.StateDir()));
  return OpenSqliteRunStore(JoinPath(project.StateDir(), "metadata.db"));
}

Result<IngestReport> RunIngest(const project::Project& project, const IngestOptions& options) {
  RegisterBuiltinConnectors();
  FileSystem& fs = options.fs ? *options.fs : *FileSystem::Default();
  Clock& clock = options.clock ? *options.clock : *Clock::Default();
  STRATA_ASSIGN_OR_RETURN(std::vector<SourceConfig> sources, ProjectSources(project));
  STRATA_ASSIGN_OR_RETURN(std::vector<Selected> selected, Select(sources, options.selectors));
  IngestReport report;

  if (options.check_only) {
    for (const Selected& s : selected) {
      auto connector = MakeConnectorSafely(*s.source);
      Status status = connector.ok() ? (*connector)->Check() : connector.status();
      for (const StreamConfig* stream : s.streams) {
        StreamReport r;
        r.source = s.source->name;
        r.stream = stream->name;
        r.target = stream->target;
        r.status = status.ok() ? "checked" : "failed";
        if (!status.ok()) r.error = RedactStatus(status).message();
        report.streams.push_back(std::move(r));
      }
    }
    return report;
  }

  std::unique_ptr<RunStore> store;
  if (options.run_store_path.empty()) {
    STRATA_ASSIGN_OR_RETURN(store, OpenProjectRunStore(project, fs));
  } else {
    STRATA_ASSIGN_OR_RETURN(store, OpenSqliteRunStore(options.run_store_path));
  }
  engine::DatabaseOptions db_options;
  db_options.threads = project.config().engine.threads;
  db_options.memory_limit = project.config().engine.memory_limit;
  STRATA_ASSIGN_OR_RETURN(auto database, engine::Database::Open(db_options));
  STRATA_ASSIGN_OR_RETURN(auto conn, engine::Connection::Open(*database));
  StreamRunner runner(project, options, fs, clock, *store, *conn);
  for (const Selected& s : selected) {
    auto connector = MakeConnectorSafely(*s.source);
    const Status connector_status = connector.ok() ? Status::OK() : connector.status();
    for (const StreamConfig* stream : s.streams) {
      Connector* c = connector.ok() ? connector->get() : nullptr;
      report.streams.push_back(runner.Run(*s.source, *stream, c, connector_status));
    }
  }
  return report;
}

}  // namespace strata::ingest
