#include "core/crypto/secret_bytes.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <new>
#include <string>

#include "core/util/files.h"
#include "core/util/log.h"

namespace leea::crypto {
namespace {
std::atomic<bool> g_mlock_warned{false};
}

SecretBytes::SecretBytes(size_t size) : size_(size) {
  if (size == 0) {
    return;
  }
  data_ = static_cast<uint8_t*>(::operator new(size));
  std::memset(data_, 0, size);
  locked_ = ::mlock(data_, size) == 0;
  if (!locked_ && !g_mlock_warned.exchange(true)) {
    log::debug("mlock failed ({}); secrets may be swapped", std::strerror(errno));
  }
}

SecretBytes::~SecretBytes() { release(); }

void SecretBytes::release() {
  if (data_ != nullptr) {
    OPENSSL_cleanse(data_, size_);
    if (locked_) {
      ::munlock(data_, size_);
    }
    ::operator delete(data_);
  }
  data_ = nullptr;
  size_ = 0;
  locked_ = false;
}

SecretBytes::SecretBytes(SecretBytes&& other) noexcept
    : data_(other.data_), size_(other.size_), locked_(other.locked_) {
  other.data_ = nullptr;
  other.size_ = 0;
  other.locked_ = false;
}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    release();
    data_ = other.data_;
    size_ = other.size_;
    locked_ = other.locked_;
    other.data_ = nullptr;
    other.size_ = 0;
    other.locked_ = false;
  }
  return *this;
}

SecretBytes SecretBytes::copy_of(std::span<const uint8_t> bytes) {
  SecretBytes s(bytes.size());
  if (!bytes.empty()) {
    std::memcpy(s.data_, bytes.data(), bytes.size());
  }
  return s;
}

bool SecretBytes::equals(std::span<const uint8_t> other) const {
  if (other.size() != size_) {
    return false;
  }
  return size_ == 0 || CRYPTO_memcmp(data_, other.data(), size_) == 0;
}

bool SecretBytes::equals(const SecretBytes& other) const { return equals(other.reveal()); }

SecretBytes SecretBytes::prefix(size_t n) const { return copy_of(reveal().first(n)); }

ScopedCleanse::~ScopedCleanse() { cleanse(p_, n_); }

void cleanse(void* p, size_t n) {
  if (p != nullptr && n != 0) {
    OPENSSL_cleanse(p, n);
  }
}

Result<SecretBytes> read_secret_fd(int fd, const std::string& name, size_t max_bytes) {
  // Grow by doubling into fresh locked buffers; each old buffer is wiped when replaced.
  SecretBytes buf(4096);
  size_t used = 0;
  for (;;) {
    if (used == buf.size()) {
      if (used > max_bytes) {
        break;
      }
      SecretBytes bigger(buf.size() * 2);
      std::memcpy(bigger.reveal().data(), buf.reveal().data(), used);
      buf = std::move(bigger);
    }
    auto n = read_full(fd, buf.reveal().subspan(used));
    if (!n) {
      return with_context(Result<SecretBytes>(std::move(n).error()), name);
    }
    used += *n;
    if (used < buf.size()) {
      break;
    }
  }
  if (used > max_bytes) {
    return make_error(Errc::invalid_data,
                      name + ": larger than " + std::to_string(max_bytes) + " bytes");
  }
  return buf.prefix(used);
}

Result<SecretBytes> read_secret(const char* path, size_t max_bytes) {
  if (std::strcmp(path, "-") == 0) {
    return read_secret_fd(STDIN_FILENO, "standard input", max_bytes);
  }
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return errno_error(path, errno);
  }
  auto r = read_secret_fd(fd, path, max_bytes);
  ::close(fd);
  return r;
}

void harden_process() {
  ::umask(077);
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  struct rlimit none = {0, 0};
  ::setrlimit(RLIMIT_CORE, &none);
}

}  // namespace leea::crypto
