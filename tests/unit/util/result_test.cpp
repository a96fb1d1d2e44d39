#include "core/util/result.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace leea {
namespace {

Result<int> parse_positive(int v) {
  if (v <= 0) {
    return make_error(Errc::invalid_argument, "not positive: " + std::to_string(v));
  }
  return v;
}

Result<void> check(bool ok) {
  if (!ok) {
    return make_error(Errc::refused, "check failed");
  }
  return {};
}

TEST(Result, HoldsAValue) {
  Result<int> r = 7;
  EXPECT_TRUE(r.has_value());
  EXPECT_TRUE(static_cast<bool>(r));
  EXPECT_EQ(*r, 7);
  EXPECT_EQ(r.value(), 7);
  Result<std::string> s = std::string("abc");
  EXPECT_EQ(s->size(), 3u);
}

TEST(Result, HoldsAnError) {
  Result<int> r = make_error(Errc::io, "disk on fire");
  EXPECT_FALSE(r.has_value());
  EXPECT_FALSE(static_cast<bool>(r));
  EXPECT_EQ(r.error().code, Errc::io);
  EXPECT_EQ(r.error().message, "disk on fire");
}

TEST(Result, VoidDefaultsToSuccess) {
  Result<void> ok;
  EXPECT_TRUE(ok);
  Result<void> bad = make_error(Errc::refused, "no");
  EXPECT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::refused);
}

TEST(Result, MovesOutMoveOnlyValues) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(5);
  std::unique_ptr<int> p = std::move(r).value();
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, 5);
}

TEST(Result, DefaultErrorIsInternal) {
  Error e;
  EXPECT_EQ(e.code, Errc::internal);
  EXPECT_TRUE(e.message.empty());
}

// LEEA_TRY

int g_after_try = 0;

Result<void> try_twice(bool first, bool second) {
  LEEA_TRY(check(first));
  ++g_after_try;
  LEEA_TRY(check(second));
  ++g_after_try;
  return {};
}

TEST(LeeaTry, ContinuesOnSuccess) {
  g_after_try = 0;
  EXPECT_TRUE(try_twice(true, true));
  EXPECT_EQ(g_after_try, 2);
}

TEST(LeeaTry, ReturnsTheFirstErrorAndStops) {
  g_after_try = 0;
  auto r = try_twice(false, true);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "check failed");
  EXPECT_EQ(g_after_try, 0);
  g_after_try = 0;
  EXPECT_FALSE(try_twice(true, false));
  EXPECT_EQ(g_after_try, 1);
}

Result<int> try_on_value(int v) {
  LEEA_TRY(parse_positive(v));  // works on Result<T> too, discarding the value
  return v * 2;
}

TEST(LeeaTry, PropagatesAcrossResultTypes) {
  EXPECT_EQ(*try_on_value(4), 8);
  auto r = try_on_value(-1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
  EXPECT_EQ(r.error().message, "not positive: -1");
}

// LEEA_ASSIGN_OR_RETURN

int g_evaluations = 0;

Result<int> counted(int v) {
  ++g_evaluations;
  return parse_positive(v);
}

Result<int> sum(int a, int b) {
  LEEA_ASSIGN_OR_RETURN(int x, counted(a));
  LEEA_ASSIGN_OR_RETURN(int y, counted(b));  // a second use in one scope
  return x + y;
}

TEST(LeeaAssignOrReturn, AssignsValues) {
  g_evaluations = 0;
  EXPECT_EQ(*sum(2, 3), 5);
  EXPECT_EQ(g_evaluations, 2);  // each expression is evaluated exactly once
}

TEST(LeeaAssignOrReturn, ReturnsTheErrorBeforeLaterStatements) {
  g_evaluations = 0;
  auto r = sum(-2, 3);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "not positive: -2");
  EXPECT_EQ(g_evaluations, 1);
}

Result<void> assign_existing(int v, int& out) {
  LEEA_ASSIGN_OR_RETURN(out, parse_positive(v));
  return {};
}

TEST(LeeaAssignOrReturn, AssignsToAnExistingVariable) {
  int out = 0;
  EXPECT_TRUE(assign_existing(9, out));
  EXPECT_EQ(out, 9);
  EXPECT_FALSE(assign_existing(0, out));
  EXPECT_EQ(out, 9);
}

Result<int> deref_unique(Result<std::unique_ptr<int>> in) {
  LEEA_ASSIGN_OR_RETURN(std::unique_ptr<int> p, std::move(in));
  return *p;
}

TEST(LeeaAssignOrReturn, WorksWithMoveOnlyTypes) {
  EXPECT_EQ(*deref_unique(std::make_unique<int>(3)), 3);
  EXPECT_FALSE(deref_unique(make_error(Errc::io, "x")));
}

// with_context

TEST(WithContext, PrefixesTheMessageAndKeepsTheKind) {
  Result<int> r = with_context(parse_positive(0), "shares.txt:3");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
  EXPECT_EQ(r.error().message, "shares.txt:3: not positive: 0");
}

TEST(WithContext, NestsOutermostFirst) {
  auto r = with_context(with_context(check(false), "inner"), "key combine");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "key combine: inner: check failed");
}

TEST(WithContext, LeavesSuccessUntouched) {
  Result<int> r = with_context(parse_positive(5), "ignored");
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 5);
  EXPECT_TRUE(with_context(check(true), "ignored"));
}

}  // namespace
}  // namespace leea
