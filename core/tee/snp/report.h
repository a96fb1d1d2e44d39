// The SEV-SNP ATTESTATION_REPORT (AMD SEV-SNP Firmware ABI Specification, publication
// 56860, Table 23 "ATTESTATION_REPORT Structure"; TCB_VERSION in Table 3): a bounded,
// total parser from bytes to fields, and the text forms of the TCB used in orders.
//
// Versions 2, 3 and 5 are accepted (the versions in the field): v3 adds the CPUID
// family/model/stepping at 0x188, v5 the launch and current mitigation vectors at 0x1F8.
// Other versions, any length other than 0x4A0 bytes, and non-zero bytes in the regions the
// specification marks reserved (must be zero) are refused with Errc::invalid_data naming the
// field. The parser only reads within the input span and keeps no reference to it.
// Thread-safety: stateless functions; the structs are plain values.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/util/result.h"

namespace leea::tee::snp {

inline constexpr size_t kReportSize = 0x4A0;
// The signature covers bytes [0, kSignedSize).
inline constexpr size_t kSignedSize = 0x2A0;

// The processor generation, which selects the pinned AMD chain and the TCB layout.
enum class Product { unknown, milan, genoa, turin };
std::string_view product_name(Product p);  // "Milan", "Genoa", "Turin", "unknown"
// "Milan", "Milan-B0", "Genoa-B1", ... (the VCEK productName extension) to a product.
Product product_from_name(std::string_view name);
// From CPUID Fn0000_0001 family/model (extended values): family 0x19 models 0x00-0x0F
// Milan, 0x10-0x1F and 0xA0-0xAF Genoa; family 0x1A Turin. unknown otherwise.
Product product_from_cpuid(uint8_t family, uint8_t model);

// TCB_VERSION (8 bytes, little-endian u64 in the report). Milan and Genoa: byte 0 boot
// loader, 1 TEE, 2-5 reserved, 6 SNP, 7 microcode. Turin and later: 0 FMC, 1 boot loader,
// 2 TEE, 3 SNP, 4-6 reserved, 7 microcode.
struct TcbVersion {
  uint64_t raw = 0;
  bool turin_layout = false;
  uint8_t fmc = 0;  // Turin layout only
  uint8_t bootloader = 0;
  uint8_t tee = 0;
  uint8_t snp = 0;
  uint8_t microcode = 0;
};
TcbVersion decode_tcb(uint64_t raw, bool turin_layout);
// "bl=3,tee=0,snp=8,ucode=115"; with the Turin layout "fmc=1,bl=3,tee=0,snp=8,ucode=115".
std::string tcb_text(const TcbVersion& tcb);

// A minimum TCB as an order states it: comma-separated name=value pairs with names fmc,
// bl, tee, snp and ucode and values 0-255, e.g. "bl=3,tee=0,snp=8,ucode=115". Each named
// component is a lower bound; unnamed components are not constrained. fmc exists only in
// the Turin layout. Errc::config on unknown or repeated names, bad numbers, or no pair.
struct MinTcb {
  std::optional<uint8_t> fmc, bootloader, tee, snp, microcode;
};
Result<MinTcb> parse_min_tcb(std::string_view text);
// Empty when tcb meets min; otherwise the components below the minimum, e.g.
// "snp 5 < 8, ucode 68 < 115" (or "fmc required but the TCB has no FMC").
std::string min_tcb_shortfall(const TcbVersion& tcb, const MinTcb& min);

// Guest policy bits (Table 10 "GUEST_POLICY").
struct GuestPolicy {
  uint64_t raw = 0;
  uint8_t abi_minor = 0;
  uint8_t abi_major = 0;
  bool smt = false;            // bit 16
  bool migrate_ma = false;     // bit 18
  bool debug = false;          // bit 19
  bool single_socket = false;  // bit 20
};
GuestPolicy decode_policy(uint64_t raw);

struct Report {
  uint32_t version = 0;
  uint32_t guest_svn = 0;
  GuestPolicy policy;
  std::array<uint8_t, 16> family_id{};
  std::array<uint8_t, 16> image_id{};
  uint32_t vmpl = 0;
  uint32_t signature_algo = 0;  // 1 = ECDSA P-384 with SHA-384
  TcbVersion current_tcb;
  uint64_t platform_info = 0;
  uint32_t flags = 0;
  bool author_key_en = false;  // flags bit 0
  bool mask_chip_key = false;  // flags bit 1
  uint8_t signing_key = 0;     // flags bits 4:2: 0 VCEK, 1 VLEK, 7 none
  std::array<uint8_t, 64> report_data{};
  std::array<uint8_t, 48> measurement{};
  std::array<uint8_t, 32> host_data{};
  std::array<uint8_t, 48> id_key_digest{};
  std::array<uint8_t, 48> author_key_digest{};
  std::array<uint8_t, 32> report_id{};
  std::array<uint8_t, 32> report_id_ma{};
  TcbVersion reported_tcb;
  // CPUID Fn0000_0001 family, model and stepping (v3 and later; nullopt in v2).
  std::optional<uint8_t> cpuid_family, cpuid_model, cpuid_stepping;
  std::array<uint8_t, 64> chip_id{};
  TcbVersion committed_tcb;
  uint8_t current_build = 0, current_minor = 0, current_major = 0;
  uint8_t committed_build = 0, committed_minor = 0, committed_major = 0;
  TcbVersion launch_tcb;
  // Mitigation vectors (v5 and later; nullopt before).
  std::optional<uint64_t> launch_mit_vector, current_mit_vector;
  // The signature's r and s as big-endian 48-byte integers (converted from the report's
  // little-endian 72-byte fields, whose upper 24 bytes must be zero).
  std::array<uint8_t, 48> sig_r{};
  std::array<uint8_t, 48> sig_s{};
  // The product the CPUID fields name (v3+), else unknown.
  Product product = Product::unknown;
};

inline constexpr uint8_t kSigningKeyVcek = 0;
inline constexpr uint8_t kSigningKeyVlek = 1;

// Parses one report. turin_layout_hint picks the TCB layout for reports that carry no
// CPUID (v2): pass true when the signing key's product is Turin or later; v3+ reports
// decide it from their CPUID family (0x1A and later). Errc::invalid_data naming the field
// on wrong length, unknown version, or a non-zero reserved region.
Result<Report> parse_report(std::span<const uint8_t> bytes, bool turin_layout_hint = false);

// The report's fields as (name, text) pairs for display ("snp.version", "2"), digests in hex.
std::vector<std::pair<std::string, std::string>> report_fields(const Report& r);

}  // namespace leea::tee::snp
