#include "ingest/mysql_connector.h"

#include <mysql.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "common/secret.h"
#include "common/utf8.h"
#include "ingest/row_source.h"
#include "ingest/source_config.h"
#include "ingest/text_values.h"

namespace strata::ingest {
namespace {

constexpr int64_t kDefaultBatchRows = 1'000'000;
constexpr int64_t kDefaultBatchBytes = 256LL << 20;
constexpr unsigned kBinaryCharset = 63;

// Server error numbers (mysqld_error.h / errmsg.h), stable across versions.
constexpr unsigned kAccessDenied = 1045;
constexpr unsigned kBadDatabase = 1049;
constexpr unsigned kNoSuchTable = 1146;
constexpr unsigned kBadField = 1054;

struct ConnectSettings {
  std::string host = "127.0.0.1";
  unsigned port = 3306;
  std::string user;
  std::optional<std::string> password;
  std::string database;
  std::string socket;
  unsigned connect_timeout = 10;
};

// How a field's bytes become the table source's value.
enum class FieldWrite {
  kText,    // the text, as VARCHAR
  kNumber,  // the number's text parsed into its type (text_values.h)
  kHex,     // binary bytes, as BLOB
  kBits,    // a BIT(n) field's big-endian bytes, as UBIGINT
  kDate,    // a date or datetime; MySQL's zero dates ('0000-00-00') become NULL
};

struct MyColumn {
  std::string name;
  engine::LogicalType type;  // what the table source writes
  std::string duck_expr;     // over the written value ($) giving the bronze type
  FieldWrite write = FieldWrite::kText;
};

MyColumn MapField(const MYSQL_FIELD& f) {
  using engine::LogicalType;
  using engine::TypeId;
  const bool is_unsigned = (f.flags & UNSIGNED_FLAG) != 0;
  const LogicalType varchar(TypeId::kVarchar);
  auto cast = [&](const std::string& type, FieldWrite write = FieldWrite::kText) {
    return MyColumn{f.name, varchar, type == "VARCHAR" ? "$" : "CAST($ AS " + type + ")", write};
  };
  auto number = [&](LogicalType type) {
    return MyColumn{f.name, std::move(type), "$", FieldWrite::kNumber};
  };
  auto integer = [&](TypeId signed_type, TypeId unsigned_type) {
    return number(LogicalType(is_unsigned ? unsigned_type : signed_type));
  };
  auto direct = [&](const std::string& type) { return cast(type); };
  switch (f.type) {
    case MYSQL_TYPE_TINY:
      return integer(TypeId::kTinyInt, TypeId::kUTinyInt);
    case MYSQL_TYPE_SHORT:
      return integer(TypeId::kSmallInt, TypeId::kUSmallInt);
    case MYSQL_TYPE_INT24:
    case MYSQL_TYPE_LONG:
      return integer(TypeId::kInteger, TypeId::kUInteger);
    case MYSQL_TYPE_LONGLONG:
      return integer(TypeId::kBigInt, TypeId::kUBigInt);
    case MYSQL_TYPE_YEAR:
      return number(LogicalType(TypeId::kSmallInt));
    case MYSQL_TYPE_FLOAT:
      return number(LogicalType(TypeId::kFloat));
    case MYSQL_TYPE_DOUBLE:
      return number(LogicalType(TypeId::kDouble));
    case MYSQL_TYPE_DECIMAL:
    case MYSQL_TYPE_NEWDECIMAL: {
      int64_t precision =
          static_cast<int64_t>(f.length) - (f.decimals > 0 ? 1 : 0) - (is_unsigned ? 0 : 1);
      if (precision < 1 || precision > 38 || f.decimals > precision) return cast("DOUBLE");
      return number(
          LogicalType::Decimal(static_cast<uint8_t>(precision), static_cast<uint8_t>(f.decimals)));
    }
    case MYSQL_TYPE_DATE:
    case MYSQL_TYPE_NEWDATE:
      return cast("DATE", FieldWrite::kDate);
    case MYSQL_TYPE_DATETIME:
    case MYSQL_TYPE_DATETIME2:
      return cast("TIMESTAMP", FieldWrite::kDate);
    case MYSQL_TYPE_TIMESTAMP:
    case MYSQL_TYPE_TIMESTAMP2:
      return MyColumn{f.name, varchar, "CAST($ || '+00' AS TIMESTAMPTZ)", FieldWrite::kDate};
    case MYSQL_TYPE_TIME:
    case MYSQL_TYPE_TIME2:
      return cast("TIME");
    case MYSQL_TYPE_BIT:
      return MyColumn{f.name, LogicalType(TypeId::kUBigInt), "$", FieldWrite::kBits};
    case MYSQL_TYPE_JSON:
      return cast("JSON");
    case MYSQL_TYPE_GEOMETRY:
      return MyColumn{f.name, LogicalType(TypeId::kBlob), "$", FieldWrite::kHex};
    case MYSQL_TYPE_TINY_BLOB:
    case MYSQL_TYPE_MEDIUM_BLOB:
    case MYSQL_TYPE_LONG_BLOB:
    case MYSQL_TYPE_BLOB:
    case MYSQL_TYPE_VARCHAR:
    case MYSQL_TYPE_VAR_STRING:
    case MYSQL_TYPE_STRING:
      if (f.charsetnr == kBinaryCharset && (f.flags & (ENUM_FLAG | SET_FLAG)) == 0) {
        return MyColumn{f.name, LogicalType(TypeId::kBlob), "$", FieldWrite::kHex};
      }
      return direct("VARCHAR");
    default:
      return direct("VARCHAR");
  }
}

class MySqlConnection {
 public:
  static Result<std::unique_ptr<MySqlConnection>> Connect(const ConnectSettings& s) {
    std::unique_ptr<MySqlConnection> conn(new MySqlConnection());
    conn->where_ =
        (s.socket.empty() ? s.host + ":" + std::to_string(s.port) : s.socket) + "/" + s.database;
    conn->mysql_ = mysql_init(nullptr);
    if (conn->mysql_ == nullptr) return Status::Internal("mysql_init failed");
    mysql_options(conn->mysql_, MYSQL_OPT_CONNECT_TIMEOUT, &s.connect_timeout);
    mysql_options(conn->mysql_, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    if (mysql_real_connect(conn->mysql_, s.socket.empty() ? s.host.c_str() : nullptr,
                           s.user.c_str(), s.password ? s.password->c_str() : nullptr,
                           s.database.empty() ? nullptr : s.database.c_str(), s.port,
                           s.socket.empty() ? nullptr : s.socket.c_str(), 0) == nullptr) {
      unsigned code = mysql_errno(conn->mysql_);
      std::string message = mysql_error(conn->mysql_);
      Status status;
      if (code == kAccessDenied) {
        status = Status::PermissionDenied(
            "MySQL at " + conn->where_ + " rejected user '" + s.user +
            "': check `user` and `password` (server said: " + message + ")");
      } else if (code == kBadDatabase) {
        status =
            Status::NotFound("MySQL at " + conn->where_ + ": " + message + "; check `database`");
      } else {
        status = Status::Unavailable("cannot connect to MySQL at " + conn->where_ + ": " + message +
                                     "; check `host` and `port` and that the server is running");
      }
      return RedactStatus(status);
    }
    return conn;
  }
  ~MySqlConnection() {
    if (mysql_ != nullptr) mysql_close(mysql_);
  }

  const std::string& where() const { return where_; }
  MYSQL* raw() { return mysql_; }

  Status Error(const std::string& doing) {
    unsigned code = mysql_errno(mysql_);
    std::string text = "MySQL at " + where_ + ": " + doing + ": " + mysql_error(mysql_);
    Status status = code == kNoSuchTable ? Status::NotFound(text)
                    : code == kBadField  ? Status::InvalidArgument(text)
                                         : Status::Unavailable(text);
    return RedactStatus(status);
  }

  Status Execute(const std::string& sql) {
    if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) return Error(sql);
    MYSQL_RES* result = mysql_store_result(mysql_);
    if (result != nullptr) mysql_free_result(result);
    return Status::OK();
  }

