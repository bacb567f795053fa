// selectors.yml: each YAML form is checked against the CLI selection that
// dbt documents as its equivalent (the CLI syntax has its own tests in
// dbt_selector_test.cc), plus the errors, the default selector and
// `--selector` through the runner.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "transform/dbt_runner_testing.h"
#include "transform/dbt_selector.h"

namespace strata::transform {
namespace {

using ::testing::HasSubstr;
using testing::ProjectCopy;
using ::testing::UnorderedElementsAre;

// A temp dir holding only selectors.yml, removed at destruction.
class SelectorsDir {
 public:
  SelectorsDir() {
    char tmpl[] = "/tmp/dbt_selectors_XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  ~SelectorsDir() { std::filesystem::remove_all(dir_); }
  const std::string& dir() const { return dir_; }
  void Write(const std::string& rel, const std::string& text) const {
    std::ofstream(dir_ + "/" + rel) << text;
  }

 private:
  std::string dir_;
};

class YamlSelectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    project_ = testing::LoadFixture("jaffle");
    graph_ = DbtGraph::Build(&project_);
    ASSERT_FALSE(project_.HasErrors()) << testing::AllDiagnostics(project_);
  }

  // Writes selectors.yml and loads it.
  Result<std::vector<YamlSelector>> Load(const std::string& yaml) {
    dir_.Write("selectors.yml", yaml);
    return LoadYamlSelectors(*FileSystem::Default(), dir_.dir());
  }

  Result<std::set<std::string>> ByYaml(const std::string& yaml, const std::string& name,
                                       std::vector<std::string> select = {}) {
    STRATA_ASSIGN_OR_RETURN(selectors_, Load(yaml));
    SelectionOptions options;
    options.selector = name;
    options.select = std::move(select);
    options.yaml_selectors = &selectors_;
    return SelectNodes(project_, graph_, options);
  }

  std::set<std::string> ByCli(std::vector<std::string> select,
                              std::vector<std::string> exclude = {}) {
    SelectionOptions options;
    options.select = std::move(select);
    options.exclude = std::move(exclude);
    auto ids = SelectNodes(project_, graph_, options);
    EXPECT_TRUE(ids.ok()) << ids.status().ToString();
    return ids.ok() ? *ids : std::set<std::string>{};
  }

  std::set<std::string> Must(const Result<std::set<std::string>>& r) {
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::set<std::string>{};
  }

  DbtProject project_;
  DbtGraph graph_;
  SelectorsDir dir_;
  std::vector<YamlSelector> selectors_;
};

TEST_F(YamlSelectorTest, DocsExampleInBothStylesEqualsTheCliSelection) {
  // dbt's docs example, on jaffle: `--select "@stg_orders,tag:marts models/staging"
  // --exclude "tag:finance,resource_type:model stg_payments"`.
  const std::set<std::string> cli = ByCli({"@stg_orders,tag:marts models/staging"},
                                          {"tag:finance,resource_type:model stg_payments"});
  ASSERT_FALSE(cli.empty());
  EXPECT_EQ(cli.count("model.jaffle.stg_payments"), 0u);
  EXPECT_EQ(cli.count("model.jaffle.orders"), 1u);
  const std::string cli_style = R"(
selectors:
  - name: nightly
    description: CLI-style strings
    definition:
      union:
        - intersection:
            - '@stg_orders'
            - 'tag:marts'
        - 'models/staging'
        - exclude:
            - intersection:
                - 'tag:finance'
                - 'resource_type:model'
            - stg_payments
)";
  EXPECT_EQ(Must(ByYaml(cli_style, "nightly")), cli);
  const std::string full = R"(
selectors:
  - name: nightly
    definition:
      union:
        - intersection:
            - method: fqn
              value: stg_orders
              childrens_parents: true
            - method: tag
              value: marts
        - method: path
          value: models/staging
        - exclude:
            - intersection:
                - method: tag
                  value: finance
                - method: resource_type
                  value: model
            - method: fqn
              value: stg_payments
)";
  EXPECT_EQ(Must(ByYaml(full, "nightly")), cli);
}

