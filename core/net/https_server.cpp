// The HTTPS server: one event loop (Boost.Asio) owns every connection, and a bounded pool
// of threads runs the handlers. An idle, slow or half-open connection costs a socket and a
// few kilobytes, never a thread, so hostile clients holding connections open do not starve
// honest ones. Every phase has a deadline (handshake, request headers, body, answer), and
// every input a bound (connections in all and per source, header bytes and fields, body
// bytes however framed, queued requests).
#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <sys/resource.h>

#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <thread>
#include <unordered_map>

#include "core/net/https.h"
#include "core/util/log.h"

namespace leea::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

// Request bytes may carry secrets (an operator's PUT holds shares): every buffer that held
// them is wiped when it is freed or regrown, not only the final copy.
template <typename T>
struct WipingAllocator {
  using value_type = T;
  WipingAllocator() = default;
  template <typename U>
  WipingAllocator(const WipingAllocator<U>&) noexcept {}  // NOLINT: allocator rebinding
  T* allocate(size_t n) { return std::allocator<T>().allocate(n); }
  void deallocate(T* p, size_t n) noexcept {
    OPENSSL_cleanse(p, n * sizeof(T));
    std::allocator<T>().deallocate(p, n);
  }
  template <typename U>
  bool operator==(const WipingAllocator<U>&) const noexcept {
    return true;
  }
};

using Body = http::basic_string_body<char, std::char_traits<char>, WipingAllocator<char>>;
using Parser = http::request_parser<Body, WipingAllocator<char>>;
using Buffer = beast::basic_flat_buffer<WipingAllocator<char>>;
using Stream = beast::ssl_stream<beast::tcp_stream>;

constexpr std::chrono::seconds kCloseGrace{2};

// Beast's string views are Boost's in this version: copy through data and size.
template <typename View>
std::string str(const View& v) {
  return std::string(v.data(), v.size());
}
constexpr size_t kMaxDrainBytes = size_t{1} << 20;

Response error_response(int status) {
  switch (status) {
    case 404:
      return {404, R"({"error":"no such endpoint"})"};
    case 413:
      return {413, R"({"error":"request body too large"})"};
    case 431:
      return {431, R"({"error":"request headers too large"})"};
    case 503:
      return {503, R"({"error":"busy, try again"})"};
    default:
      return {400, R"({"error":"bad request"})"};
  }
}

// A fixed set of threads and a bounded queue; push() fails instead of growing.
class WorkerPool {
 public:
  WorkerPool(size_t threads, size_t max_queued) : max_queued_(max_queued) {
    for (size_t i = 0; i < threads; ++i) {
      threads_.emplace_back([this] { run(); });
    }
  }
  ~WorkerPool() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  bool push(std::function<void()> job) {
    {
      std::lock_guard lock(mu_);
      if (queue_.size() >= max_queued_) return false;
      queue_.push_back(std::move(job));
    }
    cv_.notify_one();
    return true;
  }

 private:
  void run() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping, and every queued job has run
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      job();
    }
  }

  const size_t max_queued_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

struct Route {
  std::string method;
  std::string pattern;
  std::regex re;
  Handler handler;
};

class Session;

// Everything a server holds; HttpsServer::Impl is one of these.
struct Core {
  explicit Core(const ServerOptions& o)
      : options(o), ssl(asio::ssl::context::tls_server), acceptor(io) {}

  ServerOptions options;
  std::vector<Route> routes;
  std::function<void(const Request&, const std::string&, int, double)> observer;

  // Connections open, in all and by source address; touched on the event loop only.
  size_t open_connections = 0;
  std::unordered_map<std::string, size_t> per_source;
  std::set<Session*> sessions;
  bool stopping = false;

  // Declared after what sessions use, so that their destructors (run when io is destroyed
  // with handlers pending) still find it.
  std::unique_ptr<WorkerPool> workers;
  asio::ssl::context ssl;
  asio::io_context io{1};
  tcp::acceptor acceptor;
  asio::steady_timer accept_retry{io};

  void accept();
  void observe(const Request& r, const std::string& route, int status, double seconds) const {
    if (observer) observer(r, route, status, seconds);
  }
};

bool is_http_error(const error_code& ec) {
  return ec.category() == http::make_error_code(http::error::end_of_stream).category();
}

