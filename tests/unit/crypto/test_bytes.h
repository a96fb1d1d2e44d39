// Helpers shared by the crypto unit tests: hex and text literals as byte vectors.
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/encoding.h"

namespace leea::test {

// Decodes a hex literal from a test vector; throws on a typo so the test fails loudly.
inline std::vector<uint8_t> unhex(std::string_view hex) {
  auto bytes = hex_decode(hex);
  if (!bytes) {
    throw std::invalid_argument("bad hex in test vector: " + std::string(hex));
  }
  return *bytes;
}

inline std::vector<uint8_t> unb64url(std::string_view text) {
  auto bytes = base64url_decode(text);
  if (!bytes) {
    throw std::invalid_argument("bad base64url in test vector: " + std::string(text));
  }
  return *bytes;
}

inline std::span<const uint8_t> as_bytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

inline std::vector<uint8_t> concat(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  std::vector<uint8_t> out(a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

}  // namespace leea::test
