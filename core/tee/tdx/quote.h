// Intel TDX DCAP quotes, versions 4 and 5: a bounded, total parser (bytes in, a Quote or
// Errc::invalid_data naming the field out). It checks every length and never reads outside
// the input; it verifies nothing (see verify.h).
//
// Layout (Intel TDX DCAP Quote Generation Library and Quote Verification Library, Rev 0.9,
// Appendix A.3 "Version 4 Quote Format" and A.4 "Version 5"; all integers little-endian):
//   header (48 B) | v5 only: body type (u16) + body size (u32) | TD report body
//   | signature data size (u32) | signature data | trailing bytes (tolerated, bounded)
// Body: type 2 = TDX 1.0 TD report (584 B), type 3 = TDX 1.5 (648 B: + TEE_TCB_SVN2 and
// MRSERVICETD); v4 always carries the 584-byte body.
// Signature data (A.3.8, ECDSA 256-bit Quote Signature Data): quote signature (r‖s,
// big-endian, 64 B), attestation key (P-256 X‖Y, 64 B), certification data of type 6
// (QE report certification data: QE report 384 B, QE report signature 64 B, QE
// authentication data u16 size + bytes, then nested certification data of type 5 = the
// PEM PCK certificate chain).
// Values are plain data; thread-compatible.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/util/result.h"

namespace leea::tee::tdx {

inline constexpr size_t kHeaderSize = 48;
inline constexpr size_t kBodyV4Size = 584;   // TDX 1.0 TD report body
inline constexpr size_t kBodyV15Size = 648;  // TDX 1.5 TD report body
inline constexpr size_t kQeReportSize = 384;
inline constexpr size_t kMaxQuoteSize = 64 * 1024;     // real quotes are about 5 KiB
inline constexpr size_t kMaxTrailingBytes = 8 * 1024;  // zero padding of the guest's buffer
inline constexpr uint32_t kTeeTypeTdx = 0x81;
inline constexpr uint16_t kAttKeyEcdsaP256 = 2;

using Mr = std::array<uint8_t, 48>;  // a SHA-384 measurement register

// A.3.1 Quote Header.
struct Header {
  uint16_t version = 0;
  uint16_t att_key_type = 0;
  uint32_t tee_type = 0;
  uint16_t reserved1 = 0;  // QE SVN in older layouts
  uint16_t reserved2 = 0;  // PCE SVN in older layouts
  std::array<uint8_t, 16> qe_vendor_id{};
  std::array<uint8_t, 20> user_data{};
};

// A.3.2 TD Quote Body (TDX 1.0) and A.4.2 (TDX 1.5 adds the last two fields).
struct TdReport {
  uint16_t body_type = 2;  // 2: TDX 1.0, 3: TDX 1.5
  std::array<uint8_t, 16> tee_tcb_svn{};
  Mr mr_seam{};
  Mr mr_signer_seam{};
  uint64_t seam_attributes = 0;
  uint64_t td_attributes = 0;  // bit 0: DEBUG
  uint64_t xfam = 0;
  Mr mr_td{};
  Mr mr_config_id{};
  Mr mr_owner{};
  Mr mr_owner_config{};
  std::array<Mr, 4> rtmr{};
  std::array<uint8_t, 64> report_data{};
  std::array<uint8_t, 16> tee_tcb_svn2{};  // TDX 1.5 only, else zero
  Mr mr_service_td{};                      // TDX 1.5 only, else zero
};

// The SGX REPORT body of the Quoting Enclave (SGX Developer Reference, sgx_report_body_t).
struct QeReport {
  std::array<uint8_t, 16> cpu_svn{};
  uint32_t misc_select = 0;
  std::array<uint8_t, 16> attributes{};
  std::array<uint8_t, 32> mr_enclave{};
  std::array<uint8_t, 32> mr_signer{};
  uint16_t isv_prod_id = 0;
  uint16_t isv_svn = 0;
  std::array<uint8_t, 64> report_data{};
};

struct Quote {
  Header header;
  TdReport body;
  // The bytes the quote signature covers: header, v5 body descriptor, body.
  std::vector<uint8_t> signed_bytes;
  std::array<uint8_t, 64> signature{};        // r‖s, big-endian
  std::array<uint8_t, 64> attestation_key{};  // X‖Y, big-endian
  std::vector<uint8_t> qe_report_bytes;       // the 384 signed bytes
  QeReport qe_report;
  std::array<uint8_t, 64> qe_report_signature{};  // r‖s, big-endian, by the PCK key
  std::vector<uint8_t> qe_auth_data;
  std::string pck_chain_pem;  // certification data type 5, NUL padding removed
  size_t trailing_bytes = 0;  // after the signature data
};

// Parses a quote. Errc::invalid_data ("tdx quote: <field>: ...") when it is shorter or
// longer than its lengths say, the version is not 4 or 5, the TEE is not TDX, the key
// type is not ECDSA P-256, a certification data type is not the one expected, or more than
// kMaxTrailingBytes follow the signature data.
Result<Quote> parse_quote(std::span<const uint8_t> bytes);

}  // namespace leea::tee::tdx
