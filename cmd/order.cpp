// leea order register / revoke: the operator gives an order and its secret's shares to a
// pool, or takes them back. leea order reference: reference values for an order, from
// artifacts and a known-good boot's event log.
#include <unistd.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cmd/commands.h"
#include "core/attest/register.h"
#include "core/boot/measured_boot.h"
#include "core/config/order_writer.h"
#include "core/config/pool.h"
#include "core/crypto/keys.h"
#include "core/crypto/secret_bytes.h"
#include "core/evidence/collect.h"
#include "core/evidence/reference.h"
#include "core/util/files.h"

namespace leea::cmd {
namespace {

constexpr size_t kMaxSecret = 1u << 20;

struct OrderOptions {
  std::string pool;
  std::string order;  // register: a file; revoke: an id
  std::string secret_file;
  std::string operator_key;
  std::string operator_id = "ops";
  bool replace = false;
  bool json = false;
};

Result<void> print_outcomes(const std::vector<attest::MemberOutcome>& members, bool json,
                            nlohmann::json extra) {
  if (json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& m : members) {
      list.push_back({{"validator", m.validator}, {"ok", m.ok}, {"detail", m.detail}});
    }
    extra["validators"] = list;
    return write_all(STDOUT_FILENO, extra.dump(2) + "\n");
  }
  std::string out;
  for (const auto& m : members) {
    out += m.validator + ": " + (m.ok ? "ok" : "failed: " + m.detail) + "\n";
  }
  return write_all(STDOUT_FILENO, out);
}

Result<void> run_register(const OrderOptions& o) {
  crypto::harden_process();
  LEEA_ASSIGN_OR_RETURN(auto pool, config::load_pool_file(o.pool));
  LEEA_ASSIGN_OR_RETURN(std::string order_text, read_file(o.order, 64 * 1024));
  LEEA_ASSIGN_OR_RETURN(auto secret, crypto::read_secret(o.secret_file.c_str(), kMaxSecret));
  LEEA_ASSIGN_OR_RETURN(auto key, crypto::PrivateKey::load_pem(o.operator_key));
  LEEA_ASSIGN_OR_RETURN(
      auto report, attest::register_order(
                       pool, order_text, secret, {o.operator_id, &key},
                       o.replace ? attest::Registration::replace : attest::Registration::fresh));
  return print_outcomes(report.members, o.json,
                        {{"order", report.order},
                         {"split_id", report.split_id},
                         {"threshold", report.threshold},
                         {"shares", report.shares}});
}

Result<void> run_revoke(const OrderOptions& o) {
  crypto::harden_process();  // the operator key is read into this process
  LEEA_ASSIGN_OR_RETURN(auto pool, config::load_pool_file(o.pool));
  LEEA_ASSIGN_OR_RETURN(auto key, crypto::PrivateKey::load_pem(o.operator_key));
  auto outcomes = attest::revoke_order(pool, o.order, {o.operator_id, &key});
  LEEA_TRY(print_outcomes(outcomes, o.json, {{"order", o.order}}));
  size_t failed = 0;
  bool refused = false;
  for (const auto& m : outcomes) {
    failed += m.ok ? 0 : 1;
    refused = refused || m.refused;
  }
  if (failed > 0) {
    return make_error(refused ? Errc::refused : Errc::unavailable,
                      std::to_string(failed) + " validators did not confirm the revocation" +
                          (refused ? "" : "; run it again when they are reachable"));
  }
  return {};
}

struct ReferenceOptions {
  std::string order;
  std::string from_evidence;
  std::vector<std::string> names;
  std::vector<std::string> artifacts;  // NAME=FILE
  std::vector<std::string> values;     // NAME=TEXT
  std::string boot_kernel, boot_initrd, boot_cmdline = "console=ttyS0 panic=-1 quiet";
  uint32_t boot_memory = 512;
  std::vector<std::string> boot_disks;  // DEVICE=IMAGE
  std::string tpm_ak;
  std::string out;
  bool force = false;
};

Result<std::pair<std::string, std::string>> split_assignment(const std::string& flag,
                                                             const std::string& text) {
  size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    return make_error(Errc::usage, flag + " '" + text + "' must be NAME=" +
                                       (flag == "--artifact" ? "FILE" : "TEXT"));
  }
  return std::pair(text.substr(0, eq), text.substr(eq + 1));
}

