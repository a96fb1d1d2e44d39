#include "core/config/values.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>
#include <span>

#include "core/util/encoding.h"

namespace leea::config {
namespace {

constexpr std::string_view kHostPortRule = "must be host:port with a port from 1 to 65535";
constexpr std::string_view kUrlRule = "must be https://host:port with a port from 1 to 65535";

Error rule_error(std::string_view predicate) {
  return make_error(Errc::config, std::string(predicate));
}

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return out;
}

// RFC 1123 §2.1 host names: labels of letters, digits and '-', not starting or ending in '-'.
bool is_dns_name(std::string_view host) {
  if (host.empty() || host.size() > 253) {
    return false;
  }
  size_t start = 0;
  while (start <= host.size()) {
    size_t end = std::min(host.find('.', start), host.size());
    std::string_view label = host.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    if (!std::all_of(label.begin(), label.end(), [](char c) { return is_alnum(c) || c == '-'; })) {
      return false;
    }
    start = end + 1;
  }
  return true;
}

bool looks_numeric(std::string_view host) {
  return std::all_of(host.begin(), host.end(),
                     [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

bool is_ip(int family, const std::string& text) {
  std::array<unsigned char, 16> buf{};
  return ::inet_pton(family, text.c_str(), buf.data()) == 1;
}

// Returns the host in canonical form, or nullopt when it is not a valid host.
std::optional<std::string> parse_host(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') {
      return std::nullopt;
    }
    std::string inner = to_lower(host.substr(1, host.size() - 2));
    return is_ip(AF_INET6, inner) ? std::optional(inner) : std::nullopt;
  }
  if (looks_numeric(host)) {
    std::string text(host);
    return is_ip(AF_INET, text) ? std::optional(text) : std::nullopt;
  }
  return is_dns_name(host) ? std::optional(to_lower(host)) : std::nullopt;
}

std::optional<uint16_t> parse_port(std::string_view text) {
  if (text.empty() || text.size() > 5 || text.front() == '0' ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  unsigned value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  if (value == 0 || value > 65535) {
    return std::nullopt;
  }
  return static_cast<uint16_t>(value);
}

Result<TaggedDigest> parse_digest_of(std::string_view text, std::span<const DigestKind> kinds,
                                     std::string_view rule) {
  for (DigestKind kind : kinds) {
    std::string prefix = std::string(digest_kind_name(kind)) + ":";
    if (text.substr(0, prefix.size()) != prefix) {
      continue;
    }
    std::string_view hex = text.substr(prefix.size());
    if (hex.size() != 2 * digest_kind_size(kind)) {
      return rule_error(rule);
    }
    auto bytes = hex_decode(hex);
    if (!bytes) {
      return rule_error(rule);
    }
    return TaggedDigest{kind, std::move(*bytes)};
  }
  return rule_error(rule);
}

}  // namespace

bool is_valid_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxIdLength || id == "." || id == "..") {
    return false;
  }
  return std::all_of(id.begin(), id.end(),
                     [](char c) { return is_alnum(c) || c == '.' || c == '_' || c == '-'; });
}

Result<std::string> parse_id(std::string_view id) {
  if (!is_valid_id(id)) {
    return rule_error("must be 1 to 64 characters from A-Z a-z 0-9 . _ - (and not '.' or '..')");
  }
  return std::string(id);
}

Result<Endpoint> parse_host_port(std::string_view text) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return rule_error(kHostPortRule);
  }
  auto host = parse_host(text.substr(0, colon));
  auto port = parse_port(text.substr(colon + 1));
  if (!host || !port) {
    return rule_error(kHostPortRule);
  }
  return Endpoint{std::move(*host), *port};
}

Result<Endpoint> parse_https_url(std::string_view text) {
  constexpr std::string_view kScheme = "https://";
  if (text.substr(0, kScheme.size()) != kScheme) {
    return rule_error(text.find("://") == std::string_view::npos ? kUrlRule
                                                                 : "must use the https scheme");
  }
  std::string_view rest = text.substr(kScheme.size());
  if (!rest.empty() && rest.back() == '/') {
    rest.remove_suffix(1);
  }
  if (rest.find_first_of("/?#") != std::string_view::npos) {
    return rule_error("must be https://host:port with nothing after the port");
  }
  if (rest.find('@') != std::string_view::npos) {
    return rule_error("must be https://host:port without user information");
  }
  auto endpoint = parse_host_port(rest);
  if (!endpoint) {
    return rule_error(kUrlRule);
  }
  return endpoint;
}

std::string format_host_port(const Endpoint& e) {
  bool v6 = e.host.find(':') != std::string::npos;
  return (v6 ? "[" + e.host + "]" : e.host) + ":" + std::to_string(e.port);
}

std::string format_https_url(const Endpoint& e) { return "https://" + format_host_port(e); }

std::string_view digest_kind_name(DigestKind kind) {
  return kind == DigestKind::sha256 ? "sha256" : "sha384";
}

size_t digest_kind_size(DigestKind kind) { return kind == DigestKind::sha256 ? 32 : 48; }

Result<TaggedDigest> parse_tagged_digest(std::string_view text) {
  static constexpr std::array kKinds = {DigestKind::sha256, DigestKind::sha384};
  return parse_digest_of(
      text, kKinds,
      "must be \"sha256:\" followed by 64 hex digits or \"sha384:\" followed by 96 hex digits");
}

Result<TaggedDigest> parse_sha256_fingerprint(std::string_view text) {
  static constexpr std::array kKinds = {DigestKind::sha256};
  return parse_digest_of(text, kKinds, "must be \"sha256:\" followed by 64 hex digits");
}

std::string format_tagged_digest(const TaggedDigest& d) {
  return std::string(digest_kind_name(d.kind)) + ":" + hex_encode(d.bytes);
}

}  // namespace leea::config
