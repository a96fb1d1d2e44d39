// Every validator endpoint through the real handlers (core/validator/service.h), on a real
// identity, store and audit log in a temporary directory, with one sim order registered.
// The input is one request:
//   byte 0 % 6: 0 POST /v1/challenge, 1 POST /v1/attest, 2 POST /v1/shares/<order>,
//               3 PUT /v1/orders/<order>, 4 DELETE /v1/orders/<order>, 5 GET keys/healthz/metrics
//   then the order id of the path up to the first LF, then the body.
// So that mutations get past the checks no fuzzer can forge, the harness fills in
// placeholders from a real flow it ran at start: @NONCE@ a fresh challenge's nonce for the
// order, @NONCE0@ and @EVIDENCE0@ the nonce and sim evidence its token was issued for,
// @EVIDENCE@ sim evidence bound to the fresh nonce, @EPH@ the VM's key (JWK), @POP@ a fresh
// proof of possession for @TOKEN@ (the bearer token of shares requests). PUT and DELETE are
// signed with the operator's key, as `leea order register` would. The clock advances one
// second per request, so nonces, proofs and tokens expire as they would under load.
// Invariants: no handler throws, every answer is JSON with a status in 200..599, and no
// refusal carries a share.
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "core/attest/appraise.h"
#include "core/attest/jwk.h"
#include "core/attest/manifest.h"
#include "core/attest/operator_auth.h"
#include "core/attest/pop.h"
#include "core/attest/register.h"
#include "core/config/validator.h"
#include "core/crypto/random.h"
#include "core/shamir/io.h"
#include "core/shamir/stream.h"
#include "core/tee/evidence.h"
#include "core/util/encoding.h"
#include "core/util/json.h"
#include "core/validator/identity.h"
#include "core/validator/service.h"
#include "tests/fuzz/fuzz.h"

namespace {

using namespace leea;
constexpr const char* kOrderId = "fuzz-order";

struct Harness {
  std::filesystem::path dir;
  std::unique_ptr<validator::Service> service;
  crypto::PrivateKey op = fuzz::test_key(0);
  crypto::PrivateKey vm = fuzz::test_key(1);
  std::unique_ptr<tee::EvidenceProducer> sim;
  int64_t now = 1767225600;
  std::string token, nonce0, evidence0;
  int64_t token_at = 0;

  net::Request request(std::string method, std::string path, std::string order, std::string body) {
    net::Request r;
    r.method = std::move(method);
    r.path = std::move(path);
    if (!order.empty()) r.matches.push_back(std::move(order));
    r.body = std::move(body);
    r.remote_addr = "127.0.0.1";
    return r;
  }

  void sign(net::Request& r) {
    auto h = attest::sign_operator_request(op, "ops", "v1", r.method, r.path, r.body, now);
    fuzz::require(h.has_value(), "cannot sign a request");
    for (const auto& [name, value] : fuzz::lower_names(*h)) r.headers[name] = value;
  }

  // A fresh nonce for order (base64url), or "" when the validator gives none.
  std::string challenge(const std::string& order) {
    auto body = json::dump_lossy(json::Json{{"order", order}});
    auto a = service->challenge(request("POST", "/v1/challenge", "", body));
    auto j = json::parse(a.body, "challenge", 1 << 16);
    if (a.status != 200 || !j) return "";
    auto n = json::string_member(*j, "nonce", "challenge");
    return n ? *n : "";
  }

  // Sim evidence for a nonce (base64url) and the VM key, as a JSON document.
  std::string evidence(const std::string& nonce_text) {
    auto nonce = base64url_decode(nonce_text);
    if (!nonce) return "{}";
    evidence::EventLog log;
    auto binding = tee::compute_binding(*nonce, vm.public_key().spki_der(), log.digest());
    auto report = sim->produce(binding, kOrderId, log);
    fuzz::require(report.has_value(), "the sim producer failed");
    return attest::EvidenceDocument{config::TeeKind::sim, *report, log}.to_json();
  }

  std::string eph() { return attest::jwk_to_json(vm.public_key().jwk()).dump(); }

