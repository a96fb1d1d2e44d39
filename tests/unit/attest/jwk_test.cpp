#include "core/attest/jwk.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/unit/attest/attest_test_util.h"

namespace leea::attest {
namespace {

using nlohmann::json;

json upstream_jwk() { return json::parse(test::ear_testdata("pkey.json")); }

TEST(Jwk, PublishedKeyImportsAndExportsUnchanged) {
  auto jwk = jwk_from_json(upstream_jwk());
  ASSERT_TRUE(jwk) << jwk.error().message;
  EXPECT_EQ(jwk_to_json(*jwk), upstream_jwk());
  auto key = public_key_from_jwk(*jwk);
  ASSERT_TRUE(key);
  EXPECT_EQ(key->jwk().x, "usWxHK2PmfnHKwXPS54m0kTcGJ90UiglWiGahtagnv8");
}

TEST(Jwk, RefusesAPrivateKey) {
  auto r = jwk_from_json(json::parse(test::ear_testdata("skey-TEST-ONLY.json")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::refused);
  EXPECT_EQ(r.error().message, "JWK: holds a private key ('d')");
}

struct JwkCase {
  const char* name;
  const char* member;
  json value;
  std::string message;
};

class JwkRefusal : public ::testing::TestWithParam<JwkCase> {};

TEST_P(JwkRefusal, NamesTheFailedCheck) {
  json j = upstream_jwk();
  if (GetParam().value.is_null()) {
    j.erase(GetParam().member);
  } else {
    j[GetParam().member] = GetParam().value;
  }
  auto r = jwk_from_json(j);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::refused);
  EXPECT_EQ(r.error().message, GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Members, JwkRefusal,
    ::testing::Values(JwkCase{"KtyOkp", "kty", "OKP", "JWK: 'kty' must be EC"},
                      JwkCase{"CrvP384", "crv", "P-384", "JWK: 'crv' must be P-256"},
                      JwkCase{"NoX", "x", nullptr, "JWK: missing 'x'"},
                      JwkCase{"YNotString", "y", 5, "JWK: 'y' must be a string"},
                      JwkCase{"XShort", "x", "usWxHK2PmfnHKwXPS54m0kTcGJ90UiglWiGahtagnv",
                              "JWK: 'x' must be 32 bytes in base64url"},
                      JwkCase{"XPadded", "x", "usWxHK2PmfnHKwXPS54m0kTcGJ90UiglWiGahtagnv8=",
                              "JWK: 'x' must be 32 bytes in base64url"},
                      JwkCase{"OffCurve", "y", "IBOL-C3BttVivg-lSreASjpkttcsz-1rb7btKLv8EX8",
                              "JWK: not a point on the curve"}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(Jwk, RefusesNonObjects) {
  EXPECT_EQ(jwk_from_json(json::array()).error().message, "JWK: not an object");
}

TEST(Jwks, BuildsTheShapeOfTheDerivedTestdata) {
  auto jwks = jwks_json({test::upstream_public_key()});
  ASSERT_TRUE(jwks) << jwks.error().message;
  json expected = json::parse(test::ear_testdata("jwks-derived.json"));
  expected["keys"][0]["kid"] = test::upstream_public_key().jwk().thumbprint();
  EXPECT_EQ(json::parse(*jwks), expected);
}

TEST(Jwks, ParsesTheDerivedTestdataWithThumbprintKids) {
  auto keys = jwks_keys(test::ear_testdata("jwks-derived.json"));
  ASSERT_TRUE(keys) << keys.error().message;
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].kid, test::upstream_public_key().jwk().thumbprint());
  EXPECT_TRUE((*keys)[0].key == test::upstream_public_key());
}

TEST(Jwks, RoundTripsSeveralKeysInOrder) {
  auto a = test::new_p256_key();
  auto b = test::new_p256_key();
  auto keys = jwks_keys(test::value_or_throw(jwks_json({a.public_key(), b.public_key()})));
  ASSERT_TRUE(keys) << keys.error().message;
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_TRUE((*keys)[0].key == a.public_key());
  EXPECT_TRUE((*keys)[1].key == b.public_key());
  EXPECT_EQ((*keys)[1].kid, b.public_key().jwk().thumbprint());
}

TEST(Jwks, KeepsAnExplicitKid) {
  json doc = json::parse(test::ear_testdata("jwks-derived.json"));
  doc["keys"][0]["kid"] = "validator-1";
  auto keys = jwks_keys(doc.dump());
  ASSERT_TRUE(keys) << keys.error().message;
  EXPECT_EQ((*keys)[0].kid, "validator-1");
}

TEST(Jwks, RefusesMalformedSets) {
  json key = json::parse(test::ear_testdata("jwks-derived.json"))["keys"][0];
  auto refusal = [](const json& doc) {
    auto r = jwks_keys(doc.dump());
    EXPECT_FALSE(r);
    return r ? std::string() : r.error().message;
  };
  EXPECT_EQ(refusal(json::object()), "JWKS: missing the 'keys' array");
  EXPECT_EQ(refusal({{"keys", key}}), "JWKS: missing the 'keys' array");
  json enc = key;
  enc["use"] = "enc";
  EXPECT_EQ(refusal({{"keys", {enc}}}), "JWKS key 0: 'use' must be sig");
  json rs = key;
  rs["alg"] = "RS256";
  EXPECT_EQ(refusal({{"keys", {key, key}}}),
            "JWKS key 1: 'kid' repeats '" + test::upstream_public_key().jwk().thumbprint() + "'");
  EXPECT_EQ(refusal({{"keys", {rs}}}), "JWKS key 0: 'alg' must be ES256");
  json priv = json::parse(test::ear_testdata("skey-TEST-ONLY.json"));
  EXPECT_EQ(refusal({{"keys", {priv}}}), "JWKS key 0: JWK: holds a private key ('d')");
  EXPECT_EQ(refusal({{"keys", json::array({key, 1})}}), "JWKS key 1: JWK: not an object");
  EXPECT_EQ(refusal({{"keys", json::array()}, {"keys2", std::string(70000, 'a')}}),
            "JWKS: longer than 65536 bytes");
}

TEST(Jwks, BuilderRefusesOtherCurves) {
  auto ed = test::value_or_throw(crypto::PrivateKey::generate(crypto::KeyType::ed25519));
  auto r = jwks_json({ed.public_key()});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
}

}  // namespace
}  // namespace leea::attest
