#include "engine/duckdb_bridge.h"
#include "engine/engine.h"

namespace strata::engine {

namespace {

// The C API takes NUL-terminated SQL, so an embedded NUL would silently cut
// the statement short.
Result<std::string> SqlText(std::string_view sql) {
  if (sql.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("SQL text contains a NUL byte");
  }
  return std::string(sql);
}

// The statements of a SQL script, split by DuckDB's parser.
class Statements {
 public:
  Statements(const Statements&) = delete;
  Statements& operator=(const Statements&) = delete;
  Statements() = default;
  ~Statements() { duckdb_destroy_extracted(&extracted_); }

  static Result<std::unique_ptr<Statements>> Extract(internal::ConnectionState& conn,
                                                     std::string_view sql) {
    STRATA_ASSIGN_OR_RETURN(std::string text, SqlText(sql));
    auto out = std::make_unique<Statements>();
    ++conn.generation;
    out->count_ = duckdb_extract_statements(conn.conn, text.c_str(), &out->extracted_);
    if (out->count_ == 0) {
      const char* error = duckdb_extract_statements_error(out->extracted_);
      if (error != nullptr) return internal::ErrorStatus(error);
      return Status::InvalidArgument("no SQL statement to run in: '" + text + "'");
    }
    return out;
  }

  size_t size() const { return count_; }

  Result<std::shared_ptr<internal::PreparedHandle>> Prepare(
      const std::shared_ptr<internal::ConnectionState>& conn, size_t index) {
    auto handle = std::make_shared<internal::PreparedHandle>();
    handle->conn = conn;
    ++conn->generation;
    if (duckdb_prepare_extracted_statement(conn->conn, extracted_, index, &handle->stmt) !=
        DuckDBSuccess) {
      return internal::ErrorStatus(duckdb_prepare_error(handle->stmt));
    }
    return handle;
  }

 private:
  duckdb_extracted_statements extracted_ = nullptr;
  size_t count_ = 0;
};

Status Drain(QueryResult& result) {
  while (true) {
    STRATA_ASSIGN_OR_RETURN(std::unique_ptr<DataChunk> chunk, result.Fetch());
    if (chunk == nullptr) return Status::OK();
  }
}

}  // namespace

Connection::Connection(internal::ConstructionKey, std::shared_ptr<internal::ConnectionState> state)
    : state_(std::move(state)) {}

Connection::~Connection() = default;

Result<std::unique_ptr<Connection>> Connection::Open(Database& db) {
  auto state = std::make_shared<internal::ConnectionState>();
  state->db = db.handle_;
  if (duckdb_connect(db.handle_->db, &state->conn) != DuckDBSuccess) {
    return Status::Unavailable("could not open a connection to the DuckDB database");
  }
  return std::make_unique<Connection>(internal::ConstructionKey(), std::move(state));
}

Status Connection::Execute(std::string_view sql) {
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<Statements> statements,
                          Statements::Extract(*state_, sql));
  for (size_t i = 0; i < statements->size(); ++i) {
    // Each statement is planned only after the previous ran, so that a script
    // can use what it created.
    STRATA_ASSIGN_OR_RETURN(auto prepared, statements->Prepare(state_, i));
    STRATA_ASSIGN_OR_RETURN(std::unique_ptr<QueryResult> result,
                            QueryResult::Run(std::move(prepared)));
    STRATA_RETURN_IF_ERROR(Drain(*result));
  }
  return Status::OK();
}

Status Connection::Execute(std::string_view sql, const std::vector<Value>& params) {
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<QueryResult> result, Query(sql, params));
  return Drain(*result);
}

Result<std::unique_ptr<QueryResult>> Connection::Query(std::string_view sql) {
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<Statements> statements,
                          Statements::Extract(*state_, sql));
  for (size_t i = 0; i + 1 < statements->size(); ++i) {
    STRATA_ASSIGN_OR_RETURN(auto prepared, statements->Prepare(state_, i));
    STRATA_ASSIGN_OR_RETURN(std::unique_ptr<QueryResult> result,
                            QueryResult::Run(std::move(prepared)));
    STRATA_RETURN_IF_ERROR(Drain(*result));
  }
  STRATA_ASSIGN_OR_RETURN(auto last, statements->Prepare(state_, statements->size() - 1));
  return QueryResult::Run(std::move(last));
}

Result<std::unique_ptr<QueryResult>> Connection::Query(std::string_view sql,
                                                       const std::vector<Value>& params) {
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<PreparedStatement> statement, Prepare(sql));
  if (params.size() != statement->ParameterCount()) {
    return Status::InvalidArgument(
        "the statement has " + std::to_string(statement->ParameterCount()) + " parameter(s) but " +
        std::to_string(params.size()) + " value(s) were given");
  }
  for (size_t i = 0; i < params.size(); ++i) {
    STRATA_RETURN_IF_ERROR(statement->Bind(i + 1, params[i]));
  }
  return statement->Execute();
}

Result<Value> Connection::QueryScalar(std::string_view sql) {
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<QueryResult> result, Query(sql));
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<DataChunk> chunk, result->Fetch());
  if (chunk == nullptr || chunk->ColumnCount() == 0) {
    return Status::NotFound("the query returned no rows: " + std::string(sql));
  }
  return chunk->GetValue(0, 0);
}

Result<std::unique_ptr<PreparedStatement>> Connection::Prepare(std::string_view sql) {
  STRATA_ASSIGN_OR_RETURN(std::string text, SqlText(sql));
  auto handle = std::make_shared<internal::PreparedHandle>();
  handle->conn = state_;
  ++state_->generation;
  if (duckdb_prepare(state_->conn, text.c_str(), &handle->stmt) != DuckDBSuccess) {
    return internal::ErrorStatus(duckdb_prepare_error(handle->stmt));
  }
  return std::make_unique<PreparedStatement>(internal::ConstructionKey(), std::move(handle));
}

Result<std::unique_ptr<Appender>> Connection::CreateAppender(std::string_view schema,
                                                             std::string_view table) {
  STRATA_ASSIGN_OR_RETURN(std::string schema_name, SqlText(schema));
  STRATA_ASSIGN_OR_RETURN(std::string table_name, SqlText(table));
  duckdb_appender appender = nullptr;
  if (duckdb_appender_create_ext(state_->conn, nullptr,
                                 schema_name.empty() ? nullptr : schema_name.c_str(),
                                 table_name.c_str(), &appender) != DuckDBSuccess) {
    duckdb_error_data error = duckdb_appender_error_data(appender);
    Status status = internal::ErrorStatus(duckdb_error_data_error_type(error),
                                          duckdb_error_data_message(error));
    duckdb_destroy_error_data(&error);
    duckdb_appender_destroy(&appender);
    return status;
  }
  return std::make_unique<Appender>(internal::ConstructionKey(), state_, appender);
}

void Connection::Interrupt() { duckdb_interrupt(state_->conn); }

}  // namespace strata::engine
