// The tpm evidence kind end to end with real parts: a software TPM (swtpm on loopback,
// killed by PID), three validator processes, and the built leea enrolling the TPM's AK,
// learning reference values from a measured fixture tree, registering a secret and
// attesting for it. A power cycle is swtpm stopped and started again on its state
// directory: the PCRs start from zero, the endorsement seed (so the AK) stays.
#include <gtest/gtest.h>
#include <time.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "core/crypto/random.h"
#include "core/crypto/secret_bytes.h"
#include "tests/integration/pool_fixture.h"
#include "tests/support/process.h"
#include "tests/support/swtpm.h"
#include "tests/support/temp_dir.h"

namespace leea::test {
namespace {

constexpr const char* kCmdline = "root=/dev/vda1 ro";

// A measured system under a temporary root: its kernel command line and release.
struct Tree {
  TempDir dir;
  Tree() {
    std::filesystem::create_directories(dir / "proc/sys/kernel");
    write_file(dir / "proc/sys/kernel/osrelease", "6.1.0\n");
    set_cmdline(kCmdline);
  }
  std::string root() const { return dir.path().string(); }
  void set_cmdline(const std::string& c) const { write_file(dir / "proc/cmdline", c + "\n"); }
};

std::string bytes_of(const crypto::SecretBytes& s) {
  auto b = s.reveal();
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// One pool for the suite: every test registers its own order.
class TpmPool : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (have_program("swtpm")) pool_ = Pool::up(3).release();
  }
  static void TearDownTestSuite() {
    delete pool_;
    pool_ = nullptr;
  }
  void SetUp() override {
    if (!have_program("swtpm")) GTEST_SKIP() << "swtpm is not installed";
    ASSERT_NE(pool_, nullptr);
    ASSERT_TRUE(tpm_.start(dir_ / "tpm")) << "swtpm did not start";
  }

  // `leea tpm enroll` on tpm: the AK as the order spells it (base64), empty on failure.
  std::string enroll(const Swtpm& tpm) {
    auto out = dir_ / ("ak-" + std::to_string(++enrolments_) + ".pub");
    auto r =
        leea({"tpm", "enroll", "--tcti", tpm.tcti(), "--insecure-no-ek-check", "-o", out.string()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const std::string tag = "\n  ak: ";
    size_t at = r.out.find(tag);
    if (at == std::string::npos) {
      ADD_FAILURE() << "no AK in:\n" << r.out;
      return "";
    }
    at += tag.size();
    return r.out.substr(at, r.out.find('\n', at) - at);
  }

  // Registers order id with secret_ through `leea order register`: tpm_'s AK from
  // `leea tpm enroll`, runtime PCR 15, and the kernel.* reference values learned with
  // `leea order reference` from `leea evidence collect` of tree_ as it is now.
  void register_order(const std::string& id) {
    std::string ak = enroll(tpm_);
    ASSERT_FALSE(ak.empty());
    // An order must name a reference value before it learns the others.
    write_file(dir_ / "order.yaml", "version: 1\nid: " + id + "\ntee: tpm\ntpm: {ak: \"" + ak +
                                        "\", pcr: 15}\nreference:\n  allowed:\n"
                                        "    kernel.release: [\"6.1.0\"]\n");
    auto c = leea({"evidence", "collect", "--root", tree_.root(), "--json"});
    ASSERT_EQ(c.exit_code, 0) << c.err;
    write_file(dir_ / "good.json", c.out);
    auto r = leea({"order", "reference", "--order", (dir_ / "order.yaml").string(),
                   "--from-evidence", (dir_ / "good.json").string(), "--name", "kernel.*", "-o",
                   (dir_ / "learned.yaml").string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_NE(read_file(dir_ / "learned.yaml").find("kernel.cmdline"), std::string::npos);
    write_file(dir_ / "secret", bytes_of(secret_));
    auto reg = leea({"order", "register", "--pool", pool_->pool_file(), "--order",
                     (dir_ / "learned.yaml").string(), "--secret-file", (dir_ / "secret").string(),
                     "--operator-key", (pool_->dir() / "operator.key").string()});
    ASSERT_EQ(reg.exit_code, 0) << reg.err;
  }

  // `leea attest --tee tpm` on tpm for order id, the secret written to dir_/key_out.
  RunResult attest(const std::string& id, const Swtpm& tpm, const std::string& key_out) {
    return leea({"attest", "--pool", pool_->pool_file(), "--order", id, "--tee", "tpm", "--tcti",
                 tpm.tcti(), "--root", tree_.root(), "--key-out", (dir_ / key_out).string()});
  }
  bool rebuilt(const std::string& key_out) const {
    return std::filesystem::exists(dir_ / key_out) &&
           read_file(dir_ / key_out) == bytes_of(secret_);
  }

  static Pool* pool_;
  TempDir dir_;
  Swtpm tpm_;  // declared after dir_: stopped before its state is removed
  Tree tree_;
  crypto::SecretBytes secret_ = *crypto::random_secret(32);
  int enrolments_ = 0;
};
Pool* TpmPool::pool_ = nullptr;

// The credential proof alone shows only that the AK sits beside some EK, which any software
// TPM has: enrolling without the vendor check must be asked for by name.
TEST_F(TpmPool, EnrollWithoutEkRootsMustBeAskedForAsInsecure) {
  auto out = dir_ / "unchecked.pub";
  auto r = leea({"tpm", "enroll", "--tcti", tpm_.tcti(), "-o", out.string()});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--ek-roots is required"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--insecure-no-ek-check"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));
  auto both = leea({"tpm", "enroll", "--tcti", tpm_.tcti(), "--ek-roots", out.string(),
                    "--insecure-no-ek-check", "-o", out.string()});
  EXPECT_EQ(both.exit_code, 2) << both.err;
  EXPECT_NE(both.err.find("excludes"), std::string::npos) << both.err;
}

TEST_F(TpmPool, AGoodBootRebuildsTheSecret) {
  ASSERT_NO_FATAL_FAILURE(register_order("tpm-good"));
  auto r = attest("tpm-good", tpm_, "key");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(rebuilt("key"));
}

TEST_F(TpmPool, ANewBootWithAnotherCommandLineIsRefusedByItsReferenceValue) {
  ASSERT_NO_FATAL_FAILURE(register_order("tpm-reboot"));
  std::string ak = enroll(tpm_);
  auto first = attest("tpm-reboot", tpm_, "key1");
  ASSERT_EQ(first.exit_code, 0) << first.err;

  // Power cycle: the same TPM, so the same AK, and PCR 15 back to zero.
  tpm_.stop();
  ASSERT_TRUE(tpm_.start(dir_ / "tpm"));
  EXPECT_EQ(enroll(tpm_), ak);
  tree_.set_cmdline(std::string(kCmdline) + " init=/bin/sh");
  auto changed = attest("tpm-reboot", tpm_, "key2");
  EXPECT_EQ(changed.exit_code, 3) << changed.err;
  EXPECT_NE(changed.err.find("reference.kernel.cmdline"), std::string::npos) << changed.err;
  EXPECT_EQ(changed.err.find("tpm."), std::string::npos) << changed.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "key2"));

