// Private to core/crypto: the OpenSSL side of Certificate, shared by x509.cpp,
// x509_issue.cpp and crl.cpp.
#pragma once

#include <openssl/x509.h>

#include <string>
#include <string_view>

#include "core/crypto/openssl_internal.h"
#include "core/crypto/x509.h"

namespace leea::crypto::internal {

// An ASN.1 time as Unix seconds; Errc::invalid_data naming source and field when unreadable.
Result<int64_t> unix_time(const ASN1_TIME* t, std::string_view source, std::string_view field);
// A name in RFC 2253 form; Errc::invalid_data naming source when unreadable.
Result<std::string> name_text(const X509_NAME* name, std::string_view source);

struct CertAccess {
  // The X509 inside; owned by the certificate and valid while it lives.
  static X509* x509(const Certificate& cert);
  // Takes ownership of a parsed certificate and reads its fields. Fails with
  // Errc::invalid_data, naming source, when a field cannot be read.
  static Result<Certificate> wrap(X509Ptr x509, std::string_view source);
};

}  // namespace leea::crypto::internal
