// Value types and text formats shared by the config files and the command line: identifiers,
// network endpoints, and algorithm-tagged digests ("sha256:<hex>").
//
// The parsers are strict (no surrounding whitespace, no alternative spellings) because what
// they accept ends up pinned in attestation policy. On failure they return Errc::config with
// a message that is a predicate to follow the name of the value, e.g. "must be host:port with
// a port from 1 to 65535", so that callers can write "'listen' must be ..., not 'x'" or
// "--listen must be ...". All functions are pure and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/result.h"

namespace leea::config {

// The largest config file or config text any loader accepts.
inline constexpr size_t kMaxConfigBytes = size_t{1} << 20;

// The longest identifier (validator, operator, order and node ids).
inline constexpr size_t kMaxIdLength = 64;

// True when id is 1 to 64 characters from [A-Za-z0-9._-] and is neither "." nor "..", so that
// it is safe as a URL path segment and a file name.
bool is_valid_id(std::string_view id);
// Returns id when is_valid_id(id), else the error "must be 1 to 64 characters from ...".
Result<std::string> parse_id(std::string_view id);

// A network endpoint. host is a DNS name, a dotted IPv4 address, or an IPv6 address written
// without brackets.
struct Endpoint {
  std::string host;
  uint16_t port = 0;

  bool operator==(const Endpoint&) const = default;
};

// Parses "host:port" or "[ipv6]:port"; the port is decimal, 1 to 65535. DNS names are
// returned in lower case.
Result<Endpoint> parse_host_port(std::string_view text);
// Parses "https://host:port" (the port is required; no user, path, query or fragment; a single
// trailing "/" is tolerated).
Result<Endpoint> parse_https_url(std::string_view text);
// "host:port", with brackets around an IPv6 host.
std::string format_host_port(const Endpoint& e);
// "https://host:port".
std::string format_https_url(const Endpoint& e);

enum class DigestKind { sha256, sha384 };

// A digest value tagged with its algorithm, written "sha256:<64 hex>" or "sha384:<96 hex>".
struct TaggedDigest {
  DigestKind kind = DigestKind::sha256;
  std::vector<uint8_t> bytes;  // 32 or 48 bytes, matching kind

  bool operator==(const TaggedDigest&) const = default;
};

std::string_view digest_kind_name(DigestKind kind);  // "sha256", "sha384"
size_t digest_kind_size(DigestKind kind);            // 32, 48

// Parses "sha256:<hex>" or "sha384:<hex>" (hex in either case, exactly 2 digits a byte).
Result<TaggedDigest> parse_tagged_digest(std::string_view text);
// Parses a "sha256:<64 hex>" fingerprint (e.g. of a TLS certificate's DER encoding).
Result<TaggedDigest> parse_sha256_fingerprint(std::string_view text);
// "sha256:" followed by lower-case hex.
std::string format_tagged_digest(const TaggedDigest& d);

}  // namespace leea::config
