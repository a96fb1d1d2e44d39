// The `tdx` evidence kind: Intel TDX DCAP quotes (see verify.h for what is checked).
//
// Report text: base64url(quote) [ "." base64url(CCEL event log) ], no padding, at most
// 64 KiB. The CCEL part is the TD's TCG event log from the ACPI CCEL table, cut at the end
// of its last event; when present the verifier replays it against RTMR0..3.
//
// Producer (in the guest): the quote comes from configfs-tsm
// (<root>/sys/kernel/config/tsm/report, provider "tdx_guest", Linux 6.7+) with
// report_data = binding ‖ 32 zero bytes, and the log from
// <root>/sys/firmware/acpi/tables/data/CCEL when readable. /dev/tdx_guest alone gives only
// a TD report (TDX_CMD_GET_REPORT0); turning it into a quote needs the host's quote
// generation service, which leea does not speak, so that case is Errc::unavailable with
// the reason, as is a machine with neither interface.
// Verifier: Intel collateral is read from <VerifyContext::collateral_dir>/tdx (layout in
// collateral.h). Unlike `leea evidence verify`, which reports checks it could not make as
// not made, this verifier fails tdx.qe_identity, tdx.tcb and tdx.pck_revocation when the
// collateral to make them is missing: without the QE identity an enclave other than
// Intel's TD quoting enclave could have certified the attestation key.
// Thread-safety: producers and verifiers are stateless after construction.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/tee/evidence.h"
#include "core/util/result.h"

namespace leea::tee::tdx {

inline constexpr size_t kMaxReportText = 64 * 1024;

struct ReportParts {
  std::vector<uint8_t> quote;
  std::optional<std::vector<uint8_t>> ccel_log;
};

// The report text of a quote and optional log. Errc::invalid_argument when it would exceed
// kMaxReportText.
Result<std::string> encode_report(std::span<const uint8_t> quote,
                                  std::optional<std::span<const uint8_t>> ccel_log);
// Splits report text. Errc::invalid_data when it is too long, has more than two parts, or a
// part is not base64url.
Result<ReportParts> decode_report(std::string_view text);

std::unique_ptr<EvidenceVerifier> make_verifier();
// The producer for the guest tree under options.root, or Errc::unavailable saying why.
Result<std::unique_ptr<EvidenceProducer>> make_producer(const ProducerOptions& options);

}  // namespace leea::tee::tdx
