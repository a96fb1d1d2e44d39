// make_self_signed and issue_certificate (core/crypto/x509_issue.cpp).
#include <gtest/gtest.h>

#include <string>

#include "core/crypto/x509.h"
#include "core/util/encoding.h"
#include "tests/unit/crypto/test_bytes.h"

namespace leea::crypto {
namespace {

constexpr int64_t kStart = 1767225600;  // 2026-01-01T00:00:00Z
constexpr int64_t kDay = 86400;

PrivateKey generate(KeyType type) {
  auto key = PrivateKey::generate(type);
  if (!key) {
    throw std::runtime_error(key.error().message);
  }
  return std::move(*key);
}

Certificate parse(const Result<std::string>& pem) {
  if (!pem) {
    throw std::runtime_error(pem.error().message);
  }
  auto cert = Certificate::from_pem(*pem, "generated");
  if (!cert) {
    throw std::runtime_error(cert.error().message);
  }
  return *cert;
}

CertificateSpec ca_spec(std::string name) {
  return {
      .common_name = std::move(name), .validity_days = 3650, .is_ca = true, .not_before = kStart};
}

CertificateSpec leaf_spec(std::string name) {
  return {.common_name = std::move(name),
          .subject_alt_names = {"IP:127.0.0.1", "DNS:localhost"},
          .validity_days = 30,
          .not_before = kStart};
}

class GeneratedChain : public ::testing::Test {
 protected:
  PrivateKey root_key_ = generate(KeyType::p256);
  Certificate root_ = parse(make_self_signed(root_key_, ca_spec("leea test root")));
  PrivateKey leaf_key_ = generate(KeyType::ed25519);
  Certificate leaf_ =
      parse(issue_certificate(root_key_, root_, leaf_key_.public_key(), leaf_spec("validator-1")));
  std::span<const Certificate> roots() const { return {&root_, 1}; }
};

TEST_F(GeneratedChain, SelfSignedRootVerifiesAgainstItself) {
  auto r = verify_chain(root_, {}, roots(), kStart + kDay);
  EXPECT_TRUE(r) << r.error().message;
  EXPECT_EQ(root_.subject(), "CN=leea test root");
  EXPECT_EQ(root_.issuer(), root_.subject());
}

TEST_F(GeneratedChain, LeafVerifiesUnderTheRootInsideItsValidity) {
  auto r = verify_chain(leaf_, {}, roots(), kStart + kDay);
  EXPECT_TRUE(r) << r.error().message;
  EXPECT_EQ(leaf_.subject(), "CN=validator-1");
  EXPECT_EQ(leaf_.issuer(), "CN=leea test root");
}

TEST_F(GeneratedChain, LeafIsRefusedAfterItsValidity) {
  auto r = verify_chain(leaf_, {}, roots(), kStart + 31 * kDay);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::refused);
  EXPECT_EQ(r.error().message,
            "certificate chain: certificate has expired (depth 0, CN=validator-1)");
}

TEST_F(GeneratedChain, LeafIsRefusedUnderAnotherRoot) {
  PrivateKey other_key = generate(KeyType::p256);
  Certificate other = parse(make_self_signed(other_key, ca_spec("leea test root")));
  auto r = verify_chain(leaf_, {}, std::span(&other, 1), kStart + kDay);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::refused);
}

TEST_F(GeneratedChain, ValidityFollowsTheSpec) {
  EXPECT_EQ(leaf_.not_before(), kStart);
  EXPECT_EQ(leaf_.not_after(), kStart + 30 * kDay);
  EXPECT_EQ(root_.not_after(), kStart + 3650 * kDay);
}

TEST_F(GeneratedChain, CertificateCarriesTheSubjectKey) {
  auto key = leaf_.public_key();
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_TRUE(*key == leaf_key_.public_key());
}

// RFC 5280 §4.2.1.6: GeneralName iPAddress is [7] (0x87) with 4 octets for IPv4, dNSName
// is [2] (0x82) with the IA5 text.
TEST_F(GeneratedChain, SubjectAltNamesAreEncodedAsGeneralNames) {
  auto san = leaf_.extension("2.5.29.17");
  ASSERT_TRUE(san && san->has_value());
  std::string der = hex_encode(**san);
  EXPECT_EQ(der,
            "3011"
            "87047f000001"
            "82096c6f63616c686f7374");
}

