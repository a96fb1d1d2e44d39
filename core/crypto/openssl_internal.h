// Private to core/crypto: OpenSSL ownership and error conversion.
#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <climits>
#include <memory>
#include <string>
#include <string_view>

#include "core/crypto/digest.h"
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
using EvpMacCtx = std::unique_ptr<EVP_MAC_CTX, Deleter<&EVP_MAC_CTX_free>>;
using EvpMac = std::unique_ptr<EVP_MAC, Deleter<&EVP_MAC_free>>;
using EvpKdfCtx = std::unique_ptr<EVP_KDF_CTX, Deleter<&EVP_KDF_CTX_free>>;
using EvpKdf = std::unique_ptr<EVP_KDF, Deleter<&EVP_KDF_free>>;
using Bio = std::unique_ptr<BIO, Deleter<&BIO_free_all>>;
using Bignum = std::unique_ptr<BIGNUM, Deleter<&BN_free>>;
using EcdsaSig = std::unique_ptr<ECDSA_SIG, Deleter<&ECDSA_SIG_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<&X509_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, Deleter<&X509_STORE_free>>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, Deleter<&X509_STORE_CTX_free>>;
using X509ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<&X509_EXTENSION_free>>;
using Asn1ObjectPtr = std::unique_ptr<ASN1_OBJECT, Deleter<&ASN1_OBJECT_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, Deleter<&GENERAL_NAMES_free>>;

// A stack of X509 that does not own its elements (the certificates are owned elsewhere).
// sk_X509_free is a macro, so it needs a deleter of its own.
struct X509StackFree {
  void operator()(STACK_OF(X509) * s) const { sk_X509_free(s); }
};
using X509Stack = std::unique_ptr<STACK_OF(X509), X509StackFree>;

// A PEM passphrase callback that refuses. Every PEM read passes it: OpenSSL's default
// callback would prompt on the terminal, and a daemon must never block on a tty.
inline int refuse_passphrase(char*, int, int, void*) { return -1; }

// Wraps read-only memory in a BIO without copying; null when too large or on allocation
// failure. The memory must outlive the BIO.
inline Bio memory_bio(const void* data, size_t size) {
  if (size > static_cast<size_t>(INT_MAX)) {
    return nullptr;
  }
  return Bio(BIO_new_mem_buf(data, static_cast<int>(size)));
}

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

// The OpenSSL digest of alg (defined in digest.cpp).
const EVP_MD* evp_md(DigestAlg alg);

}  // namespace leea::crypto::internal
