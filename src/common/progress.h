// ProgressReporter: tells a waiting user how long work has left (loading a
// file, backfilling a model, vacuuming a table).
//
// On a terminal it redraws one line, at most ~10 times a second:
//   load orders [#########---------------]  38%  3.8 MiB/10.0 MiB  1.2 MiB/s  ETA 5.2s
// Elsewhere (logs, CI, pipes) it writes a plain line at most every 5 seconds
// and one final line, so logs stay short:
//   load orders: 3,800 / 10,000 rows (38%), 1,200 rows/s, ETA 5.2s
//   load orders: done, 10,000 rows in 8.3s (1,204 rows/s)
// A unit named "bytes" is shown as KiB/MiB/GiB. A total of 0 means unknown:
// no bar, percent or ETA.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace strata {

struct ProgressOptions {
  bool is_tty = false;                        // redraw one line instead of printing lines
  int64_t tty_interval_micros = 100'000;      // minimum time between redraws
  int64_t plain_interval_micros = 5'000'000;  // minimum time between plain lines
};

class ProgressReporter {
 public:
  // Writes to `out` and reads time from `clock`; neither is owned and both
  // must outlive this object.
  ProgressReporter(std::ostream& out, Clock& clock, ProgressOptions options = {});
  // Writes to stderr with the real clock; TTY mode when stderr is a terminal.
  static std::unique_ptr<ProgressReporter> ForStderr();
  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;

  // Begins a task of `total_units` (0: unknown) `unit_name`s, finishing any
  // task still running. Not to be called concurrently with Advance.
  void Start(std::string task, uint64_t total_units, std::string unit_name);
  // Records `n` more units done and redraws if due. Thread-safe; cheap when
  // no redraw is due. Ignored when no task is running.
  void Advance(uint64_t n);
  // Writes the final line ("done, N units in T") and ends the task. No-op
  // when no task is running. Thread-safe.
  void Finish();

 private:
  // Requires mu_.
  void DrawLocked(int64_t now_nanos, bool final);
  std::string CountText(uint64_t n) const;
  std::string RatioText(std::string_view separator) const;

  std::ostream& out_;
  Clock& clock_;
  const ProgressOptions options_;

  std::mutex mu_;
  bool running_ = false;
  std::string task_;
  std::string unit_;
  uint64_t total_ = 0;
  uint64_t done_ = 0;
  int64_t start_nanos_ = 0;
  int64_t last_draw_nanos_ = 0;
};

// "1,234,567"
std::string FormatWithCommas(uint64_t n);
// "512 B", "1.5 KiB", "3.2 GiB"
std::string FormatBytes(double bytes);
// "0.4s", "12s", "3m05s", "2h07m"
std::string FormatDuration(double seconds);

}  // namespace strata
