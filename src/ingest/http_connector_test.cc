#include "ingest/http_connector.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "common/clock.h"
#include "common/logging.h"
#include "ingest/connector_testing.h"
#include "ingest/http_client.h"
#include "ingest/http_pagination.h"
#include "ingest/http_test_server.h"

namespace strata::ingest {
namespace {

using nlohmann::json;
using testing::CapturingLogSink;
using testing::RecordingSink;
using testing::TempDir;
using testing::TestHttpServer;

// Records `n` ids from `first`, as {"id": i, "name": "item<i>"}.
json Items(int first, int n) {
  json items = json::array();
  for (int i = first; i < first + n; ++i) {
    items.push_back({{"id", i}, {"name", "item" + std::to_string(i)}});
  }
  return items;
}

void Reply(httplib::Response& res, const json& body) {
  res.set_content(body.dump(), "application/json");
}

int IntParam(const httplib::Request& req, const std::string& name, int fallback) {
  return req.has_param(name) ? std::stoi(req.get_param_value(name)) : fallback;
}

class HttpConnectorTest : public ::testing::Test {
 protected:
  void TearDown() override { server_.Stop(); }

  // A source named "api" from YAML whose `streams:` map declares the streams
  // (each with optional sync/cursor_field); base_url is the test server.
  SourceConfig Source(const std::string& yaml) {
    auto doc = ParseConfig("base_url: " + server_.url() + "\n" + yaml, "strata.yml");
    EXPECT_TRUE(doc.ok()) << doc.status().ToString();
    SourceConfig source = testing::MakeSourceConfig("api", "http", doc->root());
    auto streams = doc->root().Child("streams");
    EXPECT_TRUE(streams.ok()) << streams.status().ToString();
    for (const auto& [name, node] : *streams->Entries()) {
      StreamConfig stream = testing::MakeStreamConfig(name, node);
      if (node.GetOr<std::string>("sync", "full_refresh").ValueOr("") == "incremental") {
        stream.sync = SyncMode::kIncremental;
      }
      stream.cursor_field = node.GetOr<std::string>("cursor", "").ValueOr("");
      source.streams.push_back(stream);
    }
    return source;
  }

  // Makes the connector for `yaml` and reads its first stream from `state`.
  Status ReadFirstStream(const std::string& yaml, const json& state = nullptr) {
    SourceConfig source = Source(yaml);
    auto connector = MakeHttpConnector(source, &clock_);
    if (!connector.ok()) return connector.status();
    return (*connector)->Read(source.streams.front(), state, sink_);
  }

  std::vector<std::string> Ids() {
    sink_.DefineAllRowsView();
    return sink_.Strings("SELECT id FROM all_rows ORDER BY id");
  }

  TestHttpServer server_;
  FakeClock clock_;
  TempDir staging_;
  RecordingSink sink_{staging_.path()};
};

// A state without its "json_types" (the typing has its own test): what
// pagination and the cursor left.
json Position(json state) {
  state.erase("json_types");
  return state;
}

std::vector<std::string> Range(int first, int last) {
  std::vector<std::string> out;
  for (int i = first; i <= last; ++i) out.push_back(std::to_string(i));
  return out;
}

TEST_F(HttpConnectorTest, PagePaginationStopsOnEmptyPageAndEachPageIsABatch) {
  server_.server().Get("/items", [](const httplib::Request& req, httplib::Response& res) {
    int page = IntParam(req, "p", 0);
    Reply(res, json{{"data", page <= 3 ? Items((page - 1) * 2 + 1, 2) : json::array()}});
  });
  server_.Start();
  ASSERT_TRUE(ReadFirstStream(R"(
pagination: {type: page, page_param: p}
record_path: data
streams:
  items: {path: /items}
)")
                  .ok());
  EXPECT_EQ(Ids(), Range(1, 6));
  ASSERT_EQ(sink_.batches.size(), 3u);
  EXPECT_EQ(sink_.rows_per_batch, (std::vector<int64_t>{2, 2, 2}));
  // Until the last page, a batch's state names the next page to resume at.
  EXPECT_EQ(Position(sink_.batches[0].state_after), (json{{"next", {{"page", 2}}}}));
  EXPECT_EQ(Position(sink_.batches[1].state_after), (json{{"next", {{"page", 3}}}}));
  EXPECT_EQ(Position(sink_.batches[2].state_after), json::object());
  EXPECT_TRUE(sink_.batches[0].replace_table);
  EXPECT_FALSE(sink_.batches[1].replace_table);
  auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_EQ(requests[3].query, "p=4");
  EXPECT_EQ(sink_.progress_rows, 6);
}

TEST_F(HttpConnectorTest, PagePaginationStopsAtTotalPages) {
  server_.server().Get("/items", [](const httplib::Request& req, httplib::Response& res) {
    int page = IntParam(req, "page", 0);
    Reply(res, json{{"items", Items(page * 10, 3)}, {"meta", {{"total_pages", 2}}}});
  });
  server_.Start();
  ASSERT_TRUE(ReadFirstStream(R"(
pagination: {type: page, start_page: 0, total_pages_path: meta.total_pages,
             page_size_param: per_page, page_size: 3}
record_path: items
streams:
  items: {}
)")
                  .ok());
  auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].query, "page=0&per_page=3");
  EXPECT_EQ(requests[1].query, "page=1&per_page=3");
  EXPECT_EQ(Ids(), (std::vector<std::string>{"0", "1", "2", "10", "11", "12"}));
}

