#include "common/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace strata {
namespace {

TEST(Utf8Test, WellFormedTextPasses) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ASCII text that is longer than eight bytes"));
  EXPECT_TRUE(IsValidUtf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF"));
  EXPECT_TRUE(IsValidUtf8(std::string("nul \0 inside", 12)));
}

TEST(Utf8Test, ReportsTheFirstBadByte) {
  EXPECT_EQ(FindInvalidUtf8("abc\xFF"), 3u);
  EXPECT_EQ(FindInvalidUtf8("0123456789\x80xyz"), 10u);     // a lone continuation byte
  EXPECT_EQ(FindInvalidUtf8("ab\xC3"), 2u);                 // truncated sequence
  EXPECT_EQ(FindInvalidUtf8("\xC0\xAF"), 0u);               // overlong '/'
  EXPECT_EQ(FindInvalidUtf8("\xE0\x80\xAF"), 0u);           // overlong, three bytes
  EXPECT_EQ(FindInvalidUtf8("x\xED\xA0\x80"), 1u);          // surrogate U+D800
  EXPECT_EQ(FindInvalidUtf8("\xF4\x90\x80\x80"), 0u);       // past U+10FFFF
  EXPECT_EQ(FindInvalidUtf8("\xE2\x82"), 0u);               // truncated euro sign
  EXPECT_EQ(FindInvalidUtf8("\xE2\x28\xA1"), 0u);           // bad continuation
  EXPECT_EQ(FindInvalidUtf8("12345678\xC3\xA9\xFE"), 10u);  // after a good sequence
}

}  // namespace
}  // namespace strata
