// The http connector against DuckDB reading the same records from one local
// file: N pages of JSON records served by an in-process HTTP server on
// 127.0.0.1, read through HttpConnector (page pagination, one NDJSON spool
// and one staged batch per page) into a DuckDB table, versus
// `CREATE TABLE AS SELECT * FROM read_json(<one NDJSON file>)` of the same
// records. Prints connector time / read_json time (median of interleaved
// pairs; CPU time of the whole process, so the server's share is counted).
//
//   ingest_http_bench [--pages=N] [--per_page=N] [--pairs=N]
//
// No goal is set: the connector pays for HTTP, JSON parsing in C++, the spool
// write and one statement per page, which the file read does not.
#include <httplib.h>

#include <cstdio>
#include <fstream>
#include <thread>

#include "bench_util.h"
#include "common/clock.h"
#include "common/config.h"
#include "engine/engine.h"
#include "ingest/connector.h"
#include "ingest/http_connector.h"

namespace strata::bench {
namespace {

// Commits each batch into table `t` on a real DuckDB connection, the way the
// bronze writer would apart from Delta.
class TableSink : public ingest::BatchSink {
 public:
  TableSink(engine::Connection& conn, std::string staging)
      : conn_(conn), staging_(std::move(staging)) {}
  engine::Connection& connection() override { return conn_; }
  const std::string& staging_dir() override { return staging_; }
  FileSystem& file_system() override { return *FileSystem::Default(); }
  Result<ingest::BatchCommit> Commit(ingest::StagedBatch batch) override {
    std::string sql = batch.replace_table ? "CREATE OR REPLACE TABLE t AS " + batch.query
                                          : "INSERT INTO t BY NAME " + batch.query;
    STRATA_RETURN_IF_ERROR(conn_.Execute(sql));
    for (const std::string& spool : batch.spool_files) {
      STRATA_RETURN_IF_ERROR(FileSystem::Default()->DeleteFile(spool));
    }
    return ingest::BatchCommit{};
  }
  Status Quarantine(std::vector<ingest::BadRecord> records) override {
    return Status::Internal("unexpected bad records");
  }
  void Progress(int64_t, int64_t) override {}
  bool Cancelled() const override { return false; }

 private:
  engine::Connection& conn_;
  std::string staging_;
};

std::string Record(int64_t id) {
  char buffer[256];
  std::snprintf(
      buffer, sizeof(buffer),
      "{\"id\":%lld,\"name\":\"customer %lld\",\"amount\":%.2f,\"paid\":%s,"
      "\"address\":{\"city\":\"city%lld\",\"zip\":\"%05lld\"},\"tags\":[\"a\",\"b%lld\"]}",
      static_cast<long long>(id), static_cast<long long>(id), id * 0.37,
      id % 3 == 0 ? "true" : "false", static_cast<long long>(id % 100),
      static_cast<long long>(id % 99999), static_cast<long long>(id % 7));
  return buffer;
}

}  // namespace
}  // namespace strata::bench

int main(int argc, char** argv) {
  using namespace strata;
  using namespace strata::bench;
  int64_t pages = 200, per_page = 500, pairs = 5;
  for (int i = 1; i < argc; ++i) {
    if (IntFlag(argv[i], "pages", &pages) || IntFlag(argv[i], "per_page", &per_page) ||
        IntFlag(argv[i], "pairs", &pairs)) {
      continue;
    }
    Die(std::string("unknown flag ") + argv[i]);
  }

  TempDir dir("ingest_http_bench");
  std::vector<std::string> bodies;
  std::ofstream ndjson(dir.path() + "/all.ndjson");
  for (int64_t p = 0; p < pages; ++p) {
    std::string body = "[";
    for (int64_t r = 0; r < per_page; ++r) {
      std::string record = Record(p * per_page + r);
      body += (r ? "," : "") + record;
      ndjson << record << "\n";
    }
    bodies.push_back(body + "]");
  }
  ndjson.close();

  httplib::Server server;
  server.Get("/items", [&bodies](const httplib::Request& req, httplib::Response& res) {
    size_t page = req.has_param("page") ? std::stoul(req.get_param_value("page")) : 1;
    // A JSON media type cpp-httplib does not compress: its brotli encoder would
    // otherwise dominate the process time, and a real server's compression
    // is not the connector's cost.
    res.set_content(page >= 1 && page <= bodies.size() ? bodies[page - 1] : "[]",
                    "application/vnd.api+json");
  });
  int port = server.bind_to_any_port("127.0.0.1");
  std::thread server_thread([&server] { server.listen_after_bind(); });
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));

  engine::DatabaseOptions options;
  options.threads = 1;
  auto db = ValueOrDie(engine::Database::Open(options), "open database");
  auto conn = ValueOrDie(engine::Connection::Open(*db), "connect");
  auto doc = ValueOrDie(ParseConfig("base_url: http://127.0.0.1:" + std::to_string(port) +
                                        "\npagination: {type: page}\nstreams: {items: {}}\n",
                                    "bench.yml"),
                        "config");
  ingest::SourceConfig source{.name = "bench",
                              .connector = "http",
                              .settings = doc.root(),
                              .streams = {},
                              .max_bad_rows = {},
                              .project_root = ""};
  ingest::StreamConfig stream{.name = "items",
                              .target = "",
                              .cursor_field = "",
                              .primary_key = {},
                              .settings = *doc.root().Child("streams")->Child("items")};
  auto connector = ValueOrDie(ingest::MakeHttpConnector(source, Clock::Default()), "connector");
  TableSink sink(*conn, dir.path());

  const std::string file = dir.path() + "/all.ndjson";
  auto via_connector = [&] { CheckOk(connector->Read(stream, nullptr, sink), "connector read"); };
  auto via_read_json = [&] {
    CheckOk(conn->Execute("CREATE OR REPLACE TABLE t AS SELECT * FROM read_json(" +
                          engine::QuoteLiteral(file) + ", format='newline_delimited')"),
            "read_json");
  };
  // Both sides must load the same rows.
  via_connector();
  auto rows_a = ValueOrDie(conn->QueryScalar("SELECT count(*) FROM t"), "count").GetInt64();
  via_read_json();
  auto rows_b = ValueOrDie(conn->QueryScalar("SELECT count(*) FROM t"), "count").GetInt64();
  if (rows_a != pages * per_page || rows_b != rows_a) Die("row counts differ");

  PairTimes times = RunPairs(static_cast<int>(pairs), via_connector, via_read_json);
  double records = static_cast<double>(pages * per_page);
  std::printf("ingest_http_bench: %lld pages x %lld records (%.1f MB of JSON)\n",
              static_cast<long long>(pages), static_cast<long long>(per_page),
              static_cast<double>(std::ifstream(file, std::ios::ate).tellg()) / 1e6);
  std::printf("  http connector : %.3f s CPU, %.3f s wall (%.0f records/s wall)\n",
              Median(times.a_cpu), Median(times.a_wall), records / Median(times.a_wall));
  std::printf("  read_json file : %.3f s CPU, %.3f s wall\n", Median(times.b_cpu),
              Median(times.b_wall));
  std::printf("  ratio connector / read_json: %.2fx CPU, %.2fx wall (median of %lld pairs)\n",
              Median(PairRatios(times.a_cpu, times.b_cpu)),
              Median(PairRatios(times.a_wall, times.b_wall)), static_cast<long long>(pairs));
  server.stop();
  server_thread.join();
  return 0;
}