TEST_F(HttpConnectorTest, OffsetPaginationStopsOnShortPage) {
  server_.server().Get("/items", [](const httplib::Request& req, httplib::Response& res) {
    int offset = IntParam(req, "skip", -1);
    int limit = IntParam(req, "take", -1);
    int total = 5;
    int n = std::max(0, std::min(limit, total - offset));
    Reply(res, Items(offset + 1, n));
  });
  server_.Start();
  ASSERT_TRUE(ReadFirstStream(R"(
pagination: {type: offset, offset_param: skip, limit_param: take, limit: 2}
streams:
  items: {path: items}
)")
                  .ok());
  auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].query, "skip=0&take=2");
  EXPECT_EQ(requests[2].query, "skip=4&take=2");
  EXPECT_EQ(Ids(), Range(1, 5));
  EXPECT_EQ(Position(sink_.batches[1].state_after), (json{{"next", {{"offset", 4}}}}));
}

TEST_F(HttpConnectorTest, CursorPaginationFollowsNextCursor) {
  server_.server().Get("/events", [](const httplib::Request& req, httplib::Response& res) {
    std::string cursor = req.has_param("after") ? req.get_param_value("after") : "";
    if (cursor.empty()) {
      Reply(res, json{{"events", Items(1, 2)}, {"meta", {{"next", "c/2 x"}}}});
    } else if (cursor == "c/2 x") {  // the cursor must come back percent-decoded intact
      Reply(res, json{{"events", Items(3, 2)}, {"meta", {{"next", "c4"}}}});
    } else if (cursor == "c4") {
      Reply(res, json{{"events", Items(5, 1)}, {"meta", {{"next", nullptr}}}});
    } else {
      res.status = 400;
    }
  });
  server_.Start();
  ASSERT_TRUE(ReadFirstStream(R"(
pagination: {type: cursor, cursor_path: meta.next, cursor_param: after}
record_path: events
streams:
  events: {}
)")
                  .ok());
  EXPECT_EQ(server_.requests().size(), 3u);
  EXPECT_EQ(Ids(), Range(1, 5));
  EXPECT_EQ(Position(sink_.batches[0].state_after), (json{{"next", {{"cursor", "c/2 x"}}}}));
}

TEST_F(HttpConnectorTest, LinkHeaderPaginationFollowsRelNext) {
  std::string base;
  server_.server().Get("/users", [&base](const httplib::Request& req, httplib::Response& res) {
    int page = IntParam(req, "page", 1);
    if (page < 3) {
      // Absolute first, relative later: both forms occur in the wild.
      std::string next = page == 1 ? base + "/users?page=2" : "/users?page=3";
      res.set_header("Link", "<" + base + "/users?page=1>; rel=\"first\", <" + next +
                                 ">; rel=\"next\", <" + base + "/users?page=3>; rel=last");
    }
    Reply(res, Items(page * 100, 2));
  });
  server_.Start();
  base = server_.url();
  ASSERT_TRUE(ReadFirstStream(R"(
pagination: {type: link}
streams:
  users: {}
)")
                  .ok());
  EXPECT_EQ(server_.requests().size(), 3u);
  EXPECT_EQ(Ids(), (std::vector<std::string>{"100", "101", "200", "201", "300", "301"}));
}

