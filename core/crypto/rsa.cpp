#include "core/crypto/rsa.h"

#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "core/crypto/keys_internal.h"
#include "core/crypto/openssl_internal.h"
#include "core/crypto/x509_internal.h"

namespace leea::crypto {

namespace {

constexpr size_t kMinModulusBits = 2048;
constexpr size_t kMaxModulusBits = 8192;

using ParamBld = std::unique_ptr<OSSL_PARAM_BLD, internal::Deleter<&OSSL_PARAM_BLD_free>>;
using Params = std::unique_ptr<OSSL_PARAM, internal::Deleter<&OSSL_PARAM_free>>;

Error refused() { return make_error(Errc::refused, "signature verification failed"); }

}  // namespace

struct RsaPublicKey::Impl {
  internal::EvpPkey pkey;
  std::vector<uint8_t> modulus;
  uint32_t exponent = 0;
  std::vector<uint8_t> spki;
};

RsaPublicKey::RsaPublicKey(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

Result<RsaPublicKey> RsaPublicKey::from_components(std::span<const uint8_t> modulus,
                                                   uint32_t exponent) {
  if (!modulus.empty() && modulus[0] == 0) modulus = modulus.subspan(1);
  if (modulus.empty() || modulus[0] == 0) {
    return make_error(Errc::invalid_data, "RSA modulus: leading zero bytes or empty");
  }
  size_t bits = modulus.size() * 8;
  for (uint8_t top = modulus[0]; (top & 0x80) == 0; top = static_cast<uint8_t>(top << 1)) --bits;
  if (bits < kMinModulusBits || bits > kMaxModulusBits) {
    return make_error(Errc::invalid_data,
                      "RSA modulus: " + std::to_string(bits) + " bits, not between 2048 and 8192");
  }
  if ((modulus.back() & 1) == 0) {
    return make_error(Errc::invalid_data, "RSA modulus: even");
  }
  if (exponent < 3 || (exponent & 1) == 0) {
    return make_error(Errc::invalid_data,
                      "RSA exponent: " + std::to_string(exponent) + " is not an odd number >= 3");
  }
  internal::Bignum n(BN_bin2bn(modulus.data(), static_cast<int>(modulus.size()), nullptr));
  internal::Bignum e(BN_new());
  ParamBld bld(OSSL_PARAM_BLD_new());
  if (!n || !e || !bld || BN_set_word(e.get(), exponent) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
    return internal::openssl_error("RSA key");
  }
  Params params(OSSL_PARAM_BLD_to_param(bld.get()));
  internal::EvpPkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return internal::openssl_error("RSA key");
  }
  auto impl = std::make_shared<Impl>();
  impl->pkey.reset(raw);
  impl->modulus.assign(modulus.begin(), modulus.end());
  impl->exponent = exponent;
  int len = i2d_PUBKEY(impl->pkey.get(), nullptr);
  if (len <= 0) return internal::openssl_error("RSA SPKI");
  impl->spki.resize(static_cast<size_t>(len));
  unsigned char* p = impl->spki.data();
  if (i2d_PUBKEY(impl->pkey.get(), &p) != len) return internal::openssl_error("RSA SPKI");
  return RsaPublicKey(std::move(impl));
}

Result<RsaPublicKey> RsaPublicKey::from_certificate(const Certificate& cert) {
  // Owned by the certificate: not freed here.
  EVP_PKEY* pkey = X509_get0_pubkey(internal::CertAccess::x509(cert));
  // EVP_PKEY_RSA only: an RSASSA-PSS-restricted key (EVP_PKEY_RSA_PSS) is not one.
  if (pkey == nullptr || EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA) {
    ERR_clear_error();
    return make_error(Errc::invalid_data, "certificate public key: not RSA");
  }
  BIGNUM* n_raw = nullptr;
  BIGNUM* e_raw = nullptr;
  int got_n = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n_raw);
  internal::Bignum n(n_raw);
  int got_e = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e_raw);
  internal::Bignum e(e_raw);
  if (got_n != 1 || got_e != 1) return internal::openssl_error("certificate RSA key");
  if (BN_num_bits(e.get()) > 32) {
    return make_error(Errc::invalid_data, "certificate public key: RSA exponent over 32 bits");
  }
  std::vector<uint8_t> modulus(static_cast<size_t>(BN_num_bytes(n.get())));
  if (BN_bn2bin(n.get(), modulus.data()) != static_cast<int>(modulus.size())) {
    return internal::openssl_error("certificate RSA key");
  }
  return from_components(modulus, static_cast<uint32_t>(BN_get_word(e.get())));
}

