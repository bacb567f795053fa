// dbt's console output for the commands in dbt_runner.h: the header, one
// START line and one result line per node padded with dots to 80 columns,
// and the closing summary. Internal to the transform subsystem.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "transform/dbt_model.h"

namespace strata::transform::internal {

// dbt's progress line: "<index> of <total> <message> " padded with '.' to 80
// columns, then " [<status>]" or " [<status> in 0.12s]".
std::string FancyLine(int index, int total, std::string_view message, std::string_view status,
                      std::optional<double> seconds);

// "sql table model main.customers", "seed file main_raw.raw_orders",
// "snapshot snapshots.orders_snapshot", "test not_null_orders_id": what dbt
// names a node in its START and result lines. `materialized` is the config's.
std::string NodeDescription(const Node& node, const std::string& materialized,
                            const std::string& schema, const std::string& identifier);

// "0 hours 0 minutes and 1.23 seconds (1.23s)", as dbt prints elapsed time.
std::string ElapsedText(double seconds);

// "1 model", "3 data tests", "2 view models": dbt's counted nouns.
std::string Counted(int n, std::string_view singular, std::string_view plural);

// Writes whole lines to a stream, each prefixed with dbt's "HH:MM:SS  " (UTC
// from the clock) when asked. Thread-safe: lines from worker threads never
// interleave. The stream and clock are not owned.
class ConsolePrinter {
 public:
  ConsolePrinter(std::ostream& out, Clock& clock, bool timestamps, bool quiet)
      : out_(out), clock_(clock), timestamps_(timestamps), quiet_(quiet) {}

  // A progress or information line; dropped under --quiet.
  void Info(std::string_view line);
  // A line printed even under --quiet (errors, ls and compile results).
  void Always(std::string_view line);

 private:
  void Write(std::string_view line);

  std::mutex mu_;
  std::ostream& out_;
  Clock& clock_;
  const bool timestamps_;
  const bool quiet_;
};

}  // namespace strata::transform::internal
