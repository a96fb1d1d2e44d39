// Private to core/crypto: OpenSSL ownership and error conversion.
#pragma once

#include <openssl/err.h>
#include <openssl/evp.h>

#include <memory>
#include <string>
#include <string_view>

#include "core/util/error.h"

namespace leea::crypto::internal {

template <auto Fn>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    Fn(p);
  }
};

using EvpMdCtx = std::unique_ptr<EVP_MD_CTX, Deleter<&EVP_MD_CTX_free>>;
using EvpCipherCtx = std::unique_ptr<EVP_CIPHER_CTX, Deleter<&EVP_CIPHER_CTX_free>>;
using EvpPkey = std::unique_ptr<EVP_PKEY, Deleter<&EVP_PKEY_free>>;
using EvpPkeyCtx = std::unique_ptr<EVP_PKEY_CTX, Deleter<&EVP_PKEY_CTX_free>>;

// Errc::internal with "what: <OpenSSL's reason>", draining OpenSSL's error queue.
inline Error openssl_error(std::string_view what, Errc code = Errc::internal) {
  unsigned long e = ERR_get_error();
  std::string reason = "unknown error";
  if (e != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    const char* r = ERR_reason_error_string(e);
    reason = r != nullptr ? r : buf;
  }
  ERR_clear_error();
  return make_error(code, std::string(what) + ": " + reason);
}

}  // namespace leea::crypto::internal