size_t RsaPublicKey::modulus_bits() const {
  return static_cast<size_t>(EVP_PKEY_get_bits(impl_->pkey.get()));
}
const std::vector<uint8_t>& RsaPublicKey::modulus() const { return impl_->modulus; }
uint32_t RsaPublicKey::exponent() const { return impl_->exponent; }
const std::vector<uint8_t>& RsaPublicKey::spki_der() const { return impl_->spki; }

std::string RsaPublicKey::to_pem() const { return internal::pem_encode("PUBLIC KEY", impl_->spki); }

namespace {

Result<void> verify_with(EVP_PKEY* pkey, DigestAlg alg, bool pss, std::span<const uint8_t> message,
                         std::span<const uint8_t> signature) {
  if (signature.size() != static_cast<size_t>(EVP_PKEY_get_size(pkey))) {
    return refused();
  }
  internal::EvpMdCtx ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, internal::evp_md(alg), nullptr, pkey) != 1) {
    return internal::openssl_error("RSA verify");
  }
  if (pss && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
              EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, internal::evp_md(alg)) != 1 ||
              EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO) != 1)) {
    return internal::openssl_error("RSA-PSS parameters");
  }
  int rc = EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(),
                            message.size());
  ERR_clear_error();
  if (rc != 1) return refused();
  return {};
}

}  // namespace

Result<void> RsaPublicKey::verify_pkcs1(DigestAlg alg, std::span<const uint8_t> message,
                                        std::span<const uint8_t> signature) const {
  return verify_with(impl_->pkey.get(), alg, false, message, signature);
}

Result<void> RsaPublicKey::verify_pss(DigestAlg alg, std::span<const uint8_t> message,
                                      std::span<const uint8_t> signature) const {
  return verify_with(impl_->pkey.get(), alg, true, message, signature);
}

Result<std::vector<uint8_t>> RsaPublicKey::encrypt_oaep(DigestAlg alg,
                                                        std::span<const uint8_t> label,
                                                        const SecretBytes& plaintext) const {
  size_t k = impl_->modulus.size();
  size_t h = digest_size(alg);
  if (k < 2 * h + 2 || plaintext.size() > k - 2 * h - 2) {
    return make_error(Errc::invalid_argument, "RSA-OAEP: plaintext too long for the key");
  }
  internal::EvpPkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, impl_->pkey.get(), nullptr));
  if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), internal::evp_md(alg)) != 1 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), internal::evp_md(alg)) != 1) {
    return internal::openssl_error("RSA-OAEP");
  }
  if (!label.empty()) {
    // OpenSSL takes ownership of the label buffer.
    auto* copy = static_cast<unsigned char*>(OPENSSL_memdup(label.data(), label.size()));
    if (copy == nullptr ||
        EVP_PKEY_CTX_set0_rsa_oaep_label(ctx.get(), copy, static_cast<int>(label.size())) != 1) {
      OPENSSL_free(copy);
      return internal::openssl_error("RSA-OAEP label");
    }
  }
  size_t out_len = 0;
  auto pt = plaintext.reveal();
  if (EVP_PKEY_encrypt(ctx.get(), nullptr, &out_len, pt.data(), pt.size()) != 1) {
    return internal::openssl_error("RSA-OAEP");
  }
  std::vector<uint8_t> out(out_len);
  if (EVP_PKEY_encrypt(ctx.get(), out.data(), &out_len, pt.data(), pt.size()) != 1) {
    return internal::openssl_error("RSA-OAEP");
  }
  out.resize(out_len);
  return out;
}

bool RsaPublicKey::operator==(const RsaPublicKey& other) const {
  return impl_->modulus == other.impl_->modulus && impl_->exponent == other.impl_->exponent;
}

}  // namespace leea::crypto
