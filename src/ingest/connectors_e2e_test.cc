// The http and singer connectors through the real driver: strata.yml, the
// bronze writer, Delta tables, the run store and saved state, end to end.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "ingest/delta_query_testing.h"
#include "ingest/http_test_server.h"
#include "ingest/ingest.h"
#include "lake/lake.h"

namespace strata::ingest {
namespace {

using nlohmann::json;

class ConnectorsEndToEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RegisterBuiltinConnectors();
    char tmpl[] = "/tmp/strata_connectors_e2e_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    db_ = *engine::Database::Open();
    conn_ = *engine::Connection::Open(*db_);
  }
  void TearDown() override {
    server_.Stop();
    std::filesystem::remove_all(dir_);
  }

  IngestReport Ingest(const std::string& sources) {
    std::ofstream(dir_ + "/strata.yml") << "name: t\nsources:\n" << sources;
    auto project = project::Project::Open(*FileSystem::Default(), dir_);
    EXPECT_TRUE(project.ok()) << project.status().ToString();
    if (!project.ok()) return {};
    auto report = RunIngest(**project, IngestOptions{});
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : IngestReport{};
  }

  // `select` over the Delta table `schema_table`, {t} standing for its rows.
  std::string Query(const std::string& schema_table, const std::string& select) {
    size_t dot = schema_table.find('.');
    return testing::QueryDeltaTable(
        *conn_,
        dir_ + "/warehouse/" + schema_table.substr(0, dot) + "/" + schema_table.substr(dot + 1),
        select);
  }

  testing::TestHttpServer server_;
  std::string dir_;
  std::unique_ptr<engine::Database> db_;
  std::unique_ptr<engine::Connection> conn_;
};

TEST_F(ConnectorsEndToEndTest, HttpIncrementalIntoBronze) {
  // Orders updated at t = 1..n; `since` returns those after it, 3 per page.
  std::atomic<int> total{7};
  server_.server().Get("/orders", [&total](const httplib::Request& req, httplib::Response& res) {
    int since = req.has_param("since") ? std::stoi(req.get_param_value("since")) : 0;
    int offset = std::stoi(req.get_param_value("offset"));
    json page = json::array();
    for (int t = since + 1 + offset; t <= total && page.size() < 3; ++t) {
      page.push_back(
          {{"id", t}, {"updated", t}, {"customer", {{"name", "c" + std::to_string(t)}}}});
    }
    if (offset == 6 && since == 0) page.push_back(17);  // not a record: quarantined
    res.set_content(json{{"data", page}}.dump(), "application/json");
  });
  server_.Start();
  const std::string sources = "  api:\n    connector: http\n    base_url: " + server_.url() +
                              "\n    record_path: data\n"
                              "    pagination: {type: offset, limit: 3}\n"
                              "    streams:\n"
                              "      orders: {sync: incremental, cursor: updated, "
                              "cursor_param: since}\n";
  IngestReport first = Ingest(sources);
  ASSERT_EQ(first.streams.size(), 1u);
  EXPECT_TRUE(first.ok()) << first.streams[0].error;
  EXPECT_EQ(first.streams[0].rows, 7);
  EXPECT_EQ(first.streams[0].bad_rows, 1);
  EXPECT_EQ(Query("bronze.api_orders", "SELECT count(DISTINCT id) || ' ' || max(id) FROM {t}"),
            "7 7");
  EXPECT_EQ(Query("bronze.api_orders", "SELECT customer.name FROM {t} WHERE id = 5"), "c5");
  EXPECT_EQ(Query("bronze._quarantine_api", "SELECT count(*) FROM {t}"), "1");

  total = 9;  // two newer orders upstream; the second run asks only for them
  IngestReport second = Ingest(sources);
  EXPECT_TRUE(second.ok()) << second.streams[0].error;
  EXPECT_EQ(second.streams[0].rows, 2);
  EXPECT_EQ(Query("bronze.api_orders", "SELECT count(*) || ' ' || count(DISTINCT id) FROM {t}"),
            "9 9");
  auto requests = server_.requests();
  EXPECT_EQ(requests.back().query, "since=7&offset=0&limit=3");
}

TEST_F(ConnectorsEndToEndTest, SingerStreamsWithBookmarksIntoBronze) {
  const std::string tap = STRATA_SOURCE_DIR "/src/ingest/testdata/singer_tap_shop.py";
  auto sources = [&](int users) {
    return "  shop:\n    connector: singer\n    command: [python3, \"" + tap +
           "\"]\n    config: {users: " + std::to_string(users) +
           "}\n    streams:\n      users: {sync: append}\n"
           "      orders: {sync: append}\n";
  };
  IngestReport first = Ingest(sources(4));
  ASSERT_EQ(first.streams.size(), 2u);
  EXPECT_TRUE(first.ok()) << first.streams[0].error << first.streams[1].error;
  EXPECT_EQ(Query("bronze.shop_users", "SELECT count(*) || ' ' || max(id) FROM {t}"), "4 4");
  EXPECT_EQ(Query("bronze.shop_orders", "SELECT sum(amount) FROM {t}"), "15.0");  // 1.5*(1+..+4)
  IngestReport second = Ingest(sources(6));
  EXPECT_TRUE(second.ok());
  EXPECT_EQ(second.streams[0].rows + second.streams[1].rows, 4);  // users 5-6, orders 50-60
  EXPECT_EQ(Query("bronze.shop_users", "SELECT count(*) || ' ' || count(DISTINCT id) FROM {t}"),
            "6 6");
}

}  // namespace
}  // namespace strata::ingest
