// leea vm launch / vm tpm-init: run a leea VM under QEMU and supervise it; make the vTPM a
// VM attests with and enrol its attestation key.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <ctime>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cmd/commands.h"
#include "core/config/pool.h"
#include "core/tee/tpm/credential.h"
#include "core/tee/tpm/device.h"
#include "core/util/encoding.h"
#include "core/util/files.h"
#include "core/util/log.h"
#include "core/vm/host.h"
#include "core/vm/launch.h"

namespace leea::cmd {
namespace {

std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop = true; }

struct LaunchCmdOptions {
  std::string tee = "none";
  std::string kernel, initrd, disk, pool, order;
  std::string cmdline = "console=ttyS0 panic=-1 quiet";
  uint32_t memory = vm::kDefaultMemoryMib;
  uint32_t cpus = 1;
  std::string tpm = "swtpm";
  std::string tpm_state;
  std::string firmware;
  std::string firmware_vars = "/usr/share/OVMF/OVMF_VARS_4M.fd";
  std::string accel = "auto";
  std::string log_file;
  int timeout = 600;
  bool dry_run = false;
  bool quiet = false;
  bool json = false;
};

std::string shell_quote(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                        "0123456789_-./=:,+@%") == std::string::npos) {
    return s;
  }
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string command_line(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) out += (out.empty() ? "" : " ") + shell_quote(a);
  return out;
}

std::string default_firmware(vm::Tee tee) {
  return tee == vm::Tee::none ? "/usr/share/OVMF/OVMF_CODE_4M.fd" : "";
}

Result<vm::LaunchOptions> launch_options(const LaunchCmdOptions& o, vm::Tee tee,
                                         const std::string& accel) {
  vm::LaunchOptions l;
  l.spec.tee = tee;
  l.spec.kernel = o.kernel;
  l.spec.initrd = o.initrd;
  l.spec.disk = o.disk;
  l.spec.cmdline = o.cmdline;
  l.spec.memory_mib = o.memory;
  l.spec.cpus = o.cpus;
  l.spec.accel = accel;
  l.spec.order_id = o.order;
  l.spec.firmware = o.firmware.empty() ? default_firmware(tee) : o.firmware;
  if (l.spec.firmware.empty()) {
    return make_error(Errc::usage, std::string("--tee ") + std::string(vm::tee_name(tee)) +
                                       " needs --firmware (the " +
                                       (tee == vm::Tee::snp ? "AMD SEV OVMF build" : "TDVF") +
                                       " image)");
  }
  if (tee != vm::Tee::none && o.order.empty()) {
    return make_error(Errc::usage, "--tee snp and tdx need --order (host data / MRCONFIGID)");
  }
  if (o.tpm != "swtpm" && o.tpm != "none") {
    return make_error(Errc::usage, "--tpm '" + o.tpm + "' is not swtpm or none");
  }
  l.tpm = tee == vm::Tee::none && o.tpm == "swtpm";
  l.tpm_state = o.tpm_state;
  l.firmware_vars_template = o.firmware_vars;
  l.timeout_s = o.timeout;
  if (!o.pool.empty()) {
    LEEA_ASSIGN_OR_RETURN(auto pool, config::load_pool_file(o.pool));
    l.spec.forwards = vm::validator_forwards(pool);
  }
  return l;
}

Result<void> dry_run(const LaunchCmdOptions& o, vm::LaunchOptions l) {
  l.spec.firmware_vars = "RUNTIME/vars.fd";
  if (l.tpm) l.spec.tpm_socket = "RUNTIME/swtpm.sock";
  LEEA_ASSIGN_OR_RETURN(auto qemu, vm::qemu_argv(l.spec));
  std::vector<std::string> swtpm;
  if (l.tpm) swtpm = vm::swtpm_argv("RUNTIME/tpm", "RUNTIME/swtpm.sock", "RUNTIME/swtpm.log");
  if (o.json) {
    nlohmann::json j = {{"tee", vm::tee_name(l.spec.tee)}, {"qemu", qemu}};
    if (!swtpm.empty()) j["swtpm"] = swtpm;
    return write_all(STDOUT_FILENO, j.dump(2) + "\n");
  }
  std::string out;
  if (!swtpm.empty()) out += command_line(swtpm) + "\n";
  out += command_line(qemu) + "\n";
  return write_all(STDOUT_FILENO, out);
}

