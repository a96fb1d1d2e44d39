#include "core/net/https.h"

#include <gtest/gtest.h>

#include <thread>

#include "core/crypto/keys.h"
#include "core/crypto/x509.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace leea::net {
namespace {

// A server on 127.0.0.1 with a fresh self-signed identity, serving on its own thread.
class HttpsFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = crypto::PrivateKey::generate(crypto::KeyType::p256);
    ASSERT_TRUE(key);
    ASSERT_TRUE(key->save_pem(dir_ / "tls.key"));
    crypto::CertificateSpec spec;
    spec.common_name = "test";
    spec.subject_alt_names = {"IP:127.0.0.1"};
    auto pem = crypto::make_self_signed(*key, spec);
    ASSERT_TRUE(pem);
    test::write_file(dir_ / "tls.crt", *pem);
    pin_ = crypto::Certificate::from_pem(*pem, "tls.crt")->sha256_fingerprint();
    ServerOptions o;
    o.cert_pem_path = (dir_ / "tls.crt").string();
    o.key_pem_path = (dir_ / "tls.key").string();
    o.threads = 2;
    o.max_body_bytes = 1024;
    auto s = HttpsServer::create(o);
    ASSERT_TRUE(s) << s.error().message;
    server_ = std::move(*s);
    server_->route("GET", "/healthz", [](const Request&) { return Response{200, "{}"}; });
    server_->route("POST", R"(/echo/([a-z]+))", [](const Request& r) {
      return Response{200, r.matches.at(0) + ":" + r.body, "text/plain"};
    });
    auto port = server_->bind("127.0.0.1", 0);
    ASSERT_TRUE(port);
    port_ = *port;
    thread_ = std::thread([this] { (void)server_->serve(); });
  }
  void TearDown() override {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
  }
  ClientOptions client_options() {
    ClientOptions o;
    o.host = "127.0.0.1";
    o.port = port_;
    o.pinned_sha256 = pin_;
    return o;
  }

  test::TempDir dir_;
  std::unique_ptr<HttpsServer> server_;
  std::thread thread_;
  int port_ = 0;
  std::array<uint8_t, 32> pin_{};
};

TEST_F(HttpsFixture, PinnedClientTalksToTheServer) {
  HttpsClient c(client_options());
  auto r = c.request("POST", "/echo/abc", "body");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "abc:body");
  auto h = c.request("GET", "/healthz");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
}

TEST_F(HttpsFixture, ClientRefusesACertificateThatIsNotPinned) {
  auto o = client_options();
  o.pinned_sha256[0] ^= 1;
  HttpsClient c(o);
  auto r = c.request("GET", "/healthz");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::refused);
  EXPECT_NE(r.error().message.find("does not match the fingerprint in the pool file"),
            std::string::npos);
}

TEST_F(HttpsFixture, UnknownPathsAndOversizedBodiesAreRefused) {
  HttpsClient c(client_options());
  auto r = c.request("GET", "/nope");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->body, R"({"error":"no such endpoint"})");
  auto big = c.request("POST", "/echo/x", std::string(4096, 'a'));
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 413);
}

TEST_F(HttpsFixture, OnlyTls13IsAccepted) {
  // OpenSSL's own client, independent of ours: TLS 1.2 must fail, TLS 1.3 must work.
  std::string target = "127.0.0.1:" + std::to_string(port_);
  auto old = test::run({"/usr/bin/openssl", "s_client", "-connect", target, "-tls1_2"}, "Q\n");
  EXPECT_NE(old.exit_code, 0) << old.out;
  auto now = test::run({"/usr/bin/openssl", "s_client", "-connect", target, "-tls1_3"}, "Q\n");
  EXPECT_EQ(now.exit_code, 0) << now.err;
  EXPECT_NE(now.out.find("TLSv1.3"), std::string::npos);
}

TEST_F(HttpsFixture, ClientRefusesAnAnswerLargerThanItsBound) {
  auto o = client_options();
  o.max_response_bytes = 4;
  HttpsClient c(o);
  auto r = c.request("POST", "/echo/abc", "a longer body");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::refused);
  EXPECT_NE(r.error().message.find("answer larger than 4 bytes"), std::string::npos);
  HttpsClient ok(client_options());
  EXPECT_EQ(ok.request("POST", "/echo/abc", "a longer body")->body, "abc:a longer body");
}

TEST(HttpsClient, UnreachableServerIsUnavailable) {
  ClientOptions o;
  o.host = "127.0.0.1";
  o.port = 1;  // nothing listens on port 1
  o.connect_timeout_ms = 500;
  HttpsClient c(o);
  auto r = c.request("GET", "/healthz");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::unavailable);
}

}  // namespace
}  // namespace leea::net
