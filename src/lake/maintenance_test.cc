// OPTIMIZE, RESTORE, history and detail on real tables in temp directories.
// Expected rows come from DuckDB over the source data, file orders from an
// independent Morton-code computation, sizes from the file system.
#include "lake/maintenance.h"

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "lake/deletion_vector.h"
#include "lake/write_support.h"
#include "lake/writer_testing.h"

namespace strata::lake {
namespace {

using nlohmann::json;
using testing::IdNameSchema;
using testing::Rows;

class MaintenanceTest : public testing::WriterTest {
 protected:
  void SetUp() override {
    WriterTest::SetUp();
    Exec(
        "CREATE TABLE src AS SELECT CAST(i AS BIGINT) AS id, 'n' || i AS name, "
        "['a','b','c'][i % 3 + 1] AS p FROM range(0, 300) t(i)");
  }

  std::unique_ptr<TableWriter> Create(std::vector<std::string> partition_columns = {"p"},
                                      StringMap properties = {}) {
    CreateTableOptions options;
    options.partition_columns = std::move(partition_columns);
    options.properties = std::move(properties);
    auto w = TableWriter::Create(root_, *IdNameSchema({Field("p", PrimitiveType("string"))}),
                                 options, fs(), *conn_);
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    return w.ok() ? std::move(w).value() : nullptr;
  }

  // Five appends of 60 rows each: 15 small files, 5 per partition.
  void AppendInFiveBatches(TableWriter& w) {
    for (int b = 0; b < 5; ++b) {
      auto r = w.Append("SELECT * FROM src WHERE id >= " + std::to_string(b * 60) + " AND id < " +
                        std::to_string((b + 1) * 60));
      ASSERT_TRUE(r.ok()) << r.status().ToString();
    }
  }

  size_t LiveFiles(std::optional<int64_t> version = std::nullopt) {
    auto table = Table::Open(root_, fs(), conn_.get());
    EXPECT_TRUE(table.ok());
    auto snapshot = version ? (*table)->AtVersion(*version) : (*table)->Latest();
    EXPECT_TRUE(snapshot.ok()) << snapshot.status().ToString();
    return snapshot.ok() ? (*snapshot)->files().size() : 0;
  }

  std::vector<json> CommitLines(int64_t version) {
    auto text = fs().ReadFile(CommitPath(root_, version));
    EXPECT_TRUE(text.ok()) << text.status().ToString();
    std::vector<json> lines;
    if (!text.ok()) return lines;
    std::istringstream in(*text);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) lines.push_back(json::parse(line));
    }
    return lines;
  }

  // The cells of `sql` in the order DuckDB returns them, rows joined by '|'.
  std::vector<std::string> OrderedQuery(const std::string& sql) {
    auto rows = QueryStrings(*conn_, "SELECT CAST(COLUMNS(*) AS VARCHAR) FROM (" + sql + ")");
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    std::vector<std::string> out;
    if (!rows.ok()) return out;
    for (const auto& row : *rows) {
      std::string line;
      for (size_t i = 0; i < row.size(); ++i) line += (i ? "|" : "") + row[i].value_or("NULL");
      out.push_back(line);
    }
    return out;
  }

  // Sets the modification time of commit `version` to `millis` (time travel
  // by timestamp uses commit file times).
  void SetCommitTime(int64_t version, int64_t millis) {
    namespace fsys = std::filesystem;
    auto since_epoch = std::chrono::milliseconds(millis);
    auto file_time = fsys::file_time_type::clock::now() +
                     std::chrono::duration_cast<fsys::file_time_type::duration>(
                         since_epoch - std::chrono::duration_cast<std::chrono::milliseconds>(
                                           std::chrono::system_clock::now().time_since_epoch()));
    fsys::last_write_time(CommitPath(root_, version), file_time);
  }
};

