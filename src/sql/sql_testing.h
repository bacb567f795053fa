// Test helpers for code that runs SQL on a warehouse through a SqlSession
// (not part of the library): a temp dir, the DuckDB + warehouse + session
// stack over a real folder of Delta tables, and results as comparable rows.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/temp_dir_testing.h"
#include "engine/engine.h"
#include "sql/session.h"
#include "sql/warehouse.h"

namespace strata::sql::testing {

// One row of a result: its values as text joined with '|', NULL as "NULL".
using Rows = std::vector<std::string>;

// The rows of `result` (of `sql`, named in failures), in result order. An
// error fails the current test and yields one "<error: message>" row, so
// a comparison with the expected rows fails too.
inline Rows ToRows(Result<std::unique_ptr<engine::QueryResult>> result, const std::string& sql) {
  EXPECT_TRUE(result.ok()) << sql << "\n" << result.status().ToString();
  if (!result.ok()) return {"<error: " + result.status().message() + ">"};
  auto rows = (*result)->FetchAllRows();
  EXPECT_TRUE(rows.ok()) << sql << "\n" << rows.status().ToString();
  if (!rows.ok()) return {"<error: " + rows.status().message() + ">"};
  Rows out;
  for (const auto& row : *rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += (i ? "|" : "") + (row[i].IsNull() ? std::string("NULL") : row[i].ToString());
    }
    out.push_back(std::move(line));
  }
  return out;
}

using common::testing::TempDir;

// One "process" on a warehouse folder: its own in-memory DuckDB database and
// connection, a Warehouse object and a SqlSession over them. Several may
// share one folder, as separate processes do. Members are destroyed in
// reverse order (session first), which the session requires.
struct WarehouseSession {
  std::unique_ptr<engine::Database> db;
  std::unique_ptr<engine::Connection> conn;
  std::unique_ptr<Warehouse> warehouse;
  std::unique_ptr<SqlSession> session;

  // The stack over the warehouse at `root` with `schemas`; the first error
  // of opening the database, the warehouse or the session. `fs` (and the
  // clock in `options`) are not owned and must outlive the result.
  static Result<WarehouseSession> Open(const std::string& root, std::vector<std::string> schemas,
                                       FileSystem& fs, SqlSessionOptions options = {}) {
    WarehouseSession s;
    STRATA_ASSIGN_OR_RETURN(s.db, engine::Database::Open());
    STRATA_ASSIGN_OR_RETURN(s.conn, engine::Connection::Open(*s.db));
    STRATA_ASSIGN_OR_RETURN(s.warehouse, Warehouse::Open(root, std::move(schemas), fs));
    STRATA_ASSIGN_OR_RETURN(s.session,
                            SqlSession::Create(*s.conn, s.warehouse.get(), fs, std::move(options)));
    return s;
  }

  // The rows of `sql` run through the session (see ToRows).
  Rows Run(const std::string& sql) { return ToRows(session->Execute(sql), sql); }
};

}  // namespace strata::sql::testing
