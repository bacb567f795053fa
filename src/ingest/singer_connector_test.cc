#include "ingest/singer_connector.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <mutex>
#include <thread>

#include "common/logging.h"
#include "ingest/connector_testing.h"
#include "ingest/singer_schema.h"

namespace strata::ingest {
namespace {

using nlohmann::json;
using testing::CapturingLogSink;
using testing::RecordingSink;
using testing::TempDir;

const std::string kTap = STRATA_SOURCE_DIR "/src/ingest/testdata/singer_tap_shop.py";

class SingerConnectorTest : public ::testing::Test {
 protected:
  // A source "shop" with `yaml` as its settings (command defaults to the
  // test tap) and streams users and orders.
  SourceConfig Source(const std::string& yaml, bool with_command = true) {
    std::string text = yaml;
    if (with_command) text = "command: [python3, \"" + kTap + "\"]\n" + text;
    auto doc = ParseConfig(text + "\nstreams: {users: {}, orders: {}}\n", "strata.yml");
    EXPECT_TRUE(doc.ok()) << doc.status().ToString();
    SourceConfig source = testing::MakeSourceConfig("shop", "singer", doc->root());
    for (const auto& [name, node] : *doc->root().Child("streams")->Entries()) {
      StreamConfig stream = testing::MakeStreamConfig(name, node);
      stream.sync = SyncMode::kIncremental;
      source.streams.push_back(stream);
    }
    return source;
  }

  Status Read(const SourceConfig& source, const std::string& stream_name, RecordingSink& sink,
              const json& state = nullptr) {
    auto connector = MakeSingerConnector(source);
    if (!connector.ok()) return connector.status();
    for (const StreamConfig& stream : source.streams) {
      if (stream.name == stream_name) return (*connector)->Read(stream, state, sink);
    }
    return Status::NotFound(stream_name);
  }

  std::vector<std::string> Column(RecordingSink& sink, const std::string& column) {
    sink.DefineAllRowsView();
    return sink.Strings("SELECT " + column + " FROM all_rows ORDER BY id");
  }

  TempDir staging_;
  RecordingSink sink_{staging_.path()};
};

json Bookmark(int users) {
  return json{
      {"bookmarks", {{"users", {{"max_id", users}}}, {"orders", {{"max_id", users * 10}}}}}};
}

TEST_F(SingerConnectorTest, EachStreamGetsItsOwnRecordsAndStatesEndBatches) {
  SourceConfig source = Source("config: {users: 5}");
  ASSERT_TRUE(Read(source, "users", sink_).ok());
  EXPECT_EQ(Column(sink_, "id"), (std::vector<std::string>{"1", "2", "3", "4", "5"}));
  // STATE after users 2 and 4, then the final one: three batches.
  ASSERT_EQ(sink_.batches.size(), 3u);
  EXPECT_EQ(sink_.rows_per_batch, (std::vector<int64_t>{2, 2, 1}));
  EXPECT_EQ(sink_.batches[0].state_after, Bookmark(2));
  EXPECT_EQ(sink_.batches[2].state_after, Bookmark(5));
  EXPECT_FALSE(sink_.batches[0].replace_table);  // incremental appends

  TempDir other_staging;
  RecordingSink orders(other_staging.path());
  ASSERT_TRUE(Read(source, "orders", orders).ok());
  EXPECT_EQ(Column(orders, "id"), (std::vector<std::string>{"10", "20", "30", "40", "50"}));
  EXPECT_EQ(orders.Strings("SELECT sum(amount) FROM all_rows"),
            (std::vector<std::string>{"22.5"}));  // 1.5 * (1+2+3+4+5)
  // The tap's input files are gone once it has run; so are committed spools.
  auto left = FileSystem::Default()->ListDirectory(staging_.path());
  ASSERT_TRUE(left.ok());
  EXPECT_TRUE(left->empty()) << (*left)[0].path;
}

TEST_F(SingerConnectorTest, SchemaTypesBecomeDuckDbColumnTypes) {
  ASSERT_TRUE(Read(Source("config: {users: 2}"), "users", sink_).ok());
  EXPECT_EQ(sink_.Strings("SELECT typeof(id) || ',' || typeof(signed_up) || ',' || "
                          "typeof(tags) FROM batch_1 LIMIT 1"),
            (std::vector<std::string>{"BIGINT,TIMESTAMP WITH TIME ZONE,VARCHAR[]"}));
  // Zip codes stay text with their leading zero, as the schema says.
  EXPECT_EQ(sink_.Strings("SELECT address.zip FROM batch_1 ORDER BY id"),
            (std::vector<std::string>{"01001", "01002"}));
  EXPECT_EQ(sink_.Strings("SELECT epoch(signed_up)::BIGINT FROM batch_1 ORDER BY id"),
            (std::vector<std::string>{"1704189600", "1704276000"}));  // 2024-01-02/03T10:00Z
}

TEST(SingerSchemaTest, JsonSchemaToDuckDbTypes) {
  EXPECT_EQ(SchemaToDuckDbType(json::parse(R"({"type": ["null", "integer"]})")), "BIGINT");
  EXPECT_EQ(SchemaToDuckDbType(json::parse(R"({"type": "number"})")), "DOUBLE");
  EXPECT_EQ(SchemaToDuckDbType(json::parse(R"({"type": ["integer", "number"]})")), "DOUBLE");
  EXPECT_EQ(SchemaToDuckDbType(json::parse(R"({"type": "string", "format": "date"})")), "DATE");
  EXPECT_EQ(SchemaToDuckDbType(json::parse(R"({"anyOf": [{"type": "null"},
      {"type": "string", "format": "date-time"}]})")),
            "TIMESTAMPTZ");
  EXPECT_EQ(SchemaToDuckDbType(json::parse(R"({"type": ["string", "integer"]})")), "JSON");
  EXPECT_EQ(SchemaToDuckDbType(json::parse(R"({"type": "object"})")), "JSON");
  EXPECT_EQ(
      SchemaToDuckDbType(json::parse(
          R"({"type": "array", "items": {"type": "object", "properties": {"a b": {"type": "boolean"}}}})")),
      "STRUCT(\"a b\" BOOLEAN)[]");
  EXPECT_EQ(SchemaToDuckDbType(json::parse("{}")), "JSON");
  json schema = json::parse(R"({"properties": {"id": {"type": "integer"},
                                                "n": {"type": ["null", "number"]}}})");
  EXPECT_EQ(RecordMismatch(schema, json{{"id", 1}, {"n", 2.5}}), std::nullopt);
  EXPECT_EQ(RecordMismatch(schema, json{{"id", nullptr}, {"extra", "x"}}), std::nullopt);
  EXPECT_EQ(RecordMismatch(schema, json{{"id", "1"}}), "field 'id': expected integer, got string");
}

