#include "ingest/run_store.h"

#include <sqlite3.h>

#include <utility>

namespace strata::ingest {
namespace {

constexpr int kBusyTimeoutMillis = 10'000;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS ingest_runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  source TEXT NOT NULL,
  stream TEXT NOT NULL,
  started_micros INTEGER NOT NULL,
  ended_micros INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL,
  rows INTEGER NOT NULL DEFAULT 0,
  bytes INTEGER NOT NULL DEFAULT 0,
  bad_rows INTEGER NOT NULL DEFAULT 0,
  error TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL DEFAULT 'null'
);
CREATE TABLE IF NOT EXISTS ingest_stream_states (
  source TEXT NOT NULL,
  stream TEXT NOT NULL,
  batch_sequence INTEGER NOT NULL,
  state TEXT NOT NULL,
  PRIMARY KEY (source, stream)
);
)sql";

// A prepared statement, finalized when it goes out of scope.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) {
    rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return rc_ == SQLITE_OK; }
  sqlite3_stmt* get() { return stmt_; }
  void Bind(int index, int64_t value) { sqlite3_bind_int64(stmt_, index, value); }
  void Bind(int index, const std::string& value) {
    sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  }
  int Step() { return sqlite3_step(stmt_); }
  int64_t Int(int column) { return sqlite3_column_int64(stmt_, column); }
  std::string Text(int column) {
    const auto* text = sqlite3_column_text(stmt_, column);
    return text ? std::string(reinterpret_cast<const char*>(text),
                              static_cast<size_t>(sqlite3_column_bytes(stmt_, column)))
                : std::string();
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_ = SQLITE_ERROR;
};

class SqliteRunStore : public RunStore {
 public:
  SqliteRunStore(std::string path, sqlite3* db) : path_(std::move(path)), db_(db) {}
  ~SqliteRunStore() override { sqlite3_close_v2(db_); }

  Result<int64_t> StartRun(const std::string& source, const std::string& stream,
                           int64_t started_micros) override {
    {
      Statement mark(db_,
                     "UPDATE ingest_runs SET status = 'interrupted' "
                     "WHERE source = ?1 AND stream = ?2 AND status = 'running'");
      if (!mark.ok()) return Error("prepare");
      mark.Bind(1, source);
      mark.Bind(2, stream);
      if (mark.Step() != SQLITE_DONE) return Error("mark interrupted runs");
    }
    Statement insert(db_,
                     "INSERT INTO ingest_runs (source, stream, started_micros, status) "
                     "VALUES (?1, ?2, ?3, 'running')");
    if (!insert.ok()) return Error("prepare");
    insert.Bind(1, source);
    insert.Bind(2, stream);
    insert.Bind(3, started_micros);
    if (insert.Step() != SQLITE_DONE) return Error("insert run");
    return static_cast<int64_t>(sqlite3_last_insert_rowid(db_));
  }

  Status FinishRun(const RunRecord& record) override {
    Statement update(db_,
                     "UPDATE ingest_runs SET ended_micros = ?2, status = ?3, rows = ?4, "
                     "bytes = ?5, bad_rows = ?6, error = ?7, state = ?8 WHERE id = ?1");
    if (!update.ok()) return Error("prepare");
    update.Bind(1, record.id);
    update.Bind(2, record.ended_micros);
    update.Bind(3, record.status);
    update.Bind(4, record.rows);
    update.Bind(5, record.bytes);
    update.Bind(6, record.bad_rows);
    update.Bind(7, record.error);
    update.Bind(8, record.state);
    if (update.Step() != SQLITE_DONE) return Error("update run");
    if (sqlite3_changes(db_) == 0) {
      return Status::NotFound("no ingest run with id " + std::to_string(record.id));
    }
    return Status::OK();
  }

  Result<std::vector<RunRecord>> ListRuns(int64_t limit) override {
    Statement select(db_,
                     "SELECT id, source, stream, started_micros, ended_micros, status, rows, "
                     "bytes, bad_rows, error, state FROM ingest_runs ORDER BY id DESC LIMIT ?1");
    if (!select.ok()) return Error("prepare");
    select.Bind(1, limit > 0 ? limit : -1);
    std::vector<RunRecord> runs;
    int rc;
    while ((rc = select.Step()) == SQLITE_ROW) {
      RunRecord r;
      r.id = select.Int(0);
      r.source = select.Text(1);
      r.stream = select.Text(2);
      r.started_micros = select.Int(3);
      r.ended_micros = select.Int(4);
      r.status = select.Text(5);
      r.rows = select.Int(6);
      r.bytes = select.Int(7);
      r.bad_rows = select.Int(8);
      r.error = select.Text(9);
      r.state = select.Text(10);
      runs.push_back(std::move(r));
    }
    if (rc != SQLITE_DONE) return Error("list runs");
    return runs;
  }

  Result<std::optional<StreamState>> LoadState(const std::string& source,
                                               const std::string& stream) override {
    Statement select(db_,
                     "SELECT batch_sequence, state FROM ingest_stream_states "
                     "WHERE source = ?1 AND stream = ?2");
    if (!select.ok()) return Error("prepare");
    select.Bind(1, source);
    select.Bind(2, stream);
    const int rc = select.Step();
    if (rc == SQLITE_DONE) return std::optional<StreamState>();
    if (rc != SQLITE_ROW) return Error("load state");
    return std::optional<StreamState>(StreamState{select.Int(0), select.Text(1)});
  }

  Status SaveState(const std::string& source, const std::string& stream,
                   const StreamState& state) override {
    Statement upsert(db_,
                     "INSERT INTO ingest_stream_states (source, stream, batch_sequence, state) "
                     "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (source, stream) DO UPDATE SET "
                     "batch_sequence = excluded.batch_sequence, state = excluded.state");
    if (!upsert.ok()) return Error("prepare");
    upsert.Bind(1, source);
    upsert.Bind(2, stream);
    upsert.Bind(3, state.batch_sequence);
    upsert.Bind(4, state.state_json);
    if (upsert.Step() != SQLITE_DONE) return Error("save state");
    return Status::OK();
  }

  Status ClearState(const std::string& source, const std::string& stream) override {
    Statement remove(db_, "DELETE FROM ingest_stream_states WHERE source = ?1 AND stream = ?2");
    if (!remove.ok()) return Error("prepare");
    remove.Bind(1, source);
    remove.Bind(2, stream);
    if (remove.Step() != SQLITE_DONE) return Error("clear state");
    return Status::OK();
  }

 private:
  Status Error(const std::string& what) const {
    return Status::IOError("metadata store " + path_ + ": " + what + ": " + sqlite3_errmsg(db_));
  }

  std::string path_;
  sqlite3* db_;
};

}  // namespace

Result<std::unique_ptr<RunStore>> OpenSqliteRunStore(const std::string& path) {
  sqlite3* db = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return Status::IOError("cannot open metadata store " + path + ": " + message);
  }
  auto store = std::make_unique<SqliteRunStore>(path, db);
  sqlite3_busy_timeout(db, kBusyTimeoutMillis);
  char* error = nullptr;
  // WAL lets readers (strata runs) proceed while an ingest writes.
  const std::string setup =
      std::string("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;") + kSchema;
  if (sqlite3_exec(db, setup.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    return Status::IOError("cannot set up metadata store " + path + ": " + message);
  }
  return std::unique_ptr<RunStore>(std::move(store));
}

}  // namespace strata::ingest
