// A throwaway MariaDB server for tests: mariadb-install-db into a temp
// directory, mariadbd on a free loopback port with its socket there, killed
// (SIGTERM, then waited for) and deleted when the object goes away. A user
// `strata` with password() may connect over TCP and owns every database.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include "common/status.h"

namespace strata::ingest::testing {

struct MariaDbServerOptions {
  // mariadb-install-db runs, each into a fresh data directory, before giving up.
  int install_attempts = 3;
  // mariadbd launches (each on a new free port) before giving up.
  int launch_attempts = 3;
  // Seconds one launch may take to accept connections.
  int ready_timeout_seconds = 180;
  // Test hook: the first `broken_installs` install attempts get a data
  // directory that cannot be created, so they fail as a real install does.
  int broken_installs = 0;
};

class MariaDbServer {
 public:
  // NotFound when mariadbd or mariadb-install-db is not installed (tests
  // skip); Unavailable naming the step, the attempts and the tail of the
  // install or server log when it does not start despite the retries.
  // Blocks until the server accepts connections.
  static Result<std::unique_ptr<MariaDbServer>> Start(const MariaDbServerOptions& options = {});
  ~MariaDbServer();
  MariaDbServer(const MariaDbServer&) = delete;
  MariaDbServer& operator=(const MariaDbServer&) = delete;

  const std::string& host() const { return host_; }
  int port() const { return port_; }
  const std::string& user() const { return user_; }
  const std::string& password() const { return password_; }

  // Runs `sql` (statements separated by ';') as `strata`, in `database` when
  // not empty. The server's error on failure. Thread-safe (own connection).
  Status Execute(const std::string& sql, const std::string& database = "") const;

 private:
  MariaDbServer() = default;
  Status Install(const MariaDbServerOptions& options);
  Status Launch();
  // OK once the server accepts connections; Unavailable when it exited or
  // did not answer in time (then it is stopped).
  Status WaitUntilReady(int timeout_seconds);
  Status CreateUser();
  void Stop();

  std::string dir_;
  std::string data_dir_;
  std::string host_ = "127.0.0.1";
  int port_ = 0;
  std::string user_ = "strata";
  std::string password_ = "strata-test-mariadb";
  pid_t pid_ = -1;
};

}  // namespace strata::ingest::testing
