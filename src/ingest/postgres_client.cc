#include "ingest/postgres_client.h"

#include <libpq-fe.h>

#include <cstring>

#include "common/logging.h"
#include "common/secret.h"

namespace strata::ingest {
namespace {

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

std::string Trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// The effective value of `keyword` after libpq merged defaults, DSN and params.
std::string ConnOption(PGconn* conn, const char* keyword) {
  std::string value;
  PQconninfoOption* options = PQconninfo(conn);
  if (options == nullptr) return value;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (std::strcmp(o->keyword, keyword) == 0 && o->val != nullptr) value = o->val;
  }
  PQconninfoFree(options);
  return value;
}

// Makes sure a password embedded in a DSN or URL is redacted like a
// configured one.
void RegisterDsnPassword(const std::string& dsn) {
  if (dsn.empty()) return;
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(dsn.c_str(), &error);
  if (error != nullptr) PQfreemem(error);
  if (options == nullptr) return;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (std::strcmp(o->keyword, "password") == 0 && o->val != nullptr) RegisterSecret(o->val);
  }
  PQconninfoFree(options);
}

}  // namespace

Result<std::unique_ptr<PgConnection>> PgConnection::Connect(const PgConnectOptions& options) {
  RegisterDsnPassword(options.dsn);
  std::vector<const char*> keywords;
  std::vector<const char*> values;
  if (!options.dsn.empty()) {
    keywords.push_back("dbname");  // expanded as a conninfo string or URL
    values.push_back(options.dsn.c_str());
  }
  for (const auto& [key, value] : options.params) {
    keywords.push_back(key.c_str());
    values.push_back(value.c_str());
  }
  keywords.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* conn = PQconnectdbParams(keywords.data(), values.data(), /*expand_dbname=*/1);
  if (conn == nullptr) return Status::Internal("libpq could not allocate a connection");
  std::string host = ConnOption(conn, "host");
  if (host.empty()) host = ConnOption(conn, "hostaddr");
  std::string port = ConnOption(conn, "port");
  std::string where = (host.empty() ? "localhost" : host) + ":" + (port.empty() ? "5432" : port) +
                      "/" + ConnOption(conn, "dbname");
  if (PQstatus(conn) == CONNECTION_OK) {
    return std::unique_ptr<PgConnection>(new PgConnection(conn, std::move(where)));
  }
  std::string message = Trimmed(PQerrorMessage(conn));
  std::string user = ConnOption(conn, "user");
  PQfinish(conn);
  Status status;
  if (Contains(message, "password authentication failed") ||
      Contains(message, "no password supplied") || Contains(message, "authentication failed") ||
      Contains(message, "SASL authentication")) {
    status =
        Status::PermissionDenied("PostgreSQL at " + where + " rejected user '" + user +
                                 "': check `user` and `password` (server said: " + message + ")");
  } else if (Contains(message, "does not exist") && Contains(message, "database")) {
    status = Status::NotFound("PostgreSQL at " + where + ": " + message +
                              "; check `database` (or the database in `dsn`)");
  } else {
    status = Status::Unavailable("cannot connect to PostgreSQL at " + where + ": " + message +
                                 "; check `host` and `port` and that the server is running and "
                                 "accepts TCP connections");
  }
  return RedactStatus(status);
}

PgConnection::~PgConnection() {
  FreeCopyData();
  PQfinish(conn_);
}

Status PgConnection::ServerError(const std::string& doing, const char* message) {
  return RedactStatus(Status::Unavailable("PostgreSQL at " + where_ + ": " + doing + ": " +
                                          Trimmed(message == nullptr ? "" : message)));
}

Status PgConnection::Execute(const std::string& sql) {
  PGresult* result = PQexec(conn_, sql.c_str());
  ExecStatusType code = PQresultStatus(result);
  Status status;
  if (code != PGRES_COMMAND_OK && code != PGRES_TUPLES_OK) {
    status = ServerError(sql, PQresultErrorMessage(result));
  }
  PQclear(result);
  return status;
}

