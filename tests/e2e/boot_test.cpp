// End to end: real QEMU (TCG where KVM cannot boot), OVMF, a swtpm vTPM, the Debian kernel
// with leea's initramfs, and a pool of five validators on 127.0.0.1 that the guest reaches
// through QEMU user networking. One pool, kernel, initramfs and image serve every test (the
// binary runs as one ctest entry so the setup is made once); each boot is a fresh VM.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <sstream>
#include <thread>

#include "core/crypto/digest.h"
#include "core/util/encoding.h"
#include "tests/integration/pool_fixture.h"
#include "tests/support/kernel.h"
#include "tests/support/process.h"
#include "tests/support/swtpm.h"
#include "tests/support/temp_dir.h"

namespace leea::test {
namespace {

namespace fs = std::filesystem;

const char* kOvmf = "/usr/share/OVMF/OVMF_CODE_4M.fd";
const char* kCmdline = "console=ttyS0 panic=-1 quiet";

// Why this machine cannot run the boot tests, or empty.
std::string missing_parts() {
  for (const char* tool : {"qemu-system-x86_64", "swtpm", "socat", "gzip"}) {
    if (!have_program(tool)) return std::string(tool) + " not installed (scripts/install-deps)";
  }
  if (newest_kernel().empty()) return "no /boot/vmlinuz-* (linux-image-amd64)";
  if (!fs::exists(kOvmf)) return std::string(kOvmf) + " missing (ovmf)";
  if (!fs::exists("/bin/busybox")) return "/bin/busybox missing (busybox-static)";
  return "";
}

std::string random_hex(size_t n) {
  std::random_device rd;
  std::string s;
  for (size_t i = 0; i < n; ++i) s += "0123456789abcdef"[rd() % 16];
  return s;
}

struct Boot {
  RunResult run;
  bool has(const std::string& text) const {
    return run.out.find(text) != std::string::npos || run.err.find(text) != std::string::npos;
  }
};

class VmBoot : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    skip_ = missing_parts();
    if (!skip_.empty()) return;
    work_ = new TempDir();
    pool_ = Pool::up(5).release();
    ASSERT_NE(pool_, nullptr);
    kernel_ = newest_kernel();
    const TempDir& w = *work_;
    // The root file system: a marker only the encrypted disk holds, a few files whose
    // digests the guest prints, and an init that prints both and powers off.
    marker_ = "marker-" + random_hex(16);
    fs::create_directories(w / "rootfs/bin");
    fs::create_directories(w / "rootfs/sbin");
    fs::create_directories(w / "rootfs/etc");
    fs::create_directories(w / "rootfs/srv/data");
    for (const char* d : {"proc", "sys", "dev"}) fs::create_directories(w / "rootfs" / d);
    fs::copy_file("/bin/busybox", w / "rootfs/bin/busybox");
    write_file(w / "rootfs/etc/leea-marker", marker_ + "\n");
    std::string big;
    for (int i = 0; i < 20000; ++i) big += random_hex(50) + "\n";
    write_file(w / "rootfs/srv/data/big.txt", big);
    write_file(w / "rootfs/srv/data/small.txt", "leea e2e\n");
    write_file(w / "rootfs/sbin/init",
               "#!/bin/busybox sh\n"
               "B=/bin/busybox\n"
               "echo \"rootfs: $($B cat /etc/leea-marker) read from the encrypted disk\"\n"
               "cd /srv && for f in $($B find . -type f | $B sort); do\n"
               "  echo \"tree: $($B sha256sum \"$f\")\"; done\n"
               "$B poweroff -f\n");
    fs::permissions(w / "rootfs/sbin/init", fs::perms::owner_all | fs::perms::group_read |
                                                fs::perms::group_exec | fs::perms::others_read |
                                                fs::perms::others_exec);
    auto must = [](const RunResult& r, const char* what) {
      EXPECT_EQ(r.exit_code, 0) << what << ": " << r.err << r.out;
      return r.exit_code == 0;
    };
    std::string dir = w.path().string();
    if (!must(leea({"image", "build", "--from", dir + "/rootfs", "-o", dir + "/root.raw"}),
              "image build") ||
        !must(leea({"vm", "tpm-init", "--tpm-state", dir + "/tpm", "-o", dir + "/ak.pub"}),
              "vm tpm-init") ||
        !must(leea({"initramfs", "build", "--kernel", kernel_, "--pool", pool_->pool_file(),
                    "--order", "e2e", "-o", dir + "/initrd.img"}),
              "initramfs build")) {
      return;
    }
    auto ak = read_file(w / "ak.pub");
    auto release = fs::path(kernel_).filename().string().substr(8);
    write_file(
        w / "order.yaml",
        "version: 1\nid: e2e\ntee: tpm\nreference:\n  allowed:\n"
        "    kernel.release: [\"" +
            release + "\"]\ntpm:\n  ak: " +
            base64_encode(std::span(reinterpret_cast<const uint8_t*>(ak.data()), ak.size())) +
            "\n");
    if (!must(leea({"order", "reference", "--order", dir + "/order.yaml", "--boot-kernel", kernel_,
                    "--boot-initrd", dir + "/initrd.img", "--boot-cmdline", kCmdline, "-o",
                    dir + "/order.yaml", "--force"}),
              "order reference") ||
        !must(leea({"image", "encrypt", "--in", dir + "/root.raw", "-o", dir + "/root.luks",
                    "--order", dir + "/order.yaml", "--pool", pool_->pool_file(), "--operator-key",
                    (pool_->dir() / "operator.key").string(), "--guest-disk", "vda"}),
              "image encrypt")) {
      return;
    }
    ready_ = true;
  }