TEST(NextLinkTargetTest, ParsesRfc8288Forms) {
  EXPECT_EQ(NextLinkTarget("<https://a/x?p=2>; rel=\"next\""), "https://a/x?p=2");
  EXPECT_EQ(NextLinkTarget("<https://a/1>; rel=prev, <https://a/3>; rel=next"), "https://a/3");
  EXPECT_EQ(NextLinkTarget("<https://a/3>; title=\"a, b; c\"; rel=\"last next\""), "https://a/3");
  EXPECT_EQ(NextLinkTarget("<https://a/3>; REL=\"Next\""), "https://a/3");
  EXPECT_EQ(NextLinkTarget("<https://a/1>; rel=\"prev\""), std::nullopt);
  EXPECT_EQ(NextLinkTarget("<https://a/1>; rel=\"nextish\""), std::nullopt);
  EXPECT_EQ(NextLinkTarget(""), std::nullopt);
}

TEST(RetryAfterTest, SecondsAndHttpDate) {
  const int64_t now = 1'700'000'000'000'000;  // 2023-11-14T22:13:20Z
  EXPECT_EQ(ParseRetryAfter("7", now), 7'000'000);
  EXPECT_EQ(ParseRetryAfter(" 0 ", now), 0);
  // `date -u -d @1700000030`: thirty seconds after `now`.
  EXPECT_EQ(ParseRetryAfter("Tue, 14 Nov 2023 22:13:50 GMT", now), 30'000'000);
  EXPECT_EQ(ParseRetryAfter("Tue, 14 Nov 2023 22:00:00 GMT", now), 0);  // in the past
  EXPECT_EQ(ParseRetryAfter("soon", now), std::nullopt);
}

TEST_F(HttpConnectorTest, TooManyRequestsThenSuccessWaitsRetryAfter) {
  std::atomic<int> calls{0};
  server_.server().Get("/items", [&calls](const httplib::Request&, httplib::Response& res) {
    if (calls++ == 0) {
      res.status = 429;
      res.set_header("Retry-After", "7");
      return;
    }
    Reply(res, Items(1, 3));
  });
  server_.Start();
  const int64_t start = clock_.NowMicros();
  ASSERT_TRUE(ReadFirstStream("streams:\n  items: {}\n").ok());
  EXPECT_EQ(calls.load(), 2);
  EXPECT_EQ(clock_.NowMicros() - start, 7'000'000);  // exactly the server's wait, no backoff
  EXPECT_EQ(Ids(), Range(1, 3));
}

TEST_F(HttpConnectorTest, TooManyRequestsWithHttpDateRetryAfter) {
  std::atomic<int> calls{0};
  server_.server().Get("/items", [&calls](const httplib::Request&, httplib::Response& res) {
    if (calls++ == 0) {
      res.status = 429;
      res.set_header("Retry-After", "Tue, 14 Nov 2023 22:13:50 GMT");  // fake now + 30 s
      return;
    }
    Reply(res, Items(1, 1));
  });
  server_.Start();
  ASSERT_TRUE(ReadFirstStream("streams:\n  items: {}\n").ok());
  EXPECT_EQ(clock_.NowMicros(), 1'700'000'030'000'000);
}

TEST_F(HttpConnectorTest, ServerErrorTwiceThenSuccessBacksOffExponentially) {
  std::atomic<int> calls{0};
  server_.server().Get("/items", [&calls](const httplib::Request&, httplib::Response& res) {
    if (calls++ < 2) {
      res.status = 500;
      return;
    }
    Reply(res, Items(1, 2));
  });
  server_.Start();
  const int64_t start = clock_.NowMicros();
  ASSERT_TRUE(ReadFirstStream(R"(
retries: {initial_backoff_ms: 1000, max_backoff_ms: 60000}
streams:
  items: {}
)")
                  .ok());
  EXPECT_EQ(calls.load(), 3);
  // Waits of [0.5, 1] s then [1, 2] s (doubling, jittered down by at most half).
  int64_t waited = clock_.NowMicros() - start;
  EXPECT_GE(waited, 1'500'000);
  EXPECT_LE(waited, 3'000'000);
  EXPECT_EQ(Ids(), Range(1, 2));
}

TEST_F(HttpConnectorTest, RetriesExhaustedGivesClearError) {
  std::atomic<int> calls{0};
  server_.server().Get("/items", [&calls](const httplib::Request&, httplib::Response& res) {
    ++calls;
    res.status = 503;
  });
  server_.Start();
  Status status = ReadFirstStream(R"(
retries: {max_attempts: 3}
streams:
  items: {}
)");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_NE(status.message().find("after 3 attempts"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("HTTP 503"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("/items"), std::string::npos) << status.message();
  EXPECT_EQ(calls.load(), 3);
  EXPECT_TRUE(sink_.batches.empty());
}

TEST_F(HttpConnectorTest, RetryTimeLimitStopsBeforeALongRetryAfter) {
  server_.server().Get("/items", [](const httplib::Request&, httplib::Response& res) {
    res.status = 429;
    res.set_header("Retry-After", "3600");
  });
  server_.Start();
  Status status = ReadFirstStream(R"(
retries: {max_attempts: 10, max_elapsed_seconds: 60}
streams:
  items: {}
)");
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("retry time limit of 60 s"), std::string::npos)
      << status.message();
  EXPECT_EQ(server_.requests().size(), 1u);
}

