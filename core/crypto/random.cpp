#include "core/crypto/random.h"

#include <openssl/rand.h>

#include <climits>

#include "core/crypto/openssl_internal.h"

namespace leea::crypto {
namespace {

class SystemRandom final : public RandomSource {
 public:
  Result<void> fill(std::span<uint8_t> out) override {
    // RAND_priv_bytes takes an int length; large requests go in slices.
    constexpr size_t kSlice = 1u << 30;
    for (size_t off = 0; off < out.size(); off += kSlice) {
      size_t n = std::min(kSlice, out.size() - off);
      if (RAND_priv_bytes(out.data() + off, static_cast<int>(n)) != 1) {
        return internal::openssl_error("random generator");
      }
    }
    return {};
  }
};

}  // namespace

RandomSource& system_random() {
  static SystemRandom r;
  return r;
}

Result<void> random_bytes(std::span<uint8_t> out) { return system_random().fill(out); }

Result<SecretBytes> random_secret(size_t size) {
  SecretBytes s(size);
  LEEA_TRY(random_bytes(s.reveal()));
  return s;
}

}  // namespace leea::crypto
