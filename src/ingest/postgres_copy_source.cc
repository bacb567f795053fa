#include "ingest/postgres_copy_source.h"

namespace strata::ingest {
namespace {

// The binary COPY trailer: a field count of -1.
constexpr std::string_view kTrailer("\xff\xff", 2);

std::vector<std::pair<std::string, engine::LogicalType>> SourceColumns(
    const std::vector<PgColumnPlan>& columns) {
  std::vector<std::pair<std::string, engine::LogicalType>> out;
  for (const PgColumnPlan& column : columns) out.emplace_back(column.name, column.wire_type);
  return out;
}

}  // namespace

std::string RenderPgTuple(const std::vector<PgField>& fields, const std::vector<PgWire>& wires) {
  return RowText(fields.size(), [&](size_t i) -> std::optional<std::string> {
    if (fields[i].is_null) return std::nullopt;
    return RenderPgValue(i < wires.size() ? wires[i] : PgWire::kBytea, fields[i].bytes);
  });
}

PgCopySource::PgCopySource(PgConnection& conn, std::vector<PgColumnPlan> columns,
                           RowBatching batching)
    : BatchedRowSource(batching, SourceColumns(columns)),
      conn_(conn),
      columns_(std::move(columns)),
      skip_(batching.leading_cursor ? 1 : 0) {}

Result<bool> PgCopySource::NextRow() {
  while (true) {
    STRATA_ASSIGN_OR_RETURN(std::optional<std::string_view> message, conn_.NextCopyData());
    if (!message) return false;
    std::string_view in = *message;
    if (!header_read_) {
      STRATA_RETURN_IF_ERROR(ConsumePgCopyHeader(in));
      header_read_ = true;
    }
    // The trailer comes alone, after the last tuple (the end of the data
    // follows it).
    if (in.empty() || in == kTrailer) continue;
    message_size_ = in.size();
    STRATA_ASSIGN_OR_RETURN(bool is_tuple, ConsumePgTuple(in, fields_));
    // A trailer right after the last tuple is read as the end too.
    if (!is_tuple || fields_.size() != columns_.size() + skip_ || (!in.empty() && in != kTrailer)) {
      return Status::Corruption("binary COPY: a message that is not one tuple of " +
                                std::to_string(columns_.size() + skip_) + " fields");
    }
    return true;
  }
}

Status PgCopySource::WriteRow(engine::OutputChunk& out, size_t row, size_t* bad_column) {
  for (size_t c = 0; c < columns_.size(); ++c) {
    const PgField& field = fields_[c + skip_];
    if (field.is_null) {
      out.SetNull(c, row);
      continue;
    }
    Status decoded =
        DecodePgValue(columns_[c].wire, columns_[c].wire_type, field.bytes, out, c, row);
    if (!decoded.ok()) {
      *bad_column = c;
      return decoded;
    }
  }
  return Status::OK();
}

std::string PgCopySource::RenderRow() const {
  std::vector<PgWire> wires;
  if (skip_ > 0) wires.push_back(PgWire::kText);
  for (const PgColumnPlan& column : columns_) wires.push_back(column.wire);
  return RenderPgTuple(fields_, wires);
}

}  // namespace strata::ingest
