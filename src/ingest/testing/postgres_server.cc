#include "ingest/testing/postgres_server.h"

#include <arpa/inet.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

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

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

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
  std::string cmd = (as_postgres_user_ ? "runuser -u postgres -- " : "") + BinDir() +
                    "/initdb --no-sync --no-locale -E UTF8 -U postgres --auth-local=trust "
                    "--auth-host=scram-sha-256 --pwfile=" +
                    ShellQuote(dir_ + "/pwfile") + " -D " + ShellQuote(dir_ + "/data");
  std::string log = dir_ + "/initdb.log";
  if (RunShell(cmd, log) != 0) {
    return Status::Unavailable("initdb failed: " + ReadText(log));
  }
  return Status::OK();
}

Status PostgresServer::StartOnFreePort() {
  std::string log = dir_ + "/server.log";
  for (int attempt = 0; attempt < 3; ++attempt) {
    STRATA_ASSIGN_OR_RETURN(port_, FreeLoopbackPort());
    std::string options = "-p " + std::to_string(port_) + " -k " + dir_ +
                          " -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
                          "-c full_page_writes=off -c max_connections=40 -c shared_buffers=32MB";
    std::string cmd = (as_postgres_user_ ? "runuser -u postgres -- " : "") + BinDir() +
                      "/pg_ctl -w -t 120 -D " + ShellQuote(dir_ + "/data") + " -l " +
                      ShellQuote(log) + " -o " + ShellQuote(options) + " start";
    if (RunShell(cmd, dir_ + "/pg_ctl.log") == 0) {
      started_ = true;
      return Status::OK();
    }
  }
  return Status::Unavailable("PostgreSQL did not start: " + ReadText(log) +
                             ReadText(dir_ + "/pg_ctl.log"));
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
