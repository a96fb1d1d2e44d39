// A deterministic RandomSource for tests that need reproducible splits. Never for keys.
#pragma once

#include <random>

#include "core/crypto/random.h"

namespace leea::test {

class SeededRandom final : public crypto::RandomSource {
 public:
  explicit SeededRandom(uint64_t seed) : rng_(seed) {}
  Result<void> fill(std::span<uint8_t> out) override {
    for (auto& b : out) b = static_cast<uint8_t>(rng_() >> 56);
    return {};
  }

 private:
  std::mt19937_64 rng_;
};

}  // namespace leea::test
