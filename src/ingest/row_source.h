// A database result streamed into bronze as an engine::TableSource: the
// bronze writer's query pulls chunks, and each pull takes rows from the
// open result (PostgreSQL's binary COPY, MySQL's row stream) and writes them
// straight into DuckDB's vectors. The server sends, the socket carries and
// DuckDB encodes Parquet at the same time, with nothing on disk but the data
// file. Internal to the ingest subsystem.
//
// One source serves every batch of a stream: a batch's query reads until
// `batch_rows` rows or `batch_bytes` bytes (then, for an incremental stream,
// on to the next change of cursor value, so equal cursors share a batch), and
// the next batch's query goes on from there. CommitRowBatches drives it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "engine/engine.h"
#include "ingest/connector.h"

namespace strata::ingest {

struct RowBatching {
  bool leading_cursor = false;  // the first field is the cursor column, as text
  int64_t batch_rows = 1'000'000;
  int64_t batch_bytes = 256LL << 20;
  std::string stream;       // for quarantined rows
  std::string description;  // e.g. "table 'public.t'", for quarantined rows
};

// Not thread-safe: the connector and the engine take turns (the engine calls
// Fill only while the connector waits in BatchSink::Commit).
class BatchedRowSource : public engine::TableSource {
 public:
  // True when the result has rows no batch has taken yet; reads ahead one
  // row. The source's error.
  Result<bool> HasMoreRows();

  // Starts the next batch: Fill gives rows until it is full or the result ends.
  void StartBatch();

  const std::vector<std::pair<std::string, engine::LogicalType>>& columns() const override {
    return columns_;
  }
  Status Fill(engine::OutputChunk& out) final;

  int64_t batch_bytes() const { return batch_bytes_; }
  int64_t total_rows() const { return total_rows_; }
  int64_t total_bytes() const { return total_bytes_; }
  // The cursor text of the last row taken (leading_cursor only).
  const std::string& last_cursor() const { return last_cursor_; }
  // Rows whose values have no DuckDB equivalent, left out of the batches
  // read so far; the caller quarantines them.
  std::vector<BadRecord> TakeBadRecords() { return std::exchange(bad_records_, {}); }

 protected:
  // `columns`: what the rows are written as (the cursor field excluded).
  BatchedRowSource(RowBatching batching,
                   std::vector<std::pair<std::string, engine::LogicalType>> columns);

  // Reads the next row, which stays current until the next call; false at
  // the end of the result. The source's error.
  virtual Result<bool> NextRow() = 0;
  // The current row's cursor text (leading_cursor only) and size in bytes.
  virtual std::string_view RowCursor() const = 0;
  virtual int64_t RowBytes() const = 0;
  // Writes the current row's values (the cursor field excluded) into row
  // `row` of `out`. InvalidArgument, with `*bad_column` set, names a value
  // DuckDB cannot hold: the row goes to the quarantine. Any other error ends
  // the read.
  virtual Status WriteRow(engine::OutputChunk& out, size_t row, size_t* bad_column) = 0;
  // The current row as readable text, for the quarantine.
  virtual std::string RenderRow() const = 0;

 private:
  RowBatching batching_;
  std::vector<std::pair<std::string, engine::LogicalType>> columns_;
  bool has_row_ = false;
  bool ended_ = false;
  int64_t batch_rows_ = 0;
  int64_t batch_bytes_ = 0;
  int64_t total_rows_ = 0;
  int64_t total_bytes_ = 0;
  std::string last_cursor_;
  std::vector<BadRecord> bad_records_;
};

// Commits `source`'s rows through `sink`, a batch at a time, each batch
// being `select_prefix` + " FROM " + the source's table function call (a
// SELECT list that turns the source's columns into the bronze columns).
// State after each batch: {"cursor_field", "cursor"} when `cursor_field` is
// set (starting from `saved_cursor`), else {"rows", "complete"}. A full
// refresh commits at least one batch (an empty source empties the table);
// the other modes commit only rows. Stops with Aborted once the sink is
// cancelled, between batches.
Status CommitRowBatches(BatchSink& sink, const std::shared_ptr<BatchedRowSource>& source,
                        const std::string& select_prefix, bool full_refresh,
                        const std::string& cursor_field, const std::string& saved_cursor);

// `templ` with every '$' replaced by `column`: the connectors' per-column
// expressions ("CAST($ AS DATE)") applied to a quoted column name.
std::string ExpandColumnTemplate(const std::string& templ, const std::string& column);

// `bytes` as \x-prefixed lowercase hex.
std::string HexText(std::string_view bytes);

// A row for a quarantine record, "(1, 'a', NULL)": `render(i)` gives field
// i's text (nullopt for NULL). Cut at BadRecord::raw's 64 KiB bound.
std::string RowText(size_t fields, const std::function<std::optional<std::string>(size_t)>& render);

// `bytes` as a quoted SQL-like literal for quarantine text: bytes that are
// not UTF-8 as \xNN.
std::string QuotedText(std::string_view bytes);

}  // namespace strata::ingest
