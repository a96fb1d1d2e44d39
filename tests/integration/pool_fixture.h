// A real validator pool for integration tests: scripts/pool-up starts N `leea validator
// serve` processes on free 127.0.0.1 ports under a temporary directory, and the destructor
// stops exactly those processes (scripts/pool-down, by PID file). Helpers craft protocol
// requests with the core library so tests can send what a misbehaving VM, operator or
// validator would.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "core/config/pool.h"
#include "core/crypto/keys.h"
#include "core/crypto/secret_bytes.h"
#include "core/net/https.h"
#include "tests/support/temp_dir.h"

namespace leea::test {

class Pool {
 public:
  // Starts n validators; fails the test (ADD_FAILURE) and returns nullptr if they do not
  // come up.
  static std::unique_ptr<Pool> up(int n);
  ~Pool();

  const std::filesystem::path& dir() const { return dir_.path(); }
  std::string pool_file() const { return (dir() / "pool.yaml").string(); }
  const config::PoolConfig& config() const { return config_; }
  const config::PoolMember& member(size_t i) const { return config_.validators.at(i); }

  // Registers configs/order-sim.yaml (or the given order text) with secret, through the
  // core register function. Returns an error text, empty on success.
  std::string register_order(const std::string& order_text, const crypto::SecretBytes& secret);
  static std::string sim_order(const std::string& id = "demo-sim");

  // Stops (SIGTERM), kills (SIGKILL) or restarts validator i (1-based id v<i>).
  void stop(int i);
  void kill(int i);
  void start(int i);
  int pid(int i) const;

  // One raw request to member i (0-based), TLS pinned.
  net::Response call(size_t i, const std::string& method, const std::string& path,
                     const std::string& body = "",
                     const std::map<std::string, std::string>& headers = {}) const;

 private:
  TempDir dir_;
  config::PoolConfig config_;
};

// What a VM holds after attesting at one validator.
struct VmSession {
  std::unique_ptr<crypto::PrivateKey> eph;
  std::vector<uint8_t> nonce;
  nlohmann::json evidence;  // the evidence document
  std::string token;
  net::Response attest_answer;
};

// Challenge + attest at member i with sim evidence. evidence_order: the order the evidence
// claims (host data) when it should differ from order.
VmSession attest_at(const Pool& pool, size_t i, const std::string& order,
                    const std::string& evidence_order = "");

// The body of a shares request for session s at member i.
std::string shares_body(const VmSession& s, const std::string& validator_id);

// failed_checks of a refusal, joined with ','.
std::string failed_checks(const net::Response& r);

}  // namespace leea::test
