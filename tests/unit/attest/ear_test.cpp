// leea's own tokens: issue_ear, verify_ear and TrustedKeys.
#include "core/attest/ear.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <string>

#include "core/crypto/digest.h"
#include "core/util/version.h"
#include "tests/unit/attest/attest_test_util.h"

namespace leea::attest {
namespace {

using nlohmann::json;
using test::b64url_text;
using test::segments;

constexpr int64_t kNow = 1760000000;
constexpr int64_t kSkew = 5;

class Ear : public ::testing::Test {
 protected:
  Ear() : v1_(test::upstream_private_key()), v2_(test::new_p256_key()), eph_(test::new_p256_key()) {
    EXPECT_TRUE(trusted_.add("v1", v1_.public_key()));
    EXPECT_TRUE(trusted_.add("v2", v2_.public_key()));
    claims_.issuer = "v1";
    claims_.issued_at = kNow;
    claims_.expires_at = kNow + kMaxEarLifetime;
    claims_.status = EarStatus::affirming;
    claims_.order = "demo-sim";
    claims_.node = "node-1";
    claims_.cnf = eph_.public_key().jwk();
    claims_.checks = {"nonce", "binding", "measurement:kernel"};
    claims_.nonce_hash = hex_encode(crypto::sha256(std::string_view("nonce")));
  }

  std::string issue() const { return test::value_or_throw(issue_ear(v1_, claims_)); }

  Result<EarClaims> verify(const std::string& token, int64_t now = kNow) const {
    return verify_ear(token, trusted_, now, kSkew);
  }

  void expect_refused(const std::string& token, const std::string& message,
                      int64_t now = kNow) const {
    auto r = verify(token, now);
    ASSERT_FALSE(r) << "accepted; expected: " << message;
    EXPECT_EQ(r.error().code, Errc::refused);
    EXPECT_EQ(r.error().message, message);
  }

  // Our token with its payload changed by mutate, signed again by v1 as a real issuer would.
  std::string resign(const std::function<void(json&)>& mutate, json header = {}) const {
    json payload = test::decode_segment(segments(issue())[1]);
    mutate(payload);
    if (header.is_null()) {
      header = {{"kid", v1_.public_key().jwk().thumbprint()}, {"typ", "JWT"}};
    }
    return test::value_or_throw(sign_jws(v1_, header, payload));
  }

  crypto::PrivateKey v1_;
  crypto::PrivateKey v2_;
  crypto::PrivateKey eph_;
  TrustedKeys trusted_;
  EarClaims claims_;
};

TEST_F(Ear, IssuedTokenVerifiesToTheSameClaims) {
  auto r = verify(issue());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, claims_);
}

TEST_F(Ear, TokenWithoutNodeRoundTrips) {
  claims_.node.clear();
  std::string token = issue();
  EXPECT_FALSE(test::decode_segment(segments(token)[1]).contains("leea.node"));
  auto r = verify(token);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, claims_);
}

TEST_F(Ear, HeaderCarriesTheThumbprintAsKid) {
  json header = test::decode_segment(segments(issue())[0]);
  EXPECT_EQ(header,
            (json{{"alg", "ES256"}, {"kid", v1_.public_key().jwk().thumbprint()}, {"typ", "JWT"}}));
}

TEST_F(Ear, PayloadCarriesTheEarClaims) {
  json p = test::decode_segment(segments(issue())[1]);
  EXPECT_EQ(p["iss"], "v1");
  EXPECT_EQ(p["iat"], kNow);
  EXPECT_EQ(p["exp"], kNow + 120);
  EXPECT_EQ(p["eat_profile"], "tag:github.com,2023:veraison/ear");
  EXPECT_EQ(p["ear.verifier-id"],
            (json{{"developer", "leea"}, {"build", std::string("leea ") + kVersion}}));
  EXPECT_EQ(
      p["submods"],
      (json{{"leea",
             {{"ear.status", "affirming"}, {"ear.appraisal-policy-id", "leea:order:demo-sim"}}}}));
  EXPECT_EQ(p["leea.order"], "demo-sim");
  EXPECT_EQ(p["leea.node"], "node-1");
  EXPECT_EQ(p["leea.checks"], (json{"nonce", "binding", "measurement:kernel"}));
  EXPECT_EQ(p["leea.nonce-hash"], claims_.nonce_hash);
  EXPECT_EQ(p["cnf"]["jwk"], jwk_to_json(eph_.public_key().jwk()));
}

