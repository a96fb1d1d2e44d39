// The interface every kind of hardware evidence implements (sim now; snp, tdx and tpm
// later): a producer on the VM side that makes a signed report whose report data is the
// binding, and a verifier on the validator side that checks the report's signature and
// returns the claims it carries. Appraisal against an order's reference values is in
// core/attest, the same for every kind.
//
// The binding ties evidence to one challenge, one ephemeral key and one event log:
//   binding = SHA-256("leea-binding-v1" ‖ nonce ‖ SHA-256(eph_pub SPKI DER) ‖ SHA-256(log))
// Thread-safety: implementations are stateless after construction and may be shared.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/config/order.h"
#include "core/evidence/event_log.h"
#include "core/util/result.h"

namespace leea::tee {

using Binding = std::array<uint8_t, 32>;

Binding compute_binding(std::span<const uint8_t> nonce, std::span<const uint8_t> eph_spki_der,
                        const std::array<uint8_t, 32>& log_digest);

// What a verified report says. Names are the reference-value names of the kind
// ("sim.launch_measurement", "snp.measurement", "tpm.pcr.sha256.7"); digests are
// "shaNNN:<hex>", other values plain text.
struct Claims {
  Binding report_data{};
  std::array<uint8_t, 32> host_data{};  // SHA-256 of the order id the VM was launched for
  std::map<std::string, std::string> values;
  bool debug = false;
  std::optional<bool> smt;        // the guest may run with SMT on; nullopt: the kind does not say
  std::optional<bool> migration;  // a migration agent / live migration is allowed; nullopt: unknown
};

// One check a verifier made, named "<kind>.<what>" ("snp.signature", "tdx.pck_chain") or
// "policy.min_tcb". The detail says why it failed; it never holds a secret.
struct Check {
  std::string name;
  bool ok = false;
  std::string detail;
};

// Everything a verifier found: every check with its outcome, the claims, and the parsed
// fields for people and scripts (`leea evidence verify`).
struct Verification {
  std::vector<Check> checks;                                // in the order made
  Claims claims;                                            // trustworthy only when ok()
  std::vector<std::pair<std::string, std::string>> fields;  // ("snp.version", "2"), ...

  // At least one check was made and every one passed.
  bool ok() const;
  // "snp.signature: ...; snp.vcek_chain: ..." for the failed checks.
  std::string failures() const;
  void pass(std::string name, std::string detail = {});
  void fail(std::string name, std::string detail);
};

// What a verifier checks against besides the report itself.
struct VerifyContext {
  int64_t now = 0;  // unix seconds: certificates, CRLs and collateral are checked at this time
  // The order appraised against: order-bound material (the TPM AK) and policy (min_tcb).
  // nullptr for standalone verification, where order-bound checks are reported as not made.
  const config::OrderConfig* order = nullptr;
  // Offline certificates and collateral (SNP VCEKs and chains, TDX collateral); empty: none.
  std::filesystem::path collateral_dir;
  // The event log the binding covers, for kinds that replay it into a measurement register
  // (tpm); nullptr when there is none, and then such kinds fail their event-log check.
  const evidence::EventLog* log = nullptr;
};

// What a producer needs to reach this machine's hardware.
struct ProducerOptions {
  std::filesystem::path root = "/";  // prefix for /sys and /dev paths (tests use a fake tree)
  std::string tcti = "device:/dev/tpmrm0";  // TPM transmission interface (tpm kind)
  int runtime_pcr = 15;                     // PCR the event log is extended into (tpm kind)
};

class EvidenceProducer {
 public:
  virtual ~EvidenceProducer() = default;
  virtual config::TeeKind kind() const = 0;
  // A report for this binding, as text (base64url or a compact JWS). log is the event log
  // the binding covers; kinds with a measurement register (tpm) extend it there first.
  virtual Result<std::string> produce(const Binding& binding, const std::string& order_id,
                                      const evidence::EventLog& log) = 0;
};

class EvidenceVerifier {
 public:
  virtual ~EvidenceVerifier() = default;
  virtual config::TeeKind kind() const = 0;
  // Verifies the report: every check the kind defines, each in the result, failed ones
  // included. Errc::invalid_data only when the report cannot be parsed at all.
  virtual Result<Verification> verify(const std::string& report,
                                      const VerifyContext& context) const = 0;
};

// The verifier for a kind, or nullptr when this build has none.
std::unique_ptr<EvidenceVerifier> make_verifier(config::TeeKind kind);
// The producer for a kind on this machine, or Errc::unavailable with the reason.
Result<std::unique_ptr<EvidenceProducer>> make_producer(config::TeeKind kind,
                                                        const ProducerOptions& options = {});

}  // namespace leea::tee
