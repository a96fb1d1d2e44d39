// The upstream EAR tokens of shared/testdata/ear: each verifies or fails exactly as its
// PROVENANCE.md says, through the generic EAR checks (they carry none of leea's claims).
#include <gtest/gtest.h>

#include <string>

#include "core/attest/ear.h"
#include "tests/unit/attest/attest_test_util.h"

namespace leea::attest {
namespace {

using nlohmann::json;

constexpr int64_t kUpstreamIat = 1666091373;
constexpr int64_t kSkew = 60;

KeyResolver pinned(const crypto::PublicKey& key) {
  return [key](std::string_view) -> Result<crypto::PublicKey> { return key; };
}

struct VectorCase {
  const char* file;
  std::string message;  // empty: valid
};

class UpstreamEarToken : public ::testing::TestWithParam<VectorCase> {};

TEST_P(UpstreamEarToken, VerifiesOrFailsAsProvenanceSays) {
  std::string token = test::ear_testdata(GetParam().file);
  auto r = verify_ear_token(token, pinned(test::upstream_public_key()), kUpstreamIat + 3600, kSkew);
  if (GetParam().message.empty()) {
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->profile, kEarProfile);
    EXPECT_EQ(r->issued_at, kUpstreamIat);
    EXPECT_FALSE(r->expires_at);
    EXPECT_EQ(r->verifier_developer, "Acme Inc.");
    EXPECT_EQ(r->verifier_build, "rrtrap-v1.0.0");
    ASSERT_EQ(r->submods.size(), 1u);
    EXPECT_EQ(r->submods[0].first, "test");
    EXPECT_EQ(r->submods[0].second, EarStatus::affirming);
  } else {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::refused);
    EXPECT_EQ(r.error().message, GetParam().message);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Provenance, UpstreamEarToken,
    ::testing::Values(
        VectorCase{"valid-es256-veraison-extensions.jwt", ""},
        VectorCase{"valid-es256-trustworthiness-vector.jwt", ""},
        VectorCase{"valid-es256-jwk-in-header.jwt", ""},
        VectorCase{"foreign-key-trustee-expired.jwt", "token signature: does not verify"},
        VectorCase{"invalid-alg-hs256.jwt", "token algorithm 'HS256' is not allowed"},
        VectorCase{"invalid-alg-none.jwt", "token algorithm 'none' is not allowed"},
        VectorCase{"invalid-leading-dot.jwt",
                   "token: not a compact JWS (expected 3 segments separated by '.', found 4)"},
        VectorCase{"invalid-empty-claims-es256.jwt",
                   "token claims: missing eat_profile, iat, ear.verifier-id, submods"},
        VectorCase{"invalid-trailing-rubbish.jwt",
                   "token: not a compact JWS (expected 3 segments separated by '.', found 4)"}),
    [](const auto& p) {
      std::string name = p.param.file;
      name = name.substr(0, name.find('.'));
      std::erase(name, '-');
      return name;
    });

TEST(UpstreamEarVectors, EmptyClaimsTokenHasAValidSignature) {
  auto r = verify_jws(test::ear_testdata("invalid-empty-claims-es256.jwt"),
                      pinned(test::upstream_public_key()));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->payload, json::object());
}

TEST(UpstreamEarVectors, JwkInHeaderIsIgnoredInFavourOfThePinnedKey) {
  // The header names the upstream key; a verifier pinned to another key must refuse.
  auto other = test::new_p256_key();
  auto r =
      verify_jws(test::ear_testdata("valid-es256-jwk-in-header.jwt"), pinned(other.public_key()));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, kBadSignature);
}

TEST(UpstreamEarVectors, TrusteeTokenVerifiesOnlyWithItsOwnKeyAndIsExpired) {
  std::string token = test::ear_testdata("foreign-key-trustee-expired.jwt");
  json header = test::decode_segment(test::segments(token)[0]);
  auto own = test::value_or_throw(jwk_from_json(header["jwk"]));
  auto own_key = test::value_or_throw(public_key_from_jwk(own));
  EXPECT_FALSE(own_key == test::upstream_public_key());

  auto jws = verify_jws(token, pinned(own_key));
  ASSERT_TRUE(jws) << jws.error().message;
  const int64_t iat = 1752059139;
  const int64_t exp = 1752059439;
  auto later = check_ear_claims(jws->payload, exp, 0);
  ASSERT_FALSE(later);
  EXPECT_EQ(later.error().message, "token expired 0 s ago by this clock (skew allowed: 0 s)");
  // Within its lifetime it still fails: its profile is Trustee's, not EAR's.
  auto during = check_ear_claims(jws->payload, iat + 10, 0);
  ASSERT_FALSE(during);
  EXPECT_EQ(during.error().message,
            "token claims: eat_profile is not the EAR profile tag:github.com,2023:veraison/ear");
}

TEST(UpstreamEarVectors, UnsignedClaimSetsPassTheEarChecks) {
  for (const char* file : {"ear-claims.json", "ear-claims-tv-ok.json"}) {
    auto r = check_ear_claims(json::parse(test::ear_testdata(file)), kUpstreamIat, 0);
    ASSERT_TRUE(r) << file << ": " << r.error().message;
    EXPECT_EQ(r->submods.at(0).second, EarStatus::affirming);
  }
}

TEST(UpstreamEarVectors, IssuedInTheFutureBeyondSkewIsRefused) {
  auto claims = json::parse(test::ear_testdata("ear-claims.json"));
  EXPECT_TRUE(check_ear_claims(claims, kUpstreamIat - kSkew, kSkew));
  auto r = check_ear_claims(claims, kUpstreamIat - kSkew - 1, kSkew);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "token issued in the future: 61 s ahead of this clock (skew allowed: 60 s)");
}

TEST(UpstreamEarVectors, SkewBeyondTheLimitIsACallerError) {
  auto claims = json::parse(test::ear_testdata("ear-claims.json"));
  EXPECT_EQ(check_ear_claims(claims, kUpstreamIat, kMaxClockSkew + 1).error().code,
            Errc::invalid_argument);
  EXPECT_EQ(check_ear_claims(claims, kUpstreamIat, -1).error().code, Errc::invalid_argument);
}

TEST(UpstreamEarVectors, TokensMintedWithTheTestKeyVerifyWithThePublishedKey) {
  auto skey = test::upstream_private_key();
  json claims = json::parse(test::ear_testdata("ear-claims-tv-ok.json"));
  std::string token = test::value_or_throw(sign_jws(skey, {{"typ", "JWT"}}, claims));
  auto r = verify_ear_token(token, pinned(test::upstream_public_key()), kUpstreamIat, 0);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->claims, claims);
}

}  // namespace
}  // namespace leea::attest
