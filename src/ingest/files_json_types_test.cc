// ISO-8601 date and timestamp strings in JSON and NDJSON files land as DATE,
// TIMESTAMP and TIMESTAMP WITH TIME ZONE columns (nested ones too), and keep
// that type across the files of a stream and across runs; a value that does
// not parse in a typed field is quarantined. Real files, real DuckDB.
#include <gtest/gtest.h>

#include "ingest/files_testing.h"

namespace strata::ingest {
namespace {

using testing::CollectingSink;
using testing::MakeSource;
using testing::TempProject;
using Rows = std::vector<std::vector<std::string>>;

// 2024-01-01T00:00:00Z in seconds since the epoch: 54 years of 365 days plus
// 13 leap days (1972..2020), times 86400.
constexpr int64_t kNewYear2024 = (54 * 365 + 13) * int64_t{86400};

class FilesJsonTypesTest : public ::testing::Test {
 protected:
  // Reads the stream once from `state` on a fresh sink; `status` gets the
  // outcome (checked OK when null).
  std::unique_ptr<CollectingSink> RunOnce(const std::string& stream_yaml,
                                          const nlohmann::json& state, Status* status = nullptr,
                                          SyncMode sync = SyncMode::kAppendOnly) {
    SourceConfig source = MakeSource(project_.root(), stream_yaml, sync);
    auto connector = FilesConnector::Make(source);
    EXPECT_TRUE(connector.ok()) << connector.status().ToString();
    auto sink = std::make_unique<CollectingSink>(project_.Path(".staging"));
    Status s = (*connector)->Read(source.streams[0], state, *sink);
    if (status != nullptr) {
      *status = s;
    } else {
      EXPECT_TRUE(s.ok()) << s.ToString();
    }
    return sink;
  }

  // The column's type in the collected table.
  static std::string TypeOf(CollectingSink& sink, const std::string& column) {
    return sink.Scalar(
        "SELECT data_type FROM information_schema.columns WHERE table_name = "
        "'bronze' AND column_name = '" +
        column + "'");
  }

