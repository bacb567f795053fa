#include "ingest/postgres_connector.h"

#include <map>
#include <memory>
#include <optional>

#include "common/secret.h"
#include "ingest/postgres_client.h"
#include "ingest/postgres_copy_source.h"
#include "ingest/postgres_types.h"
#include "ingest/source_config.h"

namespace strata::ingest {
namespace {

constexpr int64_t kDefaultBatchRows = 1'000'000;
constexpr int64_t kDefaultBatchBytes = 256LL << 20;

// Session settings that make PostgreSQL's text output the same whatever the
// server's or role's defaults: ISO dates, UTC offsets, exact floats, hex bytea.
constexpr const char* kSessionSettings =
    "SET client_encoding = 'UTF8'; SET DateStyle = 'ISO, YMD'; SET TimeZone = 'UTC'; "
    "SET extra_float_digits = 3; SET bytea_output = 'hex'; SET IntervalStyle = 'postgres'";

// Applies kSessionSettings. A SQL_ASCII database stores text bytes unchecked,
// and converting them to UTF-8 would fail the whole COPY at the first byte
// that is not UTF-8: such a server's bytes are taken as they are instead, and
// the decoder quarantines the rows whose text is not UTF-8.
Status ApplySessionSettings(PgConnection& conn) {
  STRATA_RETURN_IF_ERROR(conn.Execute(kSessionSettings));
  STRATA_ASSIGN_OR_RETURN(std::vector<PgRow> encoding, conn.Query("SHOW server_encoding"));
  if (!encoding.empty() && encoding[0][0].value_or("") == "SQL_ASCII") {
    return conn.Execute("SET client_encoding = 'SQL_ASCII'");
  }
  return Status::OK();
}

struct SourceColumn {
  std::string name;
  uint32_t type_oid = 0;
  int32_t type_modifier = -1;
  std::string type_name;  // format_type()
};

// What one stream reads: a relation or a query, as one SELECT's FROM.
struct StreamSource {
  std::string from;                   // `"schema"."table"` or `(query) AS q`
  std::string description;            // for messages: table 'public.t' / the query
  std::vector<SourceColumn> columns;  // every column the relation has
};

struct ReadPlan {
  StreamSource source;
  std::vector<PgColumnPlan> columns;   // selected, in order
  std::optional<SourceColumn> cursor;  // incremental only
  int64_t batch_rows = kDefaultBatchRows;
  int64_t batch_bytes = kDefaultBatchBytes;
};

class PostgresConnector : public Connector {
 public:
  PostgresConnector(SourceConfig source, PgConnectOptions connect)
      : source_(std::move(source)), connect_(std::move(connect)) {}

  Status Check() override {
    STRATA_ASSIGN_OR_RETURN(auto conn, PgConnection::Connect(connect_));
    for (const StreamConfig& stream : source_.streams) {
      STRATA_RETURN_IF_ERROR(ApplySessionSettings(*conn));
      STRATA_ASSIGN_OR_RETURN(ReadPlan plan, Plan(*conn, stream));
      (void)plan;
    }
    return Status::OK();
  }

