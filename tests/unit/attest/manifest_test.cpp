#include "core/attest/manifest.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "tests/unit/attest/attest_test_util.h"

namespace leea::attest {
namespace {

using nlohmann::json;
using test::secret_text;

// Share lines in the leea text format; their content does not matter to the manifest.
std::string share_line(int x) {
  return "leea1.k2.x" + std::to_string(x) + ".0011223344556677.AAAA" + std::to_string(x) +
         ".00000000";
}

crypto::SecretBytes test_secret() {
  std::vector<uint8_t> bytes(32);
  for (size_t i = 0; i < bytes.size(); ++i) {
    bytes[i] = static_cast<uint8_t>(i + 1);
  }
  return crypto::SecretBytes::copy_of(bytes);
}

ShareManifest test_manifest() {
  ShareManifest m;
  m.order = "demo-sim";
  m.threshold = 2;
  m.split_id = "0011223344556677";
  m.key_check = test::value_or_throw(key_check_value(test_secret()));
  for (int x = 1; x <= 3; ++x) {
    m.entries.push_back({"v" + std::to_string(x), x, share_hash(secret_text(share_line(x)))});
  }
  return m;
}

TEST(KeyCheckValue, IsTheTruncatedHmacOfAFixedMessage) {
  // Python: hmac.new(bytes(range(1, 33)), b"leea key check value v1", "sha256").hexdigest()[:32]
  EXPECT_EQ(test::value_or_throw(key_check_value(test_secret())),
            "9df3c98953a35753f74b4b843d0b5fe2");
  EXPECT_EQ(key_check_value(crypto::SecretBytes()).error().code, Errc::invalid_argument);
}

TEST(KeyCheckValue, AcceptsOnlyTheSecretItDescribes) {
  ShareManifest m = test_manifest();
  EXPECT_TRUE(verify_key_check(m, test_secret()));
  crypto::SecretBytes other = test_secret();
  other.reveal()[31] ^= 1;
  auto r = verify_key_check(m, other);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::refused);
  EXPECT_EQ(r.error().message, "key check value: the rebuilt secret does not match the manifest");
}

TEST(ShareHash, IsSha256OfTheLineWithoutItsEnding) {
  const std::string line = "leea1.k2.x1.0011223344556677.AAAA.00000000";
  const std::string expected =
      "sha256:92a6d95308f4c1faebcd4bb0f0555597a5927bce58cac78037e782a77ea79e91";
  EXPECT_EQ(share_hash(secret_text(line)), expected);
  EXPECT_EQ(share_hash(secret_text(line + "\n")), expected);
  EXPECT_EQ(share_hash(secret_text(line + "\r\n")), expected);
  EXPECT_NE(share_hash(secret_text(line + " ")), expected);
}

TEST(ShareManifest, CanonicalJsonIsSortedAndCompact) {
  ShareManifest m = test_manifest();
  std::string entries;
  for (const auto& e : m.entries) {
    entries += std::string(entries.empty() ? "" : ",") + R"({"share_hash":")" + e.share_hash +
               R"(","validator_id":")" + e.validator_id + R"(","x":)" + std::to_string(e.x) + "}";
  }
  const std::string expected = R"({"entries":[)" + entries +
                               R"(],"key_check":"9df3c98953a35753f74b4b843d0b5fe2",)"
                               R"("order":"demo-sim","split_id":"0011223344556677",)"
                               R"("threshold":2,"version":1})";
  EXPECT_EQ(test::value_or_throw(manifest_json(m)), expected);
  std::swap(m.entries[0], m.entries[2]);  // entries are sorted by x
  EXPECT_EQ(test::value_or_throw(manifest_json(m)), expected);
}

class SignedManifest : public ::testing::TestWithParam<crypto::KeyType> {
 protected:
  SignedManifest()
      : op_(test::value_or_throw(crypto::PrivateKey::generate(GetParam()))),
        doc_(test::value_or_throw(sign_manifest(op_, test_manifest()))) {}

  void expect_refused(const std::string& doc, const std::string& message) const {
    auto r = verify_manifest(doc, op_.public_key());
    ASSERT_FALSE(r) << "accepted; expected: " << message;
    EXPECT_EQ(r.error().code, Errc::refused);
    EXPECT_EQ(r.error().message, message);
  }

