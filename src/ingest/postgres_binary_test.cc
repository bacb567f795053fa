#include "ingest/postgres_binary.h"

#include <gtest/gtest.h>

#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "ingest/postgres_copy_source.h"
#include "ingest/table_source_testing.h"

namespace strata::ingest {
namespace {

using engine::LogicalType;
using engine::TypeId;

std::string Be(uint64_t v, int bytes) {
  std::string out;
  for (int i = bytes - 1; i >= 0; --i) out += static_cast<char>((v >> (8 * i)) & 0xff);
  return out;
}

// PostgreSQL's numeric_send layout.
std::string Numeric(std::vector<uint16_t> digits, int16_t weight, uint16_t sign, int16_t dscale) {
  std::string out = Be(digits.size(), 2) + Be(static_cast<uint16_t>(weight), 2) + Be(sign, 2) +
                    Be(static_cast<uint16_t>(dscale), 2);
  for (uint16_t d : digits) out += Be(d, 2);
  return out;
}

std::string NumericText(const std::string& field, int precision, int scale) {
  auto value = DecodePgNumeric(field, precision, scale);
  if (!value.ok()) return value.status().ToString();
  auto v = value->ToInt128();
  bool negative = v < 0;
  if (negative) v = -v;
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  } while (v != 0);
  return (negative ? "-" : "") + digits;
}

TEST(PostgresBinaryTest, NumericToScaledInteger) {
  // 123456789.125 = 1|2345|6789.1250, scale 3.
  EXPECT_EQ(NumericText(Numeric({1, 2345, 6789, 1250}, 2, 0, 3), 12, 3), "123456789125");
  EXPECT_EQ(NumericText(Numeric({10}, -1, 0x4000, 3), 12, 3), "-1");  // -0.001
  EXPECT_EQ(NumericText(Numeric({}, 0, 0, 0), 12, 2), "0");
  EXPECT_EQ(NumericText(Numeric({42}, 0, 0, 0), 5, 2), "4200");  // an integer into scale 2
  // More digits than the scale: rounded half away from zero, as PostgreSQL does.
  EXPECT_EQ(NumericText(Numeric({1, 50}, 0, 0, 3), 12, 2), "101");        // 1.005
  EXPECT_EQ(NumericText(Numeric({1, 40}, 0, 0, 3), 12, 2), "100");        // 1.004
  EXPECT_EQ(NumericText(Numeric({1, 50}, 0, 0x4000, 3), 12, 2), "-101");  // -1.005
  EXPECT_EQ(NumericText(Numeric({0, 5000}, 0, 0, 4), 12, 0), "1");        // 0.5
  EXPECT_EQ(NumericText(Numeric({1}, -2, 0, 8), 12, 2), "0");             // 0.00000001
  // DECIMAL(38,0)'s largest value: 38 nines.
  std::vector<uint16_t> nines(9, 9999);
  nines.insert(nines.begin(), 99);
  EXPECT_EQ(NumericText(Numeric(nines, 9, 0, 0), 38, 0), std::string(38, '9'));
}

TEST(PostgresBinaryTest, NumericThatDoesNotFitIsRefused) {
  auto overflow = DecodePgNumeric(Numeric({1000}, 0, 0, 0), 3, 0);  // 1000 in DECIMAL(3,0)
  ASSERT_FALSE(overflow.ok());
  EXPECT_EQ(overflow.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(overflow.status().message().find("DECIMAL(3,0)"), std::string::npos);
  // 999.995 rounds up past DECIMAL(5,2).
  EXPECT_FALSE(DecodePgNumeric(Numeric({999, 9950}, 0, 0, 3), 5, 2).ok());
  auto nan = DecodePgNumeric(Numeric({}, 0, 0xC000, 0), 12, 2);
  ASSERT_FALSE(nan.ok());
  EXPECT_NE(nan.status().message().find("NaN"), std::string::npos);
  EXPECT_FALSE(DecodePgNumeric(Numeric({}, 0, 0xD000, 0), 12, 2).ok());
  // Malformed: a digit count the bytes do not have, a digit past 9999.
  EXPECT_EQ(DecodePgNumeric(Be(3, 2) + Be(0, 6), 12, 2).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodePgNumeric(Numeric({10000}, 0, 0, 0), 12, 2).status().code(),
            StatusCode::kCorruption);
}

TEST(PostgresBinaryTest, HeaderAndTuples) {
  const std::string header = std::string("PGCOPY\n\377\r\n\0", 11) + Be(0, 4) + Be(2, 4) + "xx";
  const std::string tuple = Be(2, 2) + Be(3, 4) + "abc" + Be(0xffffffff, 4);
  std::string stream = header + tuple + Be(0xffff, 2);
  std::string_view in = stream;
  ASSERT_TRUE(ConsumePgCopyHeader(in).ok());
  std::vector<PgField> fields;
  auto first = ConsumePgTuple(in, fields);
  ASSERT_TRUE(first.ok() && *first);
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[0].bytes, "abc");
  EXPECT_TRUE(fields[1].is_null);
  auto trailer = ConsumePgTuple(in, fields);
  ASSERT_TRUE(trailer.ok());
  EXPECT_FALSE(*trailer);
  EXPECT_TRUE(in.empty());

  std::string_view not_copy = "PGCOPX\n\377\r\n";
  EXPECT_EQ(ConsumePgCopyHeader(not_copy).code(), StatusCode::kCorruption);
  const std::string short_field = Be(1, 2) + Be(10, 4) + "abc";
  std::string_view truncated = short_field;
  EXPECT_EQ(ConsumePgTuple(truncated, fields).status().code(), StatusCode::kCorruption);
}

TEST(PostgresBinaryTest, RenderedTuplesAreReadableText) {
  std::vector<PgField> fields = {{"caf\xC3\xA9 \xFF", false}, {{}, true}, {"\x01\xAB", false}};
  EXPECT_EQ(RenderPgTuple(fields, {PgWire::kText, PgWire::kText, PgWire::kInt2}),
            "('caf\xC3\xA9 \\xff', NULL, 427)");
}

TEST(PostgresBinaryTest, ValuesRenderAsPostgresWritesThem) {
  EXPECT_EQ(RenderPgValue(PgWire::kInt8, Be(static_cast<uint64_t>(-5), 8)), "-5");
  EXPECT_EQ(RenderPgValue(PgWire::kBool, std::string(1, '\0')), "false");
  EXPECT_EQ(RenderPgValue(PgWire::kFloat8, Be(0x3FF8000000000000ULL, 8)), "1.5");
  EXPECT_EQ(RenderPgValue(PgWire::kNumeric, Numeric({1, 2345, 6789, 1250}, 2, 0, 3)),
            "123456789.125");
  EXPECT_EQ(RenderPgValue(PgWire::kNumeric, Numeric({10}, -1, 0x4000, 3)), "-0.001");
  EXPECT_EQ(RenderPgValue(PgWire::kNumeric, Numeric({5}, 1, 0, 2)), "50000.00");
  EXPECT_EQ(RenderPgValue(PgWire::kNumeric, Numeric({}, 0, 0, 0)), "0");
  EXPECT_EQ(RenderPgValue(PgWire::kNumeric, Numeric({}, 0, 0xC000, 0)), "NaN");
  EXPECT_EQ(RenderPgValue(PgWire::kDate, Be(8825, 4)), "2024-02-29");
  EXPECT_EQ(RenderPgValue(PgWire::kDate, Be(static_cast<uint32_t>(-730120), 4)), "0001-12-31 BC");
  EXPECT_EQ(RenderPgValue(PgWire::kTimestamp, Be(static_cast<uint64_t>(-1), 8)),
            "1999-12-31 23:59:59.999999");
  EXPECT_EQ(RenderPgValue(PgWire::kTimestamp, Be(9'223'000'000'000'000'000ULL, 8)).substr(0, 6),
            "294265");
  EXPECT_EQ(
      RenderPgValue(PgWire::kUuid, Be(0xa0eebc999c0b4ef8ULL, 8) + Be(0xbb6d6bb9bd380a11ULL, 8)),
      "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
  EXPECT_EQ(RenderPgValue(PgWire::kBytea, "\x01\xff"), "\\x01ff");
  EXPECT_EQ(RenderPgValue(PgWire::kInt4, Be(1, 2)), "\\x0001");  // malformed: hex
}

// The value as DuckDB prints it, or the decoder's error.
std::string Decode(PgWire wire, LogicalType type, const std::string& bytes) {
  LogicalType written = type;
  return testing::WriteOneValue(std::move(type), [&](engine::OutputChunk& out) {
    return DecodePgValue(wire, written, bytes, out, 0, 0);
  });
}

TEST(PostgresBinaryValueTest, FixedWidthTypes) {
  EXPECT_EQ(Decode(PgWire::kInt2, LogicalType(TypeId::kSmallInt), Be(0x8000, 2)), "-32768");
  EXPECT_EQ(Decode(PgWire::kInt8, LogicalType(TypeId::kBigInt), Be(0x8000000000000000ULL, 8)),
            "-9223372036854775808");
  EXPECT_EQ(Decode(PgWire::kOid, LogicalType(TypeId::kUInteger), Be(4000000000U, 4)), "4000000000");
  EXPECT_EQ(Decode(PgWire::kFloat8, LogicalType(TypeId::kDouble), Be(0x3FF8000000000000ULL, 8)),
            "1.5");
  EXPECT_EQ(Decode(PgWire::kBool, LogicalType(TypeId::kBoolean), std::string(1, '\1')), "true");
  // 2024-02-29 is 8825 days after 2000-01-01.
  EXPECT_EQ(Decode(PgWire::kDate, LogicalType(TypeId::kDate), Be(8825, 4)), "2024-02-29");
  EXPECT_EQ(Decode(PgWire::kDate, LogicalType(TypeId::kDate), Be(0x7fffffff, 4)), "infinity");
  EXPECT_EQ(Decode(PgWire::kDate, LogicalType(TypeId::kDate), Be(0x80000000, 4)), "-infinity");
  EXPECT_EQ(Decode(PgWire::kTimestamp, LogicalType(TypeId::kTimestamp), Be(1'500'000, 8)),
            "2000-01-01 00:00:01.5");
  EXPECT_EQ(Decode(PgWire::kTimestamp, LogicalType(TypeId::kTimestampTz),
                   Be(static_cast<uint64_t>(std::numeric_limits<int64_t>::max()), 8)),
            "infinity");
  EXPECT_EQ(Decode(PgWire::kTimestamp, LogicalType(TypeId::kTimestamp),
                   Be(static_cast<uint64_t>(std::numeric_limits<int64_t>::min()), 8)),
            "-infinity");
  // 1 month, 2 days, 3.5 seconds: microseconds, days, months.
  EXPECT_EQ(Decode(PgWire::kInterval, LogicalType(TypeId::kInterval),
                   Be(3'500'000, 8) + Be(2, 4) + Be(1, 4)),
            "1 month 2 days 00:00:03.5");
  EXPECT_EQ(Decode(PgWire::kUuid, LogicalType(TypeId::kUuid),
                   Be(0xa0eebc999c0b4ef8ULL, 8) + Be(0xbb6d6bb9bd380a11ULL, 8)),
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
  EXPECT_EQ(Decode(PgWire::kNumeric, LogicalType::Decimal(20, 2), Numeric({1, 2345}, 1, 0x4000, 0)),
            "-12345.00");
}

TEST(PostgresBinaryValueTest, ValuesWithoutADuckDbEquivalent) {
  // 294265 AD: PostgreSQL has it, DuckDB's timestamps end in 294247.
  std::string late = Decode(PgWire::kTimestamp, LogicalType(TypeId::kTimestamp),
                            Be(9'223'000'000'000'000'000ULL, 8));
  EXPECT_NE(late.find("past DuckDB's range"), std::string::npos) << late;
  std::string latin1 = Decode(PgWire::kText, LogicalType(TypeId::kVarchar), "caf\xE9");
  EXPECT_NE(latin1.find("not valid UTF-8 (byte 3 of 4)"), std::string::npos) << latin1;
  // BLOB takes any bytes.
  EXPECT_EQ(Decode(PgWire::kBytea, LogicalType(TypeId::kBlob), "caf\xE9"), "caf\\xE9");
  std::string wrong = Decode(PgWire::kInt4, LogicalType(TypeId::kInteger), Be(1, 2));
  EXPECT_NE(wrong.find("Corruption"), std::string::npos) << wrong;
}

}  // namespace
}  // namespace strata::ingest
