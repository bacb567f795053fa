#include "lake/transaction.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>

#include "lake/checkpoint_writer.h"
#include "lake/file_writer.h"
#include "lake/json_util.h"
#include "lake/lake.h"

namespace strata::lake {
namespace {

using nlohmann::json;

int64_t JitterMicros(int attempt, int64_t max_micros) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  int64_t cap = std::min<int64_t>(max_micros, 100LL * attempt);
  if (cap <= 0) return 0;
  return static_cast<int64_t>(rng() % static_cast<uint64_t>(cap + 1));
}

}  // namespace

std::string CommitPath(const std::string& root, int64_t version) {
  char name[32];
  std::snprintf(name, sizeof name, "%020lld.json", static_cast<long long>(version));
  return JoinPath(JoinPath(root, "_delta_log"), name);
}

Transaction::Transaction(std::string root, FileSystem& fs, engine::Connection& conn,
                         TransactionOptions options, std::unique_ptr<Snapshot> snapshot)
    : root_(std::move(root)),
      fs_(fs),
      conn_(conn),
      options_(options),
      clock_(options.clock != nullptr ? *options.clock : *Clock::Default()),
      snapshot_(std::move(snapshot)),
      txn_uuid_(NewUuid()) {
  if (snapshot_) {
    pending_.schema = snapshot_->schema_ptr();
    pending_.partition_columns = snapshot_->metadata().partition_columns;
  }
}

Result<std::unique_ptr<Transaction>> Transaction::Begin(const std::string& root, FileSystem& fs,
                                                        engine::Connection& conn,
                                                        TransactionOptions options) {
  STRATA_ASSIGN_OR_RETURN(auto table, Table::Open(root, fs, &conn));
  STRATA_ASSIGN_OR_RETURN(auto snapshot, table->Latest());
  return std::unique_ptr<Transaction>(
      new Transaction(table->root(), fs, conn, options, std::move(snapshot)));
}

std::unique_ptr<Transaction> Transaction::BeginCreate(const std::string& root, FileSystem& fs,
                                                      engine::Connection& conn,
                                                      TransactionOptions options) {
  return std::unique_ptr<Transaction>(new Transaction(root, fs, conn, options, nullptr));
}

void Transaction::SetOperation(std::string operation, StringMap parameters) {
  operation_ = std::move(operation);
  parameters_ = std::move(parameters);
  pending_.operation = operation_;
}

void Transaction::SetMetric(const std::string& name, int64_t value) {
  metrics_[name] = std::to_string(value);
}

void Transaction::SetCommitInfoField(const std::string& name, std::string value_json) {
  extra_info_[name] = std::move(value_json);
}

void Transaction::SetProtocol(Protocol protocol) {
  protocol_ = std::move(protocol);
  pending_.changes_metadata = true;
}

void Transaction::SetMetadata(Metadata metadata) {
  metadata_ = std::move(metadata);
  pending_.changes_metadata = true;
}

const Protocol* Transaction::protocol() const {
  if (protocol_) return &*protocol_;
  return snapshot_ ? &snapshot_->protocol() : nullptr;
}

const Metadata* Transaction::metadata() const {
  if (metadata_) return &*metadata_;
  return snapshot_ ? &snapshot_->metadata() : nullptr;
}

void Transaction::Add(AddFile add) { adds_.push_back(std::move(add)); }

void Transaction::RemoveLive(const LogicalFile& file, bool data_change) {
  RemoveFile r;
  r.path = file.add.path;
  r.deletion_timestamp = clock_.NowMicros() / 1000;
  r.data_change = data_change;
  r.extended_file_metadata = true;
  r.partition_values = file.add.partition_values;
  r.size = file.add.size;
  r.stats = file.add.stats;
  r.tags = file.add.tags;
  r.deletion_vector = file.add.deletion_vector;
  removes_.push_back(std::move(r));
  pending_.removed.insert(ConflictKey(file.add.path));
  ReadFile(file);
}

void Transaction::SetTxn(const TxnId& txn) {
  txn_ = Txn{txn.app_id, txn.version, clock_.NowMicros() / 1000};
  pending_.txn = txn_;
}

void Transaction::ReadWholeTable() { pending_.read.whole_table = true; }

void Transaction::ReadPartitions(std::string partition_predicate_sql) {
  pending_.read.partition_predicates.push_back(std::move(partition_predicate_sql));
}

void Transaction::ReadFile(const LogicalFile& file) {
  pending_.read.files.insert(ConflictKey(file.add.path));
}