TEST_F(Ear, AnyPoolMembersTokenVerifies) {
  claims_.issuer = "v2";
  auto r = verify(test::value_or_throw(issue_ear(v2_, claims_)));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->issuer, "v2");
}

TEST_F(Ear, ClockBoundariesHonourTheSkew) {
  std::string token = issue();
  EXPECT_TRUE(verify(token, claims_.expires_at + kSkew - 1));
  expect_refused(token, "token expired 5 s ago by this clock (skew allowed: 5 s)",
                 claims_.expires_at + kSkew);
  EXPECT_TRUE(verify(token, kNow - kSkew));
  expect_refused(token, "token issued in the future: 6 s ahead of this clock (skew allowed: 5 s)",
                 kNow - kSkew - 1);
}

TEST_F(Ear, RefusesTokenOfAKeyOutsideThePool) {
  auto outsider = test::new_p256_key();
  expect_refused(test::value_or_throw(issue_ear(outsider, claims_)),
                 "token signature: signing key is not in the pool");
}

TEST_F(Ear, RefusesTokenWithoutKid) {
  expect_refused(resign([](json&) {}, {{"typ", "JWT"}}),
                 "token signature: signing key is not in the pool");
}

TEST_F(Ear, RefusesKidOfOnePoolKeySignedByAnother) {
  claims_.issuer = "v2";
  json payload = test::decode_segment(segments(issue())[1]);
  json header = {{"kid", v1_.public_key().jwk().thumbprint()}, {"typ", "JWT"}};
  expect_refused(test::value_or_throw(sign_jws(v2_, header, payload)),
                 "token signature: does not verify");
}

TEST_F(Ear, RefusesIssuerWhoDoesNotOwnTheKey) {
  claims_.issuer = "v2";  // signed by v1's key
  expect_refused(issue(),
                 "token issuer: the signing key belongs to v1, not to the issuer named in 'iss'");
}

TEST_F(Ear, RefusesTamperedPayload) {
  auto p = segments(issue());
  json payload = test::decode_segment(p[1]);
  payload["leea.order"] = "other-order";
  expect_refused(p[0] + "." + b64url_text(payload.dump()) + "." + p[2],
                 "token signature: does not verify");
}

TEST_F(Ear, RefusesAlgNoneAndHs256VersionsOfAValidToken) {
  auto p = segments(issue());
  expect_refused(b64url_text(R"({"alg":"none","typ":"JWT"})") + "." + p[1] + ".",
                 "token algorithm 'none' is not allowed");
  expect_refused(b64url_text(R"({"alg":"HS256","typ":"JWT"})") + "." + p[1] + "." + p[2],
                 "token algorithm 'HS256' is not allowed");
}

TEST_F(Ear, RefusesFourSegments) {
  expect_refused(issue() + ".x",
                 "token: not a compact JWS (expected 3 segments separated by '.', found 4)");
}

TEST_F(Ear, RefusesAnotherTokenType) {
  expect_refused(
      resign([](json&) {}, {{"kid", v1_.public_key().jwk().thumbprint()}, {"typ", "at+jwt"}}),
      "token header: 'typ' must be JWT");
}

struct Mutation {
  const char* name;
  std::function<void(json&)> mutate;
  std::string message;
};

class EarMutation : public Ear, public ::testing::WithParamInterface<Mutation> {};

TEST_P(EarMutation, IsRefusedNamingTheCheck) {
  expect_refused(resign(GetParam().mutate), GetParam().message);
}

const std::string kLifetime = "token lifetime: exp must be 1 to 120 s after iat";

