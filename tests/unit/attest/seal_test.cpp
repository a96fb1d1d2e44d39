#include "core/attest/seal.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/unit/attest/attest_test_util.h"

namespace leea::attest {
namespace {

const std::string kShare = "leea1.k3.x2.9f2c1a0b7d3e4f51.c2VjcmV0IHNoYXJlIGJ5dGVz.1a2b3c4d";
constexpr long kNonceAt = 1 + 65;
constexpr long kCiphertextAt = kNonceAt + 12;

class Seal : public ::testing::Test {
 protected:
  Seal()
      : eph_(test::new_p256_key()),
        aad_(test::value_or_throw(share_seal_context("demo-sim", "v1"))),
        blob_(test::value_or_throw(seal_share(eph_.public_key(), share(), aad_))) {}

  static crypto::SecretBytes share() { return test::secret_text(kShare); }

  void expect_refused(std::span<const uint8_t> blob, const std::string& message,
                      const crypto::PrivateKey* key = nullptr,
                      std::span<const uint8_t> aad = {}) const {
    auto r = open_share(key != nullptr ? *key : eph_, blob, aad.empty() ? aad_ : aad);
    ASSERT_FALSE(r) << "opened; expected: " << message;
    EXPECT_EQ(r.error().code, Errc::refused);
    EXPECT_EQ(r.error().message, message);
  }

  crypto::PrivateKey eph_;
  std::vector<uint8_t> aad_;
  std::vector<uint8_t> blob_;
};

TEST_F(Seal, RoundTrips) {
  auto r = open_share(eph_, blob_, aad_);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->equals(share()));
}

TEST_F(Seal, RoundTripsThroughText) {
  auto blob = sealed_share_from_text(sealed_share_text(blob_));
  ASSERT_TRUE(blob);
  EXPECT_EQ(*blob, blob_);
  EXPECT_EQ(sealed_share_from_text("a=b").error().message, "sealed share: not base64url");
}

TEST_F(Seal, LayoutIsVersionSenderKeyNonceCiphertextTag) {
  ASSERT_EQ(blob_.size(), kSealOverhead + kShare.size());
  EXPECT_EQ(blob_[0], kSealVersion);
  EXPECT_EQ(blob_[1], 0x04);  // uncompressed point
  EXPECT_TRUE(crypto::PublicKey::from_raw(crypto::KeyType::p256, std::span(blob_).subspan(1, 65)));
  // The share never appears in clear.
  std::string bytes(blob_.begin(), blob_.end());
  EXPECT_EQ(bytes.find("leea1"), std::string::npos);
}

TEST_F(Seal, EverySealUsesAFreshSenderKeyAndNonce) {
  auto again = test::value_or_throw(seal_share(eph_.public_key(), share(), aad_));
  EXPECT_NE(std::vector(again.begin() + 1, again.begin() + 66),
            std::vector(blob_.begin() + 1, blob_.begin() + 66));
  EXPECT_NE(again, blob_);
}

// Flipping one bit anywhere after the version byte (sender key, nonce, ciphertext, tag) must
// fail the same way.
// The offset is counted from the end when negative.
class SealTamper : public Seal,
                   public ::testing::WithParamInterface<std::pair<const char*, long>> {};

TEST_P(SealTamper, EveryRegionIsAuthenticated) {
  const long offset = GetParam().second;
  const size_t at =
      offset >= 0 ? static_cast<size_t>(offset) : blob_.size() - static_cast<size_t>(-offset);
  for (uint8_t bit : {0x01, 0x80}) {
    std::vector<uint8_t> tampered = blob_;
    tampered[at] ^= bit;
    expect_refused(tampered, "sealed share: authentication failed");
  }
}

INSTANTIATE_TEST_SUITE_P(Regions, SealTamper,
                         ::testing::Values(std::pair{"SenderKeyPrefix", 1L},
                                           std::pair{"SenderKeyX", 2L},
                                           std::pair{"SenderKeyY", 65L},
                                           std::pair{"Nonce", long{kNonceAt}},
                                           std::pair{"NonceEnd", long{kCiphertextAt} - 1},
                                           std::pair{"Ciphertext", long{kCiphertextAt}},
                                           std::pair{"CiphertextEnd", -17L},
                                           std::pair{"TagFirst", -16L}, std::pair{"TagLast", -1L}),
                         [](const auto& p) { return std::string(p.param.first); });

TEST_F(Seal, RefusesTheWrongContext) {
  auto other_validator = test::value_or_throw(share_seal_context("demo-sim", "v2"));
  auto other_order = test::value_or_throw(share_seal_context("demo-si", "mv1"));
  expect_refused(blob_, "sealed share: authentication failed", nullptr, other_validator);
  expect_refused(blob_, "sealed share: authentication failed", nullptr, other_order);
}

TEST_F(Seal, RefusesTheWrongKey) {
  auto other = test::new_p256_key();
  expect_refused(blob_, "sealed share: authentication failed", &other);
}

TEST_F(Seal, RefusesTruncatedBlobs) {
  std::vector<uint8_t> cut(blob_.begin(), blob_.end() - 1);
  expect_refused(cut, "sealed share: authentication failed");
  cut.resize(kSealOverhead);
  expect_refused(cut, "sealed share: truncated (94 bytes)");
  cut.resize(1);
  expect_refused(cut, "sealed share: truncated (1 bytes)");
  expect_refused({}, "sealed share: truncated (empty)");
}

TEST_F(Seal, RefusesAnUnknownVersion) {
  std::vector<uint8_t> v2 = blob_;
  v2[0] = 2;
  expect_refused(v2, "sealed share: unsupported version 2 (this build reads 1)");
}

TEST_F(Seal, RefusesBadArguments) {
  auto ed = test::value_or_throw(crypto::PrivateKey::generate(crypto::KeyType::x25519));
  EXPECT_EQ(seal_share(ed.public_key(), share(), aad_).error().code, Errc::invalid_argument);
  EXPECT_EQ(open_share(ed, blob_, aad_).error().code, Errc::invalid_argument);
  EXPECT_EQ(seal_share(eph_.public_key(), crypto::SecretBytes(), aad_).error().code,
            Errc::invalid_argument);
  EXPECT_EQ(seal_share(eph_.public_key(), crypto::SecretBytes(kMaxSealedPlaintext + 1), aad_)
                .error()
                .code,
            Errc::invalid_argument);
  std::vector<uint8_t> long_aad(kMaxSealAad + 1);
  EXPECT_EQ(seal_share(eph_.public_key(), share(), long_aad).error().code, Errc::invalid_argument);
  EXPECT_FALSE(share_seal_context("", "v1"));
  EXPECT_FALSE(share_seal_context("o", "v/1"));
}

TEST_F(Seal, ContextSeparatesItsFieldsByLength) {
  EXPECT_EQ(test::value_or_throw(share_seal_context("ab", "c")),
            (std::vector<uint8_t>{2, 'a', 'b', 1, 'c'}));
}

}  // namespace
}  // namespace leea::attest
