#include "tests/integration/pool_fixture.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "core/attest/appraise.h"
#include "core/attest/jwk.h"
#include "core/attest/pop.h"
#include "core/attest/register.h"
#include "core/tee/sim/sim.h"
#include "core/util/encoding.h"
#include "tests/support/process.h"

namespace leea::test {

namespace {

// True while pid runs; an exited process waiting to be reaped by whoever adopted it
// (state Z) counts as stopped.
bool running(int pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(f, line)) return false;
  size_t close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] != 'Z';
}

std::string script(const std::string& name) {
  return std::string(LEEA_SOURCE_DIR) + "/scripts/" + name;
}

}  // namespace

std::unique_ptr<Pool> Pool::up(int n) {
  std::unique_ptr<Pool> p(new Pool());
  auto r = run({script("pool-up"), p->dir().string(), std::to_string(n), LEEA_BINARY});
  if (r.exit_code != 0) {
    ADD_FAILURE() << "pool-up failed: " << r.err;
    return nullptr;
  }
  auto cfg = config::load_pool_file(p->pool_file());
  if (!cfg) {
    ADD_FAILURE() << cfg.error().message;
    return nullptr;
  }
  p->config_ = *cfg;
  return p;
}

Pool::~Pool() { run({script("pool-down"), dir().string()}); }

std::string Pool::sim_order(const std::string& id) {
  std::ifstream f(std::string(LEEA_SOURCE_DIR) + "/configs/order-sim.yaml");
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (id != "demo-sim") {
    text.replace(text.find("id: demo-sim"), 12, "id: " + id);
  }
  return text;
}

std::string Pool::register_order(const std::string& order_text, const crypto::SecretBytes& secret) {
  auto key = crypto::PrivateKey::load_pem(dir() / "operator.key");
  if (!key) return key.error().message;
  auto r = attest::register_order(config_, order_text, secret, {"ops", &*key});
  return r ? "" : r.error().message;
}

int Pool::pid(int i) const {
  std::ifstream f(dir() / ("v" + std::to_string(i)) / "pid");
  int p = 0;
  f >> p;
  return p;
}

void Pool::stop(int i) {
  int p = pid(i);
  if (p > 0 && ::kill(p, SIGTERM) == 0) {
    for (int t = 0; t < 100 && running(p); ++t)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void Pool::kill(int i) {
  int p = pid(i);
  if (p > 0 && ::kill(p, SIGKILL) == 0) {
    for (int t = 0; t < 100 && running(p); ++t)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void Pool::start(int i) {
  // The same command pool-up runs, started through a shell that records the PID.
  std::string vdir = (dir() / ("v" + std::to_string(i))).string();
  std::string cmd = std::string("'") + LEEA_BINARY + "' validator serve --config '" + vdir +
                    "/validator.yaml' </dev/null >/dev/null 2>>'" + vdir +
                    "/serve.log' & echo $! > '" + vdir + "/pid'";
  run({"/bin/sh", "-c", cmd});
  // Up to 20 s: a loaded CI machine can take seconds to start a process.
  for (int t = 0; t < 400; ++t) {
    if (call(static_cast<size_t>(i - 1), "GET", "/healthz").status == 200) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ADD_FAILURE() << "validator v" << i << " did not come back";
}

net::Response Pool::call(size_t i, const std::string& method, const std::string& path,
                         const std::string& body,
                         const std::map<std::string, std::string>& headers) const {
  const auto& m = member(i);
  net::ClientOptions o;
  o.host = m.endpoint.host;
  o.port = m.endpoint.port;
  std::copy(m.tls_fingerprint.bytes.begin(), m.tls_fingerprint.bytes.end(),
            o.pinned_sha256.begin());
  net::HttpsClient c(o);
  auto r = c.request(method, path, body, headers);
  if (!r) return net::Response{0, r.error().message};
  return *r;
}

VmSession attest_at(const Pool& pool, size_t i, const std::string& order,
                    const std::string& evidence_order) {
  VmSession s;
  s.eph =
      std::make_unique<crypto::PrivateKey>(*crypto::PrivateKey::generate(crypto::KeyType::p256));
  auto ch = pool.call(i, "POST", "/v1/challenge", nlohmann::json{{"order", order}}.dump());
  auto chj = nlohmann::json::parse(ch.body, nullptr, false);
  if (ch.status != 200) {
    s.attest_answer = ch;
    return s;
  }
  s.nonce = *base64url_decode(chj["nonce"].get<std::string>());
  evidence::EventLog log;
  auto binding = tee::compute_binding(s.nonce, s.eph->public_key().spki_der(), log.digest());
  auto report = tee::sim::make_producer()->produce(
      binding, evidence_order.empty() ? order : evidence_order, log);
  attest::EvidenceDocument doc{config::TeeKind::sim, *report, log};
  s.evidence = nlohmann::json::parse(doc.to_json());
  const auto& jwk = s.eph->public_key().jwk();
  nlohmann::json body = {{"order", order},
                         {"nonce", base64url_encode(s.nonce)},
                         {"evidence", s.evidence},
                         {"eph_pub", attest::jwk_to_json(jwk)}};
  s.attest_answer = pool.call(i, "POST", "/v1/attest", body.dump());
  auto aj = nlohmann::json::parse(s.attest_answer.body, nullptr, false);
  if (s.attest_answer.status == 200) s.token = aj["token"].get<std::string>();
  return s;
}

std::string shares_body(const VmSession& s, const std::string& validator_id) {
  auto pop = attest::make_pop(*s.eph, validator_id, s.token);
  return nlohmann::json{
      {"pop", pop ? *pop : ""}, {"nonce", base64url_encode(s.nonce)}, {"evidence", s.evidence}}
      .dump();
}

std::string failed_checks(const net::Response& r) {
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  std::string out;
  if (j.is_object() && j["failed_checks"].is_array()) {
    for (const auto& c : j["failed_checks"]) out += (out.empty() ? "" : ",") + c.get<std::string>();
  }
  return out;
}

}  // namespace leea::test
