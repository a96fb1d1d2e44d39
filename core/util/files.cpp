#include "core/util/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace leea {

Error errno_error(std::string_view what, int err) {
  return make_error(Errc::io, std::string(what) + ": " + std::strerror(err));
}

Result<int> open_readable(const std::string& path, struct stat* st) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return errno_error(path, errno);
  }
  if (::fstat(fd, st) != 0 || S_ISDIR(st->st_mode)) {
    int err = S_ISDIR(st->st_mode) ? EISDIR : errno;
    ::close(fd);
    return errno_error(path, err);
  }
  return fd;
}

Result<size_t> pread_full(int fd, std::span<uint8_t> buf, uint64_t offset, std::string_view what) {
  size_t got = 0;
  while (got < buf.size()) {
    ssize_t n = ::pread(fd, buf.data() + got, buf.size() - got, static_cast<off_t>(offset + got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_error(what, errno);
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  return got;
}

Result<void> pwrite_all(int fd, std::span<const uint8_t> data, uint64_t offset,
                        std::string_view what) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n =
        ::pwrite(fd, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_error(what, errno);
    if (n == 0) return make_error(Errc::io, std::string(what) + ": write made no progress");
    done += static_cast<size_t>(n);
  }
  return {};
}

Result<size_t> read_full(int fd, std::span<uint8_t> buf) {
  size_t got = 0;
  while (got < buf.size()) {
    ssize_t n = ::read(fd, buf.data() + got, buf.size() - got);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return errno_error("read", errno);
    }
    if (n == 0) {
      break;
    }
    got += static_cast<size_t>(n);
  }
  return got;
}

Result<void> write_all(int fd, std::span<const uint8_t> data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return errno_error("write", errno);
    }
    if (n == 0) {
      // Only possible for odd files; retrying would spin for ever.
      return make_error(Errc::io, "write: no progress (0 bytes written)");
    }
    off += static_cast<size_t>(n);
  }
  return {};
}

Result<void> write_all(int fd, std::string_view data) {
  return write_all(fd, std::span(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
}

Result<std::string> read_file(const std::filesystem::path& path, size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return errno_error(path.string(), errno);
  }
  std::string out;
  char buf[65536];
  Result<void> status;
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      status = errno_error(path.string(), errno);
      break;
    }
    if (n == 0) {
      break;
    }
    if (out.size() + static_cast<size_t>(n) > max_bytes) {
      status = make_error(Errc::invalid_data,
                          path.string() + ": larger than " + std::to_string(max_bytes) + " bytes");
      break;
    }
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  if (!status) {
    return std::move(status).error();
  }
  return out;
}

}  // namespace leea
