#include "common/config.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/fake_file_system.h"

namespace strata {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr std::string_view kProject = R"(name: shop
threads: 8
debug: yes
ratio: 0.25
warehouse:
  path: /data/lake
  format: delta
models:
  - orders
  - customers
vars:
  region: eu
  tier: "1"
)";

ConfigDocument MustParse(std::string_view text, const ConfigOptions& options = {}) {
  auto doc = ParseConfig(text, "strata.yml", options);
  EXPECT_TRUE(doc.ok()) << doc.status().ToString();
  return doc.ok() ? *std::move(doc) : *ParseConfig("", "empty");
}

TEST(ConfigTest, TypedGetters) {
  ConfigDocument doc = MustParse(kProject);
  const ConfigNode& root = doc.root();
  EXPECT_EQ(*root.Get<std::string>("name"), "shop");
  EXPECT_EQ(*root.Get<int64_t>("threads"), 8);
  EXPECT_EQ(*root.Get<int>("threads"), 8);
  EXPECT_EQ(*root.Get<bool>("debug"), true);
  EXPECT_DOUBLE_EQ(*root.Get<double>("ratio"), 0.25);
  EXPECT_EQ(*root.Get<std::string>("threads"), "8") << "any scalar reads as a string";
  EXPECT_EQ(*root.Get<std::vector<std::string>>("models"),
            (std::vector<std::string>{"orders", "customers"}));
  EXPECT_EQ((*root.Get<std::map<std::string, std::string>>("vars")).at("tier"), "1");

  auto warehouse = root.Child("warehouse");
  ASSERT_TRUE(warehouse.ok());
  EXPECT_EQ(warehouse->path(), "warehouse");
  EXPECT_EQ(*warehouse->Get<std::string>("path"), "/data/lake");
  EXPECT_EQ(warehouse->Location(), "strata.yml:6:3");
  EXPECT_EQ(warehouse->Keys(), (std::vector<std::string>{"path", "format"}));
  EXPECT_TRUE(root.Has("vars"));
  EXPECT_FALSE(root.Has("nope"));
}

TEST(ConfigTest, OptionalKeysFallBack) {
  ConfigDocument doc = MustParse("a: 1\nempty:\n");
  EXPECT_EQ(*doc.root().GetOr<int64_t>("missing", 42), 42);
  EXPECT_EQ(*doc.root().GetOr<int64_t>("a", 42), 1);
  EXPECT_EQ(*doc.root().GetOr<std::string>("empty", "dflt"), "dflt") << "null counts as absent";
  EXPECT_FALSE(doc.root().GetOr<bool>("a", false).ok()) << "present but wrong type";
}

TEST(ConfigTest, MissingRequiredKeyNamesThePath) {
  ConfigDocument doc = MustParse("warehouse:\n  format: delta\n");
  auto warehouse = doc.root().Child("warehouse");
  ASSERT_TRUE(warehouse.ok());
  Status s = warehouse->Get<std::string>("path").status();
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "strata.yml:2:3: missing required key 'warehouse.path'");
}

TEST(ConfigTest, TypeErrorsNameLocationPathAndWhatWasFound) {
  ConfigDocument doc = MustParse(R"(name: shop
threads: many
warehouse:
  path: [a, b]
  big: 99999999999999999999
  flag: maybe
  port: 3000000000
)");
  auto warehouse = doc.root().Child("warehouse");
  ASSERT_TRUE(warehouse.ok());
  EXPECT_EQ(warehouse->Get<std::string>("path").status().message(),
            "strata.yml:4:9: 'warehouse.path' must be a string, got a sequence");
  EXPECT_EQ(doc.root().Get<int64_t>("threads").status().message(),
            "strata.yml:2:10: 'threads' must be an integer, got 'many'");
  EXPECT_THAT(warehouse->Get<int64_t>("big").status().message(), HasSubstr("out of range"));
  EXPECT_THAT(warehouse->Get<int>("port").status().message(), HasSubstr("out of range"));
  EXPECT_EQ(warehouse->Get<bool>("flag").status().message(),
            "strata.yml:6:9: 'warehouse.flag' must be a boolean (true or false), got 'maybe'");
  EXPECT_EQ(doc.root().Get<std::vector<std::string>>("name").status().message(),
            "strata.yml:1:7: 'name' must be a sequence of strings, got 'shop'");
  EXPECT_EQ(doc.root().Child("name")->Get<std::string>("x").status().message(),
            "strata.yml:1:7: 'name' must be a map, got 'shop'");
  EXPECT_EQ(warehouse->Error("must be writable").message(),
            "strata.yml:4:3: 'warehouse' must be writable");
}

