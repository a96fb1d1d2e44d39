// tdx.pck_revocation with Intel's real CRLs (gtg-v4-spr, at the time its PROVENANCE.md pins):
// the real quote's PCK chain is replaced by one whose leaf names the real PCK Platform CA as
// issuer and carries a serial number that Intel's PCK CRL lists. The leaf is not Intel's, so
// tdx.pck_chain fails too; what is asserted is that the revocation check names the revoked
// leaf on its own, and passes for a serial the CRL does not list.
//
// "the PCK CA certificate is revoked" is not exercised: the root CRL must verify under the
// pinned Intel SGX Root CA (verify_quote has no way to inject another root, as it should not),
// and Intel's real root CRLs in shared/testdata list no certificate.
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/tee/tdx/collateral.h"
#include "core/tee/tdx/quote.h"
#include "core/tee/tdx/verify.h"
#include "tests/unit/tee/tdx_test_util.h"

namespace leea::tee::tdx {
namespace {

using namespace leea::tee::tdx::test;

using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using CertPtr = std::unique_ptr<X509, decltype(&X509_free)>;
using CrlPtr = std::unique_ptr<X509_CRL, decltype(&X509_CRL_free)>;
using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;
using IntPtr = std::unique_ptr<ASN1_INTEGER, decltype(&ASN1_INTEGER_free)>;

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("OpenSSL: ") + what);
}

const std::string kQuote = "gtg-v4-spr/tdx_prod_quote_SPR_E4.dat";
const std::string kPckCrl = "gtg-v4-spr/pckcrl";
const std::string kRootCrl = "gtg-v4-spr/rootcrl.der";

uint32_t le32(const std::vector<uint8_t>& b, size_t off) {
  return uint32_t{b.at(off)} | uint32_t{b.at(off + 1)} << 8 | uint32_t{b.at(off + 2)} << 16 |
         uint32_t{b.at(off + 3)} << 24;
}

void put_le32(std::vector<uint8_t>& b, size_t off, size_t v) {
  for (size_t i = 0; i < 4; ++i) b.at(off + i) = static_cast<uint8_t>(v >> (8 * i));
}

// A v4 quote (Intel TDX DCAP Quoting Library API, A.3) with its PCK certification data
// (type 5) replaced by pem, and the three enclosing sizes fixed up. Anything after the
// signature data is dropped. The header and body, and so the quote signature, are unchanged.
std::vector<uint8_t> with_pck_chain(std::vector<uint8_t> quote, const std::string& pem) {
  constexpr size_t kSigSize = 48 + 584;                  // after the header and TD 1.0 body
  constexpr size_t kSigData = kSigSize + 4;              // signature ‖ attestation key ‖ ...
  constexpr size_t kOuterSize = kSigData + 64 + 64 + 2;  // certification data (type 6) size
  constexpr size_t kOuter = kOuterSize + 4;              // QE report ‖ its signature ‖ auth ...
  constexpr size_t kAuthSize = kOuter + 384 + 64;
  size_t auth = size_t{quote.at(kAuthSize)} | size_t{quote.at(kAuthSize + 1)} << 8;
  size_t pck_size = kAuthSize + 2 + auth + 2;  // after the type 5 field
  size_t pem_at = pck_size + 4;
  check(pem_at + le32(quote, pck_size) <= quote.size(), "quote layout");
  quote.resize(pem_at);
  quote.insert(quote.end(), pem.begin(), pem.end());
  put_le32(quote, pck_size, pem.size());
  put_le32(quote, kOuterSize, quote.size() - kOuter);
  put_le32(quote, kSigSize, quote.size() - kSigData);
  return quote;
}

CertPtr cert_from_pem(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  CertPtr x(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), X509_free);
  check(x != nullptr, "PEM_read_bio_X509");
  return x;
}

std::string to_pem(X509* x) {
  BioPtr bio(BIO_new(BIO_s_mem()), BIO_free);
  check(PEM_write_bio_X509(bio.get(), x) == 1, "PEM_write_bio_X509");
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

CrlPtr crl_from_der(const std::vector<uint8_t>& der) {
  const unsigned char* p = der.data();
  CrlPtr crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size())), X509_CRL_free);
  check(crl != nullptr, "d2i_X509_CRL");
  return crl;
}

struct RealChain {
  CertPtr leaf;
  std::string rest;  // the PCK Platform CA and the root, as the quote carries them
};

RealChain real_chain() {
  auto q = parse_quote(read_bytes(kTdx + kQuote));
  if (!q) throw std::runtime_error(q.error().message);
  const std::string end = "-----END CERTIFICATE-----\n";
  size_t cut = q->pck_chain_pem.find(end);
  check(cut != std::string::npos, "PEM chain");
  return {cert_from_pem(q->pck_chain_pem), q->pck_chain_pem.substr(cut + end.size())};
}

