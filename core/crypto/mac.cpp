#include "core/crypto/mac.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <string>

#include "core/crypto/openssl_internal.h"

namespace leea::crypto {
namespace {

// OpenSSL provider names of the digests.
const char* ossl_digest_name(DigestAlg alg) {
  switch (alg) {
    case DigestAlg::sha256:
      return "SHA2-256";
    case DigestAlg::sha384:
      return "SHA2-384";
    case DigestAlg::sha512:
      return "SHA2-512";
  }
  return "SHA2-256";
}

// OSSL_PARAM wants a non-null pointer even for an empty octet string.
void* octets(std::span<const uint8_t> s) {
  static const uint8_t kEmpty = 0;
  return const_cast<uint8_t*>(s.empty() ? &kEmpty : s.data());
}

Result<void> hmac_into(DigestAlg alg, std::span<const uint8_t> key, std::span<const uint8_t> data,
                       std::span<uint8_t> out) {
  internal::EvpMac mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  internal::EvpMacCtx ctx(mac ? EVP_MAC_CTX_new(mac.get()) : nullptr);
  if (!ctx) {
    return internal::openssl_error("HMAC");
  }
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(
                             OSSL_MAC_PARAM_DIGEST, const_cast<char*>(ossl_digest_name(alg)), 0),
                         OSSL_PARAM_construct_end()};
  size_t len = 0;
  if (EVP_MAC_init(ctx.get(), static_cast<const unsigned char*>(octets(key)), key.size(), params) !=
          1 ||
      EVP_MAC_update(ctx.get(), data.data(), data.size()) != 1 ||
      EVP_MAC_final(ctx.get(), out.data(), &len, out.size()) != 1 || len != out.size()) {
    return internal::openssl_error("HMAC");
  }
  return {};
}

// One EVP_KDF "HKDF" call in the given mode; out.size() bytes of output.
Result<void> run_hkdf(DigestAlg alg, int mode, std::span<const uint8_t> salt,
                      std::span<const uint8_t> key, std::span<const uint8_t> info,
                      std::span<uint8_t> out) {
  internal::EvpKdf kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
  internal::EvpKdfCtx ctx(kdf ? EVP_KDF_CTX_new(kdf.get()) : nullptr);
  if (!ctx) {
    return internal::openssl_error("HKDF");
  }
  OSSL_PARAM params[6];
  size_t n = 0;
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
                                                 const_cast<char*>(ossl_digest_name(alg)), 0);
  params[n++] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
  params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, octets(key), key.size());
  // Absent salt and info are the RFC's defaults (HashLen zeros and the empty string).
  if (!salt.empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, octets(salt), salt.size());
  }
  if (!info.empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, octets(info), info.size());
  }
  params[n] = OSSL_PARAM_construct_end();
  if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1) {
    return internal::openssl_error("HKDF");
  }
  return {};
}

}  // namespace

Result<std::vector<uint8_t>> hmac(DigestAlg alg, std::span<const uint8_t> key,
                                  std::span<const uint8_t> data) {
  std::vector<uint8_t> out(digest_size(alg));
  LEEA_TRY(hmac_into(alg, key, data, out));
  return out;
}

Result<std::vector<uint8_t>> hmac(DigestAlg alg, const SecretBytes& key,
                                  std::span<const uint8_t> data) {
  return hmac(alg, key.reveal(), data);
}

Result<void> hmac_verify(DigestAlg alg, std::span<const uint8_t> key, std::span<const uint8_t> data,
                         std::span<const uint8_t> tag) {
  LEEA_ASSIGN_OR_RETURN(std::vector<uint8_t> expected, hmac(alg, key, data));
  // The length of a tag is public; only its contents are compared in constant time.
  if (tag.size() != expected.size() ||
      CRYPTO_memcmp(expected.data(), tag.data(), expected.size()) != 0) {
    return make_error(Errc::refused, "MAC verification failed");
  }
  return {};
}

Result<void> hmac_verify(DigestAlg alg, const SecretBytes& key, std::span<const uint8_t> data,
                         std::span<const uint8_t> tag) {
  return hmac_verify(alg, key.reveal(), data, tag);
}

Result<SecretBytes> hkdf_extract(DigestAlg alg, std::span<const uint8_t> salt,
                                 std::span<const uint8_t> ikm) {
  SecretBytes prk(digest_size(alg));
  LEEA_TRY(run_hkdf(alg, EVP_KDF_HKDF_MODE_EXTRACT_ONLY, salt, ikm, {}, prk.reveal()));
  return prk;
}

Result<SecretBytes> hkdf_extract(DigestAlg alg, std::span<const uint8_t> salt,
                                 const SecretBytes& ikm) {
  return hkdf_extract(alg, salt, ikm.reveal());
}

Result<SecretBytes> hkdf_expand(DigestAlg alg, const SecretBytes& prk,
                                std::span<const uint8_t> info, size_t length) {
  const size_t hash_len = digest_size(alg);
  if (prk.size() < hash_len) {
    return make_error(Errc::invalid_argument, "HKDF: the pseudorandom key must be at least " +
                                                  std::to_string(hash_len) + " bytes");
  }
  if (length == 0 || length > 255 * hash_len) {
    return make_error(Errc::invalid_argument, "HKDF: output length must be 1 to " +
                                                  std::to_string(255 * hash_len) + " bytes");
  }
  SecretBytes okm(length);
  LEEA_TRY(run_hkdf(alg, EVP_KDF_HKDF_MODE_EXPAND_ONLY, {}, prk.reveal(), info, okm.reveal()));
  return okm;
}

Result<SecretBytes> hkdf(DigestAlg alg, std::span<const uint8_t> salt, std::span<const uint8_t> ikm,
                         std::span<const uint8_t> info, size_t length) {
  LEEA_ASSIGN_OR_RETURN(SecretBytes prk, hkdf_extract(alg, salt, ikm));
  return hkdf_expand(alg, prk, info, length);
}

Result<SecretBytes> hkdf(DigestAlg alg, std::span<const uint8_t> salt, const SecretBytes& ikm,
                         std::span<const uint8_t> info, size_t length) {
  return hkdf(alg, salt, ikm.reveal(), info, length);
}

}  // namespace leea::crypto
