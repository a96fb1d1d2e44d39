// The VM side of the protocol (`leea attest`): prove this VM to one validator picked at
// random and get a token, then collect k shares sealed to an ephemeral key from validators
// picked at random, in parallel, failing over when one is down, slow or returns a share the
// operator's manifest rejects; combine and check the secret against the manifest.
//
// The ephemeral key lives only in this process's memory; so does the secret, in wiped
// memory. Thread-compatible: one call at a time per AttestOptions.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/config/pool.h"
#include "core/crypto/secret_bytes.h"
#include "core/evidence/event_log.h"
#include "core/tee/evidence.h"
#include "core/util/result.h"

namespace leea::attest {

struct AttestOptions {
  const config::PoolConfig* pool = nullptr;
  std::string order;
  tee::EvidenceProducer* producer = nullptr;
  evidence::EventLog log;    // the measurements bound into the evidence
  bool fetch_secret = true;  // false: stop after the token
  int timeout_ms = 5000;     // per request to one validator
  // Validator ids asked first, in this order, for the token and for shares; the others
  // follow in a random order. Empty (the default) for a VM: a predictable order would let a
  // host steer it to the validators it controls. Tests use it to meet a faulty one.
  std::vector<std::string> ask_first;
  // Called as each phase ends: ("attest", "token from v3"), ("shares", "3 of 3 from v1,
  // v2, v5"). Never given a secret. May be empty.
  std::function<void(const std::string& phase, const std::string& detail)> on_phase;
};

struct AttestOutcome {
  std::string token;
  int64_t token_expires = 0;
  std::string attested_by;               // the validator that issued the token
  std::vector<std::string> shares_from;  // validators whose shares were combined
  std::vector<std::string> problems;     // validators passed over, and why
  crypto::SecretBytes secret;            // empty unless fetch_secret
};

// Runs the flow. A validator that is down, hangs past timeout_ms, resets, answers garbage,
// hands out a token the pool would refuse (checked here against the pool file's token keys
// before any other validator sees it) or a share the manifest does not list, is passed over
// and named in problems. Fails with Errc::refused naming the failed checks when threshold
// validators refuse the evidence (fewer could all be lying), with the producer's own error
// when it cannot produce evidence (at once: it would fail the same at every validator),
// Errc::unavailable when too few validators answer, Errc::refused when the combined secret
// does not match the manifest's key check value.
Result<AttestOutcome> run_attest(const AttestOptions& options);

}  // namespace leea::attest
