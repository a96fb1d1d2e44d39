// Files: bounded reads, full writes and atomic replacement.
//
// AtomicFile writes to a temporary file beside the target, opened O_CREAT|O_EXCL|O_NOFOLLOW
// with the requested mode, and renames it over the target only on commit() after fsync;
// destroying it uncommitted removes the temporary, so a crash or an error never leaves a
// half-written file behind. Objects are not thread-safe; distinct objects are independent.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "core/util/result.h"

namespace leea {

// Reads the whole file; fails with Errc::invalid_data when it exceeds max_bytes.
Result<std::string> read_file(const std::filesystem::path& path, size_t max_bytes);

// Reads until buf is full or end of file. Returns the number of bytes read (< size at EOF).
Result<size_t> read_full(int fd, std::span<uint8_t> buf);

// Writes all of data, retrying short writes and EINTR.
Result<void> write_all(int fd, std::span<const uint8_t> data);
Result<void> write_all(int fd, std::string_view data);

class AtomicFile {
 public:
  enum class Mode { replace, create_new };  // create_new: commit fails if the target exists

  // Opens a temporary beside path. REQUIRES: the parent directory exists.
  static Result<AtomicFile> open(const std::filesystem::path& path, unsigned perms = 0600,
                                 Mode mode = Mode::replace);

  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();

  int fd() const { return fd_; }
  const std::filesystem::path& path() const { return path_; }
  Result<void> write(std::span<const uint8_t> data);
  Result<void> write(std::string_view data);
  // fsyncs, renames into place and fsyncs the directory. After success the object is inert.
  Result<void> commit();

 private:
  AtomicFile(std::filesystem::path path, std::filesystem::path tmp, int fd, Mode mode);
  void discard();

  std::filesystem::path path_;
  std::filesystem::path tmp_;
  int fd_ = -1;
  Mode mode_ = Mode::replace;
};

// "path: strerror(errno)" as an Errc::io error.
Error errno_error(std::string_view what, int err);

}  // namespace leea
