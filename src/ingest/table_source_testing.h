// Test-only: one value written into a real DuckDB chunk by the code under
// test (a decoder or parser) and read back, as DuckDB prints it.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/engine.h"

namespace strata::ingest::testing {

// Calls `write(out)` to fill (column 0, row 0) of a chunk whose one column
// has `type`, then returns that value as VARCHAR, or `write`'s error as text.
inline std::string WriteOneValue(engine::LogicalType type,
                                 std::function<Status(engine::OutputChunk&)> write) {
  class OneValueSource : public engine::TableSource {
   public:
    OneValueSource(engine::LogicalType type, std::function<Status(engine::OutputChunk&)> write)
        : columns_{{"v", std::move(type)}}, write_(std::move(write)) {}
    const std::vector<std::pair<std::string, engine::LogicalType>>& columns() const override {
      return columns_;
    }
    Status Fill(engine::OutputChunk& out) override {
      if (done_) return Status::OK();
      done_ = true;
      written_ = write_(out);
      out.SetSize(written_.ok() ? 1 : 0);
      return Status::OK();
    }
    Status written_;

   private:
    std::vector<std::pair<std::string, engine::LogicalType>> columns_;
    std::function<Status(engine::OutputChunk&)> write_;
    bool done_ = false;
  };
  auto db = engine::Database::Open();
  if (!db.ok()) return db.status().ToString();
  auto conn = engine::Connection::Open(**db);
  if (!conn.ok()) return conn.status().ToString();
  auto source = std::make_shared<OneValueSource>(std::move(type), std::move(write));
  auto registration = (*conn)->RegisterTableSource(source);
  if (!registration.ok()) return registration.status().ToString();
  auto value = (*conn)->QueryScalar("SELECT v::VARCHAR FROM " + (*registration)->sql());
  if (!source->written_.ok()) return source->written_.ToString();
  return value.ok() ? value->ToString() : value.status().ToString();
}

}  // namespace strata::ingest::testing