INSTANTIATE_TEST_SUITE_P(
    OneField, EarMutation,
    ::testing::Values(
        Mutation{"NoIss", [](json& p) { p.erase("iss"); }, "token claims: missing 'iss'"},
        Mutation{"IssNotString", [](json& p) { p["iss"] = 1; },
                 "token claims: 'iss' must be a string"},
        Mutation{"NoEatProfile", [](json& p) { p.erase("eat_profile"); },
                 "token claims: missing eat_profile"},
        Mutation{"NoIat", [](json& p) { p.erase("iat"); }, "token claims: missing iat"},
        Mutation{"NoVerifierId", [](json& p) { p.erase("ear.verifier-id"); },
                 "token claims: missing ear.verifier-id"},
        Mutation{"NoSubmods", [](json& p) { p.erase("submods"); }, "token claims: missing submods"},
        Mutation{"IatFractional", [](json& p) { p["iat"] = kNow + 0.5; },
                 "token claims: 'iat' must be an integer"},
        Mutation{"IatString", [](json& p) { p["iat"] = std::to_string(kNow); },
                 "token claims: 'iat' must be an integer"},
        Mutation{"IatNegative", [](json& p) { p["iat"] = -1; },
                 "token claims: 'iat' or 'exp' is not a date between 1970 and 9999"},
        Mutation{"ExpHuge", [](json& p) { p["exp"] = uint64_t{1} << 63; },
                 "token claims: 'exp' must be an integer"},
        Mutation{"NoExp", [](json& p) { p.erase("exp"); }, "token claims: missing exp"},
        Mutation{"LifetimeTooLong", [](json& p) { p["exp"] = kNow + 121; }, kLifetime},
        Mutation{"LifetimeZero", [](json& p) { p["exp"] = kNow; }, kLifetime},
        Mutation{"ExpBeforeIat", [](json& p) { p["iat"] = kNow + 1, p["exp"] = kNow; }, kLifetime},
        Mutation{"VerifierIdNotObject", [](json& p) { p["ear.verifier-id"] = "leea"; },
                 "token claims: 'ear.verifier-id' must be an object"},
        Mutation{"VerifierIdNoBuild", [](json& p) { p["ear.verifier-id"].erase("build"); },
                 "token claims: ear.verifier-id: missing 'build'"},
        Mutation{"OtherProfile", [](json& p) { p["eat_profile"] = "tag:example.com,2024:x"; },
                 "token claims: eat_profile is not the EAR profile "
                 "tag:github.com,2023:veraison/ear"},
        Mutation{"SubmodsEmpty", [](json& p) { p["submods"] = json::object(); },
                 "token claims: 'submods' must be an object with at least one submod"},
        Mutation{"SubmodWithoutStatus", [](json& p) { p["submods"]["leea"].erase("ear.status"); },
                 "token claims: submod 'leea' has no ear.status"},
        Mutation{"StatusUnknown", [](json& p) { p["submods"]["leea"]["ear.status"] = "great"; },
                 "token claims: submod 'leea' has an unknown ear.status"},
        Mutation{"StatusWarning", [](json& p) { p["submods"]["leea"]["ear.status"] = "warning"; },
                 "token status: warning, not affirming"},
        Mutation{"StatusContraindicated",
                 [](json& p) { p["submods"]["leea"]["ear.status"] = "contraindicated"; },
                 "token status: contraindicated, not affirming"},
        Mutation{"StatusNone", [](json& p) { p["submods"]["leea"]["ear.status"] = "none"; },
                 "token status: none, not affirming"},
        Mutation{"NoLeeaSubmod",
                 [](json& p) {
                   p["submods"] = {{"other", {{"ear.status", "affirming"}}}};
                 },
                 "token claims: no 'leea' submod"},
        Mutation{
            "PolicyOfAnotherOrder",
            [](json& p) { p["submods"]["leea"]["ear.appraisal-policy-id"] = "leea:order:other"; },
            "token claims: ear.appraisal-policy-id does not name the order"},
        Mutation{"NoOrder", [](json& p) { p.erase("leea.order"); },
                 "token claims: missing 'leea.order'"},
        Mutation{"OrderNotAnId", [](json& p) { p["leea.order"] = "../etc"; },
                 "token claims: 'leea.order' must be a valid id"},
        Mutation{"NodeNotAnId", [](json& p) { p["leea.node"] = "a b"; },
                 "token claims: 'leea.node' must be a valid id"},
        Mutation{"ChecksNotList", [](json& p) { p["leea.checks"] = "nonce"; },
                 "token claims: 'leea.checks' must be a list of at most 64 check names"},
        Mutation{"CheckNameMalformed", [](json& p) { p["leea.checks"].push_back("a\nb"); },
                 "token claims: 'leea.checks' holds a malformed check name"},
        Mutation{"NonceHashUpperCase",
                 [](json& p) {
                   std::string h = p["leea.nonce-hash"];
                   std::transform(h.begin(), h.end(), h.begin(), ::toupper);
                   p["leea.nonce-hash"] = h;
                 },
                 "token claims: 'leea.nonce-hash' must be 64 lower-case hex digits"},
        Mutation{"NoCnf", [](json& p) { p.erase("cnf"); },
                 "token claims: missing cnf.jwk (the VM's ephemeral key)"},
        Mutation{"CnfWithPrivateKey", [](json& p) { p["cnf"]["jwk"]["d"] = "AAAA"; },
                 "token claims: cnf: JWK: holds a private key ('d')"},
        Mutation{"CnfOffCurve",
                 [](json& p) { p["cnf"]["jwk"]["y"] = base64url_encode(std::vector<uint8_t>(32)); },
                 "token claims: cnf: JWK: not a point on the curve"},
        Mutation{"CnfP384", [](json& p) { p["cnf"]["jwk"]["crv"] = "P-384"; },
                 "token claims: cnf: JWK: 'crv' must be P-256"}),
    [](const auto& p) { return std::string(p.param.name); });

