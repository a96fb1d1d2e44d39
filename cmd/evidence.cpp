// leea evidence: the measurements a VM sends (collect) and standalone verification of one
// piece of hardware evidence (verify). Each subcommand is an options struct, a run_*
// function and a register_* function called from register_evidence_commands.
#include "core/tee/evidence.h"

#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cmd/commands.h"
#include "core/config/order.h"
#include "core/evidence/collect.h"
#include "core/tee/snp/verify.h"
#include "core/tee/tdx/verify.h"
#include "core/tee/tpm/quote.h"
#include "core/util/encoding.h"
#include "core/util/files.h"
#include "core/util/time.h"

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
  LEEA_ASSIGN_OR_RETURN(
      auto collected,
      evidence::collect({.root = o.root, .config_files = o.config_files, .pool_file = o.pool}));
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

struct VerifyCmdOptions {
  std::string tee;
  std::string report, vcek, chain;         // snp
  std::string quote, collateral, ccel;     // tdx (quote also tpm)
  std::string signature, ak, pcrs, nonce;  // tpm
  std::string order;
  std::string at;
  bool json = false;
};

constexpr size_t kMaxSmallInput = 64 * 1024;

Result<std::vector<uint8_t>> read_input(const std::string& path, const char* flag) {
  if (path.empty()) return make_error(Errc::usage, std::string(flag) + " is required");
  auto bytes = read_file(path, kMaxSmallInput);
  if (!bytes)
    return make_error(bytes.error().code, std::string(flag) + ": " + bytes.error().message);
  return std::vector<uint8_t>(bytes->begin(), bytes->end());
}

Result<int64_t> verification_time(const std::string& at) {
  if (at.empty()) return static_cast<int64_t>(std::time(nullptr));
  auto t = parse_rfc3339(at);
  if (!t) {
    return make_error(
        Errc::usage, "--at '" + at + "' is not an RFC 3339 time such as " + "2025-06-01T00:00:00Z");
  }
  return *t;
}

// Flags that belong to another kind are refused, so that a forgotten --tee is not silent.
Result<void> only_flags(const VerifyCmdOptions& o, const std::vector<std::string>& allowed) {
  const std::vector<std::pair<const char*, const std::string*>> all = {
      {"--report", &o.report},
      {"--vcek", &o.vcek},
      {"--chain", &o.chain},
      {"--quote", &o.quote},
      {"--collateral", &o.collateral},
      {"--ccel", &o.ccel},
      {"--signature", &o.signature},
      {"--ak", &o.ak},
      {"--pcrs", &o.pcrs},
      {"--nonce", &o.nonce}};
  for (const auto& [flag, value] : all) {
    if (!value->empty() && std::find(allowed.begin(), allowed.end(), flag) == allowed.end()) {
      return make_error(Errc::usage, std::string(flag) + " does not apply to --tee " + o.tee);
    }
  }
  return {};
}

Result<tee::Verification> verify_one(const VerifyCmdOptions& o, int64_t now,
                                     const config::OrderConfig* order) {
  if (o.tee == "snp") {
    LEEA_TRY(only_flags(o, {"--report", "--vcek", "--chain"}));
    if (o.report.empty()) return make_error(Errc::usage, "--tee snp needs --report FILE");
    tee::VerifyContext ctx;
    ctx.now = now;
    ctx.order = order;
    return tee::snp::verify_files(o.report, o.vcek, o.chain, ctx);
  }
  if (o.tee == "tdx") {
    LEEA_TRY(only_flags(o, {"--quote", "--collateral", "--ccel"}));
    if (o.quote.empty()) return make_error(Errc::usage, "--tee tdx needs --quote FILE");
    return tee::tdx::verify_quote_files(o.quote, o.collateral, o.ccel, now, order);
  }
  if (o.tee == "tpm") {
    LEEA_TRY(only_flags(o, {"--quote", "--signature", "--ak", "--pcrs", "--nonce"}));
    LEEA_ASSIGN_OR_RETURN(auto attest, read_input(o.quote, "--quote"));
    LEEA_ASSIGN_OR_RETURN(auto signature, read_input(o.signature, "--signature"));
    LEEA_ASSIGN_OR_RETURN(auto ak, read_input(o.ak, "--ak"));
    tee::tpm::StandaloneInput in{attest, signature, ak, std::nullopt, std::nullopt};
    std::vector<uint8_t> pcrs;
    if (!o.pcrs.empty()) {
      LEEA_ASSIGN_OR_RETURN(pcrs, read_input(o.pcrs, "--pcrs"));
      in.pcrs = std::span<const uint8_t>(pcrs);
    }
    if (!o.nonce.empty()) {
      auto nonce = hex_decode(o.nonce);
      if (!nonce) return make_error(Errc::usage, "--nonce '" + o.nonce + "' is not hex");
      in.nonce = std::move(*nonce);
    }
    return tee::tpm::verify_standalone(in);
  }
  return make_error(Errc::usage, "--tee must be snp, tdx or tpm, not '" + o.tee + "'");
}

