#include "core/shamir/gf256.h"

#include <gtest/gtest.h>

#include <array>
#include <random>
#include <vector>

namespace leea::shamir::gf256 {
namespace {

// An independent reference: log/exp tables over the generator 3, built here by repeated
// multiplication by x+1 with the 0x11B reduction. Test-only; production code has no tables.
struct Reference {
  std::array<uint8_t, 256> exp{}, log{};
  Reference() {
    uint8_t v = 1;
    for (int i = 0; i < 255; ++i) {
      exp[i] = v;
      log[v] = static_cast<uint8_t>(i);
      uint8_t twice = static_cast<uint8_t>((v << 1) ^ ((v & 0x80) ? 0x1B : 0));
      v = twice ^ v;
    }
  }
  uint8_t mul(uint8_t a, uint8_t b) const {
    if (a == 0 || b == 0) return 0;
    return exp[(log[a] + log[b]) % 255];
  }
};

TEST(Gf256, MultiplicationMatchesIndependentReferenceForAllPairs) {
  Reference ref;
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; ++b) {
      ASSERT_EQ(mul(a, b), ref.mul(a, b)) << a << "*" << b;
    }
  }
}

TEST(Gf256, MatchesVaultAndFips197Vectors) {
  EXPECT_EQ(mul(3, 7), 9);
  EXPECT_EQ(mul(3, 0), 0);
  EXPECT_EQ(mul(0, 3), 0);
  EXPECT_EQ(mul(0x57, 0x83), 0xC1);
  EXPECT_EQ(mul(0x57, 0x13), 0xFE);
  EXPECT_EQ(add(16, 16), 0);
  EXPECT_EQ(add(3, 4), 7);
  EXPECT_EQ(div(0, 7), 0);
  EXPECT_EQ(div(3, 3), 1);
  EXPECT_EQ(div(6, 3), 2);
  // Vault's tables use the generator 0xE5: its powers start 01 e5 4c b5 fb 9f fc 12 03.
  const uint8_t powers[] = {0x01, 0xe5, 0x4c, 0xb5, 0xfb, 0x9f, 0xfc, 0x12, 0x03};
  uint8_t p = 1;
  for (uint8_t want : powers) {
    EXPECT_EQ(p, want);
    p = mul(p, 0xe5);
  }
}

TEST(Gf256, FieldAxiomsHoldForAllPairs) {
  for (int a = 0; a < 256; ++a) {
    EXPECT_EQ(mul(a, 1), a);
    EXPECT_EQ(mul(a, 0), 0);
    EXPECT_EQ(add(a, 0), a);
    EXPECT_EQ(add(a, a), 0);
    for (int b = 0; b < 256; ++b) {
      ASSERT_EQ(mul(a, b), mul(b, a));
      ASSERT_EQ(add(a, b), add(b, a));
      // Associativity and distributivity against a spread of third operands.
      for (int c : {0, 1, 2, 3, 0x1B, 0x53, 0x80, 0xCA, 0xFF}) {
        ASSERT_EQ(mul(mul(a, b), c), mul(a, mul(b, c)));
        ASSERT_EQ(mul(a, add(b, c)), add(mul(a, b), mul(a, c)));
      }
    }
  }
}

TEST(Gf256, EveryNonZeroElementHasItsInverse) {
  EXPECT_EQ(inv(0), 0);
  for (int a = 1; a < 256; ++a) {
    ASSERT_EQ(mul(a, inv(a)), 1) << a;
    ASSERT_EQ(div(a, a), 1);
  }
}

TEST(Gf256, NoZeroDivisors) {
  for (int a = 1; a < 256; ++a) {
    for (int b = 1; b < 256; ++b) {
      ASSERT_NE(mul(a, b), 0);
    }
  }
}

TEST(Gf256Kernels, MulAddWorksInPlace) {
  for (const Kernels* k : available_kernels()) {
    std::vector<uint8_t> d(77), s(77);
    for (size_t i = 0; i < d.size(); ++i) {
      d[i] = static_cast<uint8_t>(i * 7);
      s[i] = static_cast<uint8_t>(i * 13 + 1);
    }
    std::vector<uint8_t> want(d.size());
    for (size_t i = 0; i < d.size(); ++i) want[i] = mul(d[i], 0x1D) ^ s[i];
    k->mul_add(d.data(), d.data(), 0x1D, s.data(), d.size());
    EXPECT_EQ(d, want) << k->name;
  }
}

TEST(Gf256Kernels, EveryKernelAgreesWithScalarMultiplication) {
  std::mt19937 rng(7);
  auto kernels = available_kernels();
  ASSERT_GE(kernels.size(), 1u);
  EXPECT_EQ(kernels.front()->name, "portable");
  for (const Kernels* k : kernels) {
    for (size_t n : {0u, 1u, 7u, 8u, 15u, 16u, 17u, 31u, 32u, 33u, 100u, 1000u}) {
      std::vector<uint8_t> src(n), dst(n);
      for (auto& v : src) v = static_cast<uint8_t>(rng());
      for (auto& v : dst) v = static_cast<uint8_t>(rng());
      for (int c = 0; c < 256; ++c) {
        std::vector<uint8_t> a(n), b = dst;
        k->mul_add(a.data(), dst.data(), static_cast<uint8_t>(c), src.data(), n);
        k->mul_add(b.data(), src.data(), static_cast<uint8_t>(c), b.data(), n);
        for (size_t i = 0; i < n; ++i) {
          ASSERT_EQ(a[i], mul(dst[i], c) ^ src[i]) << k->name << " n=" << n << " c=" << c;
          ASSERT_EQ(b[i], dst[i] ^ mul(src[i], c)) << k->name << " n=" << n << " c=" << c;
        }
      }
    }
  }
}

}  // namespace
}  // namespace leea::shamir::gf256
