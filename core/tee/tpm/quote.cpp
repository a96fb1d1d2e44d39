#include "core/tee/tpm/quote.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "core/crypto/digest.h"
#include "core/crypto/keys.h"
#include "core/crypto/rsa.h"
#include "core/evidence/collect.h"
#include "core/tee/tpm/boot_log.h"
#include "core/tee/tpm/device.h"
#include "core/util/encoding.h"
#include "core/util/files.h"
#include "core/util/json.h"

namespace leea::tee::tpm {
namespace {

constexpr size_t kMaxPcrFile = 64 * 1024;
constexpr int kMaxPcrIndex = 23;
constexpr int kBootPcrs = 10;  // sha256 PCRs 0-9: firmware, boot loader, kernel

std::optional<uint16_t> bank_by_name(std::string_view name) {
  for (uint16_t a : {alg::sha1, alg::sha256, alg::sha384, alg::sha512}) {
    if (alg_name(a) == name) return a;
  }
  return std::nullopt;
}

// Left-pads a big-endian integer to n bytes; nullopt when it does not fit.
std::optional<std::vector<uint8_t>> pad(std::span<const uint8_t> v, size_t n) {
  while (!v.empty() && v.size() > n && v[0] == 0) v = v.subspan(1);
  if (v.size() > n) return std::nullopt;
  std::vector<uint8_t> out(n - v.size(), 0);
  out.insert(out.end(), v.begin(), v.end());
  return out;
}

// Verifies sig over message with ak; the error says why it failed.
Result<void> verify_signature(const Public& ak, const Signature& sig,
                              std::span<const uint8_t> message) {
  if (ak.scheme != alg::null && (ak.scheme != sig.alg || ak.scheme_hash != sig.hash)) {
    return make_error(Errc::refused, "signed with " + alg_name(sig.alg) + "/" + alg_name(sig.hash) +
                                         " but the AK's scheme is " + alg_name(ak.scheme) + "/" +
                                         alg_name(ak.scheme_hash));
  }
  auto h = digest_alg(sig.hash);
  if (!h) return make_error(Errc::refused, "hash " + alg_name(sig.hash) + " is not supported");
  if (ak.type == alg::rsa) {
    if (sig.alg != alg::rsassa && sig.alg != alg::rsapss) {
      return make_error(Errc::refused, alg_name(sig.alg) + " signature from an RSA key");
    }
    LEEA_ASSIGN_OR_RETURN(auto key, ak.rsa_key());
    return sig.alg == alg::rsassa ? key.verify_pkcs1(*h, message, sig.rsa)
                                  : key.verify_pss(*h, message, sig.rsa);
  }
  if (sig.alg != alg::ecdsa) {
    return make_error(Errc::refused, alg_name(sig.alg) + " signature from an ECC key");
  }
  if (!((ak.curve == kEccNistP256 && sig.hash == alg::sha256) ||
        (ak.curve == kEccNistP384 && sig.hash == alg::sha384))) {
    return make_error(Errc::refused, "ECDSA on curve " + std::to_string(ak.curve) + " with " +
                                         alg_name(sig.hash) + " is not supported");
  }
  auto key = ak.ecc_key();
  if (!key) return make_error(Errc::refused, "AK: " + key.error().message);
  size_t n = ak.curve == kEccNistP256 ? 32 : 48;
  auto r = pad(sig.r, n);
  auto s = pad(sig.s, n);
  if (!r || !s) return make_error(Errc::refused, "signature verification failed");
  std::vector<uint8_t> rs = *r;
  rs.insert(rs.end(), s->begin(), s->end());
  return key->verify(message, rs, crypto::SigFormat::raw);
}

// pcrDigest over the selected values; the error names what is missing.
Result<void> check_pcr_digest(const QuoteAttest& q, const Signature& sig, const PcrValues& pcrs) {
  auto h = digest_alg(sig.hash);
  if (!h) return make_error(Errc::refused, "hash " + alg_name(sig.hash) + " is not supported");
  crypto::Digest d(*h);
  for (const auto& sel : q.selections) {
    auto bank = pcrs.find(sel.hash);
    for (uint32_t pcr : sel.pcrs) {
      if (bank == pcrs.end() || !bank->second.count(pcr)) {
        return make_error(Errc::refused, "no value for quoted PCR " + alg_name(sel.hash) + ":" +
                                             std::to_string(pcr));
      }
      const auto& value = bank->second.at(pcr);
      if (value.size() != hash_size(sel.hash)) {
        return make_error(Errc::refused, "PCR " + alg_name(sel.hash) + ":" + std::to_string(pcr) +
                                             " has the wrong length");
      }
      d.update(value);
    }
  }
  if (d.finish() != q.pcr_digest) {
    return make_error(Errc::refused, "pcrDigest does not match the PCR values");
  }
  return {};
}

void add_fields(const Public& ak, const QuoteAttest& q, const Signature& sig, Verification& v) {
  v.fields.emplace_back("tpm.ak.type", ak.type == alg::rsa ? "rsa-" + std::to_string(ak.rsa_bits)
                                                           : "ecc-" + std::to_string(ak.curve));
  v.fields.emplace_back("tpm.ak.name", hex_encode(ak.name()));
  v.fields.emplace_back("tpm.signature.alg", alg_name(sig.alg) + "/" + alg_name(sig.hash));
  v.fields.emplace_back("tpm.qualified_signer", hex_encode(q.qualified_signer));
  v.fields.emplace_back("tpm.extra_data", hex_encode(q.extra_data));
  v.fields.emplace_back("tpm.clock", std::to_string(q.clock));
  v.fields.emplace_back("tpm.reset_count", std::to_string(q.reset_count));
  v.fields.emplace_back("tpm.restart_count", std::to_string(q.restart_count));
  v.fields.emplace_back("tpm.firmware_version", std::to_string(q.firmware_version));
  std::string sel;
  for (const auto& s : q.selections) {
    sel += (sel.empty() ? "" : " ") + alg_name(s.hash) + ":";
    for (size_t i = 0; i < s.pcrs.size(); ++i) {
      sel += (i ? "," : "") + std::to_string(s.pcrs[i]);
    }
  }
  v.fields.emplace_back("tpm.pcr_selection", sel);
  v.fields.emplace_back("tpm.pcr_digest", hex_encode(q.pcr_digest));
}

// The checks every TPM quote gets; returns whether the signature was good.
bool check_quote(const Public& ak, std::span<const uint8_t> attest_bytes, const QuoteAttest& q,
                 const Signature& sig, const PcrValues* pcrs, Verification& v) {
  add_fields(ak, q, sig, v);
  bool signed_ok = false;
  if (auto r = verify_signature(ak, sig, attest_bytes)) {
    v.pass("tpm.signature", alg_name(sig.alg) + "/" + alg_name(sig.hash) + " by the AK");
    signed_ok = true;
  } else {
    v.fail("tpm.signature", r.error().message);
  }
  if (pcrs == nullptr) {
    v.fields.emplace_back("tpm.pcr_digest.check", "not made: no PCR values given");
  } else if (auto r = check_pcr_digest(q, sig, *pcrs)) {
    v.pass("tpm.pcr_digest", "matches the quoted PCR values");
  } else {
    v.fail("tpm.pcr_digest", r.error().message);
  }
  if (pcrs != nullptr) {
    for (const auto& sel : q.selections) {
      auto bank = pcrs->find(sel.hash);
      if (bank == pcrs->end()) continue;
      for (uint32_t pcr : sel.pcrs) {
        auto it = bank->second.find(pcr);
        if (it == bank->second.end()) continue;
        std::string name = alg_name(sel.hash);
        v.claims.values["tpm.pcr." + name + "." + std::to_string(pcr)] =
            name + ":" + hex_encode(it->second);
      }
    }
  }
  if (q.extra_data.size() == v.claims.report_data.size()) {
    std::copy(q.extra_data.begin(), q.extra_data.end(), v.claims.report_data.begin());
  }
  return signed_ok;
}

void check_ak_form(const Public& ak, Verification& v) {
  if (ak.is_restricted_signing_key()) {
    v.pass("tpm.ak", "restricted signing key, fixedTPM");
  } else {
    v.fail("tpm.ak", "attributes 0x" +
                         hex_encode(std::vector<uint8_t>{static_cast<uint8_t>(ak.attributes >> 24),
                                                         static_cast<uint8_t>(ak.attributes >> 16),
                                                         static_cast<uint8_t>(ak.attributes >> 8),
                                                         static_cast<uint8_t>(ak.attributes)}) +
                         " are not those of a restricted signing key that never leaves its TPM");
  }
}

Result<std::vector<uint8_t>> b64(const nlohmann::json& j, const char* member) {
  if (!j.contains(member) || !j[member].is_string()) {
    return make_error(Errc::invalid_data, std::string("tpm report: '") + member + "' missing");
  }
  auto bytes = base64url_decode(j[member].get<std::string>());
  if (!bytes) {
    return make_error(Errc::invalid_data,
                      std::string("tpm report: '") + member + "' is not base64url");
  }
  return std::move(*bytes);
}

class Verifier final : public EvidenceVerifier {
 public:
  config::TeeKind kind() const override { return config::TeeKind::tpm; }

