#include "core/attest/jwk.h"

#include <set>

#include "core/util/encoding.h"
#include "core/util/json.h"

namespace leea::attest {
namespace {

using json::Json;

constexpr size_t kCoordinateSize = 32;

Error jwk_refusal(std::string_view what) {
  return make_error(Errc::refused, "JWK: " + std::string(what));
}

Result<std::vector<uint8_t>> coordinate(std::string_view text, std::string_view name) {
  auto bytes = base64url_decode(text);
  if (!bytes || bytes->size() != kCoordinateSize) {
    return jwk_refusal("'" + std::string(name) + "' must be 32 bytes in base64url");
  }
  return std::move(*bytes);
}

// One member of the JWKS "keys" array; index names it in errors.
Result<JwksKey> jwks_entry(const Json& j, size_t index) {
  const std::string where = "JWKS key " + std::to_string(index);
  auto jwk = with_context(jwk_from_json(j), where);
  if (!jwk) {
    return std::move(jwk).error();
  }
  const Json* use = json::find_member(j, "use");
  if (use != nullptr && *use != "sig") {
    return make_error(Errc::refused, where + ": 'use' must be sig");
  }
  const Json* alg = json::find_member(j, "alg");
  if (alg != nullptr && *alg != "ES256") {
    return make_error(Errc::refused, where + ": 'alg' must be ES256");
  }
  std::string kid = jwk->thumbprint();
  if (const Json* k = json::find_member(j, "kid"); k != nullptr) {
    if (!k->is_string() || !json::is_printable_token(k->get<std::string>(), 128)) {
      return make_error(Errc::refused,
                        where + ": 'kid' must be 1 to 128 characters from [A-Za-z0-9._:-]");
    }
    kid = k->get<std::string>();
  }
  auto key = public_key_from_jwk(*jwk);
  if (!key) {
    return with_context(std::move(key), where).error();
  }
  return JwksKey{std::move(kid), std::move(*key)};
}

}  // namespace

Result<crypto::PublicKey> public_key_from_jwk(const crypto::Jwk& jwk) {
  if (jwk.kty != "EC") {
    return jwk_refusal("'kty' must be EC");
  }
  if (jwk.crv != "P-256") {
    return jwk_refusal("'crv' must be P-256");
  }
  LEEA_ASSIGN_OR_RETURN(std::vector<uint8_t> x, coordinate(jwk.x, "x"));
  LEEA_ASSIGN_OR_RETURN(std::vector<uint8_t> y, coordinate(jwk.y, "y"));
  std::vector<uint8_t> raw{0x04};
  raw.insert(raw.end(), x.begin(), x.end());
  raw.insert(raw.end(), y.begin(), y.end());
  auto key = crypto::PublicKey::from_raw(crypto::KeyType::p256, raw);
  if (!key) {
    return jwk_refusal("not a point on the curve");
  }
  return std::move(*key);
}

Result<crypto::PublicKey> public_key_from_jwk(const config::Jwk& jwk) {
  return public_key_from_jwk(crypto::Jwk{jwk.kty, jwk.crv, jwk.x, jwk.y});
}

Result<crypto::Jwk> jwk_from_json(const Json& j) {
  if (!j.is_object()) {
    return jwk_refusal("not an object");
  }
  if (json::find_member(j, "d") != nullptr) {
    return jwk_refusal("holds a private key ('d')");
  }
  crypto::Jwk jwk;
  LEEA_ASSIGN_OR_RETURN(jwk.kty, json::string_member(j, "kty", "JWK"));
  LEEA_ASSIGN_OR_RETURN(jwk.crv, json::string_member(j, "crv", "JWK"));
  LEEA_ASSIGN_OR_RETURN(jwk.x, json::string_member(j, "x", "JWK"));
  LEEA_ASSIGN_OR_RETURN(jwk.y, json::string_member(j, "y", "JWK"));
  // Re-exporting through PublicKey both validates the point and canonicalises the text.
  LEEA_ASSIGN_OR_RETURN(crypto::PublicKey key, public_key_from_jwk(jwk));
  return key.jwk();
}

Json jwk_to_json(const crypto::Jwk& jwk) {
  Json j = {{"kty", jwk.kty}, {"crv", jwk.crv}, {"x", jwk.x}};
  if (!jwk.y.empty()) {
    j["y"] = jwk.y;
  }
  return j;
}

Result<std::string> jwks_json(const std::vector<crypto::PublicKey>& keys) {
  if (keys.size() > kMaxJwksKeys) {
    return make_error(Errc::invalid_argument,
                      "JWKS: more than " + std::to_string(kMaxJwksKeys) + " keys");
  }
  Json list = Json::array();
  for (const crypto::PublicKey& key : keys) {
    if (key.type() != crypto::KeyType::p256) {
      return make_error(Errc::invalid_argument, "JWKS: token keys must be P-256, not " +
                                                    std::string(key_type_name(key.type())));
    }
    crypto::Jwk jwk = key.jwk();
    Json entry = jwk_to_json(jwk);
    entry["kid"] = jwk.thumbprint();
    entry["use"] = "sig";
    entry["alg"] = "ES256";
    list.push_back(std::move(entry));
  }
  return json::dump(Json{{"keys", std::move(list)}}, "JWKS");
}

Result<std::vector<JwksKey>> jwks_keys(std::string_view json_text) {
  LEEA_ASSIGN_OR_RETURN(Json doc, json::parse(json_text, "JWKS", kMaxJwksBytes));
  const Json* list = json::find_member(doc, "keys");
  if (list == nullptr || !list->is_array()) {
    return make_error(Errc::refused, "JWKS: missing the 'keys' array");
  }
  if (list->size() > kMaxJwksKeys) {
    return make_error(Errc::refused, "JWKS: more than " + std::to_string(kMaxJwksKeys) + " keys");
  }
  std::vector<JwksKey> out;
  std::set<std::string> kids;
  for (size_t i = 0; i < list->size(); ++i) {
    LEEA_ASSIGN_OR_RETURN(JwksKey entry, jwks_entry((*list)[i], i));
    if (!kids.insert(entry.kid).second) {
      return make_error(Errc::refused,
                        "JWKS key " + std::to_string(i) + ": 'kid' repeats '" + entry.kid + "'");
    }
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace leea::attest
