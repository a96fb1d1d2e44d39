// OVMF footer table and SEV metadata parsing (core/tee/snp/launch_ovmf.h), and the launch
// measurement of a synthetic OVMF image against digests computed by virtee/sev-snp-measure.
//
// The synthetic image is built here byte by byte from the edk2 layout (GUIDs written out as
// stored bytes, not taken from the code under test). Provenance of the expected digests:
// run this test with LEEA_SNP_SYNTHETIC_DIR=DIR to write synthetic.fd, synthetic-nohashes.fd,
// kernel.bin and initrd.bin into DIR, then in a checkout of github.com/virtee/sev-snp-measure
// at commit 8f2b337e38bc83f87cd30f3253cdfe8e3e12cc3a (v0.0.13+):
//   python3 sev-snp-measure.py --mode snp --ovmf DIR/<image> [--kernel DIR/kernel.bin
//     [--initrd DIR/initrd.bin] --append CMDLINE] --vcpus N --vcpu-type TYPE
//     --guest-features F
// with the arguments of each row of kSyntheticCases. scripts/snp-measure-compare.sh repeats
// that comparison end to end through `leea image measure`.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/tee/snp/launch_measure.h"
#include "core/tee/snp/launch_ovmf.h"
#include "core/tee/snp/launch_vmsa.h"
#include "core/util/encoding.h"
#include "tests/support/temp_dir.h"

