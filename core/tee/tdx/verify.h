// Verification of Intel TDX evidence: a DCAP quote (v4 or v5), optionally with the TD's
// CCEL event log and Intel collateral.
//
// Checks, each reported in Verification::checks (failed ones too, so that one changed byte
// is named even after the signature has failed):
//   tdx.quote_signature   ECDSA P-256 by the attestation key over header ‖ body
//   tdx.qe_report_signature   the QE report, ECDSA P-256 by the PCK certificate's key
//   tdx.qe_report_data    QE report_data = SHA-256(attestation key ‖ QE auth data) ‖ 0^32
//   tdx.pck_chain         PCK leaf → PCK Platform/Processor CA → pinned Intel SGX Root CA,
//                         at `now`; the leaf must be an "Intel SGX PCK Certificate"; at
//                         most 4 certificates
//   tdx.report_data       (order given) report_data[32:64] is zero (the binding is the first
//                         32 bytes)
//   tdx.pck_revocation    (CRLs supplied) both CRLs signed by their issuers, current at
//                         `now`, and neither the PCK leaf nor its CA is listed
//   tdx.tcb_info          (TCB Info supplied) signed by Intel SGX TCB Signing → root, current
//   tdx.tcb               (TCB Info supplied) a TCB level matches and its status, merged with
//                         the TDX module identity's, is acceptable: UpToDate and
//                         SWHardeningNeeded pass (the advisories are listed in the detail);
//                         ConfigurationNeeded, ConfigurationAndSWHardeningNeeded, OutOfDate,
//                         OutOfDateConfigurationNeeded, Revoked and "no matching TCB level"
//                         fail, since leea cannot confirm a platform's configuration
//   tdx.qe_identity       (QE identity supplied) signed, current, matches the QE report,
//                         and the QE's level is not OutOfDate or Revoked
//   tdx.ccel_replay       (CCEL log supplied) replaying its SHA-384 bank gives RTMR0..2,
//                         and RTMR3 too when the log has events for it
//   policy.min_tcb        (the order sets policy.min_tcb) see parse_min_tcb
//
// Claims: report_data = report_data[0:32]; host_data = MRCONFIGID[0:32] when
// MRCONFIGID[32:48] is zero (the launcher writes SHA-256(order id) there), else
// SHA-256(MRCONFIGID), which matches no order; debug = TDATTRIBUTES bit 0;
// migration = TDATTRIBUTES bit 29 (MIGRATABLE); smt is not reported by TDX.
// Claims::values (reference-value names):
//   tdx.mrtd, tdx.rtmr0 .. tdx.rtmr3, tdx.mrseam, tdx.mrsignerseam, tdx.mrconfigid,
//   tdx.mrowner, tdx.mrownerconfig, tdx.mrservicetd (TDX 1.5 bodies): "sha384:<hex>"
//   tdx.tee_tcb_svn (32 hex digits), tdx.td_attributes, tdx.xfam (16 hex digits, the
//   64-bit value), tdx.fmspc (12 hex digits), tdx.tcb_status (when TCB Info was supplied:
//   the worst of the TCB level's status, the TDX module identity's and, when supplied, the
//   QE identity's; this is what policy.min_tcb status= compares).
// Thread-safety: stateless functions.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/config/order.h"
#include "core/tee/evidence.h"
#include "core/tee/tdx/collateral.h"
#include "core/util/result.h"

namespace leea::tee::tdx {

struct VerifyInputs {
  int64_t now = 0;  // unix seconds: certificates, CRLs and collateral are checked at this time
  const config::OrderConfig* order = nullptr;        // nullptr: no policy.min_tcb check
  const Collateral* collateral = nullptr;            // nullptr: no TCB, QE identity or CRL checks
  std::optional<std::span<const uint8_t>> ccel_log;  // the CCEL log area, padding allowed
};

// Verifies a quote. Errc::invalid_data only when the quote cannot be parsed; every other
// problem is a failed check in the result.
Result<Verification> verify_quote(std::span<const uint8_t> quote, const VerifyInputs& in);

// For `leea evidence verify --tee tdx --quote FILE [--collateral DIR] [--ccel FILE]
// [--at TIME]`: reads the files (a quote of at most kMaxQuoteSize plus trailing padding,
// the CCEL log at most 16 MiB) and verifies. collateral_dir and ccel_path may be empty;
// collateral_dir is a QuoteCollateralV3 file, a directory in the layout of collateral.h, or
// a validator's collateral_dir holding that directory as tdx/. Errc::io when a file is
// unreadable, Errc::invalid_data when collateral_dir holds no collateral; otherwise as
// verify_quote.
Result<Verification> verify_quote_files(const std::filesystem::path& quote_path,
                                        const std::filesystem::path& collateral_dir,
                                        const std::filesystem::path& ccel_path, int64_t now,
                                        const config::OrderConfig* order = nullptr);

// The order's policy.min_tcb for tdx: comma-separated terms, all of which must hold:
//   status=<TCB status>      the merged TCB status is this one or better (UpToDate best);
//                            a bare status name means the same; needs TCB Info collateral
//   tee_tcb_svn=<32 hex>     every byte of TEE_TCB_SVN is at least the given byte
// Errc::config naming the term when malformed.
struct MinTcb {
  std::optional<TcbStatus> status;
  std::optional<std::array<uint8_t, 16>> tee_tcb_svn;
};
Result<MinTcb> parse_min_tcb(std::string_view text);

}  // namespace leea::tee::tdx
