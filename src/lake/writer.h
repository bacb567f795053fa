// TableWriter: the table operations Strata performs on a Delta table, each
// one optimistic transaction (transaction.h) that commits one new version:
// create, append, overwrite (whole table or replaceWhere), DELETE, UPDATE,
// MERGE, schema changes and table properties. Rows come in as the text of a
// DuckDB query run on the caller's connection; data files are written by
// DuckDB as zstd Parquet (file_writer.h); log files go through the injected
// FileSystem. See docs/lake/FORMAT.md for the layout written.
//
//   STRATA_ASSIGN_OR_RETURN(auto w, lake::TableWriter::Create(root, *schema, {}, fs, conn));
//   STRATA_ASSIGN_OR_RETURN(auto r, w->Append("SELECT * FROM read_csv('x.csv')"));
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/file_system.h"
#include "common/status.h"
#include "engine/engine.h"
#include "lake/actions.h"
#include "lake/schema.h"
#include "lake/snapshot.h"
#include "lake/transaction.h"

namespace strata::lake {

struct WriterOptions {
  Clock* clock = nullptr;         // nullptr = Clock::Default(); not owned
  int max_commit_attempts = 100;  // see TransactionOptions
  bool write_checkpoints = true;
  // A sync point (RocksDB style) for tests that force a race order: called
  // after an operation has staged its actions and before it commits.
  std::function<void()> before_commit;
};

struct CreateTableOptions {
  std::vector<std::string> partition_columns;
  // metaData.configuration: delta.* properties (checkpointInterval,
  // appendOnly, dataSkippingNumIndexedCols, ...) and Strata's own
  // (strata.owner, strata.layer, ...).
  StringMap properties;
  std::optional<std::string> name;
  std::optional<std::string> description;
  bool if_not_exists = false;  // open the existing table instead of failing
};

struct AppendOptions {
  bool merge_schema = false;  // add the query's new columns; widen types safely
  std::optional<TxnId> txn;   // idempotency token (PROTOCOL.md "Transaction Identifiers")
  // Application fields added to the commit's commitInfo (name -> JSON text),
  // e.g. the ingest state a batch brings its stream to, so the state commits
  // atomically with the rows.
  StringMap commit_info;
  // Called once, after the rows are written and before the commit, for
  // fields known only once the query has been read to its end (a batch
  // streamed from a source: the state after it); added like `commit_info`.
  // An error abandons the operation (nothing is committed; the data files
  // written stay as orphans). Not called when the txn was already applied.
  std::function<Result<StringMap>()> late_commit_info;
};

struct OverwriteOptions {
  // Only replace the rows satisfying this SQL predicate (Delta's
  // replaceWhere); every new row must satisfy it too. On partition columns
  // only, whole files are dropped; otherwise matching rows are deleted
  // copy-on-write. Unset: replace the whole table.
  std::optional<std::string> replace_where;
  bool overwrite_schema = false;  // the query's columns become the schema
  std::optional<TxnId> txn;
  StringMap commit_info;                                // as AppendOptions::commit_info
  std::function<Result<StringMap>()> late_commit_info;  // as AppendOptions::late_commit_info
};

// A MERGE clause, applied in order: the first whose condition holds wins.
struct MergeClause {
  enum class Action { kUpdate, kDelete, kInsert };
  bool matched = true;  // WHEN MATCHED / WHEN NOT MATCHED
  Action action = Action::kUpdate;
  std::optional<std::string> condition;  // the AND <cond> part, SQL
  // kUpdate: column -> SQL expression (empty = UPDATE SET *, by name from the
  // source); kInsert: column -> expression (empty = INSERT *).
  std::vector<std::pair<std::string, std::string>> assignments;
};

struct MergeSpec {
  std::string source_query;        // rows to merge in
  std::string source_alias = "s";  // names the source in on/conditions/expressions
  std::string target_alias = "t";  // names the target table likewise
  std::string on;                  // the join condition, SQL
  std::vector<MergeClause> clauses;
  std::optional<TxnId> txn;
};

// What one operation did. Counts are rows of the table.
struct WriteResult {
  bool committed = false;        // a new version was written
  bool already_applied = false;  // the txn was applied before: nothing written
  int64_t version = -1;          // the version written (or that applied the txn)
  int64_t rows_inserted = 0;
  int64_t rows_updated = 0;
  int64_t rows_deleted = 0;
  int64_t rows_copied = 0;  // unchanged rows rewritten with changed ones
  int64_t files_added = 0;
  int64_t files_removed = 0;
  int attempts = 0;
  bool checkpoint_written = false;
  Status checkpoint_status;  // a failed checkpoint does not undo the commit
};

// Writes one Delta table. Each operation starts from the latest snapshot:
// the writer keeps the last one it used and rolls it forward over the
// commits made since (its own and other writers'), so a blind append costs
// O(new commits), not O(log). Several writers (threads with their own
// connections, or processes) may work on the same table concurrently.
// Not thread-safe itself: it uses the caller's connection.
class TableWriter {
 public:
  // Creates the table at `root` (version 0: protocol + metaData). Protocol
  // reader 1 / writer 2 unless the schema needs more (timestamp_ntz: 3/7).
  // AlreadyExists when a table is there (unless options.if_not_exists);
  // InvalidArgument for a bad schema, partition column or property. `fs`,
  // `conn` and options.clock are not owned and must outlive the writer.
  static Result<std::unique_ptr<TableWriter>> Create(const std::string& root,
                                                     const DataType& schema,
                                                     const CreateTableOptions& options,
                                                     FileSystem& fs, engine::Connection& conn,
                                                     WriterOptions writer_options = {});

