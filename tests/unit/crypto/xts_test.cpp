#include "core/crypto/xts.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <vector>

#include "core/crypto/random.h"

namespace leea::crypto {
namespace {

SecretBytes test_key() {
  SecretBytes key(kAesXtsKeySize);
  for (size_t i = 0; i < key.size(); ++i) {
    key.reveal()[i] = static_cast<uint8_t>(i * 7 + 1);
  }
  return key;
}

// The reference: one EVP call per data unit with the plain64 tweak written out by hand.
std::vector<uint8_t> reference(const SecretBytes& key, const std::vector<uint8_t>& in, size_t unit,
                               uint64_t first, uint64_t step, bool encrypt) {
  std::vector<uint8_t> out(in.size());
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  for (size_t off = 0, i = 0; off < in.size(); off += unit, ++i) {
    uint64_t n = first + i * step;
    std::array<uint8_t, 16> iv{};
    for (int b = 0; b < 8; ++b) iv[b] = static_cast<uint8_t>(n >> (8 * b));
    int len = 0;
    EXPECT_EQ(EVP_CipherInit_ex(ctx, EVP_aes_256_xts(), nullptr, key.reveal().data(), iv.data(),
                                encrypt ? 1 : 0),
              1);
    EXPECT_EQ(
        EVP_CipherUpdate(ctx, out.data() + off, &len, in.data() + off, static_cast<int>(unit)), 1);
  }
  EVP_CIPHER_CTX_free(ctx);
  return out;
}

std::vector<uint8_t> pattern(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i * 31 + (i >> 9));
  return v;
}

TEST(XtsCipher, EncryptsEachUnitWithItsPlain64Tweak) {
  auto key = test_key();
  for (auto [unit, step] : {std::pair<size_t, uint64_t>{512, 1}, {4096, 8}}) {
    auto plain = pattern(unit * 5);
    auto data = plain;
    auto c = XtsCipher::create(key, XtsCipher::Direction::encrypt);
    ASSERT_TRUE(c) << c.error().message;
    // A first tweak above 2^32 checks that all eight bytes of the number are used.
    const uint64_t first = (uint64_t{1} << 40) + 3;
    ASSERT_TRUE(c->process(data, unit, first, step));
    EXPECT_EQ(data, reference(key, plain, unit, first, step, true)) << "unit " << unit;
  }
}

TEST(XtsCipher, DecryptInvertsEncrypt) {
  auto key = test_key();
  auto plain = pattern(4096 * 3);
  auto data = plain;
  auto e = XtsCipher::create(key, XtsCipher::Direction::encrypt);
  auto d = XtsCipher::create(key, XtsCipher::Direction::decrypt);
  ASSERT_TRUE(e && d);
  ASSERT_TRUE(e->process(data, 4096, 16, 8));
  EXPECT_NE(data, plain);
  ASSERT_TRUE(d->process(data, 4096, 16, 8));
  EXPECT_EQ(data, plain);
}

TEST(XtsCipher, SameDataInDifferentUnitsDiffers) {
  auto key = test_key();
  std::vector<uint8_t> data(1024, 0xab);
  auto c = XtsCipher::create(key, XtsCipher::Direction::encrypt);
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->process(data, 512, 0, 1));
  EXPECT_NE(std::vector<uint8_t>(data.begin(), data.begin() + 512),
            std::vector<uint8_t>(data.begin() + 512, data.end()));
}

TEST(XtsCipher, RefusesBadKeySizeAndPartialUnits) {
  auto short_key = SecretBytes(32);
  auto bad = XtsCipher::create(short_key, XtsCipher::Direction::encrypt);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::invalid_argument);
  EXPECT_EQ(bad.error().message, "AES-256-XTS: the key must be 64 bytes, not 32");

  auto key = test_key();
  auto c = XtsCipher::create(key, XtsCipher::Direction::encrypt);
  ASSERT_TRUE(c);
  std::vector<uint8_t> data(700);
  auto r = c->process(data, 512, 0, 1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "AES-256-XTS: 700 bytes are not whole data units of 512");
}

TEST(XtsCipher, RefusesAKeyWithEqualHalves) {
  SecretBytes key(kAesXtsKeySize);  // all zero: both halves equal
  auto c = XtsCipher::create(key, XtsCipher::Direction::encrypt);
  EXPECT_FALSE(c);
}

}  // namespace
}  // namespace leea::crypto