TEST(ConfigTest, UnknownKeysSuggestTheClosestKnownOne) {
  ConfigDocument doc = MustParse("warehouse:\n  format: delta\n  pth: /x\n");
  auto warehouse = doc.root().Child("warehouse");
  ASSERT_TRUE(warehouse.ok());
  Status s = warehouse->CheckKnownKeys({"path", "format"});
  EXPECT_EQ(s.message(),
            "strata.yml:3:3: 'warehouse.pth' is not a known key (did you mean 'path'?)");
  EXPECT_TRUE(warehouse->CheckKnownKeys({"path", "format", "pth"}).ok());
  Status far = doc.root().CheckKnownKeys({"name", "models"});
  EXPECT_EQ(far.message(),
            "strata.yml:1:1: 'warehouse' is not a known key (known keys: name, models)");
}

TEST(ConfigTest, ParseErrorsAreOneBased) {
  auto doc = ParseConfig("name: shop\nwarehouse:\n  path: \"unclosed\n", "strata.yml");
  ASSERT_FALSE(doc.ok());
  EXPECT_TRUE(doc.status().IsInvalidArgument());
  EXPECT_THAT(doc.status().message(), StartsWith("strata.yml:3:"));

  auto bad_indent = ParseConfig("a:\n  b: 1\n c: 2\n", "p.yml");
  ASSERT_FALSE(bad_indent.ok());
  EXPECT_THAT(bad_indent.status().message(), StartsWith("p.yml:3:"));
}

TEST(ConfigTest, RejectsDuplicateKeysAndOddDocuments) {
  auto dup = ParseConfig("a:\n  x: 1\n  x: 2\n", "s.yml");
  EXPECT_EQ(dup.status().message(), "s.yml:3:3: duplicate key 'a.x'");
  auto two = ParseConfig("a: 1\n---\nb: 2\n", "s.yml");
  EXPECT_EQ(two.status().message(),
            "s.yml:2:1: a second YAML document starts here; a config file holds one");
  auto tab = ParseConfig("a:\n\tb: 1\n", "s.yml");
  EXPECT_THAT(tab.status().message(), HasSubstr("tabs"));
  auto list = ParseConfig("- a\n- b\n", "s.yml");
  EXPECT_EQ(list.status().message(), "s.yml:1:1: the document must be a map, got a sequence");
  auto complex_key = ParseConfig("? [a, b]\n: 1\n", "s.yml");
  EXPECT_THAT(complex_key.status().message(), HasSubstr("must be strings"));
}

TEST(ConfigTest, EmptyDocumentIsAnEmptyMap) {
  ConfigDocument doc = MustParse("# only a comment\n");
  EXPECT_TRUE(doc.root().Keys().empty());
  EXPECT_TRUE(doc.root().CheckKnownKeys({"a"}).ok());
  EXPECT_EQ(doc.root().Get<std::string>("a").status().message(),
            "strata.yml: missing required key 'a'");
}

TEST(ConfigTest, SequencesAndEntriesCarryPaths) {
  ConfigDocument doc = MustParse("models:\n  - name: a\n  - name: 7\n    x: [1]\n");
  auto models = doc.root().Child("models");
  ASSERT_TRUE(models.ok());
  auto elements = models->Elements();
  ASSERT_TRUE(elements.ok());
  ASSERT_EQ(elements->size(), 2u);
  EXPECT_EQ((*elements)[1].path(), "models[1]");
  EXPECT_EQ((*elements)[1].Get<std::string>("x").status().message(),
            "strata.yml:4:8: 'models[1].x' must be a string, got a sequence");
  auto entries = (*elements)[1].Entries();
  ASSERT_TRUE(entries.ok());
  EXPECT_EQ((*entries)[0].first, "name");
  EXPECT_EQ((*entries)[0].second.path(), "models[1].name");
  EXPECT_FALSE(models->Entries().ok());
}

