// Compact JWS and EAR tokens (core/attest/jws.h, ear.h). The selector picks what the rest is:
//   0  a whole token, verified against the pool's trusted key;
//   1  a token payload (JSON), signed here with the trusted key so that the claim checks
//      behind the signature are reached; an accepted token re-issues to the same claims;
//   2  header members (JSON), signed over fixed valid claims;
//   3  a JWKS document (jwks_keys).
#include <string>

#include "core/attest/ear.h"
#include "core/attest/jwk.h"
#include "core/attest/jws.h"
#include "core/crypto/keys.h"
#include "core/util/json.h"
#include "tests/fuzz/fuzz.h"

namespace {

using namespace leea;
constexpr int64_t kNow = 1767225600;

struct Fixture {
  crypto::PrivateKey key;
  attest::TrustedKeys trusted;
  std::string kid;
  json::Json claims;  // a valid leea token's payload
};

Fixture make_fixture() {
  auto key = fuzz::test_key(0);
  auto vm = fuzz::test_key(1);
  attest::TrustedKeys trusted;
  fuzz::require(trusted.add("v1", key.public_key()).has_value(), "trusted key refused");
  attest::EarClaims c;
  c.issuer = "v1";
  c.issued_at = kNow;
  c.expires_at = kNow + 60;
  c.status = attest::EarStatus::affirming;
  c.order = "fuzz-order";
  c.cnf = vm.public_key().jwk();
  c.checks = {"evidence.binding"};
  c.nonce_hash = std::string(64, 'a');
  auto token = attest::issue_ear(key, c);
  fuzz::require(token.has_value(), "issue_ear failed");
  auto jws = attest::verify_jws(*token, [&](std::string_view) { return key.public_key(); });
  fuzz::require(jws.has_value(), "a fresh token does not verify");
  std::string kid = key.public_key().jwk().thumbprint();
  return Fixture{std::move(key), std::move(trusted), kid, jws->payload};
}

const Fixture& fixture() {
  static const Fixture f = make_fixture();
  return f;
}

void check_token(const std::string& token) {
  const auto& f = fixture();
  auto claims = attest::verify_ear(token, f.trusted, kNow, 60);
  (void)attest::verify_ear_token(
      token, [&](std::string_view) { return f.key.public_key(); }, kNow, 60);
  if (!claims) return;
  auto again = attest::issue_ear(f.key, *claims);
  fuzz::require(again.has_value(), "accepted claims cannot be issued again");
  auto back = attest::verify_ear(*again, f.trusted, kNow, 60);
  fuzz::require(back.has_value() && *back == *claims, "re-issued claims differ");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const auto& f = fixture();
  auto token = attest::sign_jws(f.key, {{"kid", f.kid}, {"typ", "JWT"}}, f.claims);
  fuzz::require(token.has_value(), "cannot sign the seed token");
  fuzz::write_seed("token", std::string(1, '\0') + *token);
  fuzz::write_seed("payload", std::string(1, '\1') + f.claims.dump());
  fuzz::write_seed("header",
                   std::string(1, '\2') + json::Json{{"kid", f.kid}, {"typ", "JWT"}}.dump());
  auto jwks = attest::jwks_json({f.key.public_key()});
  fuzz::require(jwks.has_value(), "cannot write the seed JWKS");
  fuzz::write_seed("jwks", std::string(1, '\3') + *jwks);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& f = fixture();
  auto in = fuzz::select(data, size);
  auto t = fuzz::text(in.rest.data(), in.rest.size());
  switch (in.selector % 4) {
    case 0:
      check_token(std::string(t));
      break;
    case 1: {
      auto payload = json::parse(t, "fuzz payload", 16384);
      if (!payload || !payload->is_object()) break;
      auto token = attest::sign_jws(f.key, {{"kid", f.kid}, {"typ", "JWT"}}, *payload);
      if (token) check_token(*token);
      break;
    }
    case 2: {
      auto header = json::parse(t, "fuzz header", 16384);
      if (!header || !header->is_object() || header->contains("alg")) break;
      auto token = attest::sign_jws(f.key, *header, f.claims);
      if (token) check_token(*token);
      break;
    }
    default:
      (void)attest::jwks_keys(t);
      break;
  }
  return 0;
}
