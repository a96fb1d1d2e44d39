#include "core/crypto/x509.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <ctime>
#include <string>

#include "core/util/encoding.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/crypto/test_bytes.h"

namespace leea::crypto {
namespace {

using test::unhex;

// Real chains from shared/testdata; see each folder's PROVENANCE.md.
std::string testdata(const std::string& rel) { return std::string(LEEA_TESTDATA_DIR) + "/" + rel; }

int64_t utc(int year, int month, int day, int hour = 0, int minute = 0, int second = 0) {
  struct tm tm {};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return static_cast<int64_t>(timegm(&tm));
}

std::vector<Certificate> load_all(const std::string& rel) {
  auto certs = Certificate::load_all(testdata(rel));
  if (!certs) {
    throw std::runtime_error(certs.error().message);
  }
  return *certs;
}

Certificate load(const std::string& rel) {
  auto cert = Certificate::load(testdata(rel));
  if (!cert) {
    throw std::runtime_error(cert.error().message);
  }
  return *cert;
}

const std::string kAmdDn = ",O=Advanced Micro Devices,ST=CA,L=Santa Clara,C=US,OU=Engineering";

// ---- parsing ----

TEST(CertificateParse, AmdChainFileHoldsAskThenArk) {
  auto chain = load_all("snp/amd-kds-chains/ask_ark_milan.pem");
  ASSERT_EQ(chain.size(), 2u);
  EXPECT_EQ(chain[0].subject(), "CN=SEV-Milan" + kAmdDn);
  EXPECT_EQ(chain[0].issuer(), "CN=ARK-Milan" + kAmdDn);
  EXPECT_EQ(chain[1].subject(), "CN=ARK-Milan" + kAmdDn);
  EXPECT_EQ(chain[1].issuer(), chain[1].subject());
}

TEST(CertificateParse, ValidityIsUnixSeconds) {
  auto chain = load_all("snp/amd-kds-chains/ask_ark_milan.pem");
  EXPECT_EQ(chain[0].not_before(), utc(2020, 10, 22, 18, 24, 20));
  EXPECT_EQ(chain[0].not_after(), utc(2045, 10, 22, 18, 24, 20));
  Certificate vlek = load("snp/milan-v3-vlek-aws-trustee/test-vlek.der");
  EXPECT_EQ(vlek.not_after(), utc(2025, 12, 10, 22, 14, 21));
}

TEST(CertificateParse, Sha256FingerprintIsThePublishedFileHash) {
  // The file is exactly the DER, so its published sha256 is the certificate fingerprint.
  Certificate vcek = load("snp/milan-v2-gsg/vcek.der");
  EXPECT_EQ(hex_encode(vcek.sha256_fingerprint()),
            "0d057f9b6e29a69eda9c0154b259567d291c1c08d73a11e9d31ace07c435b6d8");
  EXPECT_EQ(vcek.der().size(), 1360u);
}

TEST(CertificateParse, PemRoundTripKeepsTheDer) {
  auto chain = load_all("snp/amd-kds-chains/ask_ark_genoa.pem");
  for (const Certificate& c : chain) {
    auto again = Certificate::from_pem(c.to_pem(), "round trip");
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(again->der(), c.der());
  }
}

TEST(CertificateParse, LoadReadsPemAndDerFiles) {
  Certificate der = load("snp/milan-v2-gsg/vcek.der");
  test::TempDir dir;
  test::write_file(dir / "vcek.pem", der.to_pem());
  auto pem = Certificate::load(dir / "vcek.pem");
  ASSERT_TRUE(pem) << pem.error().message;
  EXPECT_EQ(pem->der(), der.der());
}

TEST(CertificateParse, RefusesGarbageNamingTheSource) {
  auto r = Certificate::from_pem("not a certificate\n", "roots.pem");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_data);
  EXPECT_EQ(r.error().message, "roots.pem: no PEM certificate found");
  auto d = Certificate::from_der(test::as_bytes("\x30\x03\x02\x01\x01"), "leaf.der");
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, Errc::invalid_data);
  EXPECT_EQ(d.error().message.rfind("leaf.der: malformed DER certificate", 0), 0u);
}

