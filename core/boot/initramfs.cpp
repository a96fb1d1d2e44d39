#include "core/boot/initramfs.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/boot/cpio.h"
#include "core/boot/elf.h"
#include "core/config/pool_writer.h"
#include "core/config/values.h"
#include "core/util/files.h"
#include "core/util/subprocess.h"

namespace leea::boot {
namespace {

constexpr size_t kMaxBinary = 256u << 20;
constexpr size_t kMaxModule = 64u << 20;

// The applets initramfs/init and udhcpc.script call.
constexpr const char* kApplets[] = {
    "cat",  "cut", "echo",  "grep",        "insmod", "ip",   "mkdir",  "mount",  "poweroff",
    "read", "sh",  "sleep", "switch_root", "sync",   "tail", "udhcpc", "umount", "uname"};

std::vector<uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }

std::string archive_path(const std::filesystem::path& p) {
  std::string s = p.lexically_normal().string();
  while (!s.empty() && s.front() == '/') s.erase(0, 1);
  return s;
}

Result<std::vector<uint8_t>> read_bytes(const std::filesystem::path& p, size_t max) {
  LEEA_ASSIGN_OR_RETURN(std::string text, read_file(p, max));
  return bytes_of(text);
}

// The leea binary without its debug sections: strip into an anonymous file, read it back.
Result<std::vector<uint8_t>> stripped(const std::filesystem::path& binary, bool strip,
                                      std::vector<std::string>& notes) {
  if (!strip) return read_bytes(binary, kMaxBinary);
  if (!have_program("strip")) {
    notes.push_back("strip not installed (binutils): leea installed with its debug sections");
    return read_bytes(binary, kMaxBinary);
  }
  char tmpl[] = "/tmp/leea-strip-XXXXXX";
  int fd = mkstemp(tmpl);
  if (fd < 0) return errno_error("temporary file", errno);
  close(fd);
  std::string out = tmpl;
  auto r = run_checked(
      {.argv = {"strip", "--strip-debug", "-o", out, binary.string()}, .stdout_fd = -1});
  auto bytes = r ? read_bytes(out, kMaxBinary) : Result<std::vector<uint8_t>>(r.error());
  unlink(out.c_str());
  return bytes;
}

// A library path and, when it is reached through symlinks (the multiarch /lib64 loader
// link, libfoo.so.1 -> libfoo.so.1.2.3), the symlinks as they are here.
Result<void> add_library(CpioBuilder& cpio, const std::filesystem::path& path) {
  std::filesystem::path p = path;
  for (int hops = 0; hops < 8; ++hops) {
    std::error_code ec;
    if (!std::filesystem::is_symlink(p, ec)) break;
    auto target = std::filesystem::read_symlink(p, ec);
    if (ec) return make_error(Errc::io, p.string() + ": " + ec.message());
    if (!cpio.contains(archive_path(p)))
      LEEA_TRY(cpio.add_symlink(archive_path(p), target.string()));
    p = target.is_absolute() ? target : p.parent_path() / target;
  }
  if (cpio.contains(archive_path(p))) return {};
  // A directory symlink on the way (/lib -> usr/lib) is resolved too.
  std::error_code ec;
  auto real = std::filesystem::canonical(p, ec);
  if (ec) return make_error(Errc::io, p.string() + ": " + ec.message());
  LEEA_ASSIGN_OR_RETURN(auto data, read_bytes(real, kMaxBinary));
  return cpio.add_file(archive_path(p), std::move(data), 0755);
}

}  // namespace

std::vector<ModuleRequest> default_modules(std::string_view tee) {
  std::vector<ModuleRequest> m = {
      {"virtio_pci"}, {"virtio_blk"}, {"virtio_net"}, {"af_packet"},   {"dm_mod"},
      {"dm_crypt"},   {"ecb"},        {"xts"},        {"aes_generic"}, {"crc32c_generic"},
      {"ext4"},       {"tpm_crb"},    {"tpm_tis"}};
  // The guest drivers refuse to load where their TEE is absent: only for that TEE.
  if (tee == "snp") m.push_back({"sev-guest"});
  if (tee == "tdx") m.push_back({"tdx-guest", true});  // Linux >= 6.7
  return m;
}

