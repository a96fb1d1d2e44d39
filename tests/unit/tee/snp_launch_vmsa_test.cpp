// VMSA contents, vCPU signatures and the PAGE_INFO chain (launch_vmsa.h, launch_digest.h).
//
// Expected digests come from virtee/sev-snp-measure at commit
// 8f2b337e38bc83f87cd30f3253cdfe8e3e12cc3a, run from its checkout:
//   python3 -c "from sevsnpmeasure.gctx import GCTX; g=GCTX();
//     g.update_zero_pages(0x800000,0x2000); g.update_secrets_page(0x809000);
//     g.update_cpuid_page(0x80a000); g.update_unmeasured_pages(0x80b000,0x1000);
//     g.update_normal_pages(0xfffff000, bytes(range(256))*16);
//     g.update_vmsa_page(bytes(4096)); print(g.hex_ld())"
//   python3 -c "import hashlib; from sevsnpmeasure.vmsa import VMSA;
//     from sevsnpmeasure.sev_mode import SevMode;
//     p=list(VMSA(SevMode.SEV_SNP, 0x0080b004, 0x800f12, 0x21).pages(2));
//     print(hashlib.sha384(p[0]).hexdigest(), hashlib.sha384(p[1]).hexdigest())"
// Field offsets are those of AMD64 APM Vol. 2, Table B-4 (VMSA layout).
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "core/crypto/digest.h"
#include "core/tee/snp/launch_digest.h"
#include "core/tee/snp/launch_vmsa.h"
#include "core/util/encoding.h"

namespace leea::tee::snp {
namespace {

uint64_t le_at(const VmsaPage& p, size_t off, size_t width) {
  uint64_t v = 0;
  for (size_t i = 0; i < width; ++i) v |= uint64_t{p[off + i]} << (8 * i);
  return v;
}

TEST(SnpLaunchDigest, PageInfoChainMatchesSevSnpMeasure) {
  LaunchDigest ld;
  ASSERT_TRUE(ld.add_zero_pages(0x800000, 0x2000));
  ASSERT_TRUE(ld.add_secrets_page(0x809000));
  ASSERT_TRUE(ld.add_cpuid_page(0x80a000));
  ASSERT_TRUE(ld.add_unmeasured_pages(0x80b000, 0x1000));
  std::vector<uint8_t> page(4096);
  for (size_t i = 0; i < page.size(); ++i) page[i] = static_cast<uint8_t>(i);
  ASSERT_TRUE(ld.add_normal_pages(0xfffff000, page));
  ld.add_vmsa_page(VmsaPage{});
  EXPECT_EQ(hex_encode(ld.value()),
            "f330f2941cb9ce19caff472efc329a4c7a99b5253a6220bf"
            "0e774f0b3181145de9984a627c834267fcc78ba8635afdce");
}

TEST(SnpLaunchDigest, StartsAtZero) { EXPECT_EQ(LaunchDigest().value(), Measurement{}); }

TEST(SnpLaunchDigest, RefusesPartialPagesAndUnalignedAddresses) {
  LaunchDigest ld;
  std::vector<uint8_t> partial(4095);
  auto r = ld.add_normal_pages(0x1000, partial);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "normal pages: length 4095 is not a multiple of the 4096-byte page size");
  EXPECT_FALSE(ld.add_zero_pages(0x1001, 0x1000));
  EXPECT_FALSE(ld.add_secrets_page(0x80));
  EXPECT_EQ(ld.value(), Measurement{}) << "a refused update leaves the digest alone";
}

TEST(SnpLaunchVmsa, PagesMatchSevSnpMeasure) {
  const VmsaPage bsp = build_vmsa(kBspResetEip, 0x800f12, 0x21);
  const VmsaPage ap = build_vmsa(0x0080b004, 0x800f12, 0x21);
  EXPECT_EQ(hex_encode(crypto::digest(crypto::DigestAlg::sha384, bsp)),
            "ae79efa6efbe1594a2717dfd42af495a0e4ed37b00e529a5"
            "fdf349bea04c3513962ffb0c74cf65b0d9a1857271833d6e");
  EXPECT_EQ(hex_encode(crypto::digest(crypto::DigestAlg::sha384, ap)),
            "180ef2675dc01615d31b3e84ef27a0a69d08bfbbb58ea4f6"
            "a0188f08884ab6407591ada42f99749ce9a406fb4e5d8355");
}

TEST(SnpLaunchVmsa, PlacesResetStateAtTheApmOffsets) {
  const VmsaPage p = build_vmsa(0xfffffff0, 0xa00f11, 0x21);
  EXPECT_EQ(le_at(p, 0x010, 2), 0xf000u);              // CS.selector
  EXPECT_EQ(le_at(p, 0x018, 8), 0xffff0000u);          // CS.base
  EXPECT_EQ(le_at(p, 0x178, 8), 0xfff0u);              // RIP
  EXPECT_EQ(le_at(p, 0x310, 8), 0xa00f11u);            // RDX: the CPUID signature
  EXPECT_EQ(le_at(p, 0x3b0, 8), 0x21u);                // SEV_FEATURES
  EXPECT_EQ(le_at(p, 0x0d0, 8), 0x1000u);              // EFER.SVME
  EXPECT_EQ(le_at(p, 0x268, 8), 0x0007040600070406u);  // G_PAT
  // Nothing past the x87/SSE/AVX state.
  EXPECT_TRUE(std::all_of(p.begin() + 0x670, p.end(), [](uint8_t b) { return b == 0; }));
}

TEST(SnpLaunchVcpuTypes, SignaturesFollowTheCpuidEncoding) {
  // sev-snp-measure README: EPYC-v4 is family 23 model 1 stepping 2, signature 0x800f12.
  EXPECT_EQ(cpu_signature(23, 1, 2), 0x800f12u);
  EXPECT_EQ(*vcpu_type_signature("EPYC-v4"), 0x800f12u);
  EXPECT_EQ(*vcpu_type_signature("EPYC"), 0x800f12u);
  // The rest as sev-snp-measure's vcpu_types.CPU_SIGS has them (same commit as above).
  EXPECT_EQ(*vcpu_type_signature("EPYC-Milan"), 0xa00f11u);
  EXPECT_EQ(*vcpu_type_signature("EPYC-Rome"), 0x830f10u);
  EXPECT_EQ(*vcpu_type_signature("EPYC-Genoa"), 0xa10f10u);
  EXPECT_EQ(*vcpu_type_signature("EPYC-Turin"), 0xb00f00u);
}

TEST(SnpLaunchVcpuTypes, UnknownTypeIsAnErrorListingTheKnownOnes) {
  auto r = vcpu_type_signature("EPYC-Neverland");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
  EXPECT_EQ(r.error().message.rfind("unknown vCPU type 'EPYC-Neverland' (known: EPYC, EPYC-v1,", 0),
            0u)
      << r.error().message;
  EXPECT_FALSE(vcpu_type_signature("epyc-v4")) << "names are exact, as QEMU's";
}

}  // namespace
}  // namespace leea::tee::snp
