#include "core/tee/tdx/verify.h"

#include <algorithm>

#include "core/crypto/digest.h"
#include "core/crypto/keys.h"
#include "core/tee/tdx/intel_roots.h"
#include "core/tee/tdx/pck_extension.h"
#include "core/tee/tdx/verify_internal.h"
#include "core/util/encoding.h"
#include "core/util/files.h"

namespace leea::tee::tdx {
namespace {

constexpr uint64_t kTdAttrDebug = 1ull << 0;
constexpr uint64_t kTdAttrMigratable = 1ull << 29;
constexpr size_t kMaxCcelBytes = 16u << 20;
constexpr size_t kMaxPckChain = 4;

std::string mr(const Mr& m) { return "sha384:" + hex_encode(m); }

std::string hex64(uint64_t v) {
  static const char* digits = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) s[static_cast<size_t>(i)] = digits[v & 0xf];
  return s;
}

bool all_zero(std::span<const uint8_t> s) {
  return std::all_of(s.begin(), s.end(), [](uint8_t b) { return b == 0; });
}

void check_quote_signature(const Quote& q, Verification& v) {
  std::vector<uint8_t> point{0x04};
  point.insert(point.end(), q.attestation_key.begin(), q.attestation_key.end());
  auto key = crypto::PublicKey::from_raw(crypto::KeyType::p256, point);
  if (!key) {
    v.fail("tdx.quote_signature", "attestation key: " + key.error().message);
    return;
  }
  auto ok = key->verify(q.signed_bytes, q.signature, crypto::SigFormat::raw);
  if (ok) {
    v.pass("tdx.quote_signature", "attestation key " + key->fingerprint());
  } else {
    v.fail("tdx.quote_signature", "header and TD report do not match the attestation key");
  }
}

void check_qe_report_data(const Quote& q, Verification& v) {
  auto expected = crypto::Digest(crypto::DigestAlg::sha256)
                      .update(q.attestation_key)
                      .update(q.qe_auth_data)
                      .finish();
  std::span<const uint8_t> rd(q.qe_report.report_data);
  if (!std::equal(expected.begin(), expected.end(), rd.begin()) || !all_zero(rd.subspan(32))) {
    v.fail("tdx.qe_report_data",
           "QE report data is not SHA-256(attestation key || QE authentication data) || 0");
  } else {
    v.pass("tdx.qe_report_data");
  }
}

internal::PckChain check_pck_chain(const Quote& q, int64_t now, Verification& v) {
  internal::PckChain chain;
  chain.root = internal::intel_root();
  auto certs = crypto::Certificate::all_from_pem(q.pck_chain_pem, "PCK chain");
  if (!certs) {
    v.fail("tdx.pck_chain", certs.error().message);
    return chain;
  }
  chain.certs = std::move(*certs);
  // Intel's chains are leaf, CA, root; a longer one is not Intel's and only costs time.
  if (chain.certs.size() > kMaxPckChain) {
    v.fail("tdx.pck_chain", std::to_string(chain.certs.size()) + " certificates is too many");
    chain.certs.clear();
    return chain;
  }
  const auto& leaf = chain.certs.front();
  std::span<const crypto::Certificate> intermediates(chain.certs);
  auto ok = crypto::verify_chain(leaf, intermediates.subspan(1), std::span(&*chain.root, 1), now);
  if (!ok) {
    v.fail("tdx.pck_chain", ok.error().message);
  } else if (leaf.subject().find("CN=Intel SGX PCK Certificate") == std::string::npos) {
    v.fail("tdx.pck_chain", "the leaf is not a PCK certificate: " + leaf.subject());
  } else {
    v.pass("tdx.pck_chain", leaf.subject());
  }
  return chain;
}

void check_qe_report_signature(const Quote& q, const internal::PckChain& chain, Verification& v) {
  if (chain.certs.empty()) {
    v.fail("tdx.qe_report_signature", "no PCK certificate");
    return;
  }
  auto key = chain.certs.front().public_key();
  if (!key || key->type() != crypto::KeyType::p256) {
    v.fail("tdx.qe_report_signature", "the PCK certificate has no P-256 key");
    return;
  }
  if (key->verify(q.qe_report_bytes, q.qe_report_signature, crypto::SigFormat::raw)) {
    v.pass("tdx.qe_report_signature");
  } else {
    v.fail("tdx.qe_report_signature", "the QE report is not signed by the PCK key");
  }
}

void fill_claims(const Quote& q, Verification& v) {
  const TdReport& b = q.body;
  Claims& c = v.claims;
  std::copy_n(b.report_data.begin(), 32, c.report_data.begin());
  std::span<const uint8_t> config(b.mr_config_id);
  if (all_zero(config.subspan(32))) {
    std::copy_n(config.begin(), 32, c.host_data.begin());
  } else {
    c.host_data = crypto::sha256(config);  // cannot equal SHA-256(order id) by accident
  }
  c.debug = (b.td_attributes & kTdAttrDebug) != 0;
  c.migration = (b.td_attributes & kTdAttrMigratable) != 0;
  c.values["tdx.mrtd"] = mr(b.mr_td);
  for (size_t i = 0; i < 4; ++i) c.values["tdx.rtmr" + std::to_string(i)] = mr(b.rtmr[i]);
  c.values["tdx.mrseam"] = mr(b.mr_seam);
  c.values["tdx.mrsignerseam"] = mr(b.mr_signer_seam);
  c.values["tdx.mrconfigid"] = mr(b.mr_config_id);
  c.values["tdx.mrowner"] = mr(b.mr_owner);
  c.values["tdx.mrownerconfig"] = mr(b.mr_owner_config);
  if (b.body_type == 3) c.values["tdx.mrservicetd"] = mr(b.mr_service_td);
  c.values["tdx.tee_tcb_svn"] = hex_encode(b.tee_tcb_svn);
  c.values["tdx.td_attributes"] = hex64(b.td_attributes);
  c.values["tdx.xfam"] = hex64(b.xfam);
}

void fill_fields(const Quote& q, const internal::PckChain& chain, Verification& v) {
  auto& f = v.fields;
  f.emplace_back("tdx.version", std::to_string(q.header.version));
  f.emplace_back("tdx.body", q.body.body_type == 3 ? "TDX 1.5 (type 3)" : "TDX 1.0 (type 2)");
  for (const auto& [name, value] : v.claims.values) f.emplace_back(name, value);
  f.emplace_back("tdx.debug", v.claims.debug ? "true" : "false");
  f.emplace_back("tdx.report_data", hex_encode(q.body.report_data));
  f.emplace_back("tdx.qe_isvsvn", std::to_string(q.qe_report.isv_svn));
  f.emplace_back("tdx.trailing_bytes", std::to_string(q.trailing_bytes));
  if (!chain.certs.empty()) f.emplace_back("tdx.pck_subject", chain.certs.front().subject());
}

// The order's minimum TCB, when it sets one.
void check_min_tcb(const Quote& q, std::optional<TcbStatus> status, const VerifyInputs& in,
                   Verification& v) {
  if (in.order == nullptr || !in.order->policy.min_tcb) return;
  auto min = parse_min_tcb(*in.order->policy.min_tcb);
  if (!min) {
    v.fail("policy.min_tcb", min.error().message);
    return;
  }
  if (min->tee_tcb_svn) {
    for (size_t i = 0; i < 16; ++i) {
      if (q.body.tee_tcb_svn[i] < (*min->tee_tcb_svn)[i]) {
        v.fail("policy.min_tcb", "TEE_TCB_SVN " + hex_encode(q.body.tee_tcb_svn) + " is below " +
                                     hex_encode(*min->tee_tcb_svn));
        return;
      }
    }
  }
  if (min->status) {
    if (!status) {
      v.fail("policy.min_tcb", "no TCB status: TCB Info collateral was not supplied or failed");
      return;
    }
    if (*status > *min->status) {
      v.fail("policy.min_tcb", "TCB status " + std::string(tcb_status_name(*status)) +
                                   " is worse than " + std::string(tcb_status_name(*min->status)));
      return;
    }
  }
  v.pass("policy.min_tcb", *in.order->policy.min_tcb);
}

}  // namespace

