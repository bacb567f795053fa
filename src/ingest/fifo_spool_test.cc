// Streamed batches: a named pipe filled by a producer thread while the bronze
// writer's COPY reads it (fifo_spool.h), against a real Delta table, a real
// SQLite run store and real pipes. The PostgreSQL connector's use of them is
// tested end to end in postgres_connector_test.cc and postgres_ingest_test.cc.
#include "ingest/fifo_spool.h"

#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

#include <filesystem>
#include <thread>

#include "ingest/bronze_writer.h"
#include "ingest/csv_spool.h"
#include "lake/lake.h"

namespace strata::ingest {
namespace {

class StreamedBatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/strata_fifo_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    db_ = *engine::Database::Open();
    conn_ = *engine::Connection::Open(*db_);
    store_ = *OpenSqliteRunStore(dir_ + "/metadata.db");
    auto empty = ParseConfig("{}", "test.yml");
    ASSERT_TRUE(empty.ok()) << empty.status().ToString();
    stream_ = std::make_unique<StreamConfig>(StreamConfig{.name = "s",
                                                          .target = "bronze.src_s",
                                                          .sync = SyncMode::kFullRefresh,
                                                          .cursor_field = "",
                                                          .primary_key = {},
                                                          .settings = empty->root()});
    source_ =
        std::make_unique<SourceConfig>(SourceConfig{.name = "src",
                                                    .connector = "test",
                                                    .settings = empty->root(),
                                                    .streams = {*stream_},
                                                    .on_schema_change = OnSchemaChange::kEvolve,
                                                    .max_bad_rows = std::nullopt,
                                                    .project_root = dir_});
    BronzeWriterOptions options;
    options.source = source_.get();
    options.stream = stream_.get();
    options.table_root = TableRoot();
    options.quarantine_root = dir_ + "/bronze/_quarantine_src";
    options.staging_dir = dir_ + "/staging";
    options.fs = FileSystem::Default();
    options.clock = Clock::Default();
    options.conn = conn_.get();
    options.store = store_.get();
    auto writer = BronzeWriter::Make(std::move(options));
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    writer_ = std::move(*writer);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string TableRoot() const { return dir_ + "/bronze/src_s"; }
  std::string FifoPath(int i) const {
    return dir_ + "/staging/batch-" + std::to_string(i) + ".csv";
  }

  static std::vector<SpoolColumn> Columns() {
    return {{"id", "BIGINT", "$", "BIGINT"}, {"name", "VARCHAR", "$", "VARCHAR"}};
  }

  // Commits a batch streamed by a producer thread: `rows` rows "i,name i"
  // from `first`; then the end says `fail` or the state {"next": ...}.
  Result<BatchCommit> CommitStreamed(int index, int64_t first, int64_t rows,
                                     std::optional<Status> fail = std::nullopt) {
    auto fifo = FifoSpool::Create(FifoPath(index));
    if (!fifo.ok()) return fifo.status();
    auto end = std::make_shared<StreamedBatchEnd>();
    std::atomic<bool> stop{false};
    std::thread producer([&, spool = std::move(*fifo)] {
      sigset_t sigpipe;
      sigemptyset(&sigpipe);
      sigaddset(&sigpipe, SIGPIPE);
      pthread_sigmask(SIG_BLOCK, &sigpipe, nullptr);
      Status status = spool->OpenForWrite(stop);
      for (int64_t i = first; status.ok() && i < first + rows; ++i) {
        status = spool->AppendRow(std::to_string(i) + ",name " + std::to_string(i) + "\n");
      }
      if (fail) {
        end->Fail(*fail);
        (void)spool->Close();
        return;
      }
      if (status.ok()) status = spool->Close();
      if (!status.ok()) {
        end->Fail(status);
        return;
      }
      end->Finish({nlohmann::json{{"next", first + rows}}, spool->bytes()}, first + rows, 0);
    });
    StagedBatch batch;
    batch.query = SpoolSelect(FifoPath(index), Columns());
    batch.spool_files = {FifoPath(index)};
    batch.finish_state = [end] { return end->Wait(); };
    Result<BatchCommit> committed = writer_->Commit(std::move(batch));
    stop = true;
    producer.join();
    return committed;
  }

  int64_t TableRows() {
    auto table = lake::Table::Open(TableRoot(), *FileSystem::Default(), conn_.get());
    EXPECT_TRUE(table.ok()) << table.status().ToString();
    auto snapshot = (*table)->Latest();
    auto plan = lake::PlanScan(**snapshot, {}, *FileSystem::Default(), *conn_);
    auto count = conn_->QueryScalar("SELECT count(*) FROM (" + plan->sql + ")");
    return count.ok() ? count->GetInt64() : -1;
  }

