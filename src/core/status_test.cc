#include "core/status.h"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace accord {
namespace {

TEST(StatusCodeNameTest, NamesEveryCode) {
  EXPECT_EQ(StatusCodeName(StatusCode::kOk), "ok");
  EXPECT_EQ(StatusCodeName(StatusCode::kInvalidArgument), "invalid_argument");
  EXPECT_EQ(StatusCodeName(StatusCode::kNotFound), "not_found");
  EXPECT_EQ(StatusCodeName(StatusCode::kPermissionDenied), "permission_denied");
  EXPECT_EQ(StatusCodeName(StatusCode::kAlreadyExists), "already_exists");
  EXPECT_EQ(StatusCodeName(StatusCode::kFailedPrecondition), "failed_precondition");
  EXPECT_EQ(StatusCodeName(StatusCode::kDataLoss), "data_loss");
  EXPECT_EQ(StatusCodeName(StatusCode::kInternal), "internal");
}

TEST(StatusCodeNameTest, OutOfRangeValueGetsAName) {
  EXPECT_EQ(StatusCodeName(static_cast<StatusCode>(99)), "unknown");
}

TEST(StatusTest, DefaultIsOk) {
  Status status;
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kOk);
  EXPECT_EQ(status.message(), "");
  EXPECT_EQ(status, OkStatus());
}

TEST(StatusTest, HelpersSetCodeAndMessage) {
  EXPECT_EQ(InvalidArgumentError("m").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(NotFoundError("m").code(), StatusCode::kNotFound);
  EXPECT_EQ(PermissionDeniedError("m").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(AlreadyExistsError("m").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(FailedPreconditionError("m").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(DataLossError("m").code(), StatusCode::kDataLoss);
  EXPECT_EQ(InternalError("m").code(), StatusCode::kInternal);
  EXPECT_EQ(InternalError("boom").message(), "boom");
  EXPECT_FALSE(NotFoundError("m").ok());
}

TEST(StatusTest, ToStringOfOkIsOk) { EXPECT_EQ(OkStatus().ToString(), "ok"); }

TEST(StatusTest, ToStringJoinsCodeAndMessage) {
  EXPECT_EQ(InvalidArgumentError("demo.json: /recordings/3/isrc: bad").ToString(),
            "invalid_argument: demo.json: /recordings/3/isrc: bad");
}

TEST(StatusTest, ToStringOfErrorWithoutMessageIsTheCodeName) {
  EXPECT_EQ(NotFoundError("").ToString(), "not_found");
}

TEST(StatusTest, WithPrefixPrependsAndKeepsCode) {
  Status status = NotFoundError("no party x").WithPrefix("demo.json");
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_EQ(status.message(), "demo.json: no party x");
}

TEST(StatusTest, WithPrefixNestsOutwards) {
  Status status = InvalidArgumentError("bad isrc").WithPrefix("/recordings/3").WithPrefix("a.json");
  EXPECT_EQ(status.message(), "a.json: /recordings/3: bad isrc");
}

TEST(StatusTest, WithPrefixLeavesOkUnchanged) {
  EXPECT_EQ(OkStatus().WithPrefix("demo.json"), OkStatus());
}

TEST(StatusTest, WithPrefixOnEmptyMessageIsThePrefixAlone) {
  EXPECT_EQ(InternalError("").WithPrefix("store").message(), "store");
}

TEST(StatusTest, EqualityComparesCodeAndMessage) {
  EXPECT_EQ(NotFoundError("a"), NotFoundError("a"));
  EXPECT_NE(NotFoundError("a"), NotFoundError("b"));
  EXPECT_NE(NotFoundError("a"), InternalError("a"));
}

TEST(ResultTest, HoldsValue) {
  Result<int> result = 42;
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(*result, 42);
  EXPECT_EQ(result.value(), 42);
  EXPECT_TRUE(result.status().ok());
}

TEST(ResultTest, HoldsError) {
  Result<int> result = NotFoundError("no such thing");
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.status(), NotFoundError("no such thing"));
}

TEST(ResultTest, OkStatusBecomesInternalError) {
  Result<int> result = OkStatus();
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInternal);
}

TEST(ResultTest, ValueOfErrorThrowsLogicErrorNamingTheStatus) {
  Result<int> result = NotFoundError("no such thing");
  try {
    (void)result.value();
    FAIL() << "value() of an error Result did not throw";
  } catch (const std::logic_error& e) {
    EXPECT_NE(std::string(e.what()).find("not_found: no such thing"), std::string::npos);
  }
}

TEST(ResultTest, DereferenceOfErrorThrows) {
  Result<std::string> result = InternalError("x");
  EXPECT_THROW((void)*result, std::logic_error);
  EXPECT_THROW((void)result->size(), std::logic_error);
  EXPECT_THROW((void)std::move(result).value(), std::logic_error);
}

TEST(ResultTest, ArrowReachesMembers) {
  Result<std::string> result = std::string("abc");
  EXPECT_EQ(result->size(), 3u);
}

TEST(ResultTest, MovesOutMoveOnlyValue) {
  Result<std::unique_ptr<int>> result = std::make_unique<int>(7);
  std::unique_ptr<int> taken = std::move(result).value();
  ASSERT_NE(taken, nullptr);
  EXPECT_EQ(*taken, 7);
}

Status FailIf(bool fail) { return fail ? DataLossError("torn write") : OkStatus(); }

Status ReturnIfErrorCaller(bool fail, int* reached) {
  ACCORD_RETURN_IF_ERROR(FailIf(fail));
  ++*reached;
  return OkStatus();
}

TEST(MacroTest, ReturnIfErrorPassesOkThrough) {
  int reached = 0;
  EXPECT_TRUE(ReturnIfErrorCaller(false, &reached).ok());
  EXPECT_EQ(reached, 1);
}

TEST(MacroTest, ReturnIfErrorReturnsTheError) {
  int reached = 0;
  EXPECT_EQ(ReturnIfErrorCaller(true, &reached), DataLossError("torn write"));
  EXPECT_EQ(reached, 0);
}

Result<int> Half(int n) {
  if (n % 2 != 0) return InvalidArgumentError(std::to_string(n) + " is odd");
  return n / 2;
}

Result<int> Quarter(int n) {
  ACCORD_ASSIGN_OR_RETURN(int half, Half(n));
  ACCORD_ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

TEST(MacroTest, AssignOrReturnAssigns) {
  Result<int> result = Quarter(8);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(*result, 2);
}

TEST(MacroTest, AssignOrReturnPropagatesTheFirstError) {
  EXPECT_EQ(Quarter(6).status(), InvalidArgumentError("3 is odd"));
}

}  // namespace
}  // namespace accord
