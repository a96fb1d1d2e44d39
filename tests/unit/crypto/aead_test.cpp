#include "core/crypto/aead.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "core/util/encoding.h"
#include "tests/unit/crypto/test_bytes.h"

namespace leea::crypto {
namespace {

using test::unhex;

// McGrew and Viega, "The Galois/Counter Mode of Operation (GCM)", Appendix B, test cases
// 13-16: the AES-256 cases with 96-bit IVs.
struct GcmVector {
  int number;
  std::string key, iv, plaintext, aad, ciphertext, tag;
};

const std::string kKey2 = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";
const std::string kP =
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6"
    "b525b16aedf5aa0de657ba637b391aafd255";
const std::string kC =
    "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b105682"
    "8838c5f61e6393ba7a0abcc9f662898015ad";

const GcmVector kVectors[] = {
    {13, std::string(64, '0'), std::string(24, '0'), "", "", "",
     "530f8afbc74536b9a963b4f1c4cb738b"},
    {14, std::string(64, '0'), std::string(24, '0'), std::string(32, '0'), "",
     "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919"},
    {15, kKey2, "cafebabefacedbaddecaf888", kP, "", kC, "b094dac5d93471bdec1a502270e3cc6c"},
    {16, kKey2, "cafebabefacedbaddecaf888", kP.substr(0, 120),
     "feedfacedeadbeeffeedfacedeadbeefabaddad2", kC.substr(0, 120),
     "76fc6ece0f4e1768cddf8853bb2d551b"},
};

GcmNonce nonce_of(const std::string& hex) {
  GcmNonce n{};
  auto bytes = unhex(hex);
  std::copy(bytes.begin(), bytes.end(), n.begin());
  return n;
}

SecretBytes key_of(const std::string& hex) { return SecretBytes::copy_of(unhex(hex)); }

class AeadGcmSpec : public ::testing::TestWithParam<GcmVector> {};

TEST_P(AeadGcmSpec, SealGivesPublishedCiphertextAndTag) {
  const GcmVector& v = GetParam();
  auto sealed = aes_gcm_seal(key_of(v.key), nonce_of(v.iv), unhex(v.plaintext), unhex(v.aad));
  ASSERT_TRUE(sealed) << sealed.error().message;
  EXPECT_EQ(hex_encode(sealed->ciphertext), v.ciphertext);
  EXPECT_EQ(hex_encode(sealed->tag), v.tag);
  EXPECT_EQ(hex_encode(sealed->nonce), v.iv);
}

TEST_P(AeadGcmSpec, OpenGivesPublishedPlaintext) {
  const GcmVector& v = GetParam();
  Sealed s;
  s.nonce = nonce_of(v.iv);
  s.ciphertext = unhex(v.ciphertext);
  auto tag = unhex(v.tag);
  std::copy(tag.begin(), tag.end(), s.tag.begin());
  auto plain = aes_gcm_open(key_of(v.key), s, unhex(v.aad));
  ASSERT_TRUE(plain) << plain.error().message;
  EXPECT_EQ(hex_encode(plain->reveal()), v.plaintext);
}

INSTANTIATE_TEST_SUITE_P(TestCases, AeadGcmSpec, ::testing::ValuesIn(kVectors),
                         [](const auto& p) { return "Case" + std::to_string(p.param.number); });

// Tampering with test case 16: every change must be refused with the same words.
class AeadOpen : public ::testing::Test {
 protected:
  void SetUp() override {
    const GcmVector& v = kVectors[3];
    sealed_.nonce = nonce_of(v.iv);
    sealed_.ciphertext = unhex(v.ciphertext);
    auto tag = unhex(v.tag);
    std::copy(tag.begin(), tag.end(), sealed_.tag.begin());
    aad_ = unhex(v.aad);
    ASSERT_TRUE(aes_gcm_open(key_, sealed_, aad_));
  }

  static void expect_refused(const Result<SecretBytes>& r, const std::string& what) {
    ASSERT_FALSE(r) << what << " was accepted";
    EXPECT_EQ(r.error().code, Errc::refused) << what;
    EXPECT_EQ(r.error().message, "authentication failed") << what;
  }