// One connection, from accept to close. Lives on the event loop: every member is touched
// there only; a handler's result comes back through asio::post.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Core& server, tcp::socket socket, std::string source)
      : server_(server), stream_(std::move(socket), server.ssl), source_(std::move(source)) {
    server_.sessions.insert(this);
  }
  ~Session() {
    server_.sessions.erase(this);
    --server_.open_connections;
    if (auto it = server_.per_source.find(source_); it != server_.per_source.end()) {
      if (--it->second == 0) server_.per_source.erase(it);
    }
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start() {
    state_ = State::handshake;
    deadline(server_.options.handshake_timeout_seconds);
    stream_.async_handshake(asio::ssl::stream_base::server,
                            [self = shared_from_this()](error_code ec) {
                              if (ec) return self->close();
                              self->read_header();
                            });
  }

  // The server is stopping: a connection waiting for a request closes now; one whose request
  // is being handled or answered closes after its answer.
  void stop() {
    if (state_ == State::handshake || state_ == State::reading) {
      beast::get_lowest_layer(stream_).socket().close();
    }
  }

 private:
  enum class State { handshake, reading, handling, writing, closing };

  void deadline(int seconds) {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(seconds));
  }

  void read_header() {
    if (server_.stopping || served_ >= server_.options.max_requests_per_connection) {
      return close();
    }
    state_ = State::reading;
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(server_.options.max_header_bytes));
    parser_->body_limit(server_.options.max_body_bytes);
    deadline(server_.options.read_timeout_seconds);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](error_code ec, size_t) { self->on_header(ec); });
  }

  void on_header(error_code ec) {
    if (ec) return fail(ec);
    const auto& h = parser_->get();
    size_t fields = 0;
    for (auto it = h.begin(); it != h.end(); ++it) ++fields;
    if (fields > server_.options.max_header_fields) return refuse(431);
    // A client that waits for permission before its body (curl does, past 1 KiB) gets it,
    // now that its headers have passed.
    if (beast::iequals(h[http::field::expect], "100-continue") && !parser_->is_done()) {
      auto go_on = std::make_shared<http::response<http::empty_body>>(http::status::continue_, 11);
      deadline(server_.options.write_timeout_seconds);
      return http::async_write(stream_, *go_on,
                               [self = shared_from_this(), go_on](error_code e, size_t) {
                                 if (e) return self->close();
                                 self->read_body();
                               });
    }
    read_body();
  }

  // The body gets its own deadline: a client that sent its headers in time cannot then
  // trickle a body for ever.
  void read_body() {
    deadline(server_.options.read_timeout_seconds);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](error_code e, size_t) { self->on_body(e); });
  }

  void on_body(error_code ec) {
    if (ec) return fail(ec);
    beast::get_lowest_layer(stream_).expires_never();
    auto& msg = parser_->get();
    keep_alive_ = msg.keep_alive();
    ++served_;

    // Shared with the handler's job, and wiped when the last holder lets go of it, whether
    // the job ran or the queue refused it.
    std::shared_ptr<Request> request(new Request, [](Request* q) {
      OPENSSL_cleanse(q->body.data(), q->body.size());
      delete q;
    });
    Request& r = *request;
    r.method = str(msg.method_string());
    r.path = str(msg.target());
    r.path.erase(std::min(r.path.find('?'), r.path.size()));
    for (const auto& f : msg) {
      std::string key = str(f.name_string());
      for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers[key] = str(f.value());
    }
    r.body.assign(msg.body().data(), msg.body().size());
    parser_.reset();  // its body is freed, and wiped, here
    r.remote_addr = source_;

    const Route* route = nullptr;
    std::smatch m;
    for (const auto& candidate : server_.routes) {
      if (candidate.method == r.method && std::regex_match(r.path, m, candidate.re)) {
        route = &candidate;
        break;
      }
    }
    if (route == nullptr) {
      server_.observe(r, "", 404, 0.0);
      return answer(error_response(404));
    }
    for (size_t i = 1; i < m.size(); ++i) r.matches.push_back(m[i].str());

    state_ = State::handling;
    auto job = [self = shared_from_this(), route, request,
                work = asio::make_work_guard(server_.io)]() mutable {
      auto start = std::chrono::steady_clock::now();
      Response out;
      try {
        out = route->handler(*request);
      } catch (...) {
        // The last seam: whatever a handler threw, the client learns only that it failed.
        out = {500, R"({"error":"internal error"})", "application/json"};
      }
      OPENSSL_cleanse(request->body.data(), request->body.size());
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      try {
        self->server_.observe(*request, route->pattern, out.status, secs);
      } catch (...) {
        log::error("https: response observer failed");
      }
      auto& io = self->server_.io;
      asio::post(io, [self = std::move(self), out = std::move(out)]() mutable {
        self->answer(std::move(out));
      });
    };
    if (!server_.workers->push(std::move(job))) {
      server_.observe(r, "", 503, 0.0);
      return answer(error_response(503), {{"Retry-After", "1"}});
    }
  }

  // Writes an answer; then reads the next request on a connection kept alive, or closes.
  // After a refusal (linger) the close waits for what the client still sends, so that a
  // client still writing a refused body reads the answer instead of a reset.
  void answer(Response out, const std::map<std::string, std::string>& extra = {},
              bool linger = false) {
    state_ = State::writing;
    auto res = std::make_shared<http::response<http::string_body>>();
    res->version(11);
    res->result(static_cast<unsigned>(out.status));
    res->set(http::field::content_type, out.content_type);
    for (const auto& [k, v] : extra) res->set(k, v);
    const bool again =
        keep_alive_ && !server_.stopping && served_ < server_.options.max_requests_per_connection;
    res->keep_alive(again);
    res->body() = std::move(out.body);
    res->prepare_payload();
    deadline(server_.options.write_timeout_seconds);
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res, again, linger](error_code ec, size_t) {
                        OPENSSL_cleanse(res->body().data(), res->body().size());
                        if (ec) return self->close();
                        if (again) return self->read_header();
                        if (linger) return self->linger();
                        self->close();
                      });
  }

  // A request that cannot be read whole: answer what went wrong, then close, since the rest
  // of the stream cannot be trusted to start a request.
  void refuse(int status) {
    Request r;
    if (parser_ && parser_->is_header_done()) {
      r.method = str(parser_->get().method_string());
      r.path = str(parser_->get().target());
    }
    r.remote_addr = source_;
    parser_.reset();
    server_.observe(r, "", status, 0.0);
    keep_alive_ = false;
    answer(error_response(status), {}, true);
  }

  void fail(error_code ec) {
    if (ec == http::error::header_limit) return refuse(431);
    if (ec == http::error::body_limit) return refuse(413);
    // A timeout, a closed or reset connection, a TLS error: nobody to answer.
    if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
        !is_http_error(ec)) {
      return close();
    }
    refuse(400);  // the bytes are not HTTP/1.1
  }

  // Half-close, then read and discard what the client still sends, for a moment.
  void linger() {
    state_ = State::closing;
    auto& sock = beast::get_lowest_layer(stream_).socket();
    error_code ignored;
    sock.shutdown(tcp::socket::shutdown_send, ignored);
    deadline(static_cast<int>(kCloseGrace.count()));
    drain_ = std::make_shared<std::array<char, 16384>>();
    drain();
  }

  void drain() {
    beast::get_lowest_layer(stream_).async_read_some(
        asio::buffer(*drain_), [self = shared_from_this()](error_code ec, size_t n) {
          self->drained_ += n;
          if (ec || self->drained_ >= kMaxDrainBytes) return self->close();
          self->drain();
        });
  }

  void close() {
    state_ = State::closing;
    error_code ignored;
    beast::get_lowest_layer(stream_).socket().close(ignored);
  }

  Core& server_;
  Stream stream_;
  std::string source_;
  Buffer buffer_;
  std::optional<Parser> parser_;
  std::shared_ptr<std::array<char, 16384>> drain_;
  size_t drained_ = 0;
  State state_ = State::handshake;
  bool keep_alive_ = false;
  int served_ = 0;
};