Result<void> run_launch(const LaunchCmdOptions& o) {
  auto tee = vm::parse_tee(o.tee);
  if (!tee) return make_error(Errc::usage, "--tee '" + o.tee + "' is not none, snp or tdx");
  if (o.dry_run) {
    LEEA_ASSIGN_OR_RETURN(auto l, launch_options(o, *tee, *tee == vm::Tee::none ? "tcg" : "kvm"));
    return dry_run(o, std::move(l));
  }
  LEEA_ASSIGN_OR_RETURN(auto version, vm::qemu_version("qemu-system-x86_64"));
  LEEA_TRY(vm::check_tee_support(*tee, version));
  std::string accel = "kvm";
  if (*tee == vm::Tee::none) {
    LEEA_ASSIGN_OR_RETURN(auto a, vm::choose_accel(o.accel));
    accel = a.accel;
    log::info("vm: QEMU {}, accel {}: {}", version.text(), a.accel, a.why);
  }
  LEEA_ASSIGN_OR_RETURN(auto l, launch_options(o, *tee, accel));
  std::ofstream log_out;
  if (!o.log_file.empty()) {
    log_out.open(o.log_file, std::ios::out | std::ios::trunc);
    if (!log_out) return make_error(Errc::io, o.log_file + ": cannot write the console log");
  }
  l.console = [&](const std::string& line) {
    if (!o.quiet && !o.json) (void)write_all(STDOUT_FILENO, line + "\n");
    if (log_out) log_out << line << '\n' << std::flush;
  };
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  l.stop_requested = &g_stop;
  LEEA_ASSIGN_OR_RETURN(auto out, vm::launch(l));
  using G = vm::LaunchOutcome::Guest;
  if (o.json) {
    nlohmann::json j = {{"outcome", out.guest == G::ok       ? "ok"
                                    : out.guest == G::failed ? "failed"
                                                             : "no_outcome"},
                        {"failure", out.failure},
                        {"qemu_exit", out.qemu_exit},
                        {"timed_out", out.timed_out},
                        {"interrupted", out.interrupted},
                        {"seconds", out.seconds},
                        {"unlocked_after_seconds", out.success_at},
                        {"accel", accel}};
    LEEA_TRY(write_all(STDOUT_FILENO, j.dump(2) + "\n"));
  }
  if (out.interrupted) return make_error(Errc::io, "interrupted: QEMU and swtpm stopped");
  if (out.timed_out) {
    return make_error(
        Errc::io, "no outcome within " + std::to_string(o.timeout) + " s: QEMU and swtpm stopped");
  }
  if (out.guest == G::failed) {
    return make_error(Errc::refused, "the guest did not open its disk: " + out.failure);
  }
  if (out.guest == G::no_outcome) {
    return make_error(Errc::io, "QEMU exited (code " + std::to_string(out.qemu_exit) +
                                    ") before leea's init reported an outcome");
  }
  log::info("vm: disk opened {:.1f} s after launch; guest ran {:.1f} s", out.success_at,
            out.seconds);
  return {};
}

struct TpmInitOptions {
  std::string state;
  std::string out;
  bool force = false;
  bool json = false;
};

Result<void> run_tpm_init(const TpmInitOptions& o) {
  LEEA_TRY(check_output_path(o.out, o.force));
  LEEA_ASSIGN_OR_RETURN(auto server, vm::SwtpmServer::start(o.state));
  std::vector<uint8_t> ak;
  {
    LEEA_ASSIGN_OR_RETURN(auto device, tee::tpm::Device::open(server.tcti()));
    LEEA_ASSIGN_OR_RETURN(
        auto e, tee::tpm::enrol(device, tee::tpm::KeyAlg::ecc, tee::tpm::KeyAlg::rsa, {}, {},
                                static_cast<int64_t>(std::time(nullptr))));
    if (!e.credential_activated) {
      return make_error(Errc::refused, "enrolment failed: credential activation refused");
    }
    ak = std::move(e.ak_public);
  }
  LEEA_TRY(server.stop());
  LEEA_ASSIGN_OR_RETURN(
      auto f, AtomicFile::open(o.out, 0644,
                               o.force ? AtomicFile::Mode::replace : AtomicFile::Mode::create_new));
  LEEA_TRY(f.write(ak));
  LEEA_TRY(f.commit());
  if (o.json) {
    nlohmann::json j = {{"tpm_state", o.state}, {"ak", base64_encode(ak)}, {"file", o.out}};
    return write_all(STDOUT_FILENO, j.dump(2) + "\n");
  }
  return write_all(STDOUT_FILENO, o.state + ": vTPM ready; attestation key in " + o.out +
                                      " (credential activated)\nfor the order:\ntpm:\n  ak: " +
                                      base64_encode(ak) + "\n");
}

}  // namespace

