// Schema JSON round trips through the reader's parser; the widening table
// of PROTOCOL.md "Type Widening"; merge-schema and protocol upgrades.
#include "lake/schema_evolution.h"

#include <gtest/gtest.h>

namespace strata::lake {
namespace {

TEST(SchemaEvolution, SchemaJsonRoundTripsThroughTheReader) {
  auto element = std::make_shared<DataType>();
  element->kind = DataType::Kind::kArray;
  element->element = PrimitiveType("integer");
  element->contains_null = false;
  auto schema = StructType({Field("id", PrimitiveType("long"), false),
                            Field("amount", DecimalType(12, 2)), Field("tags", element),
                            Field("inner", StructType({Field("ts", PrimitiveType("timestamp"))}))});
  std::string text = SchemaToJson(*schema);
  auto parsed = ParseSchema(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ((*parsed)->ToString(), schema->ToString());
  EXPECT_FALSE((*parsed)->fields[0].nullable);
  EXPECT_FALSE((*parsed)->fields[2].type->contains_null);
  EXPECT_EQ(SchemaToJson(**parsed), text);
}

TEST(SchemaEvolution, SafeWidenings) {
  auto t = [](const char* name) { return PrimitiveType(name); };
  EXPECT_TRUE(IsSafeWidening(*t("byte"), *t("short")));
  EXPECT_TRUE(IsSafeWidening(*t("integer"), *t("long")));
  EXPECT_TRUE(IsSafeWidening(*t("float"), *t("double")));
  EXPECT_TRUE(IsSafeWidening(*t("integer"), *t("double")));
  EXPECT_TRUE(IsSafeWidening(*t("date"), *t("timestamp_ntz")));
  EXPECT_TRUE(IsSafeWidening(*DecimalType(10, 2), *DecimalType(12, 4)));
  EXPECT_TRUE(IsSafeWidening(*t("long"), *DecimalType(20, 0)));
  EXPECT_FALSE(IsSafeWidening(*t("long"), *t("integer")));
  EXPECT_FALSE(IsSafeWidening(*t("long"), *t("double")));  // loses precision
  EXPECT_FALSE(IsSafeWidening(*DecimalType(10, 2), *DecimalType(11, 4)));
  EXPECT_FALSE(IsSafeWidening(*t("string"), *t("long")));
}

TEST(SchemaEvolution, MergeAddsColumnsAndRecordsTypeChanges) {
  auto table =
      StructType({Field("id", PrimitiveType("integer")), Field("p", PrimitiveType("string"))});
  auto incoming =
      StructType({Field("ID", PrimitiveType("long")), Field("x", PrimitiveType("double"))});
  EXPECT_TRUE(MergeSchema(*table, *incoming, false, {}).status().IsInvalidArgument());
  auto merged = MergeSchema(*table, *incoming, true, {"p"});
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  EXPECT_TRUE(merged->changed);
  EXPECT_TRUE(merged->widened);
  EXPECT_EQ(merged->schema->ToString(), "struct<id:long,p:string,x:double>");
  EXPECT_NE(merged->schema->fields[0].metadata_json.find("\"fromType\":\"integer\""),
            std::string::npos);

  Protocol upgraded = RequiredProtocol(Protocol{1, 2, {}, {}}, *merged->schema,
                                       {{"delta.enableTypeWidening", "true"}});
  EXPECT_EQ(upgraded.min_reader_version, 3);
  EXPECT_EQ(upgraded.min_writer_version, 7);
  EXPECT_EQ(*upgraded.reader_features, std::vector<std::string>{"typeWidening"});
  EXPECT_EQ(*upgraded.writer_features,
            (std::vector<std::string>{"appendOnly", "invariants", "typeWidening"}));
  // Nothing needed: the protocol stays.
  EXPECT_EQ(RequiredProtocol(Protocol{1, 2, {}, {}}, *table, {}), (Protocol{1, 2, {}, {}}));
}

}  // namespace
}  // namespace strata::lake