  TempProject project_;
};

TEST_F(FilesJsonTypesTest, NdjsonIsoStringsBecomeTypedColumnsNestedToo) {
  project_.Write(
      "ev/1.ndjson",
      R"({"id":1,"d":"2024-01-05","ts":"2024-01-01T10:00:00","at":"2024-01-01T10:00:00+02:00","ctx":{"seen":"2024-01-01T00:00:00Z","name":"web"},"days":["2024-02-28","2024-02-29"],"hits":[{"t":"2024-01-01 12:30:00.25"}]})"
      "\n"
      R"({"id":2,"d":null,"ts":"2024-01-02 11:00","at":"2024-01-01T23:00:00Z","ctx":{"seen":"2024-01-01T06:00:00-01:30","name":"app"},"days":[],"hits":[]})"
      "\n");
  auto sink = RunOnce("path: ev/*.ndjson", nullptr);
  EXPECT_EQ(TypeOf(*sink, "d"), "DATE");
  EXPECT_EQ(TypeOf(*sink, "ts"), "TIMESTAMP");
  EXPECT_EQ(TypeOf(*sink, "at"), "TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(TypeOf(*sink, "ctx"), "STRUCT(\"name\" VARCHAR, seen TIMESTAMP WITH TIME ZONE)");
  EXPECT_EQ(TypeOf(*sink, "days"), "DATE[]");
  EXPECT_EQ(TypeOf(*sink, "hits"), "STRUCT(t TIMESTAMP)[]");
  // Offsets are honoured: 10:00+02:00 is 08:00 UTC; 06:00-01:30 is 07:30 UTC.
  EXPECT_EQ(sink->Rows("SELECT id, epoch(\"at\")::BIGINT, epoch(ctx.seen)::BIGINT FROM bronze "
                       "ORDER BY id"),
            (Rows{{"1", std::to_string(kNewYear2024 + 8 * 3600), std::to_string(kNewYear2024)},
                  {"2", std::to_string(kNewYear2024 + 23 * 3600),
                   std::to_string(kNewYear2024 + 7 * 3600 + 1800)}}));
  EXPECT_EQ(sink->Rows("SELECT strftime(ts, '%Y-%m-%d %H:%M:%S'), days[2]::VARCHAR, "
                       "hits[1].t::VARCHAR, d::VARCHAR FROM bronze ORDER BY id"),
            (Rows{{"2024-01-01 10:00:00", "2024-02-29", "2024-01-01 12:30:00.25", "2024-01-05"},
                  {"2024-01-02 11:00:00", "NULL", "NULL", "NULL"}}));
  EXPECT_TRUE(sink->quarantined.empty());
}

TEST_F(FilesJsonTypesTest, JsonDocumentWithMixedTimestampStylesLoads) {
  // read_json's detection settles on one timestamp format per file: this
  // document landed `placed` and `zone` as VARCHAR beside a TIMESTAMP `paid`
  // (other mixes failed to read at all).
  project_.Write(
      "j/orders.json",
      R"([{"id":1,"placed":"2024-01-01T10:00:00","paid":"2024-01-01 10:05:00.5","zone":"2024-01-01T10:00:00Z","on":"2024-03-01","meta":{"at":"2024-01-01T10:00:00+01:00"}},)"
      R"({"id":2,"placed":"2024-01-02T09:00:00","paid":null,"zone":"2024-01-02T10:00:00+00:00","on":"2024-03-02","meta":{"at":null}}])");
  auto sink = RunOnce("path: j/*.json", nullptr);
  EXPECT_TRUE(sink->quarantined.empty())
      << (sink->quarantined.empty() ? "" : sink->quarantined[0].reason);
  EXPECT_EQ(TypeOf(*sink, "placed"), "TIMESTAMP");
  EXPECT_EQ(TypeOf(*sink, "paid"), "TIMESTAMP");
  EXPECT_EQ(TypeOf(*sink, "zone"), "TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(TypeOf(*sink, "on"), "DATE");
  EXPECT_EQ(TypeOf(*sink, "meta"), "STRUCT(\"at\" TIMESTAMP WITH TIME ZONE)");
  EXPECT_EQ(sink->Rows("SELECT id, epoch(zone)::BIGINT, epoch(meta.at)::BIGINT, _strata_row "
                       "FROM bronze ORDER BY id"),
            (Rows{{"1", std::to_string(kNewYear2024 + 10 * 3600),
                   std::to_string(kNewYear2024 + 9 * 3600), "1"},
                  {"2", std::to_string(kNewYear2024 + 86400 + 10 * 3600), "NULL", "2"}}));
}

TEST_F(FilesJsonTypesTest, RecordPathRecordsAreTypedAndNumbered) {
  project_.Write(
      "j/wrapped.json",
      R"({"meta":{"n":2},"data":{"items":[{"sku":"A","at":"2024-05-01T08:00:00Z"},{"sku":"B","at":"2024-05-02T08:00:00Z"}]}})");
  auto sink = RunOnce("path: j/wrapped.json\nrecord_path: data.items", nullptr);
  EXPECT_EQ(TypeOf(*sink, "at"), "TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(sink->Rows("SELECT sku, _strata_row FROM bronze ORDER BY sku"),
            (Rows{{"A", "1"}, {"B", "2"}}));
}

TEST_F(FilesJsonTypesTest, TypeHoldsAcrossFilesAndBadValuesAreQuarantined) {
  project_.Write("ev/1.ndjson", R"({"id":1,"ts":"2024-01-01T10:00:00","d":"2024-01-01"})"
                                "\n");
  // File 2 alone would read ts and d as strings (not every value parses).
  project_.Write("ev/2.ndjson", R"({"id":2,"ts":"2024-01-02T10:00:00","d":"2024-01-02"})"
                                "\n"
                                R"({"id":3,"ts":"yesterday","d":"2024-01-03"})"
                                "\n"
                                R"({"id":4,"ts":"2024-01-04T10:00:00+02:00","d":null})"
                                "\n"
                                R"({"id":6,"ts":"2024-01-06T10:00:00","d":"2024-02-30"})"
                                "\n");
  // File 3 has no value for ts at all.
  project_.Write("ev/3.ndjson", R"({"id":5,"ts":null,"d":"2024-01-05"})"
                                "\n");
  auto sink = RunOnce("path: ev/*.ndjson", nullptr);
  ASSERT_EQ(sink->batch_types.size(), 3u);
  EXPECT_EQ(sink->batch_types[0], sink->batch_types[1]);
  EXPECT_EQ(sink->batch_types[0], sink->batch_types[2]);
  EXPECT_EQ(TypeOf(*sink, "ts"), "TIMESTAMP");
  EXPECT_EQ(TypeOf(*sink, "d"), "DATE");
  EXPECT_EQ(sink->Rows("SELECT id FROM bronze ORDER BY id"), (Rows{{"1"}, {"2"}, {"5"}}));
  ASSERT_EQ(sink->quarantined.size(), 3u);
  const BadRecord& yesterday = sink->quarantined[0];
  EXPECT_EQ(yesterday.file, "ev/2.ndjson");
  EXPECT_EQ(yesterday.stream, "s");
  EXPECT_EQ(yesterday.line, 2);
  EXPECT_EQ(yesterday.raw, R"({"id":3,"ts":"yesterday","d":"2024-01-03"})");
  EXPECT_NE(yesterday.reason.find("'ts'"), std::string::npos) << yesterday.reason;
  EXPECT_NE(yesterday.reason.find("yesterday"), std::string::npos) << yesterday.reason;
  EXPECT_NE(yesterday.reason.find("TIMESTAMP"), std::string::npos) << yesterday.reason;
  // An offset in a TIMESTAMP (no time zone) field would be dropped silently.
  const BadRecord& offset = sink->quarantined[1];
  EXPECT_EQ(offset.line, 3);
  EXPECT_NE(offset.reason.find("2024-01-04T10:00:00+02:00"), std::string::npos) << offset.reason;
  // The pattern fits, the calendar does not.
  const BadRecord& impossible = sink->quarantined[2];
  EXPECT_EQ(impossible.line, 4);
  EXPECT_NE(impossible.reason.find("'d' is DATE"), std::string::npos) << impossible.reason;
  EXPECT_NE(impossible.reason.find("2024-02-30"), std::string::npos) << impossible.reason;
}

TEST_F(FilesJsonTypesTest, TypeHoldsAcrossRuns) {
  project_.Write("ev/1.ndjson",
                 R"({"id":1,"at":"2024-01-01T10:00:00Z"})"
                 "\n",
                 1700000000);
  auto first = RunOnce("path: ev/*.ndjson", nullptr);
  EXPECT_EQ(TypeOf(*first, "at"), "TIMESTAMP WITH TIME ZONE");
  project_.Write("ev/2.ndjson",
                 R"({"id":2,"at":"not yet"})"
                 "\n"
                 R"({"id":3,"at":"2024-01-03T10:00:00Z"})"
                 "\n",
                 1700000100);
  auto second = RunOnce("path: ev/*.ndjson", first->LastState());
  ASSERT_EQ(second->batch_types.size(), 1u);
  EXPECT_EQ(second->batch_types[0], first->batch_types[0]);
  EXPECT_EQ(second->Rows("SELECT id, _strata_row FROM bronze"), (Rows{{"3", "2"}}));
  ASSERT_EQ(second->quarantined.size(), 1u);
  EXPECT_EQ(second->quarantined[0].line, 1);
  EXPECT_EQ(second->quarantined[0].file, "ev/2.ndjson");
}

TEST_F(FilesJsonTypesTest, StringsThatAreNotAllTimestampsStayStrings) {
  project_.Write("ev/1.ndjson", R"({"id":1,"when":"2024-01-01","code":"2024"})"
                                "\n"
                                R"({"id":2,"when":"soon","code":"12:00"})"
                                "\n");
  // Every value of `when` here is a date, but the stream has it as a string.
  project_.Write("ev/2.ndjson", R"({"id":3,"when":"2024-01-03","code":"x"})"
                                "\n");
  auto sink = RunOnce("path: ev/*.ndjson", nullptr);
  EXPECT_TRUE(sink->quarantined.empty());
  ASSERT_EQ(sink->batch_types.size(), 2u);
  EXPECT_EQ(sink->batch_types[0], sink->batch_types[1]);
  EXPECT_EQ(TypeOf(*sink, "when"), "VARCHAR");
  EXPECT_EQ(TypeOf(*sink, "code"), "VARCHAR");
  EXPECT_EQ(sink->Rows("SELECT \"when\" FROM bronze ORDER BY id"),
            (Rows{{"2024-01-01"}, {"soon"}, {"2024-01-03"}}));
}

TEST_F(FilesJsonTypesTest, StreamLoadedBeforeTypingKeepsItsStrings) {
  // A state written before typed JSON existed: its bronze table has the
  // strings as VARCHAR, so they stay VARCHAR instead of failing the commit.
  project_.Write("ev/2.ndjson", R"({"id":2,"at":"2024-01-03T10:00:00Z"})"
                                "\n");
  const nlohmann::json legacy = {
      {"files", {{"ev/1.ndjson", {{"size", 40}, {"mtime", 1}, {"sha256", std::string(64, 'a')}}}}}};
  auto sink = RunOnce("path: ev/*.ndjson", legacy);
  EXPECT_EQ(TypeOf(*sink, "at"), "VARCHAR");
  // From now on the stream remembers the field as a string.
  project_.Write("ev/3.ndjson", R"({"id":3,"at":"2024-01-04T10:00:00Z"})"
                                "\n");
  auto third = RunOnce("path: ev/*.ndjson", sink->LastState());
  EXPECT_EQ(TypeOf(*third, "at"), "VARCHAR");
}

TEST_F(FilesJsonTypesTest, FullRefreshDetectsAfresh) {
  project_.Write("ev/1.ndjson", R"({"id":1,"at":"2024-01-01"})"
                                "\n");
  auto first = RunOnce("path: ev/*.ndjson", nullptr, nullptr, SyncMode::kFullRefresh);
  EXPECT_EQ(TypeOf(*first, "at"), "DATE");
  project_.Write("ev/1.ndjson", R"({"id":1,"at":"2024-01-01 10:00:00"})"
                                "\n");
  auto second = RunOnce("path: ev/*.ndjson", first->LastState(), nullptr, SyncMode::kFullRefresh);
  EXPECT_EQ(TypeOf(*second, "at"), "TIMESTAMP");
  EXPECT_TRUE(second->quarantined.empty());
}

TEST_F(FilesJsonTypesTest, DamagedStateSaysHowToRecover) {
  project_.Write("ev/1.ndjson", R"({"id":1})"
                                "\n");
  for (const nlohmann::json& damaged :
       {nlohmann::json{{"files", 3}}, nlohmann::json{{"files", nlohmann::json::object()},
                                                     {"json_types", nlohmann::json::array()}}}) {
    Status status;
    auto sink = RunOnce("path: ev/*.ndjson", damaged, &status);
    EXPECT_EQ(status.code(), StatusCode::kCorruption) << status.ToString();
    EXPECT_NE(status.message().find("source 'src', stream 's'"), std::string::npos)
        << status.message();
    EXPECT_NE(status.message().find("`strata ingest src.s --full-refresh`"), std::string::npos)
        << status.message();
    EXPECT_TRUE(sink->batches.empty());
  }
}

}  // namespace
}  // namespace strata::ingest
