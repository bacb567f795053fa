// lake_append_worker: one writer process of the multi-process concurrency
// test (writer_concurrency_test.cc). Appends `count` one-row batches to an
// existing Delta table, each with its own txn (appId "worker-<id>", version
// i), so a retried batch can never land twice.
//
//   lake_append_worker <table root> <worker id> <count>
//
// Exits 0 when every batch committed (or had been applied already); prints
// the first error to stderr and exits 1 otherwise.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "common/file_system.h"
#include "engine/engine.h"
#include "lake/lake.h"

int main(int argc, char** argv) {
  using namespace strata;
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s <table root> <worker id> <count>\n", argv[0]);
    return 2;
  }
  std::string root = argv[1];
  long worker = std::strtol(argv[2], nullptr, 10);
  long count = std::strtol(argv[3], nullptr, 10);
  engine::DatabaseOptions db_options;
  db_options.threads = 1;
  auto db = engine::Database::Open(db_options);
  if (!db.ok()) {
    std::fprintf(stderr, "worker %ld: %s\n", worker, db.status().ToString().c_str());
    return 1;
  }
  auto conn = engine::Connection::Open(**db);
  if (!conn.ok()) {
    std::fprintf(stderr, "worker %ld: %s\n", worker, conn.status().ToString().c_str());
    return 1;
  }
  lake::WriterOptions options;
  options.max_commit_attempts = 100000;  // 4 writers racing: losing often is expected
  auto writer = lake::TableWriter::Open(root, *FileSystem::Default(), **conn, options);
  if (!writer.ok()) {
    std::fprintf(stderr, "worker %ld: %s\n", worker, writer.status().ToString().c_str());
    return 1;
  }
  for (long i = 0; i < count; ++i) {
    lake::AppendOptions append;
    append.txn = lake::TxnId{"worker-" + std::to_string(worker), i};
    std::string query = "SELECT CAST(" + std::to_string(worker * 1000000 + i) +
                        " AS BIGINT) AS id, CAST(" + std::to_string(worker) +
                        " AS INTEGER) AS worker, CAST(" + std::to_string(i) + " AS BIGINT) AS seq";
    auto result = (*writer)->Append(query, append);
    if (!result.ok()) {
      std::fprintf(stderr, "worker %ld batch %ld: %s\n", worker, i,
                   result.status().ToString().c_str());
      return 1;
    }
  }
  return 0;
}
