// Kernel modules for an initramfs, with their dependencies from the kernel's modules.dep
// (the file depmod writes: "kernel/a.ko: kernel/b.ko kernel/c.ko", paths relative to
// /lib/modules/<release>), and the order to load them in: every module after the modules
// it depends on. Names compare as the kernel does: '-' and '_' are the same.
// Stateless and thread-safe.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/util/result.h"

namespace leea::boot {

struct ModuleRequest {
  std::string name;       // "dm-crypt", "virtio_blk"
  bool optional = false;  // absent from this kernel is fine (sev-guest, tdx-guest)
};

struct ModulePlan {
  std::vector<std::string> load_order;  // module paths relative to modules_dir, deps first
  std::string modules_dep;              // modules.dep lines of exactly these modules, sorted
  std::vector<std::string> builtin;     // requested names the kernel has built in
  std::vector<std::string> absent;      // optional names this kernel does not have
};

// Reads modules_dir/modules.dep (and modules.builtin when present), at most 8 MiB each.
// Errc::io when modules.dep cannot be read, Errc::invalid_data naming the line when it is
// malformed, Errc::config naming the module when a required one is neither a module nor
// built in, or when the dependencies form a cycle.
Result<ModulePlan> plan_modules(const std::filesystem::path& modules_dir,
                                const std::vector<ModuleRequest>& wanted);

// The module name of a path in modules.dep: "kernel/drivers/md/dm-crypt.ko" -> "dm_crypt"
// (directory and .ko, .ko.xz, .ko.zst or .ko.gz dropped, '-' as '_').
std::string module_name(std::string_view path);

}  // namespace leea::boot
