// The engine: Strata's one door to DuckDB (in process, through its C API).
//
// Every other subsystem includes this header only. It gives:
//   Database          an open DuckDB database (file or in-memory)
//   Connection        a session on it: Execute, Query, Prepare, CreateAppender
//   QueryResult       a streaming result, fetched DataChunk by DataChunk
//   DataChunk         up to 2048 rows with typed, zero-copy column access
//   PreparedStatement a statement with bound parameters
//   Appender          bulk insert into one table
//   TableSource       rows C++ code writes into DuckDB's vectors, read as a table
//   Value, LogicalType  any single value / type, for the slow paths
//
// Threading: a Database is thread-safe. A Connection, and everything made from
// it (results, statements, appenders), is used by one thread at a time; open
// one Connection per thread. Connection::Interrupt may be called from any
// thread. A fetched DataChunk is immutable and may go to any thread.
//
// Errors: every failure DuckDB reports comes back as a Status whose message is
// DuckDB's own text, verbatim (e.g. "Parser Error: syntax error at or near ...").
// The code follows DuckDB's error type: syntax, binder, conversion and
// constraint errors are kInvalidArgument; a missing table kNotFound; a
// transaction conflict kConflict; an interrupted query kAborted; I/O kIOError.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "engine/data_chunk.h"
#include "engine/library_version.h"
#include "engine/table_source.h"
#include "engine/types.h"
#include "engine/value.h"

struct _duckdb_appender;  // NOLINT(bugprone-reserved-identifier): duckdb.h's tag

namespace strata::engine {

namespace internal {
struct DatabaseHandle;
struct ConnectionState;
struct PreparedHandle;
struct ResultHandle;
}  // namespace internal

struct DatabaseOptions {
  std::string path;          // empty = in-memory
  int threads = 0;           // 0 = DuckDB default (one per core)
  std::string memory_limit;  // e.g. "4GB"; empty = DuckDB default
  // The session time zone of every connection. UTC keeps TIMESTAMP WITH TIME
  // ZONE text identical between DuckDB's casts and Value::ToString; empty
  // leaves DuckDB's default (the machine's zone).
  std::string time_zone = "UTC";
  bool read_only = false;
  // Further DuckDB configuration options (name, value), e.g. {"temp_directory", "/x"}.
  std::vector<std::pair<std::string, std::string>> settings;
};

// An open DuckDB database. Thread-safe. Closes when destroyed; connections,
// results, statements and appenders made from it keep the underlying database
// alive until they are gone too.
class Database {
 public:
  // Opens (creating if absent) the file at options.path, or an in-memory
  // database. InvalidArgument for a bad option, IOError when the file cannot be
  // opened (e.g. locked by another process).
  static Result<std::unique_ptr<Database>> Open(const DatabaseOptions& options = {});

  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  // The options the database was opened with.
  const DatabaseOptions& options() const { return options_; }

  // Internal: use Open.
  Database(internal::ConstructionKey, DatabaseOptions options,
           std::shared_ptr<internal::DatabaseHandle> handle);

 private:
  friend class Connection;

  DatabaseOptions options_;
  std::shared_ptr<internal::DatabaseHandle> handle_;
};

// A session on a Database: its own transaction state, settings and temp objects.
// Used by one thread at a time (Interrupt excepted).
//
// Starting any statement on a connection (Execute, Query, Prepare,
// PreparedStatement::Execute, an Appender's EndRow, Flush or Close) ends the
// connection's unfinished streaming QueryResult: its next Fetch returns
// Aborted. Read a result to the end first, or use a second Connection.
class Connection {
 public:
  // Opens a connection on `db` with db.options().time_zone applied. `db` may be
  // destroyed before the connection (the database stays open until both are).
  static Result<std::unique_ptr<Connection>> Open(Database& db);

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Runs one or more ';'-separated statements in order, discarding any rows.
  // Stops at the first failure and returns it; statements before it stay done.
  Status Execute(std::string_view sql);
  // Runs one statement with `params` bound to its ?/$1 placeholders, discarding rows.
  Status Execute(std::string_view sql, const std::vector<Value>& params);

  // Runs the statements in `sql` and returns the last one's result, streaming:
  // rows are produced as they are fetched, so memory stays bounded however large
  // the result. Earlier statements run to completion first.
  Result<std::unique_ptr<QueryResult>> Query(std::string_view sql);
  // Runs one statement with `params` bound to its placeholders.
  Result<std::unique_ptr<QueryResult>> Query(std::string_view sql,
                                             const std::vector<Value>& params);

