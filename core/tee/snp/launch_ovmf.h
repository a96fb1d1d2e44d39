// The parts of an SEV-capable OVMF image that shape an SEV-SNP launch measurement.
//
// QEMU maps the firmware image so that it ends at 4 GiB and, for SNP, measures it page by
// page, then lays out the pages OVMF's SEV metadata asks for. OVMF describes them in a
// GUIDed table that ends 32 bytes before the end of the image (edk2
// OvmfPkg/ResetVector/Ia16/ResetVectorVtf0.asm: "OVMF table footer" GUID 96b582de-...,
// entries laid out backwards as [data][u16 size][GUID]); the entries read here are
//   SEV metadata     dc886566-984a-4798-a75e-5585a7bf67cc  u32 offset of "ASEV" from the end
//   SEV-ES reset     00f771de-1a7e-4fcb-890e-68c77e2fb44e  u32 AP reset vector (EIP)
//   SEV hash table   7255371f-3a3b-4b04-927b-1da6efa8d454  u32 GPA, u32 size of the table
// and the SEV metadata (edk2 OvmfPkg/ResetVector/X64/OvmfSevMetadata.asm) is "ASEV", u32
// size, u32 version 1, u32 count, then count × {u32 gpa, u32 size, u32 type}.
//
// parse_ovmf() is bounded and total: bytes in, a layout or an error naming the field out;
// it never reads outside the span. Pure and thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/util/result.h"

namespace leea::tee::snp {

// Bounds on the image: QEMU's flash below 4 GiB holds at most a few MiB of code; anything
// larger than this is not firmware.
inline constexpr size_t kMinOvmfSize = 4096;
inline constexpr size_t kMaxOvmfSize = size_t{64} << 20;
// Bounds on the metadata: edk2 declares 5 sections; the sum of section sizes covers a few
// MiB at most.
inline constexpr size_t kMaxOvmfSections = 64;
inline constexpr uint64_t kMaxOvmfSectionBytes = uint64_t{256} << 20;

// Section types of the SEV metadata (OvmfSevMetadata.asm; QEMU target/i386/sev.c).
enum class OvmfSectionType : uint32_t {
  snp_sec_memory = 1,       // pre-validated memory: zero pages
  snp_secrets = 2,          // the secrets page
  cpuid = 3,                // the CPUID page
  svsm_caa = 4,             // SVSM calling area: zero pages
  snp_kernel_hashes = 0x10  // the page that holds the SEV hashes table
};
// "SNP_SEC_MEMORY", "SNP_SECRETS", "CPUID", "SVSM_CAA", "SNP_KERNEL_HASHES".
std::string_view ovmf_section_name(OvmfSectionType type);

struct OvmfSection {
  uint32_t gpa = 0;   // page-aligned
  uint32_t size = 0;  // a multiple of the page size
  OvmfSectionType type = OvmfSectionType::snp_sec_memory;
};

struct OvmfLayout {
  uint64_t gpa = 0;                          // where the image starts: 4 GiB - its size
  std::vector<OvmfSection> sections;         // SEV metadata sections, in the image's order
  uint32_t sev_es_reset_eip = 0;             // the APs' reset vector
  std::optional<uint32_t> hashes_table_gpa;  // where QEMU writes the SEV hashes table
};

// Parses an OVMF image. Fails with Errc::invalid_data, the message naming the check:
// the size (kMinOvmfSize..kMaxOvmfSize, whole pages), a missing footer table, a malformed
// or duplicated table entry, a missing SEV metadata or SEV-ES reset block entry (the image
// is not an SEV-SNP build), a bad "ASEV" header, or a section that is unknown, unaligned
// or larger than the bounds above.
Result<OvmfLayout> parse_ovmf(std::span<const uint8_t> image);

}  // namespace leea::tee::snp
