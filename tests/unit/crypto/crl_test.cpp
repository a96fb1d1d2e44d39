// Crl (core/crypto/crl.cpp) against CRLs and certificates built here with OpenSSL directly, so
// that the expectations do not come from the code under test: revocation look-up by issuer
// and serial, signature, issuer name and thisUpdate..nextUpdate checks, and DER parsing.
#include "core/crypto/crl.h"

#include <gtest/gtest.h>
#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/crypto/x509.h"

namespace leea::crypto {
namespace {

constexpr int64_t kT0 = 1767225600;  // 2026-01-01T00:00:00Z: the CRL's thisUpdate
constexpr int64_t kDay = 86400;
constexpr int64_t kNext = kT0 + 30 * kDay;  // its nextUpdate

using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using CertPtr = std::unique_ptr<X509, decltype(&X509_free)>;
using CrlPtr = std::unique_ptr<X509_CRL, decltype(&X509_CRL_free)>;
using NamePtr = std::unique_ptr<X509_NAME, decltype(&X509_NAME_free)>;

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("OpenSSL: ") + what);
}

KeyPtr new_key() {
  KeyPtr k(EVP_EC_gen("P-256"), EVP_PKEY_free);
  check(k != nullptr, "EVP_EC_gen");
  return k;
}

NamePtr name(const std::string& cn) {
  NamePtr n(X509_NAME_new(), X509_NAME_free);
  check(X509_NAME_add_entry_by_txt(n.get(), "O", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>("leea test"), -1, -1,
                                   0) == 1,
        "O");
  check(X509_NAME_add_entry_by_txt(n.get(), "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                                   0) == 1,
        "CN");
  return n;
}

void set_time(ASN1_TIME* t, int64_t unix_seconds) {
  check(ASN1_TIME_set(t, static_cast<time_t>(unix_seconds)) != nullptr, "ASN1_TIME_set");
}

// A v3 certificate for subject_key named subject_cn, with issuer issuer_cn and this serial,
// signed by signer (which need not match the issuer name: Crl looks at names only).
Certificate make_cert(const std::string& subject_cn, const std::string& issuer_cn, long serial,
                      EVP_PKEY* subject_key, EVP_PKEY* signer) {
  CertPtr x(X509_new(), X509_free);
  check(X509_set_version(x.get(), 2) == 1, "version");
  check(ASN1_INTEGER_set(X509_get_serialNumber(x.get()), serial) == 1, "serial");
  check(X509_set_subject_name(x.get(), name(subject_cn).get()) == 1, "subject");
  check(X509_set_issuer_name(x.get(), name(issuer_cn).get()) == 1, "issuer");
  set_time(X509_getm_notBefore(x.get()), kT0 - 365 * kDay);
  set_time(X509_getm_notAfter(x.get()), kT0 + 3650 * kDay);
  check(X509_set_pubkey(x.get(), subject_key) == 1, "pubkey");
  check(X509_sign(x.get(), signer, EVP_sha256()) > 0, "X509_sign");
  int n = i2d_X509(x.get(), nullptr);
  check(n > 0, "i2d_X509");
  std::vector<uint8_t> der(static_cast<size_t>(n));
  unsigned char* p = der.data();
  check(i2d_X509(x.get(), &p) == n, "i2d_X509");
  auto cert = Certificate::from_der(der, "test certificate");
  if (!cert) throw std::runtime_error(cert.error().message);
  return *cert;
}

struct CrlSpec {
  std::string issuer_cn{};
  EVP_PKEY* signer = nullptr;
  std::vector<long> revoked{};
  int64_t this_update = kT0;
  std::optional<int64_t> next_update = kNext;
};

// A v2 CRL (RFC 5280 §5.1) in DER.
std::vector<uint8_t> make_crl_der(const CrlSpec& s) {
  CrlPtr crl(X509_CRL_new(), X509_CRL_free);
  check(X509_CRL_set_version(crl.get(), 1) == 1, "CRL version");
  check(X509_CRL_set_issuer_name(crl.get(), name(s.issuer_cn).get()) == 1, "CRL issuer");
  std::unique_ptr<ASN1_TIME, decltype(&ASN1_TIME_free)> t(ASN1_TIME_new(), ASN1_TIME_free);
  set_time(t.get(), s.this_update);
  check(X509_CRL_set1_lastUpdate(crl.get(), t.get()) == 1, "thisUpdate");
  if (s.next_update) {
    set_time(t.get(), *s.next_update);
    check(X509_CRL_set1_nextUpdate(crl.get(), t.get()) == 1, "nextUpdate");
  }
  for (long serial : s.revoked) {
    X509_REVOKED* r = X509_REVOKED_new();
    check(r != nullptr, "X509_REVOKED_new");
    ASN1_INTEGER* n = ASN1_INTEGER_new();
    check(n != nullptr && ASN1_INTEGER_set(n, serial) == 1, "revoked serial");
    check(X509_REVOKED_set_serialNumber(r, n) == 1, "X509_REVOKED_set_serialNumber");
    ASN1_INTEGER_free(n);
    set_time(t.get(), s.this_update);
    check(X509_REVOKED_set_revocationDate(r, t.get()) == 1, "revocationDate");
    check(X509_CRL_add0_revoked(crl.get(), r) == 1, "X509_CRL_add0_revoked");
  }
  check(X509_CRL_sort(crl.get()) == 1, "X509_CRL_sort");
  check(X509_CRL_sign(crl.get(), s.signer, EVP_sha256()) > 0, "X509_CRL_sign");
  int n = i2d_X509_CRL(crl.get(), nullptr);
  check(n > 0, "i2d_X509_CRL");
  std::vector<uint8_t> der(static_cast<size_t>(n));
  unsigned char* p = der.data();
  check(i2d_X509_CRL(crl.get(), &p) == n, "i2d_X509_CRL");
  return der;
}

Crl parse(const std::vector<uint8_t>& der) {
  auto crl = Crl::from_der(der, "test CRL");
  if (!crl) throw std::runtime_error(crl.error().message);
  return *crl;
}

constexpr long kRevokedSerial = 1001;
constexpr long kGoodSerial = 1002;

class CrlTest : public ::testing::Test {
 protected:
  KeyPtr ca_key_ = new_key();
  Certificate ca_ = make_cert("leea test CA", "leea test CA", 1, ca_key_.get(), ca_key_.get());
  KeyPtr leaf_key_ = new_key();
  Certificate revoked_ =
      make_cert("revoked leaf", "leea test CA", kRevokedSerial, leaf_key_.get(), ca_key_.get());
  Certificate good_ =
      make_cert("good leaf", "leea test CA", kGoodSerial, leaf_key_.get(), ca_key_.get());

  CrlSpec spec() const {
    return {.issuer_cn = "leea test CA", .signer = ca_key_.get(), .revoked = {kRevokedSerial}};
  }
};

TEST_F(CrlTest, ReadsIssuerAndUpdateTimes) {
  Crl crl = parse(make_crl_der(spec()));
  EXPECT_EQ(crl.issuer(), "CN=leea test CA,O=leea test");
  EXPECT_EQ(crl.this_update(), kT0);
  EXPECT_EQ(crl.next_update(), std::optional<int64_t>(kNext));
}

TEST_F(CrlTest, RevokesTheListedSerialOnly) {
  Crl crl = parse(make_crl_der(spec()));
  EXPECT_TRUE(crl.revokes(revoked_));
  EXPECT_FALSE(crl.revokes(good_));
  EXPECT_FALSE(crl.revokes(ca_));
}

TEST_F(CrlTest, ListedSerialOfAnotherIssuerIsNotRevoked) {
  KeyPtr other_key = new_key();
  Certificate other =
      make_cert("other leaf", "another CA", kRevokedSerial, leaf_key_.get(), other_key.get());
  Crl crl = parse(make_crl_der(spec()));
  EXPECT_FALSE(crl.revokes(other));
}

TEST_F(CrlTest, EmptyCrlRevokesNothing) {
  CrlSpec s = spec();
  s.revoked.clear();
  Crl crl = parse(make_crl_der(s));
  EXPECT_FALSE(crl.revokes(revoked_));
  EXPECT_TRUE(crl.verify(ca_, kT0 + kDay));
}

TEST_F(CrlTest, VerifiesWithItsIssuerFromThisUpdateToNextUpdate) {
  Crl crl = parse(make_crl_der(spec()));
  for (int64_t at : {kT0, kT0 + kDay, kNext}) {
    auto ok = crl.verify(ca_, at);
    EXPECT_TRUE(ok) << at << ": " << ok.error().message;
  }
}

TEST_F(CrlTest, IsRefusedBeforeThisUpdate) {
  Crl crl = parse(make_crl_der(spec()));
  auto ok = crl.verify(ca_, kT0 - 1);
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().code, Errc::refused);
  EXPECT_EQ(ok.error().message, "CRL of CN=leea test CA,O=leea test is not yet valid");
}