TEST(CertificateParse, RefusesATruncatedBundleNamingTheCertificate) {
  std::string text = test::read_file(testdata("snp/amd-kds-chains/ask_ark_milan.pem"));
  size_t second = text.find("-----BEGIN", 10);
  auto r = Certificate::all_from_pem(text.substr(0, second + 200), "chain.pem");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_data);
  EXPECT_EQ(r.error().message.rfind("chain.pem: certificate 2: truncated or malformed PEM", 0), 0u)
      << r.error().message;
}

TEST(CertificateParse, RefusesTrailingBytesAfterDer) {
  Certificate vcek = load("snp/milan-v2-gsg/vcek.der");
  auto der = vcek.der();
  der.push_back(0);
  auto r = Certificate::from_der(der, "vcek");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "vcek: trailing bytes after the certificate");
}

// ---- extensions and keys ----

// AMD VCEK extensions (SEV-SNP firmware ABI, "VCEK certificate"): TCB SPLs as DER INTEGERs,
// productName as IA5String, hwID as the raw 64-byte chip id.
TEST(CertificateExtension, ReturnsTheDerValueOfVcekExtensions) {
  Certificate vcek = load("snp/milan-v2-gsg/vcek.der");
  struct {
    const char* oid;
    const char* value;
  } cases[] = {
      {"1.3.6.1.4.1.3704.1.3.1", "020102"},              // blSPL 2
      {"1.3.6.1.4.1.3704.1.3.3", "020105"},              // snpSPL 5
      {"1.3.6.1.4.1.3704.1.3.8", "020144"},              // ucodeSPL 68
      {"1.3.6.1.4.1.3704.1.2", "16084d696c616e2d4230"},  // "Milan-B0"
  };
  for (const auto& c : cases) {
    auto ext = vcek.extension(c.oid);
    ASSERT_TRUE(ext) << ext.error().message;
    ASSERT_TRUE(ext->has_value()) << c.oid;
    EXPECT_EQ(hex_encode(**ext), c.value) << c.oid;
  }
}

TEST(CertificateExtension, HwIdEqualsTheReportChipId) {
  Certificate vcek = load("snp/milan-v2-gsg/vcek.der");
  std::string report = test::read_file(testdata("snp/milan-v2-gsg/attestation.bin"));
  ASSERT_EQ(report.size(), 1184u);
  auto ext = vcek.extension("1.3.6.1.4.1.3704.1.4");
  ASSERT_TRUE(ext && ext->has_value());
  // SEV-SNP ABI, Table 22 (ATTESTATION_REPORT): CHIP_ID at 0x1A0, 64 bytes.
  EXPECT_EQ(**ext, std::vector<uint8_t>(report.begin() + 0x1A0, report.begin() + 0x1E0));
}

TEST(CertificateExtension, AbsentExtensionIsNullopt) {
  Certificate vlek = load("snp/milan-v3-vlek-aws-trustee/test-vlek.der");
  auto ext = vlek.extension("1.3.6.1.4.1.3704.1.4");  // a VLEK carries no hwID
  ASSERT_TRUE(ext);
  EXPECT_FALSE(ext->has_value());
}

TEST(CertificateExtension, RefusesNamesThatAreNotDottedOids) {
  Certificate vcek = load("snp/milan-v2-gsg/vcek.der");
  for (const char* oid :
       {"basicConstraints", "", "1..2", "1.02", "1.", ".1.2", "1", "not an oid"}) {
    auto r = vcek.extension(oid);
    ASSERT_FALSE(r) << oid;
    EXPECT_EQ(r.error().code, Errc::invalid_argument);
  }
}

