#include "ingest/schema_drift.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/engine.h"
#include "lake/lake.h"

namespace strata::ingest {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

lake::DataTypePtr Schema(std::vector<std::pair<std::string, std::string>> columns) {
  std::vector<lake::StructField> fields;
  for (auto& [name, type] : columns) fields.push_back(lake::Field(name, lake::PrimitiveType(type)));
  return lake::StructType(std::move(fields));
}

TEST(SchemaDriftTest, ClassifiesEveryKindOfDifference) {
  auto table = Schema({{"id", "long"},
                       {"small", "integer"},
                       {"big", "long"},
                       {"name", "string"},
                       {"gone", "string"},
                       {"_strata_batch_id", "string"}});
  auto incoming = Schema({{"ID", "long"},      // same column, other case
                          {"small", "long"},   // widens
                          {"big", "integer"},  // narrower: fits as is
                          {"name", "double"},  // string -> double: not a widening
                          {"fresh", "boolean"}});
  auto evolve = PlanSchemaDrift(*table, *incoming, OnSchemaChange::kRescue, "bronze.t");
  ASSERT_TRUE(evolve.ok()) << evolve.status().ToString();
  EXPECT_THAT(evolve->added, ElementsAre("fresh"));
  EXPECT_THAT(evolve->removed, ElementsAre("gone"));  // _strata_* never counts
  EXPECT_THAT(evolve->widened, ElementsAre("small: integer -> long"));
  ASSERT_EQ(evolve->rescued.size(), 1u);
  EXPECT_EQ(evolve->rescued[0].name, "name");
  EXPECT_EQ(evolve->rescued[0].table_type, "VARCHAR");

  auto strict = PlanSchemaDrift(*table, *incoming, OnSchemaChange::kEvolve, "bronze.t");
  ASSERT_FALSE(strict.ok());
  EXPECT_THAT(strict.status().message(), HasSubstr("name: string -> double"));
  auto fail = PlanSchemaDrift(*table, *incoming, OnSchemaChange::kFail, "bronze.t");
  ASSERT_FALSE(fail.ok());
  EXPECT_THAT(fail.status().message(), HasSubstr("added: fresh"));
  EXPECT_THAT(fail.status().message(), HasSubstr("removed: gone"));
  EXPECT_THAT(fail.status().message(),
              HasSubstr("retyped: small: integer -> long, name: string -> double"));

  auto same = PlanSchemaDrift(*table, *table, OnSchemaChange::kFail, "bronze.t");
  ASSERT_TRUE(same.ok());
  EXPECT_FALSE(same->changed());
  EXPECT_TRUE(same->notes.empty());
}

TEST(SchemaDriftTest, RescueKeepsEveryValueThatDoesNotFitAsJson) {
  auto db = engine::Database::Open();
  ASSERT_TRUE(db.ok());
  auto conn = engine::Connection::Open(**db);
  ASSERT_TRUE(conn.ok());
  const std::string staged =
      "SELECT * FROM (VALUES (1, '10', 'true'), (2, 'x', 'true'), (3, 'y', 'maybe'), "
      "(4, NULL, 'false')) v(id, a, b)";
  auto incoming = lake::QuerySchema(**conn, staged);
  ASSERT_TRUE(incoming.ok());
  DriftPlan plan;
  plan.rescued = {{"a", "BIGINT"}, {"b", "BOOLEAN"}};
  const std::string query = BronzeSelect(staged, **incoming, plan,
                                         {TimestampLiteral(1'700'000'000'123'456), "src", "b1"});
  auto rows = (*conn)->Query(
      "SELECT id, a, b, _strata_rescued, _strata_source, _strata_batch_id, "
      "_strata_ingested_at::VARCHAR FROM (" +
      query + ") ORDER BY id");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  auto all = (*rows)->FetchAllRows();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 4u);
  auto text = [&](size_t r, size_t c) { return (*all)[r][c].ToString(); };
  EXPECT_EQ(text(0, 1), "10");
  EXPECT_EQ(text(0, 3), "NULL");  // everything fit
  EXPECT_EQ(text(1, 1), "NULL");
  EXPECT_EQ(text(1, 3), R"({"a":"x"})");
  EXPECT_EQ(text(2, 3), R"({"a":"y","b":"maybe"})");
  EXPECT_EQ(text(3, 3), "NULL");  // NULL stays NULL
  EXPECT_EQ(text(3, 2), "false");
  EXPECT_EQ(text(0, 4), "src");
  EXPECT_EQ(text(0, 5), "b1");
  EXPECT_EQ(text(0, 6), "2023-11-14 22:13:20.123456+00");
}

}  // namespace
}  // namespace strata::ingest
