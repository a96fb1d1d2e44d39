#include "core/config/pool_writer.h"

#include <yaml-cpp/yaml.h>

#include "core/util/encoding.h"

namespace leea::config {

Result<std::string> format_pool(const PoolConfig& pool) {
  YAML::Emitter y;
  y << YAML::BeginMap;
  y << YAML::Key << "version" << YAML::Value << kPoolVersion;
  y << YAML::Key << "threshold" << YAML::Value << pool.threshold;
  y << YAML::Key << "validators" << YAML::Value << YAML::BeginSeq;
  for (const auto& v : pool.validators) {
    y << YAML::BeginMap;
    y << YAML::Key << "id" << YAML::Value << v.id;
    y << YAML::Key << "url" << YAML::Value << v.url;
    y << YAML::Key << "tls_fingerprint" << YAML::Value << YAML::DoubleQuoted
      << format_tagged_digest(v.tls_fingerprint);
    y << YAML::Key << "token_key" << YAML::Value << YAML::BeginMap;
    y << YAML::Key << "kty" << YAML::Value << v.token_key.kty;
    y << YAML::Key << "crv" << YAML::Value << v.token_key.crv;
    y << YAML::Key << "x" << YAML::Value << YAML::DoubleQuoted << v.token_key.x;
    y << YAML::Key << "y" << YAML::Value << YAML::DoubleQuoted << v.token_key.y;
    if (!v.token_key.kid.empty()) {
      y << YAML::Key << "kid" << YAML::Value << YAML::DoubleQuoted << v.token_key.kid;
    }
    if (!v.token_key.alg.empty()) y << YAML::Key << "alg" << YAML::Value << v.token_key.alg;
    y << YAML::EndMap << YAML::EndMap;
  }
  y << YAML::EndSeq;
  if (!pool.operator_keys.empty()) {
    y << YAML::Key << "operator_keys" << YAML::Value << YAML::BeginSeq;
    for (const auto& k : pool.operator_keys) y << base64_encode(k);
    y << YAML::EndSeq;
  }
  y << YAML::EndMap;
  if (!y.good()) return make_error(Errc::internal, "pool: " + y.GetLastError());
  std::string text = std::string(y.c_str()) + "\n";
  LEEA_ASSIGN_OR_RETURN(auto back, load_pool_string(text, "written pool"));
  (void)back;
  return text;
}

}  // namespace leea::config
