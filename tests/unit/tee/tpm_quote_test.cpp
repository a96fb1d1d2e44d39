// The tpm verifier on a real quote: the GCE Shielded VM (COS 85) quotes of
// testdata/tpm/gce-cos85-quote, whose PROVENANCE.md gives the expected outcomes.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/tee/tpm/quote.h"
#include "core/tee/tpm/structures.h"
#include "tests/support/temp_dir.h"

namespace leea::tee::tpm {
namespace {

const std::string kDir = std::string(LEEA_TESTDATA_DIR) + "/tpm/gce-cos85-quote/";

std::vector<uint8_t> bytes(const std::string& name) {
  std::string s = test::read_file(kDir + name);
  return {s.begin(), s.end()};
}

const Check* find(const Verification& v, const std::string& name) {
  for (const auto& c : v.checks) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

struct Gce {
  std::vector<uint8_t> attest, signature, ak, pcrs;
};

Gce gce(const std::string& bank) {
  return {bytes("quote-" + bank + ".tpms_attest"), bytes("quote-" + bank + ".tpmt_signature"),
          bytes("ak.tpmt_public"), bytes("pcrs-" + bank + ".txt")};
}

Result<Verification> run(const Gce& g,
                         std::optional<std::vector<uint8_t>> nonce = std::vector<uint8_t>{0x90,
                                                                                          0x09}) {
  return verify_standalone(
      {g.attest, g.signature, g.ak, std::span<const uint8_t>(g.pcrs), std::move(nonce)});
}

TEST(TpmGceQuote, ParsesTheAkAndTheQuoteAsProvenanceDescribes) {
  auto ak = parse_public(bytes("ak.tpmt_public"));
  ASSERT_TRUE(ak) << ak.error().message;
  EXPECT_EQ(ak->type, alg::rsa);
  EXPECT_EQ(ak->attributes, 0x00050072u);
  EXPECT_EQ(ak->scheme, alg::rsassa);
  EXPECT_EQ(ak->scheme_hash, alg::sha256);
  EXPECT_EQ(ak->rsa_bits, 2048);
  EXPECT_TRUE(ak->is_restricted_signing_key());
  auto q = parse_quote_attest(bytes("quote-sha256.tpms_attest"));
  ASSERT_TRUE(q) << q.error().message;
  EXPECT_EQ(q->extra_data, (std::vector<uint8_t>{0x90, 0x09}));
  EXPECT_EQ(q->reset_count, 10u);
  EXPECT_EQ(q->restart_count, 0u);
  EXPECT_TRUE(q->safe);
  EXPECT_EQ(q->firmware_version, 0x2016051100162800u);
  ASSERT_EQ(q->selections.size(), 1u);
  EXPECT_EQ(q->selections[0].hash, alg::sha256);
  EXPECT_EQ(q->selections[0].pcrs.size(), 24u);
  auto s = parse_signature(bytes("quote-sha256.tpmt_signature"));
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->alg, alg::rsassa);
  EXPECT_EQ(s->rsa.size(), 256u);
}

TEST(TpmGceQuote, EveryBankVerifiesWithNonce9009) {
  for (const char* bank : {"sha1", "sha256", "sha384"}) {
    SCOPED_TRACE(bank);
    auto v = run(gce(bank));
    ASSERT_TRUE(v) << v.error().message;
    EXPECT_TRUE(v->ok()) << v->failures();
    for (const char* name : {"tpm.ak", "tpm.signature", "tpm.pcr_digest", "tpm.nonce"}) {
      ASSERT_NE(find(*v, name), nullptr) << name;
    }
  }
  auto v = run(gce("sha256"));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->claims.values.at("tpm.pcr.sha256.0"),
            "sha256:0f35c214608d93c7a6e68ae7359b4a8be5a0e99eea9107ece427c4dea4e439cf");
  EXPECT_EQ(v->claims.values.size(), 24u);
}

TEST(TpmGceQuote, TheNoNonceQuoteFailsTheNonceCheckOnly) {
  Gce g = gce("sha256");
  g.attest = bytes("no-nonce-quote-sha256.tpms_attest");
  g.signature = bytes("no-nonce-quote-sha256.tpmt_signature");
  auto v = run(g);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_FALSE(v->ok());
  EXPECT_TRUE(find(*v, "tpm.signature")->ok);
  EXPECT_FALSE(find(*v, "tpm.nonce")->ok);
}

TEST(TpmGceQuote, WithoutPcrValuesOrNonceThoseChecksAreNotMade) {
  Gce g = gce("sha256");
  auto v = verify_standalone({g.attest, g.signature, g.ak, std::nullopt, std::nullopt});
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_TRUE(v->ok()) << v->failures();
  EXPECT_EQ(find(*v, "tpm.pcr_digest"), nullptr);
  EXPECT_EQ(find(*v, "tpm.nonce"), nullptr);
}

TEST(TpmGceQuote, EveryChangedAttestByteFailsTheSignature) {
  Gce good = gce("sha256");
  for (size_t i = 0; i < good.attest.size(); ++i) {
    Gce g = good;
    g.attest[i] ^= 0x01;
    auto v = run(g);
    if (!v) {
      EXPECT_EQ(v.error().code, Errc::invalid_data) << i;  // the structure no longer parses
      continue;
    }
    EXPECT_FALSE(find(*v, "tpm.signature")->ok) << "byte " << i;
  }
}

TEST(TpmGceQuote, AChangedPcrValueFailsThePcrDigest) {
  Gce g = gce("sha256");
  std::string text(g.pcrs.begin(), g.pcrs.end());
  size_t at = text.find("0f35c2");
  ASSERT_NE(at, std::string::npos);
  text[at] = '1';
  g.pcrs.assign(text.begin(), text.end());
  auto v = run(g);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_TRUE(find(*v, "tpm.signature")->ok);
  EXPECT_FALSE(find(*v, "tpm.pcr_digest")->ok);
}

TEST(TpmGceQuote, AnotherKeyFailsTheSignature) {
  Gce g = gce("sha256");
  g.ak[g.ak.size() - 10] ^= 0x40;  // a bit of the modulus
  auto v = run(g);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_FALSE(find(*v, "tpm.signature")->ok);
}

TEST(TpmStructures, EveryTruncationIsAnErrorNamingTheField) {
  for (const char* name :
       {"quote-sha256.tpms_attest", "quote-sha256.tpmt_signature", "ak.tpmt_public"}) {
    auto full = bytes(name);
    for (size_t n = 0; n < full.size(); ++n) {
      std::span<const uint8_t> cut(full.data(), n);
      auto a = parse_quote_attest(cut);
      auto s = parse_signature(cut);
      auto p = parse_public(cut);
      EXPECT_FALSE(std::string(name).find("attest") != std::string::npos && a) << n;
      EXPECT_FALSE(std::string(name).find("signature") != std::string::npos && s) << n;
      EXPECT_FALSE(std::string(name).find("public") != std::string::npos && p) << n;
    }
  }
  auto a =
      parse_quote_attest(std::span<const uint8_t>(bytes("quote-sha256.tpms_attest")).first(40));
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, Errc::invalid_data);
  EXPECT_NE(a.error().message.find("TPMS_ATTEST."), std::string::npos) << a.error().message;
}

