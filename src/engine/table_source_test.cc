#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>

#include "engine/engine.h"
#include "engine/engine_testing.h"

namespace strata::engine {
namespace {

using testing::EngineTest;

// Rows 0 .. rows-1: id, a string (long every 7th row, NULL every 5th), a
// DECIMAL(12,2) of id/100, a TIMESTAMPTZ of id seconds after the epoch, and
// a BOOLEAN (NULL every 3rd).
class CountingSource : public TableSource {
 public:
  explicit CountingSource(int64_t rows) : rows_(rows) {
    columns_ = {{"id", LogicalType(TypeId::kBigInt)},
                {"name", LogicalType(TypeId::kVarchar)},
                {"amount", LogicalType::Decimal(12, 2)},
                {"created", LogicalType(TypeId::kTimestampTz)},
                {"flag", LogicalType(TypeId::kBoolean)}};
  }

  const std::vector<std::pair<std::string, LogicalType>>& columns() const override {
    return columns_;
  }

  Status Fill(OutputChunk& out) override {
    ++fills_;
    size_t n = 0;
    auto* ids = out.MutableData<int64_t>(0);
    auto* amounts = out.MutableData<int64_t>(2);
    auto* ats = out.MutableData<Timestamp>(3);
    auto* flags = out.MutableData<bool>(4);
    for (; n < out.capacity() && next_ < rows_; ++n, ++next_) {
      ids[n] = next_;
      if (next_ % 5 == 0) {
        out.SetNull(1, n);
      } else {
        out.SetString(1, n, Name(next_));
      }
      amounts[n] = next_;
      ats[n].micros = next_ * 1'000'000;
      if (next_ % 3 == 0) {
        out.SetNull(4, n);
      } else {
        flags[n] = next_ % 2 == 0;
      }
    }
    out.SetSize(n);
    return Status::OK();
  }

  static std::string Name(int64_t i) {
    std::string name = "row " + std::to_string(i);
    if (i % 7 == 0) name += std::string(40, 'x');  // longer than DuckDB's inline strings
    return name;
  }

  int fills() const { return fills_; }

 private:
  std::vector<std::pair<std::string, LogicalType>> columns_;
  int64_t rows_;
  int64_t next_ = 0;
  int fills_ = 0;
};

class FailingSource : public TableSource {
 public:
  const std::vector<std::pair<std::string, LogicalType>>& columns() const override {
    return columns_;
  }
  Status Fill(OutputChunk& out) override {
    if (calls_++ == 0) {
      out.MutableData<int32_t>(0)[0] = 1;
      out.SetSize(1);
      return Status::OK();
    }
    return Status::IOError("the source went away after one row");
  }

 private:
  std::vector<std::pair<std::string, LogicalType>> columns_{{"x", LogicalType(TypeId::kInteger)}};
  int calls_ = 0;
};

class TableSourceTest : public EngineTest {};

TEST_F(TableSourceTest, QueriesReadEveryRowAcrossChunks) {
  auto source = std::make_shared<CountingSource>(5000);
  ENGINE_ASSERT_OK_AND_ASSIGN(auto registration, conn_->RegisterTableSource(source));
  auto rows = Rows(
      "SELECT count(*), count(name), sum(id), sum(amount), max(created), count(flag), "
      "count(*) FILTER (WHERE flag), min(length(name)), max(length(name)) FROM " +
      registration->sql());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0].ToString(), "5000");
  EXPECT_EQ(rows[0][1].ToString(), "4000");
  EXPECT_EQ(rows[0][2].ToString(), std::to_string(4999LL * 5000 / 2));
  EXPECT_EQ(rows[0][3].ToString(), "124975.00");  // sum(0..4999) / 100
  EXPECT_EQ(rows[0][4].ToString(), "1970-01-01 01:23:19+00");
  EXPECT_EQ(rows[0][5].ToString(), std::to_string(5000 - 1667));
  int64_t true_flags = 0;
  for (int64_t i = 0; i < 5000; ++i) true_flags += (i % 3 != 0 && i % 2 == 0) ? 1 : 0;
  EXPECT_EQ(rows[0][6].ToString(), std::to_string(true_flags));
  EXPECT_EQ(rows[0][7].ToString(), "5");
  EXPECT_EQ(rows[0][8].ToString(), std::to_string(CountingSource::Name(4998).size()));
  EXPECT_GE(source->fills(), 3);  // 5000 rows do not fit one 2048-row chunk
}

