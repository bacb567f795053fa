#include "ingest/testing/sink_checks_fixture.h"

#include <gtest/gtest.h>

namespace strata::ingest::testing {

std::string Scalar(DuckDbSink& sink, const std::string& sql) {
  auto rows = sink.Rows(sql);
  EXPECT_TRUE(rows.ok()) << rows.status().ToString() << " in " << sql;
  if (!rows.ok() || rows->empty() || rows->front().empty()) return "<none>";
  return (*rows)[0][0];
}

void ExpectColumnTypes(DuckDbSink& sink, const std::string& where,
                       const std::vector<std::pair<std::string, std::string>>& types) {
  for (const auto& [column, type] : types) {
    EXPECT_EQ(
        Scalar(sink, "SELECT typeof(" + column + ") FROM " + sink.table() + " WHERE " + where),
        type)
        << column;
  }
}

void ExpectRowSatisfies(DuckDbSink& sink, const std::string& where,
                        const std::vector<std::string>& checks) {
  for (const std::string& check : checks) {
    EXPECT_EQ(
        Scalar(sink, "SELECT (" + check + ")::VARCHAR FROM " + sink.table() + " WHERE " + where),
        "true")
        << check << " where " << where;
  }
}

}  // namespace strata::ingest::testing
