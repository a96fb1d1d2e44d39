// SEV-SNP certificates: the AMD extensions of VCEK and VLEK certificates (AMD "Versioned
// Chip Endorsement Key (VCEK) Certificate and KDS Interface Specification", publication
// 57230, Table 9), the certificate table of the extended guest request (GHCB
// specification, publication 56421, §4.1.8.1), and the pinned trust anchors with the
// chain check VCEK → ASK → ARK / VLEK → ASVK → ARK.
//
// Everything here is bounded and total: bytes in, a value or an Errc::invalid_data naming
// the field out. Thread-safety: values are immutable after construction; TrustAnchors::amd()
// is built once, thread-safely, on first use.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/crypto/x509.h"
#include "core/tee/snp/report.h"
#include "core/util/result.h"

namespace leea::tee::snp {

// What a VCEK or VLEK certificate states in AMD's extensions (OIDs under
// 1.3.6.1.4.1.3704.1): productName (.2), the TCB SPLs (.3.1 boot loader, .3.2 TEE, .3.3
// SNP, .3.4-.3.7 reserved bytes of the Milan/Genoa layout, .3.8 microcode, .3.9 FMC on
// Turin), hwID (.4, the chip id: raw bytes or a DER OCTET STRING holding them; 64 bytes on
// Milan and Genoa, 8 on Turin, whose reports carry those 8 in CHIP_ID followed by 56 zero
// bytes) and the cloud provider id of a VLEK (.5).
struct KeyCertInfo {
  std::string product_name;            // "" when the extension is absent
  Product product = Product::unknown;  // from productName, else from the issuer's CN
  std::optional<uint8_t> bootloader, tee, snp, microcode, fmc;
  std::array<std::optional<uint8_t>, 4> spl4_7;
  std::optional<std::vector<uint8_t>> hwid;  // 64 bytes, or 8 for a Turin VCEK
  std::string csp_id;                        // "" when absent
};
// Errc::invalid_data when an AMD extension is present but malformed (an SPL that is not a
// DER INTEGER in 0..255, a hwID that is not 64 bytes, or 8 on a Turin certificate), naming the
// extension.
Result<KeyCertInfo> read_key_cert_info(const crypto::Certificate& cert);
// Whether chip_id (a report's CHIP_ID) is the chip a VCEK's hwID names: equal when the hwID
// is 64 bytes; for a Turin hwID of 8, its 8 bytes followed by 56 zeros.
bool chip_id_matches(const std::vector<uint8_t>& hwid, const std::array<uint8_t, 64>& chip_id);
// Empty when the certificate's TCB equals tcb component by component (FMC only in the
// Turin layout); else what differs, e.g. "snp 8 in the VCEK, 5 in the report".
std::string tcb_mismatch(const KeyCertInfo& info, const TcbVersion& tcb);

// The certificate table (GHCB spec §4.1.8.1): 24-byte entries {GUID, offset u32, length
// u32} ended by an all-zero entry, offsets counted from the table's start.
enum class CertKind { vcek, vlek, ask, ark, other };
struct CertTableEntry {
  CertKind kind = CertKind::other;
  std::array<uint8_t, 16> guid{};  // as stored
  std::vector<uint8_t> der;
};
inline constexpr size_t kMaxCertTableSize = 48 * 1024;
inline constexpr size_t kMaxCertTableEntries = 16;
// Errc::invalid_data when the table is larger than kMaxCertTableSize, has more than
// kMaxCertTableEntries entries, lacks the terminator, or an entry points outside it.
Result<std::vector<CertTableEntry>> parse_cert_table(std::span<const uint8_t> table);
std::vector<uint8_t> encode_cert_table(const std::vector<CertTableEntry>& entries);
// The GUID the GHCB spec assigns to a kind (kind != other), in text byte order
// (uuid_parse(3)); the parser also recognises the EFI mixed-endian order.
std::array<uint8_t, 16> cert_guid(CertKind kind);

// The roots a verification trusts: per product the ARK (self-signed root) and the ASK
// (signs VCEKs) and ASVK (signs VLEKs). amd() is AMD's published certificates for Milan,
// Genoa and Turin; tests build their own.
struct TrustAnchors {
  struct Generation {
    Product product = Product::unknown;
    crypto::Certificate ark;
    crypto::Certificate ask;
    crypto::Certificate asvk;
  };
  std::vector<Generation> generations;

  static const TrustAnchors& amd();
  // The generation for product, or nullptr.
  const Generation* find(Product product) const;
};

// Verifies key_cert (a VCEK when vlek is false, else a VLEK) → the product's ASK (ASVK) →
// its ARK at time `now`: the path is built here, at most key → one intermediate → root,
// from the pinned intermediate plus `extra` (intermediates that came with the report or
// the command line; never trusted as roots). Errc::refused naming the failure: no
// generation for the product, an intermediate of the wrong kind (an ASVK for a VCEK), a
// path that loops or is longer than three certificates, a bad signature or a certificate
// outside its validity (OpenSSL's reason with the certificate's name).
Result<void> verify_key_chain(const crypto::Certificate& key_cert, bool vlek, Product product,
                              std::span<const crypto::Certificate> extra,
                              const TrustAnchors& anchors, int64_t now);

}  // namespace leea::tee::snp
