// The disk group: partition tables and LUKS headers of the block devices in /sys/block.

#include <array>
#include <cstring>

#include "core/crypto/digest.h"
#include "core/evidence/collect_internal.h"

namespace leea::evidence::internal {
namespace {

constexpr size_t kMaxBlockDevices = 256;
constexpr size_t kMaxDeviceEntries = 1024;  // entries of /sys/block/<dev> (partitions, ...)
constexpr size_t kMaxGptEntryBytes = size_t{1} << 20;
constexpr size_t kLuks1HeaderSize = 592;  // LUKS1 On-Disk Format Specification 1.2.3, §2.4
constexpr uint64_t kLuks2MinHeader = 16384;
constexpr uint64_t kLuks2MaxHeader = uint64_t{4} << 20;

uint64_t le(const uint8_t* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = n; i > 0; --i) v = (v << 8) | p[i - 1];
  return v;
}

uint64_t be(const uint8_t* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = (v << 8) | p[i];
  return v;
}

// Reads exactly n bytes at offset, or says why not.
std::variant<std::vector<uint8_t>, Problem> read_exact(int fd, uint64_t offset, size_t n,
                                                       std::string_view what) {
  std::vector<uint8_t> buf(n);
  auto got = pread_full(fd, offset, buf);
  if (auto* p = std::get_if<Problem>(&got)) return *p;
  if (std::get<size_t>(got) != n) {
    return Problem{"truncated: " + std::string(what) + " needs " + std::to_string(n) +
                   " bytes at offset " + std::to_string(offset)};
  }
  return buf;
}

size_t logical_block_size(const CollectOptions& o, const std::string& dev) {
  auto r = read_attribute(under(o.root, "/sys/block/" + dev + "/queue/logical_block_size"));
  if (auto* s = std::get_if<std::string>(&r)) {
    for (size_t v : {512u, 1024u, 2048u, 4096u}) {
      if (*s == std::to_string(v)) return v;
    }
  }
  return 512;
}

// UEFI 2.10 §5.3.2 (GPT header): entry array at LBA (offset 72), count (80), entry size (84).
// Returns the array's bytes, or why it was not read.
std::variant<std::vector<uint8_t>, Problem> gpt_entries(int fd, const std::vector<uint8_t>& hdr,
                                                        size_t lbs) {
  uint64_t lba = le(&hdr[72], 8);
  uint64_t count = le(&hdr[80], 4);
  uint64_t size = le(&hdr[84], 4);
  if (size < 128 || (size & (size - 1)) != 0 || size > 4096) {
    return Problem{"partition entry size " + std::to_string(size) + " is not 128 x 2^n"};
  }
  if (count * size > kMaxGptEntryBytes) {
    return Problem{"partition entry array larger than 1 MiB"};
  }
  if (lba < 2 || lba > (UINT64_MAX - kMaxGptEntryBytes) / lbs) {
    return Problem{"partition entry LBA " + std::to_string(lba) + " out of range"};
  }
  return read_exact(fd, lba * lbs, static_cast<size_t>(count * size), "partition entry array");
}

Event partition_table(int fd, const std::string& name, size_t lbs) {
  auto sectors = read_exact(fd, 0, 2 * lbs, "LBA 0 and 1");
  if (auto* p = std::get_if<Problem>(&sectors)) return problem_event("disk", name, *p);
  const auto& s = std::get<std::vector<uint8_t>>(sectors);
  crypto::Digest d(crypto::DigestAlg::sha256);
  d.update(std::span(s.data(), lbs));
  std::string kind = (s[510] == 0x55 && s[511] == 0xAA) ? "mbr" : "none";
  if (std::memcmp(&s[lbs], "EFI PART", 8) == 0) {
    std::vector<uint8_t> hdr(s.begin() + static_cast<long>(lbs), s.end());
    auto entries = gpt_entries(fd, hdr, lbs);
    if (auto* p = std::get_if<Problem>(&entries)) return problem_event("disk", name, *p);
    d.update(hdr);
    d.update(std::get<std::vector<uint8_t>>(entries));
    kind = "gpt";
  }
  return bytes_event("disk", name, d.finish(), kind);
}

// LUKS1 On-Disk Format 1.2.3 §2.4 (phdr); LUKS2 On-Disk Format 1.1.x §2 (binary header:
// magic, version, hdr_size = binary header + JSON area, then the secondary copy at hdr_size).
std::optional<Event> luks_header(int fd, const std::string& name) {
  std::array<uint8_t, 16> head{};
  auto got = pread_full(fd, 0, head);
  if (std::holds_alternative<Problem>(got) || std::get<size_t>(got) < head.size()) {
    return std::nullopt;  // too short to hold a LUKS header: not LUKS
  }
  static constexpr uint8_t kMagic[6] = {'L', 'U', 'K', 'S', 0xba, 0xbe};
  if (std::memcmp(head.data(), kMagic, sizeof kMagic) != 0) return std::nullopt;
  uint64_t version = be(&head[6], 2);
  uint64_t size = 0;
  if (version == 1) {
    size = kLuks1HeaderSize;
  } else if (version == 2) {
    uint64_t hdr_size = be(&head[8], 8);
    if (hdr_size < kLuks2MinHeader || hdr_size > kLuks2MaxHeader ||
        (hdr_size & (hdr_size - 1)) != 0) {
      return problem_event("disk", name,
                           Problem{"LUKS2 hdr_size " + std::to_string(hdr_size) +
                                   " is not 16 KiB x 2^n up to 4 MiB"});
    }
    size = 2 * hdr_size;
  } else {
    return problem_event("disk", name, Problem{"unknown LUKS version " + std::to_string(version)});
  }
  auto bytes = read_exact(fd, 0, size, "LUKS header");
  if (auto* p = std::get_if<Problem>(&bytes)) return problem_event("disk", name, *p);
  return bytes_event("disk", name, crypto::sha256(std::get<std::vector<uint8_t>>(bytes)),
                     "luks" + std::to_string(version));
}

// Partitions of dev: subdirectories of /sys/block/<dev> holding a "partition" attribute.
Result<std::vector<std::string>> partitions(const CollectOptions& o, const std::string& dev) {
  std::vector<std::string> out;
  LEEA_ASSIGN_OR_RETURN(auto entries,
                        list_dir(under(o.root, "/sys/block/" + dev), kMaxDeviceEntries));
  if (!entries) return out;
  for (const auto& e : *entries) {
    if (!e.is_dir || e.name.find('/') != std::string::npos) continue;
    auto p = read_attribute(under(o.root, "/sys/block/" + dev + "/" + e.name + "/partition"));
    if (std::holds_alternative<std::string>(p)) out.push_back(e.name);
  }
  return out;
}

void measure_luks(const CollectOptions& o, const std::string& dev, Collection& out) {
  std::string name = "disk." + name_part(dev) + ".luks_header";
  auto opened = open_measured(under(o.root, "/dev/" + dev), true);
  if (const auto* p = std::get_if<Problem>(&opened)) {
    out.notes.push_back("partition " + name_part(dev) + ": /dev/" + name_part(dev) + " " + p->why +
                        ": no LUKS header looked for");
    return;
  }
  Fd fd(std::get<int>(opened));
  if (auto e = luks_header(fd.get(), name)) out.log.events.push_back(std::move(*e));
}

bool volatile_device(const std::string& dev) {
  return dev.rfind("ram", 0) == 0 || dev.rfind("zram", 0) == 0;
}

}  // namespace