TEST(TpmStructures, TrailingBytesAndOversizedInputsAreRefused) {
  auto attest = bytes("quote-sha256.tpms_attest");
  attest.push_back(0);
  auto a = parse_quote_attest(attest);
  ASSERT_FALSE(a);
  EXPECT_NE(a.error().message.find("trailing"), std::string::npos);
  std::vector<uint8_t> big(4096, 0xff);
  EXPECT_FALSE(parse_public(big));
  EXPECT_FALSE(parse_signature(big));
  auto wrong_magic = bytes("quote-sha256.tpms_attest");
  wrong_magic[0] = 0;
  auto m = parse_quote_attest(wrong_magic);
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message.find("TPMS_ATTEST.magic"), std::string::npos);
}

TEST(TpmPcrFile, ReadsTheTpm2ToolsForms) {
  std::vector<PcrSelection> sel{{alg::sha256, {0, 15}}};
  std::string yaml =
      "sha256:\n  0 : 0x" + std::string(64, 'a') + "\n  15: 0x" + std::string(64, 'B') + "\n";
  auto y = parse_pcr_file(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(yaml.data()), yaml.size()), sel,
      alg::sha1);
  ASSERT_TRUE(y) << y.error().message;
  EXPECT_EQ(y->at(alg::sha256).at(15), std::vector<uint8_t>(32, 0xbb));
  std::vector<uint8_t> values(64, 0x11);
  values[32] = 0x22;
  auto b = parse_pcr_file(values, sel, alg::sha256);
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->at(alg::sha256).at(15)[0], 0x22);
  std::vector<uint8_t> wrong(63, 0x11);
  EXPECT_FALSE(parse_pcr_file(wrong, sel, alg::sha256));
  std::string bad = "0 abc\n";
  auto e = parse_pcr_file(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bad.data()), bad.size()), sel,
      alg::sha256);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("line 1"), std::string::npos);
}

TEST(TpmReport, MalformedTextIsInvalidData) {
  for (const std::string& text :
       {std::string(), std::string("!!"), std::string("e30"), std::string(70000, 'A')}) {
    auto r = decode_report(text);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::invalid_data);
  }
}

}  // namespace
}  // namespace leea::tee::tpm
