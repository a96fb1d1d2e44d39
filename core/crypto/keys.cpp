#include "core/crypto/keys.h"

#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/pem.h>

#include "core/crypto/digest.h"
#include "core/crypto/keys_internal.h"
#include "core/util/encoding.h"

namespace leea::crypto {

namespace {

size_t field_size(KeyType type) { return type == KeyType::p384 ? 48 : 32; }

bool is_ec(KeyType type) { return type == KeyType::p256 || type == KeyType::p384; }

const char* ossl_name(KeyType type) {
  switch (type) {
    case KeyType::p256:
    case KeyType::p384:
      return "EC";
    case KeyType::ed25519:
      return "ED25519";
    case KeyType::x25519:
      return "X25519";
  }
  return "EC";
}

// The raw public value of a supported key: 0x04||X||Y for EC (always uncompressed, whatever
// form the key arrived in), the 32-byte string for the Edwards/Montgomery curves.
Result<std::vector<uint8_t>> raw_public(const EVP_PKEY* pkey, KeyType type) {
  if (!is_ec(type)) {
    std::vector<uint8_t> out(32);
    size_t len = out.size();
    if (EVP_PKEY_get_raw_public_key(pkey, out.data(), &len) != 1 || len != out.size()) {
      return internal::openssl_error("public key");
    }
    return out;
  }
  const size_t n = field_size(type);
  BIGNUM* x = nullptr;
  BIGNUM* y = nullptr;
  bool ok = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, &x) == 1 &&
            EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &y) == 1;
  internal::Bignum bx(x), by(y);
  std::vector<uint8_t> out(1 + 2 * n);
  out[0] = 0x04;
  if (!ok || BN_bn2binpad(bx.get(), out.data() + 1, static_cast<int>(n)) < 0 ||
      BN_bn2binpad(by.get(), out.data() + 1 + n, static_cast<int>(n)) < 0) {
    return internal::openssl_error("public key");
  }
  return out;
}

// A public-only EVP_PKEY from a raw public value; EC points are checked to be on the curve.
Result<internal::EvpPkey> pkey_from_raw(KeyType type, std::span<const uint8_t> raw) {
  if (!is_ec(type)) {
    internal::EvpPkey pkey(
        EVP_PKEY_new_raw_public_key_ex(nullptr, ossl_name(type), nullptr, raw.data(), raw.size()));
    if (!pkey) {
      return internal::openssl_error("public key", Errc::invalid_data);
    }
    return pkey;
  }
  internal::EvpPkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(
                             OSSL_PKEY_PARAM_GROUP_NAME,
                             const_cast<char*>(type == KeyType::p256 ? "P-256" : "P-384"), 0),
                         OSSL_PARAM_construct_octet_string(
                             OSSL_PKEY_PARAM_PUB_KEY, const_cast<uint8_t*>(raw.data()), raw.size()),
                         OSSL_PARAM_construct_end()};
  EVP_PKEY* out = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &out, EVP_PKEY_PUBLIC_KEY, params) != 1) {
    return internal::openssl_error("public key: not a point on the curve", Errc::invalid_data);
  }
  internal::EvpPkey pkey(out);
  internal::EvpPkeyCtx check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) {
    return internal::openssl_error("public key: not a point on the curve", Errc::invalid_data);
  }
  return pkey;
}

Result<std::vector<uint8_t>> spki_of(const EVP_PKEY* pkey) {
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(pkey, &der);
  if (len <= 0) {
    return internal::openssl_error("public key encoding");
  }
  std::vector<uint8_t> out(der, der + len);
  OPENSSL_free(der);
  return out;
}

}  // namespace

std::string_view key_type_name(KeyType type) {
  switch (type) {
    case KeyType::p256:
      return "P-256";
    case KeyType::p384:
      return "P-384";
    case KeyType::ed25519:
      return "Ed25519";
    case KeyType::x25519:
      return "X25519";
  }
  return "P-256";
}

