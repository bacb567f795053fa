// A thin owner of one libpq connection, for the PostgreSQL connector: connect
// with errors that say what to do, run catalog queries, and stream
// `COPY ... TO STDOUT` row by row. Internal to the ingest subsystem.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

struct pg_conn;

namespace strata::ingest {

// Where and how to connect; `password` is registered as a secret by whoever
// read it from configuration.
struct PgConnectOptions {
  std::string dsn;  // a libpq conninfo string or postgresql:// URL; the rest override it
  std::map<std::string, std::string> params;  // host, port, user, password, dbname, sslmode, ...
};

// Rows of a small query, as text (nullopt = SQL NULL).
using PgRow = std::vector<std::optional<std::string>>;

// One column of a query's result, as the server describes it.
struct PgResultColumn {
  std::string name;
  uint32_t type_oid = 0;
  int32_t type_modifier = -1;
};

// Not thread-safe; one thread uses a connection at a time.
class PgConnection {
 public:
  // Connects. Unavailable (naming host:port, telling to check `host`/`port`
  // and that the server runs) when it cannot be reached; PermissionDenied
  // (telling to check `user`/`password`) on authentication failure;
  // NotFound for a missing database. Messages are redacted.
  static Result<std::unique_ptr<PgConnection>> Connect(const PgConnectOptions& options);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // "host:port/database" for messages (never the password).
  const std::string& where() const { return where_; }

  // Runs statements that return no rows. The server's error (redacted).
  Status Execute(const std::string& sql);
  // Runs a query with text parameters ($1...); its rows as text.
  Result<std::vector<PgRow>> Query(const std::string& sql,
                                   const std::vector<std::string>& params = {});
  // The result columns `sql` would return, without running it.
  Result<std::vector<PgResultColumn>> Describe(const std::string& sql);
  // Starts `copy_sql` (a COPY ... TO STDOUT); read its data with
  // NextCopyData. The server's error (redacted).
  Status StartCopyOut(const std::string& copy_sql);
  // The next CopyData message of the running COPY, valid until the next call
  // or the connection's end; nullopt once the COPY has ended well. The
  // server's error when it failed (the connection is unusable then). Blocks
  // until a message arrives.
  Result<std::optional<std::string_view>> NextCopyData();

  // Quotes a string as a SQL literal / identifier for this connection.
  std::string Literal(std::string_view text);
  std::string Identifier(std::string_view name);

 private:
  PgConnection(pg_conn* conn, std::string where) : conn_(conn), where_(std::move(where)) {}
  Status ServerError(const std::string& doing, const char* message);

  void FreeCopyData();

  pg_conn* conn_;
  std::string where_;
  char* copy_data_ = nullptr;  // the message NextCopyData gave last (libpq's)
};

}  // namespace strata::ingest