  Result<std::vector<std::vector<std::optional<std::string>>>> Query(const std::string& sql) {
    if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) return Error("catalog query");
    MYSQL_RES* result = mysql_store_result(mysql_);
    std::vector<std::vector<std::optional<std::string>>> rows;
    if (result == nullptr) return rows;
    unsigned fields = mysql_num_fields(result);
    while (MYSQL_ROW row = mysql_fetch_row(result)) {
      unsigned long* lengths = mysql_fetch_lengths(result);
      std::vector<std::optional<std::string>> out;
      for (unsigned i = 0; i < fields; ++i) {
        if (row[i] == nullptr) {
          out.emplace_back(std::nullopt);
        } else {
          out.emplace_back(std::string(row[i], lengths[i]));
        }
      }
      rows.push_back(std::move(out));
    }
    mysql_free_result(result);
    return rows;
  }

  std::string Literal(std::string_view text) {
    std::string out(text.size() * 2 + 1, '\0');
    unsigned long n = mysql_real_escape_string(mysql_, out.data(), text.data(), text.size());
    out.resize(n);
    return "'" + out + "'";
  }

 private:
  MySqlConnection() = default;
  MYSQL* mysql_ = nullptr;
  std::string where_;
};

// Fetches a result's rows on a thread of its own into blocks of copied
// bytes, so that the server keeps streaming while DuckDB encodes a batch
// (mysql_use_result makes the server wait whenever the client does not
// read). The consumer takes rows one at a time.
class RowPrefetcher {
 public:
  // `result` belongs to `conn`; both must outlive the prefetcher, and neither
  // may be used by anyone else until it is destroyed.
  RowPrefetcher(MySqlConnection& conn, MYSQL_RES* result)
      : conn_(conn), result_(result), fields_(mysql_num_fields(result)) {
    thread_ = std::thread([this] { Produce(); });
  }
  ~RowPrefetcher() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }
  RowPrefetcher(const RowPrefetcher&) = delete;
  RowPrefetcher& operator=(const RowPrefetcher&) = delete;

