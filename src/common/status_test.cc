#include "common/status.h"

#include <gtest/gtest.h>

#include <memory>

namespace strata {
namespace {

Status FailsWhen(bool fail) {
  if (fail) return Status::IOError("disk on fire");
  return Status::OK();
}

Result<int> Half(int x) {
  if (x % 2) return Status::InvalidArgument(std::to_string(x) + " is odd");
  return x / 2;
}

Status Chain(int x, int* out) {
  STRATA_RETURN_IF_ERROR(FailsWhen(x < 0));
  STRATA_ASSIGN_OR_RETURN(int h, Half(x));
  STRATA_ASSIGN_OR_RETURN(*out, Half(h));
  return Status::OK();
}

Result<int> ChainResult(int x) {
  STRATA_RETURN_IF_ERROR(Half(x));  // a Result works as a Status here
  STRATA_ASSIGN_OR_RETURN(auto h, Half(x));
  return h + 1;
}

TEST(StatusTest, OkAndErrors) {
  EXPECT_TRUE(Status::OK().ok());
  EXPECT_EQ(Status::OK().ToString(), "OK");
  Status s = Status::NotFound("table bronze.x");
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(s.IsNotFound());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.ToString(), "Not found: table bronze.x");
  EXPECT_EQ(s.WithContext("opening").message(), "opening: table bronze.x");
  EXPECT_TRUE(Status::OK().WithContext("x").ok());
}

TEST(StatusTest, MacrosPropagate) {
  int out = 0;
  EXPECT_TRUE(Chain(8, &out).ok());
  EXPECT_EQ(out, 2);
  EXPECT_EQ(Chain(-2, &out).code(), StatusCode::kIOError);
  Status odd = Chain(6, &out);
  EXPECT_EQ(odd.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(odd.message(), "3 is odd");
  EXPECT_EQ(*ChainResult(4), 3);
  EXPECT_EQ(ChainResult(3).status().message(), "3 is odd");
}

TEST(ResultTest, HoldsMoveOnlyValues) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(7);
  ASSERT_TRUE(r.ok());
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 7);
}

TEST(ResultTest, OkStatusWithoutValueBecomesInternalError) {
  Result<int> r = Status::OK();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
}

TEST(ResultTest, ValueOr) {
  EXPECT_EQ(Half(3).ValueOr(-1), -1);
  EXPECT_EQ(Half(4).ValueOr(-1), 2);
}

}  // namespace
}  // namespace strata
