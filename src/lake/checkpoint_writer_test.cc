// Checkpoints written by the writer: due every delta.checkpointInterval
// commits, shaped as PROTOCOL.md "Checkpoint Schema" says, complete enough to
// rebuild the table without the commits before them, and read by the reader.
#include "lake/checkpoint_writer.h"

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "lake/writer_testing.h"

namespace strata::lake {
namespace {

using testing::IdNameSchema;
using testing::Rows;

class CheckpointWriterTest : public testing::WriterTest {
 protected:
  std::string CheckpointPath(int64_t version) {
    char name[48];
    std::snprintf(name, sizeof name, "%020lld.checkpoint.parquet", static_cast<long long>(version));
    return root_ + "/_delta_log/" + name;
  }

  // Column name -> DuckDB type of the checkpoint's top-level columns.
  std::map<std::string, std::string> CheckpointColumns(int64_t version) {
    auto rows = QueryStrings(*conn_,
                             "SELECT column_name, column_type FROM (DESCRIBE SELECT * "
                             "FROM read_parquet(" +
                                 engine::QuoteLiteral(CheckpointPath(version)) + "))");
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    std::map<std::string, std::string> out;
    if (rows.ok()) {
      for (const auto& row : *rows) out[*row[0]] = *row[1];
    }
    return out;
  }
};

TEST_F(CheckpointWriterTest, WrittenEveryIntervalAndReadByTheReader) {
  CreateTableOptions options;
  options.partition_columns = {"p"};
  options.properties = {{"delta.checkpointInterval", "3"}};
  LAKE_ASSERT_OK_AND_ASSIGN(
      auto w, TableWriter::Create(root_, *IdNameSchema({Field("p", PrimitiveType("string"))}),
                                  options, fs(), *conn_));
  Exec(
      "CREATE TABLE src AS SELECT CAST(i AS BIGINT) AS id, 'n' || i AS name, "
      "CASE WHEN i % 4 = 0 THEN NULL ELSE 'p' || (i % 3) END AS p FROM range(0, 70) t(i)");
  for (int batch = 0; batch < 7; ++batch) {
    AppendOptions append;
    append.txn = TxnId{"loader", batch};
    LAKE_ASSERT_OK_AND_ASSIGN(
        auto r, w->Append("SELECT * FROM src WHERE id // 10 = " + std::to_string(batch), append));
    EXPECT_EQ(r.checkpoint_written, r.version % 3 == 0) << r.version;
    LAKE_ASSERT_OK(r.checkpoint_status);
  }
  LAKE_ASSERT_OK(w->Delete("id < 5"));                          // version 8: leaves tombstones
  LAKE_ASSERT_OK(w->Append("SELECT * FROM src WHERE id < 3"));  // version 9: checkpoint
  EXPECT_TRUE(std::filesystem::exists(CheckpointPath(3)));
  EXPECT_TRUE(std::filesystem::exists(CheckpointPath(6)));
  EXPECT_TRUE(std::filesystem::exists(CheckpointPath(9)));
  EXPECT_FALSE(std::filesystem::exists(CheckpointPath(7)));

  auto last = nlohmann::json::parse(*fs().ReadFile(root_ + "/_delta_log/_last_checkpoint"));
  EXPECT_EQ(last.at("version"), 9);
  EXPECT_EQ(last.at("sizeInBytes"), std::filesystem::file_size(CheckpointPath(9)));
  Rows counted = Query("SELECT count(*), count(\"add\") FROM read_parquet(" +
                       engine::QuoteLiteral(CheckpointPath(9)) + ")");
  EXPECT_EQ(counted, Rows{std::to_string(last.at("size").get<int64_t>()) + "|" +
                          std::to_string(last.at("numOfAddFiles").get<int64_t>())});
  // The delete's tombstones are kept (they are younger than the retention).
  Rows removes = Query("SELECT count(*) FROM read_parquet(" +
                       engine::QuoteLiteral(CheckpointPath(9)) + ") WHERE \"remove\" IS NOT NULL");
  EXPECT_NE(removes, Rows{"0"});

  Rows expected = Query("SELECT * FROM src WHERE id >= 5 UNION ALL SELECT * FROM src WHERE id < 3");
  EXPECT_EQ(ReadTable(root_), expected);
  // The checkpoint alone must rebuild the state: drop every commit up to it.
  for (int64_t v = 0; v <= 9; ++v) std::filesystem::remove(CommitPath(root_, v));
  EXPECT_EQ(ReadTable(root_), expected);
  LAKE_ASSERT_OK_AND_ASSIGN(auto snapshot, w->Latest());
  EXPECT_EQ(snapshot->version(), 9);
  EXPECT_EQ(snapshot->AppTransactionVersion("loader"), 6);
  EXPECT_EQ(snapshot->metadata().partition_columns, std::vector<std::string>{"p"});
  // And the writer carries on from it.
  LAKE_ASSERT_OK_AND_ASSIGN(auto r, w->Append("SELECT * FROM src WHERE id = 69"));
  EXPECT_EQ(r.version, 10);
}

TEST_F(CheckpointWriterTest, HasTheProtocolsCheckpointSchema) {
  CreateTableOptions options;
  options.partition_columns = {"p"};
  options.properties = {{"delta.checkpointInterval", "2"}};
  LAKE_ASSERT_OK_AND_ASSIGN(
      auto w, TableWriter::Create(root_, *IdNameSchema({Field("p", PrimitiveType("string"))}),
                                  options, fs(), *conn_));
  AppendOptions append;
  append.txn = TxnId{"app", 1};
  LAKE_ASSERT_OK(w->Append("SELECT 1::BIGINT AS id, 'a' AS name, 'x' AS p", append));
  LAKE_ASSERT_OK(w->Append("SELECT 2::BIGINT AS id, 'b' AS name, 'y' AS p"));
  auto columns = CheckpointColumns(2);
  EXPECT_EQ(columns["protocol"],
            "STRUCT(minReaderVersion INTEGER, minWriterVersion INTEGER, readerFeatures VARCHAR[], "
            "writerFeatures VARCHAR[])");
  EXPECT_EQ(columns["metaData"],
            "STRUCT(id VARCHAR, \"name\" VARCHAR, description VARCHAR, format STRUCT(provider "
            "VARCHAR, \"options\" MAP(VARCHAR, VARCHAR)), schemaString VARCHAR, partitionColumns "
            "VARCHAR[], \"configuration\" MAP(VARCHAR, VARCHAR), createdTime BIGINT)");
  EXPECT_EQ(columns["txn"], "STRUCT(appId VARCHAR, \"version\" BIGINT, lastUpdated BIGINT)");
  EXPECT_EQ(columns["add"].rfind("STRUCT(path VARCHAR, partitionValues MAP(VARCHAR, VARCHAR), "
                                 "size BIGINT, modificationTime BIGINT, dataChange BOOLEAN, "
                                 "stats VARCHAR, tags MAP(VARCHAR, VARCHAR), deletionVector "
                                 "STRUCT(storageType VARCHAR, pathOrInlineDv VARCHAR, \"offset\" "
                                 "INTEGER, sizeInBytes INTEGER, cardinality BIGINT, maxRowIndex "
                                 "BIGINT)",
                                 0),
            0u)
      << columns["add"];
  EXPECT_EQ(columns["remove"].rfind("STRUCT(path VARCHAR, deletionTimestamp BIGINT, dataChange "
                                    "BOOLEAN",
                                    0),
            0u)
      << columns["remove"];
  EXPECT_NE(columns["remove"].find("partitionValues MAP(VARCHAR, VARCHAR)"), std::string::npos);
  // Values: the stats string is the commit's, partition values a map.
  Rows adds = Query(
      "SELECT \"add\".partitionValues['p'], json_extract(\"add\".stats, "
      "'$.numRecords') FROM read_parquet(" +
      engine::QuoteLiteral(CheckpointPath(2)) + ") WHERE \"add\" IS NOT NULL");
  EXPECT_EQ(adds, (Rows{"x|1", "y|1"}));
  Rows txn = Query("SELECT txn.appId, txn.version FROM read_parquet(" +
                   engine::QuoteLiteral(CheckpointPath(2)) + ") WHERE txn IS NOT NULL");
  EXPECT_EQ(txn, Rows{"app|1"});
}

TEST_F(CheckpointWriterTest, ExpiredTombstonesAreDropped) {
  FakeClock clock;
  WriterOptions writer_options;
  writer_options.clock = &clock;
  CreateTableOptions options;
  options.properties = {{"delta.checkpointInterval", "3"},
                        {"delta.deletedFileRetentionDuration", "interval 1 hours"}};
  LAKE_ASSERT_OK_AND_ASSIGN(
      auto w, TableWriter::Create(root_, *IdNameSchema(), options, fs(), *conn_, writer_options));
  LAKE_ASSERT_OK(w->Append("SELECT 1::BIGINT AS id, 'a' AS name"));
  LAKE_ASSERT_OK(w->Overwrite("SELECT 2::BIGINT AS id, 'b' AS name"));  // v2 removes v1's file
  clock.Advance(2LL * 3600 * 1000000);  // the tombstone is now older than an hour
  LAKE_ASSERT_OK_AND_ASSIGN(auto r, w->Append("SELECT 3::BIGINT AS id, 'c' AS name"));
  ASSERT_TRUE(r.checkpoint_written);
  EXPECT_EQ(Query("SELECT count(*) FROM read_parquet(" + engine::QuoteLiteral(CheckpointPath(3)) +
                  ") WHERE \"remove\" IS NOT NULL"),
            Rows{"0"});
  EXPECT_EQ(ReadTable(root_), (Rows{"2|b", "3|c"}));
}

TEST(CheckpointInterval, DefaultsTo100) {
  Metadata m;
  EXPECT_EQ(CheckpointInterval(m), 100);
  m.configuration["delta.checkpointInterval"] = "bogus";
  EXPECT_EQ(CheckpointInterval(m), 100);
  m.configuration["delta.checkpointInterval"] = "7";
  EXPECT_EQ(CheckpointInterval(m), 7);
  EXPECT_EQ(DeletedFileRetentionMillis(Metadata{}), 7LL * 24 * 3600 * 1000);
}

}  // namespace
}  // namespace strata::lake
