// Sealing a share to a VM's ephemeral P-256 key, so that only the VM that holds the private
// half can read it: not a TLS terminator, a proxy, a log of the response or the node. The
// same sealing carries each share from the operator to its validator at registration, to the
// validator's share key.
//
// ECIES-style: a fresh sender key pair per share; z = ECDH(sender, recipient) (SEC1 §3.3.1);
// key = HKDF-SHA256(salt = sender_pub || recipient_pub, ikm = z, info = "leea share seal v1"
// || aad, 32 bytes) (RFC 5869); AES-256-GCM (SP 800-38D) under that key, authenticating the
// blob's header (version and sender key) and aad. aad is the caller's context, for shares
// share_seal_context(order, validator), so a sealed share cannot be passed off as another
// validator's or another order's. Blob layout, version 1:
//
//   0x01 | sender public key, SEC1 uncompressed (65) | nonce (12) | ciphertext | tag (16)
//
// Anything wrong with a blob after its version byte (any flipped bit, the wrong key, the
// wrong aad, a cut) fails as "sealed share: authentication failed" and releases nothing.
// Stateless and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto/keys.h"
#include "core/crypto/secret_bytes.h"
#include "core/util/result.h"

namespace leea::attest {

inline constexpr uint8_t kSealVersion = 1;
inline constexpr size_t kSealOverhead = 1 + 65 + 12 + 16;
// The largest plaintext sealed, and the longest aad (HKDF info must stay within OpenSSL's
// 1024-byte limit).
inline constexpr size_t kMaxSealedPlaintext = 64 * 1024;
inline constexpr size_t kMaxSealAad = 512;

// The aad binding a sealed share to its order and its validator: each id preceded by its
// length in one byte. Fails with Errc::invalid_argument when an id is not a valid id.
Result<std::vector<uint8_t>> share_seal_context(std::string_view order_id,
                                                std::string_view validator_id);

// The aad binding a share an operator seals to a validator at registration: the word
// "register", then the order id and the validator id, each of the three preceded by its
// length in one byte. It never equals a share_seal_context() (it has three fields), so a
// blob made for one use is refused in the other. Fails as share_seal_context.
Result<std::vector<uint8_t>> share_registration_context(std::string_view order_id,
                                                        std::string_view validator_id);

// Seals plaintext to recipient with aad. Returns the blob. Fails with
// Errc::invalid_argument when recipient is not P-256, plaintext is empty or longer than
// kMaxSealedPlaintext, or aad is longer than kMaxSealAad; Errc::internal when key generation,
// key agreement or encryption fails.
Result<std::vector<uint8_t>> seal_share(const crypto::PublicKey& recipient,
                                        const crypto::SecretBytes& plaintext,
                                        std::span<const uint8_t> aad);

// Opens a blob with the recipient's private key and the same aad. Returns the plaintext in
// locked memory. Fails with Errc::refused "sealed share: unsupported version N" for an
// unknown version byte, "sealed share: truncated" when shorter than kSealOverhead + 1 or
// longer than the largest blob, and "sealed share: authentication failed" for any other
// damage, the wrong key or the wrong aad; Errc::invalid_argument when eph is not P-256 or
// aad is longer than kMaxSealAad.
Result<crypto::SecretBytes> open_share(const crypto::PrivateKey& eph, std::span<const uint8_t> blob,
                                       std::span<const uint8_t> aad);

// The blob as unpadded base64url (RFC 4648 §5), for JSON.
std::string sealed_share_text(std::span<const uint8_t> blob);
// Decodes sealed_share_text(). Fails with Errc::refused "sealed share: not base64url" or
// "sealed share: too long".
Result<std::vector<uint8_t>> sealed_share_from_text(std::string_view text);

}  // namespace leea::attest