std::string Transaction::SerializeFor(int64_t version) const {
  bool blind = removes_.empty() && !pending_.read.whole_table &&
               pending_.read.partition_predicates.empty() && pending_.read.files.empty();
  // PROTOCOL.md "Commit Provenance Information": free-form; these are the
  // fields Spark writes, plus txnId (which catalog-managed tables require).
  json info = {{"timestamp", clock_.NowMicros() / 1000},
               {"operation", operation_},
               {"operationParameters", parameters_},
               {"engineInfo", kEngineInfo},
               {"isBlindAppend", blind},
               {"isolationLevel", "Serializable"},
               {"txnId", txn_uuid_}};
  if (!metrics_.empty()) info["operationMetrics"] = metrics_;
  if (read_version() >= 0) info["readVersion"] = read_version();
  for (const auto& [name, value_json] : extra_info_) {
    if (info.contains(name)) continue;
    json value = json::parse(value_json, nullptr, /*allow_exceptions=*/false);
    info[name] = value.is_discarded() ? json(value_json) : std::move(value);
  }
  (void)version;
  CommitInfo commit_info;
  commit_info.json = json_util::Dump(info);
  std::vector<Action> actions;
  actions.emplace_back(std::move(commit_info));
  if (protocol_) actions.emplace_back(*protocol_);
  if (metadata_) actions.emplace_back(*metadata_);
  if (txn_) actions.emplace_back(*txn_);
  for (const RemoveFile& r : removes_) actions.emplace_back(r);
  for (const AddFile& a : adds_) actions.emplace_back(a);
  return SerializeCommit(actions);
}

bool Transaction::IsOurCommit(const std::string& path) {
  auto text = fs_.ReadFile(path);
  if (!text.ok()) return false;
  std::string_view first(*text);
  first = first.substr(0, first.find('\n'));
  auto action = ParseActionLine(first);
  if (!action.ok() || !action->has_value()) return false;
  const auto* info = std::get_if<CommitInfo>(&**action);
  if (info == nullptr) return false;
  auto doc = json_util::Parse(info->json);
  if (!doc.ok()) return false;
  auto id = json_util::OptString(*doc, "txnId");
  return id.ok() && *id == txn_uuid_;
}

Status Transaction::MaybeCheckpoint(int64_t version, CommitResult& result) {
  if (!options_.write_checkpoints || version == 0) return Status::OK();
  const Metadata* metadata = this->metadata();
  if (metadata == nullptr || version % CheckpointInterval(*metadata) != 0) return Status::OK();
  auto info = WriteCheckpoint(root_, version, fs_, conn_, clock_);
  result.checkpoint_written = info.ok();
  result.checkpoint_status = info.status();
  return Status::OK();
}

Result<CommitResult> Transaction::Commit() {
  if (committed_) return Status::Internal("Transaction::Commit called twice");
  committed_ = true;
  if (pending_.operation.empty()) pending_.operation = operation_;
  STRATA_RETURN_IF_ERROR(fs_.CreateDirectories(JoinPath(root_, "_delta_log")));
  CommitResult result;
  int64_t version = read_version() + 1;
  for (int attempt = 1; attempt <= options_.max_attempts; ++attempt) {
    result.attempts = attempt;
    std::string path = CommitPath(root_, version);
    Status written = fs_.WriteFileIfAbsent(path, SerializeFor(version));
    if (written.ok() || (written.code() != StatusCode::kAlreadyExists && IsOurCommit(path))) {
      result.version = version;
      STRATA_RETURN_IF_ERROR(MaybeCheckpoint(version, result));
      return result;
    }
    if (written.code() != StatusCode::kAlreadyExists) {
      return written.WithContext("committing version " + std::to_string(version) +
                                 " of Delta table " + root_);
    }
    if (IsOurCommit(path)) {  // an earlier attempt landed though its reply was lost
      result.version = version;
      STRATA_RETURN_IF_ERROR(MaybeCheckpoint(version, result));
      return result;
    }
    if (!snapshot_) {
      return Status::AlreadyExists("Delta table " + root_ +
                                   " already exists: version 0 was committed concurrently");
    }
    auto text = fs_.ReadFile(path);
    if (!text.ok()) return text.status().WithContext("reading the winning commit " + path);
    auto winner = ParseCommit(*text);
    if (!winner.ok()) return winner.status().WithContext("reading the winning commit " + path);
    STRATA_ASSIGN_OR_RETURN(ConflictOutcome outcome,
                            CheckConflict(pending_, *winner, version, conn_));
    if (outcome == ConflictOutcome::kAlreadyApplied) {
      result.version = version;
      result.already_applied = true;
      return result;
    }
    ++version;
    clock_.SleepForMicros(JitterMicros(attempt, options_.max_backoff_micros));
  }
  return Status::Conflict("the " + operation_ + " on Delta table " + root_ + " gave up after " +
                          std::to_string(options_.max_attempts) +
                          " attempts: other writers kept taking the next version; nothing was "
                          "committed");
}

}  // namespace strata::lake
