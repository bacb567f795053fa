// Conflict detection for optimistic commits: when another writer took the
// version a transaction meant to write, decides from the winning commit's
// actions whether the transaction may simply move to the next version. The
// rules follow Delta's serializable ConflictChecker (PROTOCOL.md "Delta Log
// Entries": one linear history; "Transaction Identifiers"):
//   - a protocol or metaData change by the winner conflicts with everyone;
//   - a transaction that changes the metadata itself conflicts with any winner;
//   - files the winner added conflict when they fall in what the transaction
//     read (the whole table, or the partitions its predicate selects);
//   - files the winner removed conflict when the transaction read or removed them;
//   - a winner's txn for the same appId ends the transaction (already applied
//     when its version is at least ours, a conflict otherwise).
// Blind appends read nothing, so concurrent blind appends never conflict.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/engine.h"
#include "lake/actions.h"
#include "lake/schema.h"

namespace strata::lake {

// What a transaction read from its snapshot.
struct ReadSet {
  bool whole_table = false;  // any concurrently added data file conflicts
  // A SQL predicate over partition columns only: a concurrently added file
  // conflicts when its partition values satisfy it (or it is NULL).
  std::vector<std::string> partition_predicates;
  std::set<std::string> files;  // decoded relative paths read (and maybe rewritten)
};

// The parts of a pending transaction that conflict checks look at.
struct PendingChanges {
  std::string operation;
  ReadSet read;
  std::set<std::string> removed;  // decoded relative paths this transaction removes
  bool changes_metadata = false;  // writes protocol or metaData
  std::optional<Txn> txn;
  // The read snapshot's schema and partition columns, to evaluate
  // partition predicates against winners' partition values.
  DataTypePtr schema;
  std::vector<std::string> partition_columns;
};

// How a winning commit bears on the pending transaction.
enum class ConflictOutcome {
  kNoConflict,      // retry at the next version
  kAlreadyApplied,  // the winner recorded our txn appId at >= our version
};

// Checks `winner` (the actions of version `winner_version`) against
// `pending`. Conflict names the winning version, its operation and the
// reason. Uses `conn` only when partition predicates must be evaluated; one
// thread per connection.
Result<ConflictOutcome> CheckConflict(const PendingChanges& pending,
                                      const std::vector<Action>& winner, int64_t winner_version,
                                      engine::Connection& conn);

// The decoded relative path of a log path (percent-decoded), the key that
// conflict checks compare.
std::string ConflictKey(const std::string& log_path);

}  // namespace strata::lake