TEST(ConfigTest, InterpolatesEnvironmentVariables) {
  ConfigOptions options;
  options.env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "PG_PASSWORD") return std::string("hunter2");
    if (name == "EMPTY") return std::string();
    if (name == "PORT") return std::string("5432");
    return std::nullopt;
  };
  ConfigDocument doc = MustParse(R"(dsn: "postgres://app:${PG_PASSWORD}@db/x"
port: ${PORT}
region: ${REGION:-eu-west-1}
empty: ${EMPTY:-fallback}
literal: "cost $$5 and $${NOT_A_VAR}"
missing: ${NOPE}
broken: "${UNCLOSED"
invalid: ${1BAD}
)",
                                 options);
  const ConfigNode& root = doc.root();
  EXPECT_EQ(*root.Get<std::string>("dsn"), "postgres://app:hunter2@db/x");
  EXPECT_EQ(*root.Get<int64_t>("port"), 5432);
  EXPECT_EQ(*root.Get<std::string>("region"), "eu-west-1");
  EXPECT_EQ(*root.Get<std::string>("empty"), "fallback");
  EXPECT_EQ(*root.Get<std::string>("literal"), "cost $$5 and ${NOT_A_VAR}");
  EXPECT_EQ(root.Get<std::string>("missing").status().message(),
            "strata.yml:6:10: 'missing' uses environment variable 'NOPE', which is not set");
  EXPECT_THAT(root.Get<std::string>("broken").status().message(), HasSubstr("unclosed"));
  EXPECT_THAT(root.Get<std::string>("invalid").status().message(), HasSubstr("invalid variable"));
}

TEST(ConfigTest, ProcessEnvironmentIsTheDefault) {
  ::setenv("STRATA_CONFIG_TEST_VAR", "from-env", 1);
  ConfigDocument doc = MustParse("v: ${STRATA_CONFIG_TEST_VAR}\n");
  EXPECT_EQ(*doc.root().Get<std::string>("v"), "from-env");
  ::unsetenv("STRATA_CONFIG_TEST_VAR");
}

TEST(ConfigTest, LoadConfigFileUsesThePathInErrors) {
  InMemoryFileSystem fs;
  ASSERT_TRUE(fs.CreateDirectories("/proj").ok());
  ASSERT_TRUE(fs.WriteFileAtomic("/proj/strata.yml", "name: shop\nthreads: x\n").ok());
  auto doc = LoadConfigFile(fs, "/proj/strata.yml");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->name(), "/proj/strata.yml");
  EXPECT_EQ(doc->root().Get<int>("threads").status().message(),
            "/proj/strata.yml:2:10: 'threads' must be an integer, got 'x'");
  EXPECT_TRUE(LoadConfigFile(fs, "/proj/missing.yml").status().IsNotFound());
}

TEST(ConfigTest, NodesOutliveTheirDocument) {
  std::optional<ConfigNode> kept;
  {
    ConfigDocument doc = MustParse(kProject);
    kept = *doc.root().Child("warehouse");
  }
  EXPECT_EQ(*kept->Get<std::string>("format"), "delta");
  EXPECT_EQ(kept->Location(), "strata.yml:6:3");
}

// Malformed input of every kind must come back as a Status, never a crash.
TEST(ConfigTest, MalformedInputIsAnErrorNotACrash) {
  std::string deep_flow(100'000, '[');
  std::string deep_block;
  for (int i = 0; i < 5000; ++i) deep_block += std::string(static_cast<size_t>(i), ' ') + "k:\n";
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'j'; ++c) {
    bomb += fmt::format("{}: &{} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n", c,
                        c, fmt::arg("p", std::string(1, static_cast<char>(c - 1))));
  }
  const std::vector<std::string> inputs = {
      "a:\n\tb: 1\n",             // tab indentation
      "a: \"unclosed\n",          // unclosed double quote
      "a: 'unclosed\n",           // unclosed single quote
      "a: [1, 2\n",               // unclosed flow sequence
      "a: {b: 1\n",               // unclosed flow map
      "a: *undefined_alias\n",    // unknown alias
      "a: \"bad escape \\q\"\n",  // unknown escape
      ",'a'\n",                   // hangs yaml-cpp 0.7's LoadAll
      "x: 1\n---\n,\n",
      "a: \"multi\n  line, never closed\n\n",  // unclosed across lines
      "key: value\n  bad: indent\n",           // indentation error
      "- a\nb: c\n",                           // sequence then map
      deep_flow,                               // deep nesting (flow)
      deep_block,                              // deep nesting (block)
      bomb,                                    // alias bomb, 10^10 nodes expanded
      "a: &x {b: *x}\n",                       // an alias inside its own anchor: a cycle
      "a: &x [1, *x]\n",
      std::string("\x00\xff\xfe\x01garbage\x80\x81", 11),
      std::string("a: \"\\x\xff\"\n"),
      "%YAML 9.9\n---\na: 1\n",
      "@reserved\n",
      "a: b: c\n",
  };
  for (const std::string& input : inputs) {
    auto doc = ParseConfig(input, "bad.yml");
    EXPECT_FALSE(doc.ok()) << "accepted: " << input.substr(0, 60);
    if (!doc.ok()) {
      EXPECT_TRUE(doc.status().IsInvalidArgument());
      EXPECT_THAT(doc.status().message(), StartsWith("bad.yml"));
    }
  }
}

}  // namespace
}  // namespace strata
