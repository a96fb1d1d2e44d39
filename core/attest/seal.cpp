#include "core/attest/seal.h"

#include "core/config/values.h"
#include "core/crypto/aead.h"
#include "core/crypto/mac.h"
#include "core/util/encoding.h"

namespace leea::attest {
namespace {

constexpr std::string_view kInfo = "leea share seal v1";
constexpr size_t kPointSize = 65;               // SEC1 uncompressed P-256 point
constexpr size_t kHeaderSize = 1 + kPointSize;  // version and sender key
constexpr size_t kMaxBlob = kSealOverhead + kMaxSealedPlaintext;

Error refusal(std::string_view check) {
  return make_error(Errc::refused, "sealed share: " + std::string(check));
}

std::vector<uint8_t> concat(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  std::vector<uint8_t> out(a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

// Both public keys go into the salt so that the key is bound to this exchange (as in
// HPKE's kem_context, RFC 9180 §4.1); the aad goes into info as well as into GCM's aad.
Result<crypto::SecretBytes> derive_key(const crypto::SecretBytes& z,
                                       std::span<const uint8_t> sender_pub,
                                       std::span<const uint8_t> recipient_pub,
                                       std::span<const uint8_t> aad) {
  std::vector<uint8_t> info(kInfo.begin(), kInfo.end());
  info.insert(info.end(), aad.begin(), aad.end());
  return crypto::hkdf(crypto::DigestAlg::sha256, concat(sender_pub, recipient_pub), z, info,
                      crypto::kAesGcmKeySize);
}

Result<void> check_key_and_aad(crypto::KeyType type, std::span<const uint8_t> aad) {
  if (type != crypto::KeyType::p256) {
    return make_error(Errc::invalid_argument, "sealed share: the VM key must be P-256, not " +
                                                  std::string(key_type_name(type)));
  }
  if (aad.size() > kMaxSealAad) {
    return make_error(Errc::invalid_argument, "sealed share: the context is longer than " +
                                                  std::to_string(kMaxSealAad) + " bytes");
  }
  return {};
}

}  // namespace

Result<std::vector<uint8_t>> share_seal_context(std::string_view order_id,
                                                std::string_view validator_id) {
  if (!config::is_valid_id(order_id) || !config::is_valid_id(validator_id)) {
    return make_error(Errc::invalid_argument,
                      "sealed share: order and validator ids must be valid ids");
  }
  std::vector<uint8_t> out;
  for (std::string_view id : {order_id, validator_id}) {
    out.push_back(static_cast<uint8_t>(id.size()));  // at most config::kMaxIdLength
    out.insert(out.end(), id.begin(), id.end());
  }
  return out;
}

Result<std::vector<uint8_t>> share_registration_context(std::string_view order_id,
                                                        std::string_view validator_id) {
  LEEA_ASSIGN_OR_RETURN(auto ids, share_seal_context(order_id, validator_id));
  constexpr std::string_view kWord = "register";
  std::vector<uint8_t> out;
  out.reserve(1 + kWord.size() + ids.size());
  out.push_back(static_cast<uint8_t>(kWord.size()));
  for (char c : kWord) out.push_back(static_cast<uint8_t>(c));
  for (uint8_t b : ids) out.push_back(b);
  return out;
}

Result<std::vector<uint8_t>> seal_share(const crypto::PublicKey& recipient,
                                        const crypto::SecretBytes& plaintext,
                                        std::span<const uint8_t> aad) {
  LEEA_TRY(check_key_and_aad(recipient.type(), aad));
  if (plaintext.empty() || plaintext.size() > kMaxSealedPlaintext) {
    return make_error(Errc::invalid_argument, "sealed share: the share must be 1 to " +
                                                  std::to_string(kMaxSealedPlaintext) + " bytes");
  }
  LEEA_ASSIGN_OR_RETURN(crypto::PrivateKey sender,
                        crypto::PrivateKey::generate(crypto::KeyType::p256));
  LEEA_ASSIGN_OR_RETURN(crypto::SecretBytes z, sender.derive_shared_secret(recipient));
  std::vector<uint8_t> blob{kSealVersion};
  const std::vector<uint8_t> sender_pub = sender.public_key().raw();
  blob.insert(blob.end(), sender_pub.begin(), sender_pub.end());
  LEEA_ASSIGN_OR_RETURN(crypto::SecretBytes key, derive_key(z, sender_pub, recipient.raw(), aad));
  LEEA_ASSIGN_OR_RETURN(crypto::Sealed sealed,
                        crypto::aes_gcm_seal(key, plaintext.reveal(), concat(blob, aad)));
  const std::vector<uint8_t> body = sealed.to_bytes();
  blob.insert(blob.end(), body.begin(), body.end());
  return blob;
}

Result<crypto::SecretBytes> open_share(const crypto::PrivateKey& eph, std::span<const uint8_t> blob,
                                       std::span<const uint8_t> aad) {
  LEEA_TRY(check_key_and_aad(eph.type(), aad));
  if (blob.empty()) {
    return refusal("truncated (empty)");
  }
  if (blob[0] != kSealVersion) {
    return refusal("unsupported version " + std::to_string(blob[0]) + " (this build reads " +
                   std::to_string(kSealVersion) + ")");
  }
  if (blob.size() < kSealOverhead + 1) {
    return refusal("truncated (" + std::to_string(blob.size()) + " bytes)");
  }
  if (blob.size() > kMaxBlob) {
    return refusal("longer than " + std::to_string(kMaxBlob) + " bytes");
  }
  const auto header = blob.first(kHeaderSize);
  const auto sender_pub = header.subspan(1);
  // A sender key off the curve is damage like any other: one answer for all of it.
  auto sender = crypto::PublicKey::from_raw(crypto::KeyType::p256, sender_pub);
  if (!sender) {
    return refusal("authentication failed");
  }
  auto z = eph.derive_shared_secret(*sender);
  if (!z) {
    return refusal("authentication failed");
  }
  LEEA_ASSIGN_OR_RETURN(crypto::SecretBytes key,
                        derive_key(*z, sender_pub, eph.public_key().raw(), aad));
  LEEA_ASSIGN_OR_RETURN(crypto::Sealed sealed,
                        crypto::Sealed::from_bytes(blob.subspan(kHeaderSize)));
  auto plain = crypto::aes_gcm_open(key, sealed, concat(header, aad));
  if (!plain) {
    return refusal("authentication failed");
  }
  return std::move(*plain);
}

std::string sealed_share_text(std::span<const uint8_t> blob) { return base64url_encode(blob); }

Result<std::vector<uint8_t>> sealed_share_from_text(std::string_view text) {
  if (text.size() > (kMaxBlob * 4 + 2) / 3) {
    return refusal("longer than " + std::to_string(kMaxBlob) + " bytes");
  }
  auto blob = base64url_decode(text);
  if (!blob) {
    return refusal("not base64url");
  }
  return std::move(*blob);
}

}  // namespace leea::attest