  Result<Verification> verify(const std::string& text,
                              const VerifyContext& context) const override {
    LEEA_ASSIGN_OR_RETURN(QuoteReport report, decode_report(text));
    LEEA_ASSIGN_OR_RETURN(QuoteAttest q, parse_quote_attest(report.attest));
    LEEA_ASSIGN_OR_RETURN(Signature sig, parse_signature(report.signature));
    LEEA_ASSIGN_OR_RETURN(Public ak, parse_public_2b(report.ak));
    Verification v;
    const config::OrderConfig* order = context.order;
    int runtime_pcr = report.runtime_pcr;
    bool orders_ak = false;
    if (order != nullptr && order->tpm) {
      runtime_pcr = order->tpm->pcr;
      if (report.ak != order->tpm->ak) {
        v.fail("tpm.ak",
               "the quote is not signed by the AK enrolled for order '" + order->id + "'");
      } else {
        check_ak_form(ak, v);
        orders_ak = v.checks.back().ok;
      }
    } else if (order != nullptr) {
      v.fail("tpm.ak", "order '" + order->id + "' enrols no TPM attestation key");
    } else {
      check_ak_form(ak, v);
      v.fields.emplace_back("tpm.ak.enrolment", "not checked: no order");
    }
    bool signed_ok = check_quote(ak, report.attest, q, sig, &report.pcrs, v);
    if (q.extra_data.size() == 32) {
      v.pass("tpm.extra_data", "32-byte binding");
    } else {
      v.fail("tpm.extra_data",
             "qualifyingData is " + std::to_string(q.extra_data.size()) + " bytes, not 32");
    }
    if (context.log == nullptr) {
      v.fail("tpm.event_log", "no event log to replay into the runtime PCR");
    } else {
      check_event_log(q, report, *context.log, runtime_pcr, v);
      v.claims.values["tpm.event_log"] = "sha256:" + hex_encode(context.log->digest());
    }
    if (order != nullptr && order_relies_on_measured_boot(*order)) {
      static const std::map<uint32_t, std::vector<uint8_t>> kNone;
      auto bank = report.pcrs.find(alg::sha256);
      check_boot_log(report.boot_log, bank == report.pcrs.end() ? kNone : bank->second, v);
    }
    if (order != nullptr && orders_ak && signed_ok) {
      v.claims.host_data = crypto::sha256(order->id);
    }
    v.fields.emplace_back("tpm.runtime_pcr", std::to_string(runtime_pcr));
    return v;
  }

