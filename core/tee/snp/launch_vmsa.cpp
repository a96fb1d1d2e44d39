#include "core/tee/snp/launch_vmsa.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/tee/snp/launch_internal.h"

namespace leea::tee::snp {
namespace {

using internal::put_le;

struct VcpuType {
  std::string_view name;
  uint32_t family, model, stepping;
};

// QEMU target/i386/cpu.c builtin_x86_defs: the family/model/stepping of the AMD EPYC models
// (versions of a model keep its signature).
constexpr VcpuType kVcpuTypes[] = {
    {"EPYC", 23, 1, 2},          {"EPYC-v1", 23, 1, 2},       {"EPYC-v2", 23, 1, 2},
    {"EPYC-IBPB", 23, 1, 2},     {"EPYC-v3", 23, 1, 2},       {"EPYC-v4", 23, 1, 2},
    {"EPYC-Rome", 23, 49, 0},    {"EPYC-Rome-v1", 23, 49, 0}, {"EPYC-Rome-v2", 23, 49, 0},
    {"EPYC-Rome-v3", 23, 49, 0}, {"EPYC-Milan", 25, 1, 1},    {"EPYC-Milan-v1", 25, 1, 1},
    {"EPYC-Milan-v2", 25, 1, 1}, {"EPYC-Genoa", 25, 17, 0},   {"EPYC-Genoa-v1", 25, 17, 0},
    {"EPYC-Turin", 26, 0, 0},
};

// AMD64 APM Vol. 2, Table B-4 (VMSA layout): offsets used here.
constexpr size_t kSegEs = 0x000, kSegCs = 0x010, kSegSs = 0x020, kSegDs = 0x030, kSegFs = 0x040,
                 kSegGs = 0x050, kSegGdtr = 0x060, kSegLdtr = 0x070, kSegIdtr = 0x080,
                 kSegTr = 0x090;
constexpr size_t kEfer = 0x0d0, kCr4 = 0x148, kCr0 = 0x158, kDr7 = 0x160, kDr6 = 0x168,
                 kRflags = 0x170, kRip = 0x178, kGPat = 0x268, kRdx = 0x310, kSevFeatures = 0x3b0,
                 kXcr0 = 0x3e8, kMxcsr = 0x408, kX87Fcw = 0x410;

// A segment register: u16 selector, u16 attributes, u32 limit, u64 base.
void put_segment(VmsaPage& p, size_t off, uint16_t selector, uint16_t attrib, uint64_t base) {
  put_le(p, off, selector, 2);
  put_le(p, off + 2, attrib, 2);
  put_le(p, off + 4, 0xffff, 4);
  put_le(p, off + 8, base, 8);
}

}  // namespace

uint32_t cpu_signature(uint32_t family, uint32_t model, uint32_t stepping) {
  const uint32_t family_low = family > 0xf ? 0xf : family;
  const uint32_t family_ext = family > 0xf ? (family - 0xf) & 0xff : 0;
  return family_ext << 20 | ((model >> 4) & 0xf) << 16 | family_low << 8 | (model & 0xf) << 4 |
         (stepping & 0xf);
}

Result<uint32_t> vcpu_type_signature(std::string_view type) {
  for (const VcpuType& t : kVcpuTypes) {
    if (t.name == type) {
      return cpu_signature(t.family, t.model, t.stepping);
    }
  }
  return make_error(Errc::invalid_argument, fmt::format("unknown vCPU type '{}' (known: {})", type,
                                                        fmt::join(vcpu_type_names(), ", ")));
}

std::vector<std::string> vcpu_type_names() {
  std::vector<std::string> names;
  for (const VcpuType& t : kVcpuTypes) {
    names.emplace_back(t.name);
  }
  return names;
}

VmsaPage build_vmsa(uint32_t eip, uint32_t vcpu_signature, uint64_t guest_features) {
  VmsaPage p{};
  // Real-mode segments as after INIT: data 0x93 (present, writable, accessed), code 0x9b,
  // LDT 0x82, busy 32-bit TSS 0x8b; CS.base and RIP split the reset vector.
  put_segment(p, kSegEs, 0, 0x93, 0);
  put_segment(p, kSegCs, 0xf000, 0x9b, eip & 0xffff0000);
  put_segment(p, kSegSs, 0, 0x93, 0);
  put_segment(p, kSegDs, 0, 0x93, 0);
  put_segment(p, kSegFs, 0, 0x93, 0);
  put_segment(p, kSegGs, 0, 0x93, 0);
  put_segment(p, kSegGdtr, 0, 0, 0);
  put_segment(p, kSegLdtr, 0, 0x82, 0);
  put_segment(p, kSegIdtr, 0, 0, 0);
  put_segment(p, kSegTr, 0, 0x8b, 0);
  put_le(p, kEfer, 0x1000, 8);  // EFER.SVME, set by KVM
  put_le(p, kCr4, 0x40, 8);     // CR4.MCE, set by KVM
  put_le(p, kCr0, 0x10, 8);     // CR0.ET
  put_le(p, kDr7, 0x400, 8);
  put_le(p, kDr6, 0xffff0ff0, 8);
  put_le(p, kRflags, 0x2, 8);
  put_le(p, kRip, eip & 0xffff, 8);
  put_le(p, kGPat, 0x0007040600070406, 8);  // the PAT MSR's reset value (APM Vol. 2 §A.3)
  put_le(p, kRdx, vcpu_signature, 8);
  put_le(p, kSevFeatures, guest_features, 8);
  put_le(p, kXcr0, 0x1, 8);
  put_le(p, kMxcsr, 0x1f80, 4);
  put_le(p, kX87Fcw, 0x37f, 2);
  return p;
}

}  // namespace leea::tee::snp
