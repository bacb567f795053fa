// The "files" connector: streams of CSV, JSON, NDJSON, Parquet and XML files
// named by a path or glob relative to the project root (docs/INGEST.md, "The
// files connector").
//
// Each run lists the stream's files through the sink's FileSystem, skips the
// ones its state says were ingested already (same size and mtime, or same
// SHA-256), and commits one batch per remaining file: DuckDB reads the file,
// the rows it cannot read go to quarantine with file, line, raw text and
// reason, and the good rows are committed with `_strata_file` and
// `_strata_row`. The state after each batch lists every file ingested so far,
// so a crashed run resumes at the first uncommitted file.
#pragma once

#include <memory>
#include <string>

#include "ingest/connector.h"
#include "ingest/file_formats.h"

namespace strata::ingest {

class FilesConnector : public Connector {
 public:
  // The connector for `source`; InvalidArgument (naming strata.yml:line:col)
  // when a setting is unknown or malformed. Does not touch the disk.
  static Result<std::unique_ptr<Connector>> Make(const SourceConfig& source);

  // OK when every stream's options parse and its pattern's directory exists
  // (NotFound naming the path otherwise). Reads the real file system.
  Status Check() override;

  // Commits one batch per new or changed file of `stream` (every file in
  // full_refresh) and quarantines unreadable records. Errors: the pattern's
  // directory is missing, a file cannot be read or hashed, or the sink fails;
  // files committed before the error stay committed.
  Status Read(const StreamConfig& stream, const nlohmann::json& state, BatchSink& sink) override;

 private:
  explicit FilesConnector(SourceConfig source) : source_(std::move(source)) {}
  // The directory stream paths are relative to: the project root joined with
  // the source's optional `root`.
  Result<std::string> Root() const;

  SourceConfig source_;
};

// The read options of `stream`: its own keys over the source's defaults.
// InvalidArgument for an unknown key or a malformed value.
Result<files::ReadOptions> ParseFilesReadOptions(const SourceConfig& source,
                                                 const StreamConfig& stream);

// Registers "files" (builtin_connectors.cc).
void RegisterFilesConnector();

}  // namespace strata::ingest
