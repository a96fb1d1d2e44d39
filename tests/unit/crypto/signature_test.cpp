#include "core/crypto/signature.h"

#include <gtest/gtest.h>

#include <string>

#include "core/util/encoding.h"
#include "tests/unit/crypto/test_bytes.h"

namespace leea::crypto {
namespace {

using test::as_bytes;
using test::unhex;

// RFC 6979 Appendix A.2.5 (P-256, SHA-256) and A.2.6 (P-384, SHA-384), message "sample".
struct EcdsaVector {
  KeyType type;
  std::string ux, uy, r, s;
};

const EcdsaVector kRfc6979[] = {
    {KeyType::p256, "60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6",
     "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299",
     "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716",
     "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8"},
    {KeyType::p384,
     "ec3a4e415b4e19a4568618029f427fa5da9a8bc4ae92e02e06aae5286b300c64def8f0ea9055866064a254515480"
     "bc13",
     "8015d9b72d7d57244ea8ef9ac0c621896708a59367f9dfb9f54ca84b3f1c9db1288b231c3ae0d4fe7344fd253326"
     "4720",
     "94edbb92a5ecb8aad4736e56c691916b3f88140666ce9fa73d64c4ea95ad133c81a648152e44acf96e36dd1e80fa"
     "be46",
     "99ef4aeb15f178cea1fe40db2603138f130e740a19624526203b6351d0a3a94fa329c145786e679e7b82c71a3862"
     "8ac8"},
};

// DER INTEGER (X.690 §8.3) of a positive big-endian value whose top bit is set: a 0x00 pad.
std::string der_integer_with_pad(const std::string& hex) {
  size_t len = hex.size() / 2 + 1;
  return "02" + hex_encode(std::vector<uint8_t>{static_cast<uint8_t>(len)}) + "00" + hex;
}

std::string der_sequence(const std::string& body_hex) {
  return "30" + hex_encode(std::vector<uint8_t>{static_cast<uint8_t>(body_hex.size() / 2)}) +
         body_hex;
}

class SignatureRfc6979 : public ::testing::TestWithParam<EcdsaVector> {
 protected:
  PublicKey key() const {
    const EcdsaVector& v = GetParam();
    auto pub = PublicKey::from_raw(v.type, unhex("04" + v.ux + v.uy));
    if (!pub) {
      throw std::runtime_error(pub.error().message);
    }
    return *pub;
  }
  std::string expected_der() const {
    return der_sequence(der_integer_with_pad(GetParam().r) + der_integer_with_pad(GetParam().s));
  }
};

TEST_P(SignatureRfc6979, RawSignatureVerifies) {
  auto r = key().verify(as_bytes("sample"), unhex(GetParam().r + GetParam().s), SigFormat::raw);
  EXPECT_TRUE(r) << r.error().message;
}

TEST_P(SignatureRfc6979, RawToDerGivesX690Encoding) {
  auto der = ecdsa_raw_to_der(GetParam().type, unhex(GetParam().r + GetParam().s));
  ASSERT_TRUE(der) << der.error().message;
  EXPECT_EQ(hex_encode(*der), expected_der());
  EXPECT_TRUE(key().verify(as_bytes("sample"), *der, SigFormat::der));
}

TEST_P(SignatureRfc6979, DerToRawGivesRAndS) {
  auto raw = ecdsa_der_to_raw(GetParam().type, unhex(expected_der()));
  ASSERT_TRUE(raw) << raw.error().message;
  EXPECT_EQ(hex_encode(*raw), GetParam().r + GetParam().s);
}

TEST_P(SignatureRfc6979, OtherMessageIsRefused) {
  auto r = key().verify(as_bytes("samplE"), unhex(GetParam().r + GetParam().s), SigFormat::raw);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::refused);
}

INSTANTIATE_TEST_SUITE_P(Curves, SignatureRfc6979, ::testing::ValuesIn(kRfc6979),
                         [](const auto& p) {
                           return p.param.type == KeyType::p256 ? "P256" : "P384";
                         });

TEST(SignatureDer, ShortValuesArePaddedToTheFieldSize) {
  // SEQUENCE { INTEGER 1, INTEGER 2 } -> r = 0...01, s = 0...02.
  auto raw = ecdsa_der_to_raw(KeyType::p256, unhex("3006020101020102"));
  ASSERT_TRUE(raw) << raw.error().message;
  EXPECT_EQ(hex_encode(*raw), std::string(62, '0') + "01" + std::string(62, '0') + "02");
  auto back = ecdsa_raw_to_der(KeyType::p256, *raw);
  ASSERT_TRUE(back);
  EXPECT_EQ(hex_encode(*back), "3006020101020102");
}

TEST(SignatureDer, RefusesMalformedEncodings) {
  const std::string good = "3006020101020102";
  const char* bad[] = {
      "",  // empty
      "3006020101020102"
      "00",            // trailing byte
      "300602010102",  // truncated
      "3081060201010201"
      "02",  // long-form length where short form is required (BER)
      "30070202000102"
      "0102",              // INTEGER with a needless leading zero
      "3006020181020102",  // negative r
      "3106020101020102",  // SET instead of SEQUENCE
  };
  ASSERT_TRUE(ecdsa_der_to_raw(KeyType::p256, unhex(good)));
  for (const char* hex : bad) {
    auto r = ecdsa_der_to_raw(KeyType::p256, unhex(hex));
    ASSERT_FALSE(r) << hex;
    EXPECT_EQ(r.error().code, Errc::invalid_data) << hex;
  }
}

TEST(SignatureDer, RefusesValuesWiderThanTheField) {
  // r of 33 bytes without a sign pad does not fit P-256.
  std::string r =
      "02"
      "21"
      "01" +
      std::string(64, '1');
  auto der = unhex(der_sequence(r + "020101"));
  auto raw = ecdsa_der_to_raw(KeyType::p256, der);
  ASSERT_FALSE(raw);
  EXPECT_EQ(raw.error().code, Errc::invalid_data);
  EXPECT_TRUE(ecdsa_der_to_raw(KeyType::p384, der));
}

TEST(SignatureRaw, RefusesWrongLengths) {
  for (size_t n : {0u, 63u, 65u, 96u}) {
    auto r = ecdsa_raw_to_der(KeyType::p256, std::vector<uint8_t>(n, 1));
    ASSERT_FALSE(r) << n;
    EXPECT_EQ(r.error().code, Errc::invalid_data);
  }
  EXPECT_TRUE(ecdsa_raw_to_der(KeyType::p384, std::vector<uint8_t>(96, 1)));
}

TEST(SignatureRaw, NonEcdsaTypesAreInvalidArguments) {
  EXPECT_EQ(ecdsa_raw_to_der(KeyType::ed25519, std::vector<uint8_t>(64)).error().code,
            Errc::invalid_argument);
  EXPECT_EQ(ecdsa_der_to_raw(KeyType::x25519, unhex("3006020101020102")).error().code,
            Errc::invalid_argument);
}

TEST(SignatureRaw, SizesFollowTheCurve) {
  EXPECT_EQ(raw_signature_size(KeyType::p256), 64u);
  EXPECT_EQ(raw_signature_size(KeyType::p384), 96u);
  EXPECT_EQ(raw_signature_size(KeyType::ed25519), 64u);
  EXPECT_EQ(raw_signature_size(KeyType::x25519), 0u);
}

TEST(SignatureRoundTrip, DerFromSigningConvertsToRawAndBack) {
  for (KeyType type : {KeyType::p256, KeyType::p384}) {
    auto key = PrivateKey::generate(type);
    ASSERT_TRUE(key);
    auto der = key->sign(as_bytes("m"), SigFormat::der);
    ASSERT_TRUE(der);
    auto raw = ecdsa_der_to_raw(type, *der);
    ASSERT_TRUE(raw) << raw.error().message;
    EXPECT_EQ(raw->size(), raw_signature_size(type));
    EXPECT_TRUE(key->public_key().verify(as_bytes("m"), *raw, SigFormat::raw));
    auto back = ecdsa_raw_to_der(type, *raw);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, *der);
  }
}

}  // namespace
}  // namespace leea::crypto
