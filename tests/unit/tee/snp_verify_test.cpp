// SEV-SNP verification with the pinned AMD roots, on the real reports and certificates in
// shared/testdata/snp. Times are those the PROVENANCE.md files give: each folder's
// certificates are valid on 2026-11-25 except the AWS VLEK (2024-12-10 to 2025-12-10), which
// is checked on 2025-06-01.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>

#include "core/config/order.h"
#include "core/tee/evidence.h"
#include "core/tee/snp/verify.h"
#include "core/util/encoding.h"
#include "tests/support/temp_dir.h"

namespace leea::tee::snp {
namespace {

constexpr int64_t k2025_06_01 = 1748736000;  // 2025-06-01T00:00:00Z
constexpr int64_t k2026_02_01 = 1769904000;  // 2026-02-01T00:00:00Z
constexpr int64_t k2026_11_25 = 1795564800;  // 2026-11-25T00:00:00Z

std::string dir() { return std::string(LEEA_TESTDATA_DIR) + "/snp/"; }

std::vector<uint8_t> testdata(const std::string& rel) {
  std::ifstream in(dir() + rel, std::ios::binary);
  EXPECT_TRUE(in) << rel;
  return {std::istreambuf_iterator<char>(in), {}};
}

std::vector<uint8_t> cert_der(const std::string& rel) {
  auto c = crypto::Certificate::load(dir() + rel);
  EXPECT_TRUE(c) << rel;
  return c ? c->der() : std::vector<uint8_t>{};
}

struct RealReport {
  const char* name;
  const char* report;
  const char* key_cert;
  int64_t at;
  bool debug;
};

const RealReport kReal[] = {
    {"gsg", "milan-v2-gsg/attestation.bin", "milan-v2-gsg/vcek.der", k2026_11_25, true},
    {"trustee", "milan-v2-trustee/test-report.bin", "milan-v2-trustee/test-vcek.der", k2026_11_25,
     false},
    {"virtee", "milan-v2-virtee/report_milan.bin", "milan-v2-virtee/vcek_milan.der", k2026_11_25,
     false},
    {"vlek", "milan-v3-vlek-aws-trustee/test-vlek-report.bin",
     "milan-v3-vlek-aws-trustee/test-vlek.der", k2025_06_01, false},
    {"msft_milan", "msft-milan-v3/milan_attestation_report.bin", "msft-milan-v3/milan_vcek.pem",
     k2026_11_25, false},
    {"msft_genoa", "msft-genoa-v3/genoa_attestation_report.bin", "msft-genoa-v3/genoa_vcek.pem",
     k2026_11_25, false},
};

const RealReport& real(std::string_view name) {
  return *std::find_if(std::begin(kReal), std::end(kReal),
                       [name](const RealReport& r) { return r.name == name; });
}

std::string text_of(const RealReport& r, std::vector<uint8_t> report = {}) {
  if (report.empty()) report = testdata(r.report);
  return encode_report_text(report, cert_der(r.key_cert));
}

VerifyContext at(int64_t now, const config::OrderConfig* order = nullptr) {
  VerifyContext c;
  c.now = now;
  c.order = order;
  return c;
}

const Check* find_check(const Verification& v, std::string_view name) {
  for (const auto& c : v.checks) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::vector<std::string> failed(const Verification& v) {
  std::vector<std::string> names;
  for (const auto& c : v.checks) {
    if (!c.ok) names.push_back(c.name);
  }
  return names;
}

class SnpRealReport : public testing::TestWithParam<RealReport> {};

TEST_P(SnpRealReport, VerifiesWithPinnedRootsAtItsProvenanceTime) {
  const auto& p = GetParam();
  auto v = verify_text(text_of(p), at(p.at));
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_TRUE(v->ok()) << v->failures();
  auto report = *parse_report(testdata(p.report));
  EXPECT_EQ(v->claims.debug, p.debug);
  EXPECT_EQ(v->claims.smt, report.policy.smt);
  EXPECT_EQ(v->claims.migration, report.policy.migrate_ma);
  EXPECT_EQ(v->claims.values.at("snp.measurement"), "sha384:" + hex_encode(report.measurement));
  EXPECT_TRUE(std::equal(v->claims.report_data.begin(), v->claims.report_data.end(),
                         report.report_data.begin()));
  EXPECT_EQ(v->claims.host_data, report.host_data);
  EXPECT_EQ(v->claims.values.at("snp.vmpl"), std::to_string(report.vmpl));
  for (const char* name :
       {"snp.signing_key", "snp.signature", "snp.product", "snp.tcb", "snp.policy"}) {
    EXPECT_NE(find_check(*v, name), nullptr) << name;
  }
}

INSTANTIATE_TEST_SUITE_P(Testdata, SnpRealReport, testing::ValuesIn(kReal),
                         [](const auto& p) { return std::string(p.param.name); });

TEST(SnpVerify, ProvenanceValuesReachTheClaims) {
  auto v = *verify_text(text_of(real("msft_milan")), at(k2026_11_25));
  EXPECT_EQ(v.claims.values.at("snp.measurement"),
            "sha384:5feee30d6d7e1a29f403d70a4198237ddfb13051a2d6976439487c609388ed7f98189887920a"
            "b2fa0096903a0c23fca1");
  EXPECT_EQ(hex_encode(v.claims.host_data),
            "4f4448c67f3c8dfc8de8a5e37125d807dadcc41f06cf23f615dbd52eec777d10");
  EXPECT_EQ(v.claims.values.at("snp.guest_svn"), "2");
  EXPECT_EQ(v.claims.values.at("snp.product"), "Milan");
  EXPECT_EQ(v.claims.values.at("snp.reported_tcb"), "bl=4,tee=0,snp=24,ucode=219");
  EXPECT_EQ(v.claims.values.at("snp.signing_key"), "VCEK");
  auto vlek = *verify_text(text_of(real("vlek")), at(k2025_06_01));
  EXPECT_EQ(vlek.claims.values.at("snp.vmpl"), "1");
  EXPECT_EQ(vlek.claims.values.at("snp.signing_key"), "VLEK");
  EXPECT_NE(find_check(vlek, "snp.vlek_chain"), nullptr);
  EXPECT_EQ(find_check(vlek, "snp.chip_id"), nullptr);  // a VLEK carries no chip id
  auto csp = std::find_if(vlek.fields.begin(), vlek.fields.end(),
                          [](const auto& f) { return f.first == "snp.key_cert.csp_id"; });
  ASSERT_NE(csp, vlek.fields.end());
  EXPECT_NE(csp->second.find("amazonaws.com"), std::string::npos);
}

TEST(SnpVerify, AgainstAnOrderAReportFromVmplOneIsRefused) {
  // The AWS report was requested at VMPL 1: fine as AMD evidence, but not from leea's guest,
  // which asks from VMPL 0, so that no less privileged code chose the report data.
  config::OrderConfig order;
  order.id = "vmpl";
  auto v = verify_text(text_of(real("vlek")), at(k2025_06_01, &order));
  ASSERT_TRUE(v) << v.error().message;
  ASSERT_NE(find_check(*v, "snp.vmpl"), nullptr);
  EXPECT_FALSE(find_check(*v, "snp.vmpl")->ok);
  EXPECT_EQ(find_check(*v, "snp.vmpl")->detail, "the report was requested at VMPL 1, not 0");
  auto vcek = verify_text(text_of(real("trustee")), at(k2026_11_25, &order));
  ASSERT_TRUE(vcek);
  ASSERT_NE(find_check(*vcek, "snp.vmpl"), nullptr);
  EXPECT_TRUE(find_check(*vcek, "snp.vmpl")->ok);
}

TEST(SnpVerify, ExpiredVlekFailsAtTheRealDateNamingTheCertificate) {
  auto v = verify_text(text_of(real("vlek")), at(k2026_11_25));
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(failed(*v), std::vector<std::string>{"snp.vlek_chain"});
  const Check* c = find_check(*v, "snp.vlek_chain");
  EXPECT_NE(c->detail.find("certificate has expired"), std::string::npos) << c->detail;
  EXPECT_NE(c->detail.find("CN=SEV-VLEK"), std::string::npos) << c->detail;
}

TEST(SnpVerify, VcekNotYetValidFails) {
  auto v = *verify_text(text_of(real("msft_milan")), at(k2026_02_01));
  EXPECT_EQ(failed(v), std::vector<std::string>{"snp.vcek_chain"});
  EXPECT_NE(find_check(v, "snp.vcek_chain")->detail.find("not yet valid"), std::string::npos);
}

TEST(SnpVerify, TrusteeInvalidVcekParseButFailSignatures) {
  for (const char* name : {"test-vcek-invalid-legacy.der", "test-vcek-invalid-new.der"}) {
    SCOPED_TRACE(name);
    auto cert = crypto::Certificate::load(dir() + "milan-v2-trustee/" + name);
    ASSERT_TRUE(cert) << cert.error().message;
    auto info = read_key_cert_info(*cert);
    ASSERT_TRUE(info) << info.error().message;  // both hwID encodings are accepted
    ASSERT_TRUE(info->hwid.has_value());
    EXPECT_EQ((*info->hwid)[1], 0x01);
    EXPECT_EQ((*info->hwid)[63], 0x3f);
    ASSERT_TRUE(info->microcode.has_value());
    auto v =
        verify_text(encode_report_text(testdata("milan-v2-trustee/test-report.bin"), cert->der()),
                    at(k2026_11_25));
    ASSERT_TRUE(v) << v.error().message;
    EXPECT_FALSE(find_check(*v, "snp.vcek_chain")->ok);
    EXPECT_FALSE(find_check(*v, "snp.signature")->ok);
    EXPECT_FALSE(find_check(*v, "snp.chip_id")->ok);
  }
}

TEST(SnpVerify, GenerationsDoNotChainToEachOther) {
  const auto& amd = TrustAnchors::amd();
  TrustAnchors milan_only{{*amd.find(Product::milan)}};
  auto v = *verify_text(text_of(real("msft_genoa")), at(k2026_11_25), milan_only);
  EXPECT_NE(find_check(v, "snp.vcek_chain")->detail.find("no pinned AMD root for product Genoa"),
            std::string::npos);
  // Genoa's ASK pinned under Milan's ARK: the path does not close.
  TrustAnchors mixed{{*amd.find(Product::genoa)}};
  mixed.generations[0].ark = amd.find(Product::milan)->ark;
  v = *verify_text(text_of(real("msft_genoa")), at(k2026_11_25), mixed);
  EXPECT_FALSE(find_check(v, "snp.vcek_chain")->ok);
  // ASK and ASVK swapped: a VLEK must chain through the ASVK, a VCEK through the ASK.
  TrustAnchors swapped{{*amd.find(Product::milan)}};
  std::swap(swapped.generations[0].ask, swapped.generations[0].asvk);
  v = *verify_text(text_of(real("vlek")), at(k2025_06_01), swapped);
  EXPECT_NE(find_check(v, "snp.vlek_chain")->detail.find("no certificate for SEV-VLEK-Milan"),
            std::string::npos)
      << find_check(v, "snp.vlek_chain")->detail;
  v = *verify_text(text_of(real("trustee")), at(k2026_11_25), swapped);
  EXPECT_FALSE(find_check(v, "snp.vcek_chain")->ok);
}

TEST(SnpVerify, ChangedKeyCertificateFailsTheChain) {
  // virtee/sev's milan_chain_invalid: vcek[40] ^= 0xff.
  auto der = cert_der("milan-v2-virtee/vcek_milan.der");
  der[40] ^= 0xff;
  auto v = *verify_text(encode_report_text(testdata("milan-v2-virtee/report_milan.bin"), der),
                        at(k2026_11_25));
  EXPECT_FALSE(find_check(v, "snp.vcek_chain")->ok);
  // trustee: byte 42 of the VCEK DER.
  der = cert_der("milan-v2-trustee/test-vcek.der");
  der[42] ^= 0x01;
  v = *verify_text(encode_report_text(testdata("milan-v2-trustee/test-report.bin"), der),
                   at(k2026_11_25));
  EXPECT_FALSE(v.ok());
}

// One byte of a real report changed: the signature fails, and so does the field's own
// check where it has one (DESIGN §6).
struct Mutation {
  const char* name;
  const char* report;  // kReal name
  size_t offset;
  uint8_t xor_mask;
  std::vector<std::string> failed;  // expected failed checks, in order
  bool with_order = false;
};

class SnpMutatedReport : public testing::TestWithParam<Mutation> {};

TEST_P(SnpMutatedReport, FailsNamingTheField) {
  const auto& m = GetParam();
  const auto& r = real(m.report);
  auto bytes = testdata(r.report);
  bytes[m.offset] ^= m.xor_mask;
  config::OrderConfig order;
  order.id = "mutation";
  auto v = verify_text(text_of(r, bytes), at(r.at, m.with_order ? &order : nullptr));
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(failed(*v), m.failed) << v->failures();
}

const std::vector<std::string> kSig = {"snp.signature"};
using Strings = std::vector<std::string>;

INSTANTIATE_TEST_SUITE_P(
    Fields, SnpMutatedReport,
    testing::Values(
        Mutation{"guest_svn", "trustee", 0x04, 0x01, kSig},
        Mutation{"policy_debug", "trustee", 0x0A, 0x08, kSig},
        Mutation{"policy_reserved_one", "trustee", 0x0A, 0x02, {"snp.signature", "snp.policy"}},
        Mutation{"family_id", "virtee", 21, 0x80, kSig},  // virtee/sev milan_report_invalid
        Mutation{"image_id", "trustee", 42, 0x01, kSig},  // trustee check_report_signature_failure
        Mutation{"vmpl", "vlek", 0x30, 0x03, kSig},
        Mutation{"signature_algo", "trustee", 0x34, 0x03, kSig},
        Mutation{"current_tcb", "trustee", 0x3F, 0x01, kSig},
        Mutation{"platform_info", "msft_milan", 0x40, 0x02, kSig},
        Mutation{"flags_signing_key", "trustee", 0x48, 0x1C, {"snp.signing_key", "snp.signature"}},
        Mutation{"flags_author_key", "trustee", 0x48, 0x01, kSig},
        Mutation{"report_data", "trustee", 0x50, 0x01, kSig},
        Mutation{
            "report_data_upper", "trustee", 0x70, 0x01, {"snp.signature", "snp.report_data"}, true},
        Mutation{"measurement", "msft_genoa", 0x90, 0x01, kSig},
        Mutation{"host_data", "msft_milan", 0xC0, 0x01, kSig},
        Mutation{"id_key_digest", "trustee", 0xE0, 0x01, kSig},
        Mutation{"author_key_digest", "trustee", 0x110, 0x01, kSig},
        Mutation{"report_id", "gsg", 0x140, 0x01, kSig},
        Mutation{"report_id_ma", "gsg", 0x160, 0x01, kSig},
        // trustee check_report_tcb_failure: byte 384, reported_tcb.bootloader.
        Mutation{"reported_tcb_bl", "trustee", 0x180, 0x04, {"snp.signature", "snp.tcb"}},
        Mutation{"reported_tcb_snp", "vlek", 0x186, 0x01, {"snp.signature", "snp.tcb"}},
        Mutation{"reported_tcb_ucode", "msft_genoa", 0x187, 0x01, {"snp.signature", "snp.tcb"}},
        Mutation{"cpuid_model", "msft_milan", 0x189, 0x10, {"snp.signature", "snp.product"}},
        Mutation{"cpuid_stepping", "msft_milan", 0x18A, 0x01, kSig},
        Mutation{"chip_id", "trustee", 0x1A0, 0x01, {"snp.signature", "snp.chip_id"}},
        Mutation{"chip_id_end", "msft_genoa", 0x1DF, 0x80, {"snp.signature", "snp.chip_id"}},
        Mutation{"committed_tcb", "trustee", 0x1E7, 0x01, kSig},
        Mutation{"current_build", "trustee", 0x1E8, 0x01, kSig},
        Mutation{"committed_build", "trustee", 0x1EC, 0x01, kSig},
        Mutation{"launch_tcb", "trustee", 0x1F0, 0x01, kSig},
        Mutation{"signature_r", "trustee", 0x2A0, 0x01, kSig},
        Mutation{"signature_s", "gsg", 0x2E8 + 47, 0x01, kSig}),
    [](const auto& p) { return std::string(p.param.name); });

config::OrderConfig order_with_min_tcb(std::optional<std::string> min) {
  config::OrderConfig o;
  o.id = "demo";
  o.policy.min_tcb = std::move(min);
  return o;
}

TEST(SnpVerify, MinimumTcbPerOrder) {
  const auto text = text_of(real("trustee"));  // reported 3/0/8/115
  auto order = order_with_min_tcb("bl=3,tee=0,snp=8,ucode=115");
  auto v = *verify_text(text, at(k2026_11_25, &order));
  EXPECT_TRUE(v.ok()) << v.failures();
  EXPECT_TRUE(find_check(v, "policy.min_tcb")->ok);
  order = order_with_min_tcb("snp=9");
  v = *verify_text(text, at(k2026_11_25, &order));
  EXPECT_EQ(failed(v), Strings{"policy.min_tcb"});
  EXPECT_EQ(find_check(v, "policy.min_tcb")->detail,
            "REPORTED_TCB bl=3,tee=0,snp=8,ucode=115 is below snp=9: snp 8 < 9");
  order = order_with_min_tcb("snp=eight");
  v = *verify_text(text, at(k2026_11_25, &order));
  EXPECT_EQ(failed(v), Strings{"policy.min_tcb"});
  order = order_with_min_tcb(std::nullopt);
  v = *verify_text(text, at(k2026_11_25, &order));
  EXPECT_EQ(find_check(v, "policy.min_tcb"), nullptr);
}

TEST(SnpVerify, UpperReportDataIsCheckedOnlyForAnOrder) {
  // virtee's report fills all 64 bytes of REPORT_DATA: valid AMD evidence, not a leea binding.
  const auto text = text_of(real("virtee"));
  auto standalone = *verify_text(text, at(k2026_11_25));
  EXPECT_TRUE(standalone.ok()) << standalone.failures();
  EXPECT_EQ(find_check(standalone, "snp.report_data"), nullptr);
  auto order = order_with_min_tcb(std::nullopt);
  auto bound = *verify_text(text, at(k2026_11_25, &order));
  EXPECT_EQ(failed(bound), Strings{"snp.report_data"});
}

TEST(SnpVerify, VcekFromTheCollateralDirectory) {
  test::TempDir tmp;
  const auto report = testdata("milan-v2-trustee/test-report.bin");
  const auto text = encode_report_text(report);
  auto v = *verify_text(text, at(k2026_11_25));
  EXPECT_EQ(failed(v),
            (Strings{"snp.vcek_chain", "snp.signature", "snp.product", "snp.tcb", "snp.chip_id"}));
  EXPECT_NE(find_check(v, "snp.vcek_chain")->detail.find("no collateral directory"),
            std::string::npos);
  auto parsed = *parse_report(report);
  auto vcek_dir = tmp.path() / "snp" / "vcek" / hex_encode(parsed.chip_id);
  std::filesystem::create_directories(vcek_dir);
  auto der = cert_der("milan-v2-trustee/test-vcek.der");
  test::write_file(vcek_dir / "0300000000000873.der", std::string(der.begin(), der.end()));
  VerifyContext c = at(k2026_11_25);
  c.collateral_dir = tmp.path();
  v = *verify_text(text, c);
  EXPECT_TRUE(v.ok()) << v.failures();
}

TEST(SnpVerify, CertificateTableAttachment) {
  auto chain = *crypto::Certificate::load_all(dir() + "amd-kds-chains/ask_ark_milan.pem");
  std::vector<CertTableEntry> entries(3);
  entries[0] = {CertKind::vcek, cert_guid(CertKind::vcek),
                cert_der("msft-milan-v3/milan_vcek.pem")};
  entries[1] = {CertKind::ask, cert_guid(CertKind::ask), chain[0].der()};
  entries[2] = {CertKind::ark, cert_guid(CertKind::ark), chain[1].der()};
  auto text = encode_report_text(testdata("msft-milan-v3/milan_attestation_report.bin"),
                                 encode_cert_table(entries));
  auto v = *verify_text(text, at(k2026_11_25));
  EXPECT_TRUE(v.ok()) << v.failures();
  // A table with two signing keys is refused by name.
  entries[1] = entries[0];
  text = encode_report_text(testdata("msft-milan-v3/milan_attestation_report.bin"),
                            encode_cert_table(entries));
  v = *verify_text(text, at(k2026_11_25));
  EXPECT_NE(find_check(v, "snp.vcek_chain")->detail.find("more than one VCEK/VLEK"),
            std::string::npos);
}

TEST(SnpVerify, MalformedTextIsAnErrorOrAFailedCheck) {
  auto bad = verify_text("not base64url!", at(k2026_11_25));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::invalid_data);
  bad = verify_text(std::string(kMaxReportText + 1, 'A'), at(k2026_11_25));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("longer than"), std::string::npos);
  auto short_report = testdata("milan-v2-trustee/test-report.bin");
  short_report.pop_back();
  bad = verify_text(encode_report_text(short_report), at(k2026_11_25));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("length 1183"), std::string::npos);
  for (const std::string attachment : {"!!!", "MAA", "AAAA"}) {  // junk, truncated DER, table
    auto v = verify_text(
        base64url_encode(testdata("milan-v2-trustee/test-report.bin")) + "." + attachment,
        at(k2026_11_25));
    ASSERT_TRUE(v) << v.error().message;
    EXPECT_FALSE(find_check(*v, "snp.vcek_chain")->ok) << attachment;
  }
}

