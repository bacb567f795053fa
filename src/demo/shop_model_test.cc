// The generator's plumbing: templates, the dirty-row catalogue, the file plan
// and the manifest.
#include "demo/shop_model.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "demo/manifest.h"

namespace strata::demo::internal {
namespace {

TEST(DemoShopModelTest, ExpandTemplateSubstitutesAndRejectsUnknownNames) {
  std::map<std::string, std::string> vars = {{"N", "10"}, {"dirty.orders.duplicate", "(x)"}};
  auto out = ExpandTemplate("SELECT ${N} + ${N} WHERE ${dirty.orders.duplicate}", vars);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, "SELECT 10 + 10 WHERE (x)");
  EXPECT_TRUE(ExpandTemplate("${M}", vars).status().IsInvalidArgument());
  EXPECT_TRUE(ExpandTemplate("SELECT ${N", vars).status().IsInvalidArgument());
  EXPECT_EQ(*ExpandTemplate("no placeholders", vars), "no placeholders");
}

TEST(DemoShopModelTest, EveryStepExpandsWithTheStandardVariables) {
  auto vars = TemplateVars(12345, 7);
  EXPECT_EQ(vars.at("N"), "12345");
  EXPECT_EQ(vars.at("SEED"), "7");
  std::vector<SqlStep> steps = ShopSteps();
  for (const SqlStep& s : ActivitySteps()) steps.push_back(s);
  std::set<std::string> finished;
  for (const SqlStep& s : steps) {
    auto sql = ExpandTemplate(s.sql, vars);
    EXPECT_TRUE(sql.ok()) << s.name << ": " << sql.status().ToString();
    if (!s.name.empty()) finished.insert(std::string(s.name));
  }
  // Every data set has a step that finishes its table.
  for (const DatasetSpec& ds : Datasets()) EXPECT_TRUE(finished.count(std::string(ds.name)));
}

TEST(DemoShopModelTest, DirtyRulesAreDisjointPerDatasetAndSmall) {
  std::map<std::string_view, std::vector<const DirtyRule*>> by_dataset;
  std::set<std::pair<std::string_view, std::string_view>> kinds;
  for (const DirtyRule& r : DirtyRules()) {
    EXPECT_LT(r.lo, r.hi) << r.kind;
    EXPECT_GE(r.lo, 0.0);
    EXPECT_FALSE(r.description.empty());
    EXPECT_TRUE(kinds.insert({r.dataset, r.kind}).second) << r.dataset << "." << r.kind;
    by_dataset[r.dataset].push_back(&r);
  }
  for (const auto& [name, rules] : by_dataset) {
    double total = 0;
    for (size_t i = 0; i < rules.size(); ++i) {
      total += rules[i]->hi - rules[i]->lo;
      for (size_t j = i + 1; j < rules.size(); ++j) {
        bool overlap = rules[i]->lo < rules[j]->hi && rules[j]->lo < rules[i]->hi;
        EXPECT_FALSE(overlap) << name << ": " << rules[i]->kind << " / " << rules[j]->kind;
      }
    }
    EXPECT_LT(total, 0.06) << name << " would be too dirty to be realistic";
  }
}

TEST(DemoShopModelTest, OutputFilesCoverEachPeriodOnce) {
  std::map<std::string, std::vector<OutputFile>> by_dataset;
  std::set<std::string> paths;
  for (const OutputFile& f : OutputFiles()) {
    EXPECT_TRUE(paths.insert(f.path).second) << f.path;
    by_dataset[f.dataset].push_back(f);
  }
  EXPECT_EQ(by_dataset.size(), Datasets().size());
  for (const auto& [name, files] : by_dataset) {
    for (size_t i = 1; i < files.size(); ++i) {
      EXPECT_EQ(files[i].from_ts, files[i - 1].to_ts) << name << ": gap or overlap";
    }
  }
  EXPECT_EQ(by_dataset["orders"].front().from_ts, "2024-01-01");
  EXPECT_EQ(by_dataset["orders"].back().to_ts, "2026-01-01");
  EXPECT_EQ(by_dataset["events"].back().to_ts, "2026-01-01");
}

TEST(DemoShopModelTest, CopyStatementQuotesThePathAndPicksTheFormat) {
  OutputFile f{"orders", "orders/o.csv", "2024-01-01", "2024-02-01", "order_id"};
  std::string csv = CopyStatement(f, "csv", "/d/it's");
  EXPECT_NE(csv.find("'/d/it''s/orders/o.csv'"), std::string::npos) << csv;
  EXPECT_NE(csv.find("HEADER"), std::string::npos);
  EXPECT_NE(csv.find("_ts >= TIMESTAMP '2024-01-01'"), std::string::npos);
  EXPECT_NE(CopyStatement(f, "json", "/d").find("ARRAY true"), std::string::npos);
  std::string ndjson = CopyStatement(f, "ndjson", "/d");
  EXPECT_NE(ndjson.find("FORMAT json"), std::string::npos);
  EXPECT_EQ(ndjson.find("ARRAY"), std::string::npos);
  OutputFile whole{"customers", "customers.csv", "", "", "customer_id"};
  EXPECT_EQ(CopyStatement(whole, "csv", "/d").find("WHERE"), std::string::npos);
}

TEST(DemoManifestTest, RoundTripsAndRejectsWhatItDidNotWrite) {
  Manifest m;
  m.key = {kGeneratorVersion, "v1.4.4", 3, 18446744073709551615ull, 3'000'000};
  m.datasets.push_back({"orders", "csv", {{"orders/a.csv", 10, 99}}, {{"duplicate", "d", 2}}});
  auto back = DecodeManifest(EncodeManifest(m));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->key, m.key);
  ASSERT_EQ(back->datasets.size(), 1u);
  EXPECT_EQ(back->datasets[0].files[0].path, "orders/a.csv");
  EXPECT_EQ(back->datasets[0].files[0].bytes, 99);
  EXPECT_EQ(back->datasets[0].DirtyRows("duplicate"), 2);
  EXPECT_EQ(DecodeManifest("{").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeManifest("{\"scale\": \"x\"}").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeManifest("[]").status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace strata::demo::internal
