#include "transform/dbt_output.h"

#include <cstdio>
#include <ctime>

namespace strata::transform::internal {
namespace {

constexpr size_t kPrinterWidth = 80;

}  // namespace

std::string FancyLine(int index, int total, std::string_view message, std::string_view status,
                      std::optional<double> seconds) {
  std::string line = std::to_string(index) + " of " + std::to_string(total) + " ";
  line.append(message);
  line += ' ';
  // dbt truncates long names to keep the status column visible.
  if (line.size() > kPrinterWidth - 3) {
    line.resize(kPrinterWidth - 3);
    line += "...";
  }
  if (line.size() < kPrinterWidth) line.append(kPrinterWidth - line.size(), '.');
  line += " [";
  line.append(status);
  if (seconds.has_value()) {
    char buf[32];
    std::snprintf(buf, sizeof buf, " in %.2fs", *seconds);
    line += buf;
  }
  line += ']';
  return line;
}

std::string NodeDescription(const Node& node, const std::string& materialized,
                            const std::string& schema, const std::string& identifier) {
  const std::string relation = schema + "." + identifier;
  if (node.resource_type == "seed") return "seed file " + relation;
  if (node.resource_type == "snapshot") return "snapshot " + relation;
  if (node.resource_type == "test") return "test " + node.name;
  if (node.resource_type == "model") {
    return node.language + " " + (materialized.empty() ? "view" : materialized) + " model " +
           relation;
  }
  return node.resource_type + " " + node.name;
}

std::string ElapsedText(double seconds) {
  const int64_t whole = static_cast<int64_t>(seconds);
  const int64_t hours = whole / 3600;
  const int64_t minutes = (whole % 3600) / 60;
  const double rest = seconds - static_cast<double>(hours * 3600 + minutes * 60);
  char buf[128];
  std::snprintf(buf, sizeof buf, "%lld hours %lld minutes and %.2f seconds (%.2fs)",
                static_cast<long long>(hours), static_cast<long long>(minutes), rest, seconds);
  return buf;
}

std::string Counted(int n, std::string_view singular, std::string_view plural) {
  return std::to_string(n) + " " + std::string(n == 1 ? singular : plural);
}

void ConsolePrinter::Info(std::string_view line) {
  if (!quiet_) Write(line);
}

void ConsolePrinter::Always(std::string_view line) { Write(line); }

void ConsolePrinter::Write(std::string_view line) {
  std::string prefix;
  if (timestamps_) {
    const std::time_t now = static_cast<std::time_t>(clock_.NowMicros() / 1'000'000);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%H:%M:%S  ", &tm);
    prefix = buf;
  }
  std::lock_guard<std::mutex> lock(mu_);
  out_ << prefix << line << '\n';
  out_.flush();
}

}  // namespace strata::transform::internal
