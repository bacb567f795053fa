#include "cli/result_printer.h"

#include <gtest/gtest.h>

#include <sstream>

namespace strata::cli {
namespace {

std::string Render(OutputFormat format, const std::vector<ColumnHeader>& columns,
                   const std::vector<std::vector<Cell>>& rows, PrinterOptions options = {}) {
  std::ostringstream out;
  auto printer = MakeResultPrinter(format, out, options);
  printer->Begin(columns);
  for (const auto& row : rows) printer->AddRow(row);
  printer->Finish();
  return out.str();
}

const std::vector<ColumnHeader> kColumns = {{"id", "INTEGER"}, {"name", "VARCHAR"}};

TEST(ResultPrinterTest, TableAlignsColumnsAndCountsRows) {
  const std::string text = Render(OutputFormat::kTable, kColumns,
                                  {{Cell::Number("1"), Cell::String("ann")},
                                   {Cell::Number("200"), Cell::Null()}});
  EXPECT_NE(text.find("│ id      │ name    │"), std::string::npos) << text;
  EXPECT_NE(text.find("│       1 │ ann     │"), std::string::npos) << text;
  EXPECT_NE(text.find("│     200 │ NULL    │"), std::string::npos) << text;
  EXPECT_NE(text.find("2 rows"), std::string::npos) << text;
}

TEST(ResultPrinterTest, TableWithoutTypesHasNoTypesLine) {
  const std::string text = Render(OutputFormat::kTable, {{"stream", ""}, {"rows", ""}},
                                  {{Cell::String("a.b"), Cell::Number("12")}});
  // Between the top rule and the rule under the header: the names line only.
  const size_t header = text.find("┐\n");
  const size_t rule = text.find("├");
  ASSERT_NE(header, std::string::npos) << text;
  ASSERT_NE(rule, std::string::npos) << text;
  EXPECT_EQ(text.substr(header, rule - header), "┐\n│ stream │ rows │\n") << text;
  EXPECT_NE(text.find("│ a.b    │   12 │"), std::string::npos) << text;
}

TEST(ResultPrinterTest, TableElidesRowsPastTheLimitAndSaysSo) {
  std::vector<std::vector<Cell>> rows;
  for (int i = 0; i < 100; ++i) rows.push_back({Cell::Number(std::to_string(i)), Cell::String("x")});
  PrinterOptions options;
  options.max_rows = 10;
  const std::string text = Render(OutputFormat::kTable, kColumns, rows, options);
  EXPECT_NE(text.find("100 rows (10 shown"), std::string::npos) << text;
  EXPECT_NE(text.find("│       4 │"), std::string::npos) << text;  // head
  EXPECT_EQ(text.find("│       5 │"), std::string::npos) << text;  // elided
  EXPECT_NE(text.find("│      99 │"), std::string::npos) << text;  // tail
  EXPECT_NE(text.find("│      95 │"), std::string::npos) << text;
  EXPECT_EQ(text.find("│      94 │"), std::string::npos) << text;
}

TEST(ResultPrinterTest, TableEscapesLineBreaksAndCutsLongText) {
  PrinterOptions options;
  options.max_width = 5;
  const std::string text =
      Render(OutputFormat::kTable, {{"s", "VARCHAR"}}, {{Cell::String("a\nb")}, {Cell::String("abcdefgh")}},
             options);
  EXPECT_NE(text.find("a\\nb"), std::string::npos) << text;
  EXPECT_NE(text.find("abcd…"), std::string::npos) << text;
}

TEST(ResultPrinterTest, CsvQuotesOnlyWhenNeeded) {
  const std::string text = Render(OutputFormat::kCsv, kColumns,
                                  {{Cell::Number("1"), Cell::String("a,b")},
                                   {Cell::Number("2"), Cell::String("say \"hi\"")},
                                   {Cell::Number("3"), Cell::Null()}});
  EXPECT_EQ(text, "id,name\n1,\"a,b\"\n2,\"say \"\"hi\"\"\"\n3,\n");
}

TEST(ResultPrinterTest, JsonWritesOneTypedObjectPerRow) {
  const std::string text = Render(
      OutputFormat::kJson, {{"n", "DOUBLE"}, {"s", "VARCHAR"}, {"b", "BOOLEAN"}, {"l", "INTEGER[]"}},
      {{Cell::Number("1.5"), Cell::String("q\"\n"), Cell::Bool(true), Cell::Json("[1,2]")},
       {Cell::Number("nan"), Cell::Null(), Cell::Bool(false), Cell::Null()}});
  EXPECT_EQ(text,
            "{\"n\":1.5,\"s\":\"q\\\"\\n\",\"b\":true,\"l\":[1,2]}\n"
            "{\"n\":\"nan\",\"s\":null,\"b\":false,\"l\":null}\n");
}

TEST(ResultPrinterTest, ParsesFormatNames) {
  EXPECT_EQ(*ParseOutputFormat("csv"), OutputFormat::kCsv);
  EXPECT_FALSE(ParseOutputFormat("xml").ok());
}

TEST(JsonQuoteTest, EscapesControlCharacters) {
  EXPECT_EQ(JsonQuote(std::string("a\x01" "b", 3)), "\"a\\u0001b\"");
}

}  // namespace
}  // namespace strata::cli