 private:
  static void check_event_log(const QuoteAttest& q, const QuoteReport& report,
                              const evidence::EventLog& log, int runtime_pcr, Verification& v) {
    bool quoted = false;
    for (const auto& sel : q.selections) {
      if (sel.hash == alg::sha256 &&
          std::find(sel.pcrs.begin(), sel.pcrs.end(), static_cast<uint32_t>(runtime_pcr)) !=
              sel.pcrs.end()) {
        quoted = true;
      }
    }
    auto bank = report.pcrs.find(alg::sha256);
    if (!quoted || bank == report.pcrs.end() ||
        !bank->second.count(static_cast<uint32_t>(runtime_pcr))) {
      v.fail("tpm.event_log",
             "runtime PCR sha256:" + std::to_string(runtime_pcr) + " is not in the quote");
      return;
    }
    auto expect = replay(log);
    const auto& got = bank->second.at(static_cast<uint32_t>(runtime_pcr));
    if (std::equal(expect.begin(), expect.end(), got.begin(), got.end())) {
      v.pass("tpm.event_log", std::to_string(log.events.size()) + " events replay to PCR " +
                                  std::to_string(runtime_pcr));
    } else {
      v.fail("tpm.event_log", "replaying " + std::to_string(log.events.size()) +
                                  " events does not give PCR " + std::to_string(runtime_pcr));
    }
  }
};

class Producer final : public EvidenceProducer {
 public:
  Producer(Device device, int runtime_pcr, KeyAlg alg, std::filesystem::path boot_log)
      : device_(std::move(device)),
        runtime_pcr_(runtime_pcr),
        alg_(alg),
        boot_log_path_(std::move(boot_log)) {}
  config::TeeKind kind() const override { return config::TeeKind::tpm; }