TEST_F(HttpConnectorTest, ConnectionRefusedIsRetriedThenUnavailable) {
  server_.Start();
  std::string closed_url = server_.url();
  server_.Stop();  // nothing listens on the port any more
  auto doc = ParseConfig("base_url: " + closed_url + "\nretries: {max_attempts: 2}\n", "x");
  ASSERT_TRUE(doc.ok());
  SourceConfig source = testing::MakeSourceConfig("api", "http", doc->root());
  auto empty = ParseConfig("", "stream");
  ASSERT_TRUE(empty.ok());
  StreamConfig stream = testing::MakeStreamConfig("items", empty->root());
  source.streams.push_back(stream);
  auto connector = MakeHttpConnector(source, &clock_);
  ASSERT_TRUE(connector.ok()) << connector.status().ToString();
  Status status = (*connector)->Read(stream, nullptr, sink_);
  EXPECT_EQ(status.code(), StatusCode::kUnavailable) << status.ToString();
  EXPECT_NE(status.message().find("after 2 attempts"), std::string::npos) << status.message();
  EXPECT_EQ((*connector)->Check().code(), StatusCode::kUnavailable);
}

TEST_F(HttpConnectorTest, SlowServerTimesOut) {
  server_.server().Get("/slow", [](const httplib::Request&, httplib::Response& res) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    Reply(res, Items(1, 1));
  });
  server_.Start();
  auto start = std::chrono::steady_clock::now();
  Status status = ReadFirstStream(R"(
timeout_seconds: 0.3
retries: {max_attempts: 1}
streams:
  s: {path: /slow}
)");
  EXPECT_EQ(status.code(), StatusCode::kUnavailable) << status.ToString();
  EXPECT_NE(status.message().find("Timeout"), std::string::npos) << status.message();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1400));
}

TEST_F(HttpConnectorTest, CheckReportsRefusedCredentials) {
  server_.server().Get("/items", [](const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value("Authorization") != "Bearer tok-good-1f2e") res.status = 403;
    Reply(res, Items(1, 1));
  });
  server_.Start();
  auto good = MakeHttpConnector(
      Source("auth: {type: bearer, token: tok-good-1f2e}\nstreams:\n  items: {}\n"), &clock_);
  ASSERT_TRUE(good.ok());
  EXPECT_TRUE((*good)->Check().ok());
  auto bad = MakeHttpConnector(
      Source("auth: {type: bearer, token: tok-bad-9a8b}\nstreams:\n  items: {}\n"), &clock_);
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ((*bad)->Check().code(), StatusCode::kPermissionDenied);
}

