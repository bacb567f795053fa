// Proleptic Gregorian dates as days since 1970-01-01, after H. Hinnant's
// public-domain algorithms (days_from_civil / civil_from_days): Delta date
// statistics and partition values, Jinja's datetime, microbatch windows.
#pragma once

#include <cstdint>

namespace strata {

struct CivilDate {
  int64_t year = 1970;  // astronomical: 0 is 1 BC
  int64_t month = 1;    // 1-12
  int64_t day = 1;      // 1-31
};

// Days from 1970-01-01 to year-month-day (negative before it). The caller
// validates the date: a day past the month's end counts on into the next.
// Thread-safe.
int64_t DaysFromCivil(int64_t year, int64_t month, int64_t day);

// The date `days` after 1970-01-01; the inverse of DaysFromCivil. Thread-safe.
CivilDate CivilFromDays(int64_t days);

}  // namespace strata
