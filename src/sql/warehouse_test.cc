#include "sql/warehouse.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

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

TEST_F(WarehouseTest, ViewsAreDefinitionFilesBesideTables) {
  MakeTable("silver", "t");
  ViewDefinition view;
  view.schema = "SILVER";
  view.name = "My_View";
  view.sql = "select a, 'it''s' as b from silver.t -- note";
  view.column_aliases = {"x"};
  view.columns = {{"x", "INTEGER"}, {"b", "VARCHAR"}};
  view.created_at_millis = 1000;
  view.updated_at_millis = 2000;
  ASSERT_TRUE(warehouse_->WriteView(view).ok());
  const auto file = std::filesystem::path(root_) / "silver" / "my_view" / kViewFileName;
  EXPECT_TRUE(std::filesystem::exists(file));
  EXPECT_TRUE(warehouse_->ViewExists("Silver", "MY_VIEW"));
  EXPECT_FALSE(warehouse_->TableExists("silver", "my_view"));
  EXPECT_FALSE(warehouse_->ViewExists("silver", "t"));

  auto read = warehouse_->ReadView("silver", "my_view");
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->schema, "silver");
  EXPECT_EQ(read->name, "my_view");
  EXPECT_EQ(read->sql, view.sql);
  EXPECT_THAT(read->column_aliases, ElementsAre("x"));
  ASSERT_EQ(read->columns.size(), 2u);
  EXPECT_EQ(read->columns[1].name, "b");
  EXPECT_EQ(read->columns[1].type, "VARCHAR");
  EXPECT_EQ(read->created_at_millis, 1000);
  EXPECT_EQ(read->updated_at_millis, 2000);

  auto relations = warehouse_->ListRelations("silver");
  ASSERT_TRUE(relations.ok());
  ASSERT_EQ(relations->size(), 2u);
  EXPECT_EQ((*relations)[0].name, "my_view");
  EXPECT_EQ((*relations)[0].kind, WarehouseRelation::Kind::kView);
  EXPECT_EQ((*relations)[1].name, "t");
  EXPECT_EQ((*relations)[1].kind, WarehouseRelation::Kind::kTable);
  EXPECT_THAT(*warehouse_->ListViews("silver"), ElementsAre("my_view"));
  EXPECT_THAT(*warehouse_->ListTables("silver"), ElementsAre("t"));

  // A table's name is taken; DROP VIEW leaves tables alone.
  view.name = "t";
  EXPECT_TRUE(warehouse_->WriteView(view).IsInvalidArgument());
  EXPECT_TRUE(warehouse_->DropView("silver", "t").IsInvalidArgument());
  EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(root_) / "silver" / "t"));
  EXPECT_TRUE(warehouse_->DropTable("silver", "my_view").IsInvalidArgument());

  ASSERT_TRUE(warehouse_->DropView("silver", "my_view").ok());
  EXPECT_FALSE(std::filesystem::exists(file.parent_path()));
  EXPECT_TRUE(warehouse_->DropView("silver", "my_view").IsNotFound());
  EXPECT_TRUE(warehouse_->ReadView("silver", "my_view").status().IsNotFound());
}

TEST(ViewDefinitionTest, RejectsFilesItCannotRead) {
  EXPECT_TRUE(ParseView("not json", "f").status().IsInvalidArgument());
  EXPECT_TRUE(ParseView(R"({"format": "other", "format_version": 1, "sql": "x"})", "f")
                  .status()
                  .IsInvalidArgument());
  EXPECT_TRUE(ParseView(R"({"format": "strata-view", "format_version": 1})", "f")
                  .status()
                  .IsInvalidArgument());
  auto newer = ParseView(R"({"format": "strata-view", "format_version": 2, "sql": "x"})", "f");
  EXPECT_EQ(newer.status().code(), StatusCode::kNotSupported);
  EXPECT_THAT(newer.status().message(), HasSubstr("format_version 2"));
  auto minimal =
      ParseView(R"({"format": "strata-view", "format_version": 1, "sql": "select 1"})", "f");
  ASSERT_TRUE(minimal.ok()) << minimal.status().ToString();
  EXPECT_EQ(minimal->sql, "select 1");
  EXPECT_TRUE(minimal->columns.empty());
}

TEST_F(WarehouseTest, SchemasCanBeAddedFromManyThreads) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < 50; ++i) {
        EXPECT_TRUE(warehouse_->AddSchema("s" + std::to_string(i % 10)).ok());
        EXPECT_TRUE(warehouse_->HasSchema("s" + std::to_string((i + t) % 10)) || i < 10);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(warehouse_->schemas().size(), 4u + 10u);
  EXPECT_TRUE(std::filesystem::is_directory(std::filesystem::path(root_) / "s9"));
}

}  // namespace
}  // namespace strata::sql