  SecretBytes key_ = key_of(kKey2);
  Sealed sealed_;
  std::vector<uint8_t> aad_;
};

TEST_F(AeadOpen, RefusesFlippedCiphertextBit) {
  for (size_t i = 0; i < sealed_.ciphertext.size(); ++i) {
    Sealed bad = sealed_;
    bad.ciphertext[i] ^= 0x01;
    expect_refused(aes_gcm_open(key_, bad, aad_), "ciphertext byte " + std::to_string(i));
  }
}

TEST_F(AeadOpen, RefusesFlippedTagBit) {
  for (size_t bit = 0; bit < sealed_.tag.size() * 8; ++bit) {
    Sealed bad = sealed_;
    bad.tag[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    expect_refused(aes_gcm_open(key_, bad, aad_), "tag bit " + std::to_string(bit));
  }
}

TEST_F(AeadOpen, RefusesFlippedAadBit) {
  for (size_t i = 0; i < aad_.size(); ++i) {
    std::vector<uint8_t> bad = aad_;
    bad[i] ^= 0x80;
    expect_refused(aes_gcm_open(key_, sealed_, bad), "aad byte " + std::to_string(i));
  }
}

TEST_F(AeadOpen, RefusesMissingOrExtraAad) {
  expect_refused(aes_gcm_open(key_, sealed_, {}), "empty aad");
  std::vector<uint8_t> longer = aad_;
  longer.push_back(0);
  expect_refused(aes_gcm_open(key_, sealed_, longer), "longer aad");
}

TEST_F(AeadOpen, RefusesFlippedNonceBit) {
  for (size_t i = 0; i < sealed_.nonce.size(); ++i) {
    Sealed bad = sealed_;
    bad.nonce[i] ^= 0x01;
    expect_refused(aes_gcm_open(key_, bad, aad_), "nonce byte " + std::to_string(i));
  }
}

TEST_F(AeadOpen, RefusesTruncatedOrExtendedCiphertext) {
  Sealed shorter = sealed_;
  shorter.ciphertext.pop_back();
  expect_refused(aes_gcm_open(key_, shorter, aad_), "truncated ciphertext");
  Sealed longer = sealed_;
  longer.ciphertext.push_back(0);
  expect_refused(aes_gcm_open(key_, longer, aad_), "extended ciphertext");
}

TEST_F(AeadOpen, RefusesWrongKey) {
  auto other = unhex(kKey2);
  other[31] ^= 1;
  expect_refused(aes_gcm_open(SecretBytes::copy_of(other), sealed_, aad_), "other key");
}

TEST_F(AeadOpen, SeparateFieldOverloadMatchesStructOverload) {
  auto plain = aes_gcm_open(key_, sealed_.nonce, sealed_.ciphertext, sealed_.tag, aad_);
  ASSERT_TRUE(plain);
  EXPECT_EQ(hex_encode(plain->reveal()), kVectors[3].plaintext);
}

TEST(AeadKey, RefusesKeysThatAreNot32Bytes) {
  for (size_t size : {0u, 16u, 24u, 31u, 33u}) {
    auto sealed = aes_gcm_seal(SecretBytes(size), {}, {});
    ASSERT_FALSE(sealed) << size;
    EXPECT_EQ(sealed.error().code, Errc::invalid_argument);
    auto opened = aes_gcm_open(SecretBytes(size), Sealed{}, {});
    ASSERT_FALSE(opened) << size;
    EXPECT_EQ(opened.error().code, Errc::invalid_argument);
  }
}

TEST(AeadSeal, DrawsAFreshNonceEachTime) {
  SecretBytes key = key_of(kKey2);
  auto plain = unhex(kP);
  auto a = aes_gcm_seal(key, plain, {});
  auto b = aes_gcm_seal(key, plain, {});
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->nonce, b->nonce);
  EXPECT_NE(a->ciphertext, b->ciphertext);
  auto opened = aes_gcm_open(key, *b, {});
  ASSERT_TRUE(opened);
  EXPECT_TRUE(opened->equals(plain));
}

TEST(AeadSeal, RoundTripsEmptyAndLargePlaintexts) {
  SecretBytes key = key_of(kKey2);
  for (size_t size : {0u, 1u, 15u, 16u, 17u, 100000u}) {
    std::vector<uint8_t> plain(size);
    for (size_t i = 0; i < size; ++i) {
      plain[i] = static_cast<uint8_t>(i * 7);
    }
    auto sealed = aes_gcm_seal(key, plain, test::as_bytes("context"));
    ASSERT_TRUE(sealed);
    EXPECT_EQ(sealed->ciphertext.size(), size);
    auto opened = aes_gcm_open(key, *sealed, test::as_bytes("context"));
    ASSERT_TRUE(opened) << size;
    EXPECT_TRUE(opened->equals(plain));
  }
}

TEST(AeadSealed, WireFormIsNonceCiphertextTag) {
  const GcmVector& v = kVectors[3];
  auto sealed = aes_gcm_seal(key_of(v.key), nonce_of(v.iv), unhex(v.plaintext), unhex(v.aad));
  ASSERT_TRUE(sealed);
  EXPECT_EQ(hex_encode(sealed->to_bytes()), v.iv + v.ciphertext + v.tag);
  auto parsed = Sealed::from_bytes(sealed->to_bytes());
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->nonce, sealed->nonce);
  EXPECT_EQ(parsed->ciphertext, sealed->ciphertext);
  EXPECT_EQ(parsed->tag, sealed->tag);
}

TEST(AeadSealed, FromBytesRefusesInputShorterThanNonceAndTag) {
  auto r = Sealed::from_bytes(std::vector<uint8_t>(27));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_data);
  auto empty_body = Sealed::from_bytes(std::vector<uint8_t>(28));
  ASSERT_TRUE(empty_body);
  EXPECT_TRUE(empty_body->ciphertext.empty());
}

}  // namespace
}  // namespace leea::crypto
