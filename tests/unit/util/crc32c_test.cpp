#include "core/util/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace leea {
namespace {

TEST(Crc32c, MatchesTheCheckValueAndRfc3720Vectors) {
  EXPECT_EQ(crc32c(std::string_view("123456789")), 0xE3069283u);
  std::vector<uint8_t> zeros(32, 0), ones(32, 0xFF), inc(32), dec(32);
  for (int i = 0; i < 32; ++i) {
    inc[i] = static_cast<uint8_t>(i);
    dec[i] = static_cast<uint8_t>(31 - i);
  }
  // RFC 3720 §B.4.
  EXPECT_EQ(crc32c(zeros), 0x8A9136AAu);
  EXPECT_EQ(crc32c(ones), 0x62A8AB43u);
  EXPECT_EQ(crc32c(inc), 0x46DD794Eu);
  EXPECT_EQ(crc32c(dec), 0x113FDB5Cu);
  EXPECT_EQ(crc32c_portable(inc), 0x46DD794Eu);
}

TEST(Crc32c, FastPathEqualsPortableAndChains) {
  std::mt19937 rng(1);
  for (size_t n : {0u, 1u, 7u, 8u, 9u, 63u, 64u, 1000u, 12287u, 12288u, 12289u, 65537u, 200000u}) {
    std::vector<uint8_t> d(n);
    for (auto& b : d) b = static_cast<uint8_t>(rng());
    ASSERT_EQ(crc32c(d), crc32c_portable(d)) << n;
    size_t cut = n / 3;
    EXPECT_EQ(crc32c(std::span(d).subspan(cut), crc32c(std::span(d).first(cut))), crc32c(d));
  }
}

TEST(Crc32c, DetectsEverySingleByteChangeAndAdjacentSwap) {
  std::string s = "leea1.k3.x2.9f2c1a0b7d3e4f51.";
  const uint32_t good = crc32c(s);
  for (size_t i = 0; i < s.size(); ++i) {
    for (int v = 0; v < 256; ++v) {
      if (v == static_cast<uint8_t>(s[i])) continue;
      std::string t = s;
      t[i] = static_cast<char>(v);
      ASSERT_NE(crc32c(t), good) << i << " " << v;
    }
    if (i + 1 < s.size() && s[i] != s[i + 1]) {
      std::string t = s;
      std::swap(t[i], t[i + 1]);
      ASSERT_NE(crc32c(t), good) << "swap at " << i;
    }
  }
}

}  // namespace
}  // namespace leea
