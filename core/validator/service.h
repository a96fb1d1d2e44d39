// The validator's HTTP API (DESIGN §3): challenge, attest, shares, orders, keys, healthz,
// metrics. Each handler parses and bounds its request, runs the checks of core/attest,
// answers JSON, and records its decision in the audit log.
//
// Refusals are 4xx answers {"error": "<check>: <words>", "failed_checks": ["<check>", ...]}
// naming every failed check; no answer, log line or metric ever holds a share, a secret, a
// nonce or a whole token. Thread-safety: handlers run concurrently on the server's threads;
// the store, audit log, nonce book and metrics are each thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/config/validator.h"
#include "core/net/https.h"
#include "core/util/result.h"

namespace leea::validator {

class Service {
 public:
  // Loads the identity (token key, sealing key, operator keys, pool) and opens the store
  // and audit log under the data directory (created 0700). Errc::config names a bad file.
  static Result<std::unique_ptr<Service>> open(const config::ValidatorConfig& config);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Routes every endpoint on server and feeds its metrics.
  void install(net::HttpsServer& server);

  // Replaces the clock (unix seconds), for tests of expiry.
  void set_clock(std::function<int64_t()> now);

  const std::string& id() const;

  net::Response challenge(const net::Request& r);
  net::Response attest(const net::Request& r);
  net::Response shares(const net::Request& r);
  net::Response put_order(const net::Request& r);
  net::Response delete_order(const net::Request& r);
  net::Response keys(const net::Request& r);
  net::Response health(const net::Request& r);
  net::Response metrics(const net::Request& r);

 private:
  Service();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Serves config until SIGTERM or SIGINT, then finishes the requests in flight and returns.
// on_ready is called once listening, with the bound port.
Result<void> run_validator(const config::ValidatorConfig& config,
                           const std::function<void(int port)>& on_ready);

}  // namespace leea::validator
