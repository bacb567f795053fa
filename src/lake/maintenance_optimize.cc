// OPTIMIZE: bin-packing compaction, and sorted or Z-ordered rewrites. The
// commit is a rearrangement (dataChange=false on both sides, PROTOCOL.md "Add
// File and Remove File") that reads only the files it rewrites, so it commutes
// with concurrent appends.
//
// Z-order: each Z-order column is ranked (dense_rank, NULLs first), the rank
// scaled to `bits` bits, and the bits interleaved, most significant first,
// the first column taking the higher bit of each group; rows are written in
// the order of that key. With one column it is a plain sort by the column.
#include <algorithm>
#include <cctype>
#include <map>
#include <nlohmann/json.hpp>

#include "lake/checkpoint_reader.h"
#include "lake/deletion_vector.h"
#include "lake/file_writer.h"
#include "lake/json_util.h"
#include "lake/lake.h"
#include "lake/maintenance.h"
#include "lake/maintenance_internal.h"
#include "lake/scoped_temp_table.h"
#include "lake/write_support.h"

namespace strata::lake {
namespace {

using engine::QuoteIdentifier;
using engine::QuoteLiteral;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A byte count: digits with an optional b/kb/mb/gb suffix (binary units, as
// Spark's byte strings). InvalidArgument otherwise.
Result<int64_t> ParseByteSize(const std::string& text) {
  std::string s = Lower(text);
  char* end = nullptr;
  long long n = std::strtoll(s.c_str(), &end, 10);
  std::string suffix(end);
  static const std::map<std::string, int64_t> kUnits = {
      {"", 1},        {"b", 1},        {"k", 1024},    {"kb", 1024},
      {"m", 1 << 20}, {"mb", 1 << 20}, {"g", 1 << 30}, {"gb", 1 << 30}};
  auto unit = kUnits.find(suffix);
  if (end == s.c_str() || n <= 0 || unit == kUnits.end()) {
    return Status::InvalidArgument("delta.targetFileSize '" + text +
                                   "' is not a positive size in bytes (e.g. 134217728 or 128mb)");
  }
  return static_cast<int64_t>(n) * unit->second;
}

// The resolved column names of `requested` (Delta matches names
// case-insensitively). InvalidArgument for unknown, partition or nested columns.
Result<std::vector<std::string>> ResolveOrderColumns(const Snapshot& snapshot,
                                                     const std::vector<std::string>& requested,
                                                     const std::string& option) {
  std::vector<std::string> out;
  for (const std::string& name : requested) {
    const StructField* field = nullptr;
    for (const StructField& f : snapshot.schema().fields) {
      if (Lower(f.name) == Lower(name)) field = &f;
    }
    if (field == nullptr) {
      return Status::InvalidArgument(option + " column '" + name +
                                     "' is not a column of the table");
    }
    for (const std::string& p : snapshot.metadata().partition_columns) {
      if (Lower(p) == Lower(name)) {
        return Status::InvalidArgument(option + " column '" + name +
                                       "' is a partition column; every file holds one value of "
                                       "it already");
      }
    }
    auto kind = field->type->kind;
    if (kind == DataType::Kind::kStruct || kind == DataType::Kind::kArray ||
        kind == DataType::Kind::kMap) {
      return Status::InvalidArgument(option + " column '" + name + "' has type " +
                                     field->type->ToString() + ", which has no order");
    }
    out.push_back(field->name);
  }
  return out;
}

// The SQL adding "__z" (the Z-order key) to the rows of `scan`.
std::string ZOrderSql(const std::string& scan, const std::vector<std::string>& columns) {
  const int n = static_cast<int>(columns.size());
  const int bits = std::min(20, 62 / n);
  std::string ranks, scaled, key;
  for (int i = 0; i < n; ++i) {
    std::string r = "__zr" + std::to_string(i);
    ranks += ", dense_rank() OVER (ORDER BY " + QuoteIdentifier(columns[i]) +
             " NULLS FIRST) - 1 AS " + r;
    scaled += ", (" + r + " * " + std::to_string(int64_t{1} << bits) + ") // (max(" + r +
              ") OVER () + 1) AS __zn" + std::to_string(i);
  }
  for (int b = bits - 1; b >= 0; --b) {
    for (int i = 0; i < n; ++i) {
      int shift = b * n + (n - 1 - i);
      key += (key.empty() ? "" : " + ") + std::string("(((__zn") + std::to_string(i) + " >> " +
             std::to_string(b) + ") & 1) << " + std::to_string(shift) + ")";
    }
  }
  return "SELECT *, CAST(" + key + " AS BIGINT) AS __z FROM (SELECT *" + scaled +
         " FROM (SELECT *" + ranks + " FROM (" + scan + ") AS __zs) AS __zr) AS __zn";
}

// One group of files of one partition rewritten together.
struct Batch {
  std::vector<const LogicalFile*> files;
  int64_t bytes = 0;
};

class Optimizer {
 public:
  Optimizer(FileSystem& fs, engine::Connection& conn, Transaction& txn,
            const OptimizeOptions& options)
      : fs_(fs), conn_(conn), txn_(txn), snapshot_(*txn.snapshot()), options_(options) {}

  Status Run(OptimizeResult& result);

 private:
  Result<std::vector<const LogicalFile*>> SelectFiles();
  std::vector<Batch> BinPack(const std::vector<const LogicalFile*>& files) const;
  // The rows of the batch's files without the rows their deletion vectors
  // delete, as a SELECT (with helper columns __file and __row).
  Result<std::string> BatchRows(const Batch& batch, ScopedTempTable& deleted);
  Status Rewrite(const Batch& batch, OptimizeResult& result);

  FileSystem& fs_;
  engine::Connection& conn_;
  Transaction& txn_;
  const Snapshot& snapshot_;
  const OptimizeOptions& options_;
  int64_t target_ = kDefaultTargetFileSize;
  std::vector<std::string> order_columns_;
  bool zorder_ = false;
  DataFileOptions file_options_;
};

Result<std::vector<const LogicalFile*>> Optimizer::SelectFiles() {
  std::vector<const LogicalFile*> files;
  for (const LogicalFile& f : snapshot_.files()) files.push_back(&f);
  if (!options_.partition_filter || files.empty()) return files;
  const std::string& predicate = *options_.partition_filter;
  if (!IsPartitionPredicate(snapshot_, predicate, conn_)) {
    return Status::InvalidArgument(
        "OPTIMIZE's WHERE '" + predicate + "' must refer to partition columns only (" +
        (snapshot_.metadata().partition_columns.empty()
             ? std::string("the table has none")
             : "the table's are " +
                   json_util::Dump(nlohmann::json(snapshot_.metadata().partition_columns))) +
        ")");
  }
  STRATA_ASSIGN_OR_RETURN(auto match, MatchPartitions(snapshot_, files, predicate, conn_));
  std::vector<const LogicalFile*> selected;
  for (size_t i = 0; i < files.size(); ++i) {
    if (match[i]) selected.push_back(files[i]);
  }
  return selected;
}

std::vector<Batch> Optimizer::BinPack(const std::vector<const LogicalFile*>& files) const {
  std::vector<Batch> batches;
  if (!order_columns_.empty()) {
    // A sorted rewrite takes the whole partition: order spans every file.
    Batch all;
    for (const LogicalFile* f : files) {
      all.files.push_back(f);
      all.bytes += f->add.size;
    }
    if (!all.files.empty()) batches.push_back(std::move(all));
    return batches;
  }
  int64_t min_size = options_.min_file_size.value_or(target_);
  std::vector<const LogicalFile*> candidates;
  for (const LogicalFile* f : files) {
    // A file with a deletion vector is rewritten whatever its size, so the
    // deleted rows stop costing reads.
    if (f->add.size < min_size || f->add.deletion_vector.has_value()) candidates.push_back(f);
  }
  std::stable_sort(
      candidates.begin(), candidates.end(),
      [](const LogicalFile* a, const LogicalFile* b) { return a->add.size < b->add.size; });
  Batch current;
  auto close = [&]() {
    bool has_dv = std::any_of(current.files.begin(), current.files.end(), [](const LogicalFile* f) {
      return f->add.deletion_vector.has_value();
    });
    if (current.files.size() > 1 || has_dv) batches.push_back(std::move(current));
    current = Batch{};
  };
  for (const LogicalFile* f : candidates) {
    if (!current.files.empty() && current.bytes + f->add.size > target_) close();
    current.files.push_back(f);
    current.bytes += f->add.size;
  }
  if (!current.files.empty()) close();
  return batches;
}

Result<std::string> Optimizer::BatchRows(const Batch& batch, ScopedTempTable& deleted) {
  STRATA_ASSIGN_OR_RETURN(std::string scan, FileScanSql(snapshot_, batch.files, conn_));
  bool any_dv = false;
  for (const LogicalFile* f : batch.files) {
    if (!f->add.deletion_vector) continue;
    if (!any_dv) {
      STRATA_RETURN_IF_ERROR(
          conn_.Execute("CREATE TEMP TABLE " + deleted.name() + " (f VARCHAR, r BIGINT)"));
      any_dv = true;
    }
    STRATA_ASSIGN_OR_RETURN(
        auto rows, LoadDeletionVector(*f->add.deletion_vector, snapshot_.table_root(), fs_));
    constexpr size_t kChunk = 8192;
    for (size_t start = 0; start < rows.size(); start += kChunk) {
      std::string list;
      for (size_t i = start; i < rows.size() && i < start + kChunk; ++i) {
        list += (i == start ? "" : ",") + std::to_string(rows[i]);
      }
      STRATA_RETURN_IF_ERROR(conn_.Execute("INSERT INTO " + deleted.name() + " SELECT " +
                                           QuoteLiteral(f->path) + ", unnest([" + list + "])"));
    }
  }
  if (!any_dv) return scan;
  return "SELECT * FROM (" + scan + ") AS __b WHERE NOT EXISTS (SELECT 1 FROM " + deleted.name() +
         " AS __d WHERE __d.f = __b.__file AND __d.r = __b.__row)";
}

Status Optimizer::Rewrite(const Batch& batch, OptimizeResult& result) {
  ScopedTempTable deleted(conn_, "optimize_dv");
  STRATA_ASSIGN_OR_RETURN(std::string rows, BatchRows(batch, deleted));
  const DataType& schema = snapshot_.schema();
  const auto& partition_columns = snapshot_.metadata().partition_columns;
  std::vector<AddFile> adds;
  if (order_columns_.empty()) {
    STRATA_ASSIGN_OR_RETURN(adds, WriteDataFiles(conn_, fs_, snapshot_.table_root(), schema,
                                                 partition_columns, rows, file_options_));
  } else {
    std::string order;
    if (zorder_) {
      rows = ZOrderSql(rows, order_columns_);
      order = "__z, __file, __row";
    } else {
      for (const std::string& c : order_columns_) order += QuoteIdentifier(c) + " NULLS FIRST, ";
      order += "__file, __row";
    }
    ScopedTempTable sorted(conn_, "optimize_sorted");
    STRATA_RETURN_IF_ERROR(conn_.Execute("CREATE TEMP TABLE " + sorted.name() +
                                         " AS SELECT *, row_number() OVER (ORDER BY " + order +
                                         ") AS __rn FROM (" + rows + ") AS __o"));
    STRATA_ASSIGN_OR_RETURN(int64_t count,
                            QueryInt(conn_, "SELECT count(*) FROM " + sorted.name()));
    // Output files of about the target size: the input's bytes tell how many.
    int64_t chunks = std::max<int64_t>(1, (batch.bytes + target_ - 1) / target_);
    chunks = std::min(chunks, std::max<int64_t>(1, count));
    for (int64_t i = 0; i < chunks && count > 0; ++i) {
      int64_t lo = count * i / chunks, hi = count * (i + 1) / chunks;
      STRATA_ASSIGN_OR_RETURN(
          auto part,
          WriteDataFiles(conn_, fs_, snapshot_.table_root(), schema, partition_columns,
                         "SELECT * FROM " + sorted.name() + " WHERE __rn > " + std::to_string(lo) +
                             " AND __rn <= " + std::to_string(hi) + " ORDER BY __rn",
                         file_options_));
      for (AddFile& a : part) adds.push_back(std::move(a));
    }
  }
  for (const LogicalFile* f : batch.files) {
    txn_.RemoveLive(*f, /*data_change=*/false);
    result.files_removed += 1;
    result.bytes_removed += f->add.size;
    if (f->add.deletion_vector) result.deletion_vectors_removed += 1;
  }
  for (AddFile& add : adds) {
    add.data_change = false;
    result.files_added += 1;
    result.bytes_added += add.size;
    txn_.Add(std::move(add));
  }
  result.num_batches += 1;
  return Status::OK();
}

Status Optimizer::Run(OptimizeResult& result) {
  STRATA_RETURN_IF_ERROR(CheckMaintenanceSupported(snapshot_, "OPTIMIZE"));
  if (snapshot_.column_mapping_mode() != ColumnMappingMode::kNone) {
    return Status::NotSupported("OPTIMIZE on Delta table " + snapshot_.table_root() +
                                ": the table uses column mapping, which Strata does not write");
  }
  if (!options_.zorder_by.empty() && !options_.sort_by.empty()) {
    return Status::InvalidArgument("OPTIMIZE takes zorder_by or sort_by, not both");
  }
  zorder_ = options_.zorder_by.size() > 1;
  const auto& requested = options_.zorder_by.empty() ? options_.sort_by : options_.zorder_by;
  STRATA_ASSIGN_OR_RETURN(
      order_columns_, ResolveOrderColumns(snapshot_, requested,
                                          options_.zorder_by.empty() ? "sort_by" : "zorder_by"));
  if (options_.target_file_size) {
    if (*options_.target_file_size <= 0) {
      return Status::InvalidArgument("the OPTIMIZE target file size must be positive");
    }
    target_ = *options_.target_file_size;
  } else if (auto text = snapshot_.Property("delta.targetFileSize")) {
    STRATA_ASSIGN_OR_RETURN(target_, ParseByteSize(*text));
  }
  STRATA_ASSIGN_OR_RETURN(file_options_, DataFileOptionsFor(snapshot_.metadata().configuration));

  STRATA_ASSIGN_OR_RETURN(auto files, SelectFiles());
  std::map<PartitionValues, std::vector<const LogicalFile*>> partitions;
  for (const LogicalFile* f : files) partitions[f->add.partition_values].push_back(f);
  result.total_considered_files = static_cast<int64_t>(files.size());
  for (const auto& [values, partition_files] : partitions) {
    std::vector<Batch> batches = BinPack(partition_files);
    if (!batches.empty()) result.partitions_optimized += 1;
    for (const Batch& batch : batches) STRATA_RETURN_IF_ERROR(Rewrite(batch, result));
  }
  result.total_files_skipped = result.total_considered_files - result.files_removed;
  return Status::OK();
}

}  // namespace

Result<OptimizeResult> Optimize(const std::string& root, FileSystem& fs, engine::Connection& conn,
                                const OptimizeOptions& options) {
  STRATA_ASSIGN_OR_RETURN(
      auto txn,
      Transaction::Begin(root, fs, conn,
                         MaintenanceTxnOptions(options.clock, options.max_commit_attempts)));
  OptimizeResult result;
  Optimizer optimizer(fs, conn, *txn, options);
  STRATA_RETURN_IF_ERROR(optimizer.Run(result));
  if (result.files_removed == 0) return result;  // nothing to compact: no new version

  std::vector<std::string> predicates;
  if (options.partition_filter) predicates.push_back(*options.partition_filter);
  StringMap parameters = {{"predicate", json_util::Dump(nlohmann::json(predicates))},
                          {"zOrderBy", json_util::Dump(nlohmann::json(options.zorder_by))},
                          {"auto", "false"}};
  if (!options.sort_by.empty()) {
    parameters["sortBy"] = json_util::Dump(nlohmann::json(options.sort_by));
  }
  txn->SetOperation("OPTIMIZE", std::move(parameters));
  txn->SetMetric("numFilesAdded", result.files_added);
  txn->SetMetric("numFilesRemoved", result.files_removed);
  txn->SetMetric("numAddedBytes", result.bytes_added);
  txn->SetMetric("numRemovedBytes", result.bytes_removed);
  txn->SetMetric("partitionsOptimized", result.partitions_optimized);
  txn->SetMetric("numBatches", result.num_batches);
  txn->SetMetric("totalConsideredFiles", result.total_considered_files);
  txn->SetMetric("totalFilesSkipped", result.total_files_skipped);
  txn->SetMetric("numDeletionVectorsRemoved", result.deletion_vectors_removed);
  if (options.before_commit) options.before_commit();
  STRATA_ASSIGN_OR_RETURN(CommitResult commit, txn->Commit());
  result.committed = true;
  result.version = commit.version;
  result.attempts = commit.attempts;
  return result;
}

}  // namespace strata::lake