TEST_F(SingerConnectorTest, StateIsPassedBackAndOnlyNewRecordsCome) {
  ASSERT_TRUE(Read(Source("config: {users: 3}"), "users", sink_).ok());
  json state = sink_.batches.back().state_after;
  EXPECT_EQ(state, Bookmark(3));
  // More users exist upstream now; the tap starts after the bookmark.
  ASSERT_TRUE(Read(Source("config: {users: 6}"), "users", sink_, state).ok());
  EXPECT_EQ(Column(sink_, "id"), (std::vector<std::string>{"1", "2", "3", "4", "5", "6"}));
  EXPECT_EQ(sink_.Strings("SELECT count(*) FROM all_rows GROUP BY id HAVING count(*) > 1"),
            std::vector<std::string>{});  // no duplicates
  EXPECT_EQ(sink_.batches.back().state_after, Bookmark(6));
}

TEST_F(SingerConnectorTest, FullRefreshIgnoresBookmarksAndReplacesTheTable) {
  SourceConfig source = Source("config: {users: 3}");
  for (StreamConfig& stream : source.streams) stream.sync = SyncMode::kFullRefresh;
  ASSERT_TRUE(Read(source, "users", sink_, Bookmark(3)).ok());
  EXPECT_EQ(Column(sink_, "id"), (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_TRUE(sink_.batches[0].replace_table);
  EXPECT_FALSE(sink_.batches[1].replace_table);
}

TEST_F(SingerConnectorTest, SchemaChangeMidBatchKeepsBothShapes) {
  ASSERT_TRUE(Read(Source("config: {users: 5, scenario: schema_change}"), "users", sink_).ok());
  EXPECT_EQ(Column(sink_, "coalesce(email, '-')"),
            (std::vector<std::string>{"-", "-", "-", "u4@example.com", "u5@example.com"}));
  // Users 3 (old schema) and 4 (new schema) share the batch ended by STATE 4.
  EXPECT_EQ(sink_.rows_per_batch, (std::vector<int64_t>{2, 2, 1}));
  EXPECT_EQ(sink_.batches[1].spool_files.size(), 2u);
}

TEST_F(SingerConnectorTest, CrashKeepsCommittedBatchesAndNamesTheTapsStderr) {
  Status status = Read(Source("config: {users: 5, scenario: crash}"), "users", sink_);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("exited with status 2"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("boom: upstream API returned garbage"), std::string::npos)
      << status.message();
  // Users 1-2 were covered by STATE 2 and committed; user 3 had no STATE yet.
  EXPECT_EQ(Column(sink_, "id"), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(sink_.batches.back().state_after, Bookmark(2));
}

TEST_F(SingerConnectorTest, MalformedLinesAndMistypedRecordsAreQuarantined) {
  ASSERT_TRUE(Read(Source("config: {users: 3, scenario: malformed}"), "users", sink_).ok());
  EXPECT_EQ(Column(sink_, "id"), (std::vector<std::string>{"1", "2", "3"}));
  ASSERT_EQ(sink_.quarantined.size(), 2u);
  EXPECT_EQ(sink_.quarantined[0].raw, "this line is not JSON");
  EXPECT_EQ(sink_.quarantined[0].reason, "not a JSON message");
  EXPECT_EQ(sink_.quarantined[0].stream, "users");
  // Line numbers count the tap's stdout: 2 SCHEMA, ACTIVATE_VERSION, then
  // user 1, order 10, user 2, order 20, the bad line (8), the bad record (9).
  EXPECT_EQ(sink_.quarantined[0].line, 8);
  EXPECT_EQ(sink_.quarantined[1].line, 9);
  EXPECT_EQ(sink_.quarantined[1].reason, "field 'id': expected integer, got string");
}

TEST_F(SingerConnectorTest, SecretConfigIsPrivateAndRedactedFromLogsAndErrors) {
  const std::string token = "tap-token-5e0c77aa";
  setenv("STRATA_TEST_TAP_TOKEN", token.c_str(), 1);
  CapturingLogSink logs;
  SetLogSink(&logs);
  // The tap checks that its config file is mode 0600 (exit 3 otherwise) and
  // echoes the token to stderr, which the connector logs and, on a crash,
  // quotes in the error.
  Status status =
      Read(Source("config: {users: 3, scenario: crash, api_token: \"${STRATA_TEST_TAP_TOKEN}\"}"),
           "users", sink_);
  SetLogSink(nullptr);
  EXPECT_NE(status.message().find("exited with status 2"), std::string::npos) << status.message();
  EXPECT_EQ(status.message().find(token), std::string::npos) << status.message();
  EXPECT_NE(logs.lines().find("token ***"), std::string::npos) << logs.lines();
  EXPECT_EQ(logs.lines().find(token), std::string::npos) << logs.lines();
}

TEST_F(SingerConnectorTest, StringCommandRunsThroughTheShellAndCatalogIsPassed) {
  TempDir dir;
  const std::string catalog = dir.path() + "/catalog.json";
  std::ofstream(catalog)
      << R"({"streams": [{"tap_stream_id": "users"}, {"tap_stream_id": "orders"}]})";
  CapturingLogSink logs;
  SetLogSink(&logs);
  Status status = Read(
      Source("command: \"python3 '" + kTap + "'\"\ncatalog: " + catalog + "\nconfig: {users: 2}",
             /*with_command=*/false),
      "orders", sink_);
  SetLogSink(nullptr);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(Column(sink_, "id"), (std::vector<std::string>{"10", "20"}));
  EXPECT_NE(logs.lines().find("catalog streams: users,orders"), std::string::npos) << logs.lines();
}

TEST_F(SingerConnectorTest, CancelStopsTheTap) {
  TempDir dir;
  const std::string pid_file = dir.path() + "/pid";
  std::thread canceller([this] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    sink_.cancelled = true;
  });
  auto start = std::chrono::steady_clock::now();
  Status status = Read(Source("config: {users: 3, scenario: hang, pid_file: " + pid_file + "}"),
                       "users", sink_);
  canceller.join();
  EXPECT_EQ(status.code(), StatusCode::kAborted) << status.ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  std::ifstream in(pid_file);
  pid_t pid = 0;
  in >> pid;
  ASSERT_GT(pid, 0);
  EXPECT_EQ(kill(pid, 0), -1);  // gone (reaped)
  EXPECT_EQ(errno, ESRCH);
}

TEST_F(SingerConnectorTest, MissingTapFailsClearly) {
  Status status = Read(Source("command: [strata-no-such-tap-xyz]", false), "users", sink_);
  EXPECT_EQ(status.code(), StatusCode::kNotFound) << status.ToString();
  EXPECT_NE(status.message().find("strata-no-such-tap-xyz"), std::string::npos);
  // Which source and stream, and what to do.
  EXPECT_NE(status.message().find("', stream 'users'"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("set the source's `command` to its full path"), std::string::npos)
      << status.message();
  auto connector = MakeSingerConnector(Source("command: [strata-no-such-tap-xyz]", false));
  ASSERT_TRUE(connector.ok());
  Status checked = (*connector)->Check();
  EXPECT_EQ(checked.code(), StatusCode::kUnavailable);
  EXPECT_NE(checked.message().find("is not on the PATH; install the tap"), std::string::npos)
      << checked.message();
  EXPECT_FALSE(MakeSingerConnector(Source("config: {a: 1}", false)).ok());
}

}  // namespace
}  // namespace strata::ingest
