// The conflict rules one by one, on hand-made winning commits.
#include "lake/conflict.h"

#include <gtest/gtest.h>

#include "lake/schema_evolution.h"

namespace strata::lake {
namespace {

class ConflictTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = engine::Database::Open();
    ASSERT_TRUE(db.ok());
    db_ = std::move(db).value();
    auto conn = engine::Connection::Open(*db_);
    ASSERT_TRUE(conn.ok());
    conn_ = std::move(conn).value();
    pending_.operation = "DELETE";
    pending_.schema =
        StructType({Field("id", PrimitiveType("long")), Field("p", PrimitiveType("string"))});
    pending_.partition_columns = {"p"};
  }

  static AddFile Add(const std::string& path, std::optional<std::string> p) {
    AddFile a;
    a.path = path;
    a.partition_values["p"] = std::move(p);
    return a;
  }
  static RemoveFile Remove(const std::string& path) {
    RemoveFile r;
    r.path = path;
    return r;
  }
  static CommitInfo Info(const std::string& op) {
    CommitInfo c;
    c.operation = op;
    return c;
  }

  Result<ConflictOutcome> Check(std::vector<Action> winner) {
    return CheckConflict(pending_, winner, 7, *conn_);
  }

  std::unique_ptr<engine::Database> db_;
  std::unique_ptr<engine::Connection> conn_;
  PendingChanges pending_;
};

TEST_F(ConflictTest, BlindAppendsNeverConflictWithAppends) {
  auto r = Check({Info("WRITE"), Add("x.parquet", "a")});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, ConflictOutcome::kNoConflict);
}

TEST_F(ConflictTest, MetadataAndProtocolChangesConflict) {
  auto m = Check({Info("SET TBLPROPERTIES"), Metadata{}});
  EXPECT_TRUE(m.status().IsConflict());
  EXPECT_NE(m.status().message().find("version 7 (SET TBLPROPERTIES)"), std::string::npos);
  EXPECT_TRUE(Check({Protocol{3, 7, {}, {}}}).status().IsConflict());
}

TEST_F(ConflictTest, RemovingWhatWasReadOrRemovedConflicts) {
  pending_.read.files = {"p=a/f 1.parquet"};
  auto read = Check({Info("DELETE"), Remove("p=a/f%201.parquet")});  // same file, encoded
  EXPECT_TRUE(read.status().IsConflict()) << read.status().ToString();
  pending_.read.files.clear();
  pending_.removed = {"g.parquet"};
  EXPECT_TRUE(Check({Remove("g.parquet")}).status().IsConflict());
  EXPECT_TRUE(Check({Remove("other.parquet")}).ok());
}

TEST_F(ConflictTest, AddsConflictOnlyWithWhatWasRead) {
  pending_.read.partition_predicates = {"p = 'a'"};
  EXPECT_EQ(*Check({Add("n.parquet", "b")}), ConflictOutcome::kNoConflict);
  EXPECT_TRUE(Check({Add("n.parquet", "a")}).status().IsConflict());
  // A NULL partition value makes the predicate NULL: conservatively a match.
  pending_.read.partition_predicates = {"p <> 'a'"};
  EXPECT_TRUE(Check({Add("n.parquet", std::nullopt)}).status().IsConflict());
  pending_.read.partition_predicates.clear();
  pending_.read.whole_table = true;
  EXPECT_TRUE(Check({Add("n.parquet", "z")}).status().IsConflict());
}

TEST_F(ConflictTest, SameAppIdEndsTheTransaction) {
  pending_.txn = Txn{"app", 5, std::nullopt};
  EXPECT_EQ(*Check({Txn{"app", 5, std::nullopt}}), ConflictOutcome::kAlreadyApplied);
  EXPECT_EQ(*Check({Txn{"app", 9, std::nullopt}}), ConflictOutcome::kAlreadyApplied);
  EXPECT_TRUE(Check({Txn{"app", 4, std::nullopt}}).status().IsConflict());
  EXPECT_EQ(*Check({Txn{"other", 9, std::nullopt}}), ConflictOutcome::kNoConflict);
}

TEST_F(ConflictTest, MetadataChangersConflictWithAnyDataChange) {
  pending_.changes_metadata = true;
  EXPECT_TRUE(Check({Add("n.parquet", "a")}).status().IsConflict());
  EXPECT_EQ(*Check({Info("OPTIMIZE")}), ConflictOutcome::kNoConflict);
}

}  // namespace
}  // namespace strata::lake