  std::string mutated(const std::function<void(json&)>& mutate) const {
    json j = json::parse(doc_);
    mutate(j);
    return j.dump();
  }

  crypto::PrivateKey op_;
  std::string doc_;
};

TEST_P(SignedManifest, VerifiesWithTheOperatorKey) {
  auto r = verify_manifest(doc_, op_.public_key());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, test_manifest());
  json j = json::parse(doc_);
  EXPECT_EQ(j["alg"], GetParam() == crypto::KeyType::p256 ? "ES256" : "EdDSA");
  EXPECT_EQ(j["key"], op_.public_key().fingerprint());
  EXPECT_EQ(test::unb64url(j["signature"].get<std::string>()).size(), 64u);
}

TEST_P(SignedManifest, SignsTheMeaningNotTheSpelling) {
  // Entries reordered and the document pretty-printed: the same manifest.
  std::string doc = json::parse(mutated([](json& j) {
                      std::swap(j["manifest"]["entries"][0], j["manifest"]["entries"][1]);
                    })).dump(2);
  auto r = verify_manifest(doc, op_.public_key());
  ASSERT_TRUE(r) << r.error().message;
}

TEST_P(SignedManifest, RefusesAnotherOperatorKey) {
  auto other = test::value_or_throw(crypto::PrivateKey::generate(GetParam()));
  auto r = verify_manifest(doc_, other.public_key());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "share manifest: signed by another key, not the operator key " +
                                   other.public_key().fingerprint());
}

TEST_P(SignedManifest, RefusesAForgedSignatureUnderTheOperatorsFingerprint) {
  auto other = test::value_or_throw(crypto::PrivateKey::generate(GetParam()));
  std::string forged = test::value_or_throw(sign_manifest(other, test_manifest()));
  json j = json::parse(forged);
  j["key"] = op_.public_key().fingerprint();
  expect_refused(j.dump(), "share manifest: signature does not verify");
}

TEST_P(SignedManifest, RefusesEachChangedField) {
  const std::string bad = "share manifest: signature does not verify";
  expect_refused(mutated([](json& j) { j["manifest"]["threshold"] = 3; }), bad);
  expect_refused(mutated([](json& j) { j["manifest"]["order"] = "other"; }), bad);
  expect_refused(mutated([](json& j) { j["manifest"]["split_id"] = "0011223344556678"; }), bad);
  expect_refused(mutated([](json& j) { j["manifest"]["key_check"] = std::string(32, '0'); }), bad);
  expect_refused(mutated([](json& j) { j["manifest"]["entries"][0]["validator_id"] = "v9"; }), bad);
  expect_refused(mutated([](json& j) { j["manifest"]["entries"][0]["x"] = 9; }), bad);
  expect_refused(mutated([](json& j) {
                   j["manifest"]["entries"][0]["share_hash"] =
                       j["manifest"]["entries"][1]["share_hash"];
                 }),
                 bad);
  expect_refused(mutated([](json& j) { j["manifest"]["entries"].erase(2); }), bad);
}

TEST_P(SignedManifest, RefusesMalformedDocuments) {
  expect_refused(mutated([](json& j) { j["alg"] = "none"; }),
                 "share manifest: 'alg' does not match the operator key");
  expect_refused(mutated([](json& j) { j["extra"] = 1; }),
                 "share manifest: the signed document has an unknown member");
  expect_refused(mutated([](json& j) { j.erase("signature"); }),
                 "share manifest: the signed document has no 'signature'");
  expect_refused(mutated([](json& j) { j["signature"] = "a+b"; }),
                 "share manifest: 'signature' is not base64url");
  expect_refused(mutated([](json& j) { j["manifest"]["note"] = "x"; }),
                 "share manifest: the manifest has an unknown member");
  expect_refused(mutated([](json& j) { j["manifest"]["entries"][1].erase("x"); }),
                 "share manifest: an entry has no 'x'");
  expect_refused(mutated([](json& j) { j["manifest"]["version"] = 2; }),
                 "share manifest: unsupported version 2");
  expect_refused(mutated([](json& j) { j["manifest"]["threshold"] = "2"; }),
                 "share manifest: 'threshold' must be a small integer");
  expect_refused(mutated([](json& j) { j["manifest"]["threshold"] = 4; }),
                 "share manifest: needs threshold to 255 entries, has 3");
  expect_refused(doc_.substr(1), "share manifest: not valid JSON");
  expect_refused(std::string(kMaxManifestBytes + 1, ' '),
                 "share manifest: longer than 65536 bytes");
}

