// The pool file (pool.yaml): which validators hold shares of a disk secret, how to reach each
// one, how to recognise it (pinned TLS certificate, token-signing key) and how many of them
// must agree to release a secret.
//
// The pool file is read by operators (`leea order register`, `leea pool status`), by every
// validator (to trust tokens issued by the others) and inside the VM, where it is baked into
// the measured initramfs. Schema, version 1:
//
//   version: 1              required; the only version this code reads
//   threshold: 3            optional, default 3: shares needed to rebuild a secret;
//                           2 <= threshold <= number of validators
//   validators:             required; 2 to 255 entries, each:
//     - id: v1              [A-Za-z0-9._-]{1,64}, unique in the pool
//       url: https://h:p    https://host:port of its API, unique in the pool
//       tls_fingerprint: "sha256:<64 hex>"   SHA-256 of its TLS certificate (DER), unique
//       token_key:          its ES256 token-signing public key as a JWK (RFC 7517), unique:
//         kty: EC           required, "EC"
//         crv: P-256        required, "P-256"
//         x: <base64url>    required, the 32-byte X coordinate, unpadded base64url
//         y: <base64url>    required, the 32-byte Y coordinate, unpadded base64url
//         kid: <string>     optional key id
//         alg: ES256        optional; when present, "ES256"
//       share_key:          optional; its P-256 share-sealing public key as a JWK (the
//                           same members as token_key), unique. An operator seals each
//                           validator's share to it at registration, so no JSON on any wire
//                           holds a share in clear; registering needs it, the VM does not.
//
// Distinct entries must be distinct validators, or the threshold would count one validator
// twice: ids, URLs, TLS fingerprints, token keys and share keys are each unique. Whether x and y
// form a point on the curve is checked where the key is used (core/crypto), not here.
//
// Loading is pure and thread-safe; the result is a plain value.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/values.h"
#include "core/util/result.h"

namespace leea::config {

inline constexpr int kPoolVersion = 1;
inline constexpr int kDefaultThreshold = 3;
inline constexpr int kMinThreshold = 2;
inline constexpr size_t kMaxValidators = 255;  // Shamir over GF(2^8) has 255 share points

// A public key as a JSON Web Key, kept as text for core/crypto to import.
struct Jwk {
  std::string kty;  // "EC"
  std::string crv;  // "P-256"
  std::string x;    // base64url (unpadded) of the 32-byte X coordinate
  std::string y;    // base64url (unpadded) of the 32-byte Y coordinate
  std::string kid;  // optional key id; empty when absent
  std::string alg;  // "ES256", or empty when absent

  bool operator==(const Jwk&) const = default;
};

// One validator of the pool.
struct PoolMember {
  std::string id;
  std::string url;               // canonical "https://host:port"
  Endpoint endpoint;             // host and port of url
  TaggedDigest tls_fingerprint;  // sha256 of the TLS certificate's DER encoding
  Jwk token_key;
  std::optional<Jwk> share_key;  // absent in pool files made before share sealing
};

struct PoolConfig {
  std::string source;  // display name of the file it was read from
  int threshold = kDefaultThreshold;
  std::vector<PoolMember> validators;  // in file order
  // Public keys (SPKI DER) of the operators whose share manifests the VM accepts; the file
  // writes each as base64. Empty when the pool names none.
  std::vector<std::vector<uint8_t>> operator_keys;
};

// Reads and validates a pool file (at most kMaxConfigBytes). Errors name the file as given
// in path. Fails with Errc::config on any schema or value error ("pool.yaml:12:3: unknown key
// 'thresold' (did you mean 'threshold'?)"), with Errc::io when the file cannot be read.
Result<PoolConfig> load_pool_file(const std::filesystem::path& path);

// The same from text, e.g. received over the network; display_name stands for the file name
// in error messages.
Result<PoolConfig> load_pool_string(std::string_view text, std::string_view display_name);

// The member with this id, or nullptr. The pointer is valid while pool is unchanged.
const PoolMember* find_member(const PoolConfig& pool, std::string_view id);

}  // namespace leea::config
