// Talking to the validators of a pool: one pinned HTTPS client per member, and JSON calls
// that turn a validator's refusal into an Error carrying its words. Used by the operator
// commands (order register/revoke, pool status) and by the VM's attest client.
// Thread-safety: a MemberClient is used by one thread at a time.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "core/config/pool.h"
#include "core/net/https.h"
#include "core/util/result.h"

namespace leea::attest {

class MemberClient {
 public:
  MemberClient(const config::PoolMember& member, int connect_timeout_ms, int read_timeout_ms);
  const config::PoolMember& member() const { return *member_; }
  // The HTTP status of the last answer, 0 when none arrived.
  int last_status() const { return last_status_; }

  // Sends a request and parses a JSON answer. A 2xx answer returns its JSON; any other
  // status fails with Errc::refused (4xx) or Errc::unavailable (5xx), the message being
  // "<id>: <status>: <the validator's error>"; transport failures keep their Errc.
  Result<nlohmann::json> call(const std::string& method, const std::string& path,
                              const std::string& body = "",
                              const std::map<std::string, std::string>& headers = {});
  // The same for a text answer (metrics).
  Result<std::string> call_text(const std::string& method, const std::string& path);

 private:
  const config::PoolMember* member_;
  std::unique_ptr<net::HttpsClient> http_;
  int last_status_ = 0;
};

}  // namespace leea::attest
