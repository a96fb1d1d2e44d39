#include "core/net/https.h"

#include <httplib.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <chrono>
#include <cstring>

namespace leea::net {
namespace {

void wipe(std::string& s) { OPENSSL_cleanse(s.data(), s.size()); }

Request to_request(const httplib::Request& r) {
  Request out;
  out.method = r.method;
  out.path = r.path;
  for (size_t i = 1; i < r.matches.size(); ++i) {
    out.matches.push_back(r.matches[i].str());
  }
  for (const auto& [k, v] : r.headers) {
    std::string key = k;
    for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[key] = v;
  }
  out.body = r.body;
  out.remote_addr = r.remote_addr;
  return out;
}

}  // namespace

struct HttpsServer::Impl {
  std::unique_ptr<httplib::SSLServer> server;
  std::function<void(const Request&, const std::string&, int, double)> observer;
};

HttpsServer::HttpsServer() : impl_(std::make_unique<Impl>()) {}
HttpsServer::~HttpsServer() = default;

Result<std::unique_ptr<HttpsServer>> HttpsServer::create(const ServerOptions& o) {
  std::unique_ptr<HttpsServer> s(new HttpsServer());
  s->impl_->server =
      std::make_unique<httplib::SSLServer>(o.cert_pem_path.c_str(), o.key_pem_path.c_str());
  if (!s->impl_->server->is_valid()) {
    return make_error(Errc::config, "TLS certificate " + o.cert_pem_path + " or key " +
                                        o.key_pem_path + " does not load");
  }
  SSL_CTX* ctx = s->impl_->server->ssl_context();
  // TLS 1.3 only: no downgrade, forward secrecy always, no renegotiation.
  SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
  auto& srv = *s->impl_->server;
  const size_t threads = o.threads;
  srv.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  srv.set_payload_max_length(o.max_body_bytes);
  srv.set_read_timeout(o.read_timeout_seconds, 0);
  srv.set_write_timeout(o.write_timeout_seconds, 0);
  srv.set_keep_alive_max_count(100);
  // Headers and body leave as separate TLS records: without TCP_NODELAY, Nagle's algorithm
  // and delayed ACKs stall every exchange by tens of milliseconds.
  srv.set_tcp_nodelay(true);
  srv.set_error_handler(
      [impl = s->impl_.get()](const httplib::Request& req, httplib::Response& res) {
        // Handlers set their own body (and were observed); only requests that reached no
        // handler (404, 413, 400 from the parser) get a body and an observation here.
        if (!res.body.empty()) {
          return;
        }
        res.set_content(res.status == 404   ? R"({"error":"no such endpoint"})"
                        : res.status == 413 ? R"({"error":"request body too large"})"
                                            : R"({"error":"bad request"})",
                        "application/json");
        if (impl->observer) {
          Request r = to_request(req);
          impl->observer(r, "", res.status, 0.0);
          wipe(r.body);
        }
      });
  return s;
}

void HttpsServer::route(const std::string& method, const std::string& pattern, Handler handler) {
  auto wrapped = [this, pattern, handler](const httplib::Request& req, httplib::Response& res) {
    auto start = std::chrono::steady_clock::now();
    Request r = to_request(req);
    Response out;
    try {
      out = handler(r);
    } catch (...) {
      // The last seam: whatever a handler threw, the client learns only that it failed.
      out = {500, R"({"error":"internal error"})", "application/json"};
    }
    // Request bodies may carry secrets (an operator's PUT holds a share in clear): wipe our
    // copy and httplib's once the handler is done with them.
    wipe(r.body);
    wipe(const_cast<std::string&>(req.body));
    res.status = out.status;
    res.set_content(out.body, out.content_type.c_str());
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (impl_->observer) {
      impl_->observer(r, pattern, out.status, secs);
    }
  };
  auto& srv = *impl_->server;
  if (method == "GET") {
    srv.Get(pattern, wrapped);
  } else if (method == "POST") {
    srv.Post(pattern, wrapped);
  } else if (method == "PUT") {
    srv.Put(pattern, wrapped);
  } else if (method == "DELETE") {
    srv.Delete(pattern, wrapped);
  }
}

void HttpsServer::on_response(
    std::function<void(const Request&, const std::string&, int, double)> observer) {
  impl_->observer = std::move(observer);
}

Result<int> HttpsServer::bind(const std::string& host, int port) {
  auto& srv = *impl_->server;
  if (port == 0) {
    int p = srv.bind_to_any_port(host);
    if (p < 0) {
      return make_error(Errc::io, "cannot listen on " + host);
    }
    return p;
  }
  if (!srv.bind_to_port(host, port)) {
    return make_error(Errc::io, "cannot listen on " + host + ":" + std::to_string(port) +
                                    " (in use, or not an address of this machine)");
  }
  return port;
}

Result<void> HttpsServer::serve() {
  if (!impl_->server->listen_after_bind()) {
    return make_error(Errc::io, "server stopped with an error");
  }
  return {};
}

void HttpsServer::stop() { impl_->server->stop(); }

namespace {

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