TEST_F(HttpConnectorTest, ExpiredTokenGivesPermissionErrorWithoutTheToken) {
  const std::string token = "tok-expired-8f3a91c2";
  // A careless server echoes the credentials back; they must still not show.
  std::atomic<int> calls{0};
  server_.server().Get("/items", [&calls](const httplib::Request& req, httplib::Response& res) {
    ++calls;
    res.status = 401;
    res.set_content("{\"error\":\"token expired: " + req.get_header_value("Authorization") + "\"}",
                    "application/json");
  });
  server_.Start();
  setenv("STRATA_TEST_HTTP_TOKEN", token.c_str(), 1);
  Status status = ReadFirstStream(R"(
auth: {type: bearer, token: "${STRATA_TEST_HTTP_TOKEN}"}
streams:
  items: {}
)");
  ASSERT_EQ(status.code(), StatusCode::kPermissionDenied) << status.ToString();
  EXPECT_NE(status.message().find("HTTP 401"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("credentials"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("token expired"), std::string::npos) << status.message();
  EXPECT_EQ(status.message().find(token), std::string::npos) << status.message();
  EXPECT_EQ(calls.load(), 1);  // 401 is not retried
}

TEST_F(HttpConnectorTest, BearerBasicAndApiKeyCredentialsAreSent) {
  server_.server().Get(
      ".*", [](const httplib::Request&, httplib::Response& res) { Reply(res, Items(1, 1)); });
  server_.Start();
  setenv("STRATA_TEST_BEARER", "bearer-secret-1", 1);
  ASSERT_TRUE(ReadFirstStream(R"(
auth: {type: bearer, token: "${STRATA_TEST_BEARER}"}
headers: {X-Tenant: acme}
streams:
  a: {}
)")
                  .ok());
  TempDir secrets;
  ASSERT_TRUE(FileSystem::Default()->WriteFileAtomic(secrets.path() + "/pw", "wonderland\n").ok());
  ASSERT_TRUE(ReadFirstStream("auth: {type: basic, user: alice, password_file: " + secrets.path() +
                              "/pw}\nstreams:\n  b: {}\n")
                  .ok());
  ASSERT_TRUE(ReadFirstStream(R"(
auth: {type: api_key, name: X-Api-Key, value: key-in-header}
streams:
  c: {}
)")
                  .ok());
  ASSERT_TRUE(ReadFirstStream(R"(
auth: {type: api_key, name: api_key, value: key-in-query, in: query}
streams:
  d: {params: {fields: "id,name"}}
)")
                  .ok());
  auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 4u);
  auto header = [](const testing::SeenRequest& r, const std::string& name) {
    auto it = r.headers.find(name);
    return it == r.headers.end() ? std::string("<absent>") : it->second;
  };
  EXPECT_EQ(header(requests[0], "Authorization"), "Bearer bearer-secret-1");
  EXPECT_EQ(header(requests[0], "X-Tenant"), "acme");
  // `echo -n alice:wonderland | base64`
  EXPECT_EQ(header(requests[1], "Authorization"), "Basic YWxpY2U6d29uZGVybGFuZA==");
  EXPECT_EQ(header(requests[2], "X-Api-Key"), "key-in-header");
  EXPECT_EQ(header(requests[2], "Authorization"), "<absent>");
  EXPECT_EQ(requests[3].query, "fields=id%2Cname&api_key=key-in-query");
  EXPECT_EQ(header(requests[3], "X-Api-Key"), "<absent>");
}

TEST_F(HttpConnectorTest, RecordPathAndNestedValuesBecomeStructsAndLists) {
  server_.server().Get("/orders", [](const httplib::Request&, httplib::Response& res) {
    json items = json::array();
    items.push_back({{"id", 1},
                     {"customer", {{"name", "Ann"}, {"vip", true}}},
                     {"lines", {{{"sku", "a"}, {"qty", 2}}, {{"sku", "b"}, {"qty", 1}}}}});
    items.push_back(
        {{"id", 2}, {"customer", {{"name", "Bob"}, {"vip", false}}}, {"lines", json::array()}});
    Reply(res, json{{"data", {{"items", items}, {"count", 2}}}});
  });
  server_.Start();
  ASSERT_TRUE(ReadFirstStream(R"(
record_path: data.items
streams:
  orders: {}
)")
                  .ok());
  EXPECT_EQ(sink_.Strings("SELECT customer.name FROM batch_1 ORDER BY id"),
            (std::vector<std::string>{"Ann", "Bob"}));
  EXPECT_EQ(sink_.Strings("SELECT sum(l.qty) FROM (SELECT unnest(lines) AS l FROM batch_1)"),
            (std::vector<std::string>{"3"}));
  std::vector<std::string> types =
      sink_.Strings("SELECT typeof(customer) || ' | ' || typeof(lines) FROM batch_1 LIMIT 1");
  ASSERT_EQ(types.size(), 1u);
  EXPECT_EQ(types[0].rfind("STRUCT(", 0), 0u) << types[0];
  EXPECT_NE(types[0].find("[]"), std::string::npos) << types[0];
}

TEST_F(HttpConnectorTest, KeyFirstSeenLateInAPageIsKept) {
  // Past DuckDB's default sampling (20480 records), a key seen only in the
  // last record would otherwise be dropped.
  server_.server().Get("/items", [](const httplib::Request&, httplib::Response& res) {
    json items = Items(1, 25000);
    items.back()["late"] = "here";
    // A media type the test server does not brotli-compress (slow at 1 MB).
    res.set_content(items.dump(), "application/vnd.api+json");
  });
  server_.Start();
  ASSERT_TRUE(ReadFirstStream("streams:\n  items: {}\n").ok());
  EXPECT_EQ(sink_.Strings("SELECT late FROM batch_1 WHERE late IS NOT NULL"),
            (std::vector<std::string>{"here"}));
  EXPECT_EQ(sink_.rows_per_batch, (std::vector<int64_t>{25000}));
}

TEST_F(HttpConnectorTest, IncrementalCursorIsSentOnTheNextRun) {
  // Records updated at t=10..50; `updated_since` returns those strictly after.
  server_.server().Get("/items", [](const httplib::Request& req, httplib::Response& res) {
    int since = IntParam(req, "updated_since", 0);
    int page = IntParam(req, "page", 1);
    json all = json::array();
    for (int t = 10; t <= 50; t += 10) {
      if (t > since) all.push_back({{"id", t / 10}, {"updated_at", t}});
    }
    json page_items = json::array();
    for (size_t i = (page - 1) * 2; i < all.size() && i < static_cast<size_t>(page) * 2; ++i) {
      page_items.push_back(all[i]);
    }
    Reply(res, page_items);
  });
  server_.Start();
  const std::string yaml = R"(
pagination: {type: page}
streams:
  items: {sync: incremental, cursor: updated_at, cursor_param: updated_since}
)";
  ASSERT_TRUE(ReadFirstStream(yaml).ok());
  EXPECT_EQ(Ids(), Range(1, 5));
  ASSERT_EQ(sink_.batches.size(), 3u);
  EXPECT_EQ(Position(sink_.batches[0].state_after),
            (json{{"cursor", nullptr}, {"max_cursor", 20}, {"next", {{"page", 2}}}}));
  json final_state = sink_.batches.back().state_after;
  EXPECT_EQ(Position(final_state), (json{{"cursor", 50}}));
  EXPECT_FALSE(server_.requests()[0].params.count("updated_since"));

  // The API gains a newer record... simulated by a second run from the state:
  // the request carries the cursor and only newer records come back (none).
  size_t before = server_.requests().size();
  ASSERT_TRUE(ReadFirstStream(yaml, final_state).ok());
  auto requests = server_.requests();
  ASSERT_GT(requests.size(), before);
  EXPECT_EQ(requests[before].query, "updated_since=50&page=1");
  EXPECT_EQ(sink_.batches.size(), 3u);  // nothing new

  // Resuming a stopped run keeps asking with the run's own cursor.
  ASSERT_TRUE(
      ReadFirstStream(yaml, json{{"cursor", 20}, {"max_cursor", 40}, {"next", {{"page", 2}}}})
          .ok());
  requests = server_.requests();
  EXPECT_EQ(requests[before + 1].query, "updated_since=20&page=2");
  EXPECT_EQ(Position(sink_.batches.back().state_after), (json{{"cursor", 50}}));
  EXPECT_FALSE(sink_.batches.back().replace_table);
}

