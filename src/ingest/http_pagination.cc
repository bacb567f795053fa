#include "ingest/http_pagination.h"

#include <cctype>

namespace strata::ingest {
namespace {

std::string Trim(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  size_t end = text.find_last_not_of(" \t");
  return std::string(text.substr(begin, end - begin + 1));
}

std::string LowerCopy(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// "https://h:1/a/b?q" -> "https://h:1".
std::string Origin(const std::string& url) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) return "";
  size_t slash = url.find('/', scheme + 3);
  return slash == std::string::npos ? url : url.substr(0, slash);
}

std::string ResolveAgainst(const std::string& base, const std::string& target) {
  if (target.find("://") != std::string::npos) return target;
  if (!target.empty() && target[0] == '/') return Origin(base) + target;
  // Relative to the base's directory (query dropped).
  std::string path = base.substr(0, base.find('?'));
  size_t slash = path.rfind('/');
  return path.substr(0, slash + 1) + target;
}

}  // namespace

const nlohmann::json* JsonAtPath(const nlohmann::json& doc, const std::string& path) {
  const nlohmann::json* node = &doc;
  size_t start = 0;
  while (start < path.size()) {
    size_t dot = path.find('.', start);
    std::string part =
        path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!node->is_object()) return nullptr;
    auto it = node->find(part);
    if (it == node->end()) return nullptr;
    node = &*it;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return node;
}

Result<PaginationConfig> ParsePagination(const ConfigNode& node) {
  PaginationConfig config;
  if (node.IsNull()) return config;
  STRATA_RETURN_IF_ERROR(node.CheckKnownKeys(
      {"type", "page_param", "start_page", "total_pages_path", "page_size_param", "page_size",
       "offset_param", "limit_param", "limit", "cursor_path", "cursor_param"}));
  STRATA_ASSIGN_OR_RETURN(std::string type, node.Get<std::string>("type"));
  if (type == "none") {
    config.kind = PaginationKind::kNone;
  } else if (type == "page") {
    config.kind = PaginationKind::kPage;
  } else if (type == "offset") {
    config.kind = PaginationKind::kOffset;
  } else if (type == "cursor") {
    config.kind = PaginationKind::kCursor;
  } else if (type == "link") {
    config.kind = PaginationKind::kLink;
  } else {
    return node.Child("type")->Error("must be one of none, page, offset, cursor, link; got '" +
                                     type + "'");
  }
  STRATA_ASSIGN_OR_RETURN(config.page_param, node.GetOr<std::string>("page_param", "page"));
  STRATA_ASSIGN_OR_RETURN(config.start_page, node.GetOr<int64_t>("start_page", 1));
  STRATA_ASSIGN_OR_RETURN(config.total_pages_path, node.GetOr<std::string>("total_pages_path", ""));
  STRATA_ASSIGN_OR_RETURN(config.page_size_param, node.GetOr<std::string>("page_size_param", ""));
  STRATA_ASSIGN_OR_RETURN(config.page_size, node.GetOr<int64_t>("page_size", 0));
  STRATA_ASSIGN_OR_RETURN(config.offset_param, node.GetOr<std::string>("offset_param", "offset"));
  STRATA_ASSIGN_OR_RETURN(config.limit_param, node.GetOr<std::string>("limit_param", "limit"));
  STRATA_ASSIGN_OR_RETURN(config.limit, node.GetOr<int64_t>("limit", 100));
  STRATA_ASSIGN_OR_RETURN(config.cursor_path, node.GetOr<std::string>("cursor_path", ""));
  STRATA_ASSIGN_OR_RETURN(config.cursor_param, node.GetOr<std::string>("cursor_param", "cursor"));
  if (config.kind == PaginationKind::kOffset && config.limit <= 0) {
    return node.Child("limit")->Error("must be positive");
  }
  if (config.kind == PaginationKind::kCursor && config.cursor_path.empty()) {
    return node.Error("needs 'cursor_path' (where the next cursor is in a response)");
  }
  return config;
}

nlohmann::json FirstPosition(const PaginationConfig& config) {
  switch (config.kind) {
    case PaginationKind::kPage:
      return {{"page", config.start_page}};
    case PaginationKind::kOffset:
      return {{"offset", 0}};
    default:
      return nlohmann::json::object();
  }
}

