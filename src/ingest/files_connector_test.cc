// The files connector against real files in a temp directory and a real
// DuckDB (through CollectingSink): CSV reading, malformations, encodings,
// lineage. Formats other than CSV: files_formats_test.cc; incremental runs
// and globs: files_incremental_test.cc.
#include <gtest/gtest.h>

#include <algorithm>

#include "ingest/files_testing.h"

namespace strata::ingest {
namespace {

using testing::CollectingSink;
using testing::MakeSource;
using testing::TempProject;

struct ReadRun {
  Status status;
  std::unique_ptr<CollectingSink> sink;
};

ReadRun ReadStream(const TempProject& project, const std::string& stream_yaml,
                   SyncMode sync = SyncMode::kAppendOnly, const nlohmann::json& state = nullptr) {
  SourceConfig source = MakeSource(project.root(), stream_yaml, sync);
  auto connector = FilesConnector::Make(source);
  EXPECT_TRUE(connector.ok()) << connector.status().ToString();
  ReadRun run{Status::OK(), std::make_unique<CollectingSink>(project.Path(".staging"))};
  if (connector.ok()) run.status = (*connector)->Read(source.streams[0], state, *run.sink);
  return run;
}

const BadRecord* FindBad(const CollectingSink& sink, int64_t line) {
  for (const BadRecord& r : sink.quarantined) {
    if (r.line == line) return &r;
  }
  return nullptr;
}

TEST(FilesConnectorCsv, LoadsRowsWithLineage) {
  TempProject project;
  project.Write("data/orders.csv", "id,name,amount\n1,anna,10.5\n2,bert,20\n3,carl,30.25\n");
  ReadRun run = ReadStream(project, "path: data/orders.csv");
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  EXPECT_TRUE(run.sink->quarantined.empty());
  ASSERT_EQ(run.sink->batches.size(), 1u);
  EXPECT_EQ(
      run.sink->Rows("SELECT id, name, amount, _strata_file, _strata_row FROM bronze ORDER BY id"),
      (std::vector<std::vector<std::string>>{{"1", "anna", "10.5", "data/orders.csv", "2"},
                                             {"2", "bert", "20.0", "data/orders.csv", "3"},
                                             {"3", "carl", "30.25", "data/orders.csv", "4"}}));
  // Sniffed types, not all VARCHAR.
  EXPECT_EQ(run.sink->Scalar("SELECT typeof(id) || ',' || typeof(amount) FROM bronze LIMIT 1"),
            "BIGINT,DOUBLE");
  EXPECT_EQ(run.sink->progress_rows, 3);
}

TEST(FilesConnectorCsv, BadRowsGoToQuarantineAndGoodRowsLoad) {
  TempProject project;
  // Line numbers (header = 1): each data line's number is its index + 2.
  const std::vector<std::string> lines = {
      "id,name,amount,day",
      "1,a,1.5,2024-01-01",        // 2 good
      "2,b,abc,2024-01-02",        // 3 amount not a number
      "3,c,2.5",                   // 4 too few columns
      "4,d,3.5,2024-13-45",        // 5 bad date
      "5,e,4.5,2024-01-05",        // 6 good
      "6,f,5.5,2024-01-06,extra",  // 7 too many columns
      "7,g,6.5,2024-01-07",        // 8 good
  };
  std::string content;
  for (const std::string& l : lines) content += l + "\n";
  project.Write("data/t.csv", content);
  ReadRun run = ReadStream(project,
                           "path: data/t.csv\ncolumns: {id: BIGINT, name: VARCHAR, amount: DOUBLE, "
                           "day: DATE}");
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  EXPECT_EQ(run.sink->Rows("SELECT id, _strata_row FROM bronze ORDER BY id"),
            (std::vector<std::vector<std::string>>{{"1", "2"}, {"5", "6"}, {"7", "8"}}));
  ASSERT_EQ(run.sink->quarantined.size(), 4u);
  for (int64_t line : {3, 4, 5, 7}) {
    const BadRecord* bad = FindBad(*run.sink, line);
    ASSERT_NE(bad, nullptr) << "line " << line;
    EXPECT_EQ(bad->raw, lines[line - 1]);
    EXPECT_EQ(bad->file, "data/t.csv");
    EXPECT_EQ(bad->stream, "s");
  }
  EXPECT_NE(FindBad(*run.sink, 3)->reason.find("column 'amount'"), std::string::npos)
      << FindBad(*run.sink, 3)->reason;
  EXPECT_NE(FindBad(*run.sink, 3)->reason.find("abc"), std::string::npos);
  EXPECT_NE(FindBad(*run.sink, 5)->reason.find("column 'day'"), std::string::npos);
  EXPECT_NE(FindBad(*run.sink, 5)->reason.find("2024-13-45"), std::string::npos);
  EXPECT_NE(FindBad(*run.sink, 4)->reason.find("Columns"), std::string::npos)
      << FindBad(*run.sink, 4)->reason;
}

TEST(FilesConnectorCsv, LineNumbersSurviveManyRejectsInARow) {
  TempProject project;
  // 200 lines; every line whose number is divisible by 3 or 7 has a bad value.
  std::string content = "n,v\n";
  std::vector<int64_t> expected_good_lines;
  for (int line = 2; line <= 201; ++line) {
    const bool bad = line % 3 == 0 || line % 7 == 0;
    content += std::to_string(line) + "," +
               (bad ? "x" + std::to_string(line) : std::to_string(line)) + "\n";
    if (!bad) expected_good_lines.push_back(line);
  }
  project.Write("d/n.csv", content);
  ReadRun run = ReadStream(project, "path: d/n.csv\ncolumns: {n: BIGINT, v: BIGINT}");
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  auto rows = run.sink->Rows("SELECT n, _strata_row FROM bronze ORDER BY n");
  ASSERT_EQ(rows.size(), expected_good_lines.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    // Column n holds the line number it was written on.
    EXPECT_EQ(rows[i][0], std::to_string(expected_good_lines[i]));
    EXPECT_EQ(rows[i][1], std::to_string(expected_good_lines[i]));
  }
  EXPECT_EQ(run.sink->quarantined.size(), 200 - expected_good_lines.size());
}

TEST(FilesConnectorCsv, SniffsDialectAndHonoursOverrides) {
  TempProject project;
  project.Write("a/semi.csv", "id;label\n1;\"x;y\"\n2;\"plain\"\n");
  ReadRun sniffed = ReadStream(project, "path: a/semi.csv");
  ASSERT_TRUE(sniffed.status.ok()) << sniffed.status.ToString();
  EXPECT_EQ(sniffed.sink->Rows("SELECT id, label FROM bronze ORDER BY id"),
            (std::vector<std::vector<std::string>>{{"1", "x;y"}, {"2", "plain"}}));

  project.Write("b/pipe.txt", "1|'a|b'|01.02.2024|NA\n2|'c'|15.03.2024|7\n");
  ReadRun overridden =
      ReadStream(project,
                 "path: b/pipe.txt\nformat: csv\ndelimiter: '|'\nquote: \"'\"\n"
                 "header: false\ncolumns: {k: INTEGER, s: VARCHAR, d: DATE, n: INTEGER}\n"
                 "date_format: '%d.%m.%Y'\nnull_strings: [NA]");
  ASSERT_TRUE(overridden.status.ok()) << overridden.status.ToString();
  EXPECT_TRUE(overridden.sink->quarantined.empty()) << overridden.sink->quarantined[0].reason;
  EXPECT_EQ(overridden.sink->Rows("SELECT k, s, d, n, _strata_row FROM bronze ORDER BY k"),
            (std::vector<std::vector<std::string>>{{"1", "a|b", "2024-02-01", "NULL", "1"},
                                                   {"2", "c", "2024-03-15", "7", "2"}}));
}

TEST(FilesConnectorCsv, Encodings) {
  TempProject project;
  project.Write("e/bom.csv", "\xEF\xBB\xBFid,city\n1,K\xC3\xB6ln\n");
  project.Write("e/latin1.csv", "id,city\n1,K\xF6ln\n");
  project.Write("e/cp1252.csv", "id,price\n1,\x80 5\n");
  // "id,city\n1,Köln\n" in UTF-16LE with a BOM.
  std::string utf16 = "\xFF\xFE";
  for (char c : std::string("id,city\n1,K")) utf16 += std::string{c, '\0'};
  utf16 += std::string("\xF6\0", 2);
  for (char c : std::string("ln\n")) utf16 += std::string{c, '\0'};
  project.Write("e/utf16.csv", utf16);

  ReadRun bom = ReadStream(project, "path: e/bom.csv");
  ASSERT_TRUE(bom.status.ok()) << bom.status.ToString();
  EXPECT_EQ(bom.sink->Rows("SELECT id, city FROM bronze"),
            (std::vector<std::vector<std::string>>{{"1", "K\xC3\xB6ln"}}));
  ReadRun latin1 = ReadStream(project, "path: e/latin1.csv\nencoding: latin-1");
  ASSERT_TRUE(latin1.status.ok()) << latin1.status.ToString();
  EXPECT_EQ(latin1.sink->Scalar("SELECT city FROM bronze"), "K\xC3\xB6ln");
  ReadRun cp1252 = ReadStream(project, "path: e/cp1252.csv\nencoding: windows-1252");
  ASSERT_TRUE(cp1252.status.ok()) << cp1252.status.ToString();
  EXPECT_EQ(cp1252.sink->Scalar("SELECT price FROM bronze"), "\xE2\x82\xAC 5");  // U+20AC
  ReadRun utf16_run = ReadStream(project, "path: e/utf16.csv\nencoding: utf-16");
  ASSERT_TRUE(utf16_run.status.ok()) << utf16_run.status.ToString();
  EXPECT_EQ(utf16_run.sink->Rows("SELECT id, city FROM bronze"),
            (std::vector<std::vector<std::string>>{{"1", "K\xC3\xB6ln"}}));
}

TEST(FilesConnectorCsv, WrongEncodingLineIsQuarantined) {
  TempProject project;
  project.Write("e/mixed.csv", "id,city\n1,Berlin\n2,K\xF6ln\n3,Wien\n");
  ReadRun run = ReadStream(project, "path: e/mixed.csv");
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  EXPECT_EQ(run.sink->Rows("SELECT id, city, _strata_row FROM bronze ORDER BY id"),
            (std::vector<std::vector<std::string>>{{"1", "Berlin", "2"}, {"3", "Wien", "4"}}));
  ASSERT_EQ(run.sink->quarantined.size(), 1u);
  EXPECT_EQ(run.sink->quarantined[0].line, 3);
  EXPECT_NE(run.sink->quarantined[0].reason.find("utf-8"), std::string::npos)
      << run.sink->quarantined[0].reason;
}

TEST(FilesConnectorCsv, TruncatedEmptyAndHeaderOnlyFiles) {
  TempProject project;
  project.Write("t/truncated.csv", "id,name,amount\n1,a,1.5\n2,b,2.5\n3,c");
  project.Write("t/empty.csv", "");
  project.Write("t/header_only.csv", "id,name,amount\n");
  ReadRun run = ReadStream(project, "path: t/*.csv");
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  EXPECT_EQ(run.sink->Rows("SELECT id, _strata_file, _strata_row FROM bronze ORDER BY id"),
            (std::vector<std::vector<std::string>>{{"1", "t/truncated.csv", "2"},
                                                   {"2", "t/truncated.csv", "3"}}));
  std::map<std::string, BadRecord> by_file;
  for (const BadRecord& r : run.sink->quarantined) by_file[r.file] = r;
  ASSERT_EQ(by_file.size(), 3u);
  EXPECT_EQ(by_file["t/truncated.csv"].line, 4);
  EXPECT_EQ(by_file["t/truncated.csv"].raw, "3,c");
  EXPECT_NE(by_file["t/empty.csv"].reason.find("empty"), std::string::npos);
  EXPECT_NE(by_file["t/header_only.csv"].reason.find("no data rows"), std::string::npos);
  // Every file is recorded, so the next run reads none of them again.
  const nlohmann::json state = run.sink->LastState();
  EXPECT_EQ(state["files"].size(), 3u) << state.dump();
  ReadRun again = ReadStream(project, "path: t/*.csv", SyncMode::kAppendOnly, state);
  ASSERT_TRUE(again.status.ok());
  EXPECT_TRUE(again.sink->batches.empty());
  EXPECT_TRUE(again.sink->quarantined.empty());
}

TEST(FilesConnectorCsv, CompressedCsv) {
  TempProject project;
  CollectingSink writer(project.Path(".w"));
  ASSERT_TRUE(FileSystem::Default()->CreateDirectories(project.Path("z")).ok());
  ASSERT_TRUE(writer.connection()
                  .Execute("COPY (SELECT range AS id, 'n' || range AS name FROM range(1000)) TO " +
                           engine::QuoteLiteral(project.Path("z/big.csv.gz")) + " (HEADER)")
                  .ok());
  ReadRun run = ReadStream(project, "path: z/*.csv.gz");
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  EXPECT_EQ(run.sink->Scalar("SELECT count(*) FROM bronze WHERE _strata_row = id + 2"), "1000");
}

// The direct read (csv_reader.cc): one query straight over the file, used
// when the file turns out clean; the staged, tolerant read otherwise.
bool ReadDirectly(const StagedBatch& batch) {
  return batch.query.find("row_number() OVER ()") != std::string::npos &&
         batch.query.find("_strata_csv_") == std::string::npos;
}

TEST(FilesConnectorCsv, ACleanFileIsReadDirectlyWithLineage) {
  TempProject project;
  std::string content = "id,amount,day,label\n";
  for (int i = 0; i < 5000; ++i) {
    content += std::to_string(i) + "," + std::to_string(i) + ".25,2024-01-" +
               std::to_string(1 + i % 28) + ",l" + std::to_string(i % 7) + "\n";
  }
  project.Write("d/clean.csv", content);
  ReadRun run = ReadStream(project, "path: d/clean.csv");
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  ASSERT_EQ(run.sink->batches.size(), 1u);
  EXPECT_TRUE(ReadDirectly(run.sink->batches[0])) << run.sink->batches[0].query;
  EXPECT_TRUE(run.sink->quarantined.empty());
  EXPECT_EQ(run.sink->batch_rows[0], 5000);
  // Row i is on line i + 2 (the header is line 1).
  EXPECT_EQ(run.sink->Scalar("SELECT count(*) FROM bronze WHERE _strata_row = id + 2 AND "
                             "_strata_file = 'd/clean.csv'"),
            "5000");
  EXPECT_EQ(run.sink->Scalar("SELECT typeof(id) || ',' || typeof(amount) || ',' || typeof(day) "
                             "FROM bronze LIMIT 1"),
            "BIGINT,DOUBLE,DATE");
  // sum over i < 5000 of i + 0.25
  EXPECT_EQ(run.sink->Scalar("SELECT sum(amount) FROM bronze"), "12498750.0");
}

TEST(FilesConnectorCsv, ABadRowFarIntoAFileFallsBackToTheTolerantRead) {
  TempProject project;
  // Past DuckDB's sniffing sample and first chunk, so the direct read starts
  // and fails part way; nothing of it may remain.
  std::string content = "n,v\n";
  const int64_t bad_line = 25'002;
  for (int64_t line = 2; line <= 30'001; ++line) {
    content +=
        std::to_string(line) + "," + (line == bad_line ? "oops" : std::to_string(line * 3)) + "\n";
  }
  project.Write("d/late_bad.csv", content);
  ReadRun run = ReadStream(project, "path: d/late_bad.csv");
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  ASSERT_EQ(run.sink->batches.size(), 1u);
  EXPECT_FALSE(ReadDirectly(run.sink->batches[0]));
  EXPECT_EQ(run.sink->batch_rows[0], 29'999);
  EXPECT_EQ(run.sink->Scalar("SELECT count(*) FROM bronze"), "29999");
  // Column n holds the line it was written on.
  EXPECT_EQ(run.sink->Scalar("SELECT count(*) FROM bronze WHERE _strata_row = n AND v = n * 3"),
            "29999");
  ASSERT_EQ(run.sink->quarantined.size(), 1u);
  EXPECT_EQ(run.sink->quarantined[0].line, bad_line);
  EXPECT_EQ(run.sink->quarantined[0].raw, "25002,oops");
  EXPECT_NE(run.sink->quarantined[0].reason.find("column 'v'"), std::string::npos)
      << run.sink->quarantined[0].reason;
}

TEST(FilesConnectorCsv, TheDirectReadSniffsTheDialectTheTolerantReadDoes) {
  TempProject project;
  // A strict sniffer would skip two lines here and read "2,3,4" as the only
  // row of three columns; the tolerant one keeps the header.
  project.Write("d/extra.csv", "id,amount\n1,2.5\n2,3,4\n");
  ReadRun run = ReadStream(project, "path: d/extra.csv");
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  EXPECT_EQ(run.sink->Rows("SELECT id, amount, _strata_row FROM bronze"),
            (std::vector<std::vector<std::string>>{{"1", "2.5", "2"}}));
  ASSERT_EQ(run.sink->quarantined.size(), 1u);
  EXPECT_EQ(run.sink->quarantined[0].line, 3);
}

TEST(FilesConnectorCsv, AFileAfterQuarantinedRecordsIsReadTolerantly) {
  TempProject project;
  project.Write("q/1_empty.csv", "");
  project.Write("q/2_good.csv", "id,name\n1,a\n2,b\n");
  project.Write("q/3_good.csv", "id,name\n3,c\n");
  ReadRun run = ReadStream(project, "path: q/*.csv");
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  ASSERT_EQ(run.sink->batches.size(), 2u);
  // The empty file's record commits with the next batch, which therefore must
  // not risk a failed first attempt; the one after it may.
  EXPECT_FALSE(ReadDirectly(run.sink->batches[0])) << run.sink->batches[0].query;
  EXPECT_TRUE(ReadDirectly(run.sink->batches[1])) << run.sink->batches[1].query;
  EXPECT_EQ(run.sink->Rows("SELECT id, name, _strata_file, _strata_row FROM bronze ORDER BY id"),
            (std::vector<std::vector<std::string>>{{"1", "a", "q/2_good.csv", "2"},
                                                   {"2", "b", "q/2_good.csv", "3"},
                                                   {"3", "c", "q/3_good.csv", "2"}}));
  ASSERT_EQ(run.sink->quarantined.size(), 1u);
  EXPECT_EQ(run.sink->quarantined[0].file, "q/1_empty.csv");
}

TEST(FilesConnectorCsv, UnknownKeyIsRejectedWithLocation) {
  TempProject project;
  SourceConfig source = MakeSource(project.root(), "path: a.csv\ndelimeter: ';'");
  auto connector = FilesConnector::Make(source);
  ASSERT_FALSE(connector.ok());
  EXPECT_NE(connector.status().message().find("delimiter"), std::string::npos)
      << connector.status().ToString();
  SourceConfig no_path = MakeSource(project.root(), "format: csv");
  EXPECT_FALSE(FilesConnector::Make(no_path).ok());
}

TEST(FilesConnectorCsv, RegisteredAsFiles) {
  RegisterBuiltinConnectors();
  auto names = ConnectorNames();
  EXPECT_NE(std::find(names.begin(), names.end(), "files"), names.end());
}

}  // namespace
}  // namespace strata::ingest
