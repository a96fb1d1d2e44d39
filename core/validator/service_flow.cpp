// The handlers that decide: attest (evidence → token), shares (token → sealed share) and the
// operator's order changes.
#include <nlohmann/json.hpp>

#include "core/attest/appraise.h"
#include "core/attest/jwk.h"
#include "core/attest/manifest.h"
#include "core/attest/pop.h"
#include "core/attest/seal.h"
#include "core/crypto/digest.h"
#include "core/util/encoding.h"
#include "core/validator/service.h"
#include "core/validator/service_internal.h"

namespace leea::validator {

using internal::answer;
using internal::parse_body;
using internal::refuse;
using internal::status_for;
using internal::string_member;
using json = nlohmann::json;

namespace {

// The failed checks of a verdict as a 403 answer.
net::Response refuse_verdict(const attest::Verdict& v) {
  std::vector<std::string> checks;
  for (const auto& f : v.failed) checks.push_back(f.check);
  return answer(403, {{"error", v.summary()}, {"failed_checks", checks}});
}

std::string joined_checks(const attest::Verdict& v) {
  std::string s;
  for (const auto& f : v.failed) s += (s.empty() ? "" : ",") + f.check;
  return s;
}

// Appraises the evidence member of a request body for order, against nonce and eph.
Result<attest::Verdict> appraise_body(const json& body, const config::OrderConfig& order,
                                      const config::ValidatorConfig& config,
                                      const std::vector<uint8_t>& nonce,
                                      const crypto::PublicKey& eph, int64_t now) {
  auto ev = body.find("evidence");
  if (ev == body.end() || !ev->is_object()) {
    return make_error(Errc::invalid_data, "evidence: missing");
  }
  LEEA_ASSIGN_OR_RETURN(auto doc, attest::EvidenceDocument::from_json_value(*ev));
  attest::AppraisalContext ctx;
  ctx.order = &order;
  ctx.allow_sim = config.allow_sim;
  ctx.collateral_dir = config.collateral_dir.value_or(std::filesystem::path());
  ctx.nonce = nonce;
  ctx.eph_spki_der = eph.spki_der();
  ctx.now = now;
  return attest::appraise(doc, ctx);
}

}  // namespace

net::Response Service::attest(const net::Request& r) {
  Impl& m = *impl_;
  auto body = parse_body(r);
  std::string order_id = body ? string_member(*body, "order") : "";
  auto done = [&](net::Response out, const std::string& checks = "", const std::string& tok = "") {
    m.record("/v1/attest", r, order_id, out.status, checks, tok);
    return out;
  };
  if (!body) return done(refuse(400, "request", body.error().message));
  auto order = m.load_order(order_id);
  if (!order) return done(refuse(404, "order.known", order.error().message), "order.known");
  auto nonce = base64url_decode(string_member(*body, "nonce"));
  if (!nonce) return done(refuse(400, "nonce", "not base64url"), "nonce");
  auto eph_jwk = body->contains("eph_pub")
                     ? attest::jwk_from_json((*body)["eph_pub"])
                     : Result<crypto::Jwk>(make_error(Errc::refused, "missing"));
  if (!eph_jwk) return done(refuse(400, "eph_pub", eph_jwk.error().message), "eph_pub");
  auto eph = attest::public_key_from_jwk(*eph_jwk);
  if (!eph) return done(refuse(400, "eph_pub", eph.error().message), "eph_pub");
  auto fresh = m.nonces.consume(*nonce, order_id, NonceClock::from_time_t(m.now()));
  if (!fresh) return done(refuse(403, "nonce", fresh.error().message), "nonce");
  auto verdict = appraise_body(*body, order->config, m.config, *nonce, *eph, m.now());
  if (!verdict) {
    return done(refuse(status_for(verdict.error()), "evidence", verdict.error().message),
                "evidence");
  }
  if (!verdict->ok()) return done(refuse_verdict(*verdict), joined_checks(*verdict));
  attest::EarClaims claims;
  claims.issuer = m.config.id;
  claims.status = attest::EarStatus::affirming;
  claims.issued_at = m.now();
  claims.expires_at = claims.issued_at + m.config.token_ttl_seconds;
  claims.order = order_id;
  claims.node = order->config.node.value_or("");
  claims.cnf = eph->jwk();
  claims.checks = verdict->passed;
  claims.nonce_hash = hex_encode(crypto::sha256(*nonce));
  auto token = attest::issue_ear(*m.token_key, claims);
  if (!token) return done(refuse(500, "token", token.error().message), "token");
  return done(answer(200, {{"token", *token}, {"expires", claims.expires_at}}), "", *token);
}

net::Response Service::shares(const net::Request& r) {
  Impl& m = *impl_;
  const std::string order_id = r.matches.empty() ? "" : r.matches[0];
  std::string token;
  if (auto it = r.headers.find("authorization");
      it != r.headers.end() && it->second.rfind("Bearer ", 0) == 0) {
    token = it->second.substr(7);
  }
  auto done = [&](net::Response out, const std::string& checks = "") {
    m.record("/v1/shares", r, order_id, out.status, checks, token);
    return out;
  };
  if (token.empty()) return done(refuse(401, "token", "missing bearer token"), "token");
  auto body = parse_body(r);
  if (!body) return done(refuse(400, "request", body.error().message));
  auto claims = attest::verify_ear(token, m.trusted, m.now(), internal::kSkewSeconds);
  if (!claims) return done(refuse(403, "token", claims.error().message), "token");
  if (claims->order != order_id) {
    return done(refuse(403, "token.order", "the token is for another order"), "token.order");
  }
  auto pop =
      attest::verify_pop(string_member(*body, "pop"), claims->cnf, m.config.id, token, m.now());
  if (!pop) return done(refuse(403, "pop", pop.error().message), "pop");
  if (!m.first_use_of_pop(pop->jti, pop->issued_at + 2 * attest::kDefaultPopWindow)) {
    return done(refuse(403, "pop", "proof of possession already used"), "pop");
  }
  auto order = m.load_order(order_id);
  if (!order) return done(refuse(404, "order.known", order.error().message), "order.known");
  auto eph = attest::public_key_from_jwk(claims->cnf);
  if (!eph) return done(refuse(403, "token.cnf", eph.error().message), "token.cnf");
  if (m.config.share_release == config::ShareRelease::appraise) {
    // This validator's own appraisal: a token from another validator is not enough.
    auto nonce = base64url_decode(string_member(*body, "nonce"));
    if (!nonce || hex_encode(crypto::sha256(*nonce)) != claims->nonce_hash) {
      return done(refuse(403, "evidence.nonce", "not the nonce the token was issued for"),
                  "evidence.nonce");
    }
    auto verdict = appraise_body(*body, order->config, m.config, *nonce, *eph, m.now());
    if (!verdict) {
      return done(refuse(status_for(verdict.error()), "evidence", verdict.error().message),
                  "evidence");
    }
    if (!verdict->ok()) return done(refuse_verdict(*verdict), joined_checks(*verdict));
  }
  auto share = m.store->get_share(order_id);
  if (!share) return done(refuse(500, "share.storage", share.error().message), "share.storage");
  auto context = attest::share_seal_context(order_id, m.config.id);
  auto sealed = context ? attest::seal_share(*eph, *share, *context)
                        : Result<std::vector<uint8_t>>(context.error());
  if (!sealed) return done(refuse(500, "share.seal", sealed.error().message), "share.seal");
  return done(answer(200, {{"validator", m.config.id},
                           {"share", attest::sealed_share_text(*sealed)},
                           {"manifest", order->record.manifest}}));
}

}  // namespace leea::validator