TEST_F(Ear, IssueRefusesClaimsOutOfBounds) {
  auto refused = [&](const std::function<void(EarClaims&)>& mutate) {
    EarClaims c = claims_;
    mutate(c);
    auto r = issue_ear(v1_, c);
    return !r && r.error().code == Errc::invalid_argument;
  };
  EXPECT_TRUE(refused([](EarClaims& c) { c.expires_at = c.issued_at + 121; }));
  EXPECT_TRUE(refused([](EarClaims& c) { c.expires_at = c.issued_at; }));
  EXPECT_TRUE(refused([](EarClaims& c) { c.issuer = "v 1"; }));
  EXPECT_TRUE(refused([](EarClaims& c) { c.order.clear(); }));
  EXPECT_TRUE(refused([](EarClaims& c) { c.node = ".."; }));
  EXPECT_TRUE(refused([](EarClaims& c) { c.cnf.crv = "P-384"; }));
  EXPECT_TRUE(refused([](EarClaims& c) { c.checks.assign(65, "x"); }));
  EXPECT_TRUE(refused([](EarClaims& c) { c.checks = {""}; }));
  EXPECT_TRUE(refused([](EarClaims& c) { c.nonce_hash = "abc"; }));
  auto ed = test::value_or_throw(crypto::PrivateKey::generate(crypto::KeyType::ed25519));
  EXPECT_EQ(issue_ear(ed, claims_).error().code, Errc::invalid_argument);
}

TEST_F(Ear, VerifyRefusesASkewBeyondTheLimit) {
  EXPECT_EQ(verify_ear(issue(), trusted_, kNow, kMaxClockSkew + 1).error().code,
            Errc::invalid_argument);
}

TEST(TrustedKeys, FindsEachKeyByItsThumbprint) {
  TrustedKeys keys;
  auto a = test::new_p256_key();
  ASSERT_TRUE(keys.add("a", a.public_key()));
  const auto* e = keys.find(a.public_key().jwk().thumbprint());
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->validator_id, "a");
  EXPECT_EQ(keys.find(""), nullptr);
  EXPECT_EQ(keys.size(), 1u);
}

TEST(TrustedKeys, RefusesDuplicatesOtherCurvesAndBadIds) {
  TrustedKeys keys;
  auto a = test::new_p256_key();
  ASSERT_TRUE(keys.add("a", a.public_key()));
  EXPECT_EQ(keys.add("b", a.public_key()).error().message,
            "trusted key of b: already trusted for a");
  auto p384 = test::value_or_throw(crypto::PrivateKey::generate(crypto::KeyType::p384));
  EXPECT_EQ(keys.add("c", p384.public_key()).error().code, Errc::invalid_argument);
  auto d = test::new_p256_key();
  EXPECT_EQ(keys.add("d/..", d.public_key()).error().code, Errc::invalid_argument);
}

TEST(EarStatus, NamesRoundTrip) {
  for (EarStatus s :
       {EarStatus::none, EarStatus::affirming, EarStatus::warning, EarStatus::contraindicated}) {
    EXPECT_EQ(parse_ear_status(ear_status_name(s)), s);
  }
  EXPECT_FALSE(parse_ear_status("Affirming"));
}

}  // namespace
}  // namespace leea::attest
