#include "ingest/text_values.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "ingest/table_source_testing.h"

namespace strata::ingest {
namespace {

using engine::LogicalType;
using engine::TypeId;

std::string DecimalText(std::string_view text, int precision, int scale) {
  auto value = ParseDecimalText(text, precision, scale);
  if (!value.ok()) return value.status().ToString();
  __int128 v = value->ToInt128();
  const bool negative = v < 0;
  if (negative) v = -v;
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  } while (v != 0);
  return (negative ? "-" : "") + digits;
}

TEST(TextValuesTest, DecimalsBecomeScaledIntegers) {
  EXPECT_EQ(DecimalText("123.45", 12, 2), "12345");
  EXPECT_EQ(DecimalText("-0.01", 12, 2), "-1");
  EXPECT_EQ(DecimalText("7", 5, 2), "700");
  EXPECT_EQ(DecimalText(".5", 5, 2), "50");
  EXPECT_EQ(DecimalText("1.005", 12, 2), "101");  // half away from zero
  EXPECT_EQ(DecimalText("-1.004", 12, 2), "-100");
  EXPECT_EQ(DecimalText("99999999999999999999999999999999999999", 38, 0), std::string(38, '9'));
  EXPECT_NE(DecimalText("1000", 5, 2).find("is not a DECIMAL(5,2)"), std::string::npos);
  EXPECT_NE(DecimalText("999.995", 5, 2).find("not a DECIMAL"), std::string::npos);
  for (const char* bad : {"", "-", ".", "1.2.3", "12a", "1e5", " 1"}) {
    EXPECT_NE(DecimalText(bad, 12, 2).find("not a DECIMAL"), std::string::npos) << bad;
  }
}

// The number as DuckDB prints it, or the parser's error.
std::string Parse(LogicalType type, const std::string& text) {
  LogicalType written = type;
  return testing::WriteOneValue(std::move(type), [&](engine::OutputChunk& out) {
    return WriteNumberText(written, text, out, 0, 0);
  });
}

TEST(TextValuesEngineTest, EveryNumberTypeRoundTrips) {
  EXPECT_EQ(Parse(LogicalType(TypeId::kTinyInt), "-128"), "-128");
  EXPECT_EQ(Parse(LogicalType(TypeId::kUTinyInt), "255"), "255");
  EXPECT_EQ(Parse(LogicalType(TypeId::kSmallInt), "2024"), "2024");
  EXPECT_EQ(Parse(LogicalType(TypeId::kUInteger), "4294967295"), "4294967295");
  EXPECT_EQ(Parse(LogicalType(TypeId::kBigInt), "-9223372036854775808"), "-9223372036854775808");
  EXPECT_EQ(Parse(LogicalType(TypeId::kUBigInt), "18446744073709551615"), "18446744073709551615");
  EXPECT_EQ(Parse(LogicalType(TypeId::kDouble), "-2.25e+300"), "-2.25e+300");
  EXPECT_EQ(Parse(LogicalType(TypeId::kFloat), "1.5"), "1.5");
  EXPECT_EQ(Parse(LogicalType::Decimal(4, 1), "-999.9"), "-999.9");
  EXPECT_EQ(Parse(LogicalType::Decimal(9, 3), "123456.789"), "123456.789");
  EXPECT_EQ(Parse(LogicalType::Decimal(18, 2), "1234567890123456.78"), "1234567890123456.78");
  EXPECT_EQ(Parse(LogicalType::Decimal(30, 4), "-12345678901234567890.1234"),
            "-12345678901234567890.1234");
}

TEST(TextValuesEngineTest, OutOfRangeAndMalformedTextIsRefused) {
  EXPECT_NE(Parse(LogicalType(TypeId::kTinyInt), "128").find("'128' is not a TINYINT"),
            std::string::npos);
  EXPECT_NE(Parse(LogicalType(TypeId::kUBigInt), "-1").find("not a UBIGINT"), std::string::npos);
  EXPECT_NE(Parse(LogicalType(TypeId::kInteger), "12 ").find("not a INTEGER"), std::string::npos);
  EXPECT_NE(Parse(LogicalType(TypeId::kDouble), "abc").find("not a DOUBLE"), std::string::npos);
}

}  // namespace
}  // namespace strata::ingest
