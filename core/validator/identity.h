// A validator's identity, made once by `leea validator init`: a TLS key and self-signed
// certificate, an ES256 token-signing key, a 32-byte sealing key (all 0600), and a
// validator.yaml that names them. The result is this validator's entry for a pool file.
// Thread-compatible.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/config/values.h"
#include "core/crypto/keys.h"
#include "core/util/result.h"

namespace leea::validator {

struct InitOptions {
  std::filesystem::path dir;
  std::string id;
  config::Endpoint listen;
  std::optional<std::filesystem::path> pool;                             // as written in the yaml
  std::vector<std::pair<std::string, std::filesystem::path>> operators;  // id, public key PEM
  bool allow_sim = false;
  std::string share_release = "appraise";
  std::vector<std::string> extra_sans;  // "IP:10.0.2.2", "DNS:validator-1"
};

struct PoolEntry {
  std::string id;
  std::string url;
  std::string tls_fingerprint;  // "sha256:<hex>"
  crypto::Jwk token_key;
  std::optional<crypto::Jwk> share_key;  // absent for an identity made before share sealing

  std::string to_yaml() const;  // one list item of a pool file's validators
};

// Creates dir (0700) and every file in it; refuses (Errc::io) to overwrite an existing
// identity. Returns the pool entry.
Result<PoolEntry> init_validator(const InitOptions& options);

// The pool entry of an existing identity, from its validator.yaml.
Result<PoolEntry> read_pool_entry(const std::filesystem::path& validator_yaml);

}  // namespace leea::validator
