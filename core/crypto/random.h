// Randomness: the system CSPRNG (OpenSSL's DRBG, seeded from getrandom), behind an
// interface so that tests can inject a seeded generator and get reproducible splits.
// system_random() is thread-safe.
#pragma once

#include <cstdint>
#include <span>

#include "core/crypto/secret_bytes.h"
#include "core/util/result.h"

namespace leea::crypto {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // Fills out with random bytes. Fails only if the generator cannot be seeded.
  virtual Result<void> fill(std::span<uint8_t> out) = 0;
};

// OpenSSL's private DRBG (RAND_priv_bytes): for keys, coefficients and nonces.
RandomSource& system_random();

Result<void> random_bytes(std::span<uint8_t> out);
Result<SecretBytes> random_secret(size_t size);

}  // namespace leea::crypto
