#include "core/attest/jws.h"

#include <algorithm>
#include <array>

#include "core/util/encoding.h"
#include "core/util/json.h"

namespace leea::attest {
namespace {

using json::Json;

constexpr std::string_view kAlg = "ES256";
constexpr size_t kSignatureSize = 64;  // RFC 7518 §3.4: r || s, 32 bytes each for P-256
constexpr size_t kMaxKidLength = 128;

Error refusal(std::string message) { return make_error(Errc::refused, std::move(message)); }

// RFC 7515 §5.2 steps 1-2: the three parts of the compact serialisation.
Result<std::array<std::string_view, 3>> split_segments(std::string_view token) {
  if (token.size() > kMaxJwsBytes) {
    return refusal("token: longer than " + std::to_string(kMaxJwsBytes) + " bytes");
  }
  const size_t dots = static_cast<size_t>(std::count(token.begin(), token.end(), '.'));
  if (dots != 2) {
    return refusal("token: not a compact JWS (expected 3 segments separated by '.', found " +
                   std::to_string(dots + 1) + ")");
  }
  const size_t a = token.find('.');
  const size_t b = token.find('.', a + 1);
  std::array<std::string_view, 3> parts{token.substr(0, a), token.substr(a + 1, b - a - 1),
                                        token.substr(b + 1)};
  if (parts[0].empty()) {
    return refusal("token: not a compact JWS (empty header segment)");
  }
  return parts;
}

// RFC 7515 §4.1 and RFC 7518 §3.1: the protected header, held to ES256 and no extensions.
Result<Json> check_header(std::string_view segment) {
  auto bytes = base64url_decode(segment);
  if (!bytes) {
    return refusal("token header: not base64url");
  }
  LEEA_ASSIGN_OR_RETURN(Json header,
                        json::parse(json::bytes_text(*bytes), "token header", kMaxJwsBytes));
  if (!header.is_object()) {
    return refusal("token header: not a JSON object");
  }
  LEEA_ASSIGN_OR_RETURN(std::string alg, json::string_member(header, "alg", "token header"));
  if (alg != kAlg) {
    // The name is echoed only when it is short and tame: it comes from the sender.
    return refusal(json::is_printable_token(alg, 32)
                       ? "token algorithm '" + alg + "' is not allowed"
                       : std::string("token algorithm is not allowed"));
  }
  if (json::find_member(header, "crit") != nullptr) {
    return refusal("token header: 'crit' names extensions this verifier does not support");
  }
  if (const Json* kid = json::find_member(header, "kid"); kid != nullptr) {
    if (!kid->is_string() || !json::is_printable_token(kid->get<std::string>(), kMaxKidLength)) {
      return refusal("token header: 'kid' must be 1 to 128 characters from [A-Za-z0-9._:-]");
    }
  }
  return header;
}

}  // namespace

Result<std::string> sign_jws(const crypto::PrivateKey& key, const Json& header_extras,
                             const Json& payload) {
  if (key.type() != crypto::KeyType::p256) {
    return make_error(Errc::invalid_argument, "token: ES256 needs a P-256 key, not " +
                                                  std::string(key_type_name(key.type())));
  }
  if (!header_extras.is_object() || !payload.is_object()) {
    return make_error(Errc::invalid_argument, "token: header and payload must be JSON objects");
  }
  if (header_extras.contains("alg")) {
    return make_error(Errc::invalid_argument, "token header: 'alg' is set by the signer");
  }
  Json header = header_extras;
  header["alg"] = kAlg;
  LEEA_ASSIGN_OR_RETURN(std::string header_text, json::dump(header, "token header"));
  LEEA_ASSIGN_OR_RETURN(std::string payload_text, json::dump(payload, "token payload"));
  std::string input = base64url_encode(json::text_bytes(header_text)) + "." +
                      base64url_encode(json::text_bytes(payload_text));
  // The signature adds a dot and 86 characters; refuse to make what verification refuses.
  if (input.size() + 1 + 86 > kMaxJwsBytes) {
    return make_error(Errc::invalid_argument,
                      "token: longer than " + std::to_string(kMaxJwsBytes) + " bytes");
  }
  LEEA_ASSIGN_OR_RETURN(std::vector<uint8_t> sig,
                        key.sign(json::text_bytes(input), crypto::SigFormat::raw));
  return input + "." + base64url_encode(sig);
}

Result<UnverifiedJws> parse_jws(std::string_view token) {
  LEEA_ASSIGN_OR_RETURN(auto parts, split_segments(token));
  LEEA_ASSIGN_OR_RETURN(Json header, check_header(parts[0]));
  if (parts[1].empty()) {
    return refusal("token: not a compact JWS (empty payload segment)");
  }
  if (parts[2].empty()) {
    return refusal("token: not a compact JWS (empty signature segment)");
  }
  UnverifiedJws out;
  if (!base64url_decode_into(parts[1], out.payload)) {
    return refusal("token payload: not base64url");
  }
  if (!base64url_decode_into(parts[2], out.signature)) {
    return refusal("token signature: not base64url");
  }
  if (out.signature.size() != kSignatureSize) {
    return refusal("token signature: must be 64 bytes (r||s), not " +
                   std::to_string(out.signature.size()));
  }
  if (const Json* kid = json::find_member(header, "kid"); kid != nullptr) {
    out.kid = kid->get<std::string>();
  }
  out.header = std::move(header);
  out.signing_input = std::string(token.substr(0, parts[0].size() + 1 + parts[1].size()));
  return out;
}

Result<JwsContent> verify_jws_signature(const UnverifiedJws& jws, const crypto::PublicKey& key) {
  if (key.type() != crypto::KeyType::p256 ||
      !key.verify(json::text_bytes(jws.signing_input), jws.signature, crypto::SigFormat::raw)) {
    return refusal(std::string(kBadSignature));
  }
  LEEA_ASSIGN_OR_RETURN(Json payload,
                        json::parse(json::bytes_text(jws.payload), "token payload", kMaxJwsBytes));
  if (!payload.is_object()) {
    return refusal("token payload: not a JSON object");
  }
  return JwsContent{jws.header, std::move(payload), jws.kid};
}

Result<JwsContent> verify_jws(std::string_view token, const KeyResolver& resolve) {
  LEEA_ASSIGN_OR_RETURN(UnverifiedJws jws, parse_jws(token));
  LEEA_ASSIGN_OR_RETURN(crypto::PublicKey key, resolve(jws.kid));
  return verify_jws_signature(jws, key);
}

}  // namespace leea::attest