  std::string dir_;
  std::unique_ptr<engine::Database> db_;
  std::unique_ptr<engine::Connection> conn_;
  std::unique_ptr<RunStore> store_;
  std::unique_ptr<SourceConfig> source_;
  std::unique_ptr<StreamConfig> stream_;
  std::unique_ptr<BronzeWriter> writer_;
};

TEST_F(StreamedBatchTest, RowsAndTheLateStateCommitTogether) {
  auto first = CommitStreamed(0, 0, 250'000);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->rows, 250'000);
  auto second = CommitStreamed(1, 250'000, 1'000);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(TableRows(), 251'000);
  // The state the producer gave at the end is the one committed, in the table
  // (what crash recovery reads) and in the store.
  auto stored = store_->LoadState("src", "s");
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->batch_sequence, 2);
  EXPECT_EQ(nlohmann::json::parse((*stored)->state_json), (nlohmann::json{{"next", 251'000}}));
  auto recovered = RecoverStreamState(TableRoot(), IngestAppId("src", "s"), std::nullopt,
                                      *FileSystem::Default(), *conn_);
  ASSERT_TRUE(recovered.ok()) << recovered.status().ToString();
  EXPECT_EQ(recovered->batch_sequence, 2);
  EXPECT_EQ(nlohmann::json::parse(recovered->state_json), (nlohmann::json{{"next", 251'000}}));
  EXPECT_EQ(writer_->stats().rows, 251'000);
  // The pipes are gone with their batches.
  EXPECT_FALSE(std::filesystem::exists(FifoPath(0)));
}

TEST_F(StreamedBatchTest, ABatchWhoseSourceFailedIsNotCommitted) {
  ASSERT_TRUE(CommitStreamed(0, 0, 100).ok());
  // The rows reached the pipe, but the producer says the batch is broken.
  auto broken = CommitStreamed(1, 100, 5'000, Status::Unavailable("server closed the connection"));
  EXPECT_EQ(broken.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(TableRows(), 100);
  EXPECT_EQ(writer_->stats().state.batch_sequence, 1);
  // The next batch takes the same sequence number and commits.
  auto next = CommitStreamed(2, 100, 10);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(TableRows(), 110);
  EXPECT_EQ(writer_->stats().state.batch_sequence, 2);
}

TEST(FifoSpool, OpeningWithoutAReaderStopsWhenAsked) {
  const std::string path = std::filesystem::temp_directory_path() / "strata_fifo_no_reader.csv";
  std::filesystem::remove(path);
  auto fifo = FifoSpool::Create(path);
  ASSERT_TRUE(fifo.ok()) << fifo.status().ToString();
  std::atomic<bool> stop{false};
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    stop = true;
  });
  EXPECT_EQ((*fifo)->OpenForWrite(stop).code(), StatusCode::kAborted);
  stopper.join();
  std::filesystem::remove(path);
}

TEST(FifoSpool, AReaderThatLeavesGivesAnErrorNotASignal) {
  const std::string path = std::filesystem::temp_directory_path() / "strata_fifo_leaving.csv";
  std::filesystem::remove(path);
  auto fifo = FifoSpool::Create(path);
  ASSERT_TRUE(fifo.ok()) << fifo.status().ToString();
  sigset_t sigpipe, old;
  sigemptyset(&sigpipe);
  sigaddset(&sigpipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &sigpipe, &old);
  std::thread reader([&] {
    FILE* f = std::fopen(path.c_str(), "r");
    char buffer[16];
    (void)std::fread(buffer, 1, sizeof buffer, f);
    std::fclose(f);  // leaves after 16 bytes
  });
  std::atomic<bool> stop{false};
  ASSERT_TRUE((*fifo)->OpenForWrite(stop).ok());
  Status status;
  const std::string row(1000, 'x');
  for (int i = 0; i < 10'000 && status.ok(); ++i) status = (*fifo)->AppendRow(row + "\n");
  if (status.ok()) status = (*fifo)->Close();
  reader.join();
  EXPECT_EQ(status.code(), StatusCode::kIOError) << status.ToString();
  // Consume the pending SIGPIPE so that it does not outlive the test.
  timespec zero{0, 0};
  (void)sigtimedwait(&sigpipe, nullptr, &zero);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace strata::ingest