  // Opens the existing table at `root` for writing. NotFound when absent;
  // NotSupported when it uses writer features Strata lacks.
  static Result<std::unique_ptr<TableWriter>> Open(const std::string& root, FileSystem& fs,
                                                   engine::Connection& conn,
                                                   WriterOptions writer_options = {});

  TableWriter(const TableWriter&) = delete;
  TableWriter& operator=(const TableWriter&) = delete;

  const std::string& root() const { return root_; }

  // The latest snapshot (a fresh read of the log).
  Result<std::unique_ptr<Snapshot>> Latest();

  // Appends the rows of `query` (a blind append: never conflicts with other
  // appends). With options.txn already applied, returns already_applied.
  Result<WriteResult> Append(const std::string& query, const AppendOptions& options = {});

  // Replaces the table's rows (or those of replace_where's partitions) with
  // the rows of `query`. Conflict when a concurrent commit touched them.
  Result<WriteResult> Overwrite(const std::string& query, const OverwriteOptions& options = {});

  // Deletes the rows where `predicate` (SQL over the table's columns) is
  // TRUE, copy-on-write: files whose partition values match are removed
  // whole, files with some matching rows are rewritten. rows_deleted counts.
  Result<WriteResult> Delete(const std::string& predicate);

  // Sets `assignments` (column -> SQL expression over the old row) on the
  // rows where `predicate` is TRUE. rows_updated counts.
  Result<WriteResult> Update(const std::vector<std::pair<std::string, std::string>>& assignments,
                             const std::string& predicate);

  // MERGE INTO the table USING spec.source_query ON spec.on. InvalidArgument
  // when a target row matches several source rows and a MATCHED clause exists.
  Result<WriteResult> Merge(const MergeSpec& spec);

  // Adds nullable top-level columns at the end of the schema.
  Result<WriteResult> AddColumns(const std::vector<StructField>& columns);

  // Sets and removes table properties (metaData.configuration).
  Result<WriteResult> SetProperties(const StringMap& set,
                                    const std::vector<std::string>& unset = {});

 private:
  TableWriter(std::string root, FileSystem& fs, engine::Connection& conn, WriterOptions options)
      : root_(std::move(root)), fs_(fs), conn_(conn), options_(options) {}

  // A transaction on the latest snapshot, checked for write support.
  Result<std::unique_ptr<Transaction>> Begin();
  // The latest snapshot: the cached one rolled forward, or a fresh load.
  Result<std::unique_ptr<Snapshot>> LatestForWrite();
  // Commits `txn` and fills the commit fields of `result`; keeps the
  // transaction's snapshot for the next Begin.
  Status Finish(Transaction& txn, WriteResult& result);
  // True (with `result` filled) when `txn_id` was applied already.
  bool AlreadyApplied(const Snapshot& snapshot, const std::optional<TxnId>& txn_id,
                      WriteResult& result) const;
  // Writes the rows of `query` under the transaction's schema, stages the
  // adds (counted in result.files_added) and returns the rows written.
  Result<int64_t> WriteRows(Transaction& txn, const std::string& query, WriteResult& result);
  // Stages the removal of the rows where `predicate` is TRUE (Delete, and
  // Overwrite's replace_where): whole files when partition values decide,
  // rewrites otherwise. Records what was read for conflict checks.
  Status StageDelete(Transaction& txn, const std::string& predicate, WriteResult& result);
  // Fits the schema to `query`'s columns (AppendOptions::merge_schema) and
  // stages the metadata and protocol changes that requires.
  Status EvolveSchema(Transaction& txn, const std::string& query, bool merge);

  std::string root_;
  FileSystem& fs_;
  engine::Connection& conn_;
  WriterOptions options_;
  // The snapshot the last transaction read, or null (never shared: it is
  // moved into a transaction and back).
  std::unique_ptr<Snapshot> cached_;
};

}  // namespace strata::lake
