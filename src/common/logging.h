// Logging: one process-wide logger, text or JSON lines, to stderr by default.
//
//   STRATA_LOG(INFO) << "committed version " << v;
//   STRATA_LOG(WARN).Field("table", name) << "retrying commit";
//   Log(LogLevel::kInfo, "committed", {{"table", name}, {"version", "7"}});
//
// A disabled level costs one relaxed atomic load: the message and its
// arguments are not evaluated. Every registered secret is replaced by "***"
// in messages, field keys and field values before anything is written.
// All functions are thread-safe; lines from concurrent threads never interleave.
//
// Text:  2024-05-01T12:00:00.123Z INFO  committed table=orders version=7
// JSON:  {"ts":"2024-05-01T12:00:00.123Z","level":"info","msg":"committed","table":"orders",...}
#pragma once

#include <atomic>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/status.h"

namespace strata {

enum class LogLevel : int { kTrace = 0, kDebug, kInfo, kWarn, kError, kOff };
enum class LogFormat { kText, kJson };
using LogFields = std::vector<std::pair<std::string, std::string>>;

// "trace", "debug", "info", "warn", "error" or "off".
std::string_view LogLevelName(LogLevel level);
// Parses a LogLevelName() (or "warning"), case-insensitive; InvalidArgument
// listing the choices otherwise.
Result<LogLevel> ParseLogLevel(std::string_view text);
// Parses "text" or "json"; InvalidArgument otherwise.
Result<LogFormat> ParseLogFormat(std::string_view text);
// Applies --log-level and --log-format values; changes nothing on error.
Status ConfigureLogging(std::string_view level, std::string_view format);

namespace internal {
inline std::atomic<int> g_min_log_level{static_cast<int>(LogLevel::kInfo)};
}  // namespace internal

// The least severe level that is written (default kInfo).
void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
// True when a message at `level` would be written. Cheap; call freely.
inline bool LogEnabled(LogLevel level) {
  return static_cast<int>(level) >= internal::g_min_log_level.load(std::memory_order_relaxed);
}

void SetLogFormat(LogFormat format);
LogFormat GetLogFormat();

// Receives each finished line (no trailing newline), already redacted.
// Calls are serialized by the logger.
class LogSink {
 public:
  virtual ~LogSink() = default;
  virtual void Write(LogLevel level, std::string_view line) = 0;
};

// Sends lines to `sink` (not owned; nullptr restores stderr). Once this
// returns, the previous sink is no longer called.
void SetLogSink(LogSink* sink);
// Timestamps come from `clock` (not owned; nullptr restores Clock::Default()).
void SetLogClock(Clock* clock);

// From now on, `secret` is written as "***" wherever it appears. Empty
// strings are ignored. Secrets are never unregistered.
void RegisterSecret(std::string secret);
// `text` with every registered secret replaced by "***"; for messages that
// leave the process by other routes (errors shown to users, HTTP replies).
std::string RedactSecrets(std::string_view text);

// Writes one record at `level` if enabled.
void Log(LogLevel level, std::string_view message, const LogFields& fields = {});

namespace internal {

// Collects one STRATA_LOG statement; writes it when destroyed.
class LogMessage {
 public:
  explicit LogMessage(LogLevel level) : level_(level) {}
  ~LogMessage();
  LogMessage(const LogMessage&) = delete;
  LogMessage& operator=(const LogMessage&) = delete;

  // Adds a structured field (a JSON key, or key=value in text).
  LogMessage& Field(std::string key, std::string value) {
    fields_.emplace_back(std::move(key), std::move(value));
    return *this;
  }
  template <typename T>
  LogMessage& operator<<(const T& value) {
    stream_ << value;
    return *this;
  }

 private:
  LogLevel level_;
  std::ostringstream stream_;
  LogFields fields_;
};

// Gives the ternary in STRATA_LOG a void type on both arms.
struct LogMessageVoidify {
  void operator&(const LogMessage&) {}
};

inline constexpr LogLevel kLogSeverity_TRACE = LogLevel::kTrace;
inline constexpr LogLevel kLogSeverity_DEBUG = LogLevel::kDebug;
inline constexpr LogLevel kLogSeverity_INFO = LogLevel::kInfo;
inline constexpr LogLevel kLogSeverity_WARN = LogLevel::kWarn;
inline constexpr LogLevel kLogSeverity_ERROR = LogLevel::kError;

}  // namespace internal
}  // namespace strata

// STRATA_LOG(TRACE|DEBUG|INFO|WARN|ERROR) << ...; the stream is not evaluated
// when the level is disabled. Unparenthesized on purpose: the caller's `<<`
// must bind to the LogMessage, inside the ternary.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define STRATA_LOG(severity)                                         \
  !::strata::LogEnabled(::strata::internal::kLogSeverity_##severity) \
      ? (void)0                                                      \
      : ::strata::internal::LogMessageVoidify() &                    \
            ::strata::internal::LogMessage(::strata::internal::kLogSeverity_##severity)
// NOLINTEND(bugprone-macro-parentheses)
