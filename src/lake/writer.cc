#include "lake/writer.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>

#include "lake/file_writer.h"
#include "lake/json_util.h"
#include "lake/lake.h"
#include "lake/schema_evolution.h"
#include "lake/write_support.h"

namespace strata::lake {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string JsonList(const std::vector<std::string>& items) {
  return json_util::Dump(nlohmann::json(items));
}

Status ValidateSchema(const DataType& schema, const std::vector<std::string>& partition_columns) {
  if (schema.kind != DataType::Kind::kStruct || schema.fields.empty()) {
    return Status::InvalidArgument("a table schema must be a struct with at least one column");
  }
  std::set<std::string> names;
  for (const StructField& f : schema.fields) {
    if (f.name.empty()) return Status::InvalidArgument("a column name is empty");
    if (!names.insert(Lower(f.name)).second) {
      return Status::InvalidArgument("column '" + f.name +
                                     "' appears twice (names are "
                                     "case-insensitive in Delta)");
    }
    auto type = ToDuckDbType(*f.type);
    if (!type.ok()) return type.status().WithContext("column '" + f.name + "'");
  }
  for (const std::string& p : partition_columns) {
    const StructField* f = FindField(schema, p);
    if (f == nullptr) {
      return Status::InvalidArgument("partition column '" + p + "' is not a column of the schema");
    }
    if (f->type->kind == DataType::Kind::kStruct || f->type->kind == DataType::Kind::kArray ||
        f->type->kind == DataType::Kind::kMap || f->type->IsPrimitive("binary")) {
      return Status::InvalidArgument("partition column '" + p + "' has type " +
                                     f->type->ToString() + ", which cannot be a partition column");
    }
  }
  if (partition_columns.size() >= schema.fields.size()) {
    return Status::InvalidArgument(
        "every column is a partition column; a table needs a data column");
  }
  return Status::OK();
}

// What AppendOptions and OverwriteOptions share, added to the commit: the
// idempotency txn, the commitInfo fields and the late ones (whose error
// abandons the write).
template <typename Options>
Status AddCommitOptions(Transaction& txn, const Options& options) {
  if (options.txn) txn.SetTxn(*options.txn);
  for (const auto& [name, value] : options.commit_info) txn.SetCommitInfoField(name, value);
  if (options.late_commit_info) {
    STRATA_ASSIGN_OR_RETURN(StringMap late, options.late_commit_info());
    for (const auto& [name, value] : late) txn.SetCommitInfoField(name, value);
  }
  return Status::OK();
}

Result<DataTypePtr> SchemaOf(const Transaction& txn) {
  if (txn.metadata() == nullptr) return Status::Internal("transaction without metadata");
  if (txn.snapshot() != nullptr && txn.metadata() == &txn.snapshot()->metadata()) {
    return txn.snapshot()->schema_ptr();
  }
  return ParseSchema(txn.metadata()->schema_string);
}

}  // namespace

Result<std::unique_ptr<TableWriter>> TableWriter::Create(const std::string& root,
                                                         const DataType& schema,
                                                         const CreateTableOptions& options,
                                                         FileSystem& fs, engine::Connection& conn,
                                                         WriterOptions writer_options) {
  STRATA_RETURN_IF_ERROR(ValidateSchema(schema, options.partition_columns));
  STRATA_RETURN_IF_ERROR(DataFileOptionsFor(options.properties).status());
  auto writer = std::unique_ptr<TableWriter>(new TableWriter(root, fs, conn, writer_options));
  auto existing = fs.Exists(CommitPath(root, 0));
  STRATA_RETURN_IF_ERROR(existing.status());
  if (*existing) {
    if (options.if_not_exists) return Open(root, fs, conn, writer_options);
    return Status::AlreadyExists("Delta table " + root + " already exists");
  }
  Clock& clock = writer_options.clock ? *writer_options.clock : *Clock::Default();
  Metadata metadata;
  metadata.id = NewUuid();
  metadata.name = options.name;
  metadata.description = options.description;
  metadata.schema_string = SchemaToJson(schema);
  metadata.partition_columns = options.partition_columns;
  metadata.configuration = options.properties;
  metadata.created_time = clock.NowMicros() / 1000;

  TransactionOptions txn_options{writer_options.clock, writer_options.max_commit_attempts, 2000,
                                 writer_options.write_checkpoints};
  auto txn = Transaction::BeginCreate(root, fs, conn, txn_options);
  txn->SetProtocol(RequiredProtocol(Protocol{1, 2, {}, {}}, schema, metadata.configuration));
  txn->SetMetadata(metadata);
  txn->SetOperation("CREATE TABLE",
                    {{"isManaged", "false"},
                     {"description", options.description.value_or("")},
                     {"partitionBy", JsonList(options.partition_columns)},
                     {"properties", json_util::Dump(nlohmann::json(options.properties))}});
  auto committed = txn->Commit();
  if (!committed.ok()) {
    if (committed.status().code() == StatusCode::kAlreadyExists && options.if_not_exists) {
      return Open(root, fs, conn, writer_options);
    }
    return committed.status();
  }
  return writer;
}

