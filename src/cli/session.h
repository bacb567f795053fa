// A Session is what a command runs SQL in: the project (when there is one),
// an in-memory DuckDB configured from its strata.yml, and the SQL session
// that resolves the project's warehouse tables (bronze.orders, time travel,
// delta_scan) and routes DDL/DML on them to the Delta writer. Internal to
// src/cli.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "engine/engine.h"
#include "project/project.h"
#include "sql/session.h"

namespace strata::cli {

class Session {
  struct PrivateTag {
    explicit PrivateTag() = default;
  };

 public:
  explicit Session(PrivateTag) {}
  // Opens the project at `project_dir`, or, when it is empty, the one found
  // from the working directory upward; with `project_required` false a
  // missing project is fine (plain SQL on files). Errors in strata.yml fail.
  static Result<std::unique_ptr<Session>> Open(const std::string& project_dir,
                                               bool project_required);

  // Null when the session runs outside a project.
  const project::Project* project() const { return project_.get(); }
  engine::Connection& connection() { return *connection_; }
  // Runs statements with warehouse tables resolved; owned by the session.
  sql::SqlSession& sql() { return *sql_; }

  // Where the shell keeps its history: the project's .strata/history, or
  // ~/.strata_history outside a project; empty when neither can be written.
  std::string HistoryFile() const;

 private:
  std::unique_ptr<project::Project> project_;
  std::unique_ptr<engine::Database> database_;
  std::unique_ptr<engine::Connection> connection_;
  std::unique_ptr<sql::Warehouse> warehouse_;  // null outside a project
  std::unique_ptr<sql::SqlSession> sql_;
};

}  // namespace strata::cli
