#include "engine/duckdb_bridge.h"
#include "engine/engine.h"

namespace strata::engine {

Result<std::unique_ptr<QueryResult>> QueryResult::Run(
    std::shared_ptr<internal::PreparedHandle> prepared) {
  internal::ConnectionState& conn = *prepared->conn;
  ++conn.generation;
  duckdb_pending_result pending = nullptr;
  // Streaming: DuckDB produces rows as they are fetched instead of
  // materializing the whole result here.
  if (duckdb_pending_prepared_streaming(prepared->stmt, &pending) != DuckDBSuccess) {
    Status status = internal::ErrorStatus(duckdb_pending_error(pending));
    duckdb_destroy_pending(&pending);
    return status;
  }
  auto handle = std::make_unique<internal::ResultHandle>();
  duckdb_state state = duckdb_execute_pending(pending, &handle->result);
  duckdb_destroy_pending(&pending);
  if (state != DuckDBSuccess) {
    return internal::ErrorStatus(duckdb_result_error_type(&handle->result),
                                 duckdb_result_error(&handle->result));
  }
  return std::make_unique<QueryResult>(internal::ConstructionKey(), std::move(prepared),
                                       std::move(handle));
}

QueryResult::QueryResult(internal::ConstructionKey,
                         std::shared_ptr<internal::PreparedHandle> prepared,
                         std::unique_ptr<internal::ResultHandle> result)
    : prepared_(std::move(prepared)), result_(std::move(result)) {
  duckdb_result* r = &result_->result;
  size_t count = duckdb_column_count(r);
  auto types = std::make_shared<std::vector<LogicalType>>();
  names_.reserve(count);
  types->reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const char* name = duckdb_column_name(r, i);
    names_.emplace_back(name != nullptr ? name : "");
    internal::OwnedLogicalType type(duckdb_column_logical_type(r, i));
    types->push_back(internal::TypeFromDuckDB(type.get()));
  }
  types_ = std::move(types);
  if (duckdb_result_return_type(result_->result) == DUCKDB_RESULT_TYPE_CHANGED_ROWS) {
    rows_changed_ = static_cast<int64_t>(duckdb_rows_changed(r));
  }
  streaming_ = duckdb_result_is_streaming(result_->result);
  generation_ = prepared_->conn->generation;
}

QueryResult::~QueryResult() = default;

Result<std::unique_ptr<DataChunk>> QueryResult::Fetch() {
  while (!exhausted_) {
    if (streaming_ && prepared_->conn->generation != generation_) {
      exhausted_ = true;
      return Status::Aborted(
          "this streaming result was ended by a later statement on the same connection; read "
          "a result to the end before starting the next statement, or use another Connection");
    }
    duckdb_data_chunk chunk = duckdb_fetch_chunk(result_->result);
    if (chunk == nullptr) {
      exhausted_ = true;
      const char* error = duckdb_result_error(&result_->result);
      if (error != nullptr) {
        return internal::ErrorStatus(duckdb_result_error_type(&result_->result), error);
      }
      break;
    }
    if (duckdb_data_chunk_get_size(chunk) == 0) {
      duckdb_destroy_data_chunk(&chunk);
      continue;
    }
    return std::make_unique<DataChunk>(internal::ConstructionKey(), chunk, types_);
  }
  return std::unique_ptr<DataChunk>();
}

Result<std::vector<std::vector<Value>>> QueryResult::FetchAllRows() {
  std::vector<std::vector<Value>> rows;
  while (true) {
    STRATA_ASSIGN_OR_RETURN(std::unique_ptr<DataChunk> chunk, Fetch());
    if (chunk == nullptr) return rows;
    for (size_t row = 0; row < chunk->size(); ++row) {
      std::vector<Value> values;
      values.reserve(chunk->ColumnCount());
      for (size_t col = 0; col < chunk->ColumnCount(); ++col) {
        values.push_back(chunk->GetValue(col, row));
      }
      rows.push_back(std::move(values));
    }
  }
}

}  // namespace strata::engine
