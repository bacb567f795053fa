// The files connector's JSON, NDJSON, Parquet and XML readers, against real
// files and a real DuckDB.
#include <gtest/gtest.h>

#include "ingest/files_testing.h"

namespace strata::ingest {
namespace {

using testing::CollectingSink;
using testing::MakeSource;
using testing::TempProject;
using Rows = std::vector<std::vector<std::string>>;

struct ReadRun {
  Status status;
  std::unique_ptr<CollectingSink> sink;
};

ReadRun ReadStream(const TempProject& project, const std::string& stream_yaml) {
  SourceConfig source = MakeSource(project.root(), stream_yaml);
  auto connector = FilesConnector::Make(source);
  EXPECT_TRUE(connector.ok()) << connector.status().ToString();
  ReadRun run{Status::OK(), std::make_unique<CollectingSink>(project.Path(".staging"))};
  if (connector.ok()) run.status = (*connector)->Read(source.streams[0], nullptr, *run.sink);
  return run;
}

TEST(FilesConnectorNdjson, QuarantinesExactlyTheBadLines) {
  TempProject project;
  const std::vector<std::string> lines = {
      R"({"id":1,"ts":"2024-01-01T10:00:00Z","ctx":{"p":"web","utm":{"s":"g"}},"tags":["a","b"]})",
      "",                                         // 2 blank: skipped, neither good nor bad
      R"({"id":2,"ctx":{"p":"app"},"tags":[]})",  // 3
      R"({"id":3, "broken": )",                   // 4 invalid JSON
      R"([1,2,3])",                               // 5 valid JSON, not an object
      R"({"id":4,"ctx":{"p":"web"}})",            // 6
      R"({"id":5,"ctx":{"p")",                    // 7 truncated
  };
  std::string content;
  for (const std::string& l : lines) content += l + "\n";
  project.Write("ev/day.ndjson", content);
  ReadRun run = ReadStream(project, "path: ev/*.ndjson");
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  EXPECT_EQ(
      run.sink->Rows("SELECT id, _strata_row, _strata_file FROM bronze ORDER BY id"),
      (Rows{
          {"1", "1", "ev/day.ndjson"}, {"2", "3", "ev/day.ndjson"}, {"4", "6", "ev/day.ndjson"}}));
  // Nested values are STRUCTs and LISTs.
  EXPECT_EQ(run.sink->Scalar("SELECT ctx.utm.s FROM bronze WHERE id = 1"), "g");
  EXPECT_EQ(run.sink->Scalar("SELECT tags[2] FROM bronze WHERE id = 1"), "b");
  EXPECT_EQ(run.sink->Scalar("SELECT len(tags) FROM bronze WHERE id = 2"), "0");
  EXPECT_EQ(run.sink->Scalar("SELECT typeof(ctx) FROM bronze LIMIT 1").rfind("STRUCT", 0), 0u);
  ASSERT_EQ(run.sink->quarantined.size(), 3u);
  for (const BadRecord& bad : run.sink->quarantined) {
    ASSERT_GE(bad.line, 1);
    EXPECT_EQ(bad.raw, lines[bad.line - 1]);
    EXPECT_EQ(bad.file, "ev/day.ndjson");
  }
  EXPECT_EQ(run.sink->quarantined[0].line, 4);
  EXPECT_NE(run.sink->quarantined[0].reason.find("invalid JSON"), std::string::npos);
  EXPECT_EQ(run.sink->quarantined[1].line, 5);
  EXPECT_NE(run.sink->quarantined[1].reason.find("ARRAY"), std::string::npos);
  EXPECT_EQ(run.sink->quarantined[2].line, 7);
}

TEST(FilesConnectorNdjson, CompressedNdjsonKeepsLineNumbers) {
  TempProject project;
  CollectingSink writer(project.Path(".w"));
  ASSERT_TRUE(FileSystem::Default()->CreateDirectories(project.Path("gz")).ok());
  ASSERT_TRUE(writer.connection()
                  .Execute("COPY (SELECT range AS id, 'e' || range AS name FROM range(500)) TO " +
                           engine::QuoteLiteral(project.Path("gz/e.ndjson.gz")) + " (FORMAT json)")
                  .ok());
  ReadRun run = ReadStream(project, "path: gz/e.ndjson.gz");
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  EXPECT_EQ(run.sink->Scalar("SELECT count(*) FROM bronze WHERE _strata_row = id + 1"), "500");
}

TEST(FilesConnectorNdjson, SchemaDoesNotDependOnKeyOrder) {
  TempProject project;
  project.Write("k/1.ndjson", R"({"b":1,"a":{"y":1,"x":"s"}})"
                              "\n");
  project.Write("k/2.ndjson", R"({"a":{"x":"t","y":2},"b":2})"
                              "\n");
  ReadRun run = ReadStream(project, "path: k/*.ndjson");
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  ASSERT_EQ(run.sink->batch_types.size(), 2u);
  EXPECT_EQ(run.sink->batch_types[0], run.sink->batch_types[1]);
  // Non-negative integers are BIGINT, not UBIGINT (which Delta cannot store).
  EXPECT_NE(run.sink->batch_types[0].find("b BIGINT"), std::string::npos)
      << run.sink->batch_types[0];
  EXPECT_NE(run.sink->batch_types[0].find("STRUCT(x VARCHAR, y BIGINT)"), std::string::npos)
      << run.sink->batch_types[0];
}

TEST(FilesConnectorJson, ArrayObjectAndRecordPath) {
  TempProject project;
  project.Write("j/array.json", R"([{"a":1,"b":{"c":"x"}},{"a":2,"b":{"c":"y"}},{"a":3}])");
  project.Write("j/object.json", R"({"a":7,"b":{"c":"z"}})");
  project.Write("j/wrapped.json",
                R"({"meta":{"n":2},"data":{"items":[{"sku":"A","qty":1},{"sku":"B","qty":5}]}})");
  ReadRun array = ReadStream(project, "path: j/array.json");
  ASSERT_TRUE(array.status.ok()) << array.status.ToString();
  EXPECT_EQ(array.sink->Rows("SELECT a, b.c, _strata_row FROM bronze ORDER BY a"),
            (Rows{{"1", "x", "1"}, {"2", "y", "2"}, {"3", "NULL", "3"}}));
  ReadRun object = ReadStream(project, "path: j/object.json");
  ASSERT_TRUE(object.status.ok()) << object.status.ToString();
  EXPECT_EQ(object.sink->Rows("SELECT a, b.c, _strata_row FROM bronze"), (Rows{{"7", "z", "1"}}));
  ReadRun wrapped = ReadStream(project, "path: j/wrapped.json\nrecord_path: data.items");
  ASSERT_TRUE(wrapped.status.ok()) << wrapped.status.ToString();
  EXPECT_EQ(wrapped.sink->Rows("SELECT sku, qty, _strata_row FROM bronze ORDER BY sku"),
            (Rows{{"A", "1", "1"}, {"B", "5", "2"}}));
}

TEST(FilesConnectorJson, InvalidDocumentIsQuarantinedOthersLoad) {
  TempProject project;
  project.Write("j/good.json", R"([{"a":1}])");
  project.Write("j/bad.json", R"([{"a":1},{"a":)");
  ReadRun run = ReadStream(project, "path: j/*.json");
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  EXPECT_EQ(run.sink->Rows("SELECT a, _strata_file FROM bronze"), (Rows{{"1", "j/good.json"}}));
  ASSERT_EQ(run.sink->quarantined.size(), 1u);
  EXPECT_EQ(run.sink->quarantined[0].file, "j/bad.json");
  EXPECT_NE(run.sink->quarantined[0].reason.find("JSON"), std::string::npos);
}

TEST(FilesConnectorNdjson, InvalidLineReasonGivesTheColumn) {
  TempProject project;
  project.Write("ev/day.ndjson", "{\"id\":1}\n{\"id\":2, \"ok\": tru}\n");
  ReadRun run = ReadStream(project, "path: ev/*.ndjson");
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  ASSERT_EQ(run.sink->quarantined.size(), 1u);
  const BadRecord& bad = run.sink->quarantined[0];
  EXPECT_EQ(bad.file, "ev/day.ndjson");
  EXPECT_EQ(bad.line, 2);
  // `tru` starts at the 16th character of the line.
  EXPECT_EQ(bad.reason, "invalid JSON at column 16: invalid literal");
}

TEST(FilesConnectorJson, MalformedDocumentIsQuarantinedAtLineAndColumn) {
  TempProject project;
  project.Write("j/bad.json", "[\n  {\"a\": 1},\n  {\"a\": 2, \"b\": [1, 2,, 3]}\n]\n");
  ReadRun run = ReadStream(project, "path: j/bad.json");
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  ASSERT_EQ(run.sink->quarantined.size(), 1u);
  const BadRecord& bad = run.sink->quarantined[0];
  EXPECT_EQ(bad.file, "j/bad.json");
  EXPECT_EQ(bad.line, 3);
  EXPECT_EQ(bad.raw, "  {\"a\": 2, \"b\": [1, 2,, 3]}");
  // The second comma of ",," (the unexpected character) is the 23rd of line 3.
  EXPECT_NE(bad.reason.find("line 3, column 23"), std::string::npos) << bad.reason;
  EXPECT_TRUE(run.sink->batches.empty() || run.sink->batch_rows.back() == 0);
}

TEST(FilesConnectorParquet, RowsWithFileRowNumber) {
  TempProject project;
  CollectingSink writer(project.Path(".w"));
  ASSERT_TRUE(FileSystem::Default()->CreateDirectories(project.Path("p")).ok());
  ASSERT_TRUE(writer.connection()
                  .Execute("COPY (SELECT range AS id, range * 2 AS twice FROM range(3000)) TO " +
                           engine::QuoteLiteral(project.Path("p/x.parquet")) + " (FORMAT parquet)")
                  .ok());
  project.Write("p/broken.parquet", "PAR1 this is not parquet");
  ReadRun run = ReadStream(project, "path: p/*.parquet");
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  EXPECT_EQ(
      run.sink->Scalar("SELECT count(*) FROM bronze WHERE _strata_row = id + 1 AND twice = 2 * id"),
      "3000");
  ASSERT_EQ(run.sink->quarantined.size(), 1u);
  EXPECT_EQ(run.sink->quarantined[0].file, "p/broken.parquet");
}

TEST(FilesConnectorXml, RecordPathAttributesNestingAndLists) {
  TempProject project;
  project.Write("x/orders.xml", R"(<?xml version="1.0"?>
<shop>
  <orders>
    <order id="1" status="paid">
      <customer><name>Anna</name><country>DE</country></customer>
      <line sku="A" qty="2"/>
      <line sku="B" qty="1"/>
      <note>first</note>
    </order>
    <order id="2" status="open">
      <customer><name>Bert</name><country>FR</country></customer>
      <line sku="C" qty="3"/>
      <line sku="D" qty="4"/>
    </order>
  </orders>
  <other><order id="99"/></other>
</shop>
)");
  ReadRun run = ReadStream(project, "path: x/orders.xml\nrecord_path: /shop/orders/order");
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  EXPECT_EQ(run.sink->Rows("SELECT id, status, customer.name, customer.country, len(line), "
                           "line[2].sku, line[1].qty, note, _strata_row FROM bronze ORDER BY id"),
            (Rows{{"1", "paid", "Anna", "DE", "2", "B", "2", "first", "1"},
                  {"2", "open", "Bert", "FR", "2", "D", "3", "NULL", "2"}}));
  EXPECT_TRUE(run.sink->quarantined.empty());
}

TEST(FilesConnectorXml, MalformedXmlKeepsRecordsBeforeTheError) {
  TempProject project;
  project.Write("x/bad.xml",
                "<rows>\n<row><a>1</a></row>\n<row><a>2</a></row>\n<row><a>3</b></row>\n"
                "<row><a>4</a></row>\n</rows>\n");
  ReadRun run = ReadStream(project, "path: x/bad.xml\nrecord_path: /rows/row");
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  EXPECT_EQ(run.sink->Rows("SELECT a FROM bronze ORDER BY a"), (Rows{{"1"}, {"2"}}));
  ASSERT_EQ(run.sink->quarantined.size(), 1u);
  EXPECT_EQ(run.sink->quarantined[0].line, 4);
  EXPECT_EQ(run.sink->quarantined[0].raw, "<row><a>3</b></row>");
  EXPECT_NE(run.sink->quarantined[0].reason.find("mismatched tag"), std::string::npos)
      << run.sink->quarantined[0].reason;
}

}  // namespace
}  // namespace strata::ingest