// The vTPM boot's PCRs predicted from the artifacts (boot/measured_boot.h), the disks' LUKS
// headers, and the attestation key.
Result<void> add_boot_reference(const ReferenceOptions& o, evidence::ReferenceUpdate& update,
                                config::OrderConfig& order) {
  if (o.boot_kernel.empty() != o.boot_initrd.empty()) {
    return make_error(Errc::usage, "--boot-kernel and --boot-initrd go together");
  }
  if (!o.boot_kernel.empty()) {
    LEEA_ASSIGN_OR_RETURN(std::string kernel, read_file(o.boot_kernel, 256u << 20));
    LEEA_ASSIGN_OR_RETURN(std::string initrd, read_file(o.boot_initrd, 1u << 30));
    boot::VtpmBoot b{std::span(reinterpret_cast<const uint8_t*>(kernel.data()), kernel.size()),
                     std::span(reinterpret_cast<const uint8_t*>(initrd.data()), initrd.size()),
                     o.boot_cmdline, o.boot_memory};
    LEEA_ASSIGN_OR_RETURN(auto pcrs, boot::predict_vtpm_pcrs(b));
    for (const auto& [name, d] : boot::vtpm_reference(pcrs)) update.digests[name] = d;
  }
  for (const auto& d : o.boot_disks) {
    LEEA_ASSIGN_OR_RETURN(auto nv, split_assignment("--boot-disk", d));
    LEEA_ASSIGN_OR_RETURN(auto e, evidence::luks_header_event(nv.second, nv.first));
    LEEA_ASSIGN_OR_RETURN(update.digests[e.name], config::parse_tagged_digest(e.digest));
  }
  if (!o.tpm_ak.empty()) {
    LEEA_ASSIGN_OR_RETURN(std::string ak, read_file(o.tpm_ak, 1024));
    if (!order.accepts(config::TeeKind::tpm)) {
      return make_error(Errc::usage, order.source + ": --tpm-ak needs an order whose tee is tpm");
    }
    config::TpmOrder t = order.tpm.value_or(config::TpmOrder{});
    t.ak.assign(ak.begin(), ak.end());
    order.tpm = t;
  }
  return {};
}

Result<void> run_reference(const ReferenceOptions& o) {
  LEEA_ASSIGN_OR_RETURN(auto order, config::load_order_file(o.order));
  if (!o.out.empty()) LEEA_TRY(check_output_path(o.out, o.force));
  evidence::ReferenceRequest r;
  evidence::EventLog learned;
  if (!o.from_evidence.empty()) {
    LEEA_ASSIGN_OR_RETURN(std::string text, read_file(o.from_evidence, 4u << 20));
    auto log = evidence::parse_learned_log(text);
    if (!log) return make_error(log.error().code, o.from_evidence + ": " + log.error().message);
    learned = std::move(*log);
    r.learn = &learned;
  }
  r.patterns = o.names;
  for (const auto& a : o.artifacts) {
    LEEA_ASSIGN_OR_RETURN(auto nv, split_assignment("--artifact", a));
    r.artifacts.emplace_back(nv.first, nv.second);
  }
  for (const auto& v : o.values) {
    LEEA_ASSIGN_OR_RETURN(auto nv, split_assignment("--value", v));
    r.values.push_back(std::move(nv));
  }
  LEEA_ASSIGN_OR_RETURN(auto update, evidence::build_reference(r));
  LEEA_TRY(add_boot_reference(o, update, order));
  evidence::apply_reference(update, order);
  LEEA_ASSIGN_OR_RETURN(std::string text, config::format_order(order));
  std::string notes;
  for (const auto& n : update.notes) notes += "leea: note: " + n + "\n";
  LEEA_TRY(write_all(STDERR_FILENO, notes));
  if (o.out.empty()) return write_all(STDOUT_FILENO, text);
  LEEA_ASSIGN_OR_RETURN(
      auto f, AtomicFile::open(o.out, 0644,
                               o.force ? AtomicFile::Mode::replace : AtomicFile::Mode::create_new));
  LEEA_TRY(f.write(text));
  return f.commit();
}

