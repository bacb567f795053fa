#include "common/civil_date.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

// Expected day numbers from Python: (date(y, m, d) - date(1970, 1, 1)).days.
struct Known {
  int64_t year, month, day, days;
};
constexpr Known kKnown[] = {
    {1970, 1, 1, 0},    {1969, 12, 31, -1},      {2000, 3, 1, 11017},    {2024, 2, 29, 19782},
    {1, 1, 1, -719162}, {9999, 12, 31, 2932896}, {1600, 2, 29, -135081},
};

TEST(CivilDateTest, KnownDates) {
  for (const Known& k : kKnown) {
    EXPECT_EQ(DaysFromCivil(k.year, k.month, k.day), k.days) << k.year << "-" << k.month;
    CivilDate date = CivilFromDays(k.days);
    EXPECT_EQ(date.year, k.year) << k.days;
    EXPECT_EQ(date.month, k.month) << k.days;
    EXPECT_EQ(date.day, k.day) << k.days;
  }
}

TEST(CivilDateTest, ConsecutiveDaysAreConsecutiveDates) {
  // Walks 1899-12-31 .. 2101-01-01 by hand-rolled calendar rules.
  auto leap = [](int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; };
  const int64_t month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int64_t y = 1899, m = 12, d = 31;
  for (int64_t days = DaysFromCivil(1899, 12, 31); y <= 2100; ++days) {
    CivilDate date = CivilFromDays(days);
    ASSERT_EQ(date.year, y);
    ASSERT_EQ(date.month, m);
    ASSERT_EQ(date.day, d);
    ASSERT_EQ(DaysFromCivil(y, m, d), days);
    const int64_t length = month_days[m - 1] + (m == 2 && leap(y) ? 1 : 0);
    if (++d > length) {
      d = 1;
      if (++m > 12) m = 1, ++y;
    }
  }
}

}  // namespace
}  // namespace strata
