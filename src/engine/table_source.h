// TableSource: rows that C++ code produces, read by a query as a table.
//
// A connector that decodes a source's own format (PostgreSQL's binary COPY,
// say) writes values straight into DuckDB's vectors here, instead of
// rendering them as text for read_csv to parse again:
//
//   auto source = std::make_shared<MySource>(...);        // a TableSource
//   STRATA_ASSIGN_OR_RETURN(auto reg, conn.RegisterTableSource(source));
//   conn.Execute("COPY (SELECT * FROM " + reg->sql() + ") TO 'x.parquet'");
//
// DuckDB calls Fill() for chunk after chunk while the query runs, from one of
// its threads, never two at once. Only flat types can be written (no LIST,
// STRUCT, MAP, ARRAY): cast nested values in the query over the source.
//
// Part of the engine's public surface: include "engine/engine.h", not this file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "engine/types.h"

struct _duckdb_data_chunk;  // NOLINT(bugprone-reserved-identifier): duckdb.h's tag

namespace strata::engine {

namespace internal {
struct TableSourceRegistry;
}

// The chunk a TableSource fills: up to capacity() rows of the source's
// columns, all valid (not NULL) until SetNull. Valid during one Fill call.
class OutputChunk {
 public:
  // Internal: the engine makes one per Fill call.
  OutputChunk(_duckdb_data_chunk* chunk, const std::vector<LogicalType>& types);
  OutputChunk(const OutputChunk&) = delete;
  OutputChunk& operator=(const OutputChunk&) = delete;

  // Rows a chunk holds at most (DuckDB's vector size, 2048).
  size_t capacity() const { return capacity_; }

  // Column `column`'s data array, laid out as ColumnVector::Data<T> documents
  // (int64_t for BIGINT and DECIMAL(10..18,s), Timestamp for TIMESTAMP, ...).
  // Not for VARCHAR/BLOB: use SetString.
  template <typename T>
  T* MutableData(size_t column) {
    return static_cast<T*>(data_[column]);
  }

  // Marks (column, row) NULL / not NULL again (to reuse a row).
  void SetNull(size_t column, size_t row);
  void SetValid(size_t column, size_t row);
  // Copies `bytes` into (column, row) of a VARCHAR or BLOB column. VARCHAR
  // bytes must be valid UTF-8 (the caller checks; DuckDB assumes it).
  void SetString(size_t column, size_t row, std::string_view bytes);
  // Writes the scaled integer `scaled` (the value times 10^scale) into
  // (column, row) of a DECIMAL column, in the width its precision takes.
  void SetDecimal(size_t column, size_t row, HugeInt scaled);
  // The number of rows written; 0 (the default) ends the scan.
  void SetSize(size_t rows);

 private:
  _duckdb_data_chunk* chunk_;
  const std::vector<LogicalType>& types_;
  size_t capacity_;
  std::vector<void*> data_;          // per column
  std::vector<void*> vectors_;       // per column, duckdb_vector
  std::vector<uint64_t*> validity_;  // per column, made writable on first SetNull
};

// A producer of rows. Implementations need not be thread-safe: the engine
// calls Fill from one thread at a time (not always the same thread).
class TableSource {
 public:
  virtual ~TableSource() = default;

  // The columns every chunk has: names and flat types, in order. Called when
  // a query that reads the source is planned (possibly more than once).
  virtual const std::vector<std::pair<std::string, LogicalType>>& columns() const = 0;

  // Writes the next rows into `out` and sets its size; a size of 0 ends the
  // scan. An error fails the query with the error's message.
  virtual Status Fill(OutputChunk& out) = 0;
};

// Keeps a TableSource readable; destroying it makes the source unknown to
// queries planned afterwards. Thread-compatible.
class TableSourceRegistration {
 public:
  TableSourceRegistration(std::shared_ptr<internal::TableSourceRegistry> registry,
                          std::string token);
  TableSourceRegistration(const TableSourceRegistration&) = delete;
  TableSourceRegistration& operator=(const TableSourceRegistration&) = delete;
  ~TableSourceRegistration();

  // The table function call to put in a FROM clause, e.g. strata_source('3').
  std::string sql() const;

 private:
  std::shared_ptr<internal::TableSourceRegistry> registry_;
  std::string token_;
};

}  // namespace strata::engine
