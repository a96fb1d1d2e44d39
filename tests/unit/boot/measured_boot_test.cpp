#include "core/boot/measured_boot.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "tests/support/kernel.h"
#include "tests/support/temp_dir.h"

namespace leea::boot {
namespace {

std::vector<uint8_t> load(const std::string& path) {
  auto t = test::read_file(path);
  return {t.begin(), t.end()};
}

// The image digest a signed kernel carries in its Authenticode signature: the DigestInfo
// of SpcIndirectDataContent, AlgorithmIdentifier(sha256, NULL) then OCTET STRING(32).
std::optional<Sha256> signed_digest(const std::vector<uint8_t>& pe) {
  static const uint8_t kPrefix[] = {0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03,
                                    0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
  auto it = std::search(pe.begin(), pe.end(), std::begin(kPrefix), std::end(kPrefix));
  if (it == pe.end() || pe.end() - it < static_cast<long>(sizeof kPrefix + 32)) return {};
  Sha256 d{};
  std::copy_n(it + sizeof kPrefix, 32, d.begin());
  return d;
}

// Debian signs its kernels: the signature names the image's Authenticode digest, computed
// by the signing tool, an independent implementation.
TEST(Authenticode, EqualsTheDigestInTheKernelsSignature) {
  auto k = test::newest_kernel();
  if (k.empty()) GTEST_SKIP() << "no /boot/vmlinuz-* (scripts/install-deps installs one)";
  auto pe = load(k);
  auto expected = signed_digest(pe);
  if (!expected) GTEST_SKIP() << k << " is not signed";
  auto got = authenticode_sha256(pe);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(*got, *expected);
}

TEST(Authenticode, RefusesWhatIsNotPe) {
  std::vector<uint8_t> junk(4096, 0);
  auto r = authenticode_sha256(junk);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "kernel: not a PE image leea can hash: no MZ header");
}

TEST(QemuPatchedKernel, WritesTheBootProtocolFieldsQemuWrites) {
  auto k = test::newest_kernel();
  if (k.empty()) GTEST_SKIP() << "no /boot/vmlinuz-*";
  auto pe = load(k);
  auto p = qemu_patched_kernel(pe, 10'000'000, 512);
  ASSERT_TRUE(p) << p.error().message;
  auto u32 = [&p](size_t off) {
    uint32_t v;
    std::memcpy(&v, p->data() + off, 4);
    return v;
  };
  EXPECT_EQ((*p)[0x210], 0xB0);
  EXPECT_EQ((*p)[0x211] & 0x80, 0x80);
  EXPECT_EQ(u32(0x228), 0x20000u);
  EXPECT_EQ(u32(0x21c), 10'000'000u);
  // Below 512 MiB less the ACPI area, 4 KiB aligned.
  EXPECT_EQ(u32(0x218), ((512u << 20) - 0x28000u - 1 - 10'000'000u) & ~4095u);
  // Nothing else changes.
  size_t diff = 0;
  for (size_t i = 0; i < pe.size(); ++i) diff += pe[i] != (*p)[i];
  EXPECT_LE(diff, 14u);
}

TEST(PredictVtpmPcrs, EachInputMovesOnlyItsPcrs) {
  auto k = test::newest_kernel();
  if (k.empty()) GTEST_SKIP() << "no /boot/vmlinuz-*";
  auto kernel = load(k);
  std::vector<uint8_t> initrd(100'000, 7);
  VtpmBoot base{kernel, initrd, "console=ttyS0 panic=-1 quiet", 512};
  auto a = predict_vtpm_pcrs(base);
  ASSERT_TRUE(a) << a.error().message;
  VtpmBoot cmd = base;
  cmd.cmdline += " leea.debug=1";
  auto b = predict_vtpm_pcrs(cmd);
  ASSERT_TRUE(b);
  EXPECT_EQ(a->pcr4, b->pcr4);
  EXPECT_NE(a->pcr9, b->pcr9);
  std::vector<uint8_t> other = initrd;
  other[500] ^= 1;
  VtpmBoot byte = base;
  byte.initrd = other;
  auto c = predict_vtpm_pcrs(byte);
  ASSERT_TRUE(c);
  EXPECT_EQ(a->pcr4, c->pcr4);  // same size: QEMU writes the same header
  EXPECT_NE(a->pcr9, c->pcr9);
  VtpmBoot mem = base;
  mem.memory_mib = 1024;
  auto d = predict_vtpm_pcrs(mem);
  ASSERT_TRUE(d);
  EXPECT_NE(a->pcr4, d->pcr4);
  EXPECT_EQ(a->pcr9, d->pcr9);
  EXPECT_EQ(a->pcr7, d->pcr7);
  auto names = vtpm_reference(*a);
  EXPECT_EQ(names.size(), 3u);
  EXPECT_EQ(names.count("tpm.pcr.sha256.9"), 1u);
}

TEST(PredictVtpmPcrs, RefusesVgaWhichQemuWritesIntoTheKernel) {
  std::vector<uint8_t> none;
  auto r = predict_vtpm_pcrs({none, none, "console=ttyS0 vga=791", 512});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
}

TEST(BzimageRelease, ReadsTheVersionString) {
  auto k = test::newest_kernel();
  if (k.empty()) GTEST_SKIP() << "no /boot/vmlinuz-*";
  auto r = bzimage_release(load(k));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ("/boot/vmlinuz-" + *r, k);
}

}  // namespace
}  // namespace leea::boot
