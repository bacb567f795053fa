#include "transform/dbt_runner_microbatch.h"

#include <cstdio>
#include <string>

#include "common/civil_date.h"

namespace strata::transform::internal {
namespace {

constexpr int64_t kMicrosPerHour = 3'600'000'000LL;
constexpr int64_t kMicrosPerDay = 24 * kMicrosPerHour;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

int64_t Truncate(int64_t t, const std::string& size) {
  if (size == "hour") return FloorDiv(t, kMicrosPerHour) * kMicrosPerHour;
  const int64_t days = FloorDiv(t, kMicrosPerDay);
  if (size == "day") return days * kMicrosPerDay;
  const CivilDate date = CivilFromDays(days);
  if (size == "month") return DaysFromCivil(date.year, date.month, 1) * kMicrosPerDay;
  return DaysFromCivil(date.year, 1, 1) * kMicrosPerDay;  // year
}

// `t` (a batch boundary) moved by `n` batches.
int64_t Offset(int64_t t, const std::string& size, int64_t n) {
  if (size == "hour") return t + n * kMicrosPerHour;
  if (size == "day") return t + n * kMicrosPerDay;
  const CivilDate date = CivilFromDays(FloorDiv(t, kMicrosPerDay));
  if (size == "year") return DaysFromCivil(date.year + n, 1, 1) * kMicrosPerDay;
  int64_t months = date.year * 12 + (date.month - 1) + n;
  return DaysFromCivil(FloorDiv(months, 12), months - FloorDiv(months, 12) * 12 + 1, 1) *
         kMicrosPerDay;
}

}  // namespace

Result<int64_t> ParseTimestampMicros(const std::string& text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, consumed = 0;
  double sec = 0;
  const std::string bad = "'" + text + "' is not a timestamp (YYYY-MM-DD[ HH:MM[:SS]])";
  if (std::sscanf(text.c_str(), "%d-%d-%d%n", &y, &mo, &d, &consumed) != 3) {
    return Status::InvalidArgument(bad);
  }
  std::string rest = text.substr(static_cast<size_t>(consumed));
  if (!rest.empty() && (rest[0] == ' ' || rest[0] == 'T')) {
    int n = std::sscanf(rest.c_str() + 1, "%d:%d:%lf", &h, &mi, &sec);
    if (n < 2) return Status::InvalidArgument(bad);
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59) {
    return Status::InvalidArgument(bad);
  }
  return DaysFromCivil(y, mo, d) * kMicrosPerDay + h * kMicrosPerHour + mi * 60'000'000LL +
         static_cast<int64_t>(sec * 1e6);
}

Result<std::vector<BatchWindow>> MicrobatchWindows(const nlohmann::json& config, bool incremental,
                                                   int64_t now_micros) {
  const std::string size = config.contains("batch_size") && config["batch_size"].is_string()
                               ? config["batch_size"].get<std::string>()
                               : "";
  if (size != "hour" && size != "day" && size != "month" && size != "year") {
    return Status::InvalidArgument(
        "microbatch model needs batch_size: hour, day, month or year (got '" + size + "')");
  }
  int64_t lookback = 1;
  if (config.contains("lookback") && config["lookback"].is_number_integer()) {
    lookback = config["lookback"].get<int64_t>();
  }
  // The window holding now is built too.
  const int64_t end = Offset(Truncate(now_micros, size), size, 1);
  int64_t start;
  if (incremental) {
    start = Offset(Truncate(now_micros, size), size, -lookback);
  } else {
    if (!config.contains("begin") || !config["begin"].is_string()) {
      return Status::InvalidArgument("microbatch model needs begin: a start timestamp");
    }
    STRATA_ASSIGN_OR_RETURN(int64_t begin,
                            ParseTimestampMicros(config["begin"].get<std::string>()));
    start = Truncate(begin, size);
  }
  std::vector<BatchWindow> batches;
  for (int64_t t = start; t < end; t = Offset(t, size, 1)) {
    batches.push_back({t, Offset(t, size, 1)});
    if (batches.size() > 1'000'000) {
      return Status::InvalidArgument("microbatch model has more than 1,000,000 batches");
    }
  }
  return batches;
}

}  // namespace strata::transform::internal
