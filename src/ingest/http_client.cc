#include "ingest/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <mutex>

namespace strata::ingest {
namespace {

std::once_flag g_curl_init;

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string Trim(const std::string& text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  size_t end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* headers = static_cast<std::map<std::string, std::string>*>(user);
  std::string line(data, size * count);
  // A new status line starts a new response (redirects, 100-continue).
  if (line.rfind("HTTP/", 0) == 0) {
    headers->clear();
    return size * count;
  }
  size_t colon = line.find(':');
  if (colon == std::string::npos) return size * count;
  std::string name = Lower(Trim(line.substr(0, colon)));
  std::string value = Trim(line.substr(colon + 1));
  auto [it, inserted] = headers->emplace(name, value);
  if (!inserted) it->second = name == "link" ? it->second + ", " + value : value;
  return size * count;
}

// 408 and 429 ask to come back later; 5xx are the server's trouble, except
// 501 (it will never implement the method).
bool IsRetriedStatus(int status) {
  return status == 408 || status == 429 || (status >= 500 && status != 501);
}

}  // namespace

std::optional<int64_t> ParseRetryAfter(const std::string& raw, int64_t now_micros) {
  std::string value = Trim(raw);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c); })) {
    if (value.size() > 9) return std::nullopt;
    return std::stoll(value) * 1'000'000;
  }
  time_t when = curl_getdate(value.c_str(), nullptr);
  if (when < 0) return std::nullopt;
  return std::max<int64_t>(0, static_cast<int64_t>(when) * 1'000'000 - now_micros);
}

struct HttpClient::Impl {
  CURL* curl = nullptr;
  ~Impl() {
    if (curl != nullptr) curl_easy_cleanup(curl);
  }
};

HttpClient::HttpClient(const HttpClientOptions& options, Clock* clock, std::unique_ptr<Impl> impl)
    : options_(options),
      clock_(clock),
      impl_(std::move(impl)),
      rng_(options.jitter_seed != 0 ? options.jitter_seed : std::random_device{}()) {}

HttpClient::~HttpClient() = default;

Result<std::unique_ptr<HttpClient>> HttpClient::Make(const HttpClientOptions& options,
                                                     Clock* clock) {
  if (options.retry.max_attempts < 1) {
    return Status::InvalidArgument("retries: max_attempts must be at least 1");
  }
  if (options.requests_per_second < 0) {
    return Status::InvalidArgument("requests_per_second must not be negative");
  }
  if (options.timeout_micros <= 0) return Status::InvalidArgument("timeout must be positive");
  std::call_once(g_curl_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  auto impl = std::make_unique<Impl>();
  impl->curl = curl_easy_init();
  if (impl->curl == nullptr) return Status::Internal("curl_easy_init failed");
  return std::unique_ptr<HttpClient>(new HttpClient(options, clock, std::move(impl)));
}

void HttpClient::WaitForRateLimit() {
  if (options_.requests_per_second <= 0) return;
  const auto interval_nanos = static_cast<int64_t>(1e9 / options_.requests_per_second);
  int64_t now = clock_->MonotonicNanos();
  if (last_request_nanos_ >= 0 && now - last_request_nanos_ < interval_nanos) {
    clock_->SleepForMicros((interval_nanos - (now - last_request_nanos_) + 999) / 1000);
    now = clock_->MonotonicNanos();
  }
  last_request_nanos_ = now;
}

// Exponential backoff with "full jitter": a uniform wait in [cap/2, cap], so
// clients that failed together do not come back together.
int64_t HttpClient::BackoffMicros(int attempt) {
  double cap = static_cast<double>(options_.retry.initial_backoff_micros) *
               std::pow(2.0, std::min(attempt - 1, 30));
  cap = std::min(cap, static_cast<double>(options_.retry.max_backoff_micros));
  std::uniform_real_distribution<double> jitter(0.5, 1.0);
  return static_cast<int64_t>(cap * jitter(rng_));
}

Result<HttpResponse> HttpClient::Get(const HttpRequest& request) {
  CURL* curl = impl_->curl;
  const int64_t start_micros = clock_->NowMicros();
  std::string last_problem;
  for (int attempt = 1;; ++attempt) {
    WaitForRateLimit();
    HttpResponse response;
    response.attempts = attempt;
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");  // every encoding curl can decode
    curl_easy_setopt(curl, CURLOPT_USERAGENT, options_.user_agent.c_str());
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout_micros / 1000));
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options_.connect_timeout_micros / 1000));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &OnBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &OnHeader);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response.headers);
    if (!request.user.empty()) {
      curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
      curl_easy_setopt(curl, CURLOPT_USERNAME, request.user.c_str());
      curl_easy_setopt(curl, CURLOPT_PASSWORD, request.password.c_str());
    }
    curl_slist* header_list = nullptr;
    for (const auto& [name, value] : request.headers) {
      header_list = curl_slist_append(header_list, (name + ": " + value).c_str());
    }
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list);
    CURLcode code = curl_easy_perform(curl);
    curl_slist_free_all(header_list);
    ++requests_sent_;

    std::optional<int64_t> retry_after;
    if (code == CURLE_OK) {
      long status = 0;
      curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
      response.status = static_cast<int>(status);
      if (!IsRetriedStatus(response.status)) return response;
      last_problem = "HTTP " + std::to_string(response.status);
      auto it = response.headers.find("retry-after");
      if (it != response.headers.end()) {
        retry_after = ParseRetryAfter(it->second, clock_->NowMicros());
      }
    } else {
      last_problem = curl_easy_strerror(code);
    }

    const std::string gave_up = "GET " + request.url + " failed after " + std::to_string(attempt) +
                                " attempt" + (attempt == 1 ? "" : "s") + ": " + last_problem;
    if (attempt >= options_.retry.max_attempts) return Status::Unavailable(gave_up);
    int64_t wait = retry_after.has_value() ? *retry_after : BackoffMicros(attempt);
    int64_t elapsed = clock_->NowMicros() - start_micros;
    if (elapsed + wait > options_.retry.max_elapsed_micros) {
      return Status::Unavailable(gave_up + " (the next wait of " + std::to_string(wait / 1000) +
                                 " ms would pass the retry time limit of " +
                                 std::to_string(options_.retry.max_elapsed_micros / 1'000'000) +
                                 " s)");
    }
    clock_->SleepForMicros(wait);
  }
}

}  // namespace strata::ingest
