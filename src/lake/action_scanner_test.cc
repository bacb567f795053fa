// The add/remove fast path against the DOM parser: on every line of the
// corpus logs, on hand-written edge cases, and on random mutations of real
// lines, an answer from the scanner must equal the DOM's.
#include "lake/action_scanner.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace strata::lake {
namespace {

namespace fs = std::filesystem;

std::string CorpusDir() { return std::string(STRATA_SOURCE_DIR) + "/../shared/testdata/delta"; }

// Checks the scanner against the DOM on `line`; returns whether it answered.
bool Agrees(std::string_view line) {
  std::optional<Action> fast = ScanFileActionLine(line);
  if (!fast) return false;
  auto dom = ParseActionLineWithDom(line);
  EXPECT_TRUE(dom.ok()) << "the scanner accepted a line the DOM rejects: " << line << "\n"
                        << dom.status().ToString();
  if (!dom.ok()) return true;
  EXPECT_TRUE(dom->has_value()) << line;
  if (dom->has_value()) {
    EXPECT_TRUE(*fast == **dom) << line << "\nscanner: " << ActionToJson(*fast)
                                << "\nDOM:     " << ActionToJson(**dom);
  }
  return true;
}

std::vector<std::string> CorpusLines() {
  std::vector<std::string> lines;
  for (const auto& entry : fs::recursive_directory_iterator(CorpusDir())) {
    if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
    if (entry.path().parent_path().filename() != "_delta_log") continue;
    std::ifstream in(entry.path());
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty()) lines.push_back(line);
    }
  }
  return lines;
}

TEST(ActionScanner, AgreesWithTheDomOnEveryCorpusLine) {
  std::vector<std::string> lines = CorpusLines();
  ASSERT_GT(lines.size(), 1000u);
  size_t answered = 0, file_actions = 0;
  for (const std::string& line : lines) {
    answered += Agrees(line) ? 1 : 0;
    auto dom = ParseActionLineWithDom(line);
    if (dom.ok() && dom->has_value() &&
        (std::holds_alternative<AddFile>(**dom) || std::holds_alternative<RemoveFile>(**dom))) {
      ++file_actions;
    }
  }
  std::printf("scanner answered %zu of %zu lines (%zu add/remove)\n", answered, lines.size(),
              file_actions);
  // Most file actions in the wild are plain: the fast path must take them.
  EXPECT_GT(answered, file_actions / 2);
}

TEST(ActionScanner, ReadsThePlainShapesItself) {
  auto a = ScanFileActionLine(
      R"( {"add": {"path":"p=1/a\"b\\c.parquet", "partitionValues":{"p":"1","q":null},)"
      R"("size":12,"modificationTime":-3,"dataChange":false,"stats":"{\"numRecords\":2}",)"
      R"("tags":{"t":"v"},"baseRowId":null}}  )");
  ASSERT_TRUE(a.has_value());
  const AddFile& add = std::get<AddFile>(*a);
  EXPECT_EQ(add.path, "p=1/a\"b\\c.parquet");
  EXPECT_EQ(add.partition_values, (PartitionValues{{"p", std::string("1")}, {"q", std::nullopt}}));
  EXPECT_EQ(add.size, 12);
  EXPECT_EQ(add.modification_time, -3);
  EXPECT_FALSE(add.data_change);
  EXPECT_EQ(add.stats, std::string(R"({"numRecords":2})"));
  EXPECT_EQ(add.tags, (StringMap{{"t", "v"}}));
  EXPECT_FALSE(add.base_row_id.has_value());

  auto r = ScanFileActionLine(R"({"remove":{"path":"x","deletionTimestamp":5,"dataChange":true,)"
                              R"("extendedFileMetadata":true,"partitionValues":{},"size":7}})");
  ASSERT_TRUE(r.has_value());
  const RemoveFile& remove = std::get<RemoveFile>(*r);
  EXPECT_EQ(remove.path, "x");
  EXPECT_EQ(remove.deletion_timestamp, 5);
  EXPECT_EQ(remove.extended_file_metadata, true);
  EXPECT_EQ(remove.partition_values, PartitionValues{});
  EXPECT_EQ(remove.size, 7);
}

TEST(ActionScanner, DeclinesWhatItDoesNotHandleExactly) {
  for (const char* line : {
           R"({"add":{"path":"a","size":1.0}})",                      // not an integer
           R"({"add":{"path":"a","size":1e3}})",                      // exponent
           R"({"add":{"path":"a","size":01}})",                       // leading zero
           R"({"add":{"path":"a","size":99999999999999999999}})",     // overflow
           R"({"add":{"path":"a","path":"b","size":1}})",             // duplicate key
           R"({"add":{"path":"a","size":null}})",                     // required null
           R"({"add":{"size":1}})",                                   // no path
           R"({"add":{"path":"\u00e9","size":1}})",                   // \u escape
           "{\"add\":{\"path\":\"\xc3\xa9\",\"size\":1}}",            // non-ASCII
           R"({"add":{"path":"a","size":1,"deletionVector":null}})",  // rare field
           R"({"add":{"path":"a","size":1,"whatIsThis":1}})",         // unknown field
           R"({"add":{"path":"a","size":1,"partitionValues":{"p":1}}})",
           R"({"add":{"path":"a","size":1,"partitionValues":{"p":"1","p":"2"}}})",
           R"({"add":{"path":"a","size":1}} x)",                      // trailing garbage
           R"({"add":{"path":"a","size":1},"remove":{"path":"a"}})",  // two actions
           R"({"add":{"path":"a","size":1})",                         // truncated
           R"({"commitInfo":{}})",                                    // other kinds
           R"({"remove":{"path":"a","dataChange":"yes"}})",
       }) {
    EXPECT_FALSE(ScanFileActionLine(line).has_value()) << line;
  }
}

// Random byte edits of real lines: whatever the scanner accepts, the DOM
// must accept identically.
TEST(ActionScanner, MutatedLinesNeverDisagree) {
  std::vector<std::string> seeds;
  for (const std::string& line : CorpusLines()) {
    if (ScanFileActionLine(line)) seeds.push_back(line);
    if (seeds.size() >= 200) break;
  }
  ASSERT_FALSE(seeds.empty());
  std::mt19937 rng(7);
  const std::string alphabet = "{}[]:,\"\\ 0123456789-.eEnulltruefalse/abu";
  size_t answered = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string line = seeds[rng() % seeds.size()];
    int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits && !line.empty(); ++e) {
      size_t at = rng() % line.size();
      switch (rng() % 3) {
        case 0:
          line[at] = alphabet[rng() % alphabet.size()];
          break;
        case 1:
          line.erase(at, 1);
          break;
        default:
          line.insert(at, 1, alphabet[rng() % alphabet.size()]);
      }
    }
    answered += Agrees(line) ? 1 : 0;
  }
  EXPECT_GT(answered, 0u);
}

}  // namespace
}  // namespace strata::lake
