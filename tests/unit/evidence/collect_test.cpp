#include "core/evidence/collect.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "tests/support/process.h"
#include "tests/unit/evidence/fixture_tree.h"

namespace leea::evidence {
namespace {

using test::concat;
using test::FixtureTree;
using test::sha256_tag;
using test::slice;

constexpr int64_t kNow = 1764000000;  // 2025-11-24T16:00:00Z

// Deterministic, non-zero filler so that a digest over the wrong range differs.
std::vector<uint8_t> pattern(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i * 7 + 3);
  return v;
}

void put_le(std::vector<uint8_t>& v, size_t at, uint64_t x, size_t n) {
  for (size_t i = 0; i < n; ++i) v[at + i] = static_cast<uint8_t>(x >> (8 * i));
}
void put_be(std::vector<uint8_t>& v, size_t at, uint64_t x, size_t n) {
  for (size_t i = 0; i < n; ++i) v[at + i] = static_cast<uint8_t>(x >> (8 * (n - 1 - i)));
}
void put(std::vector<uint8_t>& v, size_t at, const std::string& s) {
  std::copy(s.begin(), s.end(), v.begin() + static_cast<long>(at));
}

std::vector<uint8_t> mbr_disk() {
  auto d = pattern(64 * 1024);
  d[510] = 0x55;
  d[511] = 0xAA;
  return d;
}

// Protective MBR, GPT header at LBA 1 (UEFI 2.10 §5.3.2), 4 entries of 128 bytes at LBA 2.
std::vector<uint8_t> gpt_disk(uint32_t entry_size = 128) {
  auto d = mbr_disk();
  put(d, 512, "EFI PART");
  put_le(d, 512 + 12, 92, 4);
  put_le(d, 512 + 72, 2, 8);
  put_le(d, 512 + 80, 4, 4);
  put_le(d, 512 + 84, entry_size, 4);
  return d;
}

std::vector<uint8_t> luks(int version, uint64_t hdr_size, size_t size) {
  auto d = pattern(size);
  put(d, 0, std::string("LUKS\xba\xbe", 6));
  put_be(d, 6, static_cast<uint64_t>(version), 2);
  if (version == 2) put_be(d, 8, hdr_size, 8);
  return d;
}

CollectOptions options(const FixtureTree& t) {
  CollectOptions o;
  o.root = t.root();
  o.now = kNow;
  return o;
}

const Event& get(const Collection& c, const std::string& name) {
  const Event* e = c.log.find(name);
  if (e == nullptr) throw std::runtime_error("no event " + name);
  return *e;
}

std::vector<std::string> names_of_kind(const Collection& c, const std::string& kind) {
  std::vector<std::string> out;
  for (const auto& e : c.log.events) {
    if (e.kind == kind) out.push_back(e.name);
  }
  return out;
}

// The value event of text read from the system: digest of the text, text as value.
void expect_text(const Collection& c, const std::string& name, const std::string& text) {
  const Event& e = get(c, name);
  EXPECT_EQ(e.digest, sha256_tag(text)) << name;
  EXPECT_EQ(e.value.value_or("<none>"), text) << name;
}

TEST(CollectDisks, PartitionTablesAndLuksHeadersAreDigestsOfTheirBytes) {
  FixtureTree t;
  auto mbr = mbr_disk();
  auto gpt = gpt_disk();
  auto luks1 = luks(1, 0, 4096);
  auto luks2 = luks(2, 16384, 64 * 1024);
  t.block_device("vda", mbr);
  t.block_device("vdb", gpt);
  t.partition("vdb", "vdb1", luks1);
  t.block_device("vdc", luks2);
  auto c = collect(options(t));
  ASSERT_TRUE(c) << c.error().message;

  expect_text(*c, "disk.devices", "vda vdb vdc");
  EXPECT_EQ(get(*c, "disk.vda.partition_table").digest, sha256_tag(slice(mbr, 0, 512)));
  EXPECT_EQ(get(*c, "disk.vda.partition_table").value, "mbr");
  EXPECT_EQ(get(*c, "disk.vdb.partition_table").digest,
            sha256_tag(concat(slice(gpt, 0, 1024), slice(gpt, 1024, 4 * 128))));
  EXPECT_EQ(get(*c, "disk.vdb.partition_table").value, "gpt");
  EXPECT_EQ(get(*c, "disk.vdb1.luks_header").digest, sha256_tag(slice(luks1, 0, 592)));
  EXPECT_EQ(get(*c, "disk.vdb1.luks_header").value, "luks1");
  EXPECT_EQ(get(*c, "disk.vdc.luks_header").digest, sha256_tag(slice(luks2, 0, 2 * 16384)));
  EXPECT_EQ(get(*c, "disk.vdc.luks_header").value, "luks2");
  EXPECT_EQ(get(*c, "disk.vdc.partition_table").value, "none");
  EXPECT_EQ(c->log.find("disk.vda.luks_header"), nullptr);
}

TEST(CollectDisks, GptEntriesFollowTheLogicalBlockSize) {
  FixtureTree t;
  auto d = pattern(64 * 1024);
  put(d, 4096, "EFI PART");
  put_le(d, 4096 + 72, 2, 8);
  put_le(d, 4096 + 80, 2, 4);
  put_le(d, 4096 + 84, 256, 4);
  t.block_device("nvme0n1", d);
  t.file("/sys/block/nvme0n1/queue/logical_block_size", "4096\n");
  auto c = collect(options(t));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(get(*c, "disk.nvme0n1.partition_table").digest,
            sha256_tag(concat(slice(d, 0, 8192), slice(d, 8192, 512))));
}

TEST(CollectDisks, RealLuks2HeaderFromCryptsetupIsBothHeadersWithJsonAreas) {
  FixtureTree t;
  t.file("/sys/block/vdd/size", "65536\n");
  t.file("/dev/vdd", "");
  std::filesystem::resize_file(t.at("/dev/vdd"), 32u << 20);
  t.file("/key", "k");
  std::string cryptsetup;
  for (const char* p : {"/usr/sbin/cryptsetup", "/sbin/cryptsetup", "/usr/bin/cryptsetup"}) {
    if (cryptsetup.empty() && ::access(p, X_OK) == 0) cryptsetup = p;
  }
  if (cryptsetup.empty()) GTEST_SKIP() << "cryptsetup not installed";
  auto r = test::run({cryptsetup, "luksFormat", "--type", "luks2", "--luks2-metadata-size", "32k",
                      "--pbkdf", "pbkdf2", "--pbkdf-force-iterations", "1000", "--batch-mode",
                      "--key-file", t.at("/key").string(), t.at("/dev/vdd").string()});
  if (r.exit_code != 0) GTEST_SKIP() << "cryptsetup luksFormat unavailable: " << r.err;
  auto c = collect(options(t));
  ASSERT_TRUE(c) << c.error().message;
  // --luks2-metadata-size 32k: each of the two copies is 32 KiB (binary header + JSON).
  std::string image = test::read_file(t.at("/dev/vdd"));
  EXPECT_EQ(get(*c, "disk.vdd.luks_header").digest, sha256_tag(image.substr(0, 65536)));
  EXPECT_EQ(get(*c, "disk.vdd.luks_header").value, "luks2");
}

TEST(CollectDisks, VolatileAndEmptyDevicesAreSkippedWithANote) {
  FixtureTree t;
  t.block_device("ram0", mbr_disk());
  t.block_device("zram0", mbr_disk());
  t.block_device("loop0", {});
  t.block_device("loop1", mbr_disk());  // backed by a file: measured
  auto c = collect(options(t));
  ASSERT_TRUE(c) << c.error().message;
  expect_text(*c, "disk.devices", "loop1");
  EXPECT_NE(
      std::find(c->notes.begin(), c->notes.end(), "block device loop0 is empty (size 0): skipped"),
      c->notes.end());
}

TEST(CollectDisks, BadDevicesAreEventsThatSayWhy) {
  FixtureTree t;
  t.file("/sys/block/vdz/size", "100\n");  // no /dev node
  t.block_device("vde", pattern(300));
  t.block_device("vdf", luks(2, 12345, 64 * 1024));
  t.block_device("vdg", luks(7, 0, 4096));
  t.block_device("vdh", gpt_disk(/*entry_size=*/100));
  t.file("/sys/block/vdi/size", "100\n");
  t.link("/dev/vdi", "vdi");  // a symlink loop
  auto huge_gpt = gpt_disk();
  put_le(huge_gpt, 512 + 80, 100000, 4);  // 100000 x 128 bytes claimed
  t.block_device("vdj", huge_gpt);
  t.block_device("vdk", luks(2, 4u << 20, 64 * 1024));  // 2 x 4 MiB claimed, 64 KiB there
  t.file("/sys/block/vdk/vdk1/partition", "1\n");       // no /dev/vdk1
  auto c = collect(options(t));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(get(*c, "disk.vdz.partition_table").value, "absent");
  EXPECT_EQ(get(*c, "disk.vdz.partition_table").digest, sha256_tag(std::string("absent")));
  EXPECT_EQ(get(*c, "disk.vde.partition_table").value,
            "truncated: LBA 0 and 1 needs 1024 bytes at offset 0");
  EXPECT_EQ(get(*c, "disk.vdf.luks_header").value,
            "LUKS2 hdr_size 12345 is not 16 KiB x 2^n up to 4 MiB");
  EXPECT_EQ(get(*c, "disk.vdg.luks_header").value, "unknown LUKS version 7");
  EXPECT_EQ(get(*c, "disk.vdh.partition_table").value, "partition entry size 100 is not 128 x 2^n");
  EXPECT_EQ(get(*c, "disk.vdi.partition_table").value,
            "unreadable: Too many levels of symbolic links");
  EXPECT_EQ(get(*c, "disk.vdj.partition_table").value, "partition entry array larger than 1 MiB");
  EXPECT_EQ(get(*c, "disk.vdk.luks_header").value,
            "truncated: LUKS header needs 8388608 bytes at offset 0");
  EXPECT_EQ(c->log.find("disk.vdk1.luks_header"), nullptr);
  EXPECT_NE(std::find(c->notes.begin(), c->notes.end(),
                      "partition vdk1: /dev/vdk1 absent: no LUKS header looked for"),
            c->notes.end());
}

TEST(CollectHardware, DmiCpuAndPciAreValuesWithTheirDigests) {
  FixtureTree t;
  t.file("/sys/class/dmi/id/sys_vendor", "QEMU\n");
  t.file("/sys/class/dmi/id/product_name", "Standard PC (Q35 + ICH9, 2009)\n");
  t.file("/sys/class/dmi/id/board_vendor", "Example Inc.\n");
  t.file("/proc/cpuinfo",
         "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 9654 96-Core "
         "Processor\nflags\t\t: fpu vme sev sev_es sev_snp\n\nprocessor\t: 1\nmodel name\t: "
         "Other CPU\nflags\t\t: fpu\n\n");
  for (auto [addr, vendor, device, cls] :
       {std::tuple{"0000:00:02.0", "0x1af4", "0x1042", "0x010000"},
        std::tuple{"0000:00:01.0", "0x8086", "0x29c0", "0x060000"}}) {
    std::string dir = std::string("/sys/bus/pci/devices/") + addr + "/";
    t.file(dir + "vendor", std::string(vendor) + "\n");
    t.file(dir + "device", std::string(device) + "\n");
    t.file(dir + "class", std::string(cls) + "\n");
  }
  t.file("/sys/bus/pci/devices/0000:00:03.0/vendor", "0x1af4\n");  // device, class missing
  auto c = collect(options(t));
  ASSERT_TRUE(c) << c.error().message;
  expect_text(*c, "hardware.dmi.sys_vendor", "QEMU");
  expect_text(*c, "hardware.dmi.product_name", "Standard PC (Q35 + ICH9, 2009)");
  expect_text(*c, "hardware.dmi.board_vendor", "Example Inc.");
  expect_text(*c, "hardware.dmi.board_name", "absent");
  expect_text(*c, "hardware.cpu.model", "AMD EPYC 9654 96-Core Processor");
  expect_text(*c, "hardware.cpu.flags", "fpu vme sev sev_es sev_snp");
  expect_text(*c, "hardware.pci",
              "0000:00:01.0=8086:29c0:060000 0000:00:02.0=1af4:1042:010000 "
              "0000:00:03.0=device: absent");
  expect_text(*c, "hardware.pci.0000:00:01.0", "8086:29c0:060000");
  expect_text(*c, "hardware.pci.0000:00:03.0", "device: absent");
}

TEST(CollectHardware, OversizedAndUnprintableAttributesStayBounded) {
  FixtureTree t;
  t.file("/sys/class/dmi/id/sys_vendor", std::string(70000, 'x'));
  t.file("/sys/class/dmi/id/product_name", std::string("bad\x01name\xff", 9));
  auto c = collect(options(t));
  ASSERT_TRUE(c) << c.error().message;
  expect_text(*c, "hardware.dmi.sys_vendor", "larger than 65536 bytes");
  const Event& e = get(*c, "hardware.dmi.product_name");
  EXPECT_EQ(e.digest, sha256_tag(std::string("bad\x01name\xff", 9)));
  EXPECT_FALSE(e.value.has_value());
  EXPECT_NO_THROW((void)c->log.to_json());
}

TEST(CollectKernel, ReleaseCmdlineAndModuleFilesAsStored) {
  FixtureTree t;
  t.file("/proc/sys/kernel/osrelease", "6.1.0-27-amd64\n");
  t.file("/proc/cmdline", "root=/dev/mapper/root ro quiet\n");
  t.file("/proc/modules",
         "virtio_net 73728 0 - Live 0x0000000000000000\n"
         "dm_crypt 65536 1 - Live 0x0000000000000000\n"
         "out_of_tree 16384 0 - Live 0x0000000000000000 (O)\n");
  std::string dir = "/lib/modules/6.1.0-27-amd64/";
  t.file(dir + "modules.dep",
         "kernel/drivers/net/virtio_net.ko.xz: kernel/net/core/failover.ko.xz\n"
         "kernel/drivers/md/dm-crypt.ko.zst:\n");
  t.file(dir + "kernel/drivers/net/virtio_net.ko.xz", "xz module bytes");
  t.file(dir + "kernel/drivers/md/dm-crypt.ko.zst", "zstd module bytes");
  auto c = collect(options(t));
  ASSERT_TRUE(c) << c.error().message;
  expect_text(*c, "kernel.release", "6.1.0-27-amd64");
  expect_text(*c, "kernel.cmdline", "root=/dev/mapper/root ro quiet");
  expect_text(*c, "kernel.modules", "dm_crypt out_of_tree virtio_net");
  EXPECT_EQ(get(*c, "kernel.module.dm_crypt").digest, sha256_tag(std::string("zstd module bytes")));
  EXPECT_EQ(get(*c, "kernel.module.dm_crypt").value, "kernel/drivers/md/dm-crypt.ko.zst");
  EXPECT_EQ(get(*c, "kernel.module.virtio_net").digest, sha256_tag(std::string("xz module bytes")));
  EXPECT_EQ(get(*c, "kernel.module.out_of_tree").value, "not in modules.dep");
}

TEST(CollectKernel, MissingModulesDepAndModuleFilesAreNamed) {
  FixtureTree t;
  t.file("/proc/sys/kernel/osrelease", "6.1.0\n");
  t.file("/proc/modules", "ext4 1 0 - Live 0x0\n");
  auto c = collect(options(t));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(get(*c, "kernel.module.ext4").value, "modules.dep absent");
  t.file("/lib/modules/6.1.0/modules.dep", "kernel/fs/ext4/ext4.ko:\n");
  c = collect(options(t));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(get(*c, "kernel.module.ext4").value, "kernel/fs/ext4/ext4.ko: absent");
}

TEST(CollectDrivers, BoundDevicesAreTheLinksOfEachDriver) {
  FixtureTree t;
  t.link("/sys/bus/pci/drivers/virtio-pci/0000:00:03.0", "../../../../devices/x");
  t.link("/sys/bus/pci/drivers/virtio-pci/0000:00:02.0", "../../../../devices/y");
  t.link("/sys/bus/pci/drivers/virtio-pci/module", "../../../../module/virtio_pci");
  t.file("/sys/bus/pci/drivers/virtio-pci/bind", "");
  t.file("/sys/bus/pci/drivers/unbound/bind", "");
  t.link("/sys/bus/virtio/drivers/virtio_blk/virtio1", "../../../../devices/z");
  auto c = collect(options(t));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(names_of_kind(*c, "driver"),
            (std::vector<std::string>{"driver.bound", "driver.pci.virtio-pci",
                                      "driver.virtio.virtio_blk"}));
  expect_text(*c, "driver.bound", "pci/virtio-pci virtio/virtio_blk");
  expect_text(*c, "driver.pci.virtio-pci", "0000:00:02.0 0000:00:03.0");
}

TEST(CollectConfig, FilesAreDigestedAndProblemsAreEvents) {
  FixtureTree t;
  test::TempDir elsewhere;
  test::write_file(elsewhere / "pool.yaml", "version: 1\n");
  t.file("/etc/leea/extra.conf", "secret=1\n");
  t.file("/etc/big", std::string(2000, 'b'));
  t.link("/etc/loop", "loop");
  t.fifo("/etc/fifo");
  CollectOptions o = options(t);
  o.pool_file = elsewhere / "pool.yaml";
  o.max_file_bytes = 1000;
  o.config_files = {
      "/etc/leea/extra.conf",        "/etc/missing", "/etc/big", "/etc/loop", "/etc/fifo",
      "/etc/leea/../leea/extra.conf"};
  auto c = collect(o);
  ASSERT_TRUE(c) << c.error().message;
  const Event& extra = get(*c, "config./etc/leea/extra.conf");
  EXPECT_EQ(extra.digest, sha256_tag(std::string("secret=1\n")));
  EXPECT_FALSE(extra.value.has_value());  // config files may hold secrets
  const Event& pool = get(*c, "config." + (elsewhere / "pool.yaml").string());
  EXPECT_EQ(pool.digest, sha256_tag(std::string("version: 1\n")));
  expect_text(*c, "config./etc/missing", "absent");
  expect_text(*c, "config./etc/big", "larger than 1000 bytes");
  expect_text(*c, "config./etc/loop", "unreadable: Too many levels of symbolic links");
  expect_text(*c, "config./etc/fifo", "not a regular file");
  EXPECT_EQ(names_of_kind(*c, "config").size(), 6u);  // the duplicate path measured once
}

TEST(CollectConfig, RelativeOrUnnameablePathsAreUsageErrors) {
  FixtureTree t;
  for (std::string bad :
       {std::string("etc/relative"), std::string("/etc/with space"), "/" + std::string(130, 'a')}) {
    CollectOptions o = options(t);
    o.config_files = {bad};
    auto c = collect(o);
    ASSERT_FALSE(c) << bad;
    EXPECT_EQ(c.error().code, Errc::usage) << bad;
  }
}

// The runtime PCR holds what earlier attempts extended: measuring it would make every
// retry in the same boot collect another log.
TEST(CollectBiosTpmTime, RuntimePcrIsNotMeasured) {
  FixtureTree t;
  t.file("/sys/class/tpm/tpm0/pcr-sha256/7", std::string(64, 'a') + "\n");
  t.file("/sys/class/tpm/tpm0/pcr-sha256/15", std::string(64, 'b') + "\n");
  t.file("/sys/class/tpm/tpm0/pcr-sha1/15", std::string(40, 'c') + "\n");
  auto o = options(t);
  o.runtime_pcr = 15;
  auto c = collect(o);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(names_of_kind(*c, "tpm"), std::vector<std::string>{"tpm.pcr.sha256.7"});
}

TEST(CollectBiosTpmTime, ValuesPcrBanksAndPinnedTime) {
  FixtureTree t;
  t.file("/sys/class/dmi/id/bios_vendor", "EDK II\n");
  t.file("/sys/class/dmi/id/bios_version", "edk2-stable202302\n");
  t.file("/sys/class/dmi/id/bios_date", "02/06/2023\n");
  std::string pcr7(64, 'A');
  std::vector<uint8_t> sha1(20, 0x11);
  t.file("/sys/class/tpm/tpm0/pcr-sha256/10", std::string(64, '0') + "\n");
  t.file("/sys/class/tpm/tpm0/pcr-sha256/7", pcr7 + "\n");
  t.file("/sys/class/tpm/tpm0/pcr-sha256/2", "XYZ\n");
  t.file("/sys/class/tpm/tpm0/pcr-sha1/0", hex_encode(sha1) + "\n");
  t.file("/proc/stat", "cpu  1 2 3\nintr 0\nbtime 1763990000\nprocesses 5\n");
  auto c = collect(options(t));
  ASSERT_TRUE(c) << c.error().message;
  expect_text(*c, "bios.vendor", "EDK II");
  expect_text(*c, "bios.version", "edk2-stable202302");
  expect_text(*c, "bios.date", "02/06/2023");
  EXPECT_EQ(names_of_kind(*c, "tpm"),
            (std::vector<std::string>{"tpm.pcr.sha256.2", "tpm.pcr.sha256.7", "tpm.pcr.sha256.10",
                                      "tpm.pcr.sha1.0"}));
  EXPECT_EQ(get(*c, "tpm.pcr.sha256.7").digest, "sha256:" + std::string(64, 'a'));
  EXPECT_EQ(get(*c, "tpm.pcr.sha256.2").value, "not 64 hex digits");
  EXPECT_EQ(get(*c, "tpm.pcr.sha1.0").digest, sha256_tag(sha1));
  EXPECT_EQ(get(*c, "tpm.pcr.sha1.0").value, "sha1:" + hex_encode(sha1));
  expect_text(*c, "time.wall_clock", "2025-11-24T16:00:00Z");
  expect_text(*c, "time.boot", "2025-11-24T13:13:20Z");
  EXPECT_TRUE(is_volatile(get(*c, "time.boot")));
  EXPECT_FALSE(is_volatile(get(*c, "bios.date")));
}

TEST(CollectTpm, NoTpmMeansNoEventsAndANote) {
  FixtureTree t;
  auto c = collect(options(t));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_TRUE(names_of_kind(*c, "tpm").empty());
  EXPECT_NE(std::find(c->notes.begin(), c->notes.end(),
                      "no TPM PCR banks under /sys/class/tpm/tpm0: no tpm events"),
            c->notes.end());
}

TEST(Collect, GroupsComeInTheirOrderAndTwoCollectionsAreIdentical) {
  FixtureTree t;
  t.block_device("vdb", gpt_disk());
  t.block_device("vda", mbr_disk());
  t.file("/proc/modules", "b 1 0 - Live 0x0\na 1 0 - Live 0x0\n");
  t.link("/sys/bus/pci/drivers/d/0000:00:01.0", "x");
  t.file("/sys/class/tpm/tpm0/pcr-sha256/0", std::string(64, '0'));
  CollectOptions o = options(t);
  o.config_files = {"/etc/b", "/etc/a"};
  auto first = collect(o);
  auto second = collect(o);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->log.to_json(), second->log.to_json());
  EXPECT_EQ(first->log.digest(), second->log.digest());
  const std::vector<std::string> order = {"disk",   "hardware", "kernel", "driver",
                                          "config", "bios",     "tpm",    "time"};
  size_t last = 0;
  for (const auto& e : first->log.events) {
    size_t at = static_cast<size_t>(std::find(order.begin(), order.end(), e.kind) - order.begin());
    ASSERT_LT(at, order.size()) << e.kind;
    EXPECT_GE(at, last) << e.name;
    last = at;
  }
  EXPECT_LT(first->log.find("config./etc/a"), first->log.find("config./etc/b"));
  EXPECT_LT(first->log.find("disk.vda.partition_table"),
            first->log.find("disk.vdb.partition_table"));
  auto parsed = EventLog::from_json(first->log.to_json());
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->to_json(), first->log.to_json());
}

