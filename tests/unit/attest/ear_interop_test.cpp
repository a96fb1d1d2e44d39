// Interoperability: a standard JOSE library (PyJWT, with python3-cryptography for ES256)
// verifies a token leea issued, using the JWK Set leea publishes (DESIGN §3).
#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>
#include <string>

#include "core/attest/ear.h"
#include "core/attest/jwk.h"
#include "core/crypto/digest.h"
#include "tests/support/process.h"
#include "tests/unit/attest/attest_test_util.h"

namespace leea::attest {
namespace {

constexpr const char* kPython = "/usr/bin/python3";

// Verifies argv[1] (a token) with the JWKS in argv[2], requiring issuer argv[3], and prints
// what it read.
constexpr const char* kScript = R"(import json, sys
import jwt
token = open(sys.argv[1]).read()
jwks = jwt.PyJWKSet.from_json(open(sys.argv[2]).read())
kid = jwt.get_unverified_header(token)["kid"]
claims = jwt.decode(token, jwks[kid].key, algorithms=["ES256"], issuer=sys.argv[3],
                    options={"require": ["exp", "iat", "iss"]})
print(json.dumps({"kid": kid, "order": claims["leea.order"],
                  "status": claims["submods"]["leea"]["ear.status"]}, sort_keys=True))
)";

class PyJwt : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kPython)) {
      GTEST_SKIP() << kPython << " is not installed";
    }
    if (test::run({kPython, "-c", "import jwt, cryptography.hazmat"}).exit_code != 0) {
      GTEST_SKIP() << "PyJWT or python3-cryptography is not installed (apt-get install "
                      "python3-jwt)";
    }
    test::write_file(dir_ / "verify.py", kScript);
  }

  std::string issue(const crypto::PrivateKey& key) {
    auto eph = test::new_p256_key();
    EarClaims c;
    c.issuer = "v1";
    c.issued_at = static_cast<int64_t>(std::time(nullptr));
    c.expires_at = c.issued_at + kMaxEarLifetime;
    c.status = EarStatus::affirming;
    c.order = "demo-sim";
    c.cnf = eph.public_key().jwk();
    c.checks = {"nonce"};
    c.nonce_hash = hex_encode(crypto::sha256(std::string_view("nonce")));
    return test::value_or_throw(issue_ear(key, c));
  }

  test::RunResult run_pyjwt(const std::string& token, const std::string& jwks) {
    test::write_file(dir_ / "token.jwt", token);
    test::write_file(dir_ / "jwks.json", jwks);
    return test::run({kPython, (dir_ / "verify.py").string(), (dir_ / "token.jwt").string(),
                      (dir_ / "jwks.json").string(), "v1"});
  }

  test::TempDir dir_;
};

TEST_F(PyJwt, VerifiesALeeaTokenWithTheLeeaJwks) {
  auto key = test::new_p256_key();
  auto other = test::new_p256_key();
  std::string jwks = test::value_or_throw(jwks_json({other.public_key(), key.public_key()}));
  auto r = run_pyjwt(issue(key), jwks);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, R"({"kid": ")" + key.public_key().jwk().thumbprint() +
                       R"(", "order": "demo-sim", "status": "affirming"})" + "\n");
}

TEST_F(PyJwt, RefusesATamperedLeeaToken) {
  // The control: PyJWT really checks the signature of what leea produced.
  auto key = test::new_p256_key();
  std::string jwks = test::value_or_throw(jwks_json({key.public_key()}));
  auto parts = test::segments(issue(key));
  auto payload = test::decode_segment(parts[1]);
  payload["leea.order"] = "other";
  auto r = run_pyjwt(parts[0] + "." + test::b64url_text(payload.dump()) + "." + parts[2], jwks);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("InvalidSignatureError"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace leea::attest
