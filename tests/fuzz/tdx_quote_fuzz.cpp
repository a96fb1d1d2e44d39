// Intel TDX DCAP quotes v4/v5 and the PCK certificate's SGX extension (core/tee/tdx): the
// selector's low bit picks which.
#include "core/tee/tdx/pck_extension.h"
#include "core/tee/tdx/quote.h"
#include "tests/fuzz/fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace leea;
  auto in = fuzz::select(data, size);
  if ((in.selector & 1) == 0) {
    auto q = tee::tdx::parse_quote(in.rest);
    if (q) {
      fuzz::require(q->signed_bytes.size() <= in.rest.size(), "signed bytes beyond the input");
      fuzz::require(q->qe_report_bytes.size() == tee::tdx::kQeReportSize,
                    "a QE report that is not 384 bytes");
    }
  } else {
    (void)tee::tdx::parse_pck_extension(in.rest);
  }
  return 0;
}
