// make_self_signed and issue_certificate (declared in x509.h).
#include <openssl/x509v3.h>

#include <ctime>
#include <string>

#include "core/crypto/keys_internal.h"
#include "core/crypto/random.h"
#include "core/crypto/x509.h"
#include "core/crypto/x509_internal.h"

namespace leea::crypto {
namespace {

// RFC 5280 Appendix A: ub-common-name.
constexpr size_t kMaxCommonName = 64;
// Backdating absorbs small clock differences between the issuer and the peers.
constexpr int64_t kBackdateSeconds = 300;

Result<void> check_spec(const PrivateKey& signer, const CertificateSpec& spec) {
  if (spec.common_name.empty() || spec.common_name.size() > kMaxCommonName) {
    return make_error(Errc::invalid_argument,
                      "certificate: the common name must be 1 to 64 characters");
  }
  if (spec.validity_days <= 0) {
    return make_error(Errc::invalid_argument, "certificate: validity must be at least one day");
  }
  if (signer.type() == KeyType::x25519) {
    return make_error(Errc::invalid_argument, "certificate: X25519 keys cannot sign");
  }
  return {};
}

// "DNS:name", "IP:addr", "URI:uri" or "email:addr" as a GENERAL_NAME.
Result<GENERAL_NAME*> parse_san(const std::string& san) {
  struct Prefix {
    std::string_view text;
    int type;
  };
  static constexpr Prefix kPrefixes[] = {
      {"DNS:", GEN_DNS}, {"IP:", GEN_IPADD}, {"URI:", GEN_URI}, {"email:", GEN_EMAIL}};
  for (const Prefix& p : kPrefixes) {
    if (san.compare(0, p.text.size(), p.text) == 0) {
      std::string value = san.substr(p.text.size());
      GENERAL_NAME* name =
          value.empty() ? nullptr
                        : a2i_GENERAL_NAME(nullptr, nullptr, nullptr, p.type, value.c_str(), 0);
      if (name == nullptr) {
        ERR_clear_error();
        return make_error(Errc::invalid_argument,
                          "certificate: malformed subject alternative name '" + san + "'");
      }
      return name;
    }
  }
  return make_error(Errc::invalid_argument, "certificate: subject alternative name '" + san +
                                                "' must start with DNS:, IP:, URI: or email:");
}

Result<void> add_sans(X509* x, const std::vector<std::string>& sans) {
  if (sans.empty()) {
    return {};
  }
  internal::GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
  if (!names) {
    return internal::openssl_error("certificate");
  }
  for (const std::string& san : sans) {
    LEEA_ASSIGN_OR_RETURN(GENERAL_NAME * name, parse_san(san));
    if (sk_GENERAL_NAME_push(names.get(), name) <= 0) {
      GENERAL_NAME_free(name);
      return internal::openssl_error("certificate");
    }
  }
  if (X509_add1_ext_i2d(x, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    return internal::openssl_error("certificate: subjectAltName");
  }
  return {};
}

// Extensions from fixed configuration strings (never from caller input).
Result<void> add_extensions(X509* x, X509* issuer, bool is_ca) {
  X509V3_CTX v3;
  X509V3_set_ctx(&v3, issuer, x, nullptr, nullptr, 0);
  struct Ext {
    int nid;
    const char* value;
  };
  const Ext ca_exts[] = {{NID_basic_constraints, "critical,CA:TRUE"},
                         {NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature"},
                         {NID_subject_key_identifier, "hash"},
                         {NID_authority_key_identifier, "keyid:always"}};
  const Ext leaf_exts[] = {{NID_basic_constraints, "critical,CA:FALSE"},
                           {NID_key_usage, "critical,digitalSignature"},
                           {NID_ext_key_usage, "serverAuth,clientAuth"},
                           {NID_subject_key_identifier, "hash"},
                           {NID_authority_key_identifier, "keyid:always"}};
  std::span<const Ext> exts =
      is_ca ? std::span<const Ext>(ca_exts) : std::span<const Ext>(leaf_exts);
  for (const Ext& e : exts) {
    internal::X509ExtPtr ext(X509V3_EXT_nconf_nid(nullptr, &v3, e.nid, e.value));
    if (!ext || X509_add_ext(x, ext.get(), -1) != 1) {
      return internal::openssl_error("certificate: extension " + std::string(OBJ_nid2sn(e.nid)));
    }
  }
  return {};
}

Result<void> set_serial(X509* x) {
  uint8_t serial[16];
  LEEA_TRY(random_bytes(serial));
  serial[0] &= 0x7F;  // positive, as RFC 5280 §4.1.2.2 requires
  serial[0] |= 0x01;  // and never zero or shortened
  internal::Bignum bn(BN_bin2bn(serial, sizeof serial, nullptr));
  if (!bn || BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(x)) == nullptr) {
    return internal::openssl_error("certificate: serial number");
  }
  return {};
}

Result<void> set_validity(X509* x, const CertificateSpec& spec) {
  const int64_t start = spec.not_before
                            ? *spec.not_before
                            : static_cast<int64_t>(std::time(nullptr)) - kBackdateSeconds;
  if (ASN1_TIME_set(X509_getm_notBefore(x), static_cast<time_t>(start)) == nullptr ||
      ASN1_TIME_adj(X509_getm_notAfter(x), static_cast<time_t>(start), spec.validity_days, 0) ==
          nullptr) {
    return internal::openssl_error("certificate: validity");
  }
  return {};
}

// Builds and signs; issuer == nullptr means self-signed.
Result<std::string> build(const PrivateKey& signer, X509* issuer, const PublicKey& subject_key,
                          const CertificateSpec& spec) {
  LEEA_TRY(check_spec(signer, spec));
  internal::X509Ptr x(X509_new());
  if (!x || X509_set_version(x.get(), X509_VERSION_3) != 1) {
    return internal::openssl_error("certificate");
  }
  LEEA_TRY(set_serial(x.get()));
  LEEA_TRY(set_validity(x.get(), spec));
  X509_NAME* subject = X509_get_subject_name(x.get());
  if (X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(spec.common_name.c_str()),
                                 static_cast<int>(spec.common_name.size()), -1, 0) != 1) {
    return internal::openssl_error("certificate: common name", Errc::invalid_argument);
  }
  X509_NAME* issuer_name = issuer != nullptr ? X509_get_subject_name(issuer) : subject;
  if (X509_set_issuer_name(x.get(), issuer_name) != 1 ||
      X509_set_pubkey(x.get(), internal::KeyAccess::pkey(subject_key)) != 1) {
    return internal::openssl_error("certificate");
  }
  LEEA_TRY(add_extensions(x.get(), issuer != nullptr ? issuer : x.get(), spec.is_ca));
  LEEA_TRY(add_sans(x.get(), spec.subject_alt_names));
  // X509_sign returns the signature length; Ed25519 needs a null digest.
  if (X509_sign(x.get(), internal::KeyAccess::pkey(signer),
                internal::signature_md(signer.type())) <= 0) {
    return internal::openssl_error("certificate: signing");
  }
  unsigned char* der = nullptr;
  int len = i2d_X509(x.get(), &der);
  if (len <= 0) {
    return internal::openssl_error("certificate: encoding");
  }
  std::string pem = internal::pem_encode("CERTIFICATE", std::span(der, static_cast<size_t>(len)));
  OPENSSL_free(der);
  return pem;
}

}  // namespace

Result<std::string> make_self_signed(const PrivateKey& key, const CertificateSpec& spec) {
  return build(key, nullptr, key.public_key(), spec);
}

Result<std::string> issue_certificate(const PrivateKey& issuer_key, const Certificate& issuer,
                                      const PublicKey& subject_key, const CertificateSpec& spec) {
  X509* issuer_x509 = internal::CertAccess::x509(issuer);
  if (X509_check_private_key(issuer_x509, internal::KeyAccess::pkey(issuer_key)) != 1) {
    ERR_clear_error();
    return make_error(Errc::invalid_argument,
                      "certificate: the issuer key does not match " + issuer.subject());
  }
  return build(issuer_key, issuer_x509, subject_key, spec);
}

}  // namespace leea::crypto
