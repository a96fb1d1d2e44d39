#include "core/shamir/io.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/util/files.h"

namespace leea::shamir {
namespace {

class FdSource final : public ByteSource {
 public:
  FdSource(int fd, bool owned) : fd_(fd), owned_(owned) {}
  ~FdSource() override {
    if (owned_) {
      ::close(fd_);
    }
  }
  Result<size_t> read(std::span<uint8_t> out) override {
    for (;;) {
      ssize_t n = ::read(fd_, out.data(), out.size());
      if (n >= 0) {
        return static_cast<size_t>(n);
      }
      if (errno != EINTR) {
        return errno_error("read", errno);
      }
    }
  }
  Result<void> rewind() override {
    if (::lseek(fd_, 0, SEEK_SET) != 0) {
      return errno_error("rewind", errno);
    }
    return {};
  }

 private:
  int fd_;
  bool owned_;
};

class MemorySource final : public ByteSource {
 public:
  MemorySource(std::shared_ptr<const crypto::SecretBytes> buf, size_t off, size_t len)
      : buf_(std::move(buf)), begin_(off), end_(off + len), pos_(off) {}
  Result<size_t> read(std::span<uint8_t> out) override {
    size_t n = std::min(out.size(), end_ - pos_);
    if (n > 0) {
      std::memcpy(out.data(), buf_->reveal().data() + pos_, n);
    }
    pos_ += n;
    return n;
  }
  Result<void> rewind() override {
    pos_ = begin_;
    return {};
  }

 private:
  std::shared_ptr<const crypto::SecretBytes> buf_;
  size_t begin_, end_, pos_;
};

}  // namespace

std::unique_ptr<ByteSource> fd_source(int fd, bool owned) {
  return std::make_unique<FdSource>(fd, owned);
}

std::unique_ptr<ByteSource> memory_source(std::shared_ptr<const crypto::SecretBytes> buffer,
                                          size_t offset, size_t length) {
  return std::make_unique<MemorySource>(std::move(buffer), offset, length);
}

MemoryTextSink::MemoryTextSink(size_t max_bytes, std::string limit_hint)
    : max_(max_bytes), limit_hint_(std::move(limit_hint)) {}

Result<void> MemoryTextSink::write(std::span<const char> text) {
  if (text.empty()) {
    return {};
  }
  if (total_ + text.size() > max_) {
    return make_error(Errc::invalid_argument, limit_hint_);
  }
  chunks_.push_back(crypto::SecretBytes::copy_of(
      std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size())));
  total_ += text.size();
  return {};
}

Result<void> MemoryTextSink::flush_to(int fd) const {
  for (const auto& c : chunks_) {
    LEEA_TRY(write_all(fd, c.reveal()));
  }
  return {};
}

Result<void> FdTextSink::write(std::span<const char> text) {
  return write_all(fd_, std::string_view(text.data(), text.size()));
}

Result<void> FdSecretSink::write(std::span<const uint8_t> bytes) { return write_all(fd_, bytes); }

Result<void> MemorySecretSink::write(std::span<const uint8_t> bytes) {
  if (used_ + bytes.size() > buf_.size()) {
    return make_error(Errc::invalid_data,
                      "secret larger than " + std::to_string(buf_.size()) + " bytes");
  }
  std::memcpy(buf_.reveal().data() + used_, bytes.data(), bytes.size());
  used_ += bytes.size();
  return {};
}

}  // namespace leea::shamir