  Result<std::string> produce(const Binding& binding, const std::string& /*order_id*/,
                              const evidence::EventLog& log) override {
    LEEA_TRY(extend_once(log));
    std::vector<int> pcrs;
    for (int i = 0; i < kBootPcrs; ++i) pcrs.push_back(i);
    if (runtime_pcr_ >= kBootPcrs) pcrs.push_back(runtime_pcr_);
    QuoteReport report;
    LEEA_ASSIGN_OR_RETURN(report.ak, device_.ak_public(alg_));
    LEEA_ASSIGN_OR_RETURN(DeviceQuote quote, device_.quote(alg_, binding, pcrs));
    report.attest = std::move(quote.attest);
    report.signature = std::move(quote.signature);
    // Read after quoting; the quote's pcrDigest says whether they are the values it signed.
    for (int pcr : pcrs) {
      LEEA_ASSIGN_OR_RETURN(report.pcrs[alg::sha256][static_cast<uint32_t>(pcr)],
                            device_.read_sha256(pcr));
    }
    report.runtime_pcr = runtime_pcr_;
    LEEA_ASSIGN_OR_RETURN(report.boot_log, read_boot_log());
    std::string text = encode_report(report);
    if (text.size() > kMaxReportText) {
      return make_error(Errc::invalid_argument, "tpm report: " + std::to_string(text.size()) +
                                                    " bytes, over 64 KiB (event log too large)");
    }
    return text;
  }

 private:
  // The firmware's event log, where the kernel exposes it (securityfs mounted); none
  // otherwise (a TPM on a host, a test): the verifier decides whether it needed one.
  Result<std::vector<uint8_t>> read_boot_log() const {
    std::error_code ec;
    if (!std::filesystem::exists(boot_log_path_, ec)) return std::vector<uint8_t>();
    auto text = read_file(boot_log_path_, kMaxBootLog);
    if (!text) {
      return make_error(Errc::invalid_argument,
                        "firmware event log: " + text.error().message + " (limit 40 KiB)");
    }
    return std::vector<uint8_t>(text->begin(), text->end());
  }

  // Extends the log into a runtime PCR that is still zero; accepts one that already holds
  // exactly this log (a second attempt in the same boot); refuses anything else.
  Result<void> extend_once(const evidence::EventLog& log) {
    LEEA_ASSIGN_OR_RETURN(std::vector<uint8_t> now, device_.read_sha256(runtime_pcr_));
    auto expect = replay(log);
    if (std::equal(now.begin(), now.end(), expect.begin(), expect.end())) return {};
    if (std::any_of(now.begin(), now.end(), [](uint8_t b) { return b != 0; })) {
      return make_error(Errc::refused, "runtime PCR " + std::to_string(runtime_pcr_) +
                                           " already holds other measurements; reboot first");
    }
    for (const auto& e : log.events) {
      if (evidence::is_volatile(e)) continue;
      LEEA_TRY(device_.extend_sha256(runtime_pcr_, event_measurement(e)));
    }
    return {};
  }

