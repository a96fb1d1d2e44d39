// The `sim` evidence kind: a software signer for development and tests, behind the same
// interface as the hardware kinds. Its signing key is a fixed test key compiled into leea,
// so anyone can forge sim evidence: validators refuse it unless their configuration sets
// allow_sim: true.
//
// Report: base64url(claims JSON) "." base64url(ECDSA P-256 r‖s over the first part), with
// claims {v, platform "leea-sim", launch_measurement, host_data, report_data, debug}. The
// launch measurement is the same on every machine (SHA-384 of a fixed string), so
// configs/order-sim.yaml can name it. Thread-safe.
#pragma once

#include <memory>
#include <string>

#include "core/tee/evidence.h"

namespace leea::tee::sim {

// "sha384:<hex>": what every sim VM reports as its launch measurement.
std::string launch_measurement();

// Produces reports; debug marks the guest as debuggable (for tests of the debug policy).
std::unique_ptr<EvidenceProducer> make_producer(bool debug = false);
std::unique_ptr<EvidenceVerifier> make_verifier();

}  // namespace leea::tee::sim