TEST_F(HttpConnectorTest, RateLimitSpacesRequests) {
  server_.server().Get("/items", [](const httplib::Request& req, httplib::Response& res) {
    int page = IntParam(req, "page", 1);
    Reply(res, page <= 4 ? Items(page, 1) : json::array());
  });
  server_.Start();
  const int64_t start = clock_.NowMicros();
  ASSERT_TRUE(ReadFirstStream(R"(
requests_per_second: 2
pagination: {type: page}
streams:
  items: {}
)")
                  .ok());
  ASSERT_EQ(server_.requests().size(), 5u);
  // Five requests at 2/s: four gaps of 0.5 s on the (fake) clock.
  int64_t elapsed = clock_.NowMicros() - start;
  EXPECT_GE(elapsed, 2'000'000);
  EXPECT_LT(elapsed, 2'100'000);
}

TEST_F(HttpConnectorTest, IsoDatesAndTimestampsAreTypedAlikeOnEveryPage) {
  // Page 1 has UTC ("Z") instants, page 2 offsets; DuckDB's own detection
  // would make the first TIMESTAMP (dropping the zone) and the second VARCHAR.
  server_.server().Get("/events", [](const httplib::Request& req, httplib::Response& res) {
    int page = IntParam(req, "page", 1);
    json items = json::array();
    if (page == 1) {
      items.push_back({{"id", 1}, {"ts", "2024-03-01T10:00:00Z"}, {"day", "2024-03-01"}});
      items.push_back({{"id", 2}, {"ts", "2024-03-01T11:30:00.5Z"}, {"day", "2024-03-02"}});
    } else if (page == 2) {
      items.push_back({{"id", 3}, {"ts", "2024-03-01T12:00:00+02:00"}, {"day", "2024-03-03"}});
      items.push_back({{"id", 4}, {"ts", "not a time"}, {"day", "2024-03-04"}});
    }
    Reply(res, items);
  });
  server_.Start();
  ASSERT_TRUE(ReadFirstStream(R"(
pagination: {type: page}
streams:
  events: {path: /events}
)")
                  .ok());
  ASSERT_EQ(sink_.batches.size(), 2u);
  EXPECT_EQ(sink_.batches[0].state_after["json_types"],
            (json{{"ts", "TIMESTAMP WITH TIME ZONE"}, {"day", "DATE"}}));
  sink_.DefineAllRowsView();
  EXPECT_EQ(sink_.Strings("SELECT DISTINCT typeof(ts) || ' ' || typeof(day) FROM all_rows"),
            (std::vector<std::string>{"TIMESTAMP WITH TIME ZONE DATE"}));
  // Every instant kept its zone: 12:00+02:00 is 10:00 UTC.
  EXPECT_EQ(sink_.Strings("SELECT id || ' ' || ts FROM all_rows ORDER BY id"),
            (std::vector<std::string>{"1 2024-03-01 10:00:00+00", "2 2024-03-01 11:30:00.5+00",
                                      "3 2024-03-01 10:00:00+00"}));
  // The value that is not a timestamp is quarantined, not turned into NULL.
  ASSERT_EQ(sink_.quarantined.size(), 1u);
  EXPECT_EQ(sink_.quarantined[0].stream, "events");
  EXPECT_NE(sink_.quarantined[0].raw.find("not a time"), std::string::npos);
  EXPECT_NE(sink_.quarantined[0].reason.find("ts"), std::string::npos)
      << sink_.quarantined[0].reason;
}

