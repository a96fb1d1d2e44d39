// Private to core/crypto: the OpenSSL side of PrivateKey and PublicKey, shared by keys.cpp,
// signature.cpp and the X.509 code.
#pragma once

#include <openssl/evp.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto/keys.h"
#include "core/crypto/openssl_internal.h"
#include "core/util/result.h"

namespace leea::crypto::internal {

// Key files are a few hundred bytes; anything this large is not one.
inline constexpr size_t kMaxKeyFileBytes = 64 * 1024;

struct KeyAccess {
  // The EVP_PKEY inside; owned by the key object and valid while it lives.
  static EVP_PKEY* pkey(const PrivateKey& key);
  static EVP_PKEY* pkey(const PublicKey& key);
  // Wraps a public (or private: only the public part is kept) EVP_PKEY. Fails with
  // Errc::invalid_data, naming source, when the type is not supported.
  static Result<PublicKey> wrap_public(const EVP_PKEY* pkey, std::string_view source);
  // Takes ownership of a private key. Same failures as wrap_public.
  static Result<PrivateKey> wrap_private(EvpPkey pkey, std::string_view source);
};

// The supported type of an OpenSSL key, or nullopt (RSA, other curves, explicit curve
// parameters).
std::optional<KeyType> key_type_of(const EVP_PKEY* pkey);
// "RSA", "EC secp521r1", ...: names an unsupported key in an error message.
std::string describe_key(const EVP_PKEY* pkey);

// The digest that signatures with this key type use (nullptr: none, as for Ed25519).
const EVP_MD* signature_md(KeyType type);

// Signs or verifies message with pkey (of the given type) in the given format.
Result<std::vector<uint8_t>> sign_message(EVP_PKEY* pkey, KeyType type,
                                          std::span<const uint8_t> message, SigFormat format);
Result<void> verify_message(EVP_PKEY* pkey, KeyType type, std::span<const uint8_t> message,
                            std::span<const uint8_t> signature, SigFormat format);

// PEM armour (RFC 7468) around DER: base64 in 64-column lines.
std::string pem_encode(std::string_view label, std::span<const uint8_t> der);

}  // namespace leea::crypto::internal
