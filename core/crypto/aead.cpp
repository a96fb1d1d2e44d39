#include "core/crypto/aead.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "core/crypto/openssl_internal.h"
#include "core/crypto/random.h"

namespace leea::crypto {
namespace {

// EVP_*Update take an int length, so long inputs go through in slices.
constexpr size_t kSlice = size_t{1} << 30;

Result<void> check_key(const SecretBytes& key) {
  if (key.size() != kAesGcmKeySize) {
    return make_error(Errc::invalid_argument,
                      "AES-256-GCM: the key must be 32 bytes, not " + std::to_string(key.size()));
  }
  return {};
}

// Feeds aad (out == nullptr) or data through the context.
bool update(EVP_CIPHER_CTX* ctx, bool encrypt, std::span<const uint8_t> in, uint8_t* out) {
  for (size_t off = 0; off < in.size(); off += kSlice) {
    int n = static_cast<int>(std::min(kSlice, in.size() - off));
    int written = 0;
    uint8_t* dst = out == nullptr ? nullptr : out + off;
    int ok = encrypt ? EVP_EncryptUpdate(ctx, dst, &written, in.data() + off, n)
                     : EVP_DecryptUpdate(ctx, dst, &written, in.data() + off, n);
    if (ok != 1 || (out != nullptr && written != n)) {
      return false;
    }
  }
  return true;
}

internal::EvpCipherCtx init(bool encrypt, const SecretBytes& key, const GcmNonce& nonce) {
  internal::EvpCipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) {
    return nullptr;
  }
  auto init_fn = encrypt ? EVP_EncryptInit_ex : EVP_DecryptInit_ex;
  // The 12-byte nonce is GCM's default IV length, so no EVP_CTRL_GCM_SET_IVLEN is needed.
  if (init_fn(ctx.get(), EVP_aes_256_gcm(), nullptr, key.reveal().data(), nonce.data()) != 1) {
    return nullptr;
  }
  return ctx;
}

}  // namespace

std::vector<uint8_t> Sealed::to_bytes() const {
  std::vector<uint8_t> out;
  out.reserve(nonce.size() + ciphertext.size() + tag.size());
  out.insert(out.end(), nonce.begin(), nonce.end());
  out.insert(out.end(), ciphertext.begin(), ciphertext.end());
  out.insert(out.end(), tag.begin(), tag.end());
  return out;
}

Result<Sealed> Sealed::from_bytes(std::span<const uint8_t> bytes) {
  if (bytes.size() < kAesGcmNonceSize + kAesGcmTagSize) {
    return make_error(Errc::invalid_data, "sealed message: " + std::to_string(bytes.size()) +
                                              " bytes is shorter than nonce and tag");
  }
  Sealed s;
  std::memcpy(s.nonce.data(), bytes.data(), kAesGcmNonceSize);
  auto body = bytes.subspan(kAesGcmNonceSize, bytes.size() - kAesGcmNonceSize - kAesGcmTagSize);
  s.ciphertext.assign(body.begin(), body.end());
  std::memcpy(s.tag.data(), bytes.data() + bytes.size() - kAesGcmTagSize, kAesGcmTagSize);
  return s;
}

Result<Sealed> aes_gcm_seal(const SecretBytes& key, std::span<const uint8_t> plaintext,
                            std::span<const uint8_t> aad) {
  GcmNonce nonce{};
  LEEA_TRY(random_bytes(nonce));
  return aes_gcm_seal(key, nonce, plaintext, aad);
}

Result<Sealed> aes_gcm_seal(const SecretBytes& key, const GcmNonce& nonce,
                            std::span<const uint8_t> plaintext, std::span<const uint8_t> aad) {
  LEEA_TRY(check_key(key));
  internal::EvpCipherCtx ctx = init(true, key, nonce);
  if (!ctx) {
    return internal::openssl_error("AES-256-GCM");
  }
  Sealed s;
  s.nonce = nonce;
  s.ciphertext.resize(plaintext.size());
  int final_len = 0;
  if (!update(ctx.get(), true, aad, nullptr) ||
      !update(ctx.get(), true, plaintext, s.ciphertext.data()) ||
      EVP_EncryptFinal_ex(ctx.get(), s.ciphertext.data() + s.ciphertext.size(), &final_len) != 1 ||
      final_len != 0 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(s.tag.size()),
                          s.tag.data()) != 1) {
    return internal::openssl_error("AES-256-GCM");
  }
  return s;
}

Result<SecretBytes> aes_gcm_open(const SecretBytes& key, const Sealed& sealed,
                                 std::span<const uint8_t> aad) {
  return aes_gcm_open(key, sealed.nonce, sealed.ciphertext, sealed.tag, aad);
}

Result<SecretBytes> aes_gcm_open(const SecretBytes& key, const GcmNonce& nonce,
                                 std::span<const uint8_t> ciphertext, const GcmTag& tag,
                                 std::span<const uint8_t> aad) {
  LEEA_TRY(check_key(key));
  internal::EvpCipherCtx ctx = init(false, key, nonce);
  if (!ctx) {
    return internal::openssl_error("AES-256-GCM");
  }
  // Decrypted bytes land in locked memory and are wiped with it if the tag is wrong.
  SecretBytes plain(ciphertext.size());
  GcmTag expected = tag;  // EVP_CTRL_GCM_SET_TAG takes a non-const pointer
  int final_len = 0;
  if (!update(ctx.get(), false, aad, nullptr) ||
      !update(ctx.get(), false, ciphertext, plain.reveal().data()) ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(expected.size()),
                          expected.data()) != 1) {
    return internal::openssl_error("AES-256-GCM");
  }
  if (EVP_DecryptFinal_ex(ctx.get(), plain.reveal().data() + plain.size(), &final_len) != 1) {
    ERR_clear_error();
    return make_error(Errc::refused, "authentication failed");
  }
  return plain;
}

}  // namespace leea::crypto
