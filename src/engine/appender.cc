#include "engine/duckdb_bridge.h"
#include "engine/engine.h"

namespace strata::engine {

Appender::Appender(internal::ConstructionKey, std::shared_ptr<internal::ConnectionState> conn,
                   _duckdb_appender* appender)
    : conn_(std::move(conn)), appender_(appender) {}

Appender::~Appender() {
  if (appender_ == nullptr) return;
  ++conn_->generation;
  duckdb_appender_destroy(&appender_);
}

Status Appender::Check(bool ok) {
  if (ok) return Status::OK();
  if (appender_ == nullptr) return Status::InvalidArgument("the appender is closed");
  duckdb_error_data error = duckdb_appender_error_data(appender_);
  Status status =
      internal::ErrorStatus(duckdb_error_data_error_type(error), duckdb_error_data_message(error));
  duckdb_destroy_error_data(&error);
  return status;
}

size_t Appender::ColumnCount() const {
  return appender_ != nullptr ? duckdb_appender_column_count(appender_) : 0;
}

LogicalType Appender::ColumnType(size_t i) const {
  if (appender_ == nullptr) return LogicalType();
  internal::OwnedLogicalType type(duckdb_appender_column_type(appender_, i));
  return type ? internal::TypeFromDuckDB(type.get()) : LogicalType();
}

Status Appender::Append(const Value& v) {
  if (v.IsNull()) return AppendNull();
  STRATA_ASSIGN_OR_RETURN(internal::OwnedValue value, internal::ValueToDuckDB(v));
  return Check(duckdb_append_value(appender_, value.get()) == DuckDBSuccess);
}

Status Appender::AppendNull() { return Check(duckdb_append_null(appender_) == DuckDBSuccess); }

Status Appender::AppendDefault() {
  return Check(duckdb_append_default(appender_) == DuckDBSuccess);
}

Status Appender::AppendBool(bool v) {
  return Check(duckdb_append_bool(appender_, v) == DuckDBSuccess);
}

Status Appender::AppendInt8(int8_t v) {
  return Check(duckdb_append_int8(appender_, v) == DuckDBSuccess);
}

Status Appender::AppendInt16(int16_t v) {
  return Check(duckdb_append_int16(appender_, v) == DuckDBSuccess);
}

Status Appender::AppendInt32(int32_t v) {
  return Check(duckdb_append_int32(appender_, v) == DuckDBSuccess);
}

Status Appender::AppendInt64(int64_t v) {
  return Check(duckdb_append_int64(appender_, v) == DuckDBSuccess);
}

Status Appender::AppendUInt8(uint8_t v) {
  return Check(duckdb_append_uint8(appender_, v) == DuckDBSuccess);
}

Status Appender::AppendUInt16(uint16_t v) {
  return Check(duckdb_append_uint16(appender_, v) == DuckDBSuccess);
}

Status Appender::AppendUInt32(uint32_t v) {
  return Check(duckdb_append_uint32(appender_, v) == DuckDBSuccess);
}

Status Appender::AppendUInt64(uint64_t v) {
  return Check(duckdb_append_uint64(appender_, v) == DuckDBSuccess);
}

Status Appender::AppendHugeInt(HugeInt v) {
  return Check(duckdb_append_hugeint(appender_, duckdb_hugeint{v.lower, v.upper}) == DuckDBSuccess);
}

Status Appender::AppendUHugeInt(UHugeInt v) {
  return Check(duckdb_append_uhugeint(appender_, duckdb_uhugeint{v.lower, v.upper}) ==
               DuckDBSuccess);
}

Status Appender::AppendFloat(float v) {
  return Check(duckdb_append_float(appender_, v) == DuckDBSuccess);
}

Status Appender::AppendDouble(double v) {
  return Check(duckdb_append_double(appender_, v) == DuckDBSuccess);
}

Status Appender::AppendString(std::string_view v) {
  return Check(duckdb_append_varchar_length(appender_, v.data(), v.size()) == DuckDBSuccess);
}

Status Appender::AppendBlob(std::string_view bytes) {
  return Check(duckdb_append_blob(appender_, bytes.data(), bytes.size()) == DuckDBSuccess);
}

Status Appender::AppendDate(Date v) {
  return Check(duckdb_append_date(appender_, duckdb_date{v.days}) == DuckDBSuccess);
}

Status Appender::AppendTime(Time v) {
  return Check(duckdb_append_time(appender_, duckdb_time{v.micros}) == DuckDBSuccess);
}

Status Appender::AppendTimestamp(Timestamp v) {
  return Check(duckdb_append_timestamp(appender_, duckdb_timestamp{v.micros}) == DuckDBSuccess);
}

Status Appender::AppendInterval(Interval v) {
  return Check(duckdb_append_interval(appender_, duckdb_interval{v.months, v.days, v.micros}) ==
               DuckDBSuccess);
}

// A full buffer makes EndRow write to the table, which (like any statement)
// ends the connection's open streaming result; counting every row keeps that
// rule deterministic instead of depending on the buffer size.
Status Appender::EndRow() {
  ++conn_->generation;
  return Check(duckdb_appender_end_row(appender_) == DuckDBSuccess);
}

Status Appender::Flush() {
  ++conn_->generation;
  return Check(duckdb_appender_flush(appender_) == DuckDBSuccess);
}

Status Appender::Close() {
  if (appender_ == nullptr) return Status::OK();
  ++conn_->generation;
  Status status = Check(duckdb_appender_close(appender_) == DuckDBSuccess);
  duckdb_appender_destroy(&appender_);
  appender_ = nullptr;
  return status;
}

}  // namespace strata::engine