// A copy of the real PCK leaf (same subject, issuer and validity) with this serial and a key
// of its own, self-signed: its issuer name is the real PCK Platform CA's, its signature not.
std::string forged_leaf_pem(X509* real_leaf, const ASN1_INTEGER* serial) {
  KeyPtr key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  check(key != nullptr, "EVP_EC_gen");
  CertPtr x(X509_new(), X509_free);
  check(X509_set_version(x.get(), 2) == 1, "version");
  check(X509_set_serialNumber(x.get(), const_cast<ASN1_INTEGER*>(serial)) == 1, "serial");
  check(X509_set_subject_name(x.get(), X509_get_subject_name(real_leaf)) == 1, "subject");
  check(X509_set_issuer_name(x.get(), X509_get_issuer_name(real_leaf)) == 1, "issuer");
  check(X509_set1_notBefore(x.get(), X509_get0_notBefore(real_leaf)) == 1, "notBefore");
  check(X509_set1_notAfter(x.get(), X509_get0_notAfter(real_leaf)) == 1, "notAfter");
  check(X509_set_pubkey(x.get(), key.get()) == 1, "pubkey");
  check(X509_sign(x.get(), key.get(), EVP_sha256()) > 0, "X509_sign");
  return to_pem(x.get());
}

Verification verify_with_crls(const std::vector<uint8_t>& quote) {
  Collateral col;
  col.pck_crl = read_bytes(kTdx + kPckCrl);
  col.root_crl = read_bytes(kTdx + kRootCrl);
  VerifyInputs in;
  in.now = k2023_07_01_0100;
  in.collateral = &col;
  auto v = verify_quote(quote, in);
  if (!v) throw std::runtime_error(v.error().message);
  return *v;
}

std::string detail(const Verification& v, const std::string& name) {
  const Check* c = find_check(v, name);
  return c == nullptr ? "(not made)" : c->detail;
}

TEST(TdxRevocation, RebuiltQuoteWithItsOwnChainStillVerifies) {
  // The splice itself changes nothing: the real chain put back passes every check it did.
  auto original = read_bytes(kTdx + kQuote);
  auto q = parse_quote(original);
  ASSERT_TRUE(q) << q.error().message;
  Verification v = verify_with_crls(with_pck_chain(original, q->pck_chain_pem));
  for (const char* name :
       {"tdx.quote_signature", "tdx.qe_report_signature", "tdx.pck_chain", "tdx.pck_revocation"}) {
    EXPECT_TRUE(passed(v, name));
  }
}

TEST(TdxRevocation, LeafWithASerialOnIntelsPckCrlIsRevoked) {
  auto crl = crl_from_der(read_bytes(kTdx + kPckCrl));
  STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl.get());
  ASSERT_GT(sk_X509_REVOKED_num(revoked), 0) << "the PCK CRL lists serials (PROVENANCE.md)";
  const ASN1_INTEGER* serial = X509_REVOKED_get0_serialNumber(sk_X509_REVOKED_value(revoked, 0));
  RealChain chain = real_chain();

  Verification v = verify_with_crls(with_pck_chain(
      read_bytes(kTdx + kQuote), forged_leaf_pem(chain.leaf.get(), serial) + chain.rest));
  ASSERT_TRUE(failed(v, "tdx.pck_revocation"));
  EXPECT_EQ(detail(v, "tdx.pck_revocation"), "the PCK certificate is revoked");
  EXPECT_TRUE(failed(v, "tdx.pck_chain"));  // the forged leaf is not signed by Intel
  EXPECT_TRUE(passed(v, "tdx.quote_signature"));
  EXPECT_FALSE(v.ok());
}

TEST(TdxRevocation, LeafWithASerialNotOnTheCrlIsNotRevoked) {
  auto crl = crl_from_der(read_bytes(kTdx + kPckCrl));
  IntPtr serial(ASN1_INTEGER_new(), ASN1_INTEGER_free);
  ASSERT_EQ(ASN1_INTEGER_set(serial.get(), 1), 1);
  X509_REVOKED* entry = nullptr;
  ASSERT_NE(X509_CRL_get0_by_serial(crl.get(), &entry, serial.get()), 1);
  RealChain chain = real_chain();

  Verification v = verify_with_crls(with_pck_chain(
      read_bytes(kTdx + kQuote), forged_leaf_pem(chain.leaf.get(), serial.get()) + chain.rest));
  EXPECT_TRUE(passed(v, "tdx.pck_revocation"));
  EXPECT_TRUE(failed(v, "tdx.pck_chain"));
}

}  // namespace
}  // namespace leea::tee::tdx
