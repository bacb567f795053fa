#include "engine/duckdb_bridge.h"
#include "engine/engine.h"

namespace strata::engine {

PreparedStatement::PreparedStatement(internal::ConstructionKey,
                                     std::shared_ptr<internal::PreparedHandle> handle)
    : handle_(std::move(handle)) {}

PreparedStatement::~PreparedStatement() = default;

size_t PreparedStatement::ParameterCount() const { return duckdb_nparams(handle_->stmt); }

Result<size_t> PreparedStatement::ParameterIndex(std::string_view name) const {
  std::string key(name);
  if (!key.empty() && key[0] == '$') key.erase(0, 1);
  idx_t index = 0;
  if (duckdb_bind_parameter_index(handle_->stmt, &index, key.c_str()) != DuckDBSuccess) {
    return Status::NotFound("the statement has no parameter $" + key);
  }
  return static_cast<size_t>(index);
}

LogicalType PreparedStatement::ParameterType(size_t index) const {
  if (index < 1 || index > ParameterCount()) return LogicalType();
  internal::OwnedLogicalType type(duckdb_param_logical_type(handle_->stmt, index));
  return type ? internal::TypeFromDuckDB(type.get()) : LogicalType();
}

size_t PreparedStatement::ColumnCount() const {
  return duckdb_prepared_statement_column_count(handle_->stmt);
}

std::string PreparedStatement::ColumnName(size_t i) const {
  const char* name = duckdb_prepared_statement_column_name(handle_->stmt, i);
  std::string out = name != nullptr ? name : "";
  // The C API hands out a copy here (unlike duckdb_column_name).
  duckdb_free(const_cast<char*>(name));
  return out;
}

LogicalType PreparedStatement::ColumnType(size_t i) const {
  internal::OwnedLogicalType type(duckdb_prepared_statement_column_logical_type(handle_->stmt, i));
  return type ? internal::TypeFromDuckDB(type.get()) : LogicalType();
}

Status PreparedStatement::CheckIndex(size_t index) const {
  size_t count = ParameterCount();
  if (index < 1 || index > count) {
    return Status::OutOfRange("parameter index " + std::to_string(index) +
                              " is out of range: the statement has " + std::to_string(count) +
                              " parameter(s), numbered from 1");
  }
  return Status::OK();
}

Status PreparedStatement::Bound(size_t index, bool ok) {
  if (ok) return Status::OK();
  return Status::InvalidArgument("DuckDB could not bind parameter " + std::to_string(index));
}

Status PreparedStatement::Bind(size_t index, const Value& v) {
  STRATA_RETURN_IF_ERROR(CheckIndex(index));
  if (v.IsNull()) return BindNull(index);
  STRATA_ASSIGN_OR_RETURN(internal::OwnedValue value, internal::ValueToDuckDB(v));
  return Bound(index, duckdb_bind_value(handle_->stmt, index, value.get()) == DuckDBSuccess);
}

Status PreparedStatement::BindNull(size_t index) {
  STRATA_RETURN_IF_ERROR(CheckIndex(index));
  return Bound(index, duckdb_bind_null(handle_->stmt, index) == DuckDBSuccess);
}

Status PreparedStatement::BindBool(size_t index, bool v) {
  STRATA_RETURN_IF_ERROR(CheckIndex(index));
  return Bound(index, duckdb_bind_boolean(handle_->stmt, index, v) == DuckDBSuccess);
}

Status PreparedStatement::BindInt32(size_t index, int32_t v) {
  STRATA_RETURN_IF_ERROR(CheckIndex(index));
  return Bound(index, duckdb_bind_int32(handle_->stmt, index, v) == DuckDBSuccess);
}

Status PreparedStatement::BindInt64(size_t index, int64_t v) {
  STRATA_RETURN_IF_ERROR(CheckIndex(index));
  return Bound(index, duckdb_bind_int64(handle_->stmt, index, v) == DuckDBSuccess);
}

Status PreparedStatement::BindUInt64(size_t index, uint64_t v) {
  STRATA_RETURN_IF_ERROR(CheckIndex(index));
  return Bound(index, duckdb_bind_uint64(handle_->stmt, index, v) == DuckDBSuccess);
}

Status PreparedStatement::BindDouble(size_t index, double v) {
  STRATA_RETURN_IF_ERROR(CheckIndex(index));
  return Bound(index, duckdb_bind_double(handle_->stmt, index, v) == DuckDBSuccess);
}

Status PreparedStatement::BindString(size_t index, std::string_view v) {
  STRATA_RETURN_IF_ERROR(CheckIndex(index));
  return Bound(
      index, duckdb_bind_varchar_length(handle_->stmt, index, v.data(), v.size()) == DuckDBSuccess);
}

Status PreparedStatement::BindBlob(size_t index, std::string_view bytes) {
  STRATA_RETURN_IF_ERROR(CheckIndex(index));
  return Bound(index,
               duckdb_bind_blob(handle_->stmt, index, bytes.data(), bytes.size()) == DuckDBSuccess);
}

Status PreparedStatement::BindDate(size_t index, Date v) {
  STRATA_RETURN_IF_ERROR(CheckIndex(index));
  return Bound(index, duckdb_bind_date(handle_->stmt, index, duckdb_date{v.days}) == DuckDBSuccess);
}

Status PreparedStatement::BindTimestamp(size_t index, Timestamp v) {
  STRATA_RETURN_IF_ERROR(CheckIndex(index));
  return Bound(index, duckdb_bind_timestamp(handle_->stmt, index, duckdb_timestamp{v.micros}) ==
                          DuckDBSuccess);
}

Status PreparedStatement::BindInterval(size_t index, Interval v) {
  STRATA_RETURN_IF_ERROR(CheckIndex(index));
  return Bound(index,
               duckdb_bind_interval(handle_->stmt, index,
                                    duckdb_interval{v.months, v.days, v.micros}) == DuckDBSuccess);
}

Status PreparedStatement::ClearBindings() {
  if (duckdb_clear_bindings(handle_->stmt) != DuckDBSuccess) {
    return Status::Internal("DuckDB could not clear the statement's bindings");
  }
  return Status::OK();
}

Result<std::unique_ptr<QueryResult>> PreparedStatement::Execute() {
  return QueryResult::Run(handle_);
}

}  // namespace strata::engine