  static void TearDownTestSuite() {
    delete pool_;  // stops exactly its validators, by PID
    pool_ = nullptr;
    delete work_;
    work_ = nullptr;
  }

  void SetUp() override {
    if (!skip_.empty()) GTEST_SKIP() << skip_;
    ASSERT_TRUE(ready_) << "the shared setup failed (see above)";
  }

  static Boot boot(const std::string& initrd, const std::string& cmdline = kCmdline) {
    const TempDir& w = *work_;
    return {leea({"vm", "launch", "--kernel", kernel_, "--initrd", initrd, "--disk",
                  (w / "root.luks").string(), "--pool", pool_->pool_file(), "--tpm-state",
                  (w / "tpm").string(), "--cmdline", cmdline, "--timeout", "300"})};
  }
  static std::string initrd() { return (*work_ / "initrd.img").string(); }

  // The good boot, made once and shared by the tests that read its console.
  static const Boot& happy() {
    static std::optional<Boot> b;
    if (!b) b = boot(initrd());
    return *b;
  }

  // Audit lines of every validator for this order and endpoint.
  static std::vector<nlohmann::json> audit(const std::string& endpoint) {
    std::vector<nlohmann::json> out;
    for (int i = 1; i <= 5; ++i) {
      std::ifstream in(pool_->dir() / ("v" + std::to_string(i)) / "data" / "audit.log");
      std::string line;
      while (std::getline(in, line)) {
        auto j = nlohmann::json::parse(line, nullptr, false);
        if (!j.is_discarded() && j.value("order", "") == "e2e" &&
            j.value("endpoint", "") == endpoint) {
          out.push_back(j);
        }
      }
    }
    return out;
  }

  static inline std::string skip_;
  static inline bool ready_ = false;
  static inline TempDir* work_ = nullptr;
  static inline Pool* pool_ = nullptr;
  static inline std::string kernel_;
  static inline std::string marker_;
};

TEST_F(VmBoot, GoodBootAttestsGetsThreeSharesOpensTheDiskAndBootsIt) {
  size_t shares_before = audit("/v1/shares").size();
  const Boot& b = happy();
  EXPECT_EQ(b.run.exit_code, 0) << b.run.err << b.run.out;
  // Only the encrypted root file system holds the marker.
  EXPECT_TRUE(b.has("rootfs: " + marker_ + " read from the encrypted disk")) << b.run.out;
  for (const char* phase :
       {"] modules: ", "] network: ", "] attest: token from ", "] shares: 3 of 3 from ",
        "] unlock: /dev/vda opened as /dev/mapper/root", "] switch_root: "}) {
    EXPECT_TRUE(b.has(phase)) << phase << "\n" << b.run.out;
  }
  EXPECT_EQ(audit("/v1/shares").size(), shares_before + 3);
  EXPECT_FALSE(b.has(marker_ + "\n") && b.run.err.find(marker_) != std::string::npos);
}

// The guest kernel's dm-crypt reads what leea's userspace XTS wrote (4096-byte sectors):
// every file the guest reads back has the digest of the source file.
TEST_F(VmBoot, GuestDmCryptReadsBackTheSourceTree) {
  const Boot& b = happy();
  ASSERT_EQ(b.run.exit_code, 0) << b.run.out;
  for (const char* f : {"data/big.txt", "data/small.txt"}) {
    auto text = read_file(*work_ / "rootfs/srv" / f);
    std::string line = "tree: " + hex_encode(crypto::sha256(text)) + "  ./" + f;
    EXPECT_TRUE(b.has(line)) << line << "\n" << b.run.out;
  }
}

TEST_F(VmBoot, ChangedCommandLineIsRefusedAndTheDiskStaysLocked) {
  size_t shares_before = audit("/v1/shares").size();
  auto b = boot(initrd(), std::string(kCmdline) + " leea.debug=1");
  EXPECT_EQ(b.run.exit_code, 3) << b.run.err << b.run.out;
  EXPECT_TRUE(b.has("FAILED: attest refused")) << b.run.out;
  EXPECT_TRUE(b.has("reference.tpm.pcr.sha256.9")) << b.run.out;
  EXPECT_TRUE(b.has("shares: none obtained")) << b.run.out;
  EXPECT_FALSE(b.has(marker_));
  EXPECT_TRUE(b.has("reboot: Power down")) << b.run.out;
  EXPECT_EQ(audit("/v1/shares").size(), shares_before);
  bool refused = false;
  for (const auto& a : audit("/v1/attest"))
    refused = refused || a.value("outcome", "") == "refused";
  EXPECT_TRUE(refused);
}

