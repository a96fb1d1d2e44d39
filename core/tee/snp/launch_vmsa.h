// The initial VMSA (VM save area) QEMU/KVM hands the PSP for each vCPU of an SEV-SNP guest,
// and the vCPU types whose CPUID signature it carries.
//
// Under SNP the VMSA is encrypted and measured, so its every byte is part of the launch
// measurement. KVM builds it from QEMU's reset state (x86 reset: CS.selector 0xf000, EFER.SVME,
// CR4.MCE, PAT default, RDX = the CPUID 1 EAX signature, x87/SSE reset values) with the
// guest's SEV_FEATURES; the BSP starts at 0xfffffff0 and the APs at the reset vector OVMF
// publishes. The layout is the SEV-ES save area of AMD64 APM Vol. 2, Table B-4.
//
// Pure functions, thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/tee/snp/launch_digest.h"
#include "core/util/result.h"

namespace leea::tee::snp {

using VmsaPage = std::array<uint8_t, kPageSize>;

// The reset vector of the bootstrap processor.
inline constexpr uint32_t kBspResetEip = 0xfffffff0;

// SEV_FEATURES bit 0 (SNPActive); the default of sev-snp-measure and of Linux before 6.6,
// which also sets DebugSwap (bit 5, 0x21) by default.
inline constexpr uint64_t kDefaultGuestFeatures = 0x1;

// The CPUID Fn0000_0001_EAX signature of family/model/stepping (AMD CPUID Specification
// #25481: family above 0xf goes into the extended family field).
uint32_t cpu_signature(uint32_t family, uint32_t model, uint32_t stepping);

// The signature of a QEMU CPU model name ("EPYC", "EPYC-v4", "EPYC-Rome", "EPYC-Milan",
// "EPYC-Genoa", "EPYC-Turin" and their versions). Fails with Errc::invalid_argument naming
// the type and listing the known ones.
Result<uint32_t> vcpu_type_signature(std::string_view type);
// The known vCPU type names, in table order.
std::vector<std::string> vcpu_type_names();

// The VMSA of a vCPU that starts at eip (KVM as driven by QEMU).
VmsaPage build_vmsa(uint32_t eip, uint32_t vcpu_signature, uint64_t guest_features);

}  // namespace leea::tee::snp
