#include "core/shamir/io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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

bool is_blank(std::span<const uint8_t> line) {
  for (uint8_t c : line) {
    if (c != ' ' && c != '\t' && c != '\r') {
      return false;
    }
  }
  return true;
}

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

std::vector<ShareInput> share_inputs_from_lines(std::shared_ptr<const crypto::SecretBytes> text,
                                                const std::string& name, bool name_lines) {
  std::vector<ShareInput> out;
  auto bytes = text->reveal();
  size_t start = 0;
  int line = 0;
  while (start < bytes.size()) {
    ++line;
    const void* nl = std::memchr(bytes.data() + start, '\n', bytes.size() - start);
    size_t end =
        nl ? static_cast<size_t>(static_cast<const uint8_t*>(nl) - bytes.data()) : bytes.size();
    if (!is_blank(bytes.subspan(start, end - start))) {
      std::string n = name_lines ? name + ":" + std::to_string(line) : name;
      out.push_back({std::move(n), memory_source(text, start, end - start)});
    }
    start = end + 1;
  }
  return out;
}

Result<std::vector<ShareInput>> open_share_inputs(const std::vector<std::string>& paths) {
  std::vector<ShareInput> out;
  for (const auto& path : paths) {
    if (path == "-") {
      LEEA_ASSIGN_OR_RETURN(
          auto text, crypto::read_secret_fd(STDIN_FILENO, "standard input", kMaxInMemoryShareText));
      auto shared = std::make_shared<const crypto::SecretBytes>(std::move(text));
      for (auto& in : share_inputs_from_lines(shared, "stdin", true)) {
        out.push_back(std::move(in));
      }
      continue;
    }
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      return errno_error(path, errno);
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
      ::close(fd);
      return make_error(Errc::io, path + ": not a regular file");
    }
    if (S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) > kMaxInMemoryShareText) {
      out.push_back({path, fd_source(fd, true)});
      continue;
    }
    auto text = crypto::read_secret_fd(fd, path, kMaxInMemoryShareText);
    ::close(fd);
    if (!text) {
      return std::move(text).error();
    }
    if (text->empty()) {
      return make_error(Errc::invalid_data, path + ": empty file, not a share");
    }
    auto shared = std::make_shared<const crypto::SecretBytes>(std::move(*text));
    auto lines = share_inputs_from_lines(shared, path, false);
    if (lines.size() > 1) {
      lines = share_inputs_from_lines(shared, path, true);
    }
    if (lines.empty()) {
      return make_error(Errc::invalid_data, path + ": holds no share (only blank lines)");
    }
    for (auto& in : lines) {
      out.push_back(std::move(in));
    }
  }
  return out;
}

}  // namespace leea::shamir
