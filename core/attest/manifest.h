// The share manifest: the operator's signed statement of which share each validator holds,
// so that the VM can check every share before combining, name a validator that returns a
// wrong one and ask another instead, and check the rebuilt secret itself.
//
// The manifest holds, per validator, the hash of its share's text line; and for the secret a
// key check value, the first 16 bytes of HMAC-SHA256(key = secret, "leea key check value
// v1"), which confirms a candidate secret without revealing anything about it (HMAC is a
// PRF). Neither a share nor the secret can be learned from a manifest, so it may travel in
// the clear and be stored anywhere.
//
// Canonical JSON (what is signed): members in lexicographic order, no whitespace, entries
// sorted by x; every value is an integer or an ASCII string of a restricted alphabet, so
// this coincides with RFC 8785 (JCS). Signed document:
//
//   {"alg":"ES256"|"EdDSA","key":"sha256:<16 hex>","manifest":{...},"signature":"<b64url>"}
//
// The signature (P-256 r||s, or Ed25519) covers "leea share manifest v1\n" followed by the
// canonical manifest; a verifier re-serialises what it parsed, so only the meaning is
// signed, never a particular spelling. Stateless and thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/crypto/keys.h"
#include "core/crypto/secret_bytes.h"
#include "core/util/result.h"

namespace leea::attest {

inline constexpr int kManifestVersion = 1;
inline constexpr size_t kMaxManifestBytes = 64 * 1024;

struct ManifestEntry {
  std::string validator_id;
  int x = 0;               // the share's x coordinate, 1..255
  std::string share_hash;  // "sha256:<64 hex>" of the share's text line, without newline

  bool operator==(const ManifestEntry&) const = default;
};

struct ShareManifest {
  std::string order;
  int threshold = 0;
  std::string split_id;   // 16 lower-case hex digits: the split id of the shares
  std::string key_check;  // 32 lower-case hex digits: key_check_value(secret)
  std::vector<ManifestEntry> entries;

  bool operator==(const ShareManifest&) const = default;
};

// "sha256:" + lower-case hex of SHA-256(share_line), where share_line is a share's text
// without its line ending (one trailing "\n" or "\r\n" is ignored).
std::string share_hash(const crypto::SecretBytes& share_line);

// The key check value of secret: lower-case hex of the first 16 bytes of
// HMAC-SHA256(secret, "leea key check value v1"). Fails with Errc::invalid_argument for an
// empty secret, Errc::internal if HMAC fails.
Result<std::string> key_check_value(const crypto::SecretBytes& secret);

// Checks every field: order a valid id; 2 <= threshold <= 255; split_id and key_check
// lower-case hex of 8 and 16 bytes; threshold to 255 entries with distinct valid validator
// ids, distinct x in 1..255 and well-formed share hashes. Fails with code and "share
// manifest: ..." naming the first violation.
Result<void> validate_manifest(const ShareManifest& m, Errc code = Errc::invalid_argument);

// The canonical JSON of m. Fails as validate_manifest with Errc::invalid_argument.
Result<std::string> manifest_json(const ShareManifest& m);

// Signs m with the operator's key. Returns the signed document. Fails with
// Errc::invalid_argument when m is invalid or the key is neither Ed25519 nor P-256,
// Errc::internal when signing fails.
Result<std::string> sign_manifest(const crypto::PrivateKey& op, const ShareManifest& m);

// Verifies a signed document with the operator's public key. Returns the manifest. Fails
// with Errc::refused "share manifest: ..." naming the failed check: over kMaxManifestBytes,
// not JSON, a missing or unknown member, "alg" not matching the key, "signed by another key"
// (the fingerprint), "signature does not verify", or an invalid manifest.
Result<ShareManifest> verify_manifest(std::string_view signed_json, const crypto::PublicKey& op);

// Checks that share_text (one share's text line) is the share the manifest lists for
// validator_id. Fails with Errc::refused "share manifest: no entry for validator <id>" or
// "share from <id> does not match the manifest". REQUIRES: m is valid.
Result<void> check_share(const ShareManifest& m, std::string_view validator_id,
                         const crypto::SecretBytes& share_text);

// Checks a rebuilt secret against the manifest's key check value, in constant time. Fails
// with Errc::refused "key check value: the rebuilt secret does not match the manifest".
Result<void> verify_key_check(const ShareManifest& m, const crypto::SecretBytes& secret);

}  // namespace leea::attest
