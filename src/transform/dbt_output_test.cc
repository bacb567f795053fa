// dbt's console lines, compared with lines written by hand after dbt's
// format (Python's str.ljust(80, '.') and its 77-character truncation).
#include "transform/dbt_output.h"

#include <gtest/gtest.h>

#include <sstream>

namespace strata::transform::internal {
namespace {

TEST(DbtOutputTest, ResultLineIsPaddedWithDotsTo80Columns) {
  EXPECT_EQ(FancyLine(1, 28, "OK created sql table model main.customers", "OK", 0.12),
            "1 of 28 OK created sql table model main.customers "
            ".............................. [OK in 0.12s]");
}

TEST(DbtOutputTest, StartLineHasNoTimeAndLongNamesAreCut) {
  EXPECT_EQ(FancyLine(12, 28,
                      "START test accepted_values_stg_orders_status__placed__shipped__completed__"
                      "return_pending__returned",
                      "RUN", std::nullopt),
            "12 of 28 START test accepted_values_stg_orders_status__placed__shipped__compl... "
            "[RUN]");
}

TEST(DbtOutputTest, Descriptions) {
  Node model;
  model.resource_type = "model";
  model.name = "customers";
  EXPECT_EQ(NodeDescription(model, "table", "main", "customers"), "sql table model main.customers");
  EXPECT_EQ(NodeDescription(model, "", "main", "customers"), "sql view model main.customers");
  Node seed;
  seed.resource_type = "seed";
  EXPECT_EQ(NodeDescription(seed, "seed", "main_raw", "raw_orders"),
            "seed file main_raw.raw_orders");
  Node test;
  test.resource_type = "test";
  test.name = "not_null_orders_id";
  EXPECT_EQ(NodeDescription(test, "test", "main", "x"), "test not_null_orders_id");
}

TEST(DbtOutputTest, ElapsedAndCounts) {
  EXPECT_EQ(ElapsedText(1.234), "0 hours 0 minutes and 1.23 seconds (1.23s)");
  EXPECT_EQ(ElapsedText(3725.5), "1 hours 2 minutes and 5.50 seconds (3725.50s)");
  EXPECT_EQ(Counted(1, "model", "models"), "1 model");
  EXPECT_EQ(Counted(0, "model", "models"), "0 models");
}

TEST(DbtOutputTest, PrinterPrefixesUtcTimeAndQuietKeepsOnlyAlways) {
  FakeClock clock(1710498600000000);  // 2024-03-15 10:30:00 UTC
  std::ostringstream out;
  ConsolePrinter printer(out, clock, /*timestamps=*/true, /*quiet=*/false);
  printer.Info("hello");
  EXPECT_EQ(out.str(), "10:30:00  hello\n");
  std::ostringstream quiet_out;
  ConsolePrinter quiet(quiet_out, clock, /*timestamps=*/false, /*quiet=*/true);
  quiet.Info("dropped");
  quiet.Always("kept");
  EXPECT_EQ(quiet_out.str(), "kept\n");
}

}  // namespace
}  // namespace strata::transform::internal
