#include "core/vm/qemu.h"

#include <algorithm>

#include "core/crypto/digest.h"
#include "core/util/encoding.h"

namespace leea::vm {
namespace {

Result<std::string> path_arg(const std::filesystem::path& p, const char* what) {
  std::string s = p.string();
  if (s.empty()) return make_error(Errc::invalid_argument, std::string(what) + " not given");
  if (s.find(',') != std::string::npos) {
    return make_error(Errc::invalid_argument,
                      std::string(what) + " '" + s + "' contains a comma, which QEMU cannot take");
  }
  return s;
}

std::string netdev(const VmSpec& s) {
  std::string n = "user,id=net0,restrict=on";
  for (const auto& f : s.forwards) {
    // One relay process per guest connection, so the validators see ordinary TCP clients.
    // QEMU runs the command through /bin/sh: the address is quoted (pool-file hosts are DNS
    // names or IP addresses, never a quote), so an IPv6 address's brackets stay literal.
    n += ",guestfwd=tcp:" + f.guest.host + ":" + std::to_string(f.guest.port) + "-cmd:" + s.relay +
         " - 'TCP:" + f.host.host + ":" + std::to_string(f.host.port) + "'";
  }
  return n;
}

}  // namespace

std::optional<Tee> parse_tee(std::string_view name) {
  if (name == "none") return Tee::none;
  if (name == "snp") return Tee::snp;
  if (name == "tdx") return Tee::tdx;
  return std::nullopt;
}

std::string_view tee_name(Tee tee) {
  switch (tee) {
    case Tee::none:
      return "none";
    case Tee::snp:
      return "snp";
    case Tee::tdx:
      return "tdx";
  }
  return "none";
}

Result<std::vector<std::string>> qemu_argv(const VmSpec& s) {
  LEEA_ASSIGN_OR_RETURN(std::string kernel, path_arg(s.kernel, "kernel"));
  LEEA_ASSIGN_OR_RETURN(std::string initrd, path_arg(s.initrd, "initrd"));
  LEEA_ASSIGN_OR_RETURN(std::string disk, path_arg(s.disk, "disk"));
  LEEA_ASSIGN_OR_RETURN(std::string firmware, path_arg(s.firmware, "firmware"));
  std::string mem = std::to_string(s.memory_mib) + "M";
  std::vector<std::string> a = {s.qemu, "-nodefaults", "-no-user-config", "-display",
                                "none", "-serial",     "stdio",           "-no-reboot"};
  auto add = [&a](std::initializer_list<std::string> more) { a.insert(a.end(), more); };
  if (s.tee != Tee::none && s.order_id.empty()) {
    return make_error(Errc::invalid_argument, "an snp or tdx VM needs its order id");
  }
  switch (s.tee) {
    case Tee::none: {
      LEEA_ASSIGN_OR_RETURN(std::string vars, path_arg(s.firmware_vars, "firmware variables"));
      add({"-machine", "q35", "-accel", s.accel, "-cpu", s.accel == "kvm" ? "host" : "max"});
      add({"-m", mem, "-smp", std::to_string(s.cpus)});
      add({"-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + firmware});
      add({"-drive", "if=pflash,format=raw,unit=1,file=" + vars});
      break;
    }
    case Tee::snp: {
      auto host_data = crypto::sha256(s.order_id);
      add({"-machine", "q35,confidential-guest-support=sev0,memory-backend=ram1", "-accel", "kvm",
           "-cpu", "EPYC-v4", "-m", mem, "-smp", std::to_string(s.cpus)});
      add({"-object", "memory-backend-memfd,id=ram1,size=" + mem + ",share=true,prealloc=false"});
      add({"-object",
           "sev-snp-guest,id=sev0,cbitpos=51,reduced-phys-bits=1,kernel-hashes=on,"
           "host-data=" +
               base64_encode(host_data)});
      add({"-bios", firmware});
      break;
    }
    case Tee::tdx: {
      auto h = crypto::sha256(s.order_id);
      std::vector<uint8_t> config(h.begin(), h.end());
      config.resize(48, 0);
      add({"-machine", "q35,kernel-irqchip=split,confidential-guest-support=tdx0", "-accel", "kvm",
           "-cpu", "host", "-m", mem, "-smp", std::to_string(s.cpus)});
      add({"-object", "{\"qom-type\":\"tdx-guest\",\"id\":\"tdx0\",\"mrconfigid\":\"" +
                          base64_encode(config) + "\"}"});
      add({"-bios", firmware});
      break;
    }
  }
  if (!s.tpm_socket.empty()) {
    LEEA_ASSIGN_OR_RETURN(std::string sock, path_arg(s.tpm_socket, "swtpm socket"));
    add({"-chardev", "socket,id=chrtpm,path=" + sock, "-tpmdev", "emulator,id=tpm0,chardev=chrtpm",
         "-device", "tpm-crb,tpmdev=tpm0"});
  }
  add({"-kernel", kernel, "-initrd", initrd, "-append", s.cmdline});
  add({"-drive", "file=" + disk + ",if=none,id=disk0,format=raw", "-device",
       "virtio-blk-pci,drive=disk0"});
  add({"-netdev", netdev(s), "-device", "virtio-net-pci,netdev=net0,romfile="});
  return a;
}

std::vector<std::string> swtpm_argv(const std::filesystem::path& state_dir,
                                    const std::filesystem::path& socket, const std::string& log) {
  return {"swtpm",
          "socket",
          "--tpm2",
          "--tpmstate",
          "dir=" + state_dir.string(),
          "--ctrl",
          "type=unixio,path=" + socket.string(),
          "--flags",
          "startup-clear",
          "--log",
          "file=" + log + ",level=1",
          "--terminate"};
}

}  // namespace leea::vm
