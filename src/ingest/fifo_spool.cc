#include "ingest/fifo_spool.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <thread>

namespace strata::ingest {
namespace {

constexpr size_t kWriteBuffer = 1 << 20;
constexpr int kPipeBytes = 4 << 20;

Status Errno(const std::string& what, const std::string& path) {
  return Status::IOError(what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

Result<std::unique_ptr<FifoSpool>> FifoSpool::Create(std::string path) {
  if (mkfifo(path.c_str(), 0600) != 0) return Errno("cannot make the named pipe", path);
  return std::unique_ptr<FifoSpool>(new FifoSpool(std::move(path)));
}

FifoSpool::~FifoSpool() {
  if (fd_ >= 0) ::close(fd_);
}

Status FifoSpool::OpenForWrite(const std::atomic<bool>& stop) {
  // A non-blocking open fails with ENXIO until a reader has the pipe open; a
  // blocking one could wait forever for a reader that never comes (the
  // consumer failed before running the query).
  auto wait = std::chrono::microseconds(50);
  while (true) {
    if (stop) return Status::Aborted("the batch consumer stopped");
    int fd = ::open(path_.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0) {
      const int flags = fcntl(fd, F_GETFL);
      if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
        ::close(fd);
        return Errno("cannot set up the named pipe", path_);
      }
      // The default 64 KiB makes producer and reader take turns every ~900
      // rows; on a loaded machine each turn waits for the scheduler. A larger
      // pipe (best effort: capped by fs.pipe-max-size) lets them run apart.
      if (fcntl(fd, F_SETPIPE_SZ, kPipeBytes) < 0) (void)fcntl(fd, F_SETPIPE_SZ, 1 << 20);
      fd_ = fd;
      return Status::OK();
    }
    if (errno != ENXIO && errno != EINTR) return Errno("cannot open the named pipe", path_);
    std::this_thread::sleep_for(wait);
    if (wait < std::chrono::milliseconds(5)) wait *= 2;
  }
}

Status FifoSpool::Flush() {
  size_t done = 0;
  while (done < buffer_.size()) {
    ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("cannot write the named pipe", path_);
    }
    done += static_cast<size_t>(n);
  }
  buffer_.clear();
  return Status::OK();
}

Status FifoSpool::AppendRow(std::string_view row) {
  if (fd_ < 0) return Status::Internal("named pipe " + path_ + " is not open");
  buffer_.append(row);
  ++rows_;
  bytes_ += static_cast<int64_t>(row.size());
  if (buffer_.size() >= kWriteBuffer) return Flush();
  return Status::OK();
}

Status FifoSpool::Close() {
  if (fd_ < 0) return Status::OK();
  Status flushed = Flush();
  buffer_.clear();
  buffer_.shrink_to_fit();
  const int closed = ::close(fd_);
  fd_ = -1;
  if (!flushed.ok()) return flushed;
  if (closed != 0) return Errno("cannot close the named pipe", path_);
  return Status::OK();
}

void StreamedBatchEnd::Finish(StreamedBatchResult result, int64_t total_rows, int64_t total_bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (done_) return;
  result_ = std::move(result);
  total_rows_ = total_rows;
  total_bytes_ = total_bytes;
  done_ = true;
  done_changed_.notify_all();
}

void StreamedBatchEnd::Fail(Status status) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (done_) return;
  status_ = std::move(status);
  done_ = true;
  done_changed_.notify_all();
}

Result<StreamedBatchResult> StreamedBatchEnd::Wait() {
  std::unique_lock<std::mutex> lock(mutex_);
  done_changed_.wait(lock, [&] { return done_; });
  if (!status_.ok()) return status_;
  return result_;
}

int64_t StreamedBatchEnd::total_rows() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return total_rows_;
}

int64_t StreamedBatchEnd::total_bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return total_bytes_;
}

}  // namespace strata::ingest
