#include "core/boot/cpio.h"

#include <sys/stat.h>

#include <cstdio>
#include <span>

namespace leea::boot {
namespace {

constexpr size_t kMaxPath = 4096;

void put_hex(std::vector<uint8_t>& out, uint32_t v) {
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08X", v);
  out.insert(out.end(), buf, buf + 8);
}

void pad4(std::vector<uint8_t>& out) {
  while (out.size() % 4 != 0) out.push_back(0);
}

// newc header: magic "070701" then 13 fields of 8 hex digits (buffer-format.rst).
void put_entry(std::vector<uint8_t>& out, uint32_t ino, uint32_t mode, uint32_t nlink,
               uint32_t mtime, std::string_view name, std::span<const uint8_t> data) {
  static constexpr std::string_view kMagic = "070701";
  out.insert(out.end(), kMagic.begin(), kMagic.end());
  put_hex(out, ino);
  put_hex(out, mode);
  put_hex(out, 0);  // uid
  put_hex(out, 0);  // gid
  put_hex(out, nlink);
  put_hex(out, mtime);
  put_hex(out, static_cast<uint32_t>(data.size()));
  for (int i = 0; i < 4; ++i) put_hex(out, 0);  // dev major/minor, rdev major/minor
  put_hex(out, static_cast<uint32_t>(name.size() + 1));
  put_hex(out, 0);  // check: only for the "070702" format
  out.insert(out.end(), name.begin(), name.end());
  out.push_back(0);
  pad4(out);
  out.insert(out.end(), data.begin(), data.end());
  pad4(out);
}

}  // namespace

bool valid_archive_path(std::string_view path) {
  if (path.empty() || path.size() > kMaxPath || path.front() == '/' || path.back() == '/') {
    return false;
  }
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    if (part.find('\0') != std::string_view::npos) return false;
    start = end + 1;
  }
  return true;
}

Result<void> CpioBuilder::add(std::string_view path, Entry entry) {
  if (!valid_archive_path(path)) {
    return make_error(Errc::invalid_argument,
                      "initramfs path '" + std::string(path) + "' is not a relative path");
  }
  // Parents first: the kernel creates an entry's directory only if an entry made it.
  for (size_t slash = path.find('/'); slash != std::string_view::npos;
       slash = path.find('/', slash + 1)) {
    std::string parent(path.substr(0, slash));
    auto it = entries_.find(parent);
    if (it == entries_.end()) {
      entries_.emplace(parent, Entry{S_IFDIR | 0755, {}});
    } else if ((it->second.mode & S_IFMT) != S_IFDIR) {
      return make_error(Errc::invalid_argument,
                        "initramfs path '" + parent + "' is a file and a directory");
    }
  }
  auto [it, inserted] = entries_.try_emplace(std::string(path), std::move(entry));
  if (!inserted && !((it->second.mode & S_IFMT) == S_IFDIR && (entry.mode & S_IFMT) == S_IFDIR)) {
    return make_error(Errc::invalid_argument,
                      "initramfs path '" + std::string(path) + "' added twice");
  }
  return {};
}

Result<void> CpioBuilder::add_file(std::string_view path, std::vector<uint8_t> data,
                                   uint32_t perms) {
  return add(path, Entry{S_IFREG | (perms & 07777), std::move(data)});
}

Result<void> CpioBuilder::add_directory(std::string_view path, uint32_t perms) {
  return add(path, Entry{S_IFDIR | (perms & 07777), {}});
}

Result<void> CpioBuilder::add_symlink(std::string_view path, std::string_view target) {
  if (target.empty() || target.size() > kMaxPath) {
    return make_error(Errc::invalid_argument, "initramfs symlink '" + std::string(path) +
                                                  "' has an empty or overlong target");
  }
  return add(path, Entry{S_IFLNK | 0777, std::vector<uint8_t>(target.begin(), target.end())});
}

std::vector<uint8_t> CpioBuilder::finish(uint32_t mtime) const {
  std::vector<uint8_t> out;
  size_t total = 0;
  for (const auto& [path, e] : entries_) total += 110 + path.size() + e.data.size() + 8;
  out.reserve(total + 128);
  uint32_t ino = 1;
  for (const auto& [path, e] : entries_) {
    bool dir = (e.mode & S_IFMT) == S_IFDIR;
    put_entry(out, ino++, e.mode, dir ? 2 : 1, mtime, path, e.data);
  }
  put_entry(out, 0, 0, 1, 0, "TRAILER!!!", {});
  return out;
}

}  // namespace leea::boot
