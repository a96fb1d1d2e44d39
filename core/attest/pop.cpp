#include "core/attest/pop.h"

#include <array>
#include <ctime>

#include "core/attest/jwk.h"
#include "core/attest/jws.h"
#include "core/config/values.h"
#include "core/crypto/digest.h"
#include "core/crypto/random.h"
#include "core/util/encoding.h"
#include "core/util/json.h"
#include "core/util/time.h"

namespace leea::attest {
namespace {

using json::Json;

constexpr std::string_view kPopType = "leea-pop+jwt";
constexpr std::string_view kWhat = "proof of possession";
constexpr size_t kJtiBytes = 16;

Error refusal(std::string_view check) {
  return make_error(Errc::refused, std::string(kWhat) + ": " + std::string(check));
}

// RFC 9449 §4.2 "ath": base64url of SHA-256 over the ASCII token.
std::string token_hash(std::string_view token) { return base64url_encode(crypto::sha256(token)); }

Result<PopClaims> check_claims(const Json& payload, std::string_view validator_id,
                               std::string_view token, int64_t now, int64_t window) {
  const Json* aud = json::find_member(payload, "aud");
  if (aud == nullptr || !aud->is_string() || *aud != validator_id) {
    return refusal("for another validator");
  }
  const Json* ath = json::find_member(payload, "ath");
  if (ath == nullptr || !ath->is_string() || *ath != token_hash(token)) {
    return refusal("for another token");
  }
  PopClaims out;
  LEEA_ASSIGN_OR_RETURN(out.issued_at, json::int_member(payload, "iat", kWhat));
  // Compared as now - iat and iat - now only once both are known to be small.
  if (out.issued_at < now - window) {
    return refusal("too old: issued " + seconds_apart(now, out.issued_at) +
                   " before this validator's clock (the window is " + std::to_string(window) +
                   " s)");
  }
  if (out.issued_at > now + window) {
    return refusal("issued in the future: " + seconds_apart(out.issued_at, now) +
                   " ahead of this validator's clock (the window is " + std::to_string(window) +
                   " s)");
  }
  LEEA_ASSIGN_OR_RETURN(out.jti, json::string_member(payload, "jti", kWhat));
  auto jti = base64url_decode(out.jti);
  if (!jti || jti->size() != kJtiBytes) {
    return refusal("malformed jti");
  }
  return out;
}

}  // namespace

Result<std::string> make_pop(const crypto::PrivateKey& eph, std::string_view validator_id,
                             std::string_view token, int64_t now) {
  if (!config::is_valid_id(validator_id)) {
    return make_error(Errc::invalid_argument, "proof of possession: the validator id " +
                                                  config::parse_id(validator_id).error().message);
  }
  if (token.empty() || token.size() > kMaxJwsBytes) {
    return make_error(Errc::invalid_argument, "proof of possession: the token must be 1 to " +
                                                  std::to_string(kMaxJwsBytes) + " bytes");
  }
  std::array<uint8_t, kJtiBytes> jti{};
  LEEA_TRY(crypto::random_bytes(jti));
  Json payload = {{"aud", validator_id},
                  {"ath", token_hash(token)},
                  {"iat", now},
                  {"jti", base64url_encode(jti)}};
  Json header = {{"typ", kPopType}, {"kid", eph.public_key().jwk().thumbprint()}};
  return sign_jws(eph, header, payload);
}

Result<std::string> make_pop(const crypto::PrivateKey& eph, std::string_view validator_id,
                             std::string_view token) {
  return make_pop(eph, validator_id, token, static_cast<int64_t>(std::time(nullptr)));
}

Result<PopClaims> verify_pop(std::string_view pop, const crypto::PublicKey& cnf,
                             std::string_view validator_id, std::string_view token, int64_t now,
                             int64_t window) {
  if (window <= 0 || window > kMaxPopWindow || now < 0 || now > (int64_t{1} << 40)) {
    return make_error(Errc::invalid_argument,
                      "proof of possession: the clock or the window (1 to " +
                          std::to_string(kMaxPopWindow) + " seconds) is out of range");
  }
  auto parsed = with_context(parse_jws(pop), kWhat);
  if (!parsed) {
    return std::move(parsed).error();
  }
  const Json* typ = json::find_member(parsed->header, "typ");
  if (typ == nullptr || *typ != kPopType) {
    return refusal("wrong type ('typ' must be leea-pop+jwt)");
  }
  auto content = verify_jws_signature(*parsed, cnf);
  if (!content) {
    if (content.error().message == kBadSignature) {
      return refusal("signed by another key");
    }
    return with_context(std::move(content), kWhat).error();
  }
  return check_claims(content->payload, validator_id, token, now, window);
}

Result<PopClaims> verify_pop(std::string_view pop, const crypto::Jwk& cnf,
                             std::string_view validator_id, std::string_view token, int64_t now,
                             int64_t window) {
  auto key = with_context(public_key_from_jwk(cnf), kWhat);
  if (!key) {
    return std::move(key).error();
  }
  return verify_pop(pop, *key, validator_id, token, now, window);
}

}  // namespace leea::attest
