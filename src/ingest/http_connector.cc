#include "ingest/http_connector.h"

#include <cstdio>

#include "common/logging.h"
#include "common/secret.h"
#include "ingest/file_formats.h"
#include "ingest/http_client.h"
#include "ingest/http_pagination.h"
#include "ingest/source_config.h"

namespace strata::ingest {
namespace {

constexpr size_t kMaxRawBytes = 64 * 1024;
constexpr size_t kBodySnippetBytes = 300;

enum class AuthType { kNone, kBearer, kBasic, kApiKey };

struct AuthConfig {
  AuthType type = AuthType::kNone;
  std::string token;      // bearer
  std::string user;       // basic
  std::string password;   // basic
  std::string key_name;   // api_key: header or query parameter name
  std::string key_value;  // api_key
  bool key_in_query = false;
};

struct StreamSettings {
  std::string path;
  QueryParams params;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string record_path;
  PaginationConfig pagination;
  std::string cursor_param;  // incremental: the query parameter the saved cursor goes to
};

// RFC 3986 unreserved characters stay; everything else is %XX.
std::string PercentEncode(std::string_view text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string AppendQuery(std::string url, const QueryParams& params) {
  for (const auto& [name, value] : params) {
    url += url.find('?') == std::string::npos ? '?' : '&';
    url += PercentEncode(name) + "=" + PercentEncode(value);
  }
  return url;
}

std::string CursorText(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

// Numbers compare as numbers, strings as strings (ISO 8601 timestamps sort
// correctly that way); mixed kinds fall back to their JSON text.
bool CursorGreater(const nlohmann::json& a, const nlohmann::json& b) {
  if (b.is_null()) return !a.is_null();
  if (a.is_null()) return false;
  if (a.is_number() && b.is_number()) return a.get<double>() > b.get<double>();
  if (a.is_string() && b.is_string()) return a.get<std::string>() > b.get<std::string>();
  return a.dump() > b.dump();
}

Result<std::vector<std::pair<std::string, std::string>>> ReadStringMap(const ConfigNode& node,
                                                                       std::string_view key) {
  std::vector<std::pair<std::string, std::string>> out;
  std::optional<ConfigNode> child = node.Find(key);
  if (!child.has_value() || child->IsNull()) return out;
  STRATA_ASSIGN_OR_RETURN(auto entries, child->Entries());
  for (const auto& [name, value] : entries) {
    STRATA_ASSIGN_OR_RETURN(std::string text, value.As<std::string>());
    out.emplace_back(name, std::move(text));
  }
  return out;
}

Result<AuthConfig> ParseAuth(const ConfigNode& settings, const std::string& base_dir) {
  AuthConfig auth;
  std::optional<ConfigNode> node = settings.Find("auth");
  if (!node.has_value() || node->IsNull()) return auth;
  STRATA_RETURN_IF_ERROR(
      node->CheckKnownKeys({"type", "token", "token_file", "user", "password", "password_file",
                            "name", "value", "value_file", "in"}));
  STRATA_ASSIGN_OR_RETURN(std::string type, node->Get<std::string>("type"));
  auto required = [&](std::string_view key) -> Result<std::string> {
    STRATA_ASSIGN_OR_RETURN(std::optional<std::string> secret, ReadSecret(*node, key, base_dir));
    if (!secret.has_value()) {
      return node->Error("needs '" + std::string(key) + "' (or '" + std::string(key) +
                         "_file') for auth type " + type);
    }
    return *secret;
  };
  if (type == "none") {
    auth.type = AuthType::kNone;
  } else if (type == "bearer") {
    auth.type = AuthType::kBearer;
    STRATA_ASSIGN_OR_RETURN(auth.token, required("token"));
  } else if (type == "basic") {
    auth.type = AuthType::kBasic;
    STRATA_ASSIGN_OR_RETURN(auth.user, node->Get<std::string>("user"));
    STRATA_ASSIGN_OR_RETURN(auth.password, required("password"));
  } else if (type == "api_key") {
    auth.type = AuthType::kApiKey;
    STRATA_ASSIGN_OR_RETURN(auth.key_name, node->Get<std::string>("name"));
    STRATA_ASSIGN_OR_RETURN(auth.key_value, required("value"));
    STRATA_ASSIGN_OR_RETURN(std::string in, node->GetOr<std::string>("in", "header"));
    if (in != "header" && in != "query") {
      return node->Child("in")->Error("must be 'header' or 'query'");
    }
    auth.key_in_query = in == "query";
  } else {
    return node->Child("type")->Error("must be one of none, bearer, basic, api_key; got '" + type +
                                      "'");
  }
  return auth;
}

Result<HttpClientOptions> ParseClientOptions(const ConfigNode& settings) {
  HttpClientOptions options;
  STRATA_ASSIGN_OR_RETURN(double timeout, settings.GetOr<double>("timeout_seconds", 60));
  STRATA_ASSIGN_OR_RETURN(double connect, settings.GetOr<double>("connect_timeout_seconds", 10));
  STRATA_ASSIGN_OR_RETURN(options.requests_per_second,
                          settings.GetOr<double>("requests_per_second", 0));
  options.timeout_micros = static_cast<int64_t>(timeout * 1e6);
  options.connect_timeout_micros = static_cast<int64_t>(connect * 1e6);
  if (std::optional<ConfigNode> retries = settings.Find("retries");
      retries.has_value() && !retries->IsNull()) {
    STRATA_RETURN_IF_ERROR(retries->CheckKnownKeys(
        {"max_attempts", "initial_backoff_ms", "max_backoff_ms", "max_elapsed_seconds"}));
    STRATA_ASSIGN_OR_RETURN(options.retry.max_attempts, retries->GetOr<int>("max_attempts", 5));
    STRATA_ASSIGN_OR_RETURN(int64_t initial, retries->GetOr<int64_t>("initial_backoff_ms", 500));
    STRATA_ASSIGN_OR_RETURN(int64_t max, retries->GetOr<int64_t>("max_backoff_ms", 30'000));
    STRATA_ASSIGN_OR_RETURN(double elapsed, retries->GetOr<double>("max_elapsed_seconds", 300));
    options.retry.initial_backoff_micros = initial * 1000;
    options.retry.max_backoff_micros = max * 1000;
    options.retry.max_elapsed_micros = static_cast<int64_t>(elapsed * 1e6);
  }
  return options;
}

class HttpConnector : public Connector {
 public:
  HttpConnector(SourceConfig source, std::string base_url, AuthConfig auth,
                std::unique_ptr<HttpClient> client)
      : source_(std::move(source)),
        base_url_(std::move(base_url)),
        auth_(std::move(auth)),
        client_(std::move(client)) {}

  Status Check() override;
  Status Read(const StreamConfig& stream, const nlohmann::json& state, BatchSink& sink) override;

 private:
  // A page staged but not committed yet: it is committed once the next page
  // shows whether it was the last (which decides its state).
  struct PendingBatch {
    std::string spool;
    std::string url;  // the page's URL, secrets redacted
    int64_t rows = 0;
    int64_t bytes = 0;
    nlohmann::json next_position;
    nlohmann::json max_cursor;
  };

  Result<StreamSettings> SettingsFor(const StreamConfig& stream) const;
  HttpRequest RequestFor(const StreamSettings& settings, const nlohmann::json& position,
                         const nlohmann::json& cursor) const;
  // The response of `request` when 2xx; a clear, redacted error otherwise.
  Result<HttpResponse> Fetch(const HttpRequest& request);

  SourceConfig source_;
  std::string base_url_;
  AuthConfig auth_;
  std::unique_ptr<HttpClient> client_;
};

Result<StreamSettings> HttpConnector::SettingsFor(const StreamConfig& stream) const {
  StreamSettings out;
  const ConfigNode& own = stream.settings;
  STRATA_ASSIGN_OR_RETURN(out.path, own.GetOr<std::string>("path", "/" + stream.name));
  STRATA_ASSIGN_OR_RETURN(out.params, ReadStringMap(source_.settings, "params"));
  STRATA_ASSIGN_OR_RETURN(auto stream_params, ReadStringMap(own, "params"));
  out.params.insert(out.params.end(), stream_params.begin(), stream_params.end());
  STRATA_ASSIGN_OR_RETURN(out.headers, ReadStringMap(source_.settings, "headers"));
  STRATA_ASSIGN_OR_RETURN(auto stream_headers, ReadStringMap(own, "headers"));
  out.headers.insert(out.headers.end(), stream_headers.begin(), stream_headers.end());
  STRATA_ASSIGN_OR_RETURN(std::string source_record_path,
                          source_.settings.GetOr<std::string>("record_path", ""));
  STRATA_ASSIGN_OR_RETURN(out.record_path,
                          own.GetOr<std::string>("record_path", source_record_path));
  std::optional<ConfigNode> pagination = own.Find("pagination");
  if (!pagination.has_value()) pagination = source_.settings.Find("pagination");
  if (pagination.has_value()) {
    STRATA_ASSIGN_OR_RETURN(out.pagination, ParsePagination(*pagination));
  }
  STRATA_ASSIGN_OR_RETURN(out.cursor_param, own.GetOr<std::string>("cursor_param", ""));
  if (stream.sync == SyncMode::kIncremental && stream.cursor_field.empty()) {
    return own.Error(
        "is incremental but has no 'cursor' (the record field whose max is "
        "saved)");
  }
  return out;
}

HttpRequest HttpConnector::RequestFor(const StreamSettings& settings,
                                      const nlohmann::json& position,
                                      const nlohmann::json& cursor) const {
  HttpRequest request;
  QueryParams params;
  if (position.contains("url")) {
    request.url = position["url"].get<std::string>();
  } else {
    request.url = settings.path.find("://") != std::string::npos
                      ? settings.path
                      : base_url_ + (settings.path.starts_with("/") ? "" : "/") + settings.path;
    params = settings.params;
    if (!settings.cursor_param.empty() && !cursor.is_null()) {
      params.emplace_back(settings.cursor_param, CursorText(cursor));
    }
    QueryParams page = ParamsForPosition(settings.pagination, position);
    params.insert(params.end(), page.begin(), page.end());
  }
  if (auth_.type == AuthType::kApiKey && auth_.key_in_query &&
      request.url.find(PercentEncode(auth_.key_name) + "=") == std::string::npos) {
    params.emplace_back(auth_.key_name, auth_.key_value);
  }
  request.url = AppendQuery(request.url, params);
  request.headers = settings.headers;
  request.headers.emplace_back("Accept", "application/json");
  switch (auth_.type) {
    case AuthType::kBearer:
      request.headers.emplace_back("Authorization", "Bearer " + auth_.token);
      break;
    case AuthType::kBasic:
      request.user = auth_.user;
      request.password = auth_.password;
      break;
    case AuthType::kApiKey:
      if (!auth_.key_in_query) request.headers.emplace_back(auth_.key_name, auth_.key_value);
      break;
    case AuthType::kNone:
      break;
  }
  return request;
}

// What the user can do about a non-2xx answer (401/403 and retried ones
// aside).
std::string NextStepForStatus(int status) {
  if (status == 404 || status == 410) {
    return "no such resource; check the stream's 'path' and the source's 'base_url'";
  }
  if (status == 400 || status == 422) {
    return "the API rejected the request; check the 'params' and 'headers' of the source and "
           "stream (and, for incremental streams, the cursor value in the stream state)";
  }
  if (status == 405) return "method not allowed; check that 'path' names a readable list endpoint";
  if (status >= 500) return "the server failed; try again later or ask the API's operator";
  return "the API refused the request; see its response below and the API's documentation";
}

Result<HttpResponse> HttpConnector::Fetch(const HttpRequest& request) {
  Result<HttpResponse> response = client_->Get(request);
  if (!response.ok()) {
    return RedactStatus(response.status().WithContext("source '" + source_.name + "'"));
  }
  const int status = response->status;
  if (status >= 200 && status < 300) return response;
  std::string where = "source '" + source_.name + "': GET " + RedactSecrets(request.url) +
                      " returned HTTP " + std::to_string(status);
  std::string body = RedactSecrets(response->body.substr(0, kBodySnippetBytes));
  if (status == 401 || status == 403) {
    return Status::PermissionDenied(
        where +
        ": the server refused the credentials (expired or wrong token/key, or missing "
        "permission); check 'auth' of the source. Response: " +
        body);
  }
  return Status::InvalidArgument(where + ": " + NextStepForStatus(status) + ". Response: " + body);
}

Status HttpConnector::Check() {
  if (source_.streams.empty()) return Status::OK();
  STRATA_ASSIGN_OR_RETURN(StreamSettings settings, SettingsFor(source_.streams.front()));
  HttpRequest request = RequestFor(settings, FirstPosition(settings.pagination), nullptr);
  Result<HttpResponse> response = Fetch(request);
  if (!response.ok() && response.status().code() == StatusCode::kInvalidArgument) {
    return Status::Unavailable(response.status().message());
  }
  return response.status();
}

Status HttpConnector::Read(const StreamConfig& stream, const nlohmann::json& state,
                           BatchSink& sink) {
  STRATA_ASSIGN_OR_RETURN(StreamSettings settings, SettingsFor(stream));
  const bool incremental = stream.sync == SyncMode::kIncremental;
  // `cursor` is what this run asks the API for; it stays fixed for the whole
  // run (also across a resume) so every page answers the same question.
  nlohmann::json cursor = state.is_object() ? state.value("cursor", nlohmann::json()) : nullptr;
  nlohmann::json max_cursor =
      state.is_object() ? state.value("max_cursor", cursor) : nlohmann::json();
  const bool resuming = state.is_object() && state.contains("next");
  nlohmann::json position = resuming ? state["next"] : FirstPosition(settings.pagination);

  bool committed_any = false;
  int64_t rows_total = 0;
  int64_t bytes_total = 0;
  std::optional<PendingBatch> pending;

  // ISO-8601 strings land as DATE / TIMESTAMP / TIMESTAMPTZ the way the files
  // connector types NDJSON: decided by the first page with values for a
  // field, then kept in the state, so every page and run agrees.
  STRATA_ASSIGN_OR_RETURN(
      files::JsonFieldTypes json_types,
      files::JsonFieldTypes::FromState(
          stream.sync == SyncMode::kFullRefresh && !resuming ? nlohmann::json() : state));

  auto commit = [&](PendingBatch batch, bool last) -> Status {
    engine::Connection& conn = sink.connection();
    STRATA_ASSIGN_OR_RETURN(files::StagedFile page, files::StageNdjson(conn, batch.spool, batch.url,
                                                                       /*slot=*/0, &json_types));
    for (BadRecord& record : page.bad_records) record.stream = stream.name;
    if (!page.bad_records.empty()) {
      STRATA_RETURN_IF_ERROR(sink.Quarantine(std::move(page.bad_records)));
    }
    if (!page.has_rows) {
      // Only empty objects: no column to write. The state moves with the
      // next page that has some (a run ending here fetches this page again).
      for (const std::string& sql : page.cleanup_sql) (void)conn.Execute(sql);
      return sink.file_system().DeleteFile(batch.spool);
    }
    StagedBatch staged;
    staged.query = "SELECT * EXCLUDE (_strata_file, _strata_row) FROM (" + page.query + ")";
    nlohmann::json after = nlohmann::json::object();
    if (incremental) {
      nlohmann::json final_cursor =
          CursorGreater(batch.max_cursor, cursor) ? batch.max_cursor : cursor;
      after["cursor"] = last ? final_cursor : cursor;
      if (!last) after["max_cursor"] = batch.max_cursor;
    }
    if (!last) after["next"] = batch.next_position;
    after["json_types"] = json_types.ToJson();
    staged.state_after = std::move(after);
    staged.source_bytes = batch.bytes;
    staged.replace_table = stream.sync == SyncMode::kFullRefresh && !resuming && !committed_any;
    staged.spool_files.push_back(batch.spool);
    Result<BatchCommit> result = sink.Commit(std::move(staged));
    for (const std::string& sql : page.cleanup_sql) (void)conn.Execute(sql);
    if (!result.ok()) return result.status();
    committed_any = true;
    rows_total += result->rows;
    sink.Progress(rows_total, bytes_total);
    return Status::OK();
  };

  for (int64_t page_number = 1;; ++page_number) {
    if (sink.Cancelled()) return Status::Aborted("stream '" + stream.name + "' cancelled");
    HttpRequest request = RequestFor(settings, position, incremental ? cursor : nullptr);
    STRATA_ASSIGN_OR_RETURN(HttpResponse response, Fetch(request));
    bytes_total += static_cast<int64_t>(response.body.size());
    const std::string shown_url = RedactSecrets(request.url);
    STRATA_LOG(DEBUG).Field("source", source_.name).Field("stream", stream.name)
        << "GET " << shown_url << " -> " << response.status << " (" << response.body.size()
        << " bytes)";

    nlohmann::json page = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
    if (page.is_discarded()) {
      return Status::Corruption(
          "source '" + source_.name + "': GET " + shown_url +
          " did not return JSON (an HTML page is often a login, maintenance or error page; "
          "check 'base_url' and the stream's 'path'): " +
          RedactSecrets(response.body.substr(0, kBodySnippetBytes)));
    }
    const nlohmann::json* records =
        settings.record_path.empty() ? &page : JsonAtPath(page, settings.record_path);
    static const nlohmann::json kNoRecords = nlohmann::json::array();
    if (records == nullptr || records->is_null()) records = &kNoRecords;
    if (!records->is_array()) {
      return Status::InvalidArgument(
          "source '" + source_.name + "': GET " + shown_url + ": the records at '" +
          (settings.record_path.empty() ? std::string("(root)") : settings.record_path) +
          "' are a " + records->type_name() + ", not an array; set 'record_path'");
    }

    // Stage the page's object records; anything else is quarantined.
    std::string spool =
        JoinPath(sink.staging_dir(), stream.name + "-" + std::to_string(page_number) + ".ndjson");
    STRATA_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file,
                            sink.file_system().OpenForWrite(spool));
    std::vector<BadRecord> bad;
    int64_t good = 0;
    std::string line;
    for (size_t i = 0; i < records->size(); ++i) {
      const nlohmann::json& record = (*records)[i];
      if (!record.is_object()) {
        bad.push_back({stream.name, shown_url, static_cast<int64_t>(i + 1),
                       RedactSecrets(record.dump().substr(0, kMaxRawBytes)),
                       std::string("record is a JSON ") + record.type_name() + ", not an object"});
        continue;
      }
      if (incremental) {
        auto it = record.find(stream.cursor_field);
        if (it != record.end() && CursorGreater(*it, max_cursor)) max_cursor = *it;
      }
      line = record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      line += '\n';
      STRATA_RETURN_IF_ERROR(file->Append(line));
      ++good;
    }
    STRATA_RETURN_IF_ERROR(file->Close());
    if (!bad.empty()) STRATA_RETURN_IF_ERROR(sink.Quarantine(std::move(bad)));

    std::optional<nlohmann::json> next =
        NextPosition(settings.pagination, position, response, page, records->size(), request.url);
    if (good > 0) {
      if (pending.has_value()) STRATA_RETURN_IF_ERROR(commit(std::move(*pending), false));
      pending = PendingBatch{spool,
                             shown_url,
                             good,
                             static_cast<int64_t>(response.body.size()),
                             next.value_or(nlohmann::json()),
                             max_cursor};
    } else {
      STRATA_RETURN_IF_ERROR(sink.file_system().DeleteFile(spool));
    }
    if (!next.has_value()) break;
    if (*next == position) {
      return Status::Corruption("source '" + source_.name + "': GET " + shown_url +
                                " points to itself as the next page; stopping to avoid a loop");
    }
    position = std::move(*next);
  }
  if (pending.has_value()) return commit(std::move(*pending), true);
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<Connector>> MakeHttpConnector(const SourceConfig& source, Clock* clock) {
  STRATA_RETURN_IF_ERROR(source.settings.CheckKnownKeys(WithFrameworkKeys(
      kSourceKeys,
      {"base_url", "headers", "params", "auth", "pagination", "record_path", "requests_per_second",
       "timeout_seconds", "connect_timeout_seconds", "retries"})));
  for (const StreamConfig& stream : source.streams) {
    STRATA_RETURN_IF_ERROR(stream.settings.CheckKnownKeys(WithFrameworkKeys(
        kStreamKeys, {"path", "params", "headers", "record_path", "pagination", "cursor_param"})));
  }
  STRATA_ASSIGN_OR_RETURN(std::string base_url, source.settings.GetOr<std::string>("base_url", ""));
  while (base_url.ends_with("/")) base_url.pop_back();
  if (base_url.empty()) {
    bool every_path_absolute = !source.streams.empty();
    for (const StreamConfig& stream : source.streams) {
      std::optional<ConfigNode> path = stream.settings.Find("path");
      Result<std::string> text =
          path.has_value() ? path->As<std::string>() : Result<std::string>("");
      if (!text.ok() || text->find("://") == std::string::npos) every_path_absolute = false;
    }
    if (!every_path_absolute) {
      return source.settings.Error("needs 'base_url' (or an absolute URL as every stream's path)");
    }
  }
  STRATA_ASSIGN_OR_RETURN(AuthConfig auth, ParseAuth(source.settings, source.project_root));
  STRATA_ASSIGN_OR_RETURN(HttpClientOptions options, ParseClientOptions(source.settings));
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<HttpClient> client, HttpClient::Make(options, clock));
  auto connector = std::make_unique<HttpConnector>(source, std::move(base_url), std::move(auth),
                                                   std::move(client));
  // Fail on bad stream settings now rather than half-way through a run.
  for (const StreamConfig& stream : source.streams) {
    std::optional<ConfigNode> pagination = stream.settings.Find("pagination");
    if (!pagination.has_value()) pagination = source.settings.Find("pagination");
    if (pagination.has_value()) STRATA_RETURN_IF_ERROR(ParsePagination(*pagination));
  }
  return std::unique_ptr<Connector>(std::move(connector));
}

void RegisterHttpConnector() {
  RegisterConnector("http", [](const SourceConfig& source) {
    return MakeHttpConnector(source, Clock::Default());
  });
}

}  // namespace strata::ingest
