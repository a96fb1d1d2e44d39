#include "core/validator/service.h"

#include <sys/stat.h>

#include <ctime>
#include <nlohmann/json.hpp>

#include "core/attest/appraise.h"
#include "core/attest/ear.h"
#include "core/attest/jwk.h"
#include "core/attest/manifest.h"
#include "core/attest/operator_auth.h"
#include "core/attest/pop.h"
#include "core/attest/seal.h"
#include "core/config/order.h"
#include "core/config/pool.h"
#include "core/crypto/digest.h"
#include "core/crypto/secret_bytes.h"
#include "core/util/encoding.h"
#include "core/util/log.h"
#include "core/util/version.h"
#include "core/validator/audit.h"
#include "core/validator/metrics.h"
#include "core/validator/nonces.h"
#include "core/validator/service_internal.h"
#include "core/validator/store.h"

namespace leea::validator {

using internal::answer;
using internal::parse_body;
using internal::refuse;
using internal::string_member;
using json = nlohmann::json;

Service::Service() : impl_(std::make_unique<Impl>()) {}
Service::~Service() = default;

const std::string& Service::id() const { return impl_->config.id; }

void Service::set_clock(std::function<int64_t()> now) { impl_->now = std::move(now); }

Result<std::unique_ptr<Service>> Service::open(const config::ValidatorConfig& c) {
  std::unique_ptr<Service> s(new Service());
  Impl& m = *s->impl_;
  m.config = c;
  LEEA_ASSIGN_OR_RETURN(auto key, crypto::PrivateKey::load_pem(c.token_key));
  m.token_key = std::make_unique<crypto::PrivateKey>(std::move(key));
  LEEA_TRY(m.trusted.add(c.id, m.token_key->public_key()));
  if (c.share_key) {
    LEEA_ASSIGN_OR_RETURN(auto share, crypto::PrivateKey::load_pem(*c.share_key));
    if (share.type() != crypto::KeyType::p256) {
      return make_error(Errc::config, c.share_key->string() + ": a share key is a P-256 key");
    }
    m.share_key = std::make_unique<crypto::PrivateKey>(std::move(share));
  }
  if (c.pool) {
    LEEA_ASSIGN_OR_RETURN(auto pool, config::load_pool_file(*c.pool));
    LEEA_TRY(m.trusted.add_pool(pool, c.id));
  }
  for (const auto& op : c.operators) {
    LEEA_ASSIGN_OR_RETURN(auto pub, crypto::PublicKey::load_pem(op.public_key));
    m.operators.push_back({op.id, pub});
  }
  LEEA_ASSIGN_OR_RETURN(auto sealing, crypto::read_secret(c.sealing_key.c_str(), 64));
  if (sealing.size() != 32) {
    return make_error(Errc::config, c.sealing_key.string() + ": a sealing key is 32 bytes");
  }
  ::mkdir(c.data_dir.c_str(), 0700);
  LEEA_ASSIGN_OR_RETURN(auto store, Store::open(c.data_dir / "store.db", std::move(sealing)));
  m.store = std::make_unique<Store>(std::move(store));
  LEEA_ASSIGN_OR_RETURN(auto audit, AuditLog::open(c.data_dir / "audit.log"));
  m.audit = std::make_unique<AuditLog>(std::move(audit));
  return s;
}

net::Response Service::challenge(const net::Request& r) {
  auto body = parse_body(r);
  std::string order = body ? string_member(*body, "order") : "";
  auto rec = impl_->store->get_order(order);
  net::Response out;
  if (!body) {
    out = refuse(400, "request", body.error().message);
  } else if (!rec || !*rec) {
    out = refuse(404, "order.known",
                 "this validator holds no order '" + quote_untrusted(order) + "'");
  } else {
    auto n = impl_->nonces.issue(order, NonceClock::from_time_t(impl_->now()));
    out = n ? answer(200, {{"nonce", base64url_encode(n->nonce)},
                           {"expires", NonceClock::to_time_t(n->expires)}})
            : refuse(503, "nonce", n.error().message);
  }
  impl_->record("/v1/challenge", r, order, out.status, "");
  return out;
}

net::Response Service::keys(const net::Request&) {
  auto jwks = attest::jwks_json({impl_->token_key->public_key()});
  return jwks ? net::Response{200, *jwks, "application/jwk-set+json"}
              : refuse(500, "keys", jwks.error().message);
}

net::Response Service::health(const net::Request&) {
  auto orders = impl_->store->list_orders();
  return answer(200, {{"status", "ok"},
                      {"id", impl_->config.id},
                      {"version", kVersion},
                      {"orders", orders ? orders->size() : 0},
                      {"token_key", impl_->token_key->public_key().fingerprint()},
                      {"share_release", config::share_release_name(impl_->config.share_release)}});
}

net::Response Service::metrics(const net::Request&) {
  return {200, impl_->metrics.render(), "text/plain; version=0.0.4"};
}

void Service::install(net::HttpsServer& server) {
  const std::string order_re = "([A-Za-z0-9._-]{1,64})";
  // A handler that throws (a bug: handlers return Results) is answered with a bare 500 and
  // audited; the exception's text reaches neither the client nor the audit log.
  auto guarded = [this](const char* endpoint,
                        net::Response (Service::*handler)(const net::Request&)) {
    return [this, endpoint, handler](const net::Request& r) -> net::Response {
      try {
        return (this->*handler)(r);
      } catch (...) {
        log::error("{} {}: handler threw; answered 500", r.method, endpoint);
        impl_->record(endpoint, r, "", 500, "internal");
        return answer(500, {{"error", "internal error"}});
      }
    };
  };
  server.route("POST", "/v1/challenge", guarded("/v1/challenge", &Service::challenge));
  server.route("POST", "/v1/attest", guarded("/v1/attest", &Service::attest));
  server.route("POST", "/v1/shares/" + order_re, guarded("/v1/shares", &Service::shares));
  server.route("PUT", "/v1/orders/" + order_re, guarded("/v1/orders", &Service::put_order));
  server.route("DELETE", "/v1/orders/" + order_re, guarded("/v1/orders", &Service::delete_order));
  server.route("GET", "/v1/keys", guarded("/v1/keys", &Service::keys));
  server.route("GET", "/healthz", guarded("/healthz", &Service::health));
  server.route("GET", "/metrics", guarded("/metrics", &Service::metrics));
  server.on_response(
      [this, order_re](const net::Request&, const std::string& route, int status, double seconds) {
        std::string endpoint = route;
        if (auto p = endpoint.find(order_re); p != std::string::npos) {
          endpoint.replace(p, order_re.size(), "{order}");
        }
        impl_->metrics.observe(endpoint, status, seconds);
      });
}

}  // namespace leea::validator