// ---- internal ----

namespace internal {

std::optional<KeyType> key_type_of(const EVP_PKEY* pkey) {
  if (EVP_PKEY_is_a(pkey, "ED25519")) {
    return KeyType::ed25519;
  }
  if (EVP_PKEY_is_a(pkey, "X25519")) {
    return KeyType::x25519;
  }
  if (!EVP_PKEY_is_a(pkey, "EC")) {
    return std::nullopt;
  }
  // Explicit curve parameters are refused even when they spell a named curve: a chosen
  // generator is how certificate spoofing works against careless verifiers (CVE-2020-0601).
  char buf[64];
  size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_EC_ENCODING, buf, sizeof buf, &len) !=
          1 ||
      std::string_view(buf, len) != OSSL_PKEY_EC_ENCODING_GROUP) {
    return std::nullopt;
  }
  if (EVP_PKEY_get_group_name(pkey, buf, sizeof buf, &len) != 1) {
    return std::nullopt;
  }
  std::string_view group(buf, len);
  if (group == "prime256v1" || group == "P-256") {
    return KeyType::p256;
  }
  if (group == "secp384r1" || group == "P-384") {
    return KeyType::p384;
  }
  return std::nullopt;
}

std::string describe_key(const EVP_PKEY* pkey) {
  const char* name = EVP_PKEY_get0_type_name(pkey);
  std::string out = name != nullptr ? name : "unknown";
  char group[64];
  size_t len = 0;
  if (EVP_PKEY_get_group_name(pkey, group, sizeof group, &len) == 1) {
    out += " " + std::string(group, len);
  }
  return out;
}

std::string pem_encode(std::string_view label, std::span<const uint8_t> der) {
  std::string b64 = base64_encode(der);
  std::string out = "-----BEGIN " + std::string(label) + "-----\n";
  for (size_t i = 0; i < b64.size(); i += 64) {
    out.append(b64, i, 64);
    out += '\n';
  }
  out += "-----END " + std::string(label) + "-----\n";
  return out;
}

}  // namespace internal

// ---- PublicKey ----

struct PublicKey::Impl {
  internal::EvpPkey pkey;
  KeyType type;
  std::vector<uint8_t> raw;
  std::vector<uint8_t> spki;
};

PublicKey::PublicKey(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

EVP_PKEY* internal::KeyAccess::pkey(const PublicKey& key) { return key.impl_->pkey.get(); }

// Every PublicKey is rebuilt from its raw value, so that equal keys have equal SPKI DER
// (and fingerprints) whatever encoding they arrived in.
Result<PublicKey> internal::KeyAccess::wrap_public(const EVP_PKEY* pkey, std::string_view source) {
  std::optional<KeyType> type = key_type_of(pkey);
  if (!type) {
    return make_error(Errc::invalid_data, std::string(source) + ": unsupported key type " +
                                              describe_key(pkey) +
                                              " (expected P-256, P-384, Ed25519 or X25519)");
  }
  LEEA_ASSIGN_OR_RETURN(std::vector<uint8_t> raw, raw_public(pkey, *type));
  LEEA_ASSIGN_OR_RETURN(EvpPkey pub, pkey_from_raw(*type, raw));
  LEEA_ASSIGN_OR_RETURN(std::vector<uint8_t> spki, spki_of(pub.get()));
  return PublicKey(std::make_shared<const PublicKey::Impl>(
      PublicKey::Impl{std::move(pub), *type, std::move(raw), std::move(spki)}));
}

Result<PublicKey> PublicKey::from_pem(std::string_view pem, std::string_view source) {
  internal::Bio bio = internal::memory_bio(pem.data(), pem.size());
  internal::EvpPkey pkey(
      bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, internal::refuse_passphrase, nullptr)
          : nullptr);
  if (!pkey) {
    if (pem.find("-----BEGIN PUBLIC KEY-----") == std::string_view::npos) {
      ERR_clear_error();
      return make_error(Errc::invalid_data, std::string(source) + ": no PEM public key found");
    }
    return internal::openssl_error(std::string(source) + ": malformed PEM public key",
                                   Errc::invalid_data);
  }
  return internal::KeyAccess::wrap_public(pkey.get(), source);
}

