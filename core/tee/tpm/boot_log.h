// The firmware's TCG event log in tpm evidence: what shows that the boot PCRs an order
// relies on were measured the way a leea boot measures them (DESIGN §7). A PCR value alone
// says nothing about how it came to be; the log says which events made it.
//
// The producer adds the log the kernel exposes (securityfs tpm0/binary_bios_measurements,
// crypto-agile, at most kMaxBootLog bytes) to the report. The verifier's check
// "tpm.boot_log", made when the order references tpm.pcr.sha256.4 or .9 (an order that
// relies on measured boot):
//   - the log is present and parses (evidence/tcg_log.h);
//   - replaying it gives every quoted sha256 PCR it touches;
//   - PCR 4 holds an EV_EFI_BOOT_SERVICES_APPLICATION event (the kernel image);
//   - PCR 9 holds, in this order, the EFI stub's EV_EVENT_TAG events
//     "LOADED_IMAGE::LoadOptions" (the command line) and "Linux initrd" (the initrd).
// A missing, unparsable, out-of-order or incomplete log is a failed check, never a pass.
// Thread-safe; pure.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <vector>

#include "core/config/order.h"
#include "core/tee/evidence.h"
#include "core/tee/tpm/quote.h"

namespace leea::tee::tpm {

inline constexpr size_t kMaxBootLog = 40 * 1024;

// True when the order's reference values name PCR 4 or 9 of the sha256 bank.
bool order_relies_on_measured_boot(const config::OrderConfig& order);

// Adds "tpm.boot_log" to v (see above). quoted: the sha256 PCR values the quote covers.
void check_boot_log(std::span<const uint8_t> boot_log,
                    const std::map<uint32_t, std::vector<uint8_t>>& quoted, Verification& v);

}  // namespace leea::tee::tpm