Result<std::unique_ptr<TableWriter>> TableWriter::Open(const std::string& root, FileSystem& fs,
                                                       engine::Connection& conn,
                                                       WriterOptions writer_options) {
  STRATA_ASSIGN_OR_RETURN(auto table, Table::Open(root, fs, &conn));
  STRATA_ASSIGN_OR_RETURN(auto snapshot, table->Latest());
  STRATA_RETURN_IF_ERROR(CheckWriteSupported(*snapshot));
  auto writer =
      std::unique_ptr<TableWriter>(new TableWriter(table->root(), fs, conn, writer_options));
  writer->cached_ = std::move(snapshot);
  return writer;
}

Result<std::unique_ptr<Snapshot>> TableWriter::Latest() {
  STRATA_ASSIGN_OR_RETURN(auto table, Table::Open(root_, fs_, &conn_));
  return table->Latest();
}

Result<std::unique_ptr<Snapshot>> TableWriter::LatestForWrite() {
  STRATA_ASSIGN_OR_RETURN(auto table, Table::Open(root_, fs_, &conn_));
  if (cached_ == nullptr) return table->Latest();
  return table->Update(std::move(cached_));
}

Result<std::unique_ptr<Transaction>> TableWriter::Begin() {
  TransactionOptions txn_options{options_.clock, options_.max_commit_attempts, 2000,
                                 options_.write_checkpoints};
  STRATA_ASSIGN_OR_RETURN(auto snapshot, LatestForWrite());
  STRATA_RETURN_IF_ERROR(CheckWriteSupported(*snapshot));
  return Transaction::BeginAt(root_, fs_, conn_, std::move(snapshot), txn_options);
}

bool TableWriter::AlreadyApplied(const Snapshot& snapshot, const std::optional<TxnId>& txn_id,
                                 WriteResult& result) const {
  if (!txn_id) return false;
  auto applied = snapshot.AppTransactionVersion(txn_id->app_id);
  if (!applied || *applied < txn_id->version) return false;
  result.already_applied = true;
  result.version = snapshot.version();
  return true;
}

Status TableWriter::Finish(Transaction& txn, WriteResult& result) {
  if (options_.before_commit) options_.before_commit();
  auto committed = txn.Commit();
  // The snapshot is still the (valid) state at the read version, whatever
  // the outcome; the next Begin rolls it forward.
  cached_ = txn.ReleaseSnapshot();
  STRATA_ASSIGN_OR_RETURN(CommitResult commit, std::move(committed));
  result.version = commit.version;
  result.attempts = commit.attempts;
  result.already_applied = commit.already_applied;
  result.committed = !commit.already_applied;
  result.checkpoint_written = commit.checkpoint_written;
  result.checkpoint_status = commit.checkpoint_status;
  return Status::OK();
}

