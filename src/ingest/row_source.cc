#include "ingest/row_source.h"

#include <memory>

#include "common/utf8.h"

namespace strata::ingest {

BatchedRowSource::BatchedRowSource(RowBatching batching,
                                   std::vector<std::pair<std::string, engine::LogicalType>> columns)
    : batching_(std::move(batching)), columns_(std::move(columns)) {}

Result<bool> BatchedRowSource::HasMoreRows() {
  if (!has_row_ && !ended_) {
    STRATA_ASSIGN_OR_RETURN(bool more, NextRow());
    has_row_ = more;
    ended_ = !more;
  }
  return has_row_;
}

void BatchedRowSource::StartBatch() {
  batch_rows_ = 0;
  batch_bytes_ = 0;
}

Status BatchedRowSource::Fill(engine::OutputChunk& out) {
  size_t row = 0;
  while (row < out.capacity()) {
    STRATA_ASSIGN_OR_RETURN(bool more, HasMoreRows());
    if (!more) break;
    std::string_view cursor;
    if (batching_.leading_cursor) cursor = RowCursor();
    const bool full = batch_rows_ >= batching_.batch_rows || batch_bytes_ >= batching_.batch_bytes;
    if (full && (!batching_.leading_cursor || cursor != last_cursor_)) break;  // the next batch's

    size_t bad_column = 0;
    Status written = WriteRow(out, row, &bad_column);
    const int64_t bytes = RowBytes();
    ++batch_rows_;
    ++total_rows_;
    batch_bytes_ += bytes;
    total_bytes_ += bytes;
    if (batching_.leading_cursor) last_cursor_.assign(cursor);
    has_row_ = false;  // the row stays readable until the next NextRow
    if (written.ok()) {
      ++row;
      continue;
    }
    if (written.code() != StatusCode::kInvalidArgument) return written;
    // A value DuckDB cannot hold: the row goes to the quarantine, and its
    // slot in the chunk is reused.
    for (size_t c = 0; c < columns_.size(); ++c) out.SetValid(c, row);
    const std::string column = bad_column < columns_.size() ? columns_[bad_column].first : "?";
    bad_records_.push_back({batching_.stream, batching_.description, total_rows_, RenderRow(),
                            "column '" + column + "': " + written.message()});
  }
  out.SetSize(row);
  return Status::OK();
}

Status CommitRowBatches(BatchSink& sink, const std::shared_ptr<BatchedRowSource>& source,
                        const std::string& select_prefix, bool full_refresh,
                        const std::string& cursor_field, const std::string& saved_cursor) {
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<engine::TableSourceRegistration> registration,
                          sink.connection().RegisterTableSource(source));
  const std::string query = select_prefix + " FROM " + registration->sql();
  std::string last_cursor = saved_cursor;
  bool committed_any = false;
  while (true) {
    STRATA_ASSIGN_OR_RETURN(bool more, source->HasMoreRows());
    if (!more && (committed_any || !full_refresh)) break;
    source->StartBatch();
    StagedBatch batch;
    batch.query = query;
    batch.replace_table = full_refresh && !committed_any;
    // The batch's end is known once the query has read it.
    batch.finish_state = [&]() -> Result<StreamedBatchResult> {
      STRATA_ASSIGN_OR_RETURN(bool rest, source->HasMoreRows());
      nlohmann::json state;
      if (!cursor_field.empty()) {
        if (source->total_rows() > 0) last_cursor = source->last_cursor();
        state = {{"cursor_field", cursor_field}, {"cursor", last_cursor}};
      } else {
        state = {{"rows", source->total_rows()}, {"complete", !rest}};
      }
      return StreamedBatchResult{std::move(state), source->batch_bytes()};
    };
    STRATA_RETURN_IF_ERROR(sink.Commit(std::move(batch)));
    committed_any = true;
    std::vector<BadRecord> bad = source->TakeBadRecords();
    if (!bad.empty()) STRATA_RETURN_IF_ERROR(sink.Quarantine(std::move(bad)));
    sink.Progress(source->total_rows(), source->total_bytes());
    if (sink.Cancelled()) return Status::Aborted("cancelled");
  }
  return Status::OK();
}

std::string ExpandColumnTemplate(const std::string& templ, const std::string& column) {
  std::string out;
  for (char c : templ) {
    if (c == '$') {
      out += column;
    } else {
      out += c;
    }
  }
  return out;
}

namespace {
constexpr char kHexDigits[] = "0123456789abcdef";
constexpr size_t kMaxRawBytes = 64 * 1024;  // BadRecord::raw's documented bound
}  // namespace

std::string HexText(std::string_view bytes) {
  std::string out = "\\x";
  for (unsigned char c : bytes) {
    out += kHexDigits[c >> 4];
    out += kHexDigits[c & 15];
  }
  return out;
}

std::string RowText(size_t fields,
                    const std::function<std::optional<std::string>(size_t)>& render) {
  std::string out = "(";
  for (size_t i = 0; i < fields && out.size() < kMaxRawBytes; ++i) {
    if (i > 0) out += ", ";
    out += render(i).value_or("NULL");
  }
  out += ")";
  if (out.size() > kMaxRawBytes) out.resize(kMaxRawBytes);
  return out;
}

std::string QuotedText(std::string_view bytes) {
  std::string out = "'";
  while (!bytes.empty()) {
    const size_t bad = FindInvalidUtf8(bytes);
    out += bytes.substr(0, bad);
    if (bad == std::string_view::npos) break;
    out += HexText(bytes.substr(bad, 1));
    bytes.remove_prefix(bad + 1);
  }
  out += "'";
  return out;
}

}  // namespace strata::ingest
