#include "common/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <iostream>

namespace strata {
namespace {

constexpr int kBarWidth = 24;
constexpr std::string_view kClearToEol = "\x1b[K";

}  // namespace

std::string FormatWithCommas(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string FormatBytes(double bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  size_t unit = 0;
  while (bytes >= 1024 && unit + 1 < std::size(kUnits)) {
    bytes /= 1024;
    ++unit;
  }
  if (unit == 0) return fmt::format("{:.0f} B", bytes);
  return fmt::format("{:.1f} {}", bytes, kUnits[unit]);
}

std::string FormatDuration(double seconds) {
  if (seconds < 10) return fmt::format("{:.1f}s", seconds);
  int64_t total = std::llround(seconds);
  if (total < 60) return fmt::format("{}s", total);
  if (total < 3600) return fmt::format("{}m{:02}s", total / 60, total % 60);
  return fmt::format("{}h{:02}m", total / 3600, total % 3600 / 60);
}

ProgressReporter::ProgressReporter(std::ostream& out, Clock& clock, ProgressOptions options)
    : out_(out), clock_(clock), options_(options) {}

std::unique_ptr<ProgressReporter> ProgressReporter::ForStderr() {
  ProgressOptions options;
  options.is_tty = ::isatty(STDERR_FILENO) == 1;
  return std::make_unique<ProgressReporter>(std::cerr, *Clock::Default(), options);
}

void ProgressReporter::Start(std::string task, uint64_t total_units, std::string unit_name) {
  Finish();
  std::lock_guard<std::mutex> lock(mu_);
  running_ = true;
  task_ = std::move(task);
  unit_ = std::move(unit_name);
  total_ = total_units;
  done_ = 0;
  start_nanos_ = clock_.MonotonicNanos();
  last_draw_nanos_ = start_nanos_;
  if (options_.is_tty) DrawLocked(start_nanos_, false);  // show the 0% bar at once
}

void ProgressReporter::Advance(uint64_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!running_) return;
  done_ += n;
  int64_t now = clock_.MonotonicNanos();
  int64_t interval =
      (options_.is_tty ? options_.tty_interval_micros : options_.plain_interval_micros) * 1000;
  if (now - last_draw_nanos_ >= interval) DrawLocked(now, false);
}

void ProgressReporter::Finish() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!running_) return;
  DrawLocked(clock_.MonotonicNanos(), true);
  running_ = false;
}

std::string ProgressReporter::CountText(uint64_t n) const {
  if (unit_ == "bytes") return FormatBytes(static_cast<double>(n));
  return fmt::format("{} {}", FormatWithCommas(n), unit_);
}

// "3,800 / 10,000 rows", or "3.8 MiB / 10.0 MiB".
std::string ProgressReporter::RatioText(std::string_view separator) const {
  if (unit_ == "bytes") {
    return fmt::format("{}{}{}", FormatBytes(static_cast<double>(done_)), separator,
                       FormatBytes(static_cast<double>(total_)));
  }
  return fmt::format("{}{}{} {}", FormatWithCommas(done_), separator, FormatWithCommas(total_),
                     unit_);
}

void ProgressReporter::DrawLocked(int64_t now_nanos, bool final) {
  last_draw_nanos_ = now_nanos;
  double elapsed = static_cast<double>(now_nanos - start_nanos_) / 1e9;
  double rate = elapsed > 0 ? static_cast<double>(done_) / elapsed : 0;
  std::string rate_text;
  if (elapsed > 0) {
    rate_text = unit_ == "bytes"
                    ? FormatBytes(rate) + "/s"
                    : fmt::format("{} {}/s", FormatWithCommas(static_cast<uint64_t>(rate)), unit_);
  }
  std::string line;
  if (final) {
    line = fmt::format("{}: done, {} in {}", task_, CountText(done_), FormatDuration(elapsed));
    if (!rate_text.empty()) line += fmt::format(" ({})", rate_text);
  } else {
    double fraction =
        total_ > 0 ? std::min(1.0, static_cast<double>(done_) / static_cast<double>(total_)) : 0;
    std::string eta;
    if (total_ > 0 && rate > 0) {
      double remaining = done_ >= total_ ? 0 : static_cast<double>(total_ - done_) / rate;
      eta = "ETA " + FormatDuration(remaining);
    }
    if (options_.is_tty) {
      line = task_;
      if (total_ > 0) {
        int filled = static_cast<int>(fraction * kBarWidth);
        line += fmt::format(" [{}{}] {:3.0f}%  {}", std::string(filled, '#'),
                            std::string(kBarWidth - filled, '-'), fraction * 100, RatioText("/"));
      } else {
        line += "  " + CountText(done_);
      }
      if (!rate_text.empty()) line += "  " + rate_text;
      if (!eta.empty()) line += "  " + eta;
    } else {
      line = fmt::format("{}: {}", task_, total_ > 0 ? RatioText(" / ") : CountText(done_));
      if (total_ > 0) line += fmt::format(" ({:.0f}%)", fraction * 100);
      if (!rate_text.empty()) line += ", " + rate_text;
      if (!eta.empty()) line += ", " + eta;
    }
  }
  if (options_.is_tty) {
    out_ << '\r' << line << kClearToEol;
    if (final) out_ << '\n';
  } else {
    out_ << line << '\n';
  }
  out_.flush();
}

}  // namespace strata
