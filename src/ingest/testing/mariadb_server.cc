#include "ingest/testing/mariadb_server.h"

#include <mysql.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "ingest/testing/postgres_server.h"

namespace strata::ingest::testing {
namespace {

std::string Which(const std::vector<std::string>& candidates) {
  for (const std::string& c : candidates) {
    if (std::filesystem::exists(c)) return c;
  }
  return "";
}

// Settings shared by the install's bootstrap server and the test server.
// Native AIO is off: its contexts (fs.aio-max-nr) are shared by every
// InnoDB on the machine, and a test server must not fail when other
// servers hold them; fsync matters nothing in a throwaway directory.
std::vector<std::string> CommonServerArgs() {
  return {"--innodb-use-native-aio=0", "--innodb-buffer-pool-size=64M",
          "--innodb-log-file-size=16M", "--innodb-flush-log-at-trx-commit=0"};
}

}  // namespace

Result<std::unique_ptr<MariaDbServer>> MariaDbServer::Start(const MariaDbServerOptions& options) {
  if (Which({"/usr/sbin/mariadbd"}).empty() || Which({"/usr/bin/mariadb-install-db"}).empty()) {
    return Status::NotFound(
        "MariaDB server binaries (mariadbd, mariadb-install-db) not found; install the Debian "
        "package `mariadb-server` (scripts/setup.sh does)");
  }
  std::unique_ptr<MariaDbServer> server(new MariaDbServer());
  std::string tmpl = (std::filesystem::temp_directory_path() / "strata-maria-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) return Status::IOError("mkdtemp failed for " + tmpl);
  server->dir_ = tmpl;
  std::error_code ignored;
  std::filesystem::create_directories(server->dir_ + "/tmp", ignored);
  STRATA_RETURN_IF_ERROR(server->Install(options));
  // A launch fails for good reasons a second one does not meet: the free
  // port taken by another process before mariadbd bound it, a slow start on
  // a loaded machine.
  Status launched;
  for (int attempt = 1; attempt <= options.launch_attempts; ++attempt) {
    launched = server->Launch();
    if (launched.ok()) launched = server->WaitUntilReady(options.ready_timeout_seconds);
    if (launched.ok()) break;
  }
  if (!launched.ok()) {
    return Status::Unavailable("MariaDB test server in " + server->dir_ + " did not start after " +
                               std::to_string(options.launch_attempts) +
                               " launches; last: " + launched.message());
  }
  STRATA_RETURN_IF_ERROR(server->CreateUser());
  return server;
}

Status MariaDbServer::Install(const MariaDbServerOptions& options) {
  std::string last_log;
  for (int attempt = 1; attempt <= options.install_attempts; ++attempt) {
    // Each attempt gets a fresh data directory: a failed install leaves a
    // half-made one that the next would trip over.
    std::string data = dir_ + "/data-" + std::to_string(attempt);
    if (attempt <= options.broken_installs) {
      std::ofstream(dir_ + "/not-a-directory") << "x";
      data = dir_ + "/not-a-directory/data";
    }
    const std::string log = dir_ + "/install-" + std::to_string(attempt) + ".log";
    std::string install =
        "/usr/bin/mariadb-install-db --no-defaults --auth-root-authentication-method=normal "
        "--skip-test-db --datadir=" +
        data + " --tmpdir=" + dir_ + "/tmp";
    for (const std::string& arg : CommonServerArgs()) install += " " + arg;
    if (geteuid() == 0) install += " --user=root";
    const int rc = RunShell(install, log);
    if (rc == 0 && std::filesystem::exists(data + "/mysql")) {
      data_dir_ = data;
      return Status::OK();
    }
    last_log = "exit code " + std::to_string(rc) + ", " + log + ":\n" + LogTail(log, 30);
    std::error_code ignored;
    std::filesystem::remove_all(dir_ + "/data-" + std::to_string(attempt), ignored);
  }
  return Status::Unavailable("mariadb-install-db failed " +
                             std::to_string(options.install_attempts) +
                             " times (each into a fresh data directory); last " + last_log);
}

Status MariaDbServer::Launch() {
  STRATA_ASSIGN_OR_RETURN(port_, FreeLoopbackPort());
  std::vector<std::string> args = {"/usr/sbin/mariadbd",
                                   "--no-defaults",
                                   "--datadir=" + data_dir_,
                                   "--tmpdir=" + dir_ + "/tmp",
                                   "--port=" + std::to_string(port_),
                                   "--bind-address=127.0.0.1",
                                   "--socket=" + dir_ + "/mysqld.sock",
                                   "--pid-file=" + dir_ + "/mysqld.pid",
                                   "--log-error=" + dir_ + "/server.log",
                                   "--skip-log-bin",
                                   "--skip-name-resolve"};
  for (const std::string& arg : CommonServerArgs()) args.push_back(arg);
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

Status MariaDbServer::WaitUntilReady(int timeout_seconds) {
  const std::string socket = dir_ + "/mysqld.sock";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  auto pause = std::chrono::milliseconds(50);
  while (true) {
    MYSQL* conn = mysql_init(nullptr);
    const bool connected =
        mysql_real_connect(conn, nullptr, "root", "", nullptr, 0, socket.c_str(), 0) != nullptr;
    mysql_close(conn);
    if (connected) return Status::OK();
    int wstatus = 0;
    if (waitpid(pid_, &wstatus, WNOHANG) == pid_) {
      pid_ = -1;
      return Status::Unavailable("mariadbd on port " + std::to_string(port_) + " exited; " + dir_ +
                                 "/server.log:\n" + LogTail(dir_ + "/server.log", 30));
    }
    if (std::chrono::steady_clock::now() > deadline) {
      Stop();
      return Status::Unavailable("mariadbd did not accept connections in " +
                                 std::to_string(timeout_seconds) + " s; " + dir_ +
                                 "/server.log:\n" + LogTail(dir_ + "/server.log", 30));
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(500));
  }
}

Status MariaDbServer::CreateUser() {
  const std::string socket = dir_ + "/mysqld.sock";
  MYSQL* conn = mysql_init(nullptr);
  if (mysql_real_connect(conn, nullptr, "root", "", nullptr, 0, socket.c_str(), 0) == nullptr) {
    Status status = Status::Unavailable(
        std::string("connecting as root to create the test user: ") + mysql_error(conn));
    mysql_close(conn);
    return status;
  }
  Status status;
  for (const std::string& statement :
       {"CREATE USER '" + user_ + "'@'%' IDENTIFIED BY '" + password_ + "'",
        "GRANT ALL ON *.* TO '" + user_ + "'@'%' WITH GRANT OPTION"}) {
    if (status.ok() && mysql_query(conn, statement.c_str()) != 0) {
      status = Status::Unavailable(std::string("creating the test user: ") + mysql_error(conn));
    }
  }
  mysql_close(conn);
  return status;
}

void MariaDbServer::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  int wstatus = 0;
  waitpid(pid_, &wstatus, 0);
  pid_ = -1;
}

MariaDbServer::~MariaDbServer() {
  Stop();
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
