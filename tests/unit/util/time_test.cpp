#include "core/util/time.h"

#include <gtest/gtest.h>

namespace leea {
namespace {

constexpr int64_t k2025_07_01 = 1751328000;  // 2025-07-01T00:00:00Z

TEST(Rfc3339, ParsesUtcWithOptionalFraction) {
  EXPECT_EQ(parse_rfc3339("2025-07-01T00:00:00Z"), k2025_07_01);
  EXPECT_EQ(parse_rfc3339("2025-07-01T00:00:00.123Z"), k2025_07_01);
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00Z"), 0);
}

TEST(Rfc3339, RefusesOtherForms) {
  EXPECT_FALSE(parse_rfc3339("2025-07-01 00:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("2025-13-01T00:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("2025-07-01T00:00:00+01:00"));
  EXPECT_FALSE(parse_rfc3339("2025-07-01T00:00:00.Z"));
  EXPECT_FALSE(parse_rfc3339(""));
}

TEST(Rfc3339, FormatsWhatItParses) {
  EXPECT_EQ(format_rfc3339(k2025_07_01), "2025-07-01T00:00:00Z");
  EXPECT_EQ(parse_rfc3339(format_rfc3339(1795564800)), 1795564800);
}

TEST(SecondsApart, NamesTheDistanceEitherWayAndNeverOverflows) {
  EXPECT_EQ(seconds_apart(100, 58), "42 s");
  EXPECT_EQ(seconds_apart(58, 100), "42 s");
  EXPECT_EQ(seconds_apart(0, 1'000'000'000), "1000000000 s");
  EXPECT_EQ(seconds_apart(0, 1'000'000'001), "more than 10^9 s");
  EXPECT_EQ(seconds_apart(INT64_MAX, INT64_MIN), "more than 10^9 s");
}

}  // namespace
}  // namespace leea