TEST_F(CrlTest, IsRefusedAfterNextUpdate) {
  Crl crl = parse(make_crl_der(spec()));
  auto ok = crl.verify(ca_, kNext + 1);
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().code, Errc::refused);
  EXPECT_EQ(ok.error().message, "CRL of CN=leea test CA,O=leea test has expired");
}

TEST_F(CrlTest, WithoutNextUpdateIsRefused) {
  CrlSpec s = spec();
  s.next_update.reset();
  Crl crl = parse(make_crl_der(s));
  EXPECT_EQ(crl.next_update(), std::nullopt);
  auto ok = crl.verify(ca_, kT0 + kDay);
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().code, Errc::refused);
  EXPECT_EQ(ok.error().message, "CRL of CN=leea test CA,O=leea test has expired");
}

TEST_F(CrlTest, SignedByAnotherKeyIsRefused) {
  KeyPtr impostor = new_key();
  CrlSpec s = spec();
  s.signer = impostor.get();  // same issuer name, wrong key
  Crl crl = parse(make_crl_der(s));
  auto ok = crl.verify(ca_, kT0 + kDay);
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().code, Errc::refused);
  EXPECT_EQ(ok.error().message, "CRL of CN=leea test CA,O=leea test: bad signature");
}

TEST_F(CrlTest, IssuedByAnotherNameIsRefused) {
  CrlSpec s = spec();
  s.issuer_cn = "another CA";  // signed with the CA's key, under another name
  Crl crl = parse(make_crl_der(s));
  auto ok = crl.verify(ca_, kT0 + kDay);
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().code, Errc::refused);
  EXPECT_EQ(ok.error().message,
            "CRL of CN=another CA,O=leea test is not issued by CN=leea test CA,O=leea test");
  // Nor does it revoke the CA's certificates: the issuer names differ.
  EXPECT_FALSE(crl.revokes(revoked_));
}

