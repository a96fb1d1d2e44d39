// Constant-time checks under Valgrind's memcheck: secret bytes are marked undefined, and
// any branch or memory address that depends on them is reported as a use of an
// uninitialised value, which fails the run (ctest runs this binary under
// `valgrind --error-exitcode=...`). Results are marked defined again before they are
// compared. Run directly, without Valgrind, the marks are no-ops and only the results are
// checked.
#include <gtest/gtest.h>
#include <valgrind/memcheck.h>

#include <vector>

#include "core/shamir/gf256.h"
#include "core/shamir/share_text.h"
#include "core/shamir/split.h"
#include "core/util/crc32c.h"
#include "core/util/encoding.h"
#include "tests/support/seeded_random.h"

namespace leea {
namespace {

template <typename T>
void secret(T& v) {
  VALGRIND_MAKE_MEM_UNDEFINED(v.data(), v.size() * sizeof(v[0]));
}
template <typename T>
void declassify(T& v) {
  VALGRIND_MAKE_MEM_DEFINED(v.data(), v.size() * sizeof(v[0]));
}

// Random coefficients are secret too.
class SecretRandom final : public crypto::RandomSource {
 public:
  Result<void> fill(std::span<uint8_t> out) override {
    LEEA_TRY(inner_.fill(out));
    VALGRIND_MAKE_MEM_UNDEFINED(out.data(), out.size());
    return {};
  }

