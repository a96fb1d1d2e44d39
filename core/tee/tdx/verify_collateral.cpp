// The collateral half of verify_quote: CRLs, TCB Info and the QE identity.
#include <algorithm>

#include "core/crypto/crl.h"
#include "core/crypto/keys.h"
#include "core/tee/tdx/intel_roots.h"
#include "core/tee/tdx/pck_extension.h"
#include "core/tee/tdx/verify_internal.h"
#include "core/util/encoding.h"
#include "core/util/time.h"

namespace leea::tee::tdx::internal {
namespace {

constexpr std::string_view kTcbSignerCn = "Intel SGX TCB Signing";

// Both issues of the Intel SGX TCB Signing certificate, parsed once: they are constants.
Result<const std::vector<crypto::Certificate>*> pinned_tcb_signers() {
  static const Result<std::vector<crypto::Certificate>> certs =
      []() -> Result<std::vector<crypto::Certificate>> {
    std::vector<crypto::Certificate> out;
    for (const char* pem : kIntelTcbSigningPems) {
      LEEA_ASSIGN_OR_RETURN(auto c, crypto::Certificate::from_pem(pem, "pinned TCB signing"));
      out.push_back(std::move(c));
    }
    return out;
  }();
  if (!certs) return certs.error();
  return &*certs;
}

// The certificate that signed a collateral document, verified up to the Intel root at now.
Result<crypto::Certificate> document_signer(const SignedDocument& doc, int64_t now) {
  const crypto::Certificate& root = intel_root();
  std::vector<crypto::Certificate> candidates;
  if (!doc.issuer_chain_pem.empty()) {
    LEEA_ASSIGN_OR_RETURN(candidates,
                          crypto::Certificate::all_from_pem(doc.issuer_chain_pem, "issuer chain"));
  } else {
    LEEA_ASSIGN_OR_RETURN(const auto* pinned, pinned_tcb_signers());
    candidates = *pinned;
  }
  // With the pinned pair, the issue current at `now` is the signer; with a supplied chain
  // the first certificate is, and the others are its intermediates.
  size_t tries = doc.issuer_chain_pem.empty() ? candidates.size() : 1;
  Error last = make_error(Errc::refused, "no TCB signing certificate");
  for (size_t i = 0; i < tries; ++i) {
    const auto& signer = candidates[i];
    std::span<const crypto::Certificate> rest(candidates);
    auto ok =
        crypto::verify_chain(signer, doc.issuer_chain_pem.empty() ? rest.first(0) : rest.subspan(1),
                             std::span(&root, 1), now);
    if (!ok) {
      last = std::move(ok).error();
      continue;
    }
    if (crypto::common_name(signer.subject()) != kTcbSignerCn) {
      return make_error(Errc::refused, "signed by " + signer.subject() + ", not TCB Signing");
    }
    return signer;
  }
  return last;
}

Result<void> verify_document(const SignedDocument& doc, int64_t now) {
  LEEA_ASSIGN_OR_RETURN(crypto::Certificate signer, document_signer(doc, now));
  LEEA_ASSIGN_OR_RETURN(crypto::PublicKey key, signer.public_key());
  auto text = std::span(reinterpret_cast<const uint8_t*>(doc.text.data()), doc.text.size());
  if (doc.signature.size() != 64 || !key.verify(text, doc.signature, crypto::SigFormat::raw)) {
    return make_error(Errc::refused, "signature does not verify with " + signer.subject());
  }
  return {};
}

Result<void> fresh(const DocumentValidity& d, int64_t now) {
  if (now < d.issue_date) {
    return make_error(Errc::refused, "issued " + format_rfc3339(d.issue_date) + ", after the time");
  }
  if (now > d.next_update) {
    return make_error(Errc::refused, "expired at nextUpdate " + format_rfc3339(d.next_update));
  }
  return {};
}

// PCK CRL (issuer: the PCK CA in the quote's chain) and root CRL (issuer: the root).
void check_revocation(const Collateral& col, const PckChain& chain, int64_t now, Verification& v) {
  if (!col.pck_crl && !col.root_crl) return;
  const char* name = "tdx.pck_revocation";
  if (!col.pck_crl || !col.root_crl) {
    v.fail(name, "both the PCK CRL and the root CRL are needed");
    return;
  }
  if (chain.certs.size() < 2) {
    v.fail(name, "the PCK chain has no CA certificate");
    return;
  }
  auto pck_crl = crypto::Crl::from_der(*col.pck_crl, "PCK CRL");
  auto root_crl = crypto::Crl::from_der(*col.root_crl, "root CRL");
  if (!pck_crl || !root_crl) {
    v.fail(name, (!pck_crl ? pck_crl : root_crl).error().message);
    return;
  }
  const auto& leaf = chain.certs[0];
  const auto& ca = chain.certs[1];
  if (auto ok = pck_crl->verify(ca, now); !ok) return v.fail(name, ok.error().message);
  if (auto ok = root_crl->verify(intel_root(), now); !ok) return v.fail(name, ok.error().message);
  if (pck_crl->revokes(leaf)) return v.fail(name, "the PCK certificate is revoked");
  if (root_crl->revokes(ca)) return v.fail(name, "the PCK CA certificate is revoked");
  v.pass(name);
}

bool acceptable(TcbStatus s) {
  return s == TcbStatus::up_to_date || s == TcbStatus::sw_hardening_needed;
}

std::optional<TcbStatus> check_tcb(const SignedDocument& doc, const Quote& q, const PckChain& chain,
                                   int64_t now, Verification& v) {
  auto signed_ok = verify_document(doc, now);
  DocumentValidity validity;
  std::optional<PckExtension> pck;
  if (!chain.certs.empty()) {
    auto ext = chain.certs.front().extension(kSgxExtensionOid);
    if (ext && *ext) {
      auto parsed = parse_pck_extension(**ext);
      if (parsed) pck = *parsed;
    }
  }
  if (!pck) {
    v.fail("tdx.tcb_info", "the PCK certificate has no readable SGX extension");
    v.fail("tdx.tcb", "no PCK TCB to match");
    return std::nullopt;
  }
  v.claims.values["tdx.fmspc"] = hex_encode(pck->fmspc);
  auto eval = evaluate_tcb(doc.text, *pck, q.body, &validity);
  if (!signed_ok) {
    v.fail("tdx.tcb_info", signed_ok.error().message);
  } else if (!eval && eval.error().code == Errc::invalid_data) {
    v.fail("tdx.tcb_info", eval.error().message);
  } else if (auto f = fresh(validity, now); !f) {
    v.fail("tdx.tcb_info", f.error().message);
  } else {
    v.pass("tdx.tcb_info");
  }
  if (!eval) {
    v.fail("tdx.tcb", eval.error().message);
    return std::nullopt;
  }
  TcbStatus overall = eval->overall();
  std::string detail = std::string(tcb_status_name(overall));
  for (const auto& a : eval->advisory_ids) detail += " " + a;
  v.claims.values["tdx.tcb_status"] = std::string(tcb_status_name(overall));
  if (acceptable(overall)) {
    v.pass("tdx.tcb", detail);
  } else {
    v.fail("tdx.tcb", "TCB status " + detail);
  }
  return overall;
}

std::optional<TcbStatus> check_qe(const SignedDocument& doc, const Quote& q, int64_t now,
                                  Verification& v) {
  auto signed_ok = verify_document(doc, now);
  DocumentValidity validity;
  auto status = evaluate_qe_identity(doc.text, q.qe_report, &validity);
  const char* name = "tdx.qe_identity";
  if (!signed_ok) {
    v.fail(name, signed_ok.error().message);
  } else if (!status) {
    v.fail(name, status.error().message);
  } else if (auto f = fresh(validity, now); !f) {
    v.fail(name, f.error().message);
  } else if (*status >= TcbStatus::out_of_date) {
    v.fail(name, "QE status " + std::string(tcb_status_name(*status)));
  } else {
    v.pass(name, std::string(tcb_status_name(*status)));
  }
  if (!status) return std::nullopt;
  return *status;
}

}  // namespace

const crypto::Certificate& intel_root() {
  // The compiled-in PEM is a constant that the tests parse; failure is a build defect.
  static const crypto::Certificate root =
      *crypto::Certificate::from_pem(kIntelSgxRootCaPem, "pinned Intel SGX Root CA");
  return root;
}

std::optional<TcbStatus> check_collateral(const Quote& q, const PckChain& chain,
                                          const VerifyInputs& in, Verification& v) {
  const Collateral& col = *in.collateral;
  check_revocation(col, chain, in.now, v);
  std::optional<TcbStatus> status;
  if (col.tcb_info) status = check_tcb(*col.tcb_info, q, chain, in.now, v);
  if (col.qe_identity) {
    auto qe = check_qe(*col.qe_identity, q, in.now, v);
    if (status && qe) status = std::max(*status, *qe);
    if (status && !qe) status.reset();
  }
  if (status) v.claims.values["tdx.tcb_status"] = std::string(tcb_status_name(*status));
  return status;
}

}  // namespace leea::tee::tdx::internal
