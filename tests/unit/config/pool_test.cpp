#include "core/config/pool.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/support/temp_dir.h"

namespace leea::config {
namespace {

// Validator n (1-9) takes lines 4n to 4n+3 of pool_text().
std::string member(int n) {
  std::string d = std::to_string(n);
  return "  - id: v" + d + "\n    url: https://127.0.0.1:844" + d +
         "\n    tls_fingerprint: \"sha256:" + std::string(63, '0') + d +
         "\"\n    token_key: {kty: EC, crv: P-256, x: " + std::string(1, char('A' + n)) +
         std::string(42, 'A') + ", y: " + std::string(43, 'A') + "}\n";
}

std::string pool_text(int validators, const std::string& threshold = "threshold: 2\n") {
  std::string text = "version: 1\n" + threshold + "validators:\n";
  for (int n = 1; n <= validators; ++n) {
    text += member(n);
  }
  return text;
}

// text with its one occurrence of from replaced by to.
std::string with(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  EXPECT_EQ(text.find(from, at + 1), std::string::npos) << from;
  return at == std::string::npos ? text : text.replace(at, from.size(), to);
}

TEST(PoolConfig, LoadsValidatorsInOrder) {
  auto pool = load_pool_string(pool_text(3), "pool.yaml");
  ASSERT_TRUE(pool) << pool.error().message;
  EXPECT_EQ(pool->source, "pool.yaml");
  EXPECT_EQ(pool->threshold, 2);
  ASSERT_EQ(pool->validators.size(), 3u);
  const PoolMember& v2 = pool->validators[1];
  EXPECT_EQ(v2.id, "v2");
  EXPECT_EQ(v2.url, "https://127.0.0.1:8442");
  EXPECT_EQ(v2.endpoint, (Endpoint{"127.0.0.1", 8442}));
  EXPECT_EQ(format_tagged_digest(v2.tls_fingerprint), "sha256:" + std::string(63, '0') + "2");
  EXPECT_EQ(v2.token_key,
            (Jwk{"EC", "P-256", "C" + std::string(42, 'A'), std::string(43, 'A'), "", ""}));
  EXPECT_EQ(find_member(*pool, "v3"), &pool->validators[2]);
  EXPECT_EQ(find_member(*pool, "v4"), nullptr);
}

TEST(PoolConfig, ReadsShareKeysAndRefusesOneSharedByTwoValidators) {
  const std::string key_a = "    share_key: {kty: EC, crv: P-256, x: S" + std::string(42, 'A') +
                            ", y: " + std::string(42, 'B') + "A}\n";
  const std::string key_b = "    share_key: {kty: EC, crv: P-256, x: T" + std::string(42, 'A') +
                            ", y: " + std::string(42, 'B') + "A}\n";
  std::string text =
      "version: 1\nthreshold: 2\nvalidators:\n" + member(1) + key_a + member(2) + key_b + member(3);
  auto pool = load_pool_string(text, "pool.yaml");
  ASSERT_TRUE(pool) << pool.error().message;
  ASSERT_TRUE(pool->validators[0].share_key.has_value());
  EXPECT_EQ(pool->validators[0].share_key->x, "S" + std::string(42, 'A'));
  EXPECT_EQ(pool->validators[1].share_key->x, "T" + std::string(42, 'A'));
  EXPECT_FALSE(pool->validators[2].share_key.has_value());  // optional

  std::string twice =
      "version: 1\nthreshold: 2\nvalidators:\n" + member(1) + key_a + member(2) + key_a + member(3);
  auto dup = load_pool_string(twice, "pool.yaml");
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().message, "pool.yaml:13:16: duplicate share_key (first at line 8)");
}

TEST(PoolConfig, AppliesTheDefaultThresholdOfThree) {
  auto pool = load_pool_string(pool_text(5, ""), "pool.yaml");
  ASSERT_TRUE(pool) << pool.error().message;
  EXPECT_EQ(pool->threshold, 3);
}

TEST(PoolConfig, AcceptsOptionalJwkFieldsAndCanonicalisesTheUrl) {
  std::string text = with(pool_text(2), "y: " + std::string(43, 'A') + "}\n  - id: v2",
                          "y: " + std::string(43, 'A') + ", kid: k1, alg: ES256}\n  - id: v2");
  text = with(text, "https://127.0.0.1:8442", "https://V2.Example:8442/");
  auto pool = load_pool_string(text, "pool.yaml");
  ASSERT_TRUE(pool) << pool.error().message;
  EXPECT_EQ(pool->validators[0].token_key.kid, "k1");
  EXPECT_EQ(pool->validators[0].token_key.alg, "ES256");
  EXPECT_EQ(pool->validators[1].url, "https://v2.example:8442");
}

struct BadPool {
  const char* name;
  std::string text;
  std::string message;
};

std::ostream& operator<<(std::ostream& os, const BadPool& c) { return os << c.name; }

class PoolConfigRejects : public testing::TestWithParam<BadPool> {};

TEST_P(PoolConfigRejects, WithFileLineColumnAndReason) {
  auto pool = load_pool_string(GetParam().text, "pool.yaml");
  ASSERT_FALSE(pool);
  EXPECT_EQ(pool.error().code, Errc::config);
  EXPECT_EQ(pool.error().message, GetParam().message);
}

const std::string kFp1 = "sha256:" + std::string(63, '0') + "1";
const std::string kX2 = "x: C" + std::string(42, 'A');

INSTANTIATE_TEST_SUITE_P(
    Cases, PoolConfigRejects,
    testing::Values(
        BadPool{"UnknownKeyWithSuggestion", with(pool_text(3), "threshold:", "thresold:"),
                "pool.yaml:2:1: unknown key 'thresold' (did you mean 'threshold'?)"},
        BadPool{"UnknownKeyWithoutSuggestion", pool_text(3) + "colour: red\n",
                "pool.yaml:16:1: unknown key 'colour' (expected one of: version, threshold, "
                "validators, operator_keys)"},
        BadPool{"UnknownMemberKey",
                with(pool_text(3), "    url: https://127.0.0.1:8442",
                     "    ulr: https://127.0.0.1:8442"),
                "pool.yaml:9:5: unknown key 'ulr' (did you mean 'url'?)"},
        BadPool{"ListWhereAStringIsExpected",
                with(pool_text(3), "https://127.0.0.1:8441", "[https://127.0.0.1:8441]"),
                "pool.yaml:5:10: 'url' must be a string, not a sequence"},
        BadPool{"ValidatorsNotAList", "version: 1\nvalidators: v1\n",
                "pool.yaml:2:13: 'validators' must be a sequence, not 'v1'"},
        BadPool{"MissingField", with(pool_text(3), "    tls_fingerprint: \"" + kFp1 + "\"\n", ""),
                "pool.yaml:4:5: missing required key 'tls_fingerprint'"},
        BadPool{"MissingValidators", "version: 1\nthreshold: 2\n",
                "pool.yaml:1:1: missing required key 'validators'"},
        BadPool{"DuplicateId", with(pool_text(3), "id: v2", "id: v1"),
                "pool.yaml:8:9: duplicate validator id 'v1' (first at line 4)"},
        BadPool{"DuplicateUrl", with(pool_text(3), ":8443", ":8441"),
                "pool.yaml:13:10: duplicate validator url 'https://127.0.0.1:8441' (first at "
                "line 5)"},
        BadPool{"DuplicateFingerprint",
                with(pool_text(3), std::string(63, '0') + "3", std::string(63, '0') + "1"),
                "pool.yaml:14:22: duplicate tls_fingerprint (first at line 6)"},
        BadPool{"DuplicateTokenKey", with(pool_text(3), kX2, "x: B" + std::string(42, 'A')),
                "pool.yaml:11:16: duplicate token_key (first at line 7)"},
        BadPool{"ThresholdOne", pool_text(3, "threshold: 1\n"),
                "pool.yaml:2:12: 'threshold' must be between 2 and 255, not '1'"},
        BadPool{"ThresholdAboveValidators", pool_text(3, "threshold: 4\n"),
                "pool.yaml:2:12: 'threshold' must be at most the number of validators (3), not "
                "'4'"},
        BadPool{"DefaultThresholdAboveValidators", pool_text(2, ""),
                "pool.yaml:3:3: the default threshold (3) is larger than the number of "
                "validators (2)"},
        BadPool{"SingleValidator", pool_text(1),
                "pool.yaml:4:3: 'validators' must list 2 to 255 validators, not 1"},
        BadPool{"ShortFingerprint", with(pool_text(3), kFp1, "sha256:abc"),
                "pool.yaml:6:22: 'tls_fingerprint' must be \"sha256:\" followed by 64 hex "
                "digits, not 'sha256:abc'"},
        BadPool{"FingerprintWithoutAlgorithm", with(pool_text(3), kFp1, kFp1.substr(7)),
                "pool.yaml:6:22: 'tls_fingerprint' must be \"sha256:\" followed by 64 hex "
                "digits, not '" +
                    kFp1.substr(7) + "'"},
        BadPool{"HttpUrl", with(pool_text(3), "https://127.0.0.1:8441", "http://127.0.0.1:8441"),
                "pool.yaml:5:10: 'url' must use the https scheme, not 'http://127.0.0.1:8441'"},
        BadPool{"UrlWithoutPort", with(pool_text(3), "https://127.0.0.1:8441", "https://v1"),
                "pool.yaml:5:10: 'url' must be https://host:port with a port from 1 to 65535, "
                "not 'https://v1'"},
        BadPool{"UrlWithPath",
                with(pool_text(3), "https://127.0.0.1:8441", "https://127.0.0.1:8441/v1"),
                "pool.yaml:5:10: 'url' must be https://host:port with nothing after the port, "
                "not 'https://127.0.0.1:8441/v1'"},
        BadPool{"BadId", with(pool_text(3), "id: v1", "id: ../v1"),
                "pool.yaml:4:9: 'id' must be 1 to 64 characters from A-Z a-z 0-9 . _ - (and not "
                "'.' or '..'), not '../v1'"},
        BadPool{"RsaKey",
                with(pool_text(3), "{kty: EC, crv: P-256, x: C",
                     "{kty: RSA, crv: "
                     "P-256, x: C"),
                "pool.yaml:11:22: 'kty' must be 'EC', not 'RSA'"},
        BadPool{"OtherCurve", with(pool_text(3), "crv: P-256, x: D", "crv: P-384, x: D"),
                "pool.yaml:15:31: 'crv' must be 'P-256', not 'P-384'"},
        BadPool{"ShortCoordinate", with(pool_text(3), kX2, "x: CAAA"),
                "pool.yaml:11:41: 'x' must be the unpadded base64url encoding of 32 bytes, not "
                "'CAAA'"},
        BadPool{"UnknownJwkField",
                with(pool_text(3), "{kty: EC, crv: P-256, x: C",
                     "{kty: EC, crv: P-256, d: secret, x: C"),
                "pool.yaml:11:38: unknown key 'd' (expected one of: kty, crv, x, y, kid, alg)"},
        BadPool{"WrongVersion", with(pool_text(3), "version: 1", "version: 2"),
                "pool.yaml:1:10: unsupported version 2 (this leea reads version 1)"},
        BadPool{"DuplicateKey", pool_text(3) + "threshold: 3\n",
                "pool.yaml:16:1: duplicate key 'threshold' (first at line 2)"},
        BadPool{"MalformedYaml",
                with(pool_text(3), "    url: https://127.0.0.1:8442\n",
                     "    url: [https://127.0.0.1:8442\n"),
                "pool.yaml:10:20: invalid YAML: end of sequence flow not found"},
        BadPool{"EmptyDocument", "", "pool.yaml:1:1: empty document, expected a mapping"}),
    [](const testing::TestParamInfo<BadPool>& p) { return std::string(p.param.name); });

TEST(PoolConfig, LoadsAFileAndNamesItInErrors) {
  test::TempDir dir;
  test::write_file(dir / "pool.yaml", pool_text(3));
  auto pool = load_pool_file(dir / "pool.yaml");
  ASSERT_TRUE(pool) << pool.error().message;
  EXPECT_EQ(pool->source, (dir / "pool.yaml").string());

  test::write_file(dir / "bad.yaml", pool_text(3, "threshold: 9\n"));
  auto bad = load_pool_file(dir / "bad.yaml");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message,
            (dir / "bad.yaml").string() +
                ":2:12: 'threshold' must be at most the number of validators (3), not '9'");
}

