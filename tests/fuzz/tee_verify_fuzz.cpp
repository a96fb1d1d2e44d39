// Each evidence kind's verifier, from its report text (core/tee/evidence.h), without
// collateral: every parse and check a report reaches before any trust anchor decides. The
// first input byte picks the kind; the rest is the kind's payload, which the harness
// encodes as the producer would so that mutations land in the report, not its base64url:
//   0 sim  the report text as is
//   1 snp  the raw report, then optionally 0xFF 'C' 'T' and a certificate table
//   2 tdx  the raw quote, then optionally 0xFF 'C' 'L' and a CCEL log
//   3 tpm  the report's JSON text (attest/signature/ak/pcrs/boot_log)
#include <string>

#include "core/tee/evidence.h"
#include "core/util/encoding.h"
#include "tests/fuzz/fuzz.h"

namespace {

using namespace leea;

std::string two_parts(std::span<const uint8_t> in, char tag) {
  static constexpr uint8_t kMark0 = 0xFF, kMark1 = 'C';
  for (size_t i = 0; i + 3 <= in.size(); ++i) {
    if (in[i] == kMark0 && in[i + 1] == kMark1 && in[i + 2] == static_cast<uint8_t>(tag)) {
      return base64url_encode(in.first(i)) + "." + base64url_encode(in.subspan(i + 3));
    }
  }
  return base64url_encode(in);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto in = fuzz::select(data, size);
  config::TeeKind kind;
  std::string report;
  switch (in.selector % 4) {
    case 0:
      kind = config::TeeKind::sim;
      report = std::string(fuzz::text(in.rest.data(), in.rest.size()));
      break;
    case 1:
      kind = config::TeeKind::snp;
      report = two_parts(in.rest, 'T');
      break;
    case 2:
      kind = config::TeeKind::tdx;
      report = two_parts(in.rest, 'L');
      break;
    default:
      kind = config::TeeKind::tpm;
      report = base64url_encode(in.rest);
      break;
  }
  static const auto verifiers = [] {
    std::array<std::unique_ptr<tee::EvidenceVerifier>, 4> v;
    for (auto k :
         {config::TeeKind::sim, config::TeeKind::snp, config::TeeKind::tdx, config::TeeKind::tpm}) {
      v[static_cast<size_t>(k)] = tee::make_verifier(k);
    }
    return v;
  }();
  const auto& verifier = verifiers[static_cast<size_t>(kind)];
  if (!verifier) return 0;
  tee::VerifyContext context;
  context.now = 1767225600;  // 2026-01-01: inside the validity of the test data's certificates
  auto v = verifier->verify(report, context);
  if (v) {
    fuzz::require(!v->ok() || !v->checks.empty(), "a verification with no checks is ok()");
    (void)v->failures();
  }
  return 0;
}
