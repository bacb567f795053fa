#include "lake/actions.h"

#include <gtest/gtest.h>

namespace strata::lake {
namespace {

TEST(ActionsTest, ParsesEveryActionKind) {
  const char* commit = R"({"commitInfo":{"timestamp":1,"operation":"WRITE","inCommitTimestamp":7}}
{"protocol":{"minReaderVersion":3,"minWriterVersion":7,"readerFeatures":["deletionVectors"],"writerFeatures":["deletionVectors"]}}
{"metaData":{"id":"abc","format":{"provider":"parquet","options":{}},"schemaString":"{\"type\":\"struct\",\"fields\":[]}","partitionColumns":["p"],"configuration":{"k":"v"},"createdTime":5}}
{"add":{"path":"p=1/a%20b.parquet","partitionValues":{"p":"1","q":null},"size":10,"modificationTime":2,"dataChange":true,"stats":"{\"numRecords\":3}","deletionVector":{"storageType":"u","pathOrInlineDv":"ab^-aqEH.-t@S}K{vb[*k^","offset":4,"sizeInBytes":40,"cardinality":6}}}
{"remove":{"path":"old.parquet","deletionTimestamp":3,"dataChange":true}}
{"cdc":{"path":"_change_data/c.parquet","partitionValues":{},"size":1,"dataChange":false}}
{"txn":{"appId":"app","version":42,"lastUpdated":9}}
{"domainMetadata":{"domain":"d","configuration":"{}","removed":false}}
{"checkpointMetadata":{"version":12}}
{"sidecar":{"path":"s.parquet","sizeInBytes":100,"modificationTime":4}}
)";
  auto actions = ParseCommit(commit);
  ASSERT_TRUE(actions.ok()) << actions.status().ToString();
  ASSERT_EQ(actions->size(), 10u);
  const auto& info = std::get<CommitInfo>((*actions)[0]);
  EXPECT_EQ(info.in_commit_timestamp, 7);
  EXPECT_EQ(info.operation, "WRITE");
  const auto& protocol = std::get<Protocol>((*actions)[1]);
  EXPECT_EQ(protocol.min_reader_version, 3);
  ASSERT_TRUE(protocol.reader_features.has_value());
  EXPECT_EQ(protocol.reader_features->at(0), "deletionVectors");
  const auto& metadata = std::get<Metadata>((*actions)[2]);
  EXPECT_EQ(metadata.partition_columns, std::vector<std::string>{"p"});
  EXPECT_EQ(metadata.configuration.at("k"), "v");
  const auto& add = std::get<AddFile>((*actions)[3]);
  EXPECT_EQ(add.path, "p=1/a%20b.parquet");
  EXPECT_EQ(add.partition_values.at("p"), "1");
  EXPECT_FALSE(add.partition_values.at("q").has_value());
  ASSERT_TRUE(add.deletion_vector.has_value());
  EXPECT_EQ(add.deletion_vector->UniqueId(), "uab^-aqEH.-t@S}K{vb[*k^@4");
  EXPECT_EQ(std::get<Txn>((*actions)[6]).version, 42);
  EXPECT_EQ(std::get<CheckpointMetadata>((*actions)[8]).version, 12);
  EXPECT_EQ(std::get<Sidecar>((*actions)[9]).size_in_bytes, 100);
}

TEST(ActionsTest, RoundTripsThroughJson) {
  AddFile add;
  add.path = "a.parquet";
  add.partition_values = {{"p", "x"}, {"n", std::nullopt}};
  add.size = 12;
  add.modification_time = 34;
  add.stats = R"({"numRecords":1})";
  add.deletion_vector = DeletionVectorDescriptor{"i", "wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L", std::nullopt, 40, 3, std::nullopt};
  Metadata metadata;
  metadata.id = "id";
  metadata.schema_string = R"({"type":"struct","fields":[]})";
  metadata.configuration = {{"delta.appendOnly", "true"}};
  std::vector<Action> actions = {Protocol{3, 7, std::vector<std::string>{"deletionVectors"},
                                          std::vector<std::string>{"deletionVectors"}},
                                 metadata, add, Txn{"app", 3, std::nullopt},
                                 DomainMetadata{"dom", "{\"a\":1}", true}};
  auto parsed = ParseCommit(SerializeCommit(actions));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->size(), actions.size());
  for (size_t i = 0; i < actions.size(); ++i) EXPECT_TRUE((*parsed)[i] == actions[i]) << i;
}

TEST(ActionsTest, SkipsUnknownActionKinds) {
  auto actions = ParseCommit("{\"futureAction\":{\"x\":1}}\n\n{\"txn\":{\"appId\":\"a\",\"version\":1}}");
  ASSERT_TRUE(actions.ok()) << actions.status().ToString();
  EXPECT_EQ(actions->size(), 1u);
}

TEST(ActionsTest, MalformedLinesAreCorruptionNamingTheLine) {
  const char* bad[] = {
      "{",                                              // not JSON
      "[1,2]",                                          // not an object
      "{\"add\":{\"path\":\"a\"},\"remove\":{}}",       // two actions on one line
      "{\"add\":{\"size\":1}}",                         // add without a path
      "{\"add\":{\"path\":1,\"size\":1}}",              // path of the wrong type
      "{\"add\":{\"path\":\"a\",\"size\":\"big\"}}",    // size of the wrong type
      "{\"add\":\"no\"}",                               // body not an object
      "{\"protocol\":{\"minReaderVersion\":1}}",        // missing minWriterVersion
      "{\"metaData\":{\"id\":\"x\"}}",                  // missing schemaString
      "{\"txn\":{\"appId\":\"a\",\"version\":1.5}}",    // fractional version
      "{\"add\":{\"path\":\"a\",\"size\":1,\"deletionVector\":{\"storageType\":\"z\","
      "\"pathOrInlineDv\":\"\",\"sizeInBytes\":1,\"cardinality\":1}}}",  // unknown DV type
      "{\"add\":{\"path\":\"a\",\"size\":99999999999999999999999}}",       // overflow
      "\xff\xfe",                                                         // not UTF-8
  };
  for (const char* line : bad) {
    std::string commit = std::string("{\"txn\":{\"appId\":\"a\",\"version\":1}}\n") + line + "\n";
    auto actions = ParseCommit(commit);
    ASSERT_FALSE(actions.ok()) << line;
    EXPECT_EQ(actions.status().code(), StatusCode::kCorruption) << line;
    EXPECT_NE(actions.status().message().find("line 2"), std::string::npos)
        << actions.status().ToString();
  }
}

TEST(ActionsTest, DeeplyNestedInputDoesNotCrash) {
  std::string deep(100000, '[');
  auto actions = ParseCommit(deep);
  EXPECT_FALSE(actions.ok());
  std::string deep_object = "{\"commitInfo\":" + std::string(50000, '[') +
                            std::string(50000, ']') + "}";
  EXPECT_FALSE(ParseCommit(deep_object).ok());
}

}  // namespace
}  // namespace strata::lake
