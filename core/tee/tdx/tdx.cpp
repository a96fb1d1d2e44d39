#include "core/tee/tdx/tdx.h"

#include <algorithm>

#include "core/tee/tdx/collateral.h"
#include "core/tee/tdx/verify.h"
#include "core/util/encoding.h"

namespace leea::tee::tdx {
namespace {

// Fails name when the verification made no such check.
void require_check(Verification& v, const std::string& name, const std::string& why) {
  bool made =
      std::any_of(v.checks.begin(), v.checks.end(), [&](const Check& c) { return c.name == name; });
  if (!made) v.fail(name, why + " (collateral_dir/tdx, see leea-evidence(1))");
}

class Verifier final : public EvidenceVerifier {
 public:
  config::TeeKind kind() const override { return config::TeeKind::tdx; }

  Result<Verification> verify(const std::string& report,
                              const VerifyContext& context) const override {
    LEEA_ASSIGN_OR_RETURN(ReportParts parts, decode_report(report));
    VerifyInputs in;
    in.now = context.now;
    in.order = context.order;
    std::optional<Collateral> collateral;
    std::optional<Error> collateral_error;
    if (!context.collateral_dir.empty()) {
      auto loaded = load_collateral_dir(context.collateral_dir / "tdx");
      if (loaded) {
        collateral = std::move(*loaded);
        in.collateral = &*collateral;
      } else {
        collateral_error = loaded.error();
      }
    }
    if (parts.ccel_log) in.ccel_log = std::span<const uint8_t>(*parts.ccel_log);
    LEEA_ASSIGN_OR_RETURN(Verification v, verify_quote(parts.quote, in));
    if (collateral_error) v.fail("tdx.collateral", collateral_error->message);
    // Appraisal needs what only collateral proves: without the QE identity, an enclave
    // that is not Intel's TD quoting enclave could have certified the attestation key;
    // without TCB Info and CRLs, an out-of-date or revoked platform would pass.
    require_check(v, "tdx.qe_identity", "no QE identity in the collateral directory");
    require_check(v, "tdx.tcb", "no TCB Info in the collateral directory");
    require_check(v, "tdx.pck_revocation", "no PCK and root CRLs in the collateral directory");
    return v;
  }
};

}  // namespace

Result<std::string> encode_report(std::span<const uint8_t> quote,
                                  std::optional<std::span<const uint8_t>> ccel_log) {
  std::string text = base64url_encode(quote);
  if (ccel_log) text += "." + base64url_encode(*ccel_log);
  if (text.size() > kMaxReportText) {
    return make_error(Errc::invalid_argument, "tdx report: " + std::to_string(text.size()) +
                                                  " bytes of text is over " +
                                                  std::to_string(kMaxReportText));
  }
  return text;
}

Result<ReportParts> decode_report(std::string_view text) {
  if (text.size() > kMaxReportText) {
    return make_error(Errc::invalid_data, "tdx report: longer than the limit");
  }
  size_t dot = text.find('.');
  if (dot != std::string_view::npos && text.find('.', dot + 1) != std::string_view::npos) {
    return make_error(Errc::invalid_data, "tdx report: more than two parts");
  }
  ReportParts parts;
  auto quote = base64url_decode(text.substr(0, dot));
  if (!quote || quote->empty()) {
    return make_error(Errc::invalid_data, "tdx report: the quote is not base64url");
  }
  parts.quote = std::move(*quote);
  if (dot != std::string_view::npos) {
    auto log = base64url_decode(text.substr(dot + 1));
    if (!log || log->empty()) {
      return make_error(Errc::invalid_data, "tdx report: the CCEL log is not base64url");
    }
    parts.ccel_log = std::move(*log);
  }
  return parts;
}

std::unique_ptr<EvidenceVerifier> make_verifier() { return std::make_unique<Verifier>(); }

}  // namespace leea::tee::tdx