  // Moves to the next row; false at the end of the result. The server's error.
  Result<bool> Next() {
    while (current_ == nullptr || ++row_ >= current_->rows) {
      if (current_ != nullptr && current_->end) {
        if (!current_->status.ok()) return current_->status;
        row_ = current_->rows;  // stay at the end
        return false;
      }
      std::unique_lock<std::mutex> lock(mu_);
      changed_.wait(lock, [&] { return !ready_.empty(); });
      // The block just read goes back to the producer: reusing its memory
      // spares the kernel zeroing fresh pages for every block.
      if (current_ != nullptr) spare_.push_back(std::move(current_));
      current_ = std::move(ready_.front());
      ready_.pop_front();
      row_ = -1;
      lock.unlock();
      changed_.notify_all();
    }
    return true;
  }

  // Field `i` of the current row; IsNull first.
  bool IsNull(size_t i) const { return Span(i).second < 0; }
  std::string_view Field(size_t i) const {
    const auto [offset, length] = Span(i);
    return length < 0 ? std::string_view()
                      : std::string_view(current_->bytes).substr(offset, length);
  }
  // The current row's bytes (its fields' lengths plus one per field).
  int64_t RowBytes() const {
    int64_t bytes = static_cast<int64_t>(fields_);
    for (size_t i = 0; i < fields_; ++i) bytes += std::max<int64_t>(Span(i).second, 0);
    return bytes;
  }

 private:
  static constexpr size_t kBlockRows = 1024;
  static constexpr size_t kMaxReadyBlocks = 16;

  struct Block {
    std::string bytes;
    std::vector<std::pair<size_t, int64_t>> spans;  // (offset, length or -1 for NULL) per field
    int64_t rows = 0;
    bool end = false;  // the last block: after its rows, `status` says how the result ended
    Status status;
  };

