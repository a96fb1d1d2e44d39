// The launch measurement of real OVMF images and of sev-snp-measure's published examples,
// the SEV hashes table, and the errors of the file-level entry point (launch_measure.h).
//
// Provenance of the expected digests:
// - Debian 12 OVMF (package ovmf 2022.11-6+deb12u2, files pinned by SHA-256 below): OVMF.fd
//   and OVMF_CODE.fd carry SEV-SNP metadata but no SNP_KERNEL_HASHES section, so they are
//   measured without a direct kernel boot; OVMF_CODE_4M.fd has no SEV metadata at all. Values from
//   virtee/sev-snp-measure at commit 8f2b337e38bc83f87cd30f3253cdfe8e3e12cc3a:
//     python3 sev-snp-measure.py --mode snp --ovmf FILE --vcpus N --vcpu-type TYPE
//       [--guest-features F]
//   and, with --kernel, it fails as leea does ("doesn't include SNP_KERNEL_HASHES").
// - Published examples: sev-snp-measure's tests/test_guest.py at the same commit (QEMU
//   cases), over its tests/fixtures/ovmf_*_suffix.bin. Those binaries are not copied here;
//   the test runs when LEEA_SEV_SNP_MEASURE_DIR names a checkout of that repository.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "core/crypto/digest.h"
#include "core/tee/snp/launch_measure.h"
#include "core/tee/snp/launch_vmsa.h"
#include "core/util/encoding.h"
#include "core/util/files.h"
#include "tests/support/temp_dir.h"

namespace leea::tee::snp {
namespace {

std::string measure_hex(const LaunchFiles& f, uint32_t vcpus, const char* type, uint64_t features) {
  auto sig = vcpu_type_signature(type);
  EXPECT_TRUE(sig);
  auto m = measure_launch_files(f, {vcpus, sig ? *sig : 0, features});
  EXPECT_TRUE(m) << m.error().message;
  return m ? hex_encode(*m) : m.error().message;
}

// ---- Debian's OVMF ----

struct DebianCase {
  const char* path;
  const char* sha256;
  uint32_t vcpus;
  const char* vcpu_type;
  uint64_t features;
  const char* expected;
};

const DebianCase kDebian[] = {
    {"/usr/share/ovmf/OVMF.fd", "7b456907dd0786d415999e801a1ac4637b8ed4d7cf5378cfc6edbe5e574dd773",
     1, "EPYC-v4", 0x1,
     "11570979c77a0adb515761a702527c8b9e11554e730552621d950988613a3a75c6ff1703f540bd22a9beede8fe7a9"
     "7e3"},
    {"/usr/share/ovmf/OVMF.fd", "7b456907dd0786d415999e801a1ac4637b8ed4d7cf5378cfc6edbe5e574dd773",
     2, "EPYC-Milan", 0x21,
     "5b3db052ccc5855965bddaedae87d1a3d1f3728bb93bc12f4eb86e07e842b7bdaa77e56f97c28eb52fdd93eb25e72"
     "305"},
    {"/usr/share/OVMF/OVMF_CODE.fd",
     "d9b568def24088c92f34b5479e0ed7e44d0a4d4cea8a0f5716719180bba48106", 1, "EPYC-v4", 0x1,
     "a479327cbb0b50e876024c2dac7412d4e5e95c7315c1f8b0446f6d3be69fefba50766285475926737e4a70b155252"
     "f88"},
};

// Skips unless path is the pinned build; returns false then.
bool have_pinned(const char* path, const char* sha256) {
  auto bytes = read_file(path, size_t{64} << 20);
  if (!bytes) return false;
  return hex_encode(crypto::sha256(*bytes)) == sha256;
}

class SnpLaunchDebianOvmf : public ::testing::TestWithParam<DebianCase> {};

TEST_P(SnpLaunchDebianOvmf, MatchesSevSnpMeasure) {
  const DebianCase& c = GetParam();
  if (!have_pinned(c.path, c.sha256)) {
    GTEST_SKIP() << c.path << " is missing or not the build of ovmf 2022.11-6+deb12u2";
  }
  EXPECT_EQ(measure_hex({c.path, {}, {}, {}}, c.vcpus, c.vcpu_type, c.features), c.expected);
}

INSTANTIATE_TEST_SUITE_P(Pinned, SnpLaunchDebianOvmf, ::testing::ValuesIn(kDebian));

TEST(SnpLaunchDebianOvmf, RefusesADirectKernelBootWithoutTheHashesSection) {
  const DebianCase& c = kDebian[0];
  if (!have_pinned(c.path, c.sha256)) {
    GTEST_SKIP() << c.path << " is missing or not the build of ovmf 2022.11-6+deb12u2";
  }
  test::TempDir tmp;
  test::write_file(tmp / "vmlinuz", "kernel");
  auto m = measure_launch_files({c.path, tmp / "vmlinuz", {}, "console=ttyS0"}, {1, 0x800f12});
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, Errc::invalid_data);
  EXPECT_EQ(m.error().message,
            "ovmf: /usr/share/ovmf/OVMF.fd: a kernel was given but the OVMF SEV metadata has no "
            "SNP_KERNEL_HASHES section: this OVMF build cannot measure a direct kernel boot (use "
            "the AmdSev build)");
}

// Debian's 4 MiB build has a footer table (SEV-ES reset block, SEV hash table) but no SEV
// metadata entry: it cannot set up an SNP guest's secrets and CPUID pages. sev-snp-measure
// silently measures it as if it had no sections; leea refuses it by name.
TEST(SnpLaunchDebianOvmf, RefusesTheBuildWithoutSevMetadata) {
  const char* path = "/usr/share/OVMF/OVMF_CODE_4M.fd";
  if (!have_pinned(path, "b157d97b1f69729514feb7f201d2cbe4957f23ab77920e361fe9f822ba49ca4c")) {
    GTEST_SKIP() << path << " is missing or not the build of ovmf 2022.11-6+deb12u2";
  }
  auto m = measure_launch_files({path, {}, {}, {}}, {1, 0x800f12});
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().message,
            "ovmf: /usr/share/OVMF/OVMF_CODE_4M.fd: OVMF footer table has no SEV metadata entry "
            "(GUID dc886566-984a-4798-a75e-5585a7bf67cc): not an SEV-SNP capable OVMF build");
}