TEST_F(TableSourceTest, StringsKeepTheirBytes) {
  auto source = std::make_shared<CountingSource>(30);
  ENGINE_ASSERT_OK_AND_ASSIGN(auto registration, conn_->RegisterTableSource(source));
  auto rows = Rows("SELECT id, name FROM " + registration->sql() + " ORDER BY id");
  ASSERT_EQ(rows.size(), 30u);
  for (int64_t i = 0; i < 30; ++i) {
    if (i % 5 == 0) {
      EXPECT_TRUE(rows[i][1].IsNull()) << i;
    } else {
      EXPECT_EQ(rows[i][1].ToString(), CountingSource::Name(i)) << i;
    }
  }
}

TEST_F(TableSourceTest, CopiesToParquet) {
  std::string path = ::testing::TempDir() + "/table_source_test.parquet";
  auto source = std::make_shared<CountingSource>(3000);
  ENGINE_ASSERT_OK_AND_ASSIGN(auto registration, conn_->RegisterTableSource(source));
  ENGINE_ASSERT_OK(conn_->Execute("COPY (SELECT * FROM " + registration->sql() + ") TO '" + path +
                                  "' (FORMAT parquet)"));
  auto rows = Rows("SELECT count(*), sum(amount), typeof(any_value(amount)) FROM '" + path + "'");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0].ToString(), "3000");
  EXPECT_EQ(rows[0][1].ToString(), "44985.00");
  EXPECT_EQ(rows[0][2].ToString(), "DECIMAL(12,2)");
  std::filesystem::remove(path);
}

TEST_F(TableSourceTest, FillErrorsFailTheQuery) {
  ENGINE_ASSERT_OK_AND_ASSIGN(auto registration,
                              conn_->RegisterTableSource(std::make_shared<FailingSource>()));
  Status status = conn_->Execute("SELECT count(*) FROM " + registration->sql());
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("the source went away after one row"), std::string::npos)
      << status.ToString();
}

TEST_F(TableSourceTest, EndedRegistrationsAreUnknown) {
  std::string sql;
  {
    ENGINE_ASSERT_OK_AND_ASSIGN(auto registration,
                                conn_->RegisterTableSource(std::make_shared<CountingSource>(1)));
    sql = registration->sql();
  }
  Status status = conn_->Execute("SELECT * FROM " + sql);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("no such source"), std::string::npos) << status.ToString();
}

TEST_F(TableSourceTest, NestedTypesAreRefused) {
  class ListSource : public TableSource {
   public:
    const std::vector<std::pair<std::string, LogicalType>>& columns() const override {
      return columns_;
    }
    Status Fill(OutputChunk& out) override {
      out.SetSize(0);
      return Status::OK();
    }

   private:
    std::vector<std::pair<std::string, LogicalType>> columns_{
        {"xs", LogicalType::List(LogicalType(TypeId::kInteger))}};
  };
  auto registration = conn_->RegisterTableSource(std::make_shared<ListSource>());
  ASSERT_FALSE(registration.ok());
  EXPECT_NE(registration.status().message().find("only flat types"), std::string::npos);
}

