#include "core/tee/tpm/boot_log.h"

#include <cstring>
#include <string>

#include "core/evidence/tcg_log.h"
#include "core/util/encoding.h"

namespace leea::tee::tpm {
namespace {

// TCG PC Client PFP §10.4.1.
constexpr uint32_t kEvEventTag = 0x00000006;
constexpr uint32_t kEvEfiBootServicesApplication = 0x80000003;

// TCG_PCClientTaggedEvent: taggedEventID, taggedEventDataSize, then the data; the EFI stub
// tags its events with a NUL-terminated description.
bool tagged_as(const evidence::tcg::TcgEvent& e, std::string_view description) {
  if (e.type != kEvEventTag || e.data.size() < 8) return false;
  uint32_t size = 0;
  std::memcpy(&size, e.data.data() + 4, 4);
  if (size != e.data.size() - 8) return false;
  std::string_view text(reinterpret_cast<const char*>(e.data.data() + 8), size);
  if (!text.empty() && text.back() == '\0') text.remove_suffix(1);
  return text == description;
}

}  // namespace

bool order_relies_on_measured_boot(const config::OrderConfig& order) {
  for (const char* name : {"tpm.pcr.sha256.4", "tpm.pcr.sha256.9"}) {
    if (order.reference.digests.count(name) || order.reference.allowed.count(name)) return true;
  }
  return false;
}

void check_boot_log(std::span<const uint8_t> boot_log,
                    const std::map<uint32_t, std::vector<uint8_t>>& quoted, Verification& v) {
  const char* check = "tpm.boot_log";
  if (boot_log.empty()) {
    v.fail(check, "no firmware event log: the boot PCRs cannot be shown to be measured");
    return;
  }
  evidence::tcg::TcgLimits limits;
  limits.max_bytes = kMaxBootLog;
  auto log = evidence::tcg::parse(boot_log, limits);
  if (!log) {
    v.fail(check, log.error().message);
    return;
  }
  if (!log->crypto_agile || !log->algorithms.count(evidence::tcg::kAlgSha256)) {
    v.fail(check, "the firmware event log has no sha256 bank");
    return;
  }
  auto banks = evidence::tcg::replay(*log);
  if (!banks) {
    v.fail(check, banks.error().message);
    return;
  }
  const auto& sha256 = (*banks)[evidence::tcg::kAlgSha256];
  for (const auto& [pcr, value] : sha256) {
    auto q = quoted.find(pcr);
    if (q == quoted.end()) continue;
    if (q->second != value) {
      v.fail(check, "replaying the firmware log gives PCR " + std::to_string(pcr) + " = " +
                        hex_encode(value) + ", the quote says " + hex_encode(q->second));
      return;
    }
  }
  bool kernel = false;
  int stage = 0;  // 0: nothing, 1: load options seen, 2: then the initrd
  for (const auto& e : log->events) {
    if (e.pcr == 4 && e.type == kEvEfiBootServicesApplication) kernel = true;
    if (e.pcr != 9) continue;
    if (tagged_as(e, "LOADED_IMAGE::LoadOptions")) {
      stage = stage == 0 ? 1 : -1;
    } else if (tagged_as(e, "Linux initrd")) {
      stage = stage == 1 ? 2 : -1;
    }
  }
  if (!kernel) {
    v.fail(check,
           "PCR 4 has no EV_EFI_BOOT_SERVICES_APPLICATION event: the kernel image "
           "was not measured");
  } else if (stage != 2) {
    v.fail(check,
           "PCR 9 does not hold the EFI stub's command line and then initrd events "
           "(Linux >= 6.1 measures both)");
  } else {
    v.pass(check, std::to_string(log->events.size()) +
                      " firmware events replay to the quoted PCRs; kernel, command line and "
                      "initrd measured");
  }
}

}  // namespace leea::tee::tpm
