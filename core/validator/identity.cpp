#include "core/validator/identity.h"

#include <sys/stat.h>

#include <cerrno>

#include "core/config/validator.h"
#include "core/crypto/random.h"
#include "core/crypto/x509.h"
#include "core/util/encoding.h"
#include "core/util/files.h"

namespace leea::validator {
namespace {

namespace fs = std::filesystem;

std::string yaml_config(const InitOptions& o) {
  std::string y = "# leea validator " + o.id +
                  ", made by `leea validator init`.\n"
                  "version: 1\n"
                  "id: " +
                  o.id +
                  "\n"
                  "listen: " +
                  o.listen.host + ":" + std::to_string(o.listen.port) +
                  "\n"
                  "data_dir: data\n"
                  "tls:\n  cert: tls.crt\n  key: tls.key\n"
                  "token_key: token.key\n"
                  "sealing_key: sealing.key\n"
                  "share_key: share.key\n";
  if (o.pool) y += "pool: " + o.pool->string() + "\n";
  if (!o.operators.empty()) {
    y += "operators:\n";
    for (const auto& [id, path] : o.operators) {
      y += "  - id: " + id + "\n    public_key: " + fs::absolute(path).string() + "\n";
    }
  }
  y += std::string("allow_sim: ") + (o.allow_sim ? "true" : "false") + "\n";
  y += "share_release: " + o.share_release + "\n";
  return y;
}

Result<void> write_new(const fs::path& path, std::string_view text, unsigned mode) {
  LEEA_ASSIGN_OR_RETURN(auto f, AtomicFile::open(path, mode, AtomicFile::Mode::create_new));
  LEEA_TRY(f.write(text));
  return f.commit();
}

Result<PoolEntry> entry_for(const config::ValidatorConfig& v) {
  LEEA_ASSIGN_OR_RETURN(auto c, crypto::Certificate::load(v.tls.cert));
  LEEA_ASSIGN_OR_RETURN(auto key, crypto::PrivateKey::load_pem(v.token_key));
  PoolEntry e;
  e.id = v.id;
  e.url = config::format_https_url(v.listen);
  e.tls_fingerprint = "sha256:" + hex_encode(c.sha256_fingerprint());
  e.token_key = key.public_key().jwk();
  if (v.share_key) {
    LEEA_ASSIGN_OR_RETURN(auto share, crypto::PrivateKey::load_pem(*v.share_key));
    e.share_key = share.public_key().jwk();
  }
  return e;
}

std::string jwk_yaml(const char* name, const crypto::Jwk& k) {
  return std::string("    ") + name + ":\n      kty: " + k.kty + "\n      crv: " + k.crv +
         "\n      x: " + k.x + "\n      y: " + k.y + "\n";
}

}  // namespace

std::string PoolEntry::to_yaml() const {
  return "  - id: " + id + "\n    url: " + url + "\n    tls_fingerprint: \"" + tls_fingerprint +
         "\"\n" + jwk_yaml("token_key", token_key) +
         (share_key ? jwk_yaml("share_key", *share_key) : "");
}

Result<PoolEntry> init_validator(const InitOptions& o) {
  LEEA_TRY(config::parse_id(o.id));
  if (o.share_release != "appraise" && o.share_release != "token") {
    return make_error(Errc::usage,
                      "--share-release must be appraise or token, not '" + o.share_release + "'");
  }
  if (::mkdir(o.dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return errno_error(o.dir.string(), errno);
  }
  if (fs::exists(o.dir / "validator.yaml")) {
    return make_error(Errc::io, (o.dir / "validator.yaml").string() +
                                    ": already exists (a validator identity is never replaced)");
  }
  LEEA_ASSIGN_OR_RETURN(auto tls, crypto::PrivateKey::generate(crypto::KeyType::p256));
  LEEA_TRY(tls.save_pem(o.dir / "tls.key"));
  crypto::CertificateSpec spec;
  spec.common_name = "leea validator " + o.id;
  spec.subject_alt_names = {"IP:127.0.0.1", "DNS:localhost"};
  for (const auto& san : o.extra_sans) spec.subject_alt_names.push_back(san);
  spec.validity_days = 825;
  LEEA_ASSIGN_OR_RETURN(auto cert, crypto::make_self_signed(tls, spec));
  LEEA_TRY(write_new(o.dir / "tls.crt", cert, 0644));
  LEEA_ASSIGN_OR_RETURN(auto token, crypto::PrivateKey::generate(crypto::KeyType::p256));
  LEEA_TRY(token.save_pem(o.dir / "token.key"));
  // Opens the shares operators seal to this validator; a key of its own, never the token
  // key: signing and key agreement do not share a key.
  LEEA_ASSIGN_OR_RETURN(auto share, crypto::PrivateKey::generate(crypto::KeyType::p256));
  LEEA_TRY(share.save_pem(o.dir / "share.key"));
  LEEA_ASSIGN_OR_RETURN(auto sealing, crypto::random_secret(32));
  {
    LEEA_ASSIGN_OR_RETURN(
        auto f, AtomicFile::open(o.dir / "sealing.key", 0600, AtomicFile::Mode::create_new));
    LEEA_TRY(f.write(sealing.reveal()));
    LEEA_TRY(f.commit());
  }
  LEEA_TRY(write_new(o.dir / "validator.yaml", yaml_config(o), 0600));
  // Read it back through the loader, so init never writes a file serve would refuse.
  LEEA_ASSIGN_OR_RETURN(auto written, config::load_validator_file(o.dir / "validator.yaml"));
  return entry_for(written);
}

Result<PoolEntry> read_pool_entry(const fs::path& validator_yaml) {
  LEEA_ASSIGN_OR_RETURN(auto c, config::load_validator_file(validator_yaml));
  return entry_for(c);
}

}  // namespace leea::validator
