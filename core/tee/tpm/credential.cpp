#include "core/tee/tpm/credential.h"

#include <algorithm>
#include <string_view>

#include "core/crypto/keys.h"
#include "core/crypto/mac.h"
#include "core/crypto/random.h"
#include "core/crypto/rsa.h"
#include "core/crypto/tpm_kdf.h"

namespace leea::tee::tpm {
namespace {

constexpr size_t kCredentialSize = 32;

// The seed and its encrypted form for an ECC EK (Part 1 §C.6.4, ECDH + KDFe).
Result<std::pair<crypto::SecretBytes, std::vector<uint8_t>>> ecc_seed(const Public& ek,
                                                                      crypto::DigestAlg h) {
  auto ek_key = ek.ecc_key();
  if (!ek_key) return make_error(Errc::invalid_argument, "EK: " + ek_key.error().message);
  const crypto::KeyType type = ek_key->type();
  const auto ek_raw = ek_key->raw();  // 04 ‖ X ‖ Y
  const size_t n = (ek_raw.size() - 1) / 2;
  std::span<const uint8_t> x(ek_raw.data() + 1, n);
  LEEA_ASSIGN_OR_RETURN(auto eph, crypto::PrivateKey::generate(type));
  LEEA_ASSIGN_OR_RETURN(crypto::SecretBytes z, eph.derive_shared_secret(*ek_key));
  auto eph_raw = eph.public_key().raw();  // 04 ‖ X ‖ Y
  std::span<const uint8_t> ex(eph_raw.data() + 1, n);
  std::span<const uint8_t> ey(eph_raw.data() + 1 + n, n);
  LEEA_ASSIGN_OR_RETURN(crypto::SecretBytes seed,
                        crypto::tpm_kdfe(h, z, "IDENTITY", ex, x, crypto::digest_size(h) * 8));
  std::vector<uint8_t> ecc_point = tpm2b(ex);
  auto yb = tpm2b(ey);
  ecc_point.insert(ecc_point.end(), yb.begin(), yb.end());
  return std::make_pair(std::move(seed), tpm2b(ecc_point));
}

}  // namespace

Result<Credential> make_credential(const Public& ek, std::span<const uint8_t> ak_name,
                                   const crypto::SecretBytes& credential) {
  auto h = digest_alg(ek.name_alg);
  if (!h) return make_error(Errc::invalid_argument, "EK nameAlg is not SHA-256/384/512");
  size_t hsize = crypto::digest_size(*h);
  if (ek.symmetric != alg::aes || ek.sym_mode != alg::cfb ||
      (ek.sym_bits != 128 && ek.sym_bits != 256)) {
    return make_error(Errc::invalid_argument, "EK symmetric is not AES-CFB");
  }
  if (credential.size() > hsize || ak_name.empty()) {
    return make_error(Errc::invalid_argument, "credential longer than the EK's digest");
  }
  crypto::SecretBytes seed;
  Credential out;
  if (ek.type == alg::rsa) {
    LEEA_ASSIGN_OR_RETURN(seed, crypto::random_secret(hsize));
    LEEA_ASSIGN_OR_RETURN(auto key, ek.rsa_key());
    static constexpr uint8_t kLabel[] = {'I', 'D', 'E', 'N', 'T', 'I', 'T', 'Y', 0};
    LEEA_ASSIGN_OR_RETURN(auto enc, key.encrypt_oaep(*h, kLabel, seed));
    out.secret = tpm2b(enc);
  } else {
    LEEA_ASSIGN_OR_RETURN(auto pair, ecc_seed(ek, *h));
    seed = std::move(pair.first);
    out.secret = std::move(pair.second);
  }
  LEEA_ASSIGN_OR_RETURN(crypto::SecretBytes sym_key,
                        crypto::tpm_kdfa(*h, seed, "STORAGE", ak_name, {}, ek.sym_bits));
  // TPM2B(credential), encrypted: keep the plaintext in wiped memory.
  crypto::SecretBytes plain(credential.size() + 2);
  plain.reveal()[0] = static_cast<uint8_t>(credential.size() >> 8);
  plain.reveal()[1] = static_cast<uint8_t>(credential.size());
  std::copy(credential.reveal().begin(), credential.reveal().end(), plain.reveal().begin() + 2);
  const std::vector<uint8_t> iv(16, 0);
  LEEA_ASSIGN_OR_RETURN(std::vector<uint8_t> enc_identity,
                        crypto::aes_cfb_encrypt(sym_key, iv, plain.reveal()));
  LEEA_ASSIGN_OR_RETURN(crypto::SecretBytes hmac_key,
                        crypto::tpm_kdfa(*h, seed, "INTEGRITY", {}, {}, hsize * 8));
  std::vector<uint8_t> mac_in = enc_identity;
  mac_in.insert(mac_in.end(), ak_name.begin(), ak_name.end());
  LEEA_ASSIGN_OR_RETURN(std::vector<uint8_t> outer, crypto::hmac(*h, hmac_key, mac_in));
  std::vector<uint8_t> id_object = tpm2b(outer);
  id_object.insert(id_object.end(), enc_identity.begin(), enc_identity.end());
  out.blob = tpm2b(id_object);
  return out;
}

namespace {

Error ek_cert_refused(std::string_view why) {
  return make_error(Errc::refused, "EK certificate: " + std::string(why));
}

// The certificate's subject public key is ek.
Result<void> same_key(const Public& ek, const crypto::Certificate& cert) {
  if (ek.type == alg::rsa) {
    auto certified = crypto::RsaPublicKey::from_certificate(cert);
    if (!certified) return ek_cert_refused(certified.error().message + ", but the EK is");
    auto key = ek.rsa_key();
    if (!key) return ek_cert_refused("EK public: " + key.error().message);
    if (!(*key == *certified)) return ek_cert_refused("certifies another RSA key than this EK");
    return {};
  }
  if (ek.type != alg::ecc || (ek.curve != kEccNistP256 && ek.curve != kEccNistP384)) {
    return ek_cert_refused("the EK is neither RSA nor ECC P-256/P-384");
  }
  auto certified = cert.public_key();
  if (!certified) return ek_cert_refused("public key: " + certified.error().message);
  if (certified->type() !=
      (ek.curve == kEccNistP256 ? crypto::KeyType::p256 : crypto::KeyType::p384)) {
    return ek_cert_refused("certifies a key of another type or curve than this EK");
  }
  // An EK point that is not even on the curve is not the certified one either.
  auto key = ek.ecc_key();
  if (!key || certified->raw() != key->raw()) {
    return ek_cert_refused("certifies another ECC key than this EK");
  }
  return {};
}

}  // namespace

Result<void> check_ek_certificate(const Public& ek, std::span<const uint8_t> cert_der,
                                  std::span<const crypto::Certificate> roots,
                                  std::span<const crypto::Certificate> intermediates, int64_t now) {
  if (roots.empty()) return make_error(Errc::invalid_argument, "EK certificate: no roots given");
  auto cert = crypto::Certificate::from_der(cert_der, "EK certificate");
  if (!cert) return make_error(Errc::refused, cert.error().message);
  if (auto chain = crypto::verify_chain(*cert, intermediates, roots, now); !chain) {
    return make_error(chain.error().code, "EK certificate: " + chain.error().message);
  }
  return same_key(ek, *cert);
}

bool Enrolment::ok() const {
  return credential_activated && (ek_certificate == "verified" || ek_certificate == "absent" ||
                                  ek_certificate == "not checked");
}

Result<Enrolment> enrol(Device& device, KeyAlg ak_alg, KeyAlg ek_alg,
                        std::span<const crypto::Certificate> roots,
                        std::span<const crypto::Certificate> intermediates, int64_t now) {
  Enrolment e;
  LEEA_ASSIGN_OR_RETURN(e.ak_public, device.ak_public(ak_alg));
  LEEA_ASSIGN_OR_RETURN(e.ek_public, device.ek_public(ek_alg));
  LEEA_ASSIGN_OR_RETURN(Public ak, parse_public_2b(e.ak_public));
  LEEA_ASSIGN_OR_RETURN(Public ek, parse_public_2b(e.ek_public));
  if (!ak.is_restricted_signing_key()) {
    return make_error(Errc::refused, "AK is not a restricted signing key");
  }
  e.ak_name = ak.name();
  LEEA_ASSIGN_OR_RETURN(crypto::SecretBytes challenge, crypto::random_secret(kCredentialSize));
  LEEA_ASSIGN_OR_RETURN(Credential cred, make_credential(ek, e.ak_name, challenge));
  auto answer = device.activate_credential(ak_alg, ek_alg, cred.blob, cred.secret);
  if (answer) {
    e.credential_activated = answer->equals(challenge.reveal());
  } else if (answer.error().code != Errc::refused) {
    return answer.error();
  }
  LEEA_ASSIGN_OR_RETURN(auto cert_der, device.ek_certificate(ek_alg));
  if (roots.empty()) {
    e.ek_certificate = cert_der ? "not checked" : "absent";
  } else if (!cert_der) {
    e.ek_certificate = "EK certificate: absent from the TPM's NV, but EK roots were given";
  } else if (auto checked = check_ek_certificate(ek, *cert_der, roots, intermediates, now);
             !checked) {
    e.ek_certificate = checked.error().message;
  } else {
    e.ek_certificate = "verified";
  }
  return e;
}

}  // namespace leea::tee::tpm