  std::pair<size_t, int64_t> Span(size_t i) const {
    return current_->spans[static_cast<size_t>(row_) * fields_ + i];
  }

  // An empty block, reusing a read one when there is one.
  std::unique_ptr<Block> TakeSpareBlock() {
    std::unique_ptr<Block> block;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!spare_.empty()) {
        block = std::move(spare_.back());
        spare_.pop_back();
      }
    }
    if (block == nullptr) return std::make_unique<Block>();
    block->bytes.clear();
    block->spans.clear();
    block->rows = 0;
    return block;
  }

  void Produce() {
    auto block = std::make_unique<Block>();
    while (true) {
      MYSQL_ROW row = mysql_fetch_row(result_);
      if (row == nullptr) {
        block->end = true;
        if (mysql_errno(conn_.raw()) != 0) block->status = conn_.Error("reading rows");
      } else {
        const unsigned long* lengths = mysql_fetch_lengths(result_);
        for (size_t i = 0; i < fields_; ++i) {
          if (row[i] == nullptr) {
            block->spans.emplace_back(0, -1);
          } else {
            block->spans.emplace_back(block->bytes.size(), static_cast<int64_t>(lengths[i]));
            block->bytes.append(row[i], lengths[i]);
          }
        }
        ++block->rows;
        if (block->rows < static_cast<int64_t>(kBlockRows) && block->bytes.size() < (1u << 20)) {
          continue;
        }
      }
      const bool end = block->end;
      std::unique_lock<std::mutex> lock(mu_);
      changed_.wait(lock, [&] { return stop_ || ready_.size() < kMaxReadyBlocks; });
      if (stop_) return;
      ready_.push_back(std::move(block));
      lock.unlock();
      changed_.notify_all();
      if (end) return;
      block = TakeSpareBlock();
    }
  }

  MySqlConnection& conn_;
  MYSQL_RES* result_;
  const size_t fields_;
  std::unique_ptr<Block> current_;  // the consumer's
  int64_t row_ = -1;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<std::unique_ptr<Block>> ready_;   // guarded by mu_
  std::vector<std::unique_ptr<Block>> spare_;  // read blocks to reuse; guarded by mu_
  bool stop_ = false;                          // guarded by mu_
};

// A result read row by row (mysql_use_result: the server streams it, nothing
// is held whole) as a BatchedRowSource: each field's text is written into a
// VARCHAR column (binary ones into a BLOB) and cast by the batch's query.
class MySqlRowSource : public BatchedRowSource {
 public:
  // `rows` fetches the result and must outlive every Fill; `columns` are the
  // result's fields in order (the cursor first when `batching.leading_cursor`).
  MySqlRowSource(RowPrefetcher& rows, std::vector<MyColumn> columns, const RowBatching& batching)
      : BatchedRowSource(batching, SourceColumns(columns, batching.leading_cursor ? 1 : 0)),
        rows_(rows),
        columns_(std::move(columns)),
        skip_(batching.leading_cursor ? 1 : 0) {}

 private:
  static std::vector<std::pair<std::string, engine::LogicalType>> SourceColumns(
      const std::vector<MyColumn>& columns, size_t skip) {
    std::vector<std::pair<std::string, engine::LogicalType>> out;
    for (size_t i = skip; i < columns.size(); ++i)
      out.emplace_back(columns[i].name, columns[i].type);
    return out;
  }

  Result<bool> NextRow() override { return rows_.Next(); }
  std::string_view RowCursor() const override { return rows_.Field(0); }
  int64_t RowBytes() const override { return rows_.RowBytes(); }

