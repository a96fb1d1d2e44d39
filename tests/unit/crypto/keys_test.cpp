// PublicKey and Jwk (core/crypto/keys.cpp); PrivateKey is tested in private_key_test.cpp.
#include "core/crypto/keys.h"

#include <gtest/gtest.h>

#include <string>

#include "core/crypto/digest.h"
#include "core/util/encoding.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/crypto/test_keys.h"

namespace leea::crypto {
namespace {

using test::as_bytes;
using test::key_from_pkcs8;
using test::kP256Pkcs8;
using test::unb64url;
using test::unhex;

// ---- public keys of every type ----

class PublicKeyByType : public ::testing::TestWithParam<KeyType> {};

TEST_P(PublicKeyByType, RoundTripsThroughPemDerAndRaw) {
  auto key = PrivateKey::generate(GetParam());
  ASSERT_TRUE(key);
  const PublicKey& pub = key->public_key();
  auto from_pem = PublicKey::from_pem(pub.to_pem(), "pem");
  auto from_der = PublicKey::from_spki_der(pub.spki_der(), "der");
  auto from_raw = PublicKey::from_raw(GetParam(), pub.raw());
  ASSERT_TRUE(from_pem && from_der && from_raw);
  EXPECT_TRUE(*from_pem == pub);
  EXPECT_TRUE(*from_der == pub);
  EXPECT_TRUE(*from_raw == pub);
  EXPECT_EQ(from_raw->spki_der(), pub.spki_der());
}

TEST_P(PublicKeyByType, FingerprintIsSha256PrefixOfSpki) {
  auto key = PrivateKey::generate(GetParam());
  ASSERT_TRUE(key);
  const PublicKey& pub = key->public_key();
  auto h = sha256(pub.spki_der());
  EXPECT_EQ(pub.fingerprint(), "sha256:" + hex_encode(std::span(h).first(8)));
  EXPECT_EQ(pub.fingerprint().size(), 7u + 16u);
}

INSTANTIATE_TEST_SUITE_P(AllTypes, PublicKeyByType,
                         ::testing::Values(KeyType::p256, KeyType::p384, KeyType::ed25519,
                                           KeyType::x25519),
                         [](const auto& p) {
                           std::string name(key_type_name(p.param));
                           std::erase(name, '-');
                           return name;
                         });

// ---- JWK export and published vectors ----

// The public key of RFC 8032 §7.1 TEST 1, which is also RFC 8037 Appendix A.1.
const std::string kRfc8032Public =
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

TEST(PublicKeyJwk, Ed25519FieldsAndThumbprintMatchRfc8037) {
  auto pub = PublicKey::from_raw(KeyType::ed25519, unhex(kRfc8032Public));
  ASSERT_TRUE(pub);
  Jwk jwk = pub->jwk();
  EXPECT_EQ(jwk.kty, "OKP");
  EXPECT_EQ(jwk.crv, "Ed25519");
  EXPECT_EQ(jwk.x, "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");
  EXPECT_EQ(jwk.y, "");
  // RFC 8037 Appendix A.3.
  EXPECT_EQ(jwk.to_json(),
            R"({"crv":"Ed25519","kty":"OKP","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})");
  EXPECT_EQ(jwk.thumbprint(), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
}

// The ES256 key of veraison/ear (shared/testdata/ear): the private JWK's d gives the
// public JWK's x and y, and the key's tokens verify.
class PublicKeyEarVectors : public ::testing::Test {
 protected:
  static constexpr std::string_view kX = "usWxHK2PmfnHKwXPS54m0kTcGJ90UiglWiGahtagnv8";
  static constexpr std::string_view kY = "IBOL-C3BttVivg-lSreASjpkttcsz-1rb7btKLv8EX4";
  static constexpr std::string_view kD = "V8kgd2ZBRuh2dgyVINBUqpPDr7BOMGcF22CQMIUHtNM";

  static PublicKey public_key() {
    auto raw = test::concat(std::vector<uint8_t>{0x04}, test::concat(unb64url(kX), unb64url(kY)));
    auto pub = PublicKey::from_raw(KeyType::p256, raw);
    if (!pub) {
      throw std::runtime_error(pub.error().message);
    }
    return *pub;
  }

  static std::string token(const char* name) {
    return test::read_file(std::string(LEEA_TESTDATA_DIR) + "/ear/" + name);
  }

  // Verifies a compact JWS: ES256 over "header.payload" with a raw r||s signature.
  static Result<void> verify_jws(const PublicKey& key, const std::string& jws) {
    size_t last = jws.rfind('.');
    return key.verify(as_bytes(std::string_view(jws).substr(0, last)),
                      unb64url(std::string_view(jws).substr(last + 1)), SigFormat::raw);
  }
};

TEST_F(PublicKeyEarVectors, PrivateScalarGivesThePublishedJwk) {
  PrivateKey key = key_from_pkcs8(kP256Pkcs8, unb64url(kD));
  Jwk jwk = key.public_key().jwk();
  EXPECT_EQ(jwk.kty, "EC");
  EXPECT_EQ(jwk.crv, "P-256");
  EXPECT_EQ(jwk.x, kX);
  EXPECT_EQ(jwk.y, kY);
  EXPECT_EQ(jwk.to_json(), R"({"crv":"P-256","kty":"EC","x":")" + std::string(kX) + R"(","y":")" +
                               std::string(kY) + R"("})");
  EXPECT_TRUE(key.public_key() == public_key());
}

