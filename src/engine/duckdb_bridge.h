// Internal to src/engine: conversions between the engine's types and DuckDB's
// C API handles, error translation, and RAII owners for C API objects. Other
// subsystems never include this file (or duckdb.h); they use engine.h.
#pragma once

#include <duckdb/duckdb.h>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "common/status.h"
#include "engine/types.h"

namespace strata::engine {
class Value;
}

namespace strata::engine::internal {

// Owns one duckdb_logical_type / duckdb_value and destroys it on scope exit.
template <typename Handle, void (*Destroy)(Handle*)>
class Owned {
 public:
  Owned() = default;
  explicit Owned(Handle h) : h_(h) {}
  Owned(Owned&& other) noexcept : h_(std::exchange(other.h_, nullptr)) {}
  Owned& operator=(Owned&& other) noexcept {
    if (this != &other) {
      Reset();
      h_ = std::exchange(other.h_, nullptr);
    }
    return *this;
  }
  Owned(const Owned&) = delete;
  Owned& operator=(const Owned&) = delete;
  ~Owned() { Reset(); }

  Handle get() const { return h_; }
  explicit operator bool() const { return h_ != nullptr; }
  void Reset() {
    if (h_ != nullptr) Destroy(&h_);
    h_ = nullptr;
  }

 private:
  Handle h_ = nullptr;
};

using OwnedLogicalType = Owned<duckdb_logical_type, duckdb_destroy_logical_type>;
using OwnedValue = Owned<duckdb_value, duckdb_destroy_value>;

// The Status for a DuckDB error: the code follows DuckDB's error type, the
// message is DuckDB's text, verbatim.
Status ErrorStatus(duckdb_error_type type, std::string_view message);
// Same, when the C API gives only the message (prepare, pending, extract):
// the type is recovered from the message's "<Type> Error:" prefix.
Status ErrorStatus(std::string_view message);

// Maps a DuckDB type (which stays owned by the caller) to a LogicalType.
LogicalType TypeFromDuckDB(duckdb_logical_type type);
// Builds the DuckDB type for `type`; kUnsupported and kInvalid give an error.
Result<OwnedLogicalType> TypeToDuckDB(const LogicalType& type);
// Builds a duckdb_value holding `value` (used to bind and append the slow way).
Result<OwnedValue> ValueToDuckDB(const Value& value);

// True when DuckDB's parser treats `word` (any case) as a keyword, so that an
// identifier spelled so must be quoted. Learned from duckdb_keywords() by
// LoadKeywords (Database::Open calls it once per process).
bool IsKeyword(std::string_view word);
void LoadKeywords(duckdb_connection connection);

// Shared ownership of the C API objects, so that results, statements and
// appenders stay valid whatever order the wrapper objects are destroyed in.
struct TableSourceRegistry;  // table_source.cc

struct DatabaseHandle {
  duckdb_database db = nullptr;
  std::string time_zone;
  // Made (and DuckDB's table function registered) by the first
  // Connection::RegisterTableSource; guarded by table_sources_mu.
  std::mutex table_sources_mu;
  std::shared_ptr<TableSourceRegistry> table_sources;
  ~DatabaseHandle() { duckdb_close(&db); }
};

struct ConnectionState {
  std::shared_ptr<DatabaseHandle> db;
  duckdb_connection conn = nullptr;
  // Counts statements started on the connection. DuckDB ends a streaming result
  // when the next statement starts, and its fetch then just returns nothing;
  // comparing counts tells that apart from a result that really ended.
  uint64_t generation = 0;
  ~ConnectionState() { duckdb_disconnect(&conn); }
};

struct PreparedHandle {
  std::shared_ptr<ConnectionState> conn;
  duckdb_prepared_statement stmt = nullptr;
  ~PreparedHandle() { duckdb_destroy_prepare(&stmt); }
};

struct ResultHandle {
  duckdb_result result{};
  ~ResultHandle() { duckdb_destroy_result(&result); }
};

// The UUID stored in a vector has its top bit flipped so that it sorts as a
// signed HUGEINT; these convert between that and the natural 128-bit value.
inline UHugeInt UuidFromStorage(HugeInt stored) {
  return {stored.lower, static_cast<uint64_t>(stored.upper) ^ (uint64_t{1} << 63)};
}

}  // namespace strata::engine::internal