Result<InitramfsContents> build_initramfs(const InitramfsSpec& s) {
  InitramfsContents out;
  LEEA_ASSIGN_OR_RETURN(std::string order, config::parse_id(s.order_id));
  if (s.tee != "tpm" && s.tee != "snp" && s.tee != "tdx") {
    return make_error(Errc::config, "tee '" + s.tee + "' is not tpm, snp or tdx");
  }
  if (s.disk.rfind("/dev/", 0) != 0 || s.disk.find("..") != std::string::npos) {
    return make_error(Errc::config, "disk '" + s.disk + "' is not a /dev/ path");
  }
  if (!config::is_valid_id(s.kernel_release)) {
    return make_error(Errc::config, "kernel release '" + s.kernel_release + "' is malformed");
  }
  CpioBuilder cpio;
  for (const char* d : {"dev", "proc", "sys", "run", "root", "tmp"})
    LEEA_TRY(cpio.add_directory(d));
  LEEA_TRY(cpio.add_file("init", bytes_of(s.init_script), 0755));

  LEEA_ASSIGN_OR_RETURN(auto busybox, read_bytes(s.busybox, kMaxBinary));
  LEEA_ASSIGN_OR_RETURN(auto bb_elf, read_elf(busybox, s.busybox.string()));
  if (!bb_elf.interpreter.empty() || !bb_elf.needed.empty()) {
    return make_error(Errc::config,
                      s.busybox.string() + " is dynamically linked; install busybox-static");
  }
  LEEA_TRY(cpio.add_file("bin/busybox", std::move(busybox), 0755));
  for (const char* a : kApplets) LEEA_TRY(cpio.add_symlink(std::string("bin/") + a, "busybox"));

  LEEA_ASSIGN_OR_RETURN(auto leea, stripped(s.leea, s.strip_leea, out.notes));
  LEEA_TRY(cpio.add_file("bin/leea", std::move(leea), 0755));
  std::vector<std::filesystem::path> elves = {s.leea};
  for (const auto& e : s.extra_libraries) elves.push_back(e);
  LEEA_ASSIGN_OR_RETURN(auto libs, resolve_libraries(elves));
  for (const auto& e : s.extra_libraries) LEEA_TRY(add_library(cpio, e));
  for (const auto& l : libs) {
    LEEA_TRY(add_library(cpio, l.path));
  }
  for (const auto& l : libs) out.libraries.push_back(l.path.string());
  for (const auto& e : s.extra_libraries) out.libraries.push_back(e.string());

  LEEA_ASSIGN_OR_RETURN(
      out.modules,
      plan_modules(s.modules_dir, s.modules.empty() ? default_modules(s.tee) : s.modules));
  std::string mod_root = "lib/modules/" + s.kernel_release + "/";
  std::string list;
  for (const auto& m : out.modules.load_order) {
    LEEA_ASSIGN_OR_RETURN(auto data, read_bytes(s.modules_dir / m, kMaxModule));
    LEEA_TRY(cpio.add_file(mod_root + m, std::move(data)));
    list += m + "\n";
  }
  for (const auto& n : out.modules.absent) out.notes.push_back(n + ": not in this kernel");
  LEEA_TRY(cpio.add_file(mod_root + "modules.dep", bytes_of(out.modules.modules_dep)));
  LEEA_TRY(cpio.add_file("etc/leea/modules", bytes_of(list)));

  LEEA_ASSIGN_OR_RETURN(std::string pool, config::format_pool(s.guest_pool));
  LEEA_TRY(cpio.add_file("etc/leea/pool.yaml", bytes_of(pool)));
  LEEA_TRY(cpio.add_file("etc/leea/order", bytes_of(order + "\n")));
  LEEA_TRY(cpio.add_file("etc/leea/tee", bytes_of(s.tee + "\n")));
  LEEA_TRY(cpio.add_file("etc/leea/disk", bytes_of(s.disk + "\n")));
  LEEA_TRY(cpio.add_file("etc/leea/udhcpc.script", bytes_of(s.udhcpc_script), 0755));
  out.entries = cpio.size() + 1;
  out.cpio = cpio.finish(s.mtime);
  return out;
}

}  // namespace leea::boot
