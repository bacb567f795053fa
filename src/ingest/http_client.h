// HttpClient: GET requests over libcurl with the retry, backoff and rate
// limiting an API connector needs. libcurl stays behind this header.
//
//   STRATA_ASSIGN_OR_RETURN(auto client, HttpClient::Make(options, clock));
//   STRATA_ASSIGN_OR_RETURN(HttpResponse r, client->Get(request));
//
// Retries: 429, 5xx (except 501) and connection errors/timeouts are retried
// with exponential backoff and full jitter, bounded by an attempt count and a
// total time; a Retry-After header (seconds or an HTTP-date) sets the wait.
// Other statuses (2xx-4xx) come back as a response for the caller to judge.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"

namespace strata::ingest {

struct HttpRequest {
  std::string url;  // absolute, query string included
  std::vector<std::pair<std::string, std::string>> headers;
  std::string user;      // basic auth when not empty
  std::string password;  // basic auth
};

struct HttpResponse {
  int status = 0;
  // Header names lower-cased; the last value wins for repeated names except
  // `link`, whose values are joined with ", " (RFC 8288 allows both forms).
  std::map<std::string, std::string> headers;
  std::string body;
  int attempts = 0;  // requests sent for this response (1 = no retry)
};

struct RetryOptions {
  int max_attempts = 5;  // including the first request
  int64_t initial_backoff_micros = 500'000;
  int64_t max_backoff_micros = 30'000'000;
  int64_t max_elapsed_micros = 300'000'000;  // give up when the next wait would pass this
};

struct HttpClientOptions {
  int64_t timeout_micros = 60'000'000;  // whole request
  int64_t connect_timeout_micros = 10'000'000;
  double requests_per_second = 0;  // 0 = unlimited
  RetryOptions retry;
  std::string user_agent = "strata-ingest";
  uint64_t jitter_seed = 0;  // 0 = random; tests fix it
};

// The wait a Retry-After value asks for, in microseconds from `now_micros`:
// delta-seconds ("120") or an HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT").
// nullopt when the value is neither (then the backoff applies).
std::optional<int64_t> ParseRetryAfter(const std::string& value, int64_t now_micros);

// One client per connector run. Not thread-safe: one thread at a time.
class HttpClient {
 public:
  // A client using `clock` (not owned; must outlive the client) for rate
  // limiting and backoff. InvalidArgument for nonsensical options.
  static Result<std::unique_ptr<HttpClient>> Make(const HttpClientOptions& options, Clock* clock);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends GET `request`, retrying as described above. Returns the final
  // response for any status that is not retried, or not retried any more
  // after the attempts/time ran out (Unavailable then, naming the URL, the
  // last status or connection error and the attempts). Messages never hold
  // the request's headers; callers redact secrets that may be in the URL.
  Result<HttpResponse> Get(const HttpRequest& request);

  // Requests sent so far (each retry counts).
  int64_t requests_sent() const { return requests_sent_; }

 private:
  struct Impl;
  HttpClient(const HttpClientOptions& options, Clock* clock, std::unique_ptr<Impl> impl);
  // Sleeps (on the clock) until the rate limit allows the next request.
  void WaitForRateLimit();
  int64_t BackoffMicros(int attempt);

  HttpClientOptions options_;
  Clock* clock_;
  std::unique_ptr<Impl> impl_;
  std::mt19937_64 rng_;
  int64_t last_request_nanos_ = -1;
  int64_t requests_sent_ = 0;
};

}  // namespace strata::ingest
