// Microbatch windows; expected instants computed with Python's datetime.
#include "transform/dbt_runner_microbatch.h"

#include <gtest/gtest.h>

namespace strata::transform::internal {
namespace {

constexpr int64_t k20240314 = 1710374400000000;
constexpr int64_t k20240315 = 1710460800000000;
constexpr int64_t k20240316 = 1710547200000000;
constexpr int64_t k20231101 = 1698796800000000;
constexpr int64_t k20240301 = 1709251200000000;
constexpr int64_t kNow = 1710498600000000;  // 2024-03-15 10:30:00

TEST(MicrobatchTest, IncrementalRunRebuildsLookbackAndCurrentDay) {
  auto w = MicrobatchWindows({{"batch_size", "day"}, {"lookback", 1}}, true, kNow);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  ASSERT_EQ(w->size(), 2u);
  EXPECT_EQ((*w)[0].start_micros, k20240314);
  EXPECT_EQ((*w)[0].end_micros, k20240315);
  EXPECT_EQ((*w)[1].start_micros, k20240315);
  EXPECT_EQ((*w)[1].end_micros, k20240316);
}

TEST(MicrobatchTest, FirstRunStartsAtBegin) {
  auto w =
      MicrobatchWindows({{"batch_size", "day"}, {"begin", "2024-03-13 08:00:00"}}, false, kNow);
  ASSERT_TRUE(w.ok());
  ASSERT_EQ(w->size(), 3u);
  EXPECT_EQ(w->front().start_micros, k20240314 - 86400000000LL);
  EXPECT_EQ(w->back().end_micros, k20240316);
}

TEST(MicrobatchTest, MonthsFollowTheCalendar) {
  auto w = MicrobatchWindows({{"batch_size", "month"}, {"begin", "2023-11-20"}}, false, kNow);
  ASSERT_TRUE(w.ok());
  ASSERT_EQ(w->size(), 5u);  // Nov, Dec, Jan, Feb, Mar
  EXPECT_EQ(w->front().start_micros, k20231101);
  EXPECT_EQ(w->back().start_micros, k20240301);
  for (size_t i = 1; i < w->size(); ++i) EXPECT_EQ((*w)[i].start_micros, (*w)[i - 1].end_micros);
}

TEST(MicrobatchTest, BadConfigIsAnError) {
  EXPECT_FALSE(MicrobatchWindows({{"batch_size", "week"}}, true, kNow).ok());
  EXPECT_FALSE(MicrobatchWindows({{"batch_size", "day"}}, false, kNow).ok());
  EXPECT_FALSE(MicrobatchWindows({{"batch_size", "day"}, {"begin", "soon"}}, false, kNow).ok());
  EXPECT_EQ(*ParseTimestampMicros("2024-03-15T10:30:00"), kNow);
}

}  // namespace
}  // namespace strata::transform::internal
