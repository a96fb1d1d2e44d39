// Appraisal: the evidence a VM sends, judged against the order's reference values. Every
// validator runs the same function: the one that issues a token, and in share_release:
// appraise mode every validator that releases a share.
//
// Checks, each named in the verdict:
//   evidence.kind       the order accepts this kind; sim only where the validator allows it
//   evidence.signature  the report verifies (the kind's own chain of trust)
//   evidence.binding    report data = binding(nonce, ephemeral key, event log)
//   evidence.order      host data = SHA-256(order id): launched for this order
//   <kind>.<check>      every check of the kind's verifier (signature, chain, TCB, ...)
//   policy.debug        a debuggable guest only where the order allows it
//   policy.smt          SMT only where the order allows it (kinds whose evidence says)
//   policy.migration    migration only where the order allows it (kinds whose evidence says)
//   policy.min_tcb      the kind's verifier compares the TCB; a kind without one fails it
//   reference.<name>    each reference value: exact digest or allowed value
// A skipped check is reported as passed under "skipped.<name>", never silently.
// Thread-safe: pure functions of their inputs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "core/config/order.h"
#include "core/crypto/keys.h"
#include "core/evidence/event_log.h"
#include "core/util/result.h"

namespace leea::attest {

// What a VM sends: the kind, the kind's report, and the event log bound into it.
struct EvidenceDocument {
  config::TeeKind kind = config::TeeKind::sim;
  std::string report;
  evidence::EventLog log;

  std::string to_json() const;
  json::Json to_json_value() const;
  // Errc::invalid_data on any malformed field; documents are bounded to 1 MiB, reports
  // to 64 KiB.
  static Result<EvidenceDocument> from_json(const std::string& text);
  // The same for a value already read by json::parse (a member of a request body).
  static Result<EvidenceDocument> from_json_value(const json::Json& j);
};

struct CheckFailure {
  std::string check;   // "evidence.binding"
  std::string detail;  // words for the operator; never a secret
};

struct Verdict {
  std::vector<std::string> passed;
  std::vector<CheckFailure> failed;
  bool ok() const { return failed.empty(); }
  // "evidence.binding: report data does not match ...; reference.x: ..."
  std::string summary() const;
};

struct AppraisalContext {
  const config::OrderConfig* order = nullptr;
  bool allow_sim = false;
  std::vector<uint8_t> nonce;         // the challenge the evidence answers
  std::vector<uint8_t> eph_spki_der;  // the VM's ephemeral public key
  int64_t now = 0;
  std::filesystem::path collateral_dir;  // offline SNP/TDX certificates and collateral, or empty
};

// Never fails: an evidence that cannot even be parsed is a failed check.
Verdict appraise(const EvidenceDocument& evidence, const AppraisalContext& context);

}  // namespace leea::attest
