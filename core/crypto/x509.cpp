#include "core/crypto/x509.h"

#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <ctime>

#include "core/crypto/digest.h"
#include "core/crypto/keys_internal.h"
#include "core/crypto/x509_internal.h"
#include "core/util/files.h"

namespace leea::crypto {

Result<int64_t> internal::unix_time(const ASN1_TIME* t, std::string_view source,
                                    std::string_view field) {
  struct tm tm {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
    return internal::openssl_error(std::string(source) + ": unreadable " + std::string(field),
                                   Errc::invalid_data);
  }
  return static_cast<int64_t>(timegm(&tm));
}

Result<std::string> internal::name_text(const X509_NAME* name, std::string_view source) {
  internal::Bio bio(BIO_new(BIO_s_mem()));
  char* data = nullptr;
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) {
    return internal::openssl_error(std::string(source) + ": unreadable name", Errc::invalid_data);
  }
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, len > 0 ? static_cast<size_t>(len) : 0);
}

namespace {

// Certificate files and bundles are kilobytes; this bounds what a bad path can make us read.
constexpr size_t kMaxCertFileBytes = 1 << 20;

// Dotted decimal with at least two arcs, no empty arcs and no leading zeros (X.660).
// OpenSSL alone would read "1..2" as 1.0.2.
bool is_dotted_oid(std::string_view oid) {
  size_t arcs = 0;
  size_t pos = 0;
  while (pos <= oid.size()) {
    size_t end = std::min(oid.find('.', pos), oid.size());
    std::string_view arc = oid.substr(pos, end - pos);
    if (arc.empty() || (arc.size() > 1 && arc[0] == '0') ||
        arc.find_first_not_of("0123456789") != std::string_view::npos) {
      return false;
    }
    ++arcs;
    pos = end + 1;
  }
  return arcs >= 2;
}

bool at_end_of_pem() {
  unsigned long e = ERR_peek_last_error();
  return ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE;
}

}  // namespace

struct Certificate::Impl {
  internal::X509Ptr x509;
  std::vector<uint8_t> der;
  std::string subject;
  std::string issuer;
  int64_t not_before = 0;
  int64_t not_after = 0;
};

Certificate::Certificate(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

X509* internal::CertAccess::x509(const Certificate& cert) { return cert.impl_->x509.get(); }

Result<Certificate> internal::CertAccess::wrap(X509Ptr x509, std::string_view source) {
  auto impl = std::make_shared<Certificate::Impl>();
  unsigned char* der = nullptr;
  int len = i2d_X509(x509.get(), &der);
  if (len <= 0) {
    return openssl_error(std::string(source) + ": certificate encoding", Errc::invalid_data);
  }
  impl->der.assign(der, der + len);
  OPENSSL_free(der);
  LEEA_ASSIGN_OR_RETURN(impl->subject,
                        internal::name_text(X509_get_subject_name(x509.get()), source));
  LEEA_ASSIGN_OR_RETURN(impl->issuer,
                        internal::name_text(X509_get_issuer_name(x509.get()), source));
  LEEA_ASSIGN_OR_RETURN(impl->not_before,
                        internal::unix_time(X509_get0_notBefore(x509.get()), source, "notBefore"));
  LEEA_ASSIGN_OR_RETURN(impl->not_after,
                        internal::unix_time(X509_get0_notAfter(x509.get()), source, "notAfter"));
  impl->x509 = std::move(x509);
  return Certificate(std::move(impl));
}

Result<Certificate> Certificate::from_der(std::span<const uint8_t> der, std::string_view source) {
  const unsigned char* p = der.data();
  internal::X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!x) {
    return internal::openssl_error(std::string(source) + ": malformed DER certificate",
                                   Errc::invalid_data);
  }
  if (p != der.data() + der.size()) {
    return make_error(Errc::invalid_data,
                      std::string(source) + ": trailing bytes after the certificate");
  }
  return internal::CertAccess::wrap(std::move(x), source);
}

Result<std::vector<Certificate>> Certificate::all_from_pem(std::string_view pem,
                                                           std::string_view source) {
  internal::Bio bio = internal::memory_bio(pem.data(), pem.size());
  if (!bio) {
    return internal::openssl_error(std::string(source));
  }
  std::vector<Certificate> out;
  for (;;) {
    internal::X509Ptr x(
        PEM_read_bio_X509(bio.get(), nullptr, internal::refuse_passphrase, nullptr));
    if (!x) {
      if (at_end_of_pem()) {
        ERR_clear_error();
        break;
      }
      return internal::openssl_error(std::string(source) + ": certificate " +
                                         std::to_string(out.size() + 1) +
                                         ": truncated or malformed PEM",
                                     Errc::invalid_data);
    }
    LEEA_ASSIGN_OR_RETURN(Certificate c, internal::CertAccess::wrap(std::move(x), source));
    out.push_back(std::move(c));
  }
  if (out.empty()) {
    return make_error(Errc::invalid_data, std::string(source) + ": no PEM certificate found");
  }
  return out;
}

Result<Certificate> Certificate::from_pem(std::string_view pem, std::string_view source) {
  LEEA_ASSIGN_OR_RETURN(std::vector<Certificate> all, all_from_pem(pem, source));
  return std::move(all.front());
}

Result<Certificate> Certificate::load(const std::filesystem::path& path) {
  LEEA_ASSIGN_OR_RETURN(std::string data, read_file(path, kMaxCertFileBytes));
  if (data.find("-----BEGIN") != std::string::npos) {
    return from_pem(data, path.string());
  }
  return from_der(std::span(reinterpret_cast<const uint8_t*>(data.data()), data.size()),
                  path.string());
}