  void refresh_token() {
    nonce0 = challenge(kOrderId);
    fuzz::require(!nonce0.empty(), "no challenge for the registered order");
    evidence0 = evidence(nonce0);
    std::string body = R"({"order":"fuzz-order","nonce":")" + nonce0 + R"(","evidence":)" +
                       evidence0 + R"(,"eph_pub":)" + eph() + "}";
    auto a = service->attest(request("POST", "/v1/attest", "", body));
    auto j = json::parse(a.body, "attest", 1 << 16);
    fuzz::require(a.status == 200 && j.has_value(), "the harness's own attest was refused");
    auto t = json::string_member(*j, "token", "attest");
    fuzz::require(t.has_value(), "attest answered no token");
    token = *t;
    token_at = now;
  }

  void register_order() {
    auto entry = validator::read_pool_entry(dir / "v1" / "validator.yaml");
    fuzz::require(entry.has_value() && entry->share_key.has_value(), "no pool entry");
    config::PoolMember member;
    member.id = entry->id;
    const auto& k = *entry->share_key;
    member.share_key = config::Jwk{k.kty, k.crv, k.x, k.y, "", ""};
    // A 2-of-2 split of a fresh secret; v1 holds share 1.
    auto secret = std::make_shared<const crypto::SecretBytes>(crypto::SecretBytes(32));
    auto source = shamir::memory_source(secret, 0, 32);
    shamir::SplitOptions options;
    options.params = {2, 2};
    fuzz::StringSink s1, s2;
    std::vector<shamir::TextSink*> sinks{&s1, &s2};
    auto split = shamir::split_stream(*source, options, sinks, crypto::system_random());
    fuzz::require(split.has_value(), "split failed");
    auto line = [](const std::string& t) {
      return crypto::SecretBytes::copy_of(json::text_bytes(t.substr(0, t.find('\n'))));
    };
    attest::ShareManifest m;
    m.order = kOrderId;
    m.threshold = 2;
    m.split_id = hex_encode(split->split_id);
    auto kcv = attest::key_check_value(*secret);
    fuzz::require(kcv.has_value(), "no key check value");
    m.key_check = *kcv;
    m.entries = {{"v1", 1, attest::share_hash(line(s1.text))},
                 {"v2", 2, attest::share_hash(line(s2.text))}};
    auto manifest = attest::sign_manifest(op, m);
    fuzz::require(manifest.has_value(), "cannot sign the manifest");
    auto body =
        attest::registration_body(member, kOrderId, fuzz::kSimOrderYaml, *manifest, line(s1.text));
    fuzz::require(body.has_value(), "no registration body");
    auto r = request("PUT", std::string("/v1/orders/") + kOrderId, kOrderId, *body);
    sign(r);
    auto a = service->put_order(r);
    fuzz::require(a.status == 200 || a.status == 201, "the harness's registration was refused");
    fuzz::write_seed("put", std::string(1, '\3') + kOrderId + "\n" + *body);
  }

  void start() {
    const char* base = std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : "/tmp";
    std::string templ = std::string(base) + "/leea-fuzz-validator-XXXXXX";
    fuzz::require(mkdtemp(templ.data()) != nullptr, "mkdtemp failed");
    dir = templ;
    auto pub = dir / "ops.pub";
    {
      std::ofstream out(pub);
      out << op.public_key().to_pem();
    }
    validator::InitOptions init;
    init.dir = dir / "v1";
    init.id = "v1";
    init.listen = {"127.0.0.1", 1};
    init.operators = {{"ops", pub}};
    init.allow_sim = true;
    fuzz::require(validator::init_validator(init).has_value(), "validator init failed");
    auto config = config::load_validator_file(dir / "v1" / "validator.yaml");
    fuzz::require(config.has_value(), "validator.yaml does not load");
    auto s = validator::Service::open(*config);
    fuzz::require(s.has_value(), "the validator does not open");
    service = std::move(*s);
    service->set_clock([this] { return now; });
    auto p = tee::make_producer(config::TeeKind::sim);
    fuzz::require(p.has_value(), "no sim producer");
    sim = std::move(*p);
    register_order();
    refresh_token();
    fuzz::write_seed("challenge", std::string(1, '\0') + "\n" + R"({"order":"fuzz-order"})");
    fuzz::write_seed(
        "attest",
        std::string(1, '\1') + "\n" +
            R"({"order":"fuzz-order","nonce":"@NONCE@","evidence":@EVIDENCE@,"eph_pub":@EPH@})");
    fuzz::write_seed("shares", std::string(1, '\2') + kOrderId + "\n" +
                                   R"({"pop":"@POP@","nonce":"@NONCE0@","evidence":@EVIDENCE0@})");
    fuzz::write_seed("delete", std::string(1, '\4') + kOrderId + "\n");
    fuzz::write_seed("keys", std::string(1, '\5') + "\n");
  }

