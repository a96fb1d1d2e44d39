#include "core/attest/appraise.h"

#include <nlohmann/json.hpp>

#include "core/config/values.h"
#include "core/crypto/digest.h"
#include "core/tee/evidence.h"
#include "core/util/encoding.h"
#include "core/util/json.h"

namespace leea::attest {
namespace {

constexpr size_t kMaxReport = 64 * 1024;
// A report and an event log (at most 512 KiB of JSON) with room for their framing.
constexpr size_t kMaxDocument = 1 << 20;

bool same(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  // Public values (digests of public data); a plain comparison is fine.
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

// The value a reference name refers to: a claim of the verified report, else an event of
// the log (whose integrity the binding proved). A name of the evidence kind's own namespace
// ("tpm.pcr.sha256.7" for tpm evidence) is taken from the verified claims only: the log is
// written by the VM, and must not stand in for what the hardware did not attest.
std::optional<std::string> measured(const std::string& name, const std::string& kind,
                                    const tee::Claims& claims, const evidence::EventLog& log,
                                    bool digest) {
  if (auto it = claims.values.find(name); it != claims.values.end()) return it->second;
  if (name.rfind(kind + ".", 0) == 0) return std::nullopt;
  const auto* e = log.find(name);
  if (e == nullptr) return std::nullopt;
  return digest || !e->value ? e->digest : *e->value;
}

void check_references(const config::OrderConfig& order, const std::string& kind,
                      const tee::Claims& claims, const evidence::EventLog& log, Verdict& v) {
  for (const auto& [name, want] : order.reference.digests) {
    auto got = measured(name, kind, claims, log, /*digest=*/true);
    std::string check = "reference." + name;
    if (!got) {
      v.failed.push_back({check, "not measured"});
    } else if (*got != config::format_tagged_digest(want)) {
      v.failed.push_back(
          {check, "measured " + *got + ", expected " + config::format_tagged_digest(want)});
    } else {
      v.passed.push_back(check);
    }
  }
  for (const auto& [name, allowed] : order.reference.allowed) {
    auto got = measured(name, kind, claims, log, /*digest=*/false);
    std::string check = "reference." + name;
    if (!got) {
      v.failed.push_back({check, "not measured"});
    } else if (std::find(allowed.begin(), allowed.end(), *got) == allowed.end()) {
      v.failed.push_back({check, "value '" + quote_untrusted(*got) + "' is not allowed"});
    } else {
      v.passed.push_back(check);
    }
  }
  for (const auto& s : order.reference.skip) v.passed.push_back("skipped." + s.name);
}

}  // namespace

json::Json EvidenceDocument::to_json_value() const {
  return {{"kind", std::string(config::tee_kind_name(kind))},
          {"report", report},
          {"event_log", log.to_json_value()}};
}

std::string EvidenceDocument::to_json() const { return to_json_value().dump(); }

Result<EvidenceDocument> EvidenceDocument::from_json(const std::string& text) {
  LEEA_ASSIGN_OR_RETURN(json::Json j,
                        json::parse(text, "evidence", kMaxDocument, Errc::invalid_data));
  return from_json_value(j);
}

Result<EvidenceDocument> EvidenceDocument::from_json_value(const json::Json& j) {
  const json::Json* kind_j = json::find_member(j, "kind");
  const json::Json* report_j = json::find_member(j, "report");
  const json::Json* log_j = json::find_member(j, "event_log");
  if (kind_j == nullptr || !kind_j->is_string() || report_j == nullptr || !report_j->is_string() ||
      log_j == nullptr || !log_j->is_array()) {
    return make_error(Errc::invalid_data, "evidence: expected {kind, report, event_log}");
  }
  EvidenceDocument d;
  auto kind = config::parse_tee_kind(kind_j->get<std::string>());
  if (!kind) {
    return make_error(Errc::invalid_data, "evidence: unknown kind");
  }
  d.kind = *kind;
  d.report = report_j->get<std::string>();
  if (d.report.size() > kMaxReport) {
    return make_error(Errc::invalid_data, "evidence: report larger than 64 KiB");
  }
  LEEA_ASSIGN_OR_RETURN(d.log, evidence::EventLog::from_json_value(*log_j));
  return d;
}

std::string Verdict::summary() const {
  std::string s;
  for (const auto& f : failed) {
    s += (s.empty() ? "" : "; ") + f.check + ": " + f.detail;
  }
  return s;
}

Verdict appraise(const EvidenceDocument& ev, const AppraisalContext& ctx) {
  Verdict v;
  const config::OrderConfig& order = *ctx.order;
  std::string kind(config::tee_kind_name(ev.kind));
  if (!order.accepts(ev.kind)) {
    v.failed.push_back({"evidence.kind", "order " + order.id + " does not accept " + kind});
    return v;
  }
  if (ev.kind == config::TeeKind::sim && !ctx.allow_sim) {
    v.failed.push_back({"evidence.kind", "sim evidence is not allowed by this validator"});
    return v;
  }
  auto verifier = tee::make_verifier(ev.kind);
  if (!verifier) {
    v.failed.push_back({"evidence.kind", "this validator cannot verify " + kind + " evidence"});
    return v;
  }
  v.passed.push_back("evidence.kind");
  tee::VerifyContext vctx{ctx.now, &order, ctx.collateral_dir, &ev.log};
  auto verification = verifier->verify(ev.report, vctx);
  if (!verification) {
    v.failed.push_back({"evidence.signature", verification.error().message});
    return v;
  }
  bool min_tcb_checked = false;
  for (const auto& c : verification->checks) {
    if (c.name == "policy.min_tcb") min_tcb_checked = true;
    if (c.ok) {
      v.passed.push_back(c.name);
    } else {
      v.failed.push_back({c.name, c.detail});
    }
  }
  if (!verification->ok()) return v;  // claims of a report that failed mean nothing
  const tee::Claims* claims = &verification->claims;
  const auto log_digest = ev.log.digest();  // serialises the whole log: once
  auto binding = tee::compute_binding(ctx.nonce, ctx.eph_spki_der, log_digest);
  if (!same(binding, claims->report_data)) {
    v.failed.push_back(
        {"evidence.binding", "report data does not bind this nonce, ephemeral key and event log"});
  } else {
    v.passed.push_back("evidence.binding");
  }
  // A kind that replays a log into a measurement register (tpm) names the log it replayed;
  // it must be the log the binding covers, whose entries the references are checked on.
  if (auto it = claims->values.find(kind + ".event_log"); it != claims->values.end()) {
    std::string bound = "sha256:" + hex_encode(log_digest);
    if (it->second != bound) {
      v.failed.push_back({"evidence.event_log",
                          "the log replayed into the " + kind + " registers is not the log sent"});
    } else {
      v.passed.push_back("evidence.event_log");
    }
  }
  if (!same(crypto::sha256(order.id), claims->host_data)) {
    v.failed.push_back({"evidence.order", "the VM was launched for another order"});
  } else {
    v.passed.push_back("evidence.order");
  }
  if (claims->debug && !order.policy.debug) {
    v.failed.push_back({"policy.debug", "the guest is debuggable and the order forbids it"});
  } else {
    v.passed.push_back("policy.debug");
  }
  if (claims->smt.value_or(false) && !order.policy.smt) {
    v.failed.push_back({"policy.smt", "the guest policy allows SMT and the order forbids it"});
  } else if (claims->smt) {
    v.passed.push_back("policy.smt");
  }
  if (claims->migration.value_or(false) && !order.policy.migration) {
    v.failed.push_back(
        {"policy.migration", "the guest may be migrated and the order forbids migration"});
  } else if (claims->migration) {
    v.passed.push_back("policy.migration");
  }
  if (order.policy.min_tcb && !min_tcb_checked) {
    v.failed.push_back({"policy.min_tcb", kind + " evidence carries no TCB to compare"});
  }
  check_references(order, kind, *claims, ev.log, v);
  return v;
}

}  // namespace leea::attest
