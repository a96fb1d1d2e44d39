// The expected SEV-SNP launch measurement of a QEMU guest booted from OVMF, optionally with
// a direct kernel boot (-kernel/-initrd/-append), computed from the artifacts alone so that
// an order's "snp.measurement" reference value never has to be read off a running VM.
//
// QEMU launches an SNP guest with these SNP_LAUNCH_UPDATE calls, replayed here in order
// (QEMU target/i386/sev.c; the same result as virtee/sev-snp-measure in its QEMU mode):
//   1. the OVMF image, as normal pages ending at 4 GiB;
//   2. each SEV metadata section of OVMF, in order: SNP_SEC_MEMORY and SVSM_CAA as zero
//      pages, SNP_SECRETS as the secrets page, CPUID as the CPUID page, SNP_KERNEL_HASHES as
//      one normal page holding the SEV hashes table at the offset OVMF names (zero pages
//      when there is no kernel);
//   3. one VMSA page per vCPU: the BSP at the reset vector, the APs at OVMF's AP vector.
//
// The SEV hashes table (QEMU's SevHashTable, padded to 16 bytes) is
//   GUID 9438d606-4f22-4cc9-b479-a793d411fd21, u16 length 168, then three entries
//   {GUID, u16 length 50, SHA-256} for the command line (97d02dd8-...; hashed with its
//   terminating NUL), the initrd (44baf731-...; empty when none) and the kernel (4de79437-...).
//
// Thread-safety: pure functions; the file variant reads only the files it is given.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/tee/snp/launch_digest.h"
#include "core/tee/snp/launch_vmsa.h"
#include "core/util/result.h"

namespace leea::tee::snp {

inline constexpr uint32_t kMaxVcpus = 4096;                       // KVM_MAX_VCPUS on x86
inline constexpr size_t kMaxCmdlineBytes = 65536;                 // beyond any kernel's limit
inline constexpr uint64_t kMaxBootFileBytes = uint64_t{4} << 30;  // kernel, initrd

// SHA-256 digests of what QEMU hashes for a direct kernel boot.
struct KernelHashes {
  std::array<uint8_t, 32> kernel{};
  std::array<uint8_t, 32> initrd{};   // of the empty string when there is no initrd
  std::array<uint8_t, 32> cmdline{};  // of the command line and its terminating NUL
};

// Hashes in-memory boot inputs. cmdline must not contain a NUL (checked by the callers that
// take it from users: measure_launch_files).
KernelHashes hash_kernel_inputs(std::span<const uint8_t> kernel, std::span<const uint8_t> initrd,
                                std::string_view cmdline);

// The padded SEV hashes table QEMU writes into guest memory.
inline constexpr size_t kSevHashTableSize = 176;
std::array<uint8_t, kSevHashTableSize> sev_hashes_table(const KernelHashes& hashes);

struct LaunchConfig {
  uint32_t vcpus = 1;           // 1..kMaxVcpus
  uint32_t vcpu_signature = 0;  // CPUID 1 EAX of the guest's vCPU type (vcpu_type_signature)
  uint64_t guest_features = kDefaultGuestFeatures;  // SEV_FEATURES of every VMSA
};

// The launch measurement of ovmf (the whole firmware image) with, when hashes is set, a
// direct kernel boot. Fails with Errc::invalid_data when the image does not parse
// (parse_ovmf) or cannot measure a kernel (no SNP_KERNEL_HASHES section or SEV hash table
// entry, a table that does not fit its page), and Errc::invalid_argument for vcpus out of
// range or APs without an AP reset vector.
Result<Measurement> compute_launch_measurement(std::span<const uint8_t> ovmf,
                                               const std::optional<KernelHashes>& hashes,
                                               const LaunchConfig& config);

// The same from files. kernel empty: no direct kernel boot (then initrd and cmdline must be
// empty too). Errors name the input: "ovmf <path>: ...", "kernel <path>: ...",
// "initrd <path>: ...", "cmdline: ...".
struct LaunchFiles {
  std::filesystem::path ovmf;
  std::filesystem::path kernel;
  std::filesystem::path initrd;
  std::string cmdline;
};
Result<Measurement> measure_launch_files(const LaunchFiles& files, const LaunchConfig& config);

}  // namespace leea::tee::snp
