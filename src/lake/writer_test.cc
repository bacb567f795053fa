// Table operations of the writer on real files: every operation's rows equal
// the same change computed by DuckDB on the source data, each version reads
// back through the reader, and the files read straight from Parquet per the
// JSON log (without Strata's reader) give the same rows.
#include "lake/writer.h"

#include <nlohmann/json.hpp>

#include "lake/writer_testing.h"

namespace strata::lake {
namespace {

using nlohmann::json;
using testing::IdNameSchema;
using testing::Rows;

class TableWriterTest : public testing::WriterTest {
 protected:
  void SetUp() override {
    WriterTest::SetUp();
    // Source data, held by DuckDB independently of the table.
    Exec(
        "CREATE TABLE src AS SELECT CAST(i AS BIGINT) AS id, 'n' || i AS name, "
        "['a','b','c'][i % 3 + 1] AS p FROM range(0, 300) t(i)");
  }

  std::unique_ptr<TableWriter> CreatePartitioned(StringMap properties = {}) {
    CreateTableOptions options;
    options.partition_columns = {"p"};
    options.properties = std::move(properties);
    auto w = TableWriter::Create(root_, *IdNameSchema({Field("p", PrimitiveType("string"))}),
                                 options, fs(), *conn_);
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    return w.ok() ? std::move(w).value() : nullptr;
  }

