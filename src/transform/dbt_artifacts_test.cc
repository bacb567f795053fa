#include "transform/dbt_artifacts.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/fake_file_system.h"
#include "transform/dbt_testing.h"

namespace strata::transform {
namespace {

using ::testing::HasSubstr;
using json = nlohmann::json;
using testing::LoadFixture;

// Our own reading of dbt's published schemas: for each object type, the
// required fields and their JSON types ("string|null" allows null).
using FieldTypes = std::vector<std::pair<std::string, std::string>>;

bool HasType(const json& v, const std::string& types) {
  size_t start = 0;
  while (start <= types.size()) {
    size_t bar = types.find('|', start);
    std::string t = types.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
    if ((t == "string" && v.is_string()) || (t == "array" && v.is_array()) ||
        (t == "object" && v.is_object()) || (t == "null" && v.is_null()) ||
        (t == "boolean" && v.is_boolean()) || (t == "number" && v.is_number()) ||
        (t == "integer" && v.is_number_integer())) {
      return true;
    }
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
  return false;
}

void ExpectFields(const json& object, const FieldTypes& fields, const std::string& what) {
  ASSERT_TRUE(object.is_object()) << what;
  for (const auto& [name, types] : fields) {
    ASSERT_TRUE(object.contains(name)) << what << " lacks required '" << name << "'";
    EXPECT_TRUE(HasType(object[name], types))
        << what << "." << name << " should be " << types << ", is " << object[name].dump();
  }
}

const FieldTypes kNodeRequired = {{"database", "string|null"},
                                  {"schema", "string"},
                                  {"name", "string"},
                                  {"resource_type", "string"},
                                  {"package_name", "string"},
                                  {"path", "string"},
                                  {"original_file_path", "string"},
                                  {"unique_id", "string"},
                                  {"fqn", "array"},
                                  {"alias", "string"},
                                  {"checksum", "object"},
                                  {"config", "object"},
                                  {"tags", "array"},
                                  {"description", "string"},
                                  {"columns", "object"},
                                  {"meta", "object"},
                                  {"docs", "object"},
                                  {"patch_path", "string|null"},
                                  {"unrendered_config", "object"},
                                  {"created_at", "number"},
                                  {"depends_on", "object"},
                                  {"relation_name", "string|null"}};
const FieldTypes kCodeNodeRequired = {{"raw_code", "string"}, {"language", "string"},
                                      {"refs", "array"},      {"sources", "array"},
                                      {"metrics", "array"},   {"contract", "object"}};
const FieldTypes kSourceRequired = {{"database", "string|null"},
                                    {"schema", "string"},
                                    {"name", "string"},
                                    {"resource_type", "string"},
                                    {"package_name", "string"},
                                    {"path", "string"},
                                    {"original_file_path", "string"},
                                    {"unique_id", "string"},
                                    {"fqn", "array"},
                                    {"source_name", "string"},
                                    {"source_description", "string"},
                                    {"loader", "string"},
                                    {"identifier", "string"},
                                    {"quoting", "object"},
                                    {"loaded_at_field", "string|null"},
                                    {"freshness", "object|null"},
                                    {"columns", "object"},
                                    {"meta", "object"},
                                    {"source_meta", "object"},
                                    {"tags", "array"},
                                    {"config", "object"},
                                    {"relation_name", "string|null"},
                                    {"created_at", "number"}};
const FieldTypes kMacroRequired = {
    {"name", "string"},      {"resource_type", "string"},      {"package_name", "string"},
    {"path", "string"},      {"original_file_path", "string"}, {"unique_id", "string"},
    {"macro_sql", "string"}, {"depends_on", "object"},         {"arguments", "array"}};
const FieldTypes kDocRequired = {
    {"name", "string"},          {"resource_type", "string"},      {"package_name", "string"},
    {"path", "string"},          {"original_file_path", "string"}, {"unique_id", "string"},
    {"block_contents", "string"}};
const FieldTypes kExposureRequired = {{"name", "string"},
                                      {"resource_type", "string"},
                                      {"package_name", "string"},
                                      {"path", "string"},
                                      {"original_file_path", "string"},
                                      {"unique_id", "string"},
                                      {"fqn", "array"},
                                      {"type", "string"},
                                      {"owner", "object"},
                                      {"depends_on", "object"}};

class ManifestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    project_ = LoadFixture("jaffle");
    graph_ = DbtGraph::Build(&project_);
    FakeClock clock(1'800'000'000'000'000);  // 2027-01-15T08:00:00Z
    metadata_ = MakeArtifactMetadata(project_, clock);
    manifest_ = BuildManifest(project_, graph_, metadata_);
  }
  DbtProject project_;
  DbtGraph graph_;
  ArtifactMetadata metadata_;
  json manifest_;
};

TEST_F(ManifestTest, TopLevelAndMetadata) {
  for (const char* key : {"metadata", "nodes", "sources", "macros", "docs", "exposures", "metrics",
                          "groups", "selectors", "disabled", "parent_map", "child_map", "group_map",
                          "semantic_models", "saved_queries", "unit_tests"}) {
    ASSERT_TRUE(manifest_.contains(key)) << key;
    EXPECT_TRUE(manifest_[key].is_object()) << key;
  }
  const json& m = manifest_["metadata"];
  EXPECT_EQ(m["dbt_schema_version"], "https://schemas.getdbt.com/dbt/manifest/v12.json");
  EXPECT_EQ(m["generated_at"], "2027-01-15T08:00:00.000000Z");
  EXPECT_EQ(m["project_name"], "jaffle");
  EXPECT_EQ(m["adapter_type"], "duckdb");
  // A version-4 UUID.
  std::string id = m["invocation_id"];
  ASSERT_EQ(id.size(), 36u);
  EXPECT_EQ(id[14], '4');
  EXPECT_EQ(id[8], '-');
}

TEST_F(ManifestTest, EveryObjectHasItsRequiredFields) {
  int models = 0, seeds = 0, tests = 0;
  for (const auto& [id, node] : manifest_["nodes"].items()) {
    ExpectFields(node, kNodeRequired, id);
    EXPECT_EQ(node["unique_id"], id);
    const std::string type = node["resource_type"];
    if (type != "seed") ExpectFields(node, kCodeNodeRequired, id);
    models += type == "model";
    seeds += type == "seed";
    tests += type == "test";
    if (type == "test" && node.contains("test_metadata")) {
      ExpectFields(node["test_metadata"], {{"name", "string"}, {"kwargs", "object"}}, id);
      EXPECT_TRUE(HasType(node["column_name"], "string|null"));
    }
  }
  EXPECT_EQ(models, 11);
  EXPECT_EQ(seeds, 3);
  EXPECT_GT(tests, 10);
  for (const auto& [id, source] : manifest_["sources"].items())
    ExpectFields(source, kSourceRequired, id);
  for (const auto& [id, macro] : manifest_["macros"].items())
    ExpectFields(macro, kMacroRequired, id);
  for (const auto& [id, doc] : manifest_["docs"].items()) ExpectFields(doc, kDocRequired, id);
  for (const auto& [id, e] : manifest_["exposures"].items()) ExpectFields(e, kExposureRequired, id);
  EXPECT_EQ(manifest_["sources"].size(), 2u);
  EXPECT_EQ(manifest_["exposures"].size(), 1u);
}

TEST_F(ManifestTest, NodeContents) {
  const json& orders = manifest_["nodes"]["model.jaffle.orders"];
  EXPECT_EQ(orders["relation_name"], "\"jaffle\".\"main\".\"orders\"");
  EXPECT_EQ(orders["config"]["materialized"], "incremental");
  EXPECT_EQ(orders["depends_on"]["nodes"],
            json({"model.jaffle.stg_orders", "model.jaffle.stg_payments"}));
  EXPECT_EQ(orders["refs"][0],
            json({{"name", "stg_orders"}, {"package", nullptr}, {"version", nullptr}}));
  EXPECT_EQ(orders["checksum"]["name"], "sha256");
  const json& calendar = manifest_["nodes"]["model.shop_utils.utils_calendar"];
  EXPECT_TRUE(calendar["relation_name"].is_null());  // ephemeral
  const json& payments = manifest_["nodes"]["model.jaffle.stg_payments"];
  EXPECT_EQ(payments["sources"], json::array({json::array({"jaffle_raw", "payments"})}));
  const json& source = manifest_["sources"]["source.jaffle.jaffle_raw.orders"];
  EXPECT_EQ(source["relation_name"], "\"jaffle\".\"raw\".\"raw_orders_table\"");
  EXPECT_EQ(source["freshness"]["warn_after"], json({{"count", 12}, {"period", "hour"}}));
  EXPECT_EQ(
      manifest_["parent_map"]["model.jaffle.customers"],
      json({"model.jaffle.stg_customers", "model.jaffle.stg_orders", "model.jaffle.stg_payments"}));
  // child_map is the inverse of parent_map.
  for (const auto& [child, parents] : manifest_["parent_map"].items()) {
    for (const auto& parent : parents) {
      const json& children = manifest_["child_map"][parent.get<std::string>()];
      EXPECT_NE(std::find(children.begin(), children.end(), child), children.end())
          << parent << " -> " << child;
    }
  }
}

TEST_F(ManifestTest, GenericTestNodes) {
  const json* accepted = nullptr;
  for (const auto& [id, node] : manifest_["nodes"].items()) {
    if (node.value("name", "") ==
        "accepted_values_stg_orders_status__placed__shipped__completed__return_pending__returned") {
      accepted = &node;
    }
  }
  ASSERT_NE(accepted, nullptr);
  // dbt shortens names of 64+ characters for the alias and file: the first
  // 30 characters of "<test>_<model>" and the md5 of the full name (md5sum
  // computes the reference here).
  std::string md5 = testing::RunCommand(
      "printf %s 'accepted_values_stg_orders_status__placed__shipped__completed__return_pending__"
      "returned' | md5sum | cut -d' ' -f1");
  EXPECT_EQ((*accepted)["alias"], "accepted_values_stg_orders_" + md5);
  EXPECT_EQ((*accepted)["path"], "accepted_values_stg_orders_" + md5 + ".sql");
  EXPECT_EQ((*accepted)["test_metadata"]["kwargs"]["values"],
            json({"placed", "shipped", "completed", "return_pending", "returned"}));
  EXPECT_EQ((*accepted)["test_metadata"]["kwargs"]["model"],
            "{{ get_where_subquery(ref('stg_orders')) }}");
  EXPECT_EQ((*accepted)["column_name"], "status");
  EXPECT_EQ((*accepted)["config"]["severity"], "ERROR");
  EXPECT_EQ((*accepted)["tags"], json({"data_quality"}));
  EXPECT_EQ((*accepted)["fqn"], json({"jaffle", "staging",
                                      "accepted_values_stg_orders_status__placed__shipped__"
                                      "completed__return_pending__returned"}));

  // Test configs: nested config: severity, a name: override, where.
  bool warn_seen = false, named_seen = false, where_seen = false;
  for (const auto& [id, node] : manifest_["nodes"].items()) {
    if (node["resource_type"] != "test") continue;
    if (node["name"].get<std::string>().rfind("accepted_values_stg_payments", 0) == 0) {
      warn_seen = node["config"]["severity"] == "WARN";
    }
    if (node["name"] == "orders_order_id_present") {
      named_seen = node["test_metadata"]["name"] == "not_null";
      EXPECT_EQ(id.substr(0, id.rfind('.')), "test.jaffle.orders_order_id_present");
    }
    if (node["name"] == "unique_orders_order_id") {
      where_seen = node["config"]["where"] == "order_date > '2018-01-01'";
    }
    if (node["name"] == "is_positive_stg_payments_amount") {
      EXPECT_EQ(node["depends_on"]["macros"], json({"macro.jaffle.test_is_positive"}));
    }
  }
  EXPECT_TRUE(warn_seen);
  EXPECT_TRUE(named_seen);
  EXPECT_TRUE(where_seen);
}

// The unique ids dbt-core gives jaffle_shop's tests (as published in its
// manifest): name, then the last 10 hex digits of an md5 over the name and
// the test's metadata.
TEST(GenericTestIdsTest, MatchDbtCoreOnJaffleShop) {
  InMemoryFileSystem fs;
  ASSERT_TRUE(fs.CreateDirectories("/js/models").ok());
  ASSERT_TRUE(fs.WriteFileAtomic("/js/dbt_project.yml", "name: jaffle_shop\n").ok());
  ASSERT_TRUE(fs.WriteFileAtomic("/js/models/customers.sql", "select 1 as customer_id").ok());
  ASSERT_TRUE(
      fs.WriteFileAtomic("/js/models/orders.sql", "select * from {{ ref('customers') }}").ok());
  ASSERT_TRUE(fs.WriteFileAtomic("/js/models/schema.yml", R"(version: 2
models:
  - name: customers
    columns:
      - name: customer_id
        tests:
          - unique
          - not_null
  - name: orders
    columns:
      - name: status
        tests:
          - accepted_values:
              values: ['placed', 'shipped', 'completed', 'return_pending', 'returned']
      - name: customer_id
        tests:
          - relationships:
              to: ref('customers')
              field: customer_id
)")
                  .ok());
  LoadOptions options;
  options.project_dir = "/js";
  options.load_profile = false;
  auto p = LoadProject(fs, options);
  ASSERT_TRUE(p.ok());
  for (const char* id : {"test.jaffle_shop.unique_customers_customer_id.c5af1ff4b1",
                         "test.jaffle_shop.not_null_customers_customer_id.5c9bf9911d",
                         "test.jaffle_shop.accepted_values_orders_status__placed__shipped__"
                         "completed__return_pending__returned.be6b5b5ec3",
                         "test.jaffle_shop.relationships_orders_customer_id__customer_id__ref_"
                         "customers_.c6ec7f58f2"}) {
    EXPECT_NE(p->FindNode(id), nullptr) << id << "\n" << testing::AllDiagnostics(*p);
  }
}

TEST(RunResultsTest, RequiredFields) {
  ArtifactMetadata meta;
  meta.invocation_id = "00000000-0000-4000-8000-000000000000";
  meta.generated_at = IsoTimestamp(0);
  RunResult ok;
  ok.unique_id = "model.jaffle.orders";
  ok.status = "success";
  ok.execution_time = 0.25;
  ok.timing = {{"compile", 1'000'000, 1'500'000}, {"execute", 1'500'000, 2'000'000}};
  ok.compiled = true;
  ok.compiled_code = "select 1";
  ok.relation_name = "\"jaffle\".\"main\".\"orders\"";
  ok.adapter_response = {{"_message", "OK"}, {"rows_affected", 3}};
  RunResult failed;
  failed.unique_id = "test.jaffle.unique_orders_order_id.0123456789";
  failed.status = "fail";
  failed.failures = 2;
  failed.message = "Got 2 results, configured to fail if != 0";
  json r = BuildRunResults({ok, failed}, 1.5, meta, {{"which", "build"}});
  ExpectFields(r,
               {{"metadata", "object"},
                {"results", "array"},
                {"elapsed_time", "number"},
                {"args", "object"}},
               "run_results");
  EXPECT_EQ(r["metadata"]["dbt_schema_version"],
            "https://schemas.getdbt.com/dbt/run-results/v6.json");
  const FieldTypes result_fields = {{"status", "string"},
                                    {"timing", "array"},
                                    {"thread_id", "string"},
                                    {"execution_time", "number"},
                                    {"adapter_response", "object"},
                                    {"message", "string|null"},
                                    {"failures", "integer|null"},
                                    {"unique_id", "string"},
                                    {"compiled", "boolean|null"},
                                    {"compiled_code", "string|null"},
                                    {"relation_name", "string|null"}};
  for (const auto& result : r["results"]) ExpectFields(result, result_fields, "result");
  EXPECT_EQ(r["results"][0]["timing"][0]["started_at"], "1970-01-01T00:00:01.000000Z");
  EXPECT_EQ(r["results"][0]["timing"][1]["completed_at"], "1970-01-01T00:00:02.000000Z");
  EXPECT_EQ(r["results"][1]["failures"], 2);
  EXPECT_TRUE(r["results"][0]["failures"].is_null());
}

TEST(CatalogTest, RequiredFields) {
  ArtifactMetadata meta;
  meta.generated_at = IsoTimestamp(0);
  CatalogTable t;
  t.unique_id = "model.jaffle.orders";
  t.type = "BASE TABLE";
  t.database = "jaffle";
  t.schema = "main";
  t.name = "orders";
  t.columns = {{"order_id", "INTEGER", 1, ""}, {"amount", "DOUBLE", 2, "in units"}};
  json c = BuildCatalog({t}, {}, {}, meta);
  ExpectFields(c,
               {{"metadata", "object"},
                {"nodes", "object"},
                {"sources", "object"},
                {"errors", "array|null"}},
               "catalog");
  EXPECT_EQ(c["metadata"]["dbt_schema_version"], "https://schemas.getdbt.com/dbt/catalog/v1.json");
  const json& node = c["nodes"]["model.jaffle.orders"];
  ExpectFields(node,
               {{"metadata", "object"},
                {"columns", "object"},
                {"stats", "object"},
                {"unique_id", "string|null"}},
               "catalog table");
  ExpectFields(node["metadata"],
               {{"type", "string"},
                {"schema", "string"},
                {"name", "string"},
                {"database", "string|null"},
                {"comment", "string|null"},
                {"owner", "string|null"}},
               "catalog metadata");
  ExpectFields(
      node["columns"]["amount"],
      {{"type", "string"}, {"index", "integer"}, {"name", "string"}, {"comment", "string|null"}},
      "catalog column");
  EXPECT_EQ(node["columns"]["amount"]["index"], 2);
  for (const auto& [id, stat] : node["stats"].items()) {
    ExpectFields(stat, {{"id", "string"}, {"label", "string"}, {"include", "boolean"}}, id);
  }
}

TEST(SourcesJsonTest, RequiredFields) {
  ArtifactMetadata meta;
  meta.generated_at = IsoTimestamp(0);
  FreshnessResult fresh;
  fresh.unique_id = "source.jaffle.jaffle_raw.orders";
  fresh.status = "warn";
  fresh.max_loaded_at_micros = 1'000'000;
  fresh.snapshotted_at_micros = 50'001'000'000;
  fresh.age_seconds = 50000;
  fresh.criteria = {{"warn_after", {{"count", 12}, {"period", "hour"}}}};
  FreshnessResult broken;
  broken.unique_id = "source.jaffle.jaffle_raw.payments";
  broken.status = "runtime error";
  broken.error = "no such column _loaded_at";
  json s = BuildSourcesJson({fresh, broken}, 0.5, meta);
  ExpectFields(s, {{"metadata", "object"}, {"results", "array"}, {"elapsed_time", "number"}},
               "sources");
  EXPECT_EQ(s["metadata"]["dbt_schema_version"], "https://schemas.getdbt.com/dbt/sources/v3.json");
  ExpectFields(s["results"][0],
               {{"unique_id", "string"},
                {"max_loaded_at", "string"},
                {"snapshotted_at", "string"},
                {"max_loaded_at_time_ago_in_s", "number"},
                {"status", "string"},
                {"criteria", "object"},
                {"adapter_response", "object"},
                {"timing", "array"},
                {"thread_id", "string"},
                {"execution_time", "number"}},
               "freshness result");
  EXPECT_EQ(s["results"][0]["criteria"]["error_after"]["count"], nullptr);
  ExpectFields(s["results"][1],
               {{"unique_id", "string"}, {"error", "string|null"}, {"status", "string"}},
               "freshness error");
}

TEST(WriteArtifactTest, WritesParsableJsonAtomically) {
  InMemoryFileSystem fs;
  json doc = {{"a", 1}, {"b", "text"}};
  ASSERT_TRUE(WriteArtifact(fs, "/p/target/manifest.json", doc).ok());
  auto text = fs.ReadFile("/p/target/manifest.json");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(json::parse(*text), doc);
}

}  // namespace
}  // namespace strata::transform
