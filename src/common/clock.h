// Clock: the one source of "now" in Strata, injected so that tests control
// time (schedules, retention periods, timeouts, commit timestamps).
#pragma once

#include <atomic>
#include <cstdint>

namespace strata {

class Clock {
 public:
  virtual ~Clock() = default;

  // The process-wide system clock. Never null; not owned. Thread-safe.
  static Clock* Default();

  // Wall-clock time in microseconds since the Unix epoch (UTC).
  virtual int64_t NowMicros() = 0;
  // A monotonic reading in nanoseconds, for measuring durations only.
  virtual int64_t MonotonicNanos() = 0;
  // Blocks the calling thread for `micros` (a fake clock advances instead).
  virtual void SleepForMicros(int64_t micros) = 0;
};

// A clock that moves only when told to. Thread-safe.
class FakeClock : public Clock {
 public:
  explicit FakeClock(int64_t start_micros = 1'700'000'000'000'000) : now_(start_micros) {}
  int64_t NowMicros() override;
  int64_t MonotonicNanos() override;
  // Advances time instead of blocking.
  void SleepForMicros(int64_t micros) override;
  void Advance(int64_t micros);
  void Set(int64_t micros);

 private:
  std::atomic<int64_t> now_;
};

}  // namespace strata
