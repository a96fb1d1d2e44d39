#include "core/attest/jws.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/unit/attest/attest_test_util.h"

namespace leea::attest {
namespace {

using nlohmann::json;
using test::b64url_text;
using test::segments;

class Jws : public ::testing::Test {
 protected:
  Jws() : key_(test::new_p256_key()) {}

  KeyResolver resolver() const {
    return [pub = key_.public_key()](std::string_view) -> Result<crypto::PublicKey> { return pub; };
  }

  std::string sign(const json& header, const json& payload) const {
    return test::value_or_throw(sign_jws(key_, header, payload));
  }

  // A token with the given header and payload text, signed by key_ as ES256 would be.
  std::string forge(std::string_view header, std::string_view payload) const {
    std::string input = b64url_text(header) + "." + b64url_text(payload);
    auto sig = test::value_or_throw(key_.sign(test::as_bytes(input), crypto::SigFormat::raw));
    return input + "." + base64url_encode(sig);
  }

  void expect_refused(const std::string& token, const std::string& message) const {
    auto r = verify_jws(token, resolver());
    ASSERT_FALSE(r) << "accepted: " << message;
    EXPECT_EQ(r.error().code, Errc::refused);
    EXPECT_EQ(r.error().message, message);
  }

  crypto::PrivateKey key_;
};

TEST_F(Jws, SignedTokenVerifiesWithHeaderAndPayload) {
  std::string token = sign({{"kid", "k1"}, {"typ", "JWT"}}, {{"sub", "vm"}, {"n", 7}});
  auto r = verify_jws(token, resolver());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->header, (json{{"alg", "ES256"}, {"kid", "k1"}, {"typ", "JWT"}}));
  EXPECT_EQ(r->payload, (json{{"sub", "vm"}, {"n", 7}}));
  EXPECT_EQ(r->kid, "k1");
}

TEST_F(Jws, SignatureIsRawRAndS) {
  std::string token = sign(json::object(), {{"a", 1}});
  EXPECT_EQ(test::unb64url(segments(token)[2]).size(), 64u);
}

TEST_F(Jws, ResolverSeesTheKidAndItsErrorIsPassedOn) {
  std::string token = sign({{"kid", "abc"}}, {{"a", 1}});
  std::string seen;
  auto r = verify_jws(token, [&](std::string_view kid) -> Result<crypto::PublicKey> {
    seen = kid;
    return make_error(Errc::refused, "no such key");
  });
  EXPECT_EQ(seen, "abc");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "no such key");
}

TEST_F(Jws, RefusesAnotherKeysSignature) {
  std::string token = sign(json::object(), {{"a", 1}});
  auto other = test::new_p256_key();
  auto r = verify_jws(
      token, [&](std::string_view) -> Result<crypto::PublicKey> { return other.public_key(); });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, kBadSignature);
}

TEST_F(Jws, RefusesTamperedPayload) {
  auto parts = segments(sign(json::object(), {{"role", "vm"}}));
  std::string token = parts[0] + "." + b64url_text(R"({"role":"admin"})") + "." + parts[2];
  expect_refused(token, "token signature: does not verify");
}

TEST_F(Jws, NeverTrustsAKeyInTheHeader) {
  // Signed by an attacker who puts their own key in jwk; the resolver's key decides.
  auto attacker = test::new_p256_key();
  json header = {{"jwk", jwk_to_json(attacker.public_key().jwk())},
                 {"jku", "https://attacker.example/jwks"},
                 {"x5c", json::array({"MIIB"})}};
  std::string token = test::value_or_throw(sign_jws(attacker, header, {{"a", 1}}));
  expect_refused(token, "token signature: does not verify");
}

struct RefusalCase {
  const char* name;
  std::string header;
  std::string payload;
  std::string message;
};

class JwsHeaderRefusal : public Jws, public ::testing::WithParamInterface<RefusalCase> {};

