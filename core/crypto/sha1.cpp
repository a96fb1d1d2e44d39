#include "core/crypto/sha1.h"

#include <cstdlib>

#include "core/crypto/openssl_internal.h"

namespace leea::crypto {

std::array<uint8_t, 20> sha1(std::span<const uint8_t> data) {
  std::array<uint8_t, 20> out{};
  unsigned int len = 0;
  // As in Digest: failure means no SHA-1 provider at all, which nothing can recover from.
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha1(), nullptr) != 1 ||
      len != out.size()) {
    std::abort();
  }
  return out;
}

}  // namespace leea::crypto