// The VCEK's P-384 key verifies the report it signed (SEV-SNP ABI, Table 22: the signature
// covers bytes [0, 0x2A0); r and s are 72-byte little-endian fields at 0x2A0 and 0x2E8).
class VcekReportSignature : public ::testing::Test {
 protected:
  void SetUp() override {
    report_ = test::read_file(testdata("snp/milan-v2-gsg/attestation.bin"));
    ASSERT_EQ(report_.size(), 1184u);
  }

  std::vector<uint8_t> raw_signature() const {
    std::vector<uint8_t> rs;
    for (size_t offset : {0x2A0u, 0x2E8u}) {
      std::vector<uint8_t> le(report_.begin() + offset, report_.begin() + offset + 48);
      rs.insert(rs.end(), le.rbegin(), le.rend());
    }
    return rs;
  }

  std::string report_;
};

TEST_F(VcekReportSignature, VerifiesWithTheCertificateKey) {
  auto key = load("snp/milan-v2-gsg/vcek.der").public_key();
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->type(), KeyType::p384);
  auto r = key->verify(test::as_bytes(std::string_view(report_).substr(0, 0x2A0)), raw_signature(),
                       SigFormat::raw);
  EXPECT_TRUE(r) << r.error().message;
}

TEST_F(VcekReportSignature, RefusesAnAlteredReport) {
  auto key = load("snp/milan-v2-gsg/vcek.der").public_key();
  ASSERT_TRUE(key);
  std::string altered = report_.substr(0, 0x2A0);
  altered[0x50] ^= 0x01;  // REPORT_DATA
  auto r = key->verify(test::as_bytes(altered), raw_signature(), SigFormat::raw);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::refused);
}

TEST(CertificateKey, RsaKeysAreReportedAsUnsupported) {
  auto chain = load_all("snp/amd-kds-chains/ask_ark_milan.pem");
  auto key = chain[1].public_key();
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code, Errc::invalid_data);
  EXPECT_NE(key.error().message.find("unsupported key type RSA"), std::string::npos)
      << key.error().message;
}

// ---- chains ----

class AmdChain : public ::testing::Test {
 protected:
  const std::vector<Certificate> milan = load_all("snp/amd-kds-chains/ask_ark_milan.pem");
  const std::vector<Certificate> milan_vlek = load_all("snp/amd-kds-chains/ask_ark_milan_vlek.pem");
  const std::vector<Certificate> genoa = load_all("snp/amd-kds-chains/ask_ark_genoa.pem");
  const Certificate& ask() const { return milan[0]; }
  std::span<const Certificate> ark() const { return std::span(milan).subspan(1, 1); }
  const int64_t inside = utc(2025, 6, 1);
};

void expect_refused(const Result<void>& r, const std::string& reason) {
  ASSERT_FALSE(r) << "accepted; expected " << reason;
  EXPECT_EQ(r.error().code, Errc::refused);
  EXPECT_EQ(r.error().message.rfind("certificate chain: " + reason, 0), 0u) << r.error().message;
}

TEST_F(AmdChain, AskVerifiesUnderArkInsideValidity) {
  auto r = verify_chain(ask(), {}, ark(), inside);
  EXPECT_TRUE(r) << r.error().message;
}

TEST_F(AmdChain, TimePointOverloadAgreesWithUnixSeconds) {
  auto at = std::chrono::system_clock::time_point(std::chrono::seconds(inside));
  EXPECT_TRUE(verify_chain(ask(), {}, ark(), at));
  auto late = std::chrono::system_clock::time_point(std::chrono::seconds(utc(2046, 1, 1)));
  expect_refused(verify_chain(ask(), {}, ark(), late), "certificate has expired");
}

TEST_F(AmdChain, AfterExpiryIsRefusedNamingExpiry) {
  expect_refused(verify_chain(ask(), {}, ark(), utc(2046, 1, 1)), "certificate has expired");
}

TEST_F(AmdChain, BeforeValidityIsRefused) {
  expect_refused(verify_chain(ask(), {}, ark(), utc(2019, 6, 1)), "certificate is not yet valid");
}

