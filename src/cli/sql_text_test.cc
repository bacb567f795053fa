#include "cli/sql_text.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace strata::cli {
namespace {

using ::testing::ElementsAre;

TEST(SplitStatementsTest, SplitsAtTopLevelSemicolons) {
  EXPECT_THAT(SplitStatements("select 1; select 2;"), ElementsAre("select 1", "select 2"));
  EXPECT_THAT(SplitStatements("select 1"), ElementsAre("select 1"));
  EXPECT_THAT(SplitStatements("  ;;  ; "), ElementsAre());
}

TEST(SplitStatementsTest, IgnoresSemicolonsInQuotesAndComments) {
  EXPECT_THAT(SplitStatements("select 'a;b', \"c;d\"; select 2"),
              ElementsAre("select 'a;b', \"c;d\"", "select 2"));
  EXPECT_THAT(SplitStatements("select 'it''s;'; select 3"),
              ElementsAre("select 'it''s;'", "select 3"));
  EXPECT_THAT(SplitStatements("select 1 -- no; split\n; select 2"),
              ElementsAre("select 1 -- no; split", "select 2"));
  EXPECT_THAT(SplitStatements("select /* ; */ 1; select $$a;b$$; select $x$;$x$"),
              ElementsAre("select /* ; */ 1", "select $$a;b$$", "select $x$;$x$"));
}

TEST(SplitStatementsTest, DropsCommentOnlyPieces) {
  EXPECT_THAT(SplitStatements("select 1; -- trailing comment\n"), ElementsAre("select 1"));
  EXPECT_THAT(SplitStatements("/* a */ ; select 1;"), ElementsAre("select 1"));
}

TEST(EndsStatementTest, NeedsSemicolonOutsideQuotes) {
  EXPECT_TRUE(EndsStatement("select 1;"));
  EXPECT_TRUE(EndsStatement("select 1;  \n"));
  EXPECT_TRUE(EndsStatement("select 1; -- done"));
  EXPECT_FALSE(EndsStatement("select 1"));
  EXPECT_FALSE(EndsStatement("select 'a;"));
  EXPECT_FALSE(EndsStatement("select 1; select 2"));
  EXPECT_FALSE(EndsStatement("select /* ; */"));
  EXPECT_FALSE(EndsStatement("select $$ ; "));
}

TEST(TrimStatementTest, RemovesTrailingSemicolonsAndSpace) {
  EXPECT_EQ(TrimStatement("  select 1 ;; \n"), "select 1");
  EXPECT_EQ(TrimStatement(";"), "");
}

}  // namespace
}  // namespace strata::cli