namespace leea::tee::snp {
namespace {

using Bytes = std::vector<uint8_t>;

// GUIDs as EFI stores them (first three fields little-endian).
const Bytes kFooterGuid = {0xde, 0x82, 0xb5, 0x96, 0xb2, 0x1f, 0xf7, 0x45,
                           0xba, 0xea, 0xa3, 0x66, 0xc5, 0x5a, 0x08, 0x2d};
const Bytes kMetadataGuid = {0x66, 0x65, 0x88, 0xdc, 0x4a, 0x98, 0x98, 0x47,
                             0xa7, 0x5e, 0x55, 0x85, 0xa7, 0xbf, 0x67, 0xcc};
const Bytes kResetBlockGuid = {0xde, 0x71, 0xf7, 0x00, 0x7e, 0x1a, 0xcb, 0x4f,
                               0x89, 0x0e, 0x68, 0xc7, 0x7e, 0x2f, 0xb4, 0x4e};
const Bytes kHashTableGuid = {0x1f, 0x37, 0x55, 0x72, 0x3b, 0x3a, 0x04, 0x4b,
                              0x92, 0x7b, 0x1d, 0xa6, 0xef, 0xa8, 0xd4, 0x54};

void put(Bytes& b, size_t off, uint64_t v, size_t width) {
  for (size_t i = 0; i < width; ++i) b[off + i] = static_cast<uint8_t>(v >> (8 * i));
}
Bytes le(uint64_t v, size_t width) {
  Bytes b(width);
  put(b, 0, v, width);
  return b;
}

struct Section {
  uint32_t gpa, size, type;
};

// What the synthetic image holds; tests change one thing at a time.
struct Spec {
  size_t size = 4 * 4096;
  bool with_hashes = true;       // SNP_KERNEL_HASHES section and SEV hash table entry
  bool with_table_entry = true;  // the SEV hash table entry, when with_hashes
  uint32_t reset_eip = 0x0080b004;
  uint32_t hashes_gpa = 0x00810c00;
  std::vector<Section> sections = {{0x800000, 0x9000, 1},    {0x809000, 0x1000, 2},
                                   {0x80a000, 0x1000, 3},    {0x80b000, 0x1000, 4},
                                   {0x810000, 0x1000, 0x10}, {0x811000, 0x2000, 1}};
};

constexpr size_t kMetaOffsetFromEnd = 0x1000 - 0x100;  // "ASEV" inside the last page

// Entries are laid out [data][u16 size][GUID]; the footer entry's size covers the whole
// table. Returns the image.
Bytes build_ovmf(const Spec& s) {
  Bytes img(s.size);
  for (size_t i = 0; i < img.size(); ++i) img[i] = static_cast<uint8_t>(i * 7 + (i >> 12) + 3);
  // SEV metadata.
  std::vector<Section> sections;
  for (const Section& sec : s.sections) {
    if (s.with_hashes || sec.type != 0x10) sections.push_back(sec);
  }
  const size_t meta = img.size() - kMetaOffsetFromEnd;
  const size_t meta_size = 16 + 12 * sections.size();
  std::copy_n("ASEV", 4, img.begin() + meta);
  put(img, meta + 4, meta_size, 4);
  put(img, meta + 8, 1, 4);
  put(img, meta + 12, sections.size(), 4);
  for (size_t i = 0; i < sections.size(); ++i) {
    put(img, meta + 16 + 12 * i, sections[i].gpa, 4);
    put(img, meta + 20 + 12 * i, sections[i].size, 4);
    put(img, meta + 24 + 12 * i, sections[i].type, 4);
  }
  // Footer table, built forwards: entries then the footer entry.
  Bytes table;
  auto add = [&table](const Bytes& data, const Bytes& guid) {
    table.insert(table.end(), data.begin(), data.end());
    Bytes size = le(data.size() + 18, 2);
    table.insert(table.end(), size.begin(), size.end());
    table.insert(table.end(), guid.begin(), guid.end());
  };
  if (s.with_hashes && s.with_table_entry) {
    Bytes d = le(s.hashes_gpa, 4);
    Bytes len = le(0x400, 4);
    d.insert(d.end(), len.begin(), len.end());
    add(d, kHashTableGuid);
  }
  add(le(s.reset_eip, 4), kResetBlockGuid);
  add(le(kMetaOffsetFromEnd, 4), kMetadataGuid);
  Bytes footer_size = le(table.size() + 18, 2);
  table.insert(table.end(), footer_size.begin(), footer_size.end());
  table.insert(table.end(), kFooterGuid.begin(), kFooterGuid.end());
  std::copy(table.begin(), table.end(), img.end() - 32 - static_cast<ptrdiff_t>(table.size()));
  return img;
}

Bytes pattern(size_t n, uint8_t seed) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(seed + i * 13 + (i >> 8));
  return b;
}

std::string as_string(const Bytes& b) { return std::string(b.begin(), b.end()); }

// ---- parsing ----

TEST(SnpLaunchOvmf, ParsesTheSyntheticImage) {
  auto layout = parse_ovmf(build_ovmf(Spec{}));
  ASSERT_TRUE(layout) << layout.error().message;
  EXPECT_EQ(layout->gpa, 0x100000000u - 4 * 4096);
  EXPECT_EQ(layout->sev_es_reset_eip, 0x0080b004u);
  EXPECT_EQ(layout->hashes_table_gpa, 0x00810c00u);
  ASSERT_EQ(layout->sections.size(), 6u);
  EXPECT_EQ(layout->sections[4].type, OvmfSectionType::snp_kernel_hashes);
  EXPECT_EQ(layout->sections[4].gpa, 0x810000u);
  EXPECT_EQ(layout->sections[0].size, 0x9000u);
}

TEST(SnpLaunchOvmf, ImageWithoutHashTableHasNoTableGpa) {
  Spec s;
  s.with_hashes = false;
  auto layout = parse_ovmf(build_ovmf(s));
  ASSERT_TRUE(layout) << layout.error().message;
  EXPECT_FALSE(layout->hashes_table_gpa.has_value());
  EXPECT_EQ(layout->sections.size(), 5u);
}

struct BadImage {
  const char* name;
  std::function<void(Bytes&)> mutate;
  const char* message;  // a substring of the error
};

class SnpLaunchOvmfBad : public ::testing::TestWithParam<BadImage> {};

TEST_P(SnpLaunchOvmfBad, FailsNamingTheCheck) {
  Bytes img = build_ovmf(Spec{});
  GetParam().mutate(img);
  auto r = parse_ovmf(img);
  ASSERT_FALSE(r) << GetParam().name;
  EXPECT_EQ(r.error().code, Errc::invalid_data);
  EXPECT_NE(r.error().message.find(GetParam().message), std::string::npos) << r.error().message;
}

// Offsets in the synthetic image: the footer entry header starts 50 bytes before the end;
// the table, from its start: hash table entry (26), reset block (22), metadata (22).
constexpr size_t kFooter = 4 * 4096 - 50;
constexpr size_t kMetadataEntryHeader = kFooter - 18;    // its u16 size
constexpr size_t kResetEntryHeader = kFooter - 22 - 18;  // its u16 size
constexpr size_t kMeta = 4 * 4096 - kMetaOffsetFromEnd;  // "ASEV"

const BadImage kBadImages[] = {
    {"empty", [](Bytes& b) { b.clear(); }, "size 0 is not a whole number of 4096-byte pages"},
    {"half page", [](Bytes& b) { b.resize(2048); }, "size 2048 is not"},
    {"not whole pages", [](Bytes& b) { b.push_back(0); }, "size 16385 is not"},
    {"too large", [](Bytes& b) { b.resize(kMaxOvmfSize + 4096); }, "is not a whole number"},
    {"no footer GUID", [](Bytes& b) { b[kFooter + 2] ^= 1; }, "no OVMF footer table"},
    {"footer size too small", [](Bytes& b) { put(b, kFooter, 17, 2); }, "size 17 out of range"},
    {"footer size too large", [](Bytes& b) { put(b, kFooter, 0xffff, 2); },
     "size 65535 out of range"},
    {"entry size too small", [](Bytes& b) { put(b, kMetadataEntryHeader, 3, 2); },
     "entry 0 has size 3 out of range"},
    {"entry size too large", [](Bytes& b) { put(b, kMetadataEntryHeader, 200, 2); },
     "entry 0 has size 200 out of range"},
    {"leftover bytes", [](Bytes& b) { put(b, kFooter, 70 + 18 + 3, 2); }, "3 bytes left over"},
    {"duplicate GUID",
     [](Bytes& b) {
       std::copy(kMetadataGuid.begin(), kMetadataGuid.end(), &b[kResetEntryHeader + 2]);
     },
     "entry 1 repeats a GUID"},
    {"no metadata entry", [](Bytes& b) { b[kMetadataEntryHeader + 2] ^= 1; },
     "no SEV metadata entry"},
    {"no reset block entry", [](Bytes& b) { b[kResetEntryHeader + 2] ^= 1; },
     "no SEV-ES reset block entry"},
    {"metadata offset beyond image", [](Bytes& b) { put(b, kMetadataEntryHeader - 4, 0x10000, 4); },
     "offset 0x10000 from the end out of range"},
    {"metadata signature", [](Bytes& b) { b[kMeta] = 'B'; }, "signature is not \"ASEV\""},
    {"metadata version", [](Bytes& b) { put(b, kMeta + 8, 2, 4); }, "version 2 is not 1"},
    {"metadata size beyond image", [](Bytes& b) { put(b, kMeta + 4, 0x1000, 4); },
     "size 4096 out of range"},
    {"count beyond size", [](Bytes& b) { put(b, kMeta + 12, 7, 4); },
     "7 sections do not fit its size 88"},
    {"count huge", [](Bytes& b) { put(b, kMeta + 12, 0xffffffff, 4); },
     "4294967295 sections do not fit"},
    {"unknown section type", [](Bytes& b) { put(b, kMeta + 16 + 12 * 2 + 8, 9, 4); },
     "section 2: unknown type 0x9"},
    {"unaligned section gpa", [](Bytes& b) { put(b, kMeta + 16 + 12 * 1, 0x809010, 4); },
     "section 1 (SNP_SECRETS): gpa 0x809010 size 0x1000 not page-aligned"},
    {"unaligned section size", [](Bytes& b) { put(b, kMeta + 16 + 4, 0x9001, 4); },
     "section 0 (SNP_SEC_MEMORY): gpa 0x800000 size 0x9001 not page-aligned"},
    {"section above 4 GiB", [](Bytes& b) { put(b, kMeta + 16, 0xfffff000, 4); },
     "ends above 4 GiB"},
    {"sections too large", [](Bytes& b) { put(b, kMeta + 16 + 4, 0x20000000, 4); },
     "sections cover more than"},
};

INSTANTIATE_TEST_SUITE_P(All, SnpLaunchOvmfBad, ::testing::ValuesIn(kBadImages), [](const auto& p) {
  std::string n = p.param.name;
  for (char& c : n) {
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return n;
});

// ---- measurement of the synthetic image, against sev-snp-measure ----

struct Case {
  const char* name;
  bool with_hashes;
  bool kernel, initrd;
  const char* cmdline;
  uint32_t vcpus;
  const char* vcpu_type;
  uint64_t guest_features;
  const char* expected;  // sev-snp-measure's hex output
};

const Case kSyntheticCases[] = {
    {"kernel_initrd_cmdline_1_epyc_v4", true, true, true, "console=ttyS0 root=/dev/vda1 ro", 1,
     "EPYC-v4", 0x1,
     "60a1b1172dda8886ade86ed8c28f9b7e9c0790ad05e9d681"
     "8cedb64583542de8aa5063b8eeff36ce57e1f5112ebaede5"},
    {"kernel_initrd_cmdline_4_milan", true, true, true, "console=ttyS0 root=/dev/vda1 ro", 4,
     "EPYC-Milan", 0x21,
     "990a0485892dcc5e11e4bb427e98facc877944dbeb3f0249"
     "92fcce2e9ea23c4df297aad9492a0d30e1c0dcc2d796b5f4"},
    {"kernel_only_2_genoa", true, true, false, "", 2, "EPYC-Genoa", 0x21,
     "a1097dff1af37f292f7339b0230bfb9f9769c3303317b513"
     "e73f45b2df12ac668e228f62acdbd01d72d2ad300c5a7c41"},
    {"no_kernel_1_epyc", true, false, false, "", 1, "EPYC", 0x1,
     "f67b380abd125cc5b83a5f3af6df43d34dc7b9645a983ec1"
     "84c42db09430cc089b6d8d83a5b344777dc690c8ee5ede8a"},
    {"no_hashes_section_no_kernel_3_rome", false, false, false, "", 3, "EPYC-Rome", 0x1,
     "558630621762db2e07daae2a3e69984cfcbb6f76477d5d5a"
     "ed3fa08af6aad0904c055415dd4c453ea481bebb7253911f"},
};

class SnpLaunchSynthetic : public ::testing::TestWithParam<Case> {};

TEST_P(SnpLaunchSynthetic, MatchesSevSnpMeasure) {
  const Case& c = GetParam();
  test::TempDir tmp;
  std::filesystem::path dir = tmp.path();
  if (const char* keep = std::getenv("LEEA_SNP_SYNTHETIC_DIR")) dir = keep;
  Spec spec;
  test::write_file(dir / "synthetic.fd", as_string(build_ovmf(spec)));
  spec.with_hashes = false;
  test::write_file(dir / "synthetic-nohashes.fd", as_string(build_ovmf(spec)));
  test::write_file(dir / "kernel.bin", as_string(pattern(10000, 1)));
  test::write_file(dir / "initrd.bin", as_string(pattern(3000, 2)));

  LaunchFiles f;
  f.ovmf = dir / (c.with_hashes ? "synthetic.fd" : "synthetic-nohashes.fd");
  if (c.kernel) f.kernel = dir / "kernel.bin";
  if (c.initrd) f.initrd = dir / "initrd.bin";
  f.cmdline = c.cmdline;
  auto sig = vcpu_type_signature(c.vcpu_type);
  ASSERT_TRUE(sig);
  auto m = measure_launch_files(f, {c.vcpus, *sig, c.guest_features});
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(hex_encode(*m), c.expected);
}

INSTANTIATE_TEST_SUITE_P(All, SnpLaunchSynthetic, ::testing::ValuesIn(kSyntheticCases),
                         [](const auto& p) { return std::string(p.param.name); });

// ---- images that cannot measure what is asked ----

Result<Measurement> measure_image(const Spec& spec, bool kernel, uint32_t vcpus = 1) {
  std::optional<KernelHashes> h;
  if (kernel) h = hash_kernel_inputs(pattern(100, 1), {}, "");
  return compute_launch_measurement(build_ovmf(spec), h, {vcpus, 0x800f12, 0x1});
}

void expect_error(const Result<Measurement>& r, const std::string& message) {
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_data);
  EXPECT_EQ(r.error().message, message);
}

TEST(SnpLaunchMeasureImage, RefusesAKernelWithoutHashesSection) {
  Spec s;
  s.with_hashes = false;
  ASSERT_TRUE(measure_image(s, false));
  expect_error(measure_image(s, true),
               "a kernel was given but the OVMF SEV metadata has no SNP_KERNEL_HASHES section: "
               "this OVMF build cannot measure a direct kernel boot (use the AmdSev build)");
}

TEST(SnpLaunchMeasureImage, RefusesAKernelWithoutHashTableEntry) {
  Spec s;
  s.with_table_entry = false;
  ASSERT_TRUE(measure_image(s, false)) << "without a kernel the section is zero pages";
  expect_error(measure_image(s, true),
               "a kernel was given but the OVMF footer table has no SEV hash table entry (GUID "
               "7255371f-3a3b-4b04-927b-1da6efa8d454)");
}

TEST(SnpLaunchMeasureImage, RefusesAHashTableOutsideItsSection) {
  Spec s;
  s.hashes_gpa = 0x810f80;  // 176 bytes from 0xf80 cross the page end
  expect_error(measure_image(s, true),
               "SEV hash table at 0x810f80 does not fit in the SNP_KERNEL_HASHES section at "
               "0x810000");
  s.hashes_gpa = 0x80fc00;
  expect_error(measure_image(s, true),
               "SEV hash table at 0x80fc00 does not fit in the SNP_KERNEL_HASHES section at "
               "0x810000");
}

TEST(SnpLaunchMeasureImage, RefusesAHashesSectionOfMoreThanAPage) {
  Spec s;
  s.sections[4].size = 0x2000;
  expect_error(measure_image(s, true), "SNP_KERNEL_HASHES section is 0x2000 bytes, not one page");
}

TEST(SnpLaunchMeasureImage, RefusesApsWithoutAnApResetVector) {
  Spec s;
  s.reset_eip = 0;
  ASSERT_TRUE(measure_image(s, false, 1));
  expect_error(measure_image(s, false, 2),
               "the OVMF SEV-ES reset block gives no AP reset vector, so only 1 vCPU can start");
}

TEST(SnpLaunchMeasureImage, EveryInputChangesTheMeasurement) {
  const Bytes img = build_ovmf(Spec{});
  const KernelHashes h = hash_kernel_inputs(pattern(100, 1), pattern(50, 2), "ro");
  const LaunchConfig c{2, 0x800f12, 0x1};
  const Measurement base = *compute_launch_measurement(img, h, c);
  KernelHashes h2 = hash_kernel_inputs(pattern(100, 1), pattern(50, 2), "rw");
  EXPECT_NE(*compute_launch_measurement(img, h2, c), base);
  EXPECT_NE(*compute_launch_measurement(img, std::nullopt, c), base);
  EXPECT_NE(*compute_launch_measurement(img, h, {3, 0x800f12, 0x1}), base);
  EXPECT_NE(*compute_launch_measurement(img, h, {2, 0xa00f11, 0x1}), base);
  EXPECT_NE(*compute_launch_measurement(img, h, {2, 0x800f12, 0x21}), base);
  Bytes img2 = img;
  img2[5] ^= 1;
  EXPECT_NE(*compute_launch_measurement(img2, h, c), base);
}

}  // namespace
}  // namespace leea::tee::snp
