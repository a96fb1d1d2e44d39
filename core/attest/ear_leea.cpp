// leea's own tokens (declared in ear.h): issue_ear() and verify_ear().
#include <algorithm>
#include <string>

#include "core/attest/ear.h"
#include "core/attest/jwk.h"
#include "core/config/values.h"
#include "core/util/json.h"
#include "core/util/version.h"

namespace leea::attest {
namespace {

using json::Json;

constexpr std::string_view kClaims = "token claims";
constexpr std::string_view kPolicyPrefix = "leea:order:";
constexpr size_t kNonceHashBytes = 32;

Error refusal(std::string message) { return make_error(Errc::refused, std::move(message)); }

Error bad_claim(std::string_view message) {
  return make_error(Errc::invalid_argument, "token claims: " + std::string(message));
}

bool is_check_name(const std::string& name) {
  return json::is_printable_token(name, kMaxCheckNameLength);
}

Result<void> check_issuable(const EarClaims& c) {
  if (!config::is_valid_id(c.issuer) || !config::is_valid_id(c.order) ||
      (!c.node.empty() && !config::is_valid_id(c.node))) {
    return bad_claim("issuer, order and node must be 1 to 64 characters from [A-Za-z0-9._-]");
  }
  if (c.expires_at <= c.issued_at || c.expires_at - c.issued_at > kMaxEarLifetime) {
    return bad_claim("exp must be 1 to " + std::to_string(kMaxEarLifetime) + " s after iat");
  }
  if (!public_key_from_jwk(c.cnf)) {
    return bad_claim("cnf must be a P-256 public key");
  }
  if (c.checks.size() > kMaxEarChecks ||
      !std::all_of(c.checks.begin(), c.checks.end(), is_check_name)) {
    return bad_claim("at most 64 checks, each 1 to 64 characters from [A-Za-z0-9._:-]");
  }
  if (!json::is_lower_hex(c.nonce_hash, kNonceHashBytes)) {
    return bad_claim("nonce-hash must be 64 lower-case hex digits");
  }
  return {};
}

// The leea submod, which must be affirming.
Result<const Json*> affirming_submod(const Ear& ear) {
  const Json* submod = json::find_member(ear.claims["submods"], kEarSubmod);
  if (submod == nullptr) {
    return refusal("token claims: no 'leea' submod");
  }
  // check_ear_claims() has parsed every submod's status.
  auto status = parse_ear_status((*submod)["ear.status"].get<std::string>());
  if (status != EarStatus::affirming) {
    return refusal("token status: " + std::string(ear_status_name(*status)) + ", not affirming");
  }
  return submod;
}

Result<std::string> id_claim(const Json& payload, std::string_view name) {
  LEEA_ASSIGN_OR_RETURN(std::string id, json::string_member(payload, name, kClaims));
  if (!config::is_valid_id(id)) {
    return refusal("token claims: '" + std::string(name) + "' must be a valid id");
  }
  return id;
}

Result<std::vector<std::string>> checks_claim(const Json& payload) {
  const Json* checks = json::find_member(payload, "leea.checks");
  if (checks == nullptr || !checks->is_array() || checks->size() > kMaxEarChecks) {
    return refusal("token claims: 'leea.checks' must be a list of at most 64 check names");
  }
  std::vector<std::string> out;
  for (const Json& c : *checks) {
    if (!c.is_string() || !is_check_name(c.get<std::string>())) {
      return refusal("token claims: 'leea.checks' holds a malformed check name");
    }
    out.push_back(c.get<std::string>());
  }
  return out;
}

// leea's private claims and cnf (RFC 7800 §3.2).
Result<void> read_leea_claims(const Json& payload, EarClaims& out) {
  LEEA_ASSIGN_OR_RETURN(out.order, id_claim(payload, "leea.order"));
  if (json::find_member(payload, "leea.node") != nullptr) {
    LEEA_ASSIGN_OR_RETURN(out.node, id_claim(payload, "leea.node"));
  }
  LEEA_ASSIGN_OR_RETURN(out.checks, checks_claim(payload));
  LEEA_ASSIGN_OR_RETURN(out.nonce_hash, json::string_member(payload, "leea.nonce-hash", kClaims));
  if (!json::is_lower_hex(out.nonce_hash, kNonceHashBytes)) {
    return refusal("token claims: 'leea.nonce-hash' must be 64 lower-case hex digits");
  }
  const Json* cnf = json::find_member(payload, "cnf");
  const Json* jwk = cnf == nullptr ? nullptr : json::find_member(*cnf, "jwk");
  if (jwk == nullptr) {
    return refusal("token claims: missing cnf.jwk (the VM's ephemeral key)");
  }
  auto key = with_context(jwk_from_json(*jwk), "token claims: cnf");
  if (!key) {
    return std::move(key).error();
  }
  out.cnf = std::move(*key);
  return {};
}

}  // namespace

Result<std::string> issue_ear(const crypto::PrivateKey& key, const EarClaims& c) {
  LEEA_TRY(check_issuable(c));
  LEEA_ASSIGN_OR_RETURN(crypto::PublicKey cnf, public_key_from_jwk(c.cnf));
  Json submod = {{"ear.status", ear_status_name(c.status)},
                 {"ear.appraisal-policy-id", std::string(kPolicyPrefix) + c.order}};
  Json payload = {
      {"iss", c.issuer},
      {"iat", c.issued_at},
      {"exp", c.expires_at},
      {"eat_profile", kEarProfile},
      {"ear.verifier-id", {{"developer", "leea"}, {"build", std::string("leea ") + kVersion}}},
      {"submods", {{kEarSubmod, std::move(submod)}}},
      {"leea.order", c.order},
      {"leea.checks", c.checks},
      {"leea.nonce-hash", c.nonce_hash},
      {"cnf", {{"jwk", jwk_to_json(cnf.jwk())}}},
  };
  if (!c.node.empty()) {
    payload["leea.node"] = c.node;
  }
  Json header = {{"kid", key.public_key().jwk().thumbprint()}, {"typ", "JWT"}};
  return sign_jws(key, header, payload);
}

Result<EarClaims> verify_ear(std::string_view token, const TrustedKeys& trusted, int64_t now,
                             int64_t max_skew) {
  if (max_skew < 0 || max_skew > kMaxClockSkew) {
    return make_error(Errc::invalid_argument, "token: the allowed clock skew must be 0 to " +
                                                  std::to_string(kMaxClockSkew) + " seconds");
  }
  const TrustedKeys::Entry* signer = nullptr;
  auto resolve = [&](std::string_view kid) -> Result<crypto::PublicKey> {
    signer = trusted.find(kid);
    if (signer == nullptr) {
      return refusal("token signature: signing key is not in the pool");
    }
    return signer->key;
  };
  LEEA_ASSIGN_OR_RETURN(JwsContent jws, verify_jws(token, resolve));
  if (const Json* typ = json::find_member(jws.header, "typ"); typ == nullptr || *typ != "JWT") {
    return refusal("token header: 'typ' must be JWT");
  }
  EarClaims out;
  LEEA_ASSIGN_OR_RETURN(out.issuer, json::string_member(jws.payload, "iss", kClaims));
  if (out.issuer != signer->validator_id) {
    return refusal("token issuer: the signing key belongs to " + signer->validator_id +
                   ", not to the issuer named in 'iss'");
  }
  LEEA_ASSIGN_OR_RETURN(Ear ear, check_ear_claims(jws.payload, now, max_skew));
  if (!ear.expires_at) {
    return refusal("token claims: missing exp");
  }
  if (*ear.expires_at <= ear.issued_at || *ear.expires_at - ear.issued_at > kMaxEarLifetime) {
    return refusal("token lifetime: exp must be 1 to " + std::to_string(kMaxEarLifetime) +
                   " s after iat");
  }
  LEEA_ASSIGN_OR_RETURN(const Json* submod, affirming_submod(ear));
  out.issued_at = ear.issued_at;
  out.expires_at = *ear.expires_at;
  LEEA_TRY(read_leea_claims(jws.payload, out));
  const Json* policy = json::find_member(*submod, "ear.appraisal-policy-id");
  if (policy == nullptr || *policy != std::string(kPolicyPrefix) + out.order) {
    return refusal("token claims: ear.appraisal-policy-id does not name the order");
  }
  out.status = EarStatus::affirming;
  return out;
}

}  // namespace leea::attest
