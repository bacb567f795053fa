// Scan: turns a Snapshot into one DuckDB SELECT that reads the table's rows:
// read_parquet over the live files, partition values joined in as typed
// constants, columns renamed from their physical names (column mapping),
// values cast to the table's types, and deleted rows (deletion vectors)
// filtered out by file_row_number.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/file_system.h"
#include "common/status.h"
#include "engine/engine.h"
#include "lake/data_skipping.h"
#include "lake/snapshot.h"

namespace strata::lake {

struct ScanOptions {
  // Files that statistics or partition values prove cannot match are left
  // out. The rows of the files kept are NOT filtered: the caller still applies
  // its predicate to the result.
  std::vector<ColumnPredicate> filters;
  // Logical column names to return, in this order; all columns when unset.
  std::optional<std::vector<std::string>> columns;
};

struct ScanPlan {
  std::string sql;            // a SELECT returning the table's rows
  size_t files_total = 0;     // live files in the snapshot
  size_t files_scanned = 0;   // files the SQL reads (after skipping)
  uint64_t deleted_rows = 0;  // rows removed by deletion vectors in scanned files
};

// Plans a scan of `snapshot`. Reads deletion vectors through `fs` and the
// data files' Parquet footers through `conn` (to learn which columns and
// types they hold). InvalidArgument for a bad filter or unknown column,
// NotSupported for column types this reader cannot map (variant), Corruption
// for unreadable deletion vectors. The SQL embeds file paths and DV row
// numbers, so it is only valid for this snapshot. One thread per `conn`.
Result<ScanPlan> PlanScan(const Snapshot& snapshot, const ScanOptions& options, FileSystem& fs,
                          engine::Connection& conn);

// The expression converting `source` (a column or field read from Parquet)
// to the table type `type`: casts, timestamp normalization to UTC instants,
// and physical-to-logical renaming of nested struct fields.
Result<std::string> ConvertExpression(const std::string& source, const DataType& type,
                                      ColumnMappingMode mode, int depth = 0);

}  // namespace strata::lake