  Status Read(const StreamConfig& stream, const nlohmann::json& state, BatchSink& sink) override {
    STRATA_ASSIGN_OR_RETURN(auto conn, PgConnection::Connect(connect_));
    STRATA_RETURN_IF_ERROR(ApplySessionSettings(*conn));
    // One snapshot for the catalog reads and the data: what is described is
    // what is copied, and a full refresh is a consistent image of the table.
    STRATA_RETURN_IF_ERROR(conn->Execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
    STRATA_ASSIGN_OR_RETURN(ReadPlan plan, Plan(*conn, stream));
    Status status = Copy(*conn, stream, plan, state, sink);
    if (!status.ok()) return RedactStatus(status.WithContext("stream '" + stream.name + "'"));
    return conn->Execute("COMMIT");
  }

 private:
  Result<ReadPlan> Plan(PgConnection& conn, const StreamConfig& stream);
  Result<StreamSource> ResolveTable(PgConnection& conn, const std::string& table);
  Result<StreamSource> ResolveQuery(PgConnection& conn, const std::string& query);
  Result<PgTypeInfo> LookupType(PgConnection& conn, uint32_t oid);
  Status Copy(PgConnection& conn, const StreamConfig& stream, const ReadPlan& plan,
              const nlohmann::json& state, BatchSink& sink);

  SourceConfig source_;
  PgConnectOptions connect_;
  std::map<uint32_t, PgTypeInfo> type_cache_;
};

Result<StreamSource> PostgresConnector::ResolveTable(PgConnection& conn, const std::string& table) {
  std::string schema = "public";
  std::string name = table;
  if (size_t dot = table.find('.'); dot != std::string::npos) {
    schema = table.substr(0, dot);
    name = table.substr(dot + 1);
  }
  STRATA_ASSIGN_OR_RETURN(
      std::vector<PgRow> found,
      conn.Query("SELECT c.oid::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                 "WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r','v','m','p','f')",
                 {schema, name}));
  if (found.empty()) {
    return Status::NotFound("table '" + schema + "." + name + "' not found in PostgreSQL at " +
                            conn.where() +
                            ": check the stream's `table` (schema.name, case-sensitive) and that "
                            "the user may see it");
  }
  STRATA_ASSIGN_OR_RETURN(
      std::vector<PgRow> rows,
      conn.Query("SELECT attname, atttypid::text, atttypmod::text, format_type(atttypid, "
                 "atttypmod) FROM pg_attribute WHERE attrelid = $1::oid AND attnum > 0 AND NOT "
                 "attisdropped ORDER BY attnum",
                 {*found[0][0]}));
  StreamSource source;
  source.from = conn.Identifier(schema) + "." + conn.Identifier(name);
  source.description = "table '" + schema + "." + name + "'";
  for (const PgRow& row : rows) {
    source.columns.push_back({*row[0], static_cast<uint32_t>(std::stoul(*row[1])),
                              static_cast<int32_t>(std::stol(*row[2])), *row[3]});
  }
  return source;
}

Result<StreamSource> PostgresConnector::ResolveQuery(PgConnection& conn, const std::string& query) {
  STRATA_ASSIGN_OR_RETURN(std::vector<PgResultColumn> described, conn.Describe(query));
  StreamSource source;
  source.from = "(" + query + ") AS strata_query";
  source.description = "the stream's query";
  for (const PgResultColumn& c : described) {
    STRATA_ASSIGN_OR_RETURN(
        std::vector<PgRow> name,
        conn.Query("SELECT format_type($1::oid, $2::int)",
                   {std::to_string(c.type_oid), std::to_string(c.type_modifier)}));
    source.columns.push_back({c.name, c.type_oid, c.type_modifier, name[0][0].value_or("")});
  }
  return source;
}

Result<PgTypeInfo> PostgresConnector::LookupType(PgConnection& conn, uint32_t oid) {
  if (auto it = type_cache_.find(oid); it != type_cache_.end()) return it->second;
  STRATA_ASSIGN_OR_RETURN(
      std::vector<PgRow> rows,
      conn.Query("SELECT format_type(oid, NULL), typtype, typcategory, typelem::text, "
                 "typbasetype::text, typtypmod::text FROM pg_type WHERE oid = $1::oid",
                 {std::to_string(oid)}));
  if (rows.empty()) return Status::NotFound("PostgreSQL type oid " + std::to_string(oid));
  PgTypeInfo info;
  info.oid = oid;
  info.name = rows[0][0].value_or("");
  info.type_kind = rows[0][1].value_or("b")[0];
  info.category = rows[0][2].value_or("U")[0];
  info.element = static_cast<uint32_t>(std::stoul(rows[0][3].value_or("0")));
  info.base = static_cast<uint32_t>(std::stoul(rows[0][4].value_or("0")));
  info.base_modifier = static_cast<int32_t>(std::stol(rows[0][5].value_or("-1")));
  type_cache_[oid] = info;
  return info;
}

Result<int64_t> PositiveSetting(const ConfigNode& stream, const ConfigNode& source, const char* key,
                                int64_t fallback) {
  STRATA_ASSIGN_OR_RETURN(int64_t value, source.GetOr<int64_t>(key, fallback));
  STRATA_ASSIGN_OR_RETURN(value, stream.GetOr<int64_t>(key, value));
  if (value < 1) return stream.Error(std::string("`") + key + "` must be at least 1");
  return value;
}

Result<ReadPlan> PostgresConnector::Plan(PgConnection& conn, const StreamConfig& stream) {
  const ConfigNode& settings = stream.settings;
  ReadPlan plan;
  STRATA_ASSIGN_OR_RETURN(std::string table, settings.GetOr<std::string>("table", ""));
  STRATA_ASSIGN_OR_RETURN(std::string query, settings.GetOr<std::string>("query", ""));
  if (table.empty() == query.empty()) {
    return Status::InvalidArgument("postgres stream '" + stream.name +
                                   "': give exactly one of `table: schema.name` or `query:`");
  }
  if (!table.empty()) {
    STRATA_ASSIGN_OR_RETURN(plan.source, ResolveTable(conn, table));
  } else {
    STRATA_ASSIGN_OR_RETURN(plan.source, ResolveQuery(conn, query));
  }
  STRATA_ASSIGN_OR_RETURN(plan.batch_rows, PositiveSetting(settings, source_.settings, "batch_rows",
                                                           kDefaultBatchRows));
  STRATA_ASSIGN_OR_RETURN(plan.batch_bytes, PositiveSetting(settings, source_.settings,
                                                            "batch_bytes", kDefaultBatchBytes));
  std::string known;
  for (const SourceColumn& c : plan.source.columns) known += (known.empty() ? "" : ", ") + c.name;
  auto find_column = [&](const std::string& name) -> const SourceColumn* {
    for (const SourceColumn& c : plan.source.columns) {
      if (c.name == name) return &c;
    }
    return nullptr;
  };
  std::vector<const SourceColumn*> selected;
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> wanted,
                          settings.GetOr<std::vector<std::string>>("columns", {}));
  if (wanted.empty()) {
    for (const SourceColumn& c : plan.source.columns) selected.push_back(&c);
  }
  for (const std::string& name : wanted) {
    const SourceColumn* column = find_column(name);
    if (column == nullptr) {
      return Status::InvalidArgument("postgres stream '" + stream.name + "': column '" + name +
                                     "' is not in " + plan.source.description +
                                     " (columns: " + known + "); fix `columns`");
    }
    selected.push_back(column);
  }
  for (const SourceColumn* column : selected) {
    STRATA_ASSIGN_OR_RETURN(PgColumnPlan column_plan,
                            PlanPgColumn(column->name, column->type_oid, column->type_modifier,
                                         [&](uint32_t oid) { return LookupType(conn, oid); }));
    plan.columns.push_back(std::move(column_plan));
  }
  if (stream.sync == SyncMode::kIncremental) {
    if (stream.cursor_field.empty()) {
      return Status::InvalidArgument("postgres stream '" + stream.name +
                                     "': incremental sync needs `cursor: <column>`");
    }
    const SourceColumn* cursor = find_column(stream.cursor_field);
    if (cursor == nullptr) {
      return Status::InvalidArgument(
          "postgres stream '" + stream.name + "': cursor column '" + stream.cursor_field +
          "' is not in " + plan.source.description + " (columns: " + known + "); fix `cursor`");
    }
    plan.cursor = *cursor;
  }
  return plan;
}

Status PostgresConnector::Copy(PgConnection& conn, const StreamConfig& stream, const ReadPlan& plan,
                               const nlohmann::json& state, BatchSink& sink) {
  const bool incremental = plan.cursor.has_value();
  std::string select = "SELECT ";
  std::string cursor_ref;
  if (incremental) {
    cursor_ref = conn.Identifier(plan.cursor->name);
    select += cursor_ref + "::text AS strata_cursor_text, ";
  }
  for (size_t i = 0; i < plan.columns.size(); ++i) {
    if (i > 0) select += ", ";
    select += ExpandColumnTemplate(plan.columns[i].pg_expr, conn.Identifier(plan.columns[i].name));
  }
  if (plan.columns.empty()) return Status::InvalidArgument("the stream selects no columns");
  select += " FROM " + plan.source.from;
  std::optional<std::string> saved_cursor;
  if (incremental) {
    if (state.is_object() && state.contains("cursor") && state["cursor"].is_string()) {
      if (state.value("cursor_field", plan.cursor->name) != plan.cursor->name) {
        return Status::InvalidArgument("the saved state is for cursor column '" +
                                       state.value("cursor_field", "") + "', not '" +
                                       plan.cursor->name + "': run a full refresh to start over");
      }
      saved_cursor = state["cursor"].get<std::string>();
    }
    // Rows with a NULL cursor are never picked: they cannot be ordered.
    select += " WHERE " + cursor_ref + " IS NOT NULL";
    if (saved_cursor) {
      select += " AND " + cursor_ref + " > " + conn.Literal(*saved_cursor) +
                "::" + plan.cursor->type_name;
    }
    select += " ORDER BY " + cursor_ref;
  }
  const bool full_refresh = stream.sync == SyncMode::kFullRefresh;
  STRATA_RETURN_IF_ERROR(conn.StartCopyOut("COPY (" + select + ") TO STDOUT (FORMAT binary)"));

  // The bronze writer's query reads the COPY through a table source: each
  // chunk DuckDB pulls is decoded from the socket as it arrives.
  RowBatching batching;
  batching.leading_cursor = incremental;
  batching.batch_rows = plan.batch_rows;
  batching.batch_bytes = plan.batch_bytes;
  batching.stream = stream.name;
  batching.description = plan.source.description;
  auto source = std::make_shared<PgCopySource>(conn, plan.columns, std::move(batching));
  std::string select_list = "SELECT ";
  for (size_t i = 0; i < plan.columns.size(); ++i) {
    const PgColumnPlan& c = plan.columns[i];
    const std::string name = engine::QuoteIdentifier(c.name);
    if (i > 0) select_list += ", ";
    select_list +=
        c.duck_expr == "$" ? name : ExpandColumnTemplate(c.duck_expr, name) + " AS " + name;
  }
  return CommitRowBatches(sink, source, select_list, full_refresh,
                          incremental ? plan.cursor->name : "", saved_cursor.value_or(""));
}

Result<std::string> StringSetting(const ConfigNode& settings, const char* key) {
  return settings.GetOr<std::string>(key, "");
}

}  // namespace

Result<std::unique_ptr<Connector>> MakePostgresConnector(const SourceConfig& source) {
  const ConfigNode& s = source.settings;
  STRATA_RETURN_IF_ERROR(s.CheckKnownKeys(WithFrameworkKeys(
      kSourceKeys, {"host", "port", "user", "password", "password_file", "database", "sslmode",
                    "dsn", "url", "connect_timeout", "batch_rows", "batch_bytes", "options"})));
  PgConnectOptions connect;
  STRATA_ASSIGN_OR_RETURN(std::string dsn, StringSetting(s, "dsn"));
  STRATA_ASSIGN_OR_RETURN(std::string url, StringSetting(s, "url"));
  if (!dsn.empty() && !url.empty()) {
    return Status::InvalidArgument("source '" + source.name + "': give `dsn` or `url`, not both");
  }
  connect.dsn = dsn.empty() ? url : dsn;
  for (const auto& [key, param] :
       std::vector<std::pair<const char*, const char*>>{{"host", "host"},
                                                        {"port", "port"},
                                                        {"user", "user"},
                                                        {"database", "dbname"},
                                                        {"sslmode", "sslmode"},
                                                        {"options", "options"}}) {
    STRATA_ASSIGN_OR_RETURN(std::string value, StringSetting(s, key));
    if (!value.empty()) connect.params[param] = value;
  }
  STRATA_ASSIGN_OR_RETURN(std::string timeout, StringSetting(s, "connect_timeout"));
  connect.params["connect_timeout"] = timeout.empty() ? "10" : timeout;
  connect.params["application_name"] = "strata";
  STRATA_ASSIGN_OR_RETURN(std::optional<std::string> password,
                          ReadSecret(s, "password", source.project_root));
  if (password) connect.params["password"] = *password;
  if (connect.dsn.empty() && !connect.params.count("host")) {
    return Status::InvalidArgument("source '" + source.name +
                                   "' (postgres): give `host` (and port, user, database) or a "
                                   "`dsn`/`url`");
  }
  return std::unique_ptr<Connector>(new PostgresConnector(source, std::move(connect)));
}

void RegisterPostgresConnector() { RegisterConnector("postgres", &MakePostgresConnector); }

}  // namespace strata::ingest
