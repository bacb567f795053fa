// Schema drift between a bronze table and a new batch, handled per source
// (`on_schema_change`): which columns were added, removed or retyped, what
// to do about each, and the SELECT that writes the batch accordingly
// (lineage columns added, rescued values moved to `_strata_rescued`).
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "ingest/connector.h"
#include "lake/schema.h"

namespace strata::ingest {

inline constexpr char kRescuedColumn[] = "_strata_rescued";

// A column whose new type cannot widen the table's: its values are cast to
// the table's type, and those that do not fit go to `_strata_rescued`.
struct RescuedColumn {
  std::string name;
  std::string table_type;  // DuckDB spelling, e.g. BIGINT
};

struct DriftPlan {
  std::vector<std::string> added;    // new columns (appended to the table)
  std::vector<std::string> removed;  // table columns the batch lacks (written NULL)
  std::vector<std::string> widened;  // "col: integer -> long" (widened in the table)
  std::vector<RescuedColumn> rescued;
  // One line per difference, for the run summary and the log.
  std::vector<std::string> notes;
  bool changed() const { return !added.empty() || !widened.empty() || !rescued.empty(); }
};

// Compares `incoming` (the batch's columns, before lineage columns) with
// `table` (the bronze table's schema). Columns named _strata_* are the
// framework's and never count as removed. InvalidArgument naming the target,
// the columns and the types when `mode` forbids the difference: kFail for
// any difference, kEvolve for a type that cannot be widened safely.
Result<DriftPlan> PlanSchemaDrift(const lake::DataType& table, const lake::DataType& incoming,
                                  OnSchemaChange mode, const std::string& target);

// Lineage values stamped on every row of a batch.
struct Lineage {
  std::string ingested_at;  // TIMESTAMPTZ literal text, e.g. 2026-11-29 14:00:00.000001+00
  std::string source;
  std::string batch_id;
};

// The SELECT that writes `staged_query` to bronze: its columns (rescued ones
// TRY_CAST to the table's type), `_strata_rescued` when any column is
// rescued, then `_strata_ingested_at`, `_strata_source`, `_strata_batch_id`.
std::string BronzeSelect(const std::string& staged_query, const lake::DataType& incoming,
                         const DriftPlan& plan, const Lineage& lineage);

// SQL for a string that is the same on every row of a batch (the source, the
// batch id, the file): a one-label ENUM, which the lake's file writer stores
// as an ordinary dictionary-encoded string column at a fraction of a
// VARCHAR's per-row cost (see WriteDataFiles).
std::string ConstantString(const std::string& value);

// The TIMESTAMPTZ literal text for `micros` since the epoch (UTC).
std::string TimestampLiteral(int64_t micros);

}  // namespace strata::ingest
