// The SEV-SNP report parser, TCB forms and certificate table, against the real reports in
// shared/testdata/snp (expected values from each folder's PROVENANCE.md) and malformed input.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <random>

#include "core/tee/snp/certs.h"
#include "core/tee/snp/report.h"
#include "core/tee/snp/verify.h"
#include "core/util/encoding.h"

namespace leea::tee::snp {
namespace {

std::vector<uint8_t> testdata(const std::string& rel) {
  std::ifstream in(std::string(LEEA_TESTDATA_DIR) + "/snp/" + rel, std::ios::binary);
  EXPECT_TRUE(in) << rel;
  return {std::istreambuf_iterator<char>(in), {}};
}

TEST(SnpReport, ParsesGoSevGuestMilanV2) {
  auto r = parse_report(testdata("milan-v2-gsg/attestation.bin"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->version, 2u);
  EXPECT_EQ(r->policy.raw, 0xb0000u);
  EXPECT_TRUE(r->policy.debug);
  EXPECT_TRUE(r->policy.smt);
  EXPECT_FALSE(r->policy.migrate_ma);
  EXPECT_EQ(r->vmpl, 0u);
  EXPECT_EQ(r->signature_algo, 1u);
  EXPECT_EQ(r->platform_info, 1u);
  EXPECT_EQ(r->signing_key, kSigningKeyVcek);
  EXPECT_FALSE(r->cpuid_family.has_value());
  EXPECT_FALSE(r->launch_mit_vector.has_value());
  EXPECT_EQ(r->product, Product::unknown);
  EXPECT_EQ(tcb_text(r->reported_tcb), "bl=2,tee=0,snp=5,ucode=68");
  EXPECT_EQ(r->reported_tcb.raw, r->committed_tcb.raw);
  EXPECT_EQ(r->reported_tcb.raw, r->launch_tcb.raw);
  EXPECT_EQ(hex_encode(r->measurement),
            "b07af9620f3b839b47996422ddec6058338951d984e312115131ea82705eaf5b6bdf8a9ece31a5a608"
            "eb0cf2e4872b01");
  std::array<uint8_t, 64> data{1, 2, 3, 4, 5};
  EXPECT_EQ(r->report_data, data);
  EXPECT_EQ(hex_encode(r->chip_id).substr(0, 8), "3ac3fe21");
  EXPECT_EQ(hex_encode(r->chip_id).substr(124), "6b5d");
}

TEST(SnpReport, ParsesTrusteeMilanV2) {
  auto r = parse_report(testdata("milan-v2-trustee/test-report.bin"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->policy.raw, 0x3001fu);
  EXPECT_EQ(r->policy.abi_major, 0);
  EXPECT_EQ(r->policy.abi_minor, 31);
  EXPECT_FALSE(r->policy.debug);
  EXPECT_EQ(r->guest_svn, 4u);
  EXPECT_EQ(tcb_text(r->reported_tcb), "bl=3,tee=0,snp=8,ucode=115");
  EXPECT_EQ(r->current_tcb.microcode, 206);
  EXPECT_EQ(hex_encode(std::span(r->report_data).first(32)),
            "ec6c52d7533cc2c4f45be7849cf112ab82b2009fe7bd43e71ed08c14400ad7e2");
}

TEST(SnpReport, ParsesAwsVlekMilanV3) {
  auto r = parse_report(testdata("milan-v3-vlek-aws-trustee/test-vlek-report.bin"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->version, 3u);
  EXPECT_EQ(r->cpuid_family, 0x19);
  EXPECT_EQ(r->cpuid_model, 0x01);
  EXPECT_EQ(r->cpuid_stepping, 1);
  EXPECT_EQ(r->product, Product::milan);
  EXPECT_EQ(r->vmpl, 1u);
  EXPECT_EQ(r->flags, 4u);
  EXPECT_EQ(r->signing_key, kSigningKeyVlek);
  EXPECT_EQ(r->platform_info, 0x27u);
  EXPECT_EQ(tcb_text(r->reported_tcb), "bl=4,tee=0,snp=24,ucode=217");
  EXPECT_EQ(r->committed_tcb.microcode, 219);
  EXPECT_EQ(r->launch_tcb.microcode, 219);
  EXPECT_EQ(r->current_tcb.microcode, 220);
}

TEST(SnpReport, ParsesMicrosoftGenoaAndMilanV3) {
  auto g = parse_report(testdata("msft-genoa-v3/genoa_attestation_report.bin"));
  ASSERT_TRUE(g) << g.error().message;
  EXPECT_EQ(g->product, Product::genoa);
  EXPECT_EQ(g->cpuid_model, 0x11);
  EXPECT_EQ(g->guest_svn, 2u);
  EXPECT_EQ(tcb_text(g->reported_tcb), "bl=10,tee=0,snp=23,ucode=84");
  auto m = parse_report(testdata("msft-milan-v3/milan_attestation_report.bin"));
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->product, Product::milan);
  EXPECT_EQ(m->platform_info, 0x25u);
  EXPECT_EQ(hex_encode(m->host_data),
            "4f4448c67f3c8dfc8de8a5e37125d807dadcc41f06cf23f615dbd52eec777d10");
  EXPECT_EQ(hex_encode(m->measurement),
            "5feee30d6d7e1a29f403d70a4198237ddfb13051a2d6976439487c609388ed7f98189887920ab2fa00"
            "96903a0c23fca1");
  EXPECT_EQ(m->measurement, g->measurement);
  EXPECT_EQ(m->host_data, g->host_data);
}

TEST(SnpReport, RefusesWrongLengths) {
  auto report = testdata("milan-v2-trustee/test-report.bin");
  for (size_t n : {size_t{0}, size_t{1}, size_t{0x2A0}, kReportSize - 1}) {
    auto r = parse_report(std::span(report).first(n));
    ASSERT_FALSE(r) << n;
    EXPECT_EQ(r.error().code, Errc::invalid_data);
    EXPECT_NE(r.error().message.find("length " + std::to_string(n)), std::string::npos);
  }
  report.push_back(0);
  auto r = parse_report(report);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("length 1185, expected 1184"), std::string::npos);
}

TEST(SnpReport, RefusesUnknownVersions) {
  auto report = testdata("milan-v2-trustee/test-report.bin");
  for (uint8_t v : {0, 1, 4, 6, 0xff}) {
    report[0] = v;
    auto r = parse_report(report);
    ASSERT_FALSE(r) << int(v);
    EXPECT_EQ(r.error().message,
              "SEV-SNP report: unknown version " + std::to_string(v) + " (known: 2, 3, 5)");
  }
}

TEST(SnpReport, RefusesNonZeroReservedBytes) {
  const auto v2 = testdata("milan-v2-trustee/test-report.bin");
  // One offset inside each reserved region of a v2 report (ABI Table 23).
  for (size_t at : {0x4Dul, 0x188ul, 0x19Ful, 0x1EBul, 0x1EFul, 0x1F8ul, 0x29Ful, 0x2D0ul, 0x318ul,
                    0x330ul, 0x49Ful}) {
    auto report = v2;
    report[at] = 0x01;
    auto r = parse_report(report);
    ASSERT_FALSE(r) << at;
    EXPECT_NE(r.error().message.find("at offset " + std::to_string(at)), std::string::npos)
        << r.error().message;
  }
  auto report = v2;
  report[0x48] = 0x20;  // FLAGS bit 5
  auto r = parse_report(report);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("FLAGS"), std::string::npos);
}

TEST(SnpReport, VersionDecidesWhichBytesAreFields) {
  auto report = testdata("milan-v2-trustee/test-report.bin");
  report[0] = 3;
  report[0x188] = 0x1A;  // v3: CPUID family, a field (Turin)
  report[0x189] = 0x02;
  auto v3 = parse_report(report);
  ASSERT_TRUE(v3) << v3.error().message;
  EXPECT_EQ(v3->product, Product::turin);
  EXPECT_TRUE(v3->reported_tcb.turin_layout);
  report[0x1F8] = 0x07;  // v5: LAUNCH_MIT_VECTOR, a field; v3: reserved
  EXPECT_FALSE(parse_report(report));
  report[0] = 5;
  auto v5 = parse_report(report);
  ASSERT_TRUE(v5) << v5.error().message;
  EXPECT_EQ(v5->launch_mit_vector, 7u);
  EXPECT_EQ(v5->current_mit_vector, 0u);
}

TEST(SnpReport, TcbLayoutsFollowTheSpecByteOrder) {
  // Bytes in report order: Milan/Genoa BL TEE r r r r SNP UCODE; Turin FMC BL TEE SNP r r r UCODE.
  uint64_t raw = 0x73'00'00'00'00'00'00'03ull | 0x08ull << 48;
  auto milan = decode_tcb(raw, false);
  EXPECT_EQ(tcb_text(milan), "bl=3,tee=0,snp=8,ucode=115");
  uint64_t turin_raw = 0x01ull | 0x04ull << 8 | 0x00ull << 16 | 0x19ull << 24 | 0x5Aull << 56;
  auto turin = decode_tcb(turin_raw, true);
  EXPECT_EQ(tcb_text(turin), "fmc=1,bl=4,tee=0,snp=25,ucode=90");
}

TEST(SnpReport, ProductsFromCpuidAndNames) {
  EXPECT_EQ(product_from_cpuid(0x19, 0x01), Product::milan);
  EXPECT_EQ(product_from_cpuid(0x19, 0x11), Product::genoa);
  EXPECT_EQ(product_from_cpuid(0x19, 0xA0), Product::genoa);
  EXPECT_EQ(product_from_cpuid(0x1A, 0x02), Product::turin);
  EXPECT_EQ(product_from_cpuid(0x17, 0x31), Product::unknown);
  EXPECT_EQ(product_from_name("Milan-B0"), Product::milan);
  EXPECT_EQ(product_from_name("Genoa"), Product::genoa);
  EXPECT_EQ(product_from_name("Turin-C1"), Product::turin);
  EXPECT_EQ(product_from_name("Milanese"), Product::unknown);
}

TEST(SnpMinTcb, ParsesAndComparesComponentWise) {
  auto min = parse_min_tcb("bl=3,tee=0,snp=8,ucode=115");
  ASSERT_TRUE(min) << min.error().message;
  EXPECT_EQ(min_tcb_shortfall(decode_tcb(0x7308000000000003ull, false), *min), "");
  EXPECT_EQ(min_tcb_shortfall(decode_tcb(0x4405000000000002ull, false), *min),
            "bl 2 < 3, snp 5 < 8, ucode 68 < 115");
  // A higher microcode does not make up for a lower SNP firmware.
  EXPECT_EQ(min_tcb_shortfall(decode_tcb(0xFF07000000000003ull, false), *min), "snp 7 < 8");
  auto fmc = parse_min_tcb("fmc=2");
  ASSERT_TRUE(fmc);
  EXPECT_EQ(min_tcb_shortfall(decode_tcb(0, false), *fmc), "fmc required but the TCB has no FMC");
  EXPECT_EQ(min_tcb_shortfall(decode_tcb(1, true), *fmc), "fmc 1 < 2");
}

TEST(SnpMinTcb, RefusesMalformedText) {
  for (const char* bad :
       {"", "bl", "bl=", "bl=256", "bl=-1", "bl=3,bl=4", "boot=3", "bl=3,", "bl= 3", "bl=0x3"}) {
    auto m = parse_min_tcb(bad);
    ASSERT_FALSE(m) << bad;
    EXPECT_EQ(m.error().code, Errc::config);
    EXPECT_EQ(m.error().message.rfind("min_tcb: ", 0), 0u) << m.error().message;
  }
}

TEST(SnpCertTable, RoundTripsAndRecognisesBothGuidByteOrders) {
  std::vector<CertTableEntry> entries(2);
  entries[0].kind = CertKind::vcek;
  entries[0].guid = cert_guid(CertKind::vcek);
  entries[0].der = {0x30, 0x01, 0x02};
  entries[1].kind = CertKind::ask;
  entries[1].guid = cert_guid(CertKind::ask);
  entries[1].der = {0x30, 0x09};
  auto table = encode_cert_table(entries);
  EXPECT_EQ(hex_encode(std::span(table).first(16)), "63da758de6644564adc5f4b93be8accd");
  auto back = parse_cert_table(table);
  ASSERT_TRUE(back) << back.error().message;
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[0].kind, CertKind::vcek);
  EXPECT_EQ((*back)[0].der, entries[0].der);
  EXPECT_EQ((*back)[1].kind, CertKind::ask);
  EXPECT_EQ((*back)[1].der, entries[1].der);
  // The EFI mixed-endian form of the VCEK GUID.
  auto efi = *hex_decode("8d75da6364e66445adc5f4b93be8accd");
  std::copy(efi.begin(), efi.end(), table.begin());
  back = parse_cert_table(table);
  ASSERT_TRUE(back);
  EXPECT_EQ((*back)[0].kind, CertKind::vcek);
}

TEST(SnpCertTable, RefusesTablesThatPointOutsideOrNeverEnd) {
  std::vector<CertTableEntry> one(1);
  one[0].guid = cert_guid(CertKind::vcek);
  one[0].der = {0x30, 0x00};
  auto table = encode_cert_table(one);
  EXPECT_FALSE(parse_cert_table(std::span(table).first(table.size() - 1)));  // length past end
  EXPECT_FALSE(parse_cert_table(std::span(table).first(30)));                // no terminator
  EXPECT_FALSE(parse_cert_table({}));
  auto bad_offset = table;
  bad_offset[16] = 0x00;  // offset 0: inside the entry list
  EXPECT_FALSE(parse_cert_table(bad_offset));
  auto huge = table;
  huge[23] = 0xff;  // length near 4 GiB: no overflow, refused
  huge[16] = 0xff;
  huge[19] = 0xff;
  EXPECT_FALSE(parse_cert_table(huge));
  std::vector<CertTableEntry> many(kMaxCertTableEntries + 1, one[0]);
  auto r = parse_cert_table(encode_cert_table(many));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("more than 16 entries"), std::string::npos);
  std::vector<uint8_t> big(kMaxCertTableSize + 1, 0);
  EXPECT_FALSE(parse_cert_table(big));
}

// A fixed-seed stand-in for the fuzzer of the hardening issue: truncated, extended and
// corrupted inputs give a value or an error, never a crash (run under ASan to see over-reads).
TEST(SnpParsers, CorruptedInputGivesAResultOrAnError) {
  const auto base = testdata("msft-milan-v3/milan_attestation_report.bin");
  std::mt19937 rng(4);
  std::uniform_int_distribution<size_t> length(0, kReportSize + 64);
  std::uniform_int_distribution<int> byte(0, 255);
  VerifyContext context;
  context.now = 1795564800;
  for (int i = 0; i < 300; ++i) {
    auto input = base;
    input.resize(i % 3 == 0 ? length(rng) : kReportSize, 0);
    for (int flips = 0; flips < 4 && !input.empty(); ++flips) {
      input[static_cast<size_t>(byte(rng)) * input.size() / 256] = static_cast<uint8_t>(byte(rng));
    }
    (void)parse_report(input);
    (void)parse_cert_table(input);
    auto v = verify_text(encode_report_text(input, input), context);
    if (v) {
      EXPECT_FALSE(v->ok());
    }
  }
}

}  // namespace
}  // namespace leea::tee::snp