namespace leea::validator {

namespace {

// The operator check shared by PUT and DELETE: signature, window, never seen before.
Result<attest::VerifiedOperatorRequest> check_operator(
    const std::string& validator_id, const std::vector<attest::TrustedOperator>& operators,
    Store& store, int64_t now, const net::Request& r) {
  LEEA_ASSIGN_OR_RETURN(auto v, attest::verify_operator_request(r.headers, validator_id, r.method,
                                                                r.path, r.body, operators, now));
  LEEA_ASSIGN_OR_RETURN(bool fresh, store.remember_request(v.request_hash, v.timestamp));
  if (!fresh) {
    return make_error(Errc::refused, "operator signature: request replayed");
  }
  (void)store.forget_requests_before(now - 2 * attest::kOperatorWindowSeconds);
  return v;
}

}  // namespace

net::Response Service::put_order(const net::Request& r) {
  Impl& m = *impl_;
  const std::string order_id = r.matches.empty() ? "" : r.matches[0];
  auto done = [&](net::Response out, const std::string& checks = "") {
    m.record("/v1/orders PUT", r, order_id, out.status, checks);
    return out;
  };
  auto op = check_operator(m.config.id, m.operators, *m.store, m.now(), r);
  if (!op) return done(refuse(status_for(op.error()), "operator", op.error().message), "operator");
  auto body = parse_body(r);
  if (!body) return done(refuse(400, "request", body.error().message));
  // Shares arrive sealed to this validator's share key, never in clear.
  if (body->contains("share")) {
    return done(refuse(400, "share",
                       "shares must arrive sealed to this validator's share key "
                       "(\"sealed_share\"); the operator's leea is older than this validator"),
                "share");
  }
  // An order id is registered once. Replacing it in place could not be all or nothing: a
  // validator that refused would keep the old shares while the others took the new ones,
  // and the pool would hold two splits of two secrets under one id.
  auto existing = m.store->get_order(order_id);
  if (!existing) return done(refuse(500, "store", existing.error().message), "store");
  if (*existing) {
    return done(refuse(409, "order.exists",
                       "this validator already holds order '" + quote_untrusted(order_id) +
                           "'; an order is registered once: revoke it first"),
                "order.exists");
  }
  std::string order_text = string_member(*body, "order");
  auto order = config::load_order_string(order_text, "order");
  if (!order) return done(refuse(400, "order", order.error().message), "order");
  if (order->id != order_id) {
    return done(refuse(400, "order", "the order's id is not the one in the path"), "order");
  }
  std::string manifest = string_member(*body, "manifest");
  auto op_key = std::find_if(m.operators.begin(), m.operators.end(),
                             [&](const auto& o) { return o.id == op->operator_id; });
  if (op_key == m.operators.end()) {  // verify_operator_request found it; never trust that here
    return done(refuse(403, "operator", "unknown operator"), "operator");
  }
  auto parsed = attest::verify_manifest(manifest, op_key->key);
  if (!parsed) return done(refuse(400, "manifest", parsed.error().message), "manifest");
  if (parsed->order != order_id) {
    return done(refuse(400, "manifest", "the manifest is for another order"), "manifest");
  }
  if (!m.share_key) {
    return done(refuse(409, "share",
                       "this validator has no share_key in its configuration, so it takes no "
                       "registrations"),
                "share");
  }
  auto blob = attest::sealed_share_from_text(string_member(*body, "sealed_share"));
  auto context = attest::share_registration_context(order_id, m.config.id);
  if (!context) return done(refuse(400, "order", context.error().message), "order");
  auto share = blob ? attest::open_share(*m.share_key, *blob, *context)
                    : Result<crypto::SecretBytes>(blob.error());
  if (!share) return done(refuse(400, "share", share.error().message), "share");
  if (auto c = attest::check_share(*parsed, m.config.id, *share); !c) {
    return done(refuse(400, "manifest", c.error().message), "manifest");
  }
  if (auto s = m.store->put_order(order_id, order_text, manifest, *share); !s) {
    return done(refuse(500, "store", s.error().message), "store");
  }
  return done(answer(201, {{"stored", order_id}, {"validator", m.config.id}}));
}

net::Response Service::delete_order(const net::Request& r) {
  Impl& m = *impl_;
  const std::string order_id = r.matches.empty() ? "" : r.matches[0];
  auto done = [&](net::Response out, const std::string& checks = "") {
    m.record("/v1/orders DELETE", r, order_id, out.status, checks);
    return out;
  };
  auto op = check_operator(m.config.id, m.operators, *m.store, m.now(), r);
  if (!op) return done(refuse(status_for(op.error()), "operator", op.error().message), "operator");
  auto existed = m.store->delete_order(order_id);
  if (!existed) return done(refuse(500, "store", existed.error().message), "store");
  return done(answer(200, {{"revoked", order_id}, {"existed", *existed}}));
}

}  // namespace leea::validator