TEST_F(HttpConnectorTest, NonObjectRecordsAreQuarantined) {
  server_.server().Get("/items", [](const httplib::Request&, httplib::Response& res) {
    Reply(res, json::parse(R"([{"id": 1}, 42, "oops", {"id": 2}, [1, 2]])"));
  });
  server_.Start();
  ASSERT_TRUE(ReadFirstStream("streams:\n  items: {}\n").ok());
  EXPECT_EQ(Ids(), Range(1, 2));
  ASSERT_EQ(sink_.quarantined.size(), 3u);
  const BadRecord& bad = sink_.quarantined[0];
  EXPECT_EQ(bad.stream, "items");
  EXPECT_EQ(bad.file, server_.url() + "/items");
  EXPECT_EQ(bad.line, 2);
  EXPECT_EQ(bad.raw, "42");
  EXPECT_NE(bad.reason.find("number"), std::string::npos) << bad.reason;
  EXPECT_EQ(sink_.quarantined[1].raw, "\"oops\"");
  EXPECT_EQ(sink_.quarantined[2].line, 5);
}

TEST_F(HttpConnectorTest, ApiKeyNeverAppearsInLogsErrorsOrQuarantine) {
  const std::string key = "qk-7d1e55b0c9";
  server_.server().Get("/items", [](const httplib::Request& req, httplib::Response& res) {
    if (req.get_param_value("page") == "2") {
      res.status = 404;
      res.set_content("no page for " + req.target, "text/plain");
      return;
    }
    Reply(res, json::parse(R"([{"id": 1}, "not an object"])"));
  });
  server_.Start();
  CapturingLogSink logs;
  SetLogSink(&logs);
  LogLevel level = GetLogLevel();
  SetLogLevel(LogLevel::kTrace);
  setenv("STRATA_TEST_QUERY_KEY", key.c_str(), 1);
  Status status = ReadFirstStream(R"(
auth: {type: api_key, name: key, value: "${STRATA_TEST_QUERY_KEY}", in: query}
pagination: {type: page}
streams:
  items: {}
)");
  SetLogLevel(level);
  SetLogSink(nullptr);
  ASSERT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
  EXPECT_NE(status.message().find("HTTP 404"), std::string::npos);
  EXPECT_EQ(status.message().find(key), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("key=***"), std::string::npos) << status.message();
  ASSERT_EQ(sink_.quarantined.size(), 1u);
  EXPECT_EQ(sink_.quarantined[0].file.find(key), std::string::npos);
  EXPECT_NE(logs.lines().find("GET "), std::string::npos) << "debug lines were expected";
  EXPECT_EQ(logs.lines().find(key), std::string::npos) << logs.lines();
  // The server did receive it.
  EXPECT_EQ(server_.requests()[0].params.find("key")->second, key);
}

