// Intel DCAP collateral for TDX: TCB Info (TDX, version 3) and the TD-QE identity, signed
// JSON documents from the Intel PCS, plus the PCK and root CRLs. This file parses them and
// implements the TCB level selection of the Intel Quote Verification Library; signature
// and chain checks are made by verify.cpp with the pinned Intel root.
//
// Collateral directory layout (`leea evidence verify --collateral DIR`, and
// <VerifyContext::collateral_dir>/tdx for validators); every file is optional:
//   collateral.json         the QuoteCollateralV3 JSON object (keys tcb_info,
//                           tcb_info_signature, tcb_info_issuer_chain, qe_identity,
//                           qe_identity_signature, qe_identity_issuer_chain, pck_crl,
//                           root_ca_crl, pck_crl_issuer_chain; CRLs as hex DER), as PCCS
//                           and dcap-qvl write it. When present, the files below are ignored.
//   tcb_info.json           the body of PCS GET /tdx/certification/v4/tcb?fmspc=...
//                           ({"tcbInfo":{...},"signature":"<hex r‖s>"})
//   qe_identity.json        the body of PCS GET /tdx/certification/v4/qe/identity
//                           ({"enclaveIdentity":{...},"signature":"<hex r‖s>"})
//   tcb_signing_chain.pem   the TCB-Info-Issuer-Chain; by default the pinned Intel SGX TCB
//                           Signing certificates compiled into leea
//   pck_crl.der, root_crl.der   DER CRLs (PCS /sgx/certification/v4/pckcrl, Intel's root CRL)
// A signature covers the exact bytes of the tcbInfo / enclaveIdentity value as it appears
// in the document, so the raw text is kept, never re-serialised.
// Values are plain data; functions are stateless and thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/tee/tdx/pck_extension.h"
#include "core/tee/tdx/quote.h"
#include "core/util/result.h"

namespace leea::tee::tdx {

// A signed collateral document: the exact signed text, its signature (r‖s, 64 bytes) and
// the issuer chain as PEM (empty: use the pinned TCB signing certificates).
struct SignedDocument {
  std::string text;
  std::vector<uint8_t> signature;
  std::string issuer_chain_pem;
};

struct Collateral {
  std::optional<SignedDocument> tcb_info;
  std::optional<SignedDocument> qe_identity;
  std::optional<std::vector<uint8_t>> pck_crl;   // DER
  std::optional<std::vector<uint8_t>> root_crl;  // DER
  // Read for completeness, not used: the PCK CRL is checked against the PCK CA certificate
  // of the quote's own chain, which is itself checked up to the pinned Intel root.
  std::string pck_crl_issuer_chain_pem;
};

// Reads a collateral directory (layout above), or a single QuoteCollateralV3 JSON file (what
// collateral.json holds). Errc::io when a file is unreadable, Errc::invalid_data naming the
// file when one is malformed, Errc::invalid_data naming what was expected (and what was
// found) when the directory holds none of the files above: collateral asked for and not
// found is never the same as none asked for. Errc::io when dir does not exist.
Result<Collateral> load_collateral_dir(const std::filesystem::path& dir);
// Parses a QuoteCollateralV3 JSON object.
Result<Collateral> parse_quote_collateral(std::string_view json, std::string_view source);
// Splits a PCS response body into the raw value of `key` and its signature.
Result<SignedDocument> parse_pcs_response(std::string_view json, std::string_view key,
                                          std::string_view source);

// The TCB status names of TCB Info v3, best first.
enum class TcbStatus {
  up_to_date,
  sw_hardening_needed,
  configuration_needed,
  configuration_and_sw_hardening_needed,
  out_of_date,
  out_of_date_configuration_needed,
  revoked,
};
std::string_view tcb_status_name(TcbStatus s);  // "UpToDate", ...
std::optional<TcbStatus> parse_tcb_status(std::string_view name);

// What the collateral says about this quote.
struct TcbEvaluation {
  TcbStatus platform = TcbStatus::revoked;  // the matching TCB level (SGX, PCESVN, TDX)
  std::optional<TcbStatus> module;          // TDX module identity (TDX 1.5 modules)
  std::vector<std::string> advisory_ids;
  TcbStatus overall() const;  // the worst of platform and module
};

struct DocumentValidity {
  int64_t issue_date = 0;
  int64_t next_update = 0;
};

// Parses TCB Info (the signed text), checks it is TDX TCB Info version 3 for this FMSPC
// and PCE-ID, and selects the first TCB level whose SGX components, PCESVN and TDX
// components (TEE_TCB_SVN, from index 2 when the module major version TEE_TCB_SVN[1] is not
// 0) the platform meets, then the TDX module identity "TDX_<hex major>" level for
// TEE_TCB_SVN[0]. Errc::refused with the reason when the FMSPC or PCE-ID differs, the
// module's MRSIGNERSEAM or SEAM attributes differ, or no level matches
// ("no matching TCB level"); Errc::invalid_data when the document is malformed.
Result<TcbEvaluation> evaluate_tcb(std::string_view tcb_info_text, const PckExtension& pck,
                                   const TdReport& body, DocumentValidity* validity = nullptr);

// Parses the TD_QE identity and checks the QE report against it: MISCSELECT and
// ATTRIBUTES under their masks, MRSIGNER, ISVPRODID, and the ISVSVN level. Returns the
// level's status; Errc::refused naming the field that differs or "no matching QE
// identity level"; Errc::invalid_data when malformed.
Result<TcbStatus> evaluate_qe_identity(std::string_view identity_text, const QeReport& qe,
                                       DocumentValidity* validity = nullptr);

}  // namespace leea::tee::tdx
