// What this host can run (`leea vm launch`): the QEMU version, whether KVM works, and
// whether SEV-SNP or TDX guests can be started. Reads /dev/kvm, /dev/sev, /proc/cpuinfo and
// /sys/module; runs `qemu --version`. Thread-safe.
#pragma once

#include <string>

#include "core/util/result.h"
#include "core/vm/qemu.h"

namespace leea::vm {

struct QemuVersion {
  int major = 0, minor = 0, micro = 0;
  bool at_least(int ma, int mi) const { return major > ma || (major == ma && minor >= mi); }
  std::string text() const;
};

// Parses "QEMU emulator version 7.2.22 (Debian ...)". Errc::io when qemu cannot be run,
// Errc::invalid_data when it prints no version.
Result<QemuVersion> qemu_version(const std::string& qemu);
Result<QemuVersion> parse_qemu_version(const std::string& text);

struct Accel {
  std::string accel;  // "kvm" or "tcg"
  std::string why;    // for the operator: why this one
};

// requested "auto", "kvm" or "tcg". auto takes KVM when /dev/kvm creates a VM and the CPU
// offers hardware virtualisation (vmx or svm), else TCG. "kvm" without a usable KVM is
// Errc::unavailable; anything else Errc::usage.
Result<Accel> choose_accel(const std::string& requested);

// snp: QEMU >= 9.1 and /dev/sev; tdx: QEMU >= 10.1 and KVM with TDX enabled. Errc::unavailable
// saying what is missing; none always succeeds.
Result<void> check_tee_support(Tee tee, const QemuVersion& version);

}  // namespace leea::vm
