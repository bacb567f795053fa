#include "ingest/text_values.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

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

// Parses one text through a real DuckDB chunk and reads it back.
class OneNumberSource : public engine::TableSource {
 public:
  OneNumberSource(LogicalType type, std::string text)
      : text_(std::move(text)), columns_{{"v", std::move(type)}} {}
  const std::vector<std::pair<std::string, LogicalType>>& columns() const override {
    return columns_;
  }
  Status Fill(engine::OutputChunk& out) override {
    if (done_) return Status::OK();
    done_ = true;
    parsed_ = WriteNumberText(columns_[0].second, text_, out, 0, 0);
    out.SetSize(parsed_.ok() ? 1 : 0);
    return Status::OK();
  }
  const Status& parsed() const { return parsed_; }

 private:
  std::string text_;
  std::vector<std::pair<std::string, LogicalType>> columns_;
  bool done_ = false;
  Status parsed_;
};

class TextValuesEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::move(engine::Database::Open()).value();
    conn_ = std::move(engine::Connection::Open(*db_)).value();
  }
  std::string Parse(LogicalType type, const std::string& text) {
    auto source = std::make_shared<OneNumberSource>(std::move(type), text);
    auto registration = conn_->RegisterTableSource(source);
    if (!registration.ok()) return registration.status().ToString();
    auto value = conn_->QueryScalar("SELECT v::VARCHAR FROM " + (*registration)->sql());
    if (!source->parsed().ok()) return source->parsed().ToString();
    return value.ok() ? value->ToString() : value.status().ToString();
  }
  std::unique_ptr<engine::Database> db_;
  std::unique_ptr<engine::Connection> conn_;
};

TEST_F(TextValuesEngineTest, EveryNumberTypeRoundTrips) {
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

TEST_F(TextValuesEngineTest, OutOfRangeAndMalformedTextIsRefused) {
  EXPECT_NE(Parse(LogicalType(TypeId::kTinyInt), "128").find("'128' is not a TINYINT"),
            std::string::npos);
  EXPECT_NE(Parse(LogicalType(TypeId::kUBigInt), "-1").find("not a UBIGINT"), std::string::npos);
  EXPECT_NE(Parse(LogicalType(TypeId::kInteger), "12 ").find("not a INTEGER"), std::string::npos);
  EXPECT_NE(Parse(LogicalType(TypeId::kDouble), "abc").find("not a DOUBLE"), std::string::npos);
}

}  // namespace
}  // namespace strata::ingest
