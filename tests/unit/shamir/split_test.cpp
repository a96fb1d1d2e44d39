#include "core/shamir/split.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <vector>

#include "tests/support/seeded_random.h"

namespace leea::shamir {
namespace {

using Bytes = std::vector<uint8_t>;

std::vector<Bytes> split_all(const Bytes& secret, SplitParams p, crypto::RandomSource& rng) {
  auto s = Splitter::create(p, rng);
  EXPECT_TRUE(s) << (s ? "" : s.error().message);
  std::vector<Bytes> shares(static_cast<size_t>(p.shares), Bytes(secret.size()));
  std::vector<std::span<uint8_t>> out(shares.begin(), shares.end());
  EXPECT_TRUE(s->split(secret, out));
  return shares;
}

Bytes combine(const std::vector<Bytes>& shares, const std::vector<size_t>& pick) {
  std::vector<uint8_t> xs;
  std::vector<std::span<const uint8_t>> ys;
  for (size_t i : pick) {
    xs.push_back(static_cast<uint8_t>(i + 1));
    ys.push_back(shares[i]);
  }
  auto c = Combiner::create(xs);
  EXPECT_TRUE(c);
  Bytes out(shares[0].size());
  c->combine(ys, out);
  return out;
}

// Calls f with every k-subset of {0..n-1}.
template <typename F>
void for_each_subset(size_t n, size_t k, F f) {
  std::vector<bool> mask(n, false);
  std::fill(mask.begin(), mask.begin() + static_cast<long>(k), true);
  do {
    std::vector<size_t> pick;
    for (size_t i = 0; i < n; ++i) {
      if (mask[i]) pick.push_back(i);
    }
    f(pick);
  } while (std::prev_permutation(mask.begin(), mask.end()));
}

class ShamirRoundTrip : public ::testing::TestWithParam<std::pair<int, int>> {};

TEST_P(ShamirRoundTrip, EveryThresholdSubsetRecombines) {
  auto [k, n] = GetParam();
  test::SeededRandom rng(static_cast<uint64_t>(k * 1000 + n));
  Bytes secret(67);
  for (size_t i = 0; i < secret.size(); ++i) secret[i] = static_cast<uint8_t>(i * 37 + 11);
  auto shares = split_all(secret, {k, n}, rng);
  size_t subsets = 0;
  for_each_subset(static_cast<size_t>(n), static_cast<size_t>(k), [&](const auto& pick) {
    ASSERT_EQ(combine(shares, pick), secret);
    ++subsets;
  });
  EXPECT_GT(subsets, 0u);
}

INSTANTIATE_TEST_SUITE_P(Params, ShamirRoundTrip,
                         ::testing::Values(std::pair{2, 2}, std::pair{2, 3}, std::pair{3, 5},
                                           std::pair{4, 7}, std::pair{5, 5}, std::pair{255, 255}));

TEST(ShamirSplit, MoreThanThresholdSharesAlsoRecombineInAnyOrder) {
  test::SeededRandom rng(3);
  Bytes secret = {0, 1, 2, 0xFF, 0x80};
  auto shares = split_all(secret, {3, 6}, rng);
  EXPECT_EQ(combine(shares, {5, 0, 3, 2}), secret);
  EXPECT_EQ(combine(shares, {4, 3, 2, 1, 0, 5}), secret);
}

TEST(ShamirSplit, ThresholdMinusOneSharesDoNotRevealTheSecret) {
  // With k−1 shares interpolation yields a value unrelated to the secret: over many
  // bytes it matches the secret only by chance (about 1 in 256).
  test::SeededRandom rng(4);
  Bytes secret(4096, 0x5A);
  auto shares = split_all(secret, {3, 5}, rng);
  Bytes wrong = combine(shares, {0, 4});
  size_t equal = 0;
  for (size_t i = 0; i < secret.size(); ++i) equal += wrong[i] == secret[i];
  EXPECT_LT(equal, 64u);
}

TEST(ShamirSplit, RefusesBadParameters) {
  test::SeededRandom rng(5);
  EXPECT_EQ(Splitter::create({1, 5}, rng).error().message,
            "threshold must be at least 2 (a threshold of 1 would copy the secret)");
  EXPECT_EQ(Splitter::create({6, 5}, rng).error().message,
            "threshold 6 is larger than the number of shares 5");
  EXPECT_EQ(Splitter::create({2, 256}, rng).error().message,
            "at most 255 shares (GF(2^8) has 255 non-zero x)");
  EXPECT_EQ(Splitter::create({0, 0}, rng).error().code, Errc::invalid_argument);
}

TEST(ShamirCombine, RefusesDuplicateAndZeroX) {
  const uint8_t dup[] = {1, 2, 1};
  EXPECT_EQ(Combiner::create(dup).error().message, "two shares have the same x coordinate 1");
  const uint8_t zero[] = {0, 2};
  EXPECT_EQ(Combiner::create(zero).error().code, Errc::invalid_data);
}

// Chi-square statistic of counts against a uniform distribution.
double chi_square(const std::vector<uint64_t>& counts, uint64_t total) {
  double expected = static_cast<double>(total) / static_cast<double>(counts.size());
  double chi = 0;
  for (uint64_t c : counts) {
    double d = static_cast<double>(c) - expected;
    chi += d * d / expected;
  }
  return chi;
}

TEST(ShamirSecrecy, OneShareOfTwoOfThreeIsUniform) {
  // Each secret byte has its own polynomial, so one split of a constant secret gives one
  // independent sample per byte. df = 255: mean 255, sd 22.6; the bound is mean + 6 sd.
  test::SeededRandom rng(20261125);
  Bytes secret(1 << 20, 0x42);
  auto shares = split_all(secret, {2, 3}, rng);
  std::vector<uint64_t> counts(256);
  for (uint8_t b : shares[1]) ++counts[b];
  EXPECT_LT(chi_square(counts, secret.size()), 255 + 6 * 22.6);
}

TEST(ShamirSecrecy, AnyTwoSharesOfThreeOfFiveAreJointlyUniform) {
  // Pairs (y_i, y_j) of two shares over 65536 cells. df = 65535: sd 362; bound mean + 6 sd.
  test::SeededRandom rng(99);
  Bytes secret(1 << 21, 0xC3);
  auto shares = split_all(secret, {3, 5}, rng);
  for (auto [i, j] : {std::pair{0, 1}, std::pair{2, 4}}) {
    std::vector<uint64_t> counts(65536);
    for (size_t b = 0; b < secret.size(); ++b) {
      ++counts[(size_t{shares[i][b]} << 8) | shares[j][b]];
    }
    EXPECT_LT(chi_square(counts, secret.size()), 65535 + 6 * 362.0) << i << "," << j;
  }
}

TEST(ShamirSecrecy, SharesOfDifferentSecretsAreIndistinguishable) {
  // The marginal of one share is the same for secret 0x00 and 0xFF: compare both
  // histograms with a two-sample chi-square (df = 255).
  test::SeededRandom rng(123);
  std::vector<uint64_t> h0(256), h1(256);
  for (auto [value, hist] : {std::pair{uint8_t{0x00}, &h0}, std::pair{uint8_t{0xFF}, &h1}}) {
    auto shares = split_all(Bytes(1 << 19, value), {3, 4}, rng);
    for (uint8_t b : shares[2]) ++(*hist)[b];
  }
  double chi = 0;
  for (size_t v = 0; v < 256; ++v) {
    double a = static_cast<double>(h0[v]), b = static_cast<double>(h1[v]);
    chi += (a - b) * (a - b) / (a + b);
  }
  EXPECT_LT(chi, 255 + 6 * 22.6);
}

}  // namespace
}  // namespace leea::shamir
