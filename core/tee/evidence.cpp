#include "core/tee/evidence.h"

#include <algorithm>

#include "core/crypto/digest.h"
#include "core/tee/sim/sim.h"
#include "core/tee/snp/guest.h"
#include "core/tee/snp/verify.h"
#include "core/tee/tdx/tdx.h"
#include "core/tee/tpm/quote.h"

namespace leea::tee {

Binding compute_binding(std::span<const uint8_t> nonce, std::span<const uint8_t> eph_spki_der,
                        const std::array<uint8_t, 32>& log_digest) {
  auto eph = crypto::sha256(eph_spki_der);
  auto d = crypto::Digest(crypto::DigestAlg::sha256)
               .update(std::string_view("leea-binding-v1"))
               .update(nonce)
               .update(eph)
               .update(log_digest)
               .finish();
  Binding b{};
  std::copy(d.begin(), d.end(), b.begin());
  return b;
}

bool Verification::ok() const {
  return !checks.empty() &&
         std::all_of(checks.begin(), checks.end(), [](const Check& c) { return c.ok; });
}

std::string Verification::failures() const {
  std::string s;
  for (const auto& c : checks) {
    if (!c.ok) s += (s.empty() ? "" : "; ") + c.name + ": " + c.detail;
  }
  return s;
}

void Verification::pass(std::string name, std::string detail) {
  checks.push_back({std::move(name), true, std::move(detail)});
}

void Verification::fail(std::string name, std::string detail) {
  checks.push_back({std::move(name), false, std::move(detail)});
}

std::unique_ptr<EvidenceVerifier> make_verifier(config::TeeKind kind) {
  switch (kind) {
    case config::TeeKind::sim:
      return sim::make_verifier();
    case config::TeeKind::snp:
      return snp::make_verifier();
    case config::TeeKind::tpm:
      return tpm::make_verifier();
    case config::TeeKind::tdx:
      return tdx::make_verifier();
    default:
      return nullptr;
  }
}

Result<std::unique_ptr<EvidenceProducer>> make_producer(config::TeeKind kind,
                                                        const ProducerOptions& options) {
  switch (kind) {
    case config::TeeKind::sim:
      return sim::make_producer();
    case config::TeeKind::snp:
      return snp::make_producer(options.root);
    case config::TeeKind::tpm:
      return tpm::make_producer(options);
    case config::TeeKind::tdx:
      return tdx::make_producer(options);
    default:
      return make_error(Errc::usage, "this leea cannot produce evidence of kind " +
                                         std::string(config::tee_kind_name(kind)));
  }
}

}  // namespace leea::tee