Result<void> collect_disks(const CollectOptions& o, Collection& out) {
  LEEA_ASSIGN_OR_RETURN(auto devices, list_dir(under(o.root, "/sys/block"), kMaxBlockDevices));
  if (!devices) {
    out.notes.push_back("no /sys/block: no disk events");
    return {};
  }
  std::vector<std::string> measured;
  for (const auto& d : *devices) {
    if (volatile_device(d.name)) continue;
    auto size = read_attribute(under(o.root, "/sys/block/" + d.name + "/size"));
    if (const auto* s = std::get_if<std::string>(&size); s && *s == "0") {
      out.notes.push_back("block device " + name_part(d.name) + " is empty (size 0): skipped");
      continue;
    }
    measured.push_back(d.name);
  }
  std::string list;
  for (const auto& m : measured) list += (list.empty() ? "" : " ") + name_part(m);
  out.log.events.push_back(text_event("disk", "disk.devices", list));
  for (const auto& dev : measured) {
    std::string prefix = "disk." + name_part(dev);
    auto opened = open_measured(under(o.root, "/dev/" + dev), true);
    if (auto* p = std::get_if<Problem>(&opened)) {
      out.log.events.push_back(problem_event("disk", prefix + ".partition_table", *p));
      continue;
    }
    {
      Fd fd(std::get<int>(opened));
      out.log.events.push_back(
          partition_table(fd.get(), prefix + ".partition_table", logical_block_size(o, dev)));
      if (auto e = luks_header(fd.get(), prefix + ".luks_header")) {
        out.log.events.push_back(std::move(*e));
      }
    }
    LEEA_ASSIGN_OR_RETURN(auto parts, partitions(o, dev));
    for (const auto& part : parts) measure_luks(o, part, out);
  }
  return {};
}

std::optional<Event> luks_header_of(int fd, const std::string& name) {
  return luks_header(fd, name);
}

}  // namespace leea::evidence::internal

namespace leea::evidence {

Result<Event> luks_header_event(const std::filesystem::path& path, const std::string& device) {
  std::string name = "disk." + internal::name_part(device) + ".luks_header";
  auto opened = internal::open_measured(path, true);
  if (const auto* p = std::get_if<internal::Problem>(&opened)) {
    return make_error(Errc::io, path.string() + ": " + p->why);
  }
  internal::Fd fd(std::get<int>(opened));
  auto e = internal::luks_header_of(fd.get(), name);
  if (!e) return make_error(Errc::invalid_data, path.string() + ": no LUKS header");
  if (e->value != "luks1" && e->value != "luks2") {  // a problem event says why
    return make_error(Errc::invalid_data,
                      path.string() + ": " + e->value.value_or("unreadable LUKS header"));
  }
  return *e;
}

}  // namespace leea::evidence