  // Convenience: the first column of the first row. NotFound when there is no row.
  Result<Value> QueryScalar(std::string_view sql);

  // Parses and plans one statement for repeated execution with parameters.
  Result<std::unique_ptr<PreparedStatement>> Prepare(std::string_view sql);

  // An appender for `table` in `schema` ("" = the default schema, main).
  // NotFound when the table does not exist.
  Result<std::unique_ptr<Appender>> CreateAppender(std::string_view schema, std::string_view table);

  // Makes `source` readable by queries on every connection of this database,
  // as the table function call the registration's sql() spells, until the
  // registration is destroyed. The registration keeps `source` alive.
  Result<std::unique_ptr<TableSourceRegistration>> RegisterTableSource(
      std::shared_ptr<TableSource> source);

  // Cancels the statement running on this connection, if any: it fails with
  // Aborted ("INTERRUPT Error: Interrupted!"). Any thread; does nothing when
  // idle (the next statement is not affected).
  void Interrupt();

  // Internal: use Open.
  Connection(internal::ConstructionKey, std::shared_ptr<internal::ConnectionState> state);

 private:
  std::shared_ptr<internal::ConnectionState> state_;
};

// The result of one statement, fetched chunk by chunk. Used by the thread that
// owns its Connection. May outlive the Connection object.
class QueryResult {
 public:
  QueryResult(const QueryResult&) = delete;
  QueryResult& operator=(const QueryResult&) = delete;
  ~QueryResult();

  // The result's columns, known before the first Fetch. Precondition: i < ColumnCount().
  size_t ColumnCount() const { return names_.size(); }
  const std::string& ColumnName(size_t i) const { return names_[i]; }
  const LogicalType& ColumnType(size_t i) const { return (*types_)[i]; }

  // The next chunk of rows (never empty), or nullptr when the result is
  // exhausted. An error that happens while rows are produced (a failing cast,
  // Interrupt) is returned here, as is Aborted when a later statement on the
  // connection ended this result early.
  Result<std::unique_ptr<DataChunk>> Fetch();

  // Rows inserted, updated or deleted by an INSERT/UPDATE/DELETE; 0 otherwise.
  int64_t RowsChanged() const { return rows_changed_; }

  // True when rows are produced as they are fetched; false when DuckDB
  // materialized the result (statements other than queries, e.g. INSERT).
  bool IsStreaming() const { return streaming_; }

  // Convenience for small results: every remaining row as Values.
  Result<std::vector<std::vector<Value>>> FetchAllRows();

  // Internal: made by Connection and PreparedStatement.
  QueryResult(internal::ConstructionKey, std::shared_ptr<internal::PreparedHandle> prepared,
              std::unique_ptr<internal::ResultHandle> result);

 private:
  friend class Connection;
  friend class PreparedStatement;
  // Executes `prepared` (with its bound parameters) and wraps the result.
  static Result<std::unique_ptr<QueryResult>> Run(
      std::shared_ptr<internal::PreparedHandle> prepared);

  std::shared_ptr<internal::PreparedHandle> prepared_;
  std::unique_ptr<internal::ResultHandle> result_;
  std::vector<std::string> names_;
  std::shared_ptr<const std::vector<LogicalType>> types_;
  int64_t rows_changed_ = 0;
  uint64_t generation_ = 0;  // the connection's statement count when this started
  bool streaming_ = false;
  bool exhausted_ = false;
};

// A prepared statement. Bindings persist across Execute calls until rebound or
// cleared. Used by the thread that owns its Connection.
class PreparedStatement {
 public:
  PreparedStatement(const PreparedStatement&) = delete;
  PreparedStatement& operator=(const PreparedStatement&) = delete;
  ~PreparedStatement();

  // Number of parameters (?, $1, $name); they are numbered from 1.
  size_t ParameterCount() const;
  // The 1-based index of parameter `$name`; NotFound when there is none.
  Result<size_t> ParameterIndex(std::string_view name) const;
  // The type DuckDB inferred for parameter `index`, when it could (kInvalid otherwise).
  LogicalType ParameterType(size_t index) const;