Result<std::vector<PgRow>> PgConnection::Query(const std::string& sql,
                                               const std::vector<std::string>& params) {
  std::vector<const char*> values;
  for (const std::string& p : params) values.push_back(p.c_str());
  PGresult* result = PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                                  values.data(), nullptr, nullptr, 0);
  if (PQresultStatus(result) != PGRES_TUPLES_OK) {
    Status status = ServerError("catalog query", PQresultErrorMessage(result));
    PQclear(result);
    return status;
  }
  std::vector<PgRow> rows;
  int n = PQntuples(result);
  int columns = PQnfields(result);
  rows.reserve(n);
  for (int r = 0; r < n; ++r) {
    PgRow row;
    for (int c = 0; c < columns; ++c) {
      if (PQgetisnull(result, r, c)) {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(std::string(PQgetvalue(result, r, c), PQgetlength(result, r, c)));
      }
    }
    rows.push_back(std::move(row));
  }
  PQclear(result);
  return rows;
}

Result<std::vector<PgResultColumn>> PgConnection::Describe(const std::string& sql) {
  PGresult* prepared = PQprepare(conn_, "", sql.c_str(), 0, nullptr);
  if (PQresultStatus(prepared) != PGRES_COMMAND_OK) {
    Status status = ServerError("the stream's query", PQresultErrorMessage(prepared));
    PQclear(prepared);
    return status;
  }
  PQclear(prepared);
  PGresult* described = PQdescribePrepared(conn_, "");
  if (PQresultStatus(described) != PGRES_COMMAND_OK) {
    Status status = ServerError("describing the stream's query", PQresultErrorMessage(described));
    PQclear(described);
    return status;
  }
  std::vector<PgResultColumn> columns;
  for (int c = 0; c < PQnfields(described); ++c) {
    columns.push_back({PQfname(described, c), PQftype(described, c), PQfmod(described, c)});
  }
  PQclear(described);
  return columns;
}

Status PgConnection::StartCopyOut(const std::string& copy_sql) {
  FreeCopyData();
  PGresult* started = PQexec(conn_, copy_sql.c_str());
  if (PQresultStatus(started) != PGRES_COPY_OUT) {
    Status status = ServerError("COPY", PQresultErrorMessage(started));
    PQclear(started);
    return status;
  }
  PQclear(started);
  return Status::OK();
}

Result<std::optional<std::string_view>> PgConnection::NextCopyData() {
  FreeCopyData();
  const int length = PQgetCopyData(conn_, &copy_data_, /*async=*/0);
  if (length >= 0) return std::optional<std::string_view>(std::in_place, copy_data_, length);
  if (length != -1) return ServerError("reading COPY data", PQerrorMessage(conn_));
  // The end of the data; the COPY's own result says whether it succeeded.
  Status status;
  while (PGresult* result = PQgetResult(conn_)) {
    if (PQresultStatus(result) != PGRES_COMMAND_OK) {
      status = ServerError("COPY", PQresultErrorMessage(result));
    }
    PQclear(result);
  }
  if (!status.ok()) return status;
  return std::optional<std::string_view>();
}

void PgConnection::FreeCopyData() {
  if (copy_data_ != nullptr) PQfreemem(copy_data_);
  copy_data_ = nullptr;
}

std::string PgConnection::Literal(std::string_view text) {
  char* quoted = PQescapeLiteral(conn_, text.data(), text.size());
  std::string out = quoted == nullptr ? "NULL" : quoted;
  PQfreemem(quoted);
  return out;
}

std::string PgConnection::Identifier(std::string_view name) {
  char* quoted = PQescapeIdentifier(conn_, name.data(), name.size());
  std::string out = quoted == nullptr ? "\"\"" : quoted;
  PQfreemem(quoted);
  return out;
}

}  // namespace strata::ingest
