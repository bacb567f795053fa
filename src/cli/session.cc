#include "cli/session.h"

#include <cstdlib>

namespace strata::cli {

Result<std::unique_ptr<Session>> Session::Open(const std::string& project_dir,
                                               bool project_required) {
  FileSystem& fs = *FileSystem::Default();
  auto session = std::make_unique<Session>(PrivateTag{});
  std::string root = project_dir;
  if (root.empty()) {
    auto found = project::Project::Find(fs, ".");
    if (found.ok()) {
      root = *found;
    } else if (project_required || !found.status().IsNotFound()) {
      return found.status();
    }
  }
  engine::DatabaseOptions options;
  if (!root.empty()) {
    STRATA_ASSIGN_OR_RETURN(session->project_, project::Project::Open(fs, root));
    options.threads = session->project_->config().engine.threads;
    options.memory_limit = session->project_->config().engine.memory_limit;
  }
  STRATA_ASSIGN_OR_RETURN(session->database_, engine::Database::Open(options));
  STRATA_ASSIGN_OR_RETURN(session->connection_, engine::Connection::Open(*session->database_));
  if (session->project_) {
    const project::ProjectConfig& config = session->project_->config();
    STRATA_ASSIGN_OR_RETURN(session->warehouse_,
                            sql::Warehouse::Open(session->project_->WarehousePath(),
                                                 config.warehouse.schemas, fs));
  }
  STRATA_ASSIGN_OR_RETURN(session->sql_, sql::SqlSession::Create(*session->connection_,
                                                                 session->warehouse_.get(), fs));
  return session;
}

std::string Session::HistoryFile() const {
  if (project_) return JoinPath(project_->StateDir(), "history");
  const char* home = std::getenv("HOME");
  return home && *home ? JoinPath(home, ".strata_history") : "";
}

}  // namespace strata::cli