 private:
  test::SeededRandom inner_{42};
};

std::vector<uint8_t> pattern(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i * 29 + 3);
  return v;
}

// Valgrind 3.19 cannot execute GF2P8MULB; every other kernel is checked.
std::vector<const shamir::gf256::Kernels*> checkable_kernels() {
  std::vector<const shamir::gf256::Kernels*> out;
  for (const auto* k : shamir::gf256::available_kernels()) {
    if (k->name != "gfni") out.push_back(k);
  }
  return out;
}

TEST(ConstantTime, ScalarFieldOperations) {
  std::vector<uint8_t> a = pattern(64), r(64);
  secret(a);
  for (size_t i = 0; i < a.size(); ++i) {
    r[i] = shamir::gf256::mul(a[i], a[(i + 1) % a.size()]) ^ shamir::gf256::inv(a[i]);
  }
  declassify(r);
  EXPECT_EQ(r.size(), 64u);
}

TEST(ConstantTime, EveryKernelOnSecretData) {
  for (const auto* k : checkable_kernels()) {
    std::vector<uint8_t> a = pattern(100), b = pattern(100), d(100);
    secret(a);
    secret(b);
    k->mul_add(d.data(), a.data(), 0x53, b.data(), d.size());
    k->mul_add(d.data(), a.data(), 0xCA, d.data(), d.size());
    declassify(d);
    for (size_t i = 0; i < d.size(); ++i) {
      declassify(a);
      declassify(b);
      uint8_t want = shamir::gf256::mul(a[i], 0x53) ^ b[i] ^ shamir::gf256::mul(a[i], 0xCA);
      ASSERT_EQ(d[i], want) << k->name;
    }
  }
}

TEST(ConstantTime, SplitAndCombine) {
  SecretRandom rng;
  auto splitter = shamir::Splitter::create({3, 5}, rng);
  ASSERT_TRUE(splitter);
  std::vector<uint8_t> s = pattern(5000);
  secret(s);
  std::vector<std::vector<uint8_t>> shares(5, std::vector<uint8_t>(s.size()));
  std::vector<std::span<uint8_t>> out(shares.begin(), shares.end());
  ASSERT_TRUE(splitter->split(s, out));
  const uint8_t xs[] = {1, 3, 5};
  auto c = shamir::Combiner::create(xs);
  std::vector<std::span<const uint8_t>> ys = {shares[0], shares[2], shares[4]};
  std::vector<uint8_t> back(s.size());
  c->combine(ys, back);
  declassify(back);
  EXPECT_EQ(back, pattern(5000));
}

TEST(ConstantTime, TextEncodingsAndCheck) {
  std::vector<uint8_t> s = pattern(1000);
  secret(s);
  std::string b64(base64url_encode(s));
  std::string hex = hex_encode(s);
  uint32_t crc = crc32c(s);
  auto b64_back = base64url_decode(b64);
  auto hex_back = hex_decode(hex);
  std::string std64 = base64_encode(s);
  auto std_back = base64_decode(std64);
  VALGRIND_MAKE_MEM_DEFINED(&crc, sizeof crc);
  ASSERT_TRUE(b64_back && hex_back && std_back);
  declassify(*b64_back);
  declassify(*hex_back);
  declassify(*std_back);
  EXPECT_EQ(*b64_back, pattern(1000));
  EXPECT_EQ(*hex_back, pattern(1000));
  EXPECT_EQ(*std_back, pattern(1000));
  EXPECT_EQ(crc, crc32c(pattern(1000)));
}

TEST(ConstantTime, VectorBase64urlPathsOnSecretData) {
  // Long enough for the AVX2 blocks (24 bytes in, 32 characters out) and a scalar tail.
  std::vector<uint8_t> s = pattern(4001);
  secret(s);
  std::string text((s.size() * 4 + 2) / 3, '\0');
  size_t n = base64url_encode_to(s, text.data());
  std::vector<uint8_t> back(s.size());
  bool ok = base64url_decode_to(text, back.data());
  declassify(text);
  declassify(back);
  ASSERT_TRUE(ok);
  EXPECT_EQ(n, text.size());
  EXPECT_EQ(back, pattern(4001));
  std::string portable(text.size(), '\0');
  base64url_encode_portable_to(pattern(4001), portable.data());
  EXPECT_EQ(text, portable);
}

TEST(ConstantTime, BufferCodecsOnSecretData) {
  std::vector<uint8_t> s = pattern(1001);
  secret(s);
  std::string b64(base64_encoded_size(s.size()), '\0');
  base64_encode_to(s, b64.data());
  std::string hex = hex_encode(s);
  std::vector<uint8_t> from_b64(*base64_decoded_size(b64)), from_hex(s.size());
  bool ok = base64_decode_to(b64, from_b64.data());
  ok = hex_decode_to(hex, from_hex.data()) && ok;
  declassify(from_b64);
  declassify(from_hex);
  ASSERT_TRUE(ok);
  EXPECT_EQ(from_b64, pattern(1001));
  EXPECT_EQ(from_hex, pattern(1001));
}

TEST(ConstantTime, Crc32cOfLongSecretData) {
  // Over 3 × 4096 bytes: the three-lane path and the masked lane join.
  std::vector<uint8_t> s = pattern(65536 + 13);
  secret(s);
  uint32_t crc = crc32c(s);
  VALGRIND_MAKE_MEM_DEFINED(&crc, sizeof crc);
  EXPECT_EQ(crc, crc32c_portable(pattern(65536 + 13)));
}

// The share line writer and reader on secret share bytes. Only the positions of the dots
// and of the line end, public structure, are declassified inside them.
TEST(ConstantTime, ShareLineWriteAndRead) {
  class Collect final : public shamir::TextSink {
   public:
    Result<void> write(std::span<const char> t) override {
      text.append(t.data(), t.size());
      return {};
    }
    std::string text;
  } sink;
  std::vector<uint8_t> y = pattern(3000);
  secret(y);
  shamir::ShareHeader h;
  h.threshold = 3;
  h.x = 2;
  shamir::ShareWriter w(shamir::ShareFormat::leea, h, sink);
  ASSERT_TRUE(w.payload(y));
  ASSERT_TRUE(w.finish());
  auto buf = std::make_shared<const crypto::SecretBytes>(crypto::SecretBytes::copy_of(
      std::span(reinterpret_cast<const uint8_t*>(sink.text.data()), sink.text.size())));
  auto src = shamir::memory_source(buf, 0, buf->size());
  shamir::ShareReader r(*src);
  ASSERT_TRUE(r.read_header());
  std::vector<uint8_t> back(3000);
  auto n = r.read_payload(back);
  ASSERT_TRUE(n);
  ASSERT_TRUE(r.finish());
  declassify(back);
  EXPECT_EQ(back, pattern(3000));
}

}  // namespace
}  // namespace leea