TEST(PoolConfig, RejectsAnEmptyFile) {
  test::TempDir dir;
  test::write_file(dir / "pool.yaml", "");
  auto pool = load_pool_file(dir / "pool.yaml");
  ASSERT_FALSE(pool);
  EXPECT_EQ(pool.error().message,
            (dir / "pool.yaml").string() + ":1:1: empty document, expected a mapping");
}

TEST(PoolConfig, RejectsAFileLargerThanTheBound) {
  test::TempDir dir;
  std::string text = pool_text(3);
  text += std::string(kMaxConfigBytes + 1 - text.size(), '#');
  test::write_file(dir / "pool.yaml", text);
  auto pool = load_pool_file(dir / "pool.yaml");
  ASSERT_FALSE(pool);
  EXPECT_EQ(pool.error().code, Errc::config);
  EXPECT_EQ(pool.error().message,
            (dir / "pool.yaml").string() + ": larger than the limit of 1048576 bytes");
}

TEST(PoolConfig, ReportsAMissingFileAsAnIoError) {
  test::TempDir dir;
  auto pool = load_pool_file(dir / "absent.yaml");
  ASSERT_FALSE(pool);
  EXPECT_EQ(pool.error().code, Errc::io);
}

TEST(PoolConfig, ReadsOperatorKeysAsSpkiDer) {
  auto pool = load_pool_string(pool_text(3) + "operator_keys:\n  - AQID\n", "pool.yaml");
  ASSERT_TRUE(pool) << pool.error().message;
  ASSERT_EQ(pool->operator_keys.size(), 1u);
  EXPECT_EQ(pool->operator_keys[0], (std::vector<uint8_t>{1, 2, 3}));
  auto bad = load_pool_string(pool_text(3) + "operator_keys:\n  - '***'\n", "pool.yaml");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("must be the base64 of a public key"), std::string::npos);
}

}  // namespace
}  // namespace leea::config
