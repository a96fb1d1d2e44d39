// TPM 2.0 structures a quote verifier reads (core/tee/tpm/structures.h): TPMT_PUBLIC (bare
// and as TPM2B), TPMS_ATTEST of a quote, TPMT_SIGNATURE. Each parser sees every input.
#include "core/tee/tpm/structures.h"
#include "tests/fuzz/fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace leea;
  auto in = fuzz::bytes(data, size);
  if (auto p = tee::tpm::parse_public_any(in)) {
    // A parsed TPMT_PUBLIC parses again from its own encoding, and as a TPM2B.
    auto again = tee::tpm::parse_public(p->encoded);
    fuzz::require(again.has_value(), "a parsed TPMT_PUBLIC does not parse from its encoding");
    auto wrapped = tee::tpm::parse_public_2b(tee::tpm::tpm2b(p->encoded));
    fuzz::require(wrapped.has_value(), "a parsed TPMT_PUBLIC does not parse as a TPM2B");
  }
  (void)tee::tpm::parse_quote_attest(in);
  (void)tee::tpm::parse_signature(in);
  return 0;
}
