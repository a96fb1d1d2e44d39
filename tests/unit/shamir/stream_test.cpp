#include "core/shamir/stream.h"

#include <gtest/gtest.h>

#include "core/util/encoding.h"
#include "core/util/progress.h"
#include "tests/support/seeded_random.h"
#include "tests/unit/shamir/stream_helpers.h"

namespace leea::shamir {
namespace {

using namespace test_helpers;  // NOLINT: the helpers are this test's vocabulary

TEST(ShareText, LooksLikeTheDocumentedFormat) {
  auto shares = split_text(Bytes{1, 2, 3, 4}, {3, 5});
  ASSERT_EQ(shares.size(), 5u);
  for (size_t i = 0; i < shares.size(); ++i) {
    std::string prefix = "leea1.k3.x" + std::to_string(i + 1) + ".";
    EXPECT_EQ(shares[i].substr(0, prefix.size()), prefix);
    EXPECT_EQ(shares[i].back(), '\n');
    EXPECT_EQ(std::count(shares[i].begin(), shares[i].end(), '.'), 5);
    for (char c : shares[i].substr(0, shares[i].size() - 1)) {
      EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_')
          << "not copy-paste safe: " << c;
    }
  }
  // Same split id on every share.
  EXPECT_EQ(shares[0].substr(0, 29).substr(12), shares[4].substr(0, 29).substr(12));
}

class StreamRoundTrip : public ::testing::TestWithParam<size_t> {};

TEST_P(StreamRoundTrip, SplitThenCombineGivesTheSecretBack) {
  // Sizes straddle the split chunk (196608) and the combine chunk (49152).
  Bytes secret(GetParam());
  for (size_t i = 0; i < secret.size(); ++i) secret[i] = static_cast<uint8_t>(i * 131 + 7);
  auto s = split_text(secret, {3, 5});
  auto r = combine({{"a", s[4]}, {"b", s[0]}, {"c", s[2]}});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, secret);
  auto all = combine({{"1", s[0]}, {"2", s[1]}, {"3", s[2]}, {"4", s[3]}, {"5", s[4]}},
                     ShareFormat::leea, false);
  ASSERT_TRUE(all) << all.error().message;
  EXPECT_EQ(*all, secret);
}

INSTANTIATE_TEST_SUITE_P(Sizes, StreamRoundTrip,
                         ::testing::Values(1, 2, 3, 4, 5, 32, 49151, 49152, 49153, 196607, 196608,
                                           196609, 500000));

TEST(ShamirCombine, RefusesFewerThanThresholdShares) {
  auto s = split_text(Bytes{9, 9}, {3, 5});
  auto r = combine({{"a", s[0]}, {"b", s[1]}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_data);
  EXPECT_EQ(r.error().message.substr(0, 21), "need 3 shares of spli");
  EXPECT_NE(r.error().message.find(", got 2"), std::string::npos);
}

TEST(ShamirCombine, RefusesTheSameShareTwice) {
  auto s = split_text(Bytes{9, 9}, {2, 3});
  auto r = combine({{"a", s[1]}, {"b", s[1]}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "a and b are the same share (x=2)");
}

TEST(ShamirCombine, RefusesSharesOfDifferentSplitsNamingThem) {
  auto s1 = split_text(Bytes{1, 2, 3}, {2, 3}, ShareFormat::leea, 1);
  auto s2 = split_text(Bytes{1, 2, 3}, {2, 3}, ShareFormat::leea, 2);
  auto r = combine({{"one", s1[0]}, {"two", s2[1]}});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("different splits"), std::string::npos);
  EXPECT_NE(r.error().message.find("(one)"), std::string::npos);
  EXPECT_NE(r.error().message.find("(two)"), std::string::npos);
}

TEST(ShamirCombine, NamesTheShareWithABadChecksum) {
  auto s = split_text(Bytes(100, 0x11), {2, 3});
  std::string bad = s[1];
  size_t at = bad.find('.', 30) - 5;  // inside the payload
  bad[at] = bad[at] == 'A' ? 'B' : 'A';
  auto r = combine({{"good", s[0]}, {"bad", bad}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "bad: bad checksum (share mistyped, truncated or altered)");
}

TEST(ShamirCombine, NamesATruncatedShare) {
  auto s = split_text(Bytes(100, 0x11), {2, 3});
  auto r = combine({{"good", s[0]}, {"cut", s[1].substr(0, 60)}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "cut: truncated share: no check at the end");
}

TEST(ShamirCombine, RefusesAShareCutAtAQuantumBoundaryByItsChecksum) {
  auto s = split_text(Bytes(99, 0x11), {2, 2});
  std::string cut = s[1];
  size_t p1 = 0;
  for (int dots = 0; dots < 4; ++dots) p1 = cut.find('.', p1) + 1;
  size_t p2 = cut.find('.', p1);
  cut.erase(p2 - 4, 4);  // one whole base64 quantum gone: the lengths now differ
  auto r = combine({{"a", s[0]}, {"b", cut}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "b: shorter than the other shares (truncated?)");
}

TEST(ShamirCombine, RefusesTextThatIsNotAShare) {
  auto s = split_text(Bytes(10, 1), {2, 3});
  for (auto [text, want] : std::vector<std::pair<std::string, std::string>>{
           {"", "x: empty, not a share"},
           {"\x7f"
            "ELF\x02\x01\x01\x00\x00",
            "x: not a leea share (leea shares start with 'leea1.'; Vault unseal keys need --format "
            "vault)"},
           {"leea2.k2.x1.0011223344556677.AAAA.00000000",
            "x: unsupported share version (this leea reads 'leea1.')"},
           {"leea1.k1.x1.0011223344556677.AAAA.00000000",
            "x: malformed share header: bad threshold"},
           {"leea1.k2.x0.0011223344556677.AAAA.00000000",
            "x: malformed share header: bad x coordinate"},
           {"leea1.k2.x1.00112233.AAAA.00000000", "x: malformed share header: bad split id"},
           {"leea1.k2", "x: malformed share header"},
           {"leea1", "x: malformed share header"},
           {"leea1\n", "x: malformed share header"},
           {"leea", "x: malformed share header"},
       }) {
    auto r = combine({{"x", text}, {"y", s[1]}});
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().message, want);
    EXPECT_EQ(r.error().code, Errc::invalid_data);
  }
}

TEST(ShamirCombine, NamesTheExtraShareThatDoesNotAgree) {
  auto s = split_text(Bytes(1000, 0x33), {3, 5});
  std::string forged = forge(s[3], 500, 0x00);
  if (forged == s[3]) forged = forge(s[3], 500, 0x01);
  auto r = combine({{"s1", s[0]}, {"s2", s[1]}, {"s3", s[2]}, {"s4", forged}, {"s5", s[4]}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "s4: does not agree with the other shares (altered, or from another secret)");
}

TEST(ShamirCombine, NamesADisagreeingShareEvenWhenItIsAmongTheFirstThreshold) {
  auto s = split_text(Bytes(1000, 0x33), {3, 5});
  std::string forged = forge(s[0], 7, static_cast<uint8_t>(~s[0][40]));
  auto r = combine({{"s1", forged}, {"s2", s[1]}, {"s3", s[2]}, {"s4", s[3]}, {"s5", s[4]}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "s1: does not agree with the other shares (altered, or from another secret)");
}

TEST(ShamirCombine, SaysWhenOneExtraShareCannotTellWhichIsWrong) {
  auto s = split_text(Bytes(64, 0x33), {3, 5});
  std::string forged = forge(s[3], 5, static_cast<uint8_t>(s[3][40] ^ 0x5A));
  auto r = combine({{"s1", s[0]}, {"s2", s[1]}, {"s3", s[2]}, {"s4", forged}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "the 4 shares do not agree, and with threshold 3 leea cannot tell which are wrong "
            "(give 5 or more shares to find out)");
}

TEST(ShamirCombine, WritesNothingToAnUndiscardableSinkWhenAShareFails) {
  auto s = split_text(Bytes(100000, 0x44), {2, 3});
  std::string bad = s[1];
  bad[bad.size() - 3] = bad[bad.size() - 3] == '0' ? '1' : '0';  // the check itself
  auto in = inputs({{"a", s[0]}, {"b", bad}});
  RecordingSink sink(/*discard=*/false);
  auto r = combine_stream(in, ShareFormat::leea, sink);
  ASSERT_FALSE(r);
  EXPECT_TRUE(sink.bytes.empty());
}

TEST(ShamirSplit, RefusesAnEmptySecretBeforeWritingAnything) {
  test::SeededRandom rng(1);
  auto src = memory_source(wiped(""), 0, 0);
  std::vector<StringSink> sinks(3);
  std::vector<TextSink*> ptrs{&sinks[0], &sinks[1], &sinks[2]};
  SplitOptions options;
  options.params = {2, 3};
  auto r = split_stream(*src, options, ptrs, rng);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "the secret is empty");
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
  for (auto& s : sinks) EXPECT_TRUE(s.text.empty());
}

// Splits secret into string sinks with a limit on the text of all shares together.
Result<SplitSummary> split_limited(const Bytes& secret, SplitParams p, uint64_t limit,
                                   std::vector<StringSink>& sinks) {
  test::SeededRandom rng(1);
  auto src = memory_source(
      wiped(std::string_view(reinterpret_cast<const char*>(secret.data()), secret.size())), 0,
      secret.size());
  sinks.assign(static_cast<size_t>(p.shares), StringSink());
  std::vector<TextSink*> ptrs;
  for (auto& s : sinks) ptrs.push_back(&s);
  SplitOptions options;
  options.params = p;
  options.max_text_bytes = limit;
  options.too_large_hint = "use files";
  return split_stream(*src, options, ptrs, rng);
}

size_t total_size(const std::vector<StringSink>& sinks) {
  size_t n = 0;
  for (const auto& s : sinks) n += s.text.size();
  return n;
}

TEST(ShamirSplit, TextLimitCountsEveryShareLineInFull) {
  std::vector<StringSink> sinks;
  auto fits = split_limited(Bytes(3000, 7), {2, 3}, 1u << 20, sinks);
  ASSERT_TRUE(fits);
  const size_t exact = total_size(sinks);
  ASSERT_TRUE(split_limited(Bytes(3000, 7), {2, 3}, exact, sinks));
  auto over = split_limited(Bytes(3000, 7), {2, 3}, exact - 1, sinks);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, Errc::invalid_argument);
  EXPECT_EQ(over.error().message,
            "the shares are larger than " + human_bytes(exact - 1) + " in all; use files");
}

TEST(ShamirSplit, TextLimitStopsBeforeWritingTheChunkThatWouldExceedIt) {
  // Three chunks of 196608 bytes at 2-of-3; the limit lets the first chunk through only.
  const size_t chunk = 196608;
  std::vector<StringSink> sinks;
  auto r = split_limited(Bytes(3 * chunk, 9), {2, 3}, 3 * (chunk * 4 / 3 + 100), sinks);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message.rfind("the shares are larger than", 0), 0u);
  for (const auto& s : sinks) {
    EXPECT_EQ(s.text.size(), 29 + chunk * 4 / 3);  // the header and the first chunk only
  }
}

TEST(ShamirSplit, ManySharesRoundTripAcrossTheirSmallerChunks) {
  // 255 rows of share bytes stay within 16 MiB: chunks of 65793 bytes, a multiple of 3,
  // so the text still concatenates into one base64url payload.
  Bytes secret(200000);
  for (size_t i = 0; i < secret.size(); ++i) secret[i] = static_cast<uint8_t>(i * 13 + 1);
  auto s = split_text(secret, {2, 255});
  auto r = combine({{"a", s[254]}, {"b", s[100]}});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, secret);
}

}  // namespace
}  // namespace leea::shamir
