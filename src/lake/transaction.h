// Transaction: one optimistic commit to a Delta table. It starts from a
// snapshot (the read version), collects actions, and publishes them as
// `_delta_log/<read+1>.json` with the file system's put-if-absent
// (PROTOCOL.md "Delta Log Entries"; "Creation of New Log Entries": a writer
// never overwrites a log entry). When another writer took that version, the
// winning commits are checked for conflicts (conflict.h) and the commit
// moves to the next free version, up to a bounded number of attempts.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/file_system.h"
#include "common/status.h"
#include "engine/engine.h"
#include "lake/actions.h"
#include "lake/conflict.h"
#include "lake/snapshot.h"

namespace strata::lake {

// commitInfo.engineInfo of every Strata commit.
inline constexpr char kEngineInfo[] = "Strata/0.1.0";

// An application's idempotency token (PROTOCOL.md "Transaction Identifiers"):
// a batch is applied at most once per (app_id, version).
struct TxnId {
  std::string app_id;
  int64_t version = 0;
};

struct TransactionOptions {
  Clock* clock = nullptr;             // commit timestamps and backoff; nullptr = Clock::Default()
  int max_attempts = 100;             // put-if-absent attempts before giving up with Conflict
  int64_t max_backoff_micros = 2000;  // jittered sleep between attempts, growing to this
  bool write_checkpoints = true;      // every delta.checkpointInterval commits (default 100)
};

struct CommitResult {
  int64_t version = -1;          // the version written (or the one that applied our txn)
  int attempts = 0;              // put-if-absent attempts made
  bool already_applied = false;  // a concurrent commit had applied the same txn: nothing written
  // The checkpoint after the commit, when one was due. A failed checkpoint
  // does not undo the commit; it is reported here and retried next time.
  bool checkpoint_written = false;
  Status checkpoint_status;
};

class Transaction {
 public:
  // Starts a transaction on the latest snapshot of the table at `root`.
  // NotFound when there is no table. `fs`, `conn` and options.clock are not
  // owned and must outlive the transaction; one thread at a time.
  static Result<std::unique_ptr<Transaction>> Begin(const std::string& root, FileSystem& fs,
                                                    engine::Connection& conn,
                                                    TransactionOptions options = {});

  // Starts the transaction that creates the table at `root` (version 0). Its
  // commit fails with AlreadyExists when version 0 exists.
  static std::unique_ptr<Transaction> BeginCreate(const std::string& root, FileSystem& fs,
                                                  engine::Connection& conn,
                                                  TransactionOptions options = {});

  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // The snapshot the transaction read; null for a table being created.
  const Snapshot* snapshot() const { return snapshot_.get(); }
  // The version read, or -1 for a table being created.
  int64_t read_version() const { return snapshot_ ? snapshot_->version() : -1; }
  const std::string& root() const { return root_; }

  // commitInfo.operation and its string-valued parameters and metrics (as
  // Spark writes them). `operation` also names the transaction in errors.
  void SetOperation(std::string operation, StringMap parameters = {});
  void SetMetric(const std::string& name, int64_t value);
  // Adds an application field to commitInfo (PROTOCOL.md "Commit Provenance
  // Information" lets writers add any). `value_json` must be JSON text; a
  // field Strata itself writes (operation, txnId, ...) is not overridden.
  void SetCommitInfoField(const std::string& name, std::string value_json);

  // Stages a new protocol / metaData action (marks the transaction as a
  // metadata change for conflict checks).
  void SetProtocol(Protocol protocol);
  void SetMetadata(Metadata metadata);
  // The protocol and metadata the commit leaves: staged ones or the snapshot's.
  const Protocol* protocol() const;
  const Metadata* metadata() const;

  // Stages file actions. `Add` adds a data file; `RemoveLive` removes a live file of the snapshot
  // (with extended metadata, stamped with the clock) and records it as read.
  // `data_change` false marks a rearrangement (OPTIMIZE) that streaming readers skip.
  void Add(AddFile add);
  void RemoveLive(const LogicalFile& file, bool data_change = true);
  // Records the idempotency token; the commit then carries a `txn` action.
  void SetTxn(const TxnId& txn);

  // What the operation read, for conflict checks (see conflict.h). Appends
  // record nothing and so are blind.
  void ReadWholeTable();
  void ReadPartitions(std::string partition_predicate_sql);
  void ReadFile(const LogicalFile& file);

  // Publishes the staged actions at the first free version after the read
  // version. Conflict (with the winning version and operation named) when a
  // concurrent commit invalidates what this one read or the attempts run out;
  // AlreadyExists for a create that lost; IOError from the file system. A
  // commit whose reply was lost (the file landed, the call failed) is
  // recognized by its txnId and reported as success. Call once.
  Result<CommitResult> Commit();

  // The commit file's contents for `version` (commitInfo first). For tests.
  std::string SerializeFor(int64_t version) const;

 private:
  Transaction(std::string root, FileSystem& fs, engine::Connection& conn,
              TransactionOptions options, std::unique_ptr<Snapshot> snapshot);

  // True when the commit file at `path` holds this transaction's txnId.
  bool IsOurCommit(const std::string& path);
  Status MaybeCheckpoint(int64_t version, CommitResult& result);

  std::string root_;
  FileSystem& fs_;
  engine::Connection& conn_;
  TransactionOptions options_;
  Clock& clock_;
  std::unique_ptr<Snapshot> snapshot_;
  std::string txn_uuid_;  // commitInfo.txnId: recognizes our own commit after a lost reply

  std::string operation_ = "WRITE";
  StringMap parameters_;
  StringMap metrics_;
  StringMap extra_info_;  // field -> JSON text
  std::optional<Protocol> protocol_;
  std::optional<Metadata> metadata_;
  std::optional<Txn> txn_;
  std::vector<AddFile> adds_;
  std::vector<RemoveFile> removes_;
  PendingChanges pending_;
  bool committed_ = false;
};

// `_delta_log/<version, 20 digits>.json` under `root`.
std::string CommitPath(const std::string& root, int64_t version);

}  // namespace strata::lake