// ---- sev-snp-measure's published examples ----

struct Published {
  const char* test;  // the name in tests/test_guest.py
  const char* fixture;
  bool kernel;  // kernel and initrd /dev/null
  const char* append;
  uint32_t vcpus;
  uint64_t features;
  const char* expected;
};

const Published kPublished[] = {
    {"test_snp_default", "ovmf_AmdSev_suffix.bin", true, "console=ttyS0 loglevel=7", 1, 0x21,
     "803f691094946e42068aaa3a8f9e26a5c89f36f7b73ecfb28c653360fe4b3aba7e534442e7e1e17895dfe778d0228"
     "977"},
    {"test_snp_guest_feature_snp_only", "ovmf_AmdSev_suffix.bin", true, "console=ttyS0 loglevel=7",
     1, 0x1,
     "6d287813eb5222d770f75005c664e34c204f385ce832cc2ce7d0d6f354454362f390ef83a92046c042e706363b4b0"
     "8fa"},
    {"test_snp_without_kernel_default", "ovmf_AmdSev_suffix.bin", false, "", 1, 0x21,
     "e1e1ca029dd7973ab9513295be68198472dcd4fc834bd9af9b63f6e8a1674dbf281a9278a4a2ebe0eed9f22adbcd0"
     "e2b"},
    {"test_snp_without_kernel_feature_snp_only", "ovmf_AmdSev_suffix.bin", false, "", 1, 0x1,
     "19358ba9a7615534a9a1e2f0dfc29384dcd4dcb7062ff9c6013b26869a5fc6ecabe033c48dd6f6db5d6d76e7c5df6"
     "32d"},
    {"test_snp_with_multiple_vcpus_default", "ovmf_AmdSev_suffix.bin", true, "", 4, 0x21,
     "4953b1fb416fa874980e8442b3706d345926d5f38879134e00813c5d7abcbe78eafe7b422907be0b4698e2414a631"
     "942"},
    {"test_snp_with_multiple_vcpus_feature_snp_only", "ovmf_AmdSev_suffix.bin", true, "", 4, 0x1,
     "5061fffb019493a903613d56d54b94912a1a2f9e4502385f5c194616753720a92441310ba6c4933de877c36e23046"
     "ad5"},
    {"test_snp_with_ovmfx64_without_default", "ovmf_OvmfX64_suffix.bin", false, "", 1, 0x21,
     "28797ae0afaba4005a81e629acebfb59e6687949d6be44007cd5506823b0dd66f146aaae26ff291eed7b493d8a64c"
     "385"},
    {"test_snp_with_ovmfx64_without_kernel_feature_snp_only", "ovmf_OvmfX64_suffix.bin", false, "",
     1, 0x1,
     "da0296de8193586a5512078dcd719eccecbd87e2b825ad4148c44f665dc87df21e5b49e21523a9ad993afdb6a30b4"
     "005"},
};

class SnpLaunchPublished : public ::testing::TestWithParam<Published> {};

TEST_P(SnpLaunchPublished, MatchesSevSnpMeasureTests) {
  const char* dir = std::getenv("LEEA_SEV_SNP_MEASURE_DIR");
  if (dir == nullptr || !std::filesystem::exists(std::filesystem::path(dir) / "tests/fixtures")) {
    GTEST_SKIP() << "set LEEA_SEV_SNP_MEASURE_DIR to a checkout of virtee/sev-snp-measure";
  }
  const Published& c = GetParam();
  LaunchFiles f{std::filesystem::path(dir) / "tests/fixtures" / c.fixture, {}, {}, {}};
  if (c.kernel) {
    f.kernel = "/dev/null";
    f.initrd = "/dev/null";
    f.cmdline = c.append;
  }
  EXPECT_EQ(measure_hex(f, c.vcpus, "EPYC-v4", c.features), c.expected) << c.test;
}

