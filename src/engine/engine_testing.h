// Test helpers shared by the engine's *_test.cc files (not part of the library).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"

// Fails the test (fatally) unless `expr`, a Status or Result, is OK.
#define ENGINE_ASSERT_OK(expr)                                              \
  do {                                                                      \
    const auto& engine_status_ = (expr);                                    \
    ASSERT_TRUE(engine_status_.ok()) << engine_status_.status().ToString(); \
  } while (false)

// Declares `lhs` from the value of `rexpr` (a Result), failing the test if it is an error.
#define ENGINE_ASSERT_OK_AND_ASSIGN(lhs, rexpr) \
  ENGINE_ASSERT_OK_AND_ASSIGN_IMPL_(STRATA_CONCAT_(engine_result_, __LINE__), lhs, rexpr)
// `tmp` is an identifier and `lhs` may be a declaration: neither can take parentheses.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define ENGINE_ASSERT_OK_AND_ASSIGN_IMPL_(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                      \
  ASSERT_TRUE(tmp.ok()) << tmp.status().ToString();        \
  lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)

namespace strata::engine::testing {

// An in-memory database with one connection, the usual fixture.
class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Database::Open();
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    auto conn = Connection::Open(*db_);
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    conn_ = std::move(conn).value();
  }

  // All rows of `sql`, failing the test on error.
  std::vector<std::vector<Value>> Rows(const std::string& sql) {
    auto result = conn_->Query(sql);
    EXPECT_TRUE(result.ok()) << sql << ": " << result.status().ToString();
    if (!result.ok()) return {};
    auto rows = (*result)->FetchAllRows();
    EXPECT_TRUE(rows.ok()) << sql << ": " << rows.status().ToString();
    return rows.ok() ? std::move(rows).value() : std::vector<std::vector<Value>>{};
  }

  std::unique_ptr<Database> db_;
  std::unique_ptr<Connection> conn_;
};

}  // namespace strata::engine::testing
