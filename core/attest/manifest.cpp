#include "core/attest/manifest.h"

#include <algorithm>
#include <set>

#include "core/config/values.h"
#include "core/crypto/digest.h"
#include "core/crypto/mac.h"
#include "core/util/encoding.h"
#include "core/util/json.h"

namespace leea::attest {
namespace {

using json::Json;

constexpr std::string_view kKeyCheckMessage = "leea key check value v1";
constexpr std::string_view kSignedPrefix = "leea share manifest v1\n";
constexpr std::string_view kHashPrefix = "sha256:";
constexpr size_t kKeyCheckBytes = 16;
constexpr size_t kSplitIdBytes = 8;
constexpr int kMaxShares = 255;

Error manifest_error(Errc code, std::string_view check) {
  return make_error(code, "share manifest: " + std::string(check));
}

bool is_share_hash(std::string_view h) {
  return h.substr(0, kHashPrefix.size()) == kHashPrefix &&
         json::is_lower_hex(h.substr(std::min(h.size(), kHashPrefix.size())), 32);
}

Result<void> validate_entries(const ShareManifest& m, Errc code) {
  const int n = static_cast<int>(m.entries.size());
  if (n < m.threshold || n > kMaxShares) {
    return manifest_error(code, "needs threshold to 255 entries, has " + std::to_string(n));
  }
  std::set<std::string> ids;
  std::set<int> xs;
  for (const ManifestEntry& e : m.entries) {
    if (!config::is_valid_id(e.validator_id)) {
      return manifest_error(code, "an entry's validator id is not a valid id");
    }
    if (!ids.insert(e.validator_id).second) {
      return manifest_error(code, "validator " + e.validator_id + " is listed twice");
    }
    if (e.x < 1 || e.x > kMaxShares || !xs.insert(e.x).second) {
      return manifest_error(code, "the x of " + e.validator_id + " is not a distinct 1..255");
    }
    if (!is_share_hash(e.share_hash)) {
      return manifest_error(
          code, "the share hash of " + e.validator_id + " is not sha256:<64 lower-case hex>");
    }
  }
  return {};
}

Json entry_json(const ManifestEntry& e) {
  return {{"validator_id", e.validator_id}, {"x", e.x}, {"share_hash", e.share_hash}};
}

// The exact member set of an object: names missing or unknown are refused by name.
Result<void> expect_members(const Json& obj, std::initializer_list<std::string_view> names,
                            std::string_view what) {
  if (!obj.is_object()) {
    return manifest_error(Errc::refused, std::string(what) + " is not a JSON object");
  }
  for (std::string_view name : names) {
    if (!obj.contains(name)) {
      return manifest_error(Errc::refused,
                            std::string(what) + " has no '" + std::string(name) + "'");
    }
  }
  if (obj.size() != names.size()) {
    return manifest_error(Errc::refused, std::string(what) + " has an unknown member");
  }
  return {};
}

Result<int> small_int(const Json& obj, std::string_view name) {
  std::optional<int64_t> v = json::as_int(obj[name]);
  if (!v || *v < 0 || *v > 1000) {
    return manifest_error(Errc::refused, "'" + std::string(name) + "' must be a small integer");
  }
  return static_cast<int>(*v);
}

Result<ShareManifest> parse_manifest(const Json& j) {
  LEEA_TRY(expect_members(j, {"entries", "key_check", "order", "split_id", "threshold", "version"},
                          "the manifest"));
  LEEA_ASSIGN_OR_RETURN(int version, small_int(j, "version"));
  if (version != kManifestVersion) {
    return manifest_error(Errc::refused, "unsupported version " + std::to_string(version));
  }
  ShareManifest m;
  constexpr std::string_view kWhat = "share manifest";
  LEEA_ASSIGN_OR_RETURN(m.order, json::string_member(j, "order", kWhat));
  LEEA_ASSIGN_OR_RETURN(m.split_id, json::string_member(j, "split_id", kWhat));
  LEEA_ASSIGN_OR_RETURN(m.key_check, json::string_member(j, "key_check", kWhat));
  LEEA_ASSIGN_OR_RETURN(m.threshold, small_int(j, "threshold"));
  const Json& entries = j["entries"];
  if (!entries.is_array() || entries.size() > kMaxShares) {
    return manifest_error(Errc::refused, "'entries' must be a list of at most 255 entries");
  }
  for (const Json& e : entries) {
    LEEA_TRY(expect_members(e, {"share_hash", "validator_id", "x"}, "an entry"));
    ManifestEntry entry;
    LEEA_ASSIGN_OR_RETURN(entry.validator_id, json::string_member(e, "validator_id", kWhat));
    LEEA_ASSIGN_OR_RETURN(entry.x, small_int(e, "x"));
    LEEA_ASSIGN_OR_RETURN(entry.share_hash, json::string_member(e, "share_hash", kWhat));
    m.entries.push_back(std::move(entry));
  }
  LEEA_TRY(validate_manifest(m, Errc::refused));
  return m;
}

// "ES256" for P-256, "EdDSA" for Ed25519 (RFC 7518 §3.1, RFC 8037 §3.1); empty otherwise.
std::string_view alg_of(crypto::KeyType type) {
  switch (type) {
    case crypto::KeyType::p256:
      return "ES256";
    case crypto::KeyType::ed25519:
      return "EdDSA";
    default:
      return "";
  }
}

Result<Json> manifest_object(const ShareManifest& m) {
  LEEA_TRY(validate_manifest(m));
  std::vector<ManifestEntry> sorted = m.entries;
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.x < b.x; });
  Json entries = Json::array();
  for (const ManifestEntry& e : sorted) {
    entries.push_back(entry_json(e));
  }
  return Json{{"version", kManifestVersion}, {"order", m.order},         {"threshold", m.threshold},
              {"split_id", m.split_id},      {"key_check", m.key_check}, {"entries", entries}};
}

