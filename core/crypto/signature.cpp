#include "core/crypto/signature.h"

#include <openssl/ecdsa.h>

#include <cstring>
#include <string>

#include "core/crypto/keys_internal.h"

namespace leea::crypto {
namespace {

bool is_ec(KeyType type) { return type == KeyType::p256 || type == KeyType::p384; }

Result<void> require_ec(KeyType type) {
  if (!is_ec(type)) {
    return make_error(Errc::invalid_argument, "ECDSA signature encoding for a " +
                                                  std::string(key_type_name(type)) + " key");
  }
  return {};
}

Error refused_signature() { return make_error(Errc::refused, "signature verification failed"); }

}  // namespace

size_t raw_signature_size(KeyType type) {
  switch (type) {
    case KeyType::p256:
    case KeyType::ed25519:
      return 64;
    case KeyType::p384:
      return 96;
    case KeyType::x25519:
      return 0;
  }
  return 0;
}

Result<std::vector<uint8_t>> ecdsa_der_to_raw(KeyType type, std::span<const uint8_t> der) {
  LEEA_TRY(require_ec(type));
  const size_t n = raw_signature_size(type) / 2;
  const unsigned char* p = der.data();
  internal::EcdsaSig sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig || p != der.data() + der.size()) {
    ERR_clear_error();
    return make_error(Errc::invalid_data, "malformed DER ECDSA signature");
  }
  // d2i accepts some BER; re-encoding and comparing insists on the one DER form.
  unsigned char* re = nullptr;
  int re_len = i2d_ECDSA_SIG(sig.get(), &re);
  bool canonical = re_len > 0 && static_cast<size_t>(re_len) == der.size() &&
                   std::memcmp(re, der.data(), der.size()) == 0;
  OPENSSL_free(re);
  if (!canonical) {
    return make_error(Errc::invalid_data, "ECDSA signature is not in canonical DER");
  }
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  std::vector<uint8_t> out(2 * n);
  if (BN_is_negative(r) || BN_is_negative(s) ||
      BN_bn2binpad(r, out.data(), static_cast<int>(n)) < 0 ||
      BN_bn2binpad(s, out.data() + n, static_cast<int>(n)) < 0) {
    return make_error(Errc::invalid_data, "ECDSA signature values do not fit the curve");
  }
  return out;
}

Result<std::vector<uint8_t>> ecdsa_raw_to_der(KeyType type, std::span<const uint8_t> raw) {
  LEEA_TRY(require_ec(type));
  const size_t n = raw_signature_size(type) / 2;
  if (raw.size() != 2 * n) {
    return make_error(Errc::invalid_data, "raw " + std::string(key_type_name(type)) +
                                              " signature must be " + std::to_string(2 * n) +
                                              " bytes, not " + std::to_string(raw.size()));
  }
  internal::Bignum r(BN_bin2bn(raw.data(), static_cast<int>(n), nullptr));
  internal::Bignum s(BN_bin2bn(raw.data() + n, static_cast<int>(n), nullptr));
  internal::EcdsaSig sig(ECDSA_SIG_new());
  if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
    return internal::openssl_error("ECDSA signature encoding");
  }
  // ECDSA_SIG_set0 took ownership.
  (void)r.release();
  (void)s.release();
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig.get(), &der);
  if (len <= 0) {
    return internal::openssl_error("ECDSA signature encoding");
  }
  std::vector<uint8_t> out(der, der + len);
  OPENSSL_free(der);
  return out;
}

namespace internal {

const EVP_MD* signature_md(KeyType type) {
  switch (type) {
    case KeyType::p256:
      return EVP_sha256();
    case KeyType::p384:
      return EVP_sha384();
    case KeyType::ed25519:
    case KeyType::x25519:
      return nullptr;
  }
  return nullptr;
}

Result<std::vector<uint8_t>> sign_message(EVP_PKEY* pkey, KeyType type,
                                          std::span<const uint8_t> message, SigFormat format) {
  if (type == KeyType::x25519) {
    return make_error(Errc::invalid_argument, "X25519 keys cannot sign");
  }
  EvpMdCtx ctx(EVP_MD_CTX_new());
  std::vector<uint8_t> sig(static_cast<size_t>(EVP_PKEY_get_size(pkey)));
  size_t len = sig.size();
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, signature_md(type), nullptr, pkey) != 1 ||
      EVP_DigestSign(ctx.get(), sig.data(), &len, message.data(), message.size()) != 1) {
    return openssl_error("signing");
  }
  sig.resize(len);
  if (is_ec(type) && format == SigFormat::raw) {
    return ecdsa_der_to_raw(type, sig);
  }
  return sig;
}

Result<void> verify_message(EVP_PKEY* pkey, KeyType type, std::span<const uint8_t> message,
                            std::span<const uint8_t> signature, SigFormat format) {
  if (type == KeyType::x25519) {
    return make_error(Errc::invalid_argument, "X25519 keys cannot verify signatures");
  }
  std::vector<uint8_t> der;
  if (is_ec(type) && format == SigFormat::raw) {
    auto converted = ecdsa_raw_to_der(type, signature);
    if (!converted) {
      return refused_signature();
    }
    der = std::move(*converted);
    signature = der;
  }
  EvpMdCtx ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, signature_md(type), nullptr, pkey) != 1) {
    return openssl_error("signature verification");
  }
  // 0 is a bad signature and a negative value a malformed one: both are a refusal.
  int rc = EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(),
                            message.size());
  ERR_clear_error();
  if (rc != 1) {
    return refused_signature();
  }
  return {};
}

}  // namespace internal
}  // namespace leea::crypto
