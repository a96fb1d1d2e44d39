#include "core/attest/pop.h"

#include <gtest/gtest.h>

#include <string>

#include "core/attest/jws.h"
#include "core/crypto/digest.h"
#include "tests/unit/attest/attest_test_util.h"

namespace leea::attest {
namespace {

using nlohmann::json;
using test::segments;

constexpr int64_t kNow = 1760000000;
const std::string kToken = "header.payload.signature-of-an-attestation-token";

class Pop : public ::testing::Test {
 protected:
  Pop() : eph_(test::new_p256_key()) {}

  std::string make(int64_t now = kNow) const {
    return test::value_or_throw(make_pop(eph_, "v2", kToken, now));
  }

  void expect_refused(const std::string& pop, const std::string& message,
                      std::string_view validator = "v2", const std::string& token = kToken,
                      int64_t now = kNow) const {
    auto r = verify_pop(pop, eph_.public_key(), validator, token, now);
    ASSERT_FALSE(r) << "accepted; expected: " << message;
    EXPECT_EQ(r.error().code, Errc::refused);
    EXPECT_EQ(r.error().message, message);
  }

  // A proof with its payload changed by mutate, signed again by the right key.
  std::string resign(const std::function<void(json&)>& mutate, json header = {}) const {
    auto p = segments(make());
    json payload = test::decode_segment(p[1]);
    mutate(payload);
    if (header.is_null()) {
      header = test::decode_segment(p[0]);
      header.erase("alg");
    }
    return test::value_or_throw(sign_jws(eph_, header, payload));
  }

  crypto::PrivateKey eph_;
};

TEST_F(Pop, VerifiesWithTheConfirmationKey) {
  auto r = verify_pop(make(), eph_.public_key(), "v2", kToken, kNow);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->issued_at, kNow);
  EXPECT_EQ(test::unb64url(r->jti).size(), 16u);
}

TEST_F(Pop, VerifiesWithTheConfirmationJwk) {
  EXPECT_TRUE(verify_pop(make(), eph_.public_key().jwk(), "v2", kToken, kNow));
}

TEST_F(Pop, CarriesAudienceTokenHashTimeAndFreshJti) {
  std::string a = make();
  json header = test::decode_segment(segments(a)[0]);
  json payload = test::decode_segment(segments(a)[1]);
  EXPECT_EQ(header, (json{{"alg", "ES256"},
                          {"kid", eph_.public_key().jwk().thumbprint()},
                          {"typ", "leea-pop+jwt"}}));
  EXPECT_EQ(payload["aud"], "v2");
  EXPECT_EQ(payload["ath"], base64url_encode(crypto::sha256(kToken)));
  EXPECT_EQ(payload["iat"], kNow);
  EXPECT_NE(payload["jti"], test::decode_segment(segments(make())[1])["jti"]);
}

TEST_F(Pop, RefusesProofSignedByAnotherKey) {
  auto thief = test::new_p256_key();
  std::string pop = test::value_or_throw(make_pop(thief, "v2", kToken, kNow));
  expect_refused(pop, "proof of possession: signed by another key");
}

TEST_F(Pop, RefusesProofForAnotherValidator) {
  expect_refused(make(), "proof of possession: for another validator", "v3");
}

TEST_F(Pop, RefusesProofForAnotherToken) {
  expect_refused(make(), "proof of possession: for another token", "v2", kToken + "x");
}

TEST_F(Pop, RefusesProofOlderThanTheWindow) {
  EXPECT_TRUE(verify_pop(make(kNow - 60), eph_.public_key(), "v2", kToken, kNow));
  expect_refused(make(kNow - 61),
                 "proof of possession: too old: issued 61 s before this validator's clock (the "
                 "window is 60 s)");
  auto r = verify_pop(make(kNow - 11), eph_.public_key(), "v2", kToken, kNow, 10);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "proof of possession: too old: issued 11 s before this validator's clock (the "
            "window is 10 s)");
}

TEST_F(Pop, RefusesProofFromTheFuture) {
  expect_refused(make(kNow + 61),
                 "proof of possession: issued in the future: 61 s ahead of this validator's "
                 "clock (the window is 60 s)");
  // A clock years off is named as such, without overflow.
  expect_refused(make(INT64_MAX),
                 "proof of possession: issued in the future: more than 10^9 s "
                 "ahead of this validator's clock (the window is 60 s)");
}

TEST_F(Pop, RefusesAnAttestationTokenPresentedAsProof) {
  expect_refused(resign([](json&) {}, {{"typ", "JWT"}}),
                 "proof of possession: wrong type ('typ' must be leea-pop+jwt)");
}

TEST_F(Pop, RefusesMalformedClaims) {
  expect_refused(resign([](json& p) { p.erase("aud"); }),
                 "proof of possession: for another validator");
  expect_refused(resign([](json& p) { p["ath"] = 1; }), "proof of possession: for another token");
  expect_refused(resign([](json& p) { p.erase("iat"); }), "proof of possession: missing 'iat'");
  expect_refused(resign([](json& p) { p["iat"] = 1.5; }),
                 "proof of possession: 'iat' must be an integer");
  expect_refused(resign([](json& p) { p.erase("jti"); }), "proof of possession: missing 'jti'");
  expect_refused(resign([](json& p) { p["jti"] = "short"; }), "proof of possession: malformed jti");
}

TEST_F(Pop, RefusesWhatTheJwsRulesRefuse) {
  auto p = segments(make());
  expect_refused(test::b64url_text(R"({"alg":"none","typ":"leea-pop+jwt"})") + "." + p[1] + ".",
                 "proof of possession: token algorithm 'none' is not allowed");
  expect_refused(make() + ".x",
                 "proof of possession: token: not a compact JWS (expected 3 segments separated "
                 "by '.', found 4)");
}

TEST_F(Pop, RefusesABadConfirmationJwk) {
  crypto::Jwk jwk = eph_.public_key().jwk();
  jwk.crv = "P-384";
  auto r = verify_pop(make(), jwk, "v2", kToken, kNow);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "proof of possession: JWK: 'crv' must be P-256");
}

TEST_F(Pop, RefusesBadArguments) {
  EXPECT_EQ(make_pop(eph_, "v 2", kToken, kNow).error().code, Errc::invalid_argument);
  EXPECT_EQ(make_pop(eph_, "v2", "", kNow).error().code, Errc::invalid_argument);
  EXPECT_EQ(verify_pop(make(), eph_.public_key(), "v2", kToken, kNow, 0).error().code,
            Errc::invalid_argument);
  EXPECT_EQ(
      verify_pop(make(), eph_.public_key(), "v2", kToken, kNow, kMaxPopWindow + 1).error().code,
      Errc::invalid_argument);
}

}  // namespace
}  // namespace leea::attest