INSTANTIATE_TEST_SUITE_P(OperatorKeys, SignedManifest,
                         ::testing::Values(crypto::KeyType::p256, crypto::KeyType::ed25519),
                         [](const auto& p) {
                           return p.param == crypto::KeyType::p256 ? "P256" : "Ed25519";
                         });

TEST(ShareManifest, SignRefusesOtherKeyTypesAndInvalidManifests) {
  auto p384 = test::value_or_throw(crypto::PrivateKey::generate(crypto::KeyType::p384));
  EXPECT_EQ(sign_manifest(p384, test_manifest()).error().code, Errc::invalid_argument);
  auto op = test::new_p256_key();
  ShareManifest m = test_manifest();
  m.threshold = 1;
  EXPECT_EQ(sign_manifest(op, m).error().code, Errc::invalid_argument);
}

struct InvalidCase {
  const char* name;
  std::function<void(ShareManifest&)> mutate;
  std::string message;
};

class InvalidManifest : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(InvalidManifest, IsRefusedNamingTheField) {
  ShareManifest m = test_manifest();
  GetParam().mutate(m);
  auto r = validate_manifest(m, Errc::refused);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::refused);
  EXPECT_EQ(r.error().message, "share manifest: " + GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Fields, InvalidManifest,
    ::testing::Values(
        InvalidCase{"OrderNotAnId", [](ShareManifest& m) { m.order = "a/b"; },
                    "the order id is not a valid id"},
        InvalidCase{"ThresholdOne", [](ShareManifest& m) { m.threshold = 1; },
                    "the threshold must be 2 to 255"},
        InvalidCase{"SplitIdUpperCase", [](ShareManifest& m) { m.split_id = "00112233445566AA"; },
                    "the split id must be 16 lower-case hex digits"},
        InvalidCase{"KeyCheckShort", [](ShareManifest& m) { m.key_check.pop_back(); },
                    "the key check value must be 32 lower-case hex digits"},
        InvalidCase{"TooFewEntries", [](ShareManifest& m) { m.entries.resize(1); },
                    "needs threshold to 255 entries, has 1"},
        InvalidCase{"ValidatorTwice", [](ShareManifest& m) { m.entries[1].validator_id = "v1"; },
                    "validator v1 is listed twice"},
        InvalidCase{"ValidatorNotAnId", [](ShareManifest& m) { m.entries[1].validator_id = ""; },
                    "an entry's validator id is not a valid id"},
        InvalidCase{"XTwice", [](ShareManifest& m) { m.entries[1].x = 1; },
                    "the x of v2 is not a distinct 1..255"},
        InvalidCase{"XZero", [](ShareManifest& m) { m.entries[1].x = 0; },
                    "the x of v2 is not a distinct 1..255"},
        InvalidCase{"X256", [](ShareManifest& m) { m.entries[1].x = 256; },
                    "the x of v2 is not a distinct 1..255"},
        InvalidCase{"HashWithoutPrefix",
                    [](ShareManifest& m) { m.entries[2].share_hash.erase(0, 7); },
                    "the share hash of v3 is not sha256:<64 lower-case hex>"},
        InvalidCase{"HashShort", [](ShareManifest& m) { m.entries[2].share_hash.pop_back(); },
                    "the share hash of v3 is not sha256:<64 lower-case hex>"}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(CheckShare, AcceptsTheListedShareOfEachValidator) {
  ShareManifest m = test_manifest();
  for (int x = 1; x <= 3; ++x) {
    auto r = check_share(m, "v" + std::to_string(x), secret_text(share_line(x) + "\n"));
    EXPECT_TRUE(r) << r.error().message;
  }
}

TEST(CheckShare, NamesTheValidatorWhoseShareDiffers) {
  auto r = check_share(test_manifest(), "v2", secret_text(share_line(3)));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::refused);
  EXPECT_EQ(r.error().message, "share from v2 does not match the manifest");
}

TEST(CheckShare, RefusesAValidatorNotInTheManifest) {
  auto r = check_share(test_manifest(), "v9", secret_text(share_line(1)));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "share manifest: no entry for validator v9");
}

}  // namespace
}  // namespace leea::attest