  // Another power cycle with the learned command line: accepted again.
  tpm_.stop();
  ASSERT_TRUE(tpm_.start(dir_ / "tpm"));
  tree_.set_cmdline(kCmdline);
  auto again = attest("tpm-reboot", tpm_, "key3");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_TRUE(rebuilt("key3"));
}

TEST_F(TpmPool, AnotherTpmIsRefusedByTheAk) {
  ASSERT_NO_FATAL_FAILURE(register_order("tpm-other"));
  Swtpm other;
  ASSERT_TRUE(other.start(dir_ / "other-tpm")) << "second swtpm did not start";
  ASSERT_NE(enroll(other), enroll(tpm_));
  auto r = attest("tpm-other", other, "key");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("tpm.ak"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "key"));
}

// The producer extends a log into PCR 15 once per boot and takes a PCR that already holds
// exactly that log as a retry. The log `leea attest` collects holds time.wall_clock, in
// seconds, which is bound to the quote but not extended into the PCR: an attempt in a later
// second of the same boot succeeds. A log whose measurements changed within the boot is
// refused until a reboot.
TEST_F(TpmPool, ARetryInALaterSecondOfTheSameBootSucceeds) {
  ASSERT_NO_FATAL_FAILURE(register_order("tpm-retry"));
  auto first = attest("tpm-retry", tpm_, "key1");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_TRUE(rebuilt("key1"));

  const time_t started = time(nullptr);
  while (time(nullptr) == started) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto second = attest("tpm-retry", tpm_, "key2");
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_TRUE(rebuilt("key2"));

  tree_.set_cmdline(std::string(kCmdline) + " evil");
  auto changed = attest("tpm-retry", tpm_, "key3");
  EXPECT_EQ(changed.exit_code, 3) << changed.err;
  EXPECT_EQ(changed.err,
            "leea: error: attest: runtime PCR 15 already holds other measurements; reboot first\n");
  EXPECT_FALSE(std::filesystem::exists(dir_ / "key3"));
}

}  // namespace
}  // namespace leea::test