TEST_F(AmdChain, OtherGenerationRootIsRefused) {
  auto r = verify_chain(ask(), {}, std::span(genoa).subspan(1, 1), inside);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::refused);
  auto g = verify_chain(genoa[0], {}, ark(), inside);
  ASSERT_FALSE(g);
  EXPECT_EQ(g.error().code, Errc::refused);
}

TEST_F(AmdChain, RootIsOnlyTrustedWhenPinned) {
  // The ARK among the intermediates is not a trust anchor.
  expect_refused(verify_chain(ask(), milan, std::span(genoa).subspan(1, 1), inside),
                 "self-signed certificate in certificate chain");
}

TEST_F(AmdChain, VcekVerifiesThroughAskToArk) {
  Certificate vcek = load("snp/milan-v2-gsg/vcek.der");
  auto r = verify_chain(vcek, std::span(milan).first(1), ark(), inside);
  EXPECT_TRUE(r) << r.error().message;
}

TEST_F(AmdChain, PinningAnIntermediateIsNotEnough) {
  // Trust anchors end the chain: a pinned ASK without its ARK does not verify a VCEK.
  Certificate vcek = load("snp/milan-v2-gsg/vcek.der");
  expect_refused(verify_chain(vcek, {}, std::span(milan).first(1), inside),
                 "unable to get issuer certificate");
}

TEST_F(AmdChain, VcekWithoutItsAskIsRefused) {
  Certificate vcek = load("snp/milan-v2-gsg/vcek.der");
  expect_refused(verify_chain(vcek, {}, ark(), inside), "unable to get local issuer certificate");
}

TEST_F(AmdChain, VlekVerifiesBeforeItsExpiryAndIsRefusedAfter) {
  Certificate vlek = load("snp/milan-v3-vlek-aws-trustee/test-vlek.der");
  auto asvk = std::span(milan_vlek).first(1);
  auto root = std::span(milan_vlek).subspan(1, 1);
  auto ok = verify_chain(vlek, asvk, root, inside);
  EXPECT_TRUE(ok) << ok.error().message;
  auto late = verify_chain(vlek, asvk, root, utc(2026, 1, 1));
  expect_refused(late, "certificate has expired (depth 0, CN=SEV-VLEK");
}

TEST_F(AmdChain, VlekThroughTheVcekChainIsRefused) {
  Certificate vlek = load("snp/milan-v3-vlek-aws-trustee/test-vlek.der");
  auto r = verify_chain(vlek, std::span(milan).first(1), ark(), inside);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::refused);
}

TEST_F(AmdChain, NoRootsIsAnInvalidArgument) {
  auto r = verify_chain(ask(), {}, {}, inside);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
}

// Intel's ECDSA P-256 chains (tdx/intel-roots).
TEST(IntelChain, PckPlatformCaVerifiesUnderTheSgxRoot) {
  auto chain = load_all("tdx/intel-roots/Intel_SGX_PCK_Platform_CA_chain.pem");
  auto root = load_all("tdx/intel-roots/Intel_SGX_RootCA.pem");
  ASSERT_EQ(chain.size(), 2u);
  auto r = verify_chain(chain[0], {}, root, utc(2030, 1, 1));
  EXPECT_TRUE(r) << r.error().message;
}

TEST(IntelChain, Tcb2018CertificateIsExpiredAfterMay2025) {
  auto chain = load_all("tdx/intel-roots/Intel_SGX_TCB_Signing_chain_2018.pem");
  auto root = load_all("tdx/intel-roots/Intel_SGX_RootCA.pem");
  EXPECT_TRUE(verify_chain(chain[0], {}, root, utc(2023, 6, 1)));
  expect_refused(verify_chain(chain[0], {}, root, utc(2025, 6, 1)), "certificate has expired");
  auto renewed = load_all("tdx/intel-roots/Intel_SGX_TCB_Signing_chain_2025.pem");
  EXPECT_TRUE(verify_chain(renewed[0], {}, root, utc(2025, 6, 1)));
}

}  // namespace
}  // namespace leea::crypto