TEST(Collect, DirectoriesOverTheirBoundFailNamingThem) {
  FixtureTree t;
  for (int i = 0; i < 257; ++i) t.dir("/sys/block/d" + std::to_string(i));
  auto c = collect(options(t));
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, Errc::invalid_data);
  EXPECT_NE(c.error().message.find("sys/block: more than 256 entries"), std::string::npos)
      << c.error().message;
}

TEST(Collect, SymlinkLoopsInTheTreeEndInNotesOrEventsNotLoops) {
  FixtureTree t;
  t.link("/sys/bus", "bus");
  t.link("/sys/block", "block");
  t.link("/proc/cmdline", "cmdline");
  auto c = collect(options(t));
  ASSERT_TRUE(c) << c.error().message;
  expect_text(*c, "driver.bound", "");
  expect_text(*c, "kernel.cmdline", "unreadable: Too many levels of symbolic links");
  EXPECT_NE(std::find(c->notes.begin(), c->notes.end(), "no /sys/block: no disk events"),
            c->notes.end());
}

TEST(Collect, OddNamesFromTheFileSystemAreEscaped) {
  FixtureTree t;
  t.link("/sys/bus/pci/drivers/we ird/dev\ttab", "x");
  auto c = collect(options(t));
  ASSERT_TRUE(c) << c.error().message;
  expect_text(*c, "driver.pci.we%20ird", "dev%09tab");
}

}  // namespace
}  // namespace leea::evidence
