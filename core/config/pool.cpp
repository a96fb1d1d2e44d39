#include "core/config/pool.h"

#include <array>

#include "core/config/yaml_internal.h"
#include "core/util/encoding.h"

namespace leea::config {
namespace {

using internal::Map;
using internal::Source;
using internal::Value;

Result<std::string> parse_coordinate(std::string_view text) {
  auto bytes = base64url_decode(text);
  if (!bytes || bytes->size() != 32) {
    return make_error(Errc::config, "must be the unpadded base64url encoding of 32 bytes");
  }
  return std::string(text);
}

// Reads key, which must hold exactly `expected`.
Result<std::string> exact(const Source& src, const Map& m, std::string_view key,
                          std::string_view expected) {
  LEEA_ASSIGN_OR_RETURN(Value v, m.require(key));
  std::array<std::string_view, 1> choices = {expected};
  LEEA_TRY(internal::as_choice(src, v, choices));
  return std::string(expected);
}

Result<Jwk> parse_jwk(const Source& src, const Value& v) {
  LEEA_ASSIGN_OR_RETURN(Map m, Map::open(src, v));
  LEEA_TRY(m.allow({"kty", "crv", "x", "y", "kid", "alg"}));
  Jwk key;
  LEEA_ASSIGN_OR_RETURN(key.kty, exact(src, m, "kty", "EC"));
  LEEA_ASSIGN_OR_RETURN(key.crv, exact(src, m, "crv", "P-256"));
  LEEA_ASSIGN_OR_RETURN(Value x, m.require("x"));
  LEEA_ASSIGN_OR_RETURN(key.x, internal::as_checked<std::string>(src, x, parse_coordinate));
  LEEA_ASSIGN_OR_RETURN(Value y, m.require("y"));
  LEEA_ASSIGN_OR_RETURN(key.y, internal::as_checked<std::string>(src, y, parse_coordinate));
  if (auto kid = m.find("kid")) {
    LEEA_ASSIGN_OR_RETURN(key.kid, internal::as_nonempty_string(src, *kid));
  }
  if (m.find("alg")) {
    LEEA_ASSIGN_OR_RETURN(key.alg, exact(src, m, "alg", "ES256"));
  }
  return key;
}

// A member with where its unique fields are written, for duplicate messages.
struct Parsed {
  PoolMember member;
  YAML::Mark id, url, fingerprint, key, share_key;
};

Result<Parsed> parse_member(const Source& src, const Value& v) {
  LEEA_ASSIGN_OR_RETURN(Map m, Map::open(src, v));
  LEEA_TRY(m.allow({"id", "url", "tls_fingerprint", "token_key", "share_key"}));
  Parsed p;
  LEEA_ASSIGN_OR_RETURN(Value id, m.require("id"));
  LEEA_ASSIGN_OR_RETURN(p.member.id, internal::as_checked<std::string>(src, id, parse_id));
  LEEA_ASSIGN_OR_RETURN(Value url, m.require("url"));
  LEEA_ASSIGN_OR_RETURN(p.member.endpoint,
                        internal::as_checked<Endpoint>(src, url, parse_https_url));
  p.member.url = format_https_url(p.member.endpoint);
  LEEA_ASSIGN_OR_RETURN(Value fp, m.require("tls_fingerprint"));
  LEEA_ASSIGN_OR_RETURN(p.member.tls_fingerprint,
                        internal::as_checked<TaggedDigest>(src, fp, parse_sha256_fingerprint));
  LEEA_ASSIGN_OR_RETURN(Value key, m.require("token_key"));
  LEEA_ASSIGN_OR_RETURN(p.member.token_key, parse_jwk(src, key));
  if (auto share = m.find("share_key")) {
    LEEA_ASSIGN_OR_RETURN(p.member.share_key, parse_jwk(src, *share));
    p.share_key = share->mark;
  }
  p.id = id.mark;
  p.url = url.mark;
  p.fingerprint = fp.mark;
  p.key = key.mark;
  return p;
}

Error duplicate(const Source& src, const YAML::Mark& at, const std::string& what,
                const YAML::Mark& first) {
  return internal::error_at(
      src, at, "duplicate " + what + " (first at line " + std::to_string(first.line + 1) + ")");
}

// Two entries that share any identifying field would let one validator count twice.
Result<void> check_distinct(const Source& src, const Parsed& a, const Parsed& b) {
  const PoolMember& x = a.member;
  const PoolMember& y = b.member;
  if (x.id == y.id) {
    return duplicate(src, b.id, "validator id '" + y.id + "'", a.id);
  }
  if (x.endpoint == y.endpoint) {
    return duplicate(src, b.url, "validator url '" + y.url + "'", a.url);
  }
  if (x.tls_fingerprint == y.tls_fingerprint) {
    return duplicate(src, b.fingerprint, "tls_fingerprint", a.fingerprint);
  }
  if (x.token_key.x == y.token_key.x && x.token_key.y == y.token_key.y) {
    return duplicate(src, b.key, "token_key", a.key);
  }
  if (x.share_key && y.share_key && x.share_key->x == y.share_key->x &&
      x.share_key->y == y.share_key->y) {
    return duplicate(src, b.share_key, "share_key", a.share_key);
  }
  return {};
}

Result<std::vector<PoolMember>> parse_members(const Source& src, const Value& list) {
  LEEA_ASSIGN_OR_RETURN(std::vector<Value> items, internal::as_sequence(src, list));
  if (items.size() < kMinThreshold || items.size() > kMaxValidators) {
    return internal::error_at(
        src, list.mark,
        list.label + " must list 2 to 255 validators, not " + std::to_string(items.size()));
  }
  std::vector<Parsed> parsed;
  for (const Value& item : items) {
    LEEA_ASSIGN_OR_RETURN(Parsed p, parse_member(src, item));
    for (const Parsed& earlier : parsed) {
      LEEA_TRY(check_distinct(src, earlier, p));
    }
    parsed.push_back(std::move(p));
  }
  std::vector<PoolMember> members;
  for (Parsed& p : parsed) {
    members.push_back(std::move(p.member));
  }
  return members;
}

Result<PoolConfig> parse_pool(const Source& src, std::string_view text) {
  LEEA_ASSIGN_OR_RETURN(YAML::Node root, internal::parse_document(src, text));
  LEEA_ASSIGN_OR_RETURN(Map top, internal::open_root(src, root, kPoolVersion));
  LEEA_TRY(top.allow({"version", "threshold", "validators", "operator_keys"}));
  PoolConfig pool;
  pool.source = src.name;
  if (auto keys = top.find("operator_keys")) {
    LEEA_ASSIGN_OR_RETURN(std::vector<Value> items, internal::as_sequence(src, *keys));
    for (const Value& item : items) {
      LEEA_ASSIGN_OR_RETURN(auto der,
                            internal::as_checked<std::vector<uint8_t>>(
                                src, item, [](std::string_view t) -> Result<std::vector<uint8_t>> {
                                  auto b = base64_decode(t);
                                  if (!b || b->empty() || b->size() > 1024) {
                                    return make_error(Errc::config,
                                                      "must be the base64 of a public "
                                                      "key's SubjectPublicKeyInfo DER");
                                  }
                                  return *b;
                                }));
      pool.operator_keys.push_back(std::move(der));
    }
  }
  auto threshold = top.find("threshold");
  if (threshold) {
    LEEA_ASSIGN_OR_RETURN(pool.threshold,
                          internal::as_integer(src, *threshold, kMinThreshold, kMaxValidators));
  }
  LEEA_ASSIGN_OR_RETURN(Value list, top.require("validators"));
  LEEA_ASSIGN_OR_RETURN(pool.validators, parse_members(src, list));
  size_t n = pool.validators.size();
  if (static_cast<size_t>(pool.threshold) > n) {
    std::string limit = "the number of validators (" + std::to_string(n) + ")";
    if (threshold) {
      return internal::value_error(src, *threshold, "must be at most " + limit);
    }
    return internal::error_at(src, list.mark, "the default threshold (3) is larger than " + limit);
  }
  return pool;
}

}  // namespace

Result<PoolConfig> load_pool_string(std::string_view text, std::string_view display_name) {
  Source src{std::string(display_name), {}};
  return internal::guard(src, [&] { return parse_pool(src, text); });
}

Result<PoolConfig> load_pool_file(const std::filesystem::path& path) {
  LEEA_ASSIGN_OR_RETURN(std::string text, internal::read_config_file(path));
  return load_pool_string(text, path.string());
}

const PoolMember* find_member(const PoolConfig& pool, std::string_view id) {
  for (const PoolMember& m : pool.validators) {
    if (m.id == id) {
      return &m;
    }
  }
  return nullptr;
}

}  // namespace leea::config
