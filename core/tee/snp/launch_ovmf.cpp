#include "core/tee/snp/launch_ovmf.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "core/tee/snp/launch_internal.h"

namespace leea::tee::snp {
namespace {

using internal::get_le;
using internal::Guid;
using internal::guid;

constexpr Guid kFooterGuid = guid("96b582de-1fb2-45f7-baea-a366c55a082d");
constexpr Guid kSevMetadataGuid = guid("dc886566-984a-4798-a75e-5585a7bf67cc");
constexpr Guid kSevEsResetBlockGuid = guid("00f771de-1a7e-4fcb-890e-68c77e2fb44e");
constexpr Guid kSevHashTableGuid = guid("7255371f-3a3b-4b04-927b-1da6efa8d454");

constexpr uint64_t kFourGiB = uint64_t{1} << 32;
constexpr size_t kEntryHeader = 2 + 16;  // u16 size, GUID; the data precedes it
constexpr size_t kFooterGap = 32;        // the table ends this far before the image's end
constexpr size_t kMetadataHeader = 16;   // "ASEV", size, version, count
constexpr size_t kMetadataItem = 12;     // gpa, size, type

Error bad(std::string message) { return make_error(Errc::invalid_data, std::move(message)); }

// The footer table's entries, by GUID (data only).
struct TableEntry {
  Guid guid;
  std::span<const uint8_t> data;
};

// REQUIRES: image.size() >= kMinOvmfSize, so the footer entry lies inside it.
Result<std::vector<TableEntry>> parse_footer_table(std::span<const uint8_t> image) {
  const size_t footer = image.size() - kFooterGap - kEntryHeader;
  Guid g{};
  std::copy_n(image.begin() + footer + 2, 16, g.begin());
  if (g != kFooterGuid) {
    return bad(
        "no OVMF footer table (GUID 96b582de-1fb2-45f7-baea-a366c55a082d 50 bytes before the "
        "end): not an SEV-capable OVMF build");
  }
  const size_t table_size = get_le(image, footer, 2);
  if (table_size < kEntryHeader || table_size - kEntryHeader > footer) {
    return bad(fmt::format("OVMF footer table: size {} out of range", table_size));
  }
  std::span<const uint8_t> rest =
      image.subspan(footer - (table_size - kEntryHeader), table_size - kEntryHeader);
  std::vector<TableEntry> entries;
  // Entries are read from the end: each one's header follows its data.
  while (!rest.empty()) {
    if (rest.size() < kEntryHeader) {
      return bad(
          fmt::format("OVMF footer table: {} bytes left over before the first entry", rest.size()));
    }
    const size_t at = rest.size() - kEntryHeader;
    const size_t size = get_le(rest, at, 2);
    TableEntry e;
    std::copy_n(rest.begin() + at + 2, 16, e.guid.begin());
    if (size < kEntryHeader || size > rest.size()) {
      return bad(fmt::format("OVMF footer table: entry {} has size {} out of range", entries.size(),
                             size));
    }
    for (const TableEntry& seen : entries) {
      if (seen.guid == e.guid) {
        return bad(fmt::format("OVMF footer table: entry {} repeats a GUID", entries.size()));
      }
    }
    e.data = rest.subspan(rest.size() - size, size - kEntryHeader);
    entries.push_back(e);
    rest = rest.first(rest.size() - size);
  }
  return entries;
}

// The first u32 of the entry with that GUID; nullopt when absent.
Result<std::optional<uint32_t>> entry_u32(const std::vector<TableEntry>& entries, const Guid& g,
                                          std::string_view name) {
  for (const TableEntry& e : entries) {
    if (e.guid == g) {
      if (e.data.size() < 4) {
        return bad(
            fmt::format("OVMF footer table: {} entry has {} bytes, needs 4", name, e.data.size()));
      }
      return std::optional<uint32_t>(static_cast<uint32_t>(get_le(e.data, 0, 4)));
    }
  }
  return std::optional<uint32_t>();
}

Result<OvmfSection> parse_section(std::span<const uint8_t> item, size_t index) {
  const auto type = static_cast<uint32_t>(get_le(item, 8, 4));
  OvmfSection s{static_cast<uint32_t>(get_le(item, 0, 4)),
                static_cast<uint32_t>(get_le(item, 4, 4)), OvmfSectionType{type}};
  if (ovmf_section_name(s.type).empty()) {
    return bad(fmt::format("SEV metadata section {}: unknown type {:#x}", index, type));
  }
  const std::string what =
      fmt::format("SEV metadata section {} ({})", index, ovmf_section_name(s.type));
  if (s.gpa % 4096 != 0 || s.size % 4096 != 0) {
    return bad(fmt::format("{}: gpa {:#x} size {:#x} not page-aligned", what, s.gpa, s.size));
  }
  if (uint64_t{s.gpa} + s.size > kFourGiB) {
    return bad(fmt::format("{}: gpa {:#x} size {:#x} ends above 4 GiB", what, s.gpa, s.size));
  }
  return s;
}

Result<std::vector<OvmfSection>> parse_sev_metadata(std::span<const uint8_t> image,
                                                    uint32_t offset_from_end) {
  if (offset_from_end < kMetadataHeader || offset_from_end > image.size()) {
    return bad(
        fmt::format("SEV metadata: offset {:#x} from the end out of range", offset_from_end));
  }
  std::span<const uint8_t> meta = image.last(offset_from_end);
  if (!std::equal(meta.begin(), meta.begin() + 4, "ASEV")) {
    return bad("SEV metadata: signature is not \"ASEV\"");
  }
  const uint64_t size = get_le(meta, 4, 4);
  const uint64_t version = get_le(meta, 8, 4);
  const uint64_t count = get_le(meta, 12, 4);
  if (size < kMetadataHeader || size > meta.size()) {
    return bad(fmt::format("SEV metadata: size {} out of range", size));
  }
  if (version != 1) {
    return bad(fmt::format("SEV metadata: version {} is not 1", version));
  }
  if (count > kMaxOvmfSections || count * kMetadataItem > size - kMetadataHeader) {
    return bad(fmt::format("SEV metadata: {} sections do not fit its size {} (at most {})", count,
                           size, kMaxOvmfSections));
  }
  std::vector<OvmfSection> sections;
  uint64_t total = 0;
  for (size_t i = 0; i < count; ++i) {
    LEEA_ASSIGN_OR_RETURN(
        OvmfSection s,
        parse_section(meta.subspan(kMetadataHeader + i * kMetadataItem, kMetadataItem), i));
    total += s.size;
    if (total > kMaxOvmfSectionBytes) {
      return bad(
          fmt::format("SEV metadata: sections cover more than {} bytes", kMaxOvmfSectionBytes));
    }
    sections.push_back(s);
  }
  return sections;
}

}  // namespace

std::string_view ovmf_section_name(OvmfSectionType type) {
  switch (type) {
    case OvmfSectionType::snp_sec_memory:
      return "SNP_SEC_MEMORY";
    case OvmfSectionType::snp_secrets:
      return "SNP_SECRETS";
    case OvmfSectionType::cpuid:
      return "CPUID";
    case OvmfSectionType::svsm_caa:
      return "SVSM_CAA";
    case OvmfSectionType::snp_kernel_hashes:
      return "SNP_KERNEL_HASHES";
  }
  return {};
}

Result<OvmfLayout> parse_ovmf(std::span<const uint8_t> image) {
  if (image.size() < kMinOvmfSize || image.size() > kMaxOvmfSize || image.size() % 4096 != 0) {
    return bad(fmt::format("size {} is not a whole number of 4096-byte pages from {} to {}",
                           image.size(), kMinOvmfSize, kMaxOvmfSize));
  }
  LEEA_ASSIGN_OR_RETURN(std::vector<TableEntry> table, parse_footer_table(image));
  OvmfLayout out;
  out.gpa = kFourGiB - image.size();

  LEEA_ASSIGN_OR_RETURN(auto meta, entry_u32(table, kSevMetadataGuid, "SEV metadata"));
  if (!meta) {
    return bad(
        "OVMF footer table has no SEV metadata entry (GUID "
        "dc886566-984a-4798-a75e-5585a7bf67cc): not an SEV-SNP capable OVMF build");
  }
  LEEA_ASSIGN_OR_RETURN(out.sections, parse_sev_metadata(image, *meta));

  LEEA_ASSIGN_OR_RETURN(auto eip, entry_u32(table, kSevEsResetBlockGuid, "SEV-ES reset block"));
  if (!eip) {
    return bad(
        "OVMF footer table has no SEV-ES reset block entry (GUID "
        "00f771de-1a7e-4fcb-890e-68c77e2fb44e): the APs' reset vector is unknown");
  }
  out.sev_es_reset_eip = *eip;
  LEEA_ASSIGN_OR_RETURN(out.hashes_table_gpa,
                        entry_u32(table, kSevHashTableGuid, "SEV hash table"));
  return out;
}

}  // namespace leea::tee::snp
