// A reproducible newc cpio archive (the format the Linux kernel unpacks as an initramfs,
// Documentation/driver-api/early-userspace/buffer-format.rst).
//
// Reproducible: entries are written sorted by path (bytewise), every parent directory is
// added when missing, owners are 0:0, every mtime is the same given value, inode numbers
// count up from 1 in that order, and device numbers are zero. The same entries therefore
// give the same bytes, whatever order they were added in and whatever the source files'
// metadata was, so the archive's digest can be a reference value.
//
// Thread-compatible: a CpioBuilder is a plain value; no I/O happens here.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/result.h"

namespace leea::boot {

class CpioBuilder {
 public:
  // Paths are relative ("bin/busybox"): no leading '/', no "." or ".." component, no empty
  // component, at most 4096 bytes. Errc::invalid_argument otherwise, or when path was added
  // already as another kind (adding the same directory twice is fine).
  Result<void> add_file(std::string_view path, std::vector<uint8_t> data, uint32_t perms = 0644);
  Result<void> add_directory(std::string_view path, uint32_t perms = 0755);
  Result<void> add_symlink(std::string_view path, std::string_view target);

  bool contains(std::string_view path) const { return entries_.count(std::string(path)) != 0; }
  size_t size() const { return entries_.size(); }

  // The archive, TRAILER!!! included. mtime is written into every entry.
  std::vector<uint8_t> finish(uint32_t mtime) const;

 private:
  struct Entry {
    uint32_t mode = 0;  // S_IFREG/S_IFDIR/S_IFLNK | perms
    std::vector<uint8_t> data;
  };
  Result<void> add(std::string_view path, Entry entry);
  std::map<std::string, Entry> entries_;
};

// Checks a relative archive path as CpioBuilder does; false when it is not one.
bool valid_archive_path(std::string_view path);

}  // namespace leea::boot
