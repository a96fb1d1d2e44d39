// The `tpm` evidence kind: a TPM 2.0 quote over PCRs with the binding as qualifyingData,
// and the leea event log extended into a runtime PCR (DESIGN §4).
//
// Report text (what produce() returns and verify() reads): base64url, unpadded, of a JSON
// object, at most 64 KiB of text:
//   {"v": 1,
//    "attest":      base64url(TPMS_ATTEST, the quote as the TPM signed it),
//    "signature":   base64url(TPMT_SIGNATURE),
//    "ak":          base64url(TPM2B_PUBLIC of the attestation key that signed),
//    "pcrs":        {"sha256": {"0": "<hex>", ..., "15": "<hex>"}},  the quoted values
//    "runtime_pcr": 15,
//    "boot_log":    base64url(the firmware's TCG event log), optional (boot_log.h)}
// The event log is not in the report: it travels once, in the evidence document, and the
// verifier gets it through VerifyContext::log (the log the binding covers).
//
// Runtime PCR: each event e is extended, in log order, into the sha256 bank of the runtime
// PCR as event_measurement(e) = SHA-256("leea-event-v1" ‖ 0x00 ‖ e.name ‖ 0x00 ‖ e.digest),
// so a name cannot be swapped for another. Time events (evidence::is_volatile) are not
// extended: they differ at every attempt, and a retry in the same boot must find the PCR
// holding what it would extend; they stay bound to the quote through the binding.
// The PCR must be all zero before the first event
// (a fresh boot): replaying the log from zero must give the quoted value. The producer
// extends a log once per boot and refuses a runtime PCR holding anything else.
//
// Verification (pure: parsing and OpenSSL, no TPM needed):
//   tpm.ak          the signing key is a restricted signing key (fixedTPM, fixedParent,
//                   sensitiveDataOrigin, restricted, sign, not decrypt); with an order, it is
//                   the AK enrolled in order->tpm (byte for byte)
//   tpm.signature   TPMT_SIGNATURE over the TPMS_ATTEST bytes by the AK: RSASSA-PKCS1-v1_5,
//                   RSASSA-PSS or ECDSA (P-256/SHA-256, P-384/SHA-384), matching the AK's
//                   scheme when it has one
//   tpm.pcr_digest  pcrDigest = H(selected PCR values concatenated in selection order), H
//                   the signature's hash (not the bank's), every selected value present
//   tpm.event_log   replaying VerifyContext::log from zero gives the quoted runtime PCR
//   tpm.extra_data  qualifyingData is 32 bytes (the binding) → Claims.report_data
//   tpm.nonce       (standalone only, when a nonce is given) extraData = nonce
// Claims: report_data = extraData; host_data = SHA-256(order id) only when an order is given
// and its AK signed (the AK is enrolled per order); values["tpm.pcr.<bank>.<i>"] =
// "<bank>:<hex>" for each quoted PCR and values["tpm.event_log"] = "sha256:<hex>" of the
// log replayed (appraisal requires it is the digest of the log the binding covers);
// debug false; smt and migration unknown. min_tcb is not defined for TPM evidence.
//   tpm.boot_log    with an order that references PCR 4 or 9: the firmware event log shows
//                   they were measured as a leea boot measures them (boot_log.h)
// Thread-safe: everything here is stateless.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/evidence/event_log.h"
#include "core/tee/evidence.h"
#include "core/tee/tpm/structures.h"

namespace leea::tee::tpm {

inline constexpr size_t kMaxReportText = 64 * 1024;

// bank (TPM_ALG_ID of a hash) -> PCR index -> value.
using PcrValues = std::map<uint16_t, std::map<uint32_t, std::vector<uint8_t>>>;

// SHA-256("leea-event-v1" ‖ 0x00 ‖ name ‖ 0x00 ‖ digest text): what is extended per event.
std::array<uint8_t, 32> event_measurement(const evidence::Event& event);
// The sha256-bank value of a PCR that started at zero after extending every event of log
// but its time events.
std::array<uint8_t, 32> replay(const evidence::EventLog& log);

// The pieces of a report.
struct QuoteReport {
  std::vector<uint8_t> attest;
  std::vector<uint8_t> signature;
  std::vector<uint8_t> ak;  // TPM2B_PUBLIC
  PcrValues pcrs;
  int runtime_pcr = 15;
  std::vector<uint8_t> boot_log;  // the firmware's TCG event log (boot_log.h); may be empty
};
std::string encode_report(const QuoteReport& report);
// Errc::invalid_data naming the member that is missing or malformed; bounded (64 KiB text).
Result<QuoteReport> decode_report(const std::string& text);

// PCR values in a file, as the testdata and tpm2-tools write them:
//  - "<index> <hex>" lines (one bank: bank_hint), '#' comments and blank lines ignored;
//  - tpm2_pcrread / tpm2_quote YAML-ish text ("sha256:" then "  <index> : 0x<hex>" lines);
//  - tpm2_quote -o binary "values": the digests concatenated in the order of selection.
// At most 64 KiB. Errc::invalid_data naming the line or the size that does not fit.
Result<PcrValues> parse_pcr_file(std::span<const uint8_t> bytes,
                                 std::span<const PcrSelection> selection, uint16_t bank_hint);

// What the standalone verification (`leea evidence verify --tee tpm`) takes.
struct StandaloneInput {
  std::span<const uint8_t> attest;               // TPMS_ATTEST (tpm2_quote -m)
  std::span<const uint8_t> signature;            // TPMT_SIGNATURE (tpm2_quote -s, default format)
  std::span<const uint8_t> ak;                   // TPM2B_PUBLIC or TPMT_PUBLIC of the AK
  std::optional<std::span<const uint8_t>> pcrs;  // a PCR file (see parse_pcr_file)
  std::optional<std::vector<uint8_t>> nonce;     // expected qualifyingData
};
// Every check that the inputs allow (tpm.pcr_digest only with PCR values, tpm.nonce only
// with a nonce). Errc::invalid_data when attest, signature or AK cannot be parsed at all.
Result<Verification> verify_standalone(const StandaloneInput& input);

// The verifier of the report text above.
std::unique_ptr<EvidenceVerifier> make_verifier();
// The producer on this machine's TPM (options.tcti, options.runtime_pcr), with an ECC P-256
// AK (rsa: RSA-2048). Errc::unavailable when the TPM cannot be reached.
Result<std::unique_ptr<EvidenceProducer>> make_producer(const ProducerOptions& options,
                                                        bool rsa = false);

}  // namespace leea::tee::tpm
