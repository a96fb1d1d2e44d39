#include "core/disk/tar.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/util/files.h"

namespace leea::disk {
namespace {

// ustar header fields: offset, length (POSIX.1-2001, pax "ustar Interchange Format").
struct Field {
  size_t off, len;
  const char* name;
};
constexpr Field kName{0, 100, "name"}, kMode{100, 8, "mode"}, kUid{108, 8, "uid"},
    kGid{116, 8, "gid"}, kSize{124, 12, "size"}, kMtime{136, 12, "mtime"},
    kChksum{148, 8, "chksum"}, kLinkname{157, 100, "linkname"}, kMagic{257, 6, "magic"},
    kDevmajor{329, 8, "devmajor"}, kDevminor{337, 8, "devminor"}, kPrefix{345, 155, "prefix"};
constexpr size_t kTypeflag = 156;
constexpr uint64_t kMaxMeta = 1u << 20;  // pax and GNU long-name data

std::string text(std::span<const uint8_t, kTarBlock> b, Field f) {
  const char* p = reinterpret_cast<const char*>(b.data() + f.off);
  return std::string(p, strnlen(p, f.len));
}

Error bad(std::string_view where, std::string_view field, std::string_view what) {
  return make_error(Errc::invalid_data,
                    std::string(where) + ": " + std::string(field) + ": " + std::string(what));
}

// Octal with optional leading spaces and NUL/space terminators, or GNU base-256 (high bit
// of the first byte set) for values that do not fit.
Result<uint64_t> number(std::span<const uint8_t, kTarBlock> b, Field f, std::string_view where) {
  const uint8_t* p = b.data() + f.off;
  if ((p[0] & 0x80) != 0) {
    if ((p[0] & 0x40) != 0) return bad(where, f.name, "negative base-256 number");
    uint64_t v = p[0] & 0x3f;
    for (size_t i = 1; i < f.len; ++i) {
      if (v >> 56 != 0) return bad(where, f.name, "number too large");
      v = v << 8 | p[i];
    }
    return v;
  }
  size_t i = 0;
  while (i < f.len && p[i] == ' ') ++i;
  uint64_t v = 0;
  bool any = false;
  for (; i < f.len && p[i] >= '0' && p[i] <= '7'; ++i) {
    if (v >> 61 != 0) return bad(where, f.name, "number too large");
    v = v << 3 | static_cast<uint64_t>(p[i] - '0');
    any = true;
  }
  for (; i < f.len; ++i) {
    if (p[i] != 0 && p[i] != ' ') return bad(where, f.name, "not an octal number");
  }
  if (!any && f.off != kDevmajor.off && f.off != kDevminor.off) {
    return bad(where, f.name, "empty");
  }
  return v;
}

std::string compression_of(std::span<const uint8_t> b) {
  if (b.size() >= 2 && b[0] == 0x1f && b[1] == 0x8b) return "gzip";
  if (b.size() >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd) return "zstd";
  if (b.size() >= 6 && b[0] == 0xfd && b[1] == '7' && b[2] == 'z' && b[3] == 'X') return "xz";
  if (b.size() >= 3 && b[0] == 'B' && b[1] == 'Z' && b[2] == 'h') return "bzip2";
  return "";
}

}  // namespace

Result<std::optional<TarEntry>> parse_tar_header(std::span<const uint8_t, kTarBlock> b,
                                                 std::string_view where) {
  if (std::all_of(b.begin(), b.end(), [](uint8_t c) { return c == 0; })) {
    return std::optional<TarEntry>();
  }
  LEEA_ASSIGN_OR_RETURN(uint64_t recorded, number(b, kChksum, where));
  uint64_t sum = 0;
  for (size_t i = 0; i < kTarBlock; ++i) {
    sum += (i >= kChksum.off && i < kChksum.off + kChksum.len) ? ' ' : b[i];
  }
  if (sum != recorded) return bad(where, "chksum", "does not match the header");
  TarEntry e;
  const std::string magic = text(b, kMagic);
  e.path = text(b, kName);
  if (magic.rfind("ustar", 0) == 0 && b[kPrefix.off] != 0 && magic == "ustar") {
    e.path = text(b, kPrefix) + "/" + e.path;
  }
  e.type = b[kTypeflag] == 0 ? '0' : static_cast<char>(b[kTypeflag]);
  if (e.type == '7') e.type = '0';  // contiguous file: a regular file
  LEEA_ASSIGN_OR_RETURN(uint64_t mode, number(b, kMode, where));
  e.mode = static_cast<uint32_t>(mode & 07777);
  LEEA_ASSIGN_OR_RETURN(e.uid, number(b, kUid, where));
  LEEA_ASSIGN_OR_RETURN(e.gid, number(b, kGid, where));
  LEEA_ASSIGN_OR_RETURN(e.size, number(b, kSize, where));
  LEEA_ASSIGN_OR_RETURN(uint64_t mtime, number(b, kMtime, where));
  e.mtime = static_cast<int64_t>(std::min<uint64_t>(mtime, INT64_MAX));
  e.link = text(b, kLinkname);
  if (magic.rfind("ustar", 0) == 0) {
    LEEA_ASSIGN_OR_RETURN(uint64_t major, number(b, kDevmajor, where));
    LEEA_ASSIGN_OR_RETURN(uint64_t minor, number(b, kDevminor, where));
    if (major > 0xfff || minor > 0xfffff) return bad(where, "devmajor", "out of range");
    e.dev_major = static_cast<uint32_t>(major);
    e.dev_minor = static_cast<uint32_t>(minor);
  }
  return std::optional<TarEntry>(std::move(e));
}

Result<void> parse_pax_records(std::string_view data, std::string_view where, PaxRecords* out) {
  while (!data.empty()) {
    size_t sp = data.find(' ');
    if (sp == std::string_view::npos || sp == 0 || sp > 20) {
      return bad(where, "pax", "record without a length");
    }
    uint64_t len = 0;
    for (char c : data.substr(0, sp)) {
      if (c < '0' || c > '9') return bad(where, "pax", "bad record length");
      len = len * 10 + static_cast<uint64_t>(c - '0');
    }
    if (len <= sp + 1 || len > data.size() || data[len - 1] != '\n') {
      return bad(where, "pax", "record length past its end");
    }
    std::string_view rec = data.substr(sp + 1, len - sp - 2);
    data.remove_prefix(len);
    size_t eq = rec.find('=');
    if (eq == std::string_view::npos) return bad(where, "pax", "record without '='");
    std::string_view key = rec.substr(0, eq), value = rec.substr(eq + 1);
    auto integer = [&](std::string_view v) -> Result<uint64_t> {
      v = v.substr(0, v.find('.'));  // mtime may carry a fraction
      if (v.empty() || v.size() > 19)
        return bad(where, std::string("pax ") + std::string(key), "bad number");
      uint64_t n = 0;
      for (char c : v) {
        if (c < '0' || c > '9')
          return bad(where, std::string("pax ") + std::string(key), "bad number");
        n = n * 10 + static_cast<uint64_t>(c - '0');
      }
      return n;
    };
    if (key == "path") {
      out->path = std::string(value);
    } else if (key == "linkpath") {
      out->linkpath = std::string(value);
    } else if (key == "uid") {
      LEEA_ASSIGN_OR_RETURN(out->uid, integer(value));
    } else if (key == "gid") {
      LEEA_ASSIGN_OR_RETURN(out->gid, integer(value));
    } else if (key == "size") {
      LEEA_ASSIGN_OR_RETURN(out->size, integer(value));
    } else if (key == "mtime") {
      LEEA_ASSIGN_OR_RETURN(uint64_t m, integer(value));
      out->mtime = static_cast<int64_t>(std::min<uint64_t>(m, INT64_MAX));
    }
  }
  return {};
}

Result<std::string> sanitize_tar_path(std::string_view path, std::string_view where) {
  std::string out;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view c = path.substr(i, j - i);
    i = j + 1;
    if (c.empty() || c == ".") continue;  // "./x", "/x", "a//b", trailing '/'
    if (c == "..") return bad(where, "path", "'..' is not allowed");
    if (c.find_first_of(std::string_view("\0\"\n", 3)) != std::string_view::npos) {
      return bad(where, "path", "contains a NUL, '\"' or a newline");
    }
    if (!out.empty()) out += '/';
    out += c;
  }
  return out;
}