  ~Harness() {
    service.reset();
    std::error_code ec;
    if (!dir.empty()) std::filesystem::remove_all(dir, ec);
  }
};

Harness* harness = nullptr;

void replace_all(std::string& s, std::string_view from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
}

void check_answer(const net::Response& a) {
  fuzz::require(a.status >= 200 && a.status <= 599, "an answer with an impossible status");
  auto j = json::parse(a.body, "answer", 1 << 20);
  bool text = a.body.rfind("# HELP", 0) == 0 || a.body.rfind("# TYPE", 0) == 0;
  fuzz::require(j.has_value() || text || a.body.empty(), "an answer that is not JSON");
  if (a.status >= 400 && j) {
    fuzz::require(json::find_member(*j, "share") == nullptr, "a refusal carries a share");
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  static Harness h;
  h.start();
  harness = &h;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Harness& h = *harness;
  h.now += 1;
  if (h.now - h.token_at > 60) h.refresh_token();
  auto in = fuzz::select(data, size);
  auto t = fuzz::text(in.rest.data(), in.rest.size());
  size_t nl = t.find('\n');
  std::string order(t.substr(0, nl));
  std::string body(nl == std::string_view::npos ? std::string_view{} : t.substr(nl + 1));
  if (body.find("@NONCE@") != std::string::npos || body.find("@EVIDENCE@") != std::string::npos) {
    std::string nonce = h.challenge(order.empty() ? kOrderId : order);
    replace_all(body, "@EVIDENCE@", h.evidence(nonce));
    replace_all(body, "@NONCE@", nonce);
  }
  replace_all(body, "@NONCE0@", h.nonce0);
  replace_all(body, "@EVIDENCE0@", h.evidence0);
  replace_all(body, "@EPH@", h.eph());
  if (body.find("@POP@") != std::string::npos) {
    auto pop = attest::make_pop(h.vm, "v1", h.token, h.now);
    replace_all(body, "@POP@", pop ? *pop : "");
  }
  net::Response a;
  switch (in.selector % 6) {
    case 0:
      a = h.service->challenge(h.request("POST", "/v1/challenge", "", body));
      break;
    case 1:
      a = h.service->attest(h.request("POST", "/v1/attest", "", body));
      break;
    case 2: {
      auto r = h.request("POST", "/v1/shares/" + order, order, body);
      r.headers["authorization"] = "Bearer " + h.token;
      a = h.service->shares(r);
      break;
    }
    case 3:
    case 4: {
      bool put = in.selector % 6 == 3;
      // The harness's own order stays: a revoked id cannot be registered again.
      if (order == kOrderId) order += "-2";
      auto r = h.request(put ? "PUT" : "DELETE", "/v1/orders/" + order, order, body);
      h.sign(r);
      a = put ? h.service->put_order(r) : h.service->delete_order(r);
      break;
    }
    default:
      a = in.selector & 0x40   ? h.service->metrics(h.request("GET", "/metrics", "", body))
          : in.selector & 0x80 ? h.service->health(h.request("GET", "/healthz", "", body))
                               : h.service->keys(h.request("GET", "/v1/keys", "", body));
      break;
  }
  check_answer(a);
  return 0;
}
