// MERGE INTO a Delta table. DuckDB 1.4 has no MERGE over Parquet files, so
// it is done with joins: the target's rows (with their file and position)
// are joined with the numbered source rows on the ON condition; the files
// holding matched rows are rewritten with each row updated, deleted or kept
// per the first applicable WHEN MATCHED clause, and the source rows that
// matched nothing are inserted per the WHEN NOT MATCHED clauses. All of it
// is one commit: removes of the touched files plus adds of the new ones.
#include <algorithm>
#include <cctype>
#include <set>

#include "lake/checkpoint_reader.h"
#include "lake/schema_evolution.h"
#include "lake/scoped_temp_table.h"
#include "lake/write_support.h"
#include "lake/writer.h"

namespace strata::lake {
namespace {

using engine::QuoteIdentifier;

std::string Cond(const MergeClause& c) { return c.condition ? "(" + *c.condition + ")" : "TRUE"; }

const StructField* FindCaseless(const DataType& schema, const std::string& name) {
  for (const StructField& f : schema.fields) {
    if (f.name.size() == name.size() &&
        std::equal(f.name.begin(), f.name.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return &f;
    }
  }
  return nullptr;
}

}  // namespace

Result<WriteResult> TableWriter::Merge(const MergeSpec& spec) {
  WriteResult result;
  STRATA_ASSIGN_OR_RETURN(auto txn, Begin());
  const Snapshot& snapshot = *txn->snapshot();
  if (AlreadyApplied(snapshot, spec.txn, result)) return result;
  const DataType& schema = snapshot.schema();
  std::vector<const MergeClause*> matched, not_matched;
  for (const MergeClause& c : spec.clauses) {
    if (c.matched && c.action == MergeClause::Action::kInsert) {
      return Status::InvalidArgument("MERGE: WHEN MATCHED cannot INSERT");
    }
    if (!c.matched && c.action != MergeClause::Action::kInsert) {
      return Status::InvalidArgument("MERGE: WHEN NOT MATCHED can only INSERT");
    }
    for (const auto& [column, expr] : c.assignments) {
      if (FindField(schema, column) == nullptr) {
        return Status::InvalidArgument("MERGE: the table has no column '" + column + "'");
      }
    }
    (c.matched ? matched : not_matched).push_back(&c);
  }
  if (!matched.empty()) STRATA_RETURN_IF_ERROR(CheckMayRemoveData(snapshot, "MERGE"));
  const std::string t = QuoteIdentifier(spec.target_alias);
  const std::string s = QuoteIdentifier(spec.source_alias);

  ScopedTempTable source(conn_, "merge_src");
  STRATA_RETURN_IF_ERROR(conn_.Execute("CREATE TEMP TABLE " + source.name() +
                                       " AS SELECT row_number() OVER () AS __sid, * FROM (" +
                                       spec.source_query + ") AS __q"));
  STRATA_ASSIGN_OR_RETURN(DataTypePtr source_schema,
                          QuerySchema(conn_, "SELECT * FROM " + source.name()));

  std::vector<const LogicalFile*> files;
  for (const LogicalFile& f : snapshot.files()) files.push_back(&f);
  txn->ReadWholeTable();  // any concurrently added row might have matched
  for (const LogicalFile* f : files) txn->ReadFile(*f);
  STRATA_ASSIGN_OR_RETURN(std::string scan, FileScanSql(snapshot, files, conn_));
  ScopedTempTable joined(conn_, "merge_join");
  Status join = conn_.Execute("CREATE TEMP TABLE " + joined.name() + " AS SELECT " + t +
                              ".__file AS __file, " + t + ".__row AS __row, " + s +
                              ".__sid AS __sid FROM (" + scan + ") AS " + t + " JOIN " +
                              source.name() + " AS " + s + " ON (" + spec.on + ")");
  if (!join.ok()) return join.WithContext("MERGE: joining on '" + spec.on + "'");
  if (!matched.empty()) {
    STRATA_ASSIGN_OR_RETURN(
        int64_t ambiguous,
        QueryInt(conn_, "SELECT count(*) FROM (SELECT __file, __row FROM " + joined.name() +
                            " GROUP BY ALL HAVING count(*) > 1)"));
    if (ambiguous > 0) {
      return Status::InvalidArgument(
          "MERGE: " + std::to_string(ambiguous) +
          " target rows match more than one source row, so which one updates them is "
          "ambiguous; make the source unique on the join keys");
    }
  }

  // Rewritten rows of the touched files.
  std::string rewrite_sql;
  std::vector<const LogicalFile*> touched;
  if (!matched.empty()) {
    STRATA_ASSIGN_OR_RETURN(auto names,
                            QueryStrings(conn_, "SELECT DISTINCT __file FROM " + joined.name()));
    std::set<std::string> touched_paths;
    for (const auto& row : names) {
      if (row[0]) touched_paths.insert(*row[0]);
    }
    for (const LogicalFile* f : files) {
      if (touched_paths.count(f->path) != 0) touched.push_back(f);
    }
  }
  if (!touched.empty()) {
    std::string action = "CASE WHEN __j.__sid IS NULL THEN 0";
    for (size_t k = 0; k < matched.size(); ++k) {
      action += " WHEN " + Cond(*matched[k]) + " THEN " + std::to_string(k + 1);
    }
    action += " ELSE 0 END";
    std::string select, deletes;
    for (const StructField& f : schema.fields) {
      std::string expr = "CASE " + action;
      bool assigned = false;
      for (size_t k = 0; k < matched.size(); ++k) {
        const MergeClause& c = *matched[k];
        if (c.action != MergeClause::Action::kUpdate) continue;
        std::optional<std::string> value;
        if (c.assignments.empty()) {  // UPDATE SET *: the source column of that name
          const StructField* sf = FindCaseless(*source_schema, f.name);
          if (sf != nullptr) value = s + "." + QuoteIdentifier(sf->name);
        } else {
          for (const auto& [column, e] : c.assignments) {
            if (column == f.name) value = e;
          }
        }
        if (!value) continue;
        expr += " WHEN " + std::to_string(k + 1) + " THEN (" + *value + ")";
        assigned = true;
      }
      std::string column = t + "." + QuoteIdentifier(f.name);
      expr = assigned ? expr + " ELSE " + column + " END" : column;
      select += (select.empty() ? "" : ", ") + expr + " AS " + QuoteIdentifier(f.name);
    }
    for (size_t k = 0; k < matched.size(); ++k) {
      if (matched[k]->action == MergeClause::Action::kDelete) {
        deletes += (deletes.empty() ? "" : ", ") + std::to_string(k + 1);
      }
    }
    STRATA_ASSIGN_OR_RETURN(std::string touched_scan, FileScanSql(snapshot, touched, conn_));
    std::string from = " FROM (" + touched_scan + ") AS " + t + " LEFT JOIN " + joined.name() +
                       " AS __j ON " + t + ".__file = __j.__file AND " + t +
                       ".__row = __j.__row LEFT JOIN " + source.name() + " AS " + s + " ON " + s +
                       ".__sid = __j.__sid";
    rewrite_sql = "SELECT " + select + from +
                  (deletes.empty() ? "" : " WHERE (" + action + ") NOT IN (" + deletes + ")");
    STRATA_ASSIGN_OR_RETURN(auto counts, QueryStrings(conn_, "SELECT CAST(" + action +
                                                                 " AS VARCHAR), CAST(count(*) AS "
                                                                 "VARCHAR)" +
                                                                 from + " GROUP BY ALL"));
    for (const auto& row : counts) {
      int64_t k = std::stoll(row[0].value_or("0")), n = std::stoll(row[1].value_or("0"));
      if (k == 0) {
        result.rows_copied += n;
      } else if (matched[k - 1]->action == MergeClause::Action::kDelete) {
        result.rows_deleted += n;
      } else {
        result.rows_updated += n;
      }
    }
    for (const LogicalFile* f : touched) {
      txn->RemoveLive(*f);
      ++result.files_removed;
    }
  }

  // Inserted rows: source rows that matched no target row.
  std::string insert_sql;
  if (!not_matched.empty()) {
    std::string which = "CASE";
    for (size_t k = 0; k < not_matched.size(); ++k) {
      which += " WHEN " + Cond(*not_matched[k]) + " THEN " + std::to_string(k + 1);
    }
    which += " ELSE 0 END";
    for (size_t k = 0; k < not_matched.size(); ++k) {
      const MergeClause& c = *not_matched[k];
      std::string select;
      for (const StructField& f : schema.fields) {
        std::string value = "NULL";
        if (c.assignments.empty()) {  // INSERT *
          const StructField* sf = FindCaseless(*source_schema, f.name);
          if (sf != nullptr) value = s + "." + QuoteIdentifier(sf->name);
        } else {
          for (const auto& [column, e] : c.assignments) {
            if (column == f.name) value = "(" + e + ")";
          }
        }
        select += (select.empty() ? "" : ", ") + value + " AS " + QuoteIdentifier(f.name);
      }
      insert_sql += (insert_sql.empty() ? "" : " UNION ALL ") + std::string("SELECT ") + select +
                    " FROM " + source.name() + " AS " + s + " WHERE " + s +
                    ".__sid NOT IN (SELECT __sid FROM " + joined.name() + ") AND (" + which +
                    ") = " + std::to_string(k + 1);
    }
    STRATA_ASSIGN_OR_RETURN(result.rows_inserted,
                            QueryInt(conn_, "SELECT count(*) FROM (" + insert_sql + ")"));
  }

  std::string rows_sql = rewrite_sql;
  if (result.rows_inserted > 0) {
    rows_sql += (rows_sql.empty() ? "" : " UNION ALL ") + insert_sql;
  }
  if (touched.empty() && result.rows_inserted == 0) return result;  // nothing to commit
  txn->SetOperation("MERGE", {{"predicate", spec.on}});
  STRATA_RETURN_IF_ERROR(WriteRows(*txn, rows_sql, result).status());
  if (spec.txn) txn->SetTxn(*spec.txn);
  txn->SetMetric("numTargetRowsInserted", result.rows_inserted);
  txn->SetMetric("numTargetRowsUpdated", result.rows_updated);
  txn->SetMetric("numTargetRowsDeleted", result.rows_deleted);
  txn->SetMetric("numTargetRowsCopied", result.rows_copied);
  txn->SetMetric("numTargetFilesRemoved", result.files_removed);
  txn->SetMetric("numTargetFilesAdded", result.files_added);
  STRATA_RETURN_IF_ERROR(Finish(*txn, result));
  return result;
}

}  // namespace strata::lake
