// SEV-SNP verification against a test-only AMD-shaped chain (ARK → ASK → VCEK with AMD's
// extensions), built here with OpenSSL: reports altered in one field are signed again, so
// that each alteration fails on its own check and nothing else; and chains that loop or
// are too deep are refused by name.
#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <iterator>
#include <memory>

#include "core/config/order.h"
#include "core/tee/snp/verify.h"

namespace leea::tee::snp {
namespace {

constexpr int64_t kT0 = 1767225600;  // 2026-01-01T00:00:00Z: test certificates start here
constexpr int64_t kNow = kT0 + 86400;
constexpr int64_t kYear = 365 * 86400;

using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using CertPtr = std::unique_ptr<X509, decltype(&X509_free)>;

KeyPtr new_key() { return KeyPtr(EVP_EC_gen("P-384"), EVP_PKEY_free); }

void add_ext(X509* x, const std::string& oid, const std::vector<uint8_t>& der_value) {
  ASN1_OBJECT* obj = OBJ_txt2obj(oid.c_str(), 1);
  ASN1_OCTET_STRING* os = ASN1_OCTET_STRING_new();
  ASN1_OCTET_STRING_set(os, der_value.data(), static_cast<int>(der_value.size()));
  X509_EXTENSION* ext = X509_EXTENSION_create_by_OBJ(nullptr, obj, 0, os);
  X509_add_ext(x, ext, -1);
  X509_EXTENSION_free(ext);
  ASN1_OCTET_STRING_free(os);
  ASN1_OBJECT_free(obj);
}

void add_v3(X509* x, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, x, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  X509_add_ext(x, ext, -1);
  X509_EXTENSION_free(ext);
}

struct CertSpec {
  std::string cn{};
  std::string issuer_cn{};
  bool ca = false;
  int64_t not_before = kT0;
  int64_t not_after = kT0 + 10 * kYear;
  std::vector<std::pair<std::string, std::vector<uint8_t>>> amd_extensions{};
};

CertSpec ca(std::string cn, std::string issuer_cn) {
  CertSpec s;
  s.cn = std::move(cn);
  s.issuer_cn = std::move(issuer_cn);
  s.ca = true;
  return s;
}

crypto::Certificate make_cert(const CertSpec& spec, EVP_PKEY* subject_key, EVP_PKEY* issuer_key) {
  CertPtr x(X509_new(), X509_free);
  X509_set_version(x.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x.get()), 1);
  auto name = [](const std::string& cn) {
    X509_NAME* n = X509_NAME_new();
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
    return n;
  };
  X509_NAME* subject = name(spec.cn);
  X509_NAME* issuer = name(spec.issuer_cn);
  X509_set_subject_name(x.get(), subject);
  X509_set_issuer_name(x.get(), issuer);
  X509_NAME_free(subject);
  X509_NAME_free(issuer);
  ASN1_TIME_set(X509_getm_notBefore(x.get()), static_cast<time_t>(spec.not_before));
  ASN1_TIME_set(X509_getm_notAfter(x.get()), static_cast<time_t>(spec.not_after));
  X509_set_pubkey(x.get(), subject_key);
  if (spec.ca) {
    add_v3(x.get(), x.get(), NID_basic_constraints, "critical,CA:TRUE");
    add_v3(x.get(), x.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  }
  for (const auto& [oid, value] : spec.amd_extensions) add_ext(x.get(), oid, value);
  EXPECT_GT(X509_sign(x.get(), issuer_key, EVP_sha384()), 0);
  unsigned char* der = nullptr;
  int len = i2d_X509(x.get(), &der);
  std::vector<uint8_t> bytes(der, der + len);
  OPENSSL_free(der);
  return *crypto::Certificate::from_der(bytes, spec.cn);
}

std::vector<uint8_t> der_int(uint8_t v) {
  return v < 0x80 ? std::vector<uint8_t>{0x02, 0x01, v} : std::vector<uint8_t>{0x02, 0x02, 0, v};
}

std::vector<uint8_t> testdata(const std::string& rel) {
  std::ifstream in(std::string(LEEA_TESTDATA_DIR) + "/snp/" + rel, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

const std::string kAmd = "1.3.6.1.4.1.3704.1.";

// A Milan-shaped test world: ARK-Milan → SEV-Milan → SEV-VCEK with TCB 3/0/8/115 and a
// hwID, and a v2 report (trustee's, with its chip id) signed again by the test VCEK.
class SnpTestChain : public testing::Test {
 protected:
  void SetUp() override {
    report_ = testdata("milan-v2-trustee/test-report.bin");
    ASSERT_EQ(report_.size(), kReportSize);
    std::vector<uint8_t> hwid(report_.begin() + 0x1A0, report_.begin() + 0x1E0);
    ark_ = make_cert(ca("ARK-Milan", "ARK-Milan"), ark_key_.get(), ark_key_.get());
    ask_ = make_cert(ca("SEV-Milan", "ARK-Milan"), ask_key_.get(), ark_key_.get());
    auto asvk = make_cert(ca("SEV-VLEK-Milan", "ARK-Milan"), ask_key_.get(), ark_key_.get());
    anchors_.generations.push_back({Product::milan, *ark_, *ask_, asvk});
    CertSpec vcek;
    vcek.cn = "SEV-VCEK";
    vcek.issuer_cn = "SEV-Milan";
    vcek.not_after = kT0 + 2 * kYear;  // before the ASK and ARK expire
    vcek.amd_extensions = {{kAmd + "2", {0x16, 0x08, 'M', 'i', 'l', 'a', 'n', '-', 'B', '0'}},
                           {kAmd + "3.1", der_int(3)},
                           {kAmd + "3.2", der_int(0)},
                           {kAmd + "3.3", der_int(8)},
                           {kAmd + "3.8", der_int(115)},
                           {kAmd + "4", hwid}};
    vcek_spec_ = vcek;
    vcek_ = make_cert(vcek, vcek_key_.get(), ask_key_.get());
  }

  // Signs [0, 0x2A0) with the test VCEK into the report's little-endian r and s fields.
  std::vector<uint8_t> sign(std::vector<uint8_t> report) {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    EXPECT_EQ(EVP_DigestSignInit(md.get(), nullptr, EVP_sha384(), nullptr, vcek_key_.get()), 1);
    std::vector<uint8_t> der(256);
    size_t len = der.size();
    EXPECT_EQ(EVP_DigestSign(md.get(), der.data(), &len, report.data(), kSignedSize), 1);
    const unsigned char* p = der.data();
    ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(len));
    std::fill(report.begin() + 0x2A0, report.end(), 0);
    BN_bn2lebinpad(ECDSA_SIG_get0_r(sig), report.data() + 0x2A0, 72);
    BN_bn2lebinpad(ECDSA_SIG_get0_s(sig), report.data() + 0x2E8, 72);
    ECDSA_SIG_free(sig);
    return report;
  }

  Verification verify(const std::vector<uint8_t>& report,
                      const config::OrderConfig* order = nullptr, int64_t now = kNow,
                      std::vector<crypto::Certificate> extra = {}) {
    KeyMaterial keys{*vcek_, std::move(extra), {}};
    VerifyContext c;
    c.now = now;
    c.order = order;
    auto v = verify_report(report, keys, c, anchors_);
    EXPECT_TRUE(v) << v.error().message;
    return v ? *v : Verification{};
  }

  static std::vector<std::string> failed(const Verification& v) {
    std::vector<std::string> names;
    for (const auto& c : v.checks) {
      if (!c.ok) names.push_back(c.name + ": " + c.detail);
    }
    return names;
  }

  KeyPtr ark_key_ = new_key();
  KeyPtr ask_key_ = new_key();
  KeyPtr vcek_key_ = new_key();
  std::optional<crypto::Certificate> ark_, ask_, vcek_;
  CertSpec vcek_spec_;
  TrustAnchors anchors_;
  std::vector<uint8_t> report_;
};

TEST_F(SnpTestChain, ResignedReportVerifiesOnlyUnderTheTestRoots) {
  auto report = sign(report_);
  auto v = verify(report);
  EXPECT_TRUE(v.ok()) << testing::PrintToString(failed(v));
  KeyMaterial keys{*vcek_, {}, {}};
  VerifyContext c;
  c.now = kNow;
  auto amd = verify_report(report, keys, c);
  ASSERT_TRUE(amd);
  EXPECT_FALSE(amd->ok());
  EXPECT_FALSE(amd->checks[1].ok);  // snp.vcek_chain: not AMD's ASK
  EXPECT_EQ(amd->checks[1].name, "snp.vcek_chain");
}

struct Alteration {
  const char* name;
  size_t offset;
  uint8_t value;  // written into the byte, then the report is signed again
  const char* check;
};

class SnpResigned : public SnpTestChain, public testing::WithParamInterface<Alteration> {};

TEST_P(SnpResigned, EachAlteredFieldFailsOnItsOwnCheck) {
  const auto& a = GetParam();
  auto report = report_;
  report[a.offset] = a.value;
  config::OrderConfig order;
  order.id = "resigned";
  order.policy.min_tcb = "bl=3,tee=0,snp=8,ucode=115";
  auto v = verify(sign(report), &order);
  auto names = failed(v);
  ASSERT_EQ(names.size(), 1u) << testing::PrintToString(names);
  EXPECT_EQ(names[0].substr(0, names[0].find(':')), a.check) << names[0];
}

INSTANTIATE_TEST_SUITE_P(
    Fields, SnpResigned,
    testing::Values(Alteration{"signing_key_none", 0x48, 0x1C, "snp.signing_key"},
                    Alteration{"signature_algo", 0x34, 0x02, "snp.signature"},
                    Alteration{"policy_bit17", 0x0A, 0x01, "snp.policy"},
                    Alteration{"reported_tcb_ucode", 0x187, 0x74, "snp.tcb"},
                    Alteration{"reported_tcb_bl", 0x180, 0x04, "snp.tcb"},
                    Alteration{"chip_id", 0x1A5, 0x00, "snp.chip_id"},
                    Alteration{"report_data_upper", 0x8F, 0x01, "snp.report_data"}),
    [](const auto& p) { return std::string(p.param.name); });

TEST_F(SnpTestChain, CpuidOfAnotherProductFailsTheProductCheck) {
  auto report = report_;
  report[0] = 3;
  report[0x188] = 0x19;
  report[0x189] = 0x11;  // Genoa
  auto names = failed(verify(sign(report)));
  ASSERT_EQ(names.size(), 1u) << testing::PrintToString(names);
  EXPECT_EQ(names[0], "snp.product: the report's CPUID says Genoa, the key certificate Milan");
}

TEST_F(SnpTestChain, MinimumTcbAboveTheReportedOneFails) {
  config::OrderConfig order;
  order.id = "tcb";
  order.policy.min_tcb = "bl=3,tee=0,snp=8,ucode=116";
  auto names = failed(verify(sign(report_), &order));
  ASSERT_EQ(names.size(), 1u) << testing::PrintToString(names);
  EXPECT_EQ(names[0],
            "policy.min_tcb: REPORTED_TCB bl=3,tee=0,snp=8,ucode=115 is below "
            "bl=3,tee=0,snp=8,ucode=116: ucode 115 < 116");
}

TEST_F(SnpTestChain, DebugPolicyIsAClaimNotAFailure) {
  auto report = report_;
  report[0x0A] |= 0x08;
  auto v = verify(sign(report));
  EXPECT_TRUE(v.ok()) << testing::PrintToString(failed(v));
  EXPECT_TRUE(v.claims.debug);
}

TEST_F(SnpTestChain, ExpiredVcekFailsNamingIt) {
  auto names = failed(verify(sign(report_), nullptr, kT0 + 3 * kYear));
  ASSERT_EQ(names.size(), 1u) << testing::PrintToString(names);
  EXPECT_NE(names[0].find("snp.vcek_chain: certificate chain: certificate has expired"),
            std::string::npos)
      << names[0];
  EXPECT_NE(names[0].find("CN=SEV-VCEK"), std::string::npos) << names[0];
}

TEST_F(SnpTestChain, ChainThatLoopsIsRefused) {
  // SEV-Milan' is issued by Loop, which is issued by SEV-Milan'.
  KeyPtr loop_key = new_key();
  auto milan2 = make_cert(ca("SEV-Milan", "Loop"), ask_key_.get(), loop_key.get());
  auto loop = make_cert(ca("Loop", "SEV-Milan"), loop_key.get(), ask_key_.get());
  anchors_.generations[0].ask = milan2;
  auto names = failed(verify(sign(report_), nullptr, kNow, {loop}));
  ASSERT_FALSE(names.empty());
  EXPECT_EQ(names[0], "snp.vcek_chain: certificate chain: loops at SEV-Milan");
}

TEST_F(SnpTestChain, ChainDeeperThanThreeIsRefused) {
  KeyPtr mid_key = new_key();
  auto mid = make_cert(ca("Mid", "ARK-Milan"), mid_key.get(), ark_key_.get());
  auto ask_under_mid = make_cert(ca("SEV-Milan", "Mid"), ask_key_.get(), mid_key.get());
  anchors_.generations[0].ask = ask_under_mid;
  auto names = failed(verify(sign(report_), nullptr, kNow, {mid}));
  ASSERT_FALSE(names.empty());
  EXPECT_EQ(names[0],
            "snp.vcek_chain: certificate chain: 4 certificates deep; expected SEV-VCEK → "
            "SEV-Milan → ARK-Milan");
}

TEST_F(SnpTestChain, SelfIssuedKeyCertificateLoops) {
  CertSpec self = vcek_spec_;
  self.issuer_cn = "SEV-VCEK";
  vcek_ = make_cert(self, vcek_key_.get(), vcek_key_.get());
  auto names = failed(verify(sign(report_), nullptr, kNow, {*vcek_}));
  ASSERT_FALSE(names.empty());
  EXPECT_EQ(names[0], "snp.vcek_chain: certificate chain: loops at SEV-VCEK");
}

// A Turin-shaped test world, as AMD's VCEK specification for Turin describes it: ARK-Turin →
// SEV-Turin → SEV-VCEK whose productName is plain "Turin", whose hwID is 8 bytes and which
// states the FMC SPL (1.3.9); and a version 3 report with a Turin CPUID (family 1Ah), the
// Turin TCB layout (FMC, boot loader, TEE, SNP, ..., microcode) and a CHIP_ID that is the
// hwID followed by 56 zero bytes.
class SnpTurinChain : public SnpTestChain {
 protected:
  void SetUp() override {
    SnpTestChain::SetUp();
    report_[0] = 3;                                     // VERSION 3: CPUID present
    report_[0x188] = 0x1A;                              // CPUID_FAM_ID: Turin
    report_[0x189] = 0x02;                              // CPUID_MOD_ID
    const uint8_t tcb[8] = {1, 3, 0, 8, 0, 0, 0, 115};  // fmc, bl, tee, snp, ..., ucode
    std::copy(tcb, tcb + 8, report_.begin() + 0x180);   // REPORTED_TCB
    std::fill(report_.begin() + 0x1A0 + 8, report_.begin() + 0x1E0, 0);  // CHIP_ID tail
    hwid_.assign(report_.begin() + 0x1A0, report_.begin() + 0x1A8);
    ark_ = make_cert(ca("ARK-Turin", "ARK-Turin"), ark_key_.get(), ark_key_.get());
    ask_ = make_cert(ca("SEV-Turin", "ARK-Turin"), ask_key_.get(), ark_key_.get());
    auto asvk = make_cert(ca("SEV-VLEK-Turin", "ARK-Turin"), ask_key_.get(), ark_key_.get());
    anchors_.generations = {{Product::turin, *ark_, *ask_, asvk}};
    vcek_ = turin_vcek(hwid_, 1);
  }

  crypto::Certificate turin_vcek(const std::vector<uint8_t>& hwid, uint8_t fmc) {
    CertSpec vcek;
    vcek.cn = "SEV-VCEK";
    vcek.issuer_cn = "SEV-Turin";
    vcek.not_after = kT0 + 2 * kYear;
    vcek.amd_extensions = {{kAmd + "1", der_int(1)},  // structVersion
                           {kAmd + "2", {0x16, 0x05, 'T', 'u', 'r', 'i', 'n'}},
                           {kAmd + "3.1", der_int(3)},
                           {kAmd + "3.2", der_int(0)},
                           {kAmd + "3.3", der_int(8)},
                           {kAmd + "3.8", der_int(115)},
                           {kAmd + "3.9", der_int(fmc)},
                           {kAmd + "4", hwid}};
    return make_cert(vcek, vcek_key_.get(), ask_key_.get());
  }

  std::vector<uint8_t> hwid_;
};

TEST_F(SnpTurinChain, ARealShapedTurinVcekAndReportVerify) {
  auto v = verify(sign(report_));
  EXPECT_TRUE(v.ok()) << testing::PrintToString(failed(v));
  auto info = read_key_cert_info(*vcek_);
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->product, Product::turin);
  EXPECT_EQ(info->hwid, hwid_);
  EXPECT_EQ(info->fmc, 1);
  for (const auto& c : v.checks) {
    if (c.name == "snp.tcb") {
      EXPECT_EQ(c.detail, "fmc=1,bl=3,tee=0,snp=8,ucode=115");
    }
  }
  EXPECT_EQ(v.claims.values.at("snp.product"), "Turin");
}

TEST_F(SnpTurinChain, AnotherChipsHwidFailsTheChipIdCheck) {
  auto other = hwid_;
  other[3] ^= 0x01;
  vcek_ = turin_vcek(other, 1);
  auto names = failed(verify(sign(report_)));
  ASSERT_EQ(names.size(), 1u) << testing::PrintToString(names);
  EXPECT_EQ(names[0], "snp.chip_id: CHIP_ID is not the Turin VCEK's 8-byte hwID followed by zeros");
}

TEST_F(SnpTurinChain, AChipIdWhoseTailIsNotZeroFailsTheChipIdCheck) {
  auto report = report_;
  report[0x1A0 + 40] = 0x01;
  auto names = failed(verify(sign(report)));
  ASSERT_EQ(names.size(), 1u) << testing::PrintToString(names);
  EXPECT_EQ(names[0].substr(0, names[0].find(':')), "snp.chip_id");
}

TEST_F(SnpTurinChain, TheFmcSplIsComparedWithTheReport) {
  vcek_ = turin_vcek(hwid_, 2);
  auto names = failed(verify(sign(report_)));
  ASSERT_EQ(names.size(), 1u) << testing::PrintToString(names);
  EXPECT_NE(names[0].find("snp.tcb: REPORTED_TCB differs from the key certificate: fmc 2 in the "
                          "certificate, 1 in the report"),
            std::string::npos)
      << names[0];
}

TEST_F(SnpTurinChain, AHwidOfTheWrongLengthForItsProductIsRefused) {
  // 64 bytes under a Turin productName, and 8 under a Milan one.
  auto long_hwid = turin_vcek(std::vector<uint8_t>(64, 0x11), 1);
  auto turin = read_key_cert_info(long_hwid);
  ASSERT_FALSE(turin);
  EXPECT_NE(turin.error().message.find("hwID (1.3.6.1.4.1.3704.1.4) is not 8 bytes (a Turin VCEK)"),
            std::string::npos)
      << turin.error().message;
  CertSpec milan = vcek_spec_;
  for (auto& [oid, value] : milan.amd_extensions) {
    if (oid == kAmd + "4") value = hwid_;
  }
  auto short_hwid = make_cert(milan, vcek_key_.get(), ask_key_.get());
  auto m = read_key_cert_info(short_hwid);
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message.find("is not 64 bytes"), std::string::npos) << m.error().message;
  // The DER OCTET STRING form of the 8 bytes is read too.
  std::vector<uint8_t> wrapped = {0x04, 0x08};
  for (uint8_t byte : hwid_) wrapped.push_back(byte);
  auto w = read_key_cert_info(turin_vcek(wrapped, 1));
  ASSERT_TRUE(w) << w.error().message;
  EXPECT_EQ(w->hwid, hwid_);
}

}  // namespace
}  // namespace leea::tee::snp
