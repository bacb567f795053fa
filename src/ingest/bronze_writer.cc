#include "ingest/bronze_writer.h"

#include <unistd.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "common/logging.h"
#include "common/secret.h"
#include "ingest/schema_drift.h"
#include "lake/lake.h"

namespace strata::ingest {
namespace {

using nlohmann::json;

constexpr size_t kMaxRawBytes = 64 * 1024;
constexpr char kQuarantineStaging[] = "strata_quarantine_staging";

// Test hook for the crash tests (docs/INGEST.md): the process exits, without
// any clean-up, right after committing this many batches and before saving
// their state in the run store, the worst moment for exactly-once.
int64_t CrashAfterBatches() {
  static const int64_t value = [] {
    const char* text = std::getenv("STRATA_TEST_CRASH_AFTER_BATCHES");
    return text ? std::atoll(text) : 0;
  }();
  return value;
}
int64_t batches_committed_in_process = 0;

// DuckDB rejects strings that are not UTF-8; quarantined text is whatever the
// source held, so bytes that do not form UTF-8 become U+FFFD.
std::string ValidUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool ok = len > 0 && i + len <= text.size();
    for (size_t k = 1; ok && k < len; ++k) {
      ok = (static_cast<unsigned char>(text[i + k]) >> 6) == 2;
    }
    if (ok && c != 0) {
      out.append(text.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

lake::StringMap TableProperties(const SourceConfig& source, const std::string& stream) {
  return {{"strata.layer", "bronze"}, {"strata.source", source.name}, {"strata.stream", stream}};
}

// A table has a commit or a checkpoint in its log. A process killed while
// creating one can leave `_delta_log/` empty (or with only a temp file): that
// is no table yet, and the next run creates it.
Result<bool> IsTable(FileSystem& fs, const std::string& root) {
  auto entries = fs.ListDirectory(JoinPath(root, "_delta_log"));
  if (!entries.ok()) {
    if (entries.status().IsNotFound()) return false;
    return entries.status();
  }
  for (const FileInfo& entry : *entries) {
    const std::string_view name = BaseName(entry.path);
    const bool commit = name.size() == 25 && name.substr(20) == ".json";
    if (commit || name.find(".checkpoint.") != std::string_view::npos ||
        name == "_last_checkpoint") {
      return true;
    }
  }
  return false;
}

}  // namespace

std::string IngestAppId(const std::string& source, const std::string& stream) {
  return "strata-ingest/" + source + "/" + stream;
}

Result<StreamState> RecoverStreamState(const std::string& table_root, const std::string& app_id,
                                       const std::optional<StreamState>& stored, FileSystem& fs,
                                       engine::Connection& conn) {
  STRATA_ASSIGN_OR_RETURN(bool exists, IsTable(fs, table_root));
  if (!exists) return StreamState{};
  STRATA_ASSIGN_OR_RETURN(auto table, lake::Table::Open(table_root, fs, &conn));
  STRATA_ASSIGN_OR_RETURN(auto snapshot, table->Latest());
  const std::optional<int64_t> applied = snapshot->AppTransactionVersion(app_id);
  if (!applied) return StreamState{};
  if (stored && stored->batch_sequence == *applied) return *stored;
  // The store missed the last commit (or is ahead of a restored table): the
  // table is the truth. Its newest commits are the likeliest holders.
  for (int64_t v = snapshot->version(); v >= 0; --v) {
    auto text = fs.ReadFile(lake::CommitPath(table_root, v));
    if (!text.ok()) {
      if (text.status().IsNotFound()) break;  // older commits were cleaned up
      return text.status();
    }
    const std::string first_line = text->substr(0, text->find('\n'));
    json line = json::parse(first_line, nullptr, /*allow_exceptions=*/false);
    if (line.is_discarded() || !line.contains("commitInfo")) continue;
    const json& info = line["commitInfo"];
    if (!info.contains(kCommitInfoField)) continue;
    const json& ingest = info[kCommitInfoField];
    if (ingest.value("appId", "") == app_id && ingest.value("batch", int64_t{-1}) == *applied) {
      return StreamState{*applied, ingest.contains("state") ? ingest["state"].dump() : "null"};
    }
  }
  return Status::Corruption(table_root + ": the commit of " + app_id + " batch " +
                            std::to_string(*applied) +
                            " is not in the log any more, so its state cannot be recovered; "
                            "run with --full-refresh");
}

Result<std::unique_ptr<BronzeWriter>> BronzeWriter::Make(BronzeWriterOptions options) {
  FileSystem& fs = *options.fs;
  STRATA_ASSIGN_OR_RETURN(bool exists, fs.Exists(options.staging_dir));
  if (exists) STRATA_RETURN_IF_ERROR(fs.DeleteRecursively(options.staging_dir));
  STRATA_RETURN_IF_ERROR(fs.CreateDirectories(options.staging_dir));
  auto writer = std::unique_ptr<BronzeWriter>(new BronzeWriter(std::move(options)));
  writer->stats_.state = writer->options_.start;
  return writer;
}

BronzeWriter::~BronzeWriter() = default;

bool BronzeWriter::Cancelled() const { return options_.cancelled && options_.cancelled(); }

void BronzeWriter::Progress(int64_t rows, int64_t bytes) {
  if (options_.on_progress) options_.on_progress(rows, bytes);
}

void BronzeWriter::AddNotes(const std::vector<std::string>& notes) {
  for (const std::string& note : notes) {
    bool seen = false;
    for (const std::string& n : stats_.notes) seen = seen || n == note;
    if (seen) continue;
    STRATA_LOG(WARN).Field("source", options_.source->name).Field("stream", options_.stream->name)
        << "schema drift: " << note;
    stats_.notes.push_back(note);
  }
}

Status BronzeWriter::Quarantine(std::vector<BadRecord> records) {
  for (BadRecord& r : records) {
    if (r.stream.empty()) r.stream = options_.stream->name;
    if (r.raw.size() > kMaxRawBytes) r.raw.resize(kMaxRawBytes);
    // A connector may echo a connection string into a reason; never store secrets.
    r.raw = ValidUtf8(RedactSecrets(r.raw));
    r.reason = ValidUtf8(RedactSecrets(r.reason));
    r.file = ValidUtf8(RedactSecrets(r.file));
    stats_.bad_rows++;
    pending_bad_.push_back(std::move(r));
  }
  return Status::OK();
}

Status BronzeWriter::FlushQuarantine(std::optional<int64_t> txn_version,
                                     const std::string& batch_id) {
  if (pending_bad_.empty()) return Status::OK();
  engine::Connection& conn = *options_.conn;
  STRATA_RETURN_IF_ERROR(
      conn.Execute(std::string("CREATE OR REPLACE TEMP TABLE ") + kQuarantineStaging +
                   " (stream VARCHAR, file VARCHAR, line BIGINT, raw VARCHAR, reason VARCHAR, "
                   "_strata_batch_id VARCHAR, _strata_ingested_at TIMESTAMPTZ)"));
  STRATA_ASSIGN_OR_RETURN(auto insert,
                          conn.Prepare(std::string("INSERT INTO ") + kQuarantineStaging +
                                       " VALUES (?, ?, ?, ?, ?, ?, ?::TIMESTAMPTZ)"));
  const std::string now = TimestampLiteral(options_.clock->NowMicros());
  for (const BadRecord& r : pending_bad_) {
    STRATA_RETURN_IF_ERROR(insert->BindString(1, r.stream));
    STRATA_RETURN_IF_ERROR(insert->BindString(2, r.file));
    STRATA_RETURN_IF_ERROR(insert->BindInt64(3, r.line));
    STRATA_RETURN_IF_ERROR(insert->BindString(4, r.raw));
    STRATA_RETURN_IF_ERROR(insert->BindString(5, r.reason));
    STRATA_RETURN_IF_ERROR(insert->BindString(6, batch_id));
    STRATA_RETURN_IF_ERROR(insert->BindString(7, now));
    STRATA_RETURN_IF_ERROR(insert->Execute().status());
  }
  const std::string query = std::string("SELECT * FROM ") + kQuarantineStaging;
  FileSystem& fs = *options_.fs;
  const std::string& root = options_.quarantine_root;
  STRATA_ASSIGN_OR_RETURN(bool exists, IsTable(fs, root));
  std::unique_ptr<lake::TableWriter> writer;
  lake::WriterOptions writer_options;
  writer_options.clock = options_.clock;
  if (exists) {
    STRATA_ASSIGN_OR_RETURN(writer, lake::TableWriter::Open(root, fs, conn, writer_options));
  } else {
    STRATA_ASSIGN_OR_RETURN(lake::DataTypePtr schema, lake::QuerySchema(conn, query));
    lake::CreateTableOptions create;
    create.properties = TableProperties(*options_.source, options_.stream->name);
    create.properties["strata.quarantine"] = "true";
    create.if_not_exists = true;
    STRATA_ASSIGN_OR_RETURN(
        writer, lake::TableWriter::Create(root, *schema, create, fs, conn, writer_options));
  }
  lake::AppendOptions append;
  if (txn_version) {
    append.txn = lake::TxnId{
        "strata-ingest-quarantine/" + options_.source->name + "/" + options_.stream->name,
        *txn_version};
  }
  STRATA_RETURN_IF_ERROR(writer->Append(query, append).status());
  STRATA_RETURN_IF_ERROR(conn.Execute(std::string("DROP TABLE ") + kQuarantineStaging));
  pending_bad_.clear();
  return Status::OK();
}

Result<BatchCommit> BronzeWriter::WriteBatch(
    const std::string& staged_query, bool replace, int64_t sequence, std::string& state_json,
    int64_t& source_bytes, const std::function<Result<StreamedBatchResult>()>& finish_state) {
  engine::Connection& conn = *options_.conn;
  FileSystem& fs = *options_.fs;
  const SourceConfig& source = *options_.source;
  const StreamConfig& stream = *options_.stream;
  const std::string& root = options_.table_root;
  STRATA_ASSIGN_OR_RETURN(lake::DataTypePtr incoming, lake::QuerySchema(conn, staged_query));
  const Lineage lineage{TimestampLiteral(options_.clock->NowMicros()), source.name,
                        source.name + "." + stream.name + "." + std::to_string(sequence)};
  const lake::TxnId txn{IngestAppId(source.name, stream.name), sequence};
  auto commit_info_with = [&](const std::string& state) {
    json carried = {{"appId", txn.app_id}, {"batch", sequence}, {"runId", options_.run_id}};
    carried["state"] = json::parse(state, nullptr, /*allow_exceptions=*/false);
    if (carried["state"].is_discarded()) carried["state"] = nullptr;
    return lake::StringMap{{kCommitInfoField, carried.dump()}};
  };
  // A streamed batch's state rides in the commit too, known once its rows are.
  const lake::StringMap commit_info =
      finish_state ? lake::StringMap{} : commit_info_with(state_json);
  std::function<Result<lake::StringMap>()> late_commit_info;
  if (finish_state) {
    late_commit_info = [&]() -> Result<lake::StringMap> {
      STRATA_ASSIGN_OR_RETURN(StreamedBatchResult streamed, finish_state());
      state_json = streamed.state_after.dump();
      source_bytes = streamed.source_bytes;
      return commit_info_with(state_json);
    };
  }
  lake::WriterOptions writer_options;
  writer_options.clock = options_.clock;

  STRATA_ASSIGN_OR_RETURN(bool exists, IsTable(fs, root));
  lake::WriteResult result;
  if (!exists) {
    const std::string query = BronzeSelect(staged_query, *incoming, DriftPlan{}, lineage);
    STRATA_ASSIGN_OR_RETURN(lake::DataTypePtr schema, lake::QuerySchema(conn, query));
    lake::CreateTableOptions create;
    create.properties = TableProperties(source, stream.name);
    create.description = "Bronze copy of " + source.name + "." + stream.name;
    create.if_not_exists = true;
    STRATA_ASSIGN_OR_RETURN(
        auto writer, lake::TableWriter::Create(root, *schema, create, fs, conn, writer_options));
    STRATA_ASSIGN_OR_RETURN(result, writer->Append(query, {.merge_schema = true,
                                                           .txn = txn,
                                                           .commit_info = commit_info,
                                                           .late_commit_info = late_commit_info}));
  } else {
    STRATA_ASSIGN_OR_RETURN(auto writer, lake::TableWriter::Open(root, fs, conn, writer_options));
    STRATA_ASSIGN_OR_RETURN(auto snapshot, writer->Latest());
    if (replace) {
      // A full refresh copies the source as it is now, schema included; only
      // `fail` objects to a difference.
      const OnSchemaChange mode = source.on_schema_change == OnSchemaChange::kFail
                                      ? OnSchemaChange::kFail
                                      : OnSchemaChange::kRescue;
      STRATA_ASSIGN_OR_RETURN(DriftPlan plan,
                              PlanSchemaDrift(snapshot->schema(), *incoming, mode, stream.target));
      AddNotes(plan.notes);
      const std::string query = BronzeSelect(staged_query, *incoming, DriftPlan{}, lineage);
      lake::OverwriteOptions overwrite;
      overwrite.overwrite_schema = true;
      overwrite.txn = txn;
      overwrite.commit_info = commit_info;
      overwrite.late_commit_info = late_commit_info;
      STRATA_ASSIGN_OR_RETURN(result, writer->Overwrite(query, overwrite));
    } else {
      STRATA_ASSIGN_OR_RETURN(
          DriftPlan plan,
          PlanSchemaDrift(snapshot->schema(), *incoming, source.on_schema_change, stream.target));
      AddNotes(plan.notes);
      const std::string query = BronzeSelect(staged_query, *incoming, plan, lineage);
      STRATA_ASSIGN_OR_RETURN(result,
                              writer->Append(query, {.merge_schema = true,
                                                     .txn = txn,
                                                     .commit_info = commit_info,
                                                     .late_commit_info = late_commit_info}));
    }
  }
  if (result.already_applied && finish_state) {
    // Its rows were not read, so its state is unknown: another run of the
    // stream committed this batch number meanwhile.
    return Status::Conflict(stream.target + ": batch " + std::to_string(sequence) +
                            " was committed by another run of the stream meanwhile");
  }
  BatchCommit commit;
  commit.version = result.version;
  commit.rows = result.already_applied ? 0 : result.rows_inserted;
  commit.already_applied = result.already_applied;
  return commit;
}

Result<BatchCommit> BronzeWriter::Commit(StagedBatch batch) {
  if (batch.query.empty()) return Status::InvalidArgument("a staged batch needs a query");
  const int64_t sequence = stats_.state.batch_sequence + 1;
  const std::string batch_id =
      options_.source->name + "." + options_.stream->name + "." + std::to_string(sequence);
  // Bad records read before this batch belong to it: committed under the
  // same sequence number, a rerun that re-reads them does not add them again.
  STRATA_RETURN_IF_ERROR(FlushQuarantine(sequence, batch_id));
  const bool replace = batch.replace_table || (options_.replace_first && !replaced_);
  std::string state_json = batch.state_after.dump();
  STRATA_ASSIGN_OR_RETURN(BatchCommit commit, WriteBatch(batch.query, replace, sequence, state_json,
                                                         batch.source_bytes, batch.finish_state));
  replaced_ = replaced_ || replace;
  stats_.batches++;
  stats_.rows += commit.rows;
  stats_.bytes += batch.source_bytes;
  stats_.state = StreamState{sequence, state_json};
  if (CrashAfterBatches() > 0 && ++batches_committed_in_process >= CrashAfterBatches()) {
    _exit(86);
  }
  STRATA_RETURN_IF_ERROR(
      options_.store->SaveState(options_.source->name, options_.stream->name, stats_.state));
  for (const std::string& spool : batch.spool_files) {
    Status removed = options_.fs->DeleteFile(spool);
    if (!removed.ok()) STRATA_LOG(WARN) << "could not remove spool file: " << removed.message();
  }
  Progress(stats_.rows, stats_.bytes);
  return commit;
}

Status BronzeWriter::Finish() {
  const std::string batch_id = options_.source->name + "." + options_.stream->name + "." +
                               std::to_string(stats_.state.batch_sequence) + ".end";
  Status flushed = FlushQuarantine(std::nullopt, batch_id);
  Status removed = options_.fs->DeleteRecursively(options_.staging_dir);
  if (!removed.ok() && !removed.IsNotFound()) {
    STRATA_LOG(WARN) << "could not remove staging directory: " << removed.message();
  }
  return flushed;
}

}  // namespace strata::ingest
