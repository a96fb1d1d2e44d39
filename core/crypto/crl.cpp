#include "core/crypto/crl.h"

#include <ctime>

#include "core/crypto/openssl_internal.h"
#include "core/crypto/x509_internal.h"

namespace leea::crypto {
namespace {

using CrlPtr = std::unique_ptr<X509_CRL, internal::Deleter<&X509_CRL_free>>;

}  // namespace

struct Crl::Impl {
  CrlPtr crl;
  std::string issuer;
  int64_t this_update = 0;
  std::optional<int64_t> next_update;
};

Crl::Crl(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

Result<Crl> Crl::from_der(std::span<const uint8_t> der, std::string_view source) {
  const unsigned char* p = der.data();
  CrlPtr crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size())));
  if (!crl) {
    return internal::openssl_error(std::string(source) + ": malformed DER CRL", Errc::invalid_data);
  }
  if (p != der.data() + der.size()) {
    return make_error(Errc::invalid_data, std::string(source) + ": trailing bytes after the CRL");
  }
  auto impl = std::make_shared<Impl>();
  LEEA_ASSIGN_OR_RETURN(impl->issuer, internal::name_text(X509_CRL_get_issuer(crl.get()), source));
  LEEA_ASSIGN_OR_RETURN(impl->this_update, internal::unix_time(X509_CRL_get0_lastUpdate(crl.get()),
                                                               source, "CRL thisUpdate"));
  if (const ASN1_TIME* next = X509_CRL_get0_nextUpdate(crl.get()); next != nullptr) {
    LEEA_ASSIGN_OR_RETURN(impl->next_update, internal::unix_time(next, source, "CRL nextUpdate"));
  }
  impl->crl = std::move(crl);
  return Crl(std::move(impl));
}

const std::string& Crl::issuer() const { return impl_->issuer; }
int64_t Crl::this_update() const { return impl_->this_update; }
std::optional<int64_t> Crl::next_update() const { return impl_->next_update; }

Result<void> Crl::verify(const Certificate& issuer, int64_t at) const {
  X509* x = internal::CertAccess::x509(issuer);
  if (X509_NAME_cmp(X509_get_subject_name(x), X509_CRL_get_issuer(impl_->crl.get())) != 0) {
    return make_error(Errc::refused,
                      "CRL of " + impl_->issuer + " is not issued by " + issuer.subject());
  }
  EVP_PKEY* key = X509_get0_pubkey(x);
  if (key == nullptr || X509_CRL_verify(impl_->crl.get(), key) != 1) {
    ERR_clear_error();
    return make_error(Errc::refused, "CRL of " + impl_->issuer + ": bad signature");
  }
  if (at < impl_->this_update) {
    return make_error(Errc::refused, "CRL of " + impl_->issuer + " is not yet valid");
  }
  if (!impl_->next_update || at > *impl_->next_update) {
    return make_error(Errc::refused, "CRL of " + impl_->issuer + " has expired");
  }
  return {};
}

bool Crl::revokes(const Certificate& cert) const {
  X509_REVOKED* entry = nullptr;
  X509* x = internal::CertAccess::x509(cert);
  if (X509_NAME_cmp(X509_get_issuer_name(x), X509_CRL_get_issuer(impl_->crl.get())) != 0) {
    return false;
  }
  return X509_CRL_get0_by_serial(impl_->crl.get(), &entry,
                                 const_cast<ASN1_INTEGER*>(X509_get0_serialNumber(x))) == 1;
}

}  // namespace leea::crypto
