// leea vm launch --dry-run (the exact command lines, for every --tee) and leea initramfs
// build (reproducible, with what the boot needs).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/kernel.h"
#include "tests/support/process.h"
#include "tests/support/swtpm.h"
#include "tests/support/temp_dir.h"

namespace leea::test {
namespace {

const std::vector<std::string> kBase = {"vm",         "launch",       "--kernel",
                                        "/k/vmlinuz", "--initrd",     "/k/initrd.img",
                                        "--disk",     "/d/root.luks", "--dry-run"};

std::vector<std::string> with(std::vector<std::string> more) {
  std::vector<std::string> a = kBase;
  a.insert(a.end(), more.begin(), more.end());
  return a;
}

TEST(VmLaunchDryRun, SnpCommandLine) {
  auto r = leea(with({"--tee", "snp", "--firmware", "/fw/OVMF.amdsev.fd", "--order", "web",
                      "--memory", "2048", "--cpus", "2"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "qemu-system-x86_64 -nodefaults -no-user-config -display none -serial stdio "
            "-no-reboot -machine q35,confidential-guest-support=sev0,memory-backend=ram1 -accel "
            "kvm -cpu EPYC-v4 -m 2048M -smp 2 -object "
            "memory-backend-memfd,id=ram1,size=2048M,share=true,prealloc=false -object "
            "sev-snp-guest,id=sev0,cbitpos=51,reduced-phys-bits=1,kernel-hashes=on,host-data="
            "S15X9usvQrkDmz0eE5KSlfIxdJxRDL40HNaANtmvl+I= -bios /fw/OVMF.amdsev.fd -kernel "
            "/k/vmlinuz -initrd /k/initrd.img -append 'console=ttyS0 panic=-1 quiet' -drive "
            "file=/d/root.luks,if=none,id=disk0,format=raw -device virtio-blk-pci,drive=disk0 "
            "-netdev user,id=net0,restrict=on -device virtio-net-pci,netdev=net0,romfile=\n");
}

TEST(VmLaunchDryRun, TdxCommandLine) {
  auto r = leea(with({"--tee", "tdx", "--firmware", "/fw/OVMF.tdx.fd", "--order", "web"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "qemu-system-x86_64 -nodefaults -no-user-config -display none -serial stdio "
            "-no-reboot -machine q35,kernel-irqchip=split,confidential-guest-support=tdx0 -accel "
            "kvm -cpu host -m 512M -smp 1 -object "
            "'{\"qom-type\":\"tdx-guest\",\"id\":\"tdx0\",\"mrconfigid\":"
            "\"S15X9usvQrkDmz0eE5KSlfIxdJxRDL40HNaANtmvl+IAAAAAAAAAAAAAAAAAAAAA\"}' -bios "
            "/fw/OVMF.tdx.fd -kernel /k/vmlinuz -initrd /k/initrd.img -append 'console=ttyS0 "
            "panic=-1 quiet' -drive file=/d/root.luks,if=none,id=disk0,format=raw -device "
            "virtio-blk-pci,drive=disk0 -netdev user,id=net0,restrict=on -device "
            "virtio-net-pci,netdev=net0,romfile=\n");
}

TEST(VmLaunchDryRun, NoneStartsSwtpmFirstAndJsonHasBothArgv) {
  auto r = leea(with({"--json"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["tee"], "none");
  EXPECT_EQ(j["swtpm"][0], "swtpm");
  auto q = j["qemu"].dump();
  EXPECT_NE(q.find("tpm-crb,tpmdev=tpm0"), std::string::npos);
  EXPECT_NE(q.find("if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd"),
            std::string::npos);
}

TEST(VmLaunchDryRun, ConfidentialTeesNeedFirmwareAndOrder) {
  auto r = leea(with({"--tee", "snp", "--order", "web"}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "leea: error: vm launch: --tee snp needs --firmware (the AMD SEV OVMF build image)\n");
  r = leea(with({"--tee", "tdx", "--firmware", "/fw/x.fd"}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("need --order"), std::string::npos) << r.err;
  r = leea(with({"--tee", "sev"}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "leea: error: vm launch: --tee 'sev' is not none, snp or tdx\n");
}

// This machine's QEMU is older than SNP and TDX need: a real launch refuses and says why.
TEST(VmLaunch, RefusesSnpWithoutSupport) {
  if (!have_program("qemu-system-x86_64")) GTEST_SKIP() << "qemu-system-x86 not installed";
  auto r = leea({"vm", "launch", "--tee", "snp", "--firmware", "/fw/x.fd", "--order", "web",
                 "--kernel", "/k/vmlinuz", "--initrd", "/k/i", "--disk", "/d/r"});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("SEV-SNP guests need"), std::string::npos) << r.err;
}

TEST(InitramfsBuild, SameInputsGiveTheSameBytes) {
#ifdef LEEA_SANITIZED
  GTEST_SKIP() << "the sanitized leea binary is larger than the 256 MiB an initramfs takes";
#endif
  auto kernel = newest_kernel();
  if (kernel.empty()) GTEST_SKIP() << "no /boot/vmlinuz-* (linux-image-amd64)";
  if (!std::filesystem::exists("/bin/busybox")) GTEST_SKIP() << "busybox-static not installed";
  TempDir d;
  write_file(d / "pool.yaml",
             read_file(std::string(LEEA_SOURCE_DIR) + "/configs/pool.example.yaml"));
  std::string json_a, json_b;
  for (const char* name : {"a.img", "b.img"}) {
    auto r = leea({"initramfs", "build", "--kernel", kernel, "--pool", (d / "pool.yaml").string(),
                   "--order", "web", "-o", (d / name).string(), "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    (name[0] == 'a' ? json_a : json_b) = r.out;
  }
  EXPECT_EQ(read_file(d / "a.img"), read_file(d / "b.img"));
  auto j = nlohmann::json::parse(json_a);
  EXPECT_EQ(j["digest"], nlohmann::json::parse(json_b)["digest"]);
  // What the boot needs is in it.
  auto modules = j["modules"].dump();
  for (const char* m : {"dm-crypt.ko", "dm-mod.ko", "xts.ko", "ecb.ko", "virtio_blk.ko",
                        "virtio_net.ko", "ext4.ko", "jbd2.ko"}) {
    EXPECT_NE(modules.find(m), std::string::npos) << m;
  }
  auto libs = j["libraries"].dump();
  for (const char* l : {"libcryptsetup.so", "libssl.so", "libtss2-esys.so",
                        "libtss2-tcti-device.so", "ld-linux-x86-64.so.2"}) {
    EXPECT_NE(libs.find(l), std::string::npos) << l;
  }
  // An existing output is kept unless --force.
  auto again = leea({"initramfs", "build", "--kernel", kernel, "--pool", (d / "pool.yaml").string(),
                     "--order", "web", "-o", (d / "a.img").string()});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already exists (use --force to replace)"), std::string::npos);
}

TEST(InitramfsBuild, ListsTheGuestsPoolAndOrder) {
#ifdef LEEA_SANITIZED
  GTEST_SKIP() << "the sanitized leea binary is larger than the 256 MiB an initramfs takes";
#endif
  auto kernel = newest_kernel();
  if (kernel.empty()) GTEST_SKIP() << "no /boot/vmlinuz-* (linux-image-amd64)";
  if (!have_program("cpio")) GTEST_SKIP() << "cpio not installed";
  TempDir d;
  write_file(d / "pool.yaml",
             read_file(std::string(LEEA_SOURCE_DIR) + "/configs/pool.example.yaml"));
  auto r = leea({"initramfs", "build", "--kernel", kernel, "--pool", (d / "pool.yaml").string(),
                 "--order", "web", "--compress", "none", "-o", (d / "i.cpio").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::filesystem::create_directories(d / "x");
  auto x = run_with_stdin_file(
      {"/bin/sh", "-c", "cd '" + (d / "x").string() + "' && cpio -id --quiet"}, d / "i.cpio");
  ASSERT_EQ(x.exit_code, 0) << x.err;
  EXPECT_EQ(read_file(d / "x/etc/leea/order"), "web\n");
  EXPECT_EQ(read_file(d / "x/etc/leea/tee"), "tpm\n");
  auto pool = read_file(d / "x/etc/leea/pool.yaml");
  EXPECT_NE(pool.find("url: https://10.0.2.100:44300"), std::string::npos) << pool;
  EXPECT_EQ(pool.find("127.0.0.1"), std::string::npos) << pool;
  EXPECT_EQ(read_file(d / "x/init"), read_file(std::string(LEEA_SOURCE_DIR) + "/initramfs/init"));
}

}  // namespace
}  // namespace leea::test
