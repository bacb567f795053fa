// Streamed batches for the database connectors: rows go into a named pipe
// (FIFO) in the staging directory while the bronze writer's COPY reads it
// with read_csv, so reading the source and writing the batch's Parquet file
// overlap within one batch, not only across batches (csv_spool.h writes whole
// files first). Internal to the ingest subsystem.
//
//   producer thread                        consumer (the sink's thread)
//   FifoSpool::Create, emit batch start  → Commit(query over the FIFO, finish_state)
//   OpenForWrite (waits for the reader)  ← DuckDB opens the FIFO in the COPY
//   AppendRow ... Close (reader sees EOF)  → COPY ends; finish_state() waits for
//   StreamedBatchEnd::Finish(state)        the end, the state commits with the rows
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/status.h"
#include "ingest/connector.h"

namespace strata::ingest {

// A named pipe being written. Not thread-safe (the producer's).
class FifoSpool {
 public:
  // Makes the FIFO at `path` (mkfifo). IOError when it cannot.
  static Result<std::unique_ptr<FifoSpool>> Create(std::string path);
  ~FifoSpool();  // closes the write end, if open (the reader then sees EOF)

  // Waits until a reader has opened the pipe, then opens it for writing.
  // Aborted once `stop` is true (polled), IOError on other failures.
  Status OpenForWrite(const std::atomic<bool>& stop);
  // Appends one complete CSV row (with its newline); buffered. IOError when
  // the reader has gone (EPIPE: SIGPIPE must be blocked in this thread).
  Status AppendRow(std::string_view row);
  // Flushes and closes the write end: the reader sees the end of the batch.
  Status Close();

  bool is_open() const { return fd_ >= 0; }
  const std::string& path() const { return path_; }
  int64_t rows() const { return rows_; }
  int64_t bytes() const { return bytes_; }

 private:
  explicit FifoSpool(std::string path) : path_(std::move(path)) {}
  Status Flush();

  std::string path_;
  int fd_ = -1;
  std::string buffer_;
  int64_t rows_ = 0;
  int64_t bytes_ = 0;
};

// How a streamed batch ended, handed from the producer to the consumer.
// Thread-safe.
class StreamedBatchEnd {
 public:
  // The batch is complete: its rows are all in the pipe; `result` says what
  // it was. Totals are the whole stream's so far, this batch included.
  void Finish(StreamedBatchResult result, int64_t total_rows, int64_t total_bytes);
  // The batch cannot be committed (the source failed part way).
  void Fail(Status status);
  // Blocks until Finish or Fail; the result, or the failure.
  Result<StreamedBatchResult> Wait();
  // After Wait: the totals given to Finish.
  int64_t total_rows() const;
  int64_t total_bytes() const;

 private:
  mutable std::mutex mutex_;
  std::condition_variable done_changed_;
  bool done_ = false;
  Status status_;
  StreamedBatchResult result_;
  int64_t total_rows_ = 0;
  int64_t total_bytes_ = 0;
};

}  // namespace strata::ingest
