#include "core/attest/pool_client.h"

#include "core/util/json.h"

namespace leea::attest {

MemberClient::MemberClient(const config::PoolMember& member, int connect_timeout_ms,
                           int read_timeout_ms)
    : member_(&member) {
  net::ClientOptions o;
  o.host = member.endpoint.host;
  o.port = member.endpoint.port;
  std::copy(member.tls_fingerprint.bytes.begin(), member.tls_fingerprint.bytes.end(),
            o.pinned_sha256.begin());
  o.connect_timeout_ms = connect_timeout_ms;
  o.read_timeout_ms = read_timeout_ms;
  http_ = std::make_unique<net::HttpsClient>(o);
}

Result<nlohmann::json> MemberClient::call(const std::string& method, const std::string& path,
                                          const std::string& body,
                                          const std::map<std::string, std::string>& headers) {
  last_status_ = 0;
  auto r = http_->request(method, path, body, headers);
  if (!r) {
    return make_error(r.error().code, member_->id + ": " + r.error().message);
  }
  last_status_ = r->status;
  // The same strict reader as every other document of this area: bounded depth, no
  // repeated member names.
  auto j = json::parse(r->body, member_->id + ": answer", r->body.size(), Errc::unavailable);
  if (r->status >= 200 && r->status < 300) return j;
  const json::Json* error = j ? json::find_member(*j, "error") : nullptr;
  std::string why = error != nullptr && error->is_string()
                        ? error->get<std::string>().substr(0, 512)
                        : "no error text";
  return make_error(r->status < 500 ? Errc::refused : Errc::unavailable,
                    member_->id + ": " + std::to_string(r->status) + ": " + why);
}

Result<std::string> MemberClient::call_text(const std::string& method, const std::string& path) {
  auto r = http_->request(method, path);
  if (!r) {
    return make_error(r.error().code, member_->id + ": " + r.error().message);
  }
  if (r->status != 200) {
    return make_error(Errc::unavailable, member_->id + ": " + std::to_string(r->status));
  }
  return r->body;
}

}  // namespace leea::attest
