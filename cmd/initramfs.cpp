// leea initramfs build: the VM's initramfs, reproducible, from this machine's busybox,
// leea, libraries and kernel modules.
#include "core/boot/initramfs.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cmd/commands.h"
#include "core/boot/elf.h"
#include "core/boot/measured_boot.h"
#include "core/boot/scripts.h"
#include "core/config/pool.h"
#include "core/crypto/digest.h"
#include "core/util/encoding.h"
#include "core/util/files.h"
#include "core/util/log.h"
#include "core/util/subprocess.h"
#include "core/vm/guest_net.h"

namespace leea::cmd {
namespace {

struct BuildOptions {
  std::string kernel;
  std::string modules_dir;
  std::string pool;
  std::string order;
  std::string out;
  std::string tee = "tpm";
  std::string disk = "/dev/vda";
  std::string compress = "gzip";
  std::string leea = "/proc/self/exe";
  std::string busybox = "/bin/busybox";
  std::string init;
  bool no_strip = false;
  bool force = false;
  bool json = false;
};

Result<uint32_t> source_date_epoch() {
  const char* e = std::getenv("SOURCE_DATE_EPOCH");
  if (e == nullptr || *e == '\0') return 0u;
  char* end = nullptr;
  unsigned long v = std::strtoul(e, &end, 10);
  if (*end != '\0' || v > 0xffffffffUL) {
    return make_error(Errc::usage, "SOURCE_DATE_EPOCH '" + std::string(e) + "' is not a time");
  }
  return static_cast<uint32_t>(v);
}

// Writes the archive to the output, through `gzip -n` when asked (no name, no time: the
// same archive gives the same bytes).
Result<void> write_archive(const BuildOptions& o, const std::vector<uint8_t>& cpio) {
  LEEA_ASSIGN_OR_RETURN(
      auto f, AtomicFile::open(o.out, 0644,
                               o.force ? AtomicFile::Mode::replace : AtomicFile::Mode::create_new));
  if (o.compress == "none") {
    LEEA_TRY(f.write(cpio));
    return f.commit();
  }
  int mem = memfd_create("leea-initramfs", MFD_CLOEXEC);
  if (mem < 0) return errno_error("memfd", errno);
  auto close_mem = std::unique_ptr<int, void (*)(int*)>(&mem, [](int* fd) { close(*fd); });
  LEEA_TRY(write_all(mem, cpio));
  lseek(mem, 0, SEEK_SET);
  LEEA_TRY(run_checked({.argv = {"gzip", "-n", "-6", "-c"}, .stdin_fd = mem, .stdout_fd = f.fd()}));
  return f.commit();
}

Result<void> run_build(const BuildOptions& o) {
  if (o.compress != "none" && o.compress != "gzip") {
    return make_error(Errc::usage, "--compress '" + o.compress + "' is not none or gzip");
  }
  LEEA_TRY(check_output_path(o.out, o.force));
  LEEA_ASSIGN_OR_RETURN(std::string kernel, read_file(o.kernel, 256u << 20));
  LEEA_ASSIGN_OR_RETURN(std::string release,
                        boot::bzimage_release(std::span(
                            reinterpret_cast<const uint8_t*>(kernel.data()), kernel.size())));
  LEEA_ASSIGN_OR_RETURN(auto pool, config::load_pool_file(o.pool));
  LEEA_ASSIGN_OR_RETURN(uint32_t mtime, source_date_epoch());
  boot::InitramfsSpec spec;
  if (o.init.empty()) {
    spec.init_script = boot::kInitScript;
  } else {
    LEEA_ASSIGN_OR_RETURN(spec.init_script, read_file(o.init, 1u << 20));
  }
  spec.udhcpc_script = boot::kUdhcpcScript;
  spec.busybox = o.busybox;
  std::error_code ec;
  spec.leea = std::filesystem::canonical(o.leea, ec);
  if (ec) return make_error(Errc::io, o.leea + ": " + ec.message());
  spec.strip_leea = !o.no_strip;
  spec.kernel_release = release;
  spec.modules_dir = o.modules_dir.empty() ? "/lib/modules/" + release : o.modules_dir;
  spec.guest_pool = vm::guest_pool(pool);
  spec.order_id = o.order;
  spec.tee = o.tee;
  spec.disk = o.disk;
  spec.mtime = mtime;
  if (o.tee == "tpm") {
    // tpm2-tss loads its TCTI by name at run time: not an ELF dependency.
    LEEA_ASSIGN_OR_RETURN(auto tcti, boot::find_library("libtss2-tcti-device.so.0"));
    spec.extra_libraries.push_back(tcti);
  }
  LEEA_ASSIGN_OR_RETURN(auto built, boot::build_initramfs(spec));
  LEEA_TRY(write_archive(o, built.cpio));
  LEEA_ASSIGN_OR_RETURN(std::string written, read_file(o.out, 1u << 30));
  std::string digest = "sha256:" + hex_encode(crypto::sha256(written));
  for (const auto& n : built.notes) log::info("initramfs: {}", n);
  if (o.json) {
    nlohmann::json j = {{"file", o.out},
                        {"digest", digest},
                        {"bytes", written.size()},
                        {"cpio_bytes", built.cpio.size()},
                        {"entries", built.entries},
                        {"kernel_release", release},
                        {"modules", built.modules.load_order},
                        {"builtin_modules", built.modules.builtin},
                        {"absent_modules", built.modules.absent},
                        {"libraries", built.libraries},
                        {"order", o.order},
                        {"tee", o.tee}};
    return write_all(STDOUT_FILENO, j.dump(2) + "\n");
  }
  return write_all(STDOUT_FILENO, o.out + ": " + std::to_string(written.size()) + " bytes, " +
                                      std::to_string(built.entries) + " entries, " +
                                      std::to_string(built.modules.load_order.size()) +
                                      " modules, " + std::to_string(built.libraries.size()) +
                                      " libraries, kernel " + release + "\n" + digest + "\n");
}

}  // namespace

void register_initramfs_commands(CLI::App& app, Selected& selected) {
  CLI::App* group = app.add_subcommand("initramfs", "The VM's initramfs");
  group->require_subcommand(1, 1);
  auto o = std::make_shared<BuildOptions>();
  CLI::App* b = add_command(
      *group, "build", "Build the initramfs that attests the VM and opens its disk",
      "Writes a newc cpio archive (gzip unless --compress none) holding busybox-static,\n"
      "this leea binary with exactly the shared libraries it needs (from its ELF\n"
      "dependencies), the kernel modules the boot needs with their dependencies (from\n"
      "modules.dep of the kernel's release), the pool file with the addresses the guest\n"
      "reaches the validators at, the order id and leea's init script. Reproducible:\n"
      "the same inputs and SOURCE_DATE_EPOCH give the same bytes, so the printed digest,\n"
      "and the PCR 9 it is measured into, are reference values (leea order reference\n"
      "--boot-initrd). The archive holds no secret.\n"
      "\n"
      "Examples:\n"
      "  leea initramfs build --kernel /boot/vmlinuz-$(uname -r) --pool pool.yaml \\\n"
      "      --order web -o initrd.img\n"
      "  SOURCE_DATE_EPOCH=1700000000 leea initramfs build --kernel vmlinuz --pool pool.yaml \\\n"
      "      --order web --tee snp --compress none -o initrd.img --force --json");
  b->add_option("--kernel", o->kernel, "The kernel the VM boots (bzImage; names the release)")
      ->required();
  b->add_option("--modules-dir", o->modules_dir,
                "Modules of that kernel (default /lib/modules/<release>)");
  b->add_option("--pool", o->pool, "Pool file (rewritten to the guest's addresses)")->required();
  b->add_option("--order", o->order, "Order id the VM attests for")->required();
  b->add_option("-o,--out", o->out, "Output file")->required();
  b->add_option("--tee", o->tee, "Evidence the VM produces: tpm (default), snp or tdx");
  b->add_option("--disk", o->disk, "The encrypted root inside the guest (default /dev/vda)");
  b->add_option("--compress", o->compress, "gzip (default) or none");
  b->add_option("--leea", o->leea, "The leea binary to install (default this one)");
  b->add_option("--busybox", o->busybox, "A static busybox (default /bin/busybox)");
  b->add_option("--init", o->init, "Init script (default the one built into leea)");
  b->add_flag("--no-strip", o->no_strip, "Keep leea's debug sections");
  b->add_flag("--force", o->force, "Replace the output if it exists");
  b->add_flag("--json", o->json, "Print a JSON summary");
  b->callback(select(selected, "initramfs build", [o] { return run_build(*o); }));
}

}  // namespace leea::cmd
