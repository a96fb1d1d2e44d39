// Verifying SEV-SNP evidence (DESIGN §4, kind `snp`): the report's ECDSA P-384 signature
// by the VCEK or VLEK it names, that key's chain to a pinned AMD root, the TCB the key
// certificate states, the guest policy, and the claims appraisal compares with an order.
//
// Report text (what the VM sends, at most 64 KiB):
//   base64url(ATTESTATION_REPORT, 0x4A0 bytes) [ "." base64url(ATTACHMENT) ]
// where ATTACHMENT is either the DER VCEK/VLEK certificate (it starts with byte 0x30) or the
// certificate table of an extended report (GHCB spec §4.1.8.1, what configfs-tsm returns in
// auxblob and SNP_GET_EXT_REPORT in its certificate buffer). The ARK in a table is never
// trusted; its ASK/ASVK may serve as the intermediate when it chains to a pinned ARK.
// Without an attachment the VCEK is taken from the offline cache:
//   <collateral_dir>/snp/vcek/<chip_id, 128 lowercase hex>/<reported_tcb, 16 hex>.der
// (DER or PEM; reported_tcb as the 8 bytes in report order, e.g. "0300000000000873"). A VLEK
// must come with the report.
//
// Checks, in the order made (Verification::checks):
//   snp.signing_key  the report's signing-key field (FLAGS bits 4:2) names the VCEK or VLEK
//   snp.vcek_chain   VCEK → ASK → ARK at context.now (snp.vlek_chain: VLEK → ASVK → ARK)
//   snp.signature    ECDSA P-384/SHA-384 over bytes [0, 0x2A0) with the key certificate
//   snp.product      the report's CPUID (v3+) names the product the key certificate names
//   snp.tcb          REPORTED_TCB equals the TCB in the key certificate's extensions
//   snp.chip_id      CHIP_ID equals the VCEK's hwID (VCEK only)
//   snp.policy       GUEST_POLICY bit 17, reserved as one, is one
//   snp.report_data  (order given) bytes 32..63 of REPORT_DATA are zero: leea puts the
//                    32-byte binding in bytes 0..31
//   snp.vmpl         (order given) the report was requested at VMPL 0
//   policy.min_tcb   (order sets min_tcb) REPORTED_TCB meets the minimum, component-wise;
//                    text form in report.h (parse_min_tcb), e.g. "bl=3,tee=0,snp=8,ucode=115"
//                    ("fmc=…" too for Turin)
// After a failed check the others are still made, so that a changed byte is named.
//
// Claims: report_data = REPORT_DATA[0..32), host_data = HOST_DATA, debug = policy bit 19,
// smt = policy bit 16, migration = policy bit 18 (migration agent). Claims.values, the names
// an order's reference values use:
//   snp.measurement       "sha384:<hex>"   launch measurement
//   snp.host_data         "sha256:<hex>"   HOST_DATA (leea: SHA-256 of the order id)
//   snp.id_key_digest     "sha384:<hex>"   digest of the ID key (zero without an ID block)
//   snp.author_key_digest "sha384:<hex>"   digest of the author key
//   snp.family_id         "<32 hex>"       snp.image_id  "<32 hex>"
//   snp.guest_svn         decimal          snp.vmpl      decimal (0 = most privileged)
//   snp.policy            "0x<16 hex>"     snp.reported_tcb  tcb_text(), "bl=3,tee=0,..."
//   snp.product           "Milan" | "Genoa" | "Turin"
//   snp.signing_key       "VCEK" | "VLEK"
// Verification::fields: every report field (report_fields()) and the key certificate.
//
// Thread-safety: stateless functions; the verifier object may be shared.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/crypto/x509.h"
#include "core/tee/evidence.h"
#include "core/tee/snp/certs.h"
#include "core/tee/snp/report.h"

namespace leea::tee::snp {

inline constexpr size_t kMaxReportText = 64 * 1024;

// The key certificate and extra intermediates that come with a report.
struct KeyMaterial {
  std::optional<crypto::Certificate> key_cert;     // VCEK or VLEK; nullopt: use the cache
  std::vector<crypto::Certificate> intermediates;  // ASK/ASVK candidates, never roots
  std::string problem;  // why an attachment was unusable ("" when fine); fails the chain check
};

// Splits report text into the raw report and its attachment. Errc::invalid_data when the
// text is over kMaxReportText or the report part is not base64url; a bad attachment is
// reported in KeyMaterial::problem, not as an error.
struct DecodedText {
  std::vector<uint8_t> report;
  KeyMaterial keys;
};
Result<DecodedText> decode_report_text(std::string_view text);
// The text for a raw report and an optional attachment (DER certificate or table).
std::string encode_report_text(std::span<const uint8_t> report,
                               std::span<const uint8_t> attachment = {});

// Verifies a raw report with the given key material against anchors at context.now
// (order-bound checks only when context.order is set). Errc::invalid_data only when the
// report cannot be parsed (parse_report()); every other failure is a failed check.
Result<Verification> verify_report(std::span<const uint8_t> report, const KeyMaterial& keys,
                                   const VerifyContext& context,
                                   const TrustAnchors& anchors = TrustAnchors::amd());
// decode_report_text() then verify_report().
Result<Verification> verify_text(std::string_view text, const VerifyContext& context,
                                 const TrustAnchors& anchors = TrustAnchors::amd());

// For `leea evidence verify --tee snp --report FILE [--vcek FILE] [--chain FILE]`: the
// report file holds the raw 0x4A0-byte report or report text; vcek (empty: none) a VCEK or
// VLEK in DER or PEM, which replaces any the text carries; chain (empty: none) a PEM file of
// ASK/ASVK and ARK, whose ARK is only accepted if it is the pinned one. Errors name the file
// (Errc::io unreadable, Errc::invalid_data malformed).
Result<Verification> verify_files(const std::filesystem::path& report,
                                  const std::filesystem::path& vcek,
                                  const std::filesystem::path& chain, const VerifyContext& context);

std::unique_ptr<EvidenceVerifier> make_verifier();

}  // namespace leea::tee::snp