TEST_F(MaintenanceTest, OptimizeCompactsSmallFilesPerPartitionWithIdenticalRows) {
  auto w = Create();
  ASSERT_NE(w, nullptr);
  AppendInFiveBatches(*w);
  LAKE_ASSERT_OK(w->Append("SELECT * FROM src WHERE id < 30"));  // duplicates: a multiset
  ASSERT_EQ(LatestVersion(root_), 6);
  ASSERT_EQ(LiveFiles(), 18u);
  Rows expected = Query("SELECT * FROM src UNION ALL SELECT * FROM src WHERE id < 30");

  LAKE_ASSERT_OK_AND_ASSIGN(OptimizeResult r, Optimize(root_, fs(), *conn_));
  EXPECT_TRUE(r.committed);
  EXPECT_EQ(r.version, 7);
  EXPECT_EQ(r.files_removed, 18);
  EXPECT_EQ(r.files_added, 3);
  EXPECT_EQ(r.partitions_optimized, 3);
  EXPECT_EQ(r.total_considered_files, 18);
  EXPECT_EQ(LiveFiles(), 3u);
  EXPECT_EQ(ReadTable(root_, "id, name, p"), expected);
  EXPECT_EQ(ReadIndependently(root_, "id, name", {"p"}), expected);
  // Time travel to before the compaction still reads the old files.
  EXPECT_EQ(ReadTable(root_, "id, name, p", 6), expected);
  EXPECT_EQ(LiveFiles(6), 18u);
  EXPECT_EQ(ReadTable(root_, "id, name, p", 3), Query("SELECT * FROM src WHERE id < 180"));

  // A rearrangement: every add and remove says dataChange=false.
  auto lines = CommitLines(7);
  ASSERT_FALSE(lines.empty());
  const json& info = lines[0].at("commitInfo");
  EXPECT_EQ(info.at("operation"), "OPTIMIZE");
  EXPECT_EQ(info.at("operationMetrics").at("numFilesAdded"), "3");
  EXPECT_EQ(info.at("operationMetrics").at("numFilesRemoved"), "18");
  int adds = 0, removes = 0;
  int64_t removed_bytes = 0;
  for (const json& line : lines) {
    if (line.contains("add")) {
      ++adds;
      EXPECT_FALSE(line["add"].at("dataChange").get<bool>());
    }
    if (line.contains("remove")) {
      ++removes;
      EXPECT_FALSE(line["remove"].at("dataChange").get<bool>());
      removed_bytes += line["remove"].at("size").get<int64_t>();
    }
  }
  EXPECT_EQ(adds, 3);
  EXPECT_EQ(removes, 18);
  EXPECT_EQ(info.at("operationMetrics").at("numRemovedBytes"), std::to_string(removed_bytes));

  // Nothing left to compact: no new version.
  LAKE_ASSERT_OK_AND_ASSIGN(OptimizeResult again, Optimize(root_, fs(), *conn_));
  EXPECT_FALSE(again.committed);
  EXPECT_EQ(LatestVersion(root_), 7);
}

TEST_F(MaintenanceTest, OptimizeHonoursPartitionFilterAndSizes) {
  auto w = Create();
  ASSERT_NE(w, nullptr);
  AppendInFiveBatches(*w);
  OptimizeOptions only_a;
  only_a.partition_filter = "p = 'a'";
  LAKE_ASSERT_OK_AND_ASSIGN(OptimizeResult r, Optimize(root_, fs(), *conn_, only_a));
  EXPECT_EQ(r.files_removed, 5);
  EXPECT_EQ(r.files_added, 1);
  EXPECT_EQ(LiveFiles(), 11u);
  EXPECT_EQ(ReadTable(root_, "id, name, p"), Query("SELECT * FROM src"));

  // Files no smaller than min_file_size are not candidates; a one-byte target
  // makes every group a single file, which is left alone.
  OptimizeOptions none;
  none.min_file_size = 1;
  LAKE_ASSERT_OK_AND_ASSIGN(OptimizeResult r2, Optimize(root_, fs(), *conn_, none));
  EXPECT_FALSE(r2.committed);
  OptimizeOptions tiny;
  tiny.target_file_size = 1;
  LAKE_ASSERT_OK_AND_ASSIGN(OptimizeResult r3, Optimize(root_, fs(), *conn_, tiny));
  EXPECT_FALSE(r3.committed);
  EXPECT_EQ(LatestVersion(root_), 6);

  OptimizeOptions bad;
  bad.partition_filter = "id > 3";
  auto refused = Optimize(root_, fs(), *conn_, bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("partition columns only"), std::string::npos);
}