TEST_F(HttpConnectorTest, NonJsonBodyAndNonArrayRecordPathFail) {
  server_.server().Get("/html", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("<html>maintenance</html>", "text/html");
  });
  server_.server().Get("/obj", [](const httplib::Request&, httplib::Response& res) {
    Reply(res, json{{"data", {{"id", 1}}}});
  });
  server_.Start();
  Status html = ReadFirstStream("streams:\n  s: {path: /html}\n");
  EXPECT_EQ(html.code(), StatusCode::kCorruption);
  EXPECT_NE(html.message().find("did not return JSON"), std::string::npos) << html.message();
  Status obj = ReadFirstStream("record_path: data\nstreams:\n  s: {path: /obj}\n");
  EXPECT_EQ(obj.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(obj.message().find("not an array"), std::string::npos) << obj.message();
}

TEST_F(HttpConnectorTest, ClientErrorsSayWhatToCheck) {
  server_.server().Get("/bad", [](const httplib::Request&, httplib::Response& res) {
    res.status = 400;
    res.set_content("{\"error\": \"unknown filter\"}", "application/json");
  });
  server_.server().Get("/html", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("<html>log in</html>", "text/html");
  });
  server_.Start();  // /missing has no handler: 404
  Status missing = ReadFirstStream("streams:\n  s: {path: /missing}\n");
  EXPECT_EQ(missing.code(), StatusCode::kInvalidArgument) << missing.ToString();
  EXPECT_NE(missing.message().find("source 'api'"), std::string::npos) << missing.message();
  EXPECT_NE(missing.message().find("HTTP 404"), std::string::npos) << missing.message();
  EXPECT_NE(missing.message().find("check the stream's 'path'"), std::string::npos)
      << missing.message();
  Status bad = ReadFirstStream("streams:\n  s: {path: /bad}\n");
  EXPECT_NE(bad.message().find("HTTP 400"), std::string::npos) << bad.message();
  EXPECT_NE(bad.message().find("check the 'params'"), std::string::npos) << bad.message();
  EXPECT_NE(bad.message().find("unknown filter"), std::string::npos) << bad.message();
  Status html = ReadFirstStream("streams:\n  s: {path: /html}\n");
  EXPECT_NE(html.message().find("check 'base_url'"), std::string::npos) << html.message();
}

TEST_F(HttpConnectorTest, CancelStopsBetweenPages) {
  server_.server().Get("/items", [](const httplib::Request& req, httplib::Response& res) {
    Reply(res, Items(IntParam(req, "page", 1), 1));  // endless
  });
  server_.Start();
  sink_.cancelled = true;
  Status status = ReadFirstStream("pagination: {type: page}\nstreams:\n  items: {}\n");
  EXPECT_EQ(status.code(), StatusCode::kAborted);
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(HttpConnectorTest, BadSettingsAreRejectedAtCreation) {
  server_.Start();
  auto bad_type =
      MakeHttpConnector(Source("pagination: {type: pages}\nstreams:\n  a: {}\n"), &clock_);
  EXPECT_FALSE(bad_type.ok());
  EXPECT_NE(bad_type.status().message().find("must be one of"), std::string::npos);
  auto typo = MakeHttpConnector(Source("base_ulr: x\nstreams:\n  a: {}\n"), &clock_);
  EXPECT_FALSE(typo.ok());
  EXPECT_NE(typo.status().message().find("base_ulr"), std::string::npos);
  auto no_token = MakeHttpConnector(Source("auth: {type: bearer}\nstreams:\n  a: {}\n"), &clock_);
  EXPECT_FALSE(no_token.ok());
  EXPECT_NE(no_token.status().message().find("token"), std::string::npos);
}

TEST_F(HttpConnectorTest, RegisteredAsHttp) {
  RegisterBuiltinConnectors();
  auto names = ConnectorNames();
  EXPECT_NE(std::find(names.begin(), names.end(), "http"), names.end());
}

}  // namespace
}  // namespace strata::ingest