  Status WriteRow(engine::OutputChunk& out, size_t row, size_t* bad_column) override {
    for (size_t i = skip_; i < columns_.size(); ++i) {
      const size_t c = i - skip_;
      const std::string_view value = rows_.Field(i);
      if (rows_.IsNull(i)) {
        out.SetNull(c, row);
        continue;
      }
      switch (columns_[i].write) {
        case FieldWrite::kText:
          if (size_t bad = FindInvalidUtf8(value); bad != std::string_view::npos) {
            *bad_column = c;
            return Status::InvalidArgument("text is not valid UTF-8 (byte " + std::to_string(bad) +
                                           " of " + std::to_string(value.size()) + ")");
          }
          out.SetString(c, row, value);
          break;
        case FieldWrite::kNumber:
          if (Status parsed = WriteNumberText(columns_[i].type, value, out, c, row); !parsed.ok()) {
            *bad_column = c;
            return parsed;
          }
          break;
        case FieldWrite::kHex:
          out.SetString(c, row, value);
          break;
        case FieldWrite::kBits: {
          uint64_t bits = 0;
          for (unsigned char byte : value) bits = (bits << 8) | byte;
          out.MutableData<uint64_t>(c)[row] = bits;
          break;
        }
        case FieldWrite::kDate:
          if (value.substr(0, 10) == "0000-00-00") {
            out.SetNull(c, row);
          } else {
            out.SetString(c, row, value);
          }
          break;
      }
    }
    return Status::OK();
  }

  std::string RenderRow() const override {
    return RowText(columns_.size(), [&](size_t i) -> std::optional<std::string> {
      if (rows_.IsNull(i)) return std::nullopt;
      if (columns_[i].write == FieldWrite::kHex) return HexText(rows_.Field(i));
      return QuotedText(rows_.Field(i));
    });
  }

  RowPrefetcher& rows_;
  std::vector<MyColumn> columns_;
  size_t skip_;
};

std::string Backquoted(std::string_view name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out.push_back('`');
    out.push_back(c);
  }
  return out + "`";
}

class MySqlConnector : public Connector {
 public:
  MySqlConnector(SourceConfig source, ConnectSettings settings)
      : source_(std::move(source)), settings_(std::move(settings)) {}

  Status Check() override {
    STRATA_ASSIGN_OR_RETURN(auto conn, MySqlConnection::Connect(settings_));
    for (const StreamConfig& stream : source_.streams) {
      STRATA_ASSIGN_OR_RETURN(std::string from, From(*conn, stream));
      STRATA_RETURN_IF_ERROR(conn->Execute("SELECT * FROM " + from + " LIMIT 0"));
    }
    return Status::OK();
  }

  Status Read(const StreamConfig& stream, const nlohmann::json& state, BatchSink& sink) override {
    STRATA_ASSIGN_OR_RETURN(auto conn, MySqlConnection::Connect(settings_));
    Status status = ReadWith(*conn, stream, state, sink);
    if (!status.ok()) return RedactStatus(status.WithContext("stream '" + stream.name + "'"));
    return Status::OK();
  }

 private:
  Result<std::string> From(MySqlConnection& conn, const StreamConfig& stream);
  Result<std::vector<std::string>> ColumnsOf(MySqlConnection& conn, const std::string& from);
  Status ReadWith(MySqlConnection& conn, const StreamConfig& stream, const nlohmann::json& state,
                  BatchSink& sink);

  SourceConfig source_;
  ConnectSettings settings_;
};

Result<std::string> MySqlConnector::From(MySqlConnection& conn, const StreamConfig& stream) {
  STRATA_ASSIGN_OR_RETURN(std::string table, stream.settings.GetOr<std::string>("table", ""));
  STRATA_ASSIGN_OR_RETURN(std::string query, stream.settings.GetOr<std::string>("query", ""));
  if (table.empty() == query.empty()) {
    return Status::InvalidArgument("mysql stream '" + stream.name +
                                   "': give exactly one of `table: [database.]name` or `query:`");
  }
  if (!query.empty()) return "(" + query + ") AS strata_query";
  std::string schema = settings_.database;
  std::string name = table;
  if (size_t dot = table.find('.'); dot != std::string::npos) {
    schema = table.substr(0, dot);
    name = table.substr(dot + 1);
  }
  STRATA_ASSIGN_OR_RETURN(
      auto found, conn.Query("SELECT 1 FROM information_schema.tables WHERE table_schema = " +
                             conn.Literal(schema) + " AND table_name = " + conn.Literal(name)));
  if (found.empty()) {
    return Status::NotFound("table '" + schema + "." + name + "' not found in MySQL at " +
                            conn.where() + ": check the stream's `table` ([database.]name)");
  }
  return Backquoted(schema) + "." + Backquoted(name);
}

