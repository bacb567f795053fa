// How an HTTP stream walks its pages: which query parameters (or URL) ask for
// a page, and what the response says about the next one.
//
// A position is JSON so that it can live in the stream state and a stopped
// run can resume at the page after its last committed one:
//   page   {"page": 3}           offset {"offset": 200}
//   cursor {"cursor": "abc"}     link   {"url": "https://..."}   none {}
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/config.h"
#include "common/status.h"
#include "ingest/http_client.h"

namespace strata::ingest {

enum class PaginationKind { kNone, kPage, kOffset, kCursor, kLink };

struct PaginationConfig {
  PaginationKind kind = PaginationKind::kNone;
  // page: `page_param`=N from `start_page`; stops on an empty page, or after
  // the page whose `total_pages_path` value it reached.
  std::string page_param = "page";
  int64_t start_page = 1;
  std::string total_pages_path;
  std::string page_size_param;  // sent with page_size when both are set
  int64_t page_size = 0;
  // offset: `offset_param`=N, `limit_param`=limit; stops when a page holds
  // fewer than `limit` records.
  std::string offset_param = "offset";
  std::string limit_param = "limit";
  int64_t limit = 100;
  // cursor: the value at `cursor_path` in a response goes into `cursor_param`
  // of the next request; stops when it is missing, null or empty.
  std::string cursor_path;
  std::string cursor_param = "cursor";
};

// Reads the `pagination:` map ({type: page|offset|cursor|link|none, ...}).
// InvalidArgument at the offending key for unknown types, keys or values.
Result<PaginationConfig> ParsePagination(const ConfigNode& node);

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// The position of the first page.
nlohmann::json FirstPosition(const PaginationConfig& config);

// The query parameters that ask for the page at `position` (none for link
// pagination after the first page: the URL carries them).
QueryParams ParamsForPosition(const PaginationConfig& config, const nlohmann::json& position);

// The position after the page at `position`, or nullopt when that was the last
// page. `page` is the parsed body, `record_count` the records it held,
// `request_url` the URL it came from (relative Link targets resolve against it).
std::optional<nlohmann::json> NextPosition(const PaginationConfig& config,
                                           const nlohmann::json& position,
                                           const HttpResponse& response, const nlohmann::json& page,
                                           size_t record_count, const std::string& request_url);

// The target of the rel="next" link in an RFC 8288 Link header value, or
// nullopt. Handles several links, quoted/unquoted and multi-valued rel.
std::optional<std::string> NextLinkTarget(const std::string& link_header);

// The value at the dotted `path` (e.g. "data.items", "meta.next") of `doc`, or
// nullptr when some part is missing; "" is the document itself.
const nlohmann::json* JsonAtPath(const nlohmann::json& doc, const std::string& path);

}  // namespace strata::ingest