Result<int64_t> TableWriter::WriteRows(Transaction& txn, const std::string& query,
                                       WriteResult& result) {
  STRATA_ASSIGN_OR_RETURN(DataTypePtr schema, SchemaOf(txn));
  STRATA_ASSIGN_OR_RETURN(DataFileOptions file_options,
                          DataFileOptionsFor(txn.metadata()->configuration));
  STRATA_ASSIGN_OR_RETURN(
      auto adds, WriteDataFiles(conn_, fs_, root_, *schema, txn.metadata()->partition_columns,
                                query, file_options));
  int64_t rows = 0;
  for (AddFile& add : adds) {
    rows += std::max<int64_t>(0, RecordsIn(add));
    ++result.files_added;
    txn.Add(std::move(add));
  }
  return rows;
}

Status TableWriter::EvolveSchema(Transaction& txn, const std::string& query, bool merge) {
  const Snapshot& snapshot = *txn.snapshot();
  STRATA_ASSIGN_OR_RETURN(DataTypePtr incoming, QuerySchema(conn_, query));
  STRATA_ASSIGN_OR_RETURN(SchemaMerge merged, MergeSchema(snapshot.schema(), *incoming, merge,
                                                          snapshot.metadata().partition_columns));
  if (!merged.changed) return Status::OK();
  Metadata metadata = snapshot.metadata();
  metadata.schema_string = SchemaToJson(*merged.schema);
  if (merged.widened) metadata.configuration["delta.enableTypeWidening"] = "true";
  Protocol protocol = RequiredProtocol(snapshot.protocol(), *merged.schema, metadata.configuration);
  if (!(protocol == snapshot.protocol())) txn.SetProtocol(protocol);
  txn.SetMetadata(std::move(metadata));
  return Status::OK();
}

Result<WriteResult> TableWriter::Append(const std::string& query, const AppendOptions& options) {
  WriteResult result;
  STRATA_ASSIGN_OR_RETURN(auto txn, Begin());
  if (AlreadyApplied(*txn->snapshot(), options.txn, result)) return result;
  STRATA_RETURN_IF_ERROR(EvolveSchema(*txn, query, options.merge_schema));
  txn->SetOperation(
      "WRITE", {{"mode", "Append"}, {"partitionBy", JsonList(txn->metadata()->partition_columns)}});
  STRATA_ASSIGN_OR_RETURN(result.rows_inserted, WriteRows(*txn, query, result));
  STRATA_RETURN_IF_ERROR(AddCommitOptions(*txn, options));
  txn->SetMetric("numFiles", result.files_added);
  txn->SetMetric("numOutputRows", result.rows_inserted);
  STRATA_RETURN_IF_ERROR(Finish(*txn, result));
  return result;
}

