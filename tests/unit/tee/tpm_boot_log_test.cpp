#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/config/order.h"
#include "core/tee/tpm/boot_log.h"
#include "core/util/encoding.h"
#include "tests/support/temp_dir.h"

namespace leea::tee::tpm {
namespace {

const std::string kData = std::string(LEEA_SOURCE_DIR) + "/tests/data/";

std::vector<uint8_t> real_log() {
  auto t = test::read_file(kData + "ovmf-swtpm-linux61.binary_bios_measurements");
  return {t.begin(), t.end()};
}

// What the guest read from its vTPM: PCRs 4, 7 and 9.
std::map<uint32_t, std::vector<uint8_t>> real_pcrs() {
  std::map<uint32_t, std::vector<uint8_t>> out;
  std::istringstream in(test::read_file(kData + "ovmf-swtpm-linux61.pcrs"));
  uint32_t index;
  std::string hex;
  while (in >> index >> hex) out[index] = *hex_decode(hex);
  return out;
}

const Check* find(const Verification& v, const std::string& name) {
  for (const auto& c : v.checks) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

TEST(BootLog, RealOvmfBootPassesAgainstThePcrsTheGuestRead) {
  Verification v;
  check_boot_log(real_log(), real_pcrs(), v);
  const Check* c = find(v, "tpm.boot_log");
  ASSERT_NE(c, nullptr);
  EXPECT_TRUE(c->ok) << c->detail;
}

TEST(BootLog, AQuotedPcrTheLogDoesNotReplayToFails) {
  auto pcrs = real_pcrs();
  pcrs[9][0] ^= 1;
  Verification v;
  check_boot_log(real_log(), pcrs, v);
  const Check* c = find(v, "tpm.boot_log");
  ASSERT_NE(c, nullptr);
  EXPECT_FALSE(c->ok);
  EXPECT_NE(c->detail.find("gives PCR 9 = "), std::string::npos) << c->detail;
}

// One byte of the initrd event's description: the digests still replay, but the log no
// longer shows the initrd being measured.
TEST(BootLog, AMissingInitrdEventFails) {
  auto log = real_log();
  std::string text(log.begin(), log.end());
  size_t at = text.find("Linux initrd");
  ASSERT_NE(at, std::string::npos);
  log[at + 11] = 'X';
  Verification v;
  check_boot_log(log, real_pcrs(), v);
  const Check* c = find(v, "tpm.boot_log");
  ASSERT_NE(c, nullptr);
  EXPECT_FALSE(c->ok);
  EXPECT_EQ(c->detail,
            "PCR 9 does not hold the EFI stub's command line and then initrd events (Linux >= "
            "6.1 measures both)");
}

TEST(BootLog, NoLogOrAMalformedOneFails) {
  Verification v;
  check_boot_log({}, real_pcrs(), v);
  ASSERT_NE(find(v, "tpm.boot_log"), nullptr);
  EXPECT_FALSE(find(v, "tpm.boot_log")->ok);
  auto log = real_log();
  log.resize(log.size() - 3);
  Verification w;
  check_boot_log(log, real_pcrs(), w);
  ASSERT_NE(find(w, "tpm.boot_log"), nullptr);
  EXPECT_FALSE(find(w, "tpm.boot_log")->ok);
}

TEST(BootLog, OnlyOrdersReferencingPcr4Or9RelyOnIt) {
  auto order = [](const std::string& ref) {
    auto o = config::load_order_string(
        "version: 1\nid: x\ntee: tpm\ntpm:\n  ak: AFgAIwALAAUAcgAAABAAGAALAAMAEAAggSU7lRfdM+"
        "NEQfelK+V3nqxYj81cTEe9RwUsXurie4AAIPmdq+LczyehwXiX+MRb04jhpmhwEmfzh8lB6KT4J6RI\n"
        "reference:\n  digests:\n    " +
            ref + ": \"sha256:" + std::string(64, 'a') + "\"\n",
        "order");
    EXPECT_TRUE(o) << o.error().message;
    return *o;
  };
  EXPECT_TRUE(order_relies_on_measured_boot(order("tpm.pcr.sha256.9")));
  EXPECT_TRUE(order_relies_on_measured_boot(order("tpm.pcr.sha256.4")));
  EXPECT_FALSE(order_relies_on_measured_boot(order("tpm.pcr.sha256.7")));
}

}  // namespace
}  // namespace leea::tee::tpm
