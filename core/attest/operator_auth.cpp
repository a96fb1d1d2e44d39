#include "core/attest/operator_auth.h"

#include <charconv>

#include "core/crypto/digest.h"
#include "core/crypto/random.h"
#include "core/util/encoding.h"
#include "core/util/time.h"

namespace leea::attest {
namespace {

constexpr size_t kRequestIdBytes = 16;

std::string message(const std::string& validator_id, const std::string& method,
                    const std::string& path, const std::string& body, int64_t timestamp,
                    const std::string& request_id) {
  return "leea-operator-request-v2\n" + validator_id + "\n" + method + "\n" + path + "\n" +
         hex_encode(crypto::sha256(body)) + "\n" + std::to_string(timestamp) + "\n" + request_id;
}

std::span<const uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

Error refused(const std::string& why) {
  return make_error(Errc::refused, "operator signature: " + why);
}

}  // namespace

Result<std::map<std::string, std::string>> sign_operator_request(
    const crypto::PrivateKey& key, const std::string& operator_id, const std::string& validator_id,
    const std::string& method, const std::string& path, const std::string& body, int64_t now) {
  std::vector<uint8_t> id(kRequestIdBytes);
  LEEA_TRY(crypto::random_bytes(id));
  const std::string request_id = base64url_encode(id);
  LEEA_ASSIGN_OR_RETURN(auto sig,
                        key.sign(bytes(message(validator_id, method, path, body, now, request_id)),
                                 crypto::SigFormat::raw));
  return std::map<std::string, std::string>{{"X-Leea-Operator", operator_id},
                                            {"X-Leea-Timestamp", std::to_string(now)},
                                            {"X-Leea-Request-Id", request_id},
                                            {"X-Leea-Signature", base64url_encode(sig)}};
}

Result<VerifiedOperatorRequest> verify_operator_request(
    const std::map<std::string, std::string>& headers, const std::string& validator_id,
    const std::string& method, const std::string& path, const std::string& body,
    const std::vector<TrustedOperator>& operators, int64_t now) {
  auto op = headers.find("x-leea-operator");
  auto ts = headers.find("x-leea-timestamp");
  auto rid = headers.find("x-leea-request-id");
  auto sig = headers.find("x-leea-signature");
  if (op == headers.end() || ts == headers.end() || rid == headers.end() || sig == headers.end()) {
    return refused("missing (the request is not signed by an operator)");
  }
  const TrustedOperator* who = nullptr;
  for (const auto& o : operators) {
    if (o.id == op->second) who = &o;
  }
  if (who == nullptr) {
    return refused("unknown operator '" + quote_untrusted(op->second) + "'");
  }
  VerifiedOperatorRequest out;
  out.operator_id = who->id;
  const std::string& t = ts->second;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), out.timestamp);
  if (ec != std::errc() || end != t.data() + t.size()) {
    return refused("malformed timestamp");
  }
  const std::string& request_id = rid->second;
  if (auto id = base64url_decode(request_id); !id || id->size() != kRequestIdBytes) {
    return refused("malformed request id");
  }
  auto raw = base64url_decode(sig->second);
  if (!raw || raw->size() > 512) {
    return refused("malformed signature");
  }
  const std::string signed_text =
      message(validator_id, method, path, body, out.timestamp, request_id);
  if (!who->key.verify(bytes(signed_text), *raw, crypto::SigFormat::raw)) {
    return refused("does not verify with the key of operator '" + who->id + "'");
  }
  if (out.timestamp < now - kOperatorWindowSeconds ||
      out.timestamp > now + kOperatorWindowSeconds) {
    return refused("timestamp " + seconds_apart(out.timestamp, now) +
                   (out.timestamp < now ? " behind" : " ahead of") +
                   " this validator's clock, outside the 300 s window");
  }
  out.request_hash = hex_encode(crypto::sha256(signed_text));
  return out;
}

}  // namespace leea::attest
