#include "core/tee/snp/verify.h"

#include <algorithm>
#include <system_error>

#include "core/crypto/signature.h"
#include "core/util/encoding.h"
#include "core/util/files.h"

namespace leea::tee::snp {
namespace {

std::string digest_value(std::string_view alg, std::span<const uint8_t> d) {
  return std::string(alg) + ":" + hex_encode(d);
}

std::string tcb_file_name(uint64_t raw) {
  std::array<uint8_t, 8> bytes{};
  for (size_t i = 0; i < 8; ++i) bytes[i] = static_cast<uint8_t>(raw >> (8 * i));
  return hex_encode(bytes);
}

// The VCEK for this chip and TCB from the offline cache, or a reason why there is none.
Result<crypto::Certificate> cached_vcek(const std::filesystem::path& dir, const Report& r) {
  if (dir.empty()) {
    return make_error(Errc::refused, "no VCEK with the report and no collateral directory");
  }
  if (std::all_of(r.chip_id.begin(), r.chip_id.end(), [](uint8_t b) { return b == 0; })) {
    return make_error(Errc::refused, "no VCEK with the report and its chip id is masked");
  }
  const std::string file = tcb_file_name(r.reported_tcb.raw) + ".der";
  auto path = dir / "snp" / "vcek" / hex_encode(r.chip_id) / file;
  std::error_code ec;
  // A Turin chip is named by the 8 bytes its VCEK's hwID holds (as AMD's KDS names it); the
  // rest of its CHIP_ID is zero.
  const bool turin_like =
      std::all_of(r.chip_id.begin() + 8, r.chip_id.end(), [](uint8_t b) { return b == 0; });
  if (turin_like && !std::filesystem::exists(path, ec)) {
    path = dir / "snp" / "vcek" / hex_encode(std::span<const uint8_t>(r.chip_id.data(), 8)) / file;
  }
  if (!std::filesystem::exists(path, ec)) {
    return make_error(Errc::refused, "no VCEK with the report and none at " + path.string());
  }
  return crypto::Certificate::load(path);
}

void check_signature(const Report& r, std::span<const uint8_t> bytes,
                     const crypto::Certificate* cert, Verification& v) {
  if (r.signature_algo != 1) {
    v.fail("snp.signature", "SIGNATURE_ALGO " + std::to_string(r.signature_algo) +
                                " is not 1 (ECDSA P-384 with SHA-384)");
    return;
  }
  if (cert == nullptr) {
    v.fail("snp.signature", "no key certificate to verify with");
    return;
  }
  auto key = cert->public_key();
  if (!key || key->type() != crypto::KeyType::p384) {
    v.fail("snp.signature", "the key certificate does not hold a P-384 key");
    return;
  }
  std::array<uint8_t, 96> rs{};
  std::copy(r.sig_r.begin(), r.sig_r.end(), rs.begin());
  std::copy(r.sig_s.begin(), r.sig_s.end(), rs.begin() + 48);
  auto ok = key->verify(bytes.first(kSignedSize), rs, crypto::SigFormat::raw);
  if (ok) {
    v.pass("snp.signature", "ECDSA P-384 by " + crypto::common_name(cert->subject()));
  } else {
    v.fail("snp.signature", "the report signature does not verify with " +
                                crypto::common_name(cert->subject()) + " (" + ok.error().message +
                                ")");
  }
}

void check_product(const Report& r, const KeyCertInfo* info, Verification& v) {
  Product cert_product = info != nullptr ? info->product : Product::unknown;
  if (r.cpuid_family && r.product == Product::unknown) {
    v.fail("snp.product", "CPUID family/model of the report is not a known product");
  } else if (cert_product == Product::unknown) {
    v.fail("snp.product", "the key certificate names no known product");
  } else if (r.cpuid_family && r.product != cert_product) {
    v.fail("snp.product", "the report's CPUID says " + std::string(product_name(r.product)) +
                              ", the key certificate " + std::string(product_name(cert_product)));
  } else {
    v.pass("snp.product", std::string(product_name(cert_product)));
  }
}

void check_tcb_and_chip(const Report& r, const KeyCertInfo* info, bool vlek, Verification& v) {
  if (info == nullptr) {
    v.fail("snp.tcb", "no key certificate to compare with");
  } else if (auto diff = tcb_mismatch(*info, r.reported_tcb); !diff.empty()) {
    v.fail("snp.tcb", "REPORTED_TCB differs from the key certificate: " + diff);
  } else {
    v.pass("snp.tcb", tcb_text(r.reported_tcb));
  }
  if (vlek) return;
  if (info == nullptr || !info->hwid) {
    v.fail("snp.chip_id", "the VCEK states no hwID");
  } else if (!chip_id_matches(*info->hwid, r.chip_id)) {
    v.fail("snp.chip_id", info->hwid->size() == 8
                              ? "CHIP_ID is not the Turin VCEK's 8-byte hwID followed by zeros"
                              : "CHIP_ID differs from the VCEK hwID");
  } else {
    v.pass("snp.chip_id");
  }
}

void check_policy_and_binding(const Report& r, const VerifyContext& context, Verification& v) {
  if (((r.policy.raw >> 17) & 1) == 0) {
    v.fail("snp.policy", "GUEST_POLICY bit 17 (reserved, must be one) is zero");
  } else {
    v.pass("snp.policy");
  }
  if (context.order == nullptr) return;
  if (std::any_of(r.report_data.begin() + 32, r.report_data.end(), [](uint8_t b) { return b; })) {
    v.fail("snp.report_data", "REPORT_DATA bytes 32..63 are not zero");
  } else {
    v.pass("snp.report_data");
  }
  // leea's guest asks for its report from VMPL 0; a report from a less privileged level
  // (code beside an SVSM or paravisor) chose its report data without the guest kernel.
  if (r.vmpl != 0) {
    v.fail("snp.vmpl", "the report was requested at VMPL " + std::to_string(r.vmpl) + ", not 0");
  } else {
    v.pass("snp.vmpl");
  }
  const auto& min = context.order->policy.min_tcb;
  if (!min) return;
  auto parsed = parse_min_tcb(*min);
  if (!parsed) {
    v.fail("policy.min_tcb", parsed.error().message);
  } else if (auto low = min_tcb_shortfall(r.reported_tcb, *parsed); !low.empty()) {
    v.fail("policy.min_tcb",
           "REPORTED_TCB " + tcb_text(r.reported_tcb) + " is below " + *min + ": " + low);
  } else {
    v.pass("policy.min_tcb", tcb_text(r.reported_tcb) + " meets " + *min);
  }
}

void fill_claims(const Report& r, Verification& v) {
  Claims& c = v.claims;
  std::copy_n(r.report_data.begin(), c.report_data.size(), c.report_data.begin());
  c.host_data = r.host_data;
  c.debug = r.policy.debug;
  c.smt = r.policy.smt;
  c.migration = r.policy.migrate_ma;
  c.values = {
      {"snp.measurement", digest_value("sha384", r.measurement)},
      {"snp.host_data", digest_value("sha256", r.host_data)},
      {"snp.id_key_digest", digest_value("sha384", r.id_key_digest)},
      {"snp.author_key_digest", digest_value("sha384", r.author_key_digest)},
      {"snp.family_id", hex_encode(r.family_id)},
      {"snp.image_id", hex_encode(r.image_id)},
      {"snp.guest_svn", std::to_string(r.guest_svn)},
      {"snp.vmpl", std::to_string(r.vmpl)},
      {"snp.reported_tcb", tcb_text(r.reported_tcb)},
      {"snp.signing_key", r.signing_key == kSigningKeyVlek ? "VLEK" : "VCEK"},
  };
  for (const auto& [name, value] : v.fields) {
    if (name == "snp.policy") c.values[name] = value;
  }
}

struct KeyCheck {
  std::optional<crypto::Certificate> cert;
  std::optional<KeyCertInfo> info;
};

// Finds the signing key's certificate (attached, else cached), reads its AMD extensions and
// checks its chain; r is decoded again with the Turin TCB layout when a v2 report's key
// certificate is for Turin (a v2 report carries no CPUID to tell).
KeyCheck check_key_chain(Report& r, std::span<const uint8_t> bytes, const KeyMaterial& keys,
                         const VerifyContext& context, const TrustAnchors& anchors,
                         Verification& v) {
  const bool vlek = r.signing_key == kSigningKeyVlek;
  const std::string name = vlek ? "snp.vlek_chain" : "snp.vcek_chain";
  KeyCheck k;
  k.cert = keys.key_cert;
  if (!keys.problem.empty()) {
    v.fail(name, keys.problem);
    return k;
  }
  if (!k.cert && vlek) {
    v.fail(name, "no VLEK with the report");
    return k;
  }
  if (!k.cert) {
    auto cached = cached_vcek(context.collateral_dir, r);
    if (!cached) {
      v.fail(name, cached.error().message);
      return k;
    }
    k.cert = std::move(*cached);
  }
  v.fields.emplace_back("snp.key_cert.subject", k.cert->subject());
  v.fields.emplace_back("snp.key_cert.issuer", k.cert->issuer());
  auto info = read_key_cert_info(*k.cert);
  if (!info) {
    v.fail(name, info.error().message);
    return k;
  }
  k.info = std::move(*info);
  v.fields.emplace_back("snp.key_cert.product_name", k.info->product_name);
  if (!k.info->csp_id.empty()) v.fields.emplace_back("snp.key_cert.csp_id", k.info->csp_id);
  if (r.version == 2 && k.info->product == Product::turin) {
    if (auto turin = parse_report(bytes, true)) r = std::move(*turin);
  }
  // The certificate's own product picks the roots; snp.product compares it with the CPUID.
  Product product = k.info->product != Product::unknown ? k.info->product : r.product;
  auto chain = verify_key_chain(*k.cert, vlek, product, keys.intermediates, anchors, context.now);
  if (chain) {
    v.pass(name,
           crypto::common_name(k.cert->subject()) + " → " + crypto::common_name(k.cert->issuer()));
  } else {
    v.fail(name, chain.error().message);
  }
  return k;
}

class Verifier final : public EvidenceVerifier {
 public:
  config::TeeKind kind() const override { return config::TeeKind::snp; }
  Result<Verification> verify(const std::string& report,
                              const VerifyContext& context) const override {
    return verify_text(report, context);
  }
};

}  // namespace

Result<DecodedText> decode_report_text(std::string_view text) {
  if (text.size() > kMaxReportText) {
    return make_error(Errc::invalid_data, "SEV-SNP report text: longer than " +
                                              std::to_string(kMaxReportText) + " bytes");
  }
  DecodedText out;
  size_t dot = text.find('.');
  auto report = base64url_decode(text.substr(0, dot));
  if (!report)
    return make_error(Errc::invalid_data, "SEV-SNP report text: report is not base64url");
  out.report = std::move(*report);
  if (dot == std::string_view::npos) return out;
  auto attachment = base64url_decode(text.substr(dot + 1));
  if (!attachment || attachment->empty()) {
    out.keys.problem = "the attachment is not base64url";
    return out;
  }
  if ((*attachment)[0] == 0x30) {
    auto cert = crypto::Certificate::from_der(*attachment, "attached key certificate");
    if (cert) {
      out.keys.key_cert = std::move(*cert);
    } else {
      out.keys.problem = cert.error().message;
    }
    return out;
  }
  auto table = parse_cert_table(*attachment);
  if (!table) {
    out.keys.problem = table.error().message;
    return out;
  }
  for (const auto& e : *table) {
    if (e.kind == CertKind::ark || e.kind == CertKind::other) continue;
    auto cert = crypto::Certificate::from_der(e.der, "certificate table entry");
    if (!cert) {
      out.keys.problem = cert.error().message;
      return out;
    }
    if (e.kind == CertKind::ask) {
      out.keys.intermediates.push_back(std::move(*cert));
    } else if (out.keys.key_cert) {
      out.keys.problem = "the certificate table holds more than one VCEK/VLEK";
      return out;
    } else {
      out.keys.key_cert = std::move(*cert);
    }
  }
  return out;
}

std::string encode_report_text(std::span<const uint8_t> report,
                               std::span<const uint8_t> attachment) {
  std::string text = base64url_encode(report);
  if (!attachment.empty()) text += "." + base64url_encode(attachment);
  return text;
}

Result<Verification> verify_report(std::span<const uint8_t> bytes, const KeyMaterial& keys,
                                   const VerifyContext& context, const TrustAnchors& anchors) {
  LEEA_ASSIGN_OR_RETURN(Report r, parse_report(bytes));
  Verification v;
  const bool vlek = r.signing_key == kSigningKeyVlek;
  if (r.signing_key == kSigningKeyVcek || vlek) {
    v.pass("snp.signing_key", vlek ? "VLEK" : "VCEK");
  } else {
    v.fail("snp.signing_key",
           "SIGNING_KEY " + std::to_string(r.signing_key) + " names neither the VCEK nor the VLEK");
  }
  KeyCheck key = check_key_chain(r, bytes, keys, context, anchors, v);
  const KeyCertInfo* info = key.info ? &*key.info : nullptr;
  check_signature(r, bytes, key.cert ? &*key.cert : nullptr, v);
  check_product(r, info, v);
  check_tcb_and_chip(r, info, vlek, v);
  check_policy_and_binding(r, context, v);
  auto fields = report_fields(r);
  v.fields.insert(v.fields.begin(), fields.begin(), fields.end());
  fill_claims(r, v);
  const Product product = r.product != Product::unknown ? r.product
                          : info != nullptr             ? info->product
                                                        : Product::unknown;
  v.claims.values["snp.product"] = std::string(product_name(product));
  return v;
}

Result<Verification> verify_text(std::string_view text, const VerifyContext& context,
                                 const TrustAnchors& anchors) {
  LEEA_ASSIGN_OR_RETURN(DecodedText d, decode_report_text(text));
  return verify_report(d.report, d.keys, context, anchors);
}

Result<Verification> verify_files(const std::filesystem::path& report,
                                  const std::filesystem::path& vcek,
                                  const std::filesystem::path& chain,
                                  const VerifyContext& context) {
  LEEA_ASSIGN_OR_RETURN(std::string data, read_file(report, kMaxReportText));
  DecodedText d;
  if (data.size() == kReportSize) {
    d.report.assign(data.begin(), data.end());
  } else {
    while (!data.empty() && (data.back() == '\n' || data.back() == '\r' || data.back() == ' ')) {
      data.pop_back();
    }
    auto decoded = decode_report_text(data);
    if (!decoded)
      return make_error(decoded.error().code, report.string() + ": " + decoded.error().message);
    d = std::move(*decoded);
  }
  if (!vcek.empty()) {
    LEEA_ASSIGN_OR_RETURN(d.keys.key_cert, crypto::Certificate::load(vcek));
    d.keys.problem.clear();
  }
  if (!chain.empty()) {
    LEEA_ASSIGN_OR_RETURN(auto certs, crypto::Certificate::load_all(chain));
    d.keys.intermediates.insert(d.keys.intermediates.end(), certs.begin(), certs.end());
  }
  return verify_report(d.report, d.keys, context);
}

std::unique_ptr<EvidenceVerifier> make_verifier() { return std::make_unique<Verifier>(); }

}  // namespace leea::tee::snp
