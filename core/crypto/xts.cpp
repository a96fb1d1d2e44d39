#include "core/crypto/xts.h"

#include <array>
#include <string>

#include "core/crypto/openssl_internal.h"

namespace leea::crypto {

struct XtsCipher::Impl {
  internal::EvpCipherCtx ctx;  // EVP_CIPHER_CTX_free cleanses the expanded keys
  bool encrypt = true;
};

XtsCipher::XtsCipher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
XtsCipher::XtsCipher(XtsCipher&&) noexcept = default;
XtsCipher& XtsCipher::operator=(XtsCipher&&) noexcept = default;
XtsCipher::~XtsCipher() = default;

Result<XtsCipher> XtsCipher::create(const SecretBytes& key, Direction direction) {
  if (key.size() != kAesXtsKeySize) {
    return make_error(Errc::invalid_argument,
                      "AES-256-XTS: the key must be 64 bytes, not " + std::to_string(key.size()));
  }
  auto impl = std::make_unique<Impl>();
  impl->encrypt = direction == Direction::encrypt;
  impl->ctx.reset(EVP_CIPHER_CTX_new());
  if (!impl->ctx) {
    return internal::openssl_error("AES-256-XTS: EVP_CIPHER_CTX_new");
  }
  // OpenSSL 3 refuses a key whose two halves are equal (IEEE 1619 §5.1 requires them to
  // differ); that surfaces here.
  if (EVP_CipherInit_ex(impl->ctx.get(), EVP_aes_256_xts(), nullptr, key.reveal().data(), nullptr,
                        impl->encrypt ? 1 : 0) != 1) {
    return internal::openssl_error("AES-256-XTS: key setup");
  }
  return XtsCipher(std::move(impl));
}

Result<void> XtsCipher::process(std::span<uint8_t> data, size_t unit_size, uint64_t first_tweak,
                                uint64_t tweak_step) {
  if (unit_size < 16 || unit_size > (size_t{1} << 24) || data.size() % unit_size != 0) {
    return make_error(Errc::invalid_argument, "AES-256-XTS: " + std::to_string(data.size()) +
                                                  " bytes are not whole data units of " +
                                                  std::to_string(unit_size));
  }
  EVP_CIPHER_CTX* ctx = impl_->ctx.get();
  std::array<uint8_t, 16> tweak{};
  uint64_t n = first_tweak;
  for (size_t off = 0; off < data.size(); off += unit_size, n += tweak_step) {
    // plain64: the unit number, little-endian, zero-padded to the 16-byte tweak.
    for (size_t b = 0; b < 8; ++b) {
      tweak[b] = static_cast<uint8_t>(n >> (8 * b));
    }
    int written = 0;
    // Each EVP update is one XTS data unit, so the tweak is set before every unit.
    if (EVP_CipherInit_ex(ctx, nullptr, nullptr, nullptr, tweak.data(), -1) != 1 ||
        EVP_CipherUpdate(ctx, data.data() + off, &written, data.data() + off,
                         static_cast<int>(unit_size)) != 1 ||
        written != static_cast<int>(unit_size)) {
      return internal::openssl_error("AES-256-XTS: data unit " + std::to_string(n));
    }
  }
  return {};
}

}  // namespace leea::crypto