Result<std::vector<std::string>> MySqlConnector::ColumnsOf(MySqlConnection& conn,
                                                           const std::string& from) {
  std::string sql = "SELECT * FROM " + from + " LIMIT 0";
  if (mysql_real_query(conn.raw(), sql.data(), sql.size()) != 0) return conn.Error("describing");
  MYSQL_RES* result = mysql_store_result(conn.raw());
  std::vector<std::string> names;
  if (result == nullptr) return conn.Error("describing");
  MYSQL_FIELD* fields = mysql_fetch_fields(result);
  for (unsigned i = 0; i < mysql_num_fields(result); ++i) names.emplace_back(fields[i].name);
  mysql_free_result(result);
  return names;
}

Result<int64_t> Positive(const ConfigNode& stream, const ConfigNode& source, const char* key,
                         int64_t fallback) {
  STRATA_ASSIGN_OR_RETURN(int64_t value, source.GetOr<int64_t>(key, fallback));
  STRATA_ASSIGN_OR_RETURN(value, stream.GetOr<int64_t>(key, value));
  if (value < 1) return stream.Error(std::string("`") + key + "` must be at least 1");
  return value;
}

Status MySqlConnector::ReadWith(MySqlConnection& conn, const StreamConfig& stream,
                                const nlohmann::json& state, BatchSink& sink) {
  STRATA_RETURN_IF_ERROR(conn.Execute("SET time_zone = '+00:00'"));
  // The server waits for us while a batch commits; do not let it give up.
  STRATA_RETURN_IF_ERROR(conn.Execute("SET SESSION net_write_timeout = 86400"));
  STRATA_RETURN_IF_ERROR(conn.Execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ"));
  STRATA_RETURN_IF_ERROR(conn.Execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY"));
  STRATA_ASSIGN_OR_RETURN(std::string from, From(conn, stream));
  STRATA_ASSIGN_OR_RETURN(int64_t batch_rows, Positive(stream.settings, source_.settings,
                                                       "batch_rows", kDefaultBatchRows));
  STRATA_ASSIGN_OR_RETURN(int64_t batch_bytes, Positive(stream.settings, source_.settings,
                                                        "batch_bytes", kDefaultBatchBytes));
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> all_columns, ColumnsOf(conn, from));
  std::string known;
  for (const std::string& c : all_columns) known += (known.empty() ? "" : ", ") + c;
  auto has = [&](const std::string& name) {
    return std::find(all_columns.begin(), all_columns.end(), name) != all_columns.end();
  };
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> wanted,
                          stream.settings.GetOr<std::vector<std::string>>("columns", {}));
  if (wanted.empty()) wanted = all_columns;
  for (const std::string& name : wanted) {
    if (!has(name)) {
      return Status::InvalidArgument("column '" + name + "' is not in " + from +
                                     " (columns: " + known + "); fix `columns`");
    }
  }
  const bool incremental = stream.sync == SyncMode::kIncremental;
  std::optional<std::string> saved_cursor;
  std::string select = "SELECT ";
  std::string where;
  if (incremental) {
    if (stream.cursor_field.empty() || !has(stream.cursor_field)) {
      return Status::InvalidArgument("cursor column '" + stream.cursor_field + "' is not in " +
                                     from + " (columns: " + known + "); fix `cursor`");
    }
    std::string cursor = Backquoted(stream.cursor_field);
    if (state.is_object() && state.contains("cursor") && state["cursor"].is_string()) {
      saved_cursor = state["cursor"].get<std::string>();
    }
    select += cursor + ", ";
    where = " WHERE " + cursor + " IS NOT NULL" +
            (saved_cursor ? " AND " + cursor + " > " + conn.Literal(*saved_cursor) : "") +
            " ORDER BY " + cursor;
  }
  for (size_t i = 0; i < wanted.size(); ++i) select += (i ? ", " : "") + Backquoted(wanted[i]);
  select += " FROM " + from + where;

  if (mysql_real_query(conn.raw(), select.data(), select.size()) != 0) return conn.Error("SELECT");
  MYSQL_RES* result = mysql_use_result(conn.raw());
  if (result == nullptr) return conn.Error("SELECT");
  struct ResultCloser {
    MYSQL_RES* r;
    ~ResultCloser() { mysql_free_result(r); }
  } closer{result};
  unsigned field_count = mysql_num_fields(result);
  MYSQL_FIELD* fields = mysql_fetch_fields(result);
  std::vector<MyColumn> columns;
  std::string select_list = "SELECT ";
  bool first_column = true;
  for (unsigned i = 0; i < field_count; ++i) {
    columns.push_back(MapField(fields[i]));
    if (incremental && i == 0) continue;  // the cursor, as text
    const std::string name = engine::QuoteIdentifier(columns.back().name);
    const std::string& expr = columns.back().duck_expr;
    if (!first_column) select_list += ", ";
    first_column = false;
    select_list += expr == "$" ? name : ExpandColumnTemplate(expr, name) + " AS " + name;
  }

  RowBatching batching;
  batching.leading_cursor = incremental;
  batching.batch_rows = batch_rows;
  batching.batch_bytes = batch_bytes;
  batching.stream = stream.name;
  batching.description = "table " + from;
  // Owned here, after `closer`: the fetch thread stops before the result is
  // freed, however long DuckDB keeps the source itself.
  RowPrefetcher rows(conn, result);
  auto source = std::make_shared<MySqlRowSource>(rows, std::move(columns), batching);
  return CommitRowBatches(sink, source, select_list, stream.sync == SyncMode::kFullRefresh,
                          incremental ? stream.cursor_field : "", saved_cursor.value_or(""));
}

}  // namespace

