// DataChunk and ColumnVector: zero-copy, typed views of one batch of result rows.
//
// Part of the engine's public surface: include "engine/engine.h", not this file.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "engine/types.h"
#include "engine/value.h"

// DuckDB's C API handle types, declared here so that engine.h need not pull in
// duckdb.h. The names must be the exact struct tags duckdb.h uses.
struct _duckdb_data_chunk;  // NOLINT(bugprone-reserved-identifier)
struct _duckdb_vector;      // NOLINT(bugprone-reserved-identifier)

namespace strata::engine {

class Database;
class Connection;
class QueryResult;
class PreparedStatement;
class Appender;

namespace internal {
// Only the engine can make one, so only the engine can call the constructors
// that take it (public so that std::make_unique can).
class ConstructionKey {
  ConstructionKey() = default;
  friend class engine::Database;
  friend class engine::Connection;
  friend class engine::QueryResult;
  friend class engine::PreparedStatement;
};
}  // namespace internal

// A non-owning view of one column of a DataChunk, or of a LIST/STRUCT/MAP/ARRAY
// child inside one. Valid while its DataChunk lives. Thread-compatible.
//
// The accessors that take a row are inline and allocation-free; use them (not
// GetValue) on hot paths.
class ColumnVector {
 public:
  ColumnVector() = default;

  const LogicalType& type() const { return *type_; }

  // True when `row` is not NULL.
  bool IsValid(size_t row) const {
    return validity_ == nullptr || ((validity_[row >> 6] >> (row & 63)) & 1) != 0;
  }
  // The validity bitmap (bit `row` set = not NULL), or nullptr when no row is NULL.
  const uint64_t* validity() const { return validity_; }

  // The vector's typed data. T must match the physical layout of type():
  // bool, int8_t..int64_t, uint8_t..uint64_t, float, double, HugeInt (HUGEINT and
  // DECIMAL wider than 18), UHugeInt (UHUGEINT), Date, Time, Timestamp (also
  // TIMESTAMP WITH TIME ZONE), int64_t (TIMESTAMP_S/_MS/_NS, TIME WITH TIME ZONE
  // bits), Interval, RawString (VARCHAR, BLOB), ListEntry (LIST, MAP),
  // uint8_t/uint16_t/uint32_t (ENUM index). Values in NULL rows are unspecified.
  template <typename T>
  const T* Data() const {
    assert(sizeof(T) == type_->PhysicalSize() || type_->PhysicalSize() == 0);
    return static_cast<const T*>(data_);
  }

  // VARCHAR or BLOB bytes of `row`, pointing into the chunk (no copy).
  // Precondition: IsValid(row).
  std::string_view GetString(size_t row) const { return Data<RawString>()[row].view(); }

  // LIST, MAP: the child vector holding all rows' elements; index it with
  // Data<ListEntry>()[row]. A MAP's child is a STRUCT(key, value).
  // ARRAY: the child vector; row r's elements are r*array_size() ... +array_size()-1.
  ColumnVector ListChild() const;
  // STRUCT: field `i` as a vector with the struct's rows.
  ColumnVector StructField(size_t i) const;

  // Any row as a Value (slow path: allocates for strings and nested types).
  // ENUM rows become VARCHAR values holding the label.
  Value GetValue(size_t row) const;

 private:
  friend class DataChunk;
  ColumnVector(_duckdb_vector* vector, const LogicalType* type);

  _duckdb_vector* vector_ = nullptr;
  const LogicalType* type_ = nullptr;
  const void* data_ = nullptr;
  const uint64_t* validity_ = nullptr;
};

// One batch of up to DuckDB's vector size (2048) rows, owned by the caller.
// Immutable once fetched: it may be read from any thread, one at a time or
// concurrently, and outlives the QueryResult it came from.
class DataChunk {
 public:
  DataChunk(const DataChunk&) = delete;
  DataChunk& operator=(const DataChunk&) = delete;
  ~DataChunk();

  size_t size() const { return size_; }
  size_t ColumnCount() const { return columns_.size(); }
  const LogicalType& ColumnType(size_t col) const { return columns_[col].type(); }
  const ColumnVector& Column(size_t col) const { return columns_[col]; }

  // True when (col, row) is not NULL.
  bool IsValid(size_t col, size_t row) const { return columns_[col].IsValid(row); }
  // Raw typed data for fixed-width types; see ColumnVector::Data for the T to use.
  template <typename T>
  const T* Data(size_t col) const {
    return columns_[col].Data<T>();
  }
  // VARCHAR/BLOB without copying; valid while this chunk lives. Precondition: IsValid.
  std::string_view GetString(size_t col, size_t row) const { return columns_[col].GetString(row); }
  // Any type, slow path.
  Value GetValue(size_t col, size_t row) const { return columns_[col].GetValue(row); }

  // Internal (made by QueryResult::Fetch): takes ownership of `chunk`, whose
  // columns `types` describes.
  DataChunk(internal::ConstructionKey, _duckdb_data_chunk* chunk,
            std::shared_ptr<const std::vector<LogicalType>> types);

 private:
  _duckdb_data_chunk* chunk_;
  size_t size_;
  std::shared_ptr<const std::vector<LogicalType>> types_;
  std::vector<ColumnVector> columns_;
};

}  // namespace strata::engine