TEST_F(TableSourceTest, SourcesAreSharedByConnectionsAndDatabasesAreSeparate) {
  ENGINE_ASSERT_OK_AND_ASSIGN(auto first,
                              conn_->RegisterTableSource(std::make_shared<CountingSource>(10)));
  ENGINE_ASSERT_OK_AND_ASSIGN(auto second,
                              conn_->RegisterTableSource(std::make_shared<CountingSource>(20)));
  EXPECT_NE(first->sql(), second->sql());
  ENGINE_ASSERT_OK_AND_ASSIGN(auto other_conn, Connection::Open(*db_));
  ENGINE_ASSERT_OK_AND_ASSIGN(auto result,
                              other_conn->Query("SELECT (SELECT count(*) FROM " + first->sql() +
                                                ") + (SELECT count(*) "
                                                "FROM " +
                                                second->sql() + ")"));
  ENGINE_ASSERT_OK_AND_ASSIGN(auto rows, result->FetchAllRows());
  EXPECT_EQ(rows[0][0].ToString(), "30");

  // A second database has its own registry: the first one's tokens mean nothing there.
  ENGINE_ASSERT_OK_AND_ASSIGN(auto db2, Database::Open());
  ENGINE_ASSERT_OK_AND_ASSIGN(auto conn2, Connection::Open(*db2));
  ENGINE_ASSERT_OK_AND_ASSIGN(auto own,
                              conn2->RegisterTableSource(std::make_shared<CountingSource>(5)));
  ENGINE_ASSERT_OK_AND_ASSIGN(auto own_result, conn2->Query("SELECT count(*) FROM " + own->sql()));
  ENGINE_ASSERT_OK_AND_ASSIGN(auto own_rows, own_result->FetchAllRows());
  EXPECT_EQ(own_rows[0][0].ToString(), "5");
}

// Counts calls that overlap another call: there must be none, whatever
// DuckDB's thread count.
class OverlapCheckingSource : public TableSource {
 public:
  explicit OverlapCheckingSource(int64_t rows) : rows_(rows) {}
  const std::vector<std::pair<std::string, LogicalType>>& columns() const override {
    return columns_;
  }
  Status Fill(OutputChunk& out) override {
    if (inside_.exchange(true)) ++overlaps_;
    std::this_thread::yield();
    size_t n = 0;
    auto* values = out.MutableData<int64_t>(0);
    for (; n < out.capacity() && next_ < rows_; ++n) values[n] = next_++;
    out.SetSize(n);
    inside_ = false;
    return Status::OK();
  }
  int overlaps() const { return overlaps_; }

 private:
  std::vector<std::pair<std::string, LogicalType>> columns_{{"v", LogicalType(TypeId::kBigInt)}};
  int64_t rows_;
  int64_t next_ = 0;
  std::atomic<bool> inside_{false};
  std::atomic<int> overlaps_{0};
};

TEST(TableSourceThreadsTest, FillIsNeverCalledConcurrently) {
  DatabaseOptions options;
  options.threads = 4;
  ENGINE_ASSERT_OK_AND_ASSIGN(auto db, Database::Open(options));
  ENGINE_ASSERT_OK_AND_ASSIGN(auto conn, Connection::Open(*db));
  auto source = std::make_shared<OverlapCheckingSource>(2'000'000);
  ENGINE_ASSERT_OK_AND_ASSIGN(auto registration, conn->RegisterTableSource(source));
  ENGINE_ASSERT_OK_AND_ASSIGN(
      auto result,
      conn->Query("SELECT count(*), sum(v), count(DISTINCT v % 1000) FROM " + registration->sql()));
  ENGINE_ASSERT_OK_AND_ASSIGN(auto rows, result->FetchAllRows());
  EXPECT_EQ(rows[0][0].ToString(), "2000000");
  EXPECT_EQ(rows[0][1].ToString(), std::to_string(int64_t{1999999} * 2000000 / 2));
  EXPECT_EQ(rows[0][2].ToString(), "1000");
  EXPECT_EQ(source->overlaps(), 0);
}

}  // namespace
}  // namespace strata::engine
