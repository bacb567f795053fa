// Delta per-file statistics (PROTOCOL.md "Per-file Statistics") from the
// statistics DuckDB returns for the Parquet file it has just written
// (`COPY ... (FORMAT parquet, RETURN_STATS true)`), so that an append never
// reads its data back. Also the leaf enumeration shared with the scan-based
// ComputeFileStats (file_writer.h), which must produce the same shape.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/engine.h"
#include "lake/file_writer.h"
#include "lake/schema.h"

namespace strata::lake {

// One leaf column that gets statistics: its path (struct fields descend) and
// type. Lists and maps are leaves: Delta keeps no bounds for them.
struct StatLeaf {
  std::vector<std::string> path;
  const DataType* type;
};

// The leaves of `data_schema` (the file's columns, in order) that get
// statistics: the first `options.num_indexed_cols` (all when -1). The leaves
// point into `data_schema`, which must outlive them. Thread-safe.
std::vector<StatLeaf> StatLeaves(const DataType& data_schema, const DataFileOptions& options);

// What DuckDB reported for one Parquet leaf column of a written file. Absent
// fields were not reported (bounds are missing, e.g., for wide decimals,
// for strings over 256 bytes that are not ASCII, and for all-NaN columns).
struct ParquetColumnStats {
  std::optional<std::string> min;
  std::optional<std::string> max;
  std::optional<int64_t> null_count;
  bool has_nan = false;
};

// Parquet leaf column path (e.g. {"st", "a"}, or {"li", "element"} inside a
// list) to its statistics.
using ParquetFileStats = std::map<std::vector<std::string>, ParquetColumnStats>;

// One written file as reported by COPY ... RETURN_STATS.
struct WrittenFile {
  std::string path;
  int64_t num_records = 0;
  int64_t size = 0;
  ParquetFileStats columns;
  // The `partition_keys` column (PARTITION_BY writes); empty otherwise.
  std::map<std::string, std::optional<std::string>> partition_keys;
};

// Parses the rows of `COPY ... (FORMAT parquet, RETURN_STATS true)` (columns
// filename, count, file_size_bytes, footer_size_bytes, column_statistics,
// partition_keys), consuming `result`. Internal when the shape is not DuckDB
// 1.4's or fetching fails. One thread per result.
Result<std::vector<WrittenFile>> ParseReturnStats(engine::QueryResult& result);

// Splits a quoted column path as DuckDB prints it ("a"."b ""c""") into its
// names. nullopt when malformed. Thread-safe.
std::optional<std::vector<std::string>> ParseColumnPath(std::string_view text);

// The statistics JSON of a file from DuckDB's report: numRecords, and
// minValues/maxValues/nullCount nested like the schema for the leaves of
// StatLeaves(data_schema). Bounds follow ComputeFileStats (timestamps in UTC
// cut to milliseconds, strings cut to options.string_prefix_length characters
// with a cut maximum extended by U+10FFFF, no bounds for NaN/infinite
// maxima, booleans, binary, nested or decimals wider than 15 digits); a bound
// DuckDB did not report is left out, as is the nullCount of list and map
// columns (Parquet keeps counts per element, not per row). Thread-safe.
std::string DeltaStatsJson(const WrittenFile& file, const DataType& data_schema,
                           const DataFileOptions& options);

// The leaves of StatLeaves(data_schema) that should have bounds (decimals,
// numbers, dates, timestamps) but lack one in `file` although the file may
// hold a value (not all NULL): they need FillBoundsFromFooter. Only decimals
// qualify (wide decimals are where RETURN_STATS leaves bounds out). Thread-safe.
std::vector<std::vector<std::string>> LeavesMissingBounds(const WrittenFile& file,
                                                          const DataType& data_schema,
                                                          const DataFileOptions& options);

// Fills the min/max of the `leaves` of `file` from the Parquet footer of
// `file.path` (parquet_metadata: per row group statistics, no data read),
// combining row groups numerically. A leaf whose footer lacks a bound for
// some row group keeps that bound absent. Runs one query on `conn` (one
// thread per connection); its error is returned and `file` is then unchanged.
Status FillBoundsFromFooter(engine::Connection& conn,
                            const std::vector<std::vector<std::string>>& leaves,
                            const DataType& data_schema, WrittenFile& file);

// The Delta text of a TIMESTAMP WITH TIME ZONE (`utc`) or TIMESTAMP as DuckDB
// prints it ("2024-01-02 03:04:05.123456+00", fraction and offset optional):
// "2024-01-02T03:04:05.123Z" (in UTC), or "2024-01-02T03:04:05.123" without
// `utc`, cut to milliseconds. nullopt for BC, infinite or malformed input.
// Thread-safe.
std::optional<std::string> DeltaTimestampText(std::string_view duckdb_text, bool utc);

}  // namespace strata::lake
