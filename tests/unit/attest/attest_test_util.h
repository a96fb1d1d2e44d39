// Helpers shared by the attest unit tests: the upstream EAR test vectors of
// shared/testdata/ear (see its PROVENANCE.md) and small JSON and token utilities.
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/attest/jwk.h"
#include "core/crypto/keys.h"
#include "core/util/encoding.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/crypto/test_keys.h"

namespace leea::test {

inline std::string ear_testdata(const std::string& name) {
  return read_file(std::string(LEEA_TESTDATA_DIR) + "/ear/" + name);
}

template <typename T>
T value_or_throw(Result<T> r) {
  if (!r) {
    throw std::runtime_error(r.error().message);
  }
  return std::move(*r);
}

// pkey.json: the upstream ES256 verification key.
inline crypto::PublicKey upstream_public_key() {
  auto jwk =
      value_or_throw(attest::jwk_from_json(nlohmann::json::parse(ear_testdata("pkey.json"))));
  return value_or_throw(attest::public_key_from_jwk(jwk));
}

// skey-TEST-ONLY.json: the matching private key, published upstream for tests.
inline crypto::PrivateKey upstream_private_key() {
  auto skey = nlohmann::json::parse(ear_testdata("skey-TEST-ONLY.json"));
  return key_from_pkcs8(kP256Pkcs8, unb64url(skey["d"].get<std::string>()));
}

inline crypto::PrivateKey new_p256_key() {
  return value_or_throw(crypto::PrivateKey::generate(crypto::KeyType::p256));
}

// The segments of a compact JWS, for tests that take tokens apart.
inline std::vector<std::string> segments(const std::string& token) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t dot = token.find('.'); dot != std::string::npos; dot = token.find('.', start)) {
    out.push_back(token.substr(start, dot - start));
    start = dot + 1;
  }
  out.push_back(token.substr(start));
  return out;
}

inline std::string b64url_text(std::string_view text) { return base64url_encode(as_bytes(text)); }

inline nlohmann::json decode_segment(const std::string& segment) {
  auto bytes = unb64url(segment);
  return nlohmann::json::parse(bytes.begin(), bytes.end());
}

}  // namespace leea::test
