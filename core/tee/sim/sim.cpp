#include "core/tee/sim/sim.h"

#include <nlohmann/json.hpp>

#include "core/crypto/digest.h"
#include "core/crypto/keys.h"
#include "core/util/encoding.h"
#include "core/util/json.h"

namespace leea::tee::sim {
namespace {

// The sim "hardware" key: public by design, a test key and nothing else.
constexpr const char* kSimKeyPem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgOT8qvry000o7Ga8z\n"
    "GidhkB2USMS/1w+/GmwMGd2Fzg2hRANCAAS/34pd8PDDRYnmVQbHfOi1ENju6tRT\n"
    "/ikhLmsZkwI7yHUcu1hmCvKbx6hi3QxzNCv3KeQaQZA726N26+Yqb97z\n"
    "-----END PRIVATE KEY-----\n";

constexpr size_t kMaxReport = 4096;

// Parsed once: the key is a constant, and parsing PEM dominated the cost of a report.
Result<const crypto::PrivateKey*> sim_key() {
  static const Result<crypto::PrivateKey> key = [] {
    std::string_view pem(kSimKeyPem);
    auto bytes = crypto::SecretBytes::copy_of(
        std::span(reinterpret_cast<const uint8_t*>(pem.data()), pem.size()));
    return crypto::PrivateKey::from_pem(bytes, "the sim key");
  }();
  if (!key) return key.error();
  return &*key;
}

std::span<const uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

class Producer final : public EvidenceProducer {
 public:
  explicit Producer(bool debug) : debug_(debug) {}
  config::TeeKind kind() const override { return config::TeeKind::sim; }
  Result<std::string> produce(const Binding& binding, const std::string& order_id,
                              const evidence::EventLog& /*log*/) override {
    nlohmann::json claims = {{"v", 1},
                             {"platform", "leea-sim"},
                             {"launch_measurement", launch_measurement()},
                             {"host_data", hex_encode(crypto::sha256(order_id))},
                             {"report_data", hex_encode(binding)},
                             {"debug", debug_}};
    std::string body = base64url_encode(as_bytes(claims.dump()));
    LEEA_ASSIGN_OR_RETURN(const crypto::PrivateKey* key, sim_key());
    LEEA_ASSIGN_OR_RETURN(auto sig, key->sign(as_bytes(body), crypto::SigFormat::raw));
    return body + "." + base64url_encode(sig);
  }

 private:
  bool debug_;
};

Result<std::array<uint8_t, 32>> hex32(const nlohmann::json& claims, const char* name) {
  auto it = claims.find(name);
  std::optional<std::vector<uint8_t>> bytes;
  if (it != claims.end() && it->is_string()) bytes = hex_decode(it->get<std::string>());
  if (!bytes || bytes->size() != 32) {
    return make_error(Errc::invalid_data,
                      std::string("sim report: '") + name + "' is not 32 bytes of hex");
  }
  std::array<uint8_t, 32> out{};
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

class Verifier final : public EvidenceVerifier {
 public:
  config::TeeKind kind() const override { return config::TeeKind::sim; }
  Result<Verification> verify(const std::string& report,
                              const VerifyContext& /*context*/) const override {
    size_t dot = report.find('.');
    if (report.size() > kMaxReport || dot == std::string::npos) {
      return make_error(Errc::invalid_data, "sim report: malformed");
    }
    std::string_view body(report.data(), dot);
    auto sig = base64url_decode(std::string_view(report).substr(dot + 1));
    auto json = base64url_decode(body);
    if (!sig || !json) {
      return make_error(Errc::invalid_data, "sim report: not base64url");
    }
    LEEA_ASSIGN_OR_RETURN(const crypto::PrivateKey* key, sim_key());
    Verification v;
    if (!key->public_key().verify(as_bytes(body), *sig, crypto::SigFormat::raw)) {
      v.fail("evidence.signature", "sim report not signed by the sim key");
      return v;
    }
    v.pass("evidence.signature");
    auto parsed = leea::json::parse(leea::json::bytes_text(*json), "sim report", kMaxReport,
                                    Errc::invalid_data);
    if (!parsed) return parsed.error();
    nlohmann::json& claims = *parsed;
    if (!claims.is_object() || claims["v"] != 1 || !claims["debug"].is_boolean() ||
        !claims["platform"].is_string() || !claims["launch_measurement"].is_string()) {
      return make_error(Errc::invalid_data, "sim report: unexpected claims");
    }
    Claims& out = v.claims;
    LEEA_ASSIGN_OR_RETURN(out.report_data, hex32(claims, "report_data"));
    LEEA_ASSIGN_OR_RETURN(out.host_data, hex32(claims, "host_data"));
    out.debug = claims["debug"].get<bool>();
    out.values["sim.platform"] = claims["platform"].get<std::string>();
    out.values["sim.launch_measurement"] = claims["launch_measurement"].get<std::string>();
    for (const auto& [name, value] : out.values) v.fields.emplace_back(name, value);
    v.fields.emplace_back("sim.debug", out.debug ? "true" : "false");
    return v;
  }
};

}  // namespace

std::string launch_measurement() {
  return "sha384:" + hex_encode(crypto::digest(crypto::DigestAlg::sha384,
                                               as_bytes("leea sim launch measurement v1")));
}

std::unique_ptr<EvidenceProducer> make_producer(bool debug) {
  return std::make_unique<Producer>(debug);
}

std::unique_ptr<EvidenceVerifier> make_verifier() { return std::make_unique<Verifier>(); }

}  // namespace leea::tee::sim