TEST_F(MaintenanceTest, OptimizeUsesTheTargetFileSizeProperty) {
  auto w = Create({}, {{"delta.targetFileSize", "1"}});
  ASSERT_NE(w, nullptr);
  AppendInFiveBatches(*w);
  LAKE_ASSERT_OK_AND_ASSIGN(OptimizeResult r, Optimize(root_, fs(), *conn_));
  EXPECT_FALSE(r.committed);  // every file is above a one-byte target
  LAKE_ASSERT_OK(w->SetProperties({{"delta.targetFileSize", "1gb"}}));
  LAKE_ASSERT_OK_AND_ASSIGN(OptimizeResult r2, Optimize(root_, fs(), *conn_));
  EXPECT_EQ(r2.files_removed, 5);
  EXPECT_EQ(r2.files_added, 1);
}

// The Morton code of (x, y) for 3-bit values, x taking the higher bit of
// each pair: computed here independently of the SQL the optimizer uses.
uint32_t Morton(uint32_t x, uint32_t y) {
  uint32_t z = 0;
  for (int b = 2; b >= 0; --b) z = (z << 2) | (((x >> b) & 1) << 1) | ((y >> b) & 1);
  return z;
}

TEST_F(MaintenanceTest, ZOrderWritesRowsAlongTheMortonCurve) {
  auto w = TableWriter::Create(
      root_,
      *StructType({Field("x", PrimitiveType("long")), Field("y", PrimitiveType("long")),
                   Field("v", PrimitiveType("string"))}),
      {}, fs(), *conn_);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  // An 8x8 grid (values 10x apart, so ranks and values differ) in 4 files.
  Exec(
      "CREATE TABLE grid AS SELECT x * 10 AS x, y * 10 AS y, 'v' || x || y AS v, "
      "(x * 3 + y * 5) % 4 AS b FROM range(8) a(x), range(8) c(y)");
  for (int b = 0; b < 4; ++b) {
    LAKE_ASSERT_OK((*w)->Append("SELECT x, y, v FROM grid WHERE b = " + std::to_string(b)));
  }
  OptimizeOptions options;
  options.zorder_by = {"X", "y"};  // names match case-insensitively, as in Delta
  LAKE_ASSERT_OK_AND_ASSIGN(OptimizeResult r, Optimize(root_, fs(), *conn_, options));
  EXPECT_EQ(r.files_added, 1);
  EXPECT_EQ(r.files_removed, 4);

  std::vector<std::pair<uint32_t, std::string>> cells;
  for (uint32_t x = 0; x < 8; ++x) {
    for (uint32_t y = 0; y < 8; ++y) {
      cells.emplace_back(Morton(x, y), std::to_string(x * 10) + "|" + std::to_string(y * 10));
    }
  }
  std::sort(cells.begin(), cells.end());
  std::vector<std::string> expected;
  for (const auto& c : cells) expected.push_back(c.second);

  auto table = Table::Open(root_, fs(), conn_.get());
  ASSERT_TRUE(table.ok());
  auto snapshot = (*table)->Latest();
  ASSERT_TRUE(snapshot.ok());
  ASSERT_EQ((*snapshot)->files().size(), 1u);
  EXPECT_EQ(OrderedQuery("SELECT x, y FROM read_parquet(" +
                         engine::QuoteLiteral((*snapshot)->files()[0].path) +
                         ", file_row_number = true) ORDER BY file_row_number"),
            expected);
  EXPECT_EQ(CommitLines(r.version)[0]["commitInfo"]["operationParameters"]["zOrderBy"],
            "[\"X\",\"y\"]");
}

