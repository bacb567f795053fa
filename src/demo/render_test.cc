// The text renderings: alignment, and that what matters reaches the page.
#include <gtest/gtest.h>

#include <sstream>

#include "demo/demo.h"

namespace strata::demo {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Display columns of a UTF-8 string, counted independently of the renderer.
size_t Columns(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

TEST(DemoRenderTest, TableAlignsTextLeftAndNumbersRight) {
  std::string text =
      RenderTable({"city", "orders", "share"},
                  {{"München", "1,234", "12.5%"}, {"Köln", "7", "0.4%"}, {"Berlin", "", "3%"}});
  std::vector<std::string> lines = Lines(text);
  ASSERT_EQ(lines.size(), 5u);  // header, rule, three rows
  // Every line but the unpadded last column has the same display width.
  for (const std::string& line : lines) EXPECT_EQ(Columns(line), Columns(lines[0])) << line;
  EXPECT_EQ(lines[2].find("München"), 2u);
  EXPECT_EQ(lines[3].find("Köln"), 2u);
  // Numbers end at the same column as their header.
  size_t orders_end = Columns(lines[0].substr(0, lines[0].find("orders") + 6));
  EXPECT_EQ(Columns(lines[2].substr(0, lines[2].find("1,234") + 5)), orders_end);
  EXPECT_EQ(Columns(lines[3].substr(0, lines[3].find(" 7 ") + 2)), orders_end);
}

TEST(DemoRenderTest, TextColumnsLeaveNoTrailingBlanks) {
  std::string text = RenderTable({"a", "note"}, {{"1", "short"}, {"2", "a longer note"}});
  for (const std::string& line : Lines(text)) {
    ASSERT_FALSE(line.empty());
    EXPECT_NE(line.back(), ' ') << "'" << line << "'";
  }
}

TEST(DemoRenderTest, SummaryListsDatasetsTotalsAndDirt) {
  DemoDataSummary s;
  s.output_dir = "/x/data/raw";
  s.order_count = 1234;
  s.datasets.push_back(
      {"orders",
       "csv",
       {{"orders/orders_2024_01.csv", 600, 2048}, {"orders/orders_2024_02.csv", 640, 2048}},
       {{"duplicate", "twice", 40}}});
  s.datasets.push_back({"customers", "csv", {{"customers.csv", 100, 512}}, {}});
  std::string text = RenderSummary(s);
  EXPECT_NE(text.find("/x/data/raw"), std::string::npos);
  EXPECT_NE(text.find("1,234 orders"), std::string::npos);
  EXPECT_NE(text.find("orders/"), std::string::npos);
  EXPECT_NE(text.find("customers.csv"), std::string::npos);
  EXPECT_NE(text.find("1,240"), std::string::npos);  // orders rows
  EXPECT_NE(text.find("1,340"), std::string::npos);  // all rows
  EXPECT_NE(text.find("4.0 KiB"), std::string::npos);
  EXPECT_NE(text.find("twice"), std::string::npos);
  s.reused = true;
  EXPECT_NE(RenderSummary(s).find("reused"), std::string::npos);
}

TEST(DemoRenderTest, AnswersShowQuestionSqlAndRows) {
  DemoAnswer a;
  a.title = "Monthly revenue";
  a.question = "How much?";
  a.sql = "SELECT 1\nFROM t";
  a.columns = {"month", "revenue"};
  a.rows = {{"2025-01", "10.50"}};
  std::string with_sql = RenderAnswers({a, a});
  EXPECT_NE(with_sql.find("1. Monthly revenue"), std::string::npos);
  EXPECT_NE(with_sql.find("2. Monthly revenue"), std::string::npos);
  EXPECT_NE(with_sql.find("    SELECT 1\n    FROM t\n"), std::string::npos);
  EXPECT_NE(with_sql.find("10.50"), std::string::npos);
  std::string without = RenderAnswers({a}, /*with_sql=*/false);
  EXPECT_EQ(without.find("SELECT 1"), std::string::npos);
  EXPECT_NE(without.find("How much?"), std::string::npos);
}

}  // namespace
}  // namespace strata::demo
