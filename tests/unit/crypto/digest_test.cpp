#include "core/crypto/digest.h"

#include <gtest/gtest.h>

#include <string>

#include "core/util/encoding.h"
#include "tests/unit/crypto/test_bytes.h"

namespace leea::crypto {
namespace {

using test::as_bytes;

struct DigestVector {
  DigestAlg alg;
  std::string message;
  std::string hex;
};

// FIPS 180-2 Appendices B, C and D: one-block and multi-block messages.
const std::string kTwoBlock256 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
const std::string kTwoBlock512 =
    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnop"
    "qrsmnopqrstnopqrstu";

const DigestVector kVectors[] = {
    {DigestAlg::sha256, "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {DigestAlg::sha256, kTwoBlock256,
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    {DigestAlg::sha384, "abc",
     "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c8"
     "25a7"},
    {DigestAlg::sha384, kTwoBlock512,
     "09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712fcc7c71a557e2db966c3e9fa9174"
     "6039"},
    {DigestAlg::sha512, "abc",
     "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3fe"
     "ebbd454d4423643ce80e2a9ac94fa54ca49f"},
    {DigestAlg::sha512, kTwoBlock512,
     "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5"
     "433ac7d329eeb6dd26545e96e55b874be909"},
};

class DigestFips180 : public ::testing::TestWithParam<DigestVector> {};

TEST_P(DigestFips180, OneShotMatchesPublishedDigest) {
  const DigestVector& v = GetParam();
  EXPECT_EQ(hex_encode(digest(v.alg, as_bytes(v.message))), v.hex);
}

TEST_P(DigestFips180, StreamingByteByByteMatchesOneShot) {
  const DigestVector& v = GetParam();
  Digest d(v.alg);
  for (char c : v.message) {
    d.update(std::string_view(&c, 1));
  }
  EXPECT_EQ(hex_encode(d.finish()), v.hex);
}

TEST_P(DigestFips180, StreamingInUnevenChunksMatchesOneShot) {
  const DigestVector& v = GetParam();
  for (size_t split = 0; split <= v.message.size(); ++split) {
    Digest d(v.alg);
    d.update(std::string_view(v.message).substr(0, split)).update(v.message.substr(split));
    EXPECT_EQ(hex_encode(d.finish()), v.hex) << "split at " << split;
  }
}

INSTANTIATE_TEST_SUITE_P(Vectors, DigestFips180, ::testing::ValuesIn(kVectors));

TEST(DigestSha256, EmptyInputMatchesPublishedDigest) {
  EXPECT_EQ(hex_encode(sha256(std::string_view())),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

// FIPS 180-2 Appendix B.3: one million repetitions of 'a', fed in 1000-byte pieces.
TEST(DigestSha256, MillionAStreamedMatchesPublishedDigest) {
  const std::string chunk(1000, 'a');
  Digest d(DigestAlg::sha256);
  for (int i = 0; i < 1000; ++i) {
    d.update(chunk);
  }
  EXPECT_EQ(hex_encode(d.finish()),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(DigestSha256, StringAndSpanOverloadsAgree) {
  EXPECT_EQ(sha256(std::string_view("abc")), sha256(as_bytes("abc")));
}

TEST(DigestSha256, ArrayFormEqualsVectorForm) {
  auto a = sha256(as_bytes("abc"));
  auto v = digest(DigestAlg::sha256, as_bytes("abc"));
  EXPECT_EQ(std::vector<uint8_t>(a.begin(), a.end()), v);
}

TEST(DigestInfo, SizesAndNamesMatchTheAlgorithms) {
  EXPECT_EQ(digest_size(DigestAlg::sha256), 32u);
  EXPECT_EQ(digest_size(DigestAlg::sha384), 48u);
  EXPECT_EQ(digest_size(DigestAlg::sha512), 64u);
  EXPECT_EQ(digest_name(DigestAlg::sha256), "sha256");
  EXPECT_EQ(digest_name(DigestAlg::sha384), "sha384");
  EXPECT_EQ(digest_name(DigestAlg::sha512), "sha512");
}

TEST(DigestObject, MovedDigestContinuesTheSameComputation) {
  Digest a(DigestAlg::sha256);
  a.update("ab");
  Digest b = std::move(a);
  b.update("c");
  EXPECT_EQ(hex_encode(b.finish()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace leea::crypto
