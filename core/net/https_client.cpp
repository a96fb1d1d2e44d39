// The HTTPS client: cpp-httplib, with the server certificate pinned.
#include <httplib.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstring>

#include "core/net/https.h"

namespace leea::net {
namespace {

void wipe(std::string& s) { OPENSSL_cleanse(s.data(), s.size()); }

struct PinState {
  std::array<uint8_t, 32> sha256{};
  bool mismatch = false;
};

// Accepts exactly the pinned leaf certificate, whatever its chain, names or dates: the
// pool file is the trust anchor.
int verify_pin(X509_STORE_CTX* store, void* arg) {
  auto* pin = static_cast<PinState*>(arg);
  X509* leaf = X509_STORE_CTX_get0_cert(store);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (leaf == nullptr || X509_digest(leaf, EVP_sha256(), digest, &len) != 1 || len != 32 ||
      CRYPTO_memcmp(digest, pin->sha256.data(), 32) != 0) {
    pin->mismatch = true;
    X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED);
    return 0;
  }
  X509_STORE_CTX_set_error(store, X509_V_OK);
  return 1;
}

}  // namespace

struct HttpsClient::Impl {
  ClientOptions options;
  PinState pin;
  std::unique_ptr<httplib::SSLClient> client;
};

HttpsClient::HttpsClient(const ClientOptions& options) : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
  impl_->pin.sha256 = options.pinned_sha256;
  impl_->client = std::make_unique<httplib::SSLClient>(options.host, options.port);
  auto& c = *impl_->client;
  // httplib's own verification (system CAs, host names) is replaced by the pin check,
  // which fails the handshake itself.
  c.enable_server_certificate_verification(false);
  SSL_CTX* ctx = c.ssl_context();
  SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  SSL_CTX_set_cert_verify_callback(ctx, verify_pin, &impl_->pin);
  c.set_connection_timeout(options.connect_timeout_ms / 1000,
                           (options.connect_timeout_ms % 1000) * 1000);
  c.set_read_timeout(options.read_timeout_ms / 1000, (options.read_timeout_ms % 1000) * 1000);
  c.set_write_timeout(options.read_timeout_ms / 1000, (options.read_timeout_ms % 1000) * 1000);
  c.set_keep_alive(true);
  c.set_tcp_nodelay(true);
}

HttpsClient::~HttpsClient() = default;

Result<Response> HttpsClient::request(const std::string& method, const std::string& path,
                                      const std::string& body,
                                      const std::map<std::string, std::string>& headers) {
  httplib::Request req;
  req.method = method;
  req.path = path;
  for (const auto& [k, v] : headers) req.headers.emplace(k, v);
  if (method != "GET") {
    req.body = body;
    req.headers.emplace("Content-Type", "application/json");
  }
  // A peer's answer is read into memory only up to the bound: a hostile validator cannot
  // make the VM or an operator allocate without limit.
  std::string received;
  bool too_large = false;
  const size_t limit = impl_->options.max_response_bytes;
  req.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
    if (received.size() + n > limit) {
      too_large = true;
      return false;
    }
    received.append(data, n);
    return true;
  };
  auto& c = *impl_->client;
  impl_->pin.mismatch = false;
  httplib::Result r = c.send(req);
  wipe(req.body);  // the caller wipes its own copy of a secret body; this one is ours
  std::string where = impl_->options.host + ":" + std::to_string(impl_->options.port);
  if (impl_->pin.mismatch) {
    return make_error(Errc::refused,
                      where + ": TLS certificate does not match the fingerprint in the pool file");
  }
  if (too_large) {
    return make_error(Errc::refused,
                      where + ": answer larger than " + std::to_string(limit) + " bytes");
  }
  if (!r) {
    std::string why = r.error() == httplib::Error::Connection ? "cannot connect"
                      : r.error() == httplib::Error::Read     ? "no answer in time"
                      : r.error() == httplib::Error::SSLConnection
                          ? "TLS handshake failed (the connection was reset or closed)"
                          : httplib::to_string(r.error());
    return make_error(Errc::unavailable, where + ": " + why);
  }
  Response out;
  out.status = r->status;
  out.body = std::move(received);
  out.content_type = r->get_header_value("Content-Type");
  return out;
}

}  // namespace leea::net