Result<WriteResult> TableWriter::Overwrite(const std::string& query,
                                           const OverwriteOptions& options) {
  WriteResult result;
  STRATA_ASSIGN_OR_RETURN(auto txn, Begin());
  const Snapshot& snapshot = *txn->snapshot();
  if (AlreadyApplied(snapshot, options.txn, result)) return result;
  STRATA_RETURN_IF_ERROR(CheckMayRemoveData(snapshot, "an overwrite"));
  StringMap parameters = {{"mode", "Overwrite"},
                          {"partitionBy", JsonList(snapshot.metadata().partition_columns)}};
  if (options.overwrite_schema) {
    if (options.replace_where) {
      return Status::InvalidArgument(
          "overwrite_schema replaces the whole table; it cannot be "
          "combined with replace_where");
    }
    STRATA_ASSIGN_OR_RETURN(DataTypePtr schema, QuerySchema(conn_, query));
    STRATA_RETURN_IF_ERROR(ValidateSchema(*schema, snapshot.metadata().partition_columns));
    Metadata metadata = snapshot.metadata();
    metadata.schema_string = SchemaToJson(*schema);
    Protocol protocol = RequiredProtocol(snapshot.protocol(), *schema, metadata.configuration);
    if (!(protocol == snapshot.protocol())) txn->SetProtocol(protocol);
    if (metadata.schema_string != snapshot.metadata().schema_string) {
      txn->SetMetadata(std::move(metadata));
    }
  } else {
    STRATA_RETURN_IF_ERROR(EvolveSchema(*txn, query, /*merge=*/false));
  }
  if (options.replace_where) {
    const std::string& predicate = *options.replace_where;
    parameters["predicate"] = predicate;
    // Delta's replaceWhere constraint check: new rows must fall inside it.
    STRATA_ASSIGN_OR_RETURN(int64_t outside,
                            QueryInt(conn_, "SELECT count(*) FROM (" + query + ") AS __q WHERE (" +
                                                predicate + ") IS NOT TRUE"));
    if (outside > 0) {
      return Status::InvalidArgument(std::to_string(outside) +
                                     " rows to write do not satisfy replace_where '" + predicate +
                                     "'; nothing was written");
    }
    STRATA_RETURN_IF_ERROR(StageDelete(*txn, predicate, result));
  } else {
    txn->ReadWholeTable();
    for (const LogicalFile& f : snapshot.files()) {
      txn->RemoveLive(f);
      ++result.files_removed;
      STRATA_ASSIGN_OR_RETURN(int64_t n, CountRows(snapshot, f, conn_));
      result.rows_deleted += n;
    }
  }
  txn->SetOperation("WRITE", parameters);
  STRATA_ASSIGN_OR_RETURN(result.rows_inserted, WriteRows(*txn, query, result));
  STRATA_RETURN_IF_ERROR(AddCommitOptions(*txn, options));
  txn->SetMetric("numFiles", result.files_added);
  txn->SetMetric("numOutputRows", result.rows_inserted);
  txn->SetMetric("numRemovedFiles", result.files_removed);
  txn->SetMetric("numDeletedRows", result.rows_deleted);
  STRATA_RETURN_IF_ERROR(Finish(*txn, result));
  return result;
}

Result<WriteResult> TableWriter::AddColumns(const std::vector<StructField>& columns) {
  WriteResult result;
  STRATA_ASSIGN_OR_RETURN(auto txn, Begin());
  const Snapshot& snapshot = *txn->snapshot();
  DataType schema = snapshot.schema();
  std::vector<std::string> names;
  for (const StructField& c : columns) {
    StructField f = c;
    f.nullable = true;  // existing rows hold NULL in it
    schema.fields.push_back(std::move(f));
    names.push_back(c.name);
  }
  STRATA_RETURN_IF_ERROR(ValidateSchema(schema, snapshot.metadata().partition_columns));
  Metadata metadata = snapshot.metadata();
  metadata.schema_string = SchemaToJson(schema);
  Protocol protocol = RequiredProtocol(snapshot.protocol(), schema, metadata.configuration);
  if (!(protocol == snapshot.protocol())) txn->SetProtocol(protocol);
  txn->SetMetadata(std::move(metadata));
  txn->SetOperation("ADD COLUMNS", {{"columns", JsonList(names)}});
  STRATA_RETURN_IF_ERROR(Finish(*txn, result));
  return result;
}

Result<WriteResult> TableWriter::SetProperties(const StringMap& set,
                                               const std::vector<std::string>& unset) {
  WriteResult result;
  STRATA_ASSIGN_OR_RETURN(auto txn, Begin());
  const Snapshot& snapshot = *txn->snapshot();
  Metadata metadata = snapshot.metadata();
  for (const auto& [key, value] : set) metadata.configuration[key] = value;
  for (const std::string& key : unset) metadata.configuration.erase(key);
  STRATA_RETURN_IF_ERROR(DataFileOptionsFor(metadata.configuration).status());
  if (auto it = set.find("delta.enableTypeWidening"); it != set.end() && it->second == "true") {
    Protocol protocol =
        RequiredProtocol(snapshot.protocol(), snapshot.schema(), metadata.configuration);
    if (!(protocol == snapshot.protocol())) txn->SetProtocol(protocol);
  }
  txn->SetMetadata(std::move(metadata));
  txn->SetOperation("SET TBLPROPERTIES", {{"properties", json_util::Dump(nlohmann::json(set))}});
  STRATA_RETURN_IF_ERROR(Finish(*txn, result));
  return result;
}

}  // namespace strata::lake
