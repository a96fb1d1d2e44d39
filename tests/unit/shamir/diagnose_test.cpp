// Naming the shares that disagree when combine gets more shares than the threshold.
#include <gtest/gtest.h>

#include <numeric>

#include "core/shamir/stream_internal.h"
#include "tests/unit/shamir/stream_helpers.h"

namespace leea::shamir {
namespace {

using namespace test_helpers;  // NOLINT: the helpers are this test's vocabulary

const std::string kNotAgree = "not agree with the other shares (altered, or from another secret)";

TEST(ShamirDiagnose, NamesAForgedFirstShareAmong64WithThreshold32) {
  auto s = split_text(Bytes(200, 0x21), {32, 64});
  s[0] = forge_xor(s[0], 17, 0x40);
  auto r = combine(named(s));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "s1: does " + kNotAgree);
}

TEST(ShamirDiagnose, NamesAForgedShareAmong255WithThreshold128) {
  auto s = split_text(Bytes(64, 0x21), {128, 255});
  for (size_t forged : {size_t{0}, size_t{77}, size_t{200}}) {
    auto shares = s;
    shares[forged] = forge_xor(shares[forged], 3, 0x01);
    auto r = combine(named(shares));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "s" + std::to_string(forged + 1) + ": does " + kNotAgree);
  }
}

TEST(ShamirDiagnose, NamesTwoExtraSharesAlteredFarApart) {
  auto s = split_text(Bytes(100000, 0x33), {3, 6});
  s[3] = forge_xor(s[3], 10, 0x80);     // s4, in the first combine chunk
  s[5] = forge_xor(s[5], 90000, 0x80);  // s6, in the second
  auto r = combine(named(s));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "s4, s6: do " + kNotAgree);
}

TEST(ShamirDiagnose, NamesAFirstShareAlteredLaterThanAnExtraOneAndNoInnocentShare) {
  // From offset 90000 every extra share disagrees with the first three, because s1 is
  // wrong there; only s1 and s5 may be named.
  auto s = split_text(Bytes(100000, 0x33), {3, 6});
  s[4] = forge_xor(s[4], 10, 0x01);
  s[0] = forge_xor(s[0], 90000, 0x01);
  auto r = combine(named(s));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "s1, s5: do " + kNotAgree);
}

TEST(ShamirDiagnose, StopsWithinItsWorkBudget) {
  // Bytes on no common polynomial, and far too many 20-subsets of 40 to try them all: the
  // search samples subsets until the budget runs out, then cannot tell.
  const size_t m = 40;
  const int k = 20;
  std::vector<uint8_t> xs(m);
  std::iota(xs.begin(), xs.end(), uint8_t{1});
  std::vector<Bytes> columns(m, Bytes(4));
  for (size_t i = 0; i < m; ++i) {
    for (size_t c = 0; c < 4; ++c) columns[i][c] = static_cast<uint8_t>(i * 7 + c * 31 + 1);
  }
  std::vector<std::span<const uint8_t>> ys(columns.begin(), columns.end());
  uint64_t budget = 100000;
  auto wrong = internal::find_disagreeing(xs, ys, k, &budget);
  EXPECT_TRUE(wrong.empty());
  EXPECT_LT(budget, uint64_t{m} * k);  // spent, and never more than it had
}

}  // namespace
}  // namespace leea::shamir