std::string signed_bytes(std::string_view canonical) {
  return std::string(kSignedPrefix) + std::string(canonical);
}

}  // namespace

std::string share_hash(const crypto::SecretBytes& share_line) {
  std::span<const uint8_t> line = share_line.reveal();
  if (!line.empty() && line.back() == '\n') {
    line = line.first(line.size() - 1);
    if (!line.empty() && line.back() == '\r') {
      line = line.first(line.size() - 1);
    }
  }
  return std::string(kHashPrefix) + hex_encode(crypto::sha256(line));
}

Result<std::string> key_check_value(const crypto::SecretBytes& secret) {
  if (secret.empty()) {
    return make_error(Errc::invalid_argument, "key check value: the secret is empty");
  }
  LEEA_ASSIGN_OR_RETURN(std::vector<uint8_t> mac, crypto::hmac(crypto::DigestAlg::sha256, secret,
                                                               json::text_bytes(kKeyCheckMessage)));
  return hex_encode(std::span(mac).first(kKeyCheckBytes));
}

Result<void> validate_manifest(const ShareManifest& m, Errc code) {
  if (!config::is_valid_id(m.order)) {
    return manifest_error(code, "the order id is not a valid id");
  }
  if (m.threshold < 2 || m.threshold > kMaxShares) {
    return manifest_error(code, "the threshold must be 2 to 255");
  }
  if (!json::is_lower_hex(m.split_id, kSplitIdBytes)) {
    return manifest_error(code, "the split id must be 16 lower-case hex digits");
  }
  if (!json::is_lower_hex(m.key_check, kKeyCheckBytes)) {
    return manifest_error(code, "the key check value must be 32 lower-case hex digits");
  }
  return validate_entries(m, code);
}

Result<std::string> manifest_json(const ShareManifest& m) {
  LEEA_ASSIGN_OR_RETURN(Json j, manifest_object(m));
  return json::dump(j, "share manifest");
}

Result<std::string> sign_manifest(const crypto::PrivateKey& op, const ShareManifest& m) {
  const std::string_view alg = alg_of(op.type());
  if (alg.empty()) {
    return make_error(Errc::invalid_argument,
                      "share manifest: the operator key must be Ed25519 or P-256, not " +
                          std::string(key_type_name(op.type())));
  }
  LEEA_ASSIGN_OR_RETURN(Json manifest, manifest_object(m));
  LEEA_ASSIGN_OR_RETURN(std::string canonical, json::dump(manifest, "share manifest"));
  LEEA_ASSIGN_OR_RETURN(std::vector<uint8_t> sig,
                        op.sign(json::text_bytes(signed_bytes(canonical)), crypto::SigFormat::raw));
  Json doc = {{"alg", alg},
              {"key", op.public_key().fingerprint()},
              {"manifest", std::move(manifest)},
              {"signature", base64url_encode(sig)}};
  return json::dump(doc, "share manifest");
}

Result<ShareManifest> verify_manifest(std::string_view signed_json, const crypto::PublicKey& op) {
  LEEA_ASSIGN_OR_RETURN(Json doc, json::parse(signed_json, "share manifest", kMaxManifestBytes));
  LEEA_TRY(expect_members(doc, {"alg", "key", "manifest", "signature"}, "the signed document"));
  const std::string_view alg = alg_of(op.type());
  if (alg.empty() || doc["alg"] != alg) {
    return manifest_error(Errc::refused, "'alg' does not match the operator key");
  }
  if (doc["key"] != op.fingerprint()) {
    return manifest_error(Errc::refused,
                          "signed by another key, not the operator key " + op.fingerprint());
  }
  const Json& sig_text = doc["signature"];
  std::optional<std::vector<uint8_t>> sig;
  if (sig_text.is_string()) {
    sig = base64url_decode(sig_text.get<std::string>());
  }
  if (!sig) {
    return manifest_error(Errc::refused, "'signature' is not base64url");
  }
  LEEA_ASSIGN_OR_RETURN(ShareManifest m, parse_manifest(doc["manifest"]));
  LEEA_ASSIGN_OR_RETURN(std::string canonical, manifest_json(m));
  if (!op.verify(json::text_bytes(signed_bytes(canonical)), *sig, crypto::SigFormat::raw)) {
    return manifest_error(Errc::refused, "signature does not verify");
  }
  return m;
}

Result<void> check_share(const ShareManifest& m, std::string_view validator_id,
                         const crypto::SecretBytes& share_text) {
  auto it = std::find_if(m.entries.begin(), m.entries.end(),
                         [&](const ManifestEntry& e) { return e.validator_id == validator_id; });
  const std::string shown =
      config::is_valid_id(validator_id) ? std::string(validator_id) : "(an invalid id)";
  if (it == m.entries.end()) {
    return manifest_error(Errc::refused, "no entry for validator " + shown);
  }
  if (share_hash(share_text) != it->share_hash) {
    return make_error(Errc::refused, "share from " + shown + " does not match the manifest");
  }
  return {};
}

Result<void> verify_key_check(const ShareManifest& m, const crypto::SecretBytes& secret) {
  LEEA_ASSIGN_OR_RETURN(std::string kcv, key_check_value(secret));
  auto expected = hex_decode(m.key_check);
  auto actual = hex_decode(kcv);
  // SecretBytes::equals is CRYPTO_memcmp: no early exit on the first differing byte.
  if (!expected || !actual || !crypto::SecretBytes::copy_of(*actual).equals(*expected)) {
    return make_error(Errc::refused,
                      "key check value: the rebuilt secret does not match the manifest");
  }
  return {};
}

}  // namespace leea::attest
