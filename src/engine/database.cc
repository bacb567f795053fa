#include "engine/duckdb_bridge.h"
#include "engine/engine.h"

namespace strata::engine {

namespace {

// Frees a duckdb_config on scope exit.
struct ConfigOwner {
  duckdb_config config = nullptr;
  ~ConfigOwner() { duckdb_destroy_config(&config); }
};

Status SetOption(duckdb_config config, const std::string& name, const std::string& value) {
  if (duckdb_set_config(config, name.c_str(), value.c_str()) != DuckDBSuccess) {
    return Status::InvalidArgument("DuckDB rejected option " + name + "='" + value +
                                   "' (unknown option or bad value)");
  }
  return Status::OK();
}

}  // namespace

Database::Database(internal::ConstructionKey, DatabaseOptions options,
                   std::shared_ptr<internal::DatabaseHandle> handle)
    : options_(std::move(options)), handle_(std::move(handle)) {}

Database::~Database() = default;

Result<std::unique_ptr<Database>> Database::Open(const DatabaseOptions& options) {
  ConfigOwner config;
  if (duckdb_create_config(&config.config) != DuckDBSuccess) {
    return Status::Internal("duckdb_create_config failed");
  }
  if (options.threads < 0) {
    return Status::InvalidArgument("DatabaseOptions::threads must be >= 0, got " +
                                   std::to_string(options.threads));
  }
  if (options.threads > 0) {
    STRATA_RETURN_IF_ERROR(SetOption(config.config, "threads", std::to_string(options.threads)));
  }
  if (!options.memory_limit.empty()) {
    STRATA_RETURN_IF_ERROR(SetOption(config.config, "memory_limit", options.memory_limit));
  }
  if (options.read_only) {
    STRATA_RETURN_IF_ERROR(SetOption(config.config, "access_mode", "READ_ONLY"));
  }
  for (const auto& [name, value] : options.settings) {
    STRATA_RETURN_IF_ERROR(SetOption(config.config, name, value));
  }

  auto handle = std::make_shared<internal::DatabaseHandle>();
  char* error = nullptr;
  const char* path = options.path.empty() ? nullptr : options.path.c_str();
  if (duckdb_open_ext(path, &handle->db, config.config, &error) != DuckDBSuccess) {
    std::string message = error != nullptr ? error : "unknown error";
    duckdb_free(error);
    return internal::ErrorStatus(message).WithContext(
        "opening DuckDB database '" +
        (options.path.empty() ? std::string(":memory:") : options.path) + "'");
  }

  // One short-lived connection: learn the keywords (for type spelling) and set
  // the default session time zone for every later connection.
  duckdb_connection conn = nullptr;
  if (duckdb_connect(handle->db, &conn) != DuckDBSuccess) {
    return Status::Internal("could not connect to the freshly opened DuckDB database");
  }
  internal::LoadKeywords(conn);
  Status tz_status;
  if (!options.time_zone.empty()) {
    std::string sql = "SET GLOBAL TimeZone = " + QuoteLiteral(options.time_zone);
    duckdb_result result;
    if (duckdb_query(conn, sql.c_str(), &result) != DuckDBSuccess) {
      tz_status =
          internal::ErrorStatus(duckdb_result_error_type(&result), duckdb_result_error(&result));
    }
    duckdb_destroy_result(&result);
  }
  duckdb_disconnect(&conn);
  STRATA_RETURN_IF_ERROR(tz_status);
  return std::make_unique<Database>(internal::ConstructionKey(), options, std::move(handle));
}

}  // namespace strata::engine
