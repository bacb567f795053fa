#include "common/progress.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <thread>
#include <vector>

namespace strata {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kSecond = 1'000'000;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(ProgressTest, PlainLinesAreThrottledAndEndWithASummary) {
  std::ostringstream out;
  FakeClock clock;
  ProgressReporter progress(out, clock);
  progress.Start("load orders", 1000, "rows");
  progress.Advance(100);
  EXPECT_EQ(out.str(), "") << "nothing before the first interval";
  clock.Advance(5 * kSecond);
  progress.Advance(400);
  clock.Advance(1 * kSecond);
  progress.Advance(100);  // within 5s of the last line: silent
  clock.Advance(4 * kSecond);
  progress.Advance(100);
  progress.Finish();
  progress.Finish();    // a second Finish writes nothing
  progress.Advance(5);  // nor does Advance after it
  EXPECT_EQ(Lines(out.str()), (std::vector<std::string>{
                                  "load orders: 500 / 1,000 rows (50%), 100 rows/s, ETA 5.0s",
                                  "load orders: 700 / 1,000 rows (70%), 70 rows/s, ETA 4.3s",
                                  "load orders: done, 700 rows in 10s (70 rows/s)",
                              }));
}

TEST(ProgressTest, ShortTasksPrintOnlyTheFinalLine) {
  std::ostringstream out;
  FakeClock clock;
  ProgressReporter progress(out, clock);
  progress.Start("vacuum", 0, "files");
  progress.Advance(3);
  clock.Advance(kSecond / 2);
  progress.Finish();
  EXPECT_EQ(out.str(), "vacuum: done, 3 files in 0.5s (6 files/s)\n");
}

TEST(ProgressTest, BytesAreHumanized) {
  std::ostringstream out;
  FakeClock clock;
  ProgressReporter progress(out, clock);
  progress.Start("download", uint64_t{10} * 1024 * 1024, "bytes");
  clock.Advance(5 * kSecond);
  progress.Advance(2 * 1024 * 1024 + 512 * 1024);
  EXPECT_EQ(out.str(), "download: 2.5 MiB / 10.0 MiB (25%), 512.0 KiB/s, ETA 15s\n");
}

TEST(ProgressTest, TtyRedrawsOneLineAtMostTenTimesASecond) {
  std::ostringstream out;
  FakeClock clock;
  ProgressOptions options;
  options.is_tty = true;
  ProgressReporter progress(out, clock, options);
  progress.Start("load", 200, "rows");
  for (int i = 0; i < 100; ++i) {
    clock.Advance(10'000);  // 10 ms per step, 1 s in total
    progress.Advance(1);
  }
  progress.Finish();
  std::string text = out.str();
  // The 0% draw at Start, one per 100 ms, and the final line.
  EXPECT_EQ(std::count(text.begin(), text.end(), '\r'), 1 + 10 + 1);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << "only the final line ends one";
  EXPECT_THAT(text, HasSubstr("load [------------------------]   0%  0/200 rows"));
  EXPECT_THAT(text, HasSubstr("load [############------------]  50%  100/200 rows  100 rows/s"
                              "  ETA 1.0s\x1b[K"));
  EXPECT_THAT(text, HasSubstr("\rload: done, 100 rows in 1.0s (100 rows/s)\x1b[K\n"));
}

TEST(ProgressTest, ConcurrentAdvancesAllCount) {
  std::ostringstream out;
  FakeClock clock;
  ProgressReporter progress(out, clock);
  progress.Start("scan", 8000, "rows");
  std::vector<std::thread> threads;
  threads.reserve(8);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) progress.Advance(1);
    });
  }
  for (auto& th : threads) th.join();
  clock.Advance(2 * kSecond);
  progress.Finish();
  EXPECT_EQ(out.str(), "scan: done, 8,000 rows in 2.0s (4,000 rows/s)\n");
}

TEST(ProgressTest, StartFinishesThePreviousTask) {
  std::ostringstream out;
  FakeClock clock;
  ProgressReporter progress(out, clock);
  progress.Start("first", 10, "rows");
  progress.Advance(10);
  clock.Advance(kSecond);
  progress.Start("second", 5, "rows");
  EXPECT_EQ(out.str(), "first: done, 10 rows in 1.0s (10 rows/s)\n");
}

TEST(ProgressFormatTest, Helpers) {
  EXPECT_EQ(FormatWithCommas(0), "0");
  EXPECT_EQ(FormatWithCommas(999), "999");
  EXPECT_EQ(FormatWithCommas(1000), "1,000");
  EXPECT_EQ(FormatWithCommas(1234567), "1,234,567");
  EXPECT_EQ(FormatBytes(512), "512 B");
  EXPECT_EQ(FormatBytes(1536), "1.5 KiB");
  EXPECT_EQ(FormatBytes(3.25 * 1024 * 1024 * 1024), "3.2 GiB");
  EXPECT_EQ(FormatDuration(0.42), "0.4s");
  EXPECT_EQ(FormatDuration(12.4), "12s");
  EXPECT_EQ(FormatDuration(185), "3m05s");
  EXPECT_EQ(FormatDuration(7620), "2h07m");
}

}  // namespace
}  // namespace strata
