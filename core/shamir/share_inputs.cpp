// Turning share files and standard input into one ShareInput per share line.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/shamir/io.h"
#include "core/shamir/split.h"
#include "core/util/files.h"

namespace leea::shamir {
namespace {

// Text scanned per read while looking for line ends.
constexpr size_t kScanBuffer = 64 * 1024;

bool is_blank_char(uint8_t c) { return c == ' ' || c == '\t' || c == '\r'; }

bool is_blank(std::span<const uint8_t> line) {
  for (uint8_t c : line) {
    if (!is_blank_char(c)) {
      return false;
    }
  }
  return true;
}

// An open file shared by the range sources of its lines; closed with the last of them.
class SharedFile {
 public:
  SharedFile(int fd, bool owned) : fd_(fd), owned_(owned) {}
  ~SharedFile() {
    if (owned_) {
      ::close(fd_);
    }
  }
  SharedFile(const SharedFile&) = delete;
  SharedFile& operator=(const SharedFile&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
  bool owned_;
};

// Reads [begin, end) of a regular file with pread(2), so that several sources share one
// descriptor and each can rewind.
class RangeSource final : public ByteSource {
 public:
  RangeSource(std::shared_ptr<const SharedFile> file, uint64_t begin, uint64_t end)
      : file_(std::move(file)), begin_(begin), end_(end), pos_(begin) {}

  Result<size_t> read(std::span<uint8_t> out) override {
    size_t want = static_cast<size_t>(std::min<uint64_t>(out.size(), end_ - pos_));
    while (want > 0) {
      ssize_t n = ::pread(file_->fd(), out.data(), want, static_cast<off_t>(pos_));
      if (n > 0) {
        pos_ += static_cast<uint64_t>(n);
        return static_cast<size_t>(n);
      }
      if (n == 0) {
        return make_error(Errc::io, "the file shrank while being read");
      }
      if (errno != EINTR) {
        return errno_error("read", errno);
      }
    }
    return size_t{0};
  }

  Result<void> rewind() override {
    pos_ = begin_;
    return {};
  }

 private:
  std::shared_ptr<const SharedFile> file_;
  uint64_t begin_, end_, pos_;
};

struct LineRange {
  uint64_t begin = 0;
  uint64_t end = 0;
  int line = 0;
};

// Finds the non-blank lines of a regular file from offset start on, reading it once.
Result<std::vector<LineRange>> scan_lines(int fd, uint64_t start, const std::string& name) {
  crypto::SecretBytes buf(kScanBuffer);  // share text is secret
  std::vector<LineRange> lines;
  LineRange cur{start, start, 1};
  bool blank = true;
  for (uint64_t off = start;;) {
    ssize_t n = ::pread(fd, buf.reveal().data(), buf.size(), static_cast<off_t>(off));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return errno_error(name, errno);
    }
    auto bytes = buf.reveal().first(static_cast<size_t>(n));
    for (size_t i = 0; i < bytes.size();) {
      const void* nl = std::memchr(bytes.data() + i, '\n', bytes.size() - i);
      size_t end =
          nl ? static_cast<size_t>(static_cast<const uint8_t*>(nl) - bytes.data()) : bytes.size();
      blank = blank && is_blank(bytes.subspan(i, end - i));
      if (nl == nullptr) {
        break;
      }
      cur.end = off + end;
      if (!blank) {
        lines.push_back(cur);
      }
      cur = {off + end + 1, off + end + 1, cur.line + 1};
      blank = true;
      i = end + 1;
    }
    off += static_cast<uint64_t>(n);
    if (n == 0) {
      cur.end = off;
      break;
    }
  }
  if (!blank) {
    lines.push_back(cur);
  }
  return lines;
}

// One input per non-blank line of a regular file from offset start on, read in place.
// Messages name the file after what; inputs are named after name.
struct RegularFile {
  int fd;
  bool owned;
  uint64_t start;
  std::string what;
};
Result<std::vector<ShareInput>> regular_file_inputs(const RegularFile& f, const std::string& name,
                                                    bool always_name_lines) {
  auto file = std::make_shared<const SharedFile>(f.fd, f.owned);
  LEEA_ASSIGN_OR_RETURN(auto lines, scan_lines(f.fd, f.start, f.what));
  std::vector<ShareInput> out;
  for (const auto& l : lines) {
    bool name_lines = always_name_lines || lines.size() > 1;
    out.push_back({name_lines ? name + ":" + std::to_string(l.line) : name,
                   std::make_unique<RangeSource>(file, l.begin, l.end)});
  }
  return out;
}

// Reads a pipe, terminal or other unseekable input into wiped memory, bounded.
Result<std::shared_ptr<const crypto::SecretBytes>> read_unseekable(int fd,
                                                                   const std::string& name) {
  auto text = crypto::read_secret_fd(fd, name, kMaxInMemoryShareText);
  if (!text) {
    if (text.error().code != Errc::invalid_data) {  // invalid_data: over the bound
      return std::move(text).error();
    }
    return make_error(Errc::invalid_data,
                      name + ": share text larger than 64 MiB; pass share files instead");
  }
  return std::make_shared<const crypto::SecretBytes>(std::move(*text));
}

Result<std::vector<ShareInput>> stdin_inputs() {
  struct stat st {};
  if (::fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode)) {
    // Read from where standard input stands, as a pipe would be.
    off_t at = ::lseek(STDIN_FILENO, 0, SEEK_CUR);
    RegularFile f{STDIN_FILENO, false, at > 0 ? static_cast<uint64_t>(at) : 0, "standard input"};
    return regular_file_inputs(f, "stdin", true);
  }
  LEEA_ASSIGN_OR_RETURN(auto text, read_unseekable(STDIN_FILENO, "standard input"));
  return share_inputs_from_lines(text, "stdin", true);
}

Result<std::vector<ShareInput>> file_inputs(const std::string& path) {
  struct stat st {};
  LEEA_ASSIGN_OR_RETURN(int fd, open_readable(path, &st));
  std::vector<ShareInput> out;
  if (S_ISREG(st.st_mode)) {
    if (st.st_size == 0) {
      ::close(fd);
      return make_error(Errc::invalid_data, path + ": empty file, not a share");
    }
    LEEA_ASSIGN_OR_RETURN(out, regular_file_inputs({fd, true, 0, path}, path, false));
  } else {
    auto text = read_unseekable(fd, path);
    ::close(fd);
    if (!text) {
      return std::move(text).error();
    }
    if ((*text)->empty()) {
      return make_error(Errc::invalid_data, path + ": empty file, not a share");
    }
    out = share_inputs_from_lines(*text, path, false);
    if (out.size() > 1) {
      out = share_inputs_from_lines(*text, path, true);
    }
  }
  if (out.empty()) {
    return make_error(Errc::invalid_data, path + ": holds no share (only blank lines)");
  }
  return out;
}

}  // namespace

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
    auto inputs = path == "-" ? stdin_inputs() : file_inputs(path);
    if (!inputs) {
      return std::move(inputs).error();
    }
    for (auto& in : *inputs) {
      // Each input gets a reader with its own locked buffer; more than a split can make
      // never combine, so refuse them before any is opened.
      if (out.size() == static_cast<size_t>(kMaxShares)) {
        return make_error(Errc::invalid_data, "more than " + std::to_string(kMaxShares) +
                                                  " shares given; a split makes at most " +
                                                  std::to_string(kMaxShares));
      }
      out.push_back(std::move(in));
    }
  }
  return out;
}

}  // namespace leea::shamir
