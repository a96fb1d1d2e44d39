// The vector base64url codec against the scalar one, on every length and every position
// of a bad character.
#include <gtest/gtest.h>

#include <random>

#include "core/util/encoding.h"

namespace leea {
namespace {

std::vector<uint8_t> random_bytes(size_t n, std::mt19937& rng) {
  std::vector<uint8_t> d(n);
  for (auto& b : d) b = static_cast<uint8_t>(rng());
  return d;
}

TEST(Base64url, FastEncoderEqualsScalarForEveryLengthUpTo300) {
  std::mt19937 rng(2);
  for (size_t n = 0; n <= 300; ++n) {
    auto d = random_bytes(n, rng);
    std::string fast((n * 4 + 2) / 3, '\0'), slow((n * 4 + 2) / 3, '\0');
    ASSERT_EQ(base64url_encode_to(d, fast.data()), fast.size());
    ASSERT_EQ(base64url_encode_portable_to(d, slow.data()), slow.size());
    ASSERT_EQ(fast, slow) << n;
    auto back = base64url_decode(fast);
    ASSERT_TRUE(back) << n;
    ASSERT_EQ(*back, d) << n;
  }
}

TEST(Base64url, EncodesEveryValueOfTheAlphabet) {
  // 48 bytes whose 64 six-bit groups are 0, 1, ..., 63.
  std::vector<uint8_t> d;
  for (uint32_t v = 0; v < 64; v += 4) {
    uint32_t w = (v << 18) | ((v + 1) << 12) | ((v + 2) << 6) | (v + 3);
    d.push_back(static_cast<uint8_t>(w >> 16));
    d.push_back(static_cast<uint8_t>(w >> 8));
    d.push_back(static_cast<uint8_t>(w));
  }
  d.insert(d.end(), d.begin(), d.end());  // long enough for the vector path
  std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  EXPECT_EQ(base64url_encode(d), alphabet + alphabet);
  EXPECT_EQ(*base64url_decode(alphabet + alphabet), d);
}

TEST(Base64url, DecoderRefusesABadCharacterAtEveryPosition) {
  std::mt19937 rng(3);
  std::string text = base64url_encode(random_bytes(96, rng));  // 128 chars
  for (size_t i = 0; i < text.size(); ++i) {
    for (char bad : {'+', '/', '=', ' ', '\n', '.', '\0', '\x80', '\xff', '@', '[', '`', '{'}) {
      std::string t = text;
      t[i] = bad;
      ASSERT_FALSE(base64url_decode(t)) << "position " << i << " char " << int(bad);
    }
  }
}

}  // namespace
}  // namespace leea
