// Running a VM (`leea vm launch`): a private runtime directory (0700) holding a copy of the
// vTPM state and of the firmware variables, swtpm and QEMU as child processes, the serial
// console streamed line by line to a sink, and the guest's outcome read from the lines
// leea's init script prints:
//   "leea-init: ok: ..."          the disk opened and the init switched into the root
//   "leea-init: [t] FAILED: ..."  a check failed; the init powers the guest off
// Both processes are stopped by PID (SIGTERM, then SIGKILL after 5 s) when QEMU exits, when
// the deadline passes or when stop_requested() turns true (the caller's SIGINT/SIGTERM),
// and the runtime directory is removed. Not thread-safe: one launch per process.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <string>

#include "core/util/result.h"
#include "core/vm/qemu.h"

namespace leea::vm {

struct LaunchOptions {
  VmSpec spec;                      // tpm_socket and firmware_vars are filled in by launch()
  bool tpm = true;                  // attach a swtpm vTPM (none only)
  std::filesystem::path tpm_state;  // enrolled vTPM state (vm tpm-init); empty: fresh
  std::filesystem::path firmware_vars_template;          // OVMF_VARS to copy (none only)
  std::filesystem::path runtime_parent;                  // where the runtime directory is made
  int timeout_s = 600;                                   // whole boot; 0 = none
  std::function<void(const std::string& line)> console;  // each console line, without \n
  const std::atomic<bool>* stop_requested = nullptr;
};

struct LaunchOutcome {
  enum class Guest { ok, failed, no_outcome } guest = Guest::no_outcome;
  std::string failure;  // the init's FAILED line, when failed
  int qemu_exit = -1;   // QEMU's exit code, or 128 + signal
  bool timed_out = false;
  bool interrupted = false;
  double seconds = 0;      // launch to QEMU's exit
  double success_at = -1;  // seconds from launch to the init's ok line
};

// Errc::io when swtpm or QEMU cannot be started (with the tool's name), the runtime
// directory cannot be made, or a file cannot be copied.
Result<LaunchOutcome> launch(const LaunchOptions& options);

// Makes a vTPM state directory (0700) and keeps swtpm serving it on 127.0.0.1 until the
// returned object is destroyed; tcti() is what tpm2-tss needs to reach it. Used once per VM
// before its first boot, to enrol the attestation key the order names.
class SwtpmServer {
 public:
  static Result<SwtpmServer> start(const std::filesystem::path& state_dir);
  SwtpmServer(SwtpmServer&& o) noexcept : pid_(o.pid_), tcti_(std::move(o.tcti_)) { o.pid_ = -1; }
  SwtpmServer& operator=(SwtpmServer&&) = delete;
  ~SwtpmServer();
  const std::string& tcti() const { return tcti_; }
  // Stops swtpm (it writes its state as it goes) and waits for it.
  Result<void> stop();

 private:
  SwtpmServer(int pid, std::string tcti) : pid_(pid), tcti_(std::move(tcti)) {}
  int pid_ = -1;
  std::string tcti_;
};

}  // namespace leea::vm
