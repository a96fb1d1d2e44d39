// The operator side of an order: register splits a secret k-of-n, signs a share manifest and
// gives each validator the order, its share sealed to the validator's share key (pool file
// share_key) and the manifest, in operator-signed requests; no request body holds a share in
// clear.
// Revoke removes the order (and so the share) everywhere. `leea image encrypt` registers
// with a freshly made key through the same function. Thread-compatible.
#pragma once

#include <string>
#include <vector>

#include "core/config/order.h"
#include "core/config/pool.h"
#include "core/crypto/keys.h"
#include "core/crypto/secret_bytes.h"
#include "core/util/result.h"

namespace leea::attest {

struct Operator {
  std::string id;
  const crypto::PrivateKey* key = nullptr;
};

struct MemberOutcome {
  std::string validator;
  bool ok = false;
  std::string detail;    // the validator's words on failure
  bool refused = false;  // on failure: the validator answered no (4xx), not unreachable
};

struct RegisterReport {
  std::string order;
  std::string split_id;
  int threshold = 0;
  int shares = 0;
  std::vector<MemberOutcome> members;
};

// The body of the PUT that registers order_text with member: {"order", "manifest",
// "sealed_share"}, the share line sealed to member.share_key with
// share_registration_context(order_id, member.id). Fails with Errc::config when the member
// has no share_key in the pool file (it must be re-added from `leea validator init`'s entry),
// Errc::refused when that key is not a P-256 point.
Result<std::string> registration_body(const config::PoolMember& member, const std::string& order_id,
                                      const std::string& order_text, const std::string& manifest,
                                      const crypto::SecretBytes& share_line);

enum class Registration {
  fresh,    // the order id must be new to every validator
  replace,  // revoke the id everywhere first, then register it anew
};

// Splits secret into one share per validator (the first `shares` of the pool, default all)
// with the order's threshold (else the pool's), and registers order_text with each. Fails
// with Errc::unavailable or Errc::refused listing every validator that did not accept; in
// that case the order is first removed from those that did, so nothing is left half done.
// A validator that already holds the id refuses it (an id is registered once), and the
// error names every such validator. With Registration::replace the id is first revoked at
// every validator of the pool; if one of them cannot be reached, nothing is registered and
// the error names it (the old order is then gone from the others).
Result<RegisterReport> register_order(const config::PoolConfig& pool, const std::string& order_text,
                                      const crypto::SecretBytes& secret, const Operator& op,
                                      Registration mode = Registration::fresh);

// Removes the order from every validator of the pool. Returns one outcome per validator
// (ok also when the validator did not hold it).
std::vector<MemberOutcome> revoke_order(const config::PoolConfig& pool, const std::string& order,
                                        const Operator& op);

}  // namespace leea::attest
