// SEV-SNP attestation reports and certificate tables (core/tee/snp): bounded, total parsers.
#include "core/tee/snp/certs.h"
#include "core/tee/snp/report.h"
#include "tests/fuzz/fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace leea;
  auto in = fuzz::select(data, size);
  bool turin = (in.selector & 1) != 0;
  if (auto r = tee::snp::parse_report(in.rest, turin)) {
    auto fields = tee::snp::report_fields(*r);
    fuzz::require(!fields.empty(), "a parsed report has no fields");
  }
  if (auto table = tee::snp::parse_cert_table(in.rest)) {
    // What was parsed encodes back to a table that parses to the same entries.
    auto encoded = tee::snp::encode_cert_table(*table);
    auto again = tee::snp::parse_cert_table(encoded);
    fuzz::require(again.has_value() && again->size() == table->size(),
                  "an encoded certificate table does not parse back");
  }
  (void)tee::snp::parse_min_tcb(fuzz::text(data, size));
  return 0;
}
