// leea pool status: health, version and key fingerprints of every validator of a pool.
#include "core/config/pool.h"

#include <unistd.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cmd/commands.h"
#include "core/attest/pool_client.h"
#include "core/util/files.h"

namespace leea::cmd {
namespace {

struct PoolStatusOptions {
  std::string pool;
  bool json = false;
};

Result<void> run_status(const PoolStatusOptions& o) {
  LEEA_ASSIGN_OR_RETURN(auto pool, config::load_pool_file(o.pool));
  nlohmann::json list = nlohmann::json::array();
  std::string text;
  size_t down = 0;
  for (const auto& m : pool.validators) {
    attest::MemberClient c(m, 2000, 3000);
    auto h = c.call("GET", "/healthz");
    nlohmann::json j = {{"id", m.id}, {"url", m.url}, {"reachable", h.has_value()}};
    if (h) {
      j["version"] = h->value("version", "");
      j["orders"] = h->value("orders", 0);
      j["token_key"] = h->value("token_key", "");
      j["share_release"] = h->value("share_release", "");
      j["tls_fingerprint"] = config::format_tagged_digest(m.tls_fingerprint);
      text += m.id + "  up    " + m.url + "  version " + j["version"].get<std::string>() +
              "  orders " + std::to_string(j["orders"].get<int>()) + "  " +
              j["share_release"].get<std::string>() + "  tls " +
              j["tls_fingerprint"].get<std::string>().substr(0, 23) + "  token key " +
              j["token_key"].get<std::string>() + "\n";
    } else {
      ++down;
      j["error"] = h.error().message;
      text += m.id + "  DOWN  " + m.url + "  " + h.error().message + "\n";
    }
    list.push_back(j);
  }
  if (o.json) {
    LEEA_TRY(write_all(STDOUT_FILENO,
                       nlohmann::json{{"pool", o.pool}, {"validators", list}}.dump(2) + "\n"));
  } else {
    LEEA_TRY(write_all(STDOUT_FILENO, text));
  }
  if (down > 0) {
    return make_error(Errc::unavailable, std::to_string(down) + " of " +
                                             std::to_string(pool.validators.size()) +
                                             " validators unreachable");
  }
  return {};
}

}  // namespace

void register_pool_commands(CLI::App& app, Selected& selected) {
  CLI::App* pool = app.add_subcommand("pool", "Look at a validator pool");
  pool->require_subcommand(1, 1);
  auto o = std::make_shared<PoolStatusOptions>();
  CLI::App* status = add_command(
      *pool, "status", "Health, version and key fingerprints of every validator",
      "Reachability, version, orders held, share release mode, TLS and token key\n"
      "fingerprints of every validator, over TLS pinned to the pool file's fingerprints.\n"
      "Exit 4 when any is unreachable.\n"
      "\n"
      "Example:\n"
      "  leea pool status --pool pool.yaml --json");
  status->add_option("--pool", o->pool, "Pool file")->required();
  status->add_flag("--json", o->json, "Print JSON");
  status->callback(select(selected, "pool status", [o] { return run_status(*o); }));
}

}  // namespace leea::cmd
