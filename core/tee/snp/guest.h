// The guest side of SEV-SNP evidence: asks the AMD secure processor, through the guest
// kernel, for an ATTESTATION_REPORT whose REPORT_DATA is the binding (bytes 0..31; bytes
// 32..63 zero), with the certificate table the host supplies, and returns it as report text
// (verify.h).
//
// Two kernel interfaces, tried in this order:
//  1. configfs-tsm (Linux 6.7+, Documentation/ABI/testing/configfs-tsm):
//     <root>/sys/kernel/config/tsm/report. A fresh entry is made with mkdir, inblob gets
//     the 64-byte REPORT_DATA, outblob gives the report and auxblob the certificate table;
//     generation is read before and after, so a concurrent writer is detected; the entry
//     is removed afterwards (rmdir), also on failure.
//  2. <root>/dev/sev-guest ioctls (linux/sev-guest.h): SNP_GET_EXT_REPORT with a
//     certificate buffer (grown once when the host asks for more), else SNP_GET_REPORT.
// Neither present: Errc::unavailable. A kernel or firmware error: Errc::unavailable with
// the errno text and the firmware/VMM error codes.
// Thread-safety: a producer may be used from one thread at a time.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

#include "core/tee/evidence.h"

namespace leea::tee::snp {

// A report and the certificate table that came with it (empty when the host gave none).
struct GuestReport {
  std::vector<uint8_t> report;
  std::vector<uint8_t> cert_table;
};

// REPORT_DATA for a binding: the 32 bytes, then 32 zero bytes.
std::array<uint8_t, 64> report_data_for(const Binding& binding);

// The bytes of struct snp_report_req (linux/sev-guest.h): user_data, vmpl (u32 LE), 28
// reserved zero bytes. Exposed for tests.
std::vector<uint8_t> sev_guest_report_request(const std::array<uint8_t, 64>& report_data,
                                              uint32_t vmpl);
// The report inside MSG_REPORT_RSP (SEV-SNP ABI Table 25): status u32, report_size u32,
// 24 reserved bytes, then the report. Errc::unavailable for a non-zero status,
// Errc::invalid_data for sizes that do not fit.
Result<std::vector<uint8_t>> report_from_response(std::span<const uint8_t> response);

Result<GuestReport> get_report_configfs(const std::filesystem::path& root,
                                        const std::array<uint8_t, 64>& report_data);
Result<GuestReport> get_report_sev_guest(const std::filesystem::path& root,
                                         const std::array<uint8_t, 64>& report_data);

// A producer for this machine, or Errc::unavailable naming both interfaces looked for.
Result<std::unique_ptr<EvidenceProducer>> make_producer(const std::filesystem::path& root);

}  // namespace leea::tee::snp
