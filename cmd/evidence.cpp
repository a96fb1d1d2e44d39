// leea evidence: the measurements a VM sends (collect). Each subcommand is an options
// struct, a run_* function and a register_* function called from register_evidence_commands.
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "cmd/commands.h"
#include "core/evidence/collect.h"
#include "core/util/files.h"

namespace leea::cmd {
namespace {

struct CollectCmdOptions {
  std::string root = "/";
  std::vector<std::string> config_files;
  std::string pool;
  bool json = false;
};

constexpr size_t kShownValue = 60;

std::string table(const evidence::EventLog& log) {
  size_t width = 0;
  for (const auto& e : log.events) width = std::max(width, e.name.size());
  std::string out;
  for (const auto& e : log.events) {
    std::string value = e.value.value_or("");
    if (value.size() > kShownValue) value = value.substr(0, kShownValue - 3) + "...";
    out += e.name + std::string(width + 2 - e.name.size(), ' ') + e.digest;
    out += value.empty() ? "\n" : "  " + value + "\n";
  }
  return out;
}

Result<void> run_collect(const CollectCmdOptions& o) {
  evidence::CollectOptions c;
  c.root = o.root;
  c.config_files = o.config_files;
  c.pool_file = o.pool;
  c.now = static_cast<int64_t>(std::time(nullptr));
  LEEA_ASSIGN_OR_RETURN(auto collected, evidence::collect(c));
  std::string notes;
  for (const auto& n : collected.notes) notes += "leea: note: " + n + "\n";
  LEEA_TRY(write_all(STDERR_FILENO, notes));
  return write_all(STDOUT_FILENO, o.json ? collected.log.to_json() + "\n" : table(collected.log));
}

void register_collect(CLI::App& group, Selected& selected) {
  auto o = std::make_shared<CollectCmdOptions>();
  CLI::App* c = add_command(
      group, "collect", "Print the measurements this machine would send with its evidence",
      "Measures disks (partition tables, LUKS headers), hardware (DMI, CPU, PCI), the kernel\n"
      "and its modules, bound drivers, configuration files, BIOS, TPM PCR banks and time,\n"
      "as the event log `leea attest` sends. Event names are the names orders use for\n"
      "reference values (see leea-evidence(1)).\n"
      "\n"
      "Examples:\n"
      "  leea evidence collect --pool /etc/leea/pool.yaml\n"
      "  leea evidence collect --json > known-good.json\n"
      "  leea evidence collect --root /tmp/fake-tree --config-file /etc/fstab");
  c->add_option("--root", o->root, "Read /sys, /proc, /dev and /lib/modules under DIR");
  c->add_option("--config-file", o->config_files,
                "Measure this file (absolute path on the measured system; repeatable)");
  c->add_option("--pool", o->pool, "Measure this pool file (read where it is, not under --root)");
  c->add_flag("--json", o->json, "Print the canonical JSON event log");
  c->callback(select(selected, "evidence collect", [o] { return run_collect(*o); }));
}

}  // namespace

void register_evidence_commands(CLI::App& app, Selected& selected) {
  CLI::App* group = app.add_subcommand("evidence", "Collect and inspect attestation evidence");
  group->require_subcommand(1, 1);
  register_collect(*group, selected);
  // VERIFY: register_verify(*group, selected) is added here with `leea evidence verify`.
}

}  // namespace leea::cmd