TEST_F(MaintenanceTest, SortByAndOneColumnZOrderSortAndSplitByTargetSize) {
  auto w = Create({});
  ASSERT_NE(w, nullptr);
  AppendInFiveBatches(*w);
  OptimizeOptions options;
  options.zorder_by = {"name"};
  LAKE_ASSERT_OK_AND_ASSIGN(OptimizeResult r, Optimize(root_, fs(), *conn_, options));
  ASSERT_EQ(r.files_added, 1);
  auto file_rows = [&]() {
    auto table = Table::Open(root_, fs(), conn_.get());
    auto snapshot = (*table)->Latest();
    std::vector<std::vector<std::string>> out;
    for (const LogicalFile& f : (*snapshot)->files()) {
      out.push_back(OrderedQuery("SELECT name FROM read_parquet(" + engine::QuoteLiteral(f.path) +
                                 ", file_row_number = true) ORDER BY file_row_number"));
    }
    return out;
  };
  auto one = file_rows();
  ASSERT_EQ(one.size(), 1u);
  EXPECT_TRUE(std::is_sorted(one[0].begin(), one[0].end()));
  EXPECT_EQ(one[0].size(), 300u);

  // sort_by with a target of about a third of the data: several files, each
  // sorted, covering disjoint ranges in order.
  int64_t total = 0;
  {
    auto table = Table::Open(root_, fs(), conn_.get());
    // The snapshot must outlive the loop (a temporary in the range expression would not).
    auto snapshot = (*table)->Latest();
    for (const LogicalFile& f : (*snapshot)->files()) total += f.add.size;
  }
  OptimizeOptions sorted;
  sorted.sort_by = {"id"};
  sorted.target_file_size = total / 3 + 1;
  LAKE_ASSERT_OK_AND_ASSIGN(OptimizeResult r2, Optimize(root_, fs(), *conn_, sorted));
  EXPECT_EQ(r2.files_added, 3);
  auto table = Table::Open(root_, fs(), conn_.get());
  auto snapshot = (*table)->Latest();
  std::vector<int64_t> ids;
  for (const LogicalFile& f : (*snapshot)->files()) {
    auto part = OrderedQuery("SELECT id FROM read_parquet(" + engine::QuoteLiteral(f.path) +
                             ", file_row_number = true) ORDER BY file_row_number");
    std::vector<int64_t> local;
    for (const std::string& s : part) local.push_back(std::stoll(s));
    EXPECT_TRUE(std::is_sorted(local.begin(), local.end()));
    ids.insert(ids.end(), local.begin(), local.end());
  }
  std::sort(ids.begin(), ids.end());
  ASSERT_EQ(ids.size(), 300u);
  for (int64_t i = 0; i < 300; ++i) EXPECT_EQ(ids[static_cast<size_t>(i)], i);
  EXPECT_EQ(ReadTable(root_, "id, name, p"), Query("SELECT * FROM src"));
}

TEST_F(MaintenanceTest, OrderColumnsAreChecked) {
  auto w = Create();
  ASSERT_NE(w, nullptr);
  AppendInFiveBatches(*w);
  OptimizeOptions partition;
  partition.zorder_by = {"p", "id"};
  auto r = Optimize(root_, fs(), *conn_, partition);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("partition column"), std::string::npos);
  OptimizeOptions unknown;
  unknown.sort_by = {"nope"};
  r = Optimize(root_, fs(), *conn_, unknown);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("'nope'"), std::string::npos);
  OptimizeOptions both;
  both.sort_by = {"id"};
  both.zorder_by = {"id"};
  EXPECT_FALSE(Optimize(root_, fs(), *conn_, both).ok());
  EXPECT_EQ(LatestVersion(root_), 5);
}