TEST_P(JwsHeaderRefusal, NamesTheFailedCheck) {
  expect_refused(forge(GetParam().header, GetParam().payload), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Headers, JwsHeaderRefusal,
    ::testing::Values(
        RefusalCase{"AlgNone", R"({"alg":"none"})", "{}", "token algorithm 'none' is not allowed"},
        RefusalCase{"AlgHs256", R"({"alg":"HS256"})", "{}",
                    "token algorithm 'HS256' is not allowed"},
        RefusalCase{"AlgEs384", R"({"alg":"ES384"})", "{}",
                    "token algorithm 'ES384' is not allowed"},
        RefusalCase{"AlgLowerCase", R"({"alg":"es256"})", "{}",
                    "token algorithm 'es256' is not allowed"},
        RefusalCase{"AlgUnprintable", R"({"alg":"ES256\n"})", "{}",
                    "token algorithm is not allowed"},
        RefusalCase{"AlgMissing", R"({"typ":"JWT"})", "{}", "token header: missing 'alg'"},
        RefusalCase{"AlgNotString", R"({"alg":1})", "{}", "token header: 'alg' must be a string"},
        RefusalCase{"AlgTwice", R"({"alg":"ES256","alg":"none"})", "{}",
                    "token header: a member name appears twice in one object"},
        RefusalCase{"Crit", R"({"alg":"ES256","crit":["b64"],"b64":false})", "{}",
                    "token header: 'crit' names extensions this verifier does not support"},
        RefusalCase{"KidNotString", R"({"alg":"ES256","kid":5})", "{}",
                    "token header: 'kid' must be 1 to 128 characters from [A-Za-z0-9._:-]"},
        RefusalCase{"HeaderNotObject", R"(["ES256"])", "{}", "token header: not a JSON object"},
        RefusalCase{"HeaderNotJson", R"({"alg":"ES256")", "{}", "token header: not valid JSON"},
        RefusalCase{"PayloadNotObject", R"({"alg":"ES256"})", "[1]",
                    "token payload: not a JSON object"},
        RefusalCase{"PayloadNotJson", R"({"alg":"ES256"})", "{x}", "token payload: not valid JSON"},
        RefusalCase{"PayloadDuplicate", R"({"alg":"ES256"})", R"({"iss":"a","iss":"b"})",
                    "token payload: a member name appears twice in one object"}),
    [](const auto& p) { return std::string(p.param.name); });

TEST_F(Jws, RefusesAlgNoneWithEmptySignature) {
  std::string token = b64url_text(R"({"alg":"none"})") + "." + b64url_text("{}") + ".";
  expect_refused(token, "token algorithm 'none' is not allowed");
}

TEST_F(Jws, RefusesWrongSegmentCounts) {
  std::string token = sign(json::object(), {{"a", 1}});
  const std::string msg = "token: not a compact JWS (expected 3 segments separated by '.', found ";
  expect_refused(token + ".x", msg + "4)");
  expect_refused("." + token, msg + "4)");
  expect_refused(token.substr(0, token.rfind('.')), msg + "2)");
  expect_refused("", msg + "1)");
}

TEST_F(Jws, RefusesEmptySegments) {
  auto p = segments(sign(json::object(), {{"a", 1}}));
  expect_refused("." + p[1] + "." + p[2], "token: not a compact JWS (empty header segment)");
  expect_refused(p[0] + ".." + p[2], "token: not a compact JWS (empty payload segment)");
  expect_refused(p[0] + "." + p[1] + ".", "token: not a compact JWS (empty signature segment)");
}

TEST_F(Jws, RefusesNonCanonicalBase64url) {
  auto p = segments(sign(json::object(), {{"a", 1}}));
  expect_refused(p[0] + "=." + p[1] + "." + p[2], "token header: not base64url");
  expect_refused(p[0] + "." + p[1] + "+." + p[2], "token payload: not base64url");
  expect_refused(p[0] + "." + p[1] + "." + p[2] + "=", "token signature: not base64url");
}

TEST_F(Jws, RefusesSignatureOfTheWrongLength) {
  auto p = segments(sign(json::object(), {{"a", 1}}));
  auto sig = test::unb64url(p[2]);
  sig.push_back(0);
  expect_refused(p[0] + "." + p[1] + "." + base64url_encode(sig),
                 "token signature: must be 64 bytes (r||s), not 65");
  sig.resize(63);
  expect_refused(p[0] + "." + p[1] + "." + base64url_encode(sig),
                 "token signature: must be 64 bytes (r||s), not 63");
}

TEST_F(Jws, RefusesDerSignature) {
  auto p = segments(sign(json::object(), {{"a", 1}}));
  std::string input = p[0] + "." + p[1];
  auto der = test::value_or_throw(key_.sign(test::as_bytes(input), crypto::SigFormat::der));
  auto r = verify_jws(input + "." + base64url_encode(der), resolver());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::refused);
}

TEST_F(Jws, RefusesTokensOver16KiB) {
  std::string token = forge(R"({"alg":"ES256"})", "{\"p\":\"" + std::string(13000, 'a') + "\"}");
  expect_refused(token, "token: longer than 16384 bytes");
}

TEST_F(Jws, RefusesDeepNesting) {
  std::string deep = std::string(20, '[') + std::string(20, ']');
  expect_refused(forge(R"({"alg":"ES256"})", "{\"a\":" + deep + "}"),
                 "token payload: nested deeper than 16 levels");
}

TEST_F(Jws, SignRefusesWhatVerifyWouldRefuse) {
  EXPECT_EQ(sign_jws(key_, {{"alg", "none"}}, {{"a", 1}}).error().code, Errc::invalid_argument);
  EXPECT_EQ(sign_jws(key_, json::array(), {{"a", 1}}).error().code, Errc::invalid_argument);
  EXPECT_EQ(sign_jws(key_, json::object(), json::array()).error().code, Errc::invalid_argument);
  auto big = sign_jws(key_, json::object(), {{"p", std::string(13000, 'a')}});
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().message, "token: longer than 16384 bytes");
  auto ed = test::value_or_throw(crypto::PrivateKey::generate(crypto::KeyType::ed25519));
  EXPECT_EQ(sign_jws(ed, json::object(), {{"a", 1}}).error().code, Errc::invalid_argument);
  auto bad_utf8 = sign_jws(key_, json::object(), {{"a", "\xff"}});
  ASSERT_FALSE(bad_utf8);
  EXPECT_EQ(bad_utf8.error().message, "token payload: a string is not UTF-8");
}

TEST_F(Jws, ParseLeavesThePayloadUnparsedUntilTheSignatureVerifies) {
  std::string token = forge(R"({"alg":"ES256","kid":"k"})", "{not json");
  auto parsed = parse_jws(token);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->kid, "k");
  auto other = test::new_p256_key();
  EXPECT_EQ(verify_jws_signature(*parsed, other.public_key()).error().message, kBadSignature);
  EXPECT_EQ(verify_jws_signature(*parsed, key_.public_key()).error().message,
            "token payload: not valid JSON");
}

}  // namespace
}  // namespace leea::attest
