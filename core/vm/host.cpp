#include "core/vm/host.h"

#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <regex>

#include "core/util/files.h"
#include "core/util/subprocess.h"

namespace leea::vm {
namespace {

bool kvm_creates_vm() {
  int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ioctl(fd, KVM_GET_API_VERSION, 0) == KVM_API_VERSION;
  if (ok) {
    int vm = ioctl(fd, KVM_CREATE_VM, 0);
    ok = vm >= 0;
    if (vm >= 0) close(vm);
  }
  close(fd);
  return ok;
}

bool cpu_has_virtualisation() {
  auto info = read_file("/proc/cpuinfo", 8u << 20);
  if (!info) return false;
  std::regex flag(R"(\b(vmx|svm)\b)");
  return std::regex_search(*info, flag);
}

}  // namespace

std::string QemuVersion::text() const {
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(micro);
}

Result<QemuVersion> parse_qemu_version(const std::string& text) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex(R"(version (\d{1,4})\.(\d{1,4})(?:\.(\d{1,4}))?)"))) {
    return make_error(Errc::invalid_data, "QEMU printed no version");
  }
  return QemuVersion{std::stoi(m[1]), std::stoi(m[2]), m[3].matched ? std::stoi(m[3]) : 0};
}

Result<QemuVersion> qemu_version(const std::string& qemu) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return errno_error("pipe", errno);
  auto pid = spawn({.argv = {qemu, "--version"}, .stdout_fd = fds[1], .stderr_fd = -1});
  close(fds[1]);
  if (!pid) {
    close(fds[0]);
    return make_error(Errc::io, pid.error().message + " (install qemu-system-x86)");
  }
  std::string out;
  char buf[512];
  ssize_t n;
  while (out.size() < 4096 && (n = read(fds[0], buf, sizeof buf)) > 0) out.append(buf, n);
  close(fds[0]);
  (void)wait_exit(*pid);
  return parse_qemu_version(out);
}

Result<Accel> choose_accel(const std::string& requested) {
  if (requested == "tcg") return Accel{"tcg", "asked for TCG"};
  bool kvm = kvm_creates_vm();
  bool virt = cpu_has_virtualisation();
  if (requested == "kvm") {
    if (!kvm) return make_error(Errc::unavailable, "--accel kvm: /dev/kvm cannot create a VM");
    return Accel{"kvm", "asked for KVM"};
  }
  if (requested != "auto") {
    return make_error(Errc::usage, "--accel '" + requested + "' is not auto, kvm or tcg");
  }
  if (kvm && virt) return Accel{"kvm", "KVM works here"};
  return Accel{"tcg", kvm ? "KVM answers but the CPU offers no vmx/svm: using TCG (slow)"
                          : "no usable /dev/kvm: using TCG (slow)"};
}

Result<void> check_tee_support(Tee tee, const QemuVersion& v) {
  if (tee == Tee::snp) {
    if (!v.at_least(9, 1)) {
      return make_error(Errc::unavailable,
                        "SEV-SNP guests need QEMU 9.1 or newer; this is QEMU " + v.text());
    }
    if (access("/dev/sev", R_OK | W_OK) != 0) {
      return make_error(Errc::unavailable,
                        "SEV-SNP guests need /dev/sev (an AMD host with "
                        "SEV-SNP enabled in firmware and kvm_amd)");
    }
  } else if (tee == Tee::tdx) {
    if (!v.at_least(10, 1)) {
      return make_error(Errc::unavailable,
                        "TDX guests need QEMU 10.1 or newer; this is QEMU " + v.text());
    }
    auto p = read_file("/sys/module/kvm_intel/parameters/tdx", 16);
    if (!p || p->empty() || ((*p)[0] != 'Y' && (*p)[0] != '1')) {
      return make_error(Errc::unavailable,
                        "TDX guests need KVM with TDX enabled "
                        "(kvm_intel.tdx=Y on a TDX host)");
    }
  }
  return {};
}

}  // namespace leea::vm