TEST_F(YamlSelectorTest, GraphKeywordsMatchTheOperators) {
  auto one = [](const std::string& keywords) {
    return "selectors:\n  - name: s\n    definition:\n" + keywords;
  };
  EXPECT_EQ(Must(ByYaml(one("      method: fqn\n      value: stg_orders\n      children: true\n"
                            "      children_depth: 1\n"),
                        "s")),
            ByCli({"stg_orders+1"}));
  EXPECT_EQ(Must(ByYaml(one("      method: fqn\n      value: orders\n      parents: true\n"), "s")),
            ByCli({"+orders"}));
  EXPECT_EQ(Must(ByYaml(one("      method: fqn\n      value: orders\n      parents: true\n"
                            "      parents_depth: 1\n"),
                        "s")),
            ByCli({"1+orders"}));
  EXPECT_EQ(Must(ByYaml(one("      tag: finance\n"), "s")), ByCli({"tag:finance"}));
  EXPECT_EQ(Must(ByYaml(one("      'stg_customers+'\n"), "s")), ByCli({"stg_customers+"}));
  // exclude beside method/value is a set difference applied last.
  EXPECT_EQ(Must(ByYaml(one("      method: tag\n      value: marts\n      exclude:\n"
                            "        - 'tag:finance'\n"),
                        "s")),
            ByCli({"tag:marts"}, {"tag:finance"}));
}

TEST_F(YamlSelectorTest, IndirectSelectionIsPerCriterion) {
  const std::string yaml = R"(
selectors:
  - name: s
    definition:
      union:
        - method: fqn
          value: stg_orders
          indirect_selection: empty
        - method: fqn
          value: stg_customers
)";
  std::set<std::string> got = Must(ByYaml(yaml, "s"));
  // stg_customers brings its tests (eager); stg_orders brings none.
  std::set<std::string> expected = ByCli({"stg_customers"});
  expected.insert("model.jaffle.stg_orders");
  EXPECT_EQ(got, expected);
  // The tests of stg_orders alone stay out (the relationships test to
  // stg_customers comes in through stg_customers).
  for (const auto& id : got) {
    EXPECT_NE(id.rfind("test.jaffle.unique_stg_orders_", 0), 0u) << id;
    EXPECT_NE(id.rfind("test.jaffle.not_null_stg_orders_", 0), 0u) << id;
  }
  EXPECT_TRUE(std::any_of(expected.begin(), expected.end(), [](const std::string& id) {
    return id.rfind("test.jaffle.relationships_stg_orders_", 0) == 0;
  }));
}

TEST_F(YamlSelectorTest, SelectorMethodReusesAnotherSelector) {
  const std::string yaml = R"(
selectors:
  - name: marts_and_jaffle
    definition:
      intersection:
        - tag: marts
        - tag: jaffle
  - name: less_finance
    definition:
      intersection:
        - method: selector
          value: marts_and_jaffle
        - exclude:
            - method: tag
              value: finance
)";
  std::set<std::string> got = Must(ByYaml(yaml, "less_finance"));
  EXPECT_EQ(got, ByCli({"tag:marts,tag:jaffle"}, {"tag:finance"}));
  // dbt 1.12's `--select selector:NAME` (with graph operators around it).
  SelectionOptions cli;
  cli.yaml_selectors = &selectors_;
  cli.select = {"selector:less_finance"};
  EXPECT_EQ(Must(SelectNodes(project_, graph_, cli)), got);
  cli.select = {"selector:marts_and_jaffle"};
  cli.exclude = {"selector:less_finance"};
  EXPECT_EQ(Must(SelectNodes(project_, graph_, cli)), ByCli({"tag:finance"}));
  EXPECT_EQ(got.count("model.jaffle.revenue"), 0u);
  EXPECT_EQ(got.count("model.jaffle.customers"), 1u);
}

