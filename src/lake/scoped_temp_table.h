// A DuckDB temp table named for one operation (MERGE's matched rows,
// OPTIMIZE's deleted and sorted rows) and dropped at scope exit, whatever the
// outcome.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "engine/engine.h"

namespace strata::lake {

class ScopedTempTable {
 public:
  // Names the table temp.__strata_<prefix>_<n>, n unique in the process;
  // creating it is the caller's. `conn` is not owned and must outlive this.
  ScopedTempTable(engine::Connection& conn, const std::string& prefix) : conn_(conn) {
    static std::atomic<int64_t> counter{0};
    name_ = "__strata_" + prefix + "_" + std::to_string(counter.fetch_add(1));
  }
  // Drops the table if it exists; a failure to drop is ignored (it is a temp
  // table: it goes with the connection at the latest).
  ~ScopedTempTable() { (void)conn_.Execute("DROP TABLE IF EXISTS temp." + name_); }
  ScopedTempTable(const ScopedTempTable&) = delete;
  ScopedTempTable& operator=(const ScopedTempTable&) = delete;

  const std::string& name() const { return name_; }

 private:
  engine::Connection& conn_;
  std::string name_;
};

}  // namespace strata::lake