  std::vector<json> CommitLines(int64_t version) {
    auto text = fs().ReadFile(CommitPath(root_, version));
    EXPECT_TRUE(text.ok()) << text.status().ToString();
    std::vector<json> lines;
    if (!text.ok()) return lines;
    size_t pos = 0;
    while (pos < text->size()) {
      size_t end = text->find('\n', pos);
      lines.push_back(json::parse(text->substr(pos, end - pos)));
      pos = end + 1;
    }
    return lines;
  }
};

TEST_F(TableWriterTest, CreateAppendAndReadBackEveryVersion) {
  auto w = CreatePartitioned();
  ASSERT_NE(w, nullptr);
  LAKE_ASSERT_OK_AND_ASSIGN(auto r1, w->Append("SELECT * FROM src WHERE id < 100"));
  EXPECT_TRUE(r1.committed);
  EXPECT_EQ(r1.version, 1);
  EXPECT_EQ(r1.rows_inserted, 100);
  EXPECT_EQ(r1.files_added, 3);  // one file per partition value
  LAKE_ASSERT_OK_AND_ASSIGN(auto r2, w->Append("SELECT * FROM src WHERE id >= 100"));
  EXPECT_EQ(r2.version, 2);

  EXPECT_TRUE(ReadTable(root_, "*", 0).empty());
  EXPECT_EQ(ReadTable(root_, "id, name, p", 1), Query("SELECT * FROM src WHERE id < 100"));
  EXPECT_EQ(ReadTable(root_, "id, name, p", 2), Query("SELECT * FROM src"));
  EXPECT_EQ(ReadIndependently(root_, "id, name", {"p"}), Query("SELECT * FROM src"));
  // Hive-style directories hold the files; the partition column is not in them.
  EXPECT_TRUE(std::filesystem::is_directory(root_ + "/p=a"));
}

TEST_F(TableWriterTest, CommitsCarryTheProtocolsRequiredFields) {
  auto w = CreatePartitioned({{"strata.owner", "analytics"}, {"strata.layer", "bronze"}});
  ASSERT_NE(w, nullptr);
  LAKE_ASSERT_OK(w->Append("SELECT * FROM src"));
  LAKE_ASSERT_OK(w->Delete("id % 2 = 0"));

  auto v0 = CommitLines(0);
  ASSERT_EQ(v0.size(), 3u);
  ASSERT_TRUE(v0[0].contains("commitInfo"));
  const json& protocol = v0[1].at("protocol");
  EXPECT_EQ(protocol.at("minReaderVersion"), 1);
  EXPECT_EQ(protocol.at("minWriterVersion"), 2);
  const json& meta = v0[2].at("metaData");
  EXPECT_TRUE(meta.at("id").is_string());
  EXPECT_EQ(meta.at("format").at("provider"), "parquet");
  EXPECT_EQ(meta.at("partitionColumns"), json::array({"p"}));
  EXPECT_EQ(meta.at("configuration").at("strata.owner"), "analytics");
  json schema = json::parse(meta.at("schemaString").get<std::string>());
  EXPECT_EQ(schema.at("type"), "struct");
  EXPECT_EQ(schema.at("fields").size(), 3u);

  for (int64_t v = 0; v <= 2; ++v) {
    auto lines = CommitLines(v);
    ASSERT_FALSE(lines.empty());
    const json& info = lines[0].at("commitInfo");  // commitInfo comes first
    EXPECT_TRUE(info.at("timestamp").is_number_integer());
    EXPECT_TRUE(info.at("operation").is_string());
    EXPECT_TRUE(info.at("operationParameters").is_object());
    EXPECT_EQ(info.at("engineInfo").get<std::string>().rfind("Strata/", 0), 0u);
    EXPECT_TRUE(info.at("isBlindAppend").is_boolean());
    if (v > 0) {
      EXPECT_EQ(info.at("readVersion"), v - 1);
    }
    for (const json& line : lines) {
      ASSERT_EQ(line.size(), 1u);
      if (line.contains("add")) {
        const json& add = line.at("add");
        for (const char* key :
             {"path", "partitionValues", "size", "modificationTime", "dataChange"}) {
          EXPECT_TRUE(add.contains(key)) << key;
        }
        json stats = json::parse(add.at("stats").get<std::string>());
        EXPECT_TRUE(stats.at("numRecords").is_number_integer());
        EXPECT_TRUE(std::filesystem::exists(root_ + "/" + add.at("path").get<std::string>()));
      }
      if (line.contains("remove")) {
        const json& remove = line.at("remove");
        for (const char* key : {"path", "deletionTimestamp", "dataChange"}) {
          EXPECT_TRUE(remove.contains(key)) << key;
        }
      }
    }
  }
  EXPECT_EQ(CommitLines(1)[0].at("commitInfo").at("operation"), "WRITE");
  EXPECT_TRUE(CommitLines(1)[0].at("commitInfo").at("isBlindAppend").get<bool>());
  EXPECT_EQ(CommitLines(2)[0].at("commitInfo").at("operation"), "DELETE");
  EXPECT_FALSE(CommitLines(2)[0].at("commitInfo").at("isBlindAppend").get<bool>());
}

TEST_F(TableWriterTest, StatsMatchAnIndependentAggregate) {
  Exec(
      "CREATE TABLE s2 AS SELECT CAST(i AS INTEGER) AS k, CASE WHEN i % 5 = 0 THEN NULL ELSE "
      "CAST(i * 1.5 AS DECIMAL(10,1)) END AS d, repeat('x', i % 50) || i AS s, {'a': i, 'b': 'v' "
      "|| i} AS st, "
      "TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_microseconds(i * 1001) AS ts FROM range(1, 200) "
      "t(i)");
  LAKE_ASSERT_OK_AND_ASSIGN(auto schema, QuerySchema(*conn_, "SELECT * FROM s2"));
  LAKE_ASSERT_OK_AND_ASSIGN(auto w, TableWriter::Create(root_, *schema, {}, fs(), *conn_));
  LAKE_ASSERT_OK(w->Append("SELECT * FROM s2"));
  LAKE_ASSERT_OK_AND_ASSIGN(auto snapshot, w->Latest());
  ASSERT_EQ(snapshot->files().size(), 1u);
  json stats = json::parse(*snapshot->files()[0].add.stats);
  Rows expected = Query(
      "SELECT count(*), min(k), max(k), count(*) - count(d), min(d), max(d), "
      "min(st.a), max(st.a), count(*) - count(st.b), "
      "strftime(min(ts), '%Y-%m-%dT%H:%M:%S.%gZ') FROM s2");
  ASSERT_EQ(expected.size(), 1u);
  std::string got = std::to_string(stats["numRecords"].get<int64_t>()) + "|" +
                    std::to_string(stats["minValues"]["k"].get<int64_t>()) + "|" +
                    std::to_string(stats["maxValues"]["k"].get<int64_t>()) + "|" +
                    std::to_string(stats["nullCount"]["d"].get<int64_t>()) + "|" +
                    std::string(Query("SELECT CAST(" + stats["minValues"]["d"].dump() +
                                      " AS DECIMAL(18,1))")[0]) +
                    "|" +
                    std::string(Query("SELECT CAST(" + stats["maxValues"]["d"].dump() +
                                      " AS DECIMAL(18,1))")[0]) +
                    "|" + std::to_string(stats["minValues"]["st"]["a"].get<int64_t>()) + "|" +
                    std::to_string(stats["maxValues"]["st"]["a"].get<int64_t>()) + "|" +
                    std::to_string(stats["nullCount"]["st"]["b"].get<int64_t>()) + "|" +
                    stats["minValues"]["ts"].get<std::string>();
  EXPECT_EQ(got, expected[0]);
  // Strings are cut to 32 characters; a cut max still bounds the real max.
  std::string max_s = stats["maxValues"]["s"].get<std::string>();
  EXPECT_LE(Query("SELECT max(s) FROM s2")[0].substr(0, 32), max_s);
  EXPECT_EQ(stats["minValues"]["s"].get<std::string>(),
            Query("SELECT left(min(s), 32) FROM s2")[0]);
}

TEST_F(TableWriterTest, EveryTypeRoundTrips) {
  Exec(
      "CREATE TABLE types AS SELECT i % 2 = 0 AS b, CAST(i AS TINYINT) AS i8, "
      "CAST(i * 100 AS SMALLINT) AS i16, CAST(i * 1000 AS INTEGER) AS i32, "
      "CAST(i * 1000000000 AS BIGINT) AS i64, CAST(i / 3 AS FLOAT) AS f32, i / 7 AS f64, "
      "CAST(i * 1.25 AS DECIMAL(10,2)) AS dec, 'str' || i AS s, encode('bin' || i) AS bin, "
      "DATE '2024-02-28' + CAST(i AS INTEGER) AS dt, TIMESTAMPTZ '2024-03-01 12:00:00+00' + "
      "to_hours(i) AS ts, "
      "TIMESTAMP '2024-03-01 12:00:00' + to_minutes(i) AS ntz, {'x': i, 'y': 's' || i} AS st, "
      "[i, i + 1] AS arr, MAP {'k' || i: i} AS m FROM range(0, 20) t(i) "
      "UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
      "NULL, NULL, NULL, NULL");
  LAKE_ASSERT_OK_AND_ASSIGN(auto schema, QuerySchema(*conn_, "SELECT * FROM types"));
  LAKE_ASSERT_OK_AND_ASSIGN(auto w, TableWriter::Create(root_, *schema, {}, fs(), *conn_));
  LAKE_ASSERT_OK(w->Append("SELECT * FROM types"));
  LAKE_ASSERT_OK_AND_ASSIGN(auto snapshot, w->Latest());
  // timestamp_ntz needs the table feature (reader 3 / writer 7).
  EXPECT_EQ(snapshot->protocol().min_reader_version, 3);
  EXPECT_EQ(snapshot->protocol().min_writer_version, 7);
  ASSERT_TRUE(snapshot->protocol().reader_features.has_value());
  EXPECT_EQ(*snapshot->protocol().reader_features, std::vector<std::string>{"timestampNtz"});
  EXPECT_EQ(ReadTable(root_), Query("SELECT * FROM types"));
}

// A one-label ENUM column (a value the same on every row) is written as it
// is, not cast to VARCHAR first: a plain UTF8 string column in Parquet, read
// back as a string by the reader and by read_parquet, with the label as both
// bounds (DuckDB reports none for it). Other ENUMs are cast as before.
TEST_F(TableWriterTest, OneLabelEnumColumnsAreStoredAsStrings) {
  LAKE_ASSERT_OK_AND_ASSIGN(auto w, TableWriter::Create(root_, *IdNameSchema(), {}, fs(), *conn_));
  LAKE_ASSERT_OK(
      w->Append("SELECT id, 'batch b'::ENUM('batch a', 'batch b') AS name FROM src WHERE id < 5"));
  LAKE_ASSERT_OK(
      w->Append("SELECT id, 'file ''x'''::ENUM('file ''x''') AS name FROM src WHERE id >= 295"));
  const Rows expected = Query(
      "SELECT id, CASE WHEN id < 5 THEN 'batch b' ELSE 'file ''x''' END FROM src "
      "WHERE id < 5 OR id >= 295");
  EXPECT_EQ(ReadTable(root_, "id, name", 2), expected);
  EXPECT_EQ(ReadIndependently(root_, "id, name", {}), expected);
  const std::vector<std::string> values = {"batch b", "file 'x'"};
  for (int64_t version : {1, 2}) {
    int adds = 0;
    for (const json& line : CommitLines(version)) {
      if (!line.contains("add")) continue;
      ++adds;
      const std::string file = root_ + "/" + line["add"]["path"].get<std::string>();
      EXPECT_EQ(Query("SELECT type, converted_type FROM parquet_schema('" + file +
                      "') WHERE name = 'name'"),
                (Rows{"BYTE_ARRAY|UTF8"}));
      const json stats = json::parse(line["add"]["stats"].get<std::string>());
      EXPECT_EQ(stats["minValues"]["name"], values[version - 1]) << stats.dump();
      EXPECT_EQ(stats["maxValues"]["name"], values[version - 1]) << stats.dump();
    }
    EXPECT_EQ(adds, 1);
  }
}

// Partitioned writes stage the rows in a temp table first; the ENUM and its
// bounds survive that.
TEST_F(TableWriterTest, OneLabelEnumColumnsInPartitionedTables) {
  auto w = CreatePartitioned();
  ASSERT_NE(w, nullptr);
  LAKE_ASSERT_OK(w->Append("SELECT id, 'k'::ENUM('k') AS name, p FROM src"));
  EXPECT_EQ(ReadTable(root_, "id, name, p"), Query("SELECT id, 'k', p FROM src"));
  int adds = 0;
  for (const json& line : CommitLines(1)) {
    if (!line.contains("add")) continue;
    ++adds;
    const json stats = json::parse(line["add"]["stats"].get<std::string>());
    EXPECT_EQ(stats["minValues"]["name"], "k") << stats.dump();
    EXPECT_EQ(stats["maxValues"]["name"], "k") << stats.dump();
  }
  EXPECT_EQ(adds, 3);
}

TEST_F(TableWriterTest, OverwriteWholeTableAndReplaceWhere) {
  auto w = CreatePartitioned();
  ASSERT_NE(w, nullptr);
  LAKE_ASSERT_OK(w->Append("SELECT * FROM src"));
  LAKE_ASSERT_OK_AND_ASSIGN(auto r, w->Overwrite("SELECT * FROM src WHERE id < 10"));
  EXPECT_EQ(r.rows_deleted, 300);
  EXPECT_EQ(ReadTable(root_), Query("SELECT * FROM src WHERE id < 10"));

  LAKE_ASSERT_OK(w->Overwrite("SELECT * FROM src"));
  OverwriteOptions options;
  options.replace_where = "p = 'b'";
  LAKE_ASSERT_OK_AND_ASSIGN(
      auto rw, w->Overwrite("SELECT id + 1000 AS id, name, p FROM src WHERE p = 'b'", options));
  EXPECT_EQ(rw.rows_deleted, 100);
  EXPECT_EQ(ReadTable(root_), Query("SELECT id + CASE WHEN p = 'b' THEN 1000 ELSE 0 END, name, p "
                                    "FROM src"));
  int64_t version = LatestVersion(root_);
  // New rows outside the predicate are refused, and nothing is committed.
  auto bad = w->Overwrite("SELECT * FROM src", options);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument) << bad.status().ToString();
  EXPECT_EQ(LatestVersion(root_), version);
}

TEST_F(TableWriterTest, DeleteByPartitionRemovesWholeFilesWithoutRewriting) {
  auto w = CreatePartitioned();
  ASSERT_NE(w, nullptr);
  LAKE_ASSERT_OK(w->Append("SELECT * FROM src"));
  LAKE_ASSERT_OK_AND_ASSIGN(auto r, w->Delete("p = 'a'"));
  EXPECT_EQ(r.rows_deleted, 100);
  EXPECT_EQ(r.files_removed, 1);
  EXPECT_EQ(r.files_added, 0);
  EXPECT_EQ(ReadTable(root_), Query("SELECT * FROM src WHERE p <> 'a'"));
  EXPECT_EQ(ReadIndependently(root_, "id, name", {"p"}), Query("SELECT * FROM src WHERE p <> 'a'"));
}

TEST_F(TableWriterTest, DeleteByDataRewritesPartlyMatchingFiles) {
  auto w = CreatePartitioned();
  ASSERT_NE(w, nullptr);
  LAKE_ASSERT_OK(w->Append("SELECT * FROM src"));
  LAKE_ASSERT_OK_AND_ASSIGN(auto r, w->Delete("id % 7 = 0 OR name = 'n5'"));
  EXPECT_EQ(std::to_string(r.rows_deleted),
            Query("SELECT count(*) FROM src WHERE id % 7 = 0 OR name = 'n5'")[0]);
  EXPECT_EQ(ReadTable(root_), Query("SELECT * FROM src WHERE NOT (id % 7 = 0 OR name = 'n5')"));
  // A predicate matching nothing commits nothing.
  int64_t version = LatestVersion(root_);
  LAKE_ASSERT_OK_AND_ASSIGN(auto none, w->Delete("id < 0"));
  EXPECT_FALSE(none.committed);
  EXPECT_EQ(LatestVersion(root_), version);
}

TEST_F(TableWriterTest, UpdateRewritesMatchingRows) {
  auto w = CreatePartitioned();
  ASSERT_NE(w, nullptr);
  LAKE_ASSERT_OK(w->Append("SELECT * FROM src"));
  LAKE_ASSERT_OK_AND_ASSIGN(
      auto r, w->Update({{"name", "upper(name) || '!'"}, {"id", "id * 10"}}, "id % 4 = 1"));
  EXPECT_EQ(std::to_string(r.rows_updated), Query("SELECT count(*) FROM src WHERE id % 4 = 1")[0]);
  EXPECT_EQ(ReadTable(root_),
            Query("SELECT CASE WHEN id % 4 = 1 THEN id * 10 ELSE id END, CASE WHEN id % 4 = 1 "
                  "THEN upper(name) || '!' ELSE name END, p FROM src"));
  // Updating the partition column moves rows to another partition.
  LAKE_ASSERT_OK(w->Update({{"p", "'z'"}}, "p = 'c'"));
  EXPECT_EQ(ReadTable(root_, "p"), Query("SELECT CASE WHEN p = 'c' THEN 'z' ELSE p END FROM src"));
  EXPECT_EQ(w->Update({{"nope", "1"}}, "true").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(TableWriterTest, MergeUpdatesDeletesAndInserts) {
  auto w = CreatePartitioned();
  ASSERT_NE(w, nullptr);
  LAKE_ASSERT_OK(w->Append("SELECT * FROM src WHERE id < 200"));
  Exec(
      "CREATE TABLE changes AS SELECT CAST(i AS BIGINT) AS id, 'new' || i AS name, 'c' AS p, "
      "i % 10 = 0 AS drop_it FROM range(150, 260) t(i)");
  MergeSpec spec;
  spec.source_query = "SELECT * FROM changes";
  spec.on = "t.id = s.id";
  MergeClause del{true, MergeClause::Action::kDelete, "s.drop_it", {}};
  MergeClause upd{true, MergeClause::Action::kUpdate, std::nullopt, {{"name", "s.name"}}};
  MergeClause ins{false, MergeClause::Action::kInsert, "s.id < 250", {}};
  spec.clauses = {del, upd, ins};
  LAKE_ASSERT_OK_AND_ASSIGN(auto r, w->Merge(spec));
  EXPECT_TRUE(r.committed);
  Rows expected = Query(
      "SELECT t.id, CASE WHEN s.id IS NOT NULL THEN s.name ELSE t.name END, t.p FROM src t "
      "LEFT JOIN changes s ON t.id = s.id WHERE t.id < 200 AND NOT coalesce(s.drop_it, false) "
      "UNION ALL SELECT id, name, p FROM changes WHERE id >= 200 AND id < 250");
  EXPECT_EQ(ReadTable(root_), expected);
  EXPECT_EQ(r.rows_deleted, 5);   // 150, 160, ..., 190
  EXPECT_EQ(r.rows_updated, 45);  // 150..199 minus those
  EXPECT_EQ(r.rows_inserted, 50);

  // A target row matched by two source rows is ambiguous.
  int64_t version = LatestVersion(root_);
  spec.source_query = "SELECT * FROM changes UNION ALL SELECT * FROM changes";
  auto ambiguous = w->Merge(spec);
  EXPECT_EQ(ambiguous.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(LatestVersion(root_), version);
}

TEST_F(TableWriterTest, SchemaEvolution) {
  LAKE_ASSERT_OK_AND_ASSIGN(
      auto w, TableWriter::Create(root_,
                                  *StructType({Field("id", PrimitiveType("integer")),
                                               Field("name", PrimitiveType("string"))}),
                                  {}, fs(), *conn_));
  LAKE_ASSERT_OK(w->Append("SELECT CAST(1 AS INTEGER) AS id, 'a' AS name"));
  // A column the table lacks needs merge_schema.
  auto refused = w->Append("SELECT 2 AS id, 'b' AS name, 2.5 AS score");
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  AppendOptions merge;
  merge.merge_schema = true;
  LAKE_ASSERT_OK(w->Append("SELECT CAST(2 AS INTEGER) AS id, 'b' AS name, 2.5 AS score", merge));
  EXPECT_EQ(ReadTable(root_), (Rows{"1|a|NULL", "2|b|2.5"}));
  // Missing columns are written as NULL.
  LAKE_ASSERT_OK(w->Append("SELECT CAST(3 AS INTEGER) AS id"));
  EXPECT_EQ(ReadTable(root_), (Rows{"1|a|NULL", "2|b|2.5", "3|NULL|NULL"}));
  // integer -> long is a safe widening: the typeWidening feature is added.
  LAKE_ASSERT_OK(w->Append("SELECT CAST(5000000000 AS BIGINT) AS id, 'big' AS name", merge));
  LAKE_ASSERT_OK_AND_ASSIGN(auto snapshot, w->Latest());
  EXPECT_TRUE(FindField(snapshot->schema(), "id")->type->IsPrimitive("long"));
  ASSERT_TRUE(snapshot->protocol().writer_features.has_value());
  auto& features = *snapshot->protocol().writer_features;
  EXPECT_NE(std::find(features.begin(), features.end(), "typeWidening"), features.end());
  EXPECT_NE(FindField(snapshot->schema(), "id")->metadata_json.find("delta.typeChanges"),
            std::string::npos);
  EXPECT_EQ(ReadTable(root_), (Rows{"1|a|NULL", "2|b|2.5", "3|NULL|NULL", "5000000000|big|NULL"}));

  LAKE_ASSERT_OK(w->AddColumns({Field("tags", PrimitiveType("string"))}));
  LAKE_ASSERT_OK(
      w->SetProperties({{"strata.description", "test"}, {"delta.checkpointInterval", "5"}}));
  LAKE_ASSERT_OK_AND_ASSIGN(snapshot, w->Latest());
  EXPECT_EQ(snapshot->schema().fields.size(), 4u);
  EXPECT_EQ(snapshot->Property("strata.description"), "test");
  EXPECT_EQ(ReadTable(root_, "count(*) FILTER (WHERE tags IS NULL)"), Rows{"4"});
}

TEST_F(TableWriterTest, OverwriteSchemaReplacesColumns) {
  LAKE_ASSERT_OK_AND_ASSIGN(auto w, TableWriter::Create(root_, *IdNameSchema(), {}, fs(), *conn_));
  LAKE_ASSERT_OK(w->Append("SELECT id, name FROM src"));
  OverwriteOptions options;
  options.overwrite_schema = true;
  LAKE_ASSERT_OK(w->Overwrite("SELECT 'x' AS code, 1.5::DOUBLE AS value", options));
  LAKE_ASSERT_OK_AND_ASSIGN(auto snapshot, w->Latest());
  ASSERT_EQ(snapshot->schema().fields.size(), 2u);
  EXPECT_EQ(snapshot->schema().fields[0].name, "code");
  EXPECT_EQ(ReadTable(root_), Rows{"x|1.5"});
}

TEST_F(TableWriterTest, TxnMakesAppendsIdempotent) {
  LAKE_ASSERT_OK_AND_ASSIGN(auto w, TableWriter::Create(root_, *IdNameSchema(), {}, fs(), *conn_));
  AppendOptions options;
  options.txn = TxnId{"ingest-job", 7};
  LAKE_ASSERT_OK_AND_ASSIGN(auto first, w->Append("SELECT id, name FROM src", options));
  EXPECT_TRUE(first.committed);
  LAKE_ASSERT_OK_AND_ASSIGN(auto again, w->Append("SELECT id, name FROM src", options));
  EXPECT_FALSE(again.committed);
  EXPECT_TRUE(again.already_applied);
  options.txn->version = 6;  // an older batch of the same app: applied before too
  LAKE_ASSERT_OK_AND_ASSIGN(auto older, w->Append("SELECT id, name FROM src", options));
  EXPECT_TRUE(older.already_applied);
  EXPECT_EQ(LatestVersion(root_), 1);
  EXPECT_EQ(ReadTable(root_), Query("SELECT id, name FROM src"));
  LAKE_ASSERT_OK_AND_ASSIGN(auto snapshot, w->Latest());
  EXPECT_EQ(snapshot->AppTransactionVersion("ingest-job"), 7);
}

TEST_F(TableWriterTest, LateCommitInfoComesAfterTheRowsAndMayAbandonTheCommit) {
  LAKE_ASSERT_OK_AND_ASSIGN(auto w, TableWriter::Create(root_, *IdNameSchema(), {}, fs(), *conn_));
  auto parquet_files = [&] {
    return Query("SELECT count(*) FROM glob('" + root_ + "/**/*.parquet')")[0];
  };
  AppendOptions options;
  options.commit_info = {{"early", "1"}};
  std::string files_seen;
  options.late_commit_info = [&]() -> Result<StringMap> {
    files_seen = parquet_files();
    return StringMap{{"late", R"({"rows_seen":100})"}};
  };
  LAKE_ASSERT_OK_AND_ASSIGN(auto first,
                            w->Append("SELECT id, name FROM src WHERE id < 100", options));
  EXPECT_TRUE(first.committed);
  EXPECT_EQ(files_seen, "1");  // the data file was written before the hook ran
  json info;
  for (const json& line : CommitLines(first.version)) {
    if (line.contains("commitInfo")) info = line["commitInfo"];
  }
  EXPECT_EQ(info.value("early", json()), json(1));
  EXPECT_EQ(info.value("late", json()), json::parse(R"({"rows_seen":100})"));

  // An error from the hook: nothing is committed, by Append or Overwrite.
  options.late_commit_info = []() -> Result<StringMap> {
    return Status::Aborted("the source stopped half way");
  };
  auto failed = w->Append("SELECT id, name FROM src WHERE id >= 100", options);
  EXPECT_EQ(failed.status().code(), StatusCode::kAborted);
  OverwriteOptions overwrite;
  overwrite.late_commit_info = options.late_commit_info;
  EXPECT_EQ(w->Overwrite("SELECT id, name FROM src", overwrite).status().code(),
            StatusCode::kAborted);
  EXPECT_EQ(LatestVersion(root_), 1);
  EXPECT_EQ(ReadTable(root_), Query("SELECT id, name FROM src WHERE id < 100"));
}

TEST_F(TableWriterTest, CreateRefusesAnExistingTableUnlessAsked) {
  LAKE_ASSERT_OK(TableWriter::Create(root_, *IdNameSchema(), {}, fs(), *conn_));
  auto again = TableWriter::Create(root_, *IdNameSchema(), {}, fs(), *conn_);
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  CreateTableOptions options;
  options.if_not_exists = true;
  LAKE_ASSERT_OK(TableWriter::Create(root_, *IdNameSchema(), options, fs(), *conn_));
  EXPECT_EQ(LatestVersion(root_), 0);
  options.partition_columns = {"missing"};
  EXPECT_EQ(
      TableWriter::Create(dir_ + "/other", *IdNameSchema(), options, fs(), *conn_).status().code(),
      StatusCode::kInvalidArgument);
}

TEST_F(TableWriterTest, AppendOnlyTablesRefuseRemovingData) {
  CreateTableOptions options;
  options.properties = {{"delta.appendOnly", "true"}};
  LAKE_ASSERT_OK_AND_ASSIGN(auto w,
                            TableWriter::Create(root_, *IdNameSchema(), options, fs(), *conn_));
  LAKE_ASSERT_OK(w->Append("SELECT id, name FROM src"));
  EXPECT_EQ(w->Delete("id = 1").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(w->Overwrite("SELECT id, name FROM src").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(TableWriterTest, RefusesWriterFeaturesItLacks) {
  std::string table =
      std::string(STRATA_SOURCE_DIR) +
      "/../shared/testdata/delta/kernel-golden/table-with-columnmapping-mode-name/delta";
  if (!std::filesystem::exists(table)) GTEST_SKIP() << "corpus table missing: " << table;
  auto w = TableWriter::Open(table, fs(), *conn_);
  EXPECT_EQ(w.status().code(), StatusCode::kNotSupported) << w.status().ToString();
}

TEST_F(TableWriterTest, NotNullColumnsRejectNulls) {
  LAKE_ASSERT_OK_AND_ASSIGN(
      auto w, TableWriter::Create(root_, *StructType({Field("id", PrimitiveType("long"), false)}),
                                  {}, fs(), *conn_));
  EXPECT_EQ(w->Append("SELECT NULL::BIGINT AS id").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(LatestVersion(root_), 0);
}

}  // namespace
}  // namespace strata::lake
