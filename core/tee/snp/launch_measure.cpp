#include "core/tee/snp/launch_measure.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "core/crypto/digest.h"
#include "core/tee/snp/launch_internal.h"
#include "core/tee/snp/launch_ovmf.h"
#include "core/util/files.h"

namespace leea::tee::snp {
namespace {

using internal::guid;
using internal::put_le;

constexpr internal::Guid kTableGuid = guid("9438d606-4f22-4cc9-b479-a793d411fd21");
constexpr internal::Guid kCmdlineGuid = guid("97d02dd8-bd20-4c94-aa78-e7714d36ab2a");
constexpr internal::Guid kInitrdGuid = guid("44baf731-3a2f-4bd7-9af1-41e29169781d");
constexpr internal::Guid kKernelGuid = guid("4de79437-abd2-427f-b835-d5b172d2045b");

constexpr size_t kEntrySize = 16 + 2 + 32;                  // GUID, u16 length, SHA-256
constexpr size_t kTableUnpadded = 16 + 2 + 3 * kEntrySize;  // 168: the length QEMU writes

Error bad(std::string message) { return make_error(Errc::invalid_data, std::move(message)); }

void put_entry(std::span<uint8_t> out, size_t off, const internal::Guid& g,
               const std::array<uint8_t, 32>& hash) {
  std::copy(g.begin(), g.end(), out.begin() + off);
  put_le(out, off + 16, kEntrySize, 2);
  std::copy(hash.begin(), hash.end(), out.begin() + off + 18);
}

// The page that SNP_KERNEL_HASHES measures when a kernel is given.
Result<std::array<uint8_t, kPageSize>> hashes_page(const OvmfLayout& layout,
                                                   const OvmfSection& section,
                                                   const KernelHashes& hashes) {
  if (!layout.hashes_table_gpa) {
    return bad(
        "a kernel was given but the OVMF footer table has no SEV hash table entry (GUID "
        "7255371f-3a3b-4b04-927b-1da6efa8d454)");
  }
  if (section.size != kPageSize) {
    return bad(fmt::format("SNP_KERNEL_HASHES section is {:#x} bytes, not one page", section.size));
  }
  const uint64_t table = *layout.hashes_table_gpa;
  const uint64_t offset = table % kPageSize;
  if (table < section.gpa || table - section.gpa + kSevHashTableSize > section.size) {
    return bad(fmt::format(
        "SEV hash table at {:#x} does not fit in the SNP_KERNEL_HASHES section at {:#x}", table,
        section.gpa));
  }
  std::array<uint8_t, kPageSize> page{};
  const auto t = sev_hashes_table(hashes);
  std::copy(t.begin(), t.end(), page.begin() + offset);
  return page;
}

Result<void> add_section(LaunchDigest& ld, const OvmfLayout& layout, const OvmfSection& s,
                         const std::optional<KernelHashes>& hashes) {
  switch (s.type) {
    case OvmfSectionType::snp_sec_memory:
    case OvmfSectionType::svsm_caa:
      return ld.add_zero_pages(s.gpa, s.size);
    case OvmfSectionType::snp_secrets:
      return ld.add_secrets_page(s.gpa);
    case OvmfSectionType::cpuid:
      return ld.add_cpuid_page(s.gpa);
    case OvmfSectionType::snp_kernel_hashes:
      if (!hashes) {
        return ld.add_zero_pages(s.gpa, s.size);
      } else {
        LEEA_ASSIGN_OR_RETURN(auto page, hashes_page(layout, s, *hashes));
        return ld.add_normal_pages(s.gpa, page);
      }
  }
  return bad("unknown SEV metadata section type");  // parse_ovmf admits none
}

// SHA-256 of what fd reads, in chunks, so that a large initrd is never held in memory.
Result<std::array<uint8_t, 32>> hash_fd(int fd, const std::string& path) {
  crypto::Digest d(crypto::DigestAlg::sha256);
  std::vector<uint8_t> buf(size_t{1} << 20);
  uint64_t total = 0;
  for (;;) {
    LEEA_ASSIGN_OR_RETURN(size_t n, with_context(read_full(fd, buf), path));
    total += n;
    if (total > kMaxBootFileBytes) {
      return bad(fmt::format("{}: larger than {} bytes", path, kMaxBootFileBytes));
    }
    d.update(std::span<const uint8_t>(buf).first(n));
    if (n < buf.size()) {
      break;
    }
  }
  std::array<uint8_t, 32> h{};
  const std::vector<uint8_t> v = d.finish();
  std::copy(v.begin(), v.end(), h.begin());
  return h;
}

// Errors start with the path.
Result<std::array<uint8_t, 32>> hash_file(const std::filesystem::path& path) {
  struct stat st {};
  LEEA_ASSIGN_OR_RETURN(int fd, open_readable(path.string(), &st));
  auto h = hash_fd(fd, path.string());
  ::close(fd);
  return h;
}

// QEMU hashes the command line as the guest sees it: a C string with its NUL.
std::array<uint8_t, 32> hash_cmdline(std::string_view cmdline) {
  crypto::Digest d(crypto::DigestAlg::sha256);
  d.update(cmdline);
  d.update(std::string_view("\0", 1));
  const std::vector<uint8_t> c = d.finish();
  std::array<uint8_t, 32> h{};
  std::copy(c.begin(), c.end(), h.begin());
  return h;
}

Result<void> check_config(const LaunchConfig& config) {
  if (config.vcpus < 1 || config.vcpus > kMaxVcpus) {
    return make_error(Errc::invalid_argument,
                      fmt::format("vcpus: {} is not from 1 to {}", config.vcpus, kMaxVcpus));
  }
  return {};
}

}  // namespace

KernelHashes hash_kernel_inputs(std::span<const uint8_t> kernel, std::span<const uint8_t> initrd,
                                std::string_view cmdline) {
  KernelHashes h;
  h.kernel = crypto::sha256(kernel);
  h.initrd = crypto::sha256(initrd);
  h.cmdline = hash_cmdline(cmdline);
  return h;
}

std::array<uint8_t, kSevHashTableSize> sev_hashes_table(const KernelHashes& hashes) {
  std::array<uint8_t, kSevHashTableSize> t{};  // the padding stays zero
  std::copy(kTableGuid.begin(), kTableGuid.end(), t.begin());
  put_le(t, 16, kTableUnpadded, 2);
  put_entry(t, 18, kCmdlineGuid, hashes.cmdline);
  put_entry(t, 18 + kEntrySize, kInitrdGuid, hashes.initrd);
  put_entry(t, 18 + 2 * kEntrySize, kKernelGuid, hashes.kernel);
  return t;
}

Result<Measurement> compute_launch_measurement(std::span<const uint8_t> ovmf,
                                               const std::optional<KernelHashes>& hashes,
                                               const LaunchConfig& config) {
  LEEA_TRY(check_config(config));
  LEEA_ASSIGN_OR_RETURN(OvmfLayout layout, parse_ovmf(ovmf));
  if (config.vcpus > 1 && layout.sev_es_reset_eip == 0) {
    return bad("the OVMF SEV-ES reset block gives no AP reset vector, so only 1 vCPU can start");
  }
  const bool has_hashes_section = std::any_of(
      layout.sections.begin(), layout.sections.end(),
      [](const OvmfSection& s) { return s.type == OvmfSectionType::snp_kernel_hashes; });
  if (hashes && !has_hashes_section) {
    return bad(
        "a kernel was given but the OVMF SEV metadata has no SNP_KERNEL_HASHES section: this "
        "OVMF build cannot measure a direct kernel boot (use the AmdSev build)");
  }

  LaunchDigest ld;
  LEEA_TRY(ld.add_normal_pages(layout.gpa, ovmf));
  for (const OvmfSection& s : layout.sections) {
    LEEA_TRY(add_section(ld, layout, s, hashes));
  }
  const VmsaPage bsp = build_vmsa(kBspResetEip, config.vcpu_signature, config.guest_features);
  const VmsaPage ap =
      build_vmsa(layout.sev_es_reset_eip, config.vcpu_signature, config.guest_features);
  for (uint32_t i = 0; i < config.vcpus; ++i) {
    ld.add_vmsa_page(i == 0 ? bsp : ap);
  }
  return ld.value();
}

Result<Measurement> measure_launch_files(const LaunchFiles& files, const LaunchConfig& config) {
  LEEA_TRY(check_config(config));
  std::optional<KernelHashes> hashes;
  if (files.kernel.empty()) {
    if (!files.initrd.empty() || !files.cmdline.empty()) {
      return make_error(Errc::invalid_argument, "an initrd or a cmdline needs a kernel");
    }
  } else {
    if (files.cmdline.size() > kMaxCmdlineBytes) {
      return make_error(Errc::invalid_argument,
                        fmt::format("cmdline: longer than {} bytes", kMaxCmdlineBytes));
    }
    if (files.cmdline.find('\0') != std::string::npos) {
      return make_error(Errc::invalid_argument, "cmdline: contains a NUL byte");
    }
  }
  // Read before hashing a possibly large initrd, so that a wrong path fails at once.
  LEEA_ASSIGN_OR_RETURN(std::string image,
                        with_context(read_file(files.ovmf, kMaxOvmfSize), "ovmf"));
  if (!files.kernel.empty()) {
    hashes.emplace();
    LEEA_ASSIGN_OR_RETURN(hashes->kernel, with_context(hash_file(files.kernel), "kernel"));
    if (files.initrd.empty()) {
      hashes->initrd = crypto::sha256(std::string_view());
    } else {
      LEEA_ASSIGN_OR_RETURN(hashes->initrd, with_context(hash_file(files.initrd), "initrd"));
    }
    hashes->cmdline = hash_cmdline(files.cmdline);
  }
  const auto* bytes = reinterpret_cast<const uint8_t*>(image.data());
  return with_context(
      compute_launch_measurement(std::span<const uint8_t>(bytes, image.size()), hashes, config),
      "ovmf: " + files.ovmf.string());
}

}  // namespace leea::tee::snp
