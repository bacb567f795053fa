// The broken fixture projects under testdata/broken: each error names its
// file:line:col and node, and loading goes on where dbt's would.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "transform/dbt_testing.h"

namespace strata::transform {
namespace {

using ::testing::HasSubstr;
using testing::LoadFixture;

std::vector<Diagnostic> Errors(const DbtProject& p) {
  std::vector<Diagnostic> out;
  for (const auto& d : p.diagnostics) {
    if (d.IsError()) out.push_back(d);
  }
  return out;
}

TEST(DbtErrorsTest, YamlSyntaxErrorNamesFileLineAndTheRestLoads) {
  DbtProject p = LoadFixture("broken/yaml_error");
  DbtGraph g = DbtGraph::Build(&p);
  auto errors = Errors(p);
  ASSERT_EQ(errors.size(), 1u) << testing::AllDiagnostics(p);
  EXPECT_EQ(errors[0].file, "models/schema.yml");
  EXPECT_GE(errors[0].line, 6);
  EXPECT_GT(errors[0].column, 0);
  EXPECT_THAT(errors[0].message, HasSubstr("invalid YAML"));
  EXPECT_THAT(g.Parents("model.broken_yaml.b"), ::testing::ElementsAre("model.broken_yaml.a"));
  EXPECT_FALSE(ProjectStatus(p).ok());
}

TEST(DbtErrorsTest, DuplicateModelNamesNameBothFiles) {
  DbtProject p = LoadFixture("broken/duplicate");
  auto errors = Errors(p);
  ASSERT_EQ(errors.size(), 1u) << testing::AllDiagnostics(p);
  EXPECT_EQ(errors[0].node, "model.duplicate.dup");
  EXPECT_THAT(errors[0].message, HasSubstr("models/one/dup.sql"));
  EXPECT_THAT(errors[0].message, HasSubstr("models/two/dup.sql"));
  EXPECT_EQ(errors[0].file, "models/two/dup.sql");
}

TEST(DbtErrorsTest, PropertyFileProblems) {
  DbtProject p = LoadFixture("broken/bad_properties");
  auto errors = Errors(p);
  ASSERT_EQ(errors.size(), 2u) << testing::AllDiagnostics(p);
  // An unknown key in a model entry: dbt's schema rejects it.
  EXPECT_EQ(errors[0].file, "models/schema.yml");
  EXPECT_EQ(errors[0].line, 4);
  EXPECT_EQ(errors[0].column, 5);
  EXPECT_THAT(errors[0].message, HasSubstr("'colums' is not a property of a model"));
  EXPECT_EQ(errors[0].node, "model.bad_properties.orders");
  // A generic test no macro defines.
  EXPECT_EQ(errors[1].line, 9);
  EXPECT_THAT(errors[1].message, HasSubstr("test 'no_such_test' is not defined"));
  // A property for a model that does not exist: a warning, as in dbt.
  bool warned = false;
  for (const auto& d : p.diagnostics) {
    if (!d.IsError() && d.line == 10 &&
        d.message.find("did you mean 'orders'?") != std::string::npos) {
      warned = true;
    }
  }
  EXPECT_TRUE(warned) << testing::AllDiagnostics(p);
  // The valid part of the entry still applies.
  ASSERT_NE(p.FindNode("model.bad_properties.orders"), nullptr);
  EXPECT_EQ(p.FindNode("model.bad_properties.orders")->columns.size(), 1u);
}

TEST(DbtErrorsTest, UnknownProjectKey) {
  DbtProject p = LoadFixture("broken/bad_project_key");
  auto errors = Errors(p);
  ASSERT_EQ(errors.size(), 1u) << testing::AllDiagnostics(p);
  EXPECT_EQ(errors[0].file, "dbt_project.yml");
  EXPECT_EQ(errors[0].line, 4);
  EXPECT_EQ(errors[0].column, 1);
  EXPECT_THAT(errors[0].message, HasSubstr("'modles'"));
  EXPECT_NE(p.FindNode("model.bad_project_key.m"), nullptr);
}

}  // namespace
}  // namespace strata::transform
