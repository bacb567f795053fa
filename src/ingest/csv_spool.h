// Spool files for database connectors: rows written as CSV (RFC 4180, as
// PostgreSQL's COPY ... (FORMAT csv) writes them) into the sink's staging
// directory, and the DuckDB query that reads one back with explicit types.
// Internal to the ingest subsystem.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/file_system.h"
#include "common/status.h"
#include "ingest/connector.h"
#include "ingest/spool_pipeline.h"

namespace strata::ingest {

// One column of a spool file and how DuckDB turns it into the bronze column.
struct SpoolColumn {
  std::string name;       // the bronze column name
  std::string csv_type;   // the DuckDB type read_csv reads the field as
  std::string duck_expr;  // expression over the field ($) giving duck_type
  std::string duck_type;  // the bronze column's type
};

// A CSV spool file being written. Not thread-safe.
class CsvSpoolFile {
 public:
  // Creates (truncates) `path` through `fs`. The file system's error.
  static Result<std::unique_ptr<CsvSpoolFile>> Create(FileSystem& fs, std::string path);

  // Appends one complete CSV row (with its newline); buffered.
  Status AppendRow(std::string_view row);
  // Flushes and closes; later appends are errors.
  Status Close();

  const std::string& path() const { return path_; }
  int64_t rows() const { return rows_; }
  int64_t bytes() const { return bytes_; }

 private:
  CsvSpoolFile(std::unique_ptr<WritableFile> file, std::string path)
      : file_(std::move(file)), path_(std::move(path)) {}

  std::unique_ptr<WritableFile> file_;
  std::string path_;
  std::string buffer_;
  int64_t rows_ = 0;
  int64_t bytes_ = 0;
};

// Appends `value` to `row` as one CSV field, quoted when it has to be (a
// comma, quote, CR or LF inside, or empty: an unquoted empty field is NULL).
void AppendCsvField(std::string& row, std::string_view value);

// The SELECT reading spool file `path`: its first `skip_fields` fields are
// ignored, the next ones are `columns` in order. An empty `path` gives a
// query with the columns' types and no rows.
std::string SpoolSelect(const std::string& path, const std::vector<SpoolColumn>& columns,
                        int skip_fields = 0);

// The consumer side of RunSpoolPipeline for a database stream: commits each
// spooled batch through `sink` (the first one replaces the table when
// `full_refresh`), reports progress, and stops with Aborted once the sink is
// cancelled. `sink` must outlive the returned function; one thread.
std::function<Status(SpoolBatch)> CommitSpooledBatches(BatchSink& sink,
                                                       std::vector<SpoolColumn> columns,
                                                       int skip_fields, bool full_refresh);

// DuckDB quoting.
// The first field of a CSV row, unquoted: the database connectors put the
// cursor column first, so this is the cursor value of the row.
std::string FirstCsvField(std::string_view row);

std::string DuckIdentifier(std::string_view name);
std::string DuckLiteral(std::string_view text);

}  // namespace strata::ingest