TEST(SnpVerify, StandaloneFilesForTheCommandLine) {
  VerifyContext c = at(k2025_06_01);
  auto v = verify_files(dir() + "milan-v3-vlek-aws-trustee/test-vlek-report.bin",
                        dir() + "milan-v3-vlek-aws-trustee/test-vlek.der",
                        dir() + "amd-kds-chains/ask_ark_milan_vlek.pem", c);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_TRUE(v->ok()) << v->failures();
  test::TempDir tmp;
  test::write_file(tmp / "report.txt", text_of(real("msft_genoa")) + "\n");
  v = verify_files(tmp / "report.txt", {}, {}, at(k2026_11_25));
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_TRUE(v->ok()) << v->failures();
  auto missing = verify_files(tmp / "absent.bin", {}, {}, c);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("absent.bin"), std::string::npos);
}

TEST(SnpVerify, EvidenceInterfaceServesTheSnpKind) {
  auto verifier = tee::make_verifier(config::TeeKind::snp);
  ASSERT_NE(verifier, nullptr);
  EXPECT_EQ(verifier->kind(), config::TeeKind::snp);
  auto v = verifier->verify(text_of(real("gsg")), at(k2026_11_25));
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_TRUE(v->ok()) << v->failures();
  EXPECT_TRUE(v->claims.debug);  // policy bit 19: appraisal refuses it unless the order allows
}

}  // namespace
}  // namespace leea::tee::snp
