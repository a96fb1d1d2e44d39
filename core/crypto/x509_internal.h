// Private to core/crypto: the OpenSSL side of Certificate, shared by x509.cpp and
// x509_issue.cpp.
#pragma once

#include <openssl/x509.h>

#include <string_view>

#include "core/crypto/openssl_internal.h"
#include "core/crypto/x509.h"

namespace leea::crypto::internal {

struct CertAccess {
  // The X509 inside; owned by the certificate and valid while it lives.
  static X509* x509(const Certificate& cert);
  // Takes ownership of a parsed certificate and reads its fields. Fails with
  // Errc::invalid_data, naming source, when a field cannot be read.
  static Result<Certificate> wrap(X509Ptr x509, std::string_view source);
};

}  // namespace leea::crypto::internal
