// Helpers shared by the table operations in writer.cc and writer_dml.cc:
// which tables Strata may write, reading chosen files with their row
// positions, and evaluating predicates on partition values. Internal to
// src/lake.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/engine.h"
#include "lake/snapshot.h"

namespace strata::lake {

// Writer features this writer honours (PROTOCOL.md "Table Features",
// "Writer Version Requirements"). Legacy writer versions 3-6 are accepted
// while the features they imply are unused by the table.
Status CheckWriteSupported(const Snapshot& snapshot);

// InvalidArgument when the table is append-only (delta.appendOnly=true,
// PROTOCOL.md "Append-only Tables") and `operation` would remove data.
Status CheckMayRemoveData(const Snapshot& snapshot, const std::string& operation);

// A SELECT reading `files` of `snapshot`: every table column under its name
// and type, plus "__file" (the file's path, LogicalFile::path) and "__row"
// (the row's position in its file). Precondition: no column mapping and no
// deletion vectors (CheckWriteSupported). One thread per `conn`.
Result<std::string> FileScanSql(const Snapshot& snapshot,
                                const std::vector<const LogicalFile*>& files,
                                engine::Connection& conn);

// True when `predicate` (SQL) refers to partition columns only, so that it
// can be decided per file from partition values. Binding it is the test.
bool IsPartitionPredicate(const Snapshot& snapshot, const std::string& predicate,
                          engine::Connection& conn);

// For each of `files`, whether its partition values make `predicate` TRUE.
// InvalidArgument when the predicate does not evaluate.
Result<std::vector<bool>> MatchPartitions(const Snapshot& snapshot,
                                          const std::vector<const LogicalFile*>& files,
                                          const std::string& predicate, engine::Connection& conn);

// numRecords from the file's stats, or -1 when unknown.
int64_t RecordsIn(const AddFile& add);

// Rows of a one-file scan, counted by DuckDB (for files without stats).
Result<int64_t> CountRows(const Snapshot& snapshot, const LogicalFile& file,
                          engine::Connection& conn);

// The first column of the first row of `sql` as an integer.
Result<int64_t> QueryInt(engine::Connection& conn, const std::string& sql);

}  // namespace strata::lake