INSTANTIATE_TEST_SUITE_P(TestGuestPy, SnpLaunchPublished, ::testing::ValuesIn(kPublished),
                         [](const auto& p) { return std::string(p.param.test); });

// ---- the SEV hashes table ----

TEST(SnpLaunchHashesTable, LaysOutQemusPaddedSevHashTable) {
  const std::string cmdline = "console=ttyS0";
  KernelHashes h = hash_kernel_inputs({}, {}, cmdline);
  auto t = sev_hashes_table(h);
  // QEMU target/i386/sev.c: GUID, u16 length = sizeof(SevHashTable) = 16 + 2 + 3 * 50.
  EXPECT_EQ(hex_encode(std::span(t).first(18)), "06d63894224fc94cb479a793d411fd21a800");
  // First entry: the command line, hashed with its NUL.
  EXPECT_EQ(hex_encode(std::span(t).subspan(18, 18)), "d82dd09720bd944caa78e7714d36ab2a3200");
  EXPECT_EQ(hex_encode(std::span(t).subspan(36, 32)),
            hex_encode(crypto::sha256(std::string_view("console=ttyS0\0", 14))));
  EXPECT_EQ(hex_encode(std::span(t).subspan(68, 16)), "31f7ba442f3ad74b9af141e29169781d");
  EXPECT_EQ(hex_encode(std::span(t).subspan(86, 32)), hex_encode(crypto::sha256("")));
  EXPECT_EQ(hex_encode(std::span(t).subspan(118, 16)), "3794e74dd2ab7f42b835d5b172d2045b");
  EXPECT_TRUE(std::all_of(t.begin() + 168, t.end(), [](uint8_t b) { return b == 0; }));
}

// ---- bad input ----

Result<Measurement> measure(const LaunchFiles& f, uint32_t vcpus = 1) {
  return measure_launch_files(f, {vcpus, 0x800f12, 0x1});
}

TEST(SnpLaunchMeasureInput, NamesAMissingFile) {
  test::TempDir tmp;
  test::write_file(tmp / "k", "k");
  auto r = measure({tmp / "nope.fd", {}, {}, {}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "ovmf: " + (tmp / "nope.fd").string() + ": No such file or directory");
  r = measure({tmp / "k", tmp / "nokernel", {}, {}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "kernel: " + (tmp / "nokernel").string() + ": No such file or directory");
  r = measure({tmp / "k", tmp / "k", tmp / "noinitrd", {}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "initrd: " + (tmp / "noinitrd").string() + ": No such file or directory");
  r = measure({tmp / "k", tmp.path(), {}, {}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "kernel: " + tmp.path().string() + ": Is a directory");
}

TEST(SnpLaunchMeasureInput, RefusesAnOvmfTooSmallOrWithoutFooter) {
  test::TempDir tmp;
  test::write_file(tmp / "small.fd", std::string(100, 'x'));
  auto r = measure({tmp / "small.fd", {}, {}, {}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "ovmf: " + (tmp / "small.fd").string() +
                ": size 100 is not a whole number of 4096-byte pages from 4096 to 67108864");
  test::write_file(tmp / "plain.fd", std::string(8192, 'x'));
  r = measure({tmp / "plain.fd", {}, {}, {}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "ovmf: " + (tmp / "plain.fd").string() +
                ": no OVMF footer table (GUID 96b582de-1fb2-45f7-baea-a366c55a082d 50 bytes before "
                "the end): not an SEV-capable OVMF build");
}

TEST(SnpLaunchMeasureInput, RefusesVcpusOutOfRange) {
  test::TempDir tmp;
  for (uint32_t n : {0u, kMaxVcpus + 1}) {
    auto r = measure({tmp / "any.fd", {}, {}, {}}, n);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::invalid_argument);
    EXPECT_EQ(r.error().message, "vcpus: " + std::to_string(n) + " is not from 1 to 4096");
  }
}

TEST(SnpLaunchMeasureInput, RefusesInitrdOrCmdlineWithoutKernel) {
  auto r = measure({"ovmf.fd", {}, "initrd", {}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "an initrd or a cmdline needs a kernel");
  EXPECT_FALSE(measure({"ovmf.fd", {}, {}, "console=ttyS0"}));
}

TEST(SnpLaunchMeasureInput, RefusesACmdlineWithANulOrTooLong) {
  auto r = measure({"ovmf.fd", "vmlinuz", {}, std::string("a\0b", 3)});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "cmdline: contains a NUL byte");
  r = measure({"ovmf.fd", "vmlinuz", {}, std::string(kMaxCmdlineBytes + 1, 'a')});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "cmdline: longer than 65536 bytes");
}

}  // namespace
}  // namespace leea::tee::snp