TEST_F(GeneratedChain, RootIsACaAndLeafIsNot) {
  // basicConstraints (RFC 5280 §4.2.1.9): SEQUENCE { BOOLEAN TRUE } for a CA, empty otherwise.
  auto root_bc = root_.extension("2.5.29.19");
  auto leaf_bc = leaf_.extension("2.5.29.19");
  ASSERT_TRUE(root_bc && root_bc->has_value() && leaf_bc && leaf_bc->has_value());
  EXPECT_EQ(hex_encode(**root_bc), "30030101ff");
  EXPECT_EQ(hex_encode(**leaf_bc), "3000");
}

TEST_F(GeneratedChain, ChainThroughANonCaCertificateIsRefused) {
  PrivateKey third_key = generate(KeyType::p384);
  Certificate third =
      parse(issue_certificate(leaf_key_, leaf_, third_key.public_key(), leaf_spec("not allowed")));
  auto r = verify_chain(third, std::span(&leaf_, 1), roots(), kStart + kDay);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::refused);
  EXPECT_EQ(r.error().message.rfind("certificate chain: invalid CA certificate", 0), 0u)
      << r.error().message;
}

TEST_F(GeneratedChain, IssuerKeyMustMatchTheIssuerCertificate) {
  PrivateKey wrong = generate(KeyType::p256);
  auto r = issue_certificate(wrong, root_, leaf_key_.public_key(), leaf_spec("x"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
}

TEST_F(GeneratedChain, SerialNumbersDiffer) {
  Certificate again =
      parse(issue_certificate(root_key_, root_, leaf_key_.public_key(), leaf_spec("validator-1")));
  EXPECT_NE(again.der(), leaf_.der());
  EXPECT_TRUE(verify_chain(again, {}, roots(), kStart + kDay));
}

TEST(SelfSigned, EverySigningKeyTypeProducesAVerifiableCertificate) {
  for (KeyType type : {KeyType::p256, KeyType::p384, KeyType::ed25519}) {
    PrivateKey key = generate(type);
    Certificate cert = parse(make_self_signed(key, leaf_spec("tls identity")));
    auto r = verify_chain(cert, {}, std::span(&cert, 1), kStart + kDay);
    EXPECT_TRUE(r) << key_type_name(type) << ": " << r.error().message;
  }
}

TEST(SelfSigned, DefaultStartIsSlightlyBeforeNow) {
  PrivateKey key = generate(KeyType::p256);
  CertificateSpec spec{.common_name = "now", .validity_days = 1};
  Certificate cert = parse(make_self_signed(key, spec));
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  EXPECT_LE(cert.not_before(), now);
  EXPECT_GE(cert.not_before(), now - 3600);
  EXPECT_EQ(cert.not_after() - cert.not_before(), kDay);
}

TEST(SelfSigned, RefusesBadSpecifications) {
  PrivateKey key = generate(KeyType::p256);
  PrivateKey x25519 = generate(KeyType::x25519);
  struct {
    const char* what;
    CertificateSpec spec;
    const PrivateKey* key;
  } cases[] = {
      {"empty common name", {.common_name = ""}, &key},
      {"65-character common name", {.common_name = std::string(65, 'a')}, &key},
      {"zero validity", {.common_name = "a", .validity_days = 0}, &key},
      {"unknown SAN kind", {.common_name = "a", .subject_alt_names = {"foo:bar"}}, &key},
      {"SAN without a value", {.common_name = "a", .subject_alt_names = {"DNS:"}}, &key},
      {"bad IP address", {.common_name = "a", .subject_alt_names = {"IP:999.0.0.1"}}, &key},
      {"X25519 signer", {.common_name = "a"}, &x25519},
  };
  for (const auto& c : cases) {
    auto r = make_self_signed(*c.key, c.spec);
    ASSERT_FALSE(r) << c.what;
    EXPECT_EQ(r.error().code, Errc::invalid_argument) << c.what;
  }
}

TEST(SelfSigned, AcceptsIpv6AndUriNames) {
  PrivateKey key = generate(KeyType::ed25519);
  CertificateSpec spec{.common_name = "v6",
                       .subject_alt_names = {"IP:::1", "URI:spiffe://leea/validator-1"},
                       .not_before = kStart};
  Certificate cert = parse(make_self_signed(key, spec));
  auto san = cert.extension("2.5.29.17");
  ASSERT_TRUE(san && san->has_value());
  std::string der = hex_encode(**san);
  EXPECT_NE(der.find("8710" + std::string(30, '0') + "01"), std::string::npos) << der;
  EXPECT_NE(der.find("8619" + hex_encode(test::as_bytes("spiffe://leea/validator-1"))),
            std::string::npos)
      << der;
}

}  // namespace
}  // namespace leea::crypto
