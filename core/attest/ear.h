// Attestation tokens: EAT Attestation Results (draft-ietf-rats-ear) as ES256 JWTs, issued by
// the validator that appraised a VM's evidence and honoured by every validator of the pool.
//
// Two levels of checking. verify_ear_token() applies what any EAR carries, whoever issued
// it: the JWS rules of jws.h, the mandatory claims (eat_profile equal to the EAR profile,
// iat, ear.verifier-id with developer and build, at least one submod, each with a known
// ear.status) and the clock (not issued in the future, not expired when exp is present).
// verify_ear() adds what leea's own tokens promise: a key id naming a pool key, the issuer
// owning that key, exp within kMaxEarLifetime of iat, an affirming "leea" submod appraised
// under the order's policy, and the private claims leea.order, leea.node, leea.checks,
// leea.nonce-hash and cnf (the VM's ephemeral key). Every refusal is Errc::refused with a
// message naming the failed check; messages quote ids and claim names, never a token or a
// nonce. All functions are thread-safe; TrustedKeys is a value, safe to read from several
// threads once built.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/attest/jws.h"
#include "core/config/pool.h"
#include "core/crypto/keys.h"
#include "core/util/result.h"

namespace leea::attest {

inline constexpr std::string_view kEarProfile = "tag:github.com,2023:veraison/ear";
// The submod under which leea reports its appraisal.
inline constexpr std::string_view kEarSubmod = "leea";
// The longest life of a leea token, exp - iat, in seconds (DESIGN §3).
inline constexpr int64_t kMaxEarLifetime = 120;
// The largest clock skew a caller may allow, in seconds.
inline constexpr int64_t kMaxClockSkew = 300;
// The most check names a token lists, and the longest name.
inline constexpr size_t kMaxEarChecks = 64;
inline constexpr size_t kMaxCheckNameLength = 64;

// ear.status (draft-ietf-rats-ear, from AR4SI trust tiers).
enum class EarStatus { none, affirming, warning, contraindicated };

// "none", "affirming", "warning", "contraindicated".
std::string_view ear_status_name(EarStatus status);
// The status named by text, or nullopt.
std::optional<EarStatus> parse_ear_status(std::string_view text);

// What a leea token states.
struct EarClaims {
  std::string issuer;  // iss: the validator id
  int64_t issued_at = 0;
  int64_t expires_at = 0;
  EarStatus status = EarStatus::none;
  std::string order;
  std::string node;                 // empty when not known
  crypto::Jwk cnf;                  // the VM's ephemeral P-256 public key
  std::vector<std::string> checks;  // names of the checks that passed
  std::string nonce_hash;           // lower-case hex of SHA-256 of the challenge nonce

  // Field by field (crypto::Jwk compares by its members).
  bool operator==(const EarClaims& other) const;
};

// The claims any EAR carries.
struct Ear {
  std::string profile;
  int64_t issued_at = 0;
  std::optional<int64_t> expires_at;
  std::string verifier_developer;
  std::string verifier_build;
  std::vector<std::pair<std::string, EarStatus>> submods;  // by name, in name order
  nlohmann::json claims;                                   // the whole payload
};

// The token-signing keys of the pool, each under its RFC 7638 thumbprint (the kid of the
// tokens it signs), with the id of the validator it belongs to.
class TrustedKeys {
 public:
  struct Entry {
    std::string validator_id;
    crypto::PublicKey key;
  };

  // Adds validator_id's token key. Fails with Errc::invalid_argument when the key is not
  // P-256, validator_id is not a valid id, or the key is already present.
  Result<void> add(std::string validator_id, const crypto::PublicKey& key);
  // Adds the token key of every validator of pool but `except` (a validator adds its own key
  // from its key file). Fails as public_key_from_jwk, or as add() prefixed with the pool file.
  Result<void> add_pool(const config::PoolConfig& pool, std::string_view except = {});
  // The entry for a key id, or nullptr. Valid while this object is unchanged.
  const Entry* find(std::string_view kid) const;
  size_t size() const { return by_kid_.size(); }

 private:
  std::map<std::string, Entry, std::less<>> by_kid_;
};

// Checks the claims every EAR must carry, and the clock, against an already verified
// payload. Returns them. Fails with Errc::refused naming the check: "token claims: missing
// eat_profile, iat" (every missing claim), "token claims: '<name>' must be ...", "token
// expired", "token issued in the future", "token claims: eat_profile is not the EAR profile",
// "token claims: submod '<name>' has an unknown ear.status".
// REQUIRES: 0 <= max_skew <= kMaxClockSkew (else Errc::invalid_argument).
Result<Ear> check_ear_claims(const nlohmann::json& payload, int64_t now, int64_t max_skew);

// verify_jws() with resolve, then check_ear_claims(). For EARs of any issuer.
Result<Ear> verify_ear_token(std::string_view token, const KeyResolver& resolve, int64_t now,
                             int64_t max_skew);

// Issues a token for claims, signed by key, with header kid = the thumbprint of key's public
// part and typ "JWT". Returns the compact JWS. Fails with Errc::invalid_argument when key is
// not P-256 or a claim is out of bounds: issuer, order or node (when set) not a valid id,
// expires_at - issued_at outside 1..kMaxEarLifetime, cnf not a P-256 public key, more than
// kMaxEarChecks checks or a check name not 1..kMaxCheckNameLength of [A-Za-z0-9._:-],
// nonce_hash not 64 lower-case hex digits.
Result<std::string> issue_ear(const crypto::PrivateKey& key, const EarClaims& claims);

// Verifies a leea token: signed by a key in trusted ("token signature: signing key is not in
// the pool"), iss equal to that key's owner, the EAR claims and clock of check_ear_claims(),
// exp present and within kMaxEarLifetime of iat, submod "leea" affirming under the policy
// "leea:order:<order>", and leea's private claims well formed. Returns the claims. Fails with
// Errc::refused naming the failed check. REQUIRES: 0 <= max_skew <= kMaxClockSkew.
Result<EarClaims> verify_ear(std::string_view token, const TrustedKeys& trusted, int64_t now,
                             int64_t max_skew);

}  // namespace leea::attest
