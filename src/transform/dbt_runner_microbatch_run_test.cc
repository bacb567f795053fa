// End to end: a microbatch model built by the runner over several runs with a
// changing upstream, one batch per day, with lookback.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "common/clock.h"
#include "transform/dbt_runner.h"
#include "transform/dbt_runner_testing.h"

namespace strata::transform {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::OptionsFor;
using testing::ProjectCopy;
using testing::WarehouseQuery;

constexpr int64_t kHour = 3600LL * 1000000;
constexpr int64_t kJan3Noon = 1704283200000000;  // 2024-01-03 12:00:00 UTC

void WriteEvents(const ProjectCopy& p, const std::string& rows) {
  p.Write("events.csv", "event_id,event_at,amount\n" + rows);
}

DbtCommandSummary Build(const ProjectCopy& p, Clock& clock, std::string* output) {
  auto options = OptionsFor(p, "build");
  options.select = {"+events_daily"};
  std::ostringstream out;
  auto summary = RunDbtCommand(options, *FileSystem::Default(), clock, out);
  *output = out.str();
  EXPECT_TRUE(summary.ok()) << summary.status().ToString();
  return summary.ok() ? *summary : DbtCommandSummary{};
}

TEST(DbtRunnerMicrobatchTest, BatchesPerDayThenOnlyTheLookbackWindowIsRebuilt) {
  ProjectCopy p("jaffle");
  WriteEvents(p,
              "1,2024-01-01 10:00:00,5\n"
              "2,2024-01-02 11:00:00,7\n"
              "3,2024-01-03 09:00:00,11\n");
  p.Write("models/mb/events_src.sql",
          "{{ config(materialized='table', event_time='event_at') }}\n"
          "select event_id, event_at::timestamp as event_at, amount from read_csv('" +
              p.Path("events.csv") + "')\n");
  p.Write("models/mb/events_daily.sql",
          "{{ config(materialized='incremental', incremental_strategy='microbatch',\n"
          "          event_time='event_at', batch_size='day', begin='2024-01-01', lookback=1) }}\n"
          "select event_id, event_at, amount * 10 as amount10 from {{ ref('events_src') }}\n");

  FakeClock clock(kJan3Noon);
  std::string output;
  DbtCommandSummary first = Build(p, clock, &output);
  ASSERT_EQ(first.exit_code, 0) << output;
  EXPECT_THAT(output, HasSubstr("3 batches")) << output;
  EXPECT_THAT(WarehouseQuery(p, "select event_id, amount10 from main.events_daily order by 1"),
              ElementsAre("1|50", "2|70", "3|110"));

  // A day later: event 1 (outside the lookback) and event 3 (inside it) change
  // upstream, event 4 arrives. Only the windows of Jan 3 and Jan 4 are rebuilt.
  WriteEvents(p,
              "1,2024-01-01 10:00:00,6\n"
              "2,2024-01-02 11:00:00,7\n"
              "3,2024-01-03 09:00:00,12\n"
              "4,2024-01-04 08:00:00,1\n");
  clock.Advance(24 * kHour);
  DbtCommandSummary second = Build(p, clock, &output);
  ASSERT_EQ(second.exit_code, 0) << output;
  EXPECT_THAT(output, HasSubstr("2 batches")) << output;
  EXPECT_THAT(WarehouseQuery(p, "select event_id, amount10 from main.events_daily order by 1"),
              ElementsAre("1|50", "2|70", "3|120", "4|10"));

  // --full-refresh rebuilds every window from `begin`.
  auto options = OptionsFor(p, "build");
  options.select = {"+events_daily"};
  options.full_refresh = true;
  std::ostringstream out;
  auto third = RunDbtCommand(options, *FileSystem::Default(), clock, out);
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  ASSERT_EQ(third->exit_code, 0) << out.str();
  EXPECT_THAT(out.str(), HasSubstr("4 batches")) << out.str();
  EXPECT_THAT(WarehouseQuery(p, "select event_id, amount10 from main.events_daily order by 1"),
              ElementsAre("1|60", "2|70", "3|120", "4|10"));
}

}  // namespace
}  // namespace strata::transform
