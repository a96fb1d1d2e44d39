// Message digests: SHA-256, SHA-384 and SHA-512, one-shot and streaming.
// A Digest object is not thread-safe; the free functions are.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "core/util/result.h"

namespace leea::crypto {

enum class DigestAlg { sha256, sha384, sha512 };

size_t digest_size(DigestAlg alg);
std::string_view digest_name(DigestAlg alg);  // "sha256", ...

class Digest {
 public:
  explicit Digest(DigestAlg alg);
  ~Digest();
  Digest(Digest&&) noexcept;
  Digest& operator=(Digest&&) noexcept;
  Digest(const Digest&) = delete;
  Digest& operator=(const Digest&) = delete;

  Digest& update(std::span<const uint8_t> data);
  Digest& update(std::string_view data);
  // Returns the digest; the object must not be used afterwards.
  std::vector<uint8_t> finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::vector<uint8_t> digest(DigestAlg alg, std::span<const uint8_t> data);
std::array<uint8_t, 32> sha256(std::span<const uint8_t> data);
std::array<uint8_t, 32> sha256(std::string_view data);

}  // namespace leea::crypto
