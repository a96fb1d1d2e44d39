#include "core/config/validator.h"

#include <array>

#include "core/config/yaml_internal.h"

namespace leea::config {
namespace {

using internal::Map;
using internal::Source;
using internal::Value;

constexpr std::array<std::string_view, 2> kShareReleaseNames = {"appraise", "token"};

Result<std::filesystem::path> required_path(const Source& src, const Map& m, std::string_view key) {
  LEEA_ASSIGN_OR_RETURN(Value v, m.require(key));
  return internal::as_path(src, v);
}

// Sets *out from key when present; leaves the default otherwise.
template <typename T>
Result<void> optional_int(const Source& src, const Map& m, std::string_view key, int64_t min,
                          int64_t max, T* out) {
  if (auto v = m.find(key)) {
    LEEA_ASSIGN_OR_RETURN(int64_t n, internal::as_integer(src, *v, min, max));
    *out = static_cast<T>(n);
  }
  return {};
}

Result<TlsFiles> parse_tls(const Source& src, const Value& v) {
  LEEA_ASSIGN_OR_RETURN(Map m, Map::open(src, v));
  LEEA_TRY(m.allow({"cert", "key"}));
  TlsFiles tls;
  LEEA_ASSIGN_OR_RETURN(tls.cert, required_path(src, m, "cert"));
  LEEA_ASSIGN_OR_RETURN(tls.key, required_path(src, m, "key"));
  return tls;
}

Result<ServerLimits> parse_limits(const Source& src, const Value& v) {
  LEEA_ASSIGN_OR_RETURN(Map m, Map::open(src, v));
  LEEA_TRY(m.allow({"max_body_bytes", "threads", "read_timeout_seconds", "write_timeout_seconds",
                    "handshake_timeout_seconds", "max_connections", "max_connections_per_source",
                    "max_queued_requests"}));
  ServerLimits limits;
  LEEA_TRY(optional_int(src, m, "max_body_bytes", 1024, 16 << 20, &limits.max_body_bytes));
  LEEA_TRY(optional_int(src, m, "threads", 1, 256, &limits.threads));
  LEEA_TRY(optional_int(src, m, "read_timeout_seconds", 1, 600, &limits.read_timeout_seconds));
  LEEA_TRY(optional_int(src, m, "write_timeout_seconds", 1, 600, &limits.write_timeout_seconds));
  LEEA_TRY(
      optional_int(src, m, "handshake_timeout_seconds", 1, 60, &limits.handshake_timeout_seconds));
  LEEA_TRY(optional_int(src, m, "max_connections", 16, 65536, &limits.max_connections));
  LEEA_TRY(optional_int(src, m, "max_connections_per_source", 1, 65536,
                        &limits.max_connections_per_source));
  LEEA_TRY(optional_int(src, m, "max_queued_requests", 1, 65536, &limits.max_queued_requests));
  return limits;
}

Result<std::vector<OperatorKey>> parse_operators(const Source& src, const Value& v) {
  LEEA_ASSIGN_OR_RETURN(std::vector<Value> items, internal::as_sequence(src, v));
  std::vector<OperatorKey> out;
  std::vector<YAML::Mark> id_marks;
  for (const Value& item : items) {
    LEEA_ASSIGN_OR_RETURN(Map m, Map::open(src, item));
    LEEA_TRY(m.allow({"id", "public_key"}));
    OperatorKey op;
    LEEA_ASSIGN_OR_RETURN(Value id, m.require("id"));
    LEEA_ASSIGN_OR_RETURN(op.id, internal::as_checked<std::string>(src, id, parse_id));
    LEEA_ASSIGN_OR_RETURN(op.public_key, required_path(src, m, "public_key"));
    for (size_t i = 0; i < out.size(); ++i) {
      if (out[i].id == op.id) {
        return internal::error_at(src, id.mark,
                                  "duplicate operator id '" + op.id + "' (first at line " +
                                      std::to_string(id_marks[i].line + 1) + ")");
      }
    }
    out.push_back(std::move(op));
    id_marks.push_back(id.mark);
  }
  return out;
}

// The optional settings that have defaults.
Result<void> parse_policy(const Source& src, const Map& top, ValidatorConfig& c) {
  if (auto v = top.find("allow_sim")) {
    LEEA_ASSIGN_OR_RETURN(c.allow_sim, internal::as_bool(src, *v));
  }
  if (auto v = top.find("share_release")) {
    LEEA_ASSIGN_OR_RETURN(size_t i, internal::as_choice(src, *v, kShareReleaseNames));
    c.share_release = static_cast<ShareRelease>(i);
  }
  LEEA_TRY(
      optional_int(src, top, "token_ttl_seconds", 1, kMaxTokenTtlSeconds, &c.token_ttl_seconds));
  if (auto v = top.find("limits")) {
    LEEA_ASSIGN_OR_RETURN(c.limits, parse_limits(src, *v));
  }
  return {};
}

Result<ValidatorConfig> parse_validator(const Source& src, std::string_view text) {
  LEEA_ASSIGN_OR_RETURN(YAML::Node root, internal::parse_document(src, text));
  LEEA_ASSIGN_OR_RETURN(Map top, internal::open_root(src, root, kValidatorVersion));
  LEEA_TRY(top.allow({"version", "id", "listen", "data_dir", "tls", "token_key", "sealing_key",
                      "share_key", "pool", "operators", "allow_sim", "collateral_dir",
                      "share_release", "token_ttl_seconds", "limits"}));
  ValidatorConfig c;
  c.source = src.name;
  LEEA_ASSIGN_OR_RETURN(Value id, top.require("id"));
  LEEA_ASSIGN_OR_RETURN(c.id, internal::as_checked<std::string>(src, id, parse_id));
  LEEA_ASSIGN_OR_RETURN(Value listen, top.require("listen"));
  LEEA_ASSIGN_OR_RETURN(c.listen, internal::as_checked<Endpoint>(src, listen, parse_host_port));
  LEEA_ASSIGN_OR_RETURN(c.data_dir, required_path(src, top, "data_dir"));
  LEEA_ASSIGN_OR_RETURN(Value tls, top.require("tls"));
  LEEA_ASSIGN_OR_RETURN(c.tls, parse_tls(src, tls));
  LEEA_ASSIGN_OR_RETURN(c.token_key, required_path(src, top, "token_key"));
  LEEA_ASSIGN_OR_RETURN(c.sealing_key, required_path(src, top, "sealing_key"));
  if (auto v = top.find("share_key")) {
    LEEA_ASSIGN_OR_RETURN(c.share_key, internal::as_path(src, *v));
  }
  if (auto v = top.find("pool")) {
    LEEA_ASSIGN_OR_RETURN(c.pool, internal::as_path(src, *v));
  }
  if (auto v = top.find("operators")) {
    LEEA_ASSIGN_OR_RETURN(c.operators, parse_operators(src, *v));
  }
  if (auto v = top.find("collateral_dir")) {
    LEEA_ASSIGN_OR_RETURN(c.collateral_dir, internal::as_path(src, *v));
  }
  LEEA_TRY(parse_policy(src, top, c));
  return c;
}

}  // namespace

std::string_view share_release_name(ShareRelease s) {
  return kShareReleaseNames[static_cast<size_t>(s)];
}

Result<ValidatorConfig> load_validator_string(std::string_view text, std::string_view display_name,
                                              const std::filesystem::path& base_dir) {
  Source src{std::string(display_name), base_dir};
  return internal::guard(src, [&] { return parse_validator(src, text); });
}

Result<ValidatorConfig> load_validator_file(const std::filesystem::path& path) {
  LEEA_ASSIGN_OR_RETURN(std::string text, internal::read_config_file(path));
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(path, ec);
  if (ec) {
    return make_error(Errc::io, path.string() + ": " + ec.message());
  }
  return load_validator_string(text, path.string(), absolute.parent_path());
}

}  // namespace leea::config