TEST_F(VmBoot, OneChangedInitramfsByteIsRefused) {
  // Unpack, change one byte of the init script's comment, pack again: a working initramfs
  // that is not the one the order names.
  std::string dir = work_->path().string();
  auto r =
      run({"/bin/sh", "-c", "gzip -dc '" + dir + "/initrd.img' > '" + dir + "/tampered.cpio'"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto cpio = read_file(*work_ / "tampered.cpio");
  size_t at = cpio.find("# leea's initramfs init");
  ASSERT_NE(at, std::string::npos);
  cpio[at + 2] = 'L';
  write_file(*work_ / "tampered.cpio", cpio);
  r = run({"/bin/sh", "-c", "gzip -n -c '" + dir + "/tampered.cpio' > '" + dir + "/tampered.img'"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  size_t shares_before = audit("/v1/shares").size();
  auto b = boot(dir + "/tampered.img");
  EXPECT_EQ(b.run.exit_code, 3) << b.run.err << b.run.out;
  EXPECT_TRUE(b.has("FAILED: attest refused")) << b.run.out;
  EXPECT_TRUE(b.has("reference.tpm.pcr.sha256.9")) << b.run.out;
  EXPECT_FALSE(b.has(marker_));
  EXPECT_EQ(audit("/v1/shares").size(), shares_before);
}

TEST_F(VmBoot, BootsWithTwoValidatorsDownButNotWithThree) {
  pool_->stop(1);
  pool_->stop(2);
  auto two = boot(initrd());
  EXPECT_EQ(two.run.exit_code, 0) << two.run.out;
  EXPECT_TRUE(two.has("rootfs: " + marker_)) << two.run.out;
  pool_->stop(3);
  auto three = boot(initrd());
  EXPECT_EQ(three.run.exit_code, 3) << three.run.out;
  EXPECT_TRUE(three.has("got 2 of the 3 shares needed")) << three.run.out;
  EXPECT_TRUE(three.has("FAILED: attest: gave up after")) << three.run.out;
  EXPECT_FALSE(three.has(marker_));
  for (int i = 1; i <= 3; ++i) pool_->start(i);
}

// Processes whose command line mentions text (QEMU and swtpm name their runtime files).
std::vector<pid_t> processes_mentioning(const std::string& text) {
  std::vector<pid_t> out;
  for (const auto& e : fs::directory_iterator("/proc")) {
    auto name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(e.path() / "cmdline", std::ios::binary);
    std::string cmd((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (cmd.find(text) != std::string::npos) out.push_back(std::stoi(name));
  }
  return out;
}

TEST_F(VmBoot, SigtermStopsQemuAndSwtpmAndRemovesTheRuntimeDirectory) {
  TempDir tmp;  // the launch makes its runtime directory here (TMPDIR)
  auto log = tmp / "console.log";
  std::vector<std::string> args = {LEEA_BINARY,
                                   "vm",
                                   "launch",
                                   "--kernel",
                                   kernel_,
                                   "--initrd",
                                   initrd(),
                                   "--disk",
                                   (*work_ / "root.luks").string(),
                                   "--pool",
                                   pool_->pool_file(),
                                   "--tpm-state",
                                   (*work_ / "tpm").string(),
                                   "--log",
                                   log.string(),
                                   "-q",
                                   "--timeout",
                                   "300"};
  std::string env_tmp = "TMPDIR=" + tmp.path().string();
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    putenv(env_tmp.data());
    int null = open("/dev/null", O_WRONLY);
    dup2(null, STDOUT_FILENO);
    execv(argv[0], argv.data());
    _exit(127);
  }
  // Until the guest's init speaks (the firmware and kernel have booted), at most 120 s.
  bool started = false;
  for (int i = 0; i < 1200 && !started; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    started = fs::exists(log) && read_file(log).find("leea-init:") != std::string::npos;
  }
  EXPECT_TRUE(started);
  EXPECT_GE(processes_mentioning(tmp.path().string() + "/leea-vm-").size(), 2u);  // QEMU, swtpm
  kill(pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  EXPECT_TRUE(processes_mentioning(tmp.path().string() + "/leea-vm-").empty());
  size_t left = 0;
  for (const auto& e : fs::directory_iterator(tmp.path())) left += e.path() != log;
  EXPECT_EQ(left, 0u) << "the runtime directory was not removed";
}

}  // namespace
}  // namespace leea::test
