// Private to core/validator: the service's state and the helpers its handlers share.
#pragma once

#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "core/attest/ear.h"
#include "core/attest/operator_auth.h"
#include "core/config/order.h"
#include "core/config/pool.h"
#include "core/config/validator.h"
#include "core/crypto/keys.h"
#include "core/net/https.h"
#include "core/util/encoding.h"
#include "core/util/json.h"
#include "core/util/log.h"
#include "core/validator/audit.h"
#include "core/validator/metrics.h"
#include "core/validator/nonces.h"
#include "core/validator/service.h"
#include "core/validator/store.h"

namespace leea::validator::internal {

using json = nlohmann::json;

constexpr int64_t kSkewSeconds = 5;

// Larger than any limits.max_body_bytes a validator file may set: the server bounds bodies.
constexpr size_t kMaxRequestJson = size_t{16} << 20;

// Never throws: a string a client sent that is not UTF-8 is written with U+FFFD.
inline net::Response answer(int status, const json& body) {
  return {status, leea::json::dump_lossy(body)};
}

// A refusal naming its checks: the first detail is the error text.
inline net::Response refuse(int status, const std::string& check, const std::string& detail,
                            std::vector<std::string> checks = {}) {
  if (checks.empty()) checks.push_back(check);
  return answer(status, {{"error", check + ": " + detail}, {"failed_checks", checks}});
}

// Status for an Error from a check: refusals are 403, malformed input 400.
inline int status_for(const Error& e) {
  switch (e.code) {
    case Errc::refused:
      return 403;
    case Errc::invalid_data:
    case Errc::invalid_argument:
    case Errc::usage:
    case Errc::config:
      return 400;
    case Errc::unavailable:
      return 503;
    default:
      return 500;
  }
}

// Every request body goes through the one strict reader (size, depth, duplicate names)
// before any handler looks at it.
inline Result<json> parse_body(const net::Request& r) {
  LEEA_ASSIGN_OR_RETURN(
      json j, leea::json::parse(r.body, "request body", kMaxRequestJson, Errc::invalid_data));
  if (!j.is_object()) {
    return make_error(Errc::invalid_data, "request body is not a JSON object");
  }
  return j;
}

inline std::string string_member(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace leea::validator::internal

namespace leea::validator {

struct Service::Impl {
  using json = nlohmann::json;
  config::ValidatorConfig config;
  std::unique_ptr<crypto::PrivateKey> token_key;
  std::unique_ptr<crypto::PrivateKey> share_key;  // opens shares sealed at registration
  attest::TrustedKeys trusted;
  std::vector<attest::TrustedOperator> operators;
  std::unique_ptr<Store> store;
  std::unique_ptr<AuditLog> audit;
  NonceBook nonces;
  Metrics metrics;
  // Proofs of possession already accepted, by jti, until they expire: each is good once.
  // Expired entries leave in expiry order, so each call costs O(log n), not a scan.
  static constexpr size_t kMaxRememberedPops = 100000;
  std::mutex pop_mu;
  std::set<std::string> pop_seen;
  std::multimap<int64_t, std::set<std::string>::iterator> pop_expiry;

  bool first_use_of_pop(const std::string& jti, int64_t expires) {
    std::lock_guard lock(pop_mu);
    const int64_t t = now();
    while (!pop_expiry.empty() && pop_expiry.begin()->first < t) {
      pop_seen.erase(pop_expiry.begin()->second);
      pop_expiry.erase(pop_expiry.begin());
    }
    if (pop_seen.size() >= kMaxRememberedPops) return false;  // bounded: refuse rather than grow
    auto [it, fresh] = pop_seen.insert(jti);
    if (fresh) pop_expiry.emplace(expires, it);
    return fresh;
  }
  std::function<int64_t()> now = [] { return static_cast<int64_t>(std::time(nullptr)); };

  void record(const std::string& endpoint, const net::Request& r, const std::string& order,
              int status, const std::string& checks, const std::string& token = "") {
    AuditEvent e = {{"endpoint", endpoint},
                    {"outcome", status < 400   ? "ok"
                                : status < 500 ? "refused"
                                               : "error"},
                    {"status", std::to_string(status)},
                    {"remote", r.remote_addr}};
    if (!order.empty()) e["order"] = quote_untrusted(order);
    if (!checks.empty()) e["checks"] = checks.substr(0, 900);
    if (!token.empty()) e["token_fp"] = token_fingerprint(token);
    if (auto a = audit->append(e); !a) {
      log::error("audit log: {}", a.error().message);
    }
  }

  // An order as stored (its manifest included) and as parsed, read once per request.
  struct LoadedOrder {
    OrderRecord record;
    config::OrderConfig config;
  };

  Result<LoadedOrder> load_order(const std::string& id) {
    LEEA_ASSIGN_OR_RETURN(auto rec, store->get_order(id));
    if (!rec) {
      return make_error(Errc::invalid_argument, "no such order");
    }
    LEEA_ASSIGN_OR_RETURN(auto parsed, config::load_order_string(rec->order_doc, "order " + id));
    return LoadedOrder{std::move(*rec), std::move(parsed)};
  }
};

}  // namespace leea::validator
