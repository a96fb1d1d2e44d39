// The VM's initramfs (DESIGN §2, `leea initramfs build`): busybox, the leea binary and
// exactly the shared libraries it needs (from its ELF dependencies), the kernel modules the
// boot needs with their dependencies (from modules.dep), the pool file as the guest sees it,
// the order id and leea's init script, as one reproducible newc cpio archive: the same
// inputs give the same bytes, so its digest (and the PCR it is measured into) is a
// reference value.
//
// Layout inside the archive:
//   init                       initramfs/init
//   bin/busybox, bin/<applet>  busybox-static and the applets the init script uses
//   bin/leea                   the leea binary (debug sections stripped when asked)
//   lib/..., lib64/...         the loader and libraries, at the paths they have here
//   lib/modules/R/...          the modules, and a modules.dep of just those
//   etc/leea/{pool.yaml,order,tee,disk,modules,udhcpc.script}
//   dev, proc, sys, run, root  mount points
// Thread-compatible; reads files, writes nothing.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/boot/modules.h"
#include "core/config/pool.h"
#include "core/util/result.h"

namespace leea::boot {

// The modules a leea guest needs: virtio (PCI, block, network), device-mapper and dm-crypt,
// XTS and AES, ext4 and its checksum, the TPM drivers; for tee "snp" sev-guest, for "tdx"
// tdx-guest where this kernel has it.
std::vector<ModuleRequest> default_modules(std::string_view tee);

struct InitramfsSpec {
  std::string init_script;                             // the text of initramfs/init
  std::string udhcpc_script;                           // the text of initramfs/udhcpc.script
  std::filesystem::path busybox = "/bin/busybox";      // must be static
  std::filesystem::path leea;                          // the leea binary to install
  std::vector<std::filesystem::path> extra_libraries;  // dlopen()ed, e.g. the TPM TCTI
  std::filesystem::path modules_dir;                   // /lib/modules/<release>
  std::string kernel_release;                          // <release>
  std::vector<ModuleRequest> modules;                  // empty: default_modules(tee)
  config::PoolConfig guest_pool;                       // the pool with the addresses the guest uses
  std::string order_id;
  std::string tee = "tpm";        // tpm, snp or tdx
  std::string disk = "/dev/vda";  // the encrypted root inside the guest
  bool strip_leea = true;         // strip debug sections (with `strip`, when installed)
  uint32_t mtime = 0;             // every entry's mtime (SOURCE_DATE_EPOCH)
};

struct InitramfsContents {
  std::vector<uint8_t> cpio;           // uncompressed newc archive
  std::vector<std::string> libraries;  // paths installed
  ModulePlan modules;
  size_t entries = 0;
  std::vector<std::string> notes;  // e.g. "sev-guest: not in this kernel"
};

// Builds the archive. Errc::io naming the file that cannot be read or the library that
// cannot be found, Errc::config for a module neither present nor built in, a busybox that
// is not static, or an order id or tee that is malformed.
Result<InitramfsContents> build_initramfs(const InitramfsSpec& spec);

}  // namespace leea::boot
