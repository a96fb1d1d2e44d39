// Private to core/evidence: the bounded readers and event builders that the collect_*.cpp
// files share. Every function here is total: a file that cannot be read becomes a Problem
// (a short text that the caller turns into an event), never an exception. Stateless.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/evidence/collect.h"
#include "core/util/result.h"

namespace leea::evidence::internal {

inline constexpr size_t kMaxAttribute = size_t{64} << 10;  // one /sys attribute
inline constexpr size_t kMaxProcFile = size_t{4} << 20;    // /proc/cpuinfo, /proc/modules, ...
inline constexpr size_t kMaxModulesDep = size_t{16} << 20;
inline constexpr size_t kMaxValue = 4096;  // EventLog's bound on a value

// Why something could not be measured: "absent", "unreadable: <strerror>", ...
struct Problem {
  std::string why;
};

// Owns a file descriptor and closes it.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd();
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// root/guest, where guest is an absolute path on the measured system.
std::filesystem::path under(const std::filesystem::path& root, std::string_view guest);

// Opens path read-only, O_NONBLOCK, close-on-exec; the file must be a regular file (or a
// block device when allow_block). Returns the descriptor, which the caller closes.
std::variant<int, Problem> open_measured(const std::filesystem::path& path, bool allow_block);

// The whole file, at most max bytes; larger is the Problem "larger than <max> bytes".
std::variant<std::string, Problem> read_text(const std::filesystem::path& path, size_t max);
// At most the first max bytes of the file (for /proc files of which only a prefix matters).
std::variant<std::string, Problem> read_prefix(const std::filesystem::path& path, size_t max);
// An attribute: read_text(path, kMaxAttribute) without one trailing newline.
std::variant<std::string, Problem> read_attribute(const std::filesystem::path& path);

// SHA-256 of the file, streamed, at most max bytes.
std::variant<std::array<uint8_t, 32>, Problem> digest_file(const std::filesystem::path& path,
                                                           uint64_t max);

// Reads up to buf.size() bytes at offset; returns the count (short only at end of file).
std::variant<size_t, Problem> pread_full(int fd, uint64_t offset, std::span<uint8_t> buf);

struct DirEntry {
  std::string name;
  bool is_dir = false;   // a directory itself, not a symlink to one
  bool is_link = false;  // a symbolic link (never followed)
};
// The entries of a directory other than . and .., sorted by name. A missing directory (or
// one that cannot be opened) is nullopt; more than max entries is Errc::invalid_data.
Result<std::optional<std::vector<DirEntry>>> list_dir(const std::filesystem::path& path,
                                                      size_t max);

// Keeps [A-Za-z0-9._:+@-], writes any other byte as %XX.
std::string name_part(std::string_view text);
// The disk.*.luks_header event of the device open on fd (collect_disk.cpp), if it has one.
std::optional<Event> luks_header_of(int fd, const std::string& name);

// "sha256:<hex>" of data.
std::string sha256_tag(std::span<const uint8_t> data);
std::string sha256_tag(std::string_view data);

// An event for text read from the system: its digest, and the text as value when it is
// at most kMaxValue printable ASCII characters.
Event text_event(std::string kind, std::string name, std::string_view text);
// An event for bytes that were measured, with an optional display value.
Event bytes_event(std::string kind, std::string name, std::span<const uint8_t> digest32,
                  std::optional<std::string> value);
// An event saying why something could not be measured (digest: SHA-256 of the reason).
Event problem_event(std::string kind, std::string name, const Problem& p);
// text_event for a read that succeeded, problem_event otherwise.
Event read_event(std::string kind, std::string name,
                 const std::variant<std::string, Problem>& read);

// The groups (collect_disk.cpp, collect_system.cpp, collect.cpp).
Result<void> collect_disks(const CollectOptions& o, Collection& out);
Result<void> collect_hardware(const CollectOptions& o, Collection& out);
Result<void> collect_kernel(const CollectOptions& o, Collection& out);
Result<void> collect_drivers(const CollectOptions& o, Collection& out);

}  // namespace leea::evidence::internal
