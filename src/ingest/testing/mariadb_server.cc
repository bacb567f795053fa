#include "ingest/testing/mariadb_server.h"

#include <mysql.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "ingest/testing/postgres_server.h"

namespace strata::ingest::testing {
namespace {

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Which(const std::vector<std::string>& candidates) {
  for (const std::string& c : candidates) {
    if (std::filesystem::exists(c)) return c;
  }
  return "";
}

}  // namespace

Result<std::unique_ptr<MariaDbServer>> MariaDbServer::Start() {
  if (Which({"/usr/sbin/mariadbd"}).empty() || Which({"/usr/bin/mariadb-install-db"}).empty()) {
    return Status::NotFound(
        "MariaDB server binaries (mariadbd, mariadb-install-db) not found; install the Debian "
        "package `mariadb-server` (scripts/setup.sh does)");
  }
  std::unique_ptr<MariaDbServer> server(new MariaDbServer());
  std::string tmpl = (std::filesystem::temp_directory_path() / "strata-maria-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) return Status::IOError("mkdtemp failed");
  server->dir_ = tmpl;
  STRATA_RETURN_IF_ERROR(server->Launch());
  STRATA_RETURN_IF_ERROR(server->WaitAndCreateUser());
  return server;
}

Status MariaDbServer::Launch() {
  std::string user = geteuid() == 0 ? " --user=root" : "";
  std::string install =
      "/usr/bin/mariadb-install-db --no-defaults --auth-root-authentication-method=normal "
      "--skip-test-db --datadir=" +
      dir_ + "/data" + user;
  if (RunShell(install, dir_ + "/install.log") != 0) {
    return Status::Unavailable("mariadb-install-db failed: " + ReadText(dir_ + "/install.log"));
  }
  STRATA_ASSIGN_OR_RETURN(port_, FreeLoopbackPort());
  std::vector<std::string> args = {"/usr/sbin/mariadbd",
                                   "--no-defaults",
                                   "--datadir=" + dir_ + "/data",
                                   "--port=" + std::to_string(port_),
                                   "--bind-address=127.0.0.1",
                                   "--socket=" + dir_ + "/mysqld.sock",
                                   "--pid-file=" + dir_ + "/mysqld.pid",
                                   "--log-error=" + dir_ + "/server.log",
                                   "--skip-log-bin",
                                   "--innodb-buffer-pool-size=64M",
                                   "--innodb-log-file-size=16M",
                                   "--skip-name-resolve",
                                   "--innodb-flush-log-at-trx-commit=0"};
  if (geteuid() == 0) args.push_back("--user=root");
  pid_ = fork();
  if (pid_ < 0) return Status::IOError("fork failed");
  if (pid_ == 0) {
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return Status::OK();
}

Status MariaDbServer::WaitAndCreateUser() {
  std::string socket = dir_ + "/mysqld.sock";
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (true) {
    MYSQL* conn = mysql_init(nullptr);
    if (mysql_real_connect(conn, nullptr, "root", "", nullptr, 0, socket.c_str(), 0) != nullptr) {
      Status status;
      for (const std::string& statement :
           {"CREATE USER '" + user_ + "'@'%' IDENTIFIED BY '" + password_ + "'",
            "GRANT ALL ON *.* TO '" + user_ + "'@'%' WITH GRANT OPTION"}) {
        if (mysql_query(conn, statement.c_str()) != 0) {
          status = Status::Unavailable(std::string("creating the test user: ") + mysql_error(conn));
        }
      }
      mysql_close(conn);
      return status;
    }
    mysql_close(conn);
    int wstatus = 0;
    if (waitpid(pid_, &wstatus, WNOHANG) == pid_) {
      pid_ = -1;
      return Status::Unavailable("mariadbd exited: " + ReadText(dir_ + "/server.log"));
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return Status::Unavailable("mariadbd did not accept connections in 120 s: " +
                                 ReadText(dir_ + "/server.log"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

MariaDbServer::~MariaDbServer() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int wstatus = 0;
    waitpid(pid_, &wstatus, 0);
  }
  if (!dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

Status MariaDbServer::Execute(const std::string& sql, const std::string& database) const {
  MYSQL* conn = mysql_init(nullptr);
  Status status;
  if (mysql_real_connect(conn, host_.c_str(), user_.c_str(), password_.c_str(),
                         database.empty() ? nullptr : database.c_str(), port_, nullptr,
                         CLIENT_MULTI_STATEMENTS) == nullptr) {
    status = Status::Unavailable(std::string("connect: ") + mysql_error(conn));
  } else if (mysql_query(conn, sql.c_str()) != 0) {
    status = Status::InvalidArgument(std::string(mysql_error(conn)) + " in: " + sql);
  } else {
    // Drain every result of a multi-statement.
    do {
      MYSQL_RES* result = mysql_store_result(conn);
      if (result != nullptr) mysql_free_result(result);
    } while (mysql_next_result(conn) == 0);
    if (mysql_errno(conn) != 0) {
      status = Status::InvalidArgument(std::string(mysql_error(conn)) + " in: " + sql);
    }
  }
  mysql_close(conn);
  return status;
}

}  // namespace strata::ingest::testing
