#include "ingest/testing/postgres_server.h"

#include <arpa/inet.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace strata::ingest::testing {
namespace {

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

}  // namespace

std::string LogTail(const std::string& path, int lines) {
  std::ifstream in(path);
  if (!in) return "<no log at " + path + ">";
  std::deque<std::string> tail;
  std::string line;
  while (std::getline(in, line)) {
    tail.push_back(line);
    if (static_cast<int>(tail.size()) > lines) tail.pop_front();
  }
  std::string out;
  for (const std::string& l : tail) out += l + "\n";
  return out;
}

int RunShell(const std::string& command, const std::string& log_path) {
  std::string full = command;
  if (!log_path.empty()) full += " >>" + ShellQuote(log_path) + " 2>&1";
  int rc = std::system(full.c_str());
  if (rc == -1 || !WIFEXITED(rc)) return -1;
  return WEXITSTATUS(rc);
}

Result<int> FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return Status::IOError("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return Status::IOError("could not bind a loopback port");
  }
  int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

std::string PostgresServer::BinDir() {
  for (const char* candidate :
       {"/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin"}) {
    if (std::filesystem::exists(std::string(candidate) + "/initdb") &&
        std::filesystem::exists(std::string(candidate) + "/pg_ctl")) {
      return candidate;
    }
  }
  return "";
}

Result<std::unique_ptr<PostgresServer>> PostgresServer::Start() {
  if (BinDir().empty()) {
    return Status::NotFound(
        "PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin; "
        "install the Debian package `postgresql` (scripts/setup.sh does)");
  }
  std::unique_ptr<PostgresServer> server(new PostgresServer());
  STRATA_RETURN_IF_ERROR(server->Init());
  STRATA_RETURN_IF_ERROR(server->StartOnFreePort());
  return server;
}

Status PostgresServer::Init() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "strata-pg-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) return Status::IOError("mkdtemp failed for " + tmpl);
  dir_ = tmpl;
  {
    std::ofstream pw(dir_ + "/pwfile");
    pw << password_ << "\n";
  }
  as_postgres_user_ = geteuid() == 0;
  if (as_postgres_user_) {
    passwd* pg = getpwnam("postgres");
    if (pg == nullptr) {
      return Status::NotFound("running as root but there is no `postgres` user to run initdb as");
    }
    for (const auto& path : {dir_, dir_ + "/pwfile"}) {
      if (chown(path.c_str(), pg->pw_uid, pg->pw_gid) != 0) {
        return Status::IOError("chown " + path + " failed");
      }
    }
  }
  // initdb is retried into a fresh data directory: a failed run leaves a
  // half-made one, which initdb refuses to reuse.
  constexpr int kInitAttempts = 3;
  std::string last_log;
  for (int attempt = 1; attempt <= kInitAttempts; ++attempt) {
    const std::string data = dir_ + "/data";
    std::error_code ignored;
    std::filesystem::remove_all(data, ignored);
    const std::string log = dir_ + "/initdb-" + std::to_string(attempt) + ".log";
    std::string cmd = (as_postgres_user_ ? "runuser -u postgres -- " : "") + BinDir() +
                      "/initdb --no-sync --no-locale -E UTF8 -U postgres --auth-local=trust "
                      "--auth-host=scram-sha-256 --pwfile=" +
                      ShellQuote(dir_ + "/pwfile") + " -D " + ShellQuote(data);
    const int rc = RunShell(cmd, log);
    if (rc == 0) return Status::OK();
    last_log = "exit code " + std::to_string(rc) + ", " + log + ":\n" + LogTail(log, 30);
  }
  return Status::Unavailable("initdb failed " + std::to_string(kInitAttempts) +
                             " times (each into a fresh data directory); last " + last_log);
}

Status PostgresServer::StartOnFreePort() {
  // A start fails for reasons a second one does not meet: the free port
  // taken by another process before the server bound it, a slow start on a
  // loaded machine.
  constexpr int kStartAttempts = 3;
  std::string last_error;
  for (int attempt = 1; attempt <= kStartAttempts; ++attempt) {
    STRATA_ASSIGN_OR_RETURN(port_, FreeLoopbackPort());
    const std::string log = dir_ + "/server-" + std::to_string(attempt) + ".log";
    const std::string ctl_log = dir_ + "/pg_ctl-" + std::to_string(attempt) + ".log";
    std::string options = "-p " + std::to_string(port_) + " -k " + dir_ +
                          " -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
                          "-c full_page_writes=off -c max_connections=40 -c shared_buffers=32MB";
    std::string cmd = (as_postgres_user_ ? "runuser -u postgres -- " : "") + BinDir() +
                      "/pg_ctl -w -t 180 -D " + ShellQuote(dir_ + "/data") + " -l " +
                      ShellQuote(log) + " -o " + ShellQuote(options) + " start";
    const int rc = RunShell(cmd, ctl_log);
    if (rc == 0) {
      started_ = true;
      Status accepting = WaitUntilAccepting(60);
      if (accepting.ok()) return Status::OK();
      last_error = accepting.message();
    } else {
      last_error = "pg_ctl start exit code " + std::to_string(rc) + "; " + ctl_log + ":\n" +
                   LogTail(ctl_log, 10);
    }
    last_error += log + ":\n" + LogTail(log, 30);
    // Whatever half-started must not hold the data directory for the next try.
    std::string stop = (as_postgres_user_ ? "runuser -u postgres -- " : "") + BinDir() +
                       "/pg_ctl -w -m immediate -D " + ShellQuote(dir_ + "/data") + " stop";
    RunShell(stop, "/dev/null");
    started_ = false;
  }
  return Status::Unavailable("PostgreSQL test server in " + dir_ + " did not start after " +
                             std::to_string(kStartAttempts) + " attempts; last: " + last_error);
}

Status PostgresServer::WaitUntilAccepting(int seconds) const {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  const std::string conninfo = ConnInfo();
  while (true) {
    if (PQping(conninfo.c_str()) == PQPING_OK) return Status::OK();
    if (std::chrono::steady_clock::now() > deadline) {
      return Status::Unavailable(
          "pg_ctl reported the server started but it did not accept TCP "
          "connections on port " +
          std::to_string(port_) + " in " + std::to_string(seconds) + " s; ");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

PostgresServer::~PostgresServer() {
  if (started_) {
    std::string cmd = (as_postgres_user_ ? "runuser -u postgres -- " : "") + BinDir() +
                      "/pg_ctl -w -m fast -D " + ShellQuote(dir_ + "/data") + " stop";
    RunShell(cmd, "/dev/null");
  }
  if (!dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

std::string PostgresServer::ConnInfo(const std::string& database) const {
  return "host=" + host_ + " port=" + std::to_string(port_) + " user=" + user_ +
         " password=" + password_ + " dbname=" + database + " connect_timeout=10";
}

Status PostgresServer::Execute(const std::string& sql, const std::string& database) const {
  PGconn* conn = PQconnectdb(ConnInfo(database).c_str());
  Status status;
  if (PQstatus(conn) != CONNECTION_OK) {
    status = Status::Unavailable(std::string("connect: ") + PQerrorMessage(conn));
  } else {
    PGresult* result = PQexec(conn, sql.c_str());
    ExecStatusType code = PQresultStatus(result);
    if (code != PGRES_COMMAND_OK && code != PGRES_TUPLES_OK) {
      status = Status::InvalidArgument(std::string(PQresultErrorMessage(result)) + " in: " + sql);
    }
    PQclear(result);
  }
  PQfinish(conn);
  return status;
}

}  // namespace strata::ingest::testing
