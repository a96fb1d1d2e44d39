#include "core/attest/attest_client.h"

#include <algorithm>
#include <ctime>
#include <future>
#include <nlohmann/json.hpp>

#include "core/attest/appraise.h"
#include "core/attest/ear.h"
#include "core/attest/jwk.h"
#include "core/attest/manifest.h"
#include "core/attest/pool_client.h"
#include "core/attest/pop.h"
#include "core/attest/seal.h"
#include "core/crypto/keys.h"
#include "core/crypto/random.h"
#include "core/shamir/stream.h"
#include "core/util/encoding.h"
#include "core/util/log.h"

namespace leea::attest {
namespace {

using nlohmann::json;

// The pool's members in a random order (crypto RNG: which validators are asked must not
// be predictable to a host that wants to steer the VM to ones it controls).
// The ids in `first` come first, in that order.
std::vector<const config::PoolMember*> shuffled(const config::PoolConfig& pool,
                                                const std::vector<std::string>& first) {
  std::vector<const config::PoolMember*> out;
  for (const auto& m : pool.validators) out.push_back(&m);
  for (size_t i = out.size(); i > 1; --i) {
    uint32_t r = 0;
    (void)crypto::random_bytes(std::span(reinterpret_cast<uint8_t*>(&r), sizeof r));
    std::swap(out[i - 1], out[r % i]);
  }
  auto rank = [&first](const config::PoolMember* m) {
    return static_cast<size_t>(std::find(first.begin(), first.end(), m->id) - first.begin());
  };
  std::stable_sort(out.begin(), out.end(),
                   [&](const auto* a, const auto* b) { return rank(a) < rank(b); });
  return out;
}

struct Session {
  crypto::PrivateKey eph;
  std::vector<uint8_t> nonce;
  json evidence;  // the evidence document, also sent to share holders
  std::string token;
};

// Challenge and attest at one validator. Sets local when this machine's evidence producer
// failed: that would fail the same way at every validator.
Result<json> attest_at(MemberClient& c, const AttestOptions& o, Session& s, bool& local) {
  LEEA_ASSIGN_OR_RETURN(json ch, c.call("POST", "/v1/challenge", json{{"order", o.order}}.dump()));
  auto nonce =
      ch["nonce"].is_string() ? base64url_decode(ch["nonce"].get<std::string>()) : std::nullopt;
  if (!nonce || nonce->size() != 32) {
    return make_error(Errc::unavailable, c.member().id + ": malformed challenge");
  }
  s.nonce = *nonce;
  auto binding = tee::compute_binding(s.nonce, s.eph.public_key().spki_der(), o.log.digest());
  auto report = o.producer->produce(binding, o.order, o.log);
  if (!report) {
    local = true;
    return report.error();
  }
  EvidenceDocument doc{o.producer->kind(), *report, o.log};
  s.evidence = doc.to_json_value();
  const auto& jwk = s.eph.public_key().jwk();
  json body = {{"order", o.order},
               {"nonce", base64url_encode(s.nonce)},
               {"evidence", s.evidence},
               {"eph_pub", attest::jwk_to_json(jwk)}};
  return c.call("POST", "/v1/attest", body.dump());
}

struct ShareReply {
  std::string validator;
  crypto::SecretBytes line;
  std::string manifest;
};

Result<ShareReply> fetch_share(const config::PoolMember& m, const AttestOptions& o,
                               const Session& s) {
  MemberClient c(m, o.timeout_ms, o.timeout_ms);
  LEEA_ASSIGN_OR_RETURN(std::string pop, make_pop(s.eph, m.id, s.token));
  json body = {{"pop", pop}, {"nonce", base64url_encode(s.nonce)}, {"evidence", s.evidence}};
  LEEA_ASSIGN_OR_RETURN(json r, c.call("POST", "/v1/shares/" + o.order, body.dump(),
                                       {{"Authorization", "Bearer " + s.token}}));
  if (!r["share"].is_string() || !r["manifest"].is_string()) {
    return make_error(Errc::unavailable, m.id + ": malformed shares answer");
  }
  LEEA_ASSIGN_OR_RETURN(auto blob, sealed_share_from_text(r["share"].get<std::string>()));
  LEEA_ASSIGN_OR_RETURN(auto aad, share_seal_context(o.order, m.id));
  auto line = open_share(s.eph, blob, aad);
  if (!line) return make_error(Errc::refused, m.id + ": " + line.error().message);
  return ShareReply{m.id, std::move(*line), r["manifest"].get<std::string>()};
}

// Why a token from validator `from` is unfit to show the others, or "" when it is fit: it
// must verify with from's own key in the pool file, affirm this order and bind this VM's
// ephemeral key. The clock is judged with the validators' skew; they judge it again.
std::string unfit_token(const std::string& token, const TrustedKeys& keys, const std::string& from,
                        const std::string& order, const crypto::Jwk& eph) {
  auto claims = verify_ear(token, keys, static_cast<int64_t>(std::time(nullptr)), kMaxClockSkew);
  if (!claims) return claims.error().message;
  if (claims->issuer != from) return "it is signed as " + claims->issuer;
  if (claims->order != order) return "it is for another order";
  if (claims->cnf.kty != eph.kty || claims->cnf.crv != eph.crv || claims->cnf.x != eph.x ||
      claims->cnf.y != eph.y) {
    return "it binds another ephemeral key";
  }
  return "";
}

Result<ShareManifest> verify_with_pool(const config::PoolConfig& pool, const std::string& doc) {
  if (pool.operator_keys.empty()) {
    return make_error(Errc::config, pool.source +
                                        ": names no operator_keys, so share manifests "
                                        "cannot be verified");
  }
  Error last = make_error(Errc::refused, "share manifest: no operator key");
  for (const auto& der : pool.operator_keys) {
    auto key = crypto::PublicKey::from_spki_der(der, pool.source);
    if (!key) continue;
    auto m = verify_manifest(doc, *key);
    if (m) return m;
    last = m.error();
  }
  return last;
}

Result<crypto::SecretBytes> combine_lines(const std::vector<ShareReply>& good) {
  std::vector<shamir::ShareInput> inputs;
  for (const auto& g : good) {
    auto buf =
        std::make_shared<const crypto::SecretBytes>(crypto::SecretBytes::copy_of(g.line.reveal()));
    inputs.push_back({g.validator, shamir::memory_source(buf, 0, buf->size())});
  }
  shamir::MemorySecretSink sink(size_t{1} << 20);
  LEEA_TRY(shamir::combine_stream(inputs, shamir::ShareFormat::leea, sink));
  return sink.take();
}

// Asks validators in waves of the number still missing, in parallel, until k good shares.
Result<void> collect(const AttestOptions& o, const Session& s, AttestOutcome& out) {
  auto candidates = shuffled(*o.pool, o.ask_first);
  size_t next = 0;
  std::vector<ShareReply> good;
  std::optional<ShareManifest> manifest;
  size_t k = static_cast<size_t>(o.pool->threshold);
  while (good.size() < k && next < candidates.size()) {
    std::vector<std::future<Result<ShareReply>>> wave;
    for (size_t want = k - good.size(); want > 0 && next < candidates.size(); --want) {
      const auto* m = candidates[next++];
      wave.push_back(std::async(std::launch::async, [m, &o, &s] { return fetch_share(*m, o, s); }));
    }
    for (auto& f : wave) {
      auto r = f.get();
      if (!r) {
        out.problems.push_back(r.error().message);
        continue;
      }
      auto mf = verify_with_pool(*o.pool, r->manifest);
      if (!mf) {
        if (mf.error().code == Errc::config) return mf.error();
        out.problems.push_back(r->validator + ": " + mf.error().message);
        continue;
      }
      if (manifest && !(*manifest == *mf)) {
        out.problems.push_back(r->validator + ": sent a different manifest");
        continue;
      }
      if (auto c = check_share(*mf, r->validator, r->line); !c) {
        out.problems.push_back(r->validator + ": " + c.error().message);
        continue;
      }
      manifest = *mf;
      k = static_cast<size_t>(mf->threshold);
      good.push_back(std::move(*r));
    }
  }
  if (good.size() < k) {
    std::string why;
    for (const auto& p : out.problems) why += "; " + p;
    return make_error(Errc::unavailable, "got " + std::to_string(good.size()) + " of the " +
                                             std::to_string(k) + " shares needed" + why);
  }
  good.resize(k);
  LEEA_ASSIGN_OR_RETURN(out.secret, combine_lines(good));
  if (auto c = verify_key_check(*manifest, out.secret); !c) {
    out.secret = crypto::SecretBytes();
    return c.error();
  }
  for (const auto& g : good) out.shares_from.push_back(g.validator);
  if (o.on_phase) {
    std::string from;
    for (const auto& v : out.shares_from) from += (from.empty() ? "" : ", ") + v;
    o.on_phase("shares", std::to_string(k) + " of " + std::to_string(k) + " from " + from +
                             ", checked against the manifest and combined");
  }
  return {};
}

}  // namespace

Result<AttestOutcome> run_attest(const AttestOptions& o) {
  LEEA_ASSIGN_OR_RETURN(auto eph, crypto::PrivateKey::generate(crypto::KeyType::p256));
  Session s{std::move(eph), {}, {}, {}};
  AttestOutcome out;
  TrustedKeys keys;
  LEEA_TRY(keys.add_pool(*o.pool));
  // Refusals are believed only from more validators than can lie: with fewer than threshold
  // malicious ones, threshold refusals include an honest one.
  std::optional<Error> refusal;
  int refusals = 0;
  for (const auto* m : shuffled(*o.pool, o.ask_first)) {
    MemberClient c(*m, o.timeout_ms, o.timeout_ms);
    bool local = false;
    auto r = attest_at(c, o, s, local);
    if (!r) {
      // Evidence this machine cannot produce would be the same anywhere: stop. A validator
      // that does not hold the order, is down, hangs past the timeout or presents another
      // certificate is passed over.
      if (local) return r.error();
      out.problems.push_back(r.error().message);
      log::info("attest: {}", r.error().message);
      if (c.last_status() == 403) {
        if (!refusal) refusal = r.error();
        if (++refusals >= o.pool->threshold) return *refusal;
      }
      continue;
    }
    if (!(*r)["token"].is_string()) {
      out.problems.push_back(m->id + ": malformed attest answer");
      continue;
    }
    const std::string token = (*r)["token"].get<std::string>();
    if (auto why = unfit_token(token, keys, m->id, o.order, s.eph.public_key().jwk());
        !why.empty()) {
      out.problems.push_back(m->id + ": sent a token the pool would refuse: " + why);
      log::info("attest: {}", out.problems.back());
      continue;
    }
    s.token = token;
    out.token = s.token;
    out.token_expires = (*r).value("expires", int64_t{0});
    out.attested_by = m->id;
    if (o.on_phase) o.on_phase("attest", "token from " + m->id);
    break;
  }
  if (out.token.empty()) {
    if (refusal) return *refusal;
    std::string why;
    for (const auto& p : out.problems) why += "; " + p;
    return make_error(Errc::unavailable, "no validator answered the attestation" + why);
  }
  if (o.fetch_secret) {
    LEEA_TRY(collect(o, s, out));
  }
  return out;
}

}  // namespace leea::attest
