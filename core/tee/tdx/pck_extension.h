// The Intel SGX extension (OID 1.2.840.113741.1.13.1) of a PCK certificate: the platform's
// TCB (16 SGX TCB component SVNs, PCESVN, CPUSVN), PCE-ID and FMSPC, which select and match
// the TCB Info collateral. Bounded and total: DER bytes in, a PckExtension or
// Errc::invalid_data naming the field out.
// Reference: Intel SGX PCK Certificate and Certificate Revocation List Profile
// Specification, §1.3.5 "Intel SGX Extensions". Values are plain data; thread-compatible.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "core/util/result.h"

namespace leea::tee::tdx {

inline constexpr const char* kSgxExtensionOid = "1.2.840.113741.1.13.1";

struct PckExtension {
  std::array<uint8_t, 16> sgx_tcb_components{};  // SGX TCB Comp01..16 SVN
  uint16_t pce_svn = 0;
  std::array<uint8_t, 16> cpu_svn{};
  std::array<uint8_t, 2> pce_id{};
  std::array<uint8_t, 6> fmspc{};
};

// Parses the extension's value (the contents of extnValue). Unknown members (PPID, SGX
// type, platform instance, configuration) are skipped; TCB, PCE-ID and FMSPC must each
// appear exactly once.
Result<PckExtension> parse_pck_extension(std::span<const uint8_t> der);

}  // namespace leea::tee::tdx
