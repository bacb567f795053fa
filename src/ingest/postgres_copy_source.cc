#include "ingest/postgres_copy_source.h"

#include "common/utf8.h"

namespace strata::ingest {
namespace {

// The binary COPY trailer: a field count of -1.
constexpr std::string_view kTrailer("\xff\xff", 2);

constexpr size_t kMaxRawBytes = 64 * 1024;  // BadRecord::raw's documented bound

}  // namespace

std::string RenderPgTuple(const std::vector<PgField>& fields, const std::vector<PgWire>& wires) {
  std::string out = "(";
  for (size_t i = 0; i < fields.size() && out.size() < kMaxRawBytes; ++i) {
    if (i > 0) out += ", ";
    if (fields[i].is_null) {
      out += "NULL";
    } else {
      out += RenderPgValue(i < wires.size() ? wires[i] : PgWire::kBytea, fields[i].bytes);
    }
  }
  out += ")";
  if (out.size() > kMaxRawBytes) out.resize(kMaxRawBytes);
  return out;
}

PgCopySource::PgCopySource(PgConnection& conn, PgCopyLayout layout)
    : conn_(conn), layout_(std::move(layout)) {
  for (const PgColumnPlan& column : layout_.columns) {
    columns_.emplace_back(column.name, column.wire_type);
  }
}

Result<bool> PgCopySource::HasMoreRows() {
  while (!has_message_ && !ended_) {
    STRATA_ASSIGN_OR_RETURN(std::optional<std::string_view> message, conn_.NextCopyData());
    if (!message) {
      ended_ = true;
      break;
    }
    std::string_view in = *message;
    if (!header_read_) {
      STRATA_RETURN_IF_ERROR(ConsumePgCopyHeader(in));
      header_read_ = true;
    }
    if (in.empty()) continue;
    // The trailer (a field count of -1) comes alone, after the last tuple.
    if (in == kTrailer) continue;
    message_ = in;
    has_message_ = true;
  }
  return has_message_;
}

void PgCopySource::StartBatch() {
  batch_rows_ = 0;
  batch_bytes_ = 0;
}

Status PgCopySource::Fill(engine::OutputChunk& out) {
  const size_t skip = layout_.leading_cursor ? 1 : 0;
  const size_t expected_fields = layout_.columns.size() + skip;
  size_t row = 0;
  while (row < out.capacity()) {
    STRATA_ASSIGN_OR_RETURN(bool more, HasMoreRows());
    if (!more) break;
    std::string_view in = message_;
    STRATA_ASSIGN_OR_RETURN(bool is_tuple, ConsumePgTuple(in, fields_));
    // PostgreSQL sends the trailer alone; a trailer right after the last
    // tuple is read as the end too.
    if (!is_tuple || fields_.size() != expected_fields || (!in.empty() && in != kTrailer)) {
      return Status::Corruption("binary COPY: a message that is not one tuple of " +
                                std::to_string(expected_fields) + " fields");
    }
    std::string_view cursor;
    if (layout_.leading_cursor) cursor = fields_[0].bytes;
    const bool full = batch_rows_ >= layout_.batch_rows || batch_bytes_ >= layout_.batch_bytes;
    if (full && (!layout_.leading_cursor || cursor != last_cursor_)) break;  // the next batch's

    Status bad;
    size_t bad_column = 0;
    for (size_t c = 0; c < layout_.columns.size() && bad.ok(); ++c) {
      const PgField& field = fields_[c + skip];
      if (field.is_null) {
        out.SetNull(c, row);
        continue;
      }
      const PgColumnPlan& plan = layout_.columns[c];
      bad = DecodePgValue(plan.wire, plan.wire_type, field.bytes, out, c, row);
      bad_column = c;
    }
    ++batch_rows_;
    ++total_rows_;
    batch_bytes_ += static_cast<int64_t>(message_.size());
    total_bytes_ += static_cast<int64_t>(message_.size());
    if (layout_.leading_cursor) last_cursor_.assign(cursor);
    has_message_ = false;
    if (bad.ok()) {
      ++row;
      continue;
    }
    if (bad.code() != StatusCode::kInvalidArgument) return bad;  // a malformed stream
    // A value DuckDB cannot hold: the row goes to the quarantine, and its
    // slot in the chunk is reused.
    for (size_t c = 0; c < layout_.columns.size(); ++c) out.SetValid(c, row);
    std::vector<PgWire> wires;
    if (layout_.leading_cursor) wires.push_back(PgWire::kText);
    for (const PgColumnPlan& plan : layout_.columns) wires.push_back(plan.wire);
    bad_records_.push_back({layout_.stream, layout_.description, total_rows_,
                            RenderPgTuple(fields_, wires),
                            "column '" + layout_.columns[bad_column].name + "': " + bad.message()});
  }
  out.SetSize(row);
  return Status::OK();
}

}  // namespace strata::ingest
