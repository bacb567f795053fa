// The connector contract: how a source's records reach the bronze writer.
//
// A connector reads one stream of a source (a table, a file pattern, an API
// endpoint, a Singer stream) and hands the bronze writer *staged batches*: a
// DuckDB SELECT over rows the connector has put somewhere the engine can read
// (a spool file in the staging directory, a temp table, the source files
// themselves). The writer adds the lineage columns and commits each batch as
// one Delta version carrying a `txn` action, together with the stream state
// that batch brings the stream to. So a connector never writes tables and
// never persists state itself; it only reads from a given state and says what
// the state is after each batch.
//
//   class MyConnector : public Connector { ... };
//   void RegisterMyConnector() { RegisterConnector("my_api", &MyConnector::Make); }
// and one line in builtin_connectors.cc (static initializers in a static
// library are dropped by the linker, so registration is explicit).
//
// Data flow for one stream (ingest.cc drives it):
//   state = last committed state (Delta commit + metadata store)
//   connector->Read(stream, state, sink)
//     -> sink.Commit({query, state_after, ...})   one Delta commit per batch
//     -> sink.Quarantine({bad rows})              rows that could not be read
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/config.h"
#include "common/file_system.h"
#include "common/status.h"
#include "engine/engine.h"

namespace strata::ingest {

enum class SyncMode {
  kFullRefresh,  // every run replaces the bronze table with the whole source
  kIncremental,  // rows whose cursor column passed the saved cursor, appended
  kAppendOnly,   // every run appends what the source gives (files: new files only)
};

enum class OnSchemaChange {
  kEvolve,  // new columns are added; removed ones become NULL; retypes widen or fail
  kRescue,  // columns that do not fit go to `_strata_rescued` (JSON text)
  kFail,    // any difference fails the stream
};

// One stream of a source, as declared in strata.yml (docs/INGEST.md).
struct StreamConfig {
  std::string name;    // the key under `streams:`
  std::string target;  // "bronze.<source>_<stream>" unless `target:` says otherwise
  SyncMode sync = SyncMode::kFullRefresh;
  std::string cursor_field;  // kIncremental: the column whose max is the saved cursor
  std::vector<std::string> primary_key;
  ConfigNode settings;  // the stream's own keys (path, table, endpoint, ...)
};

// One source, as declared in strata.yml under `sources.<name>`.
struct SourceConfig {
  std::string name;
  std::string connector;  // "files", "postgres", "mysql", "http", "singer", ...
  ConfigNode settings;    // the connector's own keys (connection, auth, ...)
  std::vector<StreamConfig> streams;
  OnSchemaChange on_schema_change = OnSchemaChange::kEvolve;
  // Fail the run when more rows than this are quarantined: a count (>= 1) or
  // a fraction of the rows read (< 1). Unset: never fail for bad rows.
  std::optional<double> max_bad_rows;
  std::string project_root;  // for relative paths in settings
};

// A record that could not be read; it goes to bronze._quarantine_<source>.
struct BadRecord {
  std::string stream;
  std::string file;    // file path, URL, or table name the record came from
  int64_t line = 0;    // 1-based line (or record number) where known, else 0
  std::string raw;     // the record's text as read (truncated to 64 KiB)
  std::string reason;  // why, e.g. "column 'amount': could not convert 'abc' to DOUBLE"
};

// What a streamed batch turned out to be (StagedBatch::finish_state).
struct StreamedBatchResult {
  nlohmann::json state_after;  // the stream's state once the batch is committed
  int64_t source_bytes = 0;    // bytes read from the source for the batch
};

// Rows ready to commit. The query's columns are the records' columns; file
// connectors also give `_strata_file` (VARCHAR) and `_strata_row` (BIGINT).
struct StagedBatch {
  std::string query;           // a SELECT the sink runs on the connection it gave
  nlohmann::json state_after;  // the stream's state once this batch is committed
  int64_t source_bytes = 0;    // bytes read from the source for this batch
  // Full refresh: the first batch of a run replaces the table, later ones append.
  bool replace_table = false;
  // Spool files this batch reads; the sink deletes them after the commit.
  std::vector<std::string> spool_files;
  // A streamed batch: the query reads rows that are still arriving (a table
  // source the connector feeds from the network while the sink runs the
  // query), so the state after the batch is known only once the query has
  // read them all.
  // When set, the sink runs the query exactly once, then calls this (it may
  // block until the connector has finished the batch) and commits its state
  // and bytes instead of `state_after` and `source_bytes`; an error abandons
  // the batch (nothing committed).
  std::function<Result<StreamedBatchResult>()> finish_state;
};

// What a committed batch did.
struct BatchCommit {
  int64_t version = -1;  // the Delta version written (or that applied it before)
  int64_t rows = 0;      // rows written
  bool already_applied = false;
};

// Implemented by the ingest driver; a connector's only way out.
// Not thread-safe: call from the thread that called Connector::Read.
class BatchSink {
 public:
  virtual ~BatchSink() = default;

  // The engine connection staged queries run on; owned by the sink.
  virtual engine::Connection& connection() = 0;
  // A directory (created, empty at the start of the read) for spool files; it
  // is removed after the stream ends.
  virtual const std::string& staging_dir() = 0;
  // The file system connectors read files through; owned by the sink.
  virtual FileSystem& file_system() = 0;

  // Commits `batch` as one Delta version with its state, exactly once: a
  // batch already committed by an earlier crashed run is recognised and not
  // applied twice. Errors: the batch's query failed, or the write failed
  // (nothing of it is visible then). A query that fails on its input gives
  // InvalidArgument before anything is committed, so the connector may
  // commit another batch in its place (the files connector's direct CSV read).
  virtual Result<BatchCommit> Commit(StagedBatch batch) = 0;

  // Records bad records in the source's quarantine table (committed with the
  // next batch, or at the end of the stream).
  virtual Status Quarantine(std::vector<BadRecord> records) = 0;

  // Reports progress of the current stream (totals so far, not increments).
  virtual void Progress(int64_t rows, int64_t bytes) = 0;

  // True once the user asked to stop (Ctrl-C); connectors stop between batches.
  virtual bool Cancelled() const = 0;
};

// Reads the streams of one source. Made per run by its factory; used from one
// thread.
class Connector {
 public:
  virtual ~Connector() = default;

  // Checks that the source can be reached and the settings make sense
  // (`strata ingest --check`). Unavailable when the source cannot be reached.
  virtual Status Check() = 0;

  // Reads `stream` from `state` (null: from the beginning) into `sink`, one
  // StagedBatch at a time; returns after the last batch. Errors end the
  // stream; batches committed before the error stay.
  virtual Status Read(const StreamConfig& stream, const nlohmann::json& state, BatchSink& sink) = 0;
};

using ConnectorFactory =
    std::function<Result<std::unique_ptr<Connector>>(const SourceConfig& source)>;

// Registers a connector type under `name` (e.g. "postgres"), replacing any
// earlier one of that name. Call at start-up (RegisterBuiltinConnectors) or
// from tests; not thread-safe.
void RegisterConnector(const std::string& name, ConnectorFactory factory);

// The connector for `source.connector`: NotFound (listing the known ones) when
// no connector has that name; the factory's error when settings are wrong.
Result<std::unique_ptr<Connector>> MakeConnector(const SourceConfig& source);

// The names of every registered connector, sorted.
std::vector<std::string> ConnectorNames();

// Registers every connector built into Strata (builtin_connectors.cc); safe to
// call more than once.
void RegisterBuiltinConnectors();

}  // namespace strata::ingest
