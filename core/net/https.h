// HTTPS on 127.0.0.1 and beyond: a TLS 1.3-only server, event-driven, and a client that
// trusts exactly one pinned certificate. The server is Boost.Beast over Boost.Asio and
// OpenSSL, the client cpp-httplib; no type of any of them leaves core/net.
//
// The server gives no connection a thread: one event loop holds every connection and a
// fixed pool of threads runs handlers, so idle or slow clients cost a socket each and
// honest requests are still served while hundreds of them are open. Limits (ServerOptions)
// bound connections in all and per source address, each phase's time, header bytes and
// fields (431 beyond), the body however it is framed (413 beyond, also for chunked bodies)
// and the requests waiting for a thread (503 with Retry-After beyond).
//
// Thread-safety: an HttpsServer is configured (route, on_response, bind) from one thread,
// then serve() runs the event loop on the calling thread and handlers on its pool threads
// concurrently; stop() may be called from any thread or a signal-watching thread. An
// HttpsClient is not thread-safe; use one per thread.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/util/result.h"

namespace leea::net {

struct Request {
  std::string method;
  std::string path;
  std::vector<std::string> matches;            // regex groups of the route pattern
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::string remote_addr;
};

struct Response {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
};

using Handler = std::function<Response(const Request&)>;

struct ServerOptions {
  std::string cert_pem_path;
  std::string key_pem_path;
  size_t threads = 8;                   // handler threads
  size_t max_queued_requests = 256;     // requests read and waiting for a handler thread
  size_t max_body_bytes = 1u << 20;     // whatever the framing: Content-Length or chunked
  size_t max_header_bytes = 16u << 10;  // request line and header fields together
  size_t max_header_fields = 100;
  size_t max_connections = 4096;
  // A guest behind QEMU's user network, or behind any NAT, shares its source address with its
  // neighbours: keep this well above the connections one honest source opens.
  size_t max_connections_per_source = 256;
  int max_requests_per_connection = 100;
  int handshake_timeout_seconds = 5;  // from accept to the end of the TLS handshake
  int read_timeout_seconds = 10;      // for the headers of each request, then for its body
  int write_timeout_seconds = 10;     // for each answer
};

class HttpsServer {
 public:
  // Loads the certificate and key; fails with Errc::config when they do not load.
  static Result<std::unique_ptr<HttpsServer>> create(const ServerOptions& options);
  ~HttpsServer();
  HttpsServer(const HttpsServer&) = delete;
  HttpsServer& operator=(const HttpsServer&) = delete;

  // Adds a handler for method ("GET", "POST", "PUT", "DELETE") and a regex path pattern.
  void route(const std::string& method, const std::string& pattern, Handler handler);
  // Called for every request after its handler, with the matched route pattern (empty when
  // none matched), the status and the handling time in seconds (for metrics and logs).
  void on_response(
      std::function<void(const Request&, const std::string& route, int status, double seconds)>
          observer);
  // Binds host:port (port 0 picks a free one); returns the bound port.
  Result<int> bind(const std::string& host, int port);
  // Serves until stop(); requests in flight finish before it returns.
  Result<void> serve();
  void stop();

 private:
  HttpsServer();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct ClientOptions {
  std::string host;
  int port = 0;
  // SHA-256 of the server certificate's DER: the only certificate accepted.
  std::array<uint8_t, 32> pinned_sha256{};
  int connect_timeout_ms = 3000;
  int read_timeout_ms = 10000;
  // Larger answers fail with Errc::refused before they are read into memory.
  size_t max_response_bytes = 1u << 20;
};

class HttpsClient {
 public:
  explicit HttpsClient(const ClientOptions& options);
  ~HttpsClient();
  HttpsClient(const HttpsClient&) = delete;
  HttpsClient& operator=(const HttpsClient&) = delete;

  // Sends one request. Fails with Errc::refused when the server's certificate is not the
  // pinned one or its answer exceeds max_response_bytes, Errc::unavailable when the server cannot
  // be reached or does not answer in time. Any HTTP status is a successful Result; the caller
  // judges it.
  Result<Response> request(const std::string& method, const std::string& path,
                           const std::string& body = "",
                           const std::map<std::string, std::string>& headers = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace leea::net
