#include "core/util/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

namespace leea {

Error errno_error(std::string_view what, int err) {
  return make_error(Errc::io, std::string(what) + ": " + std::strerror(err));
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

AtomicFile::AtomicFile(std::filesystem::path path, std::filesystem::path tmp, int fd, Mode mode)
    : path_(std::move(path)), tmp_(std::move(tmp)), fd_(fd), mode_(mode) {}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : path_(std::move(other.path_)),
      tmp_(std::move(other.tmp_)),
      fd_(other.fd_),
      mode_(other.mode_) {
  other.fd_ = -1;
  other.tmp_.clear();
}

AtomicFile::~AtomicFile() { discard(); }

void AtomicFile::discard() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  if (!tmp_.empty()) {
    ::unlink(tmp_.c_str());
    tmp_.clear();
  }
}

Result<AtomicFile> AtomicFile::open(const std::filesystem::path& path, unsigned perms, Mode mode) {
  std::random_device rd;  // only names the temporary; collisions are retried
  for (int attempt = 0; attempt < 16; ++attempt) {
    std::filesystem::path tmp = path;
    tmp += ".tmp-" + std::to_string(rd() % 1000000000u);
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                    static_cast<mode_t>(perms));
    if (fd >= 0) {
      // The umask may have narrowed perms; the caller asked for exactly these.
      ::fchmod(fd, static_cast<mode_t>(perms));
      return AtomicFile(path, tmp, fd, mode);
    }
    if (errno != EEXIST) {
      return errno_error(path.string(), errno);
    }
  }
  return make_error(Errc::io, path.string() + ": cannot create a temporary file");
}

Result<void> AtomicFile::write(std::span<const uint8_t> data) {
  if (fd_ < 0) {
    return make_error(Errc::internal, path_.string() + ": write after commit");
  }
  return with_context(write_all(fd_, data), path_.string());
}

Result<void> AtomicFile::write(std::string_view data) {
  return write(std::span(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
}

Result<void> AtomicFile::commit() {
  if (fd_ < 0) {
    return make_error(Errc::internal, path_.string() + ": commit twice");
  }
  if (::fsync(fd_) != 0) {
    int err = errno;
    discard();
    return errno_error(path_.string(), err);
  }
  ::close(fd_);
  fd_ = -1;
  int rc = 0;
  if (mode_ == Mode::create_new) {
    // link(2) fails with EEXIST instead of replacing, so an existing file is never lost.
    rc = ::link(tmp_.c_str(), path_.c_str());
    if (rc == 0) {
      ::unlink(tmp_.c_str());
    }
  } else {
    rc = ::rename(tmp_.c_str(), path_.c_str());
  }
  if (rc != 0) {
    int err = errno;
    discard();
    return errno_error(path_.string(), err);
  }
  tmp_.clear();
  std::filesystem::path dir = path_.has_parent_path() ? path_.parent_path() : ".";
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return {};
}

}  // namespace leea
