// A running `COPY (SELECT ...) TO STDOUT (FORMAT binary)` read as an
// engine::TableSource: the bronze writer's query pulls chunks, and each pull
// reads CopyData messages from libpq and decodes them into DuckDB's vectors
// (postgres_binary.h). So the server renders, the socket carries and DuckDB
// encodes Parquet at the same time, with no text in between and nothing on
// disk but the data file. Internal to the ingest subsystem.
//
// One source serves every batch of a stream: a batch's query reads until
// `batch_rows` rows or `batch_bytes` bytes (then, for an incremental stream,
// on to the next change of cursor value, so equal cursors share a batch), and
// the next batch's query goes on from there.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "engine/engine.h"
#include "ingest/connector.h"
#include "ingest/postgres_binary.h"
#include "ingest/postgres_client.h"
#include "ingest/postgres_types.h"

namespace strata::ingest {

struct PgCopyLayout {
  std::vector<PgColumnPlan> columns;  // the COPY's fields, in order (after the cursor)
  bool leading_cursor = false;        // the first field is the cursor column as text
  int64_t batch_rows = 1'000'000;
  int64_t batch_bytes = 256LL << 20;
  std::string stream;       // for quarantined rows
  std::string description;  // e.g. "table 'public.t'", for quarantined rows
};

// Not thread-safe: the connector and the engine take turns (the engine calls
// Fill only while the connector waits in BatchSink::Commit).
class PgCopySource : public engine::TableSource {
 public:
  // `conn` has started the COPY (StartCopyOut) and must outlive the source.
  PgCopySource(PgConnection& conn, PgCopyLayout layout);

  // True when the COPY has rows no batch has taken yet; reads ahead one
  // message. The server's error, or Corruption for a malformed stream.
  Result<bool> HasMoreRows();

  // Starts the next batch: Fill gives rows until it is full or the COPY ends.
  void StartBatch();

  const std::vector<std::pair<std::string, engine::LogicalType>>& columns() const override {
    return columns_;
  }
  Status Fill(engine::OutputChunk& out) override;

  int64_t batch_bytes() const { return batch_bytes_; }
  int64_t total_rows() const { return total_rows_; }
  int64_t total_bytes() const { return total_bytes_; }
  // The cursor text of the last row taken (leading_cursor only).
  const std::string& last_cursor() const { return last_cursor_; }
  // Rows whose values have no DuckDB equivalent, left out of the batches
  // read so far; the caller quarantines them.
  std::vector<BadRecord> TakeBadRecords() { return std::exchange(bad_records_, {}); }

 private:
  PgConnection& conn_;
  PgCopyLayout layout_;
  std::vector<std::pair<std::string, engine::LogicalType>> columns_;

  std::string_view message_;  // the tuple read ahead (libpq's buffer), when has_message_
  bool has_message_ = false;
  bool header_read_ = false;
  bool ended_ = false;
  std::vector<PgField> fields_;

  int64_t batch_rows_ = 0;
  int64_t batch_bytes_ = 0;
  int64_t total_rows_ = 0;
  int64_t total_bytes_ = 0;
  std::string last_cursor_;
  std::vector<BadRecord> bad_records_;
};

// `fields` as text for a quarantine record, each by RenderPgValue, NULL as
// NULL: "(1, 'plain', NaN, 2024-01-01 00:00:00.000000)".
std::string RenderPgTuple(const std::vector<PgField>& fields, const std::vector<PgWire>& wires);

}  // namespace strata::ingest