// Descriptors for every connection the limits allow, plus room for files and the store.
void raise_descriptor_limit(size_t connections) {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return;
  const rlim_t want = static_cast<rlim_t>(connections) + 256;
  if (lim.rlim_cur >= want) return;
  lim.rlim_cur = lim.rlim_max == RLIM_INFINITY ? want : std::min(want, lim.rlim_max);
  if (setrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur < want) {
    log::warn("https: only {} file descriptors; fewer than {} connections can be open",
              lim.rlim_cur, connections);
  }
}

void Core::accept() {
  acceptor.async_accept([this](error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
    if (ec) {
      // Out of descriptors or memory: wait instead of spinning on the same error.
      log::warn("https: accept: {}", ec.message());
      accept_retry.expires_after(std::chrono::milliseconds(100));
      accept_retry.async_wait([this](error_code e) {
        if (!e) accept();
      });
      return;
    }
    error_code e;
    std::string source = socket.remote_endpoint(e).address().to_string();
    if (e) {
      socket.close(e);
      return accept();
    }
    size_t& from_source = per_source[source];
    if (open_connections >= options.max_connections ||
        from_source >= options.max_connections_per_source) {
      // Refused before any TLS work: closing costs the server nothing.
      if (from_source == 0) per_source.erase(source);
      socket.close(e);
      return accept();
    }
    ++open_connections;
    ++from_source;
    socket.set_option(tcp::no_delay(true), e);
    std::make_shared<Session>(*this, std::move(socket), std::move(source))->start();
    accept();
  });
}

}  // namespace

