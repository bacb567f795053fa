// Data files of a Delta table: the rows of a DuckDB query written as Parquet
// under the table root (one file per partition, in Hive-style directories),
// each described by an `add` action with its partition values and per-file
// statistics (PROTOCOL.md "Add File and Remove File", "Per-file Statistics",
// "Partition Value Serialization").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/file_system.h"
#include "common/status.h"
#include "engine/engine.h"
#include "lake/actions.h"
#include "lake/schema.h"

namespace strata::lake {

// A random (version 4) UUID in its 36-character text form. Thread-safe.
std::string NewUuid();

struct DataFileOptions {
  // Parquet codec: uncompressed, snappy, gzip, lz4_raw or zstd (PROTOCOL.md
  // "Table Properties": delta.parquet.compression.codec, default zstd).
  std::string compression = "zstd";
  // Leaf columns that get min/max/nullCount (delta.dataSkippingNumIndexedCols;
  // -1 for all). Partition columns are not in the files and do not count.
  int num_indexed_cols = 32;
  // String statistics keep this many leading characters; a cut maximum is
  // extended so that it still bounds every value.
  int string_prefix_length = 32;
};

// Options for the table `configuration` (delta.parquet.compression.codec,
// delta.dataSkippingNumIndexedCols). InvalidArgument for a bad value.
Result<DataFileOptions> DataFileOptionsFor(const StringMap& configuration);

// Writes the rows of `query` as data files of the table at `root` with
// `schema` and `partition_columns`. Columns are matched by name
// (case-insensitively); the table's columns the query lacks are written as
// NULL and the values are cast to the table's types. Returns one `add` (with
// dataChange=true and stats) per file written; none (and no file left) when
// the query has no rows. InvalidArgument for a NULL in a non-nullable column
// (the file is deleted) or a query that does not run; NotSupported for
// partition columns of nested or binary type.
// An unpartitioned table costs one prepare and one COPY ... RETURN_STATS: the
// statistics come from what DuckDB reports while writing (file_stats.h), not
// from reading the file back. A partitioned table stages the rows in a temp
// table on `conn` and COPYs each partition the same way.
// Files are written by DuckDB directly to disk (a crash leaves orphans, which
// are harmless until committed); directories go through `fs`. One thread per
// connection.
Result<std::vector<AddFile>> WriteDataFiles(engine::Connection& conn, FileSystem& fs,
                                            const std::string& root, const DataType& schema,
                                            const std::vector<std::string>& partition_columns,
                                            const std::string& query,
                                            const DataFileOptions& options);

// The statistics JSON (numRecords, minValues, maxValues, nullCount) of the
// Parquet file at `path`, which holds the non-partition columns of `schema`,
// computed by scanning the whole file (the reference the stats WriteDataFiles
// takes from DuckDB are tested against). Internal/InvalidArgument when the
// scan fails. One thread per connection.
Result<std::string> ComputeFileStats(engine::Connection& conn, const std::string& path,
                                     const DataType& schema,
                                     const std::vector<std::string>& partition_columns,
                                     const DataFileOptions& options);

// A Hive partition directory component ("col=value", escaped as Hive does;
// NULL is __HIVE_DEFAULT_PARTITION__).
std::string PartitionDirectory(const std::string& column, const std::optional<std::string>& value);

}  // namespace strata::lake
