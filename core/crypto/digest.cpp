#include "core/crypto/digest.h"

#include <cstdlib>
#include <cstring>

#include "core/crypto/openssl_internal.h"

namespace leea::crypto {

const EVP_MD* internal::evp_md(DigestAlg alg) {
  switch (alg) {
    case DigestAlg::sha256:
      return EVP_sha256();
    case DigestAlg::sha384:
      return EVP_sha384();
    case DigestAlg::sha512:
      return EVP_sha512();
  }
  return EVP_sha256();
}

size_t digest_size(DigestAlg alg) {
  return static_cast<size_t>(EVP_MD_get_size(internal::evp_md(alg)));
}

std::string_view digest_name(DigestAlg alg) {
  switch (alg) {
    case DigestAlg::sha256:
      return "sha256";
    case DigestAlg::sha384:
      return "sha384";
    case DigestAlg::sha512:
      return "sha512";
  }
  return "sha256";
}

struct Digest::Impl {
  internal::EvpMdCtx ctx{EVP_MD_CTX_new()};
  DigestAlg alg;
};

// Digest initialisation fails only on allocation failure or a FIPS-disabled algorithm;
// neither is recoverable, so it aborts rather than hashing nothing.
Digest::Digest(DigestAlg alg) : impl_(std::make_unique<Impl>()) {
  impl_->alg = alg;
  if (!impl_->ctx || EVP_DigestInit_ex(impl_->ctx.get(), internal::evp_md(alg), nullptr) != 1) {
    std::abort();
  }
}
Digest::~Digest() = default;
Digest::Digest(Digest&&) noexcept = default;
Digest& Digest::operator=(Digest&&) noexcept = default;

Digest& Digest::update(std::span<const uint8_t> data) {
  if (!data.empty() && EVP_DigestUpdate(impl_->ctx.get(), data.data(), data.size()) != 1) {
    std::abort();
  }
  return *this;
}

Digest& Digest::update(std::string_view data) {
  return update(std::span(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
}

std::vector<uint8_t> Digest::finish() {
  std::vector<uint8_t> out(digest_size(impl_->alg));
  unsigned len = 0;
  if (EVP_DigestFinal_ex(impl_->ctx.get(), out.data(), &len) != 1) {
    std::abort();
  }
  out.resize(len);
  return out;
}

std::vector<uint8_t> digest(DigestAlg alg, std::span<const uint8_t> data) {
  return Digest(alg).update(data).finish();
}

std::array<uint8_t, 32> sha256(std::span<const uint8_t> data) {
  std::array<uint8_t, 32> out{};
  auto d = digest(DigestAlg::sha256, data);
  std::memcpy(out.data(), d.data(), out.size());
  return out;
}

std::array<uint8_t, 32> sha256(std::string_view data) {
  return sha256(std::span(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
}

}  // namespace leea::crypto
