// Faulty validators, as a VM meets them: one member of a real pool of five is replaced by a
// double on its address, with its TLS identity, that speaks the protocol wrongly on purpose:
// it hangs, resets every connection, answers garbage, hands out a token the pool would
// refuse, or a share the manifest does not list. The VM (attest::run_attest with sim
// evidence, asking the faulty one first) must still unlock with the four honest members'
// shares, within a bound set by its per-validator timeout, and name the faulty one.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/attest/attest_client.h"
#include "core/attest/jwk.h"
#include "core/attest/seal.h"
#include "core/crypto/random.h"
#include "core/net/https.h"
#include "core/tee/sim/sim.h"
#include "core/util/encoding.h"
#include "core/util/json.h"
#include "tests/integration/pool_fixture.h"
#include "tests/support/process.h"

namespace leea::test {
namespace {

enum class Fault { hangs, resets, garbage, bad_token, wrong_share };

const char* fault_name(Fault f) {
  switch (f) {
    case Fault::hangs:
      return "Hangs";
    case Fault::resets:
      return "ResetsEveryConnection";
    case Fault::garbage:
      return "AnswersGarbage";
    case Fault::bad_token:
      return "HandsOutABadToken";
    case Fault::wrong_share:
      return "ReleasesAWrongShare";
  }
  return "?";
}

constexpr int kTimeoutMs = 1000;
const std::string kOrder = "fault";

// The double. For resets, a bare listener that resets each connection it accepts; for the
// others, an HTTPS server with the member's certificate.
class FaultyValidator {
 public:
  FaultyValidator(const Pool& pool, size_t index, Fault fault, std::string manifest)
      : member_(pool.member(index)), fault_(fault), manifest_(std::move(manifest)) {
    const auto dir = pool.dir() / member_.id;
    if (fault == Fault::resets) {
      start_resetter();
      return;
    }
    net::ServerOptions o;
    o.cert_pem_path = (dir / "tls.crt").string();
    o.key_pem_path = (dir / "tls.key").string();
    o.threads = 4;
    auto s = net::HttpsServer::create(o);
    EXPECT_TRUE(s) << s.error().message;
    if (!s) return;
    server_ = std::move(*s);
    for (const char* route : {"/v1/challenge", "/v1/attest", "/v1/shares/([A-Za-z0-9._-]+)"}) {
      server_->route("POST", route, [this](const net::Request& r) { return answer(r); });
    }
    auto port = server_->bind(member_.endpoint.host, member_.endpoint.port);
    EXPECT_TRUE(port) << port.error().message;
    thread_ = std::thread([this] { (void)server_->serve(); });
  }

  ~FaultyValidator() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    stop_ = true;
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
    if (listen_fd_ >= 0) ::close(listen_fd_);
  }

 private:
  net::Response answer(const net::Request& r) {
    switch (fault_) {
      case Fault::hangs: {
        std::unique_lock lock(mu_);
        cv_.wait_for(lock, std::chrono::seconds(30), [this] { return stopping_; });
        return {503, R"({"error":"late"})"};
      }
      case Fault::garbage:
        return {200, "this is not JSON", "text/plain"};
      case Fault::bad_token:
        if (r.path == "/v1/challenge") {
          std::vector<uint8_t> nonce(32);
          (void)crypto::random_bytes(nonce);
          return {200, R"({"nonce":")" + base64url_encode(nonce) + R"(","expires":0})"};
        }
        return {200, R"({"token":"eyJhbGciOiJFUzI1NiIsImtpZCI6IngifQ.e30.AAAA","expires":0})"};
      case Fault::wrong_share:
        if (r.path.rfind("/v1/shares/", 0) == 0) return wrong_share(r);
        return {503, R"({"error":"busy"})"};
      case Fault::resets:
        break;
    }
    return {500, "{}"};
  }