TEST_F(MaintenanceTest, ConcurrentAppendDoesNotConflictButConcurrentDeleteDoes) {
  auto w = Create();
  ASSERT_NE(w, nullptr);
  AppendInFiveBatches(*w);
  auto conn2 = engine::Connection::Open(*db_);
  ASSERT_TRUE(conn2.ok());
  auto other = TableWriter::Open(root_, fs(), **conn2);
  ASSERT_TRUE(other.ok());

  OptimizeOptions options;
  options.before_commit = [&]() {
    auto appended = (*other)->Append("SELECT id + 1000 AS id, name, p FROM src WHERE id < 10");
    EXPECT_TRUE(appended.ok()) << appended.status().ToString();
  };
  LAKE_ASSERT_OK_AND_ASSIGN(OptimizeResult r, Optimize(root_, fs(), *conn_, options));
  EXPECT_TRUE(r.committed);
  EXPECT_EQ(r.version, 7);  // the append took 6
  EXPECT_EQ(r.attempts, 2);
  EXPECT_EQ(ReadTable(root_, "id, name, p"),
            Query("SELECT * FROM src UNION ALL SELECT id + 1000, name, p FROM src WHERE id < 10"));
  EXPECT_EQ(LiveFiles(), 6u);  // 3 compacted + 3 appended meanwhile

  // A delete that removes files the optimize rewrites wins; the optimize fails.
  AppendInFiveBatches(*w);
  OptimizeOptions racing;
  racing.before_commit = [&]() {
    auto deleted = (*other)->Delete("id = 5");
    EXPECT_TRUE(deleted.ok()) << deleted.status().ToString();
  };
  auto lost = Optimize(root_, fs(), *conn_, racing);
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.status().code(), StatusCode::kConflict) << lost.status().ToString();
  EXPECT_EQ(ReadTable(root_, "count(*)"), Rows{"608"});  // 310 + 300 - both rows with id 5
}

TEST_F(MaintenanceTest, OptimizeDropsRowsDeletedByDeletionVectors) {
  auto w = Create({});
  ASSERT_NE(w, nullptr);
  LAKE_ASSERT_OK(w->Append("SELECT * FROM src WHERE id < 10"));
  LAKE_ASSERT_OK(w->Append("SELECT * FROM src WHERE id >= 10 AND id < 20"));
  // Another engine's DELETE: an inline deletion vector on the first file
  // hides its rows 0, 2 and 5 (PROTOCOL.md "Deletion Vectors").
  std::string bitmap = SerializeRoaringBitmapArray({0, 2, 5});
  std::string padded = bitmap + std::string((4 - bitmap.size() % 4) % 4, '\0');
  DeletionVectorDescriptor dv{
      "i", Z85Encode(padded), std::nullopt, static_cast<int32_t>(bitmap.size()), 3, std::nullopt};
  {
    auto txn = Transaction::Begin(root_, fs(), *conn_);
    ASSERT_TRUE(txn.ok()) << txn.status().ToString();
    const LogicalFile* first = nullptr;
    for (const LogicalFile& f : (*txn)->snapshot()->files()) {
      if (RecordsIn(f.add) == 10 && first == nullptr &&
          Query("SELECT min(id) FROM read_parquet(" + engine::QuoteLiteral(f.path) + ")") ==
              Rows{"0"}) {
        first = &f;
      }
    }
    ASSERT_NE(first, nullptr);
    (*txn)->SetProtocol(Protocol{3, 7, std::vector<std::string>{"deletionVectors"},
                                 std::vector<std::string>{"deletionVectors"}});
    AddFile with_dv = first->add;
    with_dv.deletion_vector = dv;
    (*txn)->RemoveLive(*first);
    (*txn)->Add(with_dv);
    (*txn)->SetOperation("DELETE");
    LAKE_ASSERT_OK((*txn)->Commit());
  }
  // File row order is insertion order here; the rows at 0, 2, 5 are read back.
  Rows expected = ReadTable(root_, "id, name, p");
  ASSERT_EQ(expected.size(), 17u);

  LAKE_ASSERT_OK_AND_ASSIGN(OptimizeResult r, Optimize(root_, fs(), *conn_));
  EXPECT_EQ(r.files_removed, 2);
  EXPECT_EQ(r.files_added, 1);
  EXPECT_EQ(r.deletion_vectors_removed, 1);
  EXPECT_EQ(ReadTable(root_, "id, name, p"), expected);
  auto table = Table::Open(root_, fs(), conn_.get());
  auto snapshot = (*table)->Latest();
  ASSERT_TRUE(snapshot.ok());
  ASSERT_EQ((*snapshot)->files().size(), 1u);
  EXPECT_FALSE((*snapshot)->files()[0].add.deletion_vector.has_value());
  EXPECT_EQ(RecordsIn((*snapshot)->files()[0].add), 17);
  // Restoring the version with the DV brings the descriptor back with the file.
  LAKE_ASSERT_OK_AND_ASSIGN(RestoreResult restored, RestoreToVersion(root_, fs(), *conn_, 3));
  EXPECT_EQ(ReadTable(root_, "id, name, p"), expected);
  EXPECT_EQ(restored.files_restored, 2);
}

