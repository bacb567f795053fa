#include "common/clock.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace strata {
namespace {

TEST(RealClockTest, NowIsAfter2023) {
  // 2023-11-14 in micros; a clock behind it is broken, not slow.
  EXPECT_GT(Clock::Default()->NowMicros(), 1'700'000'000'000'000);
}

TEST(RealClockTest, MonotonicNeverGoesBack) {
  Clock* clock = Clock::Default();
  int64_t prev = clock->MonotonicNanos();
  for (int i = 0; i < 1000; ++i) {
    int64_t now = clock->MonotonicNanos();
    ASSERT_GE(now, prev);
    prev = now;
  }
}

TEST(RealClockTest, SleepBlocksAtLeastThatLong) {
  Clock* clock = Clock::Default();
  int64_t start = clock->MonotonicNanos();
  clock->SleepForMicros(2000);
  EXPECT_GE(clock->MonotonicNanos() - start, 2'000'000);
}

TEST(FakeClockTest, StartsWhereTold) {
  FakeClock clock(42);
  EXPECT_EQ(clock.NowMicros(), 42);
  EXPECT_EQ(clock.MonotonicNanos(), 42'000);
}

TEST(FakeClockTest, AdvanceSleepAndSet) {
  FakeClock clock(1000);
  clock.Advance(500);
  EXPECT_EQ(clock.NowMicros(), 1500);
  clock.SleepForMicros(250);
  EXPECT_EQ(clock.NowMicros(), 1750);
  clock.Advance(-10);  // time never runs backwards by Advance
  EXPECT_EQ(clock.NowMicros(), 1750);
  clock.Set(7);
  EXPECT_EQ(clock.NowMicros(), 7);
}

TEST(FakeClockTest, ConcurrentAdvancesAllCount) {
  FakeClock clock(0);
  std::vector<std::thread> threads;
  threads.reserve(8);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&clock] {
      for (int i = 0; i < 1000; ++i) clock.Advance(1);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(clock.NowMicros(), 8000);
}

}  // namespace
}  // namespace strata
