// Materializations: turns a compiled node into Delta tables and warehouse
// views, through the sql subsystem (so every write is a Delta commit):
//   view         CREATE OR REPLACE VIEW schema.name (a warehouse view every
//                Strata process sees)
//   table        the select written as a new table version (overwrite), or
//                created
//   incremental  append | merge (unique_key, one or several columns) |
//                delete+insert | microbatch (one window at a time);
//                on_schema_change ignore | fail | append_new_columns |
//                sync_all_columns; --full-refresh rebuilds
//   ephemeral    nothing to run (inlined by the compiler)
//   seed         the CSV file loaded with column_types, delimiter, quote_columns
//   snapshot     SCD type 2 (timestamp and check strategies, hard deletes
//                per invalidate_hard_deletes / hard_deletes)
//   test         the failing rows counted with fail_calc, severity, warn_if,
//                error_if; store_failures into <schema>_dbt_test__audit
// Pre- and post-hooks run around the materialization.
//
// A table is replaced by one commit (the old version stays readable until
// then), so a crash leaves every table at a committed version.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/file_system.h"
#include "common/status.h"
#include "engine/engine.h"
#include "sql/session.h"
#include "sql/warehouse.h"
#include "transform/dbt_adapter.h"
#include "transform/dbt_compile.h"
#include "transform/dbt_model.h"

namespace strata::transform {

// A DbtAdapter over the warehouse: one engine connection and SqlSession.
// One per worker thread; the warehouse and database are shared.
class WarehouseAdapter : public DbtAdapter {
 public:
  // A new connection to `db` with a SqlSession over `warehouse`. None of the
  // arguments is owned; all must outlive the adapter.
  static Result<std::unique_ptr<WarehouseAdapter>> Create(engine::Database& db,
                                                          const sql::Warehouse* warehouse,
                                                          FileSystem& fs,
                                                          sql::SqlSessionOptions options = {});
  virtual sql::SqlSession& session() = 0;
  // The lake writer options the session commits with (clock, retries), for
  // the materializations that write one commit through lake::TableWriter
  // directly (delete+insert, microbatch).
  virtual const lake::WriterOptions& writer_options() const = 0;
  // With a non-null `log`, appends every statement Execute runs from now on
  // (and the notes of NoteStatement), for target/run/; nullptr stops. `log`
  // is not owned and must outlive the recording. Same thread as Execute.
  virtual void RecordStatements(std::vector<std::string>* log) = 0;
  // Appends `text` to the recording, if any: for writes that bypass SQL
  // (a lake overwrite with replaceWhere).
  virtual void NoteStatement(const std::string& text) = 0;
};

struct MaterializeOptions {
  bool full_refresh = false;
  Clock* clock = nullptr;  // snapshot timestamps (dbt_updated_at for check); nullptr: Default()
  std::string invocation_id;
  // For microbatch models: the window being built (the runner calls once per
  // batch, oldest first).
  // For --full-refresh of a microbatch model, set full_refresh on the first
  // batch only: it rebuilds the table, the later batches replace their windows.
  std::optional<BatchWindow> batch;
  // --store-failures: every test stores its failing rows (as the
  // store_failures config does for one test).
  bool store_failures = false;
};

// What running a node did, in dbt's words.
struct NodeOutcome {
  std::string status;          // models/seeds/snapshots: success|error; tests: pass|fail|warn|error
  std::string message;         // dbt's, e.g. "OK", "INSERT 3", "CREATE TABLE (5 rows)",
                               // "Got 3 results, configured to fail if != 0"
  int64_t rows_affected = -1;  // -1 unknown
  std::optional<int64_t> failures;                             // tests
  nlohmann::json adapter_response = nlohmann::json::object();  // {_message, code, rows_affected}
};

// Runs `compiled` (the output of DbtCompiler::Compile for `node`). Returns the
// outcome; a failing test is an outcome (fail/warn), not an error. Errors are
// the engine's or the lake's message for the statement that failed, with
// the node named. Thread-safe across adapters; one call per adapter at a time.
Result<NodeOutcome> Materialize(const Node& node, const CompiledNode& compiled,
                                WarehouseAdapter& adapter, const MaterializeOptions& options);

}  // namespace strata::transform
