// A throwaway PostgreSQL server for tests: a fresh cluster (initdb) in a temp
// directory, listening on a free loopback port with its unix socket in that
// directory, stopped and deleted when the object goes away.
//
//   auto server = PostgresServer::Start();
//   if (!server.ok() && server.status().IsNotFound()) GTEST_SKIP() << ...;
//   conn = PQconnectdb(server->ConnInfo().c_str());
//
// initdb refuses to run as root, so when the test runs as root the cluster is
// made and run as the `postgres` user (runuser), as the Debian package does.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"

namespace strata::ingest::testing {

class PostgresServer {
 public:
  // Creates and starts a cluster whose superuser `postgres` has password()
  // and must use it over TCP (scram-sha-256). NotFound when the PostgreSQL
  // server binaries are not installed (tests skip then); Unavailable when the
  // server does not start despite the retries (initdb into a fresh data
  // directory, pg_ctl start on a new port; the tail of the failing step's log
  // is in the message). Blocks until it accepts connections.
  static Result<std::unique_ptr<PostgresServer>> Start();

  // Stops the server (fast shutdown) and deletes its directory.
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  const std::string& host() const { return host_; }
  int port() const { return port_; }
  const std::string& user() const { return user_; }
  const std::string& password() const { return password_; }
  // A libpq keyword/value connection string to `database` over TCP.
  std::string ConnInfo(const std::string& database = "postgres") const;

  // Runs `sql` (one or more statements) as the superuser on `database`.
  // The server's error when a statement fails. Thread-safe (own connection).
  Status Execute(const std::string& sql, const std::string& database = "postgres") const;

  // The directory of the server binaries (initdb, pg_ctl) or empty when none.
  static std::string BinDir();

 private:
  PostgresServer() = default;
  Status Init();
  Status StartOnFreePort();
  // Polls until the server answers on TCP; Unavailable after `seconds`.
  Status WaitUntilAccepting(int seconds) const;

  std::string dir_;
  std::string host_ = "127.0.0.1";
  int port_ = 0;
  std::string user_ = "postgres";
  std::string password_ = "strata-test-superuser";
  bool as_postgres_user_ = false;
  bool started_ = false;
};

// Runs `command` through /bin/sh; its exit code (-1 when it could not run).
// Output goes to `log_path` when given. For test fixtures only.
int RunShell(const std::string& command, const std::string& log_path = "");

// The last `lines` lines of the text file at `path` ("<no log>" when it
// cannot be read), for error messages about a server that did not start.
std::string LogTail(const std::string& path, int lines);

// A TCP port on 127.0.0.1 nobody listens on right now.
Result<int> FreeLoopbackPort();

}  // namespace strata::ingest::testing