TEST_F(CrlTest, ChangedByteBreaksTheSignature) {
  auto der = make_crl_der(spec());
  // The signature BIT STRING ends the CRL; its last byte is part of s.
  der.back() ^= 0x01;
  auto crl = Crl::from_der(der, "test CRL");
  ASSERT_TRUE(crl) << crl.error().message;
  auto ok = crl->verify(ca_, kT0 + kDay);
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().message, "CRL of CN=leea test CA,O=leea test: bad signature");
}

TEST_F(CrlTest, TrailingBytesAreRefused) {
  auto der = make_crl_der(spec());
  der.push_back(0);
  auto crl = Crl::from_der(der, "test CRL");
  ASSERT_FALSE(crl);
  EXPECT_EQ(crl.error().code, Errc::invalid_data);
  EXPECT_EQ(crl.error().message, "test CRL: trailing bytes after the CRL");
}

TEST_F(CrlTest, TruncatedDerIsRefused) {
  auto der = make_crl_der(spec());
  for (size_t n : {size_t{0}, size_t{1}, der.size() / 2, der.size() - 1}) {
    auto crl = Crl::from_der(std::span(der).first(n), "test CRL");
    ASSERT_FALSE(crl) << n;
    EXPECT_EQ(crl.error().code, Errc::invalid_data);
    EXPECT_EQ(crl.error().message.rfind("test CRL: malformed DER CRL", 0), 0u)
        << crl.error().message;
  }
}

TEST(Crl, GarbageIsRefused) {
  const std::vector<std::vector<uint8_t>> inputs = {
      {0x00},
      {0x30, 0x00},                    // an empty SEQUENCE
      {0x30, 0x84, 0xff, 0xff, 0xff},  // a length far past the input
      std::vector<uint8_t>(64, 0xa5),
  };
  for (const auto& in : inputs) {
    auto crl = Crl::from_der(in, "garbage");
    ASSERT_FALSE(crl);
    EXPECT_EQ(crl.error().code, Errc::invalid_data);
    EXPECT_EQ(crl.error().message.rfind("garbage: malformed DER CRL", 0), 0u)
        << crl.error().message;
  }
}

TEST(Crl, CertificateIsNotACrl) {
  KeyPtr key = new_key();
  Certificate cert = make_cert("x", "x", 7, key.get(), key.get());
  auto crl = Crl::from_der(cert.der(), "certificate");
  ASSERT_FALSE(crl);
  EXPECT_EQ(crl.error().code, Errc::invalid_data);
}

}  // namespace
}  // namespace leea::crypto