TEST_F(PublicKeyEarVectors, PublishedTokensVerify) {
  for (const char* name :
       {"valid-es256-veraison-extensions.jwt", "valid-es256-trustworthiness-vector.jwt",
        "valid-es256-jwk-in-header.jwt"}) {
    auto r = verify_jws(public_key(), token(name));
    EXPECT_TRUE(r) << name << ": " << r.error().message;
  }
}

TEST_F(PublicKeyEarVectors, TokenOfAForeignKeyIsRefused) {
  auto r = verify_jws(public_key(), token("foreign-key-trustee-expired.jwt"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::refused);
}

TEST_F(PublicKeyEarVectors, OurSignatureVerifiesAsAJws) {
  PrivateKey key = key_from_pkcs8(kP256Pkcs8, unb64url(kD));
  std::string input = "eyJhbGciOiJFUzI1NiJ9.e30";
  auto sig = key.sign(as_bytes(input), SigFormat::raw);
  ASSERT_TRUE(sig);
  EXPECT_TRUE(verify_jws(public_key(), input + "." + base64url_encode(*sig)));
}

TEST(PublicKeyJwk, P384CoordinatesAre48Bytes) {
  auto key = PrivateKey::generate(KeyType::p384);
  ASSERT_TRUE(key);
  Jwk jwk = key->public_key().jwk();
  EXPECT_EQ(jwk.crv, "P-384");
  EXPECT_EQ(unb64url(jwk.x).size(), 48u);
  EXPECT_EQ(unb64url(jwk.y).size(), 48u);
  EXPECT_EQ(
      test::concat(std::vector<uint8_t>{0x04}, test::concat(unb64url(jwk.x), unb64url(jwk.y))),
      key->public_key().raw());
}

// ---- malformed input ----

TEST(PublicKeyRaw, RefusesWrongLengthsAndOffCurvePoints) {
  EXPECT_EQ(PublicKey::from_raw(KeyType::ed25519, std::vector<uint8_t>(31)).error().code,
            Errc::invalid_data);
  EXPECT_EQ(PublicKey::from_raw(KeyType::p256, std::vector<uint8_t>(64)).error().code,
            Errc::invalid_data);
  std::vector<uint8_t> compressed(33, 0x11);
  compressed[0] = 0x02;
  EXPECT_EQ(PublicKey::from_raw(KeyType::p256, compressed).error().code, Errc::invalid_data);
  std::vector<uint8_t> off_curve(65, 0);
  off_curve[0] = 0x04;
  off_curve[32] = 1;
  off_curve[64] = 2;
  auto r = PublicKey::from_raw(KeyType::p256, off_curve);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_data);
}

TEST(PublicKeyDer, RefusesTrailingBytesAfterSpki) {
  auto key = PrivateKey::generate(KeyType::p256);
  ASSERT_TRUE(key);
  auto der = key->public_key().spki_der();
  der.push_back(0);
  auto r = PublicKey::from_spki_der(der, "peer key");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_data);
  EXPECT_EQ(r.error().message, "peer key: trailing bytes after SubjectPublicKeyInfo");
}

TEST(PublicKeyLoad, RefusesAPrivateKeyFile) {
  test::TempDir dir;
  auto key = PrivateKey::generate(KeyType::ed25519);
  ASSERT_TRUE(key);
  auto path = dir / "private.pem";
  ASSERT_TRUE(key->save_pem(path));
  auto r = PublicKey::load_pem(path);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_data);
  EXPECT_EQ(r.error().message.rfind(path.string() + ": no PEM public key found", 0), 0u)
      << r.error().message;
}

TEST(PublicKeyLoad, FileRoundTrips) {
  test::TempDir dir;
  auto key = PrivateKey::generate(KeyType::p384);
  ASSERT_TRUE(key);
  test::write_file(dir / "pub.pem", key->public_key().to_pem());
  auto pub = PublicKey::load_pem(dir / "pub.pem");
  ASSERT_TRUE(pub) << pub.error().message;
  EXPECT_TRUE(*pub == key->public_key());
}

TEST(PublicKey, CopiesCompareEqualAndDistinctKeysDoNot) {
  auto a = PrivateKey::generate(KeyType::ed25519);
  auto b = PrivateKey::generate(KeyType::ed25519);
  ASSERT_TRUE(a && b);
  PublicKey copy = a->public_key();
  EXPECT_TRUE(copy == a->public_key());
  EXPECT_FALSE(copy == b->public_key());
  EXPECT_NE(copy.fingerprint(), b->public_key().fingerprint());
}

TEST(PublicKey, TypeNamesAreTheJoseCurveNames) {
  EXPECT_EQ(key_type_name(KeyType::p256), "P-256");
  EXPECT_EQ(key_type_name(KeyType::p384), "P-384");
  EXPECT_EQ(key_type_name(KeyType::ed25519), "Ed25519");
  EXPECT_EQ(key_type_name(KeyType::x25519), "X25519");
}

}  // namespace
}  // namespace leea::crypto
