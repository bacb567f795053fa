#include "project/project.h"

#include <gtest/gtest.h>

#include "common/fake_file_system.h"

namespace strata::project {
namespace {

class ProjectTest : public ::testing::Test {
 protected:
  InMemoryFileSystem fs_;
};

TEST_F(ProjectTest, InitCreatesTheFolderLayoutAndOpens) {
  auto project = Project::Init(fs_, "/work/shop");
  ASSERT_TRUE(project.ok()) << project.status().ToString();
  EXPECT_EQ((*project)->root(), "/work/shop");
  EXPECT_EQ((*project)->config().name, "shop");
  for (const char* path : {"/work/shop/strata.yml", "/work/shop/models", "/work/shop/seeds",
                           "/work/shop/tests", "/work/shop/macros", "/work/shop/.strata",
                           "/work/shop/.gitignore"}) {
    auto exists = fs_.Exists(path);
    ASSERT_TRUE(exists.ok());
    EXPECT_TRUE(*exists) << path;
  }
  EXPECT_EQ((*project)->WarehousePath(), "/work/shop/warehouse");
  EXPECT_EQ((*project)->StateDir(), "/work/shop/.strata");
  const auto& schemas = (*project)->config().warehouse.schemas;
  EXPECT_EQ(schemas, (std::vector<std::string>{"bronze", "silver", "gold"}));
  auto gitignore = fs_.ReadFile("/work/shop/.gitignore");
  ASSERT_TRUE(gitignore.ok());
  EXPECT_NE(gitignore->find(".strata/"), std::string::npos);
}

TEST_F(ProjectTest, InitRefusesAnExistingProjectOrANonEmptyFolder) {
  ASSERT_TRUE(Project::Init(fs_, "/p").ok());
  auto again = Project::Init(fs_, "/p");
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);

  ASSERT_TRUE(fs_.CreateDirectories("/full").ok());
  ASSERT_TRUE(fs_.WriteFileAtomic("/full/notes.txt", "x").ok());
  auto refused = Project::Init(fs_, "/full");
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("--force"), std::string::npos);
  InitOptions force;
  force.force = true;
  force.name = "named";
  auto forced = Project::Init(fs_, "/full", force);
  ASSERT_TRUE(forced.ok()) << forced.status().ToString();
  EXPECT_EQ((*forced)->config().name, "named");
}

TEST_F(ProjectTest, FindWalksUpward) {
  ASSERT_TRUE(Project::Init(fs_, "/a/proj").ok());
  ASSERT_TRUE(fs_.CreateDirectories("/a/proj/models/staging").ok());
  auto found = Project::Find(fs_, "/a/proj/models/staging");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(*found, "/a/proj");
  auto missing = Project::Find(fs_, "/a");
  EXPECT_TRUE(missing.status().IsNotFound());
  EXPECT_NE(missing.status().message().find("strata init"), std::string::npos);
}

TEST_F(ProjectTest, OpenReadsEveryKey) {
  ASSERT_TRUE(fs_.CreateDirectories("/p").ok());
  ASSERT_TRUE(fs_.WriteFileAtomic("/p/strata.yml",
                                  "name: shop\n"
                                  "warehouse:\n"
                                  "  path: /data/wh\n"
                                  "  schemas: [bronze, silver, gold, sandbox]\n"
                                  "engine:\n"
                                  "  threads: 3\n"
                                  "  memory_limit: 2GB\n")
                  .ok());
  auto project = Project::Open(fs_, "/p");
  ASSERT_TRUE(project.ok()) << project.status().ToString();
  const ProjectConfig& config = (*project)->config();
  EXPECT_EQ(config.name, "shop");
  EXPECT_EQ((*project)->WarehousePath(), "/data/wh");
  EXPECT_EQ(config.warehouse.schemas.size(), 4u);
  EXPECT_EQ(config.warehouse.schemas[3], "sandbox");
  EXPECT_EQ(config.engine.threads, 3);
  EXPECT_EQ(config.engine.memory_limit, "2GB");
}

TEST_F(ProjectTest, DefaultFileParsesToDefaults) {
  auto config = Project::ParseConfig(DefaultProjectFile("x"), "strata.yml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->name, "x");
  EXPECT_EQ(config->warehouse.path, "warehouse");
  EXPECT_EQ(config->engine.threads, 0);
  EXPECT_EQ(config->engine.memory_limit, "");
}

struct BadConfig {
  const char* text;
  const char* expected;  // a part of the message
};

class BadConfigTest : public ::testing::TestWithParam<BadConfig> {};

TEST_P(BadConfigTest, NamesFileLineColumnAndKey) {
  auto config = Project::ParseConfig(GetParam().text, "strata.yml");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find(GetParam().expected), std::string::npos)
      << config.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    Errors, BadConfigTest,
    ::testing::Values(
        BadConfig{"name: x\nengine:\n  threads: many\n", "strata.yml:3:12"},
        BadConfig{"name: x\nengine:\n  threads: many\n", "engine.threads"},
        BadConfig{"name: x\nengine:\n  threads: -1\n", "engine.threads"},
        BadConfig{"name: x\nwarehouse: [unclosed\n", "strata.yml:"},
        BadConfig{"name: x\nwarehouse:\n  pth: w\n", "warehouse.pth"},
        BadConfig{"name: x\nwarehouse:\n  schemas: [bronze, 'Bad Name']\n", "Bad Name"},
        BadConfig{"warehouse:\n  path: w\n", "name"},
        BadConfig{"- just\n- a list\n", "strata.yml:1:1"},
        BadConfig{"", "name"}));

}  // namespace
}  // namespace strata::project