void register_reference(CLI::App& order, Selected& selected) {
  auto o = std::make_shared<ReferenceOptions>();
  CLI::App* c = add_command(
      order, "reference", "Fill an order's reference values from artifacts and known-good evidence",
      "Writes the order again with reference digests taken from a known-good boot's event\n"
      "log (--from-evidence, the events chosen by --name, time events never), from files\n"
      "(--artifact NAME=FILE: SHA-256 of the file) and allowed values (--value NAME=TEXT).\n"
      "A name given here replaces whatever the order said about it. The other fields are\n"
      "kept; comments are not.\n"
      "\n"
      "A vTPM VM (vm launch --tee none): --boot-kernel, --boot-initrd, --boot-cmdline and\n"
      "--boot-memory predict tpm.pcr.sha256.4 (the kernel as QEMU hands it to OVMF), .7\n"
      "(Secure Boot off) and .9 (command line and initrd, measured by the EFI stub) from\n"
      "the artifacts themselves; --boot-disk names the disk's LUKS header and --tpm-ak the\n"
      "vTPM's attestation key.\n"
      "\n"
      "Examples:\n"
      "  leea order reference --order order.yaml --boot-kernel /boot/vmlinuz-6.1.0-57-amd64 \\\n"
      "      --boot-initrd initrd.img --boot-disk vda=root.luks --tpm-ak vm/ak.pub \\\n"
      "      -o order.yaml --force\n"
      "  leea evidence collect --json > good.json     # on a known-good VM\n"
      "  leea order reference --order order.yaml --from-evidence good.json \\\n"
      "      --name 'kernel.*' --name 'disk.*' -o order.yaml --force\n"
      "  leea order reference --order order.yaml \\\n"
      "      --artifact config./etc/leea/pool.yaml=pool.yaml -o order-new.yaml");
  c->add_option("--order", o->order, "Order file (YAML)")->required();
  c->add_option("--from-evidence", o->from_evidence,
                "Event log (leea evidence collect --json) or evidence document to learn from");
  c->add_option("--name", o->names,
                "Learn the events matching this glob (repeatable; default all)");
  c->add_option("--artifact", o->artifacts, "NAME=FILE: the file's SHA-256 under NAME");
  c->add_option("--value", o->values, "NAME=TEXT: TEXT is an allowed value of NAME");
  c->add_option("--boot-kernel", o->boot_kernel,
                "vTPM boot: the kernel; with --boot-initrd, predicts PCRs 4, 7 and 9");
  c->add_option("--boot-initrd", o->boot_initrd, "vTPM boot: the initrd (leea initramfs build)");
  c->add_option("--boot-cmdline", o->boot_cmdline,
                "vTPM boot: the kernel command line (default 'console=ttyS0 panic=-1 quiet')");
  c->add_option("--boot-memory", o->boot_memory, "vTPM boot: guest RAM in MiB (default 512)")
      ->check(CLI::Range(128u, 1u << 20));
  c->add_option(
      "--boot-disk", o->boot_disks,
      "DEVICE=IMAGE: the LUKS header of IMAGE as the guest's disk.DEVICE (vda=root.luks)");
  c->add_option("--tpm-ak", o->tpm_ak, "The attestation key (leea vm tpm-init) as tpm.ak");
  c->add_option("-o,--out", o->out, "Write the order to FILE (default standard output)");
  c->add_flag("--force", o->force, "Replace FILE if it exists");
  c->callback(select(selected, "order reference", [o] { return run_reference(*o); }));
}

void add_common(CLI::App* c, OrderOptions& o) {
  c->add_option("--pool", o.pool, "Pool file")->required();
  c->add_option("--operator-key", o.operator_key, "Operator private key (PEM)")->required();
  c->add_option("--operator-id", o.operator_id, "Operator id the validators know (default ops)");
  c->add_flag("--json", o.json, "Print the per-validator result as JSON");
}

}  // namespace

void register_order_commands(CLI::App& app, Selected& selected) {
  CLI::App* order =
      app.add_subcommand("order", "Register or revoke an order, or fill its reference values");
  order->require_subcommand(1, 1);

  auto ro = std::make_shared<OrderOptions>();
  CLI::App* reg = add_command(
      *order, "register", "Split a secret and register the order and its shares with a pool",
      "Splits the secret (threshold from the order, else the pool) into one share for each\n"
      "of the pool's first N validators (N = the order's shares, default all of them) and\n"
      "gives each the order, its share (sealed to the validator's share key) and the\n"
      "operator-signed share manifest. If one does not accept, the order is removed from\n"
      "the others and the command fails. An order id is registered once: a validator that\n"
      "already holds it refuses, unless --replace revokes it everywhere first.\n"
      "\n"
      "Example:\n"
      "  leea order register --pool pool.yaml --order configs/order-sim.yaml \\\n"
      "      --secret-file disk.key --operator-key operator.key");
  add_common(reg, *ro);
  reg->add_option("--order", ro->order, "Order file (YAML)")->required();
  reg->add_option("--secret-file", ro->secret_file, "The secret ('-' = standard input)")
      ->required();
  reg->add_flag("--replace", ro->replace,
                "Revoke the order at every validator first, then register it anew (if the new "
                "registration fails, the old one is gone all the same)");
  reg->callback(select(selected, "order register", [ro] { return run_register(*ro); }));

  auto vo = std::make_shared<OrderOptions>();
  CLI::App* rev = add_command(
      *order, "revoke", "Remove an order and its shares from every validator",
      "Every validator wipes the order's share. Exit 3 when a validator refuses, 4 when one\n"
      "cannot be reached (run it again).\n"
      "\n"
      "Example:\n"
      "  leea order revoke --pool pool.yaml --order demo-sim --operator-key operator.key");
  add_common(rev, *vo);
  rev->add_option("--order", vo->order, "Order id")->required();
  rev->callback(select(selected, "order revoke", [vo] { return run_revoke(*vo); }));

  register_reference(*order, selected);
}

}  // namespace leea::cmd