Result<std::unique_ptr<Connector>> MakeMySqlConnector(const SourceConfig& source) {
  const ConfigNode& s = source.settings;
  STRATA_RETURN_IF_ERROR(s.CheckKnownKeys(WithFrameworkKeys(
      kSourceKeys, {"host", "port", "user", "password", "password_file", "database", "socket",
                    "connect_timeout", "batch_rows", "batch_bytes"})));
  ConnectSettings settings;
  STRATA_ASSIGN_OR_RETURN(settings.host, s.GetOr<std::string>("host", "127.0.0.1"));
  STRATA_ASSIGN_OR_RETURN(int64_t port, s.GetOr<int64_t>("port", 3306));
  if (port < 1 || port > 65535) return s.Error("`port` must be 1-65535");
  settings.port = static_cast<unsigned>(port);
  STRATA_ASSIGN_OR_RETURN(settings.user, s.GetOr<std::string>("user", ""));
  STRATA_ASSIGN_OR_RETURN(settings.database, s.GetOr<std::string>("database", ""));
  STRATA_ASSIGN_OR_RETURN(settings.socket, s.GetOr<std::string>("socket", ""));
  STRATA_ASSIGN_OR_RETURN(int64_t timeout, s.GetOr<int64_t>("connect_timeout", 10));
  settings.connect_timeout = static_cast<unsigned>(timeout);
  STRATA_ASSIGN_OR_RETURN(settings.password, ReadSecret(s, "password", source.project_root));
  if (settings.user.empty() || settings.database.empty()) {
    return Status::InvalidArgument("source '" + source.name +
                                   "' (mysql): give `user` and `database`");
  }
  return std::unique_ptr<Connector>(new MySqlConnector(source, std::move(settings)));
}

void RegisterMySqlConnector() {
  RegisterConnector("mysql", &MakeMySqlConnector);
  RegisterConnector("mariadb", &MakeMySqlConnector);
}

}  // namespace strata::ingest
