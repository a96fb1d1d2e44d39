// The vault share format: HashiCorp Vault's unseal keys, read as a set.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/shamir/share_text.h"
#include "core/util/encoding.h"
#include "tests/unit/shamir/stream_helpers.h"

namespace leea::shamir {
namespace {

using namespace test_helpers;  // NOLINT: the helpers are this test's vocabulary

// HashiCorp Vault's format, on the vectors in shared/testdata/shamir.
nlohmann::json vault_vectors() {
  std::ifstream f(std::string(LEEA_TESTDATA_DIR) + "/shamir/vault-format-vectors.json");
  EXPECT_TRUE(f.good());
  return nlohmann::json::parse(f);
}

TEST(VaultFormat, EverySubsetOfTheKnownAnswerSharesCombines) {
  auto v = vault_vectors()["combine_vectors"][0];
  std::vector<std::string> shares = v["shares"];
  Bytes want = *hex_decode(v["secret_hex"].get<std::string>());
  for (auto pick : std::vector<std::vector<size_t>>{{0, 1}, {0, 2}, {1, 2}, {2, 0}, {0, 1, 2}}) {
    std::vector<std::pair<std::string, std::string>> named;
    for (size_t i : pick) named.push_back({"s" + std::to_string(i), shares[i]});
    auto r = combine(named, ShareFormat::vault);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(*r, want);
    EXPECT_EQ(std::string(r->begin(), r->end()), v["secret_utf8"].get<std::string>());
  }
}

TEST(VaultFormat, AcceptsBase64AsVaultPrintsUnsealKeys) {
  auto v = vault_vectors()["combine_vectors"][0];
  std::vector<std::string> shares = v["shares"];
  auto r = combine({{"a", base64_encode(*hex_decode(shares[0]))},
                    {"b", base64_encode(*hex_decode(shares[2])) + "\n"}},
                   ShareFormat::vault);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(std::string(r->begin(), r->end()), "SayHelloToMyLittleFriend");
}

TEST(VaultFormat, RefusesWhatVaultRefuses) {
  auto cases = vault_vectors()["combine_must_fail"];
  ASSERT_GE(cases.size(), 4u);
  for (const auto& c : cases) {
    std::vector<std::pair<std::string, std::string>> named;
    int i = 0;
    for (const auto& p : c["parts_hex"]) named.push_back({"p" + std::to_string(++i), p});
    auto r = combine(named, ShareFormat::vault);
    EXPECT_FALSE(r) << c["case"];
  }
}

TEST(VaultFormat, SplitSharesCarryTheXTagLastAndCombine) {
  Bytes secret = {'u', 'n', 's', 'e', 'a', 'l'};
  auto s = split_text(secret, {3, 5}, ShareFormat::vault);
  for (size_t i = 0; i < s.size(); ++i) {
    auto raw = base64_decode(s[i].substr(0, s[i].size() - 1));
    ASSERT_TRUE(raw);
    ASSERT_EQ(raw->size(), secret.size() + 1);
    EXPECT_EQ(raw->back(), i + 1);
  }
  auto r = combine({{"a", s[1]}, {"b", s[3]}, {"c", s[4]}}, ShareFormat::vault);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, secret);
}

TEST(VaultFormat, EveryRoundTripOfATwoByteSecretCombines) {
  // Base64 of 3 bytes is 4 characters, often valid hex too: a share decoded alone as hex
  // would come out 2 bytes long. The set decides, so these always combine.
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    Bytes secret = {static_cast<uint8_t>(seed), static_cast<uint8_t>(seed >> 8)};
    auto s = split_text(secret, {2, 5}, ShareFormat::vault, seed);
    auto r = combine({{"a", s[0]}, {"b", s[1]}, {"c", s[2]}, {"d", s[3]}, {"e", s[4]}},
                     ShareFormat::vault);
    ASSERT_TRUE(r) << "seed " << seed << ": " << r.error().message;
    ASSERT_EQ(*r, secret) << "seed " << seed;
  }
}

TEST(VaultFormat, DecodesHexWhenEveryShareIsHex) {
  // Both texts are hex (4 bytes) and base64 (6 bytes) alike: hex first, as Vault does.
  auto r = combine({{"a", "0a0b0c01"}, {"b", "1a1b1c02"}}, ShareFormat::vault);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->size(), 3u);
}

TEST(VaultFormat, DecodesTheWholeSetAsBase64WhenOneShareIsNotHex) {
  // "1234" is hex (2 bytes) and base64 (3 bytes); "AQID" is base64 only.
  auto r = combine({{"a", "1234"}, {"b", "AQID"}}, ShareFormat::vault);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->size(), 2u);
}

TEST(VaultFormat, NamesTheShareThatIsNeitherHexNorBase64) {
  auto r = combine({{"a", "0a0b0c01"}, {"b", "not a key!"}}, ShareFormat::vault);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_data);
  EXPECT_EQ(r.error().message, "b: not a Vault unseal key (neither base64 nor hex)");
}

TEST(VaultFormat, NamesTheShareWhoseLengthDiffers) {
  auto r = combine({{"a", "0a0b0c01"}, {"b", "0a0b0c0d01"}}, ShareFormat::vault);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "b: length differs from a");
}

TEST(VaultFormat, RefusesASetThatMixesHexAndBase64) {
  // "0a0b0c0d01" is hex only (10 characters), "ZmZmZmZm" base64 only.
  auto r = combine({{"a", "0a0b0c0d01"}, {"b", "ZmZmZmZm"}}, ShareFormat::vault);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "the shares mix hex and base64; give Vault unseal keys in one encoding");
}

TEST(VaultFormat, SplitHoldsSecretsUpTo1MiB) {
  Bytes secret(kMaxVaultSecret, 0x5A);
  auto s = split_text(secret, {2, 2}, ShareFormat::vault);
  auto r = combine({{"a", s[0]}, {"b", s[1]}}, ShareFormat::vault);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, secret);
}

}  // namespace
}  // namespace leea::shamir
