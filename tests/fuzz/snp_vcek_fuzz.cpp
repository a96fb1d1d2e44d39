// VCEK/VLEK certificates: X.509 DER and the AMD extensions read from them (hwID, TCB SPLs,
// productName), for every product's layout.
#include "core/crypto/x509.h"
#include "core/tee/snp/certs.h"
#include "tests/fuzz/fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace leea;
  auto cert = crypto::Certificate::from_der(fuzz::bytes(data, size), "fuzz certificate");
  if (!cert) return 0;
  auto info = tee::snp::read_key_cert_info(*cert);
  if (!info) return 0;
  std::array<uint8_t, 64> chip_id{};
  if (info->hwid) (void)tee::snp::chip_id_matches(*info->hwid, chip_id);
  (void)tee::snp::tcb_mismatch(*info, tee::snp::TcbVersion{});
  return 0;
}
