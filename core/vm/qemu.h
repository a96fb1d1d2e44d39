// QEMU command lines for a leea VM (DESIGN §1, `leea vm launch`): direct kernel boot of the
// kernel, leea's initramfs and a command line, the encrypted disk as virtio-blk, and QEMU
// user networking restricted to the pool's validators (guest_net.h).
//
//   none  OVMF (pflash code + a private copy of the variables), a swtpm vTPM as tpm-crb. The
//         firmware measures the kernel into PCR 4, the kernel's EFI stub the command line and
//         initrd into PCR 9 (boot/measured_boot.h predicts both).
//   snp   an SEV-SNP guest: the AMD SEV OVMF build as -bios, sev-snp-guest with
//         kernel-hashes=on (so the launch measurement covers kernel, initrd and command
//         line) and host-data = SHA-256(order id), guest memory from memfd. QEMU >= 9.1.
//   tdx   a TDX guest: TDVF as -bios, tdx-guest with mrconfigid = SHA-256(order id) padded
//         to 48 bytes, kernel-irqchip=split. QEMU >= 10.1.
// Pure: builds argv vectors, checks nothing on the host (host_support does). Thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/util/result.h"
#include "core/vm/guest_net.h"

namespace leea::vm {

enum class Tee { none, snp, tdx };
std::optional<Tee> parse_tee(std::string_view name);  // "none", "snp", "tdx"
std::string_view tee_name(Tee tee);

inline constexpr uint32_t kDefaultMemoryMib = 512;

struct VmSpec {
  Tee tee = Tee::none;
  std::string qemu = "qemu-system-x86_64";
  std::filesystem::path kernel, initrd, disk;
  std::string cmdline = "console=ttyS0 panic=-1 quiet";
  uint32_t memory_mib = kDefaultMemoryMib;
  uint32_t cpus = 1;
  std::string accel = "tcg";            // "kvm" or "tcg": decided before (host_support)
  std::filesystem::path firmware;       // none: OVMF_CODE; snp/tdx: the -bios image
  std::filesystem::path firmware_vars;  // none: the private copy of OVMF_VARS
  std::filesystem::path tpm_socket;     // swtpm's control socket; empty: no vTPM
  std::vector<Forward> forwards;
  std::string relay = "socat";  // guestfwd relay: "socat - TCP:host:port" per connection
  std::string order_id;         // snp host-data / tdx mrconfigid
};

// The argv, argv[0] = spec.qemu. Errc::invalid_argument when a path holds a comma (QEMU's
// option separator) or the order id is missing for snp/tdx.
Result<std::vector<std::string>> qemu_argv(const VmSpec& spec);

// The swtpm command that serves the vTPM state in dir on the control socket path.
std::vector<std::string> swtpm_argv(const std::filesystem::path& state_dir,
                                    const std::filesystem::path& socket, const std::string& log);

}  // namespace leea::vm
