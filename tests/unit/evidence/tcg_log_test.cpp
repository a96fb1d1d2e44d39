// The TCG event log parser against real firmware logs: replay must reproduce the PCR values
// that tpm2_eventlog printed (tpm2-tools fixtures) and that a GCE vTPM quoted.
#include "core/evidence/tcg_log.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "core/util/encoding.h"

namespace leea::evidence::tcg {
namespace {

const std::string kTpmData = std::string(LEEA_TESTDATA_DIR) + "/tpm/";

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string read_text(const std::string& path) {
  auto b = read_bytes(path);
  return {b.begin(), b.end()};
}

uint16_t alg_id(const std::string& name) {
  if (name == "sha1") return kAlgSha1;
  if (name == "sha256") return kAlgSha256;
  if (name == "sha384") return kAlgSha384;
  return kAlgSha512;
}

// The `pcrs:` section of tpm2_eventlog's YAML: "  sha1:" then "    0  : 0x<hex>" lines.
// Read by hand: the layout is fixed and yaml-cpp is kept inside core/config.
PcrBanks expected_from_yaml(const std::string& text) {
  PcrBanks out;
  std::istringstream in(text.substr(text.find("\npcrs:\n") + 7));
  std::string line;
  uint16_t bank = 0;
  while (std::getline(in, line)) {
    if (line.rfind("    ", 0) == 0) {
      auto colon = line.find(':');
      uint32_t pcr = static_cast<uint32_t>(std::stoul(line.substr(0, colon)));
      auto hex = line.substr(line.find("0x", colon) + 2);
      out[bank][pcr] = *hex_decode(hex);
    } else if (line.rfind("  ", 0) == 0) {
      bank = alg_id(line.substr(2, line.find(':') - 2));
    } else {
      break;
    }
  }
  return out;
}

class RealLog : public testing::TestWithParam<const char*> {};

TEST_P(RealLog, ReplayEqualsTpm2EventlogPcrs) {
  std::string path = kTpmData + "eventlogs/" + GetParam();
  auto log = parse(read_bytes(path));
  ASSERT_TRUE(log) << log.error().message;
  auto banks = replay(*log);
  ASSERT_TRUE(banks) << banks.error().message;
  auto expected = expected_from_yaml(read_text(path + ".expected.yaml"));
  ASSERT_FALSE(expected.empty());
  for (const auto& [alg, pcrs] : expected) {
    for (const auto& [pcr, value] : pcrs) {
      EXPECT_EQ(hex_encode((*banks)[alg][pcr]), hex_encode(value))
          << *alg_name(alg) << " PCR " << pcr;
    }
    EXPECT_EQ((*banks)[alg].size(), pcrs.size()) << *alg_name(alg);
  }
}

INSTANTIATE_TEST_SUITE_P(Tpm2Tools, RealLog,
                         testing::Values("event-uefi-sha1-log.bin",
                                         "event-gce-ubuntu-2104-log.bin"));

TEST(TcgLog, LegacyLogHasOnlySha1AndSeventeenEvents) {
  auto log = parse(read_bytes(kTpmData + "eventlogs/event-uefi-sha1-log.bin"));
  ASSERT_TRUE(log) << log.error().message;
  EXPECT_FALSE(log->crypto_agile);
  EXPECT_EQ(log->events.size(), 17u);  // PROVENANCE.md
  EXPECT_EQ(log->algorithms.size(), 1u);
}

TEST(TcgLog, GceQuoteLogReplaysQuotedPcrs0To9InEveryBank) {
  auto log = parse(read_bytes(kTpmData + "gce-cos85-quote/eventlog.bin"));
  ASSERT_TRUE(log) << log.error().message;
  EXPECT_TRUE(log->crypto_agile);
  auto banks = replay(*log);
  ASSERT_TRUE(banks) << banks.error().message;
  for (const char* bank : {"sha1", "sha256", "sha384"}) {
    std::istringstream in(read_text(kTpmData + "gce-cos85-quote/pcrs-" + bank + ".txt"));
    uint32_t pcr = 0;
    std::string hex;
    int compared = 0;
    while (in >> pcr >> hex) {
      if (pcr > 9) continue;
      EXPECT_EQ(hex_encode((*banks)[alg_id(bank)][pcr]), hex) << bank << " PCR " << pcr;
      ++compared;
    }
    EXPECT_EQ(compared, 10) << bank;
  }
}

TEST(TcgLog, SevSnpGuestLogParsesToTheEnd) {
  auto log = parse(read_bytes(kTpmData + "eventlogs/gce-ubuntu-2404-amd-sevsnp.bin"));
  ASSERT_TRUE(log) << log.error().message;
  EXPECT_EQ(log->events.size() + 1, 117u);  // PROVENANCE.md counts the Spec ID header
}

TEST(TcgLog, ChangedDigestChangesReplay) {
  auto bytes = read_bytes(kTpmData + "eventlogs/event-uefi-sha1-log.bin");
  auto before = replay(*parse(bytes));
  bytes[8] ^= 1;  // first byte of the first event's SHA-1 digest (PCR 0)
  auto after = replay(*parse(bytes));
  ASSERT_TRUE(before && after);
  EXPECT_NE((*before)[kAlgSha1][0], (*after)[kAlgSha1][0]);
}

TEST(TcgLog, EveryTruncationFailsCleanly) {
  auto bytes = read_bytes(kTpmData + "gce-cos85-quote/eventlog.bin");
  for (size_t n = 0; n < bytes.size(); n += 7) {
    auto log = parse(std::span(bytes).first(n));
    if (!log) {
      EXPECT_EQ(log.error().code, Errc::invalid_data);
      EXPECT_EQ(log.error().message.rfind("tcg log: ", 0), 0u) << log.error().message;
    }
  }
  // A cut in the middle of an event is always an error.
  EXPECT_FALSE(parse(std::span(bytes).first(bytes.size() - 1)));
}

TEST(TcgLog, TrailingBytesFailUnlessPadded) {
  auto bytes = read_bytes(kTpmData + "gce-cos85-quote/eventlog.bin");
  auto padded = bytes;
  padded.resize(bytes.size() + 4096, 0xff);
  EXPECT_FALSE(parse(padded));
  TcgLimits limits;
  limits.padded = true;
  auto log = parse(padded, limits);
  ASSERT_TRUE(log) << log.error().message;
  EXPECT_EQ(log->events.size(), parse(bytes)->events.size());
}

TEST(TcgLog, LimitsAreEnforced) {
  auto bytes = read_bytes(kTpmData + "eventlogs/event-gce-ubuntu-2104-log.bin");
  TcgLimits few;
  few.max_events = 5;
  auto log = parse(bytes, few);
  ASSERT_FALSE(log);
  EXPECT_NE(log.error().message.find("more events than the limit"), std::string::npos);
  TcgLimits small;
  small.max_event_data = 16;
  EXPECT_FALSE(parse(bytes, small));
  TcgLimits tiny;
  tiny.max_bytes = 1000;
  EXPECT_FALSE(parse(bytes, tiny));
}

TEST(TcgLog, HugeEventSizeIsRefusedWithoutAllocating) {
  // One legacy event header claiming 4 GiB of data.
  std::vector<uint8_t> bytes(32, 0);
  bytes[0] = 0;  // PCR 0
  bytes[4] = 8;  // EV_S_CRTM_VERSION
  bytes[28] = bytes[29] = bytes[30] = bytes[31] = 0xff;
  auto log = parse(bytes);
  ASSERT_FALSE(log);
  EXPECT_NE(log.error().message.find("event 0: event size over the limit"), std::string::npos)
      << log.error().message;
}

TEST(TcgLog, UndeclaredAlgorithmInAnEventIsRefused) {
  auto bytes = read_bytes(kTpmData + "gce-cos85-quote/eventlog.bin");
  auto log = parse(bytes);
  ASSERT_TRUE(log);
  // The Spec ID event's data starts at offset 32; its first algorithm id sits 28 bytes in.
  // Renaming the bank in the header leaves the events carrying an undeclared algorithm.
  bytes[32 + 28] = 0x12;
  auto changed = parse(bytes);
  ASSERT_FALSE(changed);
  EXPECT_NE(changed.error().message.find("not in the Spec ID event"), std::string::npos)
      << changed.error().message;
}

}  // namespace
}  // namespace leea::evidence::tcg
