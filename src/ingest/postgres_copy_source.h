// A running `COPY (SELECT ...) TO STDOUT (FORMAT binary)` as a
// BatchedRowSource (row_source.h): each row is one CopyData message from
// libpq, decoded straight into DuckDB's vectors (postgres_binary.h). Internal
// to the ingest subsystem.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ingest/postgres_binary.h"
#include "ingest/postgres_client.h"
#include "ingest/postgres_types.h"
#include "ingest/row_source.h"

namespace strata::ingest {

class PgCopySource : public BatchedRowSource {
 public:
  // `conn` has started the COPY (StartCopyOut) and must outlive the source;
  // `columns` are the COPY's fields in order, after the cursor's text when
  // `batching.leading_cursor`.
  PgCopySource(PgConnection& conn, std::vector<PgColumnPlan> columns, RowBatching batching);

 private:
  Result<bool> NextRow() override;
  std::string_view RowCursor() const override { return fields_[0].bytes; }
  int64_t RowBytes() const override { return static_cast<int64_t>(message_size_); }
  Status WriteRow(engine::OutputChunk& out, size_t row, size_t* bad_column) override;
  std::string RenderRow() const override;

  PgConnection& conn_;
  std::vector<PgColumnPlan> columns_;
  size_t skip_;  // 1 with a leading cursor field
  bool header_read_ = false;
  std::vector<PgField> fields_;  // the current row's, pointing into libpq's buffer
  size_t message_size_ = 0;
};

// `fields` as text for a quarantine record, each by RenderPgValue, NULL as
// NULL: "(1, 'plain', NaN, 2024-01-01 00:00:00.000000)".
std::string RenderPgTuple(const std::vector<PgField>& fields, const std::vector<PgWire>& wires);

}  // namespace strata::ingest