  // A share sealed, correctly, to the VM's ephemeral key (from its token's cnf), of a line
  // the manifest does not list; with the pool's real manifest.
  net::Response wrong_share(const net::Request& r) {
    auto auth = r.headers.find("authorization");
    if (auth == r.headers.end()) return {400, "{}"};
    std::string token = auth->second.substr(auth->second.find(' ') + 1);
    size_t a = token.find('.');
    size_t b = token.find('.', a + 1);
    auto payload = base64url_decode(token.substr(a + 1, b - a - 1));
    if (!payload) return {400, "{}"};
    auto claims = json::parse(std::string(payload->begin(), payload->end()), "token", 1 << 16,
                              Errc::invalid_data);
    if (!claims) return {400, "{}"};
    auto eph = attest::jwk_from_json((*claims)["cnf"]["jwk"]);
    if (!eph) return {400, "{}"};
    auto key = attest::public_key_from_jwk(*eph);
    const std::string line = "leea1.k3.x2.0000000000000000.d3Jvbmc.00000000";
    auto share = crypto::SecretBytes::copy_of(
        std::span(reinterpret_cast<const uint8_t*>(line.data()), line.size()));
    auto sealed = attest::seal_share(*key, share, *attest::share_seal_context(kOrder, member_.id));
    nlohmann::json out = {{"share", attest::sealed_share_text(*sealed)}, {"manifest", manifest_}};
    return {200, out.dump()};
  }

  void start_resetter() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(member_.endpoint.port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(::listen(listen_fd_, 64), 0);
    thread_ = std::thread([this] {
      while (!stop_) {
        pollfd p{listen_fd_, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) continue;
        int fd = ::accept(listen_fd_, nullptr, nullptr);
        if (fd < 0) continue;
        linger l{1, 0};  // close with RST
        ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
        ::close(fd);
      }
    });
  }

  const config::PoolMember& member_;
  Fault fault_;
  std::string manifest_;
  std::unique_ptr<net::HttpsServer> server_;
  std::thread thread_;
  int listen_fd_ = -1;
  std::atomic<bool> stop_ = false;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
};

// One pool for every fault: v2 is stopped once, and each test puts its double in its place.
class FaultyValidatorTest : public testing::TestWithParam<Fault> {
 protected:
  static void SetUpTestSuite() {
    pool_ = Pool::up(5).release();
    if (pool_ == nullptr) return;
    secret_ = new crypto::SecretBytes(*crypto::random_secret(32));
    registered_ = pool_->register_order(Pool::sim_order(kOrder), *secret_);
    auto r =
        run({"/usr/bin/sqlite3", "-readonly", (pool_->dir() / "v1" / "data" / "store.db").string(),
             "SELECT manifest FROM orders WHERE id = '" + kOrder + "'"});
    manifest_ = r.out.substr(0, r.out.find_last_not_of('\n') + 1);
    pool_->stop(2);
  }
  static void TearDownTestSuite() {
    delete pool_;
    delete secret_;
    pool_ = nullptr;
  }

  static Pool* pool_;
  static crypto::SecretBytes* secret_;
  static std::string registered_;
  static std::string manifest_;
};
Pool* FaultyValidatorTest::pool_ = nullptr;
crypto::SecretBytes* FaultyValidatorTest::secret_ = nullptr;
std::string FaultyValidatorTest::registered_;
std::string FaultyValidatorTest::manifest_;

TEST_P(FaultyValidatorTest, TheVmUnlocksWithTheHonestOnesAndNamesIt) {
  ASSERT_NE(pool_, nullptr);
  ASSERT_EQ(registered_, "");
  ASSERT_FALSE(manifest_.empty());
  FaultyValidator faulty(*pool_, 1, GetParam(), manifest_);
  auto producer = tee::sim::make_producer();
  attest::AttestOptions o;
  o.pool = &pool_->config();
  o.order = kOrder;
  o.producer = producer.get();
  o.timeout_ms = kTimeoutMs;
  o.ask_first = {"v2"};  // meet the faulty one first, for the token and for shares
  auto start = std::chrono::steady_clock::now();
  auto out = attest::run_attest(o);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_TRUE(out->secret.equals(secret_->reveal()));
  EXPECT_NE(out->attested_by, "v2");
  EXPECT_EQ(std::count(out->shares_from.begin(), out->shares_from.end(), "v2"), 0);
  std::string named;
  for (const auto& p : out->problems) {
    if (p.rfind("v2: ", 0) == 0) named += p + "\n";
  }
  EXPECT_FALSE(named.empty()) << testing::PrintToString(out->problems);
  // The bound: the faulty validator costs the VM at most one timeout in each phase (it is
  // asked once for the token and once for its share), on top of the honest flow.
  EXPECT_LT(seconds, 2.0 * kTimeoutMs / 1000 + 5.0) << named;
  RecordProperty("passed_over", named);
}

INSTANTIATE_TEST_SUITE_P(Faults, FaultyValidatorTest,
                         testing::Values(Fault::hangs, Fault::resets, Fault::garbage,
                                         Fault::bad_token, Fault::wrong_share),
                         [](const auto& p) { return std::string(fault_name(p.param)); });

}  // namespace
}  // namespace leea::test
