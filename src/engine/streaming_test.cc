// Large results stream chunk by chunk: bounded memory, no per-row allocation.
#include <duckdb/duckdb.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "engine/engine.h"
#include "engine/engine_testing.h"

// Counts heap allocations made by the current thread, to check that fetching
// and reading rows does not allocate per row. (DuckDB's worker threads have
// their own counters and are not measured.)
namespace {
thread_local uint64_t allocations_on_this_thread = 0;
}  // namespace

void* operator new(std::size_t size) {
  ++allocations_on_this_thread;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace strata::engine {
namespace {

using testing::EngineTest;
using StreamingTest = EngineTest;

constexpr int64_t kRows = 10'000'000;

TEST_F(StreamingTest, TenMillionRowsStreamInChunksWithoutPerRowAllocation) {
  ENGINE_ASSERT_OK_AND_ASSIGN(auto result, conn_->Query("SELECT range FROM range(10000000)"));
  ASSERT_TRUE(result->IsStreaming());
  ASSERT_EQ(result->ColumnType(0), LogicalType(TypeId::kBigInt));

  const uint64_t allocations_before = allocations_on_this_thread;
  int64_t sum = 0;
  int64_t rows = 0;
  size_t chunks = 0;
  size_t largest_chunk = 0;
  while (true) {
    auto fetched = result->Fetch();
    ASSERT_TRUE(fetched.ok()) << fetched.status().ToString();
    std::unique_ptr<DataChunk> chunk = std::move(fetched).value();
    if (chunk == nullptr) break;
    ++chunks;
    largest_chunk = std::max(largest_chunk, chunk->size());
    const int64_t* values = chunk->Data<int64_t>(0);
    for (size_t i = 0; i < chunk->size(); ++i) {
      if (chunk->IsValid(0, i)) sum += values[i];
    }
    rows += static_cast<int64_t>(chunk->size());
  }
  const uint64_t allocations = allocations_on_this_thread - allocations_before;

  EXPECT_EQ(rows, kRows);
  EXPECT_EQ(sum, kRows * (kRows - 1) / 2);
  EXPECT_GT(chunks, 1u);
  EXPECT_LE(largest_chunk, duckdb_vector_size());
  // A handful of allocations per 2048-row chunk at most, never one per row.
  EXPECT_LT(allocations, static_cast<uint64_t>(kRows) / 100)
      << allocations << " allocations for " << rows << " rows in " << chunks << " chunks";
}

TEST(StreamingMemoryTest, ResultLargerThanMemoryLimitStreams) {
  // Materialized, these 10M rows of ~40-byte strings would need about 600 MB,
  // far beyond the limit; streamed, only a few chunks exist at a time.
  DatabaseOptions options;
  options.memory_limit = "100MB";
  options.threads = 2;
  ENGINE_ASSERT_OK_AND_ASSIGN(auto db, Database::Open(options));
  ENGINE_ASSERT_OK_AND_ASSIGN(auto conn, Connection::Open(*db));
  ENGINE_ASSERT_OK_AND_ASSIGN(
      auto result, conn->Query("SELECT range, 'row number ' || range || ' padded to be long' AS s "
                               "FROM range(10000000)"));
  int64_t rows = 0;
  uint64_t bytes = 0;
  while (true) {
    auto fetched = result->Fetch();
    ASSERT_TRUE(fetched.ok()) << fetched.status().ToString();
    if (*fetched == nullptr) break;
    const DataChunk& chunk = **fetched;
    for (size_t i = 0; i < chunk.size(); ++i) bytes += chunk.GetString(1, i).size();
    rows += static_cast<int64_t>(chunk.size());
  }
  EXPECT_EQ(rows, kRows);
  EXPECT_GT(bytes, 300'000'000u);
}

}  // namespace
}  // namespace strata::engine
