// leea validator init / serve / audit verify: run one member of a validator pool.
#include "core/config/validator.h"

#include <unistd.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cmd/commands.h"
#include "core/attest/jwk.h"
#include "core/crypto/secret_bytes.h"
#include "core/util/files.h"
#include "core/validator/audit.h"
#include "core/validator/identity.h"
#include "core/validator/service.h"

namespace leea::cmd {
namespace {

struct InitOptions {
  std::string dir;
  std::string id;
  std::string listen;
  std::string pool;
  std::vector<std::string> operators;  // ID=PUBLIC_KEY_PEM
  std::vector<std::string> sans;
  bool allow_sim = false;
  std::string share_release = "appraise";
  bool json = false;
};

Result<void> run_init(const InitOptions& o) {
  crypto::harden_process();
  validator::InitOptions v;
  v.dir = o.dir;
  v.id = o.id;
  LEEA_ASSIGN_OR_RETURN(v.listen, config::parse_host_port(o.listen));
  if (!o.pool.empty()) v.pool = o.pool;
  for (const auto& op : o.operators) {
    auto eq = op.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == op.size()) {
      return make_error(Errc::usage, "--operator-key takes ID=PUBLIC_KEY_FILE, not '" + op + "'");
    }
    v.operators.push_back({op.substr(0, eq), op.substr(eq + 1)});
  }
  v.extra_sans = o.sans;
  v.allow_sim = o.allow_sim;
  v.share_release = o.share_release;
  LEEA_ASSIGN_OR_RETURN(auto entry, validator::init_validator(v));
  if (o.json) {
    nlohmann::json j = {{"id", entry.id},
                        {"url", entry.url},
                        {"tls_fingerprint", entry.tls_fingerprint},
                        {"token_key", attest::jwk_to_json(entry.token_key)}};
    if (entry.share_key) j["share_key"] = attest::jwk_to_json(*entry.share_key);
    return write_all(STDOUT_FILENO, j.dump(2) + "\n");
  }
  return write_all(STDOUT_FILENO, entry.to_yaml());
}

Result<void> run_serve(const std::string& config_path) {
  crypto::harden_process();
  LEEA_ASSIGN_OR_RETURN(auto config, config::load_validator_file(config_path));
  return validator::run_validator(config, [&](int port) {
    std::fprintf(stderr, "leea: validator %s listening on https://%s:%d (pid %d)\n",
                 config.id.c_str(), config.listen.host.c_str(), port, static_cast<int>(::getpid()));
  });
}

Result<void> run_audit_verify(const std::string& path, bool json) {
  LEEA_ASSIGN_OR_RETURN(auto summary, validator::verify_audit_log(path));
  if (json) {
    return write_all(
        STDOUT_FILENO,
        nlohmann::json{{"records", summary.records}, {"last_hash", summary.last_hash}}.dump(2) +
            "\n");
  }
  return write_all(STDOUT_FILENO, path + ": " + std::to_string(summary.records) +
                                      " records, chain intact, last hash " + summary.last_hash +
                                      "\n");
}

}  // namespace

void register_validator_commands(CLI::App& app, Selected& selected) {
  CLI::App* v = app.add_subcommand("validator", "Run a validator of a pool");
  v->require_subcommand(1, 1);

  auto io = std::make_shared<InitOptions>();
  CLI::App* init = add_command(
      *v, "init", "Create a validator identity and print its pool entry",
      "Creates DIR (0700) with a TLS key and self-signed certificate, a token-signing key,\n"
      "a sealing key (all 0600) and DIR/validator.yaml, and prints the validator's entry\n"
      "for a pool file (id, URL, TLS fingerprint, token key as JWK).\n"
      "\n"
      "Example:\n"
      "  leea validator init --dir v1 --id v1 --listen 127.0.0.1:8441 \\\n"
      "      --pool ../pool.yaml --operator-key ops=operator.pub >> pool-entries.yaml");
  init->add_option("--dir", io->dir, "Directory for the identity (created 0700)")->required();
  init->add_option("--id", io->id, "Validator id ([A-Za-z0-9._-], at most 64)")->required();
  init->add_option("--listen", io->listen, "HOST:PORT to serve on")->required();
  init->add_option("--pool", io->pool, "Pool file whose validators' tokens to trust");
  init->add_option("--operator-key", io->operators,
                   "ID=FILE: an operator's public key (PEM) allowed to change orders");
  init->add_option("--san", io->sans, "Extra certificate name: IP:ADDR or DNS:NAME");
  init->add_flag("--allow-sim", io->allow_sim, "Accept sim evidence (development only)");
  init->add_option("--share-release", io->share_release,
                   "appraise (default: appraise the evidence itself) or token (trust tokens)");
  init->add_flag("--json", io->json, "Print the pool entry as JSON");
  init->callback(select(selected, "validator init", [io] { return run_init(*io); }));

  auto config = std::make_shared<std::string>();
  CLI::App* serve = add_command(*v, "serve", "Serve the validator API over TLS 1.3",
                                "Serves until SIGTERM or SIGINT; requests in flight finish first.\n"
                                "\n"
                                "Example:\n"
                                "  leea validator serve --config v1/validator.yaml");
  serve->add_option("--config", *config, "validator.yaml")->required();
  serve->callback(select(selected, "validator serve", [config] { return run_serve(*config); }));

  CLI::App* audit = v->add_subcommand("audit", "Inspect the audit log");
  audit->require_subcommand(1, 1);
  auto log_path = std::make_shared<std::string>();
  auto audit_json = std::make_shared<bool>(false);
  CLI::App* verify = add_command(*audit, "verify", "Check the audit log's hash chain",
                                 "Names the first record that was altered, removed or reordered.\n"
                                 "\n"
                                 "Example:\n"
                                 "  leea validator audit verify v1/data/audit.log");
  verify->add_option("log", *log_path, "The audit log (DATA_DIR/audit.log)")->required();
  verify->add_flag("--json", *audit_json, "Print the result as JSON");
  verify->callback(select(selected, "validator audit verify", [log_path, audit_json] {
    return run_audit_verify(*log_path, *audit_json);
  }));
}

}  // namespace leea::cmd
