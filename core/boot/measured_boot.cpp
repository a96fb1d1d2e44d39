#include "core/boot/measured_boot.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "core/crypto/digest.h"

namespace leea::boot {
namespace {

uint32_t le32(std::span<const uint8_t> b, size_t off) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | b[off + static_cast<size_t>(i)];
  return v;
}
uint16_t le16(std::span<const uint8_t> b, size_t off) {
  return static_cast<uint16_t>(b[off] | (b[off + 1] << 8));
}
void put32(std::vector<uint8_t>& b, size_t off, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[off + static_cast<size_t>(i)] = static_cast<uint8_t>(v >> (8 * i));
}
void put16(std::vector<uint8_t>& b, size_t off, uint16_t v) {
  b[off] = static_cast<uint8_t>(v);
  b[off + 1] = static_cast<uint8_t>(v >> 8);
}

Error bad_pe(const std::string& what) {
  return make_error(Errc::invalid_data, "kernel: not a PE image leea can hash: " + what);
}

Sha256 extend(const Sha256& pcr, const Sha256& digest) {
  std::vector<uint8_t> both(pcr.begin(), pcr.end());
  both.insert(both.end(), digest.begin(), digest.end());
  return crypto::sha256(both);
}

std::vector<uint8_t> utf16le(std::string_view s) {
  std::vector<uint8_t> out;
  for (unsigned char c : s) {
    out.push_back(c);
    out.push_back(0);
  }
  return out;
}

// UEFI_VARIABLE_DATA (TCG PC Client PFP §10.4.6) with an empty or one-byte value.
Sha256 variable_event(const uint8_t (&guid)[16], std::string_view name,
                      std::span<const uint8_t> data) {
  std::vector<uint8_t> d(guid, guid + 16);
  auto put64 = [&d](uint64_t v) {
    for (int i = 0; i < 8; ++i) d.push_back(static_cast<uint8_t>(v >> (8 * i)));
  };
  put64(name.size());
  put64(data.size());
  auto n = utf16le(name);
  d.insert(d.end(), n.begin(), n.end());
  d.insert(d.end(), data.begin(), data.end());
  return crypto::sha256(d);
}

// EFI_GLOBAL_VARIABLE and EFI_IMAGE_SECURITY_DATABASE_GUID as they are laid out in memory.
constexpr uint8_t kGlobalGuid[16] = {0x61, 0xdf, 0xe4, 0x8b, 0xca, 0x93, 0xd2, 0x11,
                                     0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c};
constexpr uint8_t kImageSecurityGuid[16] = {0xcb, 0xb2, 0x19, 0xd7, 0x3a, 0x3d, 0x96, 0x45,
                                            0xa3, 0xbc, 0xda, 0xd0, 0x0e, 0x67, 0x65, 0x6f};

// QEMU's x86 machine constants (hw/i386): ACPI tables reserved below the top of low RAM,
// the command line address for boot protocol >= 2.02, and the real-mode code address.
constexpr uint64_t kAcpiDataSize = 0x20000 + 0x8000;
constexpr uint32_t kCmdlineAddr = 0x20000;
constexpr uint32_t kRealAddr = 0x10000;

}  // namespace

Result<Sha256> authenticode_sha256(std::span<const uint8_t> b) {
  if (b.size() < 0x40 || b[0] != 'M' || b[1] != 'Z') return bad_pe("no MZ header");
  size_t pe = le32(b, 0x3c);
  if (pe > b.size() || b.size() - pe < 24 + 112 + 16 * 8 || std::memcmp(&b[pe], "PE\0\0", 4) != 0) {
    return bad_pe("no PE signature");
  }
  uint16_t nsec = le16(b, pe + 6);
  uint16_t opt_size = le16(b, pe + 20);
  size_t opt = pe + 24;
  if (le16(b, opt) != 0x20b) return bad_pe("not PE32+");
  size_t checksum = opt + 64;
  size_t cert_dir = opt + 112 + 4 * 8;  // data directory 4: Certificate Table
  if (opt_size < 112 + 5 * 8) return bad_pe("optional header too small");
  size_t headers = le32(b, opt + 60);
  if (headers > b.size() || headers < cert_dir + 8) return bad_pe("SizeOfHeaders");
  uint32_t cert_size = le32(b, cert_dir + 4);
  size_t sections = opt + opt_size;
  if (nsec > 96 || sections + 40u * nsec > headers) return bad_pe("section table");
  std::vector<std::pair<uint32_t, uint32_t>> raw;  // PointerToRawData, SizeOfRawData
  for (uint16_t i = 0; i < nsec; ++i) {
    size_t s = sections + 40u * i;
    uint32_t size = le32(b, s + 16), ptr = le32(b, s + 20);
    if (size == 0) continue;
    if (ptr > b.size() || b.size() - ptr < size) return bad_pe("section " + std::to_string(i));
    raw.emplace_back(ptr, size);
  }
  std::sort(raw.begin(), raw.end());
  crypto::Digest h(crypto::DigestAlg::sha256);
  h.update(b.subspan(0, checksum));
  h.update(b.subspan(checksum + 4, cert_dir - checksum - 4));
  h.update(b.subspan(cert_dir + 8, headers - cert_dir - 8));
  uint64_t hashed = headers;
  for (auto [ptr, size] : raw) {
    h.update(b.subspan(ptr, size));
    hashed += size;
  }
  if (b.size() > hashed + cert_size) {
    h.update(b.subspan(hashed, b.size() - hashed - cert_size));
  }
  auto d = h.finish();
  Sha256 out{};
  std::copy(d.begin(), d.end(), out.begin());
  return out;
}