  Device device_;
  int runtime_pcr_;
  KeyAlg alg_;
  std::filesystem::path boot_log_path_;
};

}  // namespace

std::array<uint8_t, 32> event_measurement(const evidence::Event& event) {
  auto d = crypto::Digest(crypto::DigestAlg::sha256)
               .update(std::string_view("leea-event-v1", 14))  // with its zero byte
               .update(event.name)
               .update(std::string_view("\0", 1))
               .update(event.digest)
               .finish();
  std::array<uint8_t, 32> out{};
  std::copy(d.begin(), d.end(), out.begin());
  return out;
}

std::array<uint8_t, 32> replay(const evidence::EventLog& log) {
  std::array<uint8_t, 32> pcr{};
  for (const auto& e : log.events) {
    if (evidence::is_volatile(e)) continue;
    auto m = event_measurement(e);
    auto d = crypto::Digest(crypto::DigestAlg::sha256).update(pcr).update(m).finish();
    std::copy(d.begin(), d.end(), pcr.begin());
  }
  return pcr;
}

std::string encode_report(const QuoteReport& report) {
  nlohmann::json pcrs = nlohmann::json::object();
  for (const auto& [bank, values] : report.pcrs) {
    nlohmann::json b = nlohmann::json::object();
    for (const auto& [index, value] : values) b[std::to_string(index)] = hex_encode(value);
    pcrs[alg_name(bank)] = b;
  }
  nlohmann::json j = {{"v", 1},
                      {"attest", base64url_encode(report.attest)},
                      {"signature", base64url_encode(report.signature)},
                      {"ak", base64url_encode(report.ak)},
                      {"pcrs", pcrs},
                      {"runtime_pcr", report.runtime_pcr}};
  if (!report.boot_log.empty()) j["boot_log"] = base64url_encode(report.boot_log);
  std::string s = j.dump();
  return base64url_encode(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

Result<QuoteReport> decode_report(const std::string& text) {
  if (text.size() > kMaxReportText) {
    return make_error(Errc::invalid_data, "tpm report: over 64 KiB");
  }
  auto raw = base64url_decode(text);
  if (!raw) return make_error(Errc::invalid_data, "tpm report: not base64url");
  auto parsed =
      json::parse(json::bytes_text(*raw), "tpm report", kMaxReportText, Errc::invalid_data);
  if (!parsed) return parsed.error();
  nlohmann::json& j = *parsed;
  if (!j.is_object()) {
    return make_error(Errc::invalid_data, "tpm report: not a JSON object");
  }
  if (!j.contains("v") || j["v"] != 1) {
    return make_error(Errc::invalid_data, "tpm report: 'v' is not 1");
  }
  QuoteReport r;
  LEEA_ASSIGN_OR_RETURN(r.attest, b64(j, "attest"));
  LEEA_ASSIGN_OR_RETURN(r.signature, b64(j, "signature"));
  LEEA_ASSIGN_OR_RETURN(r.ak, b64(j, "ak"));
  if (!j.contains("runtime_pcr") || !j["runtime_pcr"].is_number_integer() ||
      j["runtime_pcr"].get<int64_t>() < 0 || j["runtime_pcr"].get<int64_t>() > kMaxPcrIndex) {
    return make_error(Errc::invalid_data, "tpm report: 'runtime_pcr' is not 0..23");
  }
  r.runtime_pcr = j["runtime_pcr"].get<int>();
  if (j.contains("boot_log")) {
    LEEA_ASSIGN_OR_RETURN(r.boot_log, b64(j, "boot_log"));
    if (r.boot_log.size() > kMaxBootLog) {
      return make_error(Errc::invalid_data, "tpm report: 'boot_log' over 40 KiB");
    }
  }
  if (!j.contains("pcrs") || !j["pcrs"].is_object()) {
    return make_error(Errc::invalid_data, "tpm report: 'pcrs' missing");
  }
  for (const auto& [name, values] : j["pcrs"].items()) {
    auto bank = bank_by_name(name);
    if (!bank || !values.is_object()) {
      return make_error(Errc::invalid_data, "tpm report: 'pcrs." + name + "' is not a bank");
    }
    for (const auto& [index, value] : values.items()) {
      int i = -1;
      if (index.size() <= 2 && !index.empty() &&
          std::all_of(index.begin(), index.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        i = std::stoi(index);
      }
      auto bytes = value.is_string() ? hex_decode(value.get<std::string>()) : std::nullopt;
      if (i < 0 || i > kMaxPcrIndex || !bytes || bytes->size() != hash_size(*bank)) {
        return make_error(Errc::invalid_data,
                          "tpm report: 'pcrs." + name + "." + index + "' is malformed");
      }
      r.pcrs[*bank][static_cast<uint32_t>(i)] = std::move(*bytes);
    }
  }
  return r;
}

Result<PcrValues> parse_pcr_file(std::span<const uint8_t> bytes,
                                 std::span<const PcrSelection> selection, uint16_t bank_hint) {
  if (bytes.size() > kMaxPcrFile) {
    return make_error(Errc::invalid_data, "PCR file: over 64 KiB");
  }
  bool text = std::all_of(bytes.begin(), bytes.end(), [](uint8_t c) {
    return c == '\n' || c == '\r' || c == '\t' || (c >= 0x20 && c < 0x7f);
  });
  PcrValues out;
  size_t expected = 0;
  for (const auto& sel : selection) expected += sel.pcrs.size() * hash_size(sel.hash);
  if (!text || (bytes.size() == expected && expected > 0 && bytes.size() % 32 == 0 &&
                std::none_of(bytes.begin(), bytes.end(), [](uint8_t c) { return c == '\n'; }))) {
    // tpm2_quote -F values: the digests concatenated in selection order.
    if (bytes.size() != expected) {
      return make_error(Errc::invalid_data, "PCR file: " + std::to_string(bytes.size()) +
                                                " bytes of binary values, the selection needs " +
                                                std::to_string(expected));
    }
    size_t at = 0;
    for (const auto& sel : selection) {
      for (uint32_t pcr : sel.pcrs) {
        size_t n = hash_size(sel.hash);
        out[sel.hash][pcr].assign(bytes.begin() + static_cast<ptrdiff_t>(at),
                                  bytes.begin() + static_cast<ptrdiff_t>(at + n));
        at += n;
      }
    }
    return out;
  }
  std::string s(bytes.begin(), bytes.end());
  uint16_t bank = bank_hint;
  size_t line_no = 0;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find('\n', start);
    if (end == std::string::npos) end = s.size();
    std::string line = s.substr(start, end - start);
    start = end + 1;
    ++line_no;
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::string compact;
    for (char c : line) {
      if (!std::isspace(static_cast<unsigned char>(c))) compact += c;
    }
    if (compact.empty() || compact == "pcrs:") continue;
    auto where = "PCR file line " + std::to_string(line_no) + ": ";
    if (compact.back() == ':') {  // "sha256:" starts a bank
      auto b = bank_by_name(compact.substr(0, compact.size() - 1));
      if (!b) return make_error(Errc::invalid_data, where + "unknown bank");
      bank = *b;
      continue;
    }
    // "<index> <hex>" or "<index> : 0x<hex>"
    std::string index;
    std::string value;
    if (auto colon = compact.find(':'); colon != std::string::npos) {
      index = compact.substr(0, colon);
      value = compact.substr(colon + 1);
    } else {
      size_t i = 0;
      while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
      size_t digits = i;
      while (digits < line.size() && std::isdigit(static_cast<unsigned char>(line[digits]))) {
        ++digits;
      }
      index = line.substr(i, digits - i);
      value = compact.substr(index.size());
    }
    if (value.rfind("0x", 0) == 0 || value.rfind("0X", 0) == 0) value = value.substr(2);
    if (index.empty() || index.size() > 2 ||
        !std::all_of(index.begin(), index.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return make_error(Errc::invalid_data, where + "expected '<index> <hex>'");
    }
    int i = std::stoi(index);
    auto v = hex_decode(value);
    if (i > kMaxPcrIndex || !v || v->size() != hash_size(bank)) {
      return make_error(Errc::invalid_data,
                        where + "PCR " + index + " is not a " + alg_name(bank) + " value");
    }
    out[bank][static_cast<uint32_t>(i)] = std::move(*v);
  }
  return out;
}

Result<Verification> verify_standalone(const StandaloneInput& input) {
  LEEA_ASSIGN_OR_RETURN(Public ak, parse_public_any(input.ak));
  LEEA_ASSIGN_OR_RETURN(QuoteAttest q, parse_quote_attest(input.attest));
  LEEA_ASSIGN_OR_RETURN(Signature sig, parse_signature(input.signature));
  std::optional<PcrValues> pcrs;
  if (input.pcrs) {
    uint16_t hint = q.selections.size() == 1 ? q.selections[0].hash : alg::sha256;
    LEEA_ASSIGN_OR_RETURN(pcrs, parse_pcr_file(*input.pcrs, q.selections, hint));
  }
  Verification v;
  check_ak_form(ak, v);
  check_quote(ak, input.attest, q, sig, pcrs ? &*pcrs : nullptr, v);
  if (input.nonce) {
    if (q.extra_data == *input.nonce) {
      v.pass("tpm.nonce", "qualifyingData equals the nonce");
    } else {
      v.fail("tpm.nonce", "qualifyingData " + hex_encode(q.extra_data) + " is not the nonce " +
                              hex_encode(*input.nonce));
    }
  }
  return v;
}

std::unique_ptr<EvidenceVerifier> make_verifier() { return std::make_unique<Verifier>(); }

Result<std::unique_ptr<EvidenceProducer>> make_producer(const ProducerOptions& options, bool rsa) {
  if (options.runtime_pcr < 0 || options.runtime_pcr > kMaxPcrIndex) {
    return make_error(Errc::invalid_argument,
                      "runtime PCR " + std::to_string(options.runtime_pcr) + " is not in 0..23");
  }
  LEEA_ASSIGN_OR_RETURN(Device device, Device::open(options.tcti));
  return std::unique_ptr<EvidenceProducer>(std::make_unique<Producer>(
      std::move(device), options.runtime_pcr, rsa ? KeyAlg::rsa : KeyAlg::ecc,
      options.root / "sys/kernel/security/tpm0/binary_bios_measurements"));
}

}  // namespace leea::tee::tpm