QueryParams ParamsForPosition(const PaginationConfig& config, const nlohmann::json& position) {
  QueryParams params;
  switch (config.kind) {
    case PaginationKind::kPage:
      params.emplace_back(config.page_param, std::to_string(position.value("page", int64_t{1})));
      if (!config.page_size_param.empty() && config.page_size > 0) {
        params.emplace_back(config.page_size_param, std::to_string(config.page_size));
      }
      break;
    case PaginationKind::kOffset:
      params.emplace_back(config.offset_param,
                          std::to_string(position.value("offset", int64_t{0})));
      params.emplace_back(config.limit_param, std::to_string(config.limit));
      break;
    case PaginationKind::kCursor:
      if (position.contains("cursor")) {
        params.emplace_back(config.cursor_param, position["cursor"].get<std::string>());
      }
      break;
    case PaginationKind::kLink:
    case PaginationKind::kNone:
      break;
  }
  return params;
}

std::optional<nlohmann::json> NextPosition(const PaginationConfig& config,
                                           const nlohmann::json& position,
                                           const HttpResponse& response, const nlohmann::json& page,
                                           size_t record_count, const std::string& request_url) {
  switch (config.kind) {
    case PaginationKind::kNone:
      return std::nullopt;
    case PaginationKind::kPage: {
      if (record_count == 0) return std::nullopt;
      int64_t current = position.value("page", config.start_page);
      if (!config.total_pages_path.empty()) {
        const nlohmann::json* total = JsonAtPath(page, config.total_pages_path);
        if (total != nullptr && total->is_number_integer() &&
            current - config.start_page + 1 >= total->get<int64_t>()) {
          return std::nullopt;
        }
      }
      return nlohmann::json{{"page", current + 1}};
    }
    case PaginationKind::kOffset: {
      if (static_cast<int64_t>(record_count) < config.limit) return std::nullopt;
      return nlohmann::json{
          {"offset", position.value("offset", int64_t{0}) + static_cast<int64_t>(record_count)}};
    }
    case PaginationKind::kCursor: {
      const nlohmann::json* next = JsonAtPath(page, config.cursor_path);
      if (next == nullptr || next->is_null()) return std::nullopt;
      std::string cursor = next->is_string() ? next->get<std::string>() : next->dump();
      if (cursor.empty()) return std::nullopt;
      return nlohmann::json{{"cursor", cursor}};
    }
    case PaginationKind::kLink: {
      auto it = response.headers.find("link");
      if (it == response.headers.end()) return std::nullopt;
      std::optional<std::string> target = NextLinkTarget(it->second);
      if (!target.has_value()) return std::nullopt;
      return nlohmann::json{{"url", ResolveAgainst(request_url, *target)}};
    }
  }
  return std::nullopt;
}

// Link = #link-value; link-value = "<" URI-Reference ">" *( ";" link-param )
// (RFC 8288 section 3). Commas may appear inside <...> and quoted strings, so
// the header is scanned, not split.
std::optional<std::string> NextLinkTarget(const std::string& header) {
  size_t i = 0;
  while (i < header.size()) {
    size_t open = header.find('<', i);
    if (open == std::string::npos) return std::nullopt;
    size_t close = header.find('>', open);
    if (close == std::string::npos) return std::nullopt;
    std::string target = header.substr(open + 1, close - open - 1);
    // Parameters run to the next comma outside quotes.
    size_t j = close + 1;
    bool in_quotes = false;
    std::string params;
    for (; j < header.size(); ++j) {
      char c = header[j];
      if (c == '"') in_quotes = !in_quotes;
      if (c == ',' && !in_quotes) break;
      params += c;
    }
    i = j + 1;
    size_t start = 0;
    while (start < params.size()) {
      size_t semi = params.find(';', start);
      std::string param =
          Trim(params.substr(start, semi == std::string::npos ? std::string::npos : semi - start));
      start = semi == std::string::npos ? params.size() : semi + 1;
      size_t eq = param.find('=');
      if (eq == std::string::npos) continue;
      if (LowerCopy(Trim(param.substr(0, eq))) != "rel") continue;
      std::string value = Trim(param.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      // rel may hold several space-separated relation types.
      size_t pos = 0;
      value = LowerCopy(value);
      while (pos < value.size()) {
        size_t space = value.find(' ', pos);
        if (value.substr(pos, space == std::string::npos ? std::string::npos : space - pos) ==
            "next") {
          return target;
        }
        if (space == std::string::npos) break;
        pos = space + 1;
      }
    }
  }
  return std::nullopt;
}

}  // namespace strata::ingest
