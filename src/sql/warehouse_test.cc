#include "sql/warehouse.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace strata::sql {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class WarehouseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = (std::filesystem::path(::testing::TempDir()) /
             ("warehouse_test_" + std::to_string(::getpid()) + "_" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name()))
                .string();
    std::filesystem::remove_all(root_);
    auto warehouse =
        Warehouse::Open(root_, {"bronze", "Silver", "gold", "sandbox"}, *FileSystem::Default());
    ASSERT_TRUE(warehouse.ok()) << warehouse.status().ToString();
    warehouse_ = std::move(warehouse).value();
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  // A folder that looks like a Delta table to the warehouse.
  void MakeTable(const std::string& schema, const std::string& name) {
    std::filesystem::create_directories(std::filesystem::path(root_) / schema / name /
                                        "_delta_log");
  }

  std::string root_;
  std::unique_ptr<Warehouse> warehouse_;
};

TEST_F(WarehouseTest, PathsAreLowercaseFoldersUnderTheirSchema) {
  EXPECT_THAT(warehouse_->schemas(), ElementsAre("bronze", "silver", "gold", "sandbox"));
  EXPECT_TRUE(warehouse_->HasSchema("SILVER"));
  EXPECT_FALSE(warehouse_->HasSchema("main"));
  auto path = warehouse_->TablePath("Bronze", "Orders");
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(*path, root_ + "/bronze/orders");
}

TEST_F(WarehouseTest, RejectsNamesThatCannotBeFolders) {
  for (const char* name : {"", "../x", "a/b", ".hidden", "_delta_log"}) {
    auto path = warehouse_->TablePath("bronze", name);
    EXPECT_FALSE(path.ok()) << name;
    EXPECT_TRUE(path.status().IsInvalidArgument()) << name;
  }
  // Strata's own tables start with '_' (the ingest quarantine).
  auto quarantine = warehouse_->TablePath("bronze", "_quarantine_shop");
  ASSERT_TRUE(quarantine.ok()) << quarantine.status().ToString();
  EXPECT_THAT(*quarantine, HasSubstr("bronze/_quarantine_shop"));
  auto unknown = warehouse_->TablePath("platinum", "t");
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.status().message(), HasSubstr("bronze, silver, gold, sandbox"));
  EXPECT_FALSE(Warehouse::Open(root_, {"a/b"}, *FileSystem::Default()).ok());
}

TEST_F(WarehouseTest, ListsOnlyDeltaTables) {
  auto empty = warehouse_->ListTables("gold");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  MakeTable("gold", "b_table");
  MakeTable("gold", "a_table");
  std::filesystem::create_directories(std::filesystem::path(root_) / "gold" / "not_a_table");
  auto tables = warehouse_->ListTables("gold");
  ASSERT_TRUE(tables.ok());
  EXPECT_THAT(*tables, ElementsAre("a_table", "b_table"));
  EXPECT_TRUE(warehouse_->TableExists("GOLD", "A_Table"));
  EXPECT_FALSE(warehouse_->TableExists("gold", "not_a_table"));
}

TEST_F(WarehouseTest, DropDeletesTablesButNeverOtherFolders) {
  MakeTable("bronze", "t");
  ASSERT_TRUE(warehouse_->DropTable("bronze", "t").ok());
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(root_) / "bronze" / "t"));
  EXPECT_TRUE(warehouse_->DropTable("bronze", "t").IsNotFound());
  std::filesystem::create_directories(std::filesystem::path(root_) / "bronze" / "keep");
  Status refused = warehouse_->DropTable("bronze", "keep");
  EXPECT_TRUE(refused.IsInvalidArgument());
  EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(root_) / "bronze" / "keep"));
}

TEST_F(WarehouseTest, CreatesSchemaFoldersAndMapsPropertyNames) {
  ASSERT_TRUE(warehouse_->CreateSchemaDirectories().ok());
  EXPECT_TRUE(std::filesystem::is_directory(std::filesystem::path(root_) / "sandbox"));
  EXPECT_EQ(PropertyKey("Owner"), kOwnerProperty);
  EXPECT_EQ(PropertyKey("comment"), kDescriptionProperty);
  EXPECT_EQ(PropertyKey("retention"), kRetentionProperty);
  EXPECT_EQ(PropertyKey("delta.appendOnly"), "delta.appendOnly");
  EXPECT_TRUE(IsMedallionSchema("Gold"));
  EXPECT_FALSE(IsMedallionSchema("sandbox"));
}

}  // namespace
}  // namespace strata::sql
