// DELETE, UPDATE and MERGE: copy-on-write row changes. Files holding changed
// rows are removed and rewritten with the surviving and changed rows; all
// other files stay (PROTOCOL.md "Add File and Remove File": the commit holds
// the removes and the adds together, so readers see either all or none).
#include <algorithm>
#include <map>
#include <set>

#include "lake/checkpoint_reader.h"
#include "lake/write_support.h"
#include "lake/writer.h"

namespace strata::lake {
namespace {

using engine::QuoteIdentifier;

// Per-file counts of rows matching a predicate: (total, matched).
using FileCounts = std::map<std::string, std::pair<int64_t, int64_t>>;

Result<FileCounts> CountMatches(engine::Connection& conn, const std::string& scan,
                                const std::string& predicate) {
  auto rows =
      QueryStrings(conn,
                   "SELECT __file, CAST(count(*) AS VARCHAR), CAST(count(*) FILTER "
                   "(WHERE (" +
                       predicate + ")) AS VARCHAR) FROM (" + scan + ") AS __t GROUP BY __file");
  if (!rows.ok()) return rows.status().WithContext("evaluating predicate '" + predicate + "'");
  FileCounts out;
  for (const auto& row : *rows) {
    if (row[0]) out[*row[0]] = {std::stoll(row[1].value_or("0")), std::stoll(row[2].value_or("0"))};
  }
  return out;
}

std::vector<const LogicalFile*> AllFiles(const Snapshot& snapshot) {
  std::vector<const LogicalFile*> files;
  for (const LogicalFile& f : snapshot.files()) files.push_back(&f);
  return files;
}

// The table's columns, in order, as a SELECT list of `alias`.col.
std::string ColumnList(const DataType& schema, const std::string& alias) {
  std::string out;
  for (const StructField& f : schema.fields) {
    out += (out.empty() ? "" : ", ") + alias + "." + QuoteIdentifier(f.name);
  }
  return out;
}

Status CheckAssignments(const DataType& schema,
                        const std::vector<std::pair<std::string, std::string>>& assignments) {
  std::set<std::string> seen;
  for (const auto& [column, expr] : assignments) {
    if (FindField(schema, column) == nullptr) {
      return Status::InvalidArgument("the table has no column '" + column + "' to set");
    }
    if (!seen.insert(column).second) {
      return Status::InvalidArgument("column '" + column + "' is assigned twice");
    }
  }
  return Status::OK();
}

}  // namespace

Status TableWriter::StageDelete(Transaction& txn, const std::string& predicate,
                                WriteResult& result) {
  const Snapshot& snapshot = *txn.snapshot();
  std::vector<const LogicalFile*> files = AllFiles(snapshot);
  if (IsPartitionPredicate(snapshot, predicate, conn_)) {
    // Whole files go; concurrent adds conflict only in the same partitions.
    txn.ReadPartitions(predicate);
    STRATA_ASSIGN_OR_RETURN(auto matched, MatchPartitions(snapshot, files, predicate, conn_));
    for (size_t i = 0; i < files.size(); ++i) {
      if (!matched[i]) continue;
      STRATA_ASSIGN_OR_RETURN(int64_t n, CountRows(snapshot, *files[i], conn_));
      result.rows_deleted += n;
      ++result.files_removed;
      txn.RemoveLive(*files[i]);
    }
    return Status::OK();
  }
  txn.ReadWholeTable();
  STRATA_ASSIGN_OR_RETURN(std::string scan, FileScanSql(snapshot, files, conn_));
  STRATA_ASSIGN_OR_RETURN(FileCounts counts, CountMatches(conn_, scan, predicate));
  std::vector<const LogicalFile*> rewrite;
  for (const LogicalFile* f : files) {
    txn.ReadFile(*f);
    auto it = counts.find(f->path);
    if (it == counts.end() || it->second.second == 0) continue;
    result.rows_deleted += it->second.second;
    ++result.files_removed;
    txn.RemoveLive(*f);
    if (it->second.second < it->second.first) {
      rewrite.push_back(f);
      result.rows_copied += it->second.first - it->second.second;
    }
  }
  if (rewrite.empty()) return Status::OK();
  STRATA_ASSIGN_OR_RETURN(std::string rewrite_scan, FileScanSql(snapshot, rewrite, conn_));
  return WriteRows(txn,
                   "SELECT " + ColumnList(snapshot.schema(), "__t") + " FROM (" + rewrite_scan +
                       ") AS __t WHERE (" + predicate + ") IS NOT TRUE",
                   result)
      .status();
}

Result<WriteResult> TableWriter::Delete(const std::string& predicate) {
  WriteResult result;
  STRATA_ASSIGN_OR_RETURN(auto txn, Begin());
  STRATA_RETURN_IF_ERROR(CheckMayRemoveData(*txn->snapshot(), "DELETE"));
  txn->SetOperation("DELETE", {{"predicate", predicate}});
  STRATA_RETURN_IF_ERROR(StageDelete(*txn, predicate, result));
  txn->SetMetric("numDeletedRows", result.rows_deleted);
  txn->SetMetric("numRemovedFiles", result.files_removed);
  txn->SetMetric("numAddedFiles", result.files_added);
  txn->SetMetric("numCopiedRows", result.rows_copied);
  if (result.files_removed == 0) return result;  // nothing matched: no new version
  STRATA_RETURN_IF_ERROR(Finish(*txn, result));
  return result;
}

Result<WriteResult> TableWriter::Update(
    const std::vector<std::pair<std::string, std::string>>& assignments,
    const std::string& predicate) {
  WriteResult result;
  STRATA_ASSIGN_OR_RETURN(auto txn, Begin());
  const Snapshot& snapshot = *txn->snapshot();
  STRATA_RETURN_IF_ERROR(CheckMayRemoveData(snapshot, "UPDATE"));
  STRATA_RETURN_IF_ERROR(CheckAssignments(snapshot.schema(), assignments));
  txn->SetOperation("UPDATE", {{"predicate", predicate}});

  std::vector<const LogicalFile*> candidates = AllFiles(snapshot);
  if (IsPartitionPredicate(snapshot, predicate, conn_)) {
    txn->ReadPartitions(predicate);
    STRATA_ASSIGN_OR_RETURN(auto matched, MatchPartitions(snapshot, candidates, predicate, conn_));
    std::vector<const LogicalFile*> kept;
    for (size_t i = 0; i < candidates.size(); ++i) {
      if (matched[i]) kept.push_back(candidates[i]);
    }
    candidates = std::move(kept);
  } else {
    txn->ReadWholeTable();
  }
  STRATA_ASSIGN_OR_RETURN(std::string scan, FileScanSql(snapshot, candidates, conn_));
  STRATA_ASSIGN_OR_RETURN(FileCounts counts, CountMatches(conn_, scan, predicate));
  std::vector<const LogicalFile*> rewrite;
  for (const LogicalFile* f : candidates) {
    txn->ReadFile(*f);
    auto it = counts.find(f->path);
    if (it == counts.end() || it->second.second == 0) continue;
    result.rows_updated += it->second.second;
    result.rows_copied += it->second.first - it->second.second;
    ++result.files_removed;
    txn->RemoveLive(*f);
    rewrite.push_back(f);
  }
  txn->SetMetric("numUpdatedRows", result.rows_updated);
  txn->SetMetric("numCopiedRows", result.rows_copied);
  if (rewrite.empty()) return result;

  std::string select;
  for (const StructField& f : snapshot.schema().fields) {
    std::string column = "__t." + QuoteIdentifier(f.name);
    auto a = std::find_if(assignments.begin(), assignments.end(),
                          [&](const auto& p) { return p.first == f.name; });
    std::string expr = a == assignments.end() ? column
                                              : "CASE WHEN (" + predicate + ") IS TRUE THEN (" +
                                                    a->second + ") ELSE " + column + " END";
    select += (select.empty() ? "" : ", ") + expr + " AS " + QuoteIdentifier(f.name);
  }
  STRATA_ASSIGN_OR_RETURN(std::string rewrite_scan, FileScanSql(snapshot, rewrite, conn_));
  STRATA_RETURN_IF_ERROR(
      WriteRows(*txn, "SELECT " + select + " FROM (" + rewrite_scan + ") AS __t", result).status());
  txn->SetMetric("numRemovedFiles", result.files_removed);
  txn->SetMetric("numAddedFiles", result.files_added);
  STRATA_RETURN_IF_ERROR(Finish(*txn, result));
  return result;
}

}  // namespace strata::lake
