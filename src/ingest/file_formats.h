// Internal to the files connector: how one file of each format becomes a
// staged SELECT plus the records that could not be read.
//
// Every Stage* function reads one file with DuckDB on the sink's connection,
// separates the bad records (quarantined with file, line and reason) from the
// good ones, and returns a query over the good ones with the lineage columns
// `_strata_file` and `_strata_row` appended. The query usually reads a TEMP
// table the function created; `cleanup_sql` drops it once the batch is
// committed. Errors are returned only when the engine itself fails (not for
// bad input: a file DuckDB cannot read at all becomes one BadRecord).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/engine.h"
#include "ingest/connector.h"

namespace strata::ingest::files {

enum class FileFormat { kCsv, kJson, kNdjson, kParquet, kXml };

// "csv", "json", ...
const char* FileFormatName(FileFormat format);
// The format named `name`; InvalidArgument listing the known ones otherwise.
Result<FileFormat> ParseFileFormat(const std::string& name);
// The format implied by `path`'s extension (a trailing .gz/.zst/.zstd is
// skipped: "a.csv.gz" is CSV); nullopt when the extension says nothing.
std::optional<FileFormat> FormatFromExtension(const std::string& path);

// Options of a stream that shape how its files are read (docs/INGEST.md, the
// files connector section). Empty / unset means "let DuckDB detect".
struct ReadOptions {
  std::optional<FileFormat> format;
  // CSV
  std::string delimiter;
  std::string quote;
  std::string escape;
  std::optional<bool> header;
  std::vector<std::pair<std::string, std::string>> columns;  // name, SQL type, in order
  std::string date_format;
  std::string timestamp_format;
  std::vector<std::string> null_strings;
  std::string encoding;  // utf-8 (default), latin-1, windows-1252, utf-16
  int64_t skip_rows = 0;
  // JSON: a dotted path to the list of records inside each document
  // ("data.items"); XML: the element path of one record ("/orders/order").
  std::string record_path;
};

// One file read and split into good and bad records.
struct StagedFile {
  std::string query;                     // SELECT over the good records + lineage
  std::vector<BadRecord> bad_records;    // `stream` left empty; the caller sets it
  std::vector<std::string> cleanup_sql;  // run after the batch is committed
  std::vector<std::string> spool_files;  // files written to the staging dir
  bool has_rows = true;                  // false: nothing to commit from this file
  // The query reads the file itself and fails on its first bad record
  // (CsvStaging::kDirectFirst): when committing it fails with InvalidArgument,
  // stage the file again with CsvStaging::kTolerant.
  bool direct = false;
};

// How StageCsv reads a file (csv_reader.cc explains both).
enum class CsvStaging {
  kDirectFirst,  // a query straight over the file, when it has rows; else as kTolerant
  kTolerant,     // good rows into a TEMP table, bad ones returned as records
};

// Each reads `path` (an absolute or cwd-relative path DuckDB can open); `label`
// is what `_strata_file` and BadRecord::file say (the project-relative path).
// `slot` makes the temp table names unique on the connection.
Result<StagedFile> StageCsv(engine::Connection& conn, const std::string& path,
                            const std::string& label, const ReadOptions& options,
                            const std::string& staging_dir, int slot,
                            CsvStaging mode = CsvStaging::kTolerant);
// The type each string field of a JSON / NDJSON stream lands as, by field
// name ("ts", "ctx.at", "hits[].t"): DATE, TIMESTAMP, TIMESTAMP WITH TIME
// ZONE or VARCHAR. Set by the first file with values for the field, then kept
// in the stream state (key "json_types") so that later files and runs land
// the same type (json_types.cc).
struct JsonFieldTypes {
  std::map<std::string, std::string> by_field;
  // False for a stream loaded before typing existed: its new fields are
  // recorded as VARCHAR (the bronze table already has them as strings).
  bool detect = true;

  // The state's "json_types" value.
  nlohmann::json ToJson() const;
  // The types in a files connector state (null: none yet); Corruption when
  // "json_types" is malformed.
  static Result<JsonFieldTypes> FromState(const nlohmann::json& state);
};

// JSON reads the records (a top-level array's elements, one object, or the
// array at `options.record_path` of each document) and NDJSON one record per
// line; both land ISO-8601 strings typed as `field_types` says, deciding
// (and recording there) the fields it has not seen yet. XML passes null:
// its strings stay VARCHAR.
// A malformed JSON document is quarantined at the line and column of the
// error (`fs` reads it to tell them).
Result<StagedFile> StageJson(engine::Connection& conn, FileSystem& fs, const std::string& path,
                             const std::string& label, const ReadOptions& options, int slot,
                             JsonFieldTypes* field_types);
Result<StagedFile> StageNdjson(engine::Connection& conn, const std::string& path,
                               const std::string& label, int slot, JsonFieldTypes* field_types);
Result<StagedFile> StageParquet(engine::Connection& conn, const std::string& path,
                                const std::string& label, int slot);
// XML is parsed in C++ (expat) into an NDJSON spool file in `staging_dir`,
// then staged like NDJSON with `_strata_row` the record's number.
Result<StagedFile> StageXml(engine::Connection& conn, FileSystem& fs, const std::string& path,
                            const std::string& label, const ReadOptions& options,
                            const std::string& staging_dir, int slot);

// The records of XML `content` at `record_path` (empty: each child of the
// root) as NDJSON text, one object per line, for StageXml. `records` counts
// them; `error` is the parse error (line, message) that ended the document
// early, if any. Never throws; any input is safe (fuzzed by xml_records_fuzz).
struct XmlRecords {
  std::string ndjson;
  int64_t records = 0;
  std::optional<std::pair<int64_t, std::string>> error;
};
XmlRecords XmlToNdjson(const std::string& content, const std::string& record_path);

// Types the string fields of the JSON records in TEMP `table` (column
// `line`, numbered by `row_expr`) whose json_group_structure is `structure`:
// fields new to `types` are decided from this file's values and recorded;
// records whose value in a DATE / TIMESTAMP field does not parse are appended
// to `bad` (file `label`). Errors: the engine failed.
struct TypedStructure {
  nlohmann::json structure;  // `structure` with the temporal fields retyped
  std::string valid_sql;     // true for records whose typed values all parse; empty: all do
};
Result<TypedStructure> TypeJsonStrings(engine::Connection& conn, const std::string& table,
                                       const std::string& row_expr, const std::string& is_record,
                                       const std::string& structure, const std::string& label,
                                       JsonFieldTypes& types, std::vector<BadRecord>& bad);

// Helpers shared by the readers.
// The lineage columns as a SELECT list tail: ", '<label>' AS _strata_file, <row_expr> AS
// _strata_row".
std::string LineageColumns(const std::string& label, const std::string& row_expr);
// `text` cut to BadRecord's 64 KiB limit.
std::string TruncateRaw(std::string text);
// Runs `sql` and returns its rows as strings (NULL as nullopt), for small results.
Result<std::vector<std::vector<std::optional<std::string>>>> QueryStrings(engine::Connection& conn,
                                                                          const std::string& sql);

}  // namespace strata::ingest::files
