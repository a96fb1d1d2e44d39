// Bounded readers and event builders shared by the collectors (collect_internal.h).
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <memory>

#include "core/crypto/digest.h"
#include "core/evidence/collect_internal.h"
#include "core/util/encoding.h"

namespace leea::evidence::internal {
namespace {

Problem errno_problem(int err) {
  if (err == ENOENT || err == ENOTDIR) return Problem{"absent"};
  return Problem{std::string("unreadable: ") + std::strerror(err)};
}

// Reads at most max bytes from the start of fd; sets *more when bytes remain after them.
std::variant<std::string, Problem> read_bounded(int fd, size_t max, bool* more) {
  std::string out;
  std::array<char, 16384> buf;
  for (;;) {
    size_t want = std::min(buf.size(), max + 1 - out.size());
    ssize_t n = ::read(fd, buf.data(), want);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_problem(errno);
    }
    if (n == 0) break;
    out.append(buf.data(), static_cast<size_t>(n));
    if (out.size() > max) {
      out.resize(max);
      *more = true;
      return out;
    }
  }
  *more = false;
  return out;
}

std::variant<std::string, Problem> read_file_bounded(const std::filesystem::path& path, size_t max,
                                                     bool allow_more) {
  auto opened = open_measured(path, false);
  if (auto* p = std::get_if<Problem>(&opened)) return *p;
  Fd fd(std::get<int>(opened));
  bool more = false;
  auto r = read_bounded(fd.get(), max, &more);
  if (more && !allow_more) return Problem{"larger than " + std::to_string(max) + " bytes"};
  return r;
}

bool printable(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

}  // namespace

Fd::~Fd() { ::close(fd_); }

std::filesystem::path under(const std::filesystem::path& root, std::string_view guest) {
  std::string_view rel = guest;
  while (!rel.empty() && rel.front() == '/') rel.remove_prefix(1);
  return root / std::filesystem::path(rel);
}

std::variant<int, Problem> open_measured(const std::filesystem::path& path, bool allow_block) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return errno_problem(errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return errno_problem(err);
  }
  if (!S_ISREG(st.st_mode) && !(allow_block && S_ISBLK(st.st_mode))) {
    ::close(fd);
    return Problem{allow_block ? "not a block device or regular file" : "not a regular file"};
  }
  return fd;
}

std::variant<std::string, Problem> read_text(const std::filesystem::path& path, size_t max) {
  return read_file_bounded(path, max, false);
}

std::variant<std::string, Problem> read_prefix(const std::filesystem::path& path, size_t max) {
  return read_file_bounded(path, max, true);
}

std::variant<std::string, Problem> read_attribute(const std::filesystem::path& path) {
  auto r = read_text(path, kMaxAttribute);
  if (auto* s = std::get_if<std::string>(&r); s && !s->empty() && s->back() == '\n') {
    s->pop_back();
  }
  return r;
}

std::variant<std::array<uint8_t, 32>, Problem> digest_file(const std::filesystem::path& path,
                                                           uint64_t max) {
  auto opened = open_measured(path, false);
  if (auto* p = std::get_if<Problem>(&opened)) return *p;
  Fd fd(std::get<int>(opened));
  crypto::Digest d(crypto::DigestAlg::sha256);
  auto buf = std::make_unique<std::array<uint8_t, 65536>>();
  uint64_t total = 0;
  for (;;) {
    ssize_t n = ::read(fd.get(), buf->data(), buf->size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_problem(errno);
    }
    if (n == 0) break;
    total += static_cast<uint64_t>(n);
    if (total > max) return Problem{"larger than " + std::to_string(max) + " bytes"};
    d.update(std::span<const uint8_t>(buf->data(), static_cast<size_t>(n)));
  }
  auto v = d.finish();
  std::array<uint8_t, 32> out{};
  std::copy(v.begin(), v.end(), out.begin());
  return out;
}

std::variant<size_t, Problem> pread_full(int fd, uint64_t offset, std::span<uint8_t> buf) {
  size_t got = 0;
  while (got < buf.size()) {
    ssize_t n = ::pread(fd, buf.data() + got, buf.size() - got, static_cast<off_t>(offset + got));
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_problem(errno);
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  return got;
}

Result<std::optional<std::vector<DirEntry>>> list_dir(const std::filesystem::path& path,
                                                      size_t max) {
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(path.c_str()), &::closedir);
  if (!dir) return std::optional<std::vector<DirEntry>>();
  std::vector<DirEntry> out;
  while (dirent* e = ::readdir(dir.get())) {
    std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    if (out.size() == max) {
      return make_error(Errc::invalid_data,
                        path.string() + ": more than " + std::to_string(max) + " entries");
    }
    DirEntry entry{std::string(name), e->d_type == DT_DIR, e->d_type == DT_LNK};
    if (e->d_type == DT_UNKNOWN) {
      struct stat st {};
      if (::fstatat(::dirfd(dir.get()), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        entry.is_dir = S_ISDIR(st.st_mode);
        entry.is_link = S_ISLNK(st.st_mode);
      }
    }
    out.push_back(std::move(entry));
  }
  std::sort(out.begin(), out.end(),
            [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  return std::optional<std::vector<DirEntry>>(std::move(out));
}

std::string name_part(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || std::strchr("._:+@-", c) != nullptr) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string sha256_tag(std::span<const uint8_t> data) {
  return "sha256:" + hex_encode(crypto::sha256(data));
}

std::string sha256_tag(std::string_view data) {
  return "sha256:" + hex_encode(crypto::sha256(data));
}

Event text_event(std::string kind, std::string name, std::string_view text) {
  Event e{std::move(name), std::move(kind), sha256_tag(text), std::nullopt};
  if (text.size() <= kMaxValue && printable(text)) e.value = std::string(text);
  return e;
}

Event bytes_event(std::string kind, std::string name, std::span<const uint8_t> digest32,
                  std::optional<std::string> value) {
  return Event{std::move(name), std::move(kind), "sha256:" + hex_encode(digest32),
               std::move(value)};
}

Event problem_event(std::string kind, std::string name, const Problem& p) {
  std::string why = p.why.substr(0, kMaxValue);
  return Event{std::move(name), std::move(kind), sha256_tag(why), why};
}

Event read_event(std::string kind, std::string name,
                 const std::variant<std::string, Problem>& read) {
  if (const auto* p = std::get_if<Problem>(&read)) {
    return problem_event(std::move(kind), std::move(name), *p);
  }
  return text_event(std::move(kind), std::move(name), std::get<std::string>(read));
}

}  // namespace leea::evidence::internal
