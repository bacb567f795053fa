#include "common/logging.h"

#include <fmt/format.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>

namespace strata {
namespace {

struct Logger {
  std::mutex mu;
  LogSink* sink = nullptr;  // nullptr: stderr
  Clock* clock = nullptr;   // nullptr: Clock::Default()
  LogFormat format = LogFormat::kText;
  std::vector<std::string> secrets;  // longest first, so overlapping secrets vanish whole
};

Logger& TheLogger() {
  static Logger logger;
  return logger;
}

// Requires the logger's mutex.
std::string RedactLocked(const Logger& logger, std::string_view text) {
  std::string out(text);
  for (const std::string& secret : logger.secrets) {
    for (size_t pos = out.find(secret); pos != std::string::npos; pos = out.find(secret, pos + 3)) {
      out.replace(pos, secret.size(), "***");
    }
  }
  return out;
}

std::string FormatTimestamp(int64_t micros) {
  time_t seconds = static_cast<time_t>(micros / 1'000'000);
  struct tm tm;
  gmtime_r(&seconds, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (micros / 1000) % 1000);
}

// key=value, quoting values a reader could not split unambiguously.
void AppendTextField(std::string& out, std::string_view key, std::string_view value) {
  out += ' ';
  out += key;
  out += '=';
  bool plain = !value.empty() && value.find_first_of(" \"=\\\n\t") == std::string_view::npos;
  if (plain) {
    out += value;
    return;
  }
  out += '"';
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  out += '"';
}

std::string FormatLine(LogFormat format, const std::string& ts, LogLevel level,
                       const std::string& message, const LogFields& fields) {
  if (format == LogFormat::kJson) {
    nlohmann::ordered_json j;
    j["ts"] = ts;
    j["level"] = LogLevelName(level);
    j["msg"] = message;
    for (const auto& [key, value] : fields) {
      std::string k = key;
      while (j.contains(k)) k += '_';  // never overwrite ts/level/msg or an earlier field
      j[k] = value;
    }
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  std::string level_name(LogLevelName(level));
  for (char& c : level_name) c = static_cast<char>(c - 'a' + 'A');  // names are a-z
  std::string out = fmt::format("{} {:<5} {}", ts, level_name, message);
  for (const auto& [key, value] : fields) AppendTextField(out, key, value);
  return out;
}

}  // namespace

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace:
      return "trace";
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
    case LogLevel::kOff:
      return "off";
  }
  return "unknown";
}

Result<LogLevel> ParseLogLevel(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (lower == "warning") return LogLevel::kWarn;
  for (LogLevel level : {LogLevel::kTrace, LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn,
                         LogLevel::kError, LogLevel::kOff}) {
    if (lower == LogLevelName(level)) return level;
  }
  return Status::InvalidArgument(fmt::format(
      "unknown log level '{}' (expected trace, debug, info, warn, error or off)", text));
}

Result<LogFormat> ParseLogFormat(std::string_view text) {
  if (text == "text") return LogFormat::kText;
  if (text == "json") return LogFormat::kJson;
  return Status::InvalidArgument(
      fmt::format("unknown log format '{}' (expected text or json)", text));
}

Status ConfigureLogging(std::string_view level, std::string_view format) {
  STRATA_ASSIGN_OR_RETURN(LogLevel parsed_level, ParseLogLevel(level));
  STRATA_ASSIGN_OR_RETURN(LogFormat parsed_format, ParseLogFormat(format));
  SetLogLevel(parsed_level);
  SetLogFormat(parsed_format);
  return Status::OK();
}

void SetLogLevel(LogLevel level) {
  internal::g_min_log_level.store(static_cast<int>(level), std::memory_order_relaxed);
}

LogLevel GetLogLevel() {
  return static_cast<LogLevel>(internal::g_min_log_level.load(std::memory_order_relaxed));
}

void SetLogFormat(LogFormat format) {
  Logger& logger = TheLogger();
  std::lock_guard<std::mutex> lock(logger.mu);
  logger.format = format;
}

LogFormat GetLogFormat() {
  Logger& logger = TheLogger();
  std::lock_guard<std::mutex> lock(logger.mu);
  return logger.format;
}

void SetLogSink(LogSink* sink) {
  Logger& logger = TheLogger();
  std::lock_guard<std::mutex> lock(logger.mu);
  logger.sink = sink;
}

void SetLogClock(Clock* clock) {
  Logger& logger = TheLogger();
  std::lock_guard<std::mutex> lock(logger.mu);
  logger.clock = clock;
}

void RegisterSecret(std::string secret) {
  if (secret.empty()) return;
  Logger& logger = TheLogger();
  std::lock_guard<std::mutex> lock(logger.mu);
  auto& secrets = logger.secrets;
  if (std::find(secrets.begin(), secrets.end(), secret) != secrets.end()) return;
  auto pos = std::find_if(secrets.begin(), secrets.end(),
                          [&](const std::string& s) { return s.size() < secret.size(); });
  secrets.insert(pos, std::move(secret));
}

std::string RedactSecrets(std::string_view text) {
  Logger& logger = TheLogger();
  std::lock_guard<std::mutex> lock(logger.mu);
  return RedactLocked(logger, text);
}

void Log(LogLevel level, std::string_view message, const LogFields& fields) {
  if (!LogEnabled(level) || level == LogLevel::kOff) return;
  Logger& logger = TheLogger();
  std::lock_guard<std::mutex> lock(logger.mu);
  Clock* clock = logger.clock != nullptr ? logger.clock : Clock::Default();
  LogFields redacted;
  redacted.reserve(fields.size());
  for (const auto& [key, value] : fields) {
    redacted.emplace_back(RedactLocked(logger, key), RedactLocked(logger, value));
  }
  std::string line = FormatLine(logger.format, FormatTimestamp(clock->NowMicros()), level,
                                RedactLocked(logger, message), redacted);
  if (logger.sink != nullptr) {
    logger.sink->Write(level, line);
    return;
  }
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stderr);
}

namespace internal {

// Logging must never take the program down: a failure to log (out of memory)
// is swallowed rather than thrown from a destructor.
LogMessage::~LogMessage() {
  try {
    Log(level_, stream_.str(), fields_);
  } catch (...) {
  }
}

}  // namespace internal
}  // namespace strata
