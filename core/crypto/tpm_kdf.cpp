#include "core/crypto/tpm_kdf.h"

#include <openssl/crypto.h>

#include <algorithm>

#include "core/crypto/mac.h"
#include "core/crypto/openssl_internal.h"

namespace leea::crypto {
namespace {

constexpr size_t kMaxKdfBits = 8192;

void put_u32(std::vector<uint8_t>& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

Result<void> check_bits(size_t bits) {
  if (bits == 0 || bits % 8 != 0 || bits > kMaxKdfBits) {
    return make_error(Errc::invalid_argument, "TPM KDF: " + std::to_string(bits) +
                                                  " bits is not a multiple of 8 in 8..8192");
  }
  return {};
}

// The input after the counter: label ‖ 0x00 ‖ u ‖ v, with [bits]32 appended when with_bits.
std::vector<uint8_t> fixed_input(std::string_view label, std::span<const uint8_t> u,
                                 std::span<const uint8_t> v, size_t bits, bool with_bits) {
  std::vector<uint8_t> in(label.begin(), label.end());
  in.push_back(0);
  in.insert(in.end(), u.begin(), u.end());
  in.insert(in.end(), v.begin(), v.end());
  if (with_bits) put_u32(in, static_cast<uint32_t>(bits));
  return in;
}

const EVP_CIPHER* cfb_cipher(size_t key_size) {
  if (key_size == 16) return EVP_aes_128_cfb128();
  if (key_size == 32) return EVP_aes_256_cfb128();
  return nullptr;
}

Result<void> run_cfb(const SecretBytes& key, std::span<const uint8_t> iv,
                     std::span<const uint8_t> in, std::span<uint8_t> out, bool encrypt) {
  const EVP_CIPHER* cipher = cfb_cipher(key.size());
  if (cipher == nullptr || iv.size() != 16) {
    return make_error(Errc::invalid_argument, "AES-CFB: key must be 16 or 32 bytes, IV 16 bytes");
  }
  internal::EvpCipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  int fin = 0;
  if (!ctx ||
      EVP_CipherInit_ex(ctx.get(), cipher, nullptr, key.reveal().data(), iv.data(),
                        encrypt ? 1 : 0) != 1 ||
      EVP_CipherUpdate(ctx.get(), out.data(), &len, in.data(), static_cast<int>(in.size())) != 1 ||
      EVP_CipherFinal_ex(ctx.get(), out.data() + len, &fin) != 1 ||
      static_cast<size_t>(len + fin) != in.size()) {
    return internal::openssl_error("AES-CFB");
  }
  return {};
}

}  // namespace

Result<SecretBytes> tpm_kdfa(DigestAlg alg, const SecretBytes& key, std::string_view label,
                             std::span<const uint8_t> context_u, std::span<const uint8_t> context_v,
                             size_t bits) {
  LEEA_TRY(check_bits(bits));
  const std::vector<uint8_t> fixed = fixed_input(label, context_u, context_v, bits, true);
  SecretBytes out(bits / 8);
  size_t done = 0;
  for (uint32_t i = 1; done < out.size(); ++i) {
    std::vector<uint8_t> in;
    put_u32(in, i);
    in.insert(in.end(), fixed.begin(), fixed.end());
    LEEA_ASSIGN_OR_RETURN(std::vector<uint8_t> block, hmac(alg, key, in));
    size_t n = std::min(block.size(), out.size() - done);
    std::copy_n(block.begin(), n, out.reveal().begin() + static_cast<ptrdiff_t>(done));
    OPENSSL_cleanse(block.data(), block.size());
    done += n;
  }
  return out;
}

Result<SecretBytes> tpm_kdfe(DigestAlg alg, const SecretBytes& z, std::string_view label,
                             std::span<const uint8_t> party_u_info,
                             std::span<const uint8_t> party_v_info, size_t bits) {
  LEEA_TRY(check_bits(bits));
  const std::vector<uint8_t> fixed = fixed_input(label, party_u_info, party_v_info, bits, false);
  SecretBytes out(bits / 8);
  size_t done = 0;
  for (uint32_t i = 1; done < out.size(); ++i) {
    std::vector<uint8_t> counter;
    put_u32(counter, i);
    std::vector<uint8_t> block =
        Digest(alg).update(counter).update(z.reveal()).update(fixed).finish();
    size_t n = std::min(block.size(), out.size() - done);
    std::copy_n(block.begin(), n, out.reveal().begin() + static_cast<ptrdiff_t>(done));
    OPENSSL_cleanse(block.data(), block.size());
    done += n;
  }
  return out;
}

Result<std::vector<uint8_t>> aes_cfb_encrypt(const SecretBytes& key, std::span<const uint8_t> iv,
                                             std::span<const uint8_t> plaintext) {
  std::vector<uint8_t> out(plaintext.size());
  LEEA_TRY(run_cfb(key, iv, plaintext, out, true));
  return out;
}

Result<SecretBytes> aes_cfb_decrypt(const SecretBytes& key, std::span<const uint8_t> iv,
                                    std::span<const uint8_t> ciphertext) {
  SecretBytes out(ciphertext.size());
  LEEA_TRY(run_cfb(key, iv, ciphertext, out.reveal(), false));
  return out;
}

}  // namespace leea::crypto