TEST_F(MaintenanceTest, RestoreToVersionAndTimestamp) {
  auto w = Create();
  ASSERT_NE(w, nullptr);
  LAKE_ASSERT_OK(w->Append("SELECT * FROM src WHERE id < 100"));              // v1
  LAKE_ASSERT_OK(w->Append("SELECT * FROM src WHERE id >= 100"));             // v2
  LAKE_ASSERT_OK(w->Delete("id % 2 = 0"));                                    // v3
  LAKE_ASSERT_OK(w->AddColumns({Field("extra", PrimitiveType("integer"))}));  // v4
  LAKE_ASSERT_OK(w->Append("SELECT *, 7 AS extra FROM src WHERE id < 5"));    // v5

  LAKE_ASSERT_OK_AND_ASSIGN(RestoreResult r, RestoreToVersion(root_, fs(), *conn_, 1));
  EXPECT_EQ(r.version, 6);
  EXPECT_EQ(r.restored_version, 1);
  EXPECT_TRUE(r.metadata_restored);  // the schema loses "extra" again
  EXPECT_FALSE(r.protocol_changed);
  EXPECT_EQ(ReadTable(root_, "*"), Query("SELECT * FROM src WHERE id < 100"));
  EXPECT_EQ(ReadIndependently(root_, "id, name", {"p"}), Query("SELECT * FROM src WHERE id < 100"));
  EXPECT_EQ(r.num_files_after, 3);
  EXPECT_EQ(static_cast<size_t>(r.num_files_after), LiveFiles());
  auto info = CommitLines(6)[0]["commitInfo"];
  EXPECT_EQ(info["operation"], "RESTORE");
  EXPECT_EQ(info["operationParameters"]["version"], "1");
  EXPECT_EQ(info["operationMetrics"]["numRestoredFiles"], std::to_string(r.files_restored));
  EXPECT_EQ(info["operationMetrics"]["numRemovedFiles"], std::to_string(r.files_removed));
  // Versions in between are still there to travel to.
  EXPECT_EQ(ReadTable(root_, "id, name, p", 3), Query("SELECT * FROM src WHERE id % 2 = 1"));

  // By timestamp: commit times one hour apart; a time inside version 3's hour.
  const int64_t base = 1'700'000'000'000;
  for (int64_t v = 0; v <= 6; ++v) SetCommitTime(v, base + v * 3'600'000);
  LAKE_ASSERT_OK_AND_ASSIGN(RestoreResult t,
                            RestoreToTimestamp(root_, fs(), *conn_, base + 3 * 3'600'000 + 60'000));
  EXPECT_EQ(t.restored_version, 3);
  EXPECT_EQ(t.version, 7);
  EXPECT_EQ(ReadTable(root_, "id, name, p"), Query("SELECT * FROM src WHERE id % 2 = 1"));
  EXPECT_EQ(CommitLines(7)[0]["commitInfo"]["operationParameters"]["timestamp"],
            std::to_string(base + 3 * 3'600'000 + 60'000));

  auto future = RestoreToVersion(root_, fs(), *conn_, 42);
  ASSERT_FALSE(future.ok());
  EXPECT_EQ(future.status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(RestoreToTimestamp(root_, fs(), *conn_, base - 1).ok());
  EXPECT_EQ(LatestVersion(root_), 7);
}

TEST_F(MaintenanceTest, RestoreRefusesWhenANeededFileIsGone) {
  auto w = Create();
  ASSERT_NE(w, nullptr);
  LAKE_ASSERT_OK(w->Append("SELECT * FROM src"));
  LAKE_ASSERT_OK(w->Overwrite("SELECT * FROM src WHERE id < 3"));
  auto table = Table::Open(root_, fs(), conn_.get());
  auto v1 = (*table)->AtVersion(1);
  ASSERT_TRUE(v1.ok());
  std::filesystem::remove((*v1)->files()[0].path);  // as VACUUM would
  auto r = RestoreToVersion(root_, fs(), *conn_, 1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("VACUUM"), std::string::npos);
  EXPECT_NE(r.status().message().find((*v1)->files()[0].path), std::string::npos);
  EXPECT_EQ(LatestVersion(root_), 2);
}

TEST_F(MaintenanceTest, HistoryListsVersionsNewestFirst) {
  auto w = Create();
  ASSERT_NE(w, nullptr);
  AppendInFiveBatches(*w);
  LAKE_ASSERT_OK(w->Delete("id < 10"));
  LAKE_ASSERT_OK(Optimize(root_, fs(), *conn_));
  LAKE_ASSERT_OK_AND_ASSIGN(auto all, History(root_, fs(), conn_.get()));
  ASSERT_EQ(all.size(), 8u);
  std::vector<std::string> ops;
  for (const HistoryEntry& e : all) ops.push_back(e.operation);
  EXPECT_EQ(ops, (std::vector<std::string>{"OPTIMIZE", "DELETE", "WRITE", "WRITE", "WRITE", "WRITE",
                                           "WRITE", "CREATE TABLE"}));
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].version, static_cast<int64_t>(7 - i));
    EXPECT_EQ(all[i].engine_info, std::string(kEngineInfo));
    if (i + 1 < all.size()) {
      EXPECT_GE(all[i].timestamp_millis, all[i + 1].timestamp_millis);
    }
  }
  EXPECT_EQ(all[0].operation_metrics.at("numFilesAdded"), "3");
  EXPECT_EQ(all[0].operation_parameters.at("predicate"), "[]");
  EXPECT_EQ(all[0].read_version, 6);
  EXPECT_EQ(all[2].operation_parameters.at("mode"), "Append");
  EXPECT_EQ(all[2].is_blind_append, true);
  LAKE_ASSERT_OK_AND_ASSIGN(auto two, History(root_, fs(), conn_.get(), 2));
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[1].operation, "DELETE");
}

TEST_F(MaintenanceTest, DetailReportsFilesSizesAndMetadata) {
  auto w = Create({"p"}, {{"strata.layer", "bronze"}});
  ASSERT_NE(w, nullptr);
  AppendInFiveBatches(*w);
  LAKE_ASSERT_OK(w->Delete("id >= 290"));
  LAKE_ASSERT_OK_AND_ASSIGN(TableDetail d, Detail(root_, fs(), conn_.get()));
  EXPECT_EQ(d.version, 6);
  EXPECT_EQ(d.location, root_);
  EXPECT_EQ(d.partition_columns, std::vector<std::string>{"p"});
  EXPECT_EQ(d.num_partitions, 3);
  EXPECT_EQ(d.properties.at("strata.layer"), "bronze");
  EXPECT_EQ(d.protocol.min_reader_version, 1);
  EXPECT_EQ(d.protocol.min_writer_version, 2);
  ASSERT_NE(d.schema, nullptr);
  EXPECT_EQ(d.schema->fields.size(), 3u);
  ASSERT_TRUE(d.num_records.has_value());
  EXPECT_EQ(*d.num_records, 290);
  ASSERT_TRUE(d.created_time_millis.has_value());
  EXPECT_GT(d.last_modified_millis, 0);
  // Independently: the data files the log keeps live, sized on disk.
  auto live = QueryStrings(*conn_, "SELECT path FROM (" + LiveFilesSql(root_) + ")");
  ASSERT_TRUE(live.ok());
  int64_t bytes = 0;
  for (const auto& row : *live) bytes += static_cast<int64_t>(std::filesystem::file_size(*row[0]));
  EXPECT_EQ(d.num_files, static_cast<int64_t>(live->size()));
  EXPECT_EQ(d.size_in_bytes, bytes);
}

TEST_F(MaintenanceTest, MissingTableIsNotFound) {
  EXPECT_EQ(History(dir_ + "/nope", fs(), conn_.get()).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Detail(dir_ + "/nope", fs(), conn_.get()).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Optimize(dir_ + "/nope", fs(), *conn_).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace strata::lake