  // The columns the statement returns, known before execution (for DESCRIBE-like
  // protocol messages). Precondition: i < ColumnCount().
  size_t ColumnCount() const;
  std::string ColumnName(size_t i) const;
  LogicalType ColumnType(size_t i) const;

  // Binds parameter `index` (1-based). OutOfRange for a bad index;
  // InvalidArgument when DuckDB rejects the value.
  Status Bind(size_t index, const Value& v);
  // Typed shortcuts for Bind, with the same outcomes.
  Status BindNull(size_t index);
  Status BindBool(size_t index, bool v);
  Status BindInt32(size_t index, int32_t v);
  Status BindInt64(size_t index, int64_t v);
  Status BindUInt64(size_t index, uint64_t v);
  Status BindDouble(size_t index, double v);
  Status BindString(size_t index, std::string_view v);
  Status BindBlob(size_t index, std::string_view bytes);
  Status BindDate(size_t index, Date v);
  Status BindTimestamp(size_t index, Timestamp v);
  Status BindInterval(size_t index, Interval v);
  // Forgets every binding.
  Status ClearBindings();

  // Runs the statement with the current bindings; a streaming result (see
  // Connection). InvalidArgument when a parameter is unbound.
  Result<std::unique_ptr<QueryResult>> Execute();

  // Internal: use Connection::Prepare.
  PreparedStatement(internal::ConstructionKey, std::shared_ptr<internal::PreparedHandle> handle);

 private:
  Status CheckIndex(size_t index) const;
  // The Status for a duckdb_bind_* outcome.
  Status Bound(size_t index, bool ok);

  std::shared_ptr<internal::PreparedHandle> handle_;
};

// Appends rows to one table in bulk, far faster than INSERT. Values are given
// column by column, then EndRow(); a value of another type is cast to the
// column's. Rows become visible at Flush, Close or destruction. Used by the
// thread that owns its Connection.
class Appender {
 public:
  Appender(const Appender&) = delete;
  Appender& operator=(const Appender&) = delete;
  // Flushes and closes; errors are lost here, so call Close() to see them.
  ~Appender();

  // The table's columns, in the order values are appended.
  size_t ColumnCount() const;
  LogicalType ColumnType(size_t i) const;

  // Each Append* sets the next column of the current row. An error (the row is
  // already full, the value does not cast, the appender is closed) leaves the
  // row unfinished. AppendTimestamp gives a TIMESTAMP; for a TIMESTAMP WITH
  // TIME ZONE column prefer Append(Value::TimestampTz(...)), which needs no
  // time zone conversion.
  Status Append(const Value& v);
  Status AppendNull();
  // The column's DEFAULT.
  Status AppendDefault();
  Status AppendBool(bool v);
  Status AppendInt8(int8_t v);
  Status AppendInt16(int16_t v);
  Status AppendInt32(int32_t v);
  Status AppendInt64(int64_t v);
  Status AppendUInt8(uint8_t v);
  Status AppendUInt16(uint16_t v);
  Status AppendUInt32(uint32_t v);
  Status AppendUInt64(uint64_t v);
  Status AppendHugeInt(HugeInt v);
  Status AppendUHugeInt(UHugeInt v);
  Status AppendFloat(float v);
  Status AppendDouble(double v);
  Status AppendString(std::string_view v);
  Status AppendBlob(std::string_view bytes);
  Status AppendDate(Date v);
  Status AppendTime(Time v);
  Status AppendTimestamp(Timestamp v);
  Status AppendInterval(Interval v);

  // Ends the current row. InvalidArgument when it has too few values.
  Status EndRow();
  // Writes the buffered rows to the table (constraint violations surface here).
  Status Flush();
  // Flushes and closes; further appends fail.
  Status Close();

  // Internal: use Connection::CreateAppender.
  Appender(internal::ConstructionKey, std::shared_ptr<internal::ConnectionState> conn,
           _duckdb_appender* appender);

 private:
  // The Status for a duckdb_append_* outcome.
  Status Check(bool ok);

  std::shared_ptr<internal::ConnectionState> conn_;
  _duckdb_appender* appender_;
};

// `name` as a double-quoted SQL identifier, safe to splice into SQL:
// QuoteIdentifier("my \"t\"") == "\"my \"\"t\"\"\"".
std::string QuoteIdentifier(std::string_view name);
// `text` as a single-quoted SQL string literal: QuoteLiteral("it's") == "'it''s'".
std::string QuoteLiteral(std::string_view text);

}  // namespace strata::engine