void register_vm_commands(CLI::App& app, Selected& selected) {
  CLI::App* group = app.add_subcommand("vm", "Run a leea VM under QEMU");
  group->require_subcommand(1, 1);
  auto o = std::make_shared<LaunchCmdOptions>();
  CLI::App* l = add_command(
      *group, "launch", "Boot a VM whose initramfs attests and opens its disk",
      "Boots the kernel and leea's initramfs (direct kernel boot) with the encrypted disk as\n"
      "virtio-blk and QEMU user networking restricted to the pool's validators (one\n"
      "guestfwd each; the guest sees validator i at 10.0.2.100:44300+i). Streams the serial\n"
      "console to standard output and exits with the guest's outcome:\n"
      "  0  leea's init opened the disk and switched into the root file system\n"
      "  3  the init refused to go on (a failed check; the disk stays locked)\n"
      "  1  QEMU ended or the timeout passed before the init reported, or an error\n"
      "On SIGINT/SIGTERM it stops QEMU and swtpm by PID and removes its runtime directory.\n"
      "\n"
      "  --tee none  OVMF + a swtpm vTPM (tpm-crb); the host runs the vTPM and could forge\n"
      "              it: for development, CI and trusted hosts\n"
      "  --tee snp   SEV-SNP, kernel-hashes=on, host-data = SHA-256(order id); QEMU >= 9.1\n"
      "  --tee tdx   TDX, mrconfigid = SHA-256(order id); QEMU >= 10.1\n"
      "\n"
      "Examples:\n"
      "  leea vm launch --kernel /boot/vmlinuz-6.1.0-57-amd64 --initrd initrd.img \\\n"
      "      --disk root.luks --pool pool.yaml --tpm-state vm/tpm\n"
      "  leea vm launch --tee snp --firmware OVMF.amdsev.fd --order web --kernel vmlinuz \\\n"
      "      --initrd initrd.img --disk root.luks --pool pool.yaml --dry-run");
  l->add_option("--tee", o->tee, "none (default, with --tpm), snp or tdx");
  l->add_option("--kernel", o->kernel, "Kernel (bzImage)")->required();
  l->add_option("--initrd", o->initrd, "leea's initramfs (leea initramfs build)")->required();
  l->add_option("--disk", o->disk, "The encrypted root disk (leea image encrypt)")->required();
  l->add_option("--pool", o->pool, "Pool file: the validators the guest may reach");
  l->add_option("--order", o->order, "Order id (snp host data, tdx MRCONFIGID)");
  l->add_option("--cmdline", o->cmdline, "Kernel command line (measured)");
  l->add_option("--memory", o->memory, "Guest RAM in MiB (default 512)")
      ->check(CLI::Range(128u, 1u << 20));
  l->add_option("--cpus", o->cpus, "Virtual CPUs (default 1)")->check(CLI::Range(1u, 256u));
  l->add_option("--tpm", o->tpm, "none: swtpm (default) or none");
  l->add_option("--tpm-state", o->tpm_state,
                "vTPM state made by `leea vm tpm-init` (copied; default a fresh vTPM)");
  l->add_option("--firmware", o->firmware,
                "none: OVMF code (default /usr/share/OVMF/OVMF_CODE_4M.fd); snp/tdx: -bios");
  l->add_option("--firmware-vars", o->firmware_vars, "none: OVMF variables template");
  l->add_option("--accel", o->accel, "auto (default), kvm or tcg");
  l->add_option("--log", o->log_file, "Also write the console to FILE");
  l->add_option("--timeout", o->timeout, "Stop the VM after SECONDS (default 600, 0 = none)")
      ->check(CLI::Range(0, 86400));
  l->add_flag("--dry-run", o->dry_run, "Print the swtpm and QEMU command lines and stop");
  l->add_flag("-q,--quiet", o->quiet, "Do not copy the console to standard output");
  l->add_flag("--json", o->json, "Print the outcome (or --dry-run's argv) as JSON");
  l->callback(select(selected, "vm launch", [o] { return run_launch(*o); }));

  auto t = std::make_shared<TpmInitOptions>();
  CLI::App* ti = add_command(
      *group, "tpm-init", "Make a VM's vTPM and enrol its attestation key",
      "Creates the vTPM state directory (0700) a VM boots with (vm launch --tpm-state),\n"
      "makes its attestation key and proves with MakeCredential/ActivateCredential that it\n"
      "lives beside the vTPM's endorsement key, and writes the key (TPM2B_PUBLIC) for the\n"
      "order (leea order reference --tpm-ak). Run again, it gives the same key.\n"
      "\n"
      "Example:\n"
      "  leea vm tpm-init --tpm-state vm/tpm -o vm/ak.pub");
  ti->add_option("--tpm-state", t->state, "vTPM state directory")->required();
  ti->add_option("-o,--out", t->out, "Write the attestation key here")->required();
  ti->add_flag("--force", t->force, "Replace the output if it exists");
  ti->add_flag("--json", t->json, "Print the key as JSON");
  ti->callback(select(selected, "vm tpm-init", [t] { return run_tpm_init(*t); }));
}

}  // namespace leea::cmd