Result<std::vector<uint8_t>> qemu_patched_kernel(std::span<const uint8_t> k, uint64_t initrd_size,
                                                 uint32_t memory_mib) {
  if (k.size() < 0x250 || std::memcmp(&k[0x202], "HdrS", 4) != 0) {
    return make_error(Errc::invalid_data, "kernel: no x86 boot protocol header (HdrS)");
  }
  uint16_t protocol = le16(k, 0x206);
  if (protocol < 0x20c || !(k[0x211] & 0x01)) {
    return make_error(Errc::invalid_data, "kernel: boot protocol " + std::to_string(protocol >> 8) +
                                              "." + std::to_string(protocol & 0xff) +
                                              " or a low kernel: leea predicts 2.12+ bzImages");
  }
  uint64_t ram = uint64_t{memory_mib} << 20;
  uint64_t lowmem = ram >= 0xb0000000ull ? 0x80000000ull : 0xb0000000ull;  // q35
  uint64_t below_4g = std::min(ram, lowmem);
  uint64_t initrd_max = (le16(k, 0x236) & 0x2) ? 0xffffffffull : le32(k, 0x22c);
  if (initrd_max >= below_4g - kAcpiDataSize) initrd_max = below_4g - kAcpiDataSize - 1;
  if (initrd_size > initrd_max) {
    return make_error(Errc::invalid_argument, "initrd of " + std::to_string(initrd_size) +
                                                  " bytes does not fit below the guest's RAM");
  }
  std::vector<uint8_t> out(k.begin(), k.end());
  put32(out, 0x228, kCmdlineAddr);
  out[0x210] = 0xB0;   // type_of_loader: QEMU
  out[0x211] |= 0x80;  // CAN_USE_HEAP
  put16(out, 0x224, static_cast<uint16_t>(kCmdlineAddr - kRealAddr - 0x200));
  put32(out, 0x218, static_cast<uint32_t>((initrd_max - initrd_size) & ~uint64_t{4095}));
  put32(out, 0x21c, static_cast<uint32_t>(initrd_size));
  return out;
}

Result<std::string> bzimage_release(std::span<const uint8_t> k) {
  if (k.size() < 0x250 || std::memcmp(&k[0x202], "HdrS", 4) != 0) {
    return make_error(Errc::invalid_data, "kernel: no x86 boot protocol header (HdrS)");
  }
  size_t at = size_t{le16(k, 0x20e)} + 0x200;
  std::string release;
  while (at < k.size() && k[at] > ' ' && k[at] < 0x7f && release.size() < 64) {
    release.push_back(static_cast<char>(k[at++]));
  }
  if (release.empty()) return make_error(Errc::invalid_data, "kernel: no version string");
  return release;
}

Result<VtpmPcrs> predict_vtpm_pcrs(const VtpmBoot& boot) {
  if (boot.cmdline.find("vga=") != std::string::npos) {
    return make_error(Errc::invalid_argument,
                      "the command line sets vga=, which QEMU writes into the kernel: "
                      "learn PCR 4 from a boot's event log instead");
  }
  VtpmPcrs p;
  LEEA_ASSIGN_OR_RETURN(auto patched,
                        qemu_patched_kernel(boot.kernel, boot.initrd.size(), boot.memory_mib));
  LEEA_ASSIGN_OR_RETURN(p.kernel_authenticode, authenticode_sha256(patched));
  Sha256 zero{};
  const uint8_t separator[4] = {0, 0, 0, 0};
  Sha256 sep = crypto::sha256(std::span<const uint8_t>(separator));
  p.pcr4 =
      extend(extend(extend(zero, p.kernel_authenticode),
                    crypto::sha256(std::string_view("Calling EFI Application from Boot Option"))),
             sep);
  const uint8_t off[1] = {0};
  Sha256 pcr7 = extend(zero, variable_event(kGlobalGuid, "SecureBoot", off));
  pcr7 = extend(pcr7, variable_event(kGlobalGuid, "PK", {}));
  pcr7 = extend(pcr7, variable_event(kGlobalGuid, "KEK", {}));
  pcr7 = extend(pcr7, variable_event(kImageSecurityGuid, "db", {}));
  pcr7 = extend(pcr7, variable_event(kImageSecurityGuid, "dbx", {}));
  p.pcr7 = extend(pcr7, sep);
  auto options = utf16le(boot.cmdline + " initrd=initrd");
  options.push_back(0);
  options.push_back(0);
  p.load_options = crypto::sha256(options);
  p.initrd = crypto::sha256(boot.initrd);
  p.pcr9 = extend(extend(zero, p.load_options), p.initrd);
  return p;
}

std::map<std::string, config::TaggedDigest> vtpm_reference(const VtpmPcrs& p) {
  auto tag = [](const Sha256& d) {
    return config::TaggedDigest{config::DigestKind::sha256, {d.begin(), d.end()}};
  };
  return {{"tpm.pcr.sha256.4", tag(p.pcr4)},
          {"tpm.pcr.sha256.7", tag(p.pcr7)},
          {"tpm.pcr.sha256.9", tag(p.pcr9)}};
}

}  // namespace leea::boot
