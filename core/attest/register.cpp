#include "core/attest/register.h"

#include <ctime>
#include <nlohmann/json.hpp>

#include "core/attest/jwk.h"
#include "core/attest/manifest.h"
#include "core/attest/operator_auth.h"
#include "core/attest/pool_client.h"
#include "core/attest/seal.h"
#include "core/shamir/stream.h"

namespace leea::attest {
namespace {

constexpr int kTimeoutMs = 5000;

int64_t now() { return static_cast<int64_t>(std::time(nullptr)); }

// Collects one share line in wiped memory, growing by doubling.
class LineSink final : public shamir::TextSink {
 public:
  Result<void> write(std::span<const char> text) override {
    if (used_ + text.size() > buf_.size()) {
      crypto::SecretBytes bigger(std::max(buf_.size() * 2, used_ + text.size() + 256));
      std::copy_n(buf_.reveal().data(), used_, bigger.reveal().data());
      buf_ = std::move(bigger);
    }
    std::copy(text.begin(), text.end(), buf_.reveal().data() + used_);
    used_ += text.size();
    return {};
  }
  // The line without its newline.
  crypto::SecretBytes line() const { return buf_.prefix(used_ > 0 ? used_ - 1 : 0); }

 private:
  crypto::SecretBytes buf_;
  size_t used_ = 0;
};

// Share lines, in wiped memory, without their newline.
Result<std::vector<crypto::SecretBytes>> split_lines(const crypto::SecretBytes& secret, int k,
                                                     int n, std::string* split_id) {
  auto buf =
      std::make_shared<const crypto::SecretBytes>(crypto::SecretBytes::copy_of(secret.reveal()));
  auto src = shamir::memory_source(buf, 0, buf->size());
  std::vector<LineSink> sinks(static_cast<size_t>(n));
  std::vector<shamir::TextSink*> ptrs;
  for (auto& s : sinks) ptrs.push_back(&s);
  shamir::SplitOptions o;
  o.params = {k, n};
  LEEA_ASSIGN_OR_RETURN(auto summary, shamir::split_stream(*src, o, ptrs, crypto::system_random()));
  *split_id = shamir::split_id_text(summary.split_id);
  std::vector<crypto::SecretBytes> lines;
  for (const auto& s : sinks) lines.push_back(s.line());
  return lines;
}

Result<void> send(MemberClient& c, const std::string& method, const std::string& path,
                  const std::string& body, const Operator& op) {
  LEEA_ASSIGN_OR_RETURN(auto headers, sign_operator_request(*op.key, op.id, c.member().id, method,
                                                            path, body, now()));
  LEEA_TRY(c.call(method, path, body, headers));
  return {};
}

}  // namespace

Result<std::string> registration_body(const config::PoolMember& member, const std::string& order_id,
                                      const std::string& order_text, const std::string& manifest,
                                      const crypto::SecretBytes& share_line) {
  if (!member.share_key) {
    return make_error(Errc::config,
                      "validator '" + member.id +
                          "' has no share_key in the pool file: each share is sealed to its "
                          "validator's share key; add the share_key that `leea validator init` "
                          "printed for it");
  }
  LEEA_ASSIGN_OR_RETURN(auto key, public_key_from_jwk(*member.share_key));
  LEEA_ASSIGN_OR_RETURN(auto context, share_registration_context(order_id, member.id));
  LEEA_ASSIGN_OR_RETURN(auto sealed, seal_share(key, share_line, context));
  nlohmann::json body = {
      {"order", order_text}, {"manifest", manifest}, {"sealed_share", sealed_share_text(sealed)}};
  return body.dump();
}

Result<RegisterReport> register_order(const config::PoolConfig& pool, const std::string& order_text,
                                      const crypto::SecretBytes& secret, const Operator& op,
                                      Registration mode) {
  LEEA_ASSIGN_OR_RETURN(auto order, config::load_order_string(order_text, "order"));
  RegisterReport report;
  report.order = order.id;
  report.shares = order.shares.value_or(static_cast<int>(pool.validators.size()));
  report.threshold = order.threshold.value_or(pool.threshold);
  if (report.shares > static_cast<int>(pool.validators.size())) {
    return make_error(Errc::config, "the order asks for " + std::to_string(report.shares) +
                                        " shares but the pool has " +
                                        std::to_string(pool.validators.size()) + " validators");
  }
  if (secret.empty()) {
    return make_error(Errc::invalid_argument, "the secret is empty");
  }
  LEEA_ASSIGN_OR_RETURN(auto lines,
                        split_lines(secret, report.threshold, report.shares, &report.split_id));
  ShareManifest m;
  m.order = order.id;
  m.threshold = report.threshold;
  m.split_id = report.split_id;
  LEEA_ASSIGN_OR_RETURN(m.key_check, key_check_value(secret));
  for (int i = 0; i < report.shares; ++i) {
    m.entries.push_back({pool.validators[static_cast<size_t>(i)].id, i + 1,
                         share_hash(lines[static_cast<size_t>(i)])});
  }
  LEEA_ASSIGN_OR_RETURN(std::string signed_manifest, sign_manifest(*op.key, m));
  // Every body is made before any is sent: a member the pool file cannot seal to stops the
  // registration before any validator holds anything.
  std::vector<std::string> bodies;
  for (int i = 0; i < report.shares; ++i) {
    LEEA_ASSIGN_OR_RETURN(
        auto text, registration_body(pool.validators[static_cast<size_t>(i)], order.id, order_text,
                                     signed_manifest, lines[static_cast<size_t>(i)]));
    bodies.push_back(std::move(text));
  }
  if (mode == Registration::replace) {
    std::string unrevoked;
    for (const auto& outcome : revoke_order(pool, order.id, op)) {
      if (!outcome.ok) unrevoked += (unrevoked.empty() ? "" : "; ") + outcome.detail;
    }
    if (!unrevoked.empty()) {
      return make_error(
          Errc::unavailable,
          "cannot replace order '" + order.id +
              "': not every validator revoked it, so nothing was registered: " + unrevoked);
    }
  }
  const std::string path = "/v1/orders/" + order.id;
  std::vector<size_t> accepted;
  std::string failures;
  std::string holders;  // validators that already hold the id
  bool refused = false;
  for (int i = 0; i < report.shares; ++i) {
    const auto& member = pool.validators[static_cast<size_t>(i)];
    MemberClient c(member, kTimeoutMs, kTimeoutMs);
    auto r = send(c, "PUT", path, bodies[static_cast<size_t>(i)], op);
    report.members.push_back({member.id, r.has_value(), r ? "" : r.error().message,
                              !r && r.error().code == Errc::refused});
    if (r) {
      accepted.push_back(static_cast<size_t>(i));
    } else if (c.last_status() == 409) {
      holders += (holders.empty() ? "" : ", ") + member.id;
      refused = true;
    } else {
      failures += (failures.empty() ? "" : "; ") + r.error().message;
      refused = refused || r.error().code == Errc::refused;
    }
  }
  if (accepted.size() == static_cast<size_t>(report.shares)) {
    return report;
  }
  for (size_t i : accepted) {
    MemberClient c(pool.validators[i], kTimeoutMs, kTimeoutMs);
    (void)send(c, "DELETE", path, "", op);
  }
  if (!holders.empty()) {
    return make_error(Errc::refused,
                      "order '" + order.id + "' is already registered at " + holders +
                          " (an order id is registered once); nothing was changed. Revoke it "
                          "first (leea order revoke), or register with --replace" +
                          (failures.empty() ? "" : "; also: " + failures));
  }
  return make_error(refused ? Errc::refused : Errc::unavailable,
                    std::to_string(report.shares - static_cast<int>(accepted.size())) + " of " +
                        std::to_string(report.shares) +
                        " validators did not accept the order, so it was removed from the "
                        "others: " +
                        failures);
}

std::vector<MemberOutcome> revoke_order(const config::PoolConfig& pool, const std::string& order,
                                        const Operator& op) {
  std::vector<MemberOutcome> out;
  for (const auto& member : pool.validators) {
    MemberClient c(member, kTimeoutMs, kTimeoutMs);
    auto r = send(c, "DELETE", "/v1/orders/" + order, "", op);
    out.push_back({member.id, r.has_value(), r ? "" : r.error().message,
                   !r && r.error().code == Errc::refused});
  }
  return out;
}

}  // namespace leea::attest
