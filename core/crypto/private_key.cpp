// PrivateKey (declared in keys.h): generation, PKCS#8 PEM files, signing and key agreement.
#include <openssl/pem.h>

#include <string>

#include "core/crypto/keys.h"
#include "core/crypto/keys_internal.h"

namespace leea::crypto {
namespace {

std::string_view as_text(std::span<const uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// Reads the first private-key PEM block into secure memory and decodes its DER. The two
// stages are separate because OpenSSL 3.0's one-call decoder reports every failure as
// "unsupported", while the PEM reader names what is wrong with the armour.
Result<internal::EvpPkey> decode_private_pem(std::string_view text, std::string_view source) {
  internal::Bio bio = internal::memory_bio(text.data(), text.size());
  unsigned char* der = nullptr;
  long len = 0;
  char* label = nullptr;
  if (!bio || PEM_bytes_read_bio_secmem(&der, &len, &label, PEM_STRING_EVP_PKEY, bio.get(),
                                        internal::refuse_passphrase, nullptr) != 1) {
    unsigned long e = ERR_peek_error();
    if (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE) {
      ERR_clear_error();
      return make_error(Errc::invalid_data, std::string(source) + ": no PEM private key found");
    }
    return internal::openssl_error(std::string(source) + ": truncated or malformed PEM private key",
                                   Errc::invalid_data);
  }
  OPENSSL_free(label);
  const unsigned char* p = der;
  internal::EvpPkey pkey(d2i_AutoPrivateKey(nullptr, &p, len));
  const bool whole = pkey && p == der + len;
  OPENSSL_secure_clear_free(der, static_cast<size_t>(len));
  if (!whole) {
    ERR_clear_error();
    return make_error(Errc::invalid_data, std::string(source) + ": malformed private key");
  }
  return pkey;
}

}  // namespace

struct PrivateKey::Impl {
  internal::EvpPkey pkey;
  KeyType type;
  PublicKey pub;
};

PrivateKey::PrivateKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PrivateKey::PrivateKey(PrivateKey&&) noexcept = default;
PrivateKey& PrivateKey::operator=(PrivateKey&&) noexcept = default;
PrivateKey::~PrivateKey() = default;

EVP_PKEY* internal::KeyAccess::pkey(const PrivateKey& key) { return key.impl_->pkey.get(); }

Result<PrivateKey> internal::KeyAccess::wrap_private(EvpPkey pkey, std::string_view source) {
  std::optional<KeyType> type = key_type_of(pkey.get());
  if (!type) {
    return make_error(Errc::invalid_data, std::string(source) + ": unsupported key type " +
                                              describe_key(pkey.get()) +
                                              " (expected P-256, P-384, Ed25519 or X25519)");
  }
  LEEA_ASSIGN_OR_RETURN(PublicKey pub, wrap_public(pkey.get(), source));
  return PrivateKey(
      std::make_unique<PrivateKey::Impl>(PrivateKey::Impl{std::move(pkey), *type, std::move(pub)}));
}

Result<PrivateKey> PrivateKey::generate(KeyType type) {
  EVP_PKEY* pkey = nullptr;
  switch (type) {
    case KeyType::p256:
      pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
      break;
    case KeyType::p384:
      pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
      break;
    case KeyType::ed25519:
      pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
      break;
    case KeyType::x25519:
      pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519");
      break;
  }
  if (pkey == nullptr) {
    return internal::openssl_error("key generation");
  }
  return internal::KeyAccess::wrap_private(internal::EvpPkey(pkey), "generated key");
}

Result<PrivateKey> PrivateKey::load_pem(const std::filesystem::path& path) {
  LEEA_ASSIGN_OR_RETURN(SecretBytes pem, read_secret(path.c_str(), internal::kMaxKeyFileBytes));
  return from_pem(pem, path.string());
}

Result<PrivateKey> PrivateKey::from_pem(const SecretBytes& pem, std::string_view source) {
  // Only the PEM labels are looked at as text; they are not secret.
  std::string_view text = as_text(pem.reveal());
  // PKCS#8 EncryptedPrivateKeyInfo, or an RFC 1421 header on a traditional key.
  if (text.find("-----BEGIN ENCRYPTED PRIVATE KEY-----") != std::string_view::npos ||
      text.find("Proc-Type: 4,ENCRYPTED") != std::string_view::npos) {
    return make_error(Errc::invalid_data,
                      std::string(source) + ": encrypted private keys are not supported");
  }
  LEEA_ASSIGN_OR_RETURN(internal::EvpPkey pkey, decode_private_pem(text, source));
  // Catches a PKCS#8 whose embedded public key does not match its private scalar.
  internal::EvpPkeyCtx check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
  if (!check || EVP_PKEY_pairwise_check(check.get()) != 1) {
    return internal::openssl_error(std::string(source) + ": inconsistent private key",
                                   Errc::invalid_data);
  }
  return internal::KeyAccess::wrap_private(std::move(pkey), source);
}

Result<void> PrivateKey::save_pem(const std::filesystem::path& path, AtomicFile::Mode mode) const {
  // A secure-memory BIO: its buffer is wiped when freed, so the PEM text leaves no copy.
  internal::Bio bio(BIO_new(BIO_s_secmem()));
  if (!bio || PEM_write_bio_PKCS8PrivateKey(bio.get(), impl_->pkey.get(), nullptr, nullptr, 0,
                                            nullptr, nullptr) != 1) {
    return internal::openssl_error(path.string() + ": private key encoding");
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  if (len <= 0 || data == nullptr) {
    return internal::openssl_error(path.string() + ": private key encoding");
  }
  LEEA_ASSIGN_OR_RETURN(AtomicFile file, AtomicFile::open(path, 0600, mode));
  LEEA_TRY(file.write(std::string_view(data, static_cast<size_t>(len))));
  return file.commit();
}

KeyType PrivateKey::type() const { return impl_->type; }
const PublicKey& PrivateKey::public_key() const { return impl_->pub; }

Result<std::vector<uint8_t>> PrivateKey::sign(std::span<const uint8_t> message,
                                              SigFormat format) const {
  return internal::sign_message(impl_->pkey.get(), impl_->type, message, format);
}

Result<SecretBytes> PrivateKey::derive_shared_secret(const PublicKey& peer) const {
  if (impl_->type == KeyType::ed25519) {
    return make_error(Errc::invalid_argument, "Ed25519 keys cannot be used for key agreement");
  }
  if (peer.type() != impl_->type) {
    return make_error(Errc::invalid_argument,
                      "key agreement between a " + std::string(key_type_name(impl_->type)) +
                          " key and a " + std::string(key_type_name(peer.type())) + " key");
  }
  internal::EvpPkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, impl_->pkey.get(), nullptr));
  size_t len = 0;
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
      EVP_PKEY_derive_set_peer_ex(ctx.get(), internal::KeyAccess::pkey(peer), 1) != 1 ||
      EVP_PKEY_derive(ctx.get(), nullptr, &len) != 1) {
    return internal::openssl_error("key agreement");
  }
  SecretBytes shared(len);
  // X25519 fails here when the peer's point has small order (an all-zero result).
  if (EVP_PKEY_derive(ctx.get(), shared.reveal().data(), &len) != 1) {
    return internal::openssl_error("key agreement refused", Errc::refused);
  }
  if (len != shared.size()) {
    return shared.prefix(len);
  }
  return shared;
}

}  // namespace leea::crypto