Result<MinTcb> parse_min_tcb(std::string_view text) {
  MinTcb out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = std::min(text.find(',', pos), text.size());
    std::string_view term = text.substr(pos, end - pos);
    while (!term.empty() && term.front() == ' ') term.remove_prefix(1);
    while (!term.empty() && term.back() == ' ') term.remove_suffix(1);
    auto bad = [&] {
      return make_error(Errc::config, "min_tcb: '" + std::string(term) +
                                          "' is not status=<TCB status> or tee_tcb_svn=<32 hex>");
    };
    std::string_view status = term;
    if (term.rfind("status=", 0) == 0) status = term.substr(7);
    if (term.rfind("tee_tcb_svn=", 0) == 0) {
      auto bytes = hex_decode(term.substr(12));
      if (!bytes || bytes->size() != 16) return bad();
      out.tee_tcb_svn.emplace();
      std::copy(bytes->begin(), bytes->end(), out.tee_tcb_svn->begin());
    } else if (auto s = parse_tcb_status(status)) {
      out.status = s;
    } else {
      return bad();
    }
    pos = end + 1;
  }
  return out;
}

Result<Verification> verify_quote(std::span<const uint8_t> bytes, const VerifyInputs& in) {
  LEEA_ASSIGN_OR_RETURN(Quote q, parse_quote(bytes));
  Verification v;
  check_quote_signature(q, v);
  internal::PckChain chain = check_pck_chain(q, in.now, v);
  check_qe_report_signature(q, chain, v);
  check_qe_report_data(q, v);
  // leea's layout (binding, then zeros) is checked only against an order: quotes made by
  // other software fill all 64 bytes and are still good TDX evidence on their own.
  if (in.order != nullptr) {
    if (all_zero(std::span(q.body.report_data).subspan(32))) {
      v.pass("tdx.report_data");
    } else {
      v.fail("tdx.report_data", "report_data[32:64] is not zero");
    }
  }
  fill_claims(q, v);
  std::optional<TcbStatus> status;
  if (in.collateral != nullptr) {
    status = internal::check_collateral(q, chain, in, v);
  }
  if (in.ccel_log) {
    internal::check_ccel(q, *in.ccel_log, v);
  }
  check_min_tcb(q, status, in, v);
  fill_fields(q, chain, v);
  return v;
}