nlohmann::json verification_json(const std::string& kind, const tee::Verification& v) {
  nlohmann::json checks = nlohmann::json::array();
  for (const auto& c : v.checks) {
    checks.push_back({{"name", c.name}, {"ok", c.ok}, {"detail", c.detail}});
  }
  nlohmann::json fields = nlohmann::json::array();
  for (const auto& [name, value] : v.fields) fields.push_back({{"name", name}, {"value", value}});
  nlohmann::json claims = {{"report_data", hex_encode(v.claims.report_data)},
                           {"host_data", hex_encode(v.claims.host_data)},
                           {"debug", v.claims.debug},
                           {"values", v.claims.values}};
  if (v.claims.smt) claims["smt"] = *v.claims.smt;
  if (v.claims.migration) claims["migration"] = *v.claims.migration;
  return {{"kind", kind},
          {"valid", v.ok()},
          {"checks", checks},
          {"fields", fields},
          {"claims", claims}};
}

std::string verification_text(const std::string& kind, const tee::Verification& v) {
  size_t width = 0;
  for (const auto& c : v.checks) width = std::max(width, c.name.size());
  for (const auto& f : v.fields) width = std::max(width, f.first.size());
  auto pad = [&](const std::string& s) { return s + std::string(width + 2 - s.size(), ' '); };
  std::string out = kind + " evidence: " + (v.ok() ? "VALID" : "REFUSED") + "\n\nchecks:\n";
  for (const auto& c : v.checks) {
    out += std::string(c.ok ? "  ok    " : "  FAIL  ") + pad(c.name) + c.detail + "\n";
  }
  out += "\nfields:\n";
  for (const auto& [name, value] : v.fields) out += "        " + pad(name) + value + "\n";
  return out;
}

Result<void> run_verify(const VerifyCmdOptions& o) {
  LEEA_ASSIGN_OR_RETURN(int64_t now, verification_time(o.at));
  std::optional<config::OrderConfig> order;
  if (!o.order.empty()) {
    LEEA_ASSIGN_OR_RETURN(order, config::load_order_file(o.order));
  }
  LEEA_ASSIGN_OR_RETURN(auto v, verify_one(o, now, order ? &*order : nullptr));
  LEEA_TRY(write_all(STDOUT_FILENO, o.json ? verification_json(o.tee, v).dump(2) + "\n"
                                           : verification_text(o.tee, v)));
  if (!v.ok()) return make_error(Errc::refused, v.failures());
  return {};
}

void register_verify(CLI::App& group, Selected& selected) {
  auto o = std::make_shared<VerifyCmdOptions>();
  CLI::App* c = add_command(
      group, "verify", "Verify one SEV-SNP report, TDX quote or TPM quote on its own",
      "Verifies one piece of hardware evidence without a pool: every check with its outcome,\n"
      "then the parsed fields (measurement, TCB, policy, report data...). The AMD and Intel\n"
      "roots are built in; certificates and collateral are checked at --at (default now).\n"
      "Exit status 0 when every check passes, 3 when one fails (named on stderr).\n"
      "\n"
      "Examples:\n"
      "  leea evidence verify --tee snp --report report.bin --vcek vcek.der\n"
      "  leea evidence verify --tee snp --report report.bin --at 2025-06-01T00:00:00Z --json\n"
      "  leea evidence verify --tee tdx --quote quote.dat --collateral collateral/\n"
      "  leea evidence verify --tee tpm --quote quote.msg --signature quote.sig \\\n"
      "      --ak ak.pub --pcrs pcrs.txt --nonce 9009");
  c->add_option("--tee", o->tee, "Evidence kind: snp, tdx or tpm")->required();
  c->add_option("--report", o->report, "snp: the report, raw (1184 bytes) or as leea report text");
  c->add_option("--vcek", o->vcek, "snp: the VCEK or VLEK certificate (DER or PEM)");
  c->add_option("--chain", o->chain, "snp: PEM file of the ASK/ASVK (and ARK)");
  c->add_option("--quote", o->quote, "tdx: the quote; tpm: TPMS_ATTEST (tpm2_quote -m)");
  c->add_option("--collateral", o->collateral,
                "tdx: directory of TCB info, QE identity and CRLs (see leea-evidence(1))");
  c->add_option("--ccel", o->ccel, "tdx: the CCEL event log, replayed into RTMR0-3");
  c->add_option("--signature", o->signature, "tpm: TPMT_SIGNATURE (tpm2_quote -s)");
  c->add_option("--ak", o->ak, "tpm: the AK public, TPM2B_PUBLIC or TPMT_PUBLIC");
  c->add_option("--pcrs", o->pcrs, "tpm: PCR values (tpm2_quote -o ... -F values, or text)");
  c->add_option("--nonce", o->nonce, "tpm: the expected qualifying data, in hex");
  c->add_option("--order", o->order,
                "Also make the order-bound checks of this order file (min_tcb, TPM AK)");
  c->add_option("--at", o->at, "Check certificates and collateral at this RFC 3339 time");
  c->add_flag("--json", o->json, "Print the checks, fields and claims as JSON");
  c->callback(select(selected, "evidence verify", [o] { return run_verify(*o); }));
}

}  // namespace

void register_evidence_commands(CLI::App& app, Selected& selected) {
  CLI::App* group = app.add_subcommand("evidence", "Collect and inspect attestation evidence");
  group->require_subcommand(1, 1);
  register_collect(*group, selected);
  register_verify(*group, selected);
}

}  // namespace leea::cmd