TEST_F(YamlSelectorTest, Errors) {
  auto loop = ByYaml(R"(
selectors:
  - name: a
    definition: {method: selector, value: b}
  - name: b
    definition: {selector: a}
)",
                     "a");
  ASSERT_FALSE(loop.ok());
  EXPECT_THAT(loop.status().message(), HasSubstr("cycle a -> b -> a"));

  auto unknown = ByYaml("selectors:\n  - name: a\n    definition: 'tag:x'\n", "zzz");
  ASSERT_FALSE(unknown.ok());
  EXPECT_TRUE(unknown.status().IsNotFound());
  EXPECT_THAT(unknown.status().message(), HasSubstr("expected one of 'a'"));

  auto two_defaults = Load(R"(
selectors:
  - {name: a, default: true, definition: 'tag:x'}
  - {name: b, default: true, definition: 'tag:y'}
)");
  ASSERT_FALSE(two_defaults.ok());
  EXPECT_THAT(two_defaults.status().message(), HasSubstr("'a' and 'b' both set default"));

  auto set_ops_in_string = ByYaml("selectors:\n  - name: a\n    definition: 'tag:x tag:y'\n", "a");
  ASSERT_FALSE(set_ops_in_string.ok());
  EXPECT_THAT(set_ops_in_string.status().message(), HasSubstr("union/intersection"));

  auto bad_key =
      ByYaml("selectors:\n  - name: a\n    definition: {method: tag, value: x, kids: true}\n", "a");
  ASSERT_FALSE(bad_key.ok());
  EXPECT_THAT(bad_key.status().message(), HasSubstr("unknown key 'kids'"));

  auto no_definition = Load("selectors:\n  - name: a\n");
  ASSERT_FALSE(no_definition.ok());
  EXPECT_THAT(no_definition.status().message(), HasSubstr("'a' has no definition"));
}

TEST_F(YamlSelectorTest, DefaultSelectorAppliesOnlyWithoutOtherCriteria) {
  auto loaded = Load(R"(
selectors:
  - name: other
    definition: 'tag:staging'
  - name: finance_only
    default: "true"
    definition: {tag: finance}
)");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  selectors_ = *loaded;
  SelectionOptions options;
  options.yaml_selectors = &selectors_;
  EXPECT_EQ(Must(SelectNodes(project_, graph_, options)), ByCli({"tag:finance"}));
  options.select = {"stg_orders"};
  EXPECT_EQ(Must(SelectNodes(project_, graph_, options)), ByCli({"stg_orders"}));
  options.select.clear();
  options.selector = "other";
  EXPECT_EQ(Must(SelectNodes(project_, graph_, options)), ByCli({"tag:staging"}));
  // --selector wins over --select and --exclude, which dbt ignores then.
  options.select = {"stg_orders"};
  options.exclude = {"tag:staging"};
  EXPECT_EQ(Must(SelectNodes(project_, graph_, options)), ByCli({"tag:staging"}));
}

TEST(YamlSelectorRunnerTest, LsWithSelectorDefaultAndJinjaDefault) {
  ProjectCopy project("jaffle");
  project.Write("selectors.yml", R"(
selectors:
  - name: finance
    definition: {method: tag, value: finance}
  - name: staging_in_dev
    default: "{{ target.name == 'dev' }}"
    definition: 'tag:staging'
)");
  DbtCommandOptions options = testing::OptionsFor(project, "ls");
  options.output = "name";
  options.resource_types = {"model"};
  options.selector = "finance";
  testing::CommandRun run = testing::RunCommand(options);
  ASSERT_TRUE(run.summary.ok()) << run.summary.status().ToString();
  EXPECT_THAT(run.summary->listed, UnorderedElementsAre("revenue"));

  // ls loads no profile: target.name is undefined there, so the Jinja
  // default renders false and every model is listed.
  options.selector.clear();
  run = testing::RunCommand(options);
  ASSERT_TRUE(run.summary.ok()) << run.summary.status().ToString();
  EXPECT_GT(run.summary->listed.size(), 3u);

  // `compile` loads the dev target: the default selector picks staging.
  options.command = "compile";
  options.resource_types = {};
  run = testing::RunCommand(options);
  ASSERT_TRUE(run.summary.ok()) << run.summary.status().ToString();
  std::set<std::string> compiled;
  for (const auto& n : run.summary->nodes) compiled.insert(n.unique_id);
  EXPECT_EQ(compiled.count("model.jaffle.stg_orders"), 1u);
  EXPECT_EQ(compiled.count("model.jaffle.orders"), 0u);
  EXPECT_EQ(compiled.count("model.jaffle.customers"), 0u);
  // manifest.json lists the selectors as dbt does.
  auto manifest = nlohmann::json::parse(project.Read("target/manifest.json"));
  EXPECT_EQ(manifest["selectors"]["finance"]["definition"]["value"], "finance");
  EXPECT_EQ(manifest["selectors"]["staging_in_dev"]["default"], true);

  options.command = "ls";
  options.selector = "nope";
  run = testing::RunCommand(options);
  ASSERT_FALSE(run.summary.ok());
  EXPECT_THAT(run.summary.status().message(), HasSubstr("Could not find selector named 'nope'"));
}

}  // namespace
}  // namespace strata::transform
