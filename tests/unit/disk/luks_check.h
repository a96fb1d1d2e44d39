// Independent checks of a LUKS2 image written by leea, for the disk unit tests and the
// image integration tests: libcryptsetup itself opens the header with the secret and
// returns the volume key, and the payload is decrypted with a direct OpenSSL EVP call,
// sector by sector, numbering IVs the way dm-crypt does (512-byte units). Nothing here goes
// through core/disk or core/crypto.
#pragma once

#include <libcryptsetup.h>
#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

namespace leea::test {

struct OpenedLuks {
  std::string error;  // empty on success
  std::vector<uint8_t> volume_key;
  uint64_t data_offset = 0;  // bytes
  int sector_size = 0;
  std::string cipher, mode;
};

inline OpenedLuks open_luks(const std::string& path, const std::vector<uint8_t>& passphrase) {
  OpenedLuks o;
  crypt_device* cd = nullptr;
  if (crypt_init(&cd, path.c_str()) < 0) {
    o.error = "crypt_init failed";
    return o;
  }
  if (crypt_load(cd, CRYPT_LUKS2, nullptr) < 0) {
    crypt_free(cd);
    o.error = "crypt_load failed: not a LUKS2 header";
    return o;
  }
  std::vector<char> vk(static_cast<size_t>(crypt_get_volume_key_size(cd)));
  size_t vk_size = vk.size();
  int r = crypt_volume_key_get(cd, CRYPT_ANY_SLOT, vk.data(), &vk_size,
                               reinterpret_cast<const char*>(passphrase.data()), passphrase.size());
  if (r < 0) {
    o.error = "crypt_volume_key_get failed: " + std::to_string(r);
  } else {
    o.volume_key.assign(vk.begin(), vk.begin() + static_cast<ptrdiff_t>(vk_size));
  }
  o.data_offset = crypt_get_data_offset(cd) * 512;
  o.sector_size = crypt_get_sector_size(cd);
  o.cipher = crypt_get_cipher(cd);
  o.mode = crypt_get_cipher_mode(cd);
  crypt_free(cd);
  return o;
}

inline std::vector<uint8_t> read_range(const std::string& path, uint64_t off, size_t n) {
  std::ifstream f(path, std::ios::binary);
  f.seekg(static_cast<std::streamoff>(off));
  std::vector<uint8_t> buf(n);
  f.read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(n));
  buf.resize(static_cast<size_t>(f.gcount()));
  return buf;
}

// Decrypts data sector `sector` of the image (sector_size bytes) as dm-crypt would.
inline std::vector<uint8_t> decrypt_sector(const std::string& path, const OpenedLuks& luks,
                                           uint64_t sector) {
  const size_t n = static_cast<size_t>(luks.sector_size);
  auto ct = read_range(path, luks.data_offset + sector * n, n);
  std::vector<uint8_t> pt(ct.size());
  const uint64_t iv_number = sector * n / 512;
  std::array<uint8_t, 16> iv{};
  for (int b = 0; b < 8; ++b)
    iv[static_cast<size_t>(b)] = static_cast<uint8_t>(iv_number >> (8 * b));
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  int len = 0;
  bool ok =
      ct.size() == n &&
      EVP_DecryptInit_ex(ctx, EVP_aes_256_xts(), nullptr, luks.volume_key.data(), iv.data()) == 1 &&
      EVP_DecryptUpdate(ctx, pt.data(), &len, ct.data(), static_cast<int>(n)) == 1;
  EVP_CIPHER_CTX_free(ctx);
  return ok ? pt : std::vector<uint8_t>{};
}

}  // namespace leea::test