Result<TarListing> read_tar(int fd, const std::string& name) {
  TarListing out;
  std::array<uint8_t, kTarBlock> block{};
  struct stat st {};
  if (::fstat(fd, &st) != 0) return errno_error(name, errno);
  const auto file_size = static_cast<uint64_t>(st.st_size);
  uint64_t off = 0;
  PaxRecords global, next;
  std::optional<std::string> gnu_name, gnu_link;
  for (size_t n = 1;; ++n) {
    const std::string where = name + ": entry " + std::to_string(n);
    LEEA_ASSIGN_OR_RETURN(size_t got, pread_full(fd, block, off, name));
    if (off == 0) {
      std::string c = compression_of(std::span(block.data(), got));
      if (!c.empty()) {
        return make_error(Errc::invalid_data,
                          name + ": " + c + "-compressed; decompress it first (a plain .tar)");
      }
    }
    if (got == 0 && off > 0) break;  // some writers omit the end-of-archive blocks
    if (got != kTarBlock) return bad(where, "header", "truncated");
    LEEA_ASSIGN_OR_RETURN(auto h, parse_tar_header(block, where));
    off += kTarBlock;
    if (!h) break;
    TarEntry e = std::move(*h);
    const uint64_t data_blocks = (e.size + kTarBlock - 1) / kTarBlock * kTarBlock;
    if (e.type == 'x' || e.type == 'g' || e.type == 'L' || e.type == 'K') {
      if (e.size > kMaxMeta) return bad(where, "size", "extended header too large");
      std::string data(e.size, '\0');
      LEEA_ASSIGN_OR_RETURN(
          size_t d, pread_full(fd, std::span(reinterpret_cast<uint8_t*>(data.data()), data.size()),
                               off, name));
      if (d != data.size()) return bad(where, "data", "truncated");
      off += data_blocks;
      if (e.type == 'x') LEEA_TRY(parse_pax_records(data, where, &next));
      if (e.type == 'g') LEEA_TRY(parse_pax_records(data, where, &global));
      if (e.type == 'L') gnu_name = std::string(data.c_str());
      if (e.type == 'K') gnu_link = std::string(data.c_str());
      continue;
    }
    for (const PaxRecords* p : {&global, &next}) {
      if (p->path) e.path = *p->path;
      if (p->linkpath) e.link = *p->linkpath;
      if (p->uid) e.uid = *p->uid;
      if (p->gid) e.gid = *p->gid;
      if (p->size) e.size = *p->size;
      if (p->mtime) e.mtime = *p->mtime;
    }
    if (gnu_name) e.path = *gnu_name;
    if (gnu_link) e.link = *gnu_link;
    next = {};
    gnu_name.reset();
    gnu_link.reset();
    if (std::string_view("0123456").find(e.type) == std::string_view::npos) {
      return bad(where, "typeflag", std::string("unsupported entry type '") + e.type + "'");
    }
    if (e.type != '0') e.size = 0;  // only regular files carry data here
    if (e.size > file_size - std::min(off, file_size)) {
      return bad(
          where, "data",
          "truncated: the archive ends inside this file's " + std::to_string(e.size) + " bytes");
    }
    out.entries.push_back(std::move(e));
    out.data_offsets.push_back(off);
    off += (out.entries.back().size + kTarBlock - 1) / kTarBlock * kTarBlock;
  }
  return out;
}

}  // namespace leea::disk
