#include "core/util/encoding.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace leea {
namespace {

std::vector<uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

// RFC 4648 §10: the test vectors for BASE64 and BASE16; base64url differs only in
// characters 62 and 63 and, as used here, in having no padding.
struct Rfc4648Vector {
  std::string input;
  std::string base64;
  std::string base64url;
  std::string base16;
};

const Rfc4648Vector kRfc4648[] = {
    {"", "", "", ""},
    {"f", "Zg==", "Zg", "66"},
    {"fo", "Zm8=", "Zm8", "666F"},
    {"foo", "Zm9v", "Zm9v", "666F6F"},
    {"foob", "Zm9vYg==", "Zm9vYg", "666F6F62"},
    {"fooba", "Zm9vYmE=", "Zm9vYmE", "666F6F6261"},
    {"foobar", "Zm9vYmFy", "Zm9vYmFy", "666F6F626172"},
};

class EncodingRfc4648 : public ::testing::TestWithParam<Rfc4648Vector> {};

TEST_P(EncodingRfc4648, Base64EncodesAndDecodes) {
  const auto& v = GetParam();
  EXPECT_EQ(base64_encode(bytes(v.input)), v.base64);
  auto decoded = base64_decode(v.base64);
  ASSERT_TRUE(decoded) << v.base64;
  EXPECT_EQ(*decoded, bytes(v.input));
}

TEST_P(EncodingRfc4648, Base64urlEncodesAndDecodesWithoutPadding) {
  const auto& v = GetParam();
  EXPECT_EQ(base64url_encode(bytes(v.input)), v.base64url);
  auto decoded = base64url_decode(v.base64url);
  ASSERT_TRUE(decoded) << v.base64url;
  EXPECT_EQ(*decoded, bytes(v.input));
  auto size = base64url_decoded_size(v.base64url.size());
  ASSERT_TRUE(size);
  EXPECT_EQ(*size, v.input.size());
}

TEST_P(EncodingRfc4648, HexEncodesLowerCaseAndDecodesEitherCase) {
  const auto& v = GetParam();
  std::string lower = v.base16;
  for (char& c : lower) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  EXPECT_EQ(hex_encode(bytes(v.input)), lower);
  auto upper_decoded = hex_decode(v.base16);
  auto lower_decoded = hex_decode(lower);
  ASSERT_TRUE(upper_decoded && lower_decoded);
  EXPECT_EQ(*upper_decoded, bytes(v.input));
  EXPECT_EQ(*lower_decoded, bytes(v.input));
}

TEST_P(EncodingRfc4648, BufferFormsMatchTheStringForms) {
  const auto& v = GetParam();
  auto in = bytes(v.input);
  std::string b64(base64_encoded_size(in.size()), '?');
  EXPECT_EQ(base64_encode_to(in, b64.data()), b64.size());
  EXPECT_EQ(b64, v.base64);
  ASSERT_EQ(base64_decoded_size(v.base64), in.size());
  std::vector<uint8_t> back(in.size());
  ASSERT_TRUE(base64_decode_to(v.base64, back.data()));
  EXPECT_EQ(back, in);
  ASSERT_TRUE(hex_decode_to(v.base16, back.data()));
  EXPECT_EQ(back, in);
}

INSTANTIATE_TEST_SUITE_P(Section10, EncodingRfc4648, ::testing::ValuesIn(kRfc4648),
                         [](const auto& p) {
                           return p.param.input.empty() ? std::string("empty") : p.param.input;
                         });

// The two alphabets differ in the characters for 62 and 63 (RFC 4648 Tables 1 and 2):
// 0xFB 0xFF 0xBF is 111110 111111 111110 111111.
TEST(EncodingAlphabet, Values62And63DifferBetweenBase64AndBase64url) {
  const std::vector<uint8_t> in = {0xFB, 0xFF, 0xBF};
  EXPECT_EQ(base64_encode(in), "+/+/");
  EXPECT_EQ(base64url_encode(in), "-_-_");
  EXPECT_EQ(*base64_decode("+/+/"), in);
  EXPECT_EQ(*base64url_decode("-_-_"), in);
}

TEST(EncodingAlphabet, EveryByteValueRoundTrips) {
  std::vector<uint8_t> all(256);
  for (int i = 0; i < 256; ++i) {
    all[i] = static_cast<uint8_t>(i);
  }
  for (size_t n = 0; n <= all.size(); ++n) {
    std::vector<uint8_t> in(all.begin(), all.begin() + n);
    EXPECT_EQ(*base64_decode(base64_encode(in)), in) << n;
    EXPECT_EQ(*base64url_decode(base64url_encode(in)), in) << n;
    EXPECT_EQ(*hex_decode(hex_encode(in)), in) << n;
  }
}

struct Malformed {
  std::string text;
  std::string why;
};

class EncodingBase64Malformed : public ::testing::TestWithParam<Malformed> {};

TEST_P(EncodingBase64Malformed, IsRefused) {
  EXPECT_FALSE(base64_decode(GetParam().text)) << GetParam().why;
  auto size = base64_decoded_size(GetParam().text);
  if (size) {
    std::vector<uint8_t> out(*size);
    EXPECT_FALSE(base64_decode_to(GetParam().text, out.data())) << GetParam().why;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, EncodingBase64Malformed,
    ::testing::Values(Malformed{"Zg", "missing padding"}, Malformed{"Zg=", "short padding"},
                      Malformed{"Zg===", "excess padding"}, Malformed{"Z===", "three pads"},
                      Malformed{"====", "padding only"},
                      Malformed{"Zm9v=", "padding after a full group"},
                      Malformed{"Zg==Zg==", "padding in the middle"},
                      Malformed{"Z=g=", "padding between characters"},
                      Malformed{"Zh==", "non-canonical trailing bits (one byte)"},
                      Malformed{"Zm9=", "non-canonical trailing bits (two bytes)"},
                      Malformed{"Zm9v\n", "trailing newline"}, Malformed{" Zm9v", "leading space"},
                      Malformed{"Zm 9v", "inner space"}, Malformed{"Zm9v\t", "tab"},
                      Malformed{"Zm-v", "base64url character"},
                      Malformed{"Zm_v", "base64url character"}, Malformed{"Zm9*", "punctuation"},
                      Malformed{std::string("Zm\0v", 4), "NUL"},
                      Malformed{"Zm\xc3\xa9v", "non-ASCII"}),
    [](const auto& p) { return "Case" + std::to_string(p.index); });

class EncodingBase64urlMalformed : public ::testing::TestWithParam<Malformed> {};

TEST_P(EncodingBase64urlMalformed, IsRefused) {
  EXPECT_FALSE(base64url_decode(GetParam().text)) << GetParam().why;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, EncodingBase64urlMalformed,
    ::testing::Values(Malformed{"Zg==", "padding is not allowed"}, Malformed{"Zm8=", "padding"},
                      Malformed{"Z", "length 1 mod 4"}, Malformed{"Zm9vY", "length 1 mod 4"},
                      Malformed{"Zh", "non-canonical trailing bits (one byte)"},
                      Malformed{"Zm9", "non-canonical trailing bits (two bytes)"},
                      Malformed{"Zm+v", "base64 character"}, Malformed{"Zm/v", "base64 character"},
                      Malformed{" Zg", "leading space"}, Malformed{"Zg\n", "newline"},
                      Malformed{"Zm9v\r\n", "CRLF"}, Malformed{"Zm.v", "punctuation"}),
    [](const auto& p) { return "Case" + std::to_string(p.index); });

class EncodingHexMalformed : public ::testing::TestWithParam<Malformed> {};

TEST_P(EncodingHexMalformed, IsRefused) {
  EXPECT_FALSE(hex_decode(GetParam().text)) << GetParam().why;
  std::vector<uint8_t> out(GetParam().text.size() / 2);
  EXPECT_FALSE(hex_decode_to(GetParam().text, out.data())) << GetParam().why;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, EncodingHexMalformed,
    ::testing::Values(Malformed{"6", "odd length"}, Malformed{"666", "odd length"},
                      Malformed{"6g", "not a hex digit"}, Malformed{"g6", "not a hex digit"},
                      Malformed{" 66", "leading space"}, Malformed{"66 ", "trailing space"},
                      Malformed{"6 6 ", "inner space"}, Malformed{"0x66", "prefix"},
                      Malformed{"66\n", "newline"}, Malformed{"-1", "sign"},
                      Malformed{std::string("6\0", 2), "NUL"},
                      Malformed{"\xef\xbc\x96\xef\xbc\x96", "full-width digits"}),
    [](const auto& p) { return "Case" + std::to_string(p.index); });

TEST(EncodingBase64url, DecodedSizeRefusesImpossibleLengths) {
  EXPECT_EQ(base64url_decoded_size(0), 0u);
  EXPECT_EQ(base64url_decoded_size(2), 1u);
  EXPECT_EQ(base64url_decoded_size(3), 2u);
  EXPECT_EQ(base64url_decoded_size(4), 3u);
  EXPECT_EQ(base64url_decoded_size(43), 32u);
  EXPECT_FALSE(base64url_decoded_size(1));
  EXPECT_FALSE(base64url_decoded_size(5));
}

TEST(EncodingBase64url, DecodeIntoAppends) {
  std::vector<uint8_t> out = {0x01};
  ASSERT_TRUE(base64url_decode_into("Zm9v", out));
  EXPECT_EQ(out, (std::vector<uint8_t>{0x01, 'f', 'o', 'o'}));
}

TEST(EncodingBase64url, ChunksOfMultiplesOfThreeConcatenate) {
  auto a = bytes("foobar");  // 6 bytes
  auto b = bytes("baz!");
  std::vector<uint8_t> ab = a;
  ab.insert(ab.end(), b.begin(), b.end());
  EXPECT_EQ(base64url_encode(a) + base64url_encode(b), base64url_encode(ab));
}

TEST(EncodingBase64url, ToBufferFunctionsMatchTheStringForms) {
  auto in = bytes("any carnal pleasure.");
  std::string out((in.size() * 4 + 2) / 3, '\0');
  size_t n = base64url_encode_to(in, out.data());
  out.resize(n);
  EXPECT_EQ(out, base64url_encode(in));
  std::vector<uint8_t> back(*base64url_decoded_size(out.size()));
  ASSERT_TRUE(base64url_decode_to(out, back.data()));
  EXPECT_EQ(back, in);
}

// A decoder that fails part-way has written some decoded bytes of what may be a secret;
// it wipes them before returning.
TEST(EncodingWipe, FailedBufferDecodesLeaveNoDecodedBytes) {
  const std::string hex = "4142434445464748zz";
  const std::string b64 = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJz*A==";
  const std::string url = b64.substr(0, b64.size() - 2);  // unpadded: the AVX2 path too
  std::vector<uint8_t> out(64, 0xEE);
  EXPECT_FALSE(hex_decode_to(hex, out.data()));
  EXPECT_EQ(std::count(out.begin(), out.begin() + 9, 0), 9);
  std::fill(out.begin(), out.end(), 0xEE);
  EXPECT_FALSE(base64_decode_to(b64, out.data()));
  EXPECT_EQ(std::count(out.begin(), out.begin() + 46, 0), 46);
  std::fill(out.begin(), out.end(), 0xEE);
  EXPECT_FALSE(base64url_decode_to(url, out.data()));
  EXPECT_EQ(std::count(out.begin(), out.begin() + 46, 0), 46);
}

TEST(EncodingBase64, AllocatesItsStringOnceAtItsFinalSize) {
  for (size_t n : {16, 100, 1000, 1001, 1002}) {
    std::string s = base64_encode(std::vector<uint8_t>(n, 0x61));
    EXPECT_EQ(s.size(), base64_encoded_size(n));
    EXPECT_EQ(s.capacity(), s.size()) << n;  // never grown by appending the padding
  }
}

TEST(QuoteUntrusted, NeverSplitsACharacterOrPassesControlBytes) {
  // 63 letters and a two-byte character: cutting at 64 bytes would split it.
  const std::string id = std::string(63, 'a') + "\xc3\xa9";
  EXPECT_EQ(quote_untrusted(id), std::string(63, 'a') + "?...");
  EXPECT_EQ(quote_untrusted("a\nb\x1b[2Jc\x7f"), "a?b?[2Jc?");
  EXPECT_EQ(quote_untrusted("short"), "short");
  EXPECT_EQ(quote_untrusted("abcdef", 3), "abc...");
}

}  // namespace
}  // namespace leea
