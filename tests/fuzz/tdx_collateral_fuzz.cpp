// TDX collateral: QuoteCollateralV3 JSON, PCS responses, and the TCB Info / QE identity
// documents they carry, evaluated against a fixed platform (core/tee/tdx/collateral.h).
#include "core/tee/tdx/collateral.h"
#include "tests/fuzz/fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace leea;
  auto in = fuzz::select(data, size);
  auto t = fuzz::text(in.rest.data(), in.rest.size());
  tee::tdx::PckExtension pck;
  pck.fmspc = {0x90, 0xc0, 0x6f, 0x00, 0x00, 0x00};
  tee::tdx::TdReport body;
  tee::tdx::QeReport qe;
  switch (in.selector % 4) {
    case 0:
      if (auto c = tee::tdx::parse_quote_collateral(t, "fuzz collateral")) {
        tee::tdx::DocumentValidity validity;
        if (c->tcb_info) (void)tee::tdx::evaluate_tcb(c->tcb_info->text, pck, body, &validity);
        if (c->qe_identity) (void)tee::tdx::evaluate_qe_identity(c->qe_identity->text, qe);
      }
      break;
    case 1:
      (void)tee::tdx::parse_pcs_response(t, "tcbInfo", "fuzz response");
      break;
    case 2:
      (void)tee::tdx::evaluate_tcb(t, pck, body);
      break;
    default:
      (void)tee::tdx::evaluate_qe_identity(t, qe);
      break;
  }
  return 0;
}
