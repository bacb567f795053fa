#include "lake/conflict.h"

#include "lake/checkpoint_reader.h"
#include "lake/partition_values.h"
#include "lake/paths.h"

namespace strata::lake {
namespace {

std::string Describe(int64_t version, const std::vector<Action>& winner) {
  std::string op = "an unknown operation";
  for (const Action& a : winner) {
    if (const auto* ci = std::get_if<CommitInfo>(&a); ci != nullptr && ci->operation) {
      op = *ci->operation;
    }
  }
  return "version " + std::to_string(version) + " (" + op + ")";
}

// Whether any of `adds` has partition values satisfying one of the
// predicates; a predicate that is NULL for a file counts as a match, to stay
// on the safe side.
Result<bool> AddsMatchPartitions(const PendingChanges& pending,
                                 const std::vector<const AddFile*>& adds,
                                 engine::Connection& conn) {
  if (adds.empty() || pending.partition_columns.empty()) return !adds.empty();
  std::string rows;
  for (const AddFile* add : adds) {
    std::string row;
    for (const std::string& column : pending.partition_columns) {
      const StructField* f = FindField(*pending.schema, column);
      if (f == nullptr) return true;
      auto it = add->partition_values.find(column);
      std::optional<std::string> value;
      if (it != add->partition_values.end()) value = it->second;
      STRATA_ASSIGN_OR_RETURN(std::string literal, PartitionValueSql(*f->type, value));
      row += (row.empty() ? "" : ", ") + literal;
    }
    rows += (rows.empty() ? "(" : ", (") + row + ")";
  }
  std::string names;
  for (const std::string& column : pending.partition_columns) {
    names += (names.empty() ? "" : ", ") + engine::QuoteIdentifier(column);
  }
  for (const std::string& predicate : pending.read.partition_predicates) {
    STRATA_ASSIGN_OR_RETURN(
        auto result,
        QueryStrings(conn, "SELECT CAST(count(*) AS VARCHAR) FROM (VALUES " + rows + ") AS __p(" +
                               names + ") WHERE (" + predicate + ") IS NOT FALSE"));
    if (!result.empty() && result[0][0] && *result[0][0] != "0") return true;
  }
  return false;
}

}  // namespace

std::string ConflictKey(const std::string& log_path) {
  auto decoded = PercentDecode(log_path);
  return decoded.ok() ? *decoded : log_path;
}

Result<ConflictOutcome> CheckConflict(const PendingChanges& pending,
                                      const std::vector<Action>& winner, int64_t winner_version,
                                      engine::Connection& conn) {
  auto conflict = [&](const std::string& why) {
    return Status::Conflict("the " + pending.operation + " conflicts with the concurrent commit " +
                            "of " + Describe(winner_version, winner) + ": " + why +
                            "; nothing was committed, retry the operation on the new version");
  };
  std::vector<const AddFile*> adds;
  for (const Action& a : winner) {
    if (const auto* txn = std::get_if<Txn>(&a);
        txn != nullptr && pending.txn && txn->app_id == pending.txn->app_id) {
      if (txn->version >= pending.txn->version) return ConflictOutcome::kAlreadyApplied;
      return conflict("it committed a transaction of the same application '" + txn->app_id +
                      "' (version " + std::to_string(txn->version) + ")");
    }
  }
  for (const Action& a : winner) {
    if (std::holds_alternative<Protocol>(a)) return conflict("it changed the protocol");
    if (std::holds_alternative<Metadata>(a)) {
      return conflict("it changed the table metadata (schema, partitioning or properties)");
    }
    if (const auto* add = std::get_if<AddFile>(&a); add != nullptr && add->data_change) {
      adds.push_back(add);
    }
    if (const auto* remove = std::get_if<RemoveFile>(&a)) {
      std::string key = ConflictKey(remove->path);
      if (pending.read.files.count(key) != 0) {
        return conflict("it removed file '" + key + "', which this operation read");
      }
      if (pending.removed.count(key) != 0) {
        return conflict("it removed file '" + key + "', which this operation also removes");
      }
    }
  }
  bool has_changes = !adds.empty();
  for (const Action& a : winner) {
    has_changes = has_changes || std::holds_alternative<RemoveFile>(a);
  }
  if (pending.changes_metadata && has_changes) {
    return conflict("this operation changes the table metadata and the table changed meanwhile");
  }
  if (!adds.empty() && pending.read.whole_table) {
    return conflict("it added data files that this operation would have had to read");
  }
  if (!adds.empty() && !pending.read.partition_predicates.empty()) {
    STRATA_ASSIGN_OR_RETURN(bool match, AddsMatchPartitions(pending, adds, conn));
    if (match) return conflict("it added data files in partitions this operation read");
  }
  return ConflictOutcome::kNoConflict;
}

}  // namespace strata::lake
