// The EAR claims common to every issuer, and the pool's trusted keys. leea's own tokens are
// issued and verified in ear_leea.cpp.
#include "core/attest/ear.h"

#include <array>

#include "core/attest/jwk.h"
#include "core/config/values.h"
#include "core/util/json.h"
#include "core/util/time.h"

namespace leea::attest {
namespace {

using json::Json;

constexpr std::string_view kClaims = "token claims";
// 9999-12-31T23:59:59Z: later NumericDates are mistakes, and the bound keeps exp - iat and
// now +- skew far from overflow.
constexpr int64_t kMaxNumericDate = 253402300799;

Error refusal(std::string message) { return make_error(Errc::refused, std::move(message)); }

// draft-ietf-rats-ear: eat_profile, iat, ear.verifier-id and submods are mandatory. All that
// are missing are named at once, so that one answer shows what an issuer left out.
Result<void> check_mandatory(const Json& payload) {
  std::string missing;
  for (std::string_view name : {"eat_profile", "iat", "ear.verifier-id", "submods"}) {
    if (json::find_member(payload, name) == nullptr) {
      missing += (missing.empty() ? "" : ", ") + std::string(name);
    }
  }
  if (!missing.empty()) {
    return refusal("token claims: missing " + missing);
  }
  return {};
}

Result<void> read_verifier_id(const Json& payload, Ear& ear) {
  const Json& id = payload["ear.verifier-id"];
  if (!id.is_object()) {
    return refusal("token claims: 'ear.verifier-id' must be an object");
  }
  constexpr std::string_view kWhat = "token claims: ear.verifier-id";
  LEEA_ASSIGN_OR_RETURN(ear.verifier_developer, json::string_member(id, "developer", kWhat));
  LEEA_ASSIGN_OR_RETURN(ear.verifier_build, json::string_member(id, "build", kWhat));
  return {};
}

Result<void> read_submods(const Json& payload, Ear& ear) {
  const Json& submods = payload["submods"];
  if (!submods.is_object() || submods.empty()) {
    return refusal("token claims: 'submods' must be an object with at least one submod");
  }
  for (const auto& [name, submod] : submods.items()) {
    const std::string shown = json::is_printable_token(name, 64) ? name : "(unprintable)";
    const Json* status = json::find_member(submod, "ear.status");
    if (status == nullptr || !status->is_string()) {
      return refusal("token claims: submod '" + shown + "' has no ear.status");
    }
    auto parsed = parse_ear_status(status->get<std::string>());
    if (!parsed) {
      return refusal("token claims: submod '" + shown + "' has an unknown ear.status");
    }
    ear.submods.emplace_back(name, *parsed);
  }
  return {};
}

// RFC 7519 §4.1.4: a token is expired on and after exp; max_skew absorbs clock differences
// between the issuer and this host in both directions.
Result<void> check_clock(const Ear& ear, int64_t now, int64_t max_skew) {
  if (ear.expires_at && now - max_skew >= *ear.expires_at) {
    return refusal("token expired " + seconds_apart(now, *ear.expires_at) +
                   " ago by this clock (skew allowed: " + std::to_string(max_skew) + " s)");
  }
  if (ear.issued_at > now + max_skew) {
    return refusal("token issued in the future: " + seconds_apart(ear.issued_at, now) +
                   " ahead of this clock (skew allowed: " + std::to_string(max_skew) + " s)");
  }
  return {};
}

}  // namespace

std::string_view ear_status_name(EarStatus status) {
  switch (status) {
    case EarStatus::none:
      return "none";
    case EarStatus::affirming:
      return "affirming";
    case EarStatus::warning:
      return "warning";
    case EarStatus::contraindicated:
      return "contraindicated";
  }
  return "none";
}

std::optional<EarStatus> parse_ear_status(std::string_view text) {
  for (EarStatus s :
       {EarStatus::none, EarStatus::affirming, EarStatus::warning, EarStatus::contraindicated}) {
    if (text == ear_status_name(s)) {
      return s;
    }
  }
  return std::nullopt;
}

bool EarClaims::operator==(const EarClaims& o) const {
  return issuer == o.issuer && issued_at == o.issued_at && expires_at == o.expires_at &&
         status == o.status && order == o.order && node == o.node && cnf.kty == o.cnf.kty &&
         cnf.crv == o.cnf.crv && cnf.x == o.cnf.x && cnf.y == o.cnf.y && checks == o.checks &&
         nonce_hash == o.nonce_hash;
}

Result<void> TrustedKeys::add(std::string validator_id, const crypto::PublicKey& key) {
  if (auto id = config::parse_id(validator_id); !id) {
    return make_error(Errc::invalid_argument,
                      "trusted key: the validator id " + id.error().message);
  }
  if (key.type() != crypto::KeyType::p256) {
    return make_error(Errc::invalid_argument,
                      "trusted key of " + validator_id + ": token keys must be P-256");
  }
  std::string kid = key.jwk().thumbprint();
  if (by_kid_.count(kid) != 0) {
    return make_error(
        Errc::invalid_argument,
        "trusted key of " + validator_id + ": already trusted for " + by_kid_.at(kid).validator_id);
  }
  by_kid_.emplace(std::move(kid), Entry{std::move(validator_id), key});
  return {};
}

Result<void> TrustedKeys::add_pool(const config::PoolConfig& pool, std::string_view except) {
  for (const auto& v : pool.validators) {
    if (v.id == except) continue;
    LEEA_ASSIGN_OR_RETURN(auto key, public_key_from_jwk(v.token_key));
    LEEA_TRY(with_context(add(v.id, key), pool.source));
  }
  return {};
}

const TrustedKeys::Entry* TrustedKeys::find(std::string_view kid) const {
  auto it = by_kid_.find(kid);
  return it == by_kid_.end() ? nullptr : &it->second;
}

Result<Ear> check_ear_claims(const Json& payload, int64_t now, int64_t max_skew) {
  if (max_skew < 0 || max_skew > kMaxClockSkew || now < 0 || now > kMaxNumericDate) {
    return make_error(Errc::invalid_argument, "token: the clock or the allowed skew (0 to " +
                                                  std::to_string(kMaxClockSkew) +
                                                  " seconds) is out of range");
  }
  if (!payload.is_object()) {
    return refusal("token claims: not a JSON object");
  }
  LEEA_TRY(check_mandatory(payload));
  Ear ear;
  LEEA_ASSIGN_OR_RETURN(ear.profile, json::string_member(payload, "eat_profile", kClaims));
  LEEA_ASSIGN_OR_RETURN(ear.issued_at, json::int_member(payload, "iat", kClaims));
  if (json::find_member(payload, "exp") != nullptr) {
    LEEA_ASSIGN_OR_RETURN(ear.expires_at, json::int_member(payload, "exp", kClaims));
  }
  if (ear.issued_at < 0 || ear.issued_at > kMaxNumericDate ||
      (ear.expires_at && (*ear.expires_at < 0 || *ear.expires_at > kMaxNumericDate))) {
    return refusal("token claims: 'iat' or 'exp' is not a date between 1970 and 9999");
  }
  LEEA_TRY(read_verifier_id(payload, ear));
  LEEA_TRY(check_clock(ear, now, max_skew));
  if (ear.profile != kEarProfile) {
    return refusal("token claims: eat_profile is not the EAR profile " + std::string(kEarProfile));
  }
  LEEA_TRY(read_submods(payload, ear));
  ear.claims = payload;
  return ear;
}

Result<Ear> verify_ear_token(std::string_view token, const KeyResolver& resolve, int64_t now,
                             int64_t max_skew) {
  LEEA_ASSIGN_OR_RETURN(JwsContent jws, verify_jws(token, resolve));
  return check_ear_claims(jws.payload, now, max_skew);
}

}  // namespace leea::attest
