// Reads what an ingest wrote (not part of the library): one value computed
// over a Delta table's latest version, through Strata's own scan.
#pragma once

#include <string>

#include "common/file_system.h"
#include "engine/engine.h"
#include "lake/lake.h"

namespace strata::ingest::testing {

// The first value of `select` as text, where `{t}` in `select` stands for
// the rows of the latest version of the Delta table at `table_root`. Errors
// come back as "error: <status>" so that an assertion on the value shows
// them. `conn` is used from the calling thread only.
inline std::string QueryDeltaTable(engine::Connection& conn, const std::string& table_root,
                                   const std::string& select) {
  FileSystem& fs = *FileSystem::Default();
  auto opened = lake::Table::Open(table_root, fs, &conn);
  if (!opened.ok()) return "error: " + opened.status().ToString();
  auto snapshot = (*opened)->Latest();
  if (!snapshot.ok()) return "error: " + snapshot.status().ToString();
  auto plan = lake::PlanScan(**snapshot, {}, fs, conn);
  if (!plan.ok()) return "error: " + plan.status().ToString();
  std::string sql = select;
  sql.replace(sql.find("{t}"), 3, "(" + plan->sql + ") AS t");
  auto value = conn.QueryScalar(sql);
  return value.ok() ? value->ToString() : "error: " + value.status().ToString();
}

}  // namespace strata::ingest::testing
