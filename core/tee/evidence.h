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
#include <map>
#include <memory>
#include <span>
#include <string>

#include "core/config/order.h"
#include "core/util/result.h"

namespace leea::tee {

using Binding = std::array<uint8_t, 32>;

Binding compute_binding(std::span<const uint8_t> nonce, std::span<const uint8_t> eph_spki_der,
                        const std::array<uint8_t, 32>& log_digest);

// What a verified report says. Names are the reference-value names of the kind
// ("sim.launch_measurement"); digests are "shaNNN:<hex>", other values plain text.
struct Claims {
  Binding report_data{};
  std::array<uint8_t, 32> host_data{};  // SHA-256 of the order id the VM was launched for
  std::map<std::string, std::string> values;
  bool debug = false;
};

class EvidenceProducer {
 public:
  virtual ~EvidenceProducer() = default;
  virtual config::TeeKind kind() const = 0;
  // A report for this binding, as text (base64url or a compact JWS).
  virtual Result<std::string> produce(const Binding& binding, const std::string& order_id) = 0;
};

class EvidenceVerifier {
 public:
  virtual ~EvidenceVerifier() = default;
  virtual config::TeeKind kind() const = 0;
  // Verifies the report's signature chain at time now (unix seconds). Errc::refused names
  // the failed check ("evidence.signature: ..."); Errc::invalid_data a malformed report.
  virtual Result<Claims> verify(const std::string& report, int64_t now) const = 0;
};

// The verifier for a kind, or nullptr when this build has none.
std::unique_ptr<EvidenceVerifier> make_verifier(config::TeeKind kind);
// The producer for a kind on this machine, or Errc::unavailable with the reason.
Result<std::unique_ptr<EvidenceProducer>> make_producer(config::TeeKind kind);

}  // namespace leea::tee
