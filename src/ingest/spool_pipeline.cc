#include "ingest/spool_pipeline.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace strata::ingest {

Status RunSpoolPipeline(
    const std::function<Status(const EmitBatch& emit, const std::atomic<bool>& stop)>& produce,
    const std::function<Status(SpoolBatch batch)>& consume, size_t max_pending) {
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<SpoolBatch> ready;
  bool producer_done = false;
  std::atomic<bool> stop{false};
  Status producer_status;

  EmitBatch emit = [&](SpoolBatch batch) -> Status {
    std::unique_lock<std::mutex> lock(mutex);
    changed.wait(lock, [&] { return ready.size() < max_pending || stop; });
    if (stop) return Status::Aborted("the batch consumer stopped");
    ready.push_back(std::move(batch));
    changed.notify_all();
    return Status::OK();
  };
  std::thread producer([&] {
    Status status = produce(emit, stop);
    std::lock_guard<std::mutex> lock(mutex);
    producer_status = std::move(status);
    producer_done = true;
    changed.notify_all();
  });

  Status consumer_status;
  while (true) {
    std::unique_lock<std::mutex> lock(mutex);
    changed.wait(lock, [&] { return !ready.empty() || producer_done; });
    if (ready.empty()) break;
    SpoolBatch batch = std::move(ready.front());
    ready.pop_front();
    changed.notify_all();
    lock.unlock();
    consumer_status = consume(std::move(batch));
    if (!consumer_status.ok()) {
      lock.lock();
      stop = true;
      changed.notify_all();
      break;
    }
  }
  producer.join();
  if (!consumer_status.ok()) return consumer_status;
  return producer_status;
}

}  // namespace strata::ingest
