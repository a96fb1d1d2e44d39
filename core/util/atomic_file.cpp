// AtomicFile: unnamed temporaries (O_TMPFILE) linked into place on commit, with a named
// temporary as the fallback. See files.h for the contract.
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <random>

#include "core/util/files.h"

namespace leea {
namespace {

namespace fs = std::filesystem;

fs::path parent_dir(const fs::path& path) {
  return path.has_parent_path() ? path.parent_path() : fs::path(".");
}

// A fresh name beside path for a temporary (collisions are retried by the callers).
fs::path temp_name(const fs::path& path) {
  static std::random_device rd;  // only names the temporary
  fs::path tmp = path;
  tmp += ".tmp-" + std::to_string(rd() % 1000000000u);
  return tmp;
}

// linkat(2) of an O_TMPFILE descriptor goes through /proc/self/fd (AT_EMPTY_PATH would
// need CAP_DAC_READ_SEARCH); without /proc the named fallback is used instead.
bool have_proc_fd() {
  static const bool yes = ::access("/proc/self/fd", X_OK) == 0;
  return yes;
}

std::string proc_fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

bool tmpfile_unsupported(int err) { return err == EOPNOTSUPP || err == EISDIR || err == EINVAL; }

bool link_unsupported(int err) { return err == EPERM || err == EOPNOTSUPP || err == ENOSYS; }

// Refuses to replace what is not a regular file, even when asked to replace.
Result<void> refuse_non_regular(const fs::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    return errno == ENOENT ? Result<void>() : errno_error(path.string(), errno);
  }
  if (!S_ISREG(st.st_mode)) {
    return make_error(Errc::io, path.string() + ": not a regular file; refusing to replace it");
  }
  return {};
}

}  // namespace

Result<void> check_output_path(const fs::path& path, bool replace) {
  LEEA_TRY(refuse_non_regular(path));
  struct stat st {};
  if (!replace && ::lstat(path.c_str(), &st) == 0) {
    return make_error(Errc::io, path.string() + ": already exists (use --force to replace)");
  }
  return {};
}

AtomicFile::AtomicFile(fs::path path, fs::path tmp, int fd, Mode mode)
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

Result<AtomicFile> AtomicFile::open(const fs::path& path, unsigned perms, Mode mode) {
  if (mode == Mode::replace) {
    LEEA_TRY(refuse_non_regular(path));
  }
  if (!have_proc_fd()) {
    return open_named(path, perms, mode);
  }
  int fd = ::open(parent_dir(path).c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC,
                  static_cast<mode_t>(perms));
  if (fd < 0) {
    if (tmpfile_unsupported(errno)) {
      return open_named(path, perms, mode);
    }
    return errno_error(path.string(), errno);
  }
  // The umask may have narrowed perms; the caller asked for exactly these.
  ::fchmod(fd, static_cast<mode_t>(perms));
  return AtomicFile(path, fs::path(), fd, mode);
}

Result<AtomicFile> AtomicFile::open_named(const fs::path& path, unsigned perms, Mode mode) {
  for (int attempt = 0; attempt < 16; ++attempt) {
    fs::path tmp = temp_name(path);
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                    static_cast<mode_t>(perms));
    if (fd >= 0) {
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

// Unnamed temporary: create_new links it to the target (EEXIST if one appeared); replace
// links it to a fresh temporary name, which publish_named() renames over the target.
Result<void> AtomicFile::link_unnamed() {
  const std::string from = proc_fd_path(fd_);
  if (mode_ == Mode::create_new) {
    if (::linkat(AT_FDCWD, from.c_str(), AT_FDCWD, path_.c_str(), AT_SYMLINK_FOLLOW) != 0) {
      return errno_error(path_.string(), errno);
    }
    return {};
  }
  for (int attempt = 0; attempt < 16; ++attempt) {
    fs::path tmp = temp_name(path_);
    if (::linkat(AT_FDCWD, from.c_str(), AT_FDCWD, tmp.c_str(), AT_SYMLINK_FOLLOW) == 0) {
      tmp_ = tmp;
      return {};
    }
    if (errno != EEXIST) {
      return errno_error(path_.string(), errno);
    }
  }
  return make_error(Errc::io, path_.string() + ": cannot create a temporary file");
}

// Named temporary (tmp_): moves it to the target and clears tmp_.
Result<void> AtomicFile::publish_named() {
  if (mode_ == Mode::create_new) {
    // link(2) fails with EEXIST instead of replacing, so an existing file is never lost;
    // file systems without hard links (vfat) get the same from RENAME_NOREPLACE.
    if (::link(tmp_.c_str(), path_.c_str()) == 0) {
      ::unlink(tmp_.c_str());
    } else if (!link_unsupported(errno) || ::renameat2(AT_FDCWD, tmp_.c_str(), AT_FDCWD,
                                                       path_.c_str(), RENAME_NOREPLACE) != 0) {
      return errno_error(path_.string(), errno);
    }
  } else {
    LEEA_TRY(refuse_non_regular(path_));
    if (::rename(tmp_.c_str(), path_.c_str()) != 0) {
      return errno_error(path_.string(), errno);
    }
  }
  tmp_.clear();
  return {};
}

Result<void> AtomicFile::commit() {
  if (fd_ < 0) {
    return make_error(Errc::internal, path_.string() + ": commit twice");
  }
  Result<void> r;
  if (::fsync(fd_) != 0) {
    r = errno_error(path_.string(), errno);
  } else if (tmp_.empty()) {
    r = link_unnamed();
  }
  int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0 && r) {
    r = errno_error(path_.string(), errno);
    if (mode_ == Mode::create_new && tmp_.empty()) {
      ::unlink(path_.c_str());  // linked above, but its content is in doubt
    }
  }
  if (r && !tmp_.empty()) {
    r = publish_named();
  }
  if (!r) {
    discard();
    return r;
  }
  int dfd = ::open(parent_dir(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return {};
}

}  // namespace leea
