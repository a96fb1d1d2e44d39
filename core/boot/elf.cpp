#include "core/boot/elf.h"

#include <algorithm>
#include <cstring>
#include <deque>
#include <map>
#include <optional>
#include <set>

#include "core/util/files.h"

namespace leea::boot {
namespace {

constexpr size_t kMaxElfBytes = 256u << 20;
constexpr size_t kMaxProgramHeaders = 4096;
constexpr size_t kMaxDynamic = 65536;
constexpr size_t kMaxLibraries = 512;

// ELF gABI constants.
constexpr uint32_t kPtLoad = 1, kPtDynamic = 2, kPtInterp = 3;
constexpr int64_t kDtNull = 0, kDtNeeded = 1, kDtStrtab = 5, kDtRpath = 15, kDtRunpath = 29;

const std::vector<std::string> kDefaultDirs = {"/lib/x86_64-linux-gnu",
                                               "/usr/lib/x86_64-linux-gnu",
                                               "/lib64",
                                               "/usr/lib64",
                                               "/lib",
                                               "/usr/lib"};

template <typename T>
bool load(std::span<const uint8_t> b, uint64_t off, T& v) {
  if (off > b.size() || b.size() - off < sizeof(T)) return false;
  std::memcpy(&v, b.data() + off, sizeof(T));  // x86-64 hosts only: ELFDATA2LSB
  return true;
}

struct Segment {
  uint32_t type;
  uint64_t offset, vaddr, filesz;
};

Error bad(const std::string& name, const std::string& what) {
  return make_error(Errc::invalid_data, name + ": not a usable ELF64 file: " + what);
}

// The NUL-terminated string at file offset off, bounded by the segment's end.
std::optional<std::string> string_at(std::span<const uint8_t> b, uint64_t off, uint64_t end) {
  end = std::min<uint64_t>(end, b.size());
  if (off >= end) return std::nullopt;
  const auto* s = b.data() + off;
  const void* nul = std::memchr(s, 0, end - off);
  if (nul == nullptr) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(s), static_cast<const uint8_t*>(nul) - s);
}

std::vector<std::string> split_path_list(const std::string& list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(':', start);
    if (end == std::string::npos) end = list.size();
    if (end > start) out.push_back(list.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

Result<ElfInfo> read_elf(std::span<const uint8_t> b, const std::string& name) {
  // ELF header (gABI, "ELF Header"): e_ident, then 64-bit fields.
  if (b.size() < 64 || std::memcmp(b.data(),
                                   "\x7f"
                                   "ELF",
                                   4) != 0)
    return bad(name, "no ELF magic");
  if (b[4] != 2 || b[5] != 1) return bad(name, "not 64-bit little-endian");
  uint64_t phoff = 0;
  uint16_t phentsize = 0, phnum = 0;
  load(b, 32, phoff);
  load(b, 54, phentsize);
  load(b, 56, phnum);
  if (phentsize != 56 || phnum > kMaxProgramHeaders) return bad(name, "program header table");
  std::vector<Segment> segs;
  for (uint16_t i = 0; i < phnum; ++i) {
    uint64_t at = phoff + uint64_t{i} * phentsize;
    Segment s{};
    if (!load(b, at, s.type) || !load(b, at + 8, s.offset) || !load(b, at + 16, s.vaddr) ||
        !load(b, at + 32, s.filesz)) {
      return bad(name, "program header " + std::to_string(i) + " outside the file");
    }
    if (s.offset > b.size() || b.size() - s.offset < s.filesz) {
      return bad(name, "segment " + std::to_string(i) + " outside the file");
    }
    segs.push_back(s);
  }
  ElfInfo info;
  const Segment* dynamic = nullptr;
  for (const auto& s : segs) {
    if (s.type == kPtInterp) {
      auto interp = string_at(b, s.offset, s.offset + s.filesz);
      if (!interp) return bad(name, "PT_INTERP is not a string");
      info.interpreter = *interp;
    } else if (s.type == kPtDynamic) {
      dynamic = &s;
    }
  }
  if (dynamic == nullptr) return info;
  std::vector<std::pair<int64_t, uint64_t>> entries;
  uint64_t strtab_vaddr = 0;
  bool have_strtab = false;
  for (uint64_t at = dynamic->offset; at + 16 <= dynamic->offset + dynamic->filesz; at += 16) {
    int64_t tag = 0;
    uint64_t val = 0;
    load(b, at, tag);
    load(b, at + 8, val);
    if (tag == kDtNull) break;
    if (entries.size() >= kMaxDynamic) return bad(name, "too many dynamic entries");
    if (tag == kDtStrtab) {
      strtab_vaddr = val;
      have_strtab = true;
    }
    entries.emplace_back(tag, val);
  }
  if (!have_strtab) return bad(name, "no DT_STRTAB");
  // DT_STRTAB is an address: find the loaded segment that holds it.
  const Segment* strseg = nullptr;
  for (const auto& s : segs) {
    if (s.type == kPtLoad && strtab_vaddr >= s.vaddr && strtab_vaddr - s.vaddr < s.filesz) {
      strseg = &s;
    }
  }
  if (strseg == nullptr) return bad(name, "DT_STRTAB is in no loaded segment");
  uint64_t str_off = strseg->offset + (strtab_vaddr - strseg->vaddr);
  uint64_t str_end = strseg->offset + strseg->filesz;
  for (const auto& [tag, val] : entries) {
    if (tag != kDtNeeded && tag != kDtRunpath && tag != kDtRpath) continue;
    if (val > str_end - str_off) return bad(name, "dynamic string outside DT_STRTAB's segment");
    auto s = string_at(b, str_off + val, str_end);
    if (!s) return bad(name, "dynamic string not terminated");
    if (tag == kDtNeeded) {
      info.needed.push_back(*s);
    } else {
      for (auto& d : split_path_list(*s)) info.runpath.push_back(std::move(d));
    }
  }
  return info;
}

Result<std::vector<ResolvedLibrary>> resolve_libraries(
    std::span<const std::filesystem::path> files, const std::vector<std::string>& search_dirs) {
  const auto& defaults = search_dirs.empty() ? kDefaultDirs : search_dirs;
  std::map<std::string, ResolvedLibrary> found;                    // soname -> library
  std::deque<std::pair<std::filesystem::path, std::string>> todo;  // file, display name
  for (const auto& f : files) todo.emplace_back(f, f.filename().string());
  while (!todo.empty()) {
    auto [file, display] = todo.front();
    todo.pop_front();
    LEEA_ASSIGN_OR_RETURN(std::string bytes, read_file(file, kMaxElfBytes));
    LEEA_ASSIGN_OR_RETURN(
        auto info,
        read_elf(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()), display));
    if (!info.interpreter.empty() && !found.count(info.interpreter)) {
      std::error_code ec;
      if (!std::filesystem::exists(info.interpreter, ec)) {
        return make_error(Errc::io,
                          info.interpreter + " (interpreter of " + display + "): not found");
      }
      found[info.interpreter] = {info.interpreter, info.interpreter};
      todo.emplace_back(info.interpreter, info.interpreter);
    }
    for (const auto& soname : info.needed) {
      if (found.count(soname)) continue;
      if (found.size() >= kMaxLibraries) {
        return make_error(Errc::invalid_data, "more than 512 shared libraries needed");
      }
      std::vector<std::string> dirs = info.runpath;
      dirs.insert(dirs.end(), defaults.begin(), defaults.end());
      std::optional<std::filesystem::path> hit;
      for (const auto& d : dirs) {
        std::filesystem::path p = std::filesystem::path(d) / soname;
        std::error_code ec;
        if (std::filesystem::is_regular_file(p, ec)) {
          hit = p;
          break;
        }
      }
      if (!hit) {
        std::string where;
        for (const auto& d : dirs) where += (where.empty() ? "" : ", ") + d;
        return make_error(Errc::io, soname + " (needed by " + display + "): not found in " + where);
      }
      found[soname] = {soname, *hit};
      todo.emplace_back(*hit, soname);
    }
  }
  std::vector<ResolvedLibrary> out;
  for (auto& [k, v] : found) out.push_back(std::move(v));
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  return out;
}

Result<std::filesystem::path> find_library(const std::string& soname) {
  for (const auto& d : kDefaultDirs) {
    std::filesystem::path p = std::filesystem::path(d) / soname;
    std::error_code ec;
    if (std::filesystem::is_regular_file(p, ec)) return p;
  }
  return make_error(Errc::io, soname + ": not found in the library directories");
}

}  // namespace leea::boot
