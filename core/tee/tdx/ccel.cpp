// tdx.ccel_replay: the CCEL event log (TCG crypto-agile format, SHA-384 bank) replayed
// into the runtime measurement registers. The log's "PCR index" is the CC measurement
// register index of the UEFI CC measurement protocol for TDX: 0 = MRTD, 1..4 = RTMR0..3.
#include <algorithm>

#include "core/evidence/tcg_log.h"
#include "core/tee/tdx/verify_internal.h"
#include "core/util/encoding.h"

namespace leea::tee::tdx::internal {

void check_ccel(const Quote& q, std::span<const uint8_t> log_bytes, Verification& v) {
  const char* name = "tdx.ccel_replay";
  evidence::tcg::TcgLimits limits;
  limits.padded = true;  // the ACPI log area is larger than the log and 0xFF-filled
  auto log = evidence::tcg::parse(log_bytes, limits);
  if (!log) return v.fail(name, log.error().message);
  if (!log->algorithms.count(evidence::tcg::kAlgSha384)) {
    return v.fail(name, "the CCEL log has no SHA-384 bank");
  }
  bool rtmr3_logged = false;
  for (const auto& e : log->events) {
    if (e.type == evidence::tcg::kEvNoAction) continue;
    // Index 0 (MRTD) is measured by the TDX module, never extended from the log.
    if (e.pcr == 0 || e.pcr > 4) {
      return v.fail(name, "event for measurement register index " + std::to_string(e.pcr));
    }
    rtmr3_logged |= e.pcr == 4;
  }
  auto banks = evidence::tcg::replay(*log);
  if (!banks) return v.fail(name, banks.error().message);
  auto& bank = (*banks)[evidence::tcg::kAlgSha384];
  // RTMR3 belongs to the running OS, which extends it without logging to the CCEL; it is
  // compared only when the log speaks for it.
  size_t count = rtmr3_logged ? 4 : 3;
  for (size_t i = 0; i < count; ++i) {
    std::vector<uint8_t> value(48, 0);
    if (auto it = bank.find(static_cast<uint32_t>(i + 1)); it != bank.end()) value = it->second;
    if (!std::equal(value.begin(), value.end(), q.body.rtmr[i].begin(), q.body.rtmr[i].end())) {
      return v.fail(name, "replay gives RTMR" + std::to_string(i) + " " + hex_encode(value) +
                              ", the quote has " + hex_encode(q.body.rtmr[i]));
    }
  }
  v.pass(name, "RTMR0.." + std::to_string(count - 1) + " match " +
                   std::to_string(log->events.size()) + " events");
}

}  // namespace leea::tee::tdx::internal
