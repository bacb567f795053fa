#include "ingest/source_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "project/project.h"

namespace strata::ingest {
namespace {

using ::testing::HasSubstr;

const std::vector<std::string> kSchemas = {"bronze", "silver", "gold", "raw"};

Result<std::vector<SourceConfig>> Parse(const std::string& yaml) {
  STRATA_ASSIGN_OR_RETURN(ConfigDocument doc, ParseConfig(yaml, "strata.yml"));
  STRATA_ASSIGN_OR_RETURN(ConfigNode sources, doc.root().Child("sources"));
  return ParseSources(sources, kSchemas, "/proj");
}

// The error of parsing `yaml`, which must fail.
std::string ErrorOf(const std::string& yaml) {
  auto parsed = Parse(yaml);
  EXPECT_FALSE(parsed.ok()) << yaml;
  return parsed.ok() ? "" : parsed.status().message();
}

TEST(SourceConfigTest, ParsesEveryFrameworkKeyAndDefaults) {
  auto sources = Parse(
      "sources:\n"
      "  shop:\n"
      "    connector: postgres\n"
      "    host: db.local\n"
      "    on_schema_change: rescue\n"
      "    max_bad_rows: 0.05\n"
      "    streams:\n"
      "      orders:\n"
      "        sync: incremental\n"
      "        cursor: updated_at\n"
      "        primary_key: [id, line]\n"
      "        table: public.orders\n"
      "      customers:\n"
      "        sync: append\n"
      "        primary_key: id\n"
      "        target: raw.people\n"
      "      products:\n"
      "  api:\n"
      "    connector: http\n"
      "    max_bad_rows: 100\n"
      "    streams: {events: {}}\n");
  ASSERT_TRUE(sources.ok()) << sources.status().ToString();
  ASSERT_EQ(sources->size(), 2u);
  const SourceConfig& shop = (*sources)[0];
  EXPECT_EQ(shop.name, "shop");
  EXPECT_EQ(shop.connector, "postgres");
  EXPECT_EQ(shop.on_schema_change, OnSchemaChange::kRescue);
  ASSERT_TRUE(shop.max_bad_rows.has_value());
  EXPECT_DOUBLE_EQ(*shop.max_bad_rows, 0.05);
  EXPECT_EQ(shop.project_root, "/proj");
  EXPECT_EQ(*shop.settings.Get<std::string>("host"), "db.local");
  ASSERT_EQ(shop.streams.size(), 3u);
  const StreamConfig& orders = shop.streams[0];
  EXPECT_EQ(orders.name, "orders");
  EXPECT_EQ(orders.sync, SyncMode::kIncremental);
  EXPECT_EQ(orders.cursor_field, "updated_at");
  EXPECT_EQ(orders.primary_key, (std::vector<std::string>{"id", "line"}));
  EXPECT_EQ(orders.target, "bronze.shop_orders");
  EXPECT_EQ(*orders.settings.Get<std::string>("table"), "public.orders");
  EXPECT_EQ(shop.streams[1].sync, SyncMode::kAppendOnly);
  EXPECT_EQ(shop.streams[1].primary_key, std::vector<std::string>{"id"});
  EXPECT_EQ(shop.streams[1].target, "raw.people");
  EXPECT_EQ(shop.streams[2].sync, SyncMode::kFullRefresh);
  EXPECT_EQ(shop.streams[2].target, "bronze.shop_products");
  const SourceConfig& api = (*sources)[1];
  EXPECT_EQ(api.on_schema_change, OnSchemaChange::kEvolve);
  EXPECT_DOUBLE_EQ(*api.max_bad_rows, 100);
  EXPECT_EQ(api.streams[0].target, "bronze.api_events");
}

struct BadCase {
  const char* yaml;
  const char* location;  // file:line:col of the offending node
  const char* key;       // the key path the error names
  const char* problem;   // part of the explanation
};

class SourceConfigErrorTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(SourceConfigErrorTest, NamesFileLineColumnAndKey) {
  const BadCase& c = GetParam();
  const std::string error = ErrorOf(c.yaml);
  EXPECT_THAT(error, HasSubstr(c.location));
  EXPECT_THAT(error, HasSubstr(c.key));
  EXPECT_THAT(error, HasSubstr(c.problem));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, SourceConfigErrorTest,
    ::testing::Values(
        BadCase{"sources:\n  s:\n    streams: {a: {}}\n", "strata.yml:3:5", "sources.s",
                "connector"},
        BadCase{"sources:\n  s:\n    connector: x\n", "strata.yml:3:5", "sources.s", "streams"},
        BadCase{"sources:\n  s:\n    connector: x\n    streams: {}\n", "strata.yml:4:14",
                "sources.s.streams", "at least one stream"},
        BadCase{"sources:\n  s:\n    connector: x\n    streams: [a, b]\n", "strata.yml:4:14",
                "sources.s.streams", "must be a map"},
        BadCase{"sources:\n  s:\n    connector: x\n    streams:\n      a:\n        sync: daily\n",
                "strata.yml:6:15", "sources.s.streams.a.sync",
                "full_refresh, incremental or append"},
        BadCase{
            "sources:\n  s:\n    connector: x\n    streams:\n      a:\n        sync: incremental\n",
            "strata.yml:6:9", "sources.s.streams.a", "cursor"},
        BadCase{"sources:\n  s:\n    connector: x\n    on_schema_change: ignore\n    streams: {a: "
                "{}}\n",
                "strata.yml:4:23", "sources.s.on_schema_change", "evolve, rescue or fail"},
        BadCase{"sources:\n  s:\n    connector: x\n    max_bad_rows: -1\n    streams: {a: {}}\n",
                "strata.yml:4:19", "sources.s.max_bad_rows", "negative"},
        BadCase{"sources:\n  s:\n    connector: x\n    max_bad_rows: 2.5\n    streams: {a: {}}\n",
                "strata.yml:4:19", "sources.s.max_bad_rows", "whole row count"},
        BadCase{"sources:\n  s:\n    connector: x\n    max_bad_rows: lots\n    streams: {a: {}}\n",
                "strata.yml:4:19", "sources.s.max_bad_rows", "fraction"},
        BadCase{
            "sources:\n  s:\n    connector: x\n    streams:\n      a:\n        target: lake.t\n",
            "strata.yml:6:17", "sources.s.streams.a.target", "not a warehouse schema"},
        BadCase{
            "sources:\n  s:\n    connector: x\n    streams:\n      a:\n        target: orders\n",
            "strata.yml:6:17", "sources.s.streams.a.target", "schema.table"},
        BadCase{
            "sources:\n  s:\n    connector: x\n    streams:\n      a:\n        target: bronze._x\n",
            "strata.yml:6:17", "sources.s.streams.a.target", "not starting with _"},
        BadCase{"sources:\n  s:\n    connector: x\n    streams:\n      a:\n        primary_key: "
                "{a: 1}\n",
                "strata.yml:6:22", "sources.s.streams.a.primary_key", "column name"},
        BadCase{"sources:\n  My-Source:\n    connector: x\n    streams: {a: {}}\n",
                "strata.yml:3:5", "sources.My-Source", "not a valid source name"},
        BadCase{"sources:\n  s:\n    connector: x\n    streams:\n      a: {}\n      b:\n"
                "        target: bronze.s_a\n",
                "strata.yml:7:9", "sources.s.streams.b", "s.a writes to already"},
        BadCase{"sources:\n  s:\n    connector: x\n    streams:\n      a: 3\n", "strata.yml:5:10",
                "sources.s.streams.a", "must be a map"},
        BadCase{"sources:\n  s: [1]\n", "strata.yml:2:6", "sources.s", "connector and streams"}));

TEST(SourceConfigTest, ProjectKeepsSourcesForIngest) {
  auto config = project::Project::ParseConfig(
      "name: p\nsources:\n  s:\n    connector: x\n    streams: {a: {}}\n", "strata.yml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  ASSERT_TRUE(config->sources.has_value());
  auto sources = ParseSources(*config->sources, config->warehouse.schemas, "/p");
  ASSERT_TRUE(sources.ok()) << sources.status().ToString();
  EXPECT_EQ((*sources)[0].streams[0].target, "bronze.s_a");

  auto not_map = project::Project::ParseConfig("name: p\nsources: [a]\n", "strata.yml");
  ASSERT_FALSE(not_map.ok());
  EXPECT_THAT(not_map.status().message(), HasSubstr("strata.yml:2:10"));
  EXPECT_THAT(not_map.status().message(), HasSubstr("'sources'"));
}

TEST(SourceConfigTest, ConnectorsCheckTheirKeysWithTheFrameworkOnes) {
  auto sources = Parse("sources:\n  s:\n    connector: x\n    hots: h\n    streams: {a: {}}\n");
  ASSERT_TRUE(sources.ok());
  const ConfigNode& settings = (*sources)[0].settings;
  EXPECT_TRUE(settings.CheckKnownKeys(WithFrameworkKeys(kSourceKeys, {"hots"})).ok());
  Status unknown = settings.CheckKnownKeys(WithFrameworkKeys(kSourceKeys, {"host"}));
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.message(), HasSubstr("strata.yml:4:5"));
  EXPECT_THAT(unknown.message(), HasSubstr("did you mean 'host'"));
}

}  // namespace
}  // namespace strata::ingest
