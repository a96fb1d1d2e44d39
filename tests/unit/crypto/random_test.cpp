#include "core/crypto/random.h"

#include <gtest/gtest.h>

#include <array>
#include <set>
#include <vector>

namespace leea::crypto {
namespace {

TEST(Random, FillsTheWholeBuffer) {
  // 4096 random bytes with no zero byte at all has probability (255/256)^4096, about 1e-7;
  // checking that each quarter holds some non-zero byte is a safe stand-in.
  std::vector<uint8_t> buf(4096, 0);
  ASSERT_TRUE(random_bytes(buf));
  for (size_t q = 0; q < 4; ++q) {
    bool nonzero = false;
    for (size_t i = q * 1024; i < (q + 1) * 1024; ++i) {
      nonzero |= buf[i] != 0;
    }
    EXPECT_TRUE(nonzero) << "quarter " << q;
  }
}

TEST(Random, SuccessiveDrawsDiffer) {
  std::set<std::vector<uint8_t>> seen;
  for (int i = 0; i < 16; ++i) {
    std::vector<uint8_t> buf(16);
    ASSERT_TRUE(random_bytes(buf));
    seen.insert(buf);
  }
  EXPECT_EQ(seen.size(), 16u);
}

TEST(Random, EmptyRequestSucceeds) { EXPECT_TRUE(random_bytes(std::span<uint8_t>())); }

TEST(RandomSecret, HasTheRequestedSize) {
  for (size_t n : {0u, 1u, 32u, 1000u}) {
    auto s = random_secret(n);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->size(), n);
  }
  auto a = random_secret(32);
  auto b = random_secret(32);
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(a->equals(*b));
}

TEST(SystemRandom, IsOneSharedInstance) { EXPECT_EQ(&system_random(), &system_random()); }

// Tests elsewhere inject a seeded source through the RandomSource interface.
class CountingSource final : public RandomSource {
 public:
  Result<void> fill(std::span<uint8_t> out) override {
    for (uint8_t& b : out) {
      b = next_++;
    }
    return {};
  }

 private:
  uint8_t next_ = 0;
};

TEST(RandomSource, CanBeReplacedByADeterministicSource) {
  CountingSource source;
  RandomSource& r = source;
  std::array<uint8_t, 4> buf{};
  ASSERT_TRUE(r.fill(buf));
  EXPECT_EQ(buf, (std::array<uint8_t, 4>{0, 1, 2, 3}));
}

}  // namespace
}  // namespace leea::crypto
