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

class MariaDbServer {
 public:
  // NotFound when mariadbd or mariadb-install-db is not installed (tests
  // skip); Unavailable (with the server log) when it does not start in 120 s.
  static Result<std::unique_ptr<MariaDbServer>> Start();
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
  Status Launch();
  Status WaitAndCreateUser();

  std::string dir_;
  std::string host_ = "127.0.0.1";
  int port_ = 0;
  std::string user_ = "strata";
  std::string password_ = "strata-test-mariadb";
  pid_t pid_ = -1;
};

}  // namespace strata::ingest::testing
