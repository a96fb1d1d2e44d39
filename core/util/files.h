// Files: bounded reads, full writes and atomic replacement.
//
// AtomicFile writes to an unnamed temporary file (O_TMPFILE) in the target's directory,
// with the requested mode, and gives it a name only on commit() after fsync: linkat(2) to
// the target itself (create_new), or to a random name renamed over the target (replace).
// A crash, a kill or an error therefore never leaves a named file with partial (secret)
// content behind. Where the file system has no O_TMPFILE, the temporary is a named file
// beside the target, opened O_CREAT|O_EXCL|O_NOFOLLOW and removed when not committed.
// Neither mode ever replaces anything but a regular file. Objects are not thread-safe;
// distinct objects are independent.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

struct stat;

#include "core/util/result.h"

namespace leea {

// Reads the whole file; fails with Errc::invalid_data when it exceeds max_bytes.
Result<std::string> read_file(const std::filesystem::path& path, size_t max_bytes);

// Reads until buf is full or end of file. Returns the number of bytes read (< size at EOF).
Result<size_t> read_full(int fd, std::span<uint8_t> buf);

// Writes all of data, retrying short writes and EINTR; a write(2) that makes no progress
// is an Errc::io error.
Result<void> write_all(int fd, std::span<const uint8_t> data);
Result<void> write_all(int fd, std::string_view data);

// The same at a file offset (pread/pwrite), for descriptors shared between threads. Errors
// are Errc::io "<what>: <reason>". pread_full returns fewer bytes only at end of file.
Result<size_t> pread_full(int fd, std::span<uint8_t> buf, uint64_t offset, std::string_view what);
Result<void> pwrite_all(int fd, std::span<const uint8_t> data, uint64_t offset,
                        std::string_view what);

// Succeeds when an AtomicFile may write path: it does not exist, or it is a regular file
// and replace is set. Otherwise Errc::io: "<path>: already exists (use --force to replace)"
// for a regular file, "<path>: not a regular file; refusing to replace it" for anything
// else (directory, FIFO, device node, socket, symlink, whatever replace says). Uses
// lstat(2), so a symlink is judged itself, never its target.
Result<void> check_output_path(const std::filesystem::path& path, bool replace);

namespace internal {
struct AtomicFileTestAccess;  // files_internal.h
}  // namespace internal

class AtomicFile {
 public:
  enum class Mode { replace, create_new };  // create_new: commit fails if the target exists

  // Opens a temporary in path's directory. Fails with Errc::io when the directory is
  // missing or not writable, or (replace) when path exists but is not a regular file.
  // REQUIRES: the parent directory exists.
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
  // fsyncs, names the file (see above), checks close(2) and fsyncs the directory. create_new
  // fails with "<path>: File exists" when the target appeared meanwhile. After success,
  // or any failure, the object is inert and nothing of it is left on disk.
  Result<void> commit();

 private:
  friend struct internal::AtomicFileTestAccess;
  // The fallback for file systems without O_TMPFILE.
  static Result<AtomicFile> open_named(const std::filesystem::path& path, unsigned perms,
                                       Mode mode);
  AtomicFile(std::filesystem::path path, std::filesystem::path tmp, int fd, Mode mode);
  void discard();
  Result<void> link_unnamed();
  Result<void> publish_named();

  std::filesystem::path path_;
  std::filesystem::path tmp_;  // a named temporary, when there is one
  int fd_ = -1;
  Mode mode_ = Mode::replace;
};

// Opens path read-only and close-on-exec, refusing a directory ("<path>: Is a directory").
// Returns the descriptor, which the caller closes, and fills st.
Result<int> open_readable(const std::string& path, struct stat* st);

// "path: strerror(errno)" as an Errc::io error.
Error errno_error(std::string_view what, int err);

}  // namespace leea
