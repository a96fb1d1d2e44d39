// The evidence document a VM sends ({"kind", "report", "log"}: core/attest/appraise.h) and
// its appraisal against an order: the event log, the report's verifier, the binding and the
// reference values. An accepted document survives a round trip through to_json().
#include <string>

#include "core/attest/appraise.h"
#include "core/config/order.h"
#include "core/crypto/keys.h"
#include "core/tee/evidence.h"
#include "tests/fuzz/fuzz.h"

namespace {

using namespace leea;

struct Fixture {
  config::OrderConfig order;
  std::vector<uint8_t> eph_spki;
};

const Fixture& fixture() {
  static const Fixture f = [] {
    auto order = config::load_order_string(fuzz::kSimOrderYaml, "fuzz order");
    fuzz::require(order.has_value(), "the harness's order does not load");
    return Fixture{*order, fuzz::test_key(1).public_key().spki_der()};
  }();
  return f;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // The seed: sim evidence that passes every check of the appraisal below.
  const auto& f = fixture();
  auto sim = tee::make_producer(config::TeeKind::sim);
  fuzz::require(sim.has_value(), "no sim producer");
  evidence::EventLog log;
  std::vector<uint8_t> nonce(32, 0x5a);
  auto report =
      (*sim)->produce(tee::compute_binding(nonce, f.eph_spki, log.digest()), "fuzz-order", log);
  fuzz::require(report.has_value(), "the sim producer failed");
  fuzz::write_seed("sim", attest::EvidenceDocument{config::TeeKind::sim, *report, log}.to_json());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto doc = attest::EvidenceDocument::from_json(std::string(fuzz::text(data, size)));
  if (!doc) return 0;
  auto again = attest::EvidenceDocument::from_json(doc->to_json());
  fuzz::require(again.has_value() && again->to_json() == doc->to_json(),
                "an accepted evidence document does not survive to_json()");
  attest::AppraisalContext context;
  context.order = &fixture().order;
  context.allow_sim = true;
  context.nonce.assign(32, 0x5a);
  context.eph_spki_der = fixture().eph_spki;
  context.now = 1767225600;
  auto verdict = attest::appraise(*doc, context);
  (void)verdict.summary();
  return 0;
}