Result<Verification> verify_quote_files(const std::filesystem::path& quote_path,
                                        const std::filesystem::path& collateral_dir,
                                        const std::filesystem::path& ccel_path, int64_t now,
                                        const config::OrderConfig* order) {
  LEEA_ASSIGN_OR_RETURN(std::string quote, read_file(quote_path, kMaxQuoteSize));
  std::optional<Collateral> collateral;
  if (!collateral_dir.empty()) {
    // A validator's collateral_dir keeps TDX collateral under tdx/: take that too.
    std::error_code ec;
    const bool validator_layout =
        std::filesystem::is_directory(collateral_dir / "tdx", ec) &&
        !std::filesystem::exists(collateral_dir / "collateral.json", ec) &&
        !std::filesystem::exists(collateral_dir / "tcb_info.json", ec);
    LEEA_ASSIGN_OR_RETURN(collateral, load_collateral_dir(validator_layout ? collateral_dir / "tdx"
                                                                           : collateral_dir));
  }
  std::string ccel;
  VerifyInputs in;
  in.now = now;
  in.order = order;
  in.collateral = collateral ? &*collateral : nullptr;
  if (!ccel_path.empty()) {
    LEEA_ASSIGN_OR_RETURN(ccel, read_file(ccel_path, kMaxCcelBytes));
    in.ccel_log = std::span(reinterpret_cast<const uint8_t*>(ccel.data()), ccel.size());
  }
  return verify_quote(std::span(reinterpret_cast<const uint8_t*>(quote.data()), quote.size()), in);
}

}  // namespace leea::tee::tdx
