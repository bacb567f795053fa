#include "common/edit_distance.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

TEST(EditDistanceTest, TextbookPairs) {
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);  // k->s, e->i, +g
  EXPECT_EQ(EditDistance("flaw", "lawn"), 2u);       // -f, +n
  EXPECT_EQ(EditDistance("stg_orderz", "stg_orders"), 1u);
  EXPECT_EQ(EditDistance("materialised", "materialized"), 1u);
}

TEST(EditDistanceTest, EmptySameAndSymmetric) {
  EXPECT_EQ(EditDistance("", ""), 0u);
  EXPECT_EQ(EditDistance("", "abc"), 3u);
  EXPECT_EQ(EditDistance("abc", ""), 3u);
  EXPECT_EQ(EditDistance("same", "same"), 0u);
  EXPECT_EQ(EditDistance("ab", "ba"), 2u);  // no transpositions: two substitutions
  EXPECT_EQ(EditDistance("abcdef", "xyz"), EditDistance("xyz", "abcdef"));
  EXPECT_EQ(EditDistance("abcdef", "xyz"), 6u);  // 3 substitutions + 3 deletions
}

}  // namespace
}  // namespace strata
