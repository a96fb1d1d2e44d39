// Proofs of possession (core/attest/pop.h). Selector 0: a whole proof, checked against the
// VM key; 1: a proof payload (JSON) signed here with the VM key under its own header, so the
// claim checks (validator, token hash, iat, jti) are reached; 2: a JWK (JSON) as cnf.
#include <string>

#include "core/attest/jwk.h"
#include "core/attest/jws.h"
#include "core/attest/pop.h"
#include "core/crypto/keys.h"
#include "core/util/json.h"
#include "tests/fuzz/fuzz.h"

namespace {

using namespace leea;
constexpr int64_t kNow = 1767225600;
constexpr const char* kToken = "eyJhbGciOiJFUzI1NiJ9.e30.c2ln";

struct Fixture {
  crypto::PrivateKey vm;
  std::string pop;  // a valid proof, for its header
};

const Fixture& fixture() {
  static const Fixture f = [] {
    auto vm = fuzz::test_key(1);
    auto pop = attest::make_pop(vm, "v1", kToken, kNow);
    fuzz::require(pop.has_value(), "make_pop failed");
    return Fixture{std::move(vm), *pop};
  }();
  return f;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const auto& f = fixture();
  fuzz::write_seed("pop", std::string(1, '\0') + f.pop);
  auto parsed = attest::parse_jws(f.pop);
  fuzz::require(parsed.has_value(), "the seed proof does not parse");
  auto content = attest::verify_jws_signature(*parsed, f.vm.public_key());
  fuzz::require(content.has_value(), "the seed proof does not verify");
  fuzz::write_seed("payload", std::string(1, '\1') + content->payload.dump());
  auto jwk = attest::jwk_to_json(f.vm.public_key().jwk());
  fuzz::write_seed("jwk", std::string(1, '\2') + jwk.dump());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& f = fixture();
  auto in = fuzz::select(data, size);
  auto t = fuzz::text(in.rest.data(), in.rest.size());
  switch (in.selector % 3) {
    case 0:
      (void)attest::verify_pop(t, f.vm.public_key(), "v1", kToken, kNow);
      (void)attest::verify_pop(t, f.vm.public_key().jwk(), "v1", kToken, kNow);
      break;
    case 1: {
      auto payload = json::parse(t, "fuzz payload", 16384);
      if (!payload || !payload->is_object()) break;
      json::Json extras = {{"typ", "leea-pop+jwt"}, {"kid", f.vm.public_key().jwk().thumbprint()}};
      auto proof = attest::sign_jws(f.vm, extras, *payload);
      if (proof) (void)attest::verify_pop(*proof, f.vm.public_key(), "v1", kToken, kNow);
      break;
    }
    default: {
      auto j = json::parse(t, "fuzz jwk", 16384);
      if (!j) break;
      auto jwk = attest::jwk_from_json(*j);
      if (!jwk) break;
      if (auto key = attest::public_key_from_jwk(*jwk)) {
        fuzz::require(key->jwk().thumbprint() == jwk->thumbprint(),
                      "a JWK's key has another thumbprint");
      }
      (void)attest::verify_pop(f.pop, *jwk, "v1", kToken, kNow);
      break;
    }
  }
  return 0;
}