Result<std::vector<Certificate>> Certificate::load_all(const std::filesystem::path& path) {
  LEEA_ASSIGN_OR_RETURN(std::string data, read_file(path, kMaxCertFileBytes));
  return all_from_pem(data, path.string());
}

const std::vector<uint8_t>& Certificate::der() const { return impl_->der; }
std::string Certificate::to_pem() const { return internal::pem_encode("CERTIFICATE", impl_->der); }
const std::string& Certificate::subject() const { return impl_->subject; }
const std::string& Certificate::issuer() const { return impl_->issuer; }
int64_t Certificate::not_before() const { return impl_->not_before; }
int64_t Certificate::not_after() const { return impl_->not_after; }
std::array<uint8_t, 32> Certificate::sha256_fingerprint() const { return sha256(impl_->der); }

Result<PublicKey> Certificate::public_key() const {
  EVP_PKEY* pkey = X509_get0_pubkey(impl_->x509.get());
  if (pkey == nullptr) {
    return internal::openssl_error(impl_->subject + ": unreadable public key", Errc::invalid_data);
  }
  return internal::KeyAccess::wrap_public(pkey, "certificate " + impl_->subject);
}

Result<std::optional<std::vector<uint8_t>>> Certificate::extension(std::string_view oid) const {
  // no_name = 1: only dotted numbers, so "basicConstraints" cannot silently match.
  internal::Asn1ObjectPtr obj(is_dotted_oid(oid) ? OBJ_txt2obj(std::string(oid).c_str(), 1)
                                                 : nullptr);
  if (!obj) {
    ERR_clear_error();
    return make_error(Errc::invalid_argument, "'" + std::string(oid) + "' is not a dotted OID");
  }
  X509* x = impl_->x509.get();
  int index = X509_get_ext_by_OBJ(x, obj.get(), -1);
  if (index < 0) {
    return std::optional<std::vector<uint8_t>>();
  }
  if (X509_get_ext_by_OBJ(x, obj.get(), index) >= 0) {
    return make_error(Errc::invalid_data,
                      impl_->subject + ": extension " + std::string(oid) + " occurs twice");
  }
  const ASN1_OCTET_STRING* value = X509_EXTENSION_get_data(X509_get_ext(x, index));
  const uint8_t* data = ASN1_STRING_get0_data(value);
  return std::optional(std::vector<uint8_t>(data, data + ASN1_STRING_length(value)));
}

Result<void> verify_chain(const Certificate& leaf, std::span<const Certificate> intermediates,
                          std::span<const Certificate> roots,
                          std::chrono::system_clock::time_point at) {
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch());
  return verify_chain(leaf, intermediates, roots, static_cast<int64_t>(seconds.count()));
}

Result<void> verify_chain(const Certificate& leaf, std::span<const Certificate> intermediates,
                          std::span<const Certificate> roots, int64_t at_unix_seconds) {
  using internal::CertAccess;
  if (roots.empty()) {
    return make_error(Errc::invalid_argument, "certificate chain: no pinned root certificate");
  }
  internal::X509StorePtr store(X509_STORE_new());
  internal::X509Stack untrusted(sk_X509_new_null());
  internal::X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!store || !untrusted || !ctx) {
    return internal::openssl_error("certificate chain");
  }
  for (const Certificate& root : roots) {
    if (X509_STORE_add_cert(store.get(), CertAccess::x509(root)) != 1) {
      return internal::openssl_error("certificate chain: pinned root");
    }
  }
  // The stack borrows the certificates; they outlive this call.
  for (const Certificate& c : intermediates) {
    if (sk_X509_push(untrusted.get(), CertAccess::x509(c)) <= 0) {
      return internal::openssl_error("certificate chain");
    }
  }
  if (X509_STORE_CTX_init(ctx.get(), store.get(), CertAccess::x509(leaf), untrusted.get()) != 1) {
    return internal::openssl_error("certificate chain");
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  // The caller's time, never the clock; and the roots' own self-signatures are checked too.
  X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(at_unix_seconds));
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_CHECK_SS_SIGNATURE);
  int rc = X509_verify_cert(ctx.get());
  if (rc == 1) {
    return {};
  }
  int err = X509_STORE_CTX_get_error(ctx.get());
  ERR_clear_error();
  if (rc < 0 || err == X509_V_OK) {
    return make_error(Errc::internal, "certificate chain: verification could not run");
  }
  std::string where = "depth " + std::to_string(X509_STORE_CTX_get_error_depth(ctx.get()));
  if (X509* current = X509_STORE_CTX_get_current_cert(ctx.get()); current != nullptr) {
    auto name = internal::name_text(X509_get_subject_name(current), "certificate");
    if (name) {
      where += ", " + *name;
    }
  }
  return make_error(Errc::refused, std::string("certificate chain: ") +
                                       X509_verify_cert_error_string(err) + " (" + where + ")");
}

std::string common_name(std::string_view dn) {
  // RFC 2253 escapes commas inside values with a backslash.
  size_t at = 0;
  while (at < dn.size()) {
    size_t end = at;
    while (end < dn.size() && dn[end] != ',') {
      end += dn[end] == '\\' ? 2 : 1;
    }
    end = std::min(end, dn.size());
    if (dn.compare(at, 3, "CN=") == 0) return std::string(dn.substr(at + 3, end - at - 3));
    at = end + 1;
  }
  return {};
}

}  // namespace leea::crypto
