// A fake /sys, /proc, /dev and /lib/modules tree in a temporary directory, for collecting
// measurements with CollectOptions::root. Builders write exactly the bytes given, so tests
// compute the expected digests from those bytes with crypto::sha256.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/crypto/digest.h"
#include "core/util/encoding.h"
#include "tests/support/temp_dir.h"

namespace leea::test {

class FixtureTree {
 public:
  const std::filesystem::path& root() const { return dir_.path(); }
  std::filesystem::path at(const std::string& guest) const { return root() / guest.substr(1); }

  void file(const std::string& guest, const std::string& content) const {
    std::filesystem::create_directories(at(guest).parent_path());
    write_file(at(guest), content);
  }
  void bytes(const std::string& guest, const std::vector<uint8_t>& content) const {
    file(guest, std::string(content.begin(), content.end()));
  }
  void dir(const std::string& guest) const { std::filesystem::create_directories(at(guest)); }
  void link(const std::string& guest, const std::string& target) const {
    std::filesystem::create_directories(at(guest).parent_path());
    std::filesystem::create_symlink(target, at(guest));
  }
  void fifo(const std::string& guest) const {
    std::filesystem::create_directories(at(guest).parent_path());
    if (::mkfifo(at(guest).c_str(), 0600) != 0) throw std::runtime_error("mkfifo");
  }
  // A block device entry in /sys/block with its size (512-byte sectors, rounded up) and the
  // bytes of its /dev node.
  void block_device(const std::string& name, const std::vector<uint8_t>& content) const {
    file("/sys/block/" + name + "/size", std::to_string((content.size() + 511) / 512) + "\n");
    bytes("/dev/" + name, content);
  }
  void partition(const std::string& disk, const std::string& name,
                 const std::vector<uint8_t>& content) const {
    file("/sys/block/" + disk + "/" + name + "/partition", "1\n");
    bytes("/dev/" + name, content);
  }

 private:
  TempDir dir_;
};

inline std::string sha256_tag(const std::string& data) {
  return "sha256:" + hex_encode(crypto::sha256(data));
}
inline std::string sha256_tag(const std::vector<uint8_t>& data) {
  return "sha256:" + hex_encode(crypto::sha256(data));
}
inline std::vector<uint8_t> slice(const std::vector<uint8_t>& v, size_t from, size_t n) {
  return std::vector<uint8_t>(v.begin() + static_cast<long>(from),
                              v.begin() + static_cast<long>(from + n));
}
inline std::vector<uint8_t> concat(std::vector<uint8_t> a, const std::vector<uint8_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace leea::test
