// leea attest: the VM proves itself to the pool, gets a token and, with its shares, the
// disk secret.
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "cmd/commands.h"
#include "core/attest/attest_client.h"
#include "core/config/order.h"
#include "core/config/pool.h"
#include "core/config/values.h"
#include "core/crypto/secret_bytes.h"
#include "core/disk/luks.h"
#include "core/evidence/collect.h"
#include "core/tee/evidence.h"
#include "core/util/files.h"
#include "core/util/log.h"

namespace leea::cmd {
namespace {

struct AttestCmdOptions {
  std::string pool;
  std::string order;
  std::string tee = "sim";
  std::string token_out;
  std::string key_out;
  std::string root = "/";
  std::vector<std::string> config_files;
  std::string tcti = "device:/dev/tpmrm0";
  int runtime_pcr = 15;
  int timeout_ms = 5000;
  std::string unlock;         // LUKS2 device to open
  std::string name = "root";  // /dev/mapper/<name>
  bool read_write = false;
  int deadline_s = 0;  // 0: none
  bool phases = false;
  bool json = false;
};

// Seconds since boot, the clock of /proc/uptime and of the kernel's console.
std::string uptime() {
  timespec ts{};
  clock_gettime(CLOCK_BOOTTIME, &ts);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%02ld", static_cast<long long>(ts.tv_sec),
                ts.tv_nsec / 10000000);
  return buf;
}

void print_phase(bool on, const std::string& phase, const std::string& detail) {
  if (on) (void)write_all(STDERR_FILENO, "[" + uptime() + "] " + phase + ": " + detail + "\n");
}

// Ends the process with exit code 4 when the deadline passes: the whole attestation,
// every retry and the unlock included, is bounded. Cancelled when it goes out of scope.
class Deadline {
 public:
  explicit Deadline(int seconds) {
    if (seconds <= 0) return;
    thread_ = std::thread([this, seconds] {
      std::unique_lock lock(mu_);
      if (!cv_.wait_for(lock, std::chrono::seconds(seconds), [this] { return done_; })) {
        (void)write_all(STDERR_FILENO, "leea: error: attest: deadline of " +
                                           std::to_string(seconds) +
                                           " s passed; shares obtained: unknown, none used\n");
        _exit(4);
      }
    });
  }
  ~Deadline() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

Result<void> write_private(const std::string& path, std::span<const uint8_t> bytes) {
  LEEA_ASSIGN_OR_RETURN(auto f, AtomicFile::open(path, 0600, AtomicFile::Mode::create_new));
  LEEA_TRY(f.write(bytes));
  return f.commit();
}

Result<void> run_attest_cmd(const AttestCmdOptions& o) {
  crypto::harden_process();
  if (!o.unlock.empty() && !o.key_out.empty()) {
    return make_error(Errc::usage,
                      "--unlock and --key-out exclude each other: the secret "
                      "either opens the disk or goes to a file");
  }
  if (!o.unlock.empty() && !config::is_valid_id(o.name)) {
    return make_error(Errc::usage, "--name '" + o.name + "' is not a device-mapper name");
  }
  Deadline deadline(o.deadline_s);
  LEEA_ASSIGN_OR_RETURN(auto pool, config::load_pool_file(o.pool));
  auto kind = config::parse_tee_kind(o.tee);
  if (!kind) {
    return make_error(Errc::usage, "unknown --tee '" + o.tee + "' (sim, snp, tdx or tpm)");
  }
  tee::ProducerOptions po;
  po.root = o.root;
  po.tcti = o.tcti;
  po.runtime_pcr = o.runtime_pcr;
  LEEA_ASSIGN_OR_RETURN(auto producer, tee::make_producer(*kind, po));
  LEEA_ASSIGN_OR_RETURN(auto collected,
                        evidence::collect({.root = o.root,
                                           .config_files = o.config_files,
                                           .pool_file = o.pool,
                                           .runtime_pcr = *kind == config::TeeKind::tpm
                                                              ? std::optional<int>(o.runtime_pcr)
                                                              : std::nullopt}));
  for (const auto& n : collected.notes) log::info("measure: {}", n);
  attest::AttestOptions a;
  a.log = std::move(collected.log);
  a.pool = &pool;
  a.order = o.order;
  a.producer = producer.get();
  a.fetch_secret = !o.key_out.empty() || !o.unlock.empty();
  a.timeout_ms = o.timeout_ms;
  a.on_phase = [&o](const std::string& phase, const std::string& detail) {
    print_phase(o.phases, phase, detail);
  };
  print_phase(o.phases, "evidence", std::to_string(a.log.events.size()) + " measurements");
  auto attested = attest::run_attest(a);
  if (!attested) {
    // The console line of a failed boot: what failed, and how many shares came (never what).
    if (o.phases && attested.error().message.find("shares needed") == std::string::npos) {
      print_phase(true, "shares", "none obtained");
    }
    return attested.error();
  }
  auto& out = *attested;
  if (!o.unlock.empty()) {
    auto opened = disk::activate_luks2(o.unlock, o.name, out.secret, !o.read_write);
    out.secret = crypto::SecretBytes();  // wiped now, whatever the outcome
    LEEA_TRY(opened);
    print_phase(o.phases, "unlock",
                o.unlock + " opened as /dev/mapper/" + o.name +
                    (o.read_write ? "" : " (read-only)") + "; secret wiped");
  }
  if (!o.token_out.empty()) {
    LEEA_TRY(write_private(
        o.token_out,
        std::span(reinterpret_cast<const uint8_t*>(out.token.data()), out.token.size())));
  }
  if (!o.key_out.empty()) {
    LEEA_TRY(write_private(o.key_out, out.secret.reveal()));
  }
  if (o.json) {
    nlohmann::json j = {
        {"order", o.order},
        {"attested_by", out.attested_by},
        {"token_expires", out.token_expires},
        {"shares_from", out.shares_from},
        {"unlocked", o.unlock.empty() ? nlohmann::json() : nlohmann::json("/dev/mapper/" + o.name)},
        {"passed_over", out.problems}};
    return write_all(STDOUT_FILENO, j.dump(2) + "\n");
  }
  std::string text = "attested by " + out.attested_by + "\n";
  if (!out.shares_from.empty()) {
    std::string from;
    for (const auto& v : out.shares_from) from += (from.empty() ? "" : ", ") + v;
    text += "shares from " + from + "; " +
            (o.unlock.empty() ? "secret written to " + o.key_out
                              : o.unlock + " opened as /dev/mapper/" + o.name) +
            "\n";
  }
  for (const auto& p : out.problems) text += "passed over " + p + "\n";
  return write_all(STDERR_FILENO, text);
}

}  // namespace

void register_attest_commands(CLI::App& app, Selected& selected) {
  auto o = std::make_shared<AttestCmdOptions>();
  CLI::App* a = add_command(
      app, "attest", "Prove this VM to the pool and get a token, or the disk secret",
      "Proves this VM to a validator picked at random and gets a token; with --key-out,\n"
      "also collects shares sealed to an ephemeral key from validators picked at random,\n"
      "combines them and checks the secret against the operator's manifest. The evidence\n"
      "binds the measurements of `leea evidence collect` (the pool file always included),\n"
      "which the validators compare with the order's reference values.\n"
      "\n"
      "Examples:\n"
      "  leea attest --pool pool.yaml --order demo-sim --tee sim --token-out token.jwt\n"
      "  leea attest --pool pool.yaml --order demo-sim --tee sim --key-out /run/disk.key\n"
      "  leea attest --pool pool.yaml --order web --tee tpm --key-out /run/disk.key\n"
      "  leea attest --pool /etc/leea/pool.yaml --order web --tee tpm --unlock /dev/vda \\\n"
      "      --name root --deadline 120 --phases      # what the initramfs runs\n"
      "\n"
      "With --unlock the secret never leaves this process's locked memory: it opens the\n"
      "LUKS2 device through the kernel's dm-crypt and is wiped at once.");
  a->add_option("--pool", o->pool, "Pool file (its fingerprints are the only TLS trust)")
      ->required();
  a->add_option("--order", o->order, "Order id")->required();
  a->add_option("--tee", o->tee, "Evidence kind: snp, tdx, tpm or sim (default sim)");
  a->add_option("--tcti", o->tcti, "tpm: how to reach the TPM (default device:/dev/tpmrm0)");
  a->add_option("--runtime-pcr", o->runtime_pcr,
                "tpm: PCR the measurements are extended into (default 15; the order's tpm.pcr)")
      ->check(CLI::Range(0, 23));
  a->add_option("--token-out", o->token_out, "Write the token to FILE (0600)");
  a->add_option("--key-out", o->key_out, "Fetch the shares and write the secret to FILE (0600)");
  a->add_option("--unlock", o->unlock,
                "Fetch the shares and open this LUKS2 device with the secret (dm-crypt)");
  a->add_option("--name", o->name, "--unlock: the /dev/mapper name (default root)");
  a->add_flag("--read-write", o->read_write, "--unlock: map the device read-write");
  a->add_option("--deadline", o->deadline_s,
                "Give up after SECONDS in all, with exit code 4 (default: no deadline)")
      ->check(CLI::Range(0, 86400));
  a->add_flag("--phases", o->phases, "Print each phase, stamped with seconds since boot");
  a->add_option("--root", o->root, "Measure /sys, /proc, /dev and /lib/modules under DIR");
  a->add_option("--config-file", o->config_files,
                "Also measure this file (absolute path; repeatable)");
  a->add_option("--timeout-ms", o->timeout_ms, "Per-validator request timeout (default 5000)");
  a->add_flag("--json", o->json, "Print a JSON summary on stdout");
  a->callback(select(selected, "attest", [o] { return run_attest_cmd(*o); }));
}

}  // namespace leea::cmd