struct HttpsServer::Impl : Core {
  using Core::Core;
};

HttpsServer::HttpsServer() = default;
HttpsServer::~HttpsServer() = default;

Result<std::unique_ptr<HttpsServer>> HttpsServer::create(const ServerOptions& o) {
  std::unique_ptr<HttpsServer> s(new HttpsServer());
  s->impl_ = std::make_unique<Impl>(o);
  auto& ctx = s->impl_->ssl;
  error_code ec;
  ctx.use_certificate_chain_file(o.cert_pem_path, ec);
  if (!ec) ctx.use_private_key_file(o.key_pem_path, asio::ssl::context::pem, ec);
  if (ec || SSL_CTX_check_private_key(ctx.native_handle()) != 1) {
    return make_error(Errc::config, "TLS certificate " + o.cert_pem_path + " or key " +
                                        o.key_pem_path + " does not load");
  }
  SSL_CTX* native = ctx.native_handle();
  // TLS 1.3 only: no downgrade, forward secrecy always, no renegotiation, no resumption.
  // Idle connections give their record buffers back.
  SSL_CTX_set_min_proto_version(native, TLS1_3_VERSION);
  SSL_CTX_set_options(native, SSL_OP_NO_TICKET);
  SSL_CTX_set_num_tickets(native, 0);
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
  return s;
}

void HttpsServer::route(const std::string& method, const std::string& pattern, Handler handler) {
  impl_->routes.push_back({method, pattern, std::regex(pattern), std::move(handler)});
}

void HttpsServer::on_response(
    std::function<void(const Request&, const std::string&, int, double)> observer) {
  impl_->observer = std::move(observer);
}

Result<int> HttpsServer::bind(const std::string& host, int port) {
  auto where = [&] { return host + ":" + std::to_string(port); };
  error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) {  // a name: listen on its first address
    tcp::resolver resolver(impl_->io);
    auto found = resolver.resolve(host, "", tcp::resolver::passive, ec);
    if (ec || found.empty()) {
      return make_error(Errc::io, "cannot listen on " + host + ": no such address or name");
    }
    address = found.begin()->endpoint().address();
  }
  tcp::endpoint endpoint(address, static_cast<uint16_t>(port));
  auto& a = impl_->acceptor;
  a.open(endpoint.protocol(), ec);
  if (!ec) a.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) a.bind(endpoint, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    a.close(ec);
    return make_error(
        Errc::io, "cannot listen on " + where() + " (in use, or not an address of this machine)");
  }
  return static_cast<int>(a.local_endpoint().port());
}

Result<void> HttpsServer::serve() {
  auto& impl = *impl_;
  if (!impl.acceptor.is_open()) {
    return make_error(Errc::io, "server is not bound");
  }
  raise_descriptor_limit(impl.options.max_connections);
  impl.workers =
      std::make_unique<WorkerPool>(impl.options.threads, impl.options.max_queued_requests);
  impl.accept();
  try {
    impl.io.run();
  } catch (const std::exception& e) {
    log::error("https: event loop: {}", e.what());
    impl.workers.reset();
    return make_error(Errc::io, "server stopped with an error");
  }
  impl.workers.reset();  // every job has finished: io.run() waited for their work guards
  return {};
}

void HttpsServer::stop() {
  auto* impl = impl_.get();
  asio::post(impl->io, [impl] {
    impl->stopping = true;
    error_code ignored;
    impl->acceptor.close(ignored);
    impl->accept_retry.cancel();
    // Copy: closing a socket may end a session, which erases itself from the set.
    std::vector<Session*> open(impl->sessions.begin(), impl->sessions.end());
    for (Session* s : open) {
      if (impl->sessions.count(s) != 0) s->stop();
    }
  });
}

}  // namespace leea::net
