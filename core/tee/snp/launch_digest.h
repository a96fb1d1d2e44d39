// The SEV-SNP launch digest (the guest context's LD), recomputed outside the PSP.
//
// At launch, SNP_LAUNCH_UPDATE folds every page the hypervisor hands the guest into a
// SHA-384 chain: LD' = SHA-384(PAGE_INFO), where PAGE_INFO holds the current LD, a digest of
// the page's contents (or zeros for pages the PSP fills itself), the page type and its GPA
// (SEV-SNP ABI §8.17.2, Table "PAGE_INFO Structure"). The final LD is the MEASUREMENT field
// of every attestation report of the guest. This class replays that chain; it does no I/O.
//
// Thread-safety: a LaunchDigest is a plain value; distinct objects are independent.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "core/util/result.h"

namespace leea::tee::snp {

using Measurement = std::array<uint8_t, 48>;  // a SHA-384 launch digest

inline constexpr uint64_t kPageSize = 4096;

// PAGE_TYPE values of SNP_LAUNCH_UPDATE (SEV-SNP ABI, Table "Page Types").
enum class PageType : uint8_t {
  normal = 0x01,
  vmsa = 0x02,
  zero = 0x03,
  unmeasured = 0x04,
  secrets = 0x05,
  cpuid = 0x06,
};

// The PSP records a VMSA page at GPA 2^64 - 1 masked to a page-aligned address below 2^52.
inline constexpr uint64_t kVmsaGpa = 0xFFFFFFFFF000;

class LaunchDigest {
 public:
  // Starts from an all-zero digest, as SNP_LAUNCH_START does.
  LaunchDigest() = default;

  // Measures data as consecutive normal pages from gpa on.
  // Fails (Errc::invalid_data) when data is not a whole number of pages or gpa is not
  // page-aligned.
  Result<void> add_normal_pages(uint64_t gpa, std::span<const uint8_t> data);
  // Records length bytes of zero, unmeasured pages from gpa on (contents digest all zeros).
  // Fails when gpa or length is not page-aligned.
  Result<void> add_zero_pages(uint64_t gpa, uint64_t length);
  Result<void> add_unmeasured_pages(uint64_t gpa, uint64_t length);
  // One secrets or CPUID page at gpa (the PSP fills it; its contents are not measured).
  Result<void> add_secrets_page(uint64_t gpa);
  Result<void> add_cpuid_page(uint64_t gpa);
  // One VMSA page (the initial register state of a vCPU), recorded at kVmsaGpa.
  void add_vmsa_page(std::span<const uint8_t, kPageSize> vmsa);

  const Measurement& value() const { return ld_; }

 private:
  Result<void> add_empty_pages(PageType type, uint64_t gpa, uint64_t length);
  void update(PageType type, uint64_t gpa, const Measurement& contents);

  Measurement ld_{};
};

}  // namespace leea::tee::snp
