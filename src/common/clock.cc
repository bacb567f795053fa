#include "common/clock.h"

#include <chrono>
#include <thread>

namespace strata {
namespace {

class RealClock : public Clock {
 public:
  int64_t NowMicros() override {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  int64_t MonotonicNanos() override {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }

  void SleepForMicros(int64_t micros) override {
    if (micros > 0) std::this_thread::sleep_for(std::chrono::microseconds(micros));
  }
};

}  // namespace

Clock* Clock::Default() {
  static RealClock clock;
  return &clock;
}

int64_t FakeClock::NowMicros() { return now_.load(std::memory_order_relaxed); }

// Monotonic readings follow the fake wall clock, so durations measured by code
// under test match the time the test advanced.
int64_t FakeClock::MonotonicNanos() { return now_.load(std::memory_order_relaxed) * 1000; }

void FakeClock::SleepForMicros(int64_t micros) { Advance(micros); }

void FakeClock::Advance(int64_t micros) {
  if (micros > 0) now_.fetch_add(micros, std::memory_order_relaxed);
}

void FakeClock::Set(int64_t micros) { now_.store(micros, std::memory_order_relaxed); }

}  // namespace strata
