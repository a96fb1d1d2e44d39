// What a vTPM guest's firmware and kernel measure (DESIGN §7, `--tee none`), predicted from
// the boot artifacts, so an order's PCR reference values come from the kernel, initrd and
// command line themselves rather than from a trusted first boot.
//
// Measured on QEMU 7.2 + OVMF 2022.11 (OVMF_CODE_4M.fd, no Secure Boot keys) + Linux 6.1,
// direct kernel boot, and checked against real boots by the e2e tests:
//   PCR 4  EV_EFI_BOOT_SERVICES_APPLICATION: the PE/COFF Authenticode SHA-256 of the kernel
//          as QEMU hands it to OVMF, that is with QEMU's edits to the x86 boot protocol
//          setup header (Linux Documentation/arch/x86/boot.rst): type_of_loader 0xB0,
//          CAN_USE_HEAP, heap_end_ptr, cmd_line_ptr 0x20000, ramdisk_image (placed below
//          the RAM under 4 GiB less 160 KiB of ACPI data, 4 KiB aligned) and ramdisk_size;
//          then EV_EFI_ACTION "Calling EFI Application from Boot Option"; then EV_SEPARATOR.
//          So PCR 4 depends on the kernel, the initrd's size and the guest's RAM size.
//   PCR 7  Secure Boot state: EV_EFI_VARIABLE_DRIVER_CONFIG for SecureBoot (0), PK, KEK, db
//          and dbx (all empty), then EV_SEPARATOR (TCG PC Client PFP §3.3.4.8).
//   PCR 9  measured by the kernel's EFI stub: EV_EVENT_TAG "LOADED_IMAGE::LoadOptions", the
//          SHA-256 of the UTF-16LE load options (the command line, to which OVMF appends
//          " initrd=initrd", with its NUL), then EV_EVENT_TAG "Linux initrd", the SHA-256 of
//          the initrd (Linux >= 6.1 and >= 5.17).
// Pure functions; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "core/config/values.h"
#include "core/util/result.h"

namespace leea::boot {

using Sha256 = std::array<uint8_t, 32>;

// The PE/COFF Authenticode digest (Microsoft PE Format, "Calculating the PE Image Hash"):
// the headers without CheckSum and the Certificate Table entry, the sections in file order,
// and any bytes after them but before the attribute certificates. Errc::invalid_data naming
// the field when the image is not a PE32+ file it can hash.
Result<Sha256> authenticode_sha256(std::span<const uint8_t> pe);

// The kernel as QEMU's direct boot passes it to the firmware: bzImage with QEMU 7.2's
// setup-header edits for an initrd of initrd_size bytes and memory_mib of RAM (q35).
// Errc::invalid_data when it is not a bzImage of boot protocol >= 2.02 with a relocatable
// 64-bit entry; Errc::invalid_argument when the command line sets "vga=" (QEMU then edits
// more) or the initrd does not fit.
Result<std::vector<uint8_t>> qemu_patched_kernel(std::span<const uint8_t> bzimage,
                                                 uint64_t initrd_size, uint32_t memory_mib);

// The kernel release a bzImage names in its header (boot protocol kernel_version, the
// first word of the version string): "6.1.0-57-amd64". Errc::invalid_data without one.
Result<std::string> bzimage_release(std::span<const uint8_t> bzimage);

struct VtpmBoot {
  std::span<const uint8_t> kernel;  // the bzImage file
  std::span<const uint8_t> initrd;  // the initrd file, as passed to QEMU
  std::string cmdline;              // -append
  uint32_t memory_mib = 512;
};

struct VtpmPcrs {
  Sha256 pcr4{}, pcr7{}, pcr9{};
  Sha256 kernel_authenticode{}, load_options{}, initrd{};  // the event digests
};

Result<VtpmPcrs> predict_vtpm_pcrs(const VtpmBoot& boot);

// The order's reference values for them: tpm.pcr.sha256.{4,7,9} (the names the tpm
// verifier's claims use).
std::map<std::string, config::TaggedDigest> vtpm_reference(const VtpmPcrs& pcrs);

}  // namespace leea::boot