Result<PublicKey> PublicKey::load_pem(const std::filesystem::path& path) {
  LEEA_ASSIGN_OR_RETURN(std::string pem, read_file(path, internal::kMaxKeyFileBytes));
  return from_pem(pem, path.string());
}

Result<PublicKey> PublicKey::from_spki_der(std::span<const uint8_t> der, std::string_view source) {
  const unsigned char* p = der.data();
  internal::EvpPkey pkey(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (!pkey) {
    return internal::openssl_error(std::string(source) + ": malformed SubjectPublicKeyInfo",
                                   Errc::invalid_data);
  }
  if (p != der.data() + der.size()) {
    return make_error(Errc::invalid_data,
                      std::string(source) + ": trailing bytes after SubjectPublicKeyInfo");
  }
  return internal::KeyAccess::wrap_public(pkey.get(), source);
}

Result<PublicKey> PublicKey::from_raw(KeyType type, std::span<const uint8_t> raw) {
  const size_t want = is_ec(type) ? 1 + 2 * field_size(type) : 32;
  if (raw.size() != want || (is_ec(type) && raw[0] != 0x04)) {
    return make_error(Errc::invalid_data,
                      std::string(key_type_name(type)) + " public key: expected " +
                          std::to_string(want) +
                          (is_ec(type) ? " bytes (uncompressed point)" : " bytes") + ", got " +
                          std::to_string(raw.size()));
  }
  LEEA_ASSIGN_OR_RETURN(internal::EvpPkey pkey, pkey_from_raw(type, raw));
  return internal::KeyAccess::wrap_public(pkey.get(), key_type_name(type));
}

KeyType PublicKey::type() const { return impl_->type; }
const std::vector<uint8_t>& PublicKey::spki_der() const { return impl_->spki; }
std::vector<uint8_t> PublicKey::raw() const { return impl_->raw; }

std::string PublicKey::to_pem() const { return internal::pem_encode("PUBLIC KEY", impl_->spki); }

std::string PublicKey::fingerprint() const {
  auto h = sha256(impl_->spki);
  return "sha256:" + hex_encode(std::span(h).first(8));
}

Jwk PublicKey::jwk() const {
  std::span<const uint8_t> raw = impl_->raw;
  Jwk j;
  j.crv = std::string(key_type_name(impl_->type));
  if (is_ec(impl_->type)) {
    const size_t n = field_size(impl_->type);
    j.kty = "EC";
    j.x = base64url_encode(raw.subspan(1, n));
    j.y = base64url_encode(raw.subspan(1 + n, n));
  } else {
    j.kty = "OKP";
    j.x = base64url_encode(raw);
  }
  return j;
}

Result<void> PublicKey::verify(std::span<const uint8_t> message, std::span<const uint8_t> signature,
                               SigFormat format) const {
  return internal::verify_message(impl_->pkey.get(), impl_->type, message, signature, format);
}

bool PublicKey::operator==(const PublicKey& other) const {
  return impl_->type == other.impl_->type && impl_->raw == other.impl_->raw;
}

std::string Jwk::to_json() const {
  // Every value is a fixed name or base64url, so nothing needs escaping.
  std::string out = "{\"crv\":\"" + crv + "\",\"kty\":\"" + kty + "\",\"x\":\"" + x + "\"";
  if (!y.empty()) {
    out += ",\"y\":\"" + y + "\"";
  }
  return out + "}";
}

std::string Jwk::thumbprint() const {
  auto h = sha256(to_json());
  return base64url_encode(h);
}

}  // namespace leea::crypto
